//! The `semreg` binary: parses the command line, sets up tracing and runs the command.

use clap::Parser;

// No custom global allocator: oxigraph 0.5 frees RocksDB's error messages, which RocksDB's C++
// allocates with the C library's malloc, through Rust's global allocator (`CString::from_raw`).
// That is only sound while the global allocator is the C library's; under mimalloc it crashed
// `semreg serve` (SIGSEGV in `_mi_unchecked_ptr_page`) whenever RocksDB reported an error, e.g.
// a data dir locked by another process. tests/rocksdb_errors.rs provokes such errors.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = semreg::cli::Cli::parse();
    semreg::telemetry::init();
    match semreg::cli::run(cli).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
