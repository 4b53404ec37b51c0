//! The quality report of a publisher's resources: SHACL results against the official shapes
//! (SKOS-AP-NO-Begrep v2, ModellDCAT-AP-NO; given as files, with the reference vocabularies
//! their `sh:class` constraints need), computed in the product with rudof's SHACL engine,
//! grouped per shape, path, constraint and severity with counts, example focus nodes and the
//! shapes' own messages. Validation never blocks a write (unless a harvest source is
//! `strict`).

use rudof_rdf::rdf_core::RDFFormat;
use rudof_rdf::rdf_impl::{OxigraphInMemory, ReaderMode};
use serde::Serialize;
use shacl::validator::processor::{GraphValidation, ShaclProcessor};
use shacl::validator::store::{Graph, ShaclDataManager};
use shacl::validator::{ShaclConfig, ShaclValidationMode};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use utoipa::ToSchema;

/// How many example focus nodes a finding lists.
const EXAMPLES: usize = 5;

/// Why a quality report cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum QualityError {
    /// No shapes are configured.
    #[error("no SHACL shapes are configured: start semreg with --shacl-shapes FILE (the official SKOS-AP-NO / ModellDCAT-AP-NO shapes)")]
    NoShapes,
    /// A shapes or vocabulary file cannot be read.
    #[error("cannot read {path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The engine failed.
    #[error("SHACL validation failed: {0}")]
    Engine(String),
    /// The validation task failed (a bug).
    #[error("validation task failed: {0}")]
    Task(String),
}

/// The line a write's report gets about the publisher's quality.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct QualitySummary {
    /// SHACL violations of the publisher's resources after the write.
    pub violations: usize,
    /// SHACL warnings.
    pub warnings: usize,
    /// Where the full report is.
    pub report: String,
}

/// The quality reports of this process: the shapes, and the last report per publisher (a
/// report is kept until the publisher's catalog ETag changes).
#[derive(Default)]
pub struct QualityService {
    shapes: Option<Arc<Shapes>>,
    cache: Mutex<HashMap<String, Arc<QualityReport>>>,
}

impl QualityService {
    /// A service validating with these shapes (none: quality reports are off).
    pub fn new(shapes: Option<Shapes>) -> Self {
        Self {
            shapes: shapes.map(Arc::new),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Whether shapes are configured.
    pub fn enabled(&self) -> bool {
        self.shapes.is_some()
    }

    /// The shapes, if configured.
    pub fn shapes(&self) -> Option<Arc<Shapes>> {
        self.shapes.clone()
    }

    /// The report of a publisher for a catalog ETag: the cached one, or `make`'s N-Triples
    /// validated (off the async runtime) and cached.
    pub async fn report<F, Fut, E>(
        &self,
        publisher: &str,
        etag: &str,
        resources: usize,
        make: F,
    ) -> Result<Arc<QualityReport>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<String, E>>,
        E: From<QualityError>,
    {
        let shapes = self.shapes.clone().ok_or(QualityError::NoShapes)?;
        if let Some(found) = self
            .cache
            .lock()
            .ok()
            .and_then(|c| c.get(publisher).filter(|r| r.etag == etag).cloned())
        {
            return Ok(found);
        }
        let ntriples = make().await?;
        let (findings, violations, warnings) =
            tokio::task::spawn_blocking(move || shapes.validate(&ntriples))
                .await
                .map_err(|e| QualityError::Task(e.to_string()))??;
        let report = Arc::new(QualityReport {
            publisher: publisher.to_owned(),
            etag: etag.to_owned(),
            resources,
            violations,
            warnings,
            findings,
        });
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(publisher.to_owned(), report.clone());
        }
        Ok(report)
    }
}

/// One group of results.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The shapes file it came from.
    pub shapes: String,
    /// The shape (its IRI, or the node shape a blank property shape belongs to, if known).
    pub source_shape: Option<String>,
    /// The property path.
    pub path: Option<String>,
    /// The SHACL constraint component.
    pub component: String,
    /// Violation, Warning or Info.
    pub severity: String,
    /// How many results.
    pub count: usize,
    /// Some of the focus nodes.
    pub examples: Vec<String>,
    /// The shape's own message (Norwegian where the shapes have it).
    pub message: Option<String>,
}

/// What results are grouped by: shapes file, source shape, path, component, severity.
type FindingKey = (String, Option<String>, Option<String>, String, String);

/// A publisher's quality report.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QualityReport {
    /// The publisher.
    pub publisher: String,
    /// The catalog ETag the report was made for.
    pub etag: String,
    /// Resources validated.
    pub resources: usize,
    /// Results that are violations.
    pub violations: usize,
    /// Results that are warnings.
    pub warnings: usize,
    /// The results, grouped, most frequent first.
    pub findings: Vec<Finding>,
}

/// The shapes and the vocabularies they need, loaded once.
pub struct Shapes {
    shapes: Vec<(String, String)>,
    /// The `rdf:type` lines of the vocabularies' terms, by term IRI.
    types: HashMap<String, Vec<String>>,
}

const RDF_TYPE: &str = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>";

/// The subject and object IRIs of N-Triples lines (`<s> <p> <o> .`).
fn subject_and_object(line: &str) -> (Option<&str>, Option<&str>) {
    let subject = line
        .strip_prefix('<')
        .and_then(|rest| rest.find('>').map(|end| &rest[..end]));
    let object = line
        .trim_end()
        .strip_suffix(" .")
        .and_then(|rest| rest.strip_suffix('>'))
        .and_then(|rest| rest.rfind(" <").map(|start| &rest[start + 2..]));
    (subject, object)
}

impl std::fmt::Debug for Shapes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shapes")
            .field(
                "files",
                &self.shapes.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

fn read(path: &Path) -> Result<String, QualityError> {
    std::fs::read_to_string(path).map_err(|e| QualityError::File {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Turns an RDF file into N-Triples (the engine reads them into one graph with the data).
fn to_ntriples(path: &Path, text: &str) -> Result<String, QualityError> {
    let format = if path
        .extension()
        .is_some_and(|e| e == "rdf" || e == "xml" || e == "owl")
    {
        oxigraph::io::RdfFormat::RdfXml
    } else {
        oxigraph::io::RdfFormat::Turtle
    };
    let mut out = String::new();
    for quad in oxigraph::io::RdfParser::from_format(format).for_slice(text.as_bytes()) {
        let quad = quad.map_err(|e| QualityError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        out.push_str(&oxrdf::Triple::from(quad).to_string());
        out.push_str(" .\n");
    }
    Ok(out)
}

impl Shapes {
    /// Loads shapes files (Turtle) and vocabulary files (Turtle or RDF/XML).
    pub fn load(shapes: &[PathBuf], vocabularies: &[PathBuf]) -> Result<Self, QualityError> {
        if shapes.is_empty() {
            return Err(QualityError::NoShapes);
        }
        let mut loaded = Vec::new();
        for path in shapes {
            let text = read(path)?;
            // Compile once now, so a broken file is named at start.
            ShaclDataManager::load(
                &mut text.as_bytes(),
                &path.display().to_string(),
                &RDFFormat::Turtle,
                None,
            )
            .map_err(|e| QualityError::File {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            loaded.push((name, text));
        }
        let mut types: HashMap<String, Vec<String>> = HashMap::new();
        for path in vocabularies {
            for line in to_ntriples(path, &read(path)?)?.lines() {
                if let (Some(subject), Some(_)) = subject_and_object(line) {
                    if line.contains(RDF_TYPE) {
                        types
                            .entry(subject.to_owned())
                            .or_default()
                            .push(line.to_owned());
                    }
                }
            }
        }
        Ok(Self {
            shapes: loaded,
            types,
        })
    }

    /// Validates N-Triples against every shapes file; results grouped (blocking: call it off
    /// the async runtime). The types the vocabularies give the terms the data refers to are
    /// added (so `sh:class` sees them); results are kept only for the data's own subjects (a
    /// vocabulary term is not the publisher's to fix).
    pub fn validate(&self, ntriples: &str) -> Result<(Vec<Finding>, usize, usize), QualityError> {
        let engine = |e: &dyn std::fmt::Display| QualityError::Engine(e.to_string());
        let mut subjects: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut objects: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for line in ntriples.lines() {
            let (subject, object) = subject_and_object(line);
            subjects.extend(subject);
            objects.extend(object);
        }
        let mut data_text = ntriples.to_owned();
        for object in objects.iter().filter(|o| !subjects.contains(*o)) {
            for line in self.types.get(*object).into_iter().flatten() {
                data_text.push_str(line);
                data_text.push('\n');
            }
        }
        let data =
            OxigraphInMemory::from_str(&data_text, &RDFFormat::NTriples, None, &ReaderMode::Lax)
                .map_err(|e| engine(&e))?;
        let mut validation = GraphValidation::new(Graph::from(data));
        let config = ShaclConfig::new();
        let mut groups: BTreeMap<FindingKey, Finding> = BTreeMap::new();
        let (mut violations, mut warnings) = (0, 0);
        for (name, text) in &self.shapes {
            let schema =
                ShaclDataManager::load(&mut text.as_bytes(), name, &RDFFormat::Turtle, None)
                    .map_err(|e| engine(&e))?;
            let report = validation
                .validate(&schema, &ShaclValidationMode::Native, &config)
                .map_err(|e| engine(&e))?;
            for result in report.results() {
                let focus = result.focus_node().to_string();
                let iri = focus.trim_start_matches('<').trim_end_matches('>');
                let own = focus.starts_with("_:") || subjects.contains(iri);
                if !own {
                    continue;
                }
                let severity = match result.severity() {
                    shacl::types::Severity::Violation => "Violation",
                    shacl::types::Severity::Warning => "Warning",
                    _ => "Info",
                }
                .to_owned();
                match severity.as_str() {
                    "Violation" => violations += 1,
                    "Warning" => warnings += 1,
                    _ => {}
                }
                let source = result
                    .source()
                    .map(ToString::to_string)
                    .filter(|s| !s.starts_with("_:"));
                let path = result.path().map(ToString::to_string);
                let component = result.constraint_component().to_string();
                let key = (
                    name.clone(),
                    source.clone(),
                    path.clone(),
                    component.clone(),
                    severity.clone(),
                );
                let finding = groups.entry(key).or_insert_with(|| Finding {
                    shapes: name.clone(),
                    source_shape: source,
                    path,
                    component,
                    severity,
                    count: 0,
                    examples: Vec::new(),
                    message: message_of(result.message()),
                });
                finding.count += 1;
                if finding.examples.len() < EXAMPLES {
                    finding.examples.push(focus);
                }
            }
        }
        let mut findings: Vec<Finding> = groups.into_values().collect();
        findings.sort_by(|a, b| b.count.cmp(&a.count).then(a.component.cmp(&b.component)));
        Ok((findings, violations, warnings))
    }
}

/// The shape's message in Norwegian (Bokmål, then any Norwegian), else English, else any.
fn message_of(messages: &shacl::types::MessageMap) -> Option<String> {
    let mut best: Option<(usize, &String)> = None;
    for (lang, text) in messages.iter() {
        let tag = lang.as_ref().map(|l| l.to_string().to_ascii_lowercase());
        let rank = match tag.as_deref() {
            Some("nb") => 0,
            Some("no" | "nn") => 1,
            Some("en") => 2,
            None => 3,
            _ => 4,
        };
        if best.is_none_or(|(r, _)| rank < r) {
            best = Some((rank, text));
        }
    }
    best.map(|(_, t)| t.clone())
}
