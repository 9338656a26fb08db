//! Moves a `FILTER` under the DISTINCT that set semantics puts around default-graph
//! patterns (see [`super::with_set_semantics`]).
//!
//! A DISTINCT stops Oxigraph's optimizer from pushing a filter into the pattern below it,
//! so `{ ?e :date ?d FILTER(?d > ...) }` would first deduplicate every dated resource and
//! only then drop most of them. Filtering first is the same answer whenever the filter
//! reads only variables the pattern below always binds: a filter keeps or drops each row
//! on its own, so it commutes with DISTINCT, with the left side of OPTIONAL, and with
//! either side of a join. Filters with `EXISTS` (which may read any variable of the row)
//! stay where they are.

use crate::algebra::operands;
use oxigraph::model::Variable;
use spargebra::algebra::{Expression, GraphPattern};
use spargebra::term::{NamedNodePattern, TermPattern, TriplePattern};

/// `FILTER(expr)` over `inner` (already deduplicated), placed as low as it can go.
pub(super) fn filter(expr: Expression, inner: GraphPattern) -> GraphPattern {
    // FILTER(a) over FILTER(b) is FILTER(a && b): a row passes both or neither. One filter
    // lets Oxigraph's optimizer place each conjunct on its own (the tests the union default
    // graph adds below a query's filter among them, see `merge::by_first_graph`).
    if let GraphPattern::Filter { expr: below, inner } = inner {
        return filter(Expression::And(Box::new(expr), Box::new(below)), *inner);
    }
    let mut variables = Vec::new();
    if collect_variables(&expr, &mut variables) {
        push(expr, &variables, inner)
    } else {
        GraphPattern::Filter {
            expr,
            inner: Box::new(inner),
        }
    }
}

fn push(expr: Expression, variables: &[Variable], inner: GraphPattern) -> GraphPattern {
    let bound_by = |p: &GraphPattern| variables.iter().all(|v| always_binds(p, v));
    match inner {
        GraphPattern::Distinct { inner: leaf } if is_leaf(&leaf) && bound_by(&leaf) => {
            GraphPattern::Distinct {
                inner: Box::new(GraphPattern::Filter { expr, inner: leaf }),
            }
        }
        GraphPattern::LeftJoin {
            left,
            right,
            expression,
        } if bound_by(&left) => GraphPattern::LeftJoin {
            left: Box::new(push(expr, variables, *left)),
            right,
            expression,
        },
        GraphPattern::Join { left, right } if bound_by(&left) => GraphPattern::Join {
            left: Box::new(push(expr, variables, *left)),
            right,
        },
        GraphPattern::Join { left, right } if bound_by(&right) => GraphPattern::Join {
            left,
            right: Box::new(push(expr, variables, *right)),
        },
        other => GraphPattern::Filter {
            expr,
            inner: Box::new(other),
        },
    }
}

fn is_leaf(pattern: &GraphPattern) -> bool {
    matches!(
        pattern,
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. }
    )
}

/// Whether every solution of `pattern` binds `variable`.
fn always_binds(pattern: &GraphPattern, variable: &Variable) -> bool {
    match pattern {
        GraphPattern::Bgp { patterns } => patterns.iter().any(|t| triple_binds(t, variable)),
        GraphPattern::Path {
            subject, object, ..
        } => term_is(subject, variable) || term_is(object, variable),
        GraphPattern::Distinct { inner } | GraphPattern::Filter { inner, .. } => {
            always_binds(inner, variable)
        }
        GraphPattern::Join { left, right } => {
            always_binds(left, variable) || always_binds(right, variable)
        }
        GraphPattern::LeftJoin { left, .. } => always_binds(left, variable),
        _ => false,
    }
}

fn triple_binds(triple: &TriplePattern, variable: &Variable) -> bool {
    term_is(&triple.subject, variable)
        || matches!(&triple.predicate, NamedNodePattern::Variable(v) if v == variable)
        || term_is(&triple.object, variable)
}

fn term_is(term: &TermPattern, variable: &Variable) -> bool {
    matches!(term, TermPattern::Variable(v) if v == variable)
}

/// Adds the variables `expr` reads; false if it has an `EXISTS` (which may read any).
fn collect_variables(expr: &Expression, into: &mut Vec<Variable>) -> bool {
    match expr {
        Expression::Exists(_) => false,
        Expression::Variable(v) | Expression::Bound(v) => {
            into.push(v.clone());
            true
        }
        other => operands(other)
            .into_iter()
            .all(|operand| collect_variables(operand, into)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{merge, parse, with_set_semantics};
    use oxigraph::model::NamedNode;
    use spargebra::algebra::{Expression, GraphPattern};
    use spargebra::Query;

    /// The operators of a SELECT's algebra under the DISTINCT rewrite, e.g.
    /// `project(leftjoin(distinct(bgp),...))`.
    fn shape(text: &str) -> String {
        shape_of(&with_set_semantics(parse(text).unwrap()))
    }

    /// The operators of a rewritten SELECT's algebra; filters show their conjuncts' count.
    fn shape_of(query: &Query) -> String {
        let Query::Select { pattern, .. } = query else {
            panic!("a SELECT")
        };
        fn conjuncts(e: &Expression) -> usize {
            match e {
                Expression::And(a, b) => conjuncts(a) + conjuncts(b),
                _ => 1,
            }
        }
        fn walk(p: &GraphPattern) -> String {
            let (name, children): (&str, Vec<&GraphPattern>) = match p {
                GraphPattern::Bgp { .. } => ("bgp", vec![]),
                GraphPattern::Path { .. } => ("path", vec![]),
                GraphPattern::Project { inner, .. } => ("project", vec![inner]),
                GraphPattern::Distinct { inner } => ("distinct", vec![inner]),
                GraphPattern::Filter { inner, expr } if conjuncts(expr) > 1 => {
                    return format!("filter{}({})", conjuncts(expr), walk(inner));
                }
                GraphPattern::Filter { inner, .. } => ("filter", vec![inner]),
                GraphPattern::Graph { .. } => ("graph", vec![]),
                GraphPattern::LeftJoin { left, right, .. } => ("leftjoin", vec![left, right]),
                GraphPattern::Join { left, right } => ("join", vec![left, right]),
                _ => ("other", vec![]),
            };
            if children.is_empty() {
                return name.to_owned();
            }
            let inner: Vec<String> = children.into_iter().map(walk).collect();
            format!("{name}({})", inner.join(","))
        }
        walk(pattern)
    }

    #[test]
    fn a_filter_on_the_required_side_goes_under_the_distinct() {
        assert_eq!(
            shape(
                "SELECT * WHERE { ?e schema:startDate ?d OPTIONAL { ?e rdfs:label ?l } \
                 FILTER(?d >= \"2020-01-01\"^^xsd:date) }"
            ),
            "project(leftjoin(distinct(filter(bgp)),distinct(bgp)))"
        );
    }

    #[test]
    fn filters_that_read_optional_or_exists_variables_stay_put() {
        assert_eq!(
            shape(
                "SELECT * WHERE { ?e schema:startDate ?d OPTIONAL { ?e rdfs:label ?l } \
                 FILTER(BOUND(?l)) }"
            ),
            "project(filter(leftjoin(distinct(bgp),distinct(bgp))))"
        );
        assert_eq!(
            shape("SELECT * WHERE { ?e schema:startDate ?d FILTER EXISTS { ?e rdfs:label ?l } }"),
            "project(filter(distinct(bgp)))"
        );
    }

    #[test]
    fn on_the_first_graph_one_filter_holds_the_query_s_and_each_pattern_s_test() {
        // Per-pattern filters would pin the join to the written order; one filter over the
        // join lets Oxigraph's optimizer order the patterns and place each test.
        let first = NamedNode::new_unchecked("file:///data.nt");
        let query = parse(
            "SELECT * WHERE { ?e schema:startDate ?d ; rdfs:label ?l ; schema:location ?p \
             FILTER(?d >= \"2020-01-01\"^^xsd:date) }",
        )
        .unwrap();
        assert_eq!(
            shape_of(&merge::by_first_graph(query, &first)),
            "project(filter4(join(join(graph,graph),graph)))"
        );
    }
}
