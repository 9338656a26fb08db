//! The bundled graph as compiled by `build.rs`: a sorted term table and sorted quad indexes
//! in static memory, queryable by the SPARQL engine without building a store.
//!
//! A cold `digicoop run` on the bundled data therefore does no parsing and no inserting: the
//! engine reads these arrays directly. The default graph here is the RDF merge of all named
//! graphs (each triple once), precomputed at build time. Anything that needs a real store
//! (the user's own files, export, validation) builds one from the same arrays.

use oxigraph::model::{BlankNodeRef, LiteralRef, NamedNodeRef, Term, TermRef};
use spareval::{InternalQuad, QueryableDataset};
use std::cmp::Ordering;
use std::convert::Infallible;

/// One term of the bundled graph.
#[derive(Debug, Clone, Copy)]
pub enum BundledTerm {
    /// An IRI.
    Iri(&'static str),
    /// A blank node id.
    Blank(&'static str),
    /// A language-tagged string: (value, language).
    Lang(&'static str, &'static str),
    /// A typed literal: (value, datatype IRI); simple literals are typed `xsd:string`.
    Typed(&'static str, &'static str),
}

impl BundledTerm {
    /// The term, borrowing the static text.
    pub fn as_ref(self) -> TermRef<'static> {
        match self {
            BundledTerm::Iri(iri) => NamedNodeRef::new_unchecked(iri).into(),
            BundledTerm::Blank(id) => BlankNodeRef::new_unchecked(id).into(),
            BundledTerm::Lang(value, language) => {
                LiteralRef::new_language_tagged_literal_unchecked(value, language).into()
            }
            BundledTerm::Typed(value, datatype) => {
                LiteralRef::new_typed_literal(value, NamedNodeRef::new_unchecked(datatype)).into()
            }
        }
    }

    /// The sort key `build.rs` ordered the table by: (kind, text, second text).
    fn key(self) -> (u8, &'static str, &'static str) {
        match self {
            BundledTerm::Iri(a) => (0, a, ""),
            BundledTerm::Blank(a) => (1, a, ""),
            BundledTerm::Lang(a, b) => (2, a, b),
            BundledTerm::Typed(a, b) => (3, a, b),
        }
    }
}

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// The id of a term in the bundled graph, if the bundle holds it.
pub fn id_of(term: TermRef<'_>) -> Option<u32> {
    let key = match term {
        TermRef::NamedNode(n) => (0, n.as_str(), ""),
        TermRef::BlankNode(b) => (1, b.as_str(), ""),
        TermRef::Literal(l) => match l.language() {
            Some(language) => (2, l.value(), language),
            None => (3, l.value(), l.datatype().as_str()),
        },
        #[allow(unreachable_patterns)]
        _ => return None,
    };
    TERMS
        .binary_search_by(|t| t.key().cmp(&key))
        .ok()
        .map(|i| i as u32)
}

/// The objects of (subject, predicate) in the merged default graph.
pub fn objects(
    subject: TermRef<'_>,
    predicate: NamedNodeRef<'_>,
) -> impl Iterator<Item = TermRef<'static>> {
    let prefix = match (id_of(subject), id_of(predicate.into())) {
        (Some(s), Some(p)) => range(MERGED_SPO, &[s, p]),
        _ => &[],
    };
    prefix.iter().map(|row| TERMS[row[2] as usize].as_ref())
}

/// Every bundled quad as (subject, predicate, object, graph) term ids.
pub fn quads() -> &'static [[u32; 4]] {
    SPOG
}

/// The bundled graph as a dataset the SPARQL engine can evaluate on directly.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bundle;

/// A term during evaluation: a bundled id, or a term the bundle does not hold (a query
/// constant or a computed value), which matches no quad.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BundleTerm {
    /// A term of the bundle.
    Id(u32),
    /// Any other term.
    Other(Term),
}

/// The rows of a sorted index whose leading columns equal `prefix`.
fn range<const N: usize>(index: &'static [[u32; N]], prefix: &[u32]) -> &'static [[u32; N]] {
    let cmp = |row: &[u32; N]| row[..prefix.len()].cmp(prefix);
    let start = index.partition_point(|row| cmp(row) == Ordering::Less);
    let end = index.partition_point(|row| cmp(row) != Ordering::Greater);
    &index[start..end]
}

/// The longest run of bound positions, in index order, starting at the first one.
fn bound_prefix(bound: &[Option<u32>]) -> Vec<u32> {
    bound.iter().map_while(|b| *b).collect()
}

#[allow(refining_impl_trait)]
impl QueryableDataset<'static> for Bundle {
    type InternalTerm = BundleTerm;
    type Error = Infallible;

    fn internal_quads_for_pattern(
        &self,
        subject: Option<&BundleTerm>,
        predicate: Option<&BundleTerm>,
        object: Option<&BundleTerm>,
        graph_name: Option<Option<&BundleTerm>>,
    ) -> Rows {
        // A bound term the bundle does not hold matches nothing.
        let id = |t: Option<&BundleTerm>| match t {
            None => Ok(None),
            Some(BundleTerm::Id(i)) => Ok(Some(*i)),
            Some(BundleTerm::Other(_)) => Err(()),
        };
        let graph = match graph_name {
            None => Ok(None),
            Some(None) => Ok(Some(None)),
            Some(Some(g)) => id(Some(g)).map(Some),
        };
        let (Ok(s), Ok(p), Ok(o), Ok(g)) = (id(subject), id(predicate), id(object), graph) else {
            return Rows::Empty;
        };
        if g == Some(None) {
            // The default graph: the precomputed merge, through the index its bound terms lead.
            let want = [s, p, o];
            return if s.is_some() {
                Rows::Merged(
                    range(MERGED_SPO, &bound_prefix(&[s, p, o])),
                    [0, 1, 2],
                    want,
                )
            } else if p.is_some() {
                Rows::Merged(
                    range(MERGED_POS, &bound_prefix(&[p, o, s])),
                    [2, 0, 1],
                    want,
                )
            } else {
                Rows::Merged(
                    range(MERGED_OSP, &bound_prefix(&[o, s, p])),
                    [1, 2, 0],
                    want,
                )
            };
        }
        // One named graph (`Some(Some)`), or any named graph (`None`).
        let named = g.flatten();
        let want = [s, p, o, named];
        match (named, s, p, o) {
            (Some(g), None, _, _) => Rows::Quads(
                range(GSPO, &bound_prefix(&[Some(g), s, p, o])),
                [1, 2, 3, 0],
                want,
            ),
            (_, Some(_), _, _) => Rows::Quads(
                range(SPOG, &bound_prefix(&[s, p, o, named])),
                [0, 1, 2, 3],
                want,
            ),
            (_, None, Some(_), _) => Rows::Quads(
                range(POSG, &bound_prefix(&[p, o, s, named])),
                [2, 0, 1, 3],
                want,
            ),
            (_, None, None, Some(_)) => Rows::Quads(
                range(OSPG, &bound_prefix(&[o, s, p, named])),
                [1, 2, 0, 3],
                want,
            ),
            (None, None, None, None) => Rows::Quads(GSPO, [1, 2, 3, 0], want),
        }
    }

    fn internalize_term(&self, term: Term) -> Result<BundleTerm, Infallible> {
        Ok(match id_of(term.as_ref()) {
            Some(id) => BundleTerm::Id(id),
            None => BundleTerm::Other(term),
        })
    }

    fn externalize_term(&self, term: BundleTerm) -> Result<Term, Infallible> {
        Ok(match term {
            BundleTerm::Id(id) => TERMS[id as usize].as_ref().into_owned(),
            BundleTerm::Other(term) => term,
        })
    }
}

/// Rows of one index, mapped back to (s, p, o[, g]) and filtered on the bound positions the
/// index prefix did not cover.
pub enum Rows {
    /// No row can match.
    Empty,
    /// Index rows, where each of s, p, o, g sits in the row, and the wanted values.
    Quads(&'static [[u32; 4]], [usize; 4], [Option<u32>; 4]),
    /// Merged-graph rows, where each of s, p, o sits in the row, and the wanted values.
    Merged(&'static [[u32; 3]], [usize; 3], [Option<u32>; 3]),
}

impl Iterator for Rows {
    type Item = Result<InternalQuad<BundleTerm>, Infallible>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self {
                Rows::Empty => return None,
                Rows::Quads(rows, at, want) => {
                    let (row, rest) = rows.split_first()?;
                    *rows = rest;
                    let q = at.map(|i| row[i]);
                    if q.iter()
                        .zip(want.iter())
                        .all(|(v, w)| w.is_none_or(|w| w == *v))
                    {
                        return Some(Ok(InternalQuad {
                            subject: BundleTerm::Id(q[0]),
                            predicate: BundleTerm::Id(q[1]),
                            object: BundleTerm::Id(q[2]),
                            graph_name: Some(BundleTerm::Id(q[3])),
                        }));
                    }
                }
                Rows::Merged(rows, at, want) => {
                    let (row, rest) = rows.split_first()?;
                    *rows = rest;
                    let t = at.map(|i| row[i]);
                    if t.iter()
                        .zip(want.iter())
                        .all(|(v, w)| w.is_none_or(|w| w == *v))
                    {
                        return Some(Ok(InternalQuad {
                            subject: BundleTerm::Id(t[0]),
                            predicate: BundleTerm::Id(t[1]),
                            object: BundleTerm::Id(t[2]),
                            graph_name: None,
                        }));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_sorted_and_found_by_binary_search() {
        assert!(TERMS.windows(2).all(|w| w[0].key() < w[1].key()));
        let panel = NamedNodeRef::new_unchecked("https://w3id.org/digicoop/body/hlpdc");
        let id = id_of(panel.into()).expect("the Panel is in the bundle");
        assert_eq!(TERMS[id as usize].as_ref(), TermRef::from(panel));
        assert_eq!(
            id_of(NamedNodeRef::new_unchecked("http://example.org/nope").into()),
            None
        );
    }

    #[test]
    fn indexes_hold_the_same_quads() {
        let mut from_gspo: Vec<[u32; 4]> = GSPO.iter().map(|r| [r[1], r[2], r[3], r[0]]).collect();
        from_gspo.sort_unstable();
        assert_eq!(from_gspo, SPOG);
        assert_eq!(POSG.len(), SPOG.len());
        assert_eq!(OSPG.len(), SPOG.len());
        assert!(
            MERGED_SPO.len() < SPOG.len(),
            "some triples are stated by several documents"
        );
        assert_eq!(MERGED_POS.len(), MERGED_SPO.len());
    }
}
