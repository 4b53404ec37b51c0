//! Types and information models for designers: a registry type or a whole model exported as
//! JSON Schema (draft 2020-12), XSD (one file, as Altinn Studio accepts it), C# classes and
//! TypeScript types.
//!
//! Every export reads the resource's graph and the graphs of the registry resources it reaches
//! from the RDF projection ([`graph`]), builds one [`model::ExportModel`] (names, resolved
//! references, texts in one language) and writes it in the wanted format.

pub mod csharp;
pub mod graph;
pub mod json_schema;
pub mod model;
pub mod sample;
pub mod typescript;
pub mod xsd;

use crate::app::App;
use crate::store::{self, StoreError};
use model::{ExportModel, Subject};

/// Resource kind of types.
pub const TYPE_KIND: &str = "type";
/// Resource kind of information models.
pub const MODEL_KIND: &str = "model";

/// Default of [`ExportOptions::enum_threshold`].
pub const DEFAULT_ENUM_THRESHOLD: usize = 100;

/// What can go wrong in an export.
#[derive(Debug, thiserror::Error)]
pub enum TypesError {
    /// No resource has this id or alias.
    #[error("no resource with id or alias {0:?}")]
    NotFound(String),
    /// The resource exists but is not of the kind asked for.
    #[error("resource {id:?} is a {actual}, not a {expected}")]
    WrongKind {
        /// The id asked for.
        id: String,
        /// Its kind.
        actual: String,
        /// The kind the path expects.
        expected: &'static str,
    },
    /// The resource is not (yet) in the RDF projection.
    #[error("resource {0:?} is not in the RDF store yet; try again shortly")]
    NotProjected(String),
    /// The type reaches more resources than one export may hold.
    #[error("the export reaches more than {0} resources")]
    TooLarge(usize),
    /// A bad option.
    #[error("{0}")]
    BadOption(String),
    /// The store of record failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The RDF store failed.
    #[error("RDF store: {0}")]
    Rdf(String),
    /// A blocking task failed.
    #[error("export task failed: {0}")]
    Task(String),
}

impl From<oxigraph::store::StorageError> for TypesError {
    fn from(error: oxigraph::store::StorageError) -> Self {
        TypesError::Rdf(error.to_string())
    }
}

/// How to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Bundle referenced registry types into the output (`$defs`), or refer to them by their
    /// registry URL.
    pub bundle: bool,
    /// Language of titles and descriptions (falls back nb → no → nn → en → any).
    pub lang: String,
    /// Code lists with at most this many codes become an inline `enum`; longer ones a `$ref`.
    pub enum_threshold: usize,
    /// The registry's public base URL (`https://host`), for `$id` and registry `$ref`s; URLs
    /// are relative when it is not known.
    pub base_url: Option<String>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            bundle: true,
            lang: "nb".to_owned(),
            enum_threshold: DEFAULT_ENUM_THRESHOLD,
            base_url: None,
        }
    }
}

impl ExportOptions {
    /// The registry URL of a path such as `/api/v1/types/ID/json-schema`.
    pub fn url(&self, path: &str) -> String {
        match &self.base_url {
            Some(base) => format!("{}{path}", base.trim_end_matches('/')),
            None => path.to_owned(),
        }
    }
}

/// A loaded export model with the id it was asked by.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The resource id.
    pub id: String,
    /// Type or model.
    pub kind: &'static str,
    /// The export model.
    pub model: ExportModel,
}

/// Loads the export model of a type or model (either kind) by id or alias.
pub async fn load(app: &App, id_or_alias: &str, lang: &str) -> Result<Loaded, TypesError> {
    // Exports are public: a draft is not exported (its publisher reads it as RDF).
    let row = store::find_public_resource(&app.db, id_or_alias)
        .await?
        .ok_or_else(|| TypesError::NotFound(id_or_alias.to_owned()))?;
    let (kind, subject) = match row.kind.as_str() {
        TYPE_KIND => (TYPE_KIND, Subject::Type),
        MODEL_KIND => (MODEL_KIND, Subject::Model),
        other => {
            return Err(TypesError::WrongKind {
                id: id_or_alias.to_owned(),
                actual: other.to_owned(),
                expected: "type or model",
            })
        }
    };
    let projections = app.projections.clone();
    let iri = row.iri.clone();
    let lang = lang.to_owned();
    let model = tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let graph = graph::load(projections.graph.store(), &iri)?;
        if !graph.is_resource(&iri) {
            return Err(TypesError::NotProjected(iri));
        }
        let loaded_ms = started.elapsed().as_millis() as u64;
        let model = model::build(&graph, &iri, subject, &lang);
        tracing::info!(
            resource = %iri,
            graphs = graph.resource_count(),
            types = model.types.len(),
            load_ms = loaded_ms,
            build_ms = started.elapsed().as_millis() as u64 - loaded_ms,
            "export model built"
        );
        Ok(model)
    })
    .await
    .map_err(|e| TypesError::Task(e.to_string()))??;
    Ok(Loaded {
        id: row.id,
        kind,
        model,
    })
}

/// Loads a resource that must be of `kind` (`type` or `model`).
pub async fn load_kind(
    app: &App,
    kind: &'static str,
    id_or_alias: &str,
    lang: &str,
) -> Result<Loaded, TypesError> {
    let loaded = load(app, id_or_alias, lang).await?;
    if loaded.kind != kind {
        return Err(TypesError::WrongKind {
            id: id_or_alias.to_owned(),
            actual: loaded.kind.to_owned(),
            expected: kind,
        });
    }
    Ok(loaded)
}

/// The JSON Schema (draft 2020-12) of a type or a model, by id or alias.
pub async fn json_schema(
    app: &App,
    id_or_alias: &str,
    options: &ExportOptions,
) -> Result<serde_json::Value, TypesError> {
    let loaded = load(app, id_or_alias, &options.lang).await?;
    Ok(json_schema::write(&loaded, options))
}

/// The XSD (one file, no imports, no unions) of a type or a model, by id or alias.
pub async fn xsd(
    app: &App,
    id_or_alias: &str,
    options: &ExportOptions,
) -> Result<String, TypesError> {
    let loaded = load(app, id_or_alias, &options.lang).await?;
    Ok(xsd::write(&loaded.model, options))
}

/// C# classes (as Altinn apps use) of a type or a model, by id or alias.
pub async fn csharp(
    app: &App,
    id_or_alias: &str,
    options: &ExportOptions,
) -> Result<String, TypesError> {
    let loaded = load(app, id_or_alias, &options.lang).await?;
    Ok(csharp::write(&loaded.model, options))
}

/// TypeScript types of a type or a model, by id or alias.
pub async fn typescript(
    app: &App,
    id_or_alias: &str,
    options: &ExportOptions,
) -> Result<String, TypesError> {
    let loaded = load(app, id_or_alias, &options.lang).await?;
    Ok(typescript::write(&loaded.model, options))
}

/// The JSON Schema of a code list (an `enum` of its codes), by id or alias.
pub async fn code_list_json_schema(
    app: &App,
    id_or_alias: &str,
    options: &ExportOptions,
) -> Result<serde_json::Value, TypesError> {
    // Exports are public: a draft is not exported (its publisher reads it as RDF).
    let row = store::find_public_resource(&app.db, id_or_alias)
        .await?
        .ok_or_else(|| TypesError::NotFound(id_or_alias.to_owned()))?;
    // A list made of concepts has its codes in other resources' graphs: it is read from the
    // code-list projection, which composed it.
    if let Some(cached) = app
        .code_lists
        .get(&row.id)
        .filter(|c| c.list.made_of_concepts)
    {
        let list = code_list_of_projection(&cached, &row.label, &options.lang);
        return Ok(json_schema::code_list_document(&list, &row.id, options));
    }
    if row.kind != crate::code_lists::KIND {
        return Err(TypesError::WrongKind {
            id: id_or_alias.to_owned(),
            actual: row.kind,
            expected: "code-list or collection",
        });
    }
    let projections = app.projections.clone();
    let iri = row.iri.clone();
    let lang = options.lang.clone();
    let list = tokio::task::spawn_blocking(move || {
        let graph = graph::load(projections.graph.store(), &iri)?;
        if !graph.is_resource(&iri) {
            return Err(TypesError::NotProjected(iri));
        }
        Ok(model::build_code_list(&graph, &iri, &lang))
    })
    .await
    .map_err(|e| TypesError::Task(e.to_string()))??;
    Ok(json_schema::code_list_document(&list, &row.id, options))
}

/// An export code list of a list the code-list projection holds: its codes as served by
/// default (a list made of concepts leaves deprecated and retired codes out).
pub fn code_list_of_projection(
    cached: &crate::code_lists::CachedList,
    label: &str,
    lang: &str,
) -> model::CodeList {
    use crate::code_lists::model::{pick, ValueType};
    let statuses = crate::code_lists::query::StatusFilter::default_for(&cached.list);
    model::CodeList {
        iri: cached.list.iri.clone(),
        name: model::safe_name(label),
        title: pick(&cached.list.labels, lang).map(str::to_owned),
        external: true,
        codes: cached
            .list
            .codes
            .iter()
            .filter(|c| statuses.keeps(c.status()))
            .map(|c| model::Code {
                value: c.code.to_string(),
                datatype: match c.value_type {
                    ValueType::Number => "decimal",
                    ValueType::Bool => "boolean",
                    _ => "string",
                }
                .to_owned(),
                label: pick(&c.labels, lang)
                    .filter(|l| *l != &*c.code)
                    .map(str::to_owned),
            })
            .collect(),
    }
}

/// The registry path of a resource's JSON Schema (`/api/v1/types/ID/json-schema`).
pub fn json_schema_path(kind: &str, id: &str) -> String {
    match kind {
        MODEL_KIND => format!("/api/v1/models/{id}/json-schema"),
        "code-list" => format!("/api/v1/code-lists/{id}/json-schema"),
        _ => format!("/api/v1/types/{id}/json-schema"),
    }
}
