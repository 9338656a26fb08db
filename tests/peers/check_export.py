#!/usr/bin/env python3
"""Independent (rdflib + pyoxigraph) check of one `digicoop export` file against the sources.

Usage: check_export.py FORMAT EXPORT ONTOLOGY.ttl DATA.trig [DATA.trig ...]
FORMAT: turtle, ntriples, rdfxml (one graph) or trig, nquads, jsonld (a dataset).

The expected content is read straight from the source files with rdflib: the ontology in
graph <https://w3id.org/digicoop/ontology> plus every named graph of the data files (for the
one-graph formats: the set merge of all of them). The export is then parsed twice, by rdflib
and by pyoxigraph, and each parse must be isomorphic to the expected content, graph by graph.
Prints `count=N` (triples rdflib parsed; quads for dataset formats) and any difference.
Exit codes: 0 round trip exact, 1 difference, 2 usage or parse error.
"""
import sys

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic
from rdflib.namespace import XSD

ONTOLOGY_GRAPH = URIRef("https://w3id.org/digicoop/ontology")
DATASET_FORMATS = {"trig": "trig", "nquads": "nquads", "jsonld": "json-ld"}
GRAPH_FORMATS = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml"}
OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML, "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD,
}
UNION = None  # the key of the merged graph in one-graph formats


def sources(ontology, data):
    """{graph IRI: Graph} from the source files, as rdflib reads them."""
    graphs = {ONTOLOGY_GRAPH: Graph().parse(ontology, format="turtle")}
    for path in data:
        ds = Dataset()
        ds.parse(path, format="trig")
        for s, p, o, g in ds.quads((None, None, None, None)):
            graphs.setdefault(g, Graph()).add((s, p, o))
    return graphs


def rdflib_parse(fmt, path):
    """{graph IRI or UNION: Graph} and the number of triples (quads) parsed, by rdflib."""
    if fmt in GRAPH_FORMATS:
        g = Graph().parse(path, format=GRAPH_FORMATS[fmt])
        return {UNION: g}, len(g)
    ds = Dataset()
    ds.parse(path, format=DATASET_FORMATS[fmt])
    graphs = {}
    for s, p, o, g in ds.quads((None, None, None, None)):
        graphs.setdefault(g, Graph()).add((s, p, o))
    return graphs, sum(len(g) for g in graphs.values())


def term(t):
    """A pyoxigraph term as the rdflib term rdflib's own parsers would produce."""
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    datatype = URIRef(t.datatype.value)
    return Literal(t.value, datatype=None if datatype == XSD.string else datatype)


def oxigraph_parse(fmt, path):
    """{graph IRI or UNION: Graph}, as pyoxigraph reads the file."""
    graphs = {}
    for q in ox.parse(path=path, format=OX_FORMATS[fmt]):
        g = UNION if fmt in GRAPH_FORMATS else term(q.graph_name)
        graphs.setdefault(g, Graph()).add((term(q.subject), term(q.predicate), term(q.object)))
    return graphs


def differences(who, expected, actual):
    problems = []
    for g in sorted(set(expected) | set(actual), key=str):
        want, got = expected.get(g, Graph()), actual.get(g, Graph())
        if isomorphic(want, got):
            continue
        _, missing, extra = graph_diff(want, got)
        problems.append(f"{who}: graph {g or '(merge)'}: {len(missing)} missing, {len(extra)} extra")
        for label, triples in (("missing", missing), ("extra", extra)):
            for t in sorted(triples, key=str)[:5]:
                problems.append(f"  {label}: {' '.join(x.n3() for x in t)}")
    return problems


def main(argv):
    if len(argv) < 5 or argv[1] not in OX_FORMATS:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    fmt, export, ontology, data = argv[1], argv[2], argv[3], argv[4:]
    try:
        expected = sources(ontology, data)
        parsed, count = rdflib_parse(fmt, export)
        reloaded = oxigraph_parse(fmt, export)
    except Exception as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if fmt in GRAPH_FORMATS:
        merge = Graph()
        for g in expected.values():
            merge += g
        expected = {UNION: merge}
    problems = differences("rdflib", expected, parsed) + differences("pyoxigraph", expected, reloaded)
    print(f"count={count}")
    print(f"{fmt}: {len(parsed)} graph(s) in the export, {len(expected)} expected")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
