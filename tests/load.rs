//! Loading users' files with `--data` and `.load`, through the real binary: every input
//! format and `.gz`, which graph the triples land in, all-or-nothing loads, `--quiet`, Ctrl-C
//! and `--timeout` over loaded data.

mod common;

use common::{digicoop, write};
use predicates::prelude::*;
use predicates::str::contains;
use rexpect::reader::Options;
use rexpect::session::PtySession;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const EX: &str = "http://example.org/";
const BIN: &str = env!("CARGO_BIN_EXE_digicoop");
const PROMPT: &str = "digicoop> ";
/// Triples whose subject is under `ex:`, in any graph.
const COUNT_EX: &str = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?s), \"http://example.org/\")) }";

/// The interactive shell on a pseudo-terminal (as in tests/repl.rs), at its first prompt.
fn shell(home: &Path) -> Result<PtySession, rexpect::error::Error> {
    let mut cmd = std::process::Command::new(BIN);
    cmd.env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("TERM", "xterm");
    let options = Options::default()
        .timeout_ms(Some(60_000))
        .strip_ansi_escape_codes(true);
    let mut p = rexpect::spawn_with_options(cmd, options)?;
    p.exp_string(PROMPT)?;
    Ok(p)
}

/// Leaves the shell with Ctrl-D and checks it ended well.
fn quit(mut p: PtySession) {
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
    let status = format!("{:?}", p.process().wait().unwrap());
    assert!(status.ends_with(", 0)"), "{status}");
}

fn gzip(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    let mut gz = flate2::write::GzEncoder::new(
        fs::File::create(&path).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap();
    path
}

/// The graph a file's own triples go to: its absolute path as a `file:` IRI (temporary
/// directories have no characters that need percent-encoding).
fn file_iri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Runs a query over `--data` files (quietly) and returns the TSV rows below the header.
fn rows(home: &Path, files: &[&Path], query: &str) -> Vec<String> {
    let mut cmd = digicoop(home);
    for file in files {
        cmd.arg("--data").arg(file);
    }
    let output = cmd
        .args(["--quiet", "query", query, "--format", "tsv"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{query}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stderr.is_empty(), "--quiet prints nothing");
    let text = String::from_utf8(output.stdout).unwrap();
    text.lines().skip(1).map(str::to_owned).collect()
}

/// `SELECT ?g (COUNT(*) AS ?n) ... GROUP BY ?g` over the subjects under `ex:`, as
/// `graph<TAB>count` lines sorted by graph.
fn counts_by_graph(home: &Path, files: &[&Path]) -> Vec<String> {
    rows(
        home,
        files,
        &format!(
            "SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?s), \"{EX}\")) }} GROUP BY ?g ORDER BY ?g"
        ),
    )
    .into_iter()
    .map(|row| {
        let (g, n) = row.split_once('\t').unwrap();
        let n = n.trim_matches('"').split('"').next().unwrap();
        format!("{}\t{n}", g.trim_matches(['<', '>']))
    })
    .collect()
}

#[test]
fn every_format_and_gzip_loads_into_the_files_own_graph() {
    let home = TempDir::new().unwrap();
    let dir = home.path();
    let turtle = "@prefix ex: <http://example.org/> .\nex:t1 ex:p \"one\" ; ex:q ex:o .\nex:t2 ex:p \"two\" .\n";
    let files = [
        (write(dir, "a.ttl", turtle), 3),
        (
            write(
                dir,
                "b.nt",
                "<http://example.org/n1> <http://example.org/p> \"x\" .\n<http://example.org/n2> <http://example.org/p> _:b .\n",
            ),
            2,
        ),
        (
            write(
                dir,
                "c.rdf",
                r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/x1">
    <ex:p>one</ex:p>
    <ex:q rdf:resource="http://example.org/o"/>
  </rdf:Description>
</rdf:RDF>
"#,
            ),
            2,
        ),
        (
            write(
                dir,
                "d.jsonld",
                r#"{"@context": {"ex": "http://example.org/"},
  "@graph": [{"@id": "ex:j1", "ex:p": "one", "ex:q": {"@id": "ex:o"}},
             {"@id": "ex:j2", "ex:p": "two"}]}"#,
            ),
            3,
        ),
        (gzip(dir, "e.ttl.gz", turtle), 3),
        (
            gzip(
                dir,
                "f.nt.gz",
                "<http://example.org/z1> <http://example.org/p> \"z\" .\n",
            ),
            1,
        ),
    ];
    let paths: Vec<&Path> = files.iter().map(|(p, _)| p.as_path()).collect();
    let mut expected: Vec<String> = files
        .iter()
        .map(|(p, n)| format!("{}\t{n}", file_iri(p)))
        .collect();
    expected.sort();
    assert_eq!(counts_by_graph(dir, &paths), expected);
    // Each file alone, too: the same count, and nothing from the others.
    for (path, n) in &files {
        assert_eq!(
            counts_by_graph(dir, &[path]),
            [format!("{}\t{n}", file_iri(path))]
        );
    }
    // The bundled graph is still there next to the user's files.
    let people = rows(
        dir,
        &paths,
        "SELECT (COUNT(*) AS ?n) WHERE { body:hlpdc a dco:Body }",
    );
    assert_eq!(people, ["1"]);
}

#[test]
fn trig_and_nquads_keep_the_graphs_they_name() {
    let home = TempDir::new().unwrap();
    let dir = home.path();
    let trig = write(
        dir,
        "g.trig",
        "@prefix ex: <http://example.org/> .\nex:d1 ex:p 1 .\nex:g1 { ex:a ex:p 1 . ex:a ex:p 2 }\nGRAPH ex:g2 { ex:b ex:p 3 }\n",
    );
    let nquads = write(
        dir,
        "q.nq",
        "<http://example.org/c> <http://example.org/p> \"4\" <http://example.org/g2> .\n<http://example.org/d2> <http://example.org/p> \"5\" .\n",
    );
    let mut expected = vec![
        format!("{EX}g1\t2"),
        format!("{EX}g2\t2"),
        format!("{}\t1", file_iri(&trig)),
        format!("{}\t1", file_iri(&nquads)),
    ];
    expected.sort();
    assert_eq!(counts_by_graph(dir, &[&trig, &nquads]), expected);
}

#[test]
fn a_malformed_file_loads_nothing_and_says_where() {
    let home = TempDir::new().unwrap();
    let dir = home.path();
    let good = write(
        dir,
        "good.ttl",
        "<http://example.org/g> <http://example.org/p> 1 .\n",
    );
    // Thousands of valid triples, then a bad one halfway through, then more valid ones:
    // enough that the loader has inserted several batches before it meets the error.
    let mut text = String::new();
    for i in 0..5000 {
        text.push_str(&format!("<{EX}s{i}> <{EX}p> \"{i}\" .\n"));
    }
    text.push_str(&format!("<{EX}bad> <{EX}p> \"unterminated .\n"));
    for i in 5000..10000 {
        text.push_str(&format!("<{EX}s{i}> <{EX}p> \"{i}\" .\n"));
    }
    let bad = write(dir, "bad.nt", &text);
    digicoop(dir)
        .arg("--data")
        .arg(&good)
        .arg("--data")
        .arg(&bad)
        .args(["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"])
        .assert()
        .code(3)
        .stdout("")
        .stderr(contains(format!("{}:5001:", bad.display())));
    // In one shell: the count after the failed load is the count before it.
    let mut p = shell(dir).unwrap();
    p.send_line(&format!(".load {}", good.display())).unwrap();
    p.exp_string("loaded 1 triple from").unwrap();
    p.exp_string(PROMPT).unwrap();
    p.send_line(COUNT_EX).unwrap();
    p.exp_string(" 1 ").unwrap();
    p.exp_string("(1 row)").unwrap();
    p.exp_string(PROMPT).unwrap();
    p.send_line(&format!(".load {}", bad.display())).unwrap();
    p.exp_string("bad.nt:5001:").unwrap();
    p.exp_string(PROMPT).unwrap();
    p.send_line(COUNT_EX).unwrap();
    p.exp_string(" 1 ").unwrap();
    p.exp_string("(1 row)").unwrap();
    p.exp_string(PROMPT).unwrap();
    quit(p);
}

#[test]
fn quiet_silences_the_summary_line() {
    let home = TempDir::new().unwrap();
    let dir = home.path();
    let file = write(
        dir,
        "a.ttl",
        "<http://example.org/a> <http://example.org/p> 1, 2, 3 .\n",
    );
    let ask = "ASK { GRAPH ?g { <http://example.org/a> ?p 3 } }";
    digicoop(dir)
        .arg("--data")
        .arg(&file)
        .args(["query", ask])
        .assert()
        .success()
        .stdout("true\n")
        .stderr(
            contains(format!(
                "loaded 3 triples from {} into <{}> in ",
                file.display(),
                file_iri(&file)
            ))
            .and(predicate::function(|s: &str| s.lines().count() == 1)),
        );
    digicoop(dir)
        .arg("--data")
        .arg(&file)
        .args(["--quiet", "query", ask])
        .assert()
        .success()
        .stdout("true\n")
        .stderr("");
    // -q is short for --quiet.
    digicoop(dir)
        .args(["-q", "--data"])
        .arg(&file)
        .args(["query", ask])
        .assert()
        .success()
        .stderr("");
}

#[test]
fn ctrl_c_stops_a_load_and_keeps_nothing() {
    let home = TempDir::new().unwrap();
    let dir = home.path();
    // Large enough that the load is still running when the progress bar appears (after
    // half a second) and the Ctrl-C sent on seeing it arrives.
    let data = dir.join("big.nt.gz");
    digicoop(dir)
        .args(["generate", "--triples", "1500000", "-o"])
        .arg(&data)
        .assert()
        .success();
    let mut p = shell(dir).unwrap();
    p.send_line(&format!(".load {}", data.display())).unwrap();
    // The bar: file name, bytes, triples and rate.
    p.exp_string("big.nt.gz [").unwrap();
    p.exp_string("triples/s)").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("interrupted: nothing was loaded from")
        .unwrap();
    p.exp_string(PROMPT).unwrap();
    p.send_line("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?s), \"https://example.org/synthetic/\")) }").unwrap();
    p.exp_string(" 0 ").unwrap();
    p.exp_string("(1 row)").unwrap();
    p.exp_string(PROMPT).unwrap();
    quit(p);
}

#[test]
fn an_unknown_extension_or_missing_file_is_refused() {
    let home = TempDir::new().unwrap();
    let dir = home.path();
    let text = write(dir, "notes.txt", "hello\n");
    digicoop(dir)
        .arg("--data")
        .arg(&text)
        .args(["query", "ASK {}"])
        .assert()
        .code(2)
        .stderr(contains("cannot tell the RDF format"));
    digicoop(dir)
        .args(["--data", "/nonexistent/x.nt", "query", "ASK {}"])
        .assert()
        .code(5)
        .stderr(contains("cannot read /nonexistent/x.nt"));
}

#[test]
fn timeout_stops_a_query_over_loaded_data() {
    let home = TempDir::new().unwrap();
    let dir = home.path();
    let data = dir.join("g.nt.gz");
    digicoop(dir)
        .args(["generate", "--triples", "20000", "-o"])
        .arg(&data)
        .assert()
        .success();
    // 20,000 squared pairs: far more than a second's work.
    let query = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{}> {{ ?a ?b ?c . ?d ?e ?f }} }}",
        file_iri(&data)
    );
    digicoop(dir)
        .args(["--quiet", "--timeout", "0.5", "--data"])
        .arg(&data)
        .args(["query", &query])
        .assert()
        .code(6)
        .stderr(contains("timeout"));
    // The data did load: a cheap query on it answers.
    let n = rows(
        dir,
        &[&data],
        &format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} }}",
            file_iri(&data)
        ),
    );
    assert_eq!(n, ["20000"]);
}
