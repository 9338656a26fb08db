//! Script mode: lines from standard input (or a `.read` file) run in order, as typed at
//! the prompt, and the first error stops the script with that error's exit code.

use super::input::Splitter;
use super::shell::{Failed, Flow, Shell};
use crate::error::Error;
use crate::exit::Exit;
use std::io::{self, BufRead, BufWriter, Write};

/// Runs standard input as a script; the exit code is that of the first error, if any.
pub(crate) fn run_stdin(shell: &mut Shell) -> Result<Exit, Error> {
    let stdin = io::stdin();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let exit = match run_lines(shell, stdin.lock(), "<stdin>", &mut out) {
        Ok(_) => Exit::Success,
        Err(Failed(exit)) => exit,
    };
    match out.flush() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(exit),
    }
}

/// Runs every entry of `reader` until the end, `.quit`, or the first error (reported,
/// naming `source` and the line).
pub(crate) fn run_lines(
    shell: &mut Shell,
    reader: impl BufRead,
    source: &str,
    out: &mut dyn Write,
) -> Result<Flow, Failed> {
    let mut splitter = Splitter::default();
    for (number, line) in reader.lines().enumerate() {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                let _ = out.flush();
                eprintln!("digicoop: {source}:{}: cannot read: {e}", number + 1);
                return Err(Failed(Exit::Data));
            }
        };
        let entry = splitter.push(&line, &shell.session.prefixes());
        if let Some(entry) = entry {
            if shell.run_entry(&entry, Some(source), out)? == Flow::Quit {
                return Ok(Flow::Quit);
            }
        }
    }
    match splitter.finish() {
        Some(entry) => shell.run_entry(&entry, Some(source), out),
        None => Ok(Flow::Continue),
    }
}
