#!/usr/bin/env python3
"""Runs every saved query without parameters in digicoop and in rdflib; compares the results.

Usage: compare_queries.py EXPORT.trig PROLOGUE.rq DIGICOOP_BIN QUERIES_DIR

For each QUERIES_DIR/*.rq without a `# param:` line: `DIGICOOP_BIN run NAME -F json` (W3C
SPARQL JSON results) against rdflib evaluating the same text, with PROLOGUE (digicoop's
predeclared PREFIX lines) put in front, over a Dataset built from EXPORT.trig whose default
graph is the set merge of all its named graphs (as in digicoop; rdflib's default_union off).

Rows are compared as multisets (ORDER BY ties may come out in either order): IRIs by string,
literals by (lexical form, datatype, language), numeric literals by value, and GROUP_CONCAT
cells (their separator read from the query) as the sorted list of their parts, an unbound
GROUP_CONCAT being the empty list (see cell_key).
Prints a diff per query that differs. Exit codes: 0 all agree, 1 a difference or a query one
side cannot run, 2 usage error.
"""
import json
import re
import subprocess
import sys
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql import aggregates
from rdflib.plugins.sparql.sparql import NotBoundError

XSD_NS = str(XSD)
NUMERIC = {XSD_NS + t for t in (
    "integer decimal double float long int short byte nonNegativeInteger positiveInteger "
    "nonPositiveInteger negativeInteger unsignedLong unsignedInt unsignedShort unsignedByte"
).split()}
GROUP_CONCAT = re.compile(
    r'GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?(?:;\s*separator\s*=\s*"((?:[^"\\]|\\.)*)")?\s*\)'
    r'\s+AS\s+\?(\w+)', re.IGNORECASE)

# Saved queries rdflib cannot evaluate for a documented rdflib limitation, with the reason.
# Every entry must name the query and the limitation; none is needed today.
KNOWN_RDFLIB_LIMITATIONS = {}


def _use_row_skipping_unbound(self, row):
    try:
        return aggregates._eval(self.expr, row) not in self.seen
    except NotBoundError:
        return False


# rdflib bug (open upstream: https://github.com/RDFLib/rdflib/issues/882): a DISTINCT aggregate
# other than COUNT raises NotBoundError when its expression is unbound in a row (e.g. from an
# OPTIONAL), instead of skipping that row as GroupConcat.update itself does. rdflib fixed this
# for COUNT only (Counter.use_row, rdflib #2229); apply the same fix to the base class. Needed
# by gdc-objectives and panel-members: GROUP_CONCAT(DISTINCT ?x) over an OPTIONAL ?x.
aggregates.Accumulator.use_row = _use_row_skipping_unbound


def concat_separators(text):
    """{variable: separator} for every `GROUP_CONCAT(...) AS ?var` in the query."""
    return {var: json.loads(f'"{sep}"') if sep is not None else " "
            for sep, var in GROUP_CONCAT.findall(text)}


def literal_key(lexical, datatype, language):
    if language:
        return ("literal", lexical, None, language.lower())
    datatype = datatype or XSD_NS + "string"
    if datatype in NUMERIC:
        try:
            return ("number", Decimal(lexical.strip()))
        except InvalidOperation:
            pass
    return ("literal", lexical, datatype, None)


def cell_key(var, cell, separators):
    """A cell as compared: GROUP_CONCAT cells become the sorted list of their parts.

    A GROUP_CONCAT over only unbound values (an OPTIONAL that matched nothing) is unbound in
    digicoop, where Oxigraph takes an unbound value as an evaluation error that makes the
    whole aggregate unbound, and "" in rdflib, which skips unbound values. Both mean "no
    parts", so both compare as the empty list; a group mixing bound and unbound values
    (unbound in Oxigraph, the bound parts in rdflib) still shows as a difference.
    """
    if var not in separators:
        return cell
    if cell is None or cell[:2] == ("literal", ""):
        return ("concat", ())
    if cell[0] == "literal":
        return ("concat", tuple(sorted(cell[1].split(separators[var]))))
    return cell


def json_term(binding):
    kind = binding["type"]
    if kind == "uri":
        return ("iri", binding["value"])
    if kind == "bnode":
        return ("bnode",)  # labels are arbitrary on both sides
    return literal_key(binding["value"], binding.get("datatype"), binding.get("xml:lang"))


def rdflib_term(term):
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ("iri", str(term))
    if isinstance(term, BNode):
        return ("bnode",)
    assert isinstance(term, Literal), term
    return literal_key(str(term), str(term.datatype) if term.datatype else None, term.language)


def digicoop_result(binary, name):
    """(variables, rows as {variable: cell}) from `digicoop run NAME -F json`."""
    run = subprocess.run([binary, "run", name, "-F", "json"], capture_output=True, text=True)
    if run.returncode not in (0, 1):  # 1 is a false ASK
        raise RuntimeError(f"digicoop exited {run.returncode}: {run.stderr.strip()}")
    data = json.loads(run.stdout)
    if "boolean" in data:
        return ["ASK"], [{"ASK": ("boolean", data["boolean"])}]
    names = data["head"]["vars"]
    return names, [{v: json_term(b[v]) for v in b} for b in data["results"]["bindings"]]


def rdflib_result(dataset, text):
    """(variables, rows as {variable: cell}) from rdflib."""
    result = dataset.query(text)
    if result.type == "ASK":
        return ["ASK"], [{"ASK": ("boolean", bool(result.askAnswer))}]
    if result.type != "SELECT":
        raise RuntimeError(f"only SELECT and ASK are compared, not {result.type}")
    names = [str(v) for v in result.vars]
    return names, [{v: rdflib_term(row[v]) for v in names} for row in result]


def multiset(names, rows, separators):
    return Counter(tuple(cell_key(v, row.get(v), separators) for v in names) for row in rows)


def show_cell(cell):
    if cell is None:
        return "(unbound)"
    kind, *rest = cell
    if kind == "iri":
        return f"<{rest[0]}>"
    if kind == "literal":
        lexical, datatype, language = rest
        return json.dumps(lexical) + (f"@{language}" if language else f"^^<{datatype}>")
    if kind == "concat":
        return "[" + " | ".join(rest[0]) + "]"
    return str(rest[0]) if rest else kind


def show(names, row):
    return "  ".join(f"?{v}={show_cell(c)}" for v, c in zip(names, row))


def merged_dataset(path):
    ds = Dataset(default_union=False)
    ds.parse(path, format="trig")
    default = ds.default_graph
    for s, p, o, g in list(ds.quads((None, None, None, None))):
        if g != default.identifier:
            default.add((s, p, o))
    return ds


def main(argv):
    if len(argv) != 5:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    export, prologue, binary, queries = argv[1], Path(argv[2]).read_text(), argv[3], Path(argv[4])
    dataset = merged_dataset(export)
    print(f"rdflib dataset: {len(dataset.default_graph)} triples in the merged default graph")
    compared, failed = 0, []
    for path in sorted(queries.glob("*.rq")):
        text, name = path.read_text(), path.stem
        if re.search(r"^#\s*param:", text, re.MULTILINE):
            continue
        if name in KNOWN_RDFLIB_LIMITATIONS:
            print(f"SKIP {name}: {KNOWN_RDFLIB_LIMITATIONS[name]}")
            continue
        separators = concat_separators(text)
        try:
            ours = digicoop_result(binary, name)
        except Exception as e:
            failed.append(name)
            print(f"FAIL {name}: digicoop could not run it: {e}")
            continue
        try:
            theirs = rdflib_result(dataset, prologue + "\n" + text)
        except Exception as e:
            failed.append(name)
            print(f"FAIL {name}: rdflib could not evaluate it: {type(e).__name__}: {e}")
            continue
        compared += 1
        (our_vars, our_rows), (their_vars, their_rows) = ours, theirs
        our_rows = multiset(our_vars, our_rows, separators)
        their_rows = multiset(our_vars, their_rows, separators)
        if our_vars == their_vars and our_rows == their_rows:
            print(f"ok   {name}: {sum(our_rows.values())} row(s)")
            continue
        failed.append(name)
        print(f"FAIL {name}: digicoop {sum(our_rows.values())} row(s), rdflib {sum(their_rows.values())}")
        if our_vars != their_vars:
            print(f"  variables: digicoop {our_vars}, rdflib {their_vars}")
        for label, rows in (("only digicoop", our_rows - their_rows), ("only rdflib", their_rows - our_rows)):
            for row, n in sorted(rows.items(), key=str)[:10]:
                print(f"  {label}{f' (x{n})' if n > 1 else ''}: {show(our_vars, row)}")
            if len(rows) > 10:
                print(f"  {label}: ... {len(rows) - 10} more")
    print(f"{compared} saved queries compared, {len(failed)} differ or failed"
          + (f": {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
