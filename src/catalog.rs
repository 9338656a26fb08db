//! The saved-query catalog: `queries/*.rq` files with a header naming their title,
//! description and typed parameters.
//!
//! Header format (leading `#` lines; continuation lines are indented):
//!
//! ```text
//! # title: Everything known about one resource, by source document
//! # description: Every statement about ?entity, with the document that makes it.
//! # param: entity iri -- The resource to describe.
//! # example: entity=body:hlpdc
//! ```
//!
//! A parameter is bound as an RDF term of its type to the query variable of the same name
//! before evaluation (through the engine's variable substitution, never by pasting text
//! into the query), so a value can never change the query's structure.

use crate::prefixes;
use crate::query::{self, QueryError};
use oxigraph::model::vocab::xsd;
use oxigraph::model::{Literal, NamedNode, Term, Variable};
use spargebra::algebra::GraphPattern;
use spargebra::Query;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

/// Errors from the catalog: unknown queries, bad headers, bad parameter values.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// No saved query has this name.
    #[error("no saved query named '{name}'{}", suggestion.as_ref().map(|s| format!(" (did you mean '{s}'?)")).unwrap_or_default())]
    Unknown {
        /// The name asked for.
        name: String,
        /// The closest existing name, if any is close.
        suggestion: Option<String>,
    },
    /// A query file's header or text is malformed.
    #[error("{origin}: {message}")]
    Malformed {
        /// Where the query came from.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// The query text does not parse.
    #[error("{origin}: {source}")]
    Query {
        /// Where the query came from.
        origin: String,
        /// The parse error.
        source: QueryError,
    },
    /// A required parameter was not given.
    #[error("saved query '{query}' needs --param {name}=<{kind}> ({description})")]
    MissingParam {
        /// The saved query.
        query: String,
        /// The parameter.
        name: String,
        /// Its type.
        kind: ParamType,
        /// What it means.
        description: String,
    },
    /// A parameter value does not fit its type, or the parameter does not exist.
    #[error("parameter {name}: {message}")]
    BadParam {
        /// The parameter.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// A user query folder could not be read.
    #[error("cannot read {0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// The type of a saved-query parameter, which decides the RDF term it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// An IRI: `<http://...>`, `http://...` or a predeclared prefixed name (`body:hlpdc`).
    Iri,
    /// A plain string (`xsd:string`).
    String,
    /// An English string (`rdf:langString` tagged `en`).
    Text,
    /// An `xsd:integer`.
    Integer,
    /// An `xsd:decimal`.
    Decimal,
    /// An `xsd:date` (`2018-09-24`).
    Date,
    /// An `xsd:gYear` (`2021`).
    Year,
    /// An `xsd:boolean`.
    Boolean,
}

impl ParamType {
    const NAMES: [(&'static str, ParamType); 8] = [
        ("iri", ParamType::Iri),
        ("string", ParamType::String),
        ("text", ParamType::Text),
        ("integer", ParamType::Integer),
        ("decimal", ParamType::Decimal),
        ("date", ParamType::Date),
        ("year", ParamType::Year),
        ("boolean", ParamType::Boolean),
    ];

    /// Converts a command-line value into the RDF term of this type.
    pub fn term(self, value: &str) -> Result<Term, String> {
        let typed = |datatype, ok: bool| {
            if ok {
                Ok(Literal::new_typed_literal(value, datatype).into())
            } else {
                Err(format!("'{value}' is not a valid {self}"))
            }
        };
        match self {
            ParamType::Iri => parse_iri(value).map(Term::from),
            ParamType::String => Ok(Literal::new_simple_literal(value).into()),
            ParamType::Text => {
                Ok(Literal::new_language_tagged_literal_unchecked(value, "en").into())
            }
            ParamType::Integer => {
                typed(xsd::INTEGER, oxsdatatypes::Integer::from_str(value).is_ok())
            }
            ParamType::Decimal => {
                typed(xsd::DECIMAL, oxsdatatypes::Decimal::from_str(value).is_ok())
            }
            ParamType::Date => typed(xsd::DATE, oxsdatatypes::Date::from_str(value).is_ok()),
            ParamType::Year => typed(xsd::G_YEAR, oxsdatatypes::GYear::from_str(value).is_ok()),
            ParamType::Boolean => {
                typed(xsd::BOOLEAN, matches!(value, "true" | "false" | "1" | "0"))
            }
        }
    }
}

impl std::fmt::Display for ParamType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = ParamType::NAMES
            .iter()
            .find(|(_, t)| t == self)
            .map_or("?", |(n, _)| n);
        f.write_str(name)
    }
}

/// Reads an IRI given as `<...>`, an absolute IRI, or a predeclared prefixed name.
pub fn parse_iri(value: &str) -> Result<NamedNode, String> {
    let value = value.trim();
    let expanded = if let Some(inner) = value.strip_prefix('<').and_then(|v| v.strip_suffix('>')) {
        inner.to_owned()
    } else if value.contains("://") || value.starts_with("urn:") {
        value.to_owned()
    } else {
        prefixes::expand(value).ok_or_else(|| {
            format!("'{value}' is neither an IRI nor a prefixed name with a known prefix")
        })?
    };
    NamedNode::new(&expanded).map_err(|e| format!("'{expanded}' is not a valid IRI: {e}"))
}

/// One declared parameter of a saved query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The variable name, without `?`.
    pub name: String,
    /// Its type.
    pub kind: ParamType,
    /// The value used when none is given; `None` makes the parameter required.
    pub default: Option<String>,
    /// What it means.
    pub description: String,
}

/// A saved query: its header and text.
#[derive(Debug, Clone)]
pub struct SavedQuery {
    /// The name it is run by (the file stem).
    pub name: String,
    /// A one-line title.
    pub title: String,
    /// A longer description.
    pub description: String,
    /// Declared parameters, in header order.
    pub params: Vec<Param>,
    /// Example parameter values (`name=value`), for `list` and the docs.
    pub examples: Vec<(String, String)>,
    /// The SPARQL text.
    pub text: String,
    /// Where it came from (`bundled` or a path).
    pub origin: String,
}

impl SavedQuery {
    /// Reads a saved query from its text, checking header, syntax and parameters.
    pub fn parse(name: &str, text: &str, origin: &str) -> Result<Self, CatalogError> {
        let saved = Self::parse_header(name, text, origin)?;
        saved.check()?;
        Ok(saved)
    }

    /// Reads only the header; the query text is checked when run (bundled queries are
    /// checked by the test suite, so start-up does not parse all of them).
    pub fn parse_header(name: &str, text: &str, origin: &str) -> Result<Self, CatalogError> {
        let malformed = |message: String| CatalogError::Malformed {
            origin: origin.to_owned(),
            message,
        };
        let mut fields: Vec<(String, String)> = Vec::new();
        for line in text.lines().take_while(|l| l.starts_with('#')) {
            let body = line.trim_start_matches('#');
            if let Some((key, value)) = body
                .trim()
                .split_once(':')
                .filter(|_| !body.starts_with("  "))
            {
                fields.push((key.trim().to_owned(), value.trim().to_owned()));
            } else if let Some(last) = fields.last_mut() {
                if !body.trim().is_empty() {
                    last.1.push(' ');
                    last.1.push_str(body.trim());
                }
            }
        }
        let field = |key: &str| {
            fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let title =
            field("title").ok_or_else(|| malformed("missing '# title:' header line".into()))?;
        let mut params = Vec::new();
        let mut examples = Vec::new();
        for (key, value) in &fields {
            match key.as_str() {
                "param" => params.push(parse_param(value).map_err(&malformed)?),
                "example" => {
                    for pair in value.split_whitespace() {
                        let (k, v) = pair.split_once('=').ok_or_else(|| {
                            malformed(format!("example '{pair}' is not name=value"))
                        })?;
                        examples.push((k.to_owned(), v.to_owned()));
                    }
                }
                _ => {}
            }
        }
        Ok(SavedQuery {
            name: name.to_owned(),
            title,
            description: field("description").unwrap_or_default(),
            params,
            examples,
            text: text.to_owned(),
            origin: origin.to_owned(),
        })
    }

    /// Checks that the query parses and that every parameter can be bound.
    pub fn check(&self) -> Result<(), CatalogError> {
        let parsed = self.parse_query()?;
        for param in &self.params {
            if !binds(&parsed, &param.name) {
                return Err(CatalogError::Malformed {
                    origin: self.origin.clone(),
                    message: format!(
                        "parameter ?{} must be projected by the SELECT clause (or be used by an ASK/CONSTRUCT/DESCRIBE pattern)",
                        param.name
                    ),
                });
            }
        }
        Ok(())
    }

    /// Parses the query text (with the predeclared prefixes).
    pub fn parse_query(&self) -> Result<Query, CatalogError> {
        query::parse(&self.text).map_err(|source| CatalogError::Query {
            origin: self.origin.clone(),
            source,
        })
    }

    /// Turns `name=value` arguments into variable bindings, checking names and types and
    /// filling in defaults; a missing required parameter is an error.
    pub fn bind(&self, args: &[(String, String)]) -> Result<Vec<(Variable, Term)>, CatalogError> {
        for (name, _) in args {
            if !self.params.iter().any(|p| &p.name == name) {
                let known: Vec<&str> = self.params.iter().map(|p| p.name.as_str()).collect();
                return Err(CatalogError::BadParam {
                    name: name.clone(),
                    message: if known.is_empty() {
                        format!("saved query '{}' takes no parameters", self.name)
                    } else {
                        format!(
                            "saved query '{}' has no such parameter (it takes: {})",
                            self.name,
                            known.join(", ")
                        )
                    },
                });
            }
        }
        let mut bindings = Vec::new();
        for param in &self.params {
            let value = args
                .iter()
                .rev()
                .find(|(n, _)| n == &param.name)
                .map(|(_, v)| v.clone())
                .or_else(|| param.default.clone());
            let Some(value) = value else {
                return Err(CatalogError::MissingParam {
                    query: self.name.clone(),
                    name: param.name.clone(),
                    kind: param.kind,
                    description: param.description.clone(),
                });
            };
            let term = param
                .kind
                .term(&value)
                .map_err(|message| CatalogError::BadParam {
                    name: param.name.clone(),
                    message,
                })?;
            bindings.push((Variable::new_unchecked(param.name.clone()), term));
        }
        Ok(bindings)
    }
}

/// `NAME TYPE [= DEFAULT] -- DESCRIPTION`
fn parse_param(spec: &str) -> Result<Param, String> {
    let (head, description) = spec.split_once("--").unwrap_or((spec, ""));
    let (head, default) = match head.split_once('=') {
        Some((h, d)) => (h, Some(d.trim().to_owned())),
        None => (head, None),
    };
    let mut words = head.split_whitespace();
    let name = words
        .next()
        .ok_or("a param line needs a name")?
        .trim_start_matches('?');
    let kind_name = words
        .next()
        .ok_or_else(|| format!("param {name} needs a type"))?;
    let kind = ParamType::NAMES
        .iter()
        .find(|(n, _)| *n == kind_name)
        .map(|(_, t)| *t)
        .ok_or_else(|| format!("param {name}: unknown type '{kind_name}' (use iri, string, text, integer, decimal, date, year or boolean)"))?;
    if let Some(d) = &default {
        kind.term(d)
            .map_err(|e| format!("param {name}: bad default: {e}"))?;
    }
    Ok(Param {
        name: name.to_owned(),
        kind,
        default,
        description: description.trim().to_owned(),
    })
}

/// Whether a variable can be bound before evaluation: projected by a SELECT, or in scope of
/// the pattern of any other query form.
fn binds(query: &Query, name: &str) -> bool {
    match query {
        Query::Select { pattern, .. } => projected(pattern, name),
        _ => true,
    }
}

fn projected(pattern: &GraphPattern, name: &str) -> bool {
    match pattern {
        GraphPattern::Project { variables, .. } => variables.iter().any(|v| v.as_str() == name),
        GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. } => projected(inner, name),
        // SELECT * has no Project node: every in-scope variable is projected.
        _ => true,
    }
}

/// The user's own saved-query folder (`$XDG_DATA_HOME/digicoop/queries`, e.g.
/// `~/.local/share/digicoop/queries`), where the shell's `.save` writes; read on every start.
pub fn user_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("digicoop").join("queries"))
}

/// All saved queries, by name: the bundled ones plus any user folders.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    queries: BTreeMap<String, SavedQuery>,
}

impl Catalog {
    /// The queries compiled into the binary.
    pub fn bundled() -> Result<Self, CatalogError> {
        let mut catalog = Catalog::default();
        for (name, text) in BUNDLED_QUERIES {
            let saved = SavedQuery::parse_header(name, text, &format!("queries/{name}.rq"))?;
            catalog.queries.insert((*name).to_owned(), saved);
        }
        Ok(catalog)
    }

    /// Adds every `*.rq` file of a folder; a user query replaces a bundled one of the same name.
    pub fn add_dir(&mut self, dir: &Path) -> Result<usize, CatalogError> {
        let entries = fs::read_dir(dir).map_err(|e| CatalogError::Io(dir.to_owned(), e))?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "rq"))
            .collect();
        paths.sort();
        for path in &paths {
            let text = fs::read_to_string(path).map_err(|e| CatalogError::Io(path.clone(), e))?;
            let name = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let saved = SavedQuery::parse(&name, &text, &path.display().to_string())?;
            self.queries.insert(name, saved);
        }
        Ok(paths.len())
    }

    /// The saved query of that name, or an error suggesting the closest name.
    pub fn get(&self, name: &str) -> Result<&SavedQuery, CatalogError> {
        self.queries.get(name).ok_or_else(|| CatalogError::Unknown {
            name: name.to_owned(),
            suggestion: closest(name, self.queries.keys().map(String::as_str)),
        })
    }

    /// Every saved query, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &SavedQuery> {
        self.queries.values()
    }

    /// How many saved queries there are.
    pub fn len(&self) -> usize {
        self.queries.len()
    }

    /// Whether the catalog is empty.
    pub fn is_empty(&self) -> bool {
        self.queries.is_empty()
    }
}

/// The candidate closest to `word` (Jaro-Winkler), if it is reasonably close.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    candidates
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESCRIBE: &str = "# title: Describe\n# description: Everything about\n#   one entity.\n# param: entity iri -- The resource.\n# param: limit integer = 10 -- At most.\n# example: entity=body:hlpdc\nSELECT ?entity ?p ?o ?limit WHERE { ?entity ?p ?o }\n";

    #[test]
    fn parses_header_with_continuations_and_params() {
        let q = SavedQuery::parse("describe", DESCRIBE, "test").unwrap();
        assert_eq!(q.title, "Describe");
        assert_eq!(q.description, "Everything about one entity.");
        assert_eq!(q.params.len(), 2);
        assert_eq!(q.params[1].default.as_deref(), Some("10"));
        assert_eq!(
            q.examples,
            vec![("entity".to_owned(), "body:hlpdc".to_owned())]
        );
    }

    #[test]
    fn binds_typed_terms_and_defaults() {
        let q = SavedQuery::parse("describe", DESCRIBE, "test").unwrap();
        let b = q.bind(&[("entity".into(), "body:hlpdc".into())]).unwrap();
        assert_eq!(b[0].1.to_string(), "<https://w3id.org/digicoop/body/hlpdc>");
        assert_eq!(
            b[1].1.to_string(),
            "\"10\"^^<http://www.w3.org/2001/XMLSchema#integer>"
        );
    }

    #[test]
    fn refuses_missing_unknown_and_ill_typed_parameters() {
        let q = SavedQuery::parse("describe", DESCRIBE, "test").unwrap();
        assert!(matches!(
            q.bind(&[]),
            Err(CatalogError::MissingParam { .. })
        ));
        assert!(matches!(
            q.bind(&[
                ("entity".into(), "body:hlpdc".into()),
                ("nope".into(), "1".into())
            ]),
            Err(CatalogError::BadParam { .. })
        ));
        let err = q
            .bind(&[
                ("entity".into(), "body:hlpdc".into()),
                ("limit".into(), "ten".into()),
            ])
            .unwrap_err();
        assert!(
            err.to_string().contains("'ten' is not a valid integer"),
            "{err}"
        );
        // An injection attempt is just an invalid IRI, never query text.
        let err = q
            .bind(&[("entity".into(), "<x> } ; DROP ALL #".into())])
            .unwrap_err();
        assert!(matches!(err, CatalogError::BadParam { .. }));
    }

    #[test]
    fn a_parameter_must_be_projected() {
        let text = "# title: T\n# param: x iri -- X\nSELECT ?y WHERE { ?x ?p ?y }\n";
        assert!(matches!(
            SavedQuery::parse("t", text, "t"),
            Err(CatalogError::Malformed { .. })
        ));
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(
            closest("memebrs", ["members", "timeline"].into_iter()).as_deref(),
            Some("members")
        );
        assert_eq!(closest("zzz", ["members"].into_iter()), None);
    }

    #[test]
    fn every_bundled_query_parses() {
        let catalog = Catalog::bundled().unwrap();
        assert!(catalog.len() >= 12, "only {} saved queries", catalog.len());
        for saved in catalog.iter() {
            saved.check().unwrap_or_else(|e| panic!("{e}"));
            assert!(
                !saved.description.is_empty(),
                "{} has no description",
                saved.name
            );
            for (name, value) in &saved.examples {
                let param = saved
                    .params
                    .iter()
                    .find(|p| &p.name == name)
                    .expect("example names a param");
                param
                    .kind
                    .term(value)
                    .unwrap_or_else(|e| panic!("{}: {e}", saved.name));
            }
        }
    }
}
