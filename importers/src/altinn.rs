//! Importer for Altinn option lists: bytes to RDF triples (then resources via [`crate::rdf::finish`]).
//!
//! Two shapes are read, both giving one code list:
//! - the app format `[{"value", "label", "description"?, "helpText"?}]` served from an app's
//!   `App/options/{id}.json`, with `//` and `/* */` comments and trailing commas as Altinn
//!   accepts them; `value` may be a string, a number, a boolean or `null` and keeps its JSON type;
//!   labels may also be `{"nb": .., "en": ..}` objects (Studio's content library);
//! - the org library format `{"codes": [{"value", "label": {lang: text} | text, "description",
//!   "helpText", "tags"}], "version", "source", "tagNames"}`.
//!
//! Label texts that are text-resource keys (`colors.blue`) are kept as they are.
//!
//! Params: `iri` (the list's IRI), `lang` (language of plain-text labels, default `nb`),
//! `label` (the list's name, default the file stem), `alias`.
//! The list IRI is `params["iri"]`, else `urn:semreg:altinn:<file stem>`, else
//! `urn:semreg:altinn:<content hash>`.

use oxrdf::{Literal, Triple};

use self::json::{Json, JsonPath};
use crate::codelist::{terms, CodeListBuilder, CodeValue};
use crate::{ImportError, ImportOptions, ImportWarning};

/// The params this importer reads.
const PARAMS: &[&str] = &["iri", "lang", "label", "alias"];

/// Reads an Altinn option list (app or org library format) into triples plus warnings.
pub fn to_triples(
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<(Vec<Triple>, Vec<ImportWarning>), ImportError> {
    let mut warnings = json::unknown_params(options, PARAMS);
    let document = json::parse(bytes)?;
    let lang = json::param_lang(options)?;
    let root = JsonPath::root();
    let (codes, codes_path, library) = match &document {
        Json::Array(items) => (items.as_slice(), root.clone(), None),
        Json::Object(_) => match document.get("codes") {
            Some(Json::Array(items)) => (items.as_slice(), root.key("codes"), Some(&document)),
            Some(other) => {
                return Err(root.key("codes").invalid(format!(
                    "expected an array of codes, found {}",
                    other.kind()
                )))
            }
            None => {
                return Err(root.invalid(
                    "expected an array of options or an object with \"codes\" (Altinn's org \
                     library format), found an object without \"codes\"",
                ))
            }
        },
        other => {
            return Err(root.invalid(format!(
                "expected an array of options or an object with \"codes\", found {}",
                other.kind()
            )))
        }
    };

    let stem = json::file_stem(options);
    let list_iri = match options.params.get("iri") {
        Some(iri) => iri.clone(),
        None => match &stem {
            Some(stem) => format!("urn:semreg:altinn:{}", crate::codelist::iri_segment(stem)),
            None => format!("urn:semreg:altinn:{}", json::content_id(bytes)),
        },
    };
    let mut list = CodeListBuilder::new(&list_iri)?;
    list.describe_from(&options.params, stem.as_deref());
    if let Some(library) = library {
        read_library_facts(library, &mut list, &mut warnings)?;
    }

    let mut seen = std::collections::HashSet::new();
    for (at, item) in codes.iter().enumerate() {
        let path = codes_path.index(at);
        let Json::Object(_) = item else {
            return Err(path.invalid(format!(
                "expected an option object with \"value\" and \"label\", found {}",
                item.kind()
            )));
        };
        let value_path = path.key("value");
        let value = match item.get("value") {
            Some(value) => code_value(value, &value_path)?,
            None => return Err(value_path.invalid("expected a value, found none")),
        };
        if !seen.insert(crate::codelist::code_iri(&list_iri, &value)) {
            warnings.push(value_path.warning(format!(
                "the value {} appears more than once; only its first option is kept",
                value.text()
            )));
            continue;
        }
        let mut code = list.code(value);
        match item.get("label") {
            Some(label) => {
                for (language, text) in texts(label, &path.key("label"), &lang)? {
                    code.label(&language, &text);
                }
            }
            None => warnings.push(path.warning("the option has no label")),
        }
        if let Some(description) = item.get("description") {
            for (language, text) in texts(description, &path.key("description"), &lang)? {
                code.description(&language, &text);
            }
        }
        if let Some(help) = item.get("helpText") {
            for (language, text) in texts(help, &path.key("helpText"), &lang)? {
                code.help_text(&language, &text);
            }
        }
        if let Some(tags) = item.get("tags") {
            let tags_path = path.key("tags");
            let Json::Array(values) = tags else {
                return Err(
                    tags_path.invalid(format!("expected an array of tags, found {}", tags.kind()))
                );
            };
            code.other(
                terms::ALTINN_TAGS,
                Literal::new_simple_literal(json::to_json_text(&Json::Array(values.clone()))),
            );
        }
        code.done();
    }
    Ok((list.finish(), warnings))
}

/// The list-level facts of the org library format: version, source and tag names.
fn read_library_facts(
    library: &Json,
    list: &mut CodeListBuilder,
    warnings: &mut Vec<ImportWarning>,
) -> Result<(), ImportError> {
    let root = JsonPath::root();
    match library.get("version") {
        Some(Json::String(version)) => list.version_info(version),
        Some(Json::Number(version)) => list.version_info(&version.to_string()),
        Some(Json::Null) | None => {}
        Some(other) => warnings.push(root.key("version").warning(format!(
            "expected a version string, found {}; ignored",
            other.kind()
        ))),
    }
    if let Some(Json::Object(_)) = library.get("source") {
        if let Some(Json::String(name)) = library.get("source").and_then(|s| s.get("name")) {
            list.fact(terms::SOURCE, Literal::new_simple_literal(name));
        }
    }
    if let Some(tag_names) = library.get("tagNames") {
        let Json::Array(_) = tag_names else {
            return Err(root.key("tagNames").invalid(format!(
                "expected an array of tag names, found {}",
                tag_names.kind()
            )));
        };
        list.fact(
            terms::ALTINN_TAG_NAMES,
            Literal::new_simple_literal(json::to_json_text(tag_names)),
        );
    }
    Ok(())
}

/// An option's value, keeping its JSON type.
fn code_value(value: &Json, path: &JsonPath) -> Result<CodeValue, ImportError> {
    json::code_value(value).ok_or_else(|| {
        path.invalid(format!(
            "expected a string, number, boolean or null value, found {}",
            value.kind()
        ))
    })
}

/// The texts of a label, description or help text: a plain string in the default language,
/// or an object of language to text. Empty texts are kept: they are what the publisher sent, and
/// an option list must come back as it was written.
fn texts(value: &Json, path: &JsonPath, lang: &str) -> Result<Vec<(String, String)>, ImportError> {
    match value {
        Json::String(text) => Ok(vec![(lang.to_owned(), text.clone())]),
        Json::Null => Ok(Vec::new()),
        Json::Object(entries) => {
            let mut out = Vec::new();
            for (language, text) in entries {
                match text {
                    Json::String(text) => out.push((json::language_tag(language), text.clone())),
                    Json::Null => {}
                    other => {
                        return Err(path
                            .key(language)
                            .invalid(format!("expected a text, found {}", other.kind())))
                    }
                }
            }
            Ok(out)
        }
        other => Err(path.invalid(format!(
            "expected a text or an object of language to text, found {}",
            other.kind()
        ))),
    }
}

/// JSON reading shared by the JSON-based importers (Altinn, Klass, FHIR, JSON Schema):
/// UTF-8 and syntax errors with their line and column, comments and trailing commas as Altinn
/// accepts them, objects that keep their key order, and JSON paths for shape errors.
pub(crate) mod json {
    use std::fmt;

    use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    use sha2::{Digest, Sha256};

    use crate::{ImportError, ImportOptions, ImportWarning};

    /// A JSON value whose objects keep their keys in document order.
    #[derive(Debug, Clone, PartialEq)]
    pub(crate) enum Json {
        Null,
        Bool(bool),
        Number(serde_json::Number),
        String(String),
        Array(Vec<Json>),
        Object(Vec<(String, Json)>),
    }

    impl Json {
        /// The value of a key of an object (the last one if the key is repeated).
        pub(crate) fn get(&self, key: &str) -> Option<&Json> {
            match self {
                Json::Object(entries) => {
                    entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
                }
                _ => None,
            }
        }

        /// The text of a string value.
        pub(crate) fn as_str(&self) -> Option<&str> {
            match self {
                Json::String(text) => Some(text),
                _ => None,
            }
        }

        /// What kind of value this is, for messages.
        pub(crate) fn kind(&self) -> &'static str {
            match self {
                Json::Null => "null",
                Json::Bool(_) => "a boolean",
                Json::Number(_) => "a number",
                Json::String(_) => "a string",
                Json::Array(_) => "an array",
                Json::Object(_) => "an object",
            }
        }
    }

    impl<'de> Deserialize<'de> for Json {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_any(JsonVisitor)
        }
    }

    struct JsonVisitor;

    impl<'de> Visitor<'de> for JsonVisitor {
        type Value = Json;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
            Ok(Json::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
            Ok(Json::Number(v.into()))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
            Ok(Json::Number(v.into()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
            serde_json::Number::from_f64(v)
                .map(Json::Number)
                .ok_or_else(|| E::custom("number out of range"))
        }
        fn visit_str<E>(self, v: &str) -> Result<Json, E> {
            Ok(Json::String(v.to_owned()))
        }
        fn visit_string<E>(self, v: String) -> Result<Json, E> {
            Ok(Json::String(v))
        }
        fn visit_unit<E>(self) -> Result<Json, E> {
            Ok(Json::Null)
        }
        fn visit_none<E>(self) -> Result<Json, E> {
            Ok(Json::Null)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
            Json::deserialize(d)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element()? {
                items.push(item);
            }
            Ok(Json::Array(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
            let mut entries = Vec::new();
            while let Some((key, value)) = map.next_entry::<String, Json>()? {
                entries.push((key, value));
            }
            Ok(Json::Object(entries))
        }
    }

    /// Writes a value back as compact JSON text.
    pub(crate) fn to_json_text(value: &Json) -> String {
        fn write(value: &Json, out: &mut String) {
            match value {
                Json::Null => out.push_str("null"),
                Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Json::Number(n) => out.push_str(&n.to_string()),
                Json::String(s) => out.push_str(&serde_json::Value::String(s.clone()).to_string()),
                Json::Array(items) => {
                    out.push('[');
                    for (at, item) in items.iter().enumerate() {
                        if at > 0 {
                            out.push(',');
                        }
                        write(item, out);
                    }
                    out.push(']');
                }
                Json::Object(entries) => {
                    out.push('{');
                    for (at, (key, item)) in entries.iter().enumerate() {
                        if at > 0 {
                            out.push(',');
                        }
                        out.push_str(&serde_json::Value::String(key.clone()).to_string());
                        out.push(':');
                        write(item, out);
                    }
                    out.push('}');
                }
            }
        }
        let mut out = String::new();
        write(value, &mut out);
        out
    }

    /// Parses JSON bytes (UTF-8, optional BOM, comments and trailing commas allowed).
    pub(crate) fn parse(bytes: &[u8]) -> Result<Json, ImportError> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let (line, column) = position_of(bytes, e.valid_up_to());
            ImportError::Invalid {
                location: format!("line {line}, column {column}"),
                message: "invalid UTF-8: expected a UTF-8 encoded JSON file".to_owned(),
            }
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let cleaned = strip_comments_and_trailing_commas(text);
        serde_json::from_str::<Json>(&cleaned).map_err(|e| ImportError::Invalid {
            location: format!("line {}, column {}", e.line(), e.column()),
            message: format!("invalid JSON: {e}"),
        })
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub(crate) fn position_of(bytes: &[u8], offset: usize) -> (usize, usize) {
        let before = &bytes[..offset.min(bytes.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |at| at + 1);
        let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
        (line, column)
    }

    /// Replaces `//` and `/* */` comments and trailing commas by spaces (newlines kept, so
    /// line and column numbers stay those of the original text). Strings are left alone.
    pub(crate) fn strip_comments_and_trailing_commas(text: &str) -> String {
        let mut bytes = text.as_bytes().to_vec();
        let mut at = 0;
        let mut in_string = false;
        while at < bytes.len() {
            let b = bytes[at];
            if in_string {
                match b {
                    b'\\' => at += 1,
                    b'"' => in_string = false,
                    _ => {}
                }
                at += 1;
                continue;
            }
            match (b, bytes.get(at + 1)) {
                (b'"', _) => in_string = true,
                (b'/', Some(b'/')) => {
                    while at < bytes.len() && bytes[at] != b'\n' {
                        bytes[at] = b' ';
                        at += 1;
                    }
                    continue;
                }
                (b'/', Some(b'*')) => {
                    let end = bytes[at + 2..]
                        .windows(2)
                        .position(|w| w == b"*/")
                        .map_or(bytes.len(), |p| at + 2 + p + 2);
                    for byte in &mut bytes[at..end] {
                        if *byte != b'\n' {
                            *byte = b' ';
                        }
                    }
                    at = end;
                    continue;
                }
                _ => {}
            }
            at += 1;
        }
        // Trailing commas, now that comments are blank.
        let mut in_string = false;
        let mut at = 0;
        while at < bytes.len() {
            let b = bytes[at];
            if in_string {
                match b {
                    b'\\' => at += 1,
                    b'"' => in_string = false,
                    _ => {}
                }
            } else if b == b'"' {
                in_string = true;
            } else if b == b',' {
                let next = bytes[at + 1..].iter().find(|c| !c.is_ascii_whitespace());
                if matches!(next, Some(b']' | b'}')) {
                    bytes[at] = b' ';
                }
            }
            at += 1;
        }
        // Only ASCII bytes outside strings were replaced by ASCII spaces: still UTF-8.
        String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// A JSON path such as `$.codes[3].value`, for error locations.
    #[derive(Debug, Clone)]
    pub(crate) struct JsonPath(String);

    impl JsonPath {
        /// The document itself, `$`.
        pub(crate) fn root() -> Self {
            JsonPath("$".to_owned())
        }

        /// A key of the object at this path.
        pub(crate) fn key(&self, key: &str) -> Self {
            let plain = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '@' | '-'));
            if plain {
                JsonPath(format!("{}.{key}", self.0))
            } else {
                JsonPath(format!(
                    "{}[{}]",
                    self.0,
                    serde_json::Value::String(key.to_owned())
                ))
            }
        }

        /// An item of the array at this path.
        pub(crate) fn index(&self, index: usize) -> Self {
            JsonPath(format!("{}[{index}]", self.0))
        }

        /// The path as text.
        #[cfg(test)]
        pub(crate) fn as_str(&self) -> &str {
            &self.0
        }

        /// An error at this path.
        pub(crate) fn invalid(&self, message: impl Into<String>) -> ImportError {
            ImportError::Invalid {
                location: self.0.clone(),
                message: message.into(),
            }
        }

        /// A warning at this path.
        pub(crate) fn warning(&self, message: impl Into<String>) -> ImportWarning {
            ImportWarning {
                location: Some(self.0.clone()),
                message: message.into(),
            }
        }
    }

    /// A short id derived from the content: the first 16 bytes of its SHA-256, in hex.
    pub(crate) fn content_id(bytes: &[u8]) -> String {
        let digest = Sha256::digest(bytes);
        crate::canonical::hex_lower(&digest[..16])
    }

    /// The file name without folders and without its last extension (`.schema.json` too).
    pub(crate) fn file_stem(options: &ImportOptions) -> Option<String> {
        let name = options.file_name.as_deref()?;
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let stem = base
            .strip_suffix(".schema.json")
            .or_else(|| base.rsplit_once('.').map(|(stem, _)| stem))
            .unwrap_or(base);
        (!stem.is_empty()).then(|| stem.to_owned())
    }

    /// A language tag from a source, lowercased; `""` when it is not a plausible tag.
    pub(crate) fn language_tag(text: &str) -> String {
        let tag = text.trim().to_ascii_lowercase().replace('_', "-");
        let plausible = !tag.is_empty()
            && tag.len() <= 35
            && tag.split('-').all(|part| {
                !part.is_empty()
                    && part.len() <= 8
                    && part.chars().all(|c| c.is_ascii_alphanumeric())
            });
        if plausible {
            tag
        } else {
            String::new()
        }
    }

    /// The language of plain-text labels: `params["lang"]`, default `nb`.
    /// A JSON scalar as a code value, keeping its JSON type; `None` for arrays and objects.
    pub(crate) fn code_value(value: &Json) -> Option<crate::codelist::CodeValue> {
        use crate::codelist::CodeValue;
        Some(match value {
            Json::String(text) => CodeValue::String(text.clone()),
            Json::Bool(flag) => CodeValue::Boolean(*flag),
            Json::Null => CodeValue::Null,
            Json::Number(number) => match number.as_i64() {
                Some(integer) => CodeValue::Integer(integer),
                None => CodeValue::Decimal(number.to_string()),
            },
            _ => return None,
        })
    }

    pub(crate) fn param_lang(options: &ImportOptions) -> Result<String, ImportError> {
        match options.params.get("lang") {
            None => Ok("nb".to_owned()),
            Some(lang) => {
                let tag = language_tag(lang);
                if tag.is_empty() {
                    Err(ImportError::Invalid {
                        location: "param lang".to_owned(),
                        message: format!(
                            "expected a language tag such as nb, nn or en, found {lang:?}"
                        ),
                    })
                } else {
                    Ok(tag)
                }
            }
        }
    }

    /// Warnings for params an importer does not read (they are ignored).
    pub(crate) fn unknown_params(options: &ImportOptions, allowed: &[&str]) -> Vec<ImportWarning> {
        options
            .params
            .keys()
            .filter(|key| !allowed.contains(&key.as_str()))
            .map(|key| ImportWarning {
                location: Some(format!("param {key}")),
                message: if allowed.is_empty() {
                    format!("unknown param {key:?} ignored; this format takes no params")
                } else {
                    format!(
                        "unknown param {key:?} ignored; this format reads: {}",
                        allowed.join(", ")
                    )
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::json::*;

    #[test]
    fn comments_and_trailing_commas_are_blanked_but_strings_kept() {
        let text = "[\n  // note\n  {\"a\": \"x // y, ]\", /* b */ \"b\": 1,},\n]";
        let cleaned = strip_comments_and_trailing_commas(text);
        assert_eq!(cleaned.len(), text.len());
        assert_eq!(cleaned.lines().count(), text.lines().count());
        let value: serde_json::Value = serde_json::from_str(&cleaned).expect("valid JSON");
        assert_eq!(value[0]["a"], "x // y, ]");
        assert_eq!(value[0]["b"], 1);
    }

    #[test]
    fn objects_keep_their_key_order() {
        let value = parse(br#"{"z": 1, "a": 2}"#).expect("valid");
        let Json::Object(entries) = value else {
            panic!("object")
        };
        assert_eq!(entries[0].0, "z");
    }

    #[test]
    fn json_paths_quote_odd_keys() {
        let path = JsonPath::root().key("codes").index(3).key("a b");
        assert_eq!(path.as_str(), "$.codes[3][\"a b\"]");
    }
}
