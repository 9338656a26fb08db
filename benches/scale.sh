#!/usr/bin/env bash
# Users' data at scale, side by side: in-memory load throughput, peak memory per triple and
# five query shapes on the same generated N-Triples files, in digicoop, pyoxigraph and rdflib.
# Prints Markdown tables of medians and ratios for BENCHMARKS.md.
#
# digicoop is timed from inside: one process per run reads a script on standard input with
# `.timer on`, so `.load FILE` and each query print "Run Time: X.XXXs" (the load time includes
# building the bundled graph, about 3 ms). pyoxigraph (`Store.bulk_load`) and rdflib
# (`Graph.parse`) are timed with time.perf_counter() around the same work. Queries run in one
# process per engine after one load: one warm-up, then RUNS timed samples each, a sample
# being the mean of K back-to-back runs (K = 10 up to 100k triples, 3 up to 1M, then 1), so
# the shell's millisecond resolution does not blur fast queries; every engine materialises
# all result rows (digicoop writes them as TSV to a file). Peak RSS comes from
# wait4() on each process; memory per triple is (peak - the same process without data) / N.
#
# Needs: cargo, python3 with pyoxigraph and rdflib. The Oxigraph CLI has no in-memory store
# (it always needs --location): benches/disk.sh compares it on disk.
# Usage: benches/scale.sh [RUNS] [SIZES]   (default: 5 runs; sizes "100000 1000000")
# rdflib runs only at sizes up to RDFLIB_MAX (default 100000): it is 30-100x slower.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
sizes=${2:-"100000 1000000"}
work=${BENCH_DIR:-$(mktemp -d)}
[ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
bin=$(realpath "${CARGO_TARGET_DIR:-target}")/release/digicoop
for n in $sizes; do
  [ -f "$work/$n.nt" ] || "$bin" generate --triples "$n" -o "$work/$n.nt"
done

BIN=$bin WORK=$work RUNS=$runs SIZES=$sizes RDFLIB_MAX=${RDFLIB_MAX:-100000} python3 - <<'PY'
import json, os, platform, re, statistics, subprocess, sys

BIN, WORK, RUNS = os.environ["BIN"], os.environ["WORK"], int(os.environ["RUNS"])
SIZES = [int(s) for s in os.environ["SIZES"].split()]
RDFLIB_MAX = int(os.environ["RDFLIB_MAX"])

PREFIXES = ("PREFIX dco: <https://w3id.org/digicoop/ontology#> PREFIX org: <http://www.w3.org/ns/org#> "
            "PREFIX foaf: <http://xmlns.com/foaf/0.1/> PREFIX schema: <http://schema.org/> "
            "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> ")
SYN = "https://example.org/synthetic/"
# One line each (the shell runs a query as soon as it parses). The filters on synthetic
# values keep the bundled graph, which digicoop always has, out of the answers.
PARTS = {  # (projection, WHERE body, solution modifiers)
    "aggregation": ("SELECT ?body (COUNT(?doc) AS ?docs) (MIN(?issued) AS ?first)", "?doc a dco:Document ; dcterms:creator ?body ; dcterms:identifier ?id ; dcterms:issued ?issued . FILTER(STRSTARTS(?id, \"SYN/\"))", "GROUP BY ?body"),
    "3-way join + filter": ("SELECT ?name ?body ?count", "?m org:member ?p ; org:organization ?body ; org:role <https://w3id.org/digicoop/concept/panel-role-co-chair> . ?p foaf:name ?name . ?body dco:memberCount ?count . FILTER(?count > 50 && STRSTARTS(STR(?body), \"" + SYN + "\"))", ""),
    "date range + OPTIONAL": ("SELECT ?e ?start ?end", "?e a dco:Meeting ; schema:startDate ?start . OPTIONAL { ?e schema:endDate ?end } FILTER(?start >= \"2020-01-01\"^^xsd:date && ?start < \"2021-01-01\"^^xsd:date)", ""),
    "property path": ("SELECT ?p", "?p dco:affiliation/org:subOrganizationOf* <" + SYN + "body/3>", ""),
    "top-k": ("SELECT ?doc (COUNT(?citing) AS ?n)", "?citing dcterms:references ?doc", "GROUP BY ?doc ORDER BY DESC(?n) ?doc LIMIT 10"),
}
QUERIES = {k: f"{sel} WHERE {{ {body} }} {mods}" for k, (sel, body, mods) in PARTS.items()}
# The same queries inside GRAPH <file>: digicoop then skips the first-graph test it adds to
# each pattern on the union default graph (RDF-merge semantics, see src/query/merge.rs),
# which shows what that costs; pyoxigraph's single default graph needs no such step.
def in_graph(path):
    g = "file://" + os.path.abspath(path)
    return {k: PREFIXES + f"{sel} WHERE {{ GRAPH <{g}> {{ {body} }} }} {mods}" for k, (sel, body, mods) in PARTS.items()}
QUERIES = {k: PREFIXES + v for k, v in QUERIES.items()}

def run(cmd, stdin=None):
    """Runs a process; returns (stdout, peak RSS in bytes)."""
    with open(os.path.join(WORK, "out.txt"), "w+") as out:
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.PIPE, text=True)
        if stdin is not None:
            p.stdin.write(stdin)
        p.stdin.close()
        err = p.stderr.read()
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            sys.exit(f"{cmd[:3]} failed ({p.returncode}): {err}")
        out.seek(0)
        return out.read(), usage.ru_maxrss * 1024

def run_times(text):
    return [float(t) for t in re.findall(r"^Run Time: ([0-9.]+)s$", text, re.M)]

PY_PEER = r'''
import json, resource, sys, time
engine, path, queries, runs, k = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
if engine == "pyoxigraph":
    import pyoxigraph as ox
    store = ox.Store()
    base = rss()
    t = time.perf_counter()
    store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES)
    load = time.perf_counter() - t
    n = len(store)
    ask = lambda q: [tuple(row) for row in store.query(q)]
else:
    import rdflib
    g = rdflib.Graph()
    base = rss()
    t = time.perf_counter()
    g.parse(path, format="nt")
    load = time.perf_counter() - t
    n = len(g)
    ask = lambda q: [tuple(row) for row in g.query(q)]
peak = rss()
result = {"load": load, "triples": n, "peak": peak, "base": base, "queries": {}}
for name, q in queries.items():
    rows = ask(q)  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        for _ in range(k):
            rows = ask(q)
        times.append((time.perf_counter() - t) / k)
    result["queries"][name] = {"times": times, "rows": len(rows)}
print(json.dumps(result))
'''

def repeats(n):
    return 10 if n <= 100_000 else 3 if n <= 1_000_000 else 1

def peer(engine, path, runs, queries, k=1):
    out, _ = run([sys.executable, "-c", PY_PEER, engine, path, json.dumps(queries), str(runs), str(k)])
    return json.loads(out)

def digicoop_load(path):
    out, peak = run([BIN, "--quiet"], f".timer on\n.load {path}\n")
    return run_times(out)[0], peak

def digicoop_queries(path, runs, k, queries=QUERIES):
    script = f".timer on\n.load {path}\n"
    for q in queries.values():
        script += (q + "\n") * (runs * k + 1)
    out, _ = run([BIN, "--quiet"], script)
    # Segments between "Run Time" lines: the load, then each query's TSV (header + rows).
    segments = re.split(r"^Run Time: [0-9.]+s\n", out, flags=re.M)[1:-1]
    times = run_times(out)[1:]
    result, i = {}, 0
    for name in QUERIES:
        chunk = times[i + 1 : i + runs * k + 1]
        rows = len(segments[i].splitlines()) - 1
        samples = [sum(chunk[j * k : (j + 1) * k]) / k for j in range(runs)]
        result[name] = {"times": samples, "rows": rows}
        i += runs * k + 1
    return result

med = statistics.median
baseline_digicoop = run([BIN, "--quiet"], ".timer on\nASK { ?s ?p ?o }\n")[1]
rows_out = []
for n in SIZES:
    path = os.path.join(WORK, f"{n}.nt")
    print(f"== {n} triples", file=sys.stderr)
    d_loads = [digicoop_load(path) for _ in range(RUNS)]
    d_load = med(t for t, _ in d_loads)
    d_peak = max(p for _, p in d_loads)
    k = repeats(n)
    d_queries = digicoop_queries(path, RUNS, k)
    g_queries = digicoop_queries(path, RUNS, k, in_graph(path))
    ox_runs = [peer("pyoxigraph", path, RUNS if i == 0 else 0, QUERIES if i == 0 else {}, k) for i in range(RUNS)]
    ox_load = med(r["load"] for r in ox_runs)
    ox = ox_runs[0]
    engines = {"digicoop": (d_load, d_peak, baseline_digicoop, d_queries),
               "digicoop, GRAPH <file>": (None, None, None, g_queries),
               "pyoxigraph": (ox_load, max(r["peak"] for r in ox_runs), ox["base"], ox["queries"])}
    assert ox["triples"] == n, ox["triples"]
    if n <= RDFLIB_MAX:
        rl = peer("rdflib", path, 3, QUERIES)
        engines["rdflib"] = (rl["load"], rl["peak"], rl["base"], rl["queries"])
    rows_out.append((n, engines))

print(f"Machine: {os.cpu_count()} cores, {platform.machine()}, {platform.platform()}, Python {platform.python_version()}; {RUNS} runs, medians\n")
print("### In-memory load of N-Triples\n")
print("| triples | engine | load (s) | triples/s | digicoop speed-up | peak RSS | bytes/triple (above empty process) |")
print("|---:|---|---:|---:|---:|---:|---:|")
for n, engines in rows_out:
    d = engines["digicoop"][0]
    for name, (load, peak, base, _) in engines.items():
        if load is None:
            continue
        print(f"| {n:,} | {name} | {load:.3f} | {n/load/1000:,.0f}k | {load/d:.2f}x | {peak/2**20:,.0f} MiB | {(peak-base)/n:,.0f} |")
print("\n### Queries (warm, same SPARQL text; ratio = peer time / digicoop time)\n")
print("| triples | query | rows | digicoop (ms) | pyoxigraph (ms) | vs pyoxigraph | rdflib (ms) | vs rdflib | digicoop in GRAPH (ms) | its ratio to pyoxigraph |")
print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
agree = True
for n, engines in rows_out:
    for q in QUERIES:
        counts = {name: e[3][q]["rows"] for name, e in engines.items()}
        if len(set(counts.values())) != 1:
            agree = False
        d = med(engines["digicoop"][3][q]["times"])
        o = med(engines["pyoxigraph"][3][q]["times"])
        if "rdflib" in engines:
            r = med(engines["rdflib"][3][q]["times"])
            rl = f"{r*1000:,.1f} | {r/d:,.0f}x"
        else:
            rl = "— | —"
        rows = "/".join(str(c) for c in dict.fromkeys(counts.values()))
        g = med(engines["digicoop, GRAPH <file>"][3][q]["times"])
        print(f"| {n:,} | {q} | {rows} | {d*1000:,.1f} | {o*1000:,.1f} | {o/d:.2f}x | {rl} | {g*1000:,.1f} | {o/g:.2f}x |")
print(f"\nRow counts agree across engines: {'yes' if agree else 'NO'}")
json.dump([(n, e) for n, e in rows_out], open(os.path.join(WORK, "results.json"), "w"), indent=1)
PY
