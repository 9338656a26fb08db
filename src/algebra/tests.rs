//! Binding in the algebra: the text sent to an endpoint keeps the query's structure whatever
//! the values hold, and gives the answers Oxigraph's own substitution gives.

use super::*;
use crate::catalog::Catalog;
use crate::query::{self, RunOptions, Target};
use oxigraph::model::{Literal, NamedNode};
use oxigraph::sparql::QueryResults;
use spargebra::SparqlParser;

/// Every answer of a query on the bundled graph, one sorted line each (blank nodes blurred).
fn answers(parsed: Query, bindings: Vec<(Variable, Term)>) -> Vec<String> {
    let options = RunOptions {
        bindings,
        ..RunOptions::default()
    };
    let show = |t: &Term| match t {
        Term::BlankNode(_) => "_:b".to_owned(),
        t => t.to_string(),
    };
    let mut lines: Vec<String> = match query::execute_on(Target::Bundle, parsed, &options)
        .unwrap()
        .results
    {
        QueryResults::Solutions(solutions) => solutions
            .map(|s| {
                let s = s.unwrap();
                let cells: Vec<String> = s
                    .values()
                    .iter()
                    .map(|t| t.as_ref().map(show).unwrap_or_default())
                    .collect();
                cells.join("\t")
            })
            .collect(),
        QueryResults::Boolean(b) => vec![b.to_string()],
        QueryResults::Graph(triples) => triples
            .map(|t| {
                let t = t.unwrap();
                format!(
                    "{} {} {}",
                    show(&t.subject.into()),
                    t.predicate,
                    show(&t.object)
                )
            })
            .collect(),
    };
    lines.sort();
    lines
}

/// The query as an endpoint receives it: bound, written as text, parsed with no prefixes.
fn sent(text: &str, bindings: &[(Variable, Term)]) -> (String, Query) {
    let bound = bind(query::parse(text).unwrap(), bindings).unwrap();
    let text = bound.to_string();
    let reparsed = SparqlParser::new()
        .parse_query(&text)
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    (text, reparsed)
}

fn var(name: &str) -> Variable {
    Variable::new(name).unwrap()
}

#[test]
fn bound_text_answers_like_oxigraph_substitution() {
    let catalog = Catalog::bundled().unwrap();
    let mut compared = 0;
    for saved in catalog.iter() {
        let bindings = saved.bind(&saved.examples).unwrap();
        let local = answers(query::parse(&saved.text).unwrap(), bindings.clone());
        let (text, remote) = sent(&saved.text, &bindings);
        assert_eq!(
            answers(remote, Vec::new()),
            local,
            "{}:\n{text}",
            saved.name
        );
        assert!(
            !local.is_empty() || saved.name == "is-panel-member",
            "{}",
            saved.name
        );
        compared += 1;
    }
    assert!(compared >= 15);
}

#[test]
fn scoping_minus_subqueries_and_filters_follow_substitution() {
    let area = NamedNode::new("https://w3id.org/digicoop/roadmap-action-areas/1").unwrap();
    let cases = [
        // The parameter only appears in a FILTER: every solution must carry it.
        "SELECT ?a ?l WHERE { ?a skos:prefLabel ?l FILTER(?a = ?a) }",
        // MINUS must still share the variable with the bound side.
        "SELECT ?a ?n WHERE { ?a skos:notation ?n MINUS { ?a a dco:Objective } }",
        // A sub-query that does not project ?a has its own ?a.
        "SELECT ?a ?c WHERE { ?a skos:notation ?n { SELECT (COUNT(*) AS ?c) WHERE { ?a skos:prefLabel ?x } } }",
        // A sub-query that projects it is restricted by it.
        "SELECT ?a ?l WHERE { { SELECT ?a ?l WHERE { ?a skos:prefLabel ?l } } }",
        "SELECT ?a (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?p ?o } } GROUP BY ?a",
        "SELECT ?a ?l WHERE { { ?a rdfs:label ?l } UNION { ?x skos:prefLabel ?l } } LIMIT 400",
        "SELECT ?a WHERE { FILTER NOT EXISTS { ?a a dco:Objective } }",
        "SELECT * WHERE { ?a skos:prefLabel ?l OPTIONAL { ?a skos:notation ?n } }",
        "ASK { ?a a dco:ActionArea }",
        "CONSTRUCT { ?a rdfs:comment ?l } WHERE { ?a skos:prefLabel ?l }",
    ];
    for text in cases {
        let bindings = vec![(var("a"), Term::from(area.clone()))];
        let local = answers(query::parse(text).unwrap(), bindings.clone());
        let (sent_text, remote) = sent(text, &bindings);
        assert_eq!(answers(remote, Vec::new()), local, "{text}\n{sent_text}");
    }
}

#[test]
fn malicious_values_stay_one_literal() {
    let text = "SELECT ?text ?r WHERE { ?r rdfs:label ?l FILTER(CONTAINS(?l, ?text)) }";
    let plain = query::parse(text).unwrap();
    let attacks = [
        "x\" } UNION { ?s ?p ?o } #",
        "x\"\"\" . ?s ?p ?o } #",
        "x' } ; DROP ALL ; #",
        "\\\" } SERVICE <http://evil.example/> { ?s ?p ?o } #",
        "line\n} LIMIT 0 #\r\n",
        "> <http://evil.example/> \u{0}\u{7f}\u{2028}",
    ];
    for attack in attacks {
        let bindings = vec![(var("text"), Literal::new_simple_literal(attack).into())];
        let bound = bind(plain.clone(), &bindings).unwrap();
        let (sent_text, reparsed) = sent(text, &bindings);
        // The text the server gets denotes exactly the bound algebra ...
        assert_eq!(reparsed, bound, "{sent_text}");
        // ... which is the original query with the value in VALUES tables, nothing more.
        assert!(!uses_service(&reparsed), "{sent_text}");
        let expected = format!("{}", Literal::new_simple_literal(attack));
        assert!(sent_text.contains(&expected), "{sent_text}");
        let values = sent_text.matches("VALUES").count();
        assert_eq!(values, 1, "{sent_text}");
        assert_eq!(answers(reparsed, Vec::new()), Vec::<String>::new());
    }
}

#[test]
fn unsafe_terms_and_assignments_are_refused() {
    let parsed = |t: &str| query::parse(t).unwrap();
    let x = |term: Term| vec![(var("x"), term)];
    let evil = NamedNode::new_unchecked("http://e/> } UNION { ?s ?p ?o");
    let error = bind(parsed("SELECT ?x WHERE { ?x ?p ?o }"), &x(evil.into())).unwrap_err();
    assert!(error.to_string().contains("not a valid IRI"), "{error}");
    let evil = Literal::new_language_tagged_literal_unchecked("v", "en } UNION { ?s ?p ?o");
    let error = bind(parsed("SELECT ?x WHERE { ?x ?p ?o }"), &x(evil.into())).unwrap_err();
    assert!(error.to_string().contains("language tag"), "{error}");
    let term = || x(Literal::from(1).into());
    for text in [
        "SELECT ?x WHERE { BIND(2 AS ?x) }",
        "SELECT ?x WHERE { ?s ?p ?o } GROUP BY (STR(?o) AS ?x)",
        "SELECT (COUNT(*) AS ?x) WHERE { ?s ?p ?o }",
    ] {
        let error = bind(parsed(text), &term()).unwrap_err();
        assert!(error.to_string().contains("assigned"), "{text}: {error}");
    }
    let error = bind(parsed("SELECT ?s WHERE { ?s ?p ?x }"), &term()).unwrap_err();
    assert!(error.to_string().contains("projected"), "{error}");
}

#[test]
fn sent_text_needs_no_prefixes() {
    let (text, _) = sent(
        "SELECT ?p WHERE { ?p a foaf:Person ; dco:country country:USA }",
        &[],
    );
    assert!(
        text.contains("<http://xmlns.com/foaf/0.1/Person>"),
        "{text}"
    );
    assert!(
        !text.contains("foaf:") && !text.contains("PREFIX"),
        "{text}"
    );
}

#[test]
fn service_is_found_wherever_it_hides() {
    let uses = |t: &str| uses_service(&query::parse(t).unwrap());
    assert!(!uses("SELECT * WHERE { ?s ?p ?o OPTIONAL { ?s a ?t } }"));
    for text in [
        "SELECT * WHERE { SERVICE <http://e.example/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://e.example/> { ?s a ?t } } }",
        "SELECT * WHERE { ?s ?p ?o FILTER NOT EXISTS { SERVICE <http://e.example/> { ?s a ?t } } }",
        "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://e.example/> { ?s ?p ?o } } } }",
        "ASK { BIND(EXISTS { SERVICE ?where { ?s ?p ?o } } AS ?b) }",
        "SELECT (SUM(IF(EXISTS { SERVICE <http://e.example/> {} }, 1, 0)) AS ?n) WHERE { ?s ?p ?o }",
    ] {
        assert!(uses(text), "{text}");
    }
}

#[test]
fn show_sent() {
    let catalog = Catalog::bundled().unwrap();
    for name in ["search", "describe", "is-panel-member", "initiatives"] {
        let saved = catalog.get(name).unwrap();
        let bindings = saved.bind(&saved.examples).unwrap();
        println!("{}", sent(&saved.text, &bindings).0);
    }
}
