//! The RDF importer: Turtle, RDF/XML, JSON-LD, N-Triples and N-Quads through `oxrdfio`.
//!
//! Parse, de-duplicate (graph names of quads are dropped, their triples kept), skolemize blank
//! nodes ([`crate::skolem`]), then split the graph into resources ([`crate::split`]).

use oxrdf::Triple;
use oxrdfio::{JsonLdProfileSet, RdfFormat, RdfParser};

use crate::{
    skolem, split, FastSet, Format, ImportBatch, ImportError, ImportOptions, ImportWarning,
};

/// Imports an RDF file: parses it, skolemizes its blank nodes and splits it into resources.
pub fn import_rdf(
    format: Format,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ImportBatch, ImportError> {
    let triples = parse(format, bytes, options)?;
    // RDF files carry everything themselves: a param is a mistake worth a warning.
    finish(triples, crate::altinn::json::unknown_params(options, &[]))
}

/// Turns the triples an importer produced into resources: de-duplicates them, skolemizes
/// blank nodes and splits the graph into resources. Every importer ends here, so all formats
/// give resources, labels and content hashes in the same way.
pub fn finish(
    triples: Vec<Triple>,
    mut warnings: Vec<ImportWarning>,
) -> Result<ImportBatch, ImportError> {
    let triples = deduplicate(triples);
    let triples_read = triples.len();
    if triples_read == 0 {
        return Err(ImportError::NoResources { triples: 0 });
    }
    let skolemized = skolem::skolemize(triples);
    if skolemized.merged_blank_nodes > 0 {
        warnings.push(ImportWarning {
            location: None,
            message: format!(
                "{} of {} blank nodes had the same content as another one and were merged with it \
                 ({} duplicate triples)",
                skolemized.merged_blank_nodes,
                skolemized.blank_nodes,
                triples_read - skolemized.triples.len()
            ),
        });
    }
    let split = split::split(skolemized.triples);
    warnings.extend(split.warnings);
    warnings.extend(crate::concept_code::check_collections(&split.resources));
    if split.resources.is_empty() {
        return Err(ImportError::NoResources {
            triples: triples_read,
        });
    }
    Ok(ImportBatch {
        resources: split.resources,
        warnings,
        triples_read,
    })
}

/// Parses RDF bytes into de-duplicated triples (graph names dropped), blank nodes as parsed.
pub fn parse(
    format: Format,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<Vec<Triple>, ImportError> {
    // Check the encoding ourselves, so that the error has a position in every format.
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = position_of(bytes, e.valid_up_to());
        ImportError::Syntax {
            format,
            line,
            column,
            message: "invalid UTF-8: the file must be UTF-8 encoded".to_owned(),
        }
    })?;
    let (text, bom_columns) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 1),
        None => (text, 0),
    };
    if format == Format::RdfXml {
        crate::xml_entities::check(text)?;
    }
    let rdf_format = match format {
        Format::Turtle => RdfFormat::Turtle,
        Format::RdfXml => RdfFormat::RdfXml,
        Format::JsonLd => RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        },
        Format::NTriples => RdfFormat::NTriples,
        Format::NQuads => RdfFormat::NQuads,
        other => {
            return Err(ImportError::SyntaxNoPosition {
                format: other,
                message: format!("{other} is not an RDF syntax"),
            })
        }
    };
    let mut parser = RdfParser::from_format(rdf_format);
    if let Some(base) = &options.base_iri {
        parser =
            parser
                .with_base_iri(base.as_str())
                .map_err(|e| ImportError::SyntaxNoPosition {
                    format,
                    message: format!("the base IRI <{base}> is not a valid IRI: {e}"),
                })?;
    }
    let mut triples = Vec::new();
    for quad in parser.for_slice(text) {
        let quad = quad.map_err(|e| match e.location() {
            Some(range) => {
                let line = range.start.line.saturating_add(1);
                let mut column = range.start.column.saturating_add(1);
                if range.start.line == 0 {
                    column = column.saturating_add(bom_columns);
                }
                ImportError::Syntax {
                    format,
                    line,
                    column,
                    message: e.to_string(),
                }
            }
            None => ImportError::SyntaxNoPosition {
                format,
                message: e.to_string(),
            },
        })?;
        triples.push(Triple::from(quad));
    }
    Ok(deduplicate(triples))
}

/// Drops repeated triples, keeping the first of each in its place. Hashes references, so no
/// triple is copied.
pub fn deduplicate(mut triples: Vec<Triple>) -> Vec<Triple> {
    let keep: Vec<bool> = {
        let mut seen: FastSet<&Triple> = FastSet::default();
        seen.reserve(triples.len());
        triples.iter().map(|t| seen.insert(t)).collect()
    };
    if keep.iter().all(|&k| k) {
        return triples;
    }
    let mut at = 0;
    triples.retain(|_| {
        at += 1;
        keep[at - 1]
    });
    triples
}

/// The 1-based line and column (in characters) of a byte offset.
fn position_of(bytes: &[u8], offset: usize) -> (u64, u64) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |at| at + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (
        u64::try_from(line).unwrap_or(u64::MAX),
        u64::try_from(column).unwrap_or(u64::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turtle_syntax_error_names_the_line_and_column() {
        let text = "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e \"open .\n";
        let error =
            parse(Format::Turtle, text.as_bytes(), &ImportOptions::default()).expect_err("invalid");
        match error {
            ImportError::Syntax { line, column, .. } => {
                assert_eq!(line, 3);
                assert_eq!(column, 11);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn invalid_utf8_is_a_syntax_error_with_its_position() {
        let bytes = b"<http://e/a> <http://e/b> \"ok\" .\n<http://e/a> <http://e/b> \"\xff\" .\n";
        let error = parse(Format::NTriples, bytes, &ImportOptions::default()).expect_err("invalid");
        match error {
            ImportError::Syntax { line, column, .. } => assert_eq!((line, column), (2, 28)),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn quads_keep_their_triples_once() {
        let text = "<http://e/a> <http://e/b> <http://e/c> <http://e/g1> .\n<http://e/a> <http://e/b> <http://e/c> <http://e/g2> .\n<http://e/a> <http://e/b> <http://e/c> .\n";
        let triples =
            parse(Format::NQuads, text.as_bytes(), &ImportOptions::default()).expect("valid");
        assert_eq!(triples.len(), 1);
    }

    #[test]
    fn base_iri_resolves_relative_iris() {
        let options = ImportOptions {
            base_iri: Some("http://example.org/dir/".to_owned()),
            ..Default::default()
        };
        let triples = parse(Format::Turtle, b"<a> <b> <c> .", &options).expect("valid");
        assert_eq!(triples[0].subject.to_string(), "<http://example.org/dir/a>");
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let triples = parse(
            Format::Turtle,
            b"\xEF\xBB\xBF<http://e/a> <http://e/b> <http://e/c> .",
            &ImportOptions::default(),
        )
        .expect("valid");
        assert_eq!(triples.len(), 1);
    }

    #[test]
    fn odd_inputs_give_errors_not_panics() {
        let inputs: [&[u8]; 9] = [
            b"",
            b"\xEF\xBB\xBF",
            b"\xff\xfe\x00",
            b"@prefix : <> .",
            b"<a> <b> <c> .",
            b"{\"@context\": \"http://remote.example/context.jsonld\", \"@id\": \"x\"}",
            b"[[[[[[[[[[[[[[[[",
            b"<?xml version=\"1.0\"?><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"http://e/a\"><rdf:value rdf:nodeID=\"x\"/></rdf:Description></rdf:RDF>",
            b"_:a <http://e/p> _:a .",
        ];
        for format in [
            Format::Turtle,
            Format::RdfXml,
            Format::JsonLd,
            Format::NTriples,
            Format::NQuads,
        ] {
            for input in inputs {
                // Any outcome but a panic is fine; a blank-node-only graph holds no resource.
                let _ = crate::import(format, input, &ImportOptions::default());
            }
        }
    }

    #[test]
    fn rdf_xml_and_json_ld_errors_are_syntax_errors() {
        for (format, text) in [
            (Format::RdfXml, "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description"),
            (Format::JsonLd, "{\"@id\": \"http://e/a\", \"http://e/b\": [}"),
        ] {
            let error = parse(format, text.as_bytes(), &ImportOptions::default())
                .expect_err("invalid");
            assert!(
                matches!(
                    error,
                    ImportError::Syntax { .. } | ImportError::SyntaxNoPosition { .. }
                ),
                "{error:?}"
            );
        }
    }
}
