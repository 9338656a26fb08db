#!/usr/bin/env python3
"""Independent (pyshacl) validation of digicoop data against the SHACL shapes.

Usage: shacl_check.py SHAPES.ttl ONTOLOGY.ttl DATAFILE [DATAFILE ...]

Loads the ontology and every data file (TriG, Turtle or N-Triples) into ONE graph, the union
of all named graphs with graph names ignored, exactly as digicoop validates, and runs
pyshacl with no inference (sh:class is then checked with rdfs:subClassOf* over ontology +
data). Prints one line per violation with the file(s) that hold the offending triple.
Exit codes: 0 conforms, 1 does not conform, 2 usage or parse error.
"""
import sys
from collections import defaultdict
from pathlib import Path

from pyshacl import validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH


def load(path, union, origin):
    """Add every triple of `path` to `union`, remembering which file each triple came from."""
    fmt = {".trig": "trig", ".ttl": "turtle", ".nt": "nt", ".nq": "nquads"}.get(Path(path).suffix)
    if fmt is None:
        raise ValueError(f"{path}: unknown RDF format (expected .trig, .ttl, .nt or .nq)")
    if fmt in ("trig", "nquads"):
        source = Dataset()
        source.parse(path, format=fmt)
        triples = (q[:3] for q in source.quads((None, None, None, None)))
    else:
        source = Graph().parse(path, format=fmt)
        triples = iter(source)
    for prefix, ns in source.namespaces():
        union.namespace_manager.bind(prefix, ns, override=False, replace=False)
    n = 0
    for t in triples:
        union.add(t)
        origin[t].add(path)
        n += 1
    return n


def short(graph, term):
    if term is None:
        return "-"
    if isinstance(term, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(term)
        except Exception:
            return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3(graph.namespace_manager)
    return f"_:{term}"


def results(report, shapes):
    """The violations of a pyshacl results graph, as sorted tuples of readable fields."""
    rows = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(r, SH.focusNode)
        path = report.value(r, SH.resultPath)
        value = report.value(r, SH.value)
        shape = report.value(r, SH.sourceShape)
        component = report.value(r, SH.sourceConstraintComponent)
        severity = report.value(r, SH.resultSeverity)
        message = report.value(r, SH.resultMessage)
        if isinstance(shape, URIRef):
            # prefer the shape's own sh:message over pyshacl's generated one
            message = shapes.value(shape, SH.message) or message
        rows.append((focus, path, value, shape, component, severity, message))
    rows.sort(key=lambda x: tuple(str(v) for v in x))
    return rows


def main(argv):
    if len(argv) < 4 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    shapes_path, onto_path, data_paths = argv[1], argv[2], argv[3:]
    try:
        shapes = Graph().parse(shapes_path, format="turtle")
        union = Graph(bind_namespaces="none")
        origin = defaultdict(set)
        load(onto_path, union, origin)
        counts = {p: load(p, union, origin) for p in data_paths}
    except Exception as e:  # parse errors: report and exit 2, like a usage error
        print(f"error: {e}", file=sys.stderr)
        return 2
    for prefix, ns in shapes.namespaces():
        union.namespace_manager.bind(prefix, ns, override=False, replace=False)

    node_shapes = len(set(shapes.subjects(RDF.type, SH.NodeShape)))
    prop_shapes = len(set(shapes.subjects(RDF.type, SH.PropertyShape)))
    print(f"shapes: {shapes_path} ({node_shapes} node shapes, {prop_shapes} property shapes)")
    print(f"ontology: {onto_path}")
    for p, n in counts.items():
        print(f"data: {p} ({n} triples)")
    print(f"union: {len(union)} triples")

    conforms, report, _ = validate(union, shacl_graph=shapes, ont_graph=None,
                                   inference="none", advanced=False)
    rows = results(report, shapes)
    for focus, path, value, shape, component, severity, message in rows:
        files = set()
        if path is not None and value is not None:
            files = origin.get((focus, path, value), set())
        if not files:
            files = {f for (s, _, _), fs in origin.items() if s == focus for f in fs}
        where = ", ".join(sorted(files)) or "?"
        comp = short(union, component).replace("sh:", "").replace("ConstraintComponent", "")
        print(f"\n{short(union, severity).replace('sh:', '').upper()}: {short(union, focus)}")
        print(f"  path:    {short(union, path)}")
        if value is not None:
            print(f"  value:   {short(union, value)}")
        print(f"  shape:   {short(union, shape)} ({comp})")
        print(f"  message: {message}")
        print(f"  file:    {where}")
    print(f"\n{'conforms' if conforms else 'does NOT conform'}: {len(rows)} result(s)")
    return 0 if conforms else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
