//! The commands: each turns checked arguments into library calls and writes to a `Write`.

use crate::catalog::{parse_iri, CatalogError};
use crate::cli::{
    Cli, Command, ExportArgs, Global, ListArgs, LoadArgs, OutputArgs, QueryArgs, RunArgs,
    ValidateArgs,
};
use crate::error::Error;
use crate::exit::Exit;
use crate::export::{self, Selection};
use crate::format::Format;
use crate::interrupt;
use crate::load;
use crate::remote::Endpoint;
use crate::repl::{self, ReplOptions};
use crate::session::{Outcome, Session};
use crate::store::{self, ONTOLOGY};
use crate::validate;
use clap::{CommandFactory, Parser};
use comfy_table::{presets, ContentArrangement, Table};
use oxigraph::store::Store;
use std::fs;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// The top-level entry point: parses arguments, runs, reports errors, returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = run(cli, &mut out).and_then(|exit| {
        out.flush()?;
        Ok(exit)
    });
    match result {
        Ok(exit) => exit.into(),
        // A closed pipe (`digicoop ... | head`) is a normal way for a reader to stop.
        Err(e) if e.is_broken_pipe() => Exit::Success.into(),
        Err(e) => {
            let _ = out.flush();
            eprintln!("digicoop: {e}");
            e.exit().into()
        }
    }
}

/// Runs one parsed command line.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<Exit, Error> {
    interrupt::install();
    let global = cli.global;
    match cli.command {
        Some(Command::Query(args)) => query(&global, args, out),
        Some(Command::Run(args)) => run_saved(&global, args, out),
        Some(Command::List(args)) => list(&global, args, out),
        Some(Command::Load(args)) => load_into_store(&global, args),
        Some(Command::Export(args)) => {
            local_only(&global, "export")?;
            export(&global, args, out)
        }
        Some(Command::Validate(args)) => {
            local_only(&global, "validate")?;
            validate(&global, args, out)
        }
        Some(Command::Graphs(args)) => graphs(&global, args, out),
        Some(Command::Repl(args)) => {
            repl::run(open_shell(&global)?, ReplOptions::from_args(&args, true))
        }
        Some(Command::Completions { shell }) => {
            clap_complete::generate(shell, &mut Cli::command(), "digicoop", out);
            Ok(Exit::Success)
        }
        Some(Command::Man) => {
            clap_mangen::Man::new(Cli::command()).render(out)?;
            Ok(Exit::Success)
        }
        Some(Command::Generate(args)) => generate(args, out),
        None => {
            let session = open_shell(&global)?;
            let interactive = io::stdin().is_terminal() && io::stdout().is_terminal();
            repl::run(
                session,
                ReplOptions::from_args(&Default::default(), interactive),
            )
        }
    }
}

/// Opens a session with the global options applied and the `--data` files loaded (with a
/// progress bar and a summary line on standard error unless `--quiet`).
pub fn open(global: &Global) -> Result<Session, Error> {
    open_store(global, false)
}

/// [`open`], creating the `--store` if `create` and it does not exist yet.
fn open_store(global: &Global, create: bool) -> Result<Session, Error> {
    let mut session = Session::open(&[], &global.queries)?;
    if let Some(dir) = &global.store {
        if !global.data.is_empty() {
            return Err(Error::Usage(format!(
                "--data adds files to the in-memory graph of one run; to add them to the store, run `digicoop load --store {} FILE...`",
                dir.display()
            )));
        }
        session.use_disk(dir, create)?;
    }
    if let Some(url) = &global.endpoint {
        if !global.data.is_empty() {
            return Err(Error::Usage(
                "--data loads files into the embedded graph, which --endpoint does not query; load them into the endpoint's server instead".into(),
            ));
        }
        let mut endpoint = Endpoint::new(url)?;
        endpoint.allow_service = global.allow_service;
        session.settings.endpoint = Some(endpoint);
    }
    session.settings.progress = !global.quiet;
    for file in &global.data {
        let summary = session.load_at_start(file)?;
        if !global.quiet {
            eprintln!("{summary}");
        }
    }
    session.settings.union_default_graph = !global.no_union;
    session.settings.timeout = match global.timeout {
        Some(t) if t.is_finite() && t > 0.0 => Some(Duration::from_secs_f64(t)),
        Some(t) => {
            return Err(Error::Usage(format!(
                "--timeout must be a positive number of seconds, not {t}"
            )))
        }
        None => None,
    };
    session.settings.hard_deadline = Some(Duration::from_secs(1));
    Ok(session)
}

/// Refuses `--endpoint` on a command that reads the embedded graph itself.
fn local_only(global: &Global, command: &str) -> Result<(), Error> {
    match global.endpoint {
        Some(_) => Err(Error::Usage(format!(
            "`digicoop {command}` works on the embedded graph; --endpoint applies to query, run, graphs and the shell"
        ))),
        None => Ok(()),
    }
}

/// Opens a session for the shell, where a query must never end the process.
fn open_shell(global: &Global) -> Result<Session, Error> {
    let mut session = open_store(global, true)?;
    session.settings.hard_deadline = None;
    Ok(session)
}

fn apply_output(session: &mut Session, output: &OutputArgs) {
    let piped = !io::stdout().is_terminal();
    session.settings.format = output
        .format
        .or(if piped { Some(Format::Tsv) } else { None });
    session.settings.style.labels = output.labels;
    session.settings.style.max_rows = output.max_rows;
    session.settings.sources = output.sources;
}

fn outcome_exit(outcome: Outcome) -> Exit {
    match outcome {
        Outcome::Boolean(false) => Exit::AskFalse,
        _ => Exit::Success,
    }
}

fn query(global: &Global, args: QueryArgs, out: &mut dyn Write) -> Result<Exit, Error> {
    let text = match (&args.query, &args.file) {
        (_, Some(path)) => fs::read_to_string(path)
            .map_err(|e| Error::Usage(format!("cannot read {}: {e}", path.display())))?,
        (Some(q), None) if q == "-" => {
            let mut text = String::new();
            io::stdin().read_to_string(&mut text)?;
            text
        }
        (Some(q), None) => q.clone(),
        (None, None) => {
            return Err(Error::Usage(
                "give a query, -f FILE, or - for standard input".into(),
            ))
        }
    };
    let mut session = open(global)?;
    apply_output(&mut session, &args.output);
    let parsed = session.parse(&text)?;
    // A graph result piped without --format stays Turtle rather than TSV.
    if args.output.format.is_none() && crate::query::form(&parsed) != crate::query::Form::Select {
        session.settings.format = None;
    }
    let scope = interrupt::query_token();
    let outcome = session.run_query(parsed, Vec::new(), out, &scope.token)?;
    Ok(outcome_exit(outcome))
}

fn run_saved(global: &Global, args: RunArgs, out: &mut dyn Write) -> Result<Exit, Error> {
    let mut session = open(global)?;
    if args.show {
        out.write_all(session.catalog.get(&args.name)?.text.as_bytes())?;
        return Ok(Exit::Success);
    }
    apply_output(&mut session, &args.output);
    let saved = session.catalog.get(&args.name)?;
    let form = crate::query::form(&saved.parse_query()?);
    if args.output.format.is_none() && form != crate::query::Form::Select {
        session.settings.format = None;
    }
    let scope = interrupt::query_token();
    let outcome = session.run_saved(&args.name, &args.params, out, &scope.token)?;
    Ok(outcome_exit(outcome))
}

fn list(global: &Global, args: ListArgs, out: &mut dyn Write) -> Result<Exit, Error> {
    let session = open(global)?;
    if args.json {
        let entries: Vec<serde_json::Value> = session
            .catalog
            .iter()
            .map(|q| {
                serde_json::json!({
                    "name": q.name, "title": q.title, "description": q.description, "origin": q.origin,
                    "parameters": q.params.iter().map(|p| serde_json::json!({
                        "name": p.name, "type": p.kind.to_string(), "default": p.default, "description": p.description,
                    })).collect::<Vec<_>>(),
                    "examples": q.examples.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>(),
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &entries).map_err(io::Error::other)?;
        writeln!(out)?;
        return Ok(Exit::Success);
    }
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    table.set_header(["name", "title", "parameters"]);
    for q in session.catalog.iter() {
        let params = q
            .params
            .iter()
            .map(|p| match &p.default {
                Some(d) => format!("{}={} ({}, default {d})", p.name, p.kind, p.kind),
                None => format!("{}=<{}>", p.name, p.kind),
            })
            .collect::<Vec<_>>()
            .join(" ");
        table.add_row([q.name.as_str(), q.title.as_str(), params.as_str()]);
    }
    writeln!(out, "{table}")?;
    writeln!(
        out,
        "({} saved queries; run one with `digicoop run NAME`)",
        session.catalog.len()
    )?;
    Ok(Exit::Success)
}

fn export(global: &Global, args: ExportArgs, out: &mut dyn Write) -> Result<Exit, Error> {
    let session = open(global)?;
    let selection = match (&args.graph, args.ontology, args.data_only) {
        (Some(g), _, _) => Selection::Graph(
            parse_iri(g)
                .map_err(|m| {
                    Error::Catalog(CatalogError::BadParam {
                        name: "graph".into(),
                        message: m,
                    })
                })?
                .into_string(),
        ),
        (None, true, _) => Selection::Ontology,
        (None, false, true) => Selection::Data,
        _ => Selection::All,
    };
    let format = match (args.canonical, args.format, &args.output) {
        (true, Some(f), _) if f != Format::Nquads => {
            return Err(Error::Usage(
                "--canonical writes N-Quads; drop --format or use --format nquads".into(),
            ))
        }
        (true, _, _) => Format::Nquads,
        (false, Some(f), _) => f,
        (false, None, Some(path)) => format_from_path(path).unwrap_or(Format::Turtle),
        (false, None, None) => Format::Turtle,
    };
    let quads = export::select_quads(&session.store, &selection)?;
    match &args.output {
        None => export::write(out, format, quads, args.canonical)?,
        Some(path) => {
            // Write beside the target, then rename: a failed export never leaves half a file.
            let tmp = path.with_extension("digicoop-tmp");
            let mut file = BufWriter::new(fs::File::create(&tmp)?);
            export::write(&mut file, format, quads, args.canonical)?;
            file.flush()?;
            drop(file);
            fs::rename(&tmp, path)?;
        }
    }
    Ok(Exit::Success)
}

fn format_from_path(path: &Path) -> Option<Format> {
    Some(match store::format_of(path)? {
        oxigraph::io::RdfFormat::TriG => Format::Trig,
        oxigraph::io::RdfFormat::NTriples => Format::Ntriples,
        oxigraph::io::RdfFormat::NQuads => Format::Nquads,
        oxigraph::io::RdfFormat::RdfXml => Format::Rdfxml,
        oxigraph::io::RdfFormat::JsonLd { .. } => Format::Jsonld,
        _ => Format::Turtle,
    })
}

fn validate(global: &Global, args: ValidateArgs, out: &mut dyn Write) -> Result<Exit, Error> {
    let shapes_text = match &args.shapes {
        Some(path) => fs::read_to_string(path)
            .map_err(|e| Error::Usage(format!("cannot read {}: {e}", path.display())))?,
        None => store::SHAPES.text.to_owned(),
    };
    let shapes_name = args
        .shapes
        .as_ref()
        .map_or(store::SHAPES.path.to_owned(), |p| p.display().to_string());
    let shapes = validate::parse_shapes(&shapes_name, &shapes_text)?;
    if global.store.is_some() && !args.files.is_empty() {
        return Err(Error::Usage(
            "`validate FILE...` checks the files with the ontology alone; drop --store, or drop the files to validate the store".into(),
        ));
    }
    // The session holds an on-disk store's lock: it lives as long as the validation.
    let session;
    let store = if args.files.is_empty() {
        session = open(global)?;
        session.store.build()?.clone()
    } else {
        let store = Store::new().map_err(store::StoreError::from)?;
        let ontology_graph = oxigraph::model::NamedNodeRef::new_unchecked(store::ONTOLOGY_GRAPH);
        store::load_text(
            &store,
            ONTOLOGY.path,
            oxigraph::io::RdfFormat::Turtle,
            ONTOLOGY.text.as_bytes(),
            ontology_graph,
        )?;
        for file in args.files.iter().chain(&global.data) {
            let scope = interrupt::query_token();
            let options = load::LoadOptions {
                progress: !global.quiet,
                cancel: Some(scope.token.clone()),
                bulk: false,
                // An error ends the command, and the store with it.
                disposable: true,
            };
            let summary = load::load_file(&store, file, None, &options)?;
            if !global.quiet {
                eprintln!("{summary}");
            }
        }
        store
    };
    let report = validate::validate(&store, &shapes)?;
    writeln!(out, "{report}")?;
    if report.conforms() {
        Ok(Exit::Success)
    } else {
        Err(validate::ValidateError::Failed(report.violations.len()).into())
    }
}

/// `digicoop load`: files into the on-disk store, in one atomic bulk load.
fn load_into_store(global: &Global, args: LoadArgs) -> Result<Exit, Error> {
    if global.store.is_none() {
        return Err(Error::Usage(
            "`digicoop load` writes into an on-disk store: give --store DIR (to query files for one run only, use --data FILE)".into(),
        ));
    }
    let mut session = open_store(global, true)?;
    session.settings.progress = !global.quiet;
    let paths: Vec<&Path> = args.files.iter().map(PathBuf::as_path).collect();
    let summaries = session.load_all(&paths, args.graph.as_deref())?;
    if !global.quiet {
        for summary in &summaries {
            eprintln!("{summary}");
        }
    }
    Ok(Exit::Success)
}

fn graphs(global: &Global, args: OutputArgs, out: &mut dyn Write) -> Result<Exit, Error> {
    let mut session = open(global)?;
    apply_output(&mut session, &args);
    let scope = interrupt::query_token();
    let outcome = session.run_text(GRAPHS_QUERY, out, &scope.token)?;
    Ok(outcome_exit(outcome))
}

/// Named graphs with the document each derives from and their size (used by `graphs` and `.graphs`).
pub const GRAPHS_QUERY: &str = "SELECT ?graph ?source ?triples WHERE {
  { SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph }
  OPTIONAL { GRAPH graph:sources { ?graph prov:wasDerivedFrom ?source } FILTER NOT EXISTS { GRAPH graph:sources { ?graph prov:wasDerivedFrom ?other FILTER(?other != ?source) } } }
} ORDER BY ?graph";

fn generate(args: crate::cli::GenerateArgs, out: &mut dyn Write) -> Result<Exit, Error> {
    let spec = crate::generate::Spec {
        triples: args.triples,
        seed: args.seed,
        format: args.format,
    };
    match &args.output {
        Some(path) => crate::generate::generate_to_file(&spec, path)?,
        None => crate::generate::generate(&spec, BufWriter::new(out))?,
    }
    Ok(Exit::Success)
}
