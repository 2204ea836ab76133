"""The lineage index: every document and every relation between documents, as integer-indexed
columns and adjacency, built from the store and persisted next to it.

Why: "what implements 02-NQ/TW, and through which chain?" is a breadth-first walk. SPARQL property
paths answer it but not with depths, per-step edges and cursors; a compact in-memory adjacency does,
and its first page costs only the nodes it visits. The index records the store's write stamp, so a
restart loads it from disk instead of rebuilding, and any write makes it stale.

One module per job: `model` (relations, steps, quotes), `columns` (documents as columns and their
parts), `adjacency` (rows and quotes per edge), `build` (from the store, dumps, or an ingest),
`persist` (on disk), `walks` (lazy, whole and shortest), `index` (the class tying them together).
"""

from ..rdf import RELATION_PROPERTY
from .build import Collector
from .columns import NO_DAY, Coded, Lookup
from .index import LineageIndex, collect_dumps
from .model import FORMAT_VERSION, PER_EDGE, PROP_REL, REL_ID, RELATIONS, Node, Quote, Step
from .walks import MASK_NAMES, Order

__all__ = [
    "FORMAT_VERSION",
    "MASK_NAMES",
    "NO_DAY",
    "PER_EDGE",
    "PROP_REL",
    "RELATIONS",
    "RELATION_PROPERTY",
    "REL_ID",
    "Coded",
    "Collector",
    "LineageIndex",
    "Lookup",
    "Node",
    "Order",
    "Quote",
    "Step",
    "collect_dumps",
]
