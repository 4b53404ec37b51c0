//! RocksDB errors with the allocator `semreg serve` runs with (the C library's: see
//! src/main.rs). RocksDB allocates its error messages with malloc and oxigraph frees them with
//! Rust's global allocator; under mimalloc that crashed the process (SIGSEGV in
//! `_mi_unchecked_ptr_page`). This provokes many such errors (opening a locked RDF store) and
//! expects each to come back as a clean error, with allocations churning around them as in a
//! server under load.

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
        // Allocate and free around the error, as a server under load does.
        let churn: Vec<String> = (0..64).map(|i| format!("{i}{error}")).collect();
        drop(churn);
    }
    drop(held);
}
