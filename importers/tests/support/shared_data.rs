//! Where the shared data files are (`../shared/data` beside the checkout), for the importer's
//! file tests (included with `#[path]`). The checkout's path is read when the test runs, not
//! when it is compiled: CI builds other clones into the same cached target dir, and cargo reuses
//! a test binary built elsewhere, whose compiled-in path may be gone.

use std::path::PathBuf;

/// A file or folder below `../shared/data`.
pub fn shared_data(relative: &str) -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(relative)
}
