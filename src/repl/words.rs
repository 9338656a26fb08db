//! What Tab can offer: keywords, prefixes, the store's prefixed names and their labels,
//! variables, dot-commands and saved queries. Built once from the session, rebuilt when
//! `.load`, `.prefix` or `.save` change it.

use super::dot;
use super::input::{self, KEYWORDS};
use crate::format::Format;
use crate::prefixes;
use crate::query::{self, RunOptions};
use crate::session::Session;
use clap::ValueEnum;
use oxigraph::model::{NamedNode, Term};
use oxigraph::sparql::QueryResults;
use rustyline::completion::Pair;
use std::collections::BTreeSet;

/// Offer at most this many label matches (a short word can match hundreds).
const MAX_LABEL_MATCHES: usize = 60;

/// Every IRI of the graph (subjects, predicates, objects, graph names).
const NAMES_QUERY: &str = "SELECT DISTINCT ?iri WHERE {
  { ?iri ?p ?o } UNION { ?s ?iri ?o } UNION { ?s ?p ?iri } UNION { GRAPH ?iri { ?s ?p ?o } }
  FILTER(isIRI(?iri))
}";

/// English (or untagged) labels: preferred labels, labels, names, alternative labels.
const LABELS_QUERY: &str = "SELECT DISTINCT ?label ?iri WHERE {
  ?iri skos:prefLabel|rdfs:label|foaf:name|skos:altLabel ?label
  FILTER(isIRI(?iri) && (lang(?label) = \"\" || langMatches(lang(?label), \"en\")))
}";

/// Runs one of the queries above on the session's graph; each row's terms.
fn rows(session: &Session, text: &str) -> Vec<Vec<Term>> {
    let Ok(parsed) = query::parse(text) else {
        return Vec::new();
    };
    let Ok(execution) = query::execute_on(session.target(), parsed, &RunOptions::default()) else {
        return Vec::new();
    };
    let QueryResults::Solutions(solutions) = execution.results else {
        return Vec::new();
    };
    solutions
        .filter_map(Result::ok)
        .map(|s| s.values().iter().flatten().cloned().collect())
        .collect()
}

/// How many triples (counted once per graph) and named graphs the session's graph holds.
pub(crate) fn size(session: &Session) -> (u64, u64) {
    let text = "SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?g) AS ?graphs) WHERE { GRAPH ?g { ?s ?p ?o } }";
    let number = |t: &Term| match t {
        Term::Literal(l) => l.value().parse().unwrap_or(0),
        _ => 0,
    };
    match rows(session, text).first().map(Vec::as_slice) {
        Some([triples, graphs]) => (number(triples), number(graphs)),
        _ => (0, 0),
    }
}

/// Every English label in the graph with the resource it names, sorted.
pub(crate) fn labels(session: &Session) -> Vec<(String, NamedNode)> {
    let mut found: Vec<(String, NamedNode)> = rows(session, LABELS_QUERY)
        .into_iter()
        .filter_map(|row| match <[Term; 2]>::try_from(row) {
            Ok([Term::Literal(label), Term::NamedNode(node)]) => {
                Some((label.value().to_owned(), node))
            }
            _ => None,
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The completion vocabulary of a session.
#[derive(Debug, Clone, Default)]
pub(crate) struct Words {
    /// Declared prefixes: (name, namespace).
    pub prefixes: Vec<(String, String)>,
    /// Every IRI in the store that has a prefixed name, as that name; sorted.
    pub names: Vec<String>,
    /// (label, prefixed name) for resources with a label and a prefixed name.
    pub labels: Vec<(String, String)>,
    /// Saved queries: name and parameter names.
    pub queries: Vec<(String, Vec<String>)>,
}

impl Words {
    /// Collects the words from the session's prefixes, store and catalog.
    pub fn from_session(session: &Session) -> Self {
        let prefixes: Vec<(String, String)> = session
            .prefixes()
            .into_iter()
            .map(|(p, n)| (p.to_owned(), n.to_owned()))
            .collect();
        let compact = |iri: &str| {
            prefixes::compact_with(iri, prefixes.iter().map(|(p, n)| (p.as_str(), n.as_str())))
        };
        let names: BTreeSet<String> = rows(session, NAMES_QUERY)
            .into_iter()
            .flatten()
            .filter_map(|iri| match iri {
                Term::NamedNode(n) => compact(n.as_str()),
                _ => None,
            })
            .collect();
        let labels = labels(session)
            .into_iter()
            .filter_map(|(label, node)| Some((label, compact(node.as_str())?)))
            .collect();
        let queries = session
            .catalog
            .iter()
            .map(|q| {
                (
                    q.name.clone(),
                    q.params.iter().map(|p| p.name.clone()).collect(),
                )
            })
            .collect();
        Words {
            prefixes,
            names: names.into_iter().collect(),
            labels,
            queries,
        }
    }

    /// Candidates for the word ending at `pos` in `line`; `pending` holds the earlier lines
    /// of the query being typed. Returns where the word starts and the candidates.
    pub fn complete(&self, pending: &str, line: &str, pos: usize) -> (usize, Vec<Pair>) {
        if pending.is_empty() && line.trim_start().starts_with('.') {
            return self.complete_dot(line, pos);
        }
        let start = word_start(line, pos);
        let word = &line[start..pos];
        let mut text = pending.to_owned();
        text.push('\n');
        text.push_str(line);
        (start, self.complete_query_word(word, &text))
    }

    fn complete_query_word(&self, word: &str, text: &str) -> Vec<Pair> {
        if word.is_empty() {
            return Vec::new();
        }
        if word.starts_with(['?', '$']) {
            let sigil = &word[..1];
            return input::variables(text)
                .into_iter()
                .map(|v| format!("{sigil}{}", &v[1..]))
                .filter(|v| v.starts_with(word) && v != word)
                .map(plain)
                .collect();
        }
        if word.contains(':') {
            return self.names_starting(word);
        }
        let lower = word.to_lowercase();
        let upper_case = word.chars().any(char::is_uppercase);
        let mut out: Vec<Pair> = KEYWORDS
            .iter()
            .filter(|k| k.to_lowercase().starts_with(&lower))
            .map(|k| {
                plain(if upper_case {
                    k.to_string()
                } else {
                    k.to_lowercase()
                })
            })
            .collect();
        out.extend(
            self.prefixes
                .iter()
                .filter(|(p, _)| p.starts_with(word))
                .map(|(p, _)| plain(format!("{p}:"))),
        );
        out.extend(self.labels_matching(word));
        out
    }

    /// Prefixed names starting with `word` (prefix exact, local part in any case).
    fn names_starting(&self, word: &str) -> Vec<Pair> {
        let exact: Vec<Pair> = self
            .names
            .iter()
            .filter(|n| n.starts_with(word))
            .map(|n| plain(n.clone()))
            .collect();
        if !exact.is_empty() {
            return exact;
        }
        let lower = word.to_lowercase();
        self.names
            .iter()
            .filter(|n| n.to_lowercase().starts_with(&lower))
            .map(|n| plain(n.clone()))
            .collect()
    }

    /// Resources whose label, or a word of it, starts with `word` (two letters at least):
    /// shown with the label, completed to the prefixed name.
    pub fn labels_matching(&self, word: &str) -> Vec<Pair> {
        if word.chars().count() < 2 {
            return Vec::new();
        }
        let lower = word.to_lowercase();
        // Labels that start with the word come first, shortest first; then labels with a
        // later word that starts with it.
        let mut found: Vec<(bool, usize, &str, &str)> = self
            .labels
            .iter()
            .filter_map(|(label, name)| {
                let folded = label.to_lowercase();
                let starts = folded.starts_with(&lower);
                let inside = folded
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| w.starts_with(&lower));
                (starts || inside).then_some((!starts, label.len(), label.as_str(), name.as_str()))
            })
            .collect();
        found.sort();
        let mut seen = BTreeSet::new();
        found
            .into_iter()
            .filter(|(_, _, _, name)| seen.insert(*name))
            .take(MAX_LABEL_MATCHES)
            .map(|(_, _, label, name)| Pair {
                display: format!("{name} ({label})"),
                replacement: name.to_owned(),
            })
            .collect()
    }

    fn complete_dot(&self, line: &str, pos: usize) -> (usize, Vec<Pair>) {
        let before = &line[..pos];
        let start = before
            .rfind(char::is_whitespace)
            .map_or(before.len() - before.trim_start().len(), |i| i + 1);
        let word = &line[start..pos];
        let mut args = before.split_whitespace();
        let command = args.next().unwrap_or_default().trim_start_matches('.');
        if start <= line.len() - line.trim_start().len() {
            let names = dot::names()
                .filter(|n| n.starts_with(word.trim_start_matches('.')))
                .map(|n| plain(format!(".{n}")))
                .collect();
            return (start, names);
        }
        let index = before.split_whitespace().count() - usize::from(!word.is_empty());
        let choose = |options: &[&str]| {
            options
                .iter()
                .filter(|o| o.starts_with(word))
                .map(|o| plain(o.to_string()))
                .collect::<Vec<_>>()
        };
        let candidates = match (command, index) {
            ("run" | "queries", 1) => self
                .queries
                .iter()
                .filter(|(n, _)| n.starts_with(word))
                .map(|(n, _)| plain(n.clone()))
                .collect(),
            ("run", _) => {
                let name = before.split_whitespace().nth(1).unwrap_or_default();
                if let Some((_, value)) = word.split_once('=') {
                    let at = start + word.len() - value.len();
                    return (at, self.complete_term(value));
                }
                self.queries
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, params)| {
                        params
                            .iter()
                            .filter(|p| p.starts_with(word) && !before.contains(&format!(" {p}=")))
                            .map(|p| plain(format!("{p}=")))
                            .collect()
                    })
                    .unwrap_or_default()
            }
            ("format", 1) => {
                let formats: Vec<String> = Format::value_variants()
                    .iter()
                    .filter_map(|f| Some(f.to_possible_value()?.get_name().to_owned()))
                    .collect();
                choose(&formats.iter().map(String::as_str).collect::<Vec<_>>())
            }
            ("export", 2) => choose(&["turtle", "trig", "ntriples", "nquads", "rdfxml", "jsonld"]),
            ("labels" | "sources" | "timer", 1) => choose(&["on", "off"]),
            ("timeout", 1) => choose(&["off"]),
            ("help", 1) => dot::names()
                .filter(|n| n.starts_with(word.trim_start_matches('.')))
                .map(|n| plain(n.to_owned()))
                .collect(),
            ("describe", _) | ("load", 2) => self.complete_term(word),
            _ => Vec::new(),
        };
        (start, candidates)
    }

    /// A resource: prefixed names when the word has a colon, else prefixes and labels.
    fn complete_term(&self, word: &str) -> Vec<Pair> {
        if word.contains(':') {
            return self.names_starting(word);
        }
        let mut out: Vec<Pair> = self
            .prefixes
            .iter()
            .filter(|(p, _)| !word.is_empty() && p.starts_with(word))
            .map(|(p, _)| plain(format!("{p}:")))
            .collect();
        out.extend(self.labels_matching(word));
        out
    }
}

fn plain(text: String) -> Pair {
    Pair {
        display: text.clone(),
        replacement: text,
    }
}

/// Where the word ending at `pos` starts: names, variables and keywords, not punctuation.
pub(crate) fn word_start(line: &str, pos: usize) -> usize {
    let before = &line[..pos];
    let mut start = pos;
    for (i, c) in before.char_indices().rev() {
        if c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '.' | '?' | '$' | '\u{b7}') {
            start = i;
        } else {
            break;
        }
    }
    // A word never starts with a dot (it ends the previous triple) ...
    while line[start..pos].starts_with('.') {
        start += 1;
    }
    // ... and a variable ends at a dot (`?o.foaf:` starts a new triple).
    if let Some(i) = line[start..pos].rfind(['?', '$']) {
        start += i;
        if let Some(dot) = line[start..pos].rfind('.') {
            start += dot + 1;
        }
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> Words {
        Words {
            prefixes: vec![
                ("person".into(), "https://w3id.org/digicoop/person/".into()),
                ("foaf".into(), "http://xmlns.com/foaf/0.1/".into()),
            ],
            names: vec![
                "foaf:Person".into(),
                "foaf:name".into(),
                "person:cerf-vinton".into(),
                "person:guterres-antonio".into(),
            ],
            labels: vec![
                ("Antonio Guterres".into(), "person:guterres-antonio".into()),
                ("Vinton Cerf".into(), "person:cerf-vinton".into()),
            ],
            queries: vec![
                ("describe".into(), vec!["entity".into()]),
                ("roadmap-to-gdc".into(), vec![]),
            ],
        }
    }

    fn replacements(pairs: (usize, Vec<Pair>)) -> (usize, Vec<String>) {
        (
            pairs.0,
            pairs.1.into_iter().map(|p| p.replacement).collect(),
        )
    }

    #[test]
    fn completes_names_keywords_prefixes_and_labels() {
        let w = words();
        assert_eq!(
            replacements(w.complete("", "SELECT * { person:cerf-v", 24)),
            (11, vec!["person:cerf-vinton".to_owned()])
        );
        assert_eq!(replacements(w.complete("", "sel", 3)).1, vec!["select"]);
        assert_eq!(
            replacements(w.complete("", "(COU", 4)),
            (1, vec!["COUNT".into()])
        );
        assert_eq!(
            replacements(w.complete("", "{ ?s a fo", 9)).1,
            vec!["foaf:"]
        );
        let (_, pairs) = w.complete("", "{ ?s ?p Vinton", 14);
        assert_eq!(pairs[0].replacement, "person:cerf-vinton");
        assert_eq!(pairs[0].display, "person:cerf-vinton (Vinton Cerf)");
        // A word inside a label matches too; one letter is too little.
        assert_eq!(
            replacements(w.complete("", "cerf", 4)).1,
            vec!["person:cerf-vinton"]
        );
        assert!(w.labels_matching("v").is_empty());
    }

    #[test]
    fn completes_variables_from_the_whole_query() {
        let w = words();
        let pending = "SELECT ?name ?nation";
        assert_eq!(
            replacements(w.complete(pending, "WHERE { ?p foaf:name ?na", 24)).1,
            vec!["?name", "?nation"]
        );
    }

    #[test]
    fn completes_dot_commands_and_their_arguments() {
        let w = words();
        assert_eq!(
            replacements(w.complete("", ".form", 5)),
            (0, vec![".format".into()])
        );
        assert_eq!(
            replacements(w.complete("", ".run road", 9)),
            (5, vec!["roadmap-to-gdc".into()])
        );
        assert_eq!(
            replacements(w.complete("", ".run describe e", 15)),
            (14, vec!["entity=".into()])
        );
        assert_eq!(
            replacements(w.complete("", ".run describe entity=person:g", 29)),
            (21, vec!["person:guterres-antonio".into()])
        );
        assert_eq!(
            replacements(w.complete("", ".format ts", 10)).1,
            vec!["tsv"]
        );
        assert_eq!(
            replacements(w.complete("", ".timer o", 8)).1,
            vec!["on", "off"]
        );
        assert_eq!(
            replacements(w.complete("", ".describe Antonio", 17)).1,
            vec!["person:guterres-antonio"]
        );
    }

    #[test]
    fn words_start_after_punctuation() {
        assert_eq!(word_start("{ ?s ?p ?o.foaf", 15), 11);
        assert_eq!(word_start("(?x", 3), 1);
        assert_eq!(word_start("FILTER(?a=?b", 12), 10);
    }
}
