//! The parts of the endpoint client that need no server: URLs, credentials, the query text
//! sent. Exchanges with real servers are tested end to end in `tests/endpoint.rs`.

use super::*;
use oxigraph::model::Literal;
use spargebra::SparqlParser;

fn no_env(_: &str) -> Option<String> {
    None
}

fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

#[test]
fn base64_follows_rfc_4648() {
    for (plain, encoded) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
        ("Aladdin:open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
    ] {
        assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
    }
}

#[test]
fn urls_must_be_http_and_hold_no_credentials() {
    assert!(Endpoint::with_env("http://127.0.0.1:8890/sparql", no_env).is_ok());
    assert!(Endpoint::with_env("HTTPS://example.org/sparql?x=1", no_env).is_ok());
    for bad in ["ftp://example.org/", "example.org/sparql", "http:///sparql"] {
        assert!(
            matches!(Endpoint::with_env(bad, no_env), Err(RemoteError::BadUrl(_))),
            "{bad}"
        );
    }
    let error = Endpoint::with_env("https://alice:s3cret@example.org/sparql", no_env).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, RemoteError::CredentialsInUrl(_)));
    assert!(
        message.contains("https://example.org/sparql") && !message.contains("s3cret"),
        "{message}"
    );
    assert!(!message.contains("alice"), "{message}");
}

#[test]
fn credentials_strip_from_urls() {
    assert_eq!(
        without_credentials("https://u:p@host:1/a@b?c=@"),
        "https://host:1/a@b?c=@"
    );
    assert_eq!(
        without_credentials("http://host/sparql"),
        "http://host/sparql"
    );
    assert_eq!(without_credentials("not a url"), "not a url");
}

#[test]
fn credentials_come_from_the_environment_and_never_show() {
    let basic = Endpoint::with_env(
        "http://h/s",
        env(&[(ENV_USER, "Aladdin"), (ENV_PASSWORD, "open sesame")]),
    )
    .unwrap();
    assert_eq!(
        basic.authorization.as_deref(),
        Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    );
    let shown = format!("{basic:?}");
    assert!(
        !shown.contains("sesame") && !shown.contains("QWxhZGRp"),
        "{shown}"
    );
    assert_eq!(
        basic.scrub("echo: open sesame / QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
        "echo: *** / ***"
    );
    let bearer = Endpoint::with_env("http://h/s", env(&[(ENV_TOKEN, "tok-123")])).unwrap();
    assert_eq!(bearer.authorization.as_deref(), Some("Bearer tok-123"));
    assert!(!format!("{bearer:?}").contains("tok-123"));
    let half = Endpoint::with_env("http://h/s", env(&[(ENV_USER, "a")])).unwrap_err();
    assert!(half.to_string().contains(ENV_PASSWORD), "{half}");
    let both = Endpoint::with_env(
        "http://h/s",
        env(&[(ENV_USER, "a"), (ENV_PASSWORD, "b"), (ENV_TOKEN, "c")]),
    )
    .unwrap_err();
    assert!(matches!(both, RemoteError::Credentials(_)));
}

/// The text as the server receives it parses with no prefixes declared.
fn sent(endpoint: &Endpoint, text: &str, bindings: &[(Variable, Term)]) -> String {
    let text = endpoint
        .prepare(query::parse(text).unwrap(), bindings)
        .unwrap();
    SparqlParser::new()
        .parse_query(&text)
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    text
}

#[test]
fn queries_are_sent_with_full_iris_and_set_semantics() {
    let endpoint = Endpoint::with_env("http://h/s", no_env).unwrap();
    let text = sent(&endpoint, "SELECT ?s WHERE { ?s a dco:Objective }", &[]);
    assert!(
        text.contains("<https://w3id.org/digicoop/ontology#Objective>"),
        "{text}"
    );
    assert!(text.contains("DISTINCT"), "{text}");
    let text = sent(
        &endpoint,
        "SELECT ?s WHERE { GRAPH ?g { ?s a dco:Objective } }",
        &[],
    );
    assert!(
        !text.contains("DISTINCT"),
        "a named graph is already a set: {text}"
    );
}

#[test]
fn a_malicious_value_stays_one_literal() {
    let endpoint = Endpoint::with_env("http://h/s", no_env).unwrap();
    let evil = "x\" } UNION { ?s ?p ?o } #";
    let bindings = [(
        Variable::new_unchecked("text"),
        Literal::new_simple_literal(evil).into(),
    )];
    let text = sent(
        &endpoint,
        "SELECT ?text ?l WHERE { ?r rdfs:label ?l FILTER(CONTAINS(?l, ?text)) }",
        &bindings,
    );
    let literal = r#""x\" } UNION { ?s ?p ?o } #""#;
    assert!(text.contains(literal), "{text}");
    assert!(!text.replace(literal, "").contains("UNION"), "{text}");
}

#[test]
fn service_is_refused_unless_allowed() {
    let mut endpoint = Endpoint::with_env("http://h/s", no_env).unwrap();
    let query = "SELECT * WHERE { SERVICE <http://other/sparql> { ?s ?p ?o } }";
    let error = endpoint
        .prepare(query::parse(query).unwrap(), &[])
        .unwrap_err();
    assert_eq!(error.to_string(), algebra::SERVICE_REFUSED);
    endpoint.allow_service = true;
    assert!(sent(&endpoint, query, &[]).contains("SERVICE <http://other/sparql>"));
}

#[test]
fn answers_are_read_by_content_type() {
    assert_eq!(
        results_format("application/sparql-results+json"),
        Some(QueryResultsFormat::Json)
    );
    assert_eq!(
        results_format("application/sparql-results+xml"),
        Some(QueryResultsFormat::Xml)
    );
    assert_eq!(results_format("text/plain"), None, "CSV loses types");
    assert_eq!(results_format("text/html"), None);
    assert_eq!(
        graph_format("application/n-triples"),
        Some(RdfFormat::NTriples)
    );
    assert_eq!(graph_format("text/plain"), Some(RdfFormat::NTriples));
    assert_eq!(graph_format("text/turtle"), Some(RdfFormat::Turtle));
    assert_eq!(graph_format("text/html"), None);
}

#[test]
fn error_pages_are_quoted_as_short_text() {
    let text = strip_tags("<html><body><h1>Not allowed</h1><p>Log in</p></body></html>");
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines, ["Not allowed", "Log in"]);
    assert_eq!(truncate("abcdef", 3), "abc...");
    assert_eq!(truncate("abc", 3), "abc");
    let error = RemoteError::Http {
        url: "http://h/s".into(),
        status: 500,
        reason: "Internal Server Error".into(),
        body: vec!["boom".into()],
    };
    assert_eq!(
        error.to_string(),
        "the SPARQL endpoint http://h/s answered HTTP 500 Internal Server Error\n  | boom"
    );
}
