//! One property shape, read once from the shapes graph and applied to each focus node.

use super::{as_node, list, Data, ValidateError, Violation};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Graph, NamedNode, NamedOrBlankNode, Term, TermRef};
use regex::{Regex, RegexBuilder};
use std::collections::HashSet;

/// The constraints of one property shape.
pub(super) struct PropertyCheck {
    shape: String,
    path: NamedNode,
    message: Option<String>,
    min_count: Option<usize>,
    max_count: Option<usize>,
    datatype: Option<NamedNode>,
    class: Vec<Term>,
    node_kind: Option<NamedNode>,
    pattern: Option<Regex>,
    one_of: Option<Vec<Term>>,
    has_value: Option<Term>,
    language_in: Option<Vec<String>>,
    unique_lang: bool,
    min_inclusive: Option<f64>,
    max_inclusive: Option<f64>,
    or: Vec<Alternative>,
}

/// One branch of an `sh:or`: a datatype or a class.
enum Alternative {
    Datatype(NamedNode),
    Class(Term),
}

/// Shape properties this validator understands; anything else under `sh:` is refused.
const KNOWN: &[&str] = &[
    "path",
    "name",
    "description",
    "message",
    "severity",
    "deactivated",
    "order",
    "group",
    "minCount",
    "maxCount",
    "datatype",
    "class",
    "nodeKind",
    "pattern",
    "flags",
    "in",
    "hasValue",
    "languageIn",
    "uniqueLang",
    "minInclusive",
    "maxInclusive",
    "or",
];

impl PropertyCheck {
    pub(super) fn read(shapes: &Graph, node: &NamedOrBlankNode) -> Result<Self, ValidateError> {
        let shape = node.to_string();
        let unsupported = |what: String| ValidateError::Shapes(format!("{shape}: {what}"));
        for triple in shapes.triples_for_subject(node) {
            if let Some(local) = triple
                .predicate
                .as_str()
                .strip_prefix("http://www.w3.org/ns/shacl#")
            {
                if !KNOWN.contains(&local) {
                    return Err(unsupported(format!(
                        "sh:{local} is outside the supported SHACL subset"
                    )));
                }
            }
        }
        let get = |local| {
            shapes
                .object_for_subject_predicate(node, local)
                .map(TermRef::into_owned)
        };
        let path = match get(sh!("path")) {
            Some(Term::NamedNode(n)) => n,
            _ => return Err(unsupported("sh:path must be a single IRI".into())),
        };
        let count = |t: Option<Term>| match t {
            Some(Term::Literal(l)) => l
                .value()
                .parse::<usize>()
                .map(Some)
                .map_err(|_| unsupported(format!("bad count {l}"))),
            Some(other) => Err(unsupported(format!("bad count {other}"))),
            None => Ok(None),
        };
        let number = |t: Option<Term>| match t {
            Some(Term::Literal(l)) => l
                .value()
                .parse::<f64>()
                .map(Some)
                .map_err(|_| unsupported(format!("bad number {l}"))),
            Some(other) => Err(unsupported(format!("bad number {other}"))),
            None => Ok(None),
        };
        let iri = |t: Option<Term>| match t {
            Some(Term::NamedNode(n)) => Ok(Some(n)),
            Some(other) => Err(unsupported(format!("expected an IRI, found {other}"))),
            None => Ok(None),
        };
        let pattern = match get(sh!("pattern")) {
            Some(Term::Literal(p)) => {
                let flags = get(sh!("flags")).map(|f| match f {
                    Term::Literal(l) => l.value().to_owned(),
                    _ => String::new(),
                });
                let regex = RegexBuilder::new(p.value())
                    .case_insensitive(flags.is_some_and(|f| f.contains('i')))
                    .build()
                    .map_err(|e| unsupported(format!("bad sh:pattern: {e}")))?;
                Some(regex)
            }
            Some(other) => return Err(unsupported(format!("bad sh:pattern {other}"))),
            None => None,
        };
        let mut or = Vec::new();
        if let Some(head) = get(sh!("or")) {
            for branch in list(shapes, head.as_ref())? {
                let branch = as_node(branch.as_ref())?;
                let b = |local| {
                    shapes
                        .object_for_subject_predicate(&branch, local)
                        .map(TermRef::into_owned)
                };
                match (b(sh!("datatype")), b(sh!("class"))) {
                    (Some(Term::NamedNode(d)), None) => or.push(Alternative::Datatype(d)),
                    (None, Some(c)) => or.push(Alternative::Class(c)),
                    _ => {
                        return Err(unsupported(
                            "each sh:or branch must hold only sh:datatype or only sh:class".into(),
                        ))
                    }
                }
            }
        }
        Ok(Self {
            message: match get(sh!("message")) {
                Some(Term::Literal(l)) => Some(l.value().to_owned()),
                _ => None,
            },
            min_count: count(get(sh!("minCount")))?,
            max_count: count(get(sh!("maxCount")))?,
            datatype: iri(get(sh!("datatype")))?,
            class: shapes
                .objects_for_subject_predicate(node, sh!("class"))
                .map(TermRef::into_owned)
                .collect(),
            node_kind: iri(get(sh!("nodeKind")))?,
            pattern,
            one_of: get(sh!("in"))
                .map(|h| list(shapes, h.as_ref()))
                .transpose()?,
            has_value: get(sh!("hasValue")),
            language_in: get(sh!("languageIn"))
                .map(|h| list(shapes, h.as_ref()))
                .transpose()?
                .map(|l| {
                    l.iter()
                        .map(|t| match t {
                            Term::Literal(l) => l.value().to_ascii_lowercase(),
                            other => other.to_string(),
                        })
                        .collect()
                }),
            unique_lang: get(sh!("uniqueLang"))
                .is_some_and(|t| matches!(t, Term::Literal(l) if l.value() == "true")),
            min_inclusive: number(get(sh!("minInclusive")))?,
            max_inclusive: number(get(sh!("maxInclusive")))?,
            or,
            path,
            shape,
        })
    }

    pub(super) fn apply(&self, data: &Data<'_>, focus: &Term, out: &mut Vec<Violation>) {
        let values = data.values(focus, self.path.as_ref());
        let mut report = |value: Option<&Term>, default: String| {
            out.push(Violation {
                focus: focus.to_string(),
                path: self.path.to_string(),
                value: value.map(Term::to_string),
                message: self.message.clone().unwrap_or(default),
                shape: self.shape.clone(),
            })
        };
        if self.min_count.is_some_and(|m| values.len() < m) {
            report(
                None,
                format!(
                    "has {} value(s), at least {} required",
                    values.len(),
                    self.min_count.unwrap_or(0)
                ),
            );
        }
        if self.max_count.is_some_and(|m| values.len() > m) {
            report(
                None,
                format!(
                    "has {} value(s), at most {} allowed",
                    values.len(),
                    self.max_count.unwrap_or(0)
                ),
            );
        }
        if let Some(required) = &self.has_value {
            if !values.contains(required) {
                report(None, format!("must have the value {required}"));
            }
        }
        if self.unique_lang {
            let mut seen = HashSet::new();
            for v in &values {
                if let Term::Literal(l) = v {
                    if let Some(lang) = l.language() {
                        if !seen.insert(lang.to_ascii_lowercase()) {
                            report(Some(v), format!("more than one value tagged @{lang}"));
                        }
                    }
                }
            }
        }
        for value in &values {
            if let Some(problem) = self.value_problem(data, value) {
                report(Some(value), problem);
            }
        }
    }

    /// What is wrong with one value, if anything.
    fn value_problem(&self, data: &Data<'_>, value: &Term) -> Option<String> {
        if let Some(datatype) = &self.datatype {
            if !has_datatype(value, datatype) {
                return Some(format!("value must have datatype {datatype}"));
            }
        }
        for class in &self.class {
            if !data.has_type(value, class) {
                return Some(format!("value must be an instance of {class}"));
            }
        }
        if let Some(kind) = &self.node_kind {
            if !node_kind_matches(value, kind.as_str()) {
                return Some(format!("value must be of node kind {kind}"));
            }
        }
        if let Some(regex) = &self.pattern {
            let text = match value {
                Term::NamedNode(n) => n.as_str().to_owned(),
                Term::Literal(l) => l.value().to_owned(),
                other => other.to_string(),
            };
            if !regex.is_match(&text) {
                return Some(format!("value must match /{}/", regex.as_str()));
            }
        }
        if let Some(allowed) = &self.one_of {
            if !allowed.contains(value) {
                return Some("value is not one of the allowed values".into());
            }
        }
        if let Some(languages) = &self.language_in {
            let ok = matches!(value, Term::Literal(l) if l.language().is_some_and(|lang| {
                let lang = lang.to_ascii_lowercase();
                languages.iter().any(|want| lang == *want || lang.starts_with(&format!("{want}-")))
            }));
            if !ok {
                return Some(format!(
                    "value must be tagged with one of: {}",
                    languages.join(", ")
                ));
            }
        }
        let numeric = match value {
            Term::Literal(l) => l.value().parse::<f64>().ok(),
            _ => None,
        };
        if let Some(min) = self.min_inclusive {
            if numeric.is_none_or(|n| n < min) {
                return Some(format!("value must be at least {min}"));
            }
        }
        if let Some(max) = self.max_inclusive {
            if numeric.is_none_or(|n| n > max) {
                return Some(format!("value must be at most {max}"));
            }
        }
        if !self.or.is_empty()
            && !self.or.iter().any(|alt| match alt {
                Alternative::Datatype(d) => has_datatype(value, d),
                Alternative::Class(c) => data.has_type(value, c),
            })
        {
            return Some("value matches none of the sh:or alternatives".into());
        }
        None
    }
}

fn has_datatype(value: &Term, datatype: &NamedNode) -> bool {
    match value {
        Term::Literal(l) => {
            let d = l.datatype();
            d == datatype.as_ref() && (d != xsd::STRING || l.language().is_none())
                || (datatype.as_ref() == rdf::LANG_STRING && l.language().is_some())
        }
        _ => false,
    }
}

fn node_kind_matches(value: &Term, kind: &str) -> bool {
    let local = kind
        .strip_prefix("http://www.w3.org/ns/shacl#")
        .unwrap_or(kind);
    match value {
        Term::NamedNode(_) => matches!(local, "IRI" | "BlankNodeOrIRI" | "IRIOrLiteral"),
        Term::BlankNode(_) => {
            matches!(local, "BlankNode" | "BlankNodeOrIRI" | "BlankNodeOrLiteral")
        }
        Term::Literal(_) => matches!(local, "Literal" | "IRIOrLiteral" | "BlankNodeOrLiteral"),
        #[allow(unreachable_patterns)]
        _ => false,
    }
}
