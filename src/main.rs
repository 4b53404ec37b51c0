//! The `semreg` binary: parses the command line, sets up tracing and runs the command.

use clap::Parser;

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
