//! Criterion benches for the phases of a one-shot `digicoop run` on the bundled graph.
//!
//! - the whole in-process path (open a session, run the flagship query on the static bundle);
//! - the same query on a built Oxigraph store, and building that store from the bundle
//!   (what loading user data or exporting costs first);
//! - parsing the bundled TriG, the work `build.rs` moves to compile time.
//!
//! Whole-process comparisons with other tools live in `benches/compare.sh`.
#![allow(missing_docs)] // criterion's macros generate undocumented items

use criterion::{criterion_group, criterion_main, Criterion};
use digicoop::format::Format;
use digicoop::session::Session;
use digicoop::store;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::sparql::CancellationToken;
use std::hint::black_box;

fn run_flagship(session: &Session, token: &CancellationToken) -> Vec<u8> {
    let mut out = Vec::new();
    session
        .run_saved("roadmap-to-gdc", &[], &mut out, token)
        .unwrap();
    out
}

fn csv_session() -> Session {
    let mut session = Session::open(&[], &[]).unwrap();
    session.settings.format = Some(Format::Csv);
    session
}

fn phases(c: &mut Criterion) {
    let token = CancellationToken::new();
    c.bench_function("open session + roadmap-to-gdc on the static bundle", |b| {
        b.iter(|| black_box(run_flagship(&csv_session(), &token)))
    });
    let on_store = csv_session();
    on_store.store.build().unwrap();
    c.bench_function("roadmap-to-gdc on a built store", |b| {
        b.iter(|| black_box(run_flagship(&on_store, &token)))
    });
    c.bench_function("build a store from the bundle", |b| {
        b.iter(|| black_box(store::bundled_store().unwrap()))
    });
    c.bench_function("parse the bundled TriG (done by build.rs instead)", |b| {
        b.iter(|| {
            store::DATA
                .iter()
                .flat_map(|file| {
                    RdfParser::from_format(RdfFormat::TriG).for_slice(file.text.as_bytes())
                })
                .inspect(|quad| assert!(quad.is_ok()))
                .count()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = phases
}
criterion_main!(benches);
