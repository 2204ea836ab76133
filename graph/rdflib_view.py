"""An rdflib view of the store, for users who work with rdflib: a copy, so keep it to what fits in memory."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib

from .store import PREFIXES, Store


def to_rdflib(store: Store, graph: str | None = None) -> rdflib.Dataset | rdflib.Graph:
    """One source graph as an rdflib Graph, or (no `graph`) the whole store as an rdflib Dataset."""
    if graph is not None:
        data = store.dump(ox.RdfFormat.N_TRIPLES, graph)
        g = rdflib.Graph().parse(data=data or b"", format="nt")
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        return g
    ds = rdflib.Dataset()
    for name in store.named_graphs():
        data = store.dump(ox.RdfFormat.N_TRIPLES, name)
        ds.graph(rdflib.URIRef(name)).parse(data=data or b"", format="nt")
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    return ds
