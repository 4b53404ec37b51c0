//! A stored service model as the files of an Altinn 3 app, every path under `App/` as in an app
//! repository made from Altinn's v9 template: the data model ([`model`]), the pages and their
//! order ([`layout`]), texts in nb/nn/en ([`texts`]), the option lists wired to semreg
//! ([`options`]), the expression validations the schema cannot carry ([`validations`]) and the
//! application metadata; [`check`] verifies a set of such files.

pub mod check;
pub mod layout;
pub mod model;
pub mod options;
pub mod texts;
pub mod validations;

use super::{pascal_name, tree, FormsError};
use crate::app::App;
use serde_json::{json, Value};
use std::io::Write as _;

/// How to export.
#[derive(Debug, Clone)]
pub struct AltinnOptions {
    /// The Altinn org (short name, letters and digits) the app and the library references
    /// belong to.
    pub org: String,
    /// The app's name (default: made from the service model's alias or name).
    pub app: Option<String>,
    /// The data model's name: C# class, XML root, data type id (default: the service model's
    /// name in PascalCase).
    pub model: Option<String>,
    /// Lists with at most this many codes become static `App/options` files.
    pub static_options: usize,
    /// Pin each library list to its current version instead of `_latest`.
    pub pin_versions: bool,
    /// semreg's public base URL (`https://host`), for the app's library endpoint setting.
    pub base_url: String,
}

/// One file of the export.
#[derive(Debug, Clone, PartialEq)]
pub struct AppFile {
    /// Its path in the app repository (`App/...`).
    pub path: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

impl AppFile {
    /// A JSON file, pretty-printed, ending in a newline.
    pub fn json(path: String, value: &Value) -> Self {
        let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
        bytes.push(b'\n');
        Self { path, bytes }
    }

    /// A text file.
    pub fn text(path: String, text: String) -> Self {
        Self {
            path,
            bytes: text.into_bytes(),
        }
    }

    /// The content as JSON, if it is JSON.
    pub fn as_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.bytes).ok()
    }
}

/// A field of the model that no page holds, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct LeftOut {
    /// Its data-model binding.
    pub binding: String,
    /// Why it has no component.
    pub reason: String,
}

/// The exported app files.
#[derive(Debug, Clone)]
pub struct AltinnApp {
    /// The data model's name.
    pub model: String,
    /// The files, in a stable order.
    pub files: Vec<AppFile>,
    /// Each `optionsId` used and where it resolves.
    pub options: Vec<(String, options::OptionsSource)>,
    /// The fields left off the pages.
    pub left_out: Vec<LeftOut>,
}

impl AltinnApp {
    /// The files as a zip archive.
    pub fn zip(&self) -> Result<Vec<u8>, FormsError> {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(0o644);
        let fail = |e: &dyn std::fmt::Display| FormsError::Unexportable(format!("zip: {e}"));
        for file in &self.files {
            writer
                .start_file(file.path.as_str(), options)
                .map_err(|e| fail(&e))?;
            writer.write_all(&file.bytes).map_err(|e| fail(&e))?;
        }
        Ok(writer.finish().map_err(|e| fail(&e))?.into_inner())
    }

    /// The file at a path.
    pub fn file(&self, path: &str) -> Option<&AppFile> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// The files of an export zip (paths that would leave the archive's root are refused).
pub fn unzip(bytes: &[u8]) -> Result<Vec<AppFile>, FormsError> {
    use std::io::Read as _;
    let fail = |e: &dyn std::fmt::Display| FormsError::BadOption(format!("zip: {e}"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| fail(&e))?;
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| fail(&e))?;
        let Some(path) = entry.enclosed_name() else {
            return Err(fail(&format!(
                "entry {:?} leaves the archive's root",
                entry.name()
            )));
        };
        let path = path.to_string_lossy().replace('\\', "/");
        let mut content = Vec::new();
        entry.read_to_end(&mut content).map_err(|e| fail(&e))?;
        files.push(AppFile {
            path,
            bytes: content,
        });
    }
    Ok(files)
}

/// Checks an option: an Altinn org is letters and digits.
pub fn parse_org(org: &str) -> Result<String, FormsError> {
    if !org.is_empty() && org.len() <= 32 && org.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(org.to_owned())
    } else {
        Err(FormsError::BadOption(format!(
            "org: an Altinn org is 1 to 32 letters and digits, found {org:?}"
        )))
    }
}

/// Checks a data model name: a letter, then letters, digits and `_` (a C# identifier and XML
/// name at once).
pub fn parse_model_name(name: &str) -> Result<String, FormsError> {
    let ok = name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(name.to_owned())
    } else {
        Err(FormsError::BadOption(format!(
            "model: a letter, then up to 63 letters, digits or `_`, found {name:?}"
        )))
    }
}

/// The app files of a stored service model (by id, alias or IRI).
pub async fn export(app: &App, id: &str, options: &AltinnOptions) -> Result<AltinnApp, FormsError> {
    let bundle = crate::service_models::load(app, id).await?;
    let tree = tree::build(app, &bundle).await?;
    let model = match &options.model {
        Some(name) => parse_model_name(name)?,
        None => pascal_name(&bundle.name),
    };
    let app_name = match &options.app {
        Some(name) => name.clone(),
        None => layout::component_id(&[bundle.name.to_lowercase()]),
    };
    let mut texts = texts::TextSet::default();
    texts.add("appName", &[("nb".to_owned(), bundle.name.clone())].into());
    let mut plan = options::OptionsPlan::new(
        app,
        &options.org,
        options.pin_versions,
        options.static_options,
    );
    let mut left_out = Vec::new();
    let pages = layout::pages(&tree, &mut texts, &mut plan, &mut left_out);
    let rules = validations::validations(&tree, &plan, &mut texts);
    let mut files = model::model_files(&tree.schema, &model)?;
    if let Some(rules) = rules {
        files.push(AppFile::json(
            format!("App/models/{model}.validation.json"),
            &rules,
        ));
    }
    files.push(model::application_metadata(
        options,
        &app_name,
        &model,
        &bundle.name,
    ));
    for (lang, content) in texts.files() {
        files.push(AppFile::json(
            format!("App/config/texts/resource.{lang}.json"),
            &content,
        ));
    }
    for page in &pages {
        files.push(AppFile::json(
            format!("App/ui/{}/layouts/{}.json", model::TASK, page.name),
            &page.layout,
        ));
    }
    files.push(AppFile::json(
        format!("App/ui/{}/Settings.json", model::TASK),
        &layout::settings(&pages, &model),
    ));
    for (path, content) in &plan.files {
        files.push(AppFile::json(path.clone(), content));
    }
    if plan.uses_library() {
        let endpoint = format!("{}/altinn/", options.base_url.trim_end_matches('/'));
        files.push(AppFile::json(
            "App/appsettings.json".to_owned(),
            &json!({"PlatformSettings": {"Altinn3LibraryApiEndpoint": endpoint}}),
        ));
    }
    Ok(AltinnApp {
        model,
        files,
        options: plan.used,
        left_out,
    })
}
