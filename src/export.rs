//! Export of the store (or a part of it) in every RDF format, byte-for-byte deterministic.
//!
//! Turtle and TriG go through sophia's pretty serializer (grouped by subject, sorted, only
//! the prefixes actually used); line formats are sorted; `--canonical` N-Quads follow
//! RDFC-1.0 (sophia_c14n), so the same graph always hashes the same.

use crate::format::Format;
use crate::prefixes::PREFIXES;
use crate::store::ONTOLOGY_GRAPH;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, GraphNameRef, NamedNodeRef, NamedOrBlankNode, Quad, Term};
use oxigraph::store::{StorageError, Store};
use sophia_api::prefix::{Prefix, PrefixMapPair};
use sophia_api::serializer::QuadSerializer;
use sophia_api::term::{BnodeId, IriRef, LanguageTag, SimpleTerm};
use sophia_api::MownStr;
use sophia_iri::Iri;
use sophia_turtle::serializer::trig::{TriGConfig, TriGSerializer};
use std::collections::{BTreeSet, HashSet};
use std::io::{self, Write};

/// Which part of the store to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Everything: ontology, source graphs, sources and curation.
    All,
    /// One named graph.
    Graph(String),
    /// The ontology graph only.
    Ontology,
    /// Every graph except the ontology.
    Data,
}

/// Errors while exporting.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing failed.
    #[error("cannot write export: {0}")]
    Io(#[from] io::Error),
    /// Reading the store failed.
    #[error("store error: {0}")]
    Storage(#[from] StorageError),
    /// The asked graph is not in the store.
    #[error("no graph <{0}> in the store (see `digicoop query 'SELECT DISTINCT ?g {{ GRAPH ?g {{}} }}'`)")]
    NoSuchGraph(String),
    /// The format cannot hold RDF (e.g. `csv`).
    #[error("{0:?} is not an RDF format; use turtle, trig, ntriples, nquads, rdfxml or jsonld")]
    NotRdf(Format),
    /// Canonicalization failed.
    #[error("canonicalization failed: {0}")]
    Canonical(String),
}

/// The quads of a selection, sorted (graph, subject, predicate, object) for stable output.
pub fn select_quads(store: &Store, selection: &Selection) -> Result<Vec<Quad>, ExportError> {
    let graph = match selection {
        Selection::Graph(iri) => {
            let node = NamedNodeRef::new(iri).map_err(|_| ExportError::NoSuchGraph(iri.clone()))?;
            if !store.contains_named_graph(node)? {
                return Err(ExportError::NoSuchGraph(iri.clone()));
            }
            Some(node.into_owned())
        }
        Selection::Ontology => Some(NamedNodeRef::new_unchecked(ONTOLOGY_GRAPH).into_owned()),
        Selection::All | Selection::Data => None,
    };
    let mut quads = Vec::new();
    for quad in store.quads_for_pattern(
        None,
        None,
        None,
        graph.as_ref().map(|g| GraphNameRef::NamedNode(g.as_ref())),
    ) {
        let quad = quad?;
        let is_ontology =
            matches!(&quad.graph_name, GraphName::NamedNode(g) if g.as_str() == ONTOLOGY_GRAPH);
        // The default graph only mirrors the named graphs (see `store`): never export it twice.
        if quad.graph_name.is_default_graph() || (*selection == Selection::Data && is_ontology) {
            continue;
        }
        quads.push(quad);
    }
    quads.sort_by_cached_key(|q| {
        (
            q.graph_name.to_string(),
            q.subject.to_string(),
            q.predicate.to_string(),
            q.object.to_string(),
        )
    });
    Ok(quads)
}

/// Writes quads in `format`; graph-only formats (Turtle, N-Triples, RDF/XML) get the union.
pub fn write(
    out: &mut dyn Write,
    format: Format,
    quads: Vec<Quad>,
    canonical: bool,
) -> Result<(), ExportError> {
    let rdf = format.rdf_format().ok_or(ExportError::NotRdf(format))?;
    if canonical {
        return write_canonical(out, quads);
    }
    let keeps_graphs = rdf.supports_datasets();
    let quads = quads.into_iter().map(|q| {
        if keeps_graphs {
            q
        } else {
            Quad::new(q.subject, q.predicate, q.object, GraphName::DefaultGraph)
        }
    });
    match rdf {
        RdfFormat::Turtle | RdfFormat::TriG => write_pretty(out, rdf, quads)?,
        _ => {
            // Dedup triples that sat in several graphs, keep the sorted order.
            let mut seen = HashSet::new();
            let mut serializer = RdfSerializer::from_format(rdf).for_writer(&mut *out);
            for quad in quads {
                if seen.insert(quad.clone()) {
                    serializer.serialize_quad(&quad)?;
                }
            }
            serializer.finish()?;
        }
    }
    Ok(())
}

/// Pretty Turtle/TriG through sophia, declaring only the prefixes the data uses.
pub fn write_pretty(
    out: &mut dyn Write,
    format: RdfFormat,
    quads: impl Iterator<Item = Quad>,
) -> io::Result<()> {
    let dataset: BTreeSet<(Option<SimpleTerm<'static>>, [SimpleTerm<'static>; 3])> = quads
        .map(|q| {
            let g = match q.graph_name {
                GraphName::DefaultGraph => None,
                GraphName::NamedNode(n) => Some(iri(n.into_string())),
                GraphName::BlankNode(b) => Some(bnode(b.into_string())),
            };
            (
                g,
                [
                    subject(q.subject),
                    iri(q.predicate.into_string()),
                    object(q.object),
                ],
            )
        })
        .collect();
    let used = used_prefixes(&dataset);
    let config = TriGConfig::new()
        .with_pretty(true)
        .with_own_prefix_map(used)
        .with_indentation("    ");
    let mut buffer = Vec::new();
    {
        let mut serializer = TriGSerializer::new_with_config(&mut buffer, config);
        serializer
            .serialize_dataset(&dataset)
            .map_err(|e| io::Error::other(e.to_string()))?;
    }
    // The TriG serializer writes default-graph triples bare, which is exactly Turtle.
    debug_assert!(format == RdfFormat::TriG || dataset.iter().all(|(g, _)| g.is_none()));
    // sophia writes SPARQL-style `PREFIX p: <ns>` and TriG 1.1's optional `GRAPH` keyword;
    // Turtle 1.0 tools and older TriG parsers (raptor 2.0.15, for one) know only
    // `@prefix p: <ns> .` and `name { ... }`, which every version accepts.
    let text = String::from_utf8(buffer).map_err(io::Error::other)?;
    for line in text.split_inclusive('\n') {
        if let Some(declaration) = line.strip_prefix("PREFIX ") {
            writeln!(out, "@prefix {} .", declaration.trim_end())?;
        } else if let Some(block) = line
            .strip_prefix("GRAPH ")
            .filter(|rest| rest.trim_end().ends_with(" {"))
        {
            out.write_all(block.as_bytes())?;
        } else {
            out.write_all(line.as_bytes())?;
        }
    }
    Ok(())
}

fn used_prefixes(
    dataset: &BTreeSet<(Option<SimpleTerm<'static>>, [SimpleTerm<'static>; 3])>,
) -> Vec<PrefixMapPair> {
    let mut used = BTreeSet::new();
    let mut note = |t: &SimpleTerm<'_>| {
        let text = match t {
            SimpleTerm::Iri(i) => i.as_str().to_owned(),
            SimpleTerm::LiteralDatatype(_, dt) => dt.as_str().to_owned(),
            _ => return,
        };
        if let Some(p) = crate::prefixes::compact(&text) {
            used.insert(
                p.split_once(':')
                    .map(|(p, _)| p.to_owned())
                    .unwrap_or_default(),
            );
        }
    };
    for (g, spo) in dataset {
        g.iter().chain(spo.iter()).for_each(&mut note);
    }
    PREFIXES
        .iter()
        .filter(|(p, _)| used.contains(*p))
        .map(|(p, ns)| {
            (
                Prefix::new_unchecked(Box::from(*p)),
                Iri::new_unchecked(Box::from(*ns)),
            )
        })
        .collect()
}

fn iri(s: String) -> SimpleTerm<'static> {
    SimpleTerm::Iri(IriRef::new_unchecked(MownStr::from(s)))
}

fn bnode(s: String) -> SimpleTerm<'static> {
    SimpleTerm::BlankNode(BnodeId::new_unchecked(MownStr::from(s)))
}

fn subject(s: NamedOrBlankNode) -> SimpleTerm<'static> {
    match s {
        NamedOrBlankNode::NamedNode(n) => iri(n.into_string()),
        NamedOrBlankNode::BlankNode(b) => bnode(b.into_string()),
        #[allow(unreachable_patterns)]
        other => iri(other.to_string()),
    }
}

fn object(o: Term) -> SimpleTerm<'static> {
    match o {
        Term::NamedNode(n) => iri(n.into_string()),
        Term::BlankNode(b) => bnode(b.into_string()),
        Term::Literal(l) => {
            let (value, datatype, language) = l.destruct();
            match language {
                Some(lang) => SimpleTerm::LiteralLanguage(
                    MownStr::from(value),
                    LanguageTag::new_unchecked(MownStr::from(lang)),
                    None,
                ),
                None => SimpleTerm::LiteralDatatype(
                    MownStr::from(value),
                    IriRef::new_unchecked(MownStr::from(datatype.map_or_else(
                        || "http://www.w3.org/2001/XMLSchema#string".to_owned(),
                        |d| d.into_string(),
                    ))),
                ),
            }
        }
        #[allow(unreachable_patterns)]
        other => iri(other.to_string()),
    }
}

/// RDFC-1.0 canonical N-Quads (blank nodes relabelled, lines sorted).
fn write_canonical(out: &mut dyn Write, quads: Vec<Quad>) -> Result<(), ExportError> {
    let dataset: BTreeSet<([SimpleTerm<'static>; 3], Option<SimpleTerm<'static>>)> = quads
        .into_iter()
        .map(|q| {
            let g = match q.graph_name {
                GraphName::DefaultGraph => None,
                GraphName::NamedNode(n) => Some(iri(n.into_string())),
                GraphName::BlankNode(b) => Some(bnode(b.into_string())),
            };
            (
                [
                    subject(q.subject),
                    iri(q.predicate.into_string()),
                    object(q.object),
                ],
                g,
            )
        })
        .collect();
    sophia_c14n::rdfc10::normalize(&dataset, &mut *out)
        .map_err(|e| ExportError::Canonical(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{Literal, NamedNode};

    fn sample() -> Vec<Quad> {
        let g = NamedNode::new_unchecked("https://w3id.org/digicoop/graph/x");
        let s = NamedNode::new_unchecked("https://w3id.org/digicoop/roadmap-action-areas/1");
        let label = NamedNode::new_unchecked("http://www.w3.org/2000/01/rdf-schema#label");
        vec![
            Quad::new(
                s.clone(),
                label.clone(),
                Literal::new_language_tagged_literal_unchecked("Universal connectivity", "en"),
                g.clone(),
            ),
            Quad::new(
                s,
                NamedNode::new_unchecked("https://w3id.org/digicoop/ontology#position"),
                Literal::from(1),
                g,
            ),
        ]
    }

    fn render(format: Format, canonical: bool) -> String {
        let mut out = Vec::new();
        write(&mut out, format, sample(), canonical).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn pretty_turtle_declares_only_used_prefixes() {
        let text = render(Format::Turtle, false);
        assert!(
            text.contains("@prefix area: <https://w3id.org/digicoop/roadmap-action-areas/>")
                || text.contains("PREFIX area:"),
            "{text}"
        );
        assert!(text.contains("rdfs:label"), "{text}");
        assert!(!text.contains("foaf:"), "unused prefix declared: {text}");
        assert!(
            !text.contains("GRAPH"),
            "Turtle must not hold graphs: {text}"
        );
        assert_eq!(text, render(Format::Turtle, false), "deterministic");
    }

    #[test]
    fn trig_keeps_the_graph() {
        assert!(render(Format::Trig, false).contains("graph:x"));
    }

    #[test]
    fn canonical_nquads_are_sorted_lines() {
        let text = render(Format::Nquads, true);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        let mut sorted = lines.clone();
        sorted.sort();
        assert_eq!(lines, sorted);
    }
}
