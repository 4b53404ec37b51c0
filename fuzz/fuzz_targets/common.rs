//! What every target does: import the bytes in one format with the settings a real import of
//! that format takes. An `Err` is a refused input (fine); a panic, an abort, a stack overflow
//! or a timeout is a bug the fuzzer reports.

use semreg_importers::{import, Format, ImportOptions};

/// Imports `data` as `format` with `params` (`key=value`).
pub fn run(format: Format, data: &[u8], params: &[(&str, &str)]) {
    let options = ImportOptions {
        base_iri: None,
        file_name: None,
        params: params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    };
    let _ = import(format, data, &options);
}
