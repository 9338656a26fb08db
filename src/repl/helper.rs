//! The line editor's helper: one type that completes, hints, colours and validates.

use super::dot;
use super::highlight::highlight;
use super::input::{self, Status};
use super::words::Words;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter};
use rustyline::line_buffer::LineBuffer;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Changeset, Context, Helper};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};

/// Completion words, the query typed so far, and whether to colour.
#[derive(Helper)]
pub(crate) struct ShellHelper {
    /// What Tab offers.
    pub words: Words,
    /// Earlier lines of the query being typed (empty at the main prompt).
    pub pending: String,
    colours: bool,
    show_match: Cell<bool>,
    files: FilenameCompleter,
    offered: RefCell<Vec<String>>,
    cycle: RefCell<Option<Cycle>>,
}

/// Resources found by their labels, offered one per Tab press (a list of them could not
/// be picked from: the typed word is a label, not the start of their names).
struct Cycle {
    options: Vec<Pair>,
    index: usize,
}

impl Cycle {
    fn current(&self) -> &Pair {
        &self.options[self.index]
    }
}

impl ShellHelper {
    /// A helper with these words; `colours` turns highlighting on.
    pub fn new(words: Words, colours: bool) -> Self {
        Self {
            words,
            pending: String::new(),
            colours,
            show_match: Cell::new(false),
            files: FilenameCompleter::new(),
            offered: RefCell::new(Vec::new()),
            cycle: RefCell::new(None),
        }
    }

    fn offer(&self, start: usize, candidates: Vec<Pair>) -> rustyline::Result<(usize, Vec<Pair>)> {
        *self.offered.borrow_mut() = candidates.iter().map(|c| c.replacement.clone()).collect();
        Ok((start, candidates))
    }

    fn prefixes(&self) -> Vec<(&str, &str)> {
        self.words
            .prefixes
            .iter()
            .map(|(p, n)| (p.as_str(), n.as_str()))
            .collect()
    }
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let command = line.split_whitespace().next().unwrap_or_default();
        let in_file_argument = self.pending.is_empty()
            && matches!(command, ".load" | ".read" | ".export")
            && line[..pos].split_whitespace().count() + usize::from(line[..pos].ends_with(' '))
                == 2;
        let (start, mut candidates) = if in_file_argument {
            self.files.complete_path(line, pos)?
        } else {
            self.words.complete(&self.pending, line, pos)
        };
        let mut cycle = self.cycle.borrow_mut();
        let word = super::words::word_start(line, pos);
        match cycle.as_mut() {
            // Tab again right after a label match: the next one.
            Some(c) if line[word..pos] == c.current().replacement => {
                c.index = (c.index + 1) % c.options.len();
                candidates = vec![c.current().clone()];
                return self.offer(word, candidates);
            }
            _ => *cycle = None,
        }
        let by_label = |c: &Pair| c.display != c.replacement;
        if candidates.len() > 1 && candidates.iter().all(by_label) {
            let first = candidates[0].clone();
            *cycle = Some(Cycle {
                options: candidates,
                index: 0,
            });
            candidates = vec![first];
        }
        self.offer(start, candidates)
    }

    /// Replaces the word, except with a common start of label matches that does not begin
    /// with what was typed (`Vinton` must not become `person:` when several people match).
    fn update(&self, line: &mut LineBuffer, start: usize, elected: &str, cl: &mut Changeset) {
        let typed = line[start..line.pos()].to_lowercase();
        let whole = self.offered.borrow().iter().any(|c| c == elected);
        if whole || elected.to_lowercase().starts_with(&typed) {
            let end = line.pos();
            line.replace(start..end, elected, cl);
        }
    }
}

/// A hint that is shown but never inserted (the arguments a dot-command takes).
pub(crate) struct Synopsis(String);

impl Hint for Synopsis {
    fn display(&self) -> &str {
        &self.0
    }

    fn completion(&self) -> Option<&str> {
        None
    }
}

impl Hinter for ShellHelper {
    type Hint = Synopsis;

    fn hint(&self, line: &str, pos: usize, _: &Context<'_>) -> Option<Synopsis> {
        if let Some(cycle) = self.cycle.borrow().as_ref() {
            let current = cycle.current();
            if pos == line.len() && line.ends_with(&current.replacement) {
                let label = &current.display[current.replacement.len()..];
                let (n, of) = (cycle.index + 1, cycle.options.len());
                return Some(Synopsis(format!("  {} [Tab: {n} of {of}]", label.trim())));
            }
        }
        if !self.pending.is_empty() || pos != line.len() || !line.ends_with(' ') {
            return None;
        }
        let mut words = line.split_whitespace();
        let command = words.next()?.strip_prefix('.')?;
        match (command, words.next(), words.next()) {
            ("run", Some(name), None) => {
                let (_, params) = self.words.queries.iter().find(|(n, _)| n == name)?;
                let shown: Vec<String> = params.iter().map(|p| format!("{p}=…")).collect();
                (!shown.is_empty()).then(|| Synopsis(shown.join(" ")))
            }
            (command, None, None) => dot::synopsis(command)
                .filter(|s| !s.is_empty())
                .map(|s| Synopsis(s.to_owned())),
            _ => None,
        }
    }
}

impl Highlighter for ShellHelper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        if !self.colours {
            return Cow::Borrowed(line);
        }
        let cursor = self.show_match.get().then_some(pos);
        Cow::Owned(highlight(&self.pending, line, cursor))
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        if self.colours {
            Cow::Owned(format!("\x1b[1;32m{prompt}\x1b[0m"))
        } else {
            Cow::Borrowed(prompt)
        }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.colours {
            Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, kind: CmdKind) -> bool {
        // The final redraw before a line is accepted shows no bracket match.
        self.show_match.set(kind != CmdKind::ForcedRefresh);
        self.colours
    }
}

impl Validator for ShellHelper {
    /// Each typed line is handed to the shell, which shows the continuation prompt itself;
    /// a query recalled from history or pasted, several lines at once, stays in the editor
    /// until it is complete.
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(self.check(ctx.input()))
    }
}

impl ShellHelper {
    fn check(&self, text: &str) -> ValidationResult {
        let recalled =
            self.pending.is_empty() && text.contains('\n') && !text.trim_start().starts_with('.');
        if recalled && input::status(text, &self.prefixes()) == Status::Incomplete {
            return ValidationResult::Incomplete;
        }
        ValidationResult::Valid(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustyline::history::MemHistory;

    #[test]
    fn tab_again_offers_the_next_label_match() {
        let words = Words {
            labels: vec![
                ("Vinton Cerf".into(), "person:cerf-vinton".into()),
                (
                    "Vinton Cerf, member of the Panel".into(),
                    "membership:hlpdc-cerf-vinton".into(),
                ),
            ],
            ..Words::default()
        };
        let helper = ShellHelper::new(words, false);
        let history = MemHistory::new();
        let ctx = Context::new(&history);
        let replace = |line: &str| {
            let (start, pairs) = helper.complete(line, line.len(), &ctx).unwrap();
            let names: Vec<String> = pairs.into_iter().map(|p| p.replacement).collect();
            (start, names)
        };
        assert_eq!(
            replace("{ Vinton"),
            (2, vec!["person:cerf-vinton".to_owned()])
        );
        let hint = helper.hint("{ person:cerf-vinton", 20, &ctx).unwrap();
        assert_eq!(hint.display(), "  (Vinton Cerf) [Tab: 1 of 2]");
        assert_eq!(
            replace("{ person:cerf-vinton"),
            (2, vec!["membership:hlpdc-cerf-vinton".to_owned()])
        );
        assert_eq!(
            replace("{ membership:hlpdc-cerf-vinton"),
            (2, vec!["person:cerf-vinton".to_owned()])
        );
        // Typing something else ends the cycle.
        assert_eq!(replace("{ ?x").1, Vec::<String>::new());
        assert!(helper.hint("{ person:cerf-vinton", 20, &ctx).is_none());
    }

    #[test]
    fn only_a_recalled_unfinished_query_stays_in_the_editor() {
        let helper = ShellHelper::new(Words::default(), false);
        let incomplete = "SELECT ?x\nWHERE { ?x ?p";
        assert!(matches!(
            validate(&helper, incomplete),
            ValidationResult::Incomplete
        ));
        assert!(matches!(
            validate(&helper, "SELECT ?x"),
            ValidationResult::Valid(_)
        ));
        assert!(matches!(
            validate(&helper, "SELECT ?x\nWHERE { ?x ?p ?o }"),
            ValidationResult::Valid(_)
        ));
    }

    fn validate(helper: &ShellHelper, text: &str) -> ValidationResult {
        helper.check(text)
    }
}
