//! digicoop: a SPARQL knowledge-graph query engine for the UN digital-cooperation agenda.
//!
//! The five source documents are encoded as RDF, one named graph each, under a small
//! ontology; this library builds an embedded Oxigraph store from them and runs queries,
//! saved queries, exports and SHACL validation. The binary (`src/main.rs`) is a thin shell
//! over [`cli::run`].
//!
//! A query travels: [`query::parse`] (predeclared [`prefixes`]) → [`catalog`] parameters
//! bound as terms → [`query::execute`] on the [`store`] → a [`format`] writer; with
//! `--endpoint`, [`remote`] sends it to a SPARQL server instead.

pub mod algebra;
pub mod bundle;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod disk;
pub mod error;
pub mod exit;
pub mod export;
pub mod format;
pub mod generate;
pub mod interrupt;
pub mod load;
pub mod prefixes;
pub mod query;
pub mod remote;
pub mod repl;
pub mod session;
pub mod sources;
pub mod store;
pub mod validate;
