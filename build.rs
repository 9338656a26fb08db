//! Build-time work, so that start-up does none of it:
//!
//! 1. embeds every `queries/*.rq` file (sorted by name) as the bundled saved-query catalog;
//! 2. parses the bundled ontology and TriG data once and writes them as a static term table
//!    plus quad indexes. A cold `digicoop run` then inserts quads without parsing a byte, and a malformed bundled file fails the
//!    build with its file:line:column.

use oxrdf::{GraphName, NamedOrBlankNode, Term};
use oxttl::{TriGParser, TurtleParser};
use std::collections::HashMap;
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

const ONTOLOGY: &str = "ontology/digicoop.ttl";
const ONTOLOGY_GRAPH: &str = "https://w3id.org/digicoop/ontology";
const DATA: [&str; 7] = [
    "data/sources.trig",
    "data/hlpdc-fact-sheet.trig",
    "data/hlpdc-first-meeting-summary.trig",
    "data/sti-forum-special-event-concept-note.trig",
    "data/cstd-2021-intersessional-panel-slides.trig",
    "data/gdc-2024-presentation.trig",
    "data/curation.trig",
];

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out.join("catalog.rs"), catalog(&root)).expect("OUT_DIR is writable");
    fs::write(out.join("bundled.rs"), bundled(&root)).expect("OUT_DIR is writable");
}

fn catalog(root: &Path) -> String {
    let queries = root.join("queries");
    println!("cargo:rerun-if-changed={}", queries.display());
    let mut entries: Vec<_> = fs::read_dir(&queries)
        .expect("queries/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rq"))
        .collect();
    entries.sort();
    let mut code = String::from("/// Bundled saved queries: (name, text), sorted by name.\npub const BUNDLED_QUERIES: &[(&str, &str)] = &[\n");
    for path in entries {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    code
}

/// A term as (kind rank, text, second text): the order the runtime binary-searches in.
type Key = (u8, String, String);

/// Interns terms and records quads as indexes into the term table.
#[derive(Default)]
struct Table {
    terms: Vec<Key>,
    index: HashMap<Key, u32>,
    quads: Vec<[u32; 4]>,
}

impl Table {
    fn intern(&mut self, key: Key) -> u32 {
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.terms.len() as u32;
        self.index.insert(key.clone(), i);
        self.terms.push(key);
        i
    }

    fn term(&mut self, term: &Term) -> u32 {
        let key = match term {
            Term::NamedNode(n) => (0, n.as_str().to_owned(), String::new()),
            Term::BlankNode(b) => (1, b.as_str().to_owned(), String::new()),
            Term::Literal(l) => match l.language() {
                Some(lang) => (2, l.value().to_owned(), lang.to_owned()),
                None => (3, l.value().to_owned(), l.datatype().as_str().to_owned()),
            },
        };
        self.intern(key)
    }

    fn subject(&mut self, s: &NamedOrBlankNode) -> u32 {
        match s {
            NamedOrBlankNode::NamedNode(n) => self.term(&Term::NamedNode(n.clone())),
            NamedOrBlankNode::BlankNode(b) => self.term(&Term::BlankNode(b.clone())),
        }
    }
}

/// The Rust constructor of a term, as `store::BundledTerm`.
fn constructor((rank, a, b): &Key) -> String {
    match rank {
        0 => format!("BundledTerm::Iri({a:?})"),
        1 => format!("BundledTerm::Blank({a:?})"),
        2 => format!("BundledTerm::Lang({a:?}, {b:?})"),
        _ => format!("BundledTerm::Typed({a:?}, {b:?})"),
    }
}

fn fail(file: &str, e: oxttl::TurtleParseError) -> ! {
    panic!("{file}: {e}")
}

fn bundled(root: &Path) -> String {
    let mut table = Table::default();
    let ontology_graph = table.term(&Term::NamedNode(oxrdf::NamedNode::new_unchecked(
        ONTOLOGY_GRAPH,
    )));
    let path = root.join(ONTOLOGY);
    println!("cargo:rerun-if-changed={}", path.display());
    let text = fs::read(&path).expect("ontology exists");
    for triple in TurtleParser::new().for_slice(&text) {
        let t = triple.unwrap_or_else(|e| panic!("{ONTOLOGY}: {e}"));
        let q = [
            table.subject(&t.subject),
            table.term(&t.predicate.into()),
            table.term(&t.object),
            ontology_graph,
        ];
        table.quads.push(q);
    }
    for file in DATA {
        let path = root.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut parser = TriGParser::new().for_reader(text.as_slice());
        for quad in parser.by_ref() {
            let q = quad.unwrap_or_else(|e| fail(file, e));
            let graph = match &q.graph_name {
                GraphName::NamedNode(n) => table.term(&Term::NamedNode(n.clone())),
                _ => panic!("{file}: every bundled triple must sit in a named graph: {q}"),
            };
            let s = table.subject(&q.subject);
            let p = table.term(&q.predicate.into());
            let o = table.term(&q.object);
            table.quads.push([s, p, o, graph]);
        }
    }
    // Term ids follow the terms' sort order (kind, then text), so the runtime finds a term's id
    // by binary search without building any map.
    let mut order: Vec<u32> = (0..table.terms.len() as u32).collect();
    order.sort_by(|&a, &b| table.terms[a as usize].cmp(&table.terms[b as usize]));
    let mut new_id = vec![0u32; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_id[old as usize] = new as u32;
    }
    let quads: Vec<[u32; 4]> = table
        .quads
        .iter()
        .map(|q| q.map(|t| new_id[t as usize]))
        .collect();
    let index = |perm: [usize; 4]| {
        let mut rows: Vec<[u32; 4]> = quads.iter().map(|q| perm.map(|i| q[i])).collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    };
    let merged = |perm: [usize; 3]| {
        let mut rows: Vec<[u32; 3]> = quads.iter().map(|q| perm.map(|i| q[i])).collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    };
    let mut code = String::new();
    writeln!(
        code,
        "/// Terms of the bundled graph, sorted; a term's id is its index."
    )
    .unwrap();
    writeln!(code, "pub static TERMS: &[BundledTerm] = &[").unwrap();
    for &old in &order {
        writeln!(code, "    {},", constructor(&table.terms[old as usize])).unwrap();
    }
    writeln!(code, "];").unwrap();
    for (name, perm, doc) in [
        (
            "GSPO",
            [3, 0, 1, 2],
            "quads as (graph, subject, predicate, object)",
        ),
        (
            "SPOG",
            [0, 1, 2, 3],
            "quads as (subject, predicate, object, graph)",
        ),
        (
            "POSG",
            [1, 2, 0, 3],
            "quads as (predicate, object, subject, graph)",
        ),
        (
            "OSPG",
            [2, 0, 1, 3],
            "quads as (object, subject, predicate, graph)",
        ),
    ] {
        writeln!(
            code,
            "/// Bundled {doc}, sorted.\npub static {name}: &[[u32; 4]] = &{:?};",
            index(perm)
        )
        .unwrap();
    }
    for (name, perm, doc) in [
        ("MERGED_SPO", [0, 1, 2], "(subject, predicate, object)"),
        ("MERGED_POS", [1, 2, 0], "(predicate, object, subject)"),
        ("MERGED_OSP", [2, 0, 1], "(object, subject, predicate)"),
    ] {
        writeln!(code, "/// The merged default graph (each triple once) as {doc}, sorted.\npub static {name}: &[[u32; 3]] = &{:?};", merged(perm)).unwrap();
    }
    code
}
