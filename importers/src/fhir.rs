//! Importer for FHIR CodeSystem / ValueSet JSON: bytes to RDF triples (then resources via
//! [`crate::rdf::finish`]).
//!
//! - A **CodeSystem** is one code list: `url` is its IRI, `version` its version, `name` its
//!   identifier, `title` (else `name`) its label, `description` its description. Each `concept`
//!   is a code (nested `concept`s are its children, with `level` = depth), `display` its label,
//!   `designation`s with a `language` more labels (alternative labels when their `use` is not
//!   the preferred one), `definition` its description; a `status` property of `retired` or
//!   `deprecated` (or `deprecated`/`inactive` = true) becomes the code's status.
//! - A **ValueSet** is one code list of the concepts it names: `expansion.contains` when the
//!   set is expanded, else the explicit `concept` lists of `compose.include`. An include of a
//!   whole system (or by filter) names no concepts: a warning says so. `exclude` is ignored.
//!
//! Params: `iri` (overrides `url`), `lang` (the language of `display` and `title` when the
//! resource has no `language`; default `en`). Without `url` or `iri` the list IRI is
//! `urn:semreg:fhir:<content hash>`.

use std::collections::HashSet;

use oxrdf::Triple;

use crate::altinn::json::{self, Json, JsonPath};
use crate::codelist::{code_iri, CodeBuilder, CodeListBuilder, CodeValue};
use crate::{ImportError, ImportOptions, ImportWarning};

/// The params this importer reads.
const PARAMS: &[&str] = &["iri", "lang"];

/// How deep nested concepts may go (a bound for hostile input; real hierarchies are shallow).
const MAX_DEPTH: i64 = 64;

/// Reads a FHIR CodeSystem or ValueSet into triples plus warnings.
pub fn to_triples(
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<(Vec<Triple>, Vec<ImportWarning>), ImportError> {
    let mut warnings = json::unknown_params(options, PARAMS);
    let resource = json::parse(bytes)?;
    let root = JsonPath::root();
    if !matches!(resource, Json::Object(_)) {
        return Err(root.invalid(format!(
            "expected a FHIR CodeSystem or ValueSet object, found {}",
            resource.kind()
        )));
    }
    let kind = match resource.get("resourceType") {
        Some(Json::String(kind)) if kind == "CodeSystem" || kind == "ValueSet" => kind.clone(),
        Some(other) => {
            return Err(root.key("resourceType").invalid(format!(
                "expected \"CodeSystem\" or \"ValueSet\", found {}",
                json::to_json_text(other)
            )))
        }
        None => {
            return Err(root
                .key("resourceType")
                .invalid("expected \"CodeSystem\" or \"ValueSet\", found none"))
        }
    };
    let lang = match (options.params.get("lang"), resource.get("language")) {
        (Some(_), _) => json::param_lang(options)?,
        (None, Some(Json::String(language))) if !json::language_tag(language).is_empty() => {
            json::language_tag(language)
        }
        _ => "en".to_owned(),
    };
    let list_iri = match (options.params.get("iri"), string(&resource, "url", &root)?) {
        (Some(iri), _) => iri.clone(),
        (None, Some(url)) => url,
        (None, None) => format!("urn:semreg:fhir:{}", json::content_id(bytes)),
    };
    let mut list = CodeListBuilder::new(&list_iri)?;
    if let Some(version) = string(&resource, "version", &root)? {
        list.version_info(&version);
    }
    let name = string(&resource, "name", &root)?;
    if let Some(name) = &name {
        list.identifier(name);
    }
    if let Some(title) = string(&resource, "title", &root)?.or(name) {
        list.label(&lang, &title);
    }
    if let Some(description) = string(&resource, "description", &root)? {
        list.description(&lang, &description);
    }

    let mut reader = ConceptReader {
        list_iri: &list_iri,
        lang: &lang,
        seen: HashSet::new(),
        warnings: &mut warnings,
    };
    if kind == "CodeSystem" {
        if let Some(concepts) = resource.get("concept") {
            reader.concepts(&mut list, concepts, &root.key("concept"), None, 1)?;
        }
    } else if let Some(contains) = resource.get("expansion").and_then(|e| e.get("contains")) {
        let path = root.key("expansion").key("contains");
        reader.expansion(&mut list, contains, &path, None, 1)?;
    } else {
        let compose = root.key("compose");
        match resource.get("compose").and_then(|c| c.get("include")) {
            Some(Json::Array(includes)) => {
                for (at, include) in includes.iter().enumerate() {
                    let path = compose.key("include").index(at);
                    match include.get("concept") {
                        Some(concepts) => {
                            reader.concepts(&mut list, concepts, &path.key("concept"), None, 1)?
                        }
                        None => {
                            let what = include
                                .get("system")
                                .and_then(Json::as_str)
                                .map(|s| format!("all of {s}"))
                                .or_else(|| {
                                    include.get("valueSet").map(|v| {
                                        format!("the value sets {}", json::to_json_text(v))
                                    })
                                })
                                .unwrap_or_else(|| "codes by filter".to_owned());
                            reader.warnings.push(path.warning(format!(
                                "the value set includes {what} without listing the concepts; \
                                 those codes are not imported (import the code system itself)"
                            )));
                        }
                    }
                }
            }
            Some(other) => {
                return Err(compose.key("include").invalid(format!(
                    "expected an array of includes, found {}",
                    other.kind()
                )))
            }
            None => reader.warnings.push(root.warning(
                "the value set has neither an expansion nor compose.include: no codes imported",
            )),
        }
        if resource
            .get("compose")
            .and_then(|c| c.get("exclude"))
            .is_some()
        {
            reader.warnings.push(
                compose
                    .key("exclude")
                    .warning("compose.exclude is not applied"),
            );
        }
    }
    Ok((list.finish(), warnings))
}

/// An optional string field.
fn string(item: &Json, key: &str, path: &JsonPath) -> Result<Option<String>, ImportError> {
    match item.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(text)) if text.trim().is_empty() => Ok(None),
        Some(Json::String(text)) => Ok(Some(text.trim().to_owned())),
        Some(other) => Err(path
            .key(key)
            .invalid(format!("expected a string, found {}", other.kind()))),
    }
}

struct ConceptReader<'a> {
    list_iri: &'a str,
    lang: &'a str,
    seen: HashSet<String>,
    warnings: &'a mut Vec<ImportWarning>,
}

impl ConceptReader<'_> {
    /// Reads a `concept` array (CodeSystem or ValueSet include), children recursively.
    fn concepts(
        &mut self,
        list: &mut CodeListBuilder,
        concepts: &Json,
        path: &JsonPath,
        parent: Option<&CodeValue>,
        level: i64,
    ) -> Result<(), ImportError> {
        let Json::Array(items) = concepts else {
            return Err(path.invalid(format!(
                "expected an array of concepts, found {}",
                concepts.kind()
            )));
        };
        if level > MAX_DEPTH {
            return Err(path.invalid(format!(
                "concepts are nested deeper than {MAX_DEPTH} levels"
            )));
        }
        for (at, concept) in items.iter().enumerate() {
            let path = path.index(at);
            let Some(value) = self.start(concept, &path)? else {
                continue;
            };
            {
                let mut code = list.code(value.clone());
                self.details(&mut code, concept, &path, parent, level)?;
                code.done();
            }
            if let Some(children) = concept.get("concept") {
                self.concepts(
                    list,
                    children,
                    &path.key("concept"),
                    Some(&value),
                    level + 1,
                )?;
            }
        }
        Ok(())
    }

    /// Reads an `expansion.contains` array, children recursively.
    fn expansion(
        &mut self,
        list: &mut CodeListBuilder,
        contains: &Json,
        path: &JsonPath,
        parent: Option<&CodeValue>,
        level: i64,
    ) -> Result<(), ImportError> {
        let Json::Array(items) = contains else {
            return Err(path.invalid(format!(
                "expected an array of concepts, found {}",
                contains.kind()
            )));
        };
        if level > MAX_DEPTH {
            return Err(path.invalid(format!(
                "concepts are nested deeper than {MAX_DEPTH} levels"
            )));
        }
        for (at, item) in items.iter().enumerate() {
            let path = path.index(at);
            let abstract_only = matches!(item.get("abstract"), Some(Json::Bool(true)))
                && item.get("code").is_none();
            let value = if abstract_only {
                None
            } else {
                self.start(item, &path)?
            };
            if let Some(value) = &value {
                let mut code = list.code(value.clone());
                self.details(&mut code, item, &path, parent, level)?;
                code.done();
            }
            if let Some(children) = item.get("contains") {
                let parent = value.as_ref().or(parent);
                self.expansion(list, children, &path.key("contains"), parent, level + 1)?;
            }
        }
        Ok(())
    }

    /// The code of a concept, or `None` (with a warning) when it was seen before.
    fn start(&mut self, concept: &Json, path: &JsonPath) -> Result<Option<CodeValue>, ImportError> {
        if !matches!(concept, Json::Object(_)) {
            return Err(path.invalid(format!(
                "expected a concept object with \"code\", found {}",
                concept.kind()
            )));
        }
        let code = match concept.get("code") {
            Some(Json::String(code)) if !code.is_empty() => code.clone(),
            Some(other) => {
                return Err(path.key("code").invalid(format!(
                    "expected a non-empty code string, found {}",
                    json::to_json_text(other)
                )))
            }
            None => return Err(path.key("code").invalid("expected a code, found none")),
        };
        let value = CodeValue::String(code);
        if !self.seen.insert(code_iri(self.list_iri, &value)) {
            self.warnings.push(path.key("code").warning(format!(
                "the code {} appears more than once; only its first concept is kept",
                value.text()
            )));
            return Ok(None);
        }
        Ok(Some(value))
    }

    fn details(
        &mut self,
        code: &mut CodeBuilder<'_>,
        concept: &Json,
        path: &JsonPath,
        parent: Option<&CodeValue>,
        level: i64,
    ) -> Result<(), ImportError> {
        if let Some(display) = string(concept, "display", path)? {
            code.label(self.lang, &display);
        }
        if let Some(definition) = string(concept, "definition", path)? {
            code.description(self.lang, &definition);
        }
        if let Some(parent) = parent {
            code.parent(parent);
        }
        code.level(level);
        match concept.get("designation") {
            None | Some(Json::Null) => {}
            Some(Json::Array(designations)) => {
                for (at, designation) in designations.iter().enumerate() {
                    let path = path.key("designation").index(at);
                    let Some(value) = string(designation, "value", &path)? else {
                        continue;
                    };
                    let language = match designation.get("language").and_then(Json::as_str) {
                        Some(language) => json::language_tag(language),
                        None => self.lang.to_owned(),
                    };
                    let use_code = designation
                        .get("use")
                        .and_then(|u| u.get("code"))
                        .and_then(Json::as_str);
                    // SNOMED CT's "900000000000013009" is a synonym; a designation with no use
                    // in another language is that language's display.
                    if use_code.is_none() && language != self.lang {
                        code.label(&language, &value);
                    } else {
                        code.alt_label(&language, &value);
                    }
                }
            }
            Some(other) => {
                return Err(path.key("designation").invalid(format!(
                    "expected an array of designations, found {}",
                    other.kind()
                )))
            }
        }
        if let Some(Json::Array(properties)) = concept.get("property") {
            for property in properties {
                let name = property
                    .get("code")
                    .and_then(Json::as_str)
                    .unwrap_or_default();
                let code_value = property.get("valueCode").and_then(Json::as_str);
                let flag = matches!(property.get("valueBoolean"), Some(Json::Bool(true)));
                let retired = (name == "status" && code_value == Some("retired"))
                    || (name == "inactive" && flag);
                let deprecated = (name == "status" && code_value == Some("deprecated"))
                    || (name == "deprecated" && (flag || property.get("valueDateTime").is_some()));
                if retired {
                    code.status("retired");
                } else if deprecated {
                    code.status("deprecated");
                }
            }
        }
        if matches!(concept.get("inactive"), Some(Json::Bool(true))) {
            code.status("retired");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_concepts_become_children_with_levels() {
        let bytes = br#"{"resourceType":"CodeSystem","url":"http://e.org/cs","concept":[
            {"code":"a","display":"A","concept":[{"code":"a1","display":"A1",
              "designation":[{"language":"nb","value":"A en"}]}]}]}"#;
        let (triples, warnings) = to_triples(bytes, &ImportOptions::default()).expect("imports");
        assert!(warnings.is_empty(), "{warnings:?}");
        let nt: Vec<String> = triples.iter().map(ToString::to_string).collect();
        assert!(nt.iter().any(|t| t.contains("<http://e.org/cs/code/a1> <http://www.w3.org/2004/02/skos/core#broader> <http://e.org/cs/code/a>")));
        assert!(nt.iter().any(|t| t.contains("\"A en\"@nb")));
    }

    #[test]
    fn a_value_set_of_a_whole_system_warns() {
        let bytes = br#"{"resourceType":"ValueSet","url":"http://e.org/vs","compose":{"include":[{"system":"http://e.org/cs"}]}}"#;
        let (_, warnings) = to_triples(bytes, &ImportOptions::default()).expect("imports");
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            warnings[0].location.as_deref(),
            Some("$.compose.include[0]")
        );
    }
}
