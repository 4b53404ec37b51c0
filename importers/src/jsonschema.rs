//! Importer for JSON Schema (draft 2020-12 and draft-07): bytes to RDF triples (then resources via
//! [`crate::rdf::finish`]).
//!
//! One file gives one modelldcatno:InformationModel that contains (modelldcatno:containsModelElement)
//! the types found in it:
//! - an **object schema** (`properties`, `"type": "object"`, or an `allOf` of such) is a
//!   modelldcatno:ObjectType titled by its name; each property is a modelldcatno:Attribute (a
//!   simple or enumerated value) or modelldcatno:Role (an object) with `dct:title` = the property
//!   name, `minOccurs` (1 when required, else 0), `maxOccurs` (1, or for arrays `maxItems` or
//!   `"*"`), `sequenceNumber` (position), and `hasSimpleType` / `hasObjectType` / `hasValueFrom`;
//!   `oneOf` / `anyOf` of alternatives is a modelldcatno:Choice with `hasSome`; an `allOf` part
//!   that refers to another object type is a modelldcatno:Specialization (`hasGeneralConcept`);
//! - a **primitive schema** is a modelldcatno:SimpleType with `typeDefinitionReference` (`xsd:string`,
//!   `xsd:integer`, `xsd:decimal`, `xsd:boolean`, `xsd:date` for `format: date`, ..., or Altinn's
//!   `@xsdType`) and its facets as XSD properties (`minLength`, `maxLength`, `pattern`,
//!   `minimum` → `xsd:minInclusive`, `exclusiveMinimum` → `xsd:minExclusive`, `totalDigits`,
//!   `multipleOf` 0.01 → `xsd:fractionDigits` 2); inline in a property it is a part of its type;
//! - an **enum** (or a `oneOf` of `const`s with titles) is a code list ([`CodeListBuilder`]).
//!
//! Named types are those under `$defs` / `definitions` (IRI `{model}#/$defs/Name`, the JSON
//! Pointer of the schema), inline object types and enums are named by their pointer too, and the
//! root schema is `{model}#root`. Local `$ref`s (`#/...`, anchors, `$id`s of subschemas) are
//! followed; other references are resolved against `$id` and linked, with a warning.
//!
//! Params: `iri` (the model's IRI), `lang` (language of `title` / `description` texts, default
//! `nb`). The model IRI is `params["iri"]`, else the absolute `$id` of the root, else
//! `urn:semreg:jsonschema:<content hash>`.

use std::collections::{HashMap, HashSet};

use oxrdf::vocab::{rdf, xsd};
use oxrdf::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple};

use crate::altinn::json::{self, Json, JsonPath};
use crate::codelist::{code_iri, CodeListBuilder};
use crate::{ImportError, ImportOptions, ImportWarning};

/// The params this importer reads.
const PARAMS: &[&str] = &["iri", "lang"];

/// How deep schemas may nest (through `$ref`s too) before the importer stops following them.
const MAX_DEPTH: usize = 48;

const MODELLDCATNO: &str = "https://data.norge.no/vocabulary/modelldcatno#";
const DCT_TITLE: &str = "http://purl.org/dc/terms/title";
const DCT_DESCRIPTION: &str = "http://purl.org/dc/terms/description";
const DCT_IDENTIFIER: &str = "http://purl.org/dc/terms/identifier";
const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema#";

/// XSD built-in types an Altinn `@xsdType` may name.
const XSD_BUILTINS: &[&str] = &[
    "string",
    "normalizedString",
    "token",
    "language",
    "Name",
    "NCName",
    "ID",
    "IDREF",
    "ENTITY",
    "NMTOKEN",
    "anyURI",
    "QName",
    "boolean",
    "decimal",
    "integer",
    "nonPositiveInteger",
    "negativeInteger",
    "long",
    "int",
    "short",
    "byte",
    "nonNegativeInteger",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
    "positiveInteger",
    "float",
    "double",
    "duration",
    "dateTime",
    "time",
    "date",
    "gYearMonth",
    "gYear",
    "gMonthDay",
    "gDay",
    "gMonth",
    "hexBinary",
    "base64Binary",
];

/// Reads a JSON Schema into triples plus warnings.
pub fn to_triples(
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<(Vec<Triple>, Vec<ImportWarning>), ImportError> {
    let warnings = json::unknown_params(options, PARAMS);
    let document = json::parse(bytes)?;
    let root = JsonPath::root();
    if !matches!(document, Json::Object(_)) {
        return Err(root.invalid(format!(
            "expected a JSON Schema object, found {}",
            document.kind()
        )));
    }
    let lang = json::param_lang(options)?;
    let id = match document.get("$id").or_else(|| document.get("id")) {
        Some(Json::String(id)) => Some(id.clone()),
        Some(other) if document.get("$id").is_some() => {
            return Err(root
                .key("$id")
                .invalid(format!("expected a URI string, found {}", other.kind())))
        }
        _ => None,
    };
    let absolute_id = id
        .as_deref()
        .map(|id| id.split('#').next().unwrap_or_default())
        .filter(|id| is_absolute(id) && NamedNode::new(*id).is_ok())
        .map(str::to_owned);
    let model = match (options.params.get("iri"), &absolute_id) {
        (Some(iri), _) => iri.trim_end_matches('#').to_owned(),
        (None, Some(id)) => id.clone(),
        (None, None) => format!("urn:semreg:jsonschema:{}", json::content_id(bytes)),
    };
    let model_node = NamedNode::new(&model).map_err(|e| ImportError::Invalid {
        location: "param iri".to_owned(),
        message: format!("expected an IRI for the model, found {model:?}: {e}"),
    })?;

    let mut importer = Importer {
        document: &document,
        base: absolute_id.clone(),
        model: model.clone(),
        lang,
        triples: Vec::new(),
        warnings,
        named: HashMap::new(),
        in_progress: HashSet::new(),
        elements: Vec::new(),
        anchors: HashMap::new(),
        depth: 0,
        root_name: document
            .get("@xsdRootElement")
            .and_then(Json::as_str)
            .map(str::to_owned)
            .or_else(|| json::file_stem(options)),
    };
    importer.collect_anchors(&document, "", 0);

    // The model itself.
    importer.add(
        model_node.clone(),
        rdf::TYPE.as_str(),
        iri_term(crate::vocab::MODELLDCATNO_INFORMATION_MODEL),
    );
    let title = document
        .get("title")
        .and_then(Json::as_str)
        .filter(|t| !t.trim().is_empty());
    match (title, json::file_stem(options)) {
        (Some(title), _) => {
            let literal = importer.text(title);
            importer.add(model_node.clone(), DCT_TITLE, literal);
        }
        (None, Some(stem)) => importer.add(
            model_node.clone(),
            DCT_TITLE,
            Literal::new_simple_literal(stem),
        ),
        (None, None) => {}
    }
    if let Some(description) = document.get("description").and_then(Json::as_str) {
        let literal = importer.text(description);
        importer.add(model_node.clone(), DCT_DESCRIPTION, literal);
    }
    if let Some(id) = &id {
        importer.add(
            model_node.clone(),
            DCT_IDENTIFIER,
            Literal::new_simple_literal(id),
        );
    }

    // The root schema, then every definition (those no one refers to too).
    importer.ensure_named("");
    for section in ["$defs", "definitions"] {
        if let Some(Json::Object(definitions)) = document.get(section) {
            for (name, _) in definitions {
                importer.ensure_named(&format!("/{section}/{}", escape_token(name)));
            }
        }
    }
    let elements = std::mem::take(&mut importer.elements);
    let mut listed = HashSet::new();
    for element in elements {
        if listed.insert(element.clone()) {
            importer.add(
                model_node.clone(),
                &format!("{MODELLDCATNO}containsModelElement"),
                element,
            );
        }
    }
    Ok((importer.triples, importer.warnings))
}

/// What a schema stands for when a property uses it.
#[derive(Debug, Clone)]
enum Target {
    /// An object type.
    Object(NamedNode),
    /// A simple type (a named one, or a part of the type that uses it), with what it restricts.
    Simple(NamedOrBlankNode, SimpleInfo),
    /// A code list.
    CodeList(NamedNode),
    /// A schema in another document (kind unknown).
    External(NamedNode),
    /// Several values of the target.
    Many(Box<Target>, Option<u64>, Option<u64>),
    /// One of several alternatives.
    Choice(Vec<Target>),
    /// No constraint on the value.
    Any,
}

/// The type definition and facets of a simple type, inherited by restrictions of it.
#[derive(Debug, Clone, Default)]
struct SimpleInfo {
    type_reference: Option<String>,
    facets: Vec<(&'static str, Literal)>,
}

impl SimpleInfo {
    fn set(&mut self, facet: &'static str, value: Literal) {
        self.facets.retain(|(name, _)| *name != facet);
        self.facets.push((facet, value));
    }
}

/// A schema with its `allOf` parts merged.
#[derive(Default)]
struct Flat<'a> {
    /// `$ref`s, direct or as `allOf` parts, with the pointer of the schema holding them.
    refs: Vec<(String, String)>,
    types: Vec<String>,
    properties: Vec<(String, &'a Json, String)>,
    required: HashSet<String>,
    facets: Vec<(String, &'a Json, String)>,
    enum_values: Option<(&'a Json, String)>,
    items: Option<(&'a Json, String)>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    alternatives: Vec<(&'a Json, String)>,
    format: Option<String>,
    xsd_type: Option<String>,
    open_object: bool,
}

impl Flat<'_> {
    fn is_primitive(&self) -> bool {
        self.types
            .iter()
            .any(|t| matches!(t.as_str(), "string" | "integer" | "number" | "boolean"))
            || !self.facets.is_empty()
            || self.format.is_some()
    }
}

struct Importer<'a> {
    document: &'a Json,
    /// The absolute `$id` of the document, for resolving relative references.
    base: Option<String>,
    model: String,
    lang: String,
    triples: Vec<Triple>,
    warnings: Vec<ImportWarning>,
    /// What each pointer that was given a name stands for.
    named: HashMap<String, Target>,
    in_progress: HashSet<String>,
    /// The named types and code lists made, in order.
    elements: Vec<NamedNode>,
    /// `$anchor`s and subschema `$id`s, to their pointers.
    anchors: HashMap<String, String>,
    depth: usize,
    /// The root type's name when the root has no `title`: Altinn's `@xsdRootElement`, else the file stem.
    root_name: Option<String>,
}

impl<'a> Importer<'a> {
    fn add(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: &str,
        object: impl Into<Term>,
    ) {
        self.triples.push(Triple::new(
            subject.into(),
            NamedNode::new_unchecked(predicate),
            object.into(),
        ));
    }

    fn text(&self, text: &str) -> Literal {
        Literal::new_language_tagged_literal(text.trim(), &self.lang)
            .unwrap_or_else(|_| Literal::new_simple_literal(text.trim()))
    }

    fn warn(&mut self, pointer: &str, message: String) {
        self.warnings.push(ImportWarning {
            location: Some(display_pointer(pointer)),
            message,
        });
    }

    /// A schema's name; the root's is its title, the root element or the file stem.
    fn name_of(&self, node: &Json, pointer: &str) -> String {
        match (
            pointer.is_empty(),
            node.get("title").and_then(Json::as_str),
            &self.root_name,
        ) {
            (true, None, Some(name)) => name.clone(),
            _ => schema_name(node, pointer),
        }
    }

    /// The IRI of the schema at a pointer.
    fn iri(&self, pointer: &str) -> NamedNode {
        if pointer.is_empty() {
            NamedNode::new_unchecked(format!("{}#root", self.model))
        } else {
            NamedNode::new_unchecked(format!("{}#{}", self.model, encode_fragment(pointer)))
        }
    }

    /// Records `$anchor`s and the `$id`s of subschemas.
    fn collect_anchors(&mut self, node: &Json, pointer: &str, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match node {
            Json::Object(entries) => {
                if let Some(Json::String(anchor)) = node.get("$anchor") {
                    self.anchors
                        .insert(format!("#{anchor}"), pointer.to_owned());
                }
                if !pointer.is_empty() {
                    if let Some(Json::String(id)) = node.get("$id") {
                        let resolved = match &self.base {
                            Some(base) => resolve(base, id),
                            None => id.clone(),
                        };
                        self.anchors.insert(resolved, pointer.to_owned());
                        self.anchors.insert(id.clone(), pointer.to_owned());
                    }
                }
                for (key, value) in entries {
                    if matches!(key.as_str(), "enum" | "const" | "default" | "examples") {
                        continue;
                    }
                    self.collect_anchors(
                        value,
                        &format!("{pointer}/{}", escape_token(key)),
                        depth + 1,
                    );
                }
            }
            Json::Array(items) => {
                for (at, item) in items.iter().enumerate() {
                    self.collect_anchors(item, &format!("{pointer}/{at}"), depth + 1);
                }
            }
            _ => {}
        }
    }

    /// Where a `$ref` leads: a pointer in this document, or an external IRI.
    fn resolve_ref(&mut self, reference: &str, at: &str) -> Result<String, Option<NamedNode>> {
        if let Some(pointer) = self.anchors.get(reference) {
            return Ok(pointer.clone());
        }
        let (document_part, fragment) = match reference.split_once('#') {
            Some((document_part, fragment)) => (document_part, Some(fragment)),
            None => (reference, None),
        };
        let absolute = match &self.base {
            Some(base) if !document_part.is_empty() => resolve(base, document_part),
            _ => document_part.to_owned(),
        };
        let local = document_part.is_empty() || self.base.as_deref() == Some(absolute.as_str());
        let subschema = self.anchors.get(&absolute).cloned();
        if local || subschema.is_some() {
            let prefix = subschema.unwrap_or_default();
            return match fragment {
                None | Some("") => Ok(prefix),
                Some(fragment) if fragment.starts_with('/') => {
                    Ok(format!("{prefix}{}", percent_decode(fragment)))
                }
                Some(anchor) => match self.anchors.get(&format!("#{anchor}")) {
                    Some(pointer) => Ok(pointer.clone()),
                    None => {
                        self.warn(
                            at,
                            format!("the reference {reference:?} names no $anchor in the file"),
                        );
                        Err(None)
                    }
                },
            };
        }
        let target = match fragment {
            Some(fragment) if !fragment.is_empty() => format!("{absolute}#{fragment}"),
            _ => absolute.clone(),
        };
        if is_absolute(&absolute) {
            if let Ok(iri) = NamedNode::new(&target) {
                self.warn(
                    at,
                    format!("refers to the external schema <{target}>: linked, not imported"),
                );
                return Err(Some(iri));
            }
        }
        self.warn(
            at,
            format!("the reference {reference:?} cannot be resolved (no absolute $id to resolve it against); left untyped"),
        );
        Err(None)
    }

    /// The schema at a pointer of the document.
    fn node_at(&self, pointer: &str) -> Option<&'a Json> {
        let mut node = self.document;
        if pointer.is_empty() {
            return Some(node);
        }
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = unescape_token(token);
            node = match node {
                Json::Object(_) => node.get(&token)?,
                Json::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The target of the schema at a pointer, made (once) as a named type, code list or alias.
    fn ensure_named(&mut self, pointer: &str) -> Target {
        if let Some(target) = self.named.get(pointer) {
            return target.clone();
        }
        if self.in_progress.contains(pointer) {
            self.warn(
                pointer,
                "the schema refers to itself through references only; left untyped".to_owned(),
            );
            return Target::Any;
        }
        let Some(node) = self.node_at(pointer) else {
            self.warn(
                pointer,
                "a reference leads here, but the file has no schema at this pointer".to_owned(),
            );
            return Target::Any;
        };
        self.in_progress.insert(pointer.to_owned());
        let target = self.target(node, pointer, true);
        self.in_progress.remove(pointer);
        self.named.insert(pointer.to_owned(), target.clone());
        target
    }

    /// What a schema stands for; `named` makes simple types named resources, not parts.
    fn target(&mut self, node: &'a Json, pointer: &str, named: bool) -> Target {
        if self.depth >= MAX_DEPTH {
            self.warn(
                pointer,
                format!("schemas nest deeper than {MAX_DEPTH} levels here; left untyped"),
            );
            return Target::Any;
        }
        self.depth += 1;
        let target = self.target_inner(node, pointer, named);
        self.depth -= 1;
        target
    }

    fn target_inner(&mut self, node: &'a Json, pointer: &str, named: bool) -> Target {
        let flat = self.flatten(node, pointer);
        let bases: Vec<Target> = flat
            .refs
            .iter()
            .map(|(reference, at)| match self.resolve_ref(reference, at) {
                Ok(target) => self.ensure_named(&target),
                Err(Some(external)) => Target::External(external),
                Err(None) => Target::Any,
            })
            .collect();
        let only_refs = flat.types.iter().all(|t| t == "null")
            && flat.properties.is_empty()
            && flat.facets.is_empty()
            && flat.enum_values.is_none()
            && flat.items.is_none()
            && flat.alternatives.is_empty()
            && flat.format.is_none()
            && !flat.open_object;
        if only_refs && bases.len() == 1 {
            let base = bases.into_iter().next().unwrap_or(Target::Any);
            if !(named && is_definition(pointer)) {
                return base;
            }
            // A named definition that only refers to another (SERES "Dataenkeltype"
            // `Organisasjonsnummer` -> its restriction) is a type of its own, for search.
            return match base {
                Target::Simple(_, info) => self.emit_simple(node, info, pointer, true),
                Target::Object(general) => self.object_type(
                    node,
                    Flat::default(),
                    vec![Target::Object(general)],
                    pointer,
                ),
                other => other,
            };
        }
        if let Some((values, at)) = flat.enum_values {
            return self.code_list(node, values, pointer, &at);
        }
        if let Some(list) = bases.iter().find_map(|b| match b {
            Target::CodeList(list) if flat.properties.is_empty() => Some(list.clone()),
            _ => None,
        }) {
            return Target::CodeList(list);
        }
        if flat.types.iter().any(|t| t == "array") || flat.items.is_some() {
            let inner = match flat.items {
                Some((items, at)) => self.target(items, &at, false),
                None => Target::Any,
            };
            return Target::Many(Box::new(inner), flat.min_items, flat.max_items);
        }
        let object_base = bases.iter().any(|b| matches!(b, Target::Object(_)));
        if !flat.properties.is_empty()
            || (flat.types.iter().any(|t| t == "object") && flat.alternatives.is_empty())
            || flat.open_object
            || object_base
            || (bases.len() > 1 && !flat.is_primitive())
        {
            return self.object_type(node, flat, bases, pointer);
        }
        let simple_base = bases.iter().find_map(|b| match b {
            Target::Simple(_, info) => Some(info.clone()),
            _ => None,
        });
        if flat.is_primitive() || simple_base.is_some() {
            return self.simple_type(node, &flat, simple_base, pointer, named);
        }
        if !flat.alternatives.is_empty() {
            let alternatives = flat.alternatives.clone();
            return Target::Choice(
                alternatives
                    .into_iter()
                    .map(|(alternative, at)| self.target(alternative, &at, false))
                    .collect(),
            );
        }
        match bases.len() {
            1 => bases.into_iter().next().unwrap_or(Target::Any),
            _ => Target::Any,
        }
    }

    /// Merges a schema with its inline `allOf` parts.
    fn flatten(&mut self, node: &'a Json, pointer: &str) -> Flat<'a> {
        let mut flat = Flat::default();
        self.merge(&mut flat, node, pointer, 0);
        flat
    }

    fn merge(&mut self, flat: &mut Flat<'a>, node: &'a Json, pointer: &str, depth: usize) {
        let Json::Object(entries) = node else {
            return; // `true` / `false` schemas constrain nothing we model
        };
        if depth > MAX_DEPTH {
            return;
        }
        for (key, value) in entries {
            let at = format!("{pointer}/{}", escape_token(key));
            match key.as_str() {
                "$ref" => match value {
                    Json::String(reference) => {
                        flat.refs.push((reference.clone(), pointer.to_owned()))
                    }
                    other => self.warn(
                        &at,
                        format!(
                            "expected a reference string, found {}; ignored",
                            other.kind()
                        ),
                    ),
                },
                "type" => match value {
                    Json::String(t) => flat.types.push(t.clone()),
                    Json::Array(types) => flat
                        .types
                        .extend(types.iter().filter_map(Json::as_str).map(str::to_owned)),
                    _ => {}
                },
                "properties" => {
                    if let Json::Object(properties) = value {
                        for (name, schema) in properties {
                            flat.properties.retain(|(n, _, _)| n != name);
                            flat.properties.push((
                                name.clone(),
                                schema,
                                format!("{at}/{}", escape_token(name)),
                            ));
                        }
                    }
                }
                "required" => {
                    if let Json::Array(names) = value {
                        flat.required
                            .extend(names.iter().filter_map(Json::as_str).map(str::to_owned));
                    }
                }
                "additionalProperties" | "patternProperties"
                    if !matches!(value, Json::Bool(false)) =>
                {
                    flat.open_object = true;
                }
                "enum" => flat.enum_values = Some((value, at)),
                "items" => match value {
                    Json::Array(tuple) => {
                        // draft-07 tuple form: the first item's schema stands for all.
                        if let Some(first) = tuple.first() {
                            flat.items = Some((first, format!("{at}/0")));
                        }
                    }
                    _ => flat.items = Some((value, at)),
                },
                "minItems" => flat.min_items = value_u64(value),
                "maxItems" => flat.max_items = value_u64(value),
                "format" => flat.format = value.as_str().map(str::to_owned),
                "@xsdType" => flat.xsd_type = value.as_str().map(str::to_owned),
                "minLength" | "maxLength" | "pattern" | "minimum" | "maximum"
                | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" | "totalDigits" => {
                    flat.facets.retain(|(k, _, _)| k != key);
                    flat.facets.push((key.clone(), value, at));
                }
                "allOf" => {
                    if let Json::Array(parts) = value {
                        for (index, part) in parts.iter().enumerate() {
                            self.merge(flat, part, &format!("{at}/{index}"), depth + 1);
                        }
                    }
                }
                "oneOf" | "anyOf" => {
                    if let Json::Array(parts) = value {
                        let consts =
                            !parts.is_empty() && parts.iter().all(|p| p.get("const").is_some());
                        if consts && flat.enum_values.is_none() {
                            flat.enum_values = Some((value, at));
                        } else {
                            for (index, part) in parts.iter().enumerate() {
                                flat.alternatives.push((part, format!("{at}/{index}")));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// A code list from `enum` values, or from a `oneOf` of `const`s.
    fn code_list(&mut self, node: &Json, values: &Json, pointer: &str, at: &str) -> Target {
        let iri = self.iri(pointer);
        let Ok(mut list) = CodeListBuilder::new(iri.as_str()) else {
            return Target::Any;
        };
        let name = self.name_of(node, pointer);
        list.label("", &name);
        if let Some(description) = node.get("description").and_then(Json::as_str) {
            list.description(&self.lang.clone(), description.trim());
        }
        let Json::Array(items) = values else {
            self.warn(
                at,
                format!(
                    "expected an array of values, found {}; no codes",
                    values.kind()
                ),
            );
            return Target::CodeList(iri);
        };
        let mut seen = HashSet::new();
        for (index, item) in items.iter().enumerate() {
            let (value, title, description) = match item.get("const") {
                Some(constant) if matches!(item, Json::Object(_)) => (
                    constant,
                    item.get("title").and_then(Json::as_str),
                    item.get("description").and_then(Json::as_str),
                ),
                _ => (item, None, None),
            };
            let Some(value) = json::code_value(value) else {
                self.warn(
                    &format!("{at}/{index}"),
                    format!(
                        "expected a string, number, boolean or null value, found {}; skipped",
                        value.kind()
                    ),
                );
                continue;
            };
            if !seen.insert(code_iri(iri.as_str(), &value)) {
                self.warn(
                    &format!("{at}/{index}"),
                    format!(
                        "the value {} appears more than once; kept once",
                        value.text()
                    ),
                );
                continue;
            }
            let lang = self.lang.clone();
            let mut code = list.code(value);
            if let Some(title) = title {
                code.label(&lang, title);
            }
            if let Some(description) = description {
                code.description(&lang, description);
            }
            code.done();
        }
        self.triples.extend(list.finish());
        self.elements.push(iri.clone());
        Target::CodeList(iri)
    }

    /// An object type with its properties.
    fn object_type(
        &mut self,
        node: &'a Json,
        flat: Flat<'a>,
        bases: Vec<Target>,
        pointer: &str,
    ) -> Target {
        let iri = self.iri(pointer);
        // Registered before its properties, so that recursive structures end here.
        self.named
            .insert(pointer.to_owned(), Target::Object(iri.clone()));
        self.elements.push(iri.clone());
        self.add(
            iri.clone(),
            rdf::TYPE.as_str(),
            iri_term(crate::vocab::MODELLDCATNO_OBJECT_TYPE),
        );
        let name = self.name_of(node, pointer);
        self.add(iri.clone(), DCT_TITLE, Literal::new_simple_literal(&name));
        if let Some(title) = node
            .get("title")
            .and_then(Json::as_str)
            .filter(|t| t.trim() != name)
        {
            let literal = self.text(title);
            self.add(iri.clone(), DCT_TITLE, literal);
        }
        if let Some(description) = node.get("description").and_then(Json::as_str) {
            let literal = self.text(description);
            self.add(iri.clone(), DCT_DESCRIPTION, literal);
        }
        for base in bases {
            if let Target::Object(general) | Target::External(general) = base {
                let part = BlankNode::default();
                self.add(
                    iri.clone(),
                    &format!("{MODELLDCATNO}hasProperty"),
                    part.clone(),
                );
                self.add(
                    part.clone(),
                    rdf::TYPE.as_str(),
                    iri_term(&format!("{MODELLDCATNO}Specialization")),
                );
                self.add(part, &format!("{MODELLDCATNO}hasGeneralConcept"), general);
            }
        }
        for (position, (name, schema, at)) in flat.properties.iter().enumerate() {
            let required = flat.required.contains(name);
            let target = self.target(schema, at, false);
            self.property(&iri, name, schema, target, required, position);
        }
        Target::Object(iri)
    }

    /// One property of an object type.
    fn property(
        &mut self,
        owner: &NamedNode,
        name: &str,
        schema: &Json,
        target: Target,
        required: bool,
        position: usize,
    ) {
        let node = BlankNode::default();
        self.add(
            owner.clone(),
            &format!("{MODELLDCATNO}hasProperty"),
            node.clone(),
        );
        self.add(node.clone(), DCT_TITLE, Literal::new_simple_literal(name));
        if let Some(description) = schema.get("description").and_then(Json::as_str) {
            let literal = self.text(description);
            self.add(node.clone(), DCT_DESCRIPTION, literal);
        }
        let (target, min, max) = match target {
            Target::Many(inner, min_items, max_items) => {
                let min = if required { min_items.unwrap_or(1) } else { 0 };
                let max = match max_items {
                    Some(max) => {
                        Literal::new_typed_literal(max.to_string(), xsd::NON_NEGATIVE_INTEGER)
                    }
                    None => Literal::new_simple_literal("*"),
                };
                (*inner, min, max)
            }
            other => (
                other,
                u64::from(required),
                Literal::new_typed_literal("1", xsd::NON_NEGATIVE_INTEGER),
            ),
        };
        // Altinn's schemas say what the XSD said.
        let min = match schema.get("@xsdMinOccurs").and_then(value_u64) {
            Some(xsd_min) => xsd_min,
            None => min,
        };
        let max = match schema.get("@xsdMaxOccurs") {
            Some(Json::String(unbounded)) if unbounded == "unbounded" => {
                Literal::new_simple_literal("*")
            }
            Some(value) => match value_u64(value) {
                Some(n) => Literal::new_typed_literal(n.to_string(), xsd::NON_NEGATIVE_INTEGER),
                None => max,
            },
            None => max,
        };
        let kind = match &target {
            Target::Object(_) | Target::External(_) => "Role",
            Target::Choice(_) => "Choice",
            _ => "Attribute",
        };
        self.add(
            node.clone(),
            rdf::TYPE.as_str(),
            iri_term(&format!("{MODELLDCATNO}{kind}")),
        );
        self.add(
            node.clone(),
            &format!("{MODELLDCATNO}minOccurs"),
            Literal::new_typed_literal(min.to_string(), xsd::NON_NEGATIVE_INTEGER),
        );
        self.add(node.clone(), &format!("{MODELLDCATNO}maxOccurs"), max);
        self.add(
            node.clone(),
            &format!("{MODELLDCATNO}sequenceNumber"),
            Literal::new_typed_literal((position + 1).to_string(), xsd::NON_NEGATIVE_INTEGER),
        );
        self.link(node.into(), target, "");
    }

    /// Links a property (or choice) to what its value is.
    fn link(&mut self, node: NamedOrBlankNode, target: Target, via: &str) {
        let predicate = |name: &str| {
            if via.is_empty() {
                format!("{MODELLDCATNO}{name}")
            } else {
                via.to_owned()
            }
        };
        match target {
            Target::Object(iri) | Target::External(iri) => {
                self.add(node, &predicate("hasObjectType"), iri)
            }
            Target::Simple(simple, _) => self.add(node, &predicate("hasSimpleType"), simple),
            Target::CodeList(list) => self.add(node, &predicate("hasValueFrom"), list),
            Target::Many(inner, _, _) => self.link(node, *inner, via),
            Target::Choice(alternatives) => {
                for alternative in alternatives {
                    self.link(node.clone(), alternative, &format!("{MODELLDCATNO}hasSome"));
                }
            }
            Target::Any => {}
        }
    }

    /// A simple type: named (a definition or the root) or a part of the type using it.
    fn simple_type(
        &mut self,
        node: &Json,
        flat: &Flat<'a>,
        base: Option<SimpleInfo>,
        pointer: &str,
        named: bool,
    ) -> Target {
        let mut info = base.unwrap_or_default();
        if let Some(reference) = type_reference(flat) {
            info.type_reference = Some(reference);
        }
        for (facet, value, at) in &flat.facets {
            let exclusive_flag = matches!(value, Json::Bool(_));
            let (predicate, literal) = match (facet.as_str(), value) {
                ("minLength" | "maxLength" | "totalDigits", _) => match value_u64(value) {
                    Some(n) => (
                        match facet.as_str() {
                            "minLength" => "minLength",
                            "maxLength" => "maxLength",
                            _ => "totalDigits",
                        },
                        Literal::new_typed_literal(n.to_string(), xsd::NON_NEGATIVE_INTEGER),
                    ),
                    None => {
                        self.warn(
                            at,
                            format!(
                                "expected a non-negative integer, found {}; facet not kept",
                                json::to_json_text(value)
                            ),
                        );
                        continue;
                    }
                },
                ("pattern", Json::String(pattern)) => {
                    ("pattern", Literal::new_simple_literal(pattern))
                }
                ("multipleOf", _) => match fraction_digits(value) {
                    Some(digits) => (
                        "fractionDigits",
                        Literal::new_typed_literal(digits.to_string(), xsd::NON_NEGATIVE_INTEGER),
                    ),
                    None => continue,
                },
                ("exclusiveMinimum" | "exclusiveMaximum", Json::Bool(_)) if exclusive_flag => {
                    continue
                }
                ("minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum", _) => {
                    match decimal_text(value) {
                        Some(number) => {
                            let draft4_exclusive =
                                |flag: &str| matches!(node.get(flag), Some(Json::Bool(true)));
                            let name = match facet.as_str() {
                                "minimum" if draft4_exclusive("exclusiveMinimum") => "minExclusive",
                                "maximum" if draft4_exclusive("exclusiveMaximum") => "maxExclusive",
                                "minimum" => "minInclusive",
                                "maximum" => "maxInclusive",
                                "exclusiveMinimum" => "minExclusive",
                                _ => "maxExclusive",
                            };
                            (name, Literal::new_typed_literal(number, xsd::DECIMAL))
                        }
                        None => {
                            self.warn(
                                at,
                                format!(
                                    "expected a number, found {}; facet not kept",
                                    json::to_json_text(value)
                                ),
                            );
                            continue;
                        }
                    }
                }
                _ => {
                    self.warn(
                        at,
                        format!(
                            "unexpected value {}; facet not kept",
                            json::to_json_text(value)
                        ),
                    );
                    continue;
                }
            };
            info.set(predicate, literal);
        }
        self.emit_simple(node, info, pointer, named)
    }

    /// Writes a simple type with its type definition and facets.
    fn emit_simple(&mut self, node: &Json, info: SimpleInfo, pointer: &str, named: bool) -> Target {
        let subject: NamedOrBlankNode = if named {
            let iri = self.iri(pointer);
            self.elements.push(iri.clone());
            self.add(
                iri.clone(),
                DCT_TITLE,
                Literal::new_simple_literal(self.name_of(node, pointer)),
            );
            if let Some(description) = node.get("description").and_then(Json::as_str) {
                let literal = self.text(description);
                self.add(iri.clone(), DCT_DESCRIPTION, literal);
            }
            iri.into()
        } else {
            BlankNode::default().into()
        };
        self.add(
            subject.clone(),
            rdf::TYPE.as_str(),
            iri_term(crate::vocab::MODELLDCATNO_SIMPLE_TYPE),
        );
        if let Some(reference) = &info.type_reference {
            self.add(
                subject.clone(),
                &format!("{MODELLDCATNO}typeDefinitionReference"),
                Literal::new_typed_literal(reference, xsd::ANY_URI),
            );
        }
        for (facet, literal) in info.facets.clone() {
            self.add(subject.clone(), &format!("{XSD_NS}{facet}"), literal);
        }
        Target::Simple(subject, info)
    }
}

/// Whether a pointer is that of a named definition (`/$defs/Name`, `/definitions/Name`).
fn is_definition(pointer: &str) -> bool {
    let mut tokens = pointer.split('/').skip(1);
    matches!(
        (tokens.next(), tokens.next(), tokens.next()),
        (Some("$defs" | "definitions"), Some(_), None)
    )
}

/// The XSD type a primitive schema stands for.
fn type_reference(flat: &Flat<'_>) -> Option<String> {
    if let Some(xsd_type) = &flat.xsd_type {
        if XSD_BUILTINS.contains(&xsd_type.as_str()) {
            return Some(format!("{XSD_NS}{xsd_type}"));
        }
    }
    let primitive = flat.types.iter().find(|t| t.as_str() != "null")?;
    let name = match (primitive.as_str(), flat.format.as_deref()) {
        ("string", Some("date")) => "date",
        ("string", Some("date-time")) => "dateTime",
        ("string", Some("time")) => "time",
        ("string", Some("duration")) => "duration",
        ("string", Some("uri" | "iri" | "uri-reference" | "iri-reference")) => "anyURI",
        ("string", _) => "string",
        ("integer", _) => "integer",
        ("number", _) => "decimal",
        ("boolean", _) => "boolean",
        _ => return None,
    };
    Some(format!("{XSD_NS}{name}"))
}

/// A schema's name: the last property or definition name in its pointer, else its title.
fn schema_name(node: &Json, pointer: &str) -> String {
    let mut name = None;
    let mut after_name_section = false;
    for token in pointer.split('/').skip(1) {
        if after_name_section {
            name = Some(unescape_token(token));
            after_name_section = false;
        } else {
            after_name_section = matches!(token, "properties" | "$defs" | "definitions");
        }
    }
    name.or_else(|| {
        node.get("title")
            .and_then(Json::as_str)
            .map(|t| t.trim().to_owned())
    })
    .filter(|n| !n.is_empty())
    .unwrap_or_else(|| "root".to_owned())
}

fn value_u64(value: &Json) -> Option<u64> {
    match value {
        Json::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= 9.0e15)
                .map(|f| f as u64)
        }),
        Json::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// A number as an `xsd:decimal` lexical form.
fn decimal_text(value: &Json) -> Option<String> {
    match value {
        Json::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Some(i.to_string()),
            (_, Some(u), _) => Some(u.to_string()),
            (_, _, Some(f)) if f.is_finite() => Some(format!("{f}")),
            _ => None,
        },
        Json::String(text) => {
            let text = text.trim();
            let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
            let valid = !digits.is_empty()
                && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
                && digits.chars().filter(|&c| c == '.').count() <= 1
                && digits.chars().any(|c| c.is_ascii_digit());
            valid.then(|| text.to_owned())
        }
        _ => None,
    }
}

/// `multipleOf` 1, 0.1, 0.01, ... as a number of fraction digits.
fn fraction_digits(value: &Json) -> Option<u32> {
    let text = decimal_text(value)?;
    if text == "1" {
        return Some(0);
    }
    let fraction = text.strip_prefix("0.")?;
    let digits = u32::try_from(fraction.len()).ok()?;
    (fraction.ends_with('1') && fraction[..fraction.len() - 1].chars().all(|c| c == '0'))
        .then_some(digits)
}

fn iri_term(iri: &str) -> NamedNode {
    NamedNode::new_unchecked(iri)
}

/// Whether a URI reference has a scheme.
fn is_absolute(reference: &str) -> bool {
    match reference.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Resolves a relative reference against an absolute base (RFC 3986, without query subtleties).
fn resolve(base: &str, reference: &str) -> String {
    if is_absolute(reference) {
        return reference.to_owned();
    }
    let base = base.split('#').next().unwrap_or(base);
    let (scheme, rest) = base.split_once(':').unwrap_or(("", base));
    if let Some(network) = reference.strip_prefix("//") {
        return format!("{scheme}://{network}");
    }
    let (authority, path) = match rest.strip_prefix("//") {
        Some(after) => match after.find('/') {
            Some(at) => (format!("//{}", &after[..at]), after[at..].to_owned()),
            None => (format!("//{after}"), String::new()),
        },
        None => (String::new(), rest.to_owned()),
    };
    let merged = if reference.starts_with('/') {
        reference.to_owned()
    } else {
        let directory = path.rfind('/').map_or("", |at| &path[..=at]);
        let directory = if directory.is_empty() && !authority.is_empty() {
            "/"
        } else {
            directory
        };
        format!("{directory}{reference}")
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in merged.split('/') {
        match segment {
            "." => {}
            ".." => {
                if segments.len() > 1 {
                    segments.pop();
                }
            }
            other => segments.push(other),
        }
    }
    format!("{scheme}:{authority}{}", segments.join("/"))
}

/// A JSON Pointer token, escaped (`~0`, `~1`).
fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// A pointer as it appears in warnings: `#/$defs/Adresse`.
fn display_pointer(pointer: &str) -> String {
    format!("#{pointer}")
}

/// Percent-encodes what an IRI fragment may not hold.
fn encode_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for c in pointer.chars() {
        let plain = c.is_ascii_alphanumeric()
            || "-._~!$&'()*+,;=:@/?".contains(c)
            || (!c.is_ascii()
                && !c.is_control()
                && c != '\u{feff}'
                && !('\u{fff0}'..='\u{ffff}').contains(&c));
        if plain {
            out.push(c);
        } else {
            let mut buffer = [0u8; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

/// Decodes `%XX` escapes of a URI fragment.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' && at + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(high), Some(low)) = (hex(bytes[at + 1]), hex(bytes[at + 2])) {
                out.push((high * 16 + low) as u8);
                at += 3;
                continue;
            }
        }
        out.push(bytes[at]);
        at += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_references_resolve_against_the_base() {
        assert_eq!(
            resolve("https://example.com/citizen.json", "types/city/city.json"),
            "https://example.com/types/city/city.json"
        );
        assert_eq!(
            resolve(
                "https://example.com/types/identifier/citizenIdentifier.json",
                "../q.json"
            ),
            "https://example.com/types/q.json"
        );
        assert_eq!(
            resolve("https://example.com/a/b.json", "/c.json"),
            "https://example.com/c.json"
        );
        assert_eq!(resolve("https://e.com/a", "urn:x:y"), "urn:x:y");
    }

    #[test]
    fn multiple_of_powers_of_ten_are_fraction_digits() {
        assert_eq!(
            fraction_digits(&Json::Number(serde_json::Number::from_f64(0.01).unwrap())),
            Some(2)
        );
        assert_eq!(fraction_digits(&Json::Number(1.into())), Some(0));
        assert_eq!(
            fraction_digits(&Json::Number(serde_json::Number::from_f64(0.5).unwrap())),
            None
        );
    }

    #[test]
    fn fragments_are_encoded_and_names_come_from_pointers() {
        assert_eq!(encode_fragment("/$defs/a b"), "/$defs/a%20b");
        assert_eq!(percent_decode("/$defs/a%20b"), "/$defs/a b");
        assert_eq!(
            schema_name(&Json::Null, "/$defs/Person/properties/items/items"),
            "items"
        );
        assert_eq!(schema_name(&Json::Null, ""), "root");
    }
}
