//! Fuzzes the JsonSchema importer.
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run(semreg_importers::Format::JsonSchema, data, &[("iri", "https://example.org/fuzz/schema")]);
});
