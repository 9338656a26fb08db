//! The interactive SPARQL shell, and script mode when standard input is not a terminal.
//!
//! `digicoop` on a terminal (or `digicoop repl`) opens a line editor on the embedded graph:
//! SPARQL queries and sqlite3-style dot-commands (`.help` lists them), with history kept
//! in `$XDG_DATA_HOME/digicoop/history`, Tab completion of keywords, prefixes, the
//! graph's own names and labels, and syntax colouring.
//!
//! **When a query runs.** A dot-command is one line. A query may span lines: it runs as
//! soon as the text parses; a line ending in `;` outside any bracket runs it as typed (the
//! `;` is dropped), which is how to see why a query does not parse; a text that no usual
//! ending (a `WHERE` clause, an `ORDER BY` key, a `LIMIT` number...) would make parse is a
//! mistake rather than missing text, and runs at once to show the error. Unbalanced
//! brackets or an open string always wait for the next line.
//!
//! **Script mode.** When standard input is not a terminal, its lines run by the same rules,
//! with no prompt; results print as TSV when standard output is not a terminal (as on the
//! command line). The first error stops the script (there is no way to continue past one)
//! and the process exits with that error's code (see [`crate::exit::Exit`]): 3 for a syntax
//! error, 2 for an unknown saved query, and so on. `.read FILE` runs a file the same way.
//!
//! **Init file.** `--init FILE`, else `$XDG_CONFIG_HOME/digicoop/init` when it exists (and
//! `--no-init` is not given), runs first in both modes, like a `.read`.
//!
//! The pieces: [`input`](self) splits lines into entries, `shell` runs them (queries on a
//! worker thread, see `exec`, so Ctrl-C always returns to the prompt), `dot` holds the
//! commands, `helper` gives the editor completion (`words`), colours (`highlight`) and
//! validation, `interactive` and `script` are the two loops.

mod dot;
mod exec;
mod helper;
mod highlight;
mod input;
mod interactive;
mod script;
mod shell;
#[cfg(test)]
mod tests;
mod words;

use crate::cli::ReplArgs;
use crate::error::Error;
use crate::exit::Exit;
use crate::session::Session;
use shell::{Failed, Shell};
use std::io::{self, IsTerminal};
use std::path::PathBuf;

/// How the shell starts.
#[derive(Debug, Clone, Default)]
pub struct ReplOptions {
    /// An init file to run first.
    pub init: Option<PathBuf>,
    /// Skip the init file.
    pub no_init: bool,
    /// Standard input and output are a terminal.
    pub interactive: bool,
}

impl ReplOptions {
    /// Options from the `repl` arguments.
    pub fn from_args(args: &ReplArgs, interactive: bool) -> Self {
        Self {
            init: args.init.clone(),
            no_init: args.no_init,
            interactive,
        }
    }

    /// The init file to run: the one given, else the user's default if it exists.
    fn init_file(&self) -> Option<PathBuf> {
        if self.no_init {
            return None;
        }
        self.init.clone().or_else(|| {
            dirs::config_dir()
                .map(|d| d.join("digicoop").join("init"))
                .filter(|p| p.is_file())
        })
    }
}

/// Runs the shell until `.quit` or end of input: interactive on a terminal, otherwise a
/// script read from standard input that stops at its first error.
pub fn run(session: Session, options: ReplOptions) -> Result<Exit, Error> {
    // `digicoop repl < file` is a script even though it asked for the shell.
    let interactive = options.interactive && io::stdin().is_terminal();
    let mut shell = Shell::new(session, interactive);
    if let Some(init) = options.init_file() {
        let text = format!(".read \"{}\"", init.display());
        let entry = input::Entry {
            text,
            line: 1,
            dot: true,
        };
        let mut out = io::stdout().lock();
        match shell.run_entry(&entry, None, &mut out) {
            Ok(shell::Flow::Quit) => return Ok(Exit::Success),
            // A broken init file is reported; the shell still opens, a script stops.
            Err(Failed(exit)) if !interactive => return Ok(exit),
            _ => {}
        }
    }
    if interactive {
        interactive::run(shell)
    } else {
        script::run_stdin(&mut shell)
    }
}
