use super::*;
use oxigraph::model::NamedNodeRef;

const SHAPES: &str = r#"
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property ex:PersonShape-name , ex:PersonShape-code , ex:PersonShape-label , ex:PersonShape-born .
ex:PersonShape-name sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ; sh:message "needs exactly one name" .
ex:PersonShape-code sh:path ex:code ; sh:pattern "^[A-Z]{3}$" .
ex:PersonShape-label sh:path ex:label ; sh:languageIn ( "en" ) ; sh:uniqueLang true .
ex:PersonShape-born sh:path ex:born ; sh:or ( [ sh:datatype xsd:gYear ] [ sh:datatype xsd:date ] ) .
"#;

fn check(data: &str) -> Report {
    let store = Store::new().unwrap();
    crate::store::load_text(
        &store,
        "test.ttl",
        RdfFormat::Turtle,
        data.as_bytes(),
        NamedNodeRef::new_unchecked("http://example.org/g"),
    )
    .unwrap();
    validate(&store, &parse_shapes("shapes.ttl", SHAPES).unwrap()).unwrap()
}

const PREFIXES: &str = "@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n";

#[test]
fn conforming_data_has_no_violations() {
    let report = check(&format!("{PREFIXES} ex:Sub rdfs:subClassOf ex:Person . ex:a a ex:Sub ; ex:name \"A\" ; ex:code \"USA\" ; ex:label \"A\"@en ; ex:born \"1950\"^^xsd:gYear ."));
    assert!(report.conforms(), "{report}");
    assert_eq!(report.focus_nodes, 1, "subclass instances are targeted");
    assert_eq!(report.property_shapes, 4);
}

#[test]
fn each_constraint_reports_focus_path_and_message() {
    let report = check(&format!("{PREFIXES} ex:a a ex:Person ; ex:code \"us\" ; ex:label \"A\"@fr , \"B\"@en , \"C\"@en ; ex:born \"soon\" ."));
    let messages: Vec<(&str, &str)> = report
        .violations
        .iter()
        .map(|v| (v.path.as_str(), v.message.as_str()))
        .collect();
    assert!(
        messages.contains(&("<http://example.org/name>", "needs exactly one name")),
        "{report}"
    );
    assert!(
        messages
            .iter()
            .any(|(p, m)| *p == "<http://example.org/code>" && m.contains("must match")),
        "{report}"
    );
    assert!(
        messages.iter().any(
            |(p, m)| *p == "<http://example.org/label>" && m.contains("tagged with one of: en")
        ),
        "{report}"
    );
    assert!(
        messages
            .iter()
            .any(|(p, m)| *p == "<http://example.org/label>"
                && m.contains("more than one value tagged @en")),
        "{report}"
    );
    assert!(
        messages
            .iter()
            .any(|(p, m)| *p == "<http://example.org/born>" && m.contains("sh:or")),
        "{report}"
    );
    assert!(
        report
            .to_string()
            .contains("does not conform: 5 violation(s)"),
        "{report}"
    );
}

#[test]
fn unsupported_shape_features_are_refused_not_ignored() {
    let shapes = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n ex:S sh:targetClass ex:C ; sh:property ex:P . ex:P sh:path ex:p ; sh:qualifiedMinCount 1 .";
    let store = Store::new().unwrap();
    let err = validate(&store, &parse_shapes("s.ttl", shapes).unwrap()).unwrap_err();
    assert!(
        err.to_string()
            .contains("sh:qualifiedMinCount is outside the supported SHACL subset"),
        "{err}"
    );
}
