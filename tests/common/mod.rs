//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

use assert_cmd::Command;
use digicoop::query::{self, RunOptions};
use digicoop::store;
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;
use oxigraph::store::Store;
use std::sync::OnceLock;

/// The bundled store, built once per test binary.
pub fn bundled() -> &'static Store {
    static STORE: OnceLock<Store> = OnceLock::new();
    STORE.get_or_init(|| store::bundled_store().expect("bundled data loads"))
}

/// Runs a SELECT on the bundled store and returns its rows as strings (N-Triples terms,
/// empty string for unbound).
pub fn select(text: &str) -> Vec<Vec<String>> {
    let parsed = query::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let execution = query::execute(bundled(), parsed, &RunOptions::default()).unwrap();
    let QueryResults::Solutions(solutions) = execution.results else {
        panic!("not a SELECT: {text}")
    };
    solutions
        .map(|s| {
            s.unwrap()
                .values()
                .iter()
                .map(|t| t.as_ref().map(Term::to_string).unwrap_or_default())
                .collect()
        })
        .collect()
}

/// The single integer a `SELECT (COUNT(...) AS ?n)` query returns.
pub fn count(text: &str) -> i64 {
    let rows = select(text);
    assert_eq!(rows.len(), 1, "expected one row from {text}");
    let cell = &rows[0][0];
    cell.trim_matches('"')
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("not a count: {cell}"))
}

/// The real binary, with a private HOME so no user files leak in.
pub fn digicoop(home: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("digicoop").unwrap();
    cmd.env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("DIGICOOP_ENDPOINT");
    cmd
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}
