//! The `semreg` binary: parses the command line, sets up tracing and runs the command.

use clap::Parser;

// mimalloc serves the many small, short-lived allocations of request handling faster than the
// system allocator (measured with bench/codelists.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
