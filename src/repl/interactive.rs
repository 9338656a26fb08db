//! The interactive loop: read a line, run what it completes, print, repeat.

use super::helper::ShellHelper;
use super::input::Splitter;
use super::shell::{Flow, Shell};
use super::words::Words;
use crate::error::Error;
use crate::exit::Exit;
use crate::interrupt;
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The main prompt.
pub(crate) const PROMPT: &str = "digicoop> ";
/// The prompt for the next line of an unfinished query (as wide as the main one).
pub(crate) const CONTINUATION: &str = "      -> ";

/// Runs the shell on the terminal until `.quit` or Ctrl-D.
pub(crate) fn run(mut shell: Shell) -> Result<Exit, Error> {
    // Ctrl-C between two queries must not end the session.
    interrupt::stay_alive(true);
    let config = Config::builder()
        .max_history_size(10_000)
        .map_err(readline_error)?
        .history_ignore_dups(true)
        .map_err(readline_error)?
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .build();
    let mut editor: Editor<ShellHelper, FileHistory> =
        Editor::with_config(config).map_err(readline_error)?;
    let colours = std::env::var_os("NO_COLOR").is_none();
    editor.set_helper(Some(ShellHelper::new(
        Words::from_session(&shell.session),
        colours,
    )));
    let history = history_path();
    if let Some(path) = &history {
        // A missing history file is the normal first start.
        let _ = editor.load_history(path);
    }
    banner(&shell)?;
    let mut splitter = Splitter::default();
    let mut generation = shell.generation;
    loop {
        if let Some(helper) = editor.helper_mut() {
            if generation != shell.generation {
                helper.words = Words::from_session(&shell.session);
                generation = shell.generation;
            }
            helper.pending = splitter.pending().to_owned();
        }
        let prompt = if splitter.pending().is_empty() {
            PROMPT
        } else {
            CONTINUATION
        };
        match editor.readline(prompt) {
            // Several lines at once: a paste, or a multi-line query recalled from history.
            Ok(text) => {
                for line in text.split('\n') {
                    let Some(entry) = splitter.push(line, &shell.session.prefixes()) else {
                        continue;
                    };
                    remember(&mut editor, history.as_deref(), &entry.text);
                    shell.session.settings.style.width = editor.dimensions().map(|(w, _)| w);
                    let mut out = io::stdout().lock();
                    if shell.run_entry(&entry, None, &mut out) == Ok(Flow::Quit) {
                        return Ok(Exit::Success);
                    }
                }
            }
            // Ctrl-C: drop what was being typed.
            Err(ReadlineError::Interrupted) => splitter.clear(),
            Err(ReadlineError::Eof) => return Ok(Exit::Success),
            Err(e) => return Err(readline_error(e)),
        }
    }
}

fn banner(shell: &Shell) -> Result<(), Error> {
    let (triples, graphs) = super::words::size(&shell.session);
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "digicoop {} · {triples} triples in {graphs} graphs · .help for commands, Ctrl-D to quit",
        env!("CARGO_PKG_VERSION")
    )?;
    Ok(())
}

/// Adds an entry to the history and appends it to the file at once, so a crash loses
/// nothing and concurrent shells keep each other's lines.
fn remember(editor: &mut Editor<ShellHelper, FileHistory>, path: Option<&Path>, entry: &str) {
    if editor.add_history_entry(entry).unwrap_or(false) {
        if let Some(path) = path {
            if let Err(e) = editor.append_history(path) {
                eprintln!("warning: cannot save history to {}: {e}", path.display());
            }
        }
    }
}

/// `$XDG_DATA_HOME/digicoop/history` (e.g. `~/.local/share/digicoop/history`), its folder
/// created if need be.
pub(crate) fn history_path() -> Option<PathBuf> {
    let dir = dirs::data_dir()?.join("digicoop");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history"))
}

fn readline_error(error: ReadlineError) -> Error {
    match error {
        ReadlineError::Io(e) => Error::Io(e),
        other => Error::Io(io::Error::other(other.to_string())),
    }
}
