//! `semreg form altinn-app|questionnaire ID` and `semreg compose REQUEST.json`: a stored service
//! model as a form, from the data dir or from a running server (`--server`), with the Altinn app
//! checked after it is written.

use super::StoreArgs;
use crate::app::App;
use crate::forms::altinn::{self, check, AltinnOptions, AppFile};
use crate::forms::questionnaire;
use crate::ids::OrgNr;
use crate::service_models::ComposeRequest;
use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where the service model is read: the data dir, or a running server.
#[derive(Debug, Clone, Args)]
pub struct Source {
    /// Where the store is (ignored with --server).
    #[command(flatten)]
    pub store: StoreArgs,
    /// Read from a running server's API (`http://127.0.0.1:8080`) instead of the data dir.
    #[arg(long, env = "SEMREG_SERVER")]
    pub server: Option<String>,
}

/// Options of the Altinn app export.
#[derive(Debug, Clone, Args)]
pub struct AltinnArgs {
    /// The Altinn org of the app and of its code-list library references.
    #[arg(long, default_value = "ttd")]
    pub org: String,
    /// The app's name (default: the service model's name in lower case with dashes).
    #[arg(long)]
    pub app: Option<String>,
    /// The data model's name: C# class, XML root, data type id (default: the service model's
    /// name in PascalCase).
    #[arg(long)]
    pub model: Option<String>,
    /// Code lists with at most this many codes become static `App/options/<id>.json` files.
    #[arg(long, default_value_t = 0)]
    pub static_options: usize,
    /// Reference each code list at its current version instead of `_latest`.
    #[arg(long)]
    pub pin_versions: bool,
    /// semreg's public URL for the app's code-list library endpoint (without --server; with it,
    /// the server's URL).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub base_url: String,
}

/// `semreg form ...`.
#[derive(Debug, Subcommand)]
pub enum FormCommand {
    /// Write the files of an Altinn 3 app (`App/...`) into a directory and check them.
    AltinnApp {
        /// Id, alias or IRI of the service model.
        id: String,
        /// The app repository's root (files go to `DIR/App/...`).
        #[arg(long)]
        out: PathBuf,
        /// Export options.
        #[command(flatten)]
        options: AltinnArgs,
        /// Where the service model is.
        #[command(flatten)]
        source: Source,
    },
    /// Print (or write) the FHIR R4 Questionnaire of a service model.
    Questionnaire {
        /// Id, alias or IRI of the service model.
        id: String,
        /// Language of the items' texts: nb, nn or en.
        #[arg(long, default_value = "nb")]
        lang: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Where the service model is.
        #[command(flatten)]
        source: Source,
    },
}

/// `semreg compose` and its exports.
#[derive(Debug, Args)]
pub struct ComposeArgs {
    /// The service-model request (JSON, as `POST /api/v1/service-models` takes).
    pub request: PathBuf,
    /// The publisher (org number) the service model belongs to (without --server).
    #[arg(long)]
    pub publisher: Option<String>,
    /// API token for --server.
    #[arg(long, env = "SEMREG_TOKEN")]
    pub token: Option<String>,
    /// Then write the Altinn app files into this directory.
    #[arg(long)]
    pub altinn_app: Option<PathBuf>,
    /// Then write the Questionnaire to this file.
    #[arg(long)]
    pub questionnaire: Option<PathBuf>,
    /// Altinn export options.
    #[command(flatten)]
    pub options: AltinnArgs,
    /// Where the store is.
    #[command(flatten)]
    pub source: Source,
}

/// Where the work happens.
enum Target {
    Local(std::sync::Arc<App>),
    Remote(String),
}

impl Target {
    async fn open(source: &Source) -> anyhow::Result<Self> {
        match &source.server {
            Some(server) => Ok(Self::Remote(server.trim_end_matches('/').to_owned())),
            None => Ok(Self::Local(App::open(source.store.config()).await?)),
        }
    }
}

/// The body of a successful GET, or the problem's detail as the error.
async fn get(url: &str) -> anyhow::Result<Vec<u8>> {
    let response = reqwest::get(url)
        .await
        .with_context(|| format!("cannot reach {url}"))?;
    let status = response.status();
    let body = response.bytes().await?.to_vec();
    if !status.is_success() {
        bail!("server answered {status}: {}", detail(&body));
    }
    Ok(body)
}

fn detail(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("detail").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned())
}

/// Runs `semreg form ...`.
pub async fn form(command: FormCommand) -> anyhow::Result<ExitCode> {
    match command {
        FormCommand::AltinnApp {
            id,
            out,
            options,
            source,
        } => {
            let target = Target::open(&source).await?;
            altinn_app(&target, &id, &options, &out).await
        }
        FormCommand::Questionnaire {
            id,
            lang,
            out,
            source,
        } => {
            let target = Target::open(&source).await?;
            let resource = questionnaire_of(&target, &id, &lang).await?;
            let mut text = serde_json::to_string_pretty(&resource)?;
            text.push('\n');
            match out {
                Some(path) => {
                    write_file(&path, text.as_bytes())?;
                    eprintln!("wrote {}", path.display());
                }
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn questionnaire_of(target: &Target, id: &str, lang: &str) -> anyhow::Result<Value> {
    match target {
        Target::Local(app) => Ok(questionnaire::questionnaire(app, id, lang).await?),
        Target::Remote(server) => {
            let url = service_model_url(server, id, "questionnaire", &[("lang", lang.to_owned())])?;
            Ok(serde_json::from_slice(&get(&url).await?)?)
        }
    }
}

/// `{server}/api/v1/service-models/{id}/{what}?{query}`, the id percent-encoded as one segment.
fn service_model_url(
    server: &str,
    id: &str,
    what: &str,
    query: &[(&str, String)],
) -> anyhow::Result<String> {
    let mut url =
        reqwest::Url::parse(server).with_context(|| format!("--server {server:?}: not a URL"))?;
    url.path_segments_mut()
        .map_err(|()| anyhow::anyhow!("--server {server:?}: not a base URL"))?
        .pop_if_empty()
        .extend(["api", "v1", "service-models", id, what]);
    url.query_pairs_mut().extend_pairs(query);
    Ok(url.into())
}

/// Exports, writes and checks an Altinn app; failure exit code when the check finds problems.
async fn altinn_app(
    target: &Target,
    id: &str,
    args: &AltinnArgs,
    out: &Path,
) -> anyhow::Result<ExitCode> {
    let files = match target {
        Target::Local(app) => {
            let options = AltinnOptions {
                org: altinn::parse_org(&args.org)?,
                app: args.app.clone(),
                model: args.model.clone(),
                static_options: args.static_options,
                pin_versions: args.pin_versions,
                base_url: args.base_url.clone(),
            };
            altinn::export(app, id, &options).await?.files
        }
        Target::Remote(server) => {
            let mut query = vec![
                ("org", args.org.clone()),
                ("staticOptions", args.static_options.to_string()),
                ("pinVersions", args.pin_versions.to_string()),
            ];
            if let Some(app) = &args.app {
                query.push(("app", app.clone()));
            }
            if let Some(model) = &args.model {
                query.push(("model", model.clone()));
            }
            let url = service_model_url(server, id, "altinn-app", &query)?;
            altinn::unzip(&get(&url).await?)?
        }
    };
    let (problems, library) = check::check(&files);
    let unbound = check::unbound(&files);
    for file in &files {
        let path = out.join(&file.path);
        let bytes = if file.path == "App/config/applicationmetadata.json" && path.exists() {
            merge_metadata(&path, file)?
        } else {
            file.bytes.clone()
        };
        write_file(&path, &bytes)?;
    }
    println!(
        "wrote {} files to {}; {} code lists read from semreg at runtime",
        files.len(),
        out.join("App").display(),
        library.len()
    );
    for field in &unbound {
        println!("  not on a page (no Altinn component binds it): {field}");
    }
    if problems.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &problems {
        println!("  problem: {problem}");
    }
    Ok(ExitCode::FAILURE)
}

/// An existing `applicationmetadata.json` with the model's data type added or replaced, the
/// rest of the app's metadata kept.
fn merge_metadata(path: &Path, file: &AppFile) -> anyhow::Result<Vec<u8>> {
    let existing: Value = serde_json::from_slice(&std::fs::read(path)?)
        .with_context(|| format!("{}: not JSON; not merged", path.display()))?;
    let exported = file.as_json().unwrap_or_default();
    let ours: Vec<Value> = exported["dataTypes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t.get("appLogic").is_some())
        .cloned()
        .collect();
    let mut merged = existing;
    let types = merged
        .get_mut("dataTypes")
        .and_then(Value::as_array_mut)
        .with_context(|| format!("{}: no dataTypes; not merged", path.display()))?;
    for data_type in ours {
        match types.iter_mut().find(|t| t["id"] == data_type["id"]) {
            Some(slot) => *slot = data_type,
            None => types.push(data_type),
        }
    }
    let mut bytes = serde_json::to_vec_pretty(&merged)?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    // Written beside and renamed, so a crash never leaves half a file.
    let partial = path.with_extension("semreg-partial");
    std::fs::write(&partial, bytes)
        .with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Runs `semreg compose`: stores the service model, prints its id, then writes the exports asked
/// for.
pub async fn compose(args: ComposeArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read(&args.request)
        .with_context(|| format!("cannot read {}", args.request.display()))?;
    let request: ComposeRequest = serde_json::from_slice(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a service-model request (line {}, column {}): {e}",
            args.request.display(),
            e.line(),
            e.column()
        )
    })?;
    let target = Target::open(&args.source).await?;
    let id = match &target {
        Target::Local(app) => {
            let Some(publisher) = &args.publisher else {
                bail!("--publisher ORGNR is needed to compose into the data dir");
            };
            let bundle = crate::service_models::compose(
                app,
                request,
                OrgNr::parse(publisher)?,
                crate::auth::audit::Actor::operator(),
            )
            .await?;
            bundle.id
        }
        Target::Remote(server) => {
            let Some(token) = &args.token else {
                bail!("--server needs --token");
            };
            let response = reqwest::Client::new()
                .post(format!("{server}/api/v1/service-models"))
                .bearer_auth(token)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(text)
                .send()
                .await
                .with_context(|| format!("cannot reach {server}"))?;
            let status = response.status();
            let body = response.bytes().await?;
            if !status.is_success() {
                bail!("server answered {status}: {}", detail(&body));
            }
            let bundle: Value = serde_json::from_slice(&body)?;
            bundle["id"].as_str().unwrap_or_default().to_owned()
        }
    };
    println!("composed service model {id}");
    let mut code = ExitCode::SUCCESS;
    if let Some(out) = &args.altinn_app {
        code = altinn_app(&target, &id, &args.options, out).await?;
    }
    if let Some(path) = &args.questionnaire {
        let resource = questionnaire_of(&target, &id, "nb").await?;
        let mut bytes = serde_json::to_vec_pretty(&resource)?;
        bytes.push(b'\n');
        write_file(path, &bytes)?;
        println!("wrote the Questionnaire to {}", path.display());
    }
    Ok(code)
}
