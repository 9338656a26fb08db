//! Rewrites and checks on the SPARQL algebra for queries digicoop does not evaluate itself:
//! binding saved-query parameters into a query sent to a remote endpoint, and finding
//! `SERVICE` clauses (which reach other servers, so they are refused unless allowed).
//!
//! **Why bind in the algebra.** A remote server cannot receive Oxigraph's variable
//! substitutions, and pasting a value into the query text would let a crafted value
//! (`x" } UNION { ?s ?p ?o } #`) change the query. Instead the parsed query gets the
//! parameters as a one-row `VALUES` table joined to every place that produces solutions
//! (basic graph patterns, property paths, inline data), which is the "values insertion" of
//! the SPARQL 1.2 substitution proposal (SEP-0007) that Oxigraph's substitution follows:
//! every solution carries the bound value, `FILTER`s and `MINUS` see it, and a sub-query
//! only receives the parameters it projects. The algebra is then written back as text by
//! spargebra, which quotes every term, so the value stays one RDF term whatever it holds.

use crate::query::QueryError;
use oxigraph::model::{Literal, NamedNode, Term, Variable};
use spargebra::algebra::{AggregateExpression, Expression, GraphPattern, OrderExpression};
use spargebra::term::GroundTerm;
use spargebra::Query;

/// The message for a query with `SERVICE` when federation is not allowed.
pub const SERVICE_REFUSED: &str = "the query uses SERVICE, which sends part of it to another \
    server; federated queries are off by default: pass --allow-service to allow them";

/// Whether the query calls another endpoint with `SERVICE` anywhere, `EXISTS` included.
pub fn uses_service(query: &Query) -> bool {
    pattern_uses_service(root(query))
}

/// Binds each variable to its term inside the query (see the module documentation).
///
/// Fails, like Oxigraph's substitution, when a SELECT or DESCRIBE does not project a
/// bound variable, and when the query assigns one itself (`BIND ... AS ?x`, an aggregate
/// `AS ?x`): a solution cannot hold two values for one variable.
pub fn bind(mut query: Query, bindings: &[(Variable, Term)]) -> Result<Query, QueryError> {
    if bindings.is_empty() {
        return Ok(query);
    }
    let table = bindings
        .iter()
        .map(|(variable, term)| Ok((variable.clone(), ground(variable, term)?)))
        .collect::<Result<Vec<_>, QueryError>>()?;
    if let Query::Select { pattern, .. } | Query::Describe { pattern, .. } = &query {
        if let Some(projected) = projection(pattern) {
            if let Some((variable, _)) = table.iter().find(|(v, _)| !projected.contains(v)) {
                return Err(QueryError::Unsupported(format!(
                    "parameter {variable} must be projected by the query to be bound"
                )));
            }
        }
    }
    insert(root_mut(&mut query), &table)?;
    Ok(query)
}

fn root(query: &Query) -> &GraphPattern {
    match query {
        Query::Select { pattern, .. }
        | Query::Construct { pattern, .. }
        | Query::Describe { pattern, .. }
        | Query::Ask { pattern, .. } => pattern,
    }
}

/// The pattern under a query's form (SELECT, CONSTRUCT, DESCRIBE or ASK).
pub(crate) fn root_mut(query: &mut Query) -> &mut GraphPattern {
    match query {
        Query::Select { pattern, .. }
        | Query::Construct { pattern, .. }
        | Query::Describe { pattern, .. }
        | Query::Ask { pattern, .. } => pattern,
    }
}

/// The term as a `VALUES` entry, re-checked: terms built unchecked (an IRI holding `>`, a
/// language tag holding spaces) would print as text that is not one term.
fn ground(variable: &Variable, term: &Term) -> Result<GroundTerm, QueryError> {
    let refuse = |why: String| QueryError::Unsupported(format!("cannot bind {variable}: {why}"));
    let iri = |iri: &str| NamedNode::new(iri).map_err(|e| refuse(format!("not a valid IRI: {e}")));
    match term {
        Term::NamedNode(node) => Ok(iri(node.as_str())?.into()),
        Term::Literal(literal) => Ok(match literal.language() {
            Some(language) => Literal::new_language_tagged_literal(literal.value(), language)
                .map_err(|e| refuse(format!("not a valid language tag: {e}")))?,
            None => Literal::new_typed_literal(literal.value(), iri(literal.datatype().as_str())?),
        }
        .into()),
        #[allow(unreachable_patterns)]
        other => Err(refuse(format!(
            "{other} is not an IRI or a literal, which is all a query text can carry"
        ))),
    }
}

/// The variables a SELECT or DESCRIBE projects; `None` when every in-scope one is.
fn projection(pattern: &GraphPattern) -> Option<&[Variable]> {
    match pattern {
        GraphPattern::Project { variables, .. } => Some(variables),
        GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. } => projection(inner),
        _ => None,
    }
}

/// A one-row table of the bindings in scope.
fn table(scope: &[(Variable, GroundTerm)]) -> GraphPattern {
    GraphPattern::Values {
        variables: scope.iter().map(|(v, _)| v.clone()).collect(),
        bindings: vec![scope.iter().map(|(_, t)| Some(t.clone())).collect()],
    }
}

/// Replaces `pattern` by its join with the table of `scope`.
fn join_table(pattern: &mut GraphPattern, scope: &[(Variable, GroundTerm)]) {
    let inner = std::mem::replace(pattern, table(scope));
    *pattern = GraphPattern::Join {
        left: Box::new(inner),
        right: Box::new(table(scope)),
    };
}

fn assigned(variable: &Variable) -> QueryError {
    QueryError::Unsupported(format!(
        "parameter {variable} is assigned by the query itself (AS {variable}); it cannot be bound"
    ))
}

fn insert(pattern: &mut GraphPattern, scope: &[(Variable, GroundTerm)]) -> Result<(), QueryError> {
    if scope.is_empty() {
        return Ok(());
    }
    let bound = |variable: &Variable| scope.iter().any(|(v, _)| v == variable);
    match pattern {
        // `{}` joined with a table is the table.
        GraphPattern::Bgp { patterns } if patterns.is_empty() => *pattern = table(scope),
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } | GraphPattern::Values { .. } => {
            join_table(pattern, scope)
        }
        GraphPattern::Join { left, right }
        | GraphPattern::LeftJoin { left, right, .. }
        | GraphPattern::Lateral { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right } => {
            insert(left, scope)?;
            insert(right, scope)?;
        }
        GraphPattern::Filter { inner, .. }
        | GraphPattern::Graph { inner, .. }
        | GraphPattern::OrderBy { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. }
        | GraphPattern::Service { inner, .. } => insert(inner, scope)?,
        GraphPattern::Extend {
            inner, variable, ..
        } => {
            if bound(variable) {
                return Err(assigned(variable));
            }
            insert(inner, scope)?;
        }
        GraphPattern::Group {
            inner, aggregates, ..
        } => {
            if let Some((variable, _)) = aggregates.iter().find(|(v, _)| bound(v)) {
                return Err(assigned(variable));
            }
            insert(inner, scope)?;
        }
        // A sub-query sees only the parameters it projects (its other variables are its
        // own); its solutions still carry the others, as every solution does.
        GraphPattern::Project { inner, variables } => {
            let (seen, unseen): (Vec<_>, Vec<_>) = scope
                .iter()
                .cloned()
                .partition(|(v, _)| variables.contains(v));
            insert(inner, &seen)?;
            if !unseen.is_empty() {
                join_table(pattern, &unseen);
            }
        }
    }
    Ok(())
}

fn pattern_uses_service(pattern: &GraphPattern) -> bool {
    match pattern {
        GraphPattern::Service { .. } => true,
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } | GraphPattern::Values { .. } => false,
        GraphPattern::Join { left, right }
        | GraphPattern::Lateral { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right } => {
            pattern_uses_service(left) || pattern_uses_service(right)
        }
        GraphPattern::LeftJoin {
            left,
            right,
            expression,
        } => {
            pattern_uses_service(left)
                || pattern_uses_service(right)
                || expression.as_ref().is_some_and(expression_uses_service)
        }
        GraphPattern::Filter { expr, inner } => {
            expression_uses_service(expr) || pattern_uses_service(inner)
        }
        GraphPattern::Extend {
            inner, expression, ..
        } => expression_uses_service(expression) || pattern_uses_service(inner),
        GraphPattern::OrderBy { inner, expression } => {
            pattern_uses_service(inner)
                || expression.iter().any(|order| match order {
                    OrderExpression::Asc(e) | OrderExpression::Desc(e) => {
                        expression_uses_service(e)
                    }
                })
        }
        GraphPattern::Group {
            inner, aggregates, ..
        } => {
            pattern_uses_service(inner)
                || aggregates.iter().any(|(_, aggregate)| match aggregate {
                    AggregateExpression::FunctionCall { expr, .. } => expression_uses_service(expr),
                    AggregateExpression::CountSolutions { .. } => false,
                })
        }
        GraphPattern::Graph { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. } => pattern_uses_service(inner),
    }
}

fn expression_uses_service(expression: &Expression) -> bool {
    match expression {
        Expression::Exists(pattern) => pattern_uses_service(pattern),
        other => operands(other).into_iter().any(expression_uses_service),
    }
}

/// The expressions an expression applies its operator or function to (none for a term, a
/// variable, `BOUND` or `EXISTS`, whose pattern is not an expression).
pub(crate) fn operands(expression: &Expression) -> Vec<&Expression> {
    match expression {
        Expression::NamedNode(_)
        | Expression::Literal(_)
        | Expression::Variable(_)
        | Expression::Bound(_)
        | Expression::Exists(_) => Vec::new(),
        Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => vec![a],
        Expression::Or(a, b)
        | Expression::And(a, b)
        | Expression::Equal(a, b)
        | Expression::SameTerm(a, b)
        | Expression::Greater(a, b)
        | Expression::GreaterOrEqual(a, b)
        | Expression::Less(a, b)
        | Expression::LessOrEqual(a, b)
        | Expression::Add(a, b)
        | Expression::Subtract(a, b)
        | Expression::Multiply(a, b)
        | Expression::Divide(a, b) => vec![a, b],
        Expression::If(a, b, c) => vec![a, b, c],
        Expression::In(a, list) => std::iter::once(&**a).chain(list).collect(),
        Expression::Coalesce(list) | Expression::FunctionCall(_, list) => list.iter().collect(),
    }
}

#[cfg(test)]
mod tests;
