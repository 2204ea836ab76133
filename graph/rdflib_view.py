"""An rdflib view of the store, for users who work with rdflib: a copy, so keep it to what fits in memory."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib

from .store import PREFIXES, GraphStore


def to_rdflib(store: GraphStore, graph: str | None = None) -> rdflib.Dataset | rdflib.Graph:
    """One source graph as an rdflib Graph, or (no `graph`) the whole store as an rdflib Dataset."""
    if graph is not None:
        data = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        g = rdflib.Graph().parse(data=data or b"", format="nt")
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        return g
    ds = rdflib.Dataset()
    for name in store.ox.named_graphs():
        data = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)
        ds.graph(rdflib.URIRef(name.value)).parse(data=data or b"", format="nt")
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    return ds
