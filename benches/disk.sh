#!/usr/bin/env bash
# The on-disk store, side by side: loading the same generated N-Triples into a new RocksDB
# store with `digicoop load --store`, with the Oxigraph CLI (`oxigraph load`) and with
# pyoxigraph's `Store(path).bulk_load`, then a cold one-shot query on each store.
# Prints a Markdown table of medians and ratios for BENCHMARKS.md.
#
# Both sides parse N-Triples on one thread and hand batches to the bulk loader's own
# threads, which sort them into SST files that RocksDB ingests at the end. digicoop's store
# also gets the bundled graph (a few thousand triples) first. Each run starts from an empty
# directory; times are whole processes (wall clock), so they include opening and closing
# RocksDB. Peak RSS comes from wait4().
#
# Needs: cargo with a C++ compiler and libclang (the rocksdb feature), python3 with pyoxigraph,
# and the Oxigraph CLI on PATH (`pip install oxigraph==0.5.13` installs its prebuilt binary).
# Usage: benches/disk.sh [RUNS] [SIZES]   (default: 5 runs; sizes "1000000")
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
sizes=${2:-"1000000"}
work=${BENCH_DIR:-$(mktemp -d)}
[ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --features rocksdb
bin=$(realpath "${CARGO_TARGET_DIR:-target}")/release/digicoop
for n in $sizes; do
  [ -f "$work/$n.nt" ] || "$bin" generate --triples "$n" -o "$work/$n.nt"
done

BIN=$bin WORK=$work RUNS=$runs SIZES=$sizes python3 - <<'PY'
import os, platform, shutil, statistics, subprocess, sys, time

BIN, WORK, RUNS = os.environ["BIN"], os.environ["WORK"], int(os.environ["RUNS"])
SIZES = [int(s) for s in os.environ["SIZES"].split()]
QUERY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <http://xmlns.com/foaf/0.1/name> ?o } }"

PY_LOAD = r'''
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("file://" + sys.argv[2]))
store.flush()
'''
PY_QUERY = r'''
import sys, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
print(list(store.query(sys.argv[2]))[0][0].value)
'''

def timed(cmd):
    """Runs a process; returns (wall-clock seconds, stdout)."""
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    out, err = p.stdout, p.stderr
    if p.returncode != 0:
        sys.exit(f"{cmd[:3]} failed ({p.returncode}): {err}")
    return seconds, out

def peak(cmd):
    """Runs a process; returns its peak RSS in bytes."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, cmd
    return usage.ru_maxrss * 1024

def fresh(name):
    path = os.path.join(WORK, name)
    shutil.rmtree(path, ignore_errors=True)
    return path

med = statistics.median
version = subprocess.run(["oxigraph", "--version"], capture_output=True, text=True).stdout.strip()
print(f"Peers: {version} (CLI), pyoxigraph {__import__('pyoxigraph').__version__}")
print(f"Machine: {os.cpu_count()} cores, {platform.machine()}, {platform.platform()}, Python {platform.python_version()}; {RUNS} runs, medians\n")
print("| triples | engine | load (s) | triples/s | digicoop speed-up | peak RSS | cold query (ms) | digicoop speed-up | answer |")
print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
for n in SIZES:
    nt = os.path.join(WORK, f"{n}.nt")
    engines = {
        "digicoop": (lambda s: [BIN, "--quiet", "load", "--store", s, nt],
                     lambda s: [BIN, "query", "--store", s, "--format", "tsv", QUERY]),
        "oxigraph CLI": (lambda s: ["oxigraph", "load", "--location", s, "--file", nt, "--graph", "file://" + nt],
                         lambda s: ["oxigraph", "query", "--location", s, "--query", QUERY, "--results-format", "tsv"]),
        "pyoxigraph": (lambda s: [sys.executable, "-c", PY_LOAD, s, nt],
                       lambda s: [sys.executable, "-c", PY_QUERY, s, QUERY]),
    }
    results = {}
    for name, (load, query) in engines.items():
        loads, peaks = [], []
        for _ in range(RUNS):
            store = fresh(f"{name}-{n}")
            loads.append(timed(load(store))[0])
        store = fresh(f"{name}-{n}")
        peaks.append(peak(load(store)))
        queries, answer = [], None
        for _ in range(RUNS):
            seconds, out = timed(query(store))
            queries.append(seconds)
            answer = out.split()[-1].strip('"').split('"')[0]
        results[name] = (med(loads), max(peaks), med(queries), answer)
    d_load, _, d_query, _ = results["digicoop"]
    for name, (load, rss, query, answer) in results.items():
        print(f"| {n:,} | {name} | {load:.2f} | {n/load/1000:,.0f}k | {load/d_load:.2f}x | {rss/2**20:,.0f} MiB | {query*1000:,.0f} | {query/d_query:.2f}x | {answer} |")
PY
