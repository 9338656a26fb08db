//! The on-disk store (`--store DIR`, `digicoop load`) through the real binary: a new store
//! holds the bundled graph, loads persist and are all or nothing (a syntax error in any
//! file, or Ctrl-C, leaves the counts unchanged), readers share a store while a load needs
//! it to itself (exit code 8), `--timeout` stops a query on disk, and every reading command
//! works on it. Built with `--features rocksdb`; the default build checks that `--store`
//! says how to get it.

mod common;

use common::{digicoop, write};
use predicates::str::contains;
use std::fs;
use tempfile::TempDir;

/// Triples under `http://example.org/`, in any graph.
#[cfg(feature = "rocksdb")]
const COUNT_EX: &str = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?s), \"http://example.org/\")) }";

#[test]
fn load_needs_a_store_and_says_so() {
    let home = TempDir::new().unwrap();
    let dir = home.path();
    let file = write(
        dir,
        "a.ttl",
        "<http://example.org/a> <http://example.org/p> 1 .\n",
    );
    digicoop(dir)
        .arg("load")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(contains("give --store DIR"));
    digicoop(dir)
        .args(["--store", "kg", "--endpoint", "http://localhost:1/sparql"])
        .args(["query", "ASK {}"])
        .assert()
        .code(2)
        .stderr(contains("cannot be used with"));
}

#[test]
fn a_directory_holding_other_files_is_refused_untouched() {
    let home = TempDir::new().unwrap();
    let dir = home.path();
    let mine = dir.join("mine");
    fs::create_dir(&mine).unwrap();
    write(&mine, "notes.txt", "keep me");
    let file = write(
        dir,
        "a.ttl",
        "<http://example.org/a> <http://example.org/p> 1 .\n",
    );
    digicoop(dir)
        .arg("load")
        .arg("--store")
        .arg(&mine)
        .arg(&file)
        .assert()
        .code(2)
        .stderr(contains("is not a digicoop store"));
    assert_eq!(fs::read_dir(&mine).unwrap().count(), 1);
    digicoop(dir)
        .arg("query")
        .arg("--store")
        .arg(dir.join("missing"))
        .arg("ASK {}")
        .assert()
        .code(2)
        .stderr(contains("there is no store in"));
}

#[cfg(not(feature = "rocksdb"))]
#[test]
fn without_the_feature_store_says_how_to_build_it() {
    let home = TempDir::new().unwrap();
    let dir = home.path();
    let file = write(
        dir,
        "a.ttl",
        "<http://example.org/a> <http://example.org/p> 1 .\n",
    );
    digicoop(dir)
        .args(["load", "--store", "kg"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(contains("--features rocksdb"));
    assert!(!dir.join("kg").exists(), "nothing is created");
}

#[cfg(feature = "rocksdb")]
mod on_disk {
    use super::*;
    use rexpect::reader::Options;
    use rexpect::session::PtySession;
    use std::path::Path;

    const BIN: &str = env!("CARGO_BIN_EXE_digicoop");
    const PROMPT: &str = "digicoop> ";

    /// The single number a COUNT query prints as TSV (header, then the value).
    fn count(home: &Path, store: &Path, query: &str) -> u64 {
        let output = digicoop(home)
            .arg("query")
            .arg("--store")
            .arg(store)
            .arg(query)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let text = String::from_utf8(output.stdout).unwrap();
        let value = text.lines().nth(1).unwrap_or_else(|| panic!("{text}"));
        value
            .trim_matches('"')
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("not a count: {text}"))
    }

    fn total(home: &Path, store: &Path) -> u64 {
        count(
            home,
            store,
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        )
    }

    /// The shell on the store, on a pseudo-terminal, at its first prompt.
    fn shell(home: &Path, store: &Path) -> PtySession {
        let mut cmd = std::process::Command::new(BIN);
        cmd.env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("TERM", "xterm")
            .arg("--store")
            .arg(store);
        let options = Options::default()
            .timeout_ms(Some(60_000))
            .strip_ansi_escape_codes(true);
        let mut p = rexpect::spawn_with_options(cmd, options).unwrap();
        p.exp_string(PROMPT).unwrap();
        p
    }

    fn quit(mut p: PtySession) {
        p.send_control('d').unwrap();
        p.exp_eof().unwrap();
    }

    fn bundled_triples() -> u64 {
        common::bundled().len().unwrap() as u64
    }

    #[test]
    fn a_store_starts_with_the_bundled_graph_and_keeps_loads() {
        let home = TempDir::new().unwrap();
        let dir = home.path();
        let store = dir.join("kg");
        let turtle = write(
            dir,
            "a.ttl",
            "@prefix ex: <http://example.org/> .\nex:a ex:p 1, 2 ; ex:q \"x\"@en .\n",
        );
        let trig = write(
            dir,
            "b.trig",
            "<http://example.org/g> { <http://example.org/b> <http://example.org/p> 3 . }\n",
        );
        digicoop(dir)
            .arg("load")
            .arg("--store")
            .arg(&store)
            .arg(&turtle)
            .arg(&trig)
            .assert()
            .success()
            .stderr(contains("loaded 3 triples from"))
            .stderr(contains("loaded 1 triple from"));
        assert_eq!(total(dir, &store), bundled_triples() + 4);
        assert_eq!(count(dir, &store, COUNT_EX), 4);
        // Loading the same file again adds nothing new (a store is a set).
        digicoop(dir)
            .args(["-q", "load", "--store"])
            .arg(&store)
            .arg(&turtle)
            .assert()
            .success()
            .stderr("");
        assert_eq!(count(dir, &store, COUNT_EX), 4);

        // Every reading command works on the store.
        let run = digicoop(dir)
            .args(["run", "roadmap-to-gdc", "--format", "tsv", "--store"])
            .arg(&store)
            .output()
            .unwrap();
        let text = String::from_utf8(run.stdout).unwrap();
        let areas: std::collections::BTreeSet<_> = text
            .lines()
            .skip(1)
            .map(|l| l.split('\t').next().unwrap().to_owned())
            .collect();
        assert_eq!(areas.len(), 8, "{text}");
        digicoop(dir)
            .args(["graphs", "-F", "tsv", "--store"])
            .arg(&store)
            .assert()
            .success()
            .stdout(contains("<http://example.org/g>\t\t1\n"))
            .stdout(contains("<https://w3id.org/digicoop/graph/curation>"));
        digicoop(dir)
            .args(["export", "-F", "ntriples", "--graph", "http://example.org/g", "--store"])
            .arg(&store)
            .assert()
            .success()
            .stdout(
                "<http://example.org/b> <http://example.org/p> \"3\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n",
            );
        digicoop(dir)
            .args(["validate", "--store"])
            .arg(&store)
            .assert()
            .success()
            .stdout(contains("conforms"));
        // A query on disk stops at --timeout like one in memory.
        digicoop(dir)
            .args(["--timeout", "0.3", "--store"])
            .arg(&store)
            .args([
                "query",
                "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
            ])
            .assert()
            .code(6)
            .stderr(contains("timeout"));
    }

    #[test]
    fn a_syntax_error_in_any_file_loads_none_of_them() {
        let home = TempDir::new().unwrap();
        let dir = home.path();
        let store = dir.join("kg");
        let good = write(
            dir,
            "good.nt",
            "<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n",
        );
        let mut text = String::new();
        for i in 0..5000 {
            text.push_str(&format!(
                "<http://example.org/s{i}> <http://example.org/p> {i} .\n"
            ));
        }
        text.push_str("<http://example.org/s> <http://example.org/p> oops .\n");
        let bad = write(dir, "bad.ttl", &text);
        digicoop(dir)
            .arg("load")
            .arg("--store")
            .arg(&store)
            .arg(&good)
            .arg(&bad)
            .assert()
            .code(3)
            .stderr(contains("bad.ttl:5001:"));
        // The store was created (with the bundled graph) and nothing else.
        assert_eq!(total(dir, &store), bundled_triples());
        assert_eq!(count(dir, &store, COUNT_EX), 0);
    }

    #[test]
    fn readers_share_a_store_and_a_load_waits_for_them() {
        let home = TempDir::new().unwrap();
        let dir = home.path();
        let store = dir.join("kg");
        let file = write(
            dir,
            "a.nt",
            "<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n",
        );
        let mut p = shell(dir, &store);
        // The shell reads the store: other readers are welcome, a load is not.
        assert_eq!(total(dir, &store), bundled_triples());
        digicoop(dir)
            .arg("load")
            .arg("--store")
            .arg(&store)
            .arg(&file)
            .assert()
            .code(8)
            .stderr(contains(
                "is in use: other digicoop processes are reading it",
            ));
        // The shell itself may load: it is the only reader.
        p.send_line(&format!(".load {}", file.display())).unwrap();
        p.exp_string("loaded 1 triple from").unwrap();
        p.exp_string(PROMPT).unwrap();
        p.send_line(COUNT_EX).unwrap();
        p.exp_string(" 1 ").unwrap();
        p.exp_string("(1 row)").unwrap();
        p.exp_string(PROMPT).unwrap();
        quit(p);
        // What the shell loaded is on disk for the next process.
        assert_eq!(count(dir, &store, COUNT_EX), 1);
    }

    #[test]
    fn ctrl_c_stops_a_load_that_keeps_readers_out_and_keeps_nothing() {
        let home = TempDir::new().unwrap();
        let dir = home.path();
        let store = dir.join("kg");
        let data = dir.join("big.nt.gz");
        digicoop(dir)
            .args(["generate", "--triples", "1500000", "-o"])
            .arg(&data)
            .assert()
            .success();
        let mut p = shell(dir, &store);
        p.send_line(&format!(".load {}", data.display())).unwrap();
        p.exp_string("big.nt.gz [").unwrap();
        p.exp_string("triples/s)").unwrap();
        // While the load writes, another process can neither read nor load.
        digicoop(dir)
            .arg("query")
            .arg("--store")
            .arg(&store)
            .arg("ASK {}")
            .assert()
            .code(8)
            .stderr(contains("is loading into it"));
        p.send_control('c').unwrap();
        p.exp_string("interrupted: nothing was loaded from")
            .unwrap();
        p.exp_string(PROMPT).unwrap();
        quit(p);
        assert_eq!(total(dir, &store), bundled_triples());
        // No sorted batch files were left beside the database.
        let leftovers: Vec<_> = fs::read_dir(&store)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("bulk"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}
