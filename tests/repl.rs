//! The interactive shell, driven through a pseudo-terminal: the real binary, a private
//! HOME, a terminal that supports editing (TERM=xterm), colours stripped from the output.

use rexpect::error::Error;
use rexpect::reader::Options;
use rexpect::session::PtySession;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::Duration;
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_digicoop");
const PROMPT: &str = "digicoop> ";
const CONTINUATION: &str = "      -> ";
const MEMBERSHIPS: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?m a org:Membership }";
/// Generous: every test binary runs at once on a two-core machine, in debug builds.
const TIMEOUT_MS: u64 = 60_000;

fn command(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("TERM", "xterm")
        .env_remove("NO_COLOR");
    cmd
}

/// Starts the shell and waits for its first prompt.
fn shell(home: &Path) -> Result<PtySession, Error> {
    let options = Options::default()
        .timeout_ms(Some(TIMEOUT_MS))
        .strip_ansi_escape_codes(true);
    let mut p = rexpect::spawn_with_options(command(home), options)?;
    p.exp_string("triples in")?;
    p.exp_string(PROMPT)?;
    Ok(p)
}

/// The single value a one-shot query prints (TSV, second line), for expected values.
fn one_value(query: &str) -> String {
    let home = TempDir::new().unwrap();
    let output = command(home.path())
        .args(["query", query, "--format", "tsv"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let value = text.lines().nth(1).expect("a value").trim_matches('"');
    value.split('"').next().unwrap().to_owned()
}

/// Types keys without Enter (the line editor reacts to each one).
fn type_keys(p: &mut PtySession, keys: &str) -> Result<(), Error> {
    p.send(keys)?;
    p.flush()
}

/// Ends the session with Ctrl-D on an empty line and checks it exits with 0.
fn quit(mut p: PtySession) -> Result<(), Error> {
    p.send_control('d')?;
    p.exp_eof()?;
    let status = format!("{:?}", p.process().wait()?);
    assert!(
        status.starts_with("Exited") && status.ends_with(", 0)"),
        "{status}"
    );
    Ok(())
}

#[test]
fn a_multi_line_query_continues_then_runs() -> Result<(), Error> {
    let home = TempDir::new().unwrap();
    let expected = one_value(MEMBERSHIPS);
    assert!(expected.parse::<u32>().unwrap() > 0);
    let mut p = shell(home.path())?;
    p.send_line("SELECT (COUNT(*) AS ?n)")?;
    p.exp_string(CONTINUATION)?;
    p.send_line("WHERE { ?m a org:Membership }")?;
    p.exp_string(&format!(" {expected} "))?;
    p.exp_string("(1 row)")?;
    p.exp_string(PROMPT)?;
    quit(p)
}

#[test]
fn saved_queries_and_dot_commands_run() -> Result<(), Error> {
    let home = TempDir::new().unwrap();
    let mut p = shell(home.path())?;
    p.send_line(".run roadmap-to-gdc")?;
    p.exp_string("area:1")?;
    p.exp_regex(r"\(\d+ rows\)")?;
    p.exp_string(PROMPT)?;
    p.send_line(".timer on")?;
    p.exp_string(PROMPT)?;
    p.send_line(MEMBERSHIPS)?;
    p.exp_regex(r"Run Time: \d+\.\d{3}s")?;
    p.exp_string(PROMPT)?;
    p.send_line(".formt csv")?;
    p.exp_string("unknown command .formt (did you mean .format?)")?;
    p.exp_string(PROMPT)?;
    p.send_line(".run roadmap-to-gbc")?;
    p.exp_string("did you mean 'roadmap-to-gdc'?")?;
    p.exp_string(PROMPT)?;
    p.send_line(".help")?;
    p.exp_string(".run NAME [PARAM=VALUE ...]")?;
    p.exp_string(PROMPT)?;
    quit(p)
}

/// Lines typed ahead, or pasted without bracketed paste, arrive in one read: the ones
/// after the first wait in the line editor's buffer while the first runs, and then run too.
#[test]
fn lines_typed_ahead_all_run() -> Result<(), Error> {
    let home = TempDir::new().unwrap();
    let expected = one_value(MEMBERSHIPS);
    let mut p = shell(home.path())?;
    // `.mode` is sqlite3's and DuckDB's name for `.format`.
    type_keys(
        &mut p,
        &format!(".timer on\r{MEMBERSHIPS}\r.mode csv\r.run roadmap-to-gdc\r"),
    )?;
    p.exp_string(&format!(" {expected} "))?;
    p.exp_regex(r"Run Time: \d+\.\d{3}s")?;
    p.exp_string("area,areaLabel,objective,")?;
    p.exp_string("\nhttps://w3id.org/digicoop/roadmap-action-areas/1,Universal connectivity,")?;
    p.exp_string(PROMPT)?;
    quit(p)
}

#[test]
fn tab_completes_prefixed_names_and_labels() -> Result<(), Error> {
    let home = TempDir::new().unwrap();
    let mut p = shell(home.path())?;
    type_keys(&mut p, "SELECT ?p ?o WHERE { person:cerf-v")?;
    type_keys(&mut p, "\t")?;
    p.exp_string("person:cerf-vinton")?;
    p.send_line(" ?p ?o }")?;
    p.exp_string("Vice President and Chief Internet Evangelist")?;
    p.exp_string(PROMPT)?;
    // A word of an English label completes to the resource's prefixed name.
    type_keys(&mut p, "SELECT ?o WHERE { Vinton")?;
    type_keys(&mut p, "\t")?;
    p.exp_string("person:cerf-vinton")?;
    p.send_line(" foaf:name ?o }")?;
    p.exp_string(" Vinton Cerf ")?;
    p.exp_string("(1 row)")?;
    p.exp_string(PROMPT)?;
    quit(p)
}

#[test]
fn ctrl_c_cancels_a_long_query_and_the_shell_goes_on() -> Result<(), Error> {
    let home = TempDir::new().unwrap();
    let expected = one_value(MEMBERSHIPS);
    let mut p = shell(home.path())?;
    p.send_line("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")?;
    // Let the query start (the editor has given the terminal back) before interrupting.
    thread::sleep(Duration::from_millis(1500));
    p.send_control('c')?;
    p.exp_string("query interrupted")?;
    p.exp_string(PROMPT)?;
    p.send_line(MEMBERSHIPS)?;
    p.exp_string(&format!(" {expected} "))?;
    // Ctrl-C at the prompt drops the unfinished query, not the shell.
    p.exp_string(PROMPT)?;
    p.send_line("SELECT ?x")?;
    p.exp_string(CONTINUATION)?;
    p.send_control('c')?;
    p.exp_string(PROMPT)?;
    p.send_line(".run roadmap-to-gdc")?;
    p.exp_string("area:1")?;
    p.exp_string(PROMPT)?;
    quit(p)
}

#[test]
fn errors_point_at_the_mistake() -> Result<(), Error> {
    let home = TempDir::new().unwrap();
    let mut p = shell(home.path())?;
    p.send_line("SELECT ?x WHERE { ?x ?p ?o } LIMT 5")?;
    p.exp_string("syntax error at line 1, column")?;
    p.exp_string("SELECT ?x WHERE { ?x ?p ?o } LIMT 5")?;
    p.exp_regex(r"\n\s+\^")?;
    p.exp_string(PROMPT)?;
    p.send_line("SELECT * WHERE { ?p a foaff:Person }")?;
    p.exp_string("did you mean 'foaf:'?")?;
    p.exp_string(PROMPT)?;
    // A malformed file is refused whole: its 70,000 valid triples before the error are not
    // loaded either (more than a script, which ends at the error, holds in one transaction).
    let bad = home.path().join("bad.ttl");
    let mut text = String::new();
    for i in 0..70_000 {
        text.push_str(&format!(
            "<http://example.org/a> <http://example.org/p> {i} .\n"
        ));
    }
    text.push_str("<http://example.org/c> <http://example.org/p> \"open .\n");
    std::fs::write(&bad, text).unwrap();
    p.send_line(&format!(".load {}", bad.display()))?;
    p.exp_string("bad.ttl:70001:")?;
    p.exp_string(PROMPT)?;
    p.send_line("SELECT (COUNT(*) AS ?n) WHERE { <http://example.org/a> ?p ?o }")?;
    p.exp_string(" 0 ")?;
    p.exp_string("(1 row)")?;
    p.exp_string(PROMPT)?;
    quit(p)
}

#[test]
fn history_survives_the_session() -> Result<(), Error> {
    let home = TempDir::new().unwrap();
    let expected = one_value(MEMBERSHIPS);
    let people = one_value("SELECT (COUNT(*) AS ?n) WHERE { ?p a foaf:Person }");
    let mut p = shell(home.path())?;
    p.send_line(MEMBERSHIPS)?;
    p.exp_string("(1 row)")?;
    p.exp_string(PROMPT)?;
    p.send_line("SELECT (COUNT(*) AS ?n)")?;
    p.exp_string(CONTINUATION)?;
    p.send_line("WHERE { ?p a foaf:Person }")?;
    p.exp_string("(1 row)")?;
    p.exp_string(PROMPT)?;
    quit(p)?;
    let history = std::fs::read_to_string(home.path().join("data/digicoop/history")).unwrap();
    assert!(history.contains(MEMBERSHIPS), "{history}");
    // The multi-line query is one entry, its line break escaped.
    assert!(
        history.contains("SELECT (COUNT(*) AS ?n)\\nWHERE { ?p a foaf:Person }"),
        "{history}"
    );

    let mut p = shell(home.path())?;
    // Up recalls the last entry, the multi-line query, whole; Enter runs it again.
    type_keys(&mut p, "\x1b[A")?;
    p.exp_string("WHERE { ?p a foaf:Person }")?;
    type_keys(&mut p, "\r")?;
    p.exp_string(&format!(" {people} "))?;
    p.exp_string(PROMPT)?;
    // Ctrl-R finds an older entry by any part of it.
    p.send_control('r')?;
    type_keys(&mut p, "org:Members")?;
    p.exp_string(MEMBERSHIPS)?;
    type_keys(&mut p, "\r")?;
    p.exp_string(&format!(" {expected} "))?;
    p.exp_string(PROMPT)?;
    quit(p)
}
