//! The shell's state and how one entry runs: a query through the session, a dot-command
//! through [`super::dot`], and any error reported once, with a hint where one helps.

use super::input::{self, Entry};
use super::{dot, exec, words};
use crate::catalog;
use crate::error::Error;
use crate::exit::Exit;
use crate::format::Format;
use crate::query::{self, Form, QueryError, SyntaxError};
use crate::session::{Outcome, Session};
use oxigraph::model::{Term, Variable};
use spargebra::Query;
use std::io::{self, IsTerminal, Write};
use std::time::Instant;

/// What happens after an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Read the next entry.
    Continue,
    /// `.quit`: stop.
    Quit,
}

/// Why an entry failed: an error to report, or one already reported (inside `.read`).
#[derive(Debug)]
pub(crate) enum Fail {
    /// Report this.
    Error(Error),
    /// Reported already; a script ends with this code.
    Reported(Exit),
}

impl<E: Into<Error>> From<E> for Fail {
    fn from(error: E) -> Self {
        Fail::Error(error.into())
    }
}

/// A failure that has been reported, with the exit code a script ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Failed(pub Exit);

/// The session and the shell's own settings.
pub(crate) struct Shell {
    /// Store, catalog and output settings.
    pub session: Session,
    /// Reading from a terminal (errors say `Error:`), not a script.
    pub interactive: bool,
    /// Print each entry's run time.
    pub timer: bool,
    /// Format for SELECT and ASK results.
    pub select_format: Format,
    /// Format for CONSTRUCT and DESCRIBE results.
    pub graph_format: Format,
    /// The text of the last query that ran without error, for `.save`.
    pub last_query: Option<String>,
    /// Goes up whenever prefixes, the store's names or the saved queries change, so the
    /// editor knows to rebuild its completion words.
    pub generation: u64,
    /// How deep `.read` files are nested.
    pub depth: usize,
    /// Whether the current entry ran a query or a `.load`: what `.timer` times.
    pub(super) ran_query: bool,
}

impl Shell {
    /// A shell over a session. Interactive shells show at most 100 rows per table;
    /// results written to a pipe or file default to TSV, as on the command line.
    pub fn new(mut session: Session, interactive: bool) -> Self {
        if interactive && session.settings.style.max_rows.is_none() {
            session.settings.style.max_rows = Some(100);
        }
        // A script stops at its first error, and the process with it: its loads need no undo.
        session.disposable = !interactive;
        let piped = !io::stdout().is_terminal();
        Shell {
            session,
            interactive,
            timer: false,
            select_format: if piped { Format::Tsv } else { Format::Table },
            graph_format: Format::Turtle,
            last_query: None,
            generation: 0,
            depth: 0,
            ran_query: false,
        }
    }

    /// Runs one entry; on error, reports it (with `source`, the script's name, if any).
    pub fn run_entry(
        &mut self,
        entry: &Entry,
        source: Option<&str>,
        out: &mut dyn Write,
    ) -> Result<Flow, Failed> {
        let started = Instant::now();
        self.ran_query = false;
        let result = if entry.dot {
            dot::execute(self, &entry.text, out)
        } else {
            self.run_text(&entry.text, true, out)
                .map(|_| Flow::Continue)
                .map_err(Fail::Error)
        };
        let result = result.and_then(|flow| {
            if self.timer && self.ran_query {
                writeln!(out, "Run Time: {:.3}s", started.elapsed().as_secs_f64())?;
            }
            out.flush()?;
            Ok(flow)
        });
        match result {
            Ok(flow) => Ok(flow),
            Err(Fail::Reported(exit)) => Err(Failed(exit)),
            Err(Fail::Error(error)) => {
                let _ = out.flush();
                Err(self.report(error, entry, source))
            }
        }
    }

    /// Parses and runs a query text; `remember` keeps it for `.save` when it succeeds.
    pub fn run_text(
        &mut self,
        text: &str,
        remember: bool,
        out: &mut dyn Write,
    ) -> Result<Outcome, Error> {
        let parsed = self.session.parse(text)?;
        let outcome = self.run_parsed(parsed, Vec::new(), out)?;
        if remember {
            self.last_query = Some(text.trim().to_owned());
        }
        Ok(outcome)
    }

    /// Runs a parsed query in the format chosen for its form.
    pub fn run_parsed(
        &mut self,
        parsed: Query,
        bindings: Vec<(Variable, Term)>,
        out: &mut dyn Write,
    ) -> Result<Outcome, Error> {
        self.session.settings.format = Some(match query::form(&parsed) {
            Form::Graph => self.graph_format,
            Form::Select | Form::Ask => self.select_format,
        });
        self.ran_query = true;
        exec::run(&self.session, parsed, bindings, out)
    }

    /// Reads a resource as `<IRI>`: an IRI, a prefixed name (with `.prefix` ones), or the
    /// English label of exactly one resource.
    pub fn resolve_term(&self, text: &str) -> Result<String, Error> {
        let text = text.trim().trim_matches('"');
        if text.starts_with('<') || text.contains("://") || text.starts_with("urn:") {
            return Ok(text.to_owned());
        }
        let prefixes = self.session.prefixes();
        if let Some((prefix, local)) = text.split_once(':').filter(|_| !text.contains(' ')) {
            if let Some((_, ns)) = prefixes.iter().find(|(p, _)| *p == prefix) {
                return Ok(format!("<{ns}{local}>"));
            }
            return Err(Error::Usage(unknown_prefix(prefix, &prefixes)));
        }
        let labels = words::labels(&self.session);
        let mut found: Vec<String> = labels
            .iter()
            .filter(|(label, _)| label.eq_ignore_ascii_case(text))
            .map(|(_, node)| node.as_str().to_owned())
            .collect();
        found.sort();
        found.dedup();
        match found.as_slice() {
            [one] => Ok(format!("<{one}>")),
            [] => Err(Error::Usage(format!(
                "'{text}' is neither a prefixed name, an IRI nor a label{}",
                catalog::closest(text, labels.iter().map(|(l, _)| l.as_str()))
                    .map(|l| format!(" (did you mean '{l}'?)"))
                    .unwrap_or_default()
            ))),
            many => Err(Error::Usage(format!(
                "'{text}' labels {} resources: {}; use one of their names",
                many.len(),
                many.iter()
                    .map(|iri| self.session.settings.style.show_iri(iri))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Prints an error the way the mode calls for and returns its exit code.
    fn report(&self, error: Error, entry: &Entry, source: Option<&str>) -> Failed {
        if error.is_broken_pipe() {
            return Failed(Exit::Success);
        }
        let exit = error.exit();
        let hint = self.hint(&error, entry);
        let lead = if self.interactive {
            "Error: "
        } else {
            "digicoop: "
        };
        let message = match (error, source) {
            (Error::Query(QueryError::Interrupted), None) => "query interrupted".to_owned(),
            // In a script the syntax error's line counts from the top of the file.
            (Error::Query(QueryError::Syntax(e)), Some(source)) => {
                let line = e.line + entry.line - 1;
                let message = tidy(&e.message);
                let shown = SyntaxError { line, message, ..e };
                format!("{lead}{source}: {shown}")
            }
            (Error::Query(QueryError::Syntax(e)), None) => {
                let message = tidy(&e.message);
                format!("{lead}{}", SyntaxError { message, ..e })
            }
            (other, Some(source)) => format!("{lead}{source}:{}: {other}", entry.line),
            (other, None) => format!("{lead}{other}"),
        };
        let mut stderr = io::stderr().lock();
        let _ = writeln!(stderr, "{message}");
        if let Some(hint) = hint {
            let _ = writeln!(stderr, "hint: {hint}");
        }
        Failed(exit)
    }

    fn hint(&self, error: &Error, entry: &Entry) -> Option<String> {
        let Error::Query(QueryError::Syntax(e)) = error else {
            return None;
        };
        if entry.dot || !e.message.contains("Prefix not found") {
            return None;
        }
        let prefixes = self.session.prefixes();
        let declared: Vec<&str> = prefixes.iter().map(|(p, _)| *p).collect();
        let unknown = input::undeclared_prefixes(&entry.text, &declared);
        let hints: Vec<String> = unknown
            .iter()
            .map(|prefix| unknown_prefix(prefix, &prefixes))
            .collect();
        (!hints.is_empty()).then(|| hints.join("; "))
    }
}

/// "unknown prefix 'foaff:' (did you mean 'foaf:'?)", or how to declare it.
fn unknown_prefix(prefix: &str, prefixes: &[(&str, &str)]) -> String {
    match catalog::closest(prefix, prefixes.iter().map(|(p, _)| *p)) {
        Some(close) => format!("unknown prefix '{prefix}:' (did you mean '{close}:'?)"),
        None => format!(
            "unknown prefix '{prefix}:'; declare it with `.prefix {prefix}: <IRI>` (.prefixes lists the declared ones)"
        ),
    }
}

/// Shortens the parser's list of what it expected: character classes are noise to a
/// person, and an undeclared prefix is said plainly.
pub(crate) fn tidy(message: &str) -> String {
    if message.contains("Prefix not found") {
        return "undeclared prefix".to_owned();
    }
    let Some(list) = message.strip_prefix("expected one of ") else {
        return message.to_owned();
    };
    let mut items = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    let mut quoted = false;
    for (i, c) in list.char_indices() {
        match c {
            '\'' | '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            ',' if depth == 0 && !quoted => {
                items.push(list[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(list[start..].trim());
    let words: Vec<&str> = items.into_iter().filter(|i| !i.starts_with('[')).collect();
    match words.as_slice() {
        [] => "unexpected text".to_owned(),
        [one] => format!("expected {one}"),
        many => format!("expected one of {}", many.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidies_the_parsers_expectations() {
        assert_eq!(
            tidy("expected one of GROUP, LATERAL, ['0'..='9'], ['A' ..= 'Z' | ','], [_]"),
            "expected one of GROUP, LATERAL"
        );
        assert_eq!(
            tidy("expected one of Prefix not found, ['%']"),
            "undeclared prefix"
        );
        assert_eq!(tidy("expected [_]"), "expected [_]");
    }

    #[test]
    fn suggests_a_close_prefix() {
        let prefixes = [("foaf", "http://xmlns.com/foaf/0.1/"), ("rdfs", "x")];
        assert_eq!(
            unknown_prefix("foaff", &prefixes),
            "unknown prefix 'foaff:' (did you mean 'foaf:'?)"
        );
        assert!(unknown_prefix("zzz", &prefixes).contains(".prefix zzz: <IRI>"));
    }
}
