//! Importer for SSB Klass codes JSON: bytes to RDF triples (then resources via [`crate::rdf::finish`]).

use crate::{ImportError, ImportOptions, ImportWarning};
use oxrdf::Triple;

/// Reads SSB Klass codes JSON into triples plus warnings.
pub fn to_triples(
    _bytes: &[u8],
    _options: &ImportOptions,
) -> Result<(Vec<Triple>, Vec<ImportWarning>), ImportError> {
    Err(ImportError::Invalid {
        location: "input".into(),
        message: "the SSB Klass codes JSON importer is not available yet".into(),
    })
}
