//! End-to-end tests of the command line: every command, output format and error path,
//! run through the real binary.

mod common;

use common::digicoop;
use predicates::prelude::*;
use predicates::str::contains;
use tempfile::TempDir;

fn home() -> TempDir {
    tempfile::tempdir().unwrap()
}

fn stdout_of(args: &[&str]) -> String {
    let home = home();
    let output = digicoop(home.path()).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn flagship_query_maps_all_eight_roadmap_areas() {
    let csv = stdout_of(&["run", "roadmap-to-gdc", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("area,areaLabel,objective,objectiveLabel,confidence,justification")
    );
    let areas: std::collections::BTreeSet<String> = lines
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    let expected: std::collections::BTreeSet<String> = (1..=8)
        .map(|i| format!("https://w3id.org/digicoop/roadmap-action-areas/{i}"))
        .collect();
    assert_eq!(areas, expected);
    assert!(
        csv.contains("https://w3id.org/digicoop/gdc-objectives/5"),
        "AI maps to objective 5"
    );
}

#[test]
fn panel_members_with_role_country_and_affiliation() {
    let tsv = stdout_of(&["run", "panel-members"]);
    let rows: Vec<&str> = tsv.lines().collect();
    assert_eq!(rows.len(), 23, "header + 22 people");
    assert!(
        rows[1].starts_with("<https://w3id.org/digicoop/person/gates-melinda>\t\"Melinda Gates\""),
        "{}",
        rows[1]
    );
    let cerf = rows.iter().find(|r| r.contains("cerf-vinton")).unwrap();
    assert!(
        cerf.contains("\"member\"") && cerf.contains("\"USA\"") && cerf.contains("\"Google\""),
        "{cerf}"
    );
    assert!(
        rows.iter()
            .filter(|r| r.contains("\"ex officio member\""))
            .count()
            == 2
    );
}

#[test]
fn members_by_country_counts() {
    let csv = stdout_of(&["run", "members-by-country", "-F", "csv"]);
    assert!(
        csv.lines().nth(1).unwrap().starts_with("USA,USA,3,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 21, "header + 20 countries");
}

#[test]
fn every_select_format() {
    let q = "SELECT ?n WHERE { objective:1 skos:notation ?n }";
    assert_eq!(stdout_of(&["query", q, "-F", "csv"]), "n\r\n1\r\n");
    assert_eq!(stdout_of(&["query", q, "-F", "tsv"]), "?n\n\"1\"\n");
    let json = stdout_of(&["query", q, "-F", "json"]);
    assert!(
        json.contains("\"vars\":[\"n\"]") && json.contains("\"value\":\"1\""),
        "{json}"
    );
    let xml = stdout_of(&["query", q, "-F", "xml"]);
    assert!(
        xml.contains("<variable name=\"n\"/>") && xml.contains("<literal>1</literal>"),
        "{xml}"
    );
    let md = stdout_of(&["query", q, "-F", "markdown"]);
    assert_eq!(md.lines().next().unwrap().replace(' ', ""), "|n|");
    let table = stdout_of(&["query", q, "-F", "table"]);
    assert!(table.contains("(1 row)"), "{table}");
}

#[test]
fn tables_show_prefixed_names_or_labels() {
    let q = "SELECT ?a WHERE { ?a skos:notation \"6\" ; skos:inScheme dcr:roadmap-action-areas }";
    let table = stdout_of(&["query", q, "-F", "table"]);
    assert!(table.contains("area:6"), "{table}");
    let labelled = stdout_of(&["query", q, "-F", "table", "--labels"]);
    assert!(labelled.contains("Artificial intelligence"), "{labelled}");
    let cut = stdout_of(&["run", "panel-members", "-F", "table", "--max-rows", "2"]);
    assert!(cut.contains("(22 rows, first 2 shown)"), "{cut}");
}

#[test]
fn ask_exit_codes_let_scripts_branch() {
    let home = home();
    digicoop(home.path())
        .args(["run", "is-panel-member", "-p", "person=person:cerf-vinton"])
        .assert()
        .code(0)
        .stdout("true\n");
    digicoop(home.path())
        .args([
            "run",
            "is-panel-member",
            "-p",
            "person=person:guterres-antonio",
        ])
        .assert()
        .code(1)
        .stdout("false\n");
    digicoop(home.path())
        .args([
            "query",
            "ASK { body:hlpdc dco:memberCount 20 }",
            "-F",
            "json",
        ])
        .assert()
        .code(0)
        .stdout(contains("\"boolean\":true"));
}

#[test]
fn construct_and_describe_print_rdf() {
    let turtle = stdout_of(&["query", "CONSTRUCT { ?a skos:prefLabel ?l } WHERE { ?a skos:inScheme dcr:roadmap-action-areas ; skos:prefLabel ?l }"]);
    assert!(turtle.contains("area:1"), "{turtle}");
    assert!(turtle.contains("\"Universal connectivity\"@en"), "{turtle}");
    let nt = stdout_of(&["query", "DESCRIBE area:1", "-F", "ntriples"]);
    assert!(nt.lines().all(|l| l.ends_with(" .")), "{nt}");
    assert!(nt.contains("<https://w3id.org/digicoop/roadmap-action-areas/1>"));
}

#[test]
fn sources_cite_the_documents_behind_each_row() {
    let tsv = stdout_of(&["query", "--sources", "SELECT ?date WHERE { milestone:digital-cooperation-agenda-envoy-on-technology dcterms:date ?date } ORDER BY ?date"]);
    let rows: Vec<&str> = tsv.lines().collect();
    assert_eq!(rows[0], "?date\t?sources");
    assert!(
        rows[1].contains("2021") && rows[1].contains("graph:cstd-2021-intersessional-panel-slides"),
        "{tsv}"
    );
    assert!(
        rows[2].contains("2022") && rows[2].contains("graph:gdc-2024-presentation"),
        "{tsv}"
    );
}

#[test]
fn query_from_file_and_stdin() {
    let home = home();
    let file = home.path().join("q.rq");
    std::fs::write(
        &file,
        "SELECT (COUNT(*) AS ?n) WHERE { ?p a dco:Principle }",
    )
    .unwrap();
    digicoop(home.path())
        .args(["query", "-f"])
        .arg(&file)
        .args(["-F", "csv"])
        .assert()
        .success()
        .stdout("n\r\n12\r\n");
    digicoop(home.path())
        .args(["query", "-", "-F", "csv"])
        .write_stdin("SELECT (COUNT(*) AS ?n) WHERE { ?c a dco:Commitment }")
        .assert()
        .success()
        .stdout("n\r\n12\r\n");
}

#[test]
fn list_shows_every_saved_query_with_parameters() {
    let list = stdout_of(&["list"]);
    for name in [
        "roadmap-to-gdc",
        "panel-members",
        "timeline",
        "describe",
        "disagreements",
    ] {
        assert!(list.contains(name), "{name} missing from list");
    }
    assert!(list.contains("entity=<iri>"), "{list}");
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&["list", "--json"])).unwrap();
    assert!(json.as_array().unwrap().len() >= 12);
    let show = stdout_of(&["run", "describe", "--show"]);
    assert!(show.starts_with("# title:"), "{show}");
}

#[test]
fn user_saved_queries_join_the_catalog() {
    let home = home();
    let dir = home.path().join("mine");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("co-chairs.rq"), "# title: Co-chairs\n# param: role iri = concept:panel-role-co-chair -- The role\nSELECT ?role ?name WHERE { ?m org:role ?role ; org:member ?p . ?p foaf:name ?name } ORDER BY ?name").unwrap();
    digicoop(home.path())
        .args(["--queries"])
        .arg(&dir)
        .args(["run", "co-chairs", "-F", "csv"])
        .assert()
        .success()
        .stdout(
            contains("Jack Ma")
                .and(contains("Melinda Gates"))
                .and(contains("Vinton Cerf").not()),
        );
}

#[test]
fn errors_have_documented_exit_codes_and_clear_messages() {
    let home = home();
    let run = |args: &[&str]| digicoop(home.path()).args(args).assert();
    run(&["query", "SELECT ?x WHERE {\n  ?x a }"])
        .code(3)
        .stderr(contains("line 2, column").and(contains("^")));
    run(&["run", "roadmap-to-gpc"])
        .code(2)
        .stderr(contains("did you mean 'roadmap-to-gdc'"));
    run(&["run", "describe"])
        .code(2)
        .stderr(contains("needs --param entity=<iri>"));
    run(&["run", "describe", "-p", "entity=nope:x"])
        .code(2)
        .stderr(contains("neither an IRI nor a prefixed name"));
    run(&[
        "run",
        "describe",
        "-p",
        "entity=body:hlpdc",
        "-p",
        "colour=red",
    ])
    .code(2)
    .stderr(contains("no such parameter"));
    run(&["query", "SELECT * WHERE { ?s ?p ?o }", "-F", "turtle"])
        .code(2)
        .stderr(contains("cannot hold SELECT results"));
    run(&[
        "--timeout",
        "0.3",
        "query",
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    ])
    .code(6)
    .stderr(contains("timeout"));
    run(&[
        "query",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "--sources",
    ])
    .code(2)
    .stderr(contains("GROUP BY"));
    run(&["--data", "/nonexistent/file.ttl", "list"])
        .code(5)
        .stderr(contains("cannot read"));
    run(&["no-such-command"]).code(2);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let home = home();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("digicoop"))
        .env("HOME", home.path())
        .args(["query", "SELECT * WHERE { ?s ?p ?o }"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe like `| head -1` does.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn help_documents_examples_and_exit_codes() {
    let help = stdout_of(&["--help"]);
    assert!(
        help.contains("Exit codes:") && help.contains("  6  --timeout exceeded"),
        "{help}"
    );
    assert!(help.contains("digicoop run roadmap-to-gdc"));
    let completions = stdout_of(&["completions", "bash"]);
    assert!(completions.contains("digicoop"));
    let man = stdout_of(&["man"]);
    assert!(man.contains(".TH digicoop"), "{man}");
}

/// Every export format re-parses to exactly the exported graph (isomorphic: the bundled
/// data has no blank nodes, so equal sets of triples), and exports are byte-for-byte stable.
#[test]
fn exports_round_trip_in_every_format() {
    use oxigraph::io::{RdfFormat, RdfParser};
    use oxigraph::model::{GraphName, Quad};
    use std::collections::HashSet;

    let store = common::bundled();
    let named: HashSet<Quad> = store
        .iter()
        .map(Result::unwrap)
        .filter(|q| !q.graph_name.is_default_graph())
        .collect();
    let merged: HashSet<Quad> = named
        .iter()
        .map(|q| {
            Quad::new(
                q.subject.clone(),
                q.predicate.clone(),
                q.object.clone(),
                GraphName::DefaultGraph,
            )
        })
        .collect();
    let formats = [
        ("turtle", RdfFormat::Turtle, false),
        ("trig", RdfFormat::TriG, true),
        ("ntriples", RdfFormat::NTriples, false),
        ("nquads", RdfFormat::NQuads, true),
        ("rdfxml", RdfFormat::RdfXml, false),
        (
            "jsonld",
            RdfFormat::JsonLd {
                profile: Default::default(),
            },
            true,
        ),
    ];
    for (name, format, keeps_graphs) in formats {
        let text = stdout_of(&["export", "--format", name]);
        assert_eq!(
            text,
            stdout_of(&["export", "--format", name]),
            "{name} export is not deterministic"
        );
        let parsed: HashSet<Quad> = RdfParser::from_format(format)
            .for_slice(text.as_bytes())
            .map(|q| q.unwrap_or_else(|e| panic!("{name}: {e}")))
            .collect();
        let expected = if keeps_graphs { &named } else { &merged };
        assert_eq!(parsed.len(), expected.len(), "{name}: triple count");
        assert!(
            parsed == *expected,
            "{name}: re-parsed export differs from the store"
        );
    }
    let canonical = stdout_of(&["export", "--canonical"]);
    let mut lines: Vec<&str> = canonical.lines().collect();
    assert_eq!(lines.len(), named.len());
    let before = lines.clone();
    lines.sort();
    assert_eq!(before, lines, "canonical N-Quads are sorted");
}

#[test]
fn export_to_a_file_picks_the_format_from_its_extension() {
    let home = home();
    let path = home.path().join("curation.nt");
    digicoop(home.path())
        .args(["export", "--graph", "graph:curation", "-o"])
        .arg(&path)
        .assert()
        .success()
        .stdout("");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.lines().all(|l| l.ends_with(" .")), "not N-Triples");
    assert!(text.contains("<https://w3id.org/digicoop/roadmap-action-areas/6> <http://www.w3.org/2004/02/skos/core#relatedMatch> <https://w3id.org/digicoop/gdc-objectives/5> ."));
    digicoop(home.path())
        .args(["export", "--graph", "graph:nope"])
        .assert()
        .code(2)
        .stderr(contains("no graph"));
}
