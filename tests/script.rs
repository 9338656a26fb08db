//! Script mode: queries and dot-commands piped into the real binary, with their output
//! and the documented exit codes (the first error stops the script).

use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;
use std::path::Path;
use tempfile::TempDir;

const MEMBERSHIPS: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?m a org:Membership }";

/// The binary with a private HOME, data and config folders.
fn digicoop(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("digicoop").unwrap();
    cmd.env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"));
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn queries_and_dot_commands_print_their_results_as_tsv() {
    let home = TempDir::new().unwrap();
    let script = format!(
        "{MEMBERSHIPS}\n\
         # a comment line is skipped\n\
         SELECT ?title\n\
         WHERE {{ objective:3 skos:prefLabel ?title }}\n\
         .format csv\n\
         .run is-panel-member person=person:cerf-vinton\n\
         .run members-by-country\n"
    );
    let out = stdout_of(digicoop(home.path()).write_stdin(script));
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("?n"));
    assert_eq!(
        lines.next(),
        Some("22"),
        "22 Panel memberships (20 experts, 2 ex officio)"
    );
    // The multi-line query ran once, as one entry.
    assert_eq!(lines.next(), Some("?title"));
    let title = lines.next().unwrap();
    assert!(title.contains("digital space"), "{title}");
    // After .format csv: the ASK answer, then the CSV table with the USA's three members.
    assert_eq!(lines.next(), Some("true"));
    let rest: Vec<&str> = lines.collect();
    assert!(rest[0].starts_with("country,"), "{rest:?}");
    assert!(rest.iter().any(|l| l.starts_with("USA,USA,3,")), "{rest:?}");
}

#[test]
fn the_first_error_stops_the_script_with_its_exit_code() {
    let home = TempDir::new().unwrap();
    // Syntax error: exit 3, the error names the line and points at the column.
    digicoop(home.path())
        .write_stdin(format!(
            "{MEMBERSHIPS}\nSELECT ?x WHERE {{ ?x ?p }}\n{MEMBERSHIPS}\n"
        ))
        .assert()
        .code(3)
        .stdout("?n\n22\n")
        .stderr(predicate::str::contains(
            "<stdin>: syntax error at line 2, column 26",
        ))
        .stderr(predicate::str::contains("^"));
    // Unknown saved query: a usage error (2) with a suggestion; nothing after it runs.
    digicoop(home.path())
        .write_stdin(format!(".run roadmap-to-gbc\n{MEMBERSHIPS}\n"))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("did you mean 'roadmap-to-gdc'?"));
    // Unknown dot-command: usage error with the closest command.
    digicoop(home.path())
        .write_stdin(".formt csv\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean .format?"));
    // A failing validation is a data error (5): a membership with no role.
    let file = home.path().join("membership.ttl");
    fs::write(
        &file,
        "@prefix org: <http://www.w3.org/ns/org#> .\n\
         <https://example.org/m> a org:Membership ;\n\
         <http://www.w3.org/2000/01/rdf-schema#label> \"M\"@en ;\n\
         org:member <https://w3id.org/digicoop/person/cerf-vinton> ;\n\
         org:organization <https://w3id.org/digicoop/body/hlpdc> .\n",
    )
    .unwrap();
    digicoop(home.path())
        .write_stdin(format!(".load {}\n.validate\n", file.display()))
        .assert()
        .code(5)
        .stdout(predicate::str::contains(
            "Violation: <https://example.org/m>",
        ))
        .stdout(predicate::str::contains(
            "path: <http://www.w3.org/ns/org#role>",
        ))
        .stdout(predicate::str::contains("loaded"));
    // Dot-commands and queries after .quit do not run.
    digicoop(home.path())
        .write_stdin(format!(".quit\n{MEMBERSHIPS}\n"))
        .assert()
        .success()
        .stdout("");
}

#[test]
fn load_is_atomic_and_export_writes_what_was_loaded() {
    let home = TempDir::new().unwrap();
    let good = home.path().join("good.ttl");
    fs::write(
        &good,
        "<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> \"A\"@en .\n",
    )
    .unwrap();
    let bad = home.path().join("bad.ttl");
    fs::write(
        &bad,
        "<http://example.org/b> <http://example.org/p> <http://example.org/c> .\n<http://example.org/d> <http://example.org/p> \"open .\n",
    )
    .unwrap();
    let exported = home.path().join("all.nt");
    let count = "SELECT (COUNT(*) AS ?n) WHERE { { <http://example.org/a> ?p ?o } UNION { <http://example.org/b> ?p ?o } }";
    // The malformed file fails with its line, and its valid first triple is not there.
    digicoop(home.path())
        .write_stdin(format!(
            ".load {} ex:good\n.load {}\n",
            good.display(),
            bad.display()
        ))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown prefix"));
    let out = stdout_of(digicoop(home.path()).write_stdin(format!(
        ".prefix ex: <http://example.org/>\n.load {} ex:good\n{count}\n.export {}\n",
        good.display(),
        exported.display()
    )));
    assert!(out.contains("loaded 1 triple from"), "{out}");
    assert!(out.contains("\n1\n"), "{out}");
    digicoop(home.path())
        .write_stdin(format!(".load {}\n", bad.display()))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("bad.ttl:2:"));
    let nt = fs::read_to_string(&exported).unwrap();
    assert!(nt.contains(
        "<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> \"A\"@en ."
    ));
    assert!(!nt.contains("example.org/b"));
    let bundled = stdout_of(digicoop(home.path()).args([
        "query",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "--format",
        "tsv",
    ]));
    let triples: usize = bundled.lines().nth(1).unwrap().parse().unwrap();
    assert_eq!(
        nt.lines().count(),
        triples + 1,
        "the bundled graph plus one"
    );
}

#[test]
fn save_read_and_the_init_file() {
    let home = TempDir::new().unwrap();
    // .save keeps the last query in the user's folder; the command line then runs it.
    let out = stdout_of(digicoop(home.path()).write_stdin(format!(
        "{MEMBERSHIPS}\n.save memberships How many memberships\n"
    )));
    assert!(out.contains("saved to"), "{out}");
    let saved = home.path().join("data/digicoop/queries/memberships.rq");
    let text = fs::read_to_string(&saved).unwrap();
    assert!(
        text.starts_with("# title: How many memberships\n"),
        "{text}"
    );
    digicoop(home.path())
        .args(["run", "memberships", "--format", "csv"])
        .assert()
        .success()
        .stdout("n\r\n22\r\n");
    digicoop(home.path())
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("How many memberships"));

    // .read runs a file; an error inside it names the file and stops everything.
    let script = home.path().join("script.sparql");
    fs::write(&script, ".format csv\n.run memberships\n").unwrap();
    digicoop(home.path())
        .write_stdin(format!(".read {}\n", script.display()))
        .assert()
        .success()
        .stdout("n\r\n22\r\n");
    let broken = home.path().join("broken.sparql");
    fs::write(&broken, "SELECT * WHERE { ?s ?p ?o } LIMIT 1\n.nope\n").unwrap();
    digicoop(home.path())
        .write_stdin(format!(".read {}\n{MEMBERSHIPS}\n", broken.display()))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("broken.sparql:2"))
        .stdout(predicate::str::contains("22").not());

    // The init file in the config folder runs first; --no-init skips it, --init picks another.
    let config = home.path().join("config/digicoop");
    fs::create_dir_all(&config).unwrap();
    fs::write(config.join("init"), ".format csv\n").unwrap();
    digicoop(home.path())
        .write_stdin(format!("{MEMBERSHIPS}\n"))
        .assert()
        .success()
        .stdout("n\r\n22\r\n");
    digicoop(home.path())
        .args(["repl", "--no-init"])
        .write_stdin(format!("{MEMBERSHIPS}\n"))
        .assert()
        .success()
        .stdout("?n\n22\n");
    let other = home.path().join("other-init");
    fs::write(&other, ".format json\n").unwrap();
    digicoop(home.path())
        .args(["repl", "--init"])
        .arg(&other)
        .write_stdin(format!("{MEMBERSHIPS}\n"))
        .assert()
        .success()
        .stdout(predicate::str::contains("\"bindings\""));
}

#[test]
fn describe_schema_and_graphs_know_the_graph() {
    let home = TempDir::new().unwrap();
    let out = stdout_of(
        digicoop(home.path())
            .write_stdin(".format csv\n.describe person:cerf-vinton\n.graphs\n.schema\n"),
    );
    assert!(out.contains("Vinton Cerf"), "{out}");
    assert!(out.contains("hlpdc-fact-sheet"), "{out}");
    assert!(
        out.contains("https://w3id.org/digicoop/graph/gdc-2024-presentation,https://w3id.org/digicoop/doc/gdc-2024-presentation,"),
        "{out}"
    );
    assert!(
        out.contains("class,http://www.w3.org/ns/org#Membership,22"),
        "{out}"
    );
    // A label resolves to the resource it names.
    let by_label =
        stdout_of(digicoop(home.path()).write_stdin(".format csv\n.describe Vinton Cerf\n"));
    assert!(by_label.contains("Chief Internet Evangelist"), "{by_label}");
}
