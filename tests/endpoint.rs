//! `--endpoint`: the same queries on a SPARQL 1.1 Protocol server.
//!
//! - Against a real Virtuoso (Debian's `virtuoso-opensource`, started on loopback and
//!   loaded with digicoop's own N-Quads export), every saved query, with its `example:`
//!   parameters, must give the same result rows remotely as locally. Required in CI
//!   (`CI=true`), skipped with a note where `virtuoso-t` is not installed.
//! - Against a tiny in-process HTTP server: error statuses, credentials (sent, never
//!   printed), timeouts, SERVICE refusal, and a malicious parameter value arriving as one
//!   literal.

mod common;
#[path = "endpoint/server.rs"]
mod server;
#[path = "endpoint/virtuoso.rs"]
mod virtuoso;

use common::digicoop;
use serde_json::Value;
use server::{Answer, Server};
use spargebra::SparqlParser;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use tempfile::TempDir;
use virtuoso::{group_concats, rows, Virtuoso};

/// Two rows, as Virtuoso writes them (its old `typed-literal` type included).
const TWO_ROWS: &str = r#"{ "head": { "link": [], "vars": ["area", "n"] },
  "results": { "distinct": false, "ordered": true, "bindings": [
    { "area": { "type": "uri", "value": "https://w3id.org/digicoop/roadmap-action-areas/1" }, "n": { "type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "2" }},
    { "area": { "type": "literal", "value": "a|b", "xml:lang": "en" } } ] } }"#;
const NO_ROWS: &str = r#"{ "head": { "vars": ["text", "resource", "label", "type", "source"] }, "results": { "bindings": [] } }"#;
const JSON: &str = "application/sparql-results+json";

fn output(home: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = digicoop(home);
    for var in [
        "DIGICOOP_ENDPOINT_USER",
        "DIGICOOP_ENDPOINT_PASSWORD",
        "DIGICOOP_ENDPOINT_TOKEN",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(envs.iter().copied()).args(args).output().unwrap()
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

fn stdout_ok(home: &Path, args: &[&str]) -> String {
    let out = output(home, args, &[]);
    assert!(out.status.success(), "{args:?}: {}", text(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn results_print_exactly_as_local_results_do() {
    let home = TempDir::new().unwrap();
    let server = Server::start(Answer::Http("200 OK", JSON, TWO_ROWS.into()));
    let query = "SELECT ?area ?n WHERE { ?area a dco:ActionArea }";
    let csv = stdout_ok(
        home.path(),
        &["--endpoint", &server.url, "query", "-F", "csv", query],
    );
    assert_eq!(
        csv,
        "area,n\r\nhttps://w3id.org/digicoop/roadmap-action-areas/1,2\r\na|b,\r\n"
    );
    let table = stdout_ok(
        home.path(),
        &["--endpoint", &server.url, "query", "-F", "table", query],
    );
    assert!(
        table.contains("area:1") && table.ends_with("(2 rows)\n"),
        "{table}"
    );
    let request = &server.requests()[0];
    assert!(
        request.head.starts_with("POST /sparql "),
        "{}",
        request.head
    );
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert!(request.header("accept").unwrap().starts_with(JSON));
    // Predeclared prefixes are expanded: the server is sent full IRIs only.
    assert!(
        request
            .query()
            .contains("<https://w3id.org/digicoop/ontology#ActionArea>"),
        "{}",
        request.query()
    );
}

#[test]
fn graphs_are_read_by_their_content_type() {
    let home = TempDir::new().unwrap();
    let turtle = "@prefix ex: <http://example.org/> .\nex:a ex:p \"x\"@en , 3 .\n";
    let server = Server::start(Answer::Http(
        "200 OK",
        "text/turtle; charset=utf-8",
        turtle.into(),
    ));
    let query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }";
    let nt = stdout_ok(
        home.path(),
        &["--endpoint", &server.url, "query", "-F", "ntriples", query],
    );
    let mut lines: Vec<&str> = nt.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "<http://example.org/a> <http://example.org/p> \"3\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
            "<http://example.org/a> <http://example.org/p> \"x\"@en .",
        ]
    );
    assert!(server.requests()[0]
        .header("accept")
        .unwrap()
        .starts_with("application/n-triples"));
}

#[test]
fn http_errors_name_the_status_and_quote_the_server() {
    let home = TempDir::new().unwrap();
    let body = "Virtuoso 37000 Error SP030: SPARQL compiler, line 3: syntax error\n\nSPARQL query:\nSELECT nonsense";
    let server = Server::start(Answer::Http(
        "500 Internal Server Error",
        "text/plain",
        body.into(),
    ));
    let out = output(
        home.path(),
        &["--endpoint", &server.url, "query", "ASK {}"],
        &[],
    );
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!(
            "digicoop: the SPARQL endpoint {} answered HTTP 500 Internal Server Error\n  | Virtuoso 37000 Error SP030",
            server.url
        )),
        "{stderr}"
    );
    assert!(stderr.contains("  | SELECT nonsense"), "{stderr}");

    let page = "<html><head><title>401</title></head><body><h1>Unauthorized</h1><p>Log in first.</p></body></html>";
    let server = Server::start(Answer::Http("401 Unauthorized", "text/html", page.into()));
    let out = output(
        home.path(),
        &["--endpoint", &server.url, "run", "documents"],
        &[],
    );
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(
            "answered HTTP 401 Unauthorized\n  | 401\n  | Unauthorized\n  | Log in first."
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("<h1>"), "{stderr}");
}

#[test]
fn an_unreachable_endpoint_is_said_plainly() {
    let home = TempDir::new().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/sparql");
    let out = output(home.path(), &["--endpoint", &url, "query", "ASK {}"], &[]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!(
            "digicoop: cannot reach the SPARQL endpoint {url}: "
        )),
        "{stderr}"
    );
}

#[test]
fn credentials_are_sent_but_never_printed() {
    let home = TempDir::new().unwrap();
    let (password, basic) = ("pa55-w0rd!", "YWxpY2U6cGE1NS13MHJkIQ=="); // alice:pa55-w0rd!
                                                                        // A careless server that echoes the credentials in its error page.
    let echo = format!("bad credentials: {basic} ({password})");
    let server = Server::start(Answer::Http("403 Forbidden", "text/plain", echo));
    let envs = [
        ("DIGICOOP_ENDPOINT_USER", "alice"),
        ("DIGICOOP_ENDPOINT_PASSWORD", password),
    ];
    let out = output(
        home.path(),
        &["--endpoint", &server.url, "run", "documents"],
        &envs,
    );
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    let shown = text(&out);
    assert!(
        !shown.contains(password) && !shown.contains(basic),
        "{shown}"
    );
    assert!(shown.contains("bad credentials: *** (***)"), "{shown}");
    let sent = &server.requests()[0];
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Basic {basic}").as_str())
    );

    let token = "t0ken-s3cret-value";
    let server = Server::start(Answer::Http("200 OK", JSON, TWO_ROWS.into()));
    let envs = [("DIGICOOP_ENDPOINT_TOKEN", token)];
    let out = output(
        home.path(),
        &["--endpoint", &server.url, "query", "SELECT * {}"],
        &envs,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains(token));
    let expected = format!("Bearer {token}");
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some(expected.as_str())
    );

    // Credentials in the URL are refused (they would show in `ps`), without repeating them.
    let url = server.url.replace("http://", "http://alice:hunter2@");
    let out = output(home.path(), &["--endpoint", &url, "query", "ASK {}"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let shown = text(&out);
    assert!(
        !shown.contains("hunter2") && !shown.contains("alice"),
        "{shown}"
    );
    assert!(
        shown.contains(&server.url) && shown.contains("DIGICOOP_ENDPOINT_USER"),
        "{shown}"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "nothing sent with URL credentials"
    );
}

#[test]
fn a_silent_server_times_out_with_exit_code_6() {
    let home = TempDir::new().unwrap();
    let server = Server::start(Answer::Silence);
    let started = Instant::now();
    let out = output(
        home.path(),
        &[
            "--endpoint",
            &server.url,
            "--timeout",
            "1",
            "run",
            "documents",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "digicoop: query stopped after the 1s timeout\n"
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn service_is_refused_unless_allowed() {
    let home = TempDir::new().unwrap();
    let server = Server::start(Answer::Http("200 OK", JSON, TWO_ROWS.into()));
    let query = "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://elsewhere.example/sparql> { ?s ?p ?o } } }";
    let out = output(
        home.path(),
        &["--endpoint", &server.url, "query", query],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!("digicoop: {}\n", digicoop::algebra::SERVICE_REFUSED)
    );
    assert!(server.requests().is_empty(), "nothing was sent");
    stdout_ok(
        home.path(),
        &["--endpoint", &server.url, "--allow-service", "query", query],
    );
    assert!(server.requests()[0]
        .query()
        .contains("SERVICE <http://elsewhere.example/sparql>"));
}

#[test]
fn a_malicious_parameter_arrives_as_one_literal() {
    let home = TempDir::new().unwrap();
    let server = Server::start(Answer::Http("200 OK", JSON, NO_ROWS.into()));
    let evil = "x\" } UNION { ?s ?p ?o } #";
    let param = format!("text={evil}");
    stdout_ok(
        home.path(),
        &["--endpoint", &server.url, "run", "search", "-p", &param],
    );
    let sent = server.requests()[0].query();
    let parsed = SparqlParser::new()
        .parse_query(&sent)
        .unwrap_or_else(|e| panic!("{e}\n{sent}"));
    let literal = r#"VALUES ( ?text ) { ( "x\" } UNION { ?s ?p ?o } #" )  }"#;
    assert!(parsed.to_string().contains(literal), "{parsed}");
    let rest = parsed.to_string().replace(literal, "");
    assert!(!rest.contains("UNION") && !rest.contains("?p"), "{rest}");
}

#[test]
fn the_shell_sends_queries_and_says_which_commands_stay_local() {
    let home = TempDir::new().unwrap();
    let server = Server::start(Answer::Http("200 OK", JSON, TWO_ROWS.into()));
    let shell = |script: &str| {
        digicoop(home.path())
            .args(["--endpoint", &server.url])
            .write_stdin(script)
            .output()
            .unwrap()
    };
    let out = shell(".run search text=connectivity\nSELECT ?area ?n { ?area ?p ?n }\n");
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let rows = "?area\t?n\n<https://w3id.org/digicoop/roadmap-action-areas/1>\t2\n\"a|b\"@en\t\n";
    assert_eq!(stdout, format!("{rows}{rows}"));
    assert_eq!(server.requests().len(), 2);
    assert!(server.requests()[0].query().contains("\"connectivity\""));

    let out = shell(".load data/curation.trig\n");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(".load works on the embedded graph") && stderr.contains(&server.url),
        "{stderr}"
    );
}

#[test]
fn options_that_need_the_embedded_graph_are_refused() {
    let home = TempDir::new().unwrap();
    let server = Server::start(Answer::Http("200 OK", JSON, TWO_ROWS.into()));
    let url = server.url.as_str();
    for args in [
        vec!["--endpoint", url, "export"],
        vec!["--endpoint", url, "validate"],
        vec![
            "--endpoint",
            url,
            "--data",
            "data/curation.trig",
            "run",
            "documents",
        ],
        vec!["--endpoint", url, "run", "documents", "--sources"],
        vec!["--endpoint", url, "--no-union", "run", "documents"],
        vec!["--endpoint", "ftp://example.org/sparql", "run", "documents"],
    ] {
        let out = output(home.path(), &args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
    }
    assert!(server.requests().is_empty());
}

/// Whether Virtuoso is installed; if not, fails in CI and skips with a note elsewhere.
fn virtuoso_available() -> bool {
    let found = Command::new("virtuoso-t").arg("-?").output().is_ok()
        && Command::new("isql-vt").arg("-?").output().is_ok();
    let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    assert!(
        found || !ci,
        "virtuoso-opensource is missing in CI: install it (.ci/run does)"
    );
    if !found {
        eprintln!("note: virtuoso-t is not installed; skipping the Virtuoso cross-check");
    }
    found
}

#[test]
fn every_saved_query_answers_the_same_on_virtuoso() {
    if !virtuoso_available() {
        return;
    }
    let home = TempDir::new().unwrap();
    let server = Virtuoso::start();
    let export = server.dir.path().join("digicoop.nq");
    stdout_ok(
        home.path(),
        &[
            "export",
            "--format",
            "nquads",
            "-o",
            export.to_str().unwrap(),
        ],
    );
    server.load_nquads(&export);
    let url = server.url.as_str();

    // Everything arrived: the same quads in digicoop's graphs (Virtuoso has system graphs too).
    let count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), \"https://w3id.org/digicoop/\")) }";
    let local = stdout_ok(home.path(), &["query", "-F", "csv", count]);
    assert_eq!(
        stdout_ok(
            home.path(),
            &["--endpoint", url, "query", "-F", "csv", count]
        ),
        local
    );

    let list: Value = serde_json::from_str(&stdout_ok(home.path(), &["list", "--json"])).unwrap();
    let saved = list.as_array().unwrap();
    assert!(saved.len() >= 16);
    for query in saved {
        let name = query["name"].as_str().unwrap();
        let mut args = vec!["run", name, "--format", "json"];
        for example in query["examples"].as_array().unwrap() {
            args.extend(["-p", example.as_str().unwrap()]);
        }
        let text = stdout_ok(home.path(), &["run", name, "--show"]);
        let concats = group_concats(&text);
        let local = output(home.path(), &args, &[]);
        let remote = output(
            home.path(),
            &[&["--endpoint", url][..], &args].concat(),
            &[],
        );
        assert_eq!(
            remote.status.code(),
            local.status.code(),
            "{name}: {}",
            text_of(&remote)
        );
        let (local, remote) = (text_of(&local), text_of(&remote));
        assert_eq!(rows(&remote, &concats), rows(&local, &concats), "{name}");
        assert!(
            !rows(&local, &concats).is_empty(),
            "{name} has answers to compare"
        );
    }

    // ASK false exits 1, and CONSTRUCT comes back as the same triples.
    let no = output(
        home.path(),
        &[
            "--endpoint",
            url,
            "run",
            "is-panel-member",
            "-p",
            "person=person:guterres-antonio",
        ],
        &[],
    );
    assert_eq!((no.status.code(), text(&no).as_str()), (Some(1), "false\n"));
    let construct =
        "CONSTRUCT { ?o skos:notation ?n } WHERE { ?o a dco:Objective ; skos:notation ?n }";
    let sorted = |nt: String| {
        let mut lines: Vec<String> = nt.lines().map(str::to_owned).collect();
        lines.sort();
        lines
    };
    let local = sorted(stdout_ok(
        home.path(),
        &["query", "-F", "ntriples", construct],
    ));
    assert_eq!(local.len(), 5);
    assert_eq!(
        sorted(stdout_ok(
            home.path(),
            &["--endpoint", url, "query", "-F", "ntriples", construct]
        )),
        local
    );
}

fn text_of(output: &Output) -> String {
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}
