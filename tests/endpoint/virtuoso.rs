//! A throwaway Virtuoso server: started on loopback ports in a temporary directory with its
//! own `virtuoso.ini`, loaded with digicoop's own N-Quads export, killed when dropped; and
//! how its answers are compared with digicoop's.

use regex::Regex;
use serde_json::Value;
use std::fs;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The smallest configuration that serves SPARQL: loopback only, small buffers, no
/// checkpoints while the tests run, the temporary directory readable by the bulk loader.
const INI: &str = "\
[Database]
DatabaseFile = DIR/virtuoso.db
ErrorLogFile = DIR/virtuoso.log
LockFile = DIR/virtuoso.lck
TransactionFile = DIR/virtuoso.trx
xa_persistent_file = DIR/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = DIR/virtuoso-temp.db
TransactionFile = DIR/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:SQLPORT
DisableUnixSocket = 1
DirsAllowed = ., DIR
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 0
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:HTTPPORT
ServerRoot = DIR
MaxClientConnections = 4
ServerThreads = 4

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
";

/// A running Virtuoso; dropping it kills the server.
pub struct Virtuoso {
    child: Child,
    sql_port: u16,
    /// The SPARQL endpoint, `http://127.0.0.1:PORT/sparql`.
    pub url: String,
    /// The server's files (database, log, loaded data).
    pub dir: TempDir,
}

impl Drop for Virtuoso {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Virtuoso {
    /// Starts a server and waits until it answers SQL (about 5 seconds).
    pub fn start() -> Virtuoso {
        let dir = tempfile::tempdir().unwrap();
        let (sql_port, http_port) = (free_port(), free_port());
        let path = dir.path().to_str().unwrap();
        let ini = INI
            .replace("DIR", path)
            .replace("SQLPORT", &sql_port.to_string())
            .replace("HTTPPORT", &http_port.to_string());
        fs::write(dir.path().join("virtuoso.ini"), ini).unwrap();
        let child = Command::new("virtuoso-t")
            .args(["+foreground", "+configfile", "virtuoso.ini"])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("virtuoso-t starts");
        let server = Virtuoso {
            child,
            sql_port,
            url: format!("http://127.0.0.1:{http_port}/sparql"),
            dir,
        };
        let started = Instant::now();
        while !server
            .sql("select 1;")
            .is_ok_and(|out| out.contains("1 Rows"))
        {
            assert!(
                started.elapsed() < Duration::from_secs(90),
                "Virtuoso did not start; its log:\n{}",
                fs::read_to_string(server.dir.path().join("virtuoso.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        server
    }

    /// Runs SQL through `isql-vt`; its output, or why it failed.
    pub fn sql(&self, statements: &str) -> Result<String, String> {
        let output = Command::new("isql-vt")
            .arg(self.sql_port.to_string())
            .args(["dba", "dba"])
            .arg(format!("exec={statements}"))
            .stdin(Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        if output.status.success() && !text.contains("*** Error") {
            Ok(text)
        } else {
            Err(text)
        }
    }

    /// Bulk-loads an N-Quads file (each quad into its own graph).
    pub fn load_nquads(&self, file: &Path) {
        let (dir, name) = (file.parent().unwrap(), file.file_name().unwrap());
        let statements = format!(
            "ld_dir('{}', '{}', 'urn:digicoop:no-default-graph'); rdf_loader_run(); checkpoint; \
             select ll_error from DB.DBA.LOAD_LIST where ll_error is not null;",
            dir.display(),
            name.to_str().unwrap()
        );
        let output = self.sql(&statements).unwrap_or_else(|e| panic!("{e}"));
        assert!(output.contains("0 Rows"), "loading failed:\n{output}");
    }
}

/// A result's rows as a sorted list of canonical strings (a multiset), normalised only
/// where SPARQL leaves the answer open or Virtuoso cannot store the value:
///
/// - `GROUP_CONCAT` (the `concats` columns): SPARQL fixes no order, so the parts are
///   sorted; Oxigraph keeps a language tag all parts share while Virtuoso returns a simple
///   literal (as SPARQL 1.1 specifies), so the tag is dropped; over a group whose values
///   are all unbound Oxigraph leaves the result unbound and Virtuoso gives "", so both
///   count as "".
/// - `xsd:duration`: Virtuoso 7.2 stores a year-month duration as its number of months
///   ("P9M" comes back as "9", "P1Y2M" as "14"), so such values compare as month counts.
/// - blank nodes: labels are local to each answer.
pub fn rows(json: &str, concats: &[(String, String)]) -> Vec<String> {
    let doc: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    if let Some(b) = doc.get("boolean") {
        return vec![b.to_string()];
    }
    let vars: Vec<&str> = doc["head"]["vars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let duration = Regex::new(r"^P(?:(\d+)Y)?(?:(\d+)M)?$").unwrap();
    let mut rows: Vec<String> = doc["results"]["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|binding| {
            let cells: Vec<String> = vars
                .iter()
                .map(|var| {
                    let concat = concats.iter().find(|(v, _)| v == var);
                    let Some(term) = binding.get(*var) else {
                        return if concat.is_some() {
                            "\"\"".into()
                        } else {
                            String::new()
                        };
                    };
                    let value = term["value"].as_str().unwrap();
                    let datatype = term.get("datatype").and_then(Value::as_str);
                    match (term["type"].as_str().unwrap(), concat) {
                        ("uri", _) => format!("<{value}>"),
                        ("bnode", _) => "_:b".into(),
                        (_, Some((_, separator))) => {
                            let mut parts: Vec<&str> = value.split(separator.as_str()).collect();
                            parts.sort();
                            format!("{:?}", parts.join(separator))
                        }
                        _ if datatype == Some("http://www.w3.org/2001/XMLSchema#duration") => {
                            let months = duration.captures(value).map(|c| {
                                let n =
                                    |i| c.get(i).map_or(0, |m| m.as_str().parse::<u64>().unwrap());
                                (n(1) * 12 + n(2)).to_string()
                            });
                            format!(
                                "{:?}^^xsd:duration(months)",
                                months.as_deref().unwrap_or(value)
                            )
                        }
                        _ => match (term.get("xml:lang").and_then(Value::as_str), datatype) {
                            (Some(lang), _) => format!("{value:?}@{lang}"),
                            (None, Some(dt)) => format!("{value:?}^^<{dt}>"),
                            (None, None) => format!("{value:?}"),
                        },
                    }
                })
                .collect();
            cells.join("\t")
        })
        .collect();
    rows.sort();
    rows
}

/// The `GROUP_CONCAT(...; separator="S") AS ?v` columns of a query: (v, S).
pub fn group_concats(query: &str) -> Vec<(String, String)> {
    let pattern =
        Regex::new(r#"(?is)GROUP_CONCAT\s*\(.*?separator\s*=\s*"([^"]*)"\s*\)\s*AS\s*\?(\w+)"#)
            .unwrap();
    let found: Vec<(String, String)> = pattern
        .captures_iter(query)
        .map(|c| (c[2].to_owned(), c[1].to_owned()))
        .collect();
    assert_eq!(
        found.len(),
        query.to_uppercase().matches("GROUP_CONCAT").count(),
        "{query}"
    );
    found
}
