//! The knowledge graph itself: every seed encoded in its own graph, the counts the documents
//! give, labels, declared terms, provenance, and conformance to the SHACL shapes.

mod common;

use common::{bundled, count, select};
use digicoop::store;
use digicoop::validate;
use std::path::Path;

const SEEDS: [(&str, &str); 5] = [
    ("hlpdc-fact-sheet", "000_c984e63cf57d8e20.txt"),
    ("hlpdc-first-meeting-summary", "001_814a2a18f3b464c6.txt"),
    (
        "sti-forum-special-event-concept-note",
        "002_799b45733f3694e4.txt",
    ),
    (
        "cstd-2021-intersessional-panel-slides",
        "003_4a77bc03082b70a6.txt",
    ),
    ("gdc-2024-presentation", "004_1003f33a9ee22dac.txt"),
];

#[test]
fn every_seed_has_its_document_and_named_graph() {
    for (slug, seed) in SEEDS {
        let rows = select(&format!(
            "SELECT ?doc WHERE {{ GRAPH graph:sources {{
                ?doc a dco:SourceDocument ; dco:seedFile \"{seed}\" ; dcterms:title ?title .
                graph:{slug} prov:wasDerivedFrom ?doc . }} }}"
        ));
        assert_eq!(
            rows,
            vec![vec![format!("<https://w3id.org/digicoop/doc/{slug}>")]],
            "{seed}"
        );
        let triples = count(&format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH graph:{slug} {{ ?s ?p ?o }} }}"
        ));
        assert!(triples > 100, "graph:{slug} holds only {triples} triples");
    }
    // The seed files named are the ones in shared/seeds (when that folder is beside the clone).
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    if seeds.is_dir() {
        for (_, seed) in SEEDS {
            assert!(
                seeds.join(seed).is_file(),
                "{seed} missing from {}",
                seeds.display()
            );
        }
    }
}

#[test]
fn counts_match_the_documents() {
    let cases = [
        ("Panel memberships (fact sheet)", "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { GRAPH graph:hlpdc-fact-sheet { ?m a org:Membership ; org:organization body:hlpdc } }", 22),
        ("co-chairs", "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { GRAPH graph:hlpdc-fact-sheet { ?m org:organization body:hlpdc ; org:role concept:panel-role-co-chair } }", 2),
        ("members", "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { GRAPH graph:hlpdc-fact-sheet { ?m org:organization body:hlpdc ; org:role concept:panel-role-member } }", 18),
        ("ex officio", "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { GRAPH graph:hlpdc-fact-sheet { ?m org:organization body:hlpdc ; org:role concept:panel-role-ex-officio-member } }", 2),
        ("people on the Panel", "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?m org:organization body:hlpdc ; org:member ?p }", 22),
        ("countries", "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a dco:Country }", 20),
        ("Roadmap areas", "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a skos:inScheme dcr:roadmap-action-areas }", 8),
        ("GDC objectives", "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a dco:Objective }", 5),
        ("GDC principles", "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dco:Principle }", 12),
        ("UN75 commitments", "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c skos:inScheme dcr:un75-commitments }", 12),
        ("first-meeting focus areas", "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f skos:inScheme dcr:first-meeting-focus-areas }", 6),
        ("annex aspects", "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a dco:Aspect }", 3),
        ("annex illustrative action areas", "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a skos:inScheme dcr:first-meeting-action-areas }", 7),
        ("GDC commitment areas", "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?o dco:commitmentArea ?a }", 11),
        ("GDC follow-up areas", "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { doc:global-digital-compact dco:followUpArea ?a }", 5),
        ("Panel success metrics", "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { body:hlpdc dco:successMetric ?m }", 3),
        ("Panel expected outcomes", "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { body:hlpdc dco:expectedOutcome ?o }", 3),
        ("STI Forum discussion questions", "SELECT (COUNT(DISTINCT ?q) AS ?n) WHERE { GRAPH graph:sti-forum-special-event-concept-note { ?e dco:discussionQuestion ?q } }", 4),
        ("2024 timeline milestones", "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { GRAPH graph:gdc-2024-presentation { ?m dco:inTimeline timeline:global-digital-cooperation-agenda } }", 18),
        ("Roadmap areas mapped to GDC objectives", "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { GRAPH graph:curation { ?a skos:relatedMatch ?o } }", 8),
    ];
    for (what, query, expected) in cases {
        assert_eq!(count(query), expected, "{what}");
    }
}

#[test]
fn figures_and_dates_are_typed_as_the_documents_give_them() {
    let rows = select("SELECT ?v WHERE { initiative:mdg dco:memberStateCount ?v }");
    assert_eq!(
        rows,
        vec![vec![
            "\"189\"^^<http://www.w3.org/2001/XMLSchema#integer>".to_owned()
        ]]
    );
    let rows = select("SELECT ?v WHERE { initiative:wsis dco:actionLineCount ?v }");
    assert_eq!(
        rows,
        vec![vec![
            "\"11\"^^<http://www.w3.org/2001/XMLSchema#integer>".to_owned()
        ]]
    );
    let rows = select(
        "SELECT ?s ?e WHERE { event:hlpdc-first-meeting schema:startDate ?s ; schema:endDate ?e }",
    );
    assert_eq!(
        rows,
        vec![vec![
            "\"2018-09-24\"^^<http://www.w3.org/2001/XMLSchema#date>".to_owned(),
            "\"2018-09-25\"^^<http://www.w3.org/2001/XMLSchema#date>".to_owned(),
        ]]
    );
    let rows =
        select("SELECT ?id ?d WHERE { doc:a-74-821 dcterms:identifier ?id ; dcterms:issued ?d }");
    assert!(
        rows.contains(&vec![
            "\"A/74/821\"".to_owned(),
            "\"2020-06\"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>".to_owned()
        ]),
        "{rows:?}"
    );
}

#[test]
fn the_envoy_disagreement_keeps_both_claims_in_their_graphs() {
    let rows = select(
        "SELECT ?g ?date WHERE { GRAPH ?g { milestone:digital-cooperation-agenda-envoy-on-technology dcterms:date ?date } } ORDER BY ?date",
    );
    assert_eq!(
        rows,
        vec![
            vec![
                "<https://w3id.org/digicoop/graph/cstd-2021-intersessional-panel-slides>"
                    .to_owned(),
                "\"2021\"^^<http://www.w3.org/2001/XMLSchema#gYear>".to_owned()
            ],
            vec![
                "<https://w3id.org/digicoop/graph/gdc-2024-presentation>".to_owned(),
                "\"2022\"^^<http://www.w3.org/2001/XMLSchema#gYear>".to_owned()
            ],
        ]
    );
    assert_eq!(count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH graph:curation { ?d a dco:Disagreement ; dco:concerns post:envoy-on-technology } }"), 1);
}

#[test]
fn the_default_graph_has_set_semantics() {
    // area:1 is typed in three source graphs; the merged default graph holds each triple once.
    let types = select("SELECT ?t WHERE { area:1 a ?t } ORDER BY ?t");
    assert_eq!(types.len(), 2, "{types:?}");
    assert_eq!(
        count("SELECT (COUNT(*) AS ?n) WHERE { ?c a dco:Commitment }"),
        12
    );
    let merged = count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }");
    let distinct = count("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }");
    assert_eq!(merged, distinct);
}

#[test]
fn every_subject_has_an_english_label() {
    let rows = select(
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER NOT EXISTS { ?s rdfs:label ?l FILTER(langMatches(lang(?l), \"en\")) } }",
    );
    assert!(
        rows.is_empty(),
        "subjects without an English label: {rows:?}"
    );
}

#[test]
fn every_term_used_is_declared_or_from_a_reused_vocabulary() {
    const REUSED: [&str; 13] = [
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://www.w3.org/2000/01/rdf-schema#",
        "http://www.w3.org/2002/07/owl#",
        "http://www.w3.org/2004/02/skos/core#",
        "http://www.w3.org/ns/org#",
        "http://xmlns.com/foaf/0.1/",
        "http://schema.org/",
        "http://purl.org/dc/terms/",
        "http://purl.org/ontology/bibo/",
        "http://www.w3.org/ns/prov#",
        "https://w3id.org/sssom/",
        "https://w3id.org/semapv/vocab/",
        "http://www.w3.org/2001/XMLSchema#",
    ];
    let used = select("SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } }");
    let mut undeclared = Vec::new();
    for row in used {
        let iri = row[0].trim_matches(['<', '>']).to_owned();
        if iri.starts_with("https://w3id.org/digicoop/ontology#") {
            let declared = count(&format!(
                "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{}> {{ <{iri}> a ?k }} }}",
                store::ONTOLOGY_GRAPH
            ));
            if declared == 0 {
                undeclared.push(iri);
            }
        } else if !REUSED.iter().any(|ns| iri.starts_with(ns)) {
            undeclared.push(iri);
        }
    }
    assert!(
        undeclared.is_empty(),
        "terms neither declared nor reused: {undeclared:?}"
    );
}

#[test]
fn every_fact_sits_in_a_graph_derived_from_a_seed() {
    assert!(!store::has_default_graph_triples(bundled()));
    let orphans = select(&format!(
        "SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{}>)
           FILTER NOT EXISTS {{ GRAPH graph:sources {{ ?g prov:wasDerivedFrom ?doc . ?doc a dco:SourceDocument }} }} }}",
        store::ONTOLOGY_GRAPH
    ));
    assert!(
        orphans.is_empty(),
        "graphs not derived from a seed: {orphans:?}"
    );
    let blank = count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isBlank(?s) || isBlank(?o)) FILTER(?g != graph:curation) }");
    assert_eq!(blank, 0, "blank nodes in source graphs");
}

#[test]
fn the_data_conforms_to_the_shapes() {
    let shapes = validate::parse_shapes(store::SHAPES.path, store::SHAPES.text).unwrap();
    let report = validate::validate(bundled(), &shapes).unwrap();
    assert!(report.conforms(), "{report}");
    assert!(
        report.focus_nodes > 300,
        "only {} focus nodes checked",
        report.focus_nodes
    );
    assert!(
        report.property_shapes > 40,
        "only {} property shapes",
        report.property_shapes
    );
}

/// The static bundle (used for cold one-shot queries) and the Oxigraph store (used once user
/// data is loaded) must give the same answers: every saved query, run on both.
#[test]
fn the_static_bundle_and_the_store_agree_on_every_saved_query() {
    use digicoop::format::Format;
    use digicoop::session::Session;
    use oxigraph::sparql::CancellationToken;

    let on_bundle = {
        let mut s = Session::open(&[], &[]).unwrap();
        s.settings.format = Some(Format::Json);
        s
    };
    let on_store = {
        let mut s = Session::open(&[], &[]).unwrap();
        s.settings.format = Some(Format::Json);
        s.store.build().unwrap();
        s
    };
    // Rows compared as a sorted list; GROUP_CONCAT cells as sorted parts, since SPARQL
    // leaves the order inside a group unspecified.
    let normalise = |bytes: Vec<u8>| {
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        if let Some(answer) = json.get("boolean") {
            return vec![answer.to_string()];
        }
        let mut rows: Vec<String> = json["results"]["bindings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                let mut cells: Vec<String> = row
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(var, value)| {
                        let text = value["value"].as_str().unwrap();
                        let mut parts: Vec<&str> = text.split("; ").collect();
                        parts.sort();
                        format!("{var}={}|{}", parts.join("; "), value["type"])
                    })
                    .collect();
                cells.sort();
                cells.join(" ")
            })
            .collect();
        rows.sort();
        rows
    };
    let token = CancellationToken::new();
    let mut compared = 0;
    for saved in on_bundle.catalog.iter() {
        let args: Vec<(String, String)> = saved.examples.clone();
        let run = |session: &Session| {
            let mut out = Vec::new();
            session
                .run_saved(&saved.name, &args, &mut out, &token)
                .unwrap_or_else(|e| panic!("{}: {e}", saved.name));
            out
        };
        let (a, b) = (run(&on_bundle), run(&on_store));
        assert_eq!(
            normalise(a),
            normalise(b),
            "{} differs between bundle and store",
            saved.name
        );
        compared += 1;
    }
    assert!(
        !on_bundle.store.is_built(),
        "queries on the bundle must not build a store"
    );
    assert!(compared >= 12);
}
