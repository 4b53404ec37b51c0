//! SPARQL SELECTs on the RDF projection, for what composing and used-by ask across resources.

use super::ServiceModelError;
use crate::app::App;
use crate::types::TypesError;

/// Runs a SPARQL SELECT on the RDF projection (union of resource graphs).
pub(super) async fn select(
    app: &App,
    query: String,
) -> Result<Vec<Vec<Option<String>>>, ServiceModelError> {
    let projections = app.projections.clone();
    tokio::task::spawn_blocking(move || {
        use oxigraph::sparql::QueryResults;
        let mut prepared = crate::rdf::sparql_evaluator()
            .parse_query(&query)
            .map_err(|e| TypesError::Rdf(e.to_string()))?;
        prepared.dataset_mut().set_default_graph_as_union();
        let results = prepared
            .on_store(projections.graph.store())
            .execute()
            .map_err(|e| TypesError::Rdf(e.to_string()))?;
        let QueryResults::Solutions(solutions) = results else {
            return Ok(Vec::new());
        };
        let variables: Vec<_> = solutions.variables().to_vec();
        let mut rows = Vec::new();
        for solution in solutions {
            let solution = solution.map_err(|e| TypesError::Rdf(e.to_string()))?;
            rows.push(
                variables
                    .iter()
                    .map(|v| {
                        solution.get(v).map(|term| match term {
                            oxigraph::model::Term::NamedNode(n) => n.as_str().to_owned(),
                            oxigraph::model::Term::Literal(l) => l.value().to_owned(),
                            other => other.to_string(),
                        })
                    })
                    .collect(),
            );
        }
        Ok(rows)
    })
    .await
    .map_err(|e| ServiceModelError::Types(TypesError::Task(e.to_string())))?
}
