//! Running one query on a worker thread, so Ctrl-C always gives the prompt back.
//!
//! Oxigraph notices a cancelled token only when it next reads the store; a query busy
//! joining in-memory tables (a cartesian product) may not read it again for a long time.
//! The shell must not hang on such a query, so the query runs on its own thread over a
//! snapshot of the session (the store is shared, not copied) and streams its output back
//! through a bounded channel. When Ctrl-C (or the timeout) cancels the token and the
//! engine has not stopped within a short grace period, the shell stops waiting: the
//! worker is left to end at its next store read, and its output goes nowhere.

use crate::catalog::Catalog;
use crate::error::Error;
use crate::interrupt;
use crate::query::QueryError;
use crate::session::{Outcome, Session};
use oxigraph::model::{Term, Variable};
use spargebra::Query;
use std::io::{self, Write};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::thread;
use std::time::{Duration, Instant};

/// How often the waiting thread looks at the token.
const POLL: Duration = Duration::from_millis(50);
/// How long a cancelled query may take to stop before the shell stops waiting for it.
const GRACE: Duration = Duration::from_millis(750);
/// Output is sent in chunks of about this size.
const CHUNK: usize = 16 * 1024;

enum Message {
    Output(Vec<u8>),
    Done(Result<Outcome, Error>),
}

/// Runs a parsed query with the session's settings, writing its results to `out`.
pub(crate) fn run(
    session: &Session,
    parsed: Query,
    bindings: Vec<(Variable, Term)>,
    out: &mut dyn Write,
) -> Result<Outcome, Error> {
    let scope = interrupt::query_token();
    let snapshot = Session {
        store: session.store.clone(),
        catalog: Catalog::default(),
        settings: session.settings.clone(),
        // The lock stays with the shell's own session.
        disk: None,
        disposable: false,
    };
    let (sender, receiver) = mpsc::sync_channel(64);
    let token = scope.token.clone();
    thread::Builder::new()
        .name("digicoop-query".into())
        .spawn(move || {
            let mut writer = ChannelWriter {
                sender: sender.clone(),
                buffer: Vec::with_capacity(CHUNK),
            };
            let result = snapshot
                .run_query(parsed, bindings, &mut writer, &token)
                .and_then(|outcome| Ok(writer.flush().map(|()| outcome)?));
            let _ = sender.send(Message::Done(result));
        })?;
    let started = Instant::now();
    let timeout = session.settings.timeout;
    let mut stopping: Option<Instant> = None;
    loop {
        match receiver.recv_timeout(POLL) {
            Ok(Message::Output(bytes)) => {
                if let Err(e) = out.write_all(&bytes) {
                    scope.token.cancel();
                    return Err(e.into());
                }
            }
            Ok(Message::Done(result)) => return result,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err(io::Error::other("the query thread stopped unexpectedly").into())
            }
        }
        let timed_out = timeout.filter(|t| started.elapsed() >= *t);
        if stopping.is_none() && (scope.token.is_cancelled() || timed_out.is_some()) {
            scope.token.cancel();
            stopping = Some(Instant::now());
        }
        if stopping.is_some_and(|since| since.elapsed() >= GRACE) {
            let error = match timed_out {
                Some(t) if !interrupt::pressed() => QueryError::Timeout(t),
                _ => QueryError::Interrupted,
            };
            return Err(error.into());
        }
    }
}

/// A `Write` that sends what it is given to the waiting thread, in chunks.
struct ChannelWriter {
    sender: SyncSender<Message>,
    buffer: Vec<u8>,
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.flush()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK));
        // The shell stopped waiting (Ctrl-C): nobody will read this, so stop writing.
        self.sender
            .send(Message::Output(chunk))
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Format;
    use crate::session::Settings;

    fn session() -> Session {
        Session {
            store: crate::session::LazyStore::default(),
            catalog: Catalog::default(),
            settings: Settings {
                format: Some(Format::Tsv),
                ..Settings::default()
            },
            disk: None,
            disposable: false,
        }
    }

    #[test]
    fn streams_results_back() {
        let session = session();
        let parsed = session
            .parse("SELECT ?n WHERE { VALUES ?n { 1 2 3 } }")
            .unwrap();
        let mut out = Vec::new();
        let outcome = run(&session, parsed, Vec::new(), &mut out).unwrap();
        assert_eq!(outcome, Outcome::Rows(3));
        assert_eq!(String::from_utf8(out).unwrap(), "?n\n1\n2\n3\n");
    }

    #[test]
    fn a_runaway_query_is_abandoned_after_its_timeout() {
        let mut session = session();
        session.settings.timeout = Some(Duration::from_millis(200));
        let text = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } GRAPH ?z { ?g ?h ?i } }";
        let parsed = session.parse(text).unwrap();
        let started = Instant::now();
        let error = run(&session, parsed, Vec::new(), &mut Vec::new()).unwrap_err();
        assert!(
            matches!(error, Error::Query(QueryError::Timeout(_))),
            "{error}"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
