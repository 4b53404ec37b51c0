//! The input formats semreg reads, their names and media types, and telling them from a file.
//!
//! Detection looks at the file name's extension first and at the content otherwise. Generic
//! containers (`.json`, `.xml`) are only claimed when the content shows it is RDF (JSON-LD
//! keywords, the RDF/XML namespace), so that other JSON and XML importers can claim the rest.

use std::fmt;

/// An input format an importer can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RDF 1.1 Turtle.
    Turtle,
    /// RDF/XML.
    RdfXml,
    /// JSON-LD 1.1 (expanded, compacted or flattened; remote contexts are not fetched).
    JsonLd,
    /// N-Triples.
    NTriples,
    /// N-Quads (graph names are ignored; the triples are kept).
    NQuads,
    /// A SERES or Altinn II OR XML Schema (XSD): one information model.
    Seres,
    /// SSB Klass codes / codesAt JSON: one code list.
    Klass,
    /// Altinn option lists: the app format `[{value,label,...}]` or the org library format.
    AltinnOptions,
    /// A CSV code list (header-driven).
    Csv,
    /// JSON Schema (draft 2020-12 or draft-07): object types, enums as code lists.
    JsonSchema,
    /// FHIR CodeSystem or ValueSet JSON: one code list.
    Fhir,
    /// A correspondence between two code lists: Klass correspondence JSON or CSV
    /// (sourceCode, targetCode, validFrom, validTo); params `source`, `target`.
    Correspondence,
}

impl Format {
    /// Every name accepted on the command line and in the API, `auto` meaning "detect".
    pub const NAMES: &'static [&'static str] = &[
        "auto",
        "turtle",
        "rdfxml",
        "jsonld",
        "ntriples",
        "nquads",
        "seres",
        "klass",
        "altinn-options",
        "csv",
        "jsonschema",
        "fhir",
        "correspondence",
    ];

    /// Every spelling [`Format::parse`] takes in lowercase: the names and their aliases.
    pub const SPELLINGS: &'static [&'static str] = &[
        "auto",
        "turtle",
        "ttl",
        "rdfxml",
        "rdf",
        "xml",
        "rdf/xml",
        "rdf-xml",
        "jsonld",
        "json-ld",
        "ntriples",
        "nt",
        "n-triples",
        "nquads",
        "nq",
        "n-quads",
        "seres",
        "xsd",
        "klass",
        "altinn-options",
        "altinn",
        "csv",
        "jsonschema",
        "json-schema",
        "fhir",
        "correspondence",
    ];

    /// The canonical name of the format (one of [`Format::NAMES`]).
    pub fn name(self) -> &'static str {
        match self {
            Format::Turtle => "turtle",
            Format::RdfXml => "rdfxml",
            Format::JsonLd => "jsonld",
            Format::NTriples => "ntriples",
            Format::NQuads => "nquads",
            Format::Seres => "seres",
            Format::Klass => "klass",
            Format::AltinnOptions => "altinn-options",
            Format::Csv => "csv",
            Format::JsonSchema => "jsonschema",
            Format::Fhir => "fhir",
            Format::Correspondence => "correspondence",
        }
    }

    /// Parses a format name (case-insensitive), accepting common aliases; `auto` gives `None`.
    pub fn parse(name: &str) -> Option<Format> {
        match name.trim().to_ascii_lowercase().as_str() {
            "turtle" | "ttl" => Some(Format::Turtle),
            "rdfxml" | "rdf" | "xml" | "rdf/xml" | "rdf-xml" => Some(Format::RdfXml),
            "jsonld" | "json-ld" => Some(Format::JsonLd),
            "ntriples" | "nt" | "n-triples" => Some(Format::NTriples),
            "nquads" | "nq" | "n-quads" => Some(Format::NQuads),
            "seres" | "xsd" => Some(Format::Seres),
            "klass" => Some(Format::Klass),
            "altinn-options" | "altinn" => Some(Format::AltinnOptions),
            "csv" => Some(Format::Csv),
            "jsonschema" | "json-schema" => Some(Format::JsonSchema),
            "fhir" => Some(Format::Fhir),
            "correspondence" => Some(Format::Correspondence),
            _ => None,
        }
    }

    /// The IANA media type of the format.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Turtle => "text/turtle",
            Format::RdfXml => "application/rdf+xml",
            Format::JsonLd => "application/ld+json",
            Format::NTriples => "application/n-triples",
            Format::NQuads => "application/n-quads",
            Format::Seres => "application/xml",
            Format::Klass | Format::AltinnOptions => "application/json",
            Format::Csv => "text/csv",
            Format::JsonSchema => "application/schema+json",
            Format::Fhir => "application/fhir+json",
            Format::Correspondence => "application/json",
        }
    }

    /// The format of a media type (parameters such as `charset` are ignored).
    pub fn from_media_type(media_type: &str) -> Option<Format> {
        let essence = media_type.split(';').next().unwrap_or_default();
        match essence.trim().to_ascii_lowercase().as_str() {
            "text/turtle" | "application/x-turtle" => Some(Format::Turtle),
            "application/rdf+xml" => Some(Format::RdfXml),
            "application/ld+json" => Some(Format::JsonLd),
            "application/n-triples" => Some(Format::NTriples),
            "application/n-quads" => Some(Format::NQuads),
            "text/csv" => Some(Format::Csv),
            "application/schema+json" => Some(Format::JsonSchema),
            "application/fhir+json" => Some(Format::Fhir),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The RDF namespace, whose presence marks XML as RDF/XML.
const RDF_NAMESPACE: &[u8] = b"http://www.w3.org/1999/02/22-rdf-syntax-ns#";

/// How many bytes of content are looked at when sniffing.
const SNIFF_LIMIT: usize = 64 * 1024;

/// Tells the format of a file from its name (extension) and, failing that, its content.
///
/// Specific extensions decide alone (`.ttl`, `.rdf`, `.xsd`, `.csv`, ...). Generic containers are
/// sniffed: `.json` is JSON-LD, FHIR, JSON Schema, SSB Klass or an Altinn option list by its
/// structure (see [`sniff_json`]); `.xml` is RDF/XML or an XML Schema (SERES). Returns `None` when
/// the input is recognisably none of the formats semreg reads.
pub fn detect_format(file_name: Option<&str>, bytes: &[u8]) -> Option<Format> {
    if let Some(extension) = file_name.and_then(extension) {
        match extension.as_str() {
            "ttl" | "turtle" => return Some(Format::Turtle),
            "rdf" | "owl" => return Some(Format::RdfXml),
            "xml" => return sniff_xml(bytes),
            "xsd" => return Some(Format::Seres),
            "csv" | "tsv" => return Some(Format::Csv),
            "jsonld" => return Some(Format::JsonLd),
            "json" => return sniff_json(bytes),
            "nt" => return Some(Format::NTriples),
            "nq" => return Some(Format::NQuads),
            _ => {}
        }
    }
    sniff(bytes)
}

/// How large a JSON file may be for its structure to be parsed when sniffing; larger files are
/// told by their first bytes only.
const JSON_PARSE_LIMIT: usize = 32 * 1024 * 1024;

/// Tells which JSON-based format a JSON text is, by its structure:
///
/// | structure | format |
/// |---|---|
/// | `@context` / `@graph` / `@id` keys | JSON-LD |
/// | `"resourceType": "CodeSystem"` or `"ValueSet"` | FHIR |
/// | `"$schema"` naming json-schema.org, or `$defs` / `definitions` with `properties`, or `"type": "object"` with `properties` | JSON Schema |
/// | `{"codes": [{"code", "name" or "presentationName", ..}]}` | SSB Klass |
/// | `{"codes": [{"value", ..}]}` | Altinn org library code list |
/// | `[{"value", "label", ..}]` (comments and trailing commas allowed) | Altinn app options |
/// | `{"correspondenceMaps": [..]}` | SSB Klass correspondence table |
pub fn sniff_json(bytes: &[u8]) -> Option<Format> {
    use crate::altinn::json::{self, Json};
    if bytes.len() > JSON_PARSE_LIMIT {
        return looks_like_json_ld(bytes).then_some(Format::JsonLd);
    }
    let Ok(document) = json::parse(bytes) else {
        // Not JSON (or not whole): only the JSON-LD keywords can tell.
        return looks_like_json_ld(bytes).then_some(Format::JsonLd);
    };
    let is_json_ld_node = |node: &Json| {
        ["@context", "@graph", "@id"]
            .iter()
            .any(|k| node.get(k).is_some())
    };
    let first_object = |items: &[Json]| {
        items
            .first()
            .filter(|i| matches!(i, Json::Object(_)))
            .cloned()
    };
    match &document {
        Json::Object(_) => {
            if is_json_ld_node(&document) {
                return Some(Format::JsonLd);
            }
            if let Some(Json::String(kind)) = document.get("resourceType") {
                return matches!(kind.as_str(), "CodeSystem" | "ValueSet").then_some(Format::Fhir);
            }
            let schema_uri = document.get("$schema").and_then(Json::as_str);
            let has_properties = contains(head(bytes), b"\"properties\"");
            let has_defs = matches!(document.get("$defs"), Some(Json::Object(_)))
                || matches!(document.get("definitions"), Some(Json::Object(_)));
            let is_object_schema = document.get("type").and_then(Json::as_str) == Some("object")
                && matches!(document.get("properties"), Some(Json::Object(_)));
            if schema_uri.is_some_and(|uri| uri.contains("json-schema.org"))
                || (has_defs && has_properties)
                || is_object_schema
            {
                return Some(Format::JsonSchema);
            }
            if let Some(Json::Array(_)) = document.get("correspondenceMaps") {
                return Some(Format::Correspondence);
            }
            if let Some(Json::Array(codes)) = document.get("codes") {
                let first = first_object(codes)?;
                if first.get("code").is_some()
                    && (first.get("name").is_some() || first.get("presentationName").is_some())
                {
                    return Some(Format::Klass);
                }
                if first.get("value").is_some() {
                    return Some(Format::AltinnOptions);
                }
            }
            None
        }
        Json::Array(items) => {
            if items.iter().any(is_json_ld_node) {
                return Some(Format::JsonLd);
            }
            let options = !items.is_empty()
                && items
                    .iter()
                    .all(|item| matches!(item, Json::Object(_)) && item.get("value").is_some())
                && items.iter().any(|item| item.get("label").is_some());
            options.then_some(Format::AltinnOptions)
        }
        _ => None,
    }
}

/// XML is RDF/XML with the RDF namespace, a SERES / XML Schema when its root is `xs:schema`.
fn sniff_xml(bytes: &[u8]) -> Option<Format> {
    if looks_like_rdf_xml(bytes) {
        Some(Format::RdfXml)
    } else if looks_like_xsd(bytes) {
        Some(Format::Seres)
    } else {
        None
    }
}

/// Whether XML's root element is an XML Schema `schema` (any prefix) in the XSD namespace.
fn looks_like_xsd(bytes: &[u8]) -> bool {
    crate::seres::looks_like_xsd(bytes)
}

/// The lowercased extension of the last path segment of a file name.
fn extension(file_name: &str) -> Option<String> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let (stem, extension) = base.rsplit_once('.')?;
    (!stem.is_empty() && !extension.is_empty()).then(|| extension.to_ascii_lowercase())
}

/// The first bytes of the content, without a UTF-8 byte order mark.
fn head(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    &bytes[..bytes.len().min(SNIFF_LIMIT)]
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn looks_like_json_ld(bytes: &[u8]) -> bool {
    let head = head(bytes);
    [&b"\"@context\""[..], b"\"@graph\"", b"\"@id\""]
        .iter()
        .any(|keyword| contains(head, keyword))
}

fn looks_like_rdf_xml(bytes: &[u8]) -> bool {
    let head = head(bytes);
    contains(head, RDF_NAMESPACE) || contains(head, b"<rdf:RDF")
}

/// Skips whitespace and `#` line comments; returns the rest.
fn skip_blank_and_comments(mut text: &[u8]) -> &[u8] {
    loop {
        text = text.trim_ascii_start();
        match text.first() {
            Some(b'#') => {
                let end = text.iter().position(|&b| b == b'\n').unwrap_or(text.len());
                text = &text[end..];
            }
            _ => return text,
        }
    }
}

/// Skips whitespace, XML comments, the XML declaration and processing instructions.
fn skip_xml_prolog(mut text: &[u8]) -> &[u8] {
    loop {
        text = text.trim_ascii_start();
        let close: &[u8] = if text.starts_with(b"<!--") {
            b"-->"
        } else if text.starts_with(b"<?") {
            b"?>"
        } else {
            return text;
        };
        match text.windows(close.len()).position(|w| w == close) {
            Some(at) => text = &text[at + close.len()..],
            None => return &[],
        }
    }
}

fn sniff(bytes: &[u8]) -> Option<Format> {
    let head = head(bytes);
    let text = skip_blank_and_comments(head);
    match text.first()? {
        b'{' => return sniff_json(bytes),
        b'[' => {
            // A JSON array, or a Turtle blank node / collection.
            if let Some(format) = sniff_json(bytes) {
                return Some(format);
            }
            if bytes.len() <= JSON_PARSE_LIMIT && crate::altinn::json::parse(bytes).is_ok() {
                return None; // JSON, but of no shape semreg reads
            }
        }
        b'<' if text.starts_with(b"<?xml") || text.starts_with(b"<!--") => {
            return sniff_xml(bytes);
        }
        _ => {}
    }
    if skip_xml_prolog(text).starts_with(b"<rdf:RDF") {
        return Some(Format::RdfXml);
    }
    if text.starts_with(b"<") && looks_like_xsd(head) {
        return Some(Format::Seres);
    }
    let lower: Vec<u8> = text.iter().take(8).map(u8::to_ascii_lowercase).collect();
    if text.starts_with(b"@prefix") || text.starts_with(b"@base") {
        return Some(Format::Turtle);
    }
    if lower.starts_with(b"prefix") || lower.starts_with(b"base") {
        return Some(Format::Turtle);
    }
    if let Some(format) = sniff_line_based(head) {
        return Some(format);
    }
    looks_like_turtle_statement(text).then_some(Format::Turtle)
}

/// Whether the text starts like a Turtle statement: an IRI, a blank node or a prefixed name.
fn looks_like_turtle_statement(text: &[u8]) -> bool {
    match text.first() {
        Some(b'<') | Some(b'[') | Some(b'(') => true,
        Some(b'_') => text.get(1) == Some(&b':'),
        Some(c) if c.is_ascii_alphabetic() || *c == b':' => {
            let name_end = text
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))
                .unwrap_or(text.len());
            text.get(name_end) == Some(&b':')
        }
        _ => false,
    }
}

/// Recognises N-Triples / N-Quads: every sampled statement line is `term term term [term] .`.
fn sniff_line_based(head: &[u8]) -> Option<Format> {
    let text = std::str::from_utf8(head).ok().or_else(|| {
        // The sample may end inside a multi-byte character: cut back to a boundary.
        let valid = std::str::from_utf8(head)
            .err()
            .map(|e| e.valid_up_to())
            .unwrap_or(0);
        std::str::from_utf8(&head[..valid]).ok()
    })?;
    let mut lines = text.lines().collect::<Vec<_>>();
    if head.len() == SNIFF_LIMIT {
        lines.pop(); // possibly cut short
    }
    let mut statements = 0;
    let mut quads = false;
    for line in lines.iter().take(200) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match count_line_terms(line) {
            Some(3) => {}
            Some(4) => quads = true,
            _ => return None,
        }
        statements += 1;
    }
    (statements > 0).then_some(if quads {
        Format::NQuads
    } else {
        Format::NTriples
    })
}

/// Counts the terms of one N-Triples/N-Quads statement, or `None` if the line is not one.
fn count_line_terms(line: &str) -> Option<usize> {
    let mut rest = line;
    let mut terms = 0;
    loop {
        rest = rest.trim_start();
        if rest == "." || rest.starts_with(". ") || rest.starts_with(".#") {
            return (terms >= 3).then_some(terms);
        }
        if terms >= 4 {
            return None;
        }
        rest = if let Some(iri) = rest.strip_prefix('<') {
            &iri[iri.find('>')? + 1..]
        } else if let Some(label) = rest.strip_prefix("_:") {
            let end = label
                .find(|c: char| c.is_whitespace())
                .unwrap_or(label.len());
            &label[end..]
        } else if let Some(literal) = rest.strip_prefix('"') {
            if terms != 2 {
                return None;
            }
            let mut escaped = false;
            let mut end = None;
            for (at, c) in literal.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(at);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let after = &literal[end? + 1..];
            if let Some(datatype) = after.strip_prefix("^^<") {
                &datatype[datatype.find('>')? + 1..]
            } else if let Some(language) = after.strip_prefix('@') {
                let end = language
                    .find(|c: char| c.is_whitespace() || c == '.')
                    .unwrap_or(language.len());
                &language[end..]
            } else {
                after
            }
        } else {
            return None;
        };
        terms += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_spelling_parses_and_every_name_is_listed() {
        for spelling in Format::SPELLINGS.iter().filter(|s| **s != "auto") {
            assert!(Format::parse(spelling).is_some(), "{spelling}");
        }
        for name in Format::NAMES {
            assert!(Format::SPELLINGS.contains(name), "{name}");
        }
    }

    #[test]
    fn names_parse_back_to_their_format() {
        for name in Format::NAMES.iter().skip(1) {
            let format = Format::parse(name).expect("known name");
            assert_eq!(format.to_string(), *name);
        }
        assert_eq!(Format::parse("auto"), None);
        assert_eq!(Format::parse("TTL"), Some(Format::Turtle));
        assert_eq!(Format::parse("json-ld"), Some(Format::JsonLd));
        assert_eq!(Format::parse("xml"), Some(Format::RdfXml));
        assert_eq!(Format::parse("nt"), Some(Format::NTriples));
    }

    #[test]
    fn media_types_round_trip_and_ignore_parameters() {
        for format in [
            Format::Turtle,
            Format::RdfXml,
            Format::JsonLd,
            Format::NTriples,
            Format::NQuads,
        ] {
            assert_eq!(Format::from_media_type(format.media_type()), Some(format));
        }
        assert_eq!(
            Format::from_media_type("Text/Turtle; charset=utf-8"),
            Some(Format::Turtle)
        );
        assert_eq!(Format::from_media_type("application/json"), None);
    }

    #[test]
    fn extension_decides_when_it_is_specific() {
        assert_eq!(detect_format(Some("a/b.TTL"), b""), Some(Format::Turtle));
        assert_eq!(detect_format(Some("x.owl"), b""), Some(Format::RdfXml));
        assert_eq!(detect_format(Some("x.jsonld"), b""), Some(Format::JsonLd));
        assert_eq!(detect_format(Some("x.nq"), b""), Some(Format::NQuads));
    }

    #[test]
    fn json_files_are_json_ld_only_with_json_ld_keywords() {
        assert_eq!(
            detect_format(Some("x.json"), br#"{"@context": {}, "@id": "x"}"#),
            Some(Format::JsonLd)
        );
        assert_eq!(detect_format(Some("x.json"), br#"{"codes": []}"#), None);
        assert_eq!(detect_format(None, br#"{"codes": []}"#), None);
    }

    #[test]
    fn xml_files_are_rdf_xml_with_the_rdf_namespace_and_seres_with_an_xsd_root() {
        let rdf = br#"<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>"#;
        assert_eq!(detect_format(Some("x.xml"), rdf), Some(Format::RdfXml));
        assert_eq!(detect_format(None, rdf), Some(Format::RdfXml));
        let xsd =
            br#"<?xml version="1.0"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>"#;
        assert_eq!(detect_format(Some("x.xml"), xsd), Some(Format::Seres));
        assert_eq!(detect_format(None, xsd), Some(Format::Seres));
        let bare = br#"<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"></xsd:schema>"#;
        assert_eq!(detect_format(None, bare), Some(Format::Seres));
        let other = br#"<?xml version="1.0"?><note xmlns="urn:x"/>"#;
        assert_eq!(detect_format(Some("x.xml"), other), None);
    }

    #[test]
    fn content_sniffing_skips_bom_whitespace_and_comments() {
        assert_eq!(
            detect_format(None, b"\xEF\xBB\xBF  # comment\n@prefix ex: <http://e/> ."),
            Some(Format::Turtle)
        );
        assert_eq!(
            detect_format(None, b"PREFIX ex: <http://e/>\nex:a ex:b ex:c ."),
            Some(Format::Turtle)
        );
        assert_eq!(
            detect_format(
                Some("data.txt"),
                b"<http://e/a> <http://e/b> \"x\"@en .\n_:b <http://e/b> <http://e/c> .\n"
            ),
            Some(Format::NTriples)
        );
        assert_eq!(
            detect_format(
                None,
                b"<http://e/a> <http://e/b> <http://e/c> <http://e/g> .\n"
            ),
            Some(Format::NQuads)
        );
        assert_eq!(
            detect_format(None, b"<http://e/a> a <http://e/C> ."),
            Some(Format::Turtle)
        );
        assert_eq!(
            detect_format(None, b"ex:a ex:b ex:c ."),
            Some(Format::Turtle)
        );
        assert_eq!(detect_format(None, b"hello world"), None);
        assert_eq!(detect_format(None, b""), None);
    }
}
