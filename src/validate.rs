//! In-process SHACL validation of the store against `ontology/shapes.ttl`.
//!
//! Implements the SHACL Core subset the project's shapes use: node shapes with
//! `sh:targetClass` (subclasses included) and property shapes with a single-IRI `sh:path`
//! and `sh:minCount`, `sh:maxCount`, `sh:datatype`, `sh:class`, `sh:nodeKind`, `sh:pattern`
//! (`sh:flags`), `sh:in`, `sh:hasValue`, `sh:languageIn`, `sh:uniqueLang`,
//! `sh:minInclusive`, `sh:maxInclusive` and `sh:or` (of `sh:datatype`/`sh:class` shapes).
//! The data graph is the union of all graphs. CI cross-checks the same data with pyshacl;
//! any shape feature outside this subset is reported as an error rather than ignored.

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{Graph, NamedNodeRef, NamedOrBlankNode, Term, TermRef};
use oxigraph::store::{StorageError, Store};
use std::collections::HashSet;
use std::fmt;

/// A term of the SHACL vocabulary, e.g. `sh!("minCount")`.
macro_rules! sh {
    ($local:literal) => {
        oxigraph::model::NamedNodeRef::new_unchecked(concat!("http://www.w3.org/ns/shacl#", $local))
    };
}

/// Errors that stop validation from running, or report that it failed.
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    /// The shapes file does not parse, or uses a feature outside the supported subset.
    #[error("shapes: {0}")]
    Shapes(String),
    /// Reading the store failed.
    #[error("store error: {0}")]
    Storage(#[from] StorageError),
    /// The data does not conform.
    #[error("validation failed: {0} violation(s)")]
    Failed(usize),
}

/// One constraint a focus node breaks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// The node that breaks it.
    pub focus: String,
    /// The property path (an IRI).
    pub path: String,
    /// The offending value, when one value is at fault.
    pub value: Option<String>,
    /// The shape's `sh:message`, or a generated one.
    pub message: String,
    /// The property shape's IRI or blank node.
    pub shape: String,
}

/// The outcome of a validation run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Violations, sorted by focus node, path and message.
    pub violations: Vec<Violation>,
    /// How many focus nodes were checked.
    pub focus_nodes: usize,
    /// How many property shapes were applied.
    pub property_shapes: usize,
}

impl Report {
    /// Whether the data conforms.
    pub fn conforms(&self) -> bool {
        self.violations.is_empty()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for v in &self.violations {
            write!(
                f,
                "Violation: {}\n  path: {}\n  shape: {}\n  message: {}",
                v.focus, v.path, v.shape, v.message
            )?;
            if let Some(value) = &v.value {
                write!(f, "\n  value: {value}")?;
            }
            writeln!(f)?;
        }
        let verdict = if self.conforms() {
            "conforms"
        } else {
            "does not conform"
        };
        write!(
            f,
            "{verdict}: {} violation(s), {} focus node(s), {} property shape(s)",
            self.violations.len(),
            self.focus_nodes,
            self.property_shapes
        )
    }
}

/// Parses a Turtle shapes graph.
pub fn parse_shapes(name: &str, text: &str) -> Result<Graph, ValidateError> {
    let mut graph = Graph::new();
    for triple in RdfParser::from_format(RdfFormat::Turtle).for_slice(text.as_bytes()) {
        let quad = triple.map_err(|e| ValidateError::Shapes(format!("{name}: {e}")))?;
        graph.insert(quad.as_ref());
    }
    Ok(graph)
}

/// Validates the union of all graphs in `store` against `shapes`.
pub fn validate(store: &Store, shapes: &Graph) -> Result<Report, ValidateError> {
    let data = Data::new(store)?;
    let mut report = Report::default();
    let mut focus_seen = HashSet::new();
    let mut node_shapes: Vec<NamedOrBlankNode> = shapes
        .triples_for_predicate(sh!("targetClass"))
        .map(|t| t.subject.into_owned())
        .collect();
    node_shapes.sort_by_cached_key(ToString::to_string);
    node_shapes.dedup();
    for node_shape in &node_shapes {
        if is_true(shapes, node_shape, sh!("deactivated")) {
            continue;
        }
        let mut focus = HashSet::new();
        for class in shapes.objects_for_subject_predicate(node_shape, sh!("targetClass")) {
            focus.extend(data.instances_of(&class.into_owned()));
        }
        for property_shape in shapes.objects_for_subject_predicate(node_shape, sh!("property")) {
            let property_shape = as_node(property_shape)?;
            if is_true(shapes, &property_shape, sh!("deactivated")) {
                continue;
            }
            report.property_shapes += 1;
            let check = PropertyCheck::read(shapes, &property_shape)?;
            for node in &focus {
                check.apply(&data, node, &mut report.violations);
            }
        }
        focus_seen.extend(focus);
    }
    report.focus_nodes = focus_seen.len();
    report.violations.sort();
    report.violations.dedup();
    Ok(report)
}

/// The data graph: the union of every graph, with distinct triples.
struct Data<'a> {
    store: &'a Store,
}

impl<'a> Data<'a> {
    fn new(store: &'a Store) -> Result<Self, ValidateError> {
        Ok(Self { store })
    }

    fn values(&self, subject: &Term, predicate: NamedNodeRef<'_>) -> HashSet<Term> {
        let Some(subject) = as_subject(subject) else {
            return HashSet::new();
        };
        self.store
            .quads_for_pattern(Some(subject.as_ref()), Some(predicate), None, None)
            .filter_map(Result::ok)
            .map(|q| q.object)
            .collect()
    }

    /// The class and every class declared `rdfs:subClassOf*` it.
    fn subclasses(&self, class: &Term) -> HashSet<Term> {
        let mut all = HashSet::from([class.clone()]);
        let mut todo = vec![class.clone()];
        while let Some(c) = todo.pop() {
            for quad in self
                .store
                .quads_for_pattern(None, Some(rdfs::SUB_CLASS_OF), Some(c.as_ref()), None)
                .filter_map(Result::ok)
            {
                let sub = Term::from(quad.subject);
                if all.insert(sub.clone()) {
                    todo.push(sub);
                }
            }
        }
        all
    }

    fn instances_of(&self, class: &Term) -> HashSet<Term> {
        self.subclasses(class)
            .iter()
            .flat_map(|c| {
                self.store
                    .quads_for_pattern(None, Some(rdf::TYPE), Some(c.as_ref()), None)
                    .filter_map(Result::ok)
                    .map(|q| Term::from(q.subject))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn has_type(&self, node: &Term, class: &Term) -> bool {
        let classes = self.subclasses(class);
        self.values(node, rdf::TYPE)
            .iter()
            .any(|t| classes.contains(t))
    }
}

fn as_subject(term: &Term) -> Option<NamedOrBlankNode> {
    match term {
        Term::NamedNode(n) => Some(n.clone().into()),
        Term::BlankNode(b) => Some(b.clone().into()),
        _ => None,
    }
}

fn as_node(term: TermRef<'_>) -> Result<NamedOrBlankNode, ValidateError> {
    as_subject(&term.into_owned())
        .ok_or_else(|| ValidateError::Shapes(format!("{term} is not a shape node")))
}

fn is_true(shapes: &Graph, node: &NamedOrBlankNode, property: NamedNodeRef<'_>) -> bool {
    shapes
        .object_for_subject_predicate(node, property)
        .is_some_and(|o| matches!(o, TermRef::Literal(l) if l.value() == "true"))
}

/// The SHACL list starting at `head`, as terms.
fn list(shapes: &Graph, head: TermRef<'_>) -> Result<Vec<Term>, ValidateError> {
    let mut items = Vec::new();
    let mut node = head.into_owned();
    while node != Term::from(rdf::NIL.into_owned()) {
        let subject = as_subject(&node)
            .ok_or_else(|| ValidateError::Shapes(format!("bad RDF list at {node}")))?;
        let first = shapes
            .object_for_subject_predicate(&subject, rdf::FIRST)
            .ok_or_else(|| ValidateError::Shapes(format!("bad RDF list at {node}")))?;
        items.push(first.into_owned());
        node = shapes
            .object_for_subject_predicate(&subject, rdf::REST)
            .ok_or_else(|| ValidateError::Shapes(format!("bad RDF list at {node}")))?
            .into_owned();
    }
    Ok(items)
}

mod check;
use check::PropertyCheck;

#[cfg(test)]
mod tests;
