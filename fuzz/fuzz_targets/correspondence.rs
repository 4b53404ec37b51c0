//! Fuzzes the Correspondence importer.
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run(semreg_importers::Format::Correspondence, data, &[("source", "https://example.org/fuzz/a"), ("target", "https://example.org/fuzz/b"), ("iri", "https://example.org/fuzz/corr")]);
});
