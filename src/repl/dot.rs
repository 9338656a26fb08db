//! Dot-commands: one line each, `.name arguments`, like sqlite3's.

use super::script;
use super::shell::{Fail, Failed, Flow, Shell};
use crate::catalog::{self, ParamType, SavedQuery};
use crate::commands::GRAPHS_QUERY;
use crate::error::Error;
use crate::export::{self, Selection};
use crate::format::Format;
use crate::store::{self, SHAPES};
use crate::validate::{self, ValidateError};
use clap::ValueEnum;
use comfy_table::{presets, ContentArrangement, Table};
use oxigraph::io::RdfFormat;
use oxigraph::model::NamedNode;
use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::time::Duration;

/// Every command: name, arguments, what it does. Sorted by name.
const COMMANDS: &[(&str, &str, &str)] = &[
    ("describe", "TERM", "everything about a resource (prefixed name, <IRI> or label), by source document"),
    ("exit", "", "leave the shell (also .quit or Ctrl-D)"),
    ("export", "FILE [FORMAT]", "write the whole graph to FILE (format from its extension, else Turtle)"),
    ("format", "[FORMAT]", "output format: table csv tsv json xml markdown (SELECT, ASK); turtle trig ntriples nquads rdfxml jsonld (graphs)"),
    ("graphs", "", "the named graphs, their source documents and sizes"),
    ("help", "[COMMAND]", "this list, or one command"),
    ("labels", "on|off", "show English labels instead of IRIs in tables"),
    ("load", "FILE [GRAPH]", "load an RDF file atomically, into GRAPH (default: the file's own file: IRI)"),
    ("maxrows", "[N]", "print at most N table rows, 0 for all (the row count still tells the total)"),
    ("mode", "[FORMAT]", "the same as .format (the sqlite3 and DuckDB name)"),
    ("prefix", "NAME: <IRI>", "declare a prefix for queries and output"),
    ("prefixes", "", "list the declared prefixes"),
    ("queries", "[NAME]", "list the saved queries, or show one's text"),
    ("quit", "", "leave the shell (also .exit or Ctrl-D)"),
    ("read", "FILE", "run a file of queries and dot-commands; it stops at its first error"),
    ("run", "NAME [PARAM=VALUE ...]", "run a saved query (IRI values may be prefixed names or labels)"),
    ("save", "NAME [TITLE]", "save the last query that ran as saved query NAME (then .run NAME)"),
    ("schema", "", "classes and properties, with instance and usage counts"),
    ("show", "", "the current settings"),
    ("sources", "on|off", "add a column citing the source graphs each row comes from"),
    ("timeout", "SECONDS|off", "stop queries that run longer than this"),
    ("timer", "on|off", "print how long each query or .load took"),
    ("validate", "", "check the graph against the bundled SHACL shapes"),
];

const USAGE: &str = "\
Queries run as soon as they parse; a line ending in ; runs the query as typed (to see why
it does not parse). Tab completes keywords, prefixed names, labels and variables; Up and
Ctrl-R search the history; Ctrl-C cancels the input or a running query; Ctrl-D quits.
Piped into digicoop, the same lines run as a script that stops at the first error, with
that error's exit code.";

/// Classes and properties with how often they are used (`.schema`).
const SCHEMA_QUERY: &str = "SELECT ?kind ?term ?count WHERE {
  { { SELECT ?term (COUNT(DISTINCT ?s) AS ?count) WHERE {
        { SELECT DISTINCT ?term WHERE { { ?term a owl:Class } UNION { ?term a rdfs:Class } UNION { ?x a ?term } } }
        FILTER(isIRI(?term))
        OPTIONAL { ?s a ?term }
      } GROUP BY ?term }
    BIND(\"class\" AS ?kind) }
  UNION
  { { SELECT ?term (COUNT(?o) AS ?count) WHERE {
        { SELECT DISTINCT ?term WHERE { { ?term a owl:ObjectProperty } UNION { ?term a owl:DatatypeProperty }
            UNION { ?term a owl:AnnotationProperty } UNION { ?term a rdf:Property } UNION { ?x ?term ?y } } }
        OPTIONAL { ?s ?term ?o }
      } GROUP BY ?term }
    BIND(\"property\" AS ?kind) }
} ORDER BY ?kind DESC(?count) ?term";

/// The command names, without the dot.
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    COMMANDS.iter().map(|(name, _, _)| *name)
}

/// The arguments a command takes, as shown in `.help`.
pub(crate) fn synopsis(name: &str) -> Option<&'static str> {
    COMMANDS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, args, _)| *args)
}

/// Runs one dot-command line.
pub(crate) fn execute(shell: &mut Shell, line: &str, out: &mut dyn Write) -> Result<Flow, Fail> {
    let line = line.trim();
    let (command, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    let args = split_args(rest).map_err(Error::Usage)?;
    let name = command.trim_start_matches('.');
    if let Some(endpoint) = &shell.session.settings.endpoint {
        if matches!(name, "load" | "export" | "validate") {
            return Err(Error::Usage(format!(
                ".{name} works on the embedded graph, but this shell sends queries to {}; start digicoop without --endpoint to use it",
                endpoint.url()
            ))
            .into());
        }
    }
    let settings = &mut shell.session.settings;
    match name {
        "quit" | "exit" => return Ok(Flow::Quit),
        "help" => help(args.first().map(String::as_str), out)?,
        "run" => run(shell, &args, out)?,
        "describe" if !rest.is_empty() => {
            let entity = shell.resolve_term(rest)?;
            run(shell, &["describe".into(), format!("entity={entity}")], out)?;
        }
        "queries" => queries(shell, args.first(), out)?,
        "format" | "mode" => match args.first() {
            None => writeln!(
                out,
                "{:?} for SELECT and ASK, {:?} for graphs",
                shell.select_format, shell.graph_format
            )?,
            Some(name) => {
                let format = Format::from_str(name, true).map_err(|_| Error::Usage(format!(
                    "unknown format '{name}'; use table, csv, tsv, json, xml, markdown, turtle, trig, ntriples, nquads, rdfxml or jsonld"
                )))?;
                if format.holds_solutions() {
                    shell.select_format = format;
                } else {
                    shell.graph_format = format;
                }
            }
        },
        "labels" => toggle(&mut settings.style.labels, "labels", &args, out)?,
        "sources" => toggle(&mut settings.sources, "sources", &args, out)?,
        "timer" => toggle(&mut shell.timer, "timer", &args, out)?,
        "maxrows" => match args.first() {
            None => writeln!(out, "maxrows {}", settings.style.max_rows.unwrap_or(0))?,
            Some(n) => {
                let n: usize = n
                    .parse()
                    .map_err(|_| Error::Usage(format!("'{n}' is not a number of rows")))?;
                settings.style.max_rows = (n > 0).then_some(n);
            }
        },
        "timeout" => match args.first().map(String::as_str) {
            None => writeln!(
                out,
                "timeout {}",
                settings
                    .timeout
                    .map_or("off".into(), |t| format!("{}s", t.as_secs_f64()))
            )?,
            Some("off" | "0") => settings.timeout = None,
            Some(t) => match t.parse::<f64>() {
                Ok(s) if s.is_finite() && s > 0.0 => {
                    settings.timeout = Some(Duration::from_secs_f64(s))
                }
                _ => return Err(Error::Usage(format!("'{t}' is not a number of seconds")).into()),
            },
        },
        "prefixes" => prefixes(shell, out)?,
        "prefix" if rest.is_empty() => prefixes(shell, out)?,
        "prefix" => {
            let (prefix, iri) = parse_prefix(rest).map_err(Error::Usage)?;
            writeln!(out, "PREFIX {prefix}: <{iri}>")?;
            settings.style.extra_prefixes.retain(|(p, _)| *p != prefix);
            settings.style.extra_prefixes.push((prefix, iri));
            shell.generation += 1;
        }
        "graphs" => drop(shell.run_text(GRAPHS_QUERY, false, out)?),
        "schema" => drop(shell.run_text(SCHEMA_QUERY, false, out)?),
        "load" if !args.is_empty() && args.len() <= 2 => {
            let graph = match args.get(1) {
                Some(g) => Some(shell.resolve_term(g)?.trim_matches(['<', '>']).to_owned()),
                None => None,
            };
            shell.ran_query = true;
            let summary = shell.session.load(Path::new(&args[0]), graph.as_deref())?;
            let graph = shell
                .session
                .settings
                .style
                .show_iri(summary.graph.as_str());
            let plural = if summary.triples == 1 { "" } else { "s" };
            writeln!(
                out,
                "loaded {} triple{plural} from {} into {graph}",
                crate::load::thousands(summary.triples),
                args[0]
            )?;
            shell.generation += 1;
        }
        "export" if !args.is_empty() && args.len() <= 2 => {
            export(shell, &args[0], args.get(1), out)?
        }
        "validate" => {
            let shapes = validate::parse_shapes(SHAPES.path, SHAPES.text)?;
            let report = validate::validate(&shell.session.store, &shapes)?;
            writeln!(out, "{report}")?;
            if !report.conforms() {
                return Err(Error::from(ValidateError::Failed(report.violations.len())).into());
            }
        }
        "save" if !args.is_empty() => {
            let title = rest[rest.find(&args[0]).unwrap_or(0) + args[0].len()..].trim();
            save(shell, &args[0], title, out)?;
        }
        "read" if args.len() == 1 => return read(shell, &args[0], out),
        "show" => show(shell, out)?,
        _ if synopsis(name).is_some() => {
            return Err(Error::Usage(format!(
                "usage: .{name} {}",
                synopsis(name).unwrap_or_default()
            ))
            .into())
        }
        _ => {
            let hint = catalog::closest(name, names())
                .map(|n| format!(" (did you mean .{n}?)"))
                .unwrap_or_default();
            return Err(Error::Usage(format!(
                "unknown command {command}{hint}; .help lists the commands"
            ))
            .into());
        }
    }
    Ok(Flow::Continue)
}

fn help(command: Option<&str>, out: &mut dyn Write) -> Result<(), Error> {
    let wanted = command.map(|c| c.trim_start_matches('.'));
    let mut shown = 0;
    for (name, args, what) in COMMANDS
        .iter()
        .filter(|(n, _, _)| wanted.is_none_or(|w| w == *n))
    {
        writeln!(out, "{:<30} {what}", format!(".{name} {args}"))?;
        shown += 1;
    }
    match (wanted, shown) {
        (None, _) => writeln!(out, "\n{USAGE}")?,
        (Some(w), 0) => return Err(Error::Usage(format!("no command .{w}; .help lists them"))),
        _ => {}
    }
    Ok(())
}

fn run(shell: &mut Shell, args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let Some((name, given)) = args.split_first() else {
        return Err(Error::Usage(
            "usage: .run NAME [PARAM=VALUE ...] (.queries lists them)".into(),
        ));
    };
    let saved: SavedQuery = shell.session.catalog.get(name)?.clone();
    let mut params = Vec::new();
    for arg in given {
        let (key, value) = arg
            .split_once('=')
            .ok_or_else(|| Error::Usage(format!("'{arg}' is not PARAM=VALUE")))?;
        let is_iri = saved
            .params
            .iter()
            .any(|p| p.name == key && p.kind == ParamType::Iri);
        let value = if is_iri {
            shell.resolve_term(value)?
        } else {
            value.to_owned()
        };
        params.push((key.to_owned(), value));
    }
    let bindings = saved.bind(&params)?;
    let parsed = shell.session.parse(&saved.text)?;
    shell.run_parsed(parsed, bindings, out)?;
    Ok(())
}

fn queries(shell: &Shell, name: Option<&String>, out: &mut dyn Write) -> Result<(), Error> {
    if let Some(name) = name {
        let saved = shell.session.catalog.get(name)?;
        writeln!(out, "{}", saved.text.trim_end())?;
        return Ok(());
    }
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["name", "title", "parameters"]);
    if let Some(width) = shell.session.settings.style.width {
        table.set_width(width);
    }
    for q in shell.session.catalog.iter() {
        let params: Vec<String> = q
            .params
            .iter()
            .map(|p| match &p.default {
                Some(d) => format!("{}={d} ({})", p.name, p.kind),
                None => format!("{}=<{}>", p.name, p.kind),
            })
            .collect();
        table.add_row([q.name.as_str(), q.title.as_str(), &params.join(" ")]);
    }
    writeln!(
        out,
        "{table}\n({} saved queries; .run NAME to run one)",
        shell.session.catalog.len()
    )?;
    Ok(())
}

fn toggle(flag: &mut bool, name: &str, args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    match args.first().map(|a| a.to_ascii_lowercase()).as_deref() {
        None => writeln!(out, "{name} {}", if *flag { "on" } else { "off" })?,
        Some("on" | "true" | "yes" | "1") => *flag = true,
        Some("off" | "false" | "no" | "0") => *flag = false,
        Some(other) => {
            return Err(Error::Usage(format!(
                "usage: .{name} on|off (not '{other}')"
            )))
        }
    }
    Ok(())
}

fn prefixes(shell: &Shell, out: &mut dyn Write) -> Result<(), Error> {
    for (prefix, namespace) in shell.session.prefixes() {
        writeln!(out, "PREFIX {prefix}: <{namespace}>")?;
    }
    Ok(())
}

/// `ex: <http://example.org/>`, `ex <http://...>` or `ex:<http://...>`.
fn parse_prefix(text: &str) -> Result<(String, String), String> {
    let (name, iri) = match text.find(":<") {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => text
            .split_once(char::is_whitespace)
            .ok_or("usage: .prefix NAME: <IRI>")?,
    };
    let name = name.trim().trim_end_matches(':');
    let valid = name.starts_with(|c: char| c.is_alphabetic())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.ends_with('.');
    if !valid {
        return Err(format!(
            "'{name}' is not a prefix name (a letter, then letters, digits, _ - .)"
        ));
    }
    let iri = iri.trim().trim_start_matches('<').trim_end_matches('>');
    NamedNode::new(iri).map_err(|e| format!("<{iri}> is not an absolute IRI: {e}"))?;
    Ok((name.to_owned(), iri.to_owned()))
}

fn export(
    shell: &Shell,
    file: &str,
    format: Option<&String>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let path = Path::new(file);
    let format = match format {
        Some(f) => {
            Format::from_str(f, true).map_err(|_| Error::Usage(format!("unknown format '{f}'")))?
        }
        None => match store::format_of(path) {
            Some(RdfFormat::TriG) => Format::Trig,
            Some(RdfFormat::NTriples) => Format::Ntriples,
            Some(RdfFormat::NQuads) => Format::Nquads,
            Some(RdfFormat::RdfXml) => Format::Rdfxml,
            Some(RdfFormat::JsonLd { .. }) => Format::Jsonld,
            _ => Format::Turtle,
        },
    };
    let quads = export::select_quads(&shell.session.store, &Selection::All)?;
    let count = quads.len();
    // Write beside the target, then rename: a failed export never leaves half a file.
    let tmp = path.with_extension("digicoop-tmp");
    let mut writer = BufWriter::new(File::create(&tmp)?);
    let written = export::write(&mut writer, format, quads, false)
        .map_err(Error::from)
        .and_then(|()| Ok(writer.flush()?));
    if let Err(e) = written.and_then(|()| Ok(fs::rename(&tmp, path)?)) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    writeln!(out, "exported {count} quads to {file} ({format:?})")?;
    Ok(())
}

fn save(shell: &mut Shell, name: &str, title: &str, out: &mut dyn Write) -> Result<(), Error> {
    let valid = name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(Error::Usage(format!(
            "'{name}' is not a query name (letters, digits, - and _)"
        )));
    }
    let text = shell
        .last_query
        .clone()
        .ok_or_else(|| Error::Usage("nothing to save yet: run a query first".into()))?;
    let dir = catalog::user_dir()
        .ok_or_else(|| Error::Usage("no data folder to save queries in".into()))?;
    let path = dir.join(format!("{name}.rq"));
    let title = if title.is_empty() { name } else { title };
    let content =
        format!("# title: {title}\n# description: Saved from the digicoop shell.\n\n{text}\n");
    SavedQuery::parse(name, &content, &path.display().to_string())?;
    fs::create_dir_all(&dir)?;
    let tmp = path.with_extension("rq-tmp");
    fs::write(&tmp, content)?;
    fs::rename(&tmp, &path)?;
    shell.session.catalog.add_dir(&dir)?;
    shell.generation += 1;
    writeln!(out, "saved to {}; run it with .run {name}", path.display())?;
    Ok(())
}

fn read(shell: &mut Shell, file: &str, out: &mut dyn Write) -> Result<Flow, Fail> {
    if shell.depth >= 16 {
        return Err(Error::Usage(format!("{file}: .read nests too deeply")).into());
    }
    let reader = File::open(file).map_err(|e| Error::Usage(format!("cannot read {file}: {e}")))?;
    shell.depth += 1;
    let result = script::run_lines(shell, BufReader::new(reader), file, out);
    shell.depth -= 1;
    result.map_err(|Failed(exit)| Fail::Reported(exit))
}

fn show(shell: &Shell, out: &mut dyn Write) -> Result<(), Error> {
    let s = &shell.session.settings;
    let on = |b: bool| if b { "on" } else { "off" };
    writeln!(
        out,
        "format   {:?} (SELECT, ASK), {:?} (graphs)",
        shell.select_format, shell.graph_format
    )?;
    writeln!(
        out,
        "labels   {}\nsources  {}\ntimer    {}",
        on(s.style.labels),
        on(s.sources),
        on(shell.timer)
    )?;
    writeln!(
        out,
        "maxrows  {}",
        s.style.max_rows.map_or("all".into(), |n| n.to_string())
    )?;
    writeln!(
        out,
        "timeout  {}",
        s.timeout
            .map_or("off".into(), |t| format!("{}s", t.as_secs_f64()))
    )?;
    match &s.endpoint {
        Some(endpoint) => writeln!(out, "endpoint {} (queries run there)", endpoint.url())?,
        None => {
            let (triples, graphs) = super::words::size(&shell.session);
            writeln!(out, "graph    {triples} triples in {graphs} named graphs")?;
        }
    }
    Ok(())
}

/// Splits arguments at spaces, keeping "quoted text" (or 'quoted') together.
pub(crate) fn split_args(text: &str) -> Result<Vec<String>, String> {
    let mut args = Vec::new();
    let mut current: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.get_or_insert_with(String::new).push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                current.get_or_insert_with(String::new);
            }
            (None, c) if c.is_whitespace() => args.extend(current.take()),
            (None, c) => current.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(q) = quote {
        return Err(format!("unclosed {q} in the arguments"));
    }
    args.extend(current);
    Ok(args)
}
