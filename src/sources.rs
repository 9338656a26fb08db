//! `--sources`: answers that cite their source documents.
//!
//! The query's algebra is rewritten so that every triple pattern (and property path) of its
//! basic graph patterns is matched inside `GRAPH ?__source_N { ... }`; the graph variables are
//! projected alongside the query's own, and rows that differ only by graph are merged into one
//! row whose `sources` column lists every named graph (source document) its triples came from.
//! Row order (ORDER BY), DISTINCT and LIMIT/OFFSET are honoured after the merge.

use crate::format::Row;
use crate::prefixes;
use crate::query::{self, QueryError, RunOptions, Target};
use oxigraph::model::{Literal, Term, Variable};
use oxigraph::sparql::QueryResults;
use spargebra::algebra::GraphPattern;
use spargebra::term::NamedNodePattern;
use spargebra::Query;
use std::collections::{BTreeSet, HashMap};

const SOURCE_PREFIX: &str = "__source_";

/// Runs a SELECT query and returns its variables plus `sources`, with merged rows.
pub fn run_with_sources(
    target: Target<'_>,
    query: Query,
    options: &RunOptions,
) -> Result<(Vec<Variable>, Vec<Row>), QueryError> {
    let Query::Select {
        dataset,
        pattern,
        base_iri,
    } = query
    else {
        return Err(QueryError::Unsupported(
            "--sources works with SELECT queries only".into(),
        ));
    };
    let (modifiers, projection, inner) = split(pattern)?;
    let mut counter = 0;
    let rewritten = rewrite(inner, &mut counter)?;
    let source_vars: Vec<Variable> = (0..counter)
        .map(|i| Variable::new_unchecked(format!("{SOURCE_PREFIX}{i}")))
        .collect();
    let mut variables = projection.clone().unwrap_or_else(|| in_scope(&rewritten));
    variables.retain(|v| !v.as_str().starts_with(SOURCE_PREFIX));
    let width = variables.len();
    let mut all = variables.clone();
    all.extend(source_vars);
    let query = Query::Select {
        dataset,
        pattern: GraphPattern::Project {
            inner: Box::new(rewritten),
            variables: all,
        },
        base_iri,
    };
    let execution = query::execute_on(target, query, options)?;
    let QueryResults::Solutions(solutions) = execution.results else {
        unreachable!("a SELECT yields solutions")
    };
    let mut rows: Vec<(Row, BTreeSet<String>)> = Vec::new();
    let mut index: HashMap<Row, usize> = HashMap::new();
    for solution in solutions {
        let solution = solution.map_err(|e| execution.guard.classify(e))?;
        let values = solution.values();
        let key: Row = values[..width].to_vec();
        let graphs = values[width..].iter().flatten().map(show_graph);
        match index.get(&key) {
            Some(&i) => rows[i].1.extend(graphs),
            None => {
                index.insert(key.clone(), rows.len());
                rows.push((key, graphs.collect()));
            }
        }
    }
    let (offset, limit) = modifiers;
    let merged = rows
        .into_iter()
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .map(|(mut row, graphs)| {
            let cited = graphs.into_iter().collect::<Vec<_>>().join(" ");
            row.push(Some(Literal::new_simple_literal(cited).into()));
            row
        })
        .collect();
    variables.push(Variable::new_unchecked("sources"));
    Ok((variables, merged))
}

fn show_graph(term: &Term) -> String {
    match term {
        Term::NamedNode(n) => {
            prefixes::compact(n.as_str()).unwrap_or_else(|| format!("<{}>", n.as_str()))
        }
        other => other.to_string(),
    }
}

/// Peels Slice/Distinct/Reduced/Project off the top: ((offset, limit), projection, inner).
#[allow(clippy::type_complexity)]
fn split(
    pattern: GraphPattern,
) -> Result<((usize, Option<usize>), Option<Vec<Variable>>, GraphPattern), QueryError> {
    let mut slice = (0, None);
    let mut pattern = pattern;
    loop {
        pattern = match pattern {
            GraphPattern::Slice {
                inner,
                start,
                length,
            } => {
                slice = (start, length);
                *inner
            }
            // Rows are merged by value after evaluation, which already makes them distinct.
            GraphPattern::Distinct { inner } | GraphPattern::Reduced { inner } => *inner,
            GraphPattern::Project { inner, variables } => {
                return Ok((slice, Some(variables), *inner));
            }
            other => return Ok((slice, None, other)),
        }
    }
}

/// Wraps each triple pattern and path in `GRAPH ?__source_N`.
fn rewrite(pattern: GraphPattern, counter: &mut usize) -> Result<GraphPattern, QueryError> {
    let mut fresh = || {
        let v = Variable::new_unchecked(format!("{SOURCE_PREFIX}{counter}"));
        *counter += 1;
        NamedNodePattern::Variable(v)
    };
    Ok(match pattern {
        GraphPattern::Bgp { patterns } => patterns
            .into_iter()
            .map(|tp| GraphPattern::Graph {
                name: fresh(),
                inner: Box::new(GraphPattern::Bgp { patterns: vec![tp] }),
            })
            .reduce(|left, right| GraphPattern::Join {
                left: Box::new(left),
                right: Box::new(right),
            })
            .unwrap_or(GraphPattern::Bgp { patterns: vec![] }),
        path @ GraphPattern::Path { .. } => GraphPattern::Graph {
            name: fresh(),
            inner: Box::new(path),
        },
        GraphPattern::Join { left, right } => GraphPattern::Join {
            left: Box::new(rewrite(*left, counter)?),
            right: Box::new(rewrite(*right, counter)?),
        },
        GraphPattern::LeftJoin { left, right, expression } => GraphPattern::LeftJoin {
            left: Box::new(rewrite(*left, counter)?),
            right: Box::new(rewrite(*right, counter)?),
            expression,
        },
        GraphPattern::Union { left, right } => GraphPattern::Union {
            left: Box::new(rewrite(*left, counter)?),
            right: Box::new(rewrite(*right, counter)?),
        },
        GraphPattern::Filter { expr, inner } => GraphPattern::Filter {
            expr,
            inner: Box::new(rewrite(*inner, counter)?),
        },
        GraphPattern::Extend { inner, variable, expression } => GraphPattern::Extend {
            inner: Box::new(rewrite(*inner, counter)?),
            variable,
            expression,
        },
        // MINUS removes rows; only the kept side cites sources.
        GraphPattern::Minus { left, right } => GraphPattern::Minus {
            left: Box::new(rewrite(*left, counter)?),
            right,
        },
        GraphPattern::OrderBy { inner, expression } => GraphPattern::OrderBy {
            inner: Box::new(rewrite(*inner, counter)?),
            expression,
        },
        GraphPattern::Group { .. } => {
            return Err(QueryError::Unsupported(
                "--sources cannot cite sources through GROUP BY or aggregates (a count has no single source); run the query without them".into(),
            ))
        }
        // GRAPH blocks already name their graph; sub-queries, VALUES and SERVICE stay as they are.
        other => other,
    })
}

/// The variables in scope of a pattern (for SELECT * without a Project node).
fn in_scope(pattern: &GraphPattern) -> Vec<Variable> {
    let mut vars = Vec::new();
    pattern.on_in_scope_variable(|v| {
        if !vars.contains(v) {
            vars.push(v.clone());
        }
    });
    vars
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{NamedNode, Quad};
    use oxigraph::store::Store;

    fn store() -> Store {
        let store = Store::new().unwrap();
        let label = NamedNode::new_unchecked("http://www.w3.org/2000/01/rdf-schema#label");
        let s = NamedNode::new_unchecked("https://w3id.org/digicoop/body/hlpdc");
        for g in ["a", "b"] {
            let graph = NamedNode::new_unchecked(format!("https://w3id.org/digicoop/graph/{g}"));
            store
                .insert(&Quad::new(
                    s.clone(),
                    label.clone(),
                    Literal::new_simple_literal("Panel"),
                    graph,
                ))
                .unwrap();
        }
        let graph = NamedNode::new_unchecked("https://w3id.org/digicoop/graph/b");
        store
            .insert(&Quad::new(
                s.clone(),
                NamedNode::new_unchecked("http://xmlns.com/foaf/0.1/name"),
                Literal::new_simple_literal("HLPDC"),
                graph,
            ))
            .unwrap();
        store
    }

    fn run(text: &str) -> Result<(Vec<Variable>, Vec<Row>), QueryError> {
        let store = store();
        run_with_sources(
            Target::Store(&store),
            query::parse(text).unwrap(),
            &RunOptions::default(),
        )
    }

    #[test]
    fn a_triple_in_two_graphs_cites_both_in_one_row() {
        let (vars, rows) = run("SELECT ?l WHERE { body:hlpdc rdfs:label ?l }").unwrap();
        assert_eq!(vars.last().unwrap().as_str(), "sources");
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0][1].as_ref().unwrap().to_string(),
            "\"graph:a graph:b\""
        );
    }

    #[test]
    fn a_join_cites_the_graphs_of_all_its_triples() {
        let (_, rows) = run("SELECT ?n WHERE { ?s rdfs:label ?l ; foaf:name ?n }").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0][1].as_ref().unwrap().to_string(),
            "\"graph:a graph:b\""
        );
    }

    #[test]
    fn limit_applies_after_merging_and_aggregates_are_refused() {
        let (_, rows) = run("SELECT ?s ?l WHERE { ?s rdfs:label ?l } LIMIT 1").unwrap();
        assert_eq!(rows.len(), 1);
        assert!(matches!(
            run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
            Err(QueryError::Unsupported(_))
        ));
        assert!(matches!(
            run("ASK { ?s ?p ?o }"),
            Err(QueryError::Unsupported(_))
        ));
    }
}
