//! The prefixes digicoop predeclares in queries and uses to print and export IRIs.

/// The project's namespace: every IRI the bundled graph mints, its graph names included,
/// starts with it.
pub const BASE: &str = "https://w3id.org/digicoop/";

/// Every predeclared prefix and its namespace, sorted by prefix name.
///
/// A query may use any of these without a `PREFIX` line; its own `PREFIX` lines win.
pub const PREFIXES: &[(&str, &str)] = &[
    ("area", "https://w3id.org/digicoop/roadmap-action-areas/"),
    ("bibo", "http://purl.org/ontology/bibo/"),
    ("body", "https://w3id.org/digicoop/body/"),
    ("concept", "https://w3id.org/digicoop/concept/"),
    (
        "country",
        "http://publications.europa.eu/resource/authority/country/",
    ),
    ("curation", "https://w3id.org/digicoop/curation/"),
    ("dco", "https://w3id.org/digicoop/ontology#"),
    ("dcr", BASE),
    ("dcs", "https://w3id.org/digicoop/shapes#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("doc", "https://w3id.org/digicoop/doc/"),
    ("event", "https://w3id.org/digicoop/event/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    (
        "focus",
        "https://w3id.org/digicoop/first-meeting-focus-areas/",
    ),
    ("graph", "https://w3id.org/digicoop/graph/"),
    ("initiative", "https://w3id.org/digicoop/initiative/"),
    ("membership", "https://w3id.org/digicoop/membership/"),
    ("milestone", "https://w3id.org/digicoop/milestone/"),
    ("objective", "https://w3id.org/digicoop/gdc-objectives/"),
    ("org", "http://www.w3.org/ns/org#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("person", "https://w3id.org/digicoop/person/"),
    ("place", "https://w3id.org/digicoop/place/"),
    ("post", "https://w3id.org/digicoop/post/"),
    ("principle", "https://w3id.org/digicoop/gdc-principles/"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("question", "https://w3id.org/digicoop/question/"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("schema", "http://schema.org/"),
    ("sdg", "http://metadata.un.org/sdg/"),
    ("semapv", "https://w3id.org/semapv/vocab/"),
    ("sh", "http://www.w3.org/ns/shacl#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("sssom", "https://w3id.org/sssom/"),
    ("statement", "https://w3id.org/digicoop/statement/"),
    ("timeline", "https://w3id.org/digicoop/timeline/"),
    ("un75", "https://w3id.org/digicoop/un75-commitments/"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// Looks up the namespace of a predeclared prefix.
pub fn namespace(prefix: &str) -> Option<&'static str> {
    PREFIXES
        .binary_search_by(|(p, _)| (*p).cmp(prefix))
        .ok()
        .map(|i| PREFIXES[i].1)
}

/// Expands `prefix:local` with the predeclared prefixes; `None` if the prefix is unknown.
pub fn expand(name: &str) -> Option<String> {
    let (prefix, local) = name.split_once(':')?;
    namespace(prefix).map(|ns| format!("{ns}{local}"))
}

/// Shortens an IRI to `prefix:local` with the longest matching namespace, when the local
/// part is a valid (unescaped) SPARQL/Turtle local name; `None` otherwise.
pub fn compact(iri: &str) -> Option<String> {
    compact_with(iri, PREFIXES.iter().copied())
}

/// Like [`compact`], over any prefix list (e.g. one extended by `.prefix` in the shell).
pub fn compact_with<'a>(
    iri: &str,
    prefixes: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Option<String> {
    prefixes
        .into_iter()
        .filter(|(_, ns)| iri.starts_with(ns) && is_local_name(&iri[ns.len()..]))
        .max_by_key(|(_, ns)| ns.len())
        .map(|(p, ns)| format!("{p}:{}", &iri[ns.len()..]))
}

/// Whether `local` can follow `prefix:` without escapes (a conservative PN_LOCAL subset).
pub fn is_local_name(local: &str) -> bool {
    let ok_char = |c: char| c.is_alphanumeric() || c == '_' || c == '-' || c == '.';
    !local.is_empty()
        && local.chars().all(ok_char)
        && !local.starts_with(['-', '.'])
        && !local.ends_with('.')
}

/// Whether a namespace belongs to the project's own data (used to pick export prefixes).
pub fn is_project_namespace(ns: &str) -> bool {
    ns.starts_with(BASE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_sorted_and_unique() {
        assert!(PREFIXES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn expands_and_compacts() {
        assert_eq!(
            expand("area:1").as_deref(),
            Some("https://w3id.org/digicoop/roadmap-action-areas/1")
        );
        assert_eq!(expand("nope:1"), None);
        assert_eq!(
            compact("https://w3id.org/digicoop/person/cerf-vinton").as_deref(),
            Some("person:cerf-vinton")
        );
        // The longest namespace wins over dcr:.
        assert_eq!(
            compact("https://w3id.org/digicoop/roadmap-action-areas/8").as_deref(),
            Some("area:8")
        );
        assert_eq!(
            compact("https://w3id.org/digicoop/roadmap-action-areas").as_deref(),
            Some("dcr:roadmap-action-areas")
        );
        assert_eq!(
            compact("http://metadata.un.org/sdg/17").as_deref(),
            Some("sdg:17")
        );
    }

    #[test]
    fn refuses_locals_that_need_escapes() {
        assert_eq!(compact("https://w3id.org/digicoop/a/b/c"), None);
        assert_eq!(compact("http://example.org/x"), None);
        assert!(!is_local_name("a."));
        assert!(!is_local_name(""));
    }
}
