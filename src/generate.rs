//! Synthetic graphs shaped like the domain, for benchmarks at scale (`digicoop generate`).
//!
//! The bundled graph is a few thousand triples; users' files can be millions. This writes
//! any number of triples about documents, bodies, people, memberships with roles, events
//! with dates and citations between documents, in the project's vocabulary (dco:, org:,
//! foaf:, schema:, dcterms:) under [`BASE`]. A few memberships point at `body:hlpdc` and
//! all roles are the bundled `concept:panel-role-*` terms, so generated data joins the
//! bundled graph in queries.
//!
//! The output is a pure function of the seed and the triple count: a small SplitMix64
//! generator (no dependency) drives every choice, and lines are written in a fixed order,
//! so the same arguments give the same bytes on every machine.

use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::{self, Write};

/// The namespace of every generated resource.
pub const BASE: &str = "https://example.org/synthetic/";

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
const DCO: &str = "https://w3id.org/digicoop/ontology#";
const ORG: &str = "http://www.w3.org/ns/org#";
const FOAF: &str = "http://xmlns.com/foaf/0.1/";
const SCHEMA: &str = "http://schema.org/";
const DCTERMS: &str = "http://purl.org/dc/terms/";
const HLPDC: &str = "https://w3id.org/digicoop/body/hlpdc";
const ROLES: [&str; 3] = [
    "https://w3id.org/digicoop/concept/panel-role-member",
    "https://w3id.org/digicoop/concept/panel-role-co-chair",
    "https://w3id.org/digicoop/concept/panel-role-ex-officio-member",
];
const TOPICS: [&str; 8] = [
    "digital cooperation",
    "connectivity",
    "digital public goods",
    "human rights online",
    "artificial intelligence",
    "digital trust and security",
    "data governance",
    "digital inclusion",
];
const GIVEN: [&str; 8] = [
    "Amina", "Bruno", "Chen", "Daniela", "Emeka", "Fatima", "Gustavo", "Hana",
];
const FAMILY: [&str; 8] = [
    "Okafor", "Silva", "Wang", "Novak", "Haddad", "Kumar", "Mensah", "Sato",
];

/// The RDF syntax of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GenFormat {
    /// N-Triples: one graph; `--data` puts it in the file's own named graph.
    Ntriples,
    /// N-Quads: one named graph per kind of resource (documents, people, ...).
    Nquads,
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Exactly this many triples (distinct) are written.
    pub triples: u64,
    /// The seed; the same seed and count give the same bytes.
    pub seed: u64,
    /// N-Triples or N-Quads.
    pub format: GenFormat,
}

/// SplitMix64: tiny, fast, and identical everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `0..n` skewed towards 0 (so early documents become citation hubs).
    fn skewed(&mut self, n: u64) -> u64 {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u * u) * n as f64) as u64
    }
}

/// The kinds of resources, each in its own graph when writing N-Quads.
#[derive(Clone, Copy)]
enum Kind {
    Document,
    Person,
    Membership,
    Event,
    Body,
}

impl Kind {
    fn graph(self) -> &'static str {
        match self {
            Kind::Document => "documents",
            Kind::Person => "people",
            Kind::Membership => "memberships",
            Kind::Event => "events",
            Kind::Body => "bodies",
        }
    }
}

/// The order in which resources are made: per ten, 3 documents, 2 people, 3 memberships,
/// 1 event and 1 body (about 60 triples).
const CYCLE: [Kind; 10] = [
    Kind::Body,
    Kind::Document,
    Kind::Person,
    Kind::Membership,
    Kind::Document,
    Kind::Event,
    Kind::Membership,
    Kind::Person,
    Kind::Document,
    Kind::Membership,
];

/// Writes triples until the budget is spent, then nothing more.
struct Writer<W: Write> {
    out: W,
    left: u64,
    graph: Option<&'static str>,
    nquads: bool,
}

impl<W: Write> Writer<W> {
    /// One triple; `object` is already in N-Triples syntax.
    fn triple(&mut self, subject: &str, predicate: &str, object: &str) -> io::Result<()> {
        if self.left == 0 {
            return Ok(());
        }
        self.left -= 1;
        match (self.nquads, self.graph) {
            (true, Some(graph)) => writeln!(
                self.out,
                "<{BASE}{subject}> <{predicate}> {object} <{BASE}graph/{graph}> ."
            ),
            _ => writeln!(self.out, "<{BASE}{subject}> <{predicate}> {object} ."),
        }
    }
}

fn iri(namespace: &str, local: &str) -> String {
    format!("<{namespace}{local}>")
}

fn node(local: impl std::fmt::Display) -> String {
    format!("<{BASE}{local}>")
}

fn text(value: &str) -> String {
    format!("\"{value}\"@en")
}

fn typed(value: impl std::fmt::Display, datatype: &str) -> String {
    format!("\"{value}\"^^<{XSD}{datatype}>")
}

/// A date between 1990-01-01 and 2024-12-31, as `YYYY-MM-DD`.
fn date(rng: &mut Rng) -> String {
    // Days since 1970-01-01 to civil date (Howard Hinnant's algorithm).
    let days = 7305 + rng.below(12784) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Writes a synthetic graph to `out`: exactly `spec.triples` distinct triples.
pub fn generate(spec: &Spec, out: impl Write) -> io::Result<()> {
    let mut rng = Rng(spec.seed);
    let mut w = Writer {
        out,
        left: spec.triples,
        graph: None,
        nquads: spec.format == GenFormat::Nquads,
    };
    let type_ = RDF_TYPE;
    let label = format!("{RDFS}label");
    let (mut docs, mut people, mut members, mut events, mut bodies) = (0u64, 0, 0, 0, 0);
    'outer: loop {
        for kind in CYCLE {
            if w.left == 0 {
                break 'outer;
            }
            w.graph = Some(kind.graph());
            match kind {
                Kind::Body => {
                    let s = format!("body/{bodies}");
                    w.triple(&s, type_, &iri(DCO, "Body"))?;
                    w.triple(&s, &label, &text(&format!("Synthetic body {bodies}")))?;
                    let count = 5 + rng.below(60);
                    w.triple(&s, &format!("{DCO}memberCount"), &typed(count, "integer"))?;
                    let parent = if bodies == 0 {
                        format!("<{HLPDC}>")
                    } else {
                        node(format!("body/{}", rng.skewed(bodies)))
                    };
                    w.triple(&s, &format!("{ORG}subOrganizationOf"), &parent)?;
                    bodies += 1;
                }
                Kind::Document => {
                    let s = format!("doc/{docs}");
                    let topic = TOPICS[rng.below(TOPICS.len() as u64) as usize];
                    w.triple(&s, type_, &iri(DCO, "Document"))?;
                    w.triple(&s, &label, &text(&format!("Synthetic document {docs}")))?;
                    let title = format!("Report {docs} on {topic}");
                    w.triple(&s, &format!("{DCTERMS}title"), &text(&title))?;
                    let id = format!("\"SYN/{docs}\"");
                    w.triple(&s, &format!("{DCTERMS}identifier"), &id)?;
                    let creator = node(format!("body/{}", rng.below(bodies.max(1))));
                    w.triple(&s, &format!("{DCTERMS}creator"), &creator)?;
                    w.triple(
                        &s,
                        &format!("{DCTERMS}issued"),
                        &typed(date(&mut rng), "date"),
                    )?;
                    // Up to five distinct earlier documents, most often the early ones.
                    let mut cited: Vec<u64> = Vec::new();
                    for _ in 0..rng.below(6).min(docs) {
                        let target = rng.skewed(docs);
                        if !cited.contains(&target) {
                            cited.push(target);
                        }
                    }
                    for target in cited {
                        let o = node(format!("doc/{target}"));
                        w.triple(&s, &format!("{DCTERMS}references"), &o)?;
                    }
                    docs += 1;
                }
                Kind::Person => {
                    let s = format!("person/{people}");
                    let given = GIVEN[rng.below(8) as usize];
                    let family = FAMILY[rng.below(8) as usize];
                    let name = format!("{given} {family} {people}");
                    w.triple(&s, type_, &iri(FOAF, "Person"))?;
                    w.triple(&s, &format!("{FOAF}name"), &format!("\"{name}\""))?;
                    w.triple(&s, &label, &text(&name))?;
                    let body = node(format!("body/{}", rng.below(bodies.max(1))));
                    w.triple(&s, &format!("{DCO}affiliation"), &body)?;
                    people += 1;
                }
                Kind::Membership => {
                    let s = format!("membership/{members}");
                    w.triple(&s, type_, &iri(ORG, "Membership"))?;
                    let person = node(format!("person/{}", rng.below(people.max(1))));
                    w.triple(&s, &format!("{ORG}member"), &person)?;
                    // One in a thousand memberships is in the bundled graph's own Panel.
                    let body = if members % 1000 == 0 {
                        format!("<{HLPDC}>")
                    } else {
                        node(format!("body/{}", rng.below(bodies.max(1))))
                    };
                    w.triple(&s, &format!("{ORG}organization"), &body)?;
                    let role = ROLES[[0, 0, 0, 0, 0, 0, 0, 1, 1, 2][rng.below(10) as usize]];
                    w.triple(&s, &format!("{ORG}role"), &format!("<{role}>"))?;
                    w.triple(
                        &s,
                        &format!("{SCHEMA}startDate"),
                        &typed(date(&mut rng), "date"),
                    )?;
                    members += 1;
                }
                Kind::Event => {
                    let s = format!("event/{events}");
                    w.triple(&s, type_, &iri(DCO, "Meeting"))?;
                    w.triple(&s, &label, &text(&format!("Synthetic meeting {events}")))?;
                    let start = date(&mut rng);
                    w.triple(&s, &format!("{SCHEMA}startDate"), &typed(&start, "date"))?;
                    // Half the meetings have an end date (same day: dates stay valid).
                    if rng.below(2) == 0 {
                        w.triple(&s, &format!("{SCHEMA}endDate"), &typed(&start, "date"))?;
                    }
                    let organizer = node(format!("body/{}", rng.below(bodies.max(1))));
                    w.triple(&s, &format!("{SCHEMA}organizer"), &organizer)?;
                    let featured = node(format!("doc/{}", rng.below(docs.max(1))));
                    w.triple(&s, &format!("{SCHEMA}workFeatured"), &featured)?;
                    events += 1;
                }
            }
        }
    }
    w.out.flush()
}

/// Writes a synthetic graph to a file, gzip-compressed when the name ends in `.gz`.
pub fn generate_to_file(spec: &Spec, path: &std::path::Path) -> io::Result<()> {
    let file = io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
    {
        // flate2 writes a zero modification time, so compressed output is deterministic too.
        let mut gz = GzEncoder::new(file, Compression::fast());
        generate(spec, &mut gz)?;
        gz.finish()?.flush()
    } else {
        generate(spec, file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::io::{RdfFormat, RdfParser};
    use std::collections::HashSet;

    fn bytes(triples: u64, seed: u64, format: GenFormat) -> Vec<u8> {
        let mut out = Vec::new();
        let spec = Spec {
            triples,
            seed,
            format,
        };
        generate(&spec, &mut out).unwrap();
        out
    }

    #[test]
    fn exactly_n_distinct_valid_triples() {
        for format in [GenFormat::Ntriples, GenFormat::Nquads] {
            let out = bytes(5_003, 7, format);
            let rdf = match format {
                GenFormat::Ntriples => RdfFormat::NTriples,
                GenFormat::Nquads => RdfFormat::NQuads,
            };
            let quads: HashSet<_> = RdfParser::from_format(rdf)
                .for_slice(&out)
                .map(Result::unwrap)
                .collect();
            assert_eq!(quads.len(), 5_003);
        }
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        assert_eq!(
            bytes(2_000, 1, GenFormat::Ntriples),
            bytes(2_000, 1, GenFormat::Ntriples)
        );
        assert_ne!(
            bytes(2_000, 1, GenFormat::Ntriples),
            bytes(2_000, 2, GenFormat::Ntriples)
        );
    }

    #[test]
    fn dates_are_valid_calendar_dates() {
        let mut rng = Rng(3);
        for _ in 0..10_000 {
            let d = date(&mut rng);
            let (y, rest) = d.split_once('-').unwrap();
            let (m, day) = rest.split_once('-').unwrap();
            let (y, m, day): (u32, u32, u32) =
                (y.parse().unwrap(), m.parse().unwrap(), day.parse().unwrap());
            assert!((1990..=2024).contains(&y) && (1..=12).contains(&m));
            assert!((1..=31).contains(&day), "{d}");
        }
    }
}
