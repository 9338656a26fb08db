//! Command-line definitions (clap derive). Doc comments are the help text.

use crate::format::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  digicoop run roadmap-to-gdc                     the flagship saved query
  digicoop list                                   every saved query and its parameters
  digicoop run describe --param entity=body:hlpdc
  digicoop query 'SELECT ?p ?name { ?p a foaf:Person ; foaf:name ?name } ORDER BY ?name'
  digicoop query --sources 'SELECT ?date { milestone:digital-cooperation-agenda-envoy-on-technology dcterms:date ?date }'
  digicoop export --format trig -o digicoop.trig
  digicoop validate
  digicoop --endpoint http://localhost:8890/sparql run documents   the same, on a SPARQL server
  digicoop                                        the interactive SPARQL shell";

/// digicoop: query the UN digital-cooperation agenda as a knowledge graph.
///
/// Five source documents (the High-level Panel on Digital Cooperation's fact sheet and
/// first-meeting summary, an STI Forum concept note, CSTD 2021 slides and a 2024 Global
/// Digital Compact presentation) are encoded as RDF, one named graph each, and embedded in
/// this binary. Query them with SPARQL 1.1, run saved queries, export, and validate.
#[derive(Debug, Parser)]
#[command(name = "digicoop", version, after_help = after_help(), after_long_help = after_help())]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: Global,
    /// What to do; without one, the interactive shell (or a script from standard input).
    #[command(subcommand)]
    pub command: Option<Command>,
}

fn after_help() -> String {
    format!(
        "{EXAMPLES}\n\nExit codes:\n{}\n\nOutput: SELECT prints a table on a terminal and TSV when standard output is a pipe or file.",
        crate::exit::Exit::table()
    )
}

/// Options shared by every command.
#[derive(Debug, Args, Clone, Default)]
pub struct Global {
    /// Also load these RDF files (.ttl .trig .nt .nq .rdf .owl .jsonld, optionally .gz), each
    /// into its own named graph (file:///absolute/path) unless the file names its own graphs.
    /// Repeat it for several files: `--data a.ttl --data b.nt.gz`.
    #[arg(long = "data", value_name = "FILE", global = true, action = clap::ArgAction::Append)]
    pub data: Vec<PathBuf>,
    /// Also read saved queries (*.rq) from this folder; a query there replaces a bundled one
    /// of the same name.
    #[arg(long = "queries", value_name = "DIR", global = true)]
    pub queries: Vec<PathBuf>,
    /// Stop any query that runs longer than this many seconds (exit code 6).
    #[arg(long, value_name = "SECONDS", global = true)]
    pub timeout: Option<f64>,
    /// Do not use the union of all named graphs as the default graph.
    #[arg(long, global = true)]
    pub no_union: bool,
    /// Print no progress bar and no summary while loading --data files.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// Send queries (query, run, graphs, the shell) to this SPARQL 1.1 Protocol endpoint instead of
    /// the embedded graph, e.g. http://localhost:8890/sparql. Credentials come from the
    /// environment only: DIGICOOP_ENDPOINT_USER and DIGICOOP_ENDPOINT_PASSWORD (HTTP Basic)
    /// or DIGICOOP_ENDPOINT_TOKEN (Bearer). Failures exit with code 7.
    #[arg(long, value_name = "URL", global = true)]
    pub endpoint: Option<String>,
    /// Work on the on-disk store in this directory instead of in memory: it starts with the
    /// bundled graph and keeps what `digicoop load` adds. Commands that read share it with
    /// other processes; a load needs it to itself (exit code 8 if in use). The shell creates
    /// it if missing. Needs a build with `--features rocksdb`.
    #[arg(long, value_name = "DIR", global = true, conflicts_with = "endpoint")]
    pub store: Option<PathBuf>,
    /// Let queries sent to --endpoint use SERVICE (federation with other servers).
    #[arg(long, global = true, requires = "endpoint")]
    pub allow_service: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE).
    ///
    /// Well-known prefixes (rdf rdfs owl xsd skos org foaf schema dcterms bibo prov sssom)
    /// and the project's own (dco: area: objective: person: body: doc: graph: ...) are
    /// predeclared. ASK exits 0 for true and 1 for false.
    Query(QueryArgs),
    /// Run a saved query by name.
    Run(RunArgs),
    /// List the saved queries with their parameters.
    List(ListArgs),
    /// Load RDF files into an on-disk store (--store DIR), all or nothing.
    Load(LoadArgs),
    /// Export the graph in an RDF format, deterministically (sorted, only used prefixes).
    Export(ExportArgs),
    /// Validate the bundled data, or your own files with the ontology, against the SHACL shapes.
    Validate(ValidateArgs),
    /// List the named graphs with their source documents and sizes.
    Graphs(OutputArgs),
    /// Open the interactive SPARQL shell (the default on a terminal).
    Repl(ReplArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
    /// Write a deterministic synthetic graph for benchmarks (see BENCHMARKS.md).
    #[command(hide = true)]
    Generate(GenerateArgs),
}

/// How to print results.
#[derive(Debug, Args, Clone, Default)]
pub struct OutputArgs {
    /// Output format. SELECT: table, csv, tsv, json, xml, markdown (default: table on a
    /// terminal, tsv otherwise). CONSTRUCT/DESCRIBE: turtle (default), trig, ntriples, nquads,
    /// rdfxml, jsonld. ASK: true/false, or the W3C boolean result with json or xml.
    #[arg(long, short = 'F', value_enum)]
    pub format: Option<Format>,
    /// Show English labels instead of IRIs in tables.
    #[arg(long)]
    pub labels: bool,
    /// Print at most N table rows (the row count still says how many there were).
    #[arg(long, value_name = "N")]
    pub max_rows: Option<usize>,
    /// Add a `sources` column: the named graphs (source documents) each row's triples come from.
    #[arg(long)]
    pub sources: bool,
}

/// `digicoop query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The query text, or `-` to read it from standard input.
    #[arg(value_name = "QUERY", conflicts_with = "file")]
    pub query: Option<String>,
    /// Read the query from a file.
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// How to print results.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `digicoop run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The saved query's name (see `digicoop list`).
    pub name: String,
    /// A parameter value, as NAME=VALUE (repeatable). IRIs may be prefixed names.
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE", value_parser = parse_key_value)]
    pub params: Vec<(String, String)>,
    /// Print the saved query's text instead of running it.
    #[arg(long)]
    pub show: bool,
    /// How to print results.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `digicoop list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON (name, title, description, parameters, examples) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `digicoop load`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  digicoop load --store kg national-strategies.ttl sdg-indicators.nt.gz
  digicoop query --store kg 'SELECT (COUNT(*) AS ?n) { ?s ?p ?o }'
  digicoop --store kg                     the shell on the store")]
pub struct LoadArgs {
    /// The files (.ttl .trig .nt .nq .rdf .owl .jsonld, optionally .gz). Each goes into its
    /// own named graph (file:///absolute/path) unless it names its own graphs or --graph is
    /// given. A syntax error or Ctrl-C in any of them loads none of them.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Put the files' triples that are outside any named graph into this graph instead.
    #[arg(long, value_name = "IRI")]
    pub graph: Option<String>,
}

/// `digicoop export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// RDF format (default: from the -o extension, else turtle). Turtle, N-Triples and
    /// RDF/XML hold one graph: the union of the selection.
    #[arg(long, short = 'F', value_enum)]
    pub format: Option<Format>,
    /// Export only this named graph (an IRI or prefixed name, e.g. graph:curation).
    #[arg(long, value_name = "IRI", conflicts_with_all = ["ontology", "data_only"])]
    pub graph: Option<String>,
    /// Export only the ontology.
    #[arg(long, conflicts_with = "data_only")]
    pub ontology: bool,
    /// Export every graph except the ontology.
    #[arg(long)]
    pub data_only: bool,
    /// RDFC-1.0 canonical N-Quads (for hashing and diffing); implies --format nquads.
    #[arg(long)]
    pub canonical: bool,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `digicoop validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Validate these RDF files (with the ontology) instead of the bundled data.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Use these SHACL shapes instead of the bundled ontology/shapes.ttl.
    #[arg(long, value_name = "FILE")]
    pub shapes: Option<PathBuf>,
}

/// `digicoop repl`.
#[derive(Debug, Args, Clone, Default)]
pub struct ReplArgs {
    /// Run this file of queries and dot-commands at start (default: ~/.config/digicoop/init).
    #[arg(long, value_name = "FILE")]
    pub init: Option<PathBuf>,
    /// Do not read any init file.
    #[arg(long)]
    pub no_init: bool,
}

/// `digicoop generate` (hidden): a seeded synthetic graph shaped like the domain.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Write exactly this many triples (e.g. 100000, 1000000, 10000000).
    #[arg(long, value_name = "N")]
    pub triples: u64,
    /// The random seed; the same seed and N give the same bytes.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// N-Triples (one graph) or N-Quads (a named graph per kind of resource).
    #[arg(long, value_enum, default_value = "ntriples")]
    pub format: crate::generate::GenFormat,
    /// Write to this file (gzip-compressed if it ends in .gz) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn parse_key_value(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
        .ok_or_else(|| format!("'{text}' is not NAME=VALUE"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn params_parse_as_pairs() {
        let cli = Cli::try_parse_from(["digicoop", "run", "describe", "-p", "entity=body:hlpdc"])
            .unwrap();
        let Some(Command::Run(run)) = cli.command else {
            panic!("not run")
        };
        assert_eq!(run.params, vec![("entity".into(), "body:hlpdc".into())]);
        assert!(Cli::try_parse_from(["digicoop", "run", "x", "-p", "novalue"]).is_err());
    }
}
