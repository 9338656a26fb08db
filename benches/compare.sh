#!/usr/bin/env bash
# Whole-process, side-by-side timing of a cold one-shot run of the flagship saved query
# (roadmap-to-gdc) on the bundled graph: digicoop versus peers doing the same work from the
# same exported TriG (load, then answer the same SPARQL). Prints a Markdown table of medians
# and ratios for BENCHMARKS.md.
#
# Needs: hyperfine (Debian), python3 with pyoxigraph and rdflib (PyPI); optional: roqet
# (Debian rasqal-utils), Jena's arq through ../shared/tools/jena.sh (Debian libapache-jena-java).
# Usage: benches/compare.sh [RUNS]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/digicoop
$bin export --format trig -o "$work/digicoop.trig"
$bin export --format ntriples -o "$work/digicoop.nt"
# The saved query without its header, with the prefixes the export declares.
grep -E '^@prefix' "$work/digicoop.trig" | sed -E 's/^@prefix ([^ ]*) (<[^>]*>) \.$/PREFIX \1 \2/' > "$work/query.rq"
$bin run roadmap-to-gdc --show | grep -v '^#' >> "$work/query.rq"

cat > "$work/pyoxigraph_run.py" <<'PY'
import sys, pyoxigraph as ox
store = ox.Store()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.TRIG)
rows = list(store.query(open(sys.argv[2]).read(), use_default_graph_as_union=True))
print(len(rows))
PY
cat > "$work/rdflib_run.py" <<'PY'
import sys, rdflib
ds = rdflib.Dataset(default_union=True)
ds.parse(sys.argv[1], format="trig")
print(len(list(ds.query(open(sys.argv[2]).read()))))
PY

cmds=(
  "digicoop|$bin run roadmap-to-gdc --format csv"
  "pyoxigraph|python3 $work/pyoxigraph_run.py $work/digicoop.trig $work/query.rq"
  "rdflib|python3 $work/rdflib_run.py $work/digicoop.trig $work/query.rq"
)
if command -v roqet >/dev/null; then
  # rasqal has no named-graph union default; it queries the merged N-Triples instead.
  cmds+=("roqet (rasqal)|roqet -q -r csv -D $work/digicoop.nt $work/query.rq")
fi
if [ -x ../shared/tools/jena.sh ] && [ -f /usr/share/java/jena-arq.jar ]; then
  cmds+=("jena arq|../shared/tools/jena.sh arq.sparql --data $work/digicoop.trig --query $work/query.rq --results csv")
fi

args=()
for c in "${cmds[@]}"; do args+=(--command-name "${c%%|*}" "${c#*|}"); done
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/times.json" "${args[@]}" >&2

python3 - "$work/times.json" <<'PY'
import json, sys, platform, os
results = json.load(open(sys.argv[1]))["results"]
base = next(r for r in results if r["command"] == "digicoop")["median"]
print(f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}\n")
print("| tool | median | mean ± σ | ratio to digicoop |")
print("|---|---:|---:|---:|")
for r in results:
    print(f"| {r['command']} | {r['median']*1000:.1f} ms | {r['mean']*1000:.1f} ± {r['stddev']*1000:.1f} ms | {r['median']/base:.1f}x |")
PY
