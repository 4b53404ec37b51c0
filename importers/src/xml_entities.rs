//! Entity declarations in RDF/XML, checked before the RDF/XML parser sees the file. The parser
//! expands internal entities, which real files use as namespace abbreviations
//! (`<!ENTITY skos "http://www.w3.org/2004/02/skos/core#">` and `rdf:about="&skos;Concept"`), but
//! it expands them without a bound: a "billion laughs" file of 1 KiB, entities defined through
//! other entities, became a 300 MB literal. So: an entity whose value refers to another entity,
//! a parameter entity and an external entity are refused, and the references of the file may
//! expand to at most [`MAX_EXPANSION`] bytes in all.

use crate::{Format, ImportError};
use quick_xml::events::Event;
use quick_xml::Reader;

/// The most bytes the entity references of one file may expand to.
pub const MAX_EXPANSION: usize = 16 * 1024 * 1024;

/// One `<!ENTITY name "value">` of a DOCTYPE.
#[derive(Debug)]
struct Entity {
    name: String,
    value: String,
}

/// Checks the DOCTYPE of an RDF/XML document, if it has one (see the module doc).
pub fn check(text: &str) -> Result<(), ImportError> {
    let mut reader = Reader::from_str(text);
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match reader.read_event() {
            Ok(Event::DocType(doctype)) => {
                let line = 1 + text[..before.min(text.len())].matches('\n').count();
                let body = doctype.xml10_content().into_owned();
                let entities = declarations(&body).map_err(|message| error(line, message))?;
                let rest = &text[usize::try_from(reader.buffer_position())
                    .unwrap_or(text.len())
                    .min(text.len())..];
                return expansion(&entities, rest).map_err(|message| error(line, message));
            }
            // The DOCTYPE comes before the root element: once that starts, there is none.
            Ok(Event::Start(_) | Event::Empty(_) | Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
}

fn error(line: usize, message: String) -> ImportError {
    ImportError::Syntax {
        format: Format::RdfXml,
        line: u64::try_from(line).unwrap_or(u64::MAX),
        column: 1,
        message: format!("DOCTYPE: {message}"),
    }
}

/// The entity declarations of a DOCTYPE body; refuses parameter, external and nested ones.
fn declarations(body: &str) -> Result<Vec<Entity>, String> {
    let mut entities = Vec::new();
    let mut rest = body;
    while let Some(at) = find_ascii_case_insensitive(rest, "<!ENTITY") {
        rest = rest[at + "<!ENTITY".len()..].trim_start();
        if rest.starts_with('%') {
            return Err(
                "parameter entities (<!ENTITY % ...>) are refused: they are never expanded"
                    .to_owned(),
            );
        }
        let name_end = rest
            .find(|c: char| c.is_whitespace())
            .ok_or_else(|| "an entity declaration without a value".to_owned())?;
        let name = rest[..name_end].to_owned();
        rest = rest[name_end..].trim_start();
        let quote = rest.chars().next().unwrap_or(' ');
        if quote != '"' && quote != '\'' {
            return Err(format!(
                "the entity `{name}` is external (SYSTEM or PUBLIC): external entities are \
                 never resolved"
            ));
        }
        let value_end = rest[1..]
            .find(quote)
            .ok_or_else(|| format!("the value of the entity `{name}` is not closed"))?;
        let value = rest[1..1 + value_end].to_owned();
        if value.contains('&') || value.contains('%') {
            return Err(format!(
                "the entity `{name}` refers to other entities: entities defined through \
                 entities are refused (they can expand exponentially, a \"billion laughs\" \
                 bomb)"
            ));
        }
        rest = &rest[1 + value_end + 1..];
        entities.push(Entity { name, value });
    }
    Ok(entities)
}

/// Refuses a document whose entity references would expand past [`MAX_EXPANSION`].
fn expansion(entities: &[Entity], document: &str) -> Result<(), String> {
    let mut total: usize = 0;
    for entity in entities {
        let reference = format!("&{};", entity.name);
        let uses = document.matches(reference.as_str()).count();
        total = total.saturating_add(uses.saturating_mul(entity.value.len()));
        if total > MAX_EXPANSION {
            return Err(format!(
                "the entity references expand to more than {} MiB (`{}` is used {uses} times)",
                MAX_EXPANSION / (1024 * 1024),
                entity.name
            ));
        }
    }
    Ok(())
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "<?xml version=\"1.0\"?>\n";

    #[test]
    fn namespace_abbreviations_pass() {
        let text = format!(
            "{HEAD}<!DOCTYPE rdf:RDF [\n <!ENTITY skos \"http://www.w3.org/2004/02/skos/core#\">\n]>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"https://example.org/a\"><rdf:type rdf:resource=\"&skos;Concept\"/></rdf:Description></rdf:RDF>"
        );
        check(&text).expect("a namespace entity is fine");
    }

    #[test]
    fn nested_parameter_and_external_entities_are_refused_with_the_line() {
        for (decl, needle) in [
            (
                "<!ENTITY a \"lol\"><!ENTITY b \"&a;&a;\">",
                "refers to other entities",
            ),
            ("<!ENTITY % p \"x\">", "parameter entities"),
            ("<!ENTITY x SYSTEM \"file:///etc/passwd\">", "external"),
        ] {
            let text = format!("{HEAD}\n<!DOCTYPE r [ {decl} ]>\n<r/>");
            let error = check(&text).expect_err(decl).to_string();
            assert!(error.contains(needle), "{error}");
            assert!(error.contains("line 3"), "{error}");
        }
    }

    #[test]
    fn too_many_references_are_refused() {
        let value = "x".repeat(1024);
        let uses = "&big;".repeat(20_000);
        let text = format!("{HEAD}<!DOCTYPE r [ <!ENTITY big \"{value}\"> ]><r>{uses}</r>");
        let error = check(&text).expect_err("20 MB of expansion").to_string();
        assert!(error.contains("expand to more than 16 MiB"), "{error}");
    }

    #[test]
    fn a_document_without_doctype_passes() {
        check("<r><a>&amp;</a></r>").expect("no DOCTYPE");
    }
}
