//! A client generated from `/openapi.json` by a generator no one here wrote works end to end:
//! openapi-typescript makes the types from the running server's document, `tsc --strict`
//! checks `tests/node/client/client_test.ts` against them, and the script then runs with
//! openapi-fetch against the server: imports (Klass JSON, Turtle, CSV, SSSOM/TSV) with a token,
//! search and suggest, a code list with `If-None-Match`, and the README's service model.

mod common;

use common::{node_area, spawn_app, Backend};
use std::path::Path;
use std::process::Command;

fn run(what: &str, command: &mut Command) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_generated_from_the_document_runs_the_worked_example() {
    let test = "a_client_generated_from_the_document_runs_the_worked_example";
    let Some(area) = node_area(test, "client") else {
        return;
    };
    let Some(app) = spawn_app(Backend::Sqlite, test).await else {
        return;
    };
    let token = app.token("974760673").await;
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path();
    std::fs::write(dir.join("openapi.json"), app.text("/openapi.json").await).unwrap();
    std::fs::copy(area.join("client_test.ts"), dir.join("client_test.ts")).unwrap();
    std::os::unix::fs::symlink(area.join("node_modules"), dir.join("node_modules")).unwrap();
    std::fs::write(dir.join("package.json"), r#"{"type": "module"}"#).unwrap();
    std::fs::write(
        dir.join("tsconfig.json"),
        r#"{"compilerOptions": {"strict": true, "target": "ES2022", "module": "NodeNext",
            "moduleResolution": "NodeNext", "types": ["node"], "lib": ["ES2022", "DOM"],
            "skipLibCheck": true, "outDir": "out"}, "files": ["client_test.ts"]}"#,
    )
    .unwrap();
    let bin = |name: &str| area.join("node_modules/.bin").join(name);
    run(
        "openapi-typescript",
        Command::new(bin("openapi-typescript"))
            .current_dir(dir)
            .args(["openapi.json", "-o", "schema.d.ts"]),
    );
    run(
        "tsc",
        Command::new(bin("tsc")).current_dir(dir).args(["-p", "."]),
    );
    let checkout = std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR");
    let shared = common::shared_data("");
    let stdout = run(
        "the generated client",
        Command::new("node")
            .current_dir(dir)
            .arg(Path::new("out").join("client_test.js"))
            .args([&app.base, &token, &checkout])
            .arg(&shared),
    );
    assert!(
        stdout.contains("generated client: all steps passed"),
        "{stdout}"
    );
}
