//! Ctrl-C: cancels the running query instead of killing the process.
//!
//! One process-wide SIGINT handler cancels whichever query token is current; with no query
//! running, the default behaviour (the shell's own Ctrl-C handling, or exit 130) applies.

use oxigraph::sparql::CancellationToken;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

static CURRENT: Mutex<Option<CancellationToken>> = Mutex::new(None);
static INSTALLED: OnceLock<bool> = OnceLock::new();
static PRESSED: AtomicBool = AtomicBool::new(false);

/// Installs the handler once; later calls do nothing. Returns whether it is active.
pub fn install() -> bool {
    *INSTALLED.get_or_init(|| {
        ctrlc::set_handler(|| {
            PRESSED.store(true, Ordering::SeqCst);
            match CURRENT.lock().ok().and_then(|c| c.clone()) {
                Some(token) => token.cancel(),
                // Nothing to cancel (e.g. waiting on input in a script): leave as a shell would.
                None => std::process::exit(130),
            }
        })
        .is_ok()
    })
}

/// A fresh token for the next query, registered so Ctrl-C cancels it until dropped.
pub fn query_token() -> QueryScope {
    let token = CancellationToken::new();
    if let Ok(mut current) = CURRENT.lock() {
        *current = Some(token.clone());
    }
    PRESSED.store(false, Ordering::SeqCst);
    QueryScope { token }
}

/// The token of the running query; unregisters it when the query is over.
pub struct QueryScope {
    /// Pass this to the query.
    pub token: CancellationToken,
}

impl Drop for QueryScope {
    fn drop(&mut self) {
        if let Ok(mut current) = CURRENT.lock() {
            *current = None;
        }
    }
}
