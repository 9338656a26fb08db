//! A session: the store, the saved-query catalog and the output settings, shared by the
//! one-shot command line and the interactive shell so both run a query the same way.

use crate::catalog::Catalog;
use crate::disk::DiskStore;
use crate::error::Error;
use crate::format::{self, Format, Row, TableStyle, WriteError};
use crate::load::{self, LoadOptions};
use crate::query::{self, Execution, Form, QueryError, RunOptions, Target};
use crate::remote::{Endpoint, Response};
use crate::sources;
use crate::store::{self, LoadSummary};
use oxigraph::model::{Term, Variable};
use oxigraph::sparql::{CancellationToken, QueryResults};
use oxigraph::store::Store;
use spargebra::Query;
use std::io::Write;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// What a finished query produced, for exit codes and row counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A SELECT that printed this many rows.
    Rows(usize),
    /// An ASK and its answer.
    Boolean(bool),
    /// A CONSTRUCT/DESCRIBE that printed this many triples.
    Triples(usize),
}

/// Settings that shape how queries run and print.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Output format; `None` picks a table for SELECT and Turtle for graphs.
    pub format: Option<Format>,
    /// Table look: labels, width, row limit, extra prefixes.
    pub style: TableStyle,
    /// Use the union of named graphs as the default graph.
    pub union_default_graph: bool,
    /// Add a `sources` column citing the named graphs each row's triples come from.
    pub sources: bool,
    /// Stop queries after this long.
    pub timeout: Option<Duration>,
    /// End the process if a timed-out query does not stop within this grace period
    /// (one-shot commands only; see `query::RunOptions::hard_deadline`).
    pub hard_deadline: Option<Duration>,
    /// Show a progress bar on standard error while a long load runs (if it is a terminal).
    pub progress: bool,
    /// Send queries to this SPARQL endpoint instead of running them here (`--endpoint`).
    pub endpoint: Option<Endpoint>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            format: None,
            style: TableStyle::default(),
            union_default_graph: true,
            sources: false,
            timeout: None,
            hard_deadline: None,
            progress: false,
            endpoint: None,
        }
    }
}

/// The session's Oxigraph store, built from the bundle only when first needed.
///
/// Queries on the bundled graph alone run on [`crate::bundle`] without any store; the user's
/// files, `.load`, export, validation and labels need a real store, and dereferencing this
/// builds it (once).
#[derive(Default)]
pub struct LazyStore {
    cell: OnceLock<Store>,
}

impl LazyStore {
    /// Whether the store exists yet.
    pub fn is_built(&self) -> bool {
        self.cell.get().is_some()
    }

    /// Builds the store now, reporting any error (dereferencing cannot).
    pub fn build(&self) -> Result<&Store, Error> {
        if let Some(store) = self.cell.get() {
            return Ok(store);
        }
        let store = store::bundled_store()?;
        Ok(self.cell.get_or_init(|| store))
    }

    /// A store that is already built (an on-disk one, say).
    pub fn with_store(store: Store) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(store);
        LazyStore { cell }
    }

    /// The store, built if needed.
    pub fn into_store(self) -> Result<Store, Error> {
        self.build()?;
        Ok(self.cell.into_inner().expect("built just above"))
    }
}

impl Deref for LazyStore {
    type Target = Store;

    fn deref(&self) -> &Store {
        // Building an in-memory store from static arrays fails only if memory does.
        self.build().expect("the bundled store builds in memory")
    }
}

/// Another handle on the same store (an Oxigraph store is shared, never copied), or a
/// still-unbuilt one; the shell runs each query on a worker thread over such a snapshot.
impl Clone for LazyStore {
    fn clone(&self) -> Self {
        match self.cell.get() {
            Some(store) => LazyStore::with_store(store.clone()),
            None => LazyStore::default(),
        }
    }
}

/// A store, a catalog and settings.
pub struct Session {
    /// The store queries run on once user data is loaded (built lazily; see [`LazyStore`]).
    pub store: LazyStore,
    /// Saved queries.
    pub catalog: Catalog,
    /// Output and evaluation settings.
    pub settings: Settings,
    /// The on-disk store (`--store`) that [`Self::store`] reads, with its lock; `None` for
    /// the in-memory store.
    pub disk: Option<DiskStore>,
    /// A failed load ends the session (one-shot commands, a script on standard input), so
    /// in-memory loads need not be undoable (see [`LoadOptions::disposable`]). Off in the
    /// interactive shell, where a failed `.load` must leave the store as it was.
    pub disposable: bool,
}

impl Session {
    /// A session on the bundled graph plus the user's files and saved-query folders.
    pub fn open(data: &[PathBuf], query_dirs: &[PathBuf]) -> Result<Self, Error> {
        let store = LazyStore::default();
        let mut catalog = Catalog::bundled()?;
        if let Some(dir) = crate::catalog::user_dir().filter(|d| d.is_dir()) {
            catalog.add_dir(&dir)?;
        }
        for dir in query_dirs {
            catalog.add_dir(dir)?;
        }
        let mut session = Session {
            store,
            catalog,
            settings: Settings::default(),
            disk: None,
            disposable: false,
        };
        for file in data {
            session.load_at_start(file)?;
        }
        Ok(session)
    }

    /// Switches the session to the on-disk store in `dir` (see [`crate::disk`]), creating it
    /// with the bundled graph if `create` and there is none yet.
    pub fn use_disk(&mut self, dir: &Path, create: bool) -> Result<(), Error> {
        let disk = DiskStore::open(dir, create)?;
        self.store = LazyStore::with_store(disk.store().clone());
        self.disk = Some(disk);
        Ok(())
    }

    /// Loads a user's file atomically into its own graph (or `graph`); Ctrl-C stops it and
    /// leaves the store as it was. On an on-disk store it is written to disk, for good.
    pub fn load(&mut self, path: &Path, graph: Option<&str>) -> Result<LoadSummary, Error> {
        let mut summaries = self.load_all(&[path], graph)?;
        Ok(summaries.pop().expect("one summary per file"))
    }

    /// Loads a file into its own graph while the session is set up, where an error ends it:
    /// the load need not be undoable (see [`Self::disposable`]).
    pub fn load_at_start(&mut self, path: &Path) -> Result<LoadSummary, Error> {
        let was = std::mem::replace(&mut self.disposable, true);
        let loaded = self.load(path, None);
        self.disposable = was;
        loaded
    }

    /// Loads several files, each into its own graph (or all into `graph`). In memory each
    /// file is all or nothing; on disk the whole set is (one bulk load, see
    /// [`load::bulk_load_files`]).
    pub fn load_all(
        &mut self,
        paths: &[&Path],
        graph: Option<&str>,
    ) -> Result<Vec<LoadSummary>, Error> {
        let scope = crate::interrupt::query_token();
        let mut options = LoadOptions {
            progress: self.settings.progress,
            cancel: Some(scope.token.clone()),
            bulk: false,
            disposable: self.disposable,
        };
        if let Some(disk) = &mut self.disk {
            options.bulk = true;
            let loaded = disk.write(|store| load::bulk_load_files(store, paths, graph, &options));
            // Read on from the reopened store, whether or not the load went through.
            self.store = LazyStore::with_store(disk.store().clone());
            return Ok(loaded?);
        }
        let store = self.store.build()?;
        let mut summaries = Vec::new();
        for path in paths {
            summaries.push(load::load_file(store, path, graph, &options)?);
        }
        Ok(summaries)
    }

    /// Where queries run: the static bundle until a store exists, then the store.
    pub fn target(&self) -> Target<'_> {
        if self.store.is_built() {
            Target::Store(&self.store)
        } else {
            Target::Bundle
        }
    }

    /// Prefixes for parsing: the predeclared ones plus any the user added.
    pub fn prefixes(&self) -> Vec<(&str, &str)> {
        crate::prefixes::PREFIXES
            .iter()
            .copied()
            .chain(
                self.settings
                    .style
                    .extra_prefixes
                    .iter()
                    .map(|(p, n)| (p.as_str(), n.as_str())),
            )
            .collect()
    }

    /// Parses a query with the session's prefixes.
    pub fn parse(&self, text: &str) -> Result<Query, Error> {
        Ok(query::parse_with(text, self.prefixes())?)
    }

    /// Runs a query text and writes its results.
    pub fn run_text(
        &self,
        text: &str,
        out: &mut dyn Write,
        cancel: &CancellationToken,
    ) -> Result<Outcome, Error> {
        let parsed = self.parse(text)?;
        self.run_query(parsed, Vec::new(), out, cancel)
    }

    /// Runs a saved query with `name=value` parameters and writes its results.
    pub fn run_saved(
        &self,
        name: &str,
        args: &[(String, String)],
        out: &mut dyn Write,
        cancel: &CancellationToken,
    ) -> Result<Outcome, Error> {
        let saved = self.catalog.get(name)?;
        let bindings = saved.bind(args)?;
        let parsed = self.parse(&saved.text)?;
        self.run_query(parsed, bindings, out, cancel)
    }

    /// Runs a parsed query with bindings and writes its results in the session's format.
    pub fn run_query(
        &self,
        parsed: Query,
        bindings: Vec<(Variable, Term)>,
        out: &mut dyn Write,
        cancel: &CancellationToken,
    ) -> Result<Outcome, Error> {
        let form = query::form(&parsed);
        let format = self.format_for(form)?;
        if let Some(endpoint) = &self.settings.endpoint {
            return self.run_remote(endpoint, parsed, &bindings, format, out, cancel);
        }
        let options = RunOptions {
            union_default_graph: self.settings.union_default_graph,
            timeout: self.settings.timeout,
            bindings,
            cancel: cancel.clone(),
            hard_deadline: self.settings.hard_deadline,
        };
        if self.settings.sources {
            let (variables, rows) = sources::run_with_sources(self.target(), parsed, &options)?;
            let rows = rows.into_iter().map(Ok::<Row, QueryError>);
            let count = self.write_rows(out, format, &variables, rows)?;
            return Ok(Outcome::Rows(count));
        }
        let execution = query::execute_on(self.target(), parsed, &options)?;
        self.write_execution(execution, format, out)
    }

    fn write_execution(
        &self,
        execution: Execution,
        format: Format,
        out: &mut dyn Write,
    ) -> Result<Outcome, Error> {
        let Execution { results, guard } = execution;
        match results {
            QueryResults::Solutions(solutions) => {
                let variables = solutions.variables().to_vec();
                let rows = solutions.map(|r| {
                    r.map(|s| s.values().to_vec())
                        .map_err(|e| guard.classify(e))
                });
                Ok(Outcome::Rows(
                    self.write_rows(out, format, &variables, rows)?,
                ))
            }
            QueryResults::Boolean(value) => {
                format::write_boolean(out, format, value)?;
                Ok(Outcome::Boolean(value))
            }
            QueryResults::Graph(triples) => {
                let triples = triples.map(|t| t.map_err(|e| guard.classify(e)));
                let count = format::write_graph(out, format, triples).map_err(write_error)?;
                Ok(Outcome::Triples(count))
            }
        }
    }

    /// Sends a query to the endpoint and writes its answer as local results are written.
    fn run_remote(
        &self,
        endpoint: &Endpoint,
        parsed: Query,
        bindings: &[(Variable, Term)],
        format: Format,
        out: &mut dyn Write,
        cancel: &CancellationToken,
    ) -> Result<Outcome, Error> {
        let local_only = [
            (self.settings.sources, "--sources (.sources)"),
            (self.settings.style.labels, "--labels (.labels)"),
            (!self.settings.union_default_graph, "--no-union"),
        ];
        if let Some((_, option)) = local_only.iter().find(|(set, _)| *set) {
            return Err(Error::Usage(format!(
                "{option} works on the embedded graph only; with --endpoint the server's own dataset answers"
            )));
        }
        let form = query::form(&parsed);
        let text = endpoint.prepare(parsed, bindings)?;
        match endpoint.send(&text, form, self.settings.timeout, cancel)? {
            Response::Solutions { variables, rows } => Ok(Outcome::Rows(
                self.write_rows(out, format, &variables, rows)?,
            )),
            Response::Boolean(value) => {
                format::write_boolean(out, format, value)?;
                Ok(Outcome::Boolean(value))
            }
            Response::Graph(triples) => {
                let count = format::write_graph(out, format, triples).map_err(write_error)?;
                Ok(Outcome::Triples(count))
            }
        }
    }

    fn write_rows<E: Into<Error>>(
        &self,
        out: &mut dyn Write,
        format: Format,
        variables: &[Variable],
        rows: impl Iterator<Item = Result<Row, E>>,
    ) -> Result<usize, Error> {
        format::write_solutions(
            out,
            format,
            variables,
            rows,
            &self.settings.style,
            Some(self.target()),
        )
        .map_err(write_error)
    }

    /// The output format for a query form, refusing combinations that cannot work.
    pub fn format_for(&self, form: Form) -> Result<Format, Error> {
        match (form, self.settings.format) {
            (Form::Select, None) | (Form::Ask, None) => Ok(Format::Table),
            (Form::Graph, None) => Ok(Format::Turtle),
            (Form::Select, Some(f)) if !f.holds_solutions() => Err(Error::Usage(format!(
                "{f:?} cannot hold SELECT results; use table, csv, tsv, json, xml or markdown"
            ))),
            (Form::Graph, Some(f)) if f.rdf_format().is_none() => Err(Error::Usage(format!(
                "{f:?} cannot hold a graph; use turtle, trig, ntriples, nquads, rdfxml or jsonld"
            ))),
            (_, Some(f)) => Ok(f),
        }
    }
}

fn write_error<E: Into<Error>>(error: WriteError<E>) -> Error {
    match error {
        WriteError::Io(e) => Error::Io(e),
        WriteError::Source(e) => e.into(),
    }
}
