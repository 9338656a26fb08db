//! `--endpoint`: the same queries, sent to any SPARQL 1.1 Protocol server.
//!
//! **What is sent.** A query is prepared in the algebra, as local execution prepares it:
//! `SERVICE` is refused unless allowed, saved-query parameters join as a one-row `VALUES`
//! table ([`algebra::bind`], never pasted into text), and patterns over the default graph
//! get the `DISTINCT` that gives digicoop's union default graph its set semantics
//! ([`query::with_set_semantics`]), so a server whose default graph is the union of its
//! graphs (Virtuoso's is) answers as the embedded graph does. spargebra then writes the
//! query with full IRIs: the server need not know digicoop's predeclared prefixes.
//!
//! **How.** One HTTP POST of the query as a URL-encoded form (`query=...`), the protocol's
//! most widely read form: Virtuoso 7.2 never answers a direct `application/sparql-query`
//! POST (openlink/virtuoso-opensource#842). SELECT and ASK ask for SPARQL JSON (XML and TSV
//! are read too); CONSTRUCT and DESCRIBE ask for N-Triples (Turtle and the other RDF syntaxes
//! Oxigraph parses are read by their Content-Type). Answers are parsed lazily, so they stream
//! to the same writers local results use. `--timeout` bounds the whole exchange.
//!
//! **Credentials** come only from the environment ([`ENV_USER`] and [`ENV_PASSWORD`] for
//! HTTP Basic, [`ENV_TOKEN`] for a Bearer token), never from the command line (visible to
//! other users in `ps`) or the URL, and never appear in a message: URLs are shown without
//! user info and the server's own words are scrubbed of the secrets.

use crate::algebra;
use crate::format::Row;
use crate::query::{self, Form, QueryError};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Term, Triple, Variable};
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParseError, QueryResultsParser, ReaderQueryResultsParserOutput,
};
use oxigraph::sparql::CancellationToken;
use spargebra::Query;
use std::fmt;
use std::io::{self, Read};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// The user name for HTTP Basic authentication (with [`ENV_PASSWORD`]).
pub const ENV_USER: &str = "DIGICOOP_ENDPOINT_USER";
/// The password for HTTP Basic authentication (with [`ENV_USER`]).
pub const ENV_PASSWORD: &str = "DIGICOOP_ENDPOINT_PASSWORD";
/// A Bearer token, sent as `Authorization: Bearer TOKEN`.
pub const ENV_TOKEN: &str = "DIGICOOP_ENDPOINT_TOKEN";

const ACCEPT_RESULTS: &str = "application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.8";
const ACCEPT_GRAPH: &str = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5";
/// How many lines of an error page to quote, and how long each may be.
const ERROR_LINES: usize = 6;
const ERROR_LINE_WIDTH: usize = 200;
/// How often a waiting request looks at the cancellation token (Ctrl-C).
const POLL: Duration = Duration::from_millis(50);

/// Why talking to an endpoint failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RemoteError {
    /// The URL is not an http(s) URL.
    #[error("--endpoint {0} is not an http:// or https:// URL")]
    BadUrl(String),
    /// The URL carries a user name or password.
    #[error("--endpoint {0}: the URL holds credentials; put them in {ENV_USER} and {ENV_PASSWORD} (or {ENV_TOKEN}) instead, where other users cannot see them")]
    CredentialsInUrl(String),
    /// The credential variables are incomplete or contradictory.
    #[error("{0}")]
    Credentials(String),
    /// No connection, or it broke before an answer came.
    #[error("cannot reach the SPARQL endpoint {url}: {reason}")]
    Unreachable {
        /// The endpoint, without credentials.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The server answered with an HTTP error status.
    #[error("the SPARQL endpoint {url} answered HTTP {status} {reason}{}", quote(.body))]
    Http {
        /// The endpoint, without credentials.
        url: String,
        /// The status code.
        status: u16,
        /// The status's standard reason phrase.
        reason: String,
        /// The first lines of the server's answer.
        body: Vec<String>,
    },
    /// The answer could not be read as results of the query's form.
    #[error("the SPARQL endpoint {url} sent an answer digicoop cannot read: {reason}")]
    BadAnswer {
        /// The endpoint, without credentials.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The exchange took longer than `--timeout`.
    #[error("query stopped after the {0:?} timeout")]
    Timeout(Duration),
    /// Ctrl-C.
    #[error("query interrupted")]
    Interrupted,
}

fn quote(lines: &[String]) -> String {
    lines.iter().map(|l| format!("\n  | {l}")).collect()
}

/// What an endpoint answered, ready for the writers in [`crate::format`].
pub enum Response {
    /// SELECT solutions, read as they are printed.
    Solutions {
        /// The result variables, in the server's order.
        variables: Vec<Variable>,
        /// The rows.
        rows: Box<dyn Iterator<Item = Result<Row, RemoteError>>>,
    },
    /// An ASK answer.
    Boolean(bool),
    /// CONSTRUCT or DESCRIBE triples, read as they are printed.
    Graph(Box<dyn Iterator<Item = Result<Triple, RemoteError>>>),
}

/// A SPARQL endpoint and the credentials to use with it.
#[derive(Clone)]
pub struct Endpoint {
    url: String,
    authorization: Option<String>,
    secrets: Vec<String>,
    /// Send queries that contain `SERVICE` (federation) too.
    pub allow_service: bool,
}

/// Shows the URL and whether credentials are set, never the credentials.
impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("url", &self.url)
            .field("credentials", &self.authorization.is_some())
            .field("allow_service", &self.allow_service)
            .finish()
    }
}

impl Endpoint {
    /// An endpoint, with credentials from the environment variables, if set.
    pub fn new(url: &str) -> Result<Self, RemoteError> {
        Self::with_env(url, |name| std::env::var(name).ok())
    }

    /// An endpoint, with credentials from `env` (the environment, or a test's stand-in).
    pub fn with_env(url: &str, env: impl Fn(&str) -> Option<String>) -> Result<Self, RemoteError> {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        let rest = ["http://", "https://"]
            .iter()
            .find_map(|scheme| lower.starts_with(scheme).then(|| &url[scheme.len()..]))
            .ok_or_else(|| RemoteError::BadUrl(without_credentials(url)))?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.is_empty() {
            return Err(RemoteError::BadUrl(without_credentials(url)));
        }
        if authority.contains('@') {
            return Err(RemoteError::CredentialsInUrl(without_credentials(url)));
        }
        let env = |name: &str| env(name).filter(|v| !v.is_empty());
        let (authorization, secrets) = match (env(ENV_USER), env(ENV_PASSWORD), env(ENV_TOKEN)) {
            (None, None, None) => (None, Vec::new()),
            (None, None, Some(token)) => (Some(format!("Bearer {token}")), vec![token]),
            (Some(user), Some(password), None) => {
                let encoded = base64(format!("{user}:{password}").as_bytes());
                (Some(format!("Basic {encoded}")), vec![password, encoded])
            }
            (Some(_), Some(_), Some(_)) => {
                return Err(RemoteError::Credentials(format!(
                    "set either {ENV_TOKEN} or {ENV_USER} and {ENV_PASSWORD}, not both"
                )))
            }
            (Some(_), None, _) | (None, Some(_), _) => {
                return Err(RemoteError::Credentials(format!(
                    "HTTP Basic authentication needs both {ENV_USER} and {ENV_PASSWORD}"
                )))
            }
        };
        Ok(Endpoint {
            url: url.to_owned(),
            authorization,
            secrets,
            allow_service: false,
        })
    }

    /// The endpoint's URL (it never holds credentials).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The query text to send: SERVICE checked, parameters bound, set semantics applied.
    pub fn prepare(
        &self,
        query: Query,
        bindings: &[(Variable, Term)],
    ) -> Result<String, QueryError> {
        if !self.allow_service && algebra::uses_service(&query) {
            return Err(QueryError::Unsupported(algebra::SERVICE_REFUSED.into()));
        }
        let bound = algebra::bind(query, bindings)?;
        Ok(query::with_set_semantics(bound).to_string())
    }

    /// Sends a prepared query and starts reading the answer.
    ///
    /// The request waits on a helper thread so that Ctrl-C (`cancel`) returns at once; the
    /// answer is then read lazily on this thread, within what is left of `timeout`.
    pub fn send(
        &self,
        text: &str,
        form: Form,
        timeout: Option<Duration>,
        cancel: &CancellationToken,
    ) -> Result<Response, RemoteError> {
        let agent = ureq::Agent::config_builder()
            .timeout_global(timeout)
            .http_status_as_error(false)
            .user_agent(format!("digicoop/{}", env!("CARGO_PKG_VERSION")).as_str())
            .build()
            .new_agent();
        let mut request = agent.post(&self.url).header(
            "Accept",
            match form {
                Form::Select | Form::Ask => ACCEPT_RESULTS,
                Form::Graph => ACCEPT_GRAPH,
            },
        );
        if let Some(authorization) = &self.authorization {
            request = request.header("Authorization", authorization);
        }
        let (sender, receiver) = mpsc::channel();
        let form_body = [("query".to_owned(), text.to_owned())];
        thread::Builder::new()
            .name("digicoop-endpoint".into())
            .spawn(move || {
                let _ = sender.send(request.send_form(form_body));
            })
            .map_err(|e| self.unreachable(&e.to_string()))?;
        let started = Instant::now();
        let response = loop {
            match receiver.recv_timeout(POLL) {
                Ok(result) => break result.map_err(|e| self.transport(e, timeout))?,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(self.unreachable("the request thread stopped unexpectedly"))
                }
            }
            if cancel.is_cancelled() {
                return Err(RemoteError::Interrupted);
            }
            // ureq enforces the timeout; this only guards against a phase it cannot interrupt.
            if let Some(t) = timeout.filter(|t| started.elapsed() > *t + Duration::from_secs(1)) {
                return Err(RemoteError::Timeout(t));
            }
        };
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let reader = Guarded {
            inner: response.into_body().into_reader(),
            endpoint: self.clone(),
            cancel: cancel.clone(),
            timeout,
        };
        if !status.is_success() {
            return Err(self.http_error(status, &content_type, reader));
        }
        self.read_answer(form, &content_type, reader)
    }

    /// Parses a successful answer as the results of a query of `form`.
    fn read_answer(
        &self,
        form: Form,
        content_type: &str,
        reader: Guarded,
    ) -> Result<Response, RemoteError> {
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        let unreadable = |what: &str| {
            let shown = if media_type.is_empty() {
                "missing"
            } else {
                media_type
            };
            self.bad_answer(&format!("its Content-Type is {shown}, not {what}"))
        };
        if form == Form::Graph {
            let format = graph_format(media_type)
                .ok_or_else(|| unreadable("an RDF syntax digicoop reads"))?;
            let endpoint = self.clone();
            let triples = RdfParser::from_format(format)
                .for_reader(reader)
                .map(move |quad| {
                    quad.map(Triple::from).map_err(|e| match e {
                        oxigraph::io::RdfParseError::Io(e) => endpoint.io_error(e),
                        syntax => endpoint.bad_answer(&syntax.to_string()),
                    })
                });
            return Ok(Response::Graph(Box::new(triples)));
        }
        let format = results_format(media_type)
            .ok_or_else(|| unreadable("SPARQL results in JSON, XML or TSV"))?;
        let parsed = QueryResultsParser::from_format(format)
            .for_reader(reader)
            .map_err(|e| self.parse_error(e))?;
        match (form, parsed) {
            (Form::Ask, ReaderQueryResultsParserOutput::Boolean(value)) => {
                Ok(Response::Boolean(value))
            }
            (Form::Select, ReaderQueryResultsParserOutput::Solutions(solutions)) => {
                let variables = solutions.variables().to_vec();
                let endpoint = self.clone();
                let rows = solutions.map(move |solution| {
                    solution
                        .map(|s| s.values().to_vec())
                        .map_err(|e| endpoint.parse_error(e))
                });
                Ok(Response::Solutions {
                    variables,
                    rows: Box::new(rows),
                })
            }
            // Virtuoso (7.2) answers ASK as a SELECT of one variable, `__ASK_RETVAL`: one
            // row holding 1 for true, no row for false.
            (Form::Ask, ReaderQueryResultsParserOutput::Solutions(solutions))
                if solutions.variables() == [Variable::new_unchecked("__ASK_RETVAL")] =>
            {
                let mut value = false;
                for solution in solutions {
                    let solution = solution.map_err(|e| self.parse_error(e))?;
                    value |= solution.values().iter().flatten().any(|term| {
                        matches!(term, Term::Literal(l) if !matches!(l.value(), "0" | "false"))
                    });
                }
                Ok(Response::Boolean(value))
            }
            (Form::Ask, _) => Err(self.bad_answer("it answered an ASK query with solutions")),
            _ => Err(self.bad_answer("it answered a SELECT query with a boolean")),
        }
    }

    /// The error for a non-2xx status, quoting the start of the server's explanation.
    fn http_error(
        &self,
        status: ureq::http::StatusCode,
        content_type: &str,
        reader: Guarded,
    ) -> RemoteError {
        let mut bytes = Vec::new();
        let _ = reader.take(4096).read_to_end(&mut bytes);
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        if content_type.contains("html") {
            text = strip_tags(&text);
        }
        let body = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .take(ERROR_LINES)
            .map(|l| self.scrub(&truncate(l, ERROR_LINE_WIDTH)))
            .collect();
        RemoteError::Http {
            url: self.url.clone(),
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_owned(),
            body,
        }
    }

    fn transport(&self, error: ureq::Error, timeout: Option<Duration>) -> RemoteError {
        match (error, timeout) {
            (ureq::Error::Timeout(_), Some(t)) => RemoteError::Timeout(t),
            (ureq::Error::HostNotFound, _) => self.unreachable("host not found"),
            (ureq::Error::Io(e), _) => self.io_error(e),
            (other, _) => self.unreachable(&other.to_string()),
        }
    }

    /// An I/O error while reading an answer: ours (timeout, Ctrl-C) or the network's.
    fn io_error(&self, error: io::Error) -> RemoteError {
        if error.get_ref().is_some_and(|e| e.is::<RemoteError>()) {
            let inner = error.into_inner().expect("checked just above");
            return *inner.downcast::<RemoteError>().expect("checked just above");
        }
        self.unreachable(&error.to_string())
    }

    fn parse_error(&self, error: QueryResultsParseError) -> RemoteError {
        match error {
            QueryResultsParseError::Io(e) => self.io_error(e),
            syntax => self.bad_answer(&syntax.to_string()),
        }
    }

    fn unreachable(&self, reason: &str) -> RemoteError {
        RemoteError::Unreachable {
            url: self.url.clone(),
            reason: self.scrub(reason),
        }
    }

    fn bad_answer(&self, reason: &str) -> RemoteError {
        RemoteError::BadAnswer {
            url: self.url.clone(),
            reason: self.scrub(reason),
        }
    }

    /// Replaces every secret in `text` (a server may echo what it was sent).
    fn scrub(&self, text: &str) -> String {
        self.secrets
            .iter()
            .filter(|s| s.len() >= 3)
            .fold(text.to_owned(), |text, secret| text.replace(secret, "***"))
    }
}

/// The answer's body: stops on Ctrl-C and tells a timeout from a broken connection.
struct Guarded {
    inner: ureq::BodyReader<'static>,
    endpoint: Endpoint,
    cancel: CancellationToken,
    timeout: Option<Duration>,
}

impl Read for Guarded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancel.is_cancelled() {
            return Err(io::Error::other(RemoteError::Interrupted));
        }
        self.inner.read(buf).map_err(|e| {
            let error = self.endpoint.transport(ureq::Error::from(e), self.timeout);
            io::Error::other(error)
        })
    }
}

/// The URL with any `user:password@` removed, for messages.
pub fn without_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

fn results_format(media_type: &str) -> Option<QueryResultsFormat> {
    match QueryResultsFormat::from_media_type(media_type)? {
        // text/plain and CSV lose term types; no server sends them for the Accept we send.
        QueryResultsFormat::Csv => None,
        format => Some(format),
    }
}

fn graph_format(media_type: &str) -> Option<RdfFormat> {
    if media_type.eq_ignore_ascii_case("text/plain") {
        return Some(RdfFormat::NTriples);
    }
    RdfFormat::from_media_type(media_type)
}

fn truncate(line: &str, width: usize) -> String {
    match line.char_indices().nth(width) {
        Some((at, _)) => format!("{}...", &line[..at]),
        None => line.to_owned(),
    }
}

/// An HTML error page as text: tags dropped, so its message lines can be quoted.
fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push('\n');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// Standard base64 (RFC 4648, with padding), for the Basic authentication header.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
