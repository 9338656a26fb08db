//! Output writers: one per format, all writing to an `impl Write`.
//!
//! SELECT results go to a terminal table (comfy-table), Markdown, or the W3C SPARQL result
//! formats (CSV, TSV, JSON, XML, through `sparesults`); ASK answers and CONSTRUCT/DESCRIBE
//! graphs have their own writers.

use crate::bundle;
use crate::prefixes;
use crate::query::Target;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{NamedNodeRef, Term, TermRef, Triple, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use std::io::{self, Write};

pub mod table;

/// Every output format digicoop writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table sized to the terminal, IRIs as prefixed names.
    Table,
    /// W3C SPARQL 1.1 Query Results CSV.
    Csv,
    /// W3C SPARQL 1.1 Query Results TSV.
    Tsv,
    /// W3C SPARQL 1.1 Query Results JSON.
    Json,
    /// W3C SPARQL Query Results XML.
    Xml,
    /// A GitHub-flavoured Markdown table.
    Markdown,
    /// Turtle (pretty, for graphs).
    Turtle,
    /// TriG (pretty, for datasets).
    Trig,
    /// N-Triples.
    Ntriples,
    /// N-Quads.
    Nquads,
    /// RDF/XML.
    Rdfxml,
    /// JSON-LD.
    Jsonld,
}

impl Format {
    /// Whether the format can hold SELECT solutions.
    pub fn holds_solutions(self) -> bool {
        matches!(
            self,
            Format::Table
                | Format::Csv
                | Format::Tsv
                | Format::Json
                | Format::Xml
                | Format::Markdown
        )
    }

    /// The RDF syntax of a graph format, `None` for result-table formats.
    pub fn rdf_format(self) -> Option<RdfFormat> {
        Some(match self {
            Format::Turtle => RdfFormat::Turtle,
            Format::Trig => RdfFormat::TriG,
            Format::Ntriples => RdfFormat::NTriples,
            Format::Nquads => RdfFormat::NQuads,
            Format::Rdfxml => RdfFormat::RdfXml,
            Format::Jsonld => RdfFormat::JsonLd {
                profile: Default::default(),
            },
            _ => return None,
        })
    }

    fn results_format(self) -> Option<QueryResultsFormat> {
        Some(match self {
            Format::Csv => QueryResultsFormat::Csv,
            Format::Tsv => QueryResultsFormat::Tsv,
            Format::Json => QueryResultsFormat::Json,
            Format::Xml => QueryResultsFormat::Xml,
            _ => return None,
        })
    }
}

/// How terms are shown in tables: prefixes, labels, width and row limit.
#[derive(Debug, Clone, Default)]
pub struct TableStyle {
    /// Show an English label instead of an IRI where the store has one.
    pub labels: bool,
    /// Prefixes added to the predeclared ones (e.g. by `.prefix` in the shell).
    pub extra_prefixes: Vec<(String, String)>,
    /// Fit the table to this many columns (a terminal's width).
    pub width: Option<u16>,
    /// Print at most this many rows, then say how many were left out.
    pub max_rows: Option<usize>,
}

impl TableStyle {
    /// Shows a term the way a person reads it: prefixed names, plain literal values.
    pub fn show(&self, term: TermRef<'_>, labels_from: Option<Target<'_>>) -> String {
        match term {
            TermRef::NamedNode(n) => {
                if self.labels {
                    if let Some(label) = labels_from.and_then(|t| label_of(t, n)) {
                        return label;
                    }
                }
                self.show_iri(n.as_str())
            }
            TermRef::BlankNode(b) => format!("_:{}", b.as_str()),
            TermRef::Literal(l) => l.value().to_owned(),
            #[allow(unreachable_patterns)]
            other => other.to_string(),
        }
    }

    /// An IRI as a prefixed name where possible, else in angle brackets.
    pub fn show_iri(&self, iri: &str) -> String {
        let extra = self
            .extra_prefixes
            .iter()
            .map(|(p, n)| (p.as_str(), n.as_str()));
        prefixes::compact_with(iri, prefixes::PREFIXES.iter().copied().chain(extra))
            .unwrap_or_else(|| format!("<{iri}>"))
    }
}

/// The English label of a resource: its `skos:prefLabel`, else its shortest `rdfs:label`.
pub fn label_of(target: Target<'_>, node: NamedNodeRef<'_>) -> Option<String> {
    const PREF: &str = "http://www.w3.org/2004/02/skos/core#prefLabel";
    const LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
    for property in [PREF, LABEL] {
        let property = NamedNodeRef::new_unchecked(property);
        let objects: Vec<Term> = match target {
            Target::Bundle => bundle::objects(node.into(), property)
                .map(TermRef::into_owned)
                .collect(),
            Target::Store(store) => store
                .quads_for_pattern(Some(node.into()), Some(property), None, None)
                .filter_map(Result::ok)
                .map(|q| q.object)
                .collect(),
        };
        let best = objects
            .into_iter()
            .filter_map(|object| match object {
                Term::Literal(l) if matches!(l.language(), Some("en") | None) => {
                    Some(l.value().to_owned())
                }
                _ => None,
            })
            .min_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        if best.is_some() {
            return best;
        }
    }
    None
}

/// One row of SELECT results: a value (or nothing) per variable.
pub type Row = Vec<Option<Term>>;

/// Writes SELECT solutions; returns how many rows were written.
///
/// `rows` is consumed lazily: the W3C formats stream row by row, tables and Markdown hold
/// one block of rows at a time (see [`table`]).
pub fn write_solutions<E>(
    out: &mut dyn Write,
    format: Format,
    variables: &[Variable],
    rows: impl Iterator<Item = Result<Row, E>>,
    style: &TableStyle,
    labels_from: Option<Target<'_>>,
) -> Result<usize, WriteError<E>> {
    if let Some(results_format) = format.results_format() {
        let mut serializer = QueryResultsSerializer::from_format(results_format)
            .serialize_solutions_to_writer(&mut *out, variables.to_vec())?;
        let mut count = 0;
        for row in rows {
            let row = row.map_err(WriteError::Source)?;
            serializer.serialize(
                variables
                    .iter()
                    .zip(&row)
                    .filter_map(|(v, t)| Some((v.as_ref(), t.as_ref()?.as_ref()))),
            )?;
            count += 1;
        }
        serializer.finish()?;
        return Ok(count);
    }
    table::write_table(
        out,
        format == Format::Markdown,
        variables,
        rows,
        style,
        labels_from,
    )
}

/// Writes an ASK answer: `true`/`false` for text formats, the W3C boolean result otherwise.
pub fn write_boolean(out: &mut dyn Write, format: Format, value: bool) -> io::Result<()> {
    match format {
        Format::Json => {
            QueryResultsSerializer::from_format(QueryResultsFormat::Json)
                .serialize_boolean_to_writer(&mut *out, value)?;
            writeln!(out)
        }
        Format::Xml => {
            QueryResultsSerializer::from_format(QueryResultsFormat::Xml)
                .serialize_boolean_to_writer(&mut *out, value)?;
            writeln!(out)
        }
        _ => writeln!(out, "{value}"),
    }
}

/// Writes CONSTRUCT/DESCRIBE triples in an RDF format; Turtle is pretty and sorted.
pub fn write_graph<E>(
    out: &mut dyn Write,
    format: Format,
    triples: impl Iterator<Item = Result<Triple, E>>,
) -> Result<usize, WriteError<E>> {
    let rdf = format.rdf_format().unwrap_or(RdfFormat::Turtle);
    if matches!(rdf, RdfFormat::Turtle | RdfFormat::TriG) {
        let triples = triples
            .collect::<Result<Vec<_>, E>>()
            .map_err(WriteError::Source)?;
        let count = triples.len();
        let quads = triples
            .into_iter()
            .map(|t| t.in_graph(oxigraph::model::GraphName::DefaultGraph));
        crate::export::write_pretty(out, rdf, quads)?;
        return Ok(count);
    }
    let mut serializer = RdfSerializer::from_format(rdf).for_writer(&mut *out);
    let mut count = 0;
    for triple in triples {
        serializer.serialize_triple(&triple.map_err(WriteError::Source)?)?;
        count += 1;
    }
    serializer.finish()?;
    Ok(count)
}

/// A failure while writing results: from the output, or from the results being written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError<E> {
    /// Writing to the output failed (a closed pipe is reported here too).
    #[error("cannot write output: {0}")]
    Io(#[from] io::Error),
    /// The results themselves failed (evaluation error, timeout).
    #[error("{0}")]
    Source(E),
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{Literal, NamedNode};
    use std::convert::Infallible;

    fn rows() -> (Vec<Variable>, Vec<Result<Row, Infallible>>) {
        let vars = vec![
            Variable::new_unchecked("area"),
            Variable::new_unchecked("n"),
        ];
        let rows = vec![
            Ok(vec![
                Some(
                    NamedNode::new_unchecked("https://w3id.org/digicoop/roadmap-action-areas/1")
                        .into(),
                ),
                Some(Literal::from(2).into()),
            ]),
            Ok(vec![Some(Literal::new_simple_literal("a|b").into()), None]),
        ];
        (vars, rows)
    }

    fn render(format: Format, style: &TableStyle) -> String {
        let (vars, rows) = rows();
        let mut out = Vec::new();
        write_solutions(&mut out, format, &vars, rows.into_iter(), style, None).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn table_uses_prefixed_names_and_counts_rows() {
        let text = render(Format::Table, &TableStyle::default());
        assert!(text.contains("area:1"), "{text}");
        assert!(text.ends_with("(2 rows)\n"), "{text}");
    }

    #[test]
    fn max_rows_cuts_and_says_so() {
        let style = TableStyle {
            max_rows: Some(1),
            ..TableStyle::default()
        };
        let text = render(Format::Table, &style);
        assert!(text.contains("(2 rows, first 1 shown)"), "{text}");
        assert!(!text.contains("a|b"));
    }

    #[test]
    fn markdown_escapes_pipes() {
        let text = render(Format::Markdown, &TableStyle::default());
        assert!(text.contains("a\\|b"), "{text}");
        assert!(text.lines().nth(1).unwrap().contains("---"), "{text}");
    }

    #[test]
    fn csv_and_tsv_follow_the_w3c_formats() {
        let csv = render(Format::Csv, &TableStyle::default());
        assert_eq!(
            csv,
            "area,n\r\nhttps://w3id.org/digicoop/roadmap-action-areas/1,2\r\na|b,\r\n"
        );
        let tsv = render(Format::Tsv, &TableStyle::default());
        assert_eq!(
            tsv,
            "?area\t?n\n<https://w3id.org/digicoop/roadmap-action-areas/1>\t2\n\"a|b\"\t\n"
        );
    }

    #[test]
    fn booleans() {
        let mut out = Vec::new();
        write_boolean(&mut out, Format::Table, true).unwrap();
        assert_eq!(out, b"true\n");
        let mut out = Vec::new();
        write_boolean(&mut out, Format::Json, false).unwrap();
        assert!(String::from_utf8(out)
            .unwrap()
            .contains("\"boolean\":false"));
    }
}
