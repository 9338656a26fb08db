//! Tests of the shell as a whole: scripts of entries run on a real session.

use super::script::run_lines;
use super::shell::{Failed, Flow, Shell};
use crate::exit::Exit;
use crate::session::Session;

fn shell() -> Shell {
    Shell::new(Session::open(&[], &[]).unwrap(), false)
}

/// Runs a script; returns what it printed and how it ended.
fn run(shell: &mut Shell, script: &str) -> (String, Result<Flow, Failed>) {
    let mut out = Vec::new();
    let flow = run_lines(shell, script.as_bytes(), "test", &mut out);
    (String::from_utf8(out).unwrap(), flow)
}

#[test]
fn settings_change_how_results_print() {
    let mut shell = shell();
    let (out, flow) = run(
        &mut shell,
        ".format csv\n\
         SELECT ?area WHERE { ?area skos:inScheme <https://w3id.org/digicoop/roadmap-action-areas> ; skos:notation \"1\" }\n\
         .format table\n.labels on\n\
         SELECT ?area WHERE { ?area skos:inScheme <https://w3id.org/digicoop/roadmap-action-areas> ; skos:notation \"1\" }\n",
    );
    assert_eq!(flow, Ok(Flow::Continue), "{out}");
    // CSV keeps whole IRIs (labels are for people reading tables).
    assert!(
        out.starts_with("area\r\nhttps://w3id.org/digicoop/roadmap-action-areas/1\r\n"),
        "{out}"
    );
    assert!(out.contains("Universal connectivity"), "{out}");
    assert!(out.ends_with("(1 row)\n"), "{out}");
}

#[test]
fn a_declared_prefix_works_in_queries_and_resolves_terms() {
    let mut shell = shell();
    let (out, flow) = run(
        &mut shell,
        ".prefix p: <https://w3id.org/digicoop/person/>\n.format tsv\n\
         ASK { p:cerf-vinton foaf:name \"Vinton Cerf\" }\n",
    );
    assert_eq!(flow, Ok(Flow::Continue), "{out}");
    assert!(out.ends_with("true\n"), "{out}");
    assert_eq!(
        shell.resolve_term("p:cerf-vinton").unwrap(),
        "<https://w3id.org/digicoop/person/cerf-vinton>"
    );
    // A label that names exactly one resource resolves too.
    assert_eq!(
        shell.resolve_term("Vinton Cerf").unwrap(),
        "<https://w3id.org/digicoop/person/cerf-vinton>"
    );
}

#[test]
fn the_last_successful_query_is_kept_for_save() {
    let mut shell = shell();
    let (_, flow) = run(
        &mut shell,
        "ASK { ?s ?p ?o }\nSELECT ?x WHERE {\n?x ?p ?o } LIMIT 1\n",
    );
    assert_eq!(flow, Ok(Flow::Continue));
    assert_eq!(
        shell.last_query.as_deref(),
        Some("SELECT ?x WHERE {\n?x ?p ?o } LIMIT 1")
    );
    // A failing query does not replace it.
    let (_, flow) = run(&mut shell, "SELECT ?x WHERE { ?x ?p }\n");
    assert_eq!(flow, Err(Failed(Exit::Syntax)));
    assert!(shell.last_query.as_deref().unwrap().ends_with("LIMIT 1"));
}

#[test]
fn errors_end_scripts_with_their_exit_codes() {
    let cases = [
        (".maxrows lots\n", Exit::Usage),
        (".run describe\n", Exit::Usage),
        (".run describe entity=\"not an IRI\"\n", Exit::Usage),
        ("SELECT * WHERE { ?s ?p ?o } LIMT 1\n", Exit::Syntax),
        (".load /nonexistent/file.ttl\n", Exit::Data),
        (
            ".timeout 0.000001\nSELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }\n",
            Exit::Timeout,
        ),
    ];
    for (script, exit) in cases {
        let (out, flow) = run(&mut shell(), script);
        assert_eq!(flow, Err(Failed(exit)), "{script}: {out}");
    }
}

#[test]
fn quit_stops_before_the_rest() {
    let (out, flow) = run(&mut shell(), ".quit\nASK { ?s ?p ?o }\n");
    assert_eq!(flow, Ok(Flow::Quit));
    assert_eq!(out, "");
}
