//! Building the embedded store from the bundled ontology and data; what loading files needs
//! (formats, graph names, errors). Users' files are loaded by [`crate::load`].
//!
//! Every load is atomic: a file is parsed inside one store transaction, so a syntax error
//! anywhere in it leaves the store exactly as it was.
//!
//! Every triple sits in a named graph; queries see their union as the default graph, with
//! set semantics restored by [`crate::query`] (see `src/query/merge.rs`).

use crate::load::{self, LoadOptions};
use oxigraph::io::{RdfFormat, RdfParseError, RdfParser};
use oxigraph::model::{
    GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, QuadRef, TermRef,
};
use oxigraph::store::{StorageError, Store};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The named graph that holds the ontology inside the store.
pub const ONTOLOGY_GRAPH: &str = "https://w3id.org/digicoop/ontology";

/// One RDF file compiled into the binary.
#[derive(Debug, Clone, Copy)]
pub struct BundledFile {
    /// Path relative to the project root, used in messages.
    pub path: &'static str,
    /// The file's text.
    pub text: &'static str,
}

/// The ontology, compiled in.
pub const ONTOLOGY: BundledFile = BundledFile {
    path: "ontology/digicoop.ttl",
    text: include_str!("../ontology/digicoop.ttl"),
};

/// The SHACL shapes, compiled in (used by validation, never loaded into the query store).
pub const SHAPES: BundledFile = BundledFile {
    path: "ontology/shapes.ttl",
    text: include_str!("../ontology/shapes.ttl"),
};

macro_rules! bundled {
    ($path:literal) => {
        BundledFile {
            path: $path,
            text: include_str!(concat!("../", $path)),
        }
    };
}
/// The data files, compiled in: one named graph per source document, plus sources and curation.
pub const DATA: &[BundledFile] = &[
    bundled!("data/sources.trig"),
    bundled!("data/hlpdc-fact-sheet.trig"),
    bundled!("data/hlpdc-first-meeting-summary.trig"),
    bundled!("data/sti-forum-special-event-concept-note.trig"),
    bundled!("data/cstd-2021-intersessional-panel-slides.trig"),
    bundled!("data/gdc-2024-presentation.trig"),
    bundled!("data/curation.trig"),
];

/// Errors while building a store or loading a file into it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file does not parse; positions are 1-based.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The file (path as given, or bundled path).
        file: String,
        /// 1-based line of the error.
        line: u64,
        /// 1-based column of the error.
        column: u64,
        /// The parser's message.
        message: String,
    },
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file name does not say which RDF format it is in.
    #[error("cannot tell the RDF format of {0}: use .ttl, .trig, .nt, .nq, .rdf/.owl/.xml or .jsonld (optionally .gz)")]
    UnknownFormat(PathBuf),
    /// A graph name given by the user is not an absolute IRI.
    #[error("invalid graph IRI <{0}>")]
    BadGraph(String),
    /// The storage layer failed.
    #[error("store error: {0}")]
    Storage(#[from] StorageError),
    /// Ctrl-C stopped a load; nothing from the file was kept.
    #[error("interrupted: nothing was loaded from {0}")]
    Interrupted(String),
    /// `--store` names a directory that holds something other than a store.
    #[error("{} is not a digicoop store (it holds other files); give a new or empty directory", .0.display())]
    NotAStore(PathBuf),
    /// `--store` names a directory with no store in it, for a command that only reads.
    #[error("there is no store in {}: create one with `digicoop load FILE --store {}` (or open it in the shell)", .0.display(), .0.display())]
    NoStore(PathBuf),
    /// Another process has the on-disk store open in a way that excludes this one.
    #[error("the store {dir} is in use: {reason}", dir = .dir.display())]
    Busy {
        /// The store's directory.
        dir: PathBuf,
        /// Who holds it and what to do.
        reason: String,
    },
    /// This binary was built without the `rocksdb` feature.
    #[error("this digicoop was built without on-disk stores: rebuild it with `cargo install --features rocksdb` (needs a C++ compiler and libclang; see the README)")]
    NoDiskSupport,
}

/// What one load added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadSummary {
    /// Triples (quads) read from the file, duplicates included. (Counting only the new
    /// ones would mean a pass over the whole store: a tenth of the load time at a million.)
    pub triples: u64,
    /// The graph the file's default-graph triples went to.
    pub graph: NamedNode,
    /// The file, as given.
    pub source: String,
    /// How long the load took.
    pub elapsed: Duration,
}

/// Builds an in-memory store holding the ontology (in [`ONTOLOGY_GRAPH`]) and all bundled data.
pub fn bundled_store() -> Result<Store, StoreError> {
    let store = Store::new()?;
    load_bundled(&store)?;
    Ok(store)
}

/// Loads the bundled ontology and data into an existing store, in one transaction.
///
/// `build.rs` parsed the files already; this only inserts the precompiled quads, which is
/// what makes a cold start fast.
pub fn load_bundled(store: &Store) -> Result<(), StoreError> {
    let mut transaction = store.start_transaction()?;
    for quad in crate::bundle::quads() {
        transaction.insert(bundled_quad(quad));
    }
    transaction.commit()?;
    Ok(())
}

/// One quad of the bundled graph, its terms borrowed from static memory.
fn bundled_quad(&[s, p, o, g]: &[u32; 4]) -> QuadRef<'static> {
    let term = |i: u32| crate::bundle::TERMS[i as usize].as_ref();
    let subject = match term(s) {
        TermRef::NamedNode(n) => NamedOrBlankNodeRef::from(n),
        TermRef::BlankNode(b) => NamedOrBlankNodeRef::from(b),
        other => unreachable!("build.rs only writes IRIs and blank nodes as subjects, not {other}"),
    };
    let iri = |i: u32| match term(i) {
        TermRef::NamedNode(n) => n,
        other => unreachable!("build.rs only writes IRIs as predicates and graphs, not {other}"),
    };
    QuadRef::new(subject, iri(p), term(o), GraphNameRef::NamedNode(iri(g)))
}

/// Whether the store holds the bundled graph, which [`load_bundled`] writes in one
/// transaction: its first and last quads stand for all.
pub fn holds_bundled(store: &Store) -> Result<bool, StoreError> {
    let quads = crate::bundle::quads();
    for quad in [quads.first(), quads.last()].into_iter().flatten() {
        if !store.contains(bundled_quad(quad))? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Loads the bundled files by parsing their text (what `build.rs` does), for tests that
/// check the precompiled graph against its sources.
pub fn load_bundled_from_text(store: &Store) -> Result<(), StoreError> {
    let ontology_graph = NamedNodeRef::new_unchecked(ONTOLOGY_GRAPH);
    load_text(
        store,
        ONTOLOGY.path,
        RdfFormat::Turtle,
        ONTOLOGY.text.as_bytes(),
        ontology_graph,
    )?;
    for file in DATA {
        load_text(
            store,
            file.path,
            RdfFormat::TriG,
            file.text.as_bytes(),
            ontology_graph,
        )?;
    }
    Ok(())
}

/// Loads one RDF document from memory, atomically; default-graph triples go to `default_graph`.
pub fn load_text(
    store: &Store,
    name: &str,
    format: RdfFormat,
    bytes: &[u8],
    default_graph: NamedNodeRef<'_>,
) -> Result<(), StoreError> {
    let parser = RdfParser::from_format(format).with_default_graph(default_graph);
    load::load_reader(store, name, parser, bytes, &LoadOptions::default())?;
    Ok(())
}

/// The RDF format a file name implies, looking through a trailing `.gz`.
pub fn format_of(path: &Path) -> Option<RdfFormat> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let extension = name.rsplit_once('.')?.1;
    match extension {
        "ttl" | "turtle" => Some(RdfFormat::Turtle),
        "trig" => Some(RdfFormat::TriG),
        "nt" | "ntriples" => Some(RdfFormat::NTriples),
        "nq" | "nquads" => Some(RdfFormat::NQuads),
        "rdf" | "owl" | "xml" => Some(RdfFormat::RdfXml),
        "jsonld" => RdfFormat::from_extension("jsonld"),
        _ => None,
    }
}

/// The `file:` IRI naming the graph of a user's file.
pub fn file_graph(path: &Path) -> Result<NamedNode, StoreError> {
    let absolute = std::path::absolute(path).map_err(|source| StoreError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut iri = String::from("file://");
    for byte in absolute.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                iri.push(byte as char)
            }
            other => iri.push_str(&format!("%{other:02X}")),
        }
    }
    NamedNode::new(iri.clone()).map_err(|_| StoreError::BadGraph(iri))
}

/// A parser's error as a [`StoreError`] naming `file`, with 1-based line and column.
pub(crate) fn parse_error(file: &str, error: RdfParseError) -> StoreError {
    match error {
        RdfParseError::Syntax(e) => {
            let (line, column) = e
                .location()
                .map_or((0, 0), |r| (r.start.line + 1, r.start.column + 1));
            StoreError::Syntax {
                file: file.to_owned(),
                line,
                column,
                message: e.to_string(),
            }
        }
        RdfParseError::Io(source) => StoreError::Io {
            path: PathBuf::from(file),
            source,
        },
    }
}

/// The named graphs of a store with their sizes, sorted by graph IRI.
pub fn graph_sizes(store: &Store) -> Result<Vec<(NamedOrBlankNode, usize)>, StoreError> {
    let mut graphs = Vec::new();
    for graph in store.named_graphs() {
        let graph = graph?;
        let size = store
            .quads_for_pattern(None, None, None, Some(GraphNameRef::from(graph.as_ref())))
            .count();
        graphs.push((graph, size));
    }
    graphs.sort_by_key(|(g, _)| g.to_string());
    Ok(graphs)
}

/// Whether the store has any triple outside a named graph (loads never put one there).
pub fn has_default_graph_triples(store: &Store) -> bool {
    store
        .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
        .next()
        .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_holds_the_bundled_graph_once_loaded() {
        let store = Store::new().unwrap();
        assert!(!holds_bundled(&store).unwrap());
        load_bundled(&store).unwrap();
        assert!(holds_bundled(&store).unwrap());
        assert_eq!(store.len().unwrap(), crate::bundle::quads().len());
    }

    #[test]
    fn formats_from_extensions() {
        assert_eq!(format_of(Path::new("a.ttl")), Some(RdfFormat::Turtle));
        assert_eq!(format_of(Path::new("a.TRIG")), Some(RdfFormat::TriG));
        assert_eq!(format_of(Path::new("a.nq.gz")), Some(RdfFormat::NQuads));
        assert_eq!(format_of(Path::new("a.owl")), Some(RdfFormat::RdfXml));
        assert!(matches!(
            format_of(Path::new("a.jsonld")),
            Some(RdfFormat::JsonLd { .. })
        ));
        assert_eq!(format_of(Path::new("a.txt")), None);
        assert_eq!(format_of(Path::new("noext")), None);
    }

    #[test]
    fn syntax_errors_carry_one_based_positions_and_load_nothing() {
        let store = Store::new().unwrap();
        let g = NamedNodeRef::new("http://example.org/g").unwrap();
        let text = "<http://a> <http://b> <http://c> .\n<http://a> <http://b> oops .\n";
        let err = load_text(&store, "bad.ttl", RdfFormat::Turtle, text.as_bytes(), g).unwrap_err();
        match err {
            StoreError::Syntax { file, line, .. } => {
                assert_eq!(file, "bad.ttl");
                assert_eq!(line, 2);
            }
            other => panic!("unexpected {other}"),
        }
        assert_eq!(store.len().unwrap(), 0, "a failed load must add nothing");
    }

    #[test]
    fn precompiled_bundle_equals_the_parsed_files() {
        let compiled = bundled_store().unwrap();
        let parsed = Store::new().unwrap();
        load_bundled_from_text(&parsed).unwrap();
        assert_eq!(compiled.len().unwrap(), parsed.len().unwrap());
        for quad in parsed.iter() {
            assert!(compiled.contains(&quad.unwrap()).unwrap());
        }
    }

    #[test]
    fn file_graph_is_a_percent_encoded_file_iri() {
        let g = file_graph(Path::new("/tmp/my data.ttl")).unwrap();
        assert_eq!(g.as_str(), "file:///tmp/my%20data.ttl");
    }
}
