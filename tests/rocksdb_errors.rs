//! RocksDB errors under mimalloc, the allocator `semreg serve` runs with: RocksDB allocates its
//! error messages with the C library's malloc, and oxigraph used to free them with Rust's global
//! allocator, which crashed the process (SIGSEGV in mimalloc's `_mi_unchecked_ptr_page`).
//! `vendor/oxigraph` frees them with RocksDB's own free; this provokes many such errors (opening
//! a locked RDF store) and expects each to come back as a clean error.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[test]
fn rocksdb_error_messages_are_freed_by_the_c_allocator() {
    let dir = tempfile::tempdir().unwrap();
    let held = semreg::projections::Projections::open(dir.path()).expect("first open");
    for _ in 0..200 {
        // The second open fails inside RocksDB (its LOCK file is held by `held`).
        let error = match semreg::projections::Projections::open(dir.path()) {
            Ok(_) => panic!("a second open of a held RDF store succeeded"),
            Err(error) => error.to_string(),
        };
        assert!(error.contains("lock") || error.contains("LOCK"), "{error}");
        // Allocate and free through mimalloc around the error, as a server under load does.
        let churn: Vec<String> = (0..64).map(|i| format!("{i}{error}")).collect();
        drop(churn);
    }
    drop(held);
}
