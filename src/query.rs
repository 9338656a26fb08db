//! Parsing and evaluating SPARQL: predeclared prefixes, the union default graph, parameters
//! bound as RDF terms, and timeouts or Ctrl-C through Oxigraph's cancellation token.

mod filters;
mod merge;
mod plan;

use crate::prefixes::PREFIXES;
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term, Variable};
use oxigraph::sparql::{CancellationToken, QueryEvaluationError, QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use spargebra::{Query, SparqlParser};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// Errors from parsing or evaluating a query.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The query text does not parse.
    #[error("{0}")]
    Syntax(SyntaxError),
    /// The query failed while running.
    #[error("query evaluation failed: {0}")]
    Evaluation(#[from] QueryEvaluationError),
    /// The query ran longer than the allowed time and was stopped.
    #[error("query stopped after the {0:?} timeout")]
    Timeout(Duration),
    /// The user interrupted the query (Ctrl-C).
    #[error("query interrupted")]
    Interrupted,
    /// The query's form does not fit what was asked (e.g. `--sources` on an ASK).
    #[error("{0}")]
    Unsupported(String),
}

/// A syntax error with its position and the offending line, rendered with a caret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line in the query text.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What the parser expected or found.
    pub message: String,
    /// The query line the error is on.
    pub source_line: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "syntax error at line {}, column {}: {}",
            self.line, self.column, self.message
        )?;
        writeln!(f, "  {}", self.source_line)?;
        write!(f, "  {}^", " ".repeat(self.column.saturating_sub(1)))
    }
}

/// Parses a SPARQL 1.1 query with the predeclared prefixes (the query's own `PREFIX`es win).
pub fn parse(text: &str) -> Result<Query, QueryError> {
    parse_with(text, PREFIXES.iter().copied())
}

/// Parses a query with a given prefix list (e.g. the shell's, extended by `.prefix`).
pub fn parse_with<'a>(
    text: &str,
    prefixes: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Query, QueryError> {
    let mut parser = SparqlParser::new();
    for (prefix, namespace) in prefixes {
        parser = parser
            .with_prefix(prefix, namespace)
            .map_err(|e| QueryError::Unsupported(format!("bad prefix {prefix}: {e}")))?;
    }
    parser
        .parse_query(text)
        .map_err(|e| QueryError::Syntax(syntax_error(text, &e.to_string())))
}

/// Turns the parser's message (`error at L:C: expected ...`) into a positioned error.
fn syntax_error(text: &str, message: &str) -> SyntaxError {
    let position = message.strip_prefix("error at ").and_then(|rest| {
        let (position, detail) = rest.split_once(": ")?;
        let (line, column) = position.split_once(':')?;
        Some((line.parse().ok()?, column.parse().ok()?, detail.to_owned()))
    });
    let (line, column, message) = position.unwrap_or((1, 1, message.to_owned()));
    let source_line = text.lines().nth(line - 1).unwrap_or("").to_owned();
    let at_end = line >= text.lines().count() && column > source_line.chars().count();
    let (column, message) = if message.contains("Prefix not found") {
        unknown_prefix(&source_line, column)
    } else {
        (column, readable(&message, at_end))
    };
    SyntaxError {
        line,
        column,
        message,
        source_line,
    }
}

/// Names the undeclared prefix of the name that ends just before `column` and suggests a
/// declared one; the column returned is where that name starts, for the caret.
fn unknown_prefix(line: &str, column: usize) -> (usize, String) {
    let before: String = line.chars().take(column.saturating_sub(1)).collect();
    let name = before
        .rsplit(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')))
        .next()
        .unwrap_or("");
    let Some((prefix, _)) = name.split_once(':') else {
        return (column, "unknown prefix".to_owned());
    };
    let start = before.chars().count() - name.chars().count() + 1;
    let known = PREFIXES.iter().map(|(p, _)| *p);
    let message = match crate::catalog::closest(prefix, known) {
        Some(close) => format!(
            "unknown prefix '{prefix}:' (did you mean '{close}:'? `.prefixes` in the shell lists them)"
        ),
        None => format!("unknown prefix '{prefix}:'; declare it with PREFIX {prefix}: <...>"),
    };
    (start, message)
}

/// Condenses the parser's "expected one of ..." list: keeps keywords and punctuation, drops
/// character classes (`['A'..='Z' | ...]`) that mean nothing to a reader.
fn readable(message: &str, at_end: bool) -> String {
    let Some(list) = message
        .strip_prefix("expected one of ")
        .or_else(|| message.strip_prefix("expected "))
    else {
        return message.to_owned();
    };
    let mut tokens: Vec<&str> = Vec::new();
    let (mut depth, mut quoted) = (0, false);
    let mut start = 0;
    for (i, c) in list.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            ',' if depth == 0 && !quoted => {
                tokens.push(list[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    tokens.push(list[start..].trim());
    let mut kept: Vec<&str> = tokens
        .into_iter()
        .filter(|t| !t.is_empty() && !t.starts_with('['))
        .collect();
    kept.dedup();
    let prefix = if at_end {
        "unexpected end of query; "
    } else {
        ""
    };
    match kept.len() {
        0 if at_end => "unexpected end of query".to_owned(),
        0 => "unexpected character here".to_owned(),
        1 => format!("{prefix}expected {}", kept[0]),
        _ => format!("{prefix}expected one of {}", kept.join(", ")),
    }
}

/// How to run a query.
#[derive(Clone)]
pub struct RunOptions {
    /// Query the store's default graph, the merge of all named graphs (when the query has no
    /// FROM); when false the default graph is empty and data is reached through `GRAPH`.
    pub union_default_graph: bool,
    /// Stop the query after this long.
    pub timeout: Option<Duration>,
    /// Variables bound to RDF terms before evaluation (saved-query parameters).
    pub bindings: Vec<(Variable, Term)>,
    /// A token another thread (e.g. a Ctrl-C handler) may cancel.
    pub cancel: CancellationToken,
    /// After a timeout, end the process (exit code 6) if the engine has not stopped within
    /// this grace period. Oxigraph checks cancellation when it reads the store, so a query
    /// busy joining in-memory tables (a cartesian product) can outlive its token; one-shot
    /// commands set this so `--timeout` always holds.
    pub hard_deadline: Option<Duration>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            union_default_graph: true,
            timeout: None,
            bindings: Vec::new(),
            cancel: CancellationToken::new(),
            hard_deadline: None,
        }
    }
}

/// A running query: its lazily evaluated results and the guard enforcing the timeout.
pub struct Execution {
    /// The results; errors surface while iterating.
    pub results: QueryResults<'static>,
    /// Tells a timeout from an interruption; keeps the watchdog alive while results stream.
    pub guard: Guard,
}

/// Keeps a query's watchdog running and classifies the errors met while iterating.
pub struct Guard {
    watchdog: Option<Watchdog>,
    timeout: Option<Duration>,
}

impl Guard {
    /// Maps an error met while iterating to timeout, interruption or evaluation failure.
    pub fn classify(&self, error: QueryEvaluationError) -> QueryError {
        classify(error, self.watchdog.as_ref(), self.timeout)
    }
}

fn classify(
    error: QueryEvaluationError,
    watchdog: Option<&Watchdog>,
    timeout: Option<Duration>,
) -> QueryError {
    match error {
        QueryEvaluationError::Cancelled => match (watchdog, timeout) {
            (Some(w), Some(t)) if w.fired() => QueryError::Timeout(t),
            _ => QueryError::Interrupted,
        },
        other => QueryError::Evaluation(other),
    }
}

/// What a query runs on.
#[derive(Clone, Copy)]
pub enum Target<'a> {
    /// The bundled graph in static memory (see [`crate::bundle`]); its default graph is the
    /// precomputed merge.
    Bundle,
    /// An Oxigraph store; its default graph is the union of its named graphs.
    Store(&'a Store),
}

/// Starts evaluating a parsed query on a store.
pub fn execute(store: &Store, query: Query, options: &RunOptions) -> Result<Execution, QueryError> {
    execute_on(Target::Store(store), query, options)
}

/// Starts evaluating a parsed query on the bundled graph or a store.
pub fn execute_on(
    target: Target<'_>,
    query: Query,
    options: &RunOptions,
) -> Result<Execution, QueryError> {
    let dataset = match &query {
        Query::Select { dataset, .. }
        | Query::Construct { dataset, .. }
        | Query::Describe { dataset, .. }
        | Query::Ask { dataset, .. } => dataset.as_ref().map(|d| d.default.len()),
    };
    let mut query = match (dataset, options.union_default_graph, target) {
        // FROM: the default graph is the merge of the graphs named.
        (Some(from), _, _) if from > 1 => merge::by_distinct(query),
        (None, true, Target::Store(store)) => match merge_order(store) {
            Merge::OneGraph => query,
            Merge::FirstGraph(first) => merge::by_first_graph(query, &first),
            Merge::Distinct => merge::by_distinct(query),
        },
        // The bundle's default graph is the merge already; one FROM graph is a set; without
        // the union the default graph is empty.
        _ => query,
    };
    plan::anchored_paths_first(crate::algebra::root_mut(&mut query));
    let mut prepared = SparqlEvaluator::new()
        .with_cancellation_token(options.cancel.clone())
        .for_query(query);
    if dataset.is_none() {
        match (options.union_default_graph, target) {
            (true, Target::Store(_)) => prepared.dataset_mut().set_default_graph_as_union(),
            // The bundle's own default graph already is the merge.
            (true, Target::Bundle) => {}
            (false, _) => prepared.dataset_mut().set_default_graph(Vec::new()),
        }
    }
    for (variable, term) in &options.bindings {
        prepared = prepared.substitute_variable(variable.clone(), term.clone());
    }
    let watchdog = options
        .timeout
        .map(|t| Watchdog::start(t, options.cancel.clone(), options.hard_deadline));
    let results = match target {
        Target::Store(store) => prepared.on_store(store).execute(),
        Target::Bundle => prepared
            .on_queryable_dataset(crate::bundle::Bundle)
            .execute(),
    }
    .map_err(|e| classify(e, watchdog.as_ref(), options.timeout))?;
    Ok(Execution {
        results,
        guard: Guard {
            watchdog,
            timeout: options.timeout,
        },
    })
}

/// How a store's union default graph gets merge semantics.
enum Merge {
    /// At most one named graph: already a set.
    OneGraph,
    /// Streaming, each triple from the first graph holding it, this graph leading the order:
    /// the first graph not from the bundle (users' data is where the rows are), else the
    /// first graph.
    FirstGraph(NamedNode),
    /// Blank-node graph names (which SPARQL cannot order) or triples in the store's own
    /// default graph (which `GRAPH ?g` does not see): DISTINCT around each pattern.
    Distinct,
}

fn merge_order(store: &Store) -> Merge {
    let mut graphs = Vec::new();
    for graph in store.named_graphs() {
        match graph {
            Ok(NamedOrBlankNode::NamedNode(graph)) => graphs.push(graph),
            _ => return Merge::Distinct,
        }
    }
    let default_graph = crate::store::has_default_graph_triples(store);
    match (graphs.len(), default_graph) {
        (0, _) | (1, false) => return Merge::OneGraph,
        (_, true) => return Merge::Distinct,
        _ => {}
    }
    graphs.sort();
    let first = graphs
        .iter()
        .position(|g| !g.as_str().starts_with(crate::prefixes::BASE))
        .unwrap_or(0);
    Merge::FirstGraph(graphs.swap_remove(first))
}

/// Gives the default graph the set semantics of an RDF merge by wrapping each basic graph
/// pattern and property path in DISTINCT: what a remote endpoint whose default graph is the
/// union of its named graphs needs (see [`merge`] for the streaming form local stores use).
pub fn with_set_semantics(query: Query) -> Query {
    merge::by_distinct(query)
}

/// Cancels a query when its time is up; stops quietly when dropped first.
struct Watchdog {
    fired: Arc<AtomicBool>,
    _stop: Sender<()>,
}

impl Watchdog {
    fn start(timeout: Duration, token: CancellationToken, hard_deadline: Option<Duration>) -> Self {
        let fired = Arc::new(AtomicBool::new(false));
        let (stop, stopped) = mpsc::channel::<()>();
        let flag = Arc::clone(&fired);
        thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(timeout) {
                flag.store(true, Ordering::SeqCst);
                token.cancel();
                if let Some(grace) = hard_deadline {
                    if let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(grace) {
                        eprintln!("digicoop: {}", QueryError::Timeout(timeout));
                        std::process::exit(crate::exit::Exit::Timeout.code().into());
                    }
                }
            }
        });
        Self { fired, _stop: stop }
    }

    fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }
}

/// The query form, for choosing output formats and exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// SELECT: a table of solutions.
    Select,
    /// ASK: a boolean.
    Ask,
    /// CONSTRUCT or DESCRIBE: a graph.
    Graph,
}

/// The form of a parsed query.
pub fn form(query: &Query) -> Form {
    match query {
        Query::Select { .. } => Form::Select,
        Query::Ask { .. } => Form::Ask,
        Query::Construct { .. } | Query::Describe { .. } => Form::Graph,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::io::RdfFormat;
    use oxigraph::model::{NamedNode, NamedNodeRef};

    fn store() -> Store {
        let store = Store::new().unwrap();
        let text = "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
            <http://example.org/s0> rdfs:label \"s0\"@en .
            <http://example.org/s1> rdfs:label \"s1\"@en .
            <http://example.org/s2> rdfs:label \"s2\"@en .";
        let g = NamedNodeRef::new_unchecked("http://example.org/g");
        crate::store::load_text(&store, "t.ttl", RdfFormat::Turtle, text.as_bytes(), g).unwrap();
        store
    }

    fn count(execution: Execution) -> usize {
        match execution.results {
            QueryResults::Solutions(s) => s.inspect(|r| assert!(r.is_ok())).count(),
            _ => panic!("not a SELECT"),
        }
    }

    #[test]
    fn predeclared_prefixes_and_union_default_graph() {
        let q = parse("SELECT ?s WHERE { ?s rdfs:label ?l }").unwrap();
        assert_eq!(form(&q), Form::Select);
        assert_eq!(
            count(execute(&store(), q, &RunOptions::default()).unwrap()),
            3
        );
        let q = parse("SELECT ?s WHERE { ?s rdfs:label ?l }").unwrap();
        let no_union = RunOptions {
            union_default_graph: false,
            ..RunOptions::default()
        };
        assert_eq!(count(execute(&store(), q, &no_union).unwrap()), 0);
    }

    #[test]
    fn the_default_graph_is_a_set_even_when_graphs_repeat_triples() {
        let store = store();
        let text =
            "<http://example.org/s1> <http://www.w3.org/2000/01/rdf-schema#label> \"s1\"@en .";
        let g2 = NamedNodeRef::new_unchecked("http://example.org/g2");
        crate::store::load_text(&store, "t.nt", RdfFormat::NTriples, text.as_bytes(), g2).unwrap();
        let q = parse("SELECT ?s WHERE { ?s rdfs:label ?l }").unwrap();
        assert_eq!(
            count(execute(&store, q, &RunOptions::default()).unwrap()),
            3
        );
        let q = parse("SELECT ?g WHERE { GRAPH ?g { ?s rdfs:label ?l } }").unwrap();
        assert_eq!(
            count(execute(&store, q, &RunOptions::default()).unwrap()),
            4,
            "named graphs keep their own copies"
        );
    }

    #[test]
    fn syntax_error_points_at_line_and_column() {
        let err = parse("SELECT ?s\nWHERE { ?s ?p }").unwrap_err();
        let QueryError::Syntax(e) = err else {
            panic!("expected a syntax error")
        };
        assert_eq!(e.line, 2);
        assert!(e.column > 1);
        assert_eq!(e.source_line, "WHERE { ?s ?p }");
        let shown = e.to_string();
        assert!(shown.lines().last().unwrap().trim_end().ends_with('^'));
        let QueryError::Syntax(e) = parse("SELECT ?x WHERE { ?x a foaf:Person").unwrap_err() else {
            panic!("expected a syntax error")
        };
        assert!(
            e.message
                .starts_with("unexpected end of query; expected one of"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("\"}\"") && !e.message.contains("'A'"),
            "{}",
            e.message
        );
        // An unknown prefix: the caret goes under the start of the name, with a suggestion.
        let QueryError::Syntax(e) = parse("SELECT * WHERE { ?s a foaff:Person }").unwrap_err()
        else {
            panic!("expected a syntax error")
        };
        assert_eq!((e.line, e.column), (1, 23));
        assert!(e.message.contains("did you mean 'foaf:'?"), "{}", e.message);
        assert!(e
            .to_string()
            .ends_with("\n  {}^".replace("{}", &" ".repeat(22)).as_str()));
    }

    #[test]
    fn bindings_apply_inside_filters() {
        let q = parse("SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(?s = ?s) }").unwrap();
        let options = RunOptions {
            bindings: vec![(
                Variable::new("s").unwrap(),
                NamedNode::new("http://example.org/s1").unwrap().into(),
            )],
            ..RunOptions::default()
        };
        assert_eq!(count(execute(&store(), q, &options).unwrap()), 1);
    }

    #[test]
    fn a_cancelled_query_reports_interruption() {
        let q = parse("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }").unwrap();
        let options = RunOptions::default();
        options.cancel.cancel();
        let execution = execute(&store(), q, &options);
        let error = match execution {
            Err(e) => e,
            Ok(ex) => match ex.results {
                QueryResults::Solutions(mut s) => {
                    let e = s.find_map(|r| r.err()).expect("an error");
                    classify(e, None, None)
                }
                _ => unreachable!(),
            },
        };
        assert!(matches!(error, QueryError::Interrupted));
    }
}
