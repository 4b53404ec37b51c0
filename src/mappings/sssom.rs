//! SSSOM TSV and SSSOM JSON: read into a [`MappingSet`] and write from one.
//!
//! TSV: a metadata block of `#`-prefixed YAML lines (`curie_map`, `mapping_set_id`, `license`,
//! ...), then a header row and one mapping per row. JSON: the same metadata as keys of one
//! object with `mappings` as an array of objects. Entity references are CURIEs (expanded with
//! `curie_map` and SSSOM's built-in prefixes) or absolute IRIs. Our `transform` is an SSSOM
//! extension slot, declared in `extension_definitions` with property `semreg:transform`.
//!
//! The YAML of the TSV metadata block is read as the subset SSSOM files use: `key: scalar`,
//! `key:` followed by indented `k: v` entries (a map) or `- item` entries (a list, whose items
//! may be maps). Anchors, flow collections and multi-line scalars are not read.

use super::{Mapping, MappingError, MappingSet, Transform, UNSPECIFIED_LICENSE};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Our namespace, used for the `transform` extension's property.
const SEMREG: &str = "https://w3id.org/semreg/ns#";
/// The property of the transform extension slot.
const TRANSFORM_PROPERTY: &str = "https://w3id.org/semreg/ns#transform";

/// SSSOM's built-in prefixes (usable without a `curie_map` entry).
const BUILTIN_PREFIXES: &[(&str, &str)] = &[
    ("sssom", "https://w3id.org/sssom/"),
    ("semapv", "https://w3id.org/semapv/vocab/"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("pav", "http://purl.org/pav/"),
    ("linkml", "https://w3id.org/linkml/"),
    ("oboInOwl", "http://www.geneontology.org/formats/oboInOwl#"),
];

/// Mapping-level slots we keep.
const KEPT_SLOTS: &[&str] = &[
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "confidence",
    "comment",
];

/// Other SSSOM 1.0 slots: accepted and not kept (a warning says so).
const OTHER_SLOTS: &[&str] = &[
    "record_id",
    "subject_category",
    "subject_type",
    "subject_source",
    "subject_source_version",
    "predicate_label",
    "predicate_modifier",
    "predicate_type",
    "object_category",
    "object_type",
    "object_source",
    "object_source_version",
    "author_id",
    "author_label",
    "reviewer_id",
    "reviewer_label",
    "creator_id",
    "creator_label",
    "license",
    "mapping_provider",
    "mapping_cardinality",
    "mapping_tool",
    "mapping_tool_id",
    "mapping_tool_version",
    "mapping_date",
    "publication_date",
    "match_string",
    "subject_match_field",
    "object_match_field",
    "subject_preprocessing",
    "object_preprocessing",
    "similarity_score",
    "similarity_measure",
    "see_also",
    "issue_tracker_item",
    "other",
    "curation_rule",
    "curation_rule_text",
    "cardinality_scope",
];

/// Which of the two SSSOM exchange formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SssomFormat {
    /// SSSOM/TSV (`text/tab-separated-values`).
    Tsv,
    /// SSSOM/JSON (`application/json`).
    Json,
}

impl SssomFormat {
    /// Parses `tsv`, `sssom-tsv`, `json`, `sssom-json`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "tsv" | "sssom" | "sssom-tsv" | "sssom.tsv" => Some(SssomFormat::Tsv),
            "json" | "sssom-json" | "sssom.json" => Some(SssomFormat::Json),
            _ => None,
        }
    }

    /// The media type of the format.
    pub fn media_type(self) -> &'static str {
        match self {
            SssomFormat::Tsv => "text/tab-separated-values; charset=utf-8",
            SssomFormat::Json => "application/json",
        }
    }
}

/// A mapping set read from SSSOM, with findings that did not stop it.
#[derive(Debug)]
pub struct ReadSet {
    /// The set.
    pub set: MappingSet,
    /// Non-fatal findings (ignored slots, defaults used).
    pub warnings: Vec<String>,
}

/// Reads SSSOM TSV or JSON.
pub fn read(format: SssomFormat, bytes: &[u8]) -> Result<ReadSet, MappingError> {
    let text = std::str::from_utf8(bytes).map_err(|e| MappingError::Invalid {
        location: format!("byte {}", e.valid_up_to()),
        message: "SSSOM must be UTF-8".to_owned(),
    })?;
    match format {
        SssomFormat::Tsv => read_tsv(text),
        SssomFormat::Json => read_json(text),
    }
}

fn invalid(location: impl Into<String>, message: impl Into<String>) -> MappingError {
    MappingError::Invalid {
        location: location.into(),
        message: message.into(),
    }
}

/// Reads SSSOM/TSV.
pub fn read_tsv(text: &str) -> Result<ReadSet, MappingError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut yaml_lines = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((_, line)) = lines.peek() {
        if let Some(rest) = line.strip_prefix('#') {
            yaml_lines.push(rest.to_owned());
            lines.next();
        } else if line.trim().is_empty() {
            lines.next();
        } else {
            break;
        }
    }
    // `# key: value` and `#key: value` are both written: drop the indentation all lines share.
    let shared = yaml_lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let yaml_lines: Vec<String> = yaml_lines
        .iter()
        .map(|l| l.get(shared..).unwrap_or("").to_owned())
        .collect();
    let metadata = parse_yaml_block(&yaml_lines)?;
    let (header_line, header) = lines
        .next()
        .ok_or_else(|| invalid("end of file", "expected a header row after the metadata"))?;
    let columns: Vec<String> = header.split('\t').map(|c| c.trim().to_owned()).collect();
    let mut rows = Vec::new();
    for (n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() > columns.len() {
            return Err(invalid(
                format!("line {}", n + 1),
                format!(
                    "{} cells but the header (line {}) has {} columns",
                    cells.len(),
                    header_line + 1,
                    columns.len()
                ),
            ));
        }
        let mut row = Map::new();
        for (column, cell) in columns.iter().zip(cells) {
            let cell = cell.trim();
            if !cell.is_empty() {
                row.insert(column.clone(), Value::String(cell.to_owned()));
            }
        }
        rows.push((format!("line {}", n + 1), row));
    }
    from_parts(metadata, rows, &columns, "line 1")
}

/// Reads SSSOM/JSON.
pub fn read_json(text: &str) -> Result<ReadSet, MappingError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        invalid(
            format!("line {}, column {}", e.line(), e.column()),
            format!("not JSON: {e}"),
        )
    })?;
    let Value::Object(mut metadata) = value else {
        return Err(invalid("$", "expected an SSSOM mapping set object"));
    };
    let mappings = match metadata.remove("mappings") {
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid("$.mappings", "expected an array of mappings")),
        None => Vec::new(),
    };
    let mut rows = Vec::new();
    let mut columns: Vec<String> = Vec::new();
    for (i, item) in mappings.into_iter().enumerate() {
        let Value::Object(row) = item else {
            return Err(invalid(format!("$.mappings[{i}]"), "expected an object"));
        };
        for key in row.keys() {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
        rows.push((format!("$.mappings[{i}]"), row));
    }
    from_parts(Value::Object(metadata), rows, &columns, "$")
}

/// The common part of both readers: metadata and rows of slot values.
fn from_parts(
    metadata: Value,
    rows: Vec<(String, Map<String, Value>)>,
    columns: &[String],
    head: &str,
) -> Result<ReadSet, MappingError> {
    let mut warnings = Vec::new();
    let Value::Object(metadata) = metadata else {
        return Err(invalid(head, "the metadata must be a map"));
    };
    let mut prefixes: BTreeMap<String, String> = BTreeMap::new();
    match metadata.get("curie_map") {
        Some(Value::Object(map)) => {
            for (prefix, iri) in map {
                let Some(iri) = iri.as_str() else {
                    return Err(invalid(
                        format!("curie_map.{prefix}"),
                        "expected a namespace IRI",
                    ));
                };
                prefixes.insert(prefix.clone(), iri.to_owned());
            }
        }
        Some(_) => return Err(invalid("curie_map", "expected a map of prefix: IRI")),
        None => {}
    }
    let expander = Curies::new(&prefixes);
    let text = |key: &str| -> Result<Option<String>, MappingError> {
        match metadata.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(invalid(key, "expected a string")),
        }
    };
    let entity = |key: &str| -> Result<Option<String>, MappingError> {
        text(key)?
            .map(|v| expander.expand(&v).map_err(|m| invalid(key, m)))
            .transpose()
    };
    let iri = entity("mapping_set_id")?
        .ok_or_else(|| invalid(head, "mapping_set_id is required (the set's IRI)"))?;
    let license = match entity("license")? {
        Some(license) => license,
        None => {
            warnings.push(format!(
                "no license given; recorded as {UNSPECIFIED_LICENSE}"
            ));
            UNSPECIFIED_LICENSE.to_owned()
        }
    };
    // The transform extension: declared, or named `transform` as this registry writes it.
    let mut transform_slot = None;
    if let Some(definitions) = metadata.get("extension_definitions") {
        let Value::Array(definitions) = definitions else {
            return Err(invalid(
                "extension_definitions",
                "expected a list of {slot_name, property, type_hint}",
            ));
        };
        for (i, definition) in definitions.iter().enumerate() {
            let name = definition.get("slot_name").and_then(Value::as_str);
            let property = definition.get("property").and_then(Value::as_str);
            let (Some(name), Some(property)) = (name, property) else {
                return Err(invalid(
                    format!("extension_definitions[{i}]"),
                    "needs slot_name and property",
                ));
            };
            let property = expander
                .expand(property)
                .map_err(|m| invalid(format!("extension_definitions[{i}].property"), m))?;
            if property == TRANSFORM_PROPERTY {
                transform_slot = Some(name.to_owned());
            } else {
                warnings.push(format!(
                    "extension slot {name:?} ({property}) is not one semreg knows; its values are not kept"
                ));
            }
        }
    }
    let transform_slot = transform_slot.unwrap_or_else(|| "transform".to_owned());
    for column in columns {
        let known = KEPT_SLOTS.contains(&column.as_str()) || *column == transform_slot;
        if known {
            continue;
        }
        if OTHER_SLOTS.contains(&column.as_str()) {
            if !matches!(column.as_str(), "subject_source" | "object_source") {
                warnings.push(format!("slot {column:?} is read but not kept"));
            }
        } else if !declared_extension(&metadata, column) {
            return Err(invalid(
                head,
                format!("column {column:?} is neither an SSSOM slot nor declared in extension_definitions"),
            ));
        }
    }

    let mut set = MappingSet {
        iri,
        title: text("mapping_set_title")?,
        description: text("mapping_set_description")?,
        license,
        subject_source: entity("subject_source")?,
        object_source: entity("object_source")?,
        mapping_date: text("mapping_date")?,
        alias: None,
        curie_map: prefixes.clone(),
        mappings: Vec::with_capacity(rows.len()),
    };
    for (location, row) in rows {
        let cell = |key: &str| -> Result<Option<String>, MappingError> {
            match row.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
                Some(Value::Number(n)) => Ok(Some(n.to_string())),
                Some(_) => Err(invalid(format!("{location}: {key}"), "expected a string")),
            }
        };
        let required = |key: &str| -> Result<String, MappingError> {
            let value =
                cell(key)?.ok_or_else(|| invalid(&location, format!("{key} is required")))?;
            expander
                .expand(&value)
                .map_err(|m| invalid(format!("{location}: {key}"), m))
        };
        for (key, level) in [
            ("subject_source", &mut set.subject_source),
            ("object_source", &mut set.object_source),
        ] {
            if let Some(value) = cell(key)? {
                let value = expander
                    .expand(&value)
                    .map_err(|m| invalid(format!("{location}: {key}"), m))?;
                match level {
                    None => *level = Some(value),
                    Some(existing) if *existing == value => {}
                    Some(existing) => {
                        return Err(invalid(
                            format!("{location}: {key}"),
                            format!("{value} differs from the set's {key} {existing}; one set has one {key}"),
                        ))
                    }
                }
            }
        }
        let confidence = match cell("confidence")? {
            Some(c) => {
                let value: f64 = c.parse().map_err(|_| {
                    invalid(
                        format!("{location}: confidence"),
                        format!("expected a number from 0 to 1, found {c:?}"),
                    )
                })?;
                if !(0.0..=1.0).contains(&value) {
                    return Err(invalid(
                        format!("{location}: confidence"),
                        format!("expected a number from 0 to 1, found {c}"),
                    ));
                }
                Some(value)
            }
            None => None,
        };
        let transform = match cell(&transform_slot)? {
            Some(expression) => Some(
                Transform::parse(&expression)
                    .map_err(|e| invalid(format!("{location}: {transform_slot}"), e.to_string()))?,
            ),
            None => None,
        };
        let justification = match cell("mapping_justification")? {
            Some(j) => expander
                .expand(&j)
                .map_err(|m| invalid(format!("{location}: mapping_justification"), m))?,
            None => {
                return Err(invalid(
                    &location,
                    "mapping_justification is required (e.g. semapv:ManualMappingCuration)",
                ))
            }
        };
        set.mappings.push(Mapping {
            subject_id: required("subject_id")?,
            subject_label: cell("subject_label")?,
            predicate_id: required("predicate_id")?,
            object_id: required("object_id")?,
            object_label: cell("object_label")?,
            mapping_justification: justification,
            confidence,
            comment: cell("comment")?,
            transform,
        });
    }
    for iri in [&set.iri].into_iter().chain(
        set.mappings
            .iter()
            .flat_map(|m| [&m.subject_id, &m.predicate_id, &m.object_id].into_iter()),
    ) {
        if oxrdf::NamedNode::new(iri.as_str()).is_err() {
            return Err(invalid(head, format!("{iri:?} is not a valid IRI")));
        }
    }
    Ok(ReadSet { set, warnings })
}

fn declared_extension(metadata: &Map<String, Value>, column: &str) -> bool {
    metadata
        .get("extension_definitions")
        .and_then(Value::as_array)
        .is_some_and(|defs| {
            defs.iter()
                .any(|d| d.get("slot_name").and_then(Value::as_str) == Some(column))
        })
}

/// CURIE expansion and compression with a set's prefixes and SSSOM's built-in ones.
struct Curies {
    prefixes: Vec<(String, String)>,
}

impl Curies {
    fn new(declared: &BTreeMap<String, String>) -> Self {
        let mut prefixes: Vec<(String, String)> = declared
            .iter()
            .map(|(p, i)| (p.clone(), i.clone()))
            .collect();
        for (prefix, iri) in BUILTIN_PREFIXES {
            if !declared.contains_key(*prefix) {
                prefixes.push(((*prefix).to_owned(), (*iri).to_owned()));
            }
        }
        prefixes.push(("semreg".to_owned(), SEMREG.to_owned()));
        Curies { prefixes }
    }

    fn expand(&self, value: &str) -> Result<String, String> {
        let value = value.trim();
        if let Some(inner) = value.strip_prefix('<').and_then(|v| v.strip_suffix('>')) {
            return Ok(inner.to_owned());
        }
        if value.contains("://") || value.starts_with("urn:") {
            return Ok(value.to_owned());
        }
        let Some((prefix, local)) = value.split_once(':') else {
            return Err(format!("{value:?} is neither a CURIE nor an absolute IRI"));
        };
        self.prefixes
            .iter()
            .find(|(p, _)| p == prefix)
            .map(|(_, iri)| format!("{iri}{local}"))
            .ok_or_else(|| {
                format!("{value:?} uses the prefix {prefix:?}, which curie_map does not declare")
            })
    }

    /// The CURIE of an IRI with the longest matching namespace, else the IRI.
    fn compress(&self, iri: &str) -> String {
        self.prefixes
            .iter()
            .filter(|(_, ns)| iri.len() > ns.len() && iri.starts_with(ns.as_str()))
            .max_by_key(|(_, ns)| ns.len())
            .map(|(p, ns)| format!("{p}:{}", &iri[ns.len()..]))
            .filter(|curie| !curie.contains(char::is_whitespace))
            .unwrap_or_else(|| iri.to_owned())
    }
}

/// The metadata and rows of a set as JSON values, CURIEs compressed with its prefixes.
fn to_parts(set: &MappingSet) -> (Map<String, Value>, Vec<Map<String, Value>>) {
    let curies = Curies::new(&set.curie_map);
    let has_transform = set.mappings.iter().any(|m| m.transform.is_some());
    // The curie_map written is the set's own plus the built-ins it uses, so readers without
    // SSSOM's built-in list resolve every CURIE.
    let mut used: BTreeMap<String, String> = set.curie_map.clone();
    let mut note = |iri: &str| {
        let curie = curies.compress(iri);
        if curie != iri {
            if let Some((prefix, _)) = curie.split_once(':') {
                if let Some((_, ns)) = curies.prefixes.iter().find(|(p, _)| p == prefix) {
                    used.insert(prefix.to_owned(), ns.clone());
                }
            }
        }
        curie
    };
    let mut rows = Vec::with_capacity(set.mappings.len());
    for m in &set.mappings {
        let mut row = Map::new();
        row.insert("subject_id".into(), note(&m.subject_id).into());
        if let Some(l) = &m.subject_label {
            row.insert("subject_label".into(), l.clone().into());
        }
        row.insert("predicate_id".into(), note(&m.predicate_id).into());
        row.insert("object_id".into(), note(&m.object_id).into());
        if let Some(l) = &m.object_label {
            row.insert("object_label".into(), l.clone().into());
        }
        row.insert(
            "mapping_justification".into(),
            note(&m.mapping_justification).into(),
        );
        if let Some(c) = m.confidence {
            row.insert("confidence".into(), json!(c));
        }
        if let Some(c) = &m.comment {
            row.insert("comment".into(), c.clone().into());
        }
        if let Some(t) = &m.transform {
            row.insert("transform".into(), t.to_string().into());
        }
        rows.push(row);
    }
    let mut metadata = Map::new();
    let set_id = note(&set.iri);
    let license = note(&set.license);
    let subject_source = set.subject_source.as_deref().map(&mut note);
    let object_source = set.object_source.as_deref().map(&mut note);
    if has_transform {
        used.insert("semreg".into(), SEMREG.into());
    }
    metadata.insert("curie_map".into(), json!(used));
    metadata.insert("mapping_set_id".into(), set_id.into());
    if let Some(t) = &set.title {
        metadata.insert("mapping_set_title".into(), t.clone().into());
    }
    if let Some(d) = &set.description {
        metadata.insert("mapping_set_description".into(), d.clone().into());
    }
    metadata.insert("license".into(), license.into());
    if let Some(s) = subject_source {
        metadata.insert("subject_source".into(), s.into());
    }
    if let Some(o) = object_source {
        metadata.insert("object_source".into(), o.into());
    }
    if let Some(d) = &set.mapping_date {
        metadata.insert("mapping_date".into(), d.clone().into());
    }
    if has_transform {
        metadata.insert(
            "extension_definitions".into(),
            json!([{"slot_name": "transform", "property": "semreg:transform", "type_hint": "xsd:string"}]),
        );
    }
    (metadata, rows)
}

/// Writes SSSOM/JSON.
pub fn write_json(set: &MappingSet) -> Value {
    let (mut metadata, rows) = to_parts(set);
    metadata.insert(
        "mappings".into(),
        Value::Array(rows.into_iter().map(Value::Object).collect()),
    );
    Value::Object(metadata)
}

/// Writes SSSOM/TSV.
pub fn write_tsv(set: &MappingSet) -> String {
    let (metadata, rows) = to_parts(set);
    let mut out = String::new();
    for (key, value) in &metadata {
        match value {
            Value::Object(map) => {
                out.push_str(&format!("#{key}:\n"));
                for (k, v) in map {
                    out.push_str(&format!("#  {k}: {}\n", yaml_scalar(v)));
                }
            }
            Value::Array(items) => {
                out.push_str(&format!("#{key}:\n"));
                for item in items {
                    match item {
                        Value::Object(map) => {
                            for (i, (k, v)) in map.iter().enumerate() {
                                let lead = if i == 0 { "  - " } else { "    " };
                                out.push_str(&format!("#{lead}{k}: {}\n", yaml_scalar(v)));
                            }
                        }
                        other => out.push_str(&format!("#  - {}\n", yaml_scalar(other))),
                    }
                }
            }
            other => out.push_str(&format!("#{key}: {}\n", yaml_scalar(other))),
        }
    }
    let mut columns: Vec<&str> = KEPT_SLOTS.iter().copied().chain(["transform"]).collect();
    let required = [
        "subject_id",
        "predicate_id",
        "object_id",
        "mapping_justification",
    ];
    columns.retain(|c| required.contains(c) || rows.iter().any(|r| r.contains_key(*c)));
    out.push_str(&columns.join("\t"));
    out.push('\n');
    for row in &rows {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| match row.get(*c) {
                Some(Value::String(s)) => s.replace(['\t', '\n', '\r'], " "),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            })
            .collect();
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    out
}

/// A YAML scalar: quoted when plain style would change its meaning.
fn yaml_scalar(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => return other.to_string(),
    };
    let plain = !text.is_empty()
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with(':')
        && !text.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`', ' ',
        ])
        && !text.ends_with(' ')
        && !matches!(
            text.as_str(),
            "true" | "false" | "null" | "~" | "yes" | "no" | "on" | "off"
        )
        && text.parse::<f64>().is_err();
    if plain {
        text
    } else {
        serde_json::to_string(&text).unwrap_or(text)
    }
}

/// Parses the YAML subset of SSSOM metadata blocks into JSON.
fn parse_yaml_block(lines: &[String]) -> Result<Value, MappingError> {
    let mut root = Map::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let location = format!("line {}", i + 1);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            i += 1;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            return Err(invalid(
                location,
                format!("unexpected indentation in the metadata: {:?}", line.trim()),
            ));
        }
        let (key, rest) = split_key(line)
            .ok_or_else(|| invalid(&location, format!("expected `key: value`, found {line:?}")))?;
        i += 1;
        if !rest.is_empty() {
            root.insert(key, yaml_value(rest, &location)?);
            continue;
        }
        // A block: indented lines until the next top-level key.
        let start = i;
        while i < lines.len() && (lines[i].starts_with([' ', '\t']) || lines[i].trim().is_empty()) {
            i += 1;
        }
        let block: Vec<(usize, &str)> = (start..i)
            .filter(|&n| !lines[n].trim().is_empty())
            .map(|n| (n, lines[n].as_str()))
            .collect();
        root.insert(key, parse_yaml_collection(&block)?);
    }
    Ok(Value::Object(root))
}

fn parse_yaml_collection(block: &[(usize, &str)]) -> Result<Value, MappingError> {
    let Some((_, first)) = block.first() else {
        return Ok(Value::Null);
    };
    if first.trim_start().starts_with("- ") || first.trim() == "-" {
        let indent = first.len() - first.trim_start().len();
        let mut items = Vec::new();
        let mut current: Option<Map<String, Value>> = None;
        let mut scalar_items = Vec::new();
        for (n, line) in block {
            let location = format!("line {}", n + 1);
            let trimmed = line.trim_start();
            let this_indent = line.len() - trimmed.len();
            if this_indent == indent && trimmed.starts_with('-') {
                if let Some(map) = current.take() {
                    items.push(Value::Object(map));
                }
                let item = trimmed[1..].trim();
                match split_key(item) {
                    Some((k, v)) if !item.starts_with('"') => {
                        let mut map = Map::new();
                        map.insert(k, yaml_value(v, &location)?);
                        current = Some(map);
                    }
                    _ => scalar_items.push(yaml_value(item, &location)?),
                }
            } else if this_indent > indent {
                let Some(map) = current.as_mut() else {
                    return Err(invalid(location, "unexpected indentation in a list"));
                };
                let (k, v) = split_key(trimmed).ok_or_else(|| {
                    invalid(
                        &location,
                        format!("expected `key: value`, found {trimmed:?}"),
                    )
                })?;
                map.insert(k, yaml_value(v, &location)?);
            } else {
                return Err(invalid(location, "a list item must start with `- `"));
            }
        }
        if let Some(map) = current.take() {
            items.push(Value::Object(map));
        }
        items.extend(scalar_items);
        return Ok(Value::Array(items));
    }
    let mut map = Map::new();
    for (n, line) in block {
        let location = format!("line {}", n + 1);
        let (k, v) = split_key(line.trim()).ok_or_else(|| {
            invalid(
                &location,
                format!("expected `key: value`, found {:?}", line.trim()),
            )
        })?;
        map.insert(k, yaml_value(v, &location)?);
    }
    Ok(Value::Object(map))
}

/// `key: rest` (the key may be quoted); `rest` may be empty.
fn split_key(line: &str) -> Option<(String, &str)> {
    let line = line.trim_end();
    if let Some(stripped) = line.strip_prefix('"') {
        let end = stripped.find('"')?;
        let key = stripped[..end].to_owned();
        let rest = stripped[end + 1..].strip_prefix(':')?;
        return Some((key, rest.trim()));
    }
    let colon = line
        .find(": ")
        .or_else(|| line.strip_suffix(':').map(|s| s.len()))?;
    let key = line[..colon].trim();
    if key.is_empty() {
        return None;
    }
    Some((key.to_owned(), line[colon + 1..].trim()))
}

fn yaml_value(text: &str, location: &str) -> Result<Value, MappingError> {
    let text = strip_comment(text).trim();
    if text.starts_with('"') {
        return serde_json::from_str::<String>(text)
            .map(Value::String)
            .map_err(|_| invalid(location, format!("a quoted value is not closed: {text}")));
    }
    if let Some(inner) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        return Ok(Value::String(inner.replace("''", "'")));
    }
    if text.starts_with(['[', '{', '&', '*', '|', '>']) {
        return Err(invalid(
            location,
            format!("this YAML form is not read in SSSOM metadata: {text}"),
        ));
    }
    Ok(Value::String(text.to_owned()))
}

fn strip_comment(text: &str) -> &str {
    if text.starts_with(['"', '\'']) {
        return text;
    }
    match text.find(" #") {
        Some(at) => &text[..at],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::super::MANUAL_CURATION;
    use super::*;

    const TSV: &str = "# curie_map:
#   frg: https://example.org/folkeregisteret/person#
#   person: https://example.org/types/Person#
# mapping_set_id: https://example.org/mappings/frg-person
# mapping_set_title: \"Folkeregisteret: Person\"
# license: https://creativecommons.org/licenses/by/4.0/
# subject_source: https://example.org/folkeregisteret/person
# object_source: https://example.org/types/Person
# extension_definitions:
#   - slot_name: transform
#     property: semreg:transform
#     type_hint: xsd:string
subject_id\tpredicate_id\tobject_id\tmapping_justification\ttransform\tconfidence
frg:/navn/0/fornavn\tskos:exactMatch\tperson:/givenName\tsemapv:ManualMappingCuration\t\t0.9
frg:/foedsel/0/foedselsdato\tskos:exactMatch\tperson:/birthDate\tsemapv:ManualMappingCuration\tdate(\"%Y-%m-%d\")
";

    #[test]
    fn a_tsv_set_reads_with_expanded_curies_and_transforms() {
        let read = read_tsv(TSV).unwrap();
        let set = read.set;
        assert_eq!(set.iri, "https://example.org/mappings/frg-person");
        assert_eq!(set.title.as_deref(), Some("Folkeregisteret: Person"));
        assert_eq!(set.mappings.len(), 2);
        let first = &set.mappings[0];
        assert_eq!(
            first.subject_id,
            "https://example.org/folkeregisteret/person#/navn/0/fornavn"
        );
        assert_eq!(
            first.predicate_id,
            "http://www.w3.org/2004/02/skos/core#exactMatch"
        );
        assert_eq!(first.confidence, Some(0.9));
        assert_eq!(first.mapping_justification, MANUAL_CURATION);
        assert!(set.mappings[1].transform.is_some());
        assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    }

    #[test]
    fn tsv_and_json_write_what_they_read() {
        let set = read_tsv(TSV).unwrap().set;
        // The written curie_map adds the built-in prefixes it uses; the rest is as read.
        let same = |mut back: MappingSet| {
            assert!(set
                .curie_map
                .iter()
                .all(|(p, i)| back.curie_map.get(p) == Some(i)));
            back.curie_map = set.curie_map.clone();
            back
        };
        let tsv = write_tsv(&set);
        assert_eq!(same(read_tsv(&tsv).unwrap().set), set, "{tsv}");
        let json = write_json(&set).to_string();
        assert_eq!(same(read_json(&json).unwrap().set), set, "{json}");
        assert!(tsv.contains("frg:/navn/0/fornavn"), "{tsv}");
    }

    #[test]
    fn bad_rows_name_their_line_and_slot() {
        let missing = TSV.replace(
            "\tskos:exactMatch\tperson:/givenName",
            "\t\tperson:/givenName",
        );
        let err = read_tsv(&missing).unwrap_err().to_string();
        assert!(
            err.contains("line 14") && err.contains("predicate_id"),
            "{err}"
        );
        let prefix = TSV.replace("frg:/navn/0/fornavn", "nope:/x");
        let err = read_tsv(&prefix).unwrap_err().to_string();
        assert!(err.contains("\"nope\""), "{err}");
        let column = TSV.replace("\tconfidence", "\tconfidnce");
        let err = read_tsv(&column).unwrap_err().to_string();
        assert!(err.contains("confidnce"), "{err}");
        let confidence = TSV.replace("\t0.9", "\t1.5");
        let err = read_tsv(&confidence).unwrap_err().to_string();
        assert!(err.contains("line 14: confidence"), "{err}");
        let transform = TSV.replace("date(\"%Y-%m-%d\")", "date(");
        let err = read_tsv(&transform).unwrap_err().to_string();
        assert!(err.contains("line 15: transform"), "{err}");
        let no_id = TSV.replace(
            "# mapping_set_id: https://example.org/mappings/frg-person\n",
            "",
        );
        let err = read_tsv(&no_id).unwrap_err().to_string();
        assert!(err.contains("mapping_set_id"), "{err}");
    }

    #[test]
    fn json_errors_name_the_mapping() {
        let json = r#"{"mapping_set_id":"https://example.org/m","license":"https://example.org/l",
            "mappings":[{"subject_id":"https://a.org/x","predicate_id":"skos:exactMatch","object_id":"https://b.org/y"}]}"#;
        let err = read_json(json).unwrap_err().to_string();
        assert!(
            err.contains("$.mappings[0]") && err.contains("mapping_justification"),
            "{err}"
        );
    }
}
