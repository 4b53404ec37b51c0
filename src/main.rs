//! The `semreg` binary: parses the command line, sets up tracing and runs the command.

use clap::Parser;

// No custom global allocator: oxigraph 0.5 frees RocksDB's error messages, which RocksDB's C++
// allocates with the C library's malloc, through Rust's global allocator (`CString::from_raw`).
// That is only sound while the global allocator is the C library's; under mimalloc it crashed
// `semreg serve` (SIGSEGV in `_mi_unchecked_ptr_page`) whenever RocksDB reported an error, e.g.
// a data dir locked by another process. tests/rocksdb_errors.rs provokes such errors.

fn main() -> std::process::ExitCode {
    limit_malloc_arenas();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let cli = semreg::cli::Cli::parse();
        semreg::telemetry::init();
        match semreg::cli::run(cli).await {
            Ok(code) => code,
            Err(error) => {
                eprintln!("error: {error:#}");
                std::process::ExitCode::FAILURE
            }
        }
    })
}

/// The C library's malloc gives every thread that meets contention an arena of its own, up to
/// eight per core, and memory freed in one is not reused by the others: with the serving,
/// background and store threads, 1,000 code lists of 500 codes held 308 MiB served; with four
/// arenas per core, 286 MiB. Fewer cost latency: with one per core, a big import's parsing
/// threads and the serving threads waited on each other's arena locks (bench/mixed.sh, 20 MiB
/// import on SQLite: code-list p99 3.74x idle with 2 arenas, 2.16x with 8, 2.43x with 16).
/// Set before any thread starts; an operator's own `MALLOC_ARENA_MAX` wins.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        // SAFETY: mallopt takes two integers; no other thread exists yet.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, (4 * cores).clamp(8, 256) as libc::c_int);
        }
    }
}
