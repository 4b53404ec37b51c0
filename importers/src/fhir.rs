//! Importer for FHIR CodeSystem / ValueSet: bytes to RDF triples (then resources via [`crate::rdf::finish`]).

use crate::{ImportError, ImportOptions, ImportWarning};
use oxrdf::Triple;

/// Reads FHIR CodeSystem / ValueSet into triples plus warnings.
pub fn to_triples(
    _bytes: &[u8],
    _options: &ImportOptions,
) -> Result<(Vec<Triple>, Vec<ImportWarning>), ImportError> {
    Err(ImportError::Invalid {
        location: "input".into(),
        message: "the FHIR CodeSystem / ValueSet importer is not available yet".into(),
    })
}
