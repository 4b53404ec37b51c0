//! SPARQL SELECTs on the RDF projection, for what composing and used-by ask across resources.

use super::ServiceModelError;
use crate::app::App;
use crate::types::TypesError;

/// Runs a SPARQL SELECT on the RDF projection (union of resource graphs).
pub(super) async fn select(
    app: &App,
    query: String,
) -> Result<Vec<Vec<Option<String>>>, ServiceModelError> {
    let solutions = app
        .projections
        .select(query)
        .await
        .map_err(|e| ServiceModelError::Types(TypesError::Rdf(e)))?;
    let Some(first) = solutions.first() else {
        return Ok(Vec::new());
    };
    let variables: Vec<_> = first.variables().to_vec();
    Ok(solutions
        .iter()
        .map(|solution| {
            variables
                .iter()
                .map(|v| {
                    solution.get(v).map(|term| match term {
                        oxigraph::model::Term::NamedNode(n) => n.as_str().to_owned(),
                        oxigraph::model::Term::Literal(l) => l.value().to_owned(),
                        other => other.to_string(),
                    })
                })
                .collect()
        })
        .collect())
}
