//! Fuzzes the Klass importer.
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run(semreg_importers::Format::Klass, data, &[("id", "131")]);
});
