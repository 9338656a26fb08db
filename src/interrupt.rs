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
static STAY_ALIVE: AtomicBool = AtomicBool::new(false);

/// Installs the handler once; later calls do nothing. Returns whether it is active.
pub fn install() -> bool {
    *INSTALLED.get_or_init(|| {
        ctrlc::set_handler(|| {
            PRESSED.store(true, Ordering::SeqCst);
            match CURRENT.lock().ok().and_then(|c| c.clone()) {
                Some(token) => token.cancel(),
                // Nothing to cancel (e.g. waiting on input in a script): leave as a shell would,
                // unless the interactive shell asked to stay alive (see `stay_alive`).
                None if STAY_ALIVE.load(Ordering::SeqCst) => {}
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

/// Keeps the process alive when Ctrl-C comes with no query running.
///
/// The interactive shell turns this on: its line editor reads Ctrl-C as a key while the
/// prompt is shown, but a press in the moment between a query ending and the next prompt
/// arrives as a signal, and must not end the session.
pub fn stay_alive(on: bool) {
    STAY_ALIVE.store(on, Ordering::SeqCst);
}

/// Whether Ctrl-C was pressed since the current (or last) query token was handed out.
pub fn pressed() -> bool {
    PRESSED.load(Ordering::SeqCst)
}
