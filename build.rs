//! Embeds every `queries/*.rq` file into the binary, sorted by name, so the saved-query
//! catalog works from any directory and adding a query is adding a file.

use std::env;
use std::fs;
use std::path::Path;

fn main() {
    let root = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let queries = Path::new(&root).join("queries");
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
        code.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("catalog.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
