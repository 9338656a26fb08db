//! The interactive SPARQL shell (being built; see issue 4). Script mode works today.

use crate::cli::ReplArgs;
use crate::error::Error;
use crate::exit::Exit;
use crate::session::Session;
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
}

/// Runs the shell until `.quit` or end of input.
pub fn run(session: Session, options: ReplOptions) -> Result<Exit, Error> {
    let _ = (session, options);
    Err(Error::Usage("the shell is not available yet".into()))
}
