//! Picks the design-system stylesheet the binary embeds (src/web/assets.rs).
//!
//! Designsystemet's CSS comes from the npm registry, installed by `npm ci` in `web/` (exact
//! versions and integrity hashes from `web/package-lock.json`; nothing of it is committed).
//! When it is not installed, the build still works: it embeds `web/fallback.css`, a plain
//! stylesheet of ours, and says so in a warning — unless `SEMREG_WEB_ASSETS_REQUIRED` is set
//! (CI sets it), when a missing install is an error naming the command to run.

use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    println!("cargo:rerun-if-env-changed=SEMREG_WEB_ASSETS_REQUIRED");
    println!("cargo:rerun-if-changed=web/fallback.css");
    println!("cargo:rerun-if-changed=web/package-lock.json");
    let modules = root.join("web/node_modules");
    let package = modules.join("@digdir/designsystemet-css");
    let theme = package.join("dist/theme/designsystemet.css");
    let index = package.join("dist/src/index.css");
    let licence = package.join("LICENSE");
    let installed = theme.is_file() && index.is_file() && licence.is_file();
    if installed {
        // npm rewrites this file on every install into node_modules.
        println!(
            "cargo:rerun-if-changed={}",
            modules.join(".package-lock.json").display()
        );
        let version = version_of(&package.join("package.json"));
        let mut css = read(&theme);
        css.push(b'\n');
        css.extend(read(&index));
        write(&out.join("designsystemet.css"), &css);
        write(&out.join("designsystemet-LICENSE"), &read(&licence));
        write(
            &out.join("designsystemet-origin.txt"),
            format!("@digdir/designsystemet-css {version}").as_bytes(),
        );
        return;
    }
    // Not installed: watch web/ (without node_modules it is a few small files), so an
    // `npm ci` there makes the next build pick the real stylesheet up.
    println!("cargo:rerun-if-changed=web");
    if std::env::var_os("SEMREG_WEB_ASSETS_REQUIRED").is_some_and(|v| !v.is_empty() && v != "0") {
        panic!(
            "Designsystemet's CSS is not installed in web/node_modules and SEMREG_WEB_ASSETS_REQUIRED is set: \
             run `npm ci --prefix web` (or `source .ci/tools.sh && ensure_web_assets`), then build again"
        );
    }
    println!(
        "cargo:warning=Designsystemet's CSS is not installed (web/node_modules): the pages get the plain fallback \
         stylesheet web/fallback.css. Run `npm ci --prefix web` and build again for the real one."
    );
    write(
        &out.join("designsystemet.css"),
        &read(&root.join("web/fallback.css")),
    );
    write(&out.join("designsystemet-LICENSE"), b"");
    write(&out.join("designsystemet-origin.txt"), b"fallback");
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// The `"version"` of a package.json, read without a JSON parser (build scripts get no
/// dependencies here); "unknown" when it cannot be found.
fn version_of(package_json: &Path) -> String {
    let text = String::from_utf8_lossy(&read(package_json)).into_owned();
    text.split_once("\"version\"")
        .and_then(|(_, rest)| rest.split('"').nth(1))
        .unwrap_or("unknown")
        .to_owned()
}
