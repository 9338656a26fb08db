//! Loading users' files: all or nothing, parsing on one thread while inserting on another,
//! with a progress bar and Ctrl-C.
//!
//! A parser thread reads the file (gunzipping `.gz`) and hands batches of quads to the
//! calling thread, which inserts them into one store transaction. Parsing and inserting
//! thus overlap on two cores. Oxigraph's in-memory bulk loader is the same transaction
//! underneath, but it parses and inserts on one thread when the machine has fewer than four
//! cores. Nothing is committed until the last quad is in, so a syntax error on the last
//! line, an I/O error or Ctrl-C rolls the whole file back and the store's counts do not move.
//!
//! N-Triples and N-Quads could also be cut into chunks parsed by several threads, but the
//! inserter is the bottleneck (one parser keeps it busy; see BENCHMARKS.md), chunked parsers
//! report chunk-relative line numbers, and each chunk renames blank nodes on its own, so the
//! same `_:b` in two chunks would become two nodes. One parser it is.

use crate::store::{self, LoadSummary, StoreError};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use oxigraph::io::{RdfParseError, RdfParser};
use oxigraph::model::{NamedNode, Quad};
use oxigraph::sparql::CancellationToken;
use oxigraph::store::Store;
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, IsTerminal, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Quads handed from the parser to the inserting thread at a time.
const BATCH: usize = 1024;
/// Batches the parser may run ahead of the inserter: enough to smooth out hiccups, few
/// enough that the quads in flight (a few MB) do not show in the memory per triple.
const AHEAD: usize = 8;
/// Batches per bulk load: enough that the sorting threads work while the parser reads on,
/// few enough that RocksDB ingests a handful of files per index (see [`bulk_batch`]).
const BULK_BATCHES: u64 = 10;
/// Bounds of a bulk loader batch, in quads (Oxigraph's default is the upper one).
const BULK_BATCH: (usize, usize) = (100_000, 1_000_000);
/// Bytes per quad of N-Triples assumed when sizing batches from file sizes (the generated
/// graphs average 125); gzip files are counted 8 times their size.
const BYTES_PER_QUAD: u64 = 125;
/// Quads per transaction when the store is disposable (see [`LoadOptions::disposable`]): a
/// small undo log instead of one as long as the file.
const COMMIT_EVERY: u64 = 64 * BATCH as u64;
/// Loads shorter than this never show a bar.
const QUIET_FOR: Duration = Duration::from_millis(500);

/// How to load a file.
#[derive(Clone, Default)]
pub struct LoadOptions {
    /// Draw a progress bar on standard error (only if it is a terminal, and only once the
    /// load has taken more than a moment).
    pub progress: bool,
    /// Stop and roll back when this is cancelled (Ctrl-C).
    pub cancel: Option<CancellationToken>,
    /// Use Oxigraph's bulk loader (see [`bulk_load_files`]) rather than one transaction.
    pub bulk: bool,
    /// The caller drops the in-memory store if the load fails (a one-shot command, a script
    /// that stops at its first error), so the load may commit every [`COMMIT_EVERY`] quads
    /// rather than keep an undo log of the whole file: about 40 bytes less per triple at the
    /// peak, and faster. A failed load then leaves part of the file in the store.
    pub disposable: bool,
}

/// Loads a user's file atomically: format from the extension, `.gz` decompressed, triples
/// outside a named graph into `graph` (default: the file's own `file:` IRI).
pub fn load_file(
    store: &Store,
    path: &Path,
    graph: Option<&str>,
    options: &LoadOptions,
) -> Result<LoadSummary, StoreError> {
    if options.bulk {
        let mut summaries = bulk_load_files(store, &[path], graph, options)?;
        return Ok(summaries.pop().expect("one summary per file"));
    }
    let input = Input::open(path, graph, options)?;
    let triples = insert_all(
        store,
        &input.name,
        input.parser,
        input.reader,
        &input.progress,
        options,
    )?;
    input.progress.finish();
    Ok(LoadSummary {
        triples,
        graph: input.graph,
        source: input.name,
        elapsed: input.started.elapsed(),
    })
}

/// Loads several files with Oxigraph's bulk loader, all or nothing: the loader sorts
/// batches into files beside the store and ingests them all in one atomic step after the
/// last file, so an error or Ctrl-C in any file leaves the store as it was.
///
/// This is how an on-disk store is filled (see [`crate::disk`]), where one transaction
/// holding millions of quads would not fit in memory.
pub fn bulk_load_files(
    store: &Store,
    paths: &[&Path],
    graph: Option<&str>,
    options: &LoadOptions,
) -> Result<Vec<LoadSummary>, StoreError> {
    let cancel = options.cancel.clone().unwrap_or_default();
    // Oxigraph's default batch is a million quads: the parser fills a whole batch before a
    // thread starts sorting it, so a file of a million triples loads on one core. Smaller
    // batches let the sorting threads work while the parser reads on.
    let threads = thread::available_parallelism().map_or(1, usize::from);
    let mut loader = store
        .bulk_loader()
        .with_num_threads(threads)
        .with_max_memory_size_in_megabytes(bulk_batch(paths) / 1000 * threads);
    let mut summaries = Vec::new();
    for path in paths {
        let input = Input::open(path, graph, options)?;
        let name = input.name.as_str();
        let progress = &input.progress;
        let mut triples = 0u64;
        // Parsing runs here; the loader's own threads sort and write each full batch.
        let quads = input
            .parser
            .rename_blank_nodes()
            .for_reader(input.reader)
            .map(|quad| {
                let quad = quad.map_err(|e| store::parse_error(name, e))?;
                triples += 1;
                if triples.is_multiple_of(BATCH as u64) {
                    if cancel.is_cancelled() {
                        return Err(StoreError::Interrupted(name.to_owned()));
                    }
                    progress.update(triples);
                }
                Ok(quad)
            });
        loader.load_ok_quads::<StoreError, StoreError>(quads)?;
        if cancel.is_cancelled() {
            return Err(StoreError::Interrupted(name.to_owned()));
        }
        input.progress.finish();
        summaries.push(LoadSummary {
            triples,
            graph: input.graph,
            source: input.name,
            elapsed: input.started.elapsed(),
        });
    }
    let committing = Instant::now();
    loader.commit()?;
    if let Some(last) = summaries.last_mut() {
        last.elapsed += committing.elapsed();
    }
    Ok(summaries)
}

/// Quads per bulk loader batch for these files: about a tenth of their estimated size.
///
/// Measured on two cores: at a million triples, batches of 100,000 load 2.5 times faster
/// than Oxigraph's default million (sorting overlaps parsing instead of following it); at
/// ten million, batches of 100,000 make RocksDB ingest ten times more files and load 30%
/// slower than batches of a million.
fn bulk_batch(paths: &[&Path]) -> usize {
    let bytes: u64 = paths
        .iter()
        .map(|path| {
            let size = std::fs::metadata(path).map_or(0, |m| m.len());
            if is_gzip(path) {
                size * 8
            } else {
                size
            }
        })
        .sum();
    let batch = bytes / BYTES_PER_QUAD / BULK_BATCHES;
    usize::try_from(batch)
        .unwrap_or(usize::MAX)
        .clamp(BULK_BATCH.0, BULK_BATCH.1)
}

/// A user's file opened for parsing: reader (gunzipped), parser, progress bar.
struct Input {
    name: String,
    graph: NamedNode,
    parser: RdfParser,
    reader: Box<dyn Read + Send>,
    progress: Progress,
    started: Instant,
}

impl Input {
    fn open(path: &Path, graph: Option<&str>, options: &LoadOptions) -> Result<Self, StoreError> {
        let started = Instant::now();
        let format =
            store::format_of(path).ok_or_else(|| StoreError::UnknownFormat(path.to_owned()))?;
        let graph = match graph {
            Some(iri) => NamedNode::new(iri).map_err(|_| StoreError::BadGraph(iri.to_owned()))?,
            None => store::file_graph(path)?,
        };
        let io_error = |source| StoreError::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io_error)?;
        let size = file.metadata().map_err(io_error)?.len();
        let name = path.display().to_string();
        let read = Arc::new(AtomicU64::new(0));
        let counted = Counting {
            inner: file,
            read: Arc::clone(&read),
        };
        let reader: Box<dyn Read + Send> = if is_gzip(path) {
            Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(counted)))
        } else {
            Box::new(BufReader::with_capacity(1 << 16, counted))
        };
        let parser = RdfParser::from_format(format).with_default_graph(graph.as_ref());
        let progress = Progress::new(options.progress, size, &name, read);
        Ok(Input {
            name,
            graph,
            parser,
            reader,
            progress,
            started,
        })
    }
}

/// Loads everything `parser` reads from `reader` in one transaction; returns the number of
/// quads read (duplicates included). `name` names the input in error messages.
pub fn load_reader(
    store: &Store,
    name: &str,
    parser: RdfParser,
    reader: impl Read + Send,
    options: &LoadOptions,
) -> Result<u64, StoreError> {
    let progress = Progress::new(false, 0, name, Arc::default());
    insert_all(store, name, parser, reader, &progress, options)
}

/// The parser on a scoped thread, the inserter here; commits only if all went well (or, on
/// a disposable store, as it goes).
fn insert_all(
    store: &Store,
    name: &str,
    parser: RdfParser,
    reader: impl Read + Send,
    progress: &Progress,
    options: &LoadOptions,
) -> Result<u64, StoreError> {
    let cancel = options.cancel.clone().unwrap_or_default();
    // Always `Some` but while a commit swaps it for the next transaction (Oxigraph allows one
    // at a time). Dropping an uncommitted transaction rolls it back.
    let mut transaction = Some(store.start_transaction()?);
    let mut triples = 0u64;
    thread::scope(|scope| {
        let (sender, receiver) = sync_channel(AHEAD);
        let parser_cancel = cancel.clone();
        let parsing = scope.spawn(move || {
            let quads = parser.rename_blank_nodes().for_reader(reader);
            send_quads(quads, &sender, &parser_cancel, name);
        });
        for message in &receiver {
            if cancel.is_cancelled() {
                return Err(StoreError::Interrupted(name.to_owned()));
            }
            match message {
                Ok(quads) => {
                    let open = transaction.as_mut().expect("a transaction is open");
                    for quad in &quads {
                        open.insert(quad);
                    }
                    let before = triples;
                    triples += quads.len() as u64;
                    progress.update(triples);
                    if options.disposable && triples / COMMIT_EVERY > before / COMMIT_EVERY {
                        if let Some(full) = transaction.take() {
                            full.commit()?;
                        }
                        transaction = Some(store.start_transaction()?);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        if parsing.join().is_err() {
            return Err(StoreError::Io {
                path: name.into(),
                source: io::Error::other("the parser thread stopped unexpectedly"),
            });
        }
        // The parser may have stopped on a cancellation it saw before we did.
        if cancel.is_cancelled() {
            return Err(StoreError::Interrupted(name.to_owned()));
        }
        Ok(())
    })?;
    if let Some(last) = transaction {
        last.commit()?;
    }
    Ok(triples)
}

/// Parses `quads` into batches on `sender` until the end, an error (sent), a cancellation
/// or the inserter hanging up.
fn send_quads<E: Into<RdfParseError>>(
    quads: impl Iterator<Item = Result<Quad, E>>,
    sender: &SyncSender<Result<Vec<Quad>, StoreError>>,
    cancel: &CancellationToken,
    name: &str,
) {
    let mut batch = Vec::with_capacity(BATCH);
    for quad in quads {
        match quad {
            Ok(quad) => batch.push(quad),
            Err(e) => {
                let _ = sender.send(Err(store::parse_error(name, e.into())));
                return;
            }
        }
        if batch.len() == BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if cancel.is_cancelled() || sender.send(Ok(full)).is_err() {
                return;
            }
        }
    }
    if !batch.is_empty() {
        let _ = sender.send(Ok(batch));
    }
}

/// Counts the bytes read from the file (compressed bytes for `.gz`), for the bar.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn is_gzip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// The progress bar: bytes read of the file's size, triples, triples per second, ETA.
///
/// It starts hidden and appears only after [`QUIET_FOR`], so small files load silently.
struct Progress {
    bar: Option<ProgressBar>,
    read: Arc<AtomicU64>,
    started: Instant,
}

impl Progress {
    fn new(wanted: bool, size: u64, name: &str, read: Arc<AtomicU64>) -> Self {
        let bar = (wanted && io::stderr().is_terminal()).then(|| {
            let style = ProgressStyle::with_template(
                "{prefix} [{bar:30}] {bytes}/{total_bytes} {msg} ETA {eta}",
            )
            .expect("the template is valid")
            .progress_chars("=> ");
            ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::hidden())
                .with_style(style)
                .with_prefix(short_name(name))
        });
        Progress {
            bar,
            read,
            started: Instant::now(),
        }
    }

    /// After each batch: bytes from the reader, triples from the inserter.
    fn update(&self, triples: u64) {
        let Some(bar) = &self.bar else { return };
        let elapsed = self.started.elapsed();
        if elapsed < QUIET_FOR {
            return;
        }
        if bar.is_hidden() {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        bar.set_position(self.read.load(Ordering::Relaxed));
        let rate = triples as f64 / elapsed.as_secs_f64();
        bar.set_message(format!(
            "{} triples ({} triples/s)",
            thousands(triples),
            short(rate)
        ));
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // An error or Ctrl-C must not leave a half-drawn bar above the message.
        self.finish();
    }
}

fn short_name(name: &str) -> String {
    Path::new(name)
        .file_name()
        .map_or(name.to_owned(), |n| n.to_string_lossy().into_owned())
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate in a few characters: `950`, `476k`, `1.2M`.
fn short(rate: f64) -> String {
    match rate {
        r if r >= 1e6 => format!("{:.1}M", r / 1e6),
        r if r >= 1e3 => format!("{:.0}k", r / 1e3),
        r => format!("{r:.0}"),
    }
}

/// The one-line report after a load:
/// `loaded 1,000,000 triples from x.nt into <file:///x.nt> in 2.1 s (476k triples/s)`.
impl fmt::Display for LoadSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.elapsed.as_secs_f64();
        let n = self.triples;
        write!(
            f,
            "loaded {} triple{} from {} into {} in {seconds:.1} s",
            thousands(n),
            if n == 1 { "" } else { "s" },
            self.source,
            self.graph
        )?;
        if seconds > 0.0 {
            write!(f, " ({} triples/s)", short(n as f64 / seconds))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::io::RdfFormat;
    use oxigraph::model::Term;

    #[test]
    fn bulk_batches_are_a_tenth_of_the_input_within_bounds() {
        let dir = tempfile::tempdir().unwrap();
        let sized = |name: &str, bytes: u64| {
            let path = dir.path().join(name);
            File::create(&path).unwrap().set_len(bytes).unwrap(); // sparse: no disk used
            path
        };
        let small = sized("small.nt", 1_000);
        let million = sized("million.nt", 125_000_000);
        let three = sized("three.nt.gz", 47_000_000);
        let huge = sized("huge.nt", 12_500_000_000);
        let batch = |paths: &[&Path]| bulk_batch(paths);
        assert_eq!(batch(&[&small]), 100_000);
        assert_eq!(batch(&[&million]), 100_000);
        assert_eq!(batch(&[&three]), 300_800, "gzip counts 8 times its size");
        assert_eq!(batch(&[&million, &three]), 400_800);
        assert_eq!(batch(&[&huge]), 1_000_000);
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(short(476_190.0), "476k");
        assert_eq!(short(1_250_000.0), "1.2M");
        assert_eq!(short(12.0), "12");
    }

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn many_batches_load_whole_and_blank_nodes_stay_one_node() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::new();
        for i in 0..3 * BATCH {
            text.push_str(&format!("_:b <http://e/p> \"{i}\" .\n"));
        }
        let path = write(dir.path(), "many.nt", &text);
        let store = Store::new().unwrap();
        let summary = load_file(&store, &path, None, &LoadOptions::default()).unwrap();
        assert_eq!(summary.triples, 3 * BATCH as u64);
        assert_eq!(store.len().unwrap(), 3 * BATCH);
        let subjects: std::collections::HashSet<_> =
            store.iter().map(|q| q.unwrap().subject).collect();
        assert_eq!(subjects.len(), 1, "one _:b in the file is one node");
    }

    /// A file of `good` triples, then a malformed one on the next line.
    fn bad_after(dir: &Path, good: u64) -> std::path::PathBuf {
        let mut text = String::new();
        for i in 0..good {
            text.push_str(&format!("<http://e/s> <http://e/p> \"{i}\" .\n"));
        }
        text.push_str("<http://e/s> <http://e/p> oops .\n");
        write(dir, "bad.nt", &text)
    }

    #[test]
    fn an_error_after_many_transactions_worth_rolls_everything_back() {
        let dir = tempfile::tempdir().unwrap();
        let good = 2 * COMMIT_EVERY + 5;
        let path = bad_after(dir.path(), good);
        let store = Store::new().unwrap();
        let err = load_file(&store, &path, None, &LoadOptions::default()).unwrap_err();
        match err {
            StoreError::Syntax { line, column, .. } => {
                assert_eq!((line, column), (good + 1, 27));
            }
            other => panic!("unexpected {other}"),
        }
        assert_eq!(store.len().unwrap(), 0);
    }

    #[test]
    fn a_disposable_store_takes_the_file_a_transaction_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let options = LoadOptions {
            disposable: true,
            ..LoadOptions::default()
        };
        let store = Store::new().unwrap();
        let path = bad_after(dir.path(), 2 * COMMIT_EVERY + 5);
        assert!(load_file(&store, &path, None, &options).is_err());
        // Committed as it went: the transactions before the error stay (the caller drops
        // the store), the quads of the last one do not.
        assert_eq!(store.len().unwrap() as u64, 2 * COMMIT_EVERY);

        let store = Store::new().unwrap();
        let mut text = "<http://e/s> <http://e/p> _:o .\n".repeat(3);
        for i in 0..COMMIT_EVERY {
            text.push_str(&format!("_:o <http://e/p> \"{i}\" .\n"));
        }
        let path = write(dir.path(), "whole.nt", &text);
        let summary = load_file(&store, &path, None, &options).unwrap();
        assert_eq!(summary.triples, COMMIT_EVERY + 3);
        assert_eq!(store.len().unwrap() as u64, COMMIT_EVERY + 1);
        let blank_nodes: std::collections::HashSet<_> = store
            .iter()
            .flat_map(|q| {
                let q = q.unwrap();
                [Term::from(q.subject), q.object]
            })
            .filter(Term::is_blank_node)
            .collect();
        assert_eq!(blank_nodes.len(), 1, "_:o is one node across transactions");
    }

    #[test]
    fn a_cancelled_load_adds_nothing() {
        let store = Store::new().unwrap();
        let cancel = CancellationToken::new();
        cancel.cancel();
        let options = LoadOptions {
            cancel: Some(cancel),
            ..LoadOptions::default()
        };
        let text = "<http://e/s> <http://e/p> <http://e/o> .\n".repeat(10);
        let parser = RdfParser::from_format(RdfFormat::NTriples);
        let err = load_reader(&store, "x.nt", parser, text.as_bytes(), &options).unwrap_err();
        assert!(matches!(err, StoreError::Interrupted(_)), "{err}");
        assert_eq!(store.len().unwrap(), 0);
    }

    #[test]
    fn gzip_is_read_through() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.ttl.gz");
        let mut gz = flate2::write::GzEncoder::new(
            File::create(&path).unwrap(),
            flate2::Compression::fast(),
        );
        gz.write_all(b"<http://e/s> <http://e/p> <http://e/o>, <http://e/o2> .\n")
            .unwrap();
        gz.finish().unwrap();
        let store = Store::new().unwrap();
        let summary = load_file(&store, &path, None, &LoadOptions::default()).unwrap();
        assert_eq!(summary.triples, 2);
        assert_eq!(store.len().unwrap(), 2);
        assert!(summary.graph.as_str().ends_with("/a.ttl.gz"));
        assert!(summary.to_string().starts_with("loaded 2 triples from "));
    }
}
