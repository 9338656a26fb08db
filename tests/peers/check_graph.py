#!/usr/bin/env python3
"""Independent (rdflib) lint of digicoop TriG files against the data conventions.

Usage: check_graph.py ONTOLOGY.ttl FILE.trig [FILE.trig ...]
Checks: parses; every quad is in a named graph; no blank nodes; every subject has an
English rdfs:label in the same graph; every dco: term used is declared in the ontology.
Exits 1 and lists problems when a check fails.
"""
import sys
from rdflib import Dataset, Graph, URIRef, BNode, Literal
from rdflib.namespace import RDF, RDFS

DCO = "https://w3id.org/digicoop/ontology#"


def main(argv):
    onto = Graph().parse(argv[1], format="turtle")
    declared = {str(s) for s in onto.subjects() if str(s).startswith(DCO)}
    problems = []
    total = 0
    for path in argv[2:]:
        ds = Dataset()
        ds.parse(path, format="trig")
        for s, p, o, g in ds.quads((None, None, None, None)):
            total += 1
            if g is None or str(g).startswith("urn:x-rdflib:default") or g == ds.default_graph.identifier:
                problems.append(f"{path}: triple outside a named graph: {s} {p} {o}")
            for t in (s, p, o):
                if isinstance(t, BNode):
                    problems.append(f"{path}: blank node in {s} {p} {o}")
                if isinstance(t, URIRef) and str(t).startswith(DCO) and str(t) not in declared:
                    problems.append(f"{path}: undeclared ontology term {t}")
            if p == RDF.type and isinstance(o, URIRef) and str(o).startswith(DCO) and str(o) not in declared:
                problems.append(f"{path}: undeclared class {o}")
        for ctx in ds.graphs():
            subjects = set(ctx.subjects())
            for s in subjects:
                labels = [l for l in ctx.objects(s, RDFS.label) if isinstance(l, Literal) and l.language == "en"]
                if not labels:
                    problems.append(f"{path}: {s} has no rdfs:label @en in graph {ctx.identifier}")
    for p in sorted(set(problems)):
        print(p)
    print(f"{total} quads in {len(argv) - 2} file(s), {len(set(problems))} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
