//! Correspondences between two code lists (e.g. municipality numbers before and after a
//! reform), from SSB Klass correspondence-table JSON or a CSV, written as XKOS:
//!
//! ```text
//! <corr> a xkos:Correspondence ; xkos:compares <source list>, <target list> ;
//!        semreg:sourceList <source list> ; semreg:targetList <target list> ;
//!        skos:prefLabel "..."@nb ; xkos:madeOf <corr/map/0>, ... .
//! <corr/map/0> a xkos:ConceptAssociation ; xkos:sourceConcept <source list/code/0101> ;
//!        xkos:targetConcept <target list/code/3001> ; euvoc:startDate ... ; euvoc:endDate ... .
//! ```
//!
//! Code IRIs follow [`crate::codelist::code_iri`], so they meet the codes of the lists.
//! Params: `source` and `target` (list IRIs, or Klass classification ids), `iri` (optional).

use crate::codelist::{code_iri, date_literal, terms, CodeValue};
use crate::{ImportError, ImportOptions, ImportWarning};
use oxrdf::vocab::rdf;
use oxrdf::{Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use sha2::{Digest, Sha256};

/// xkos:Correspondence
pub const XKOS_CORRESPONDENCE: &str = "http://rdf-vocabulary.ddialliance.org/xkos#Correspondence";
const XKOS: &str = "http://rdf-vocabulary.ddialliance.org/xkos#";
/// semreg:sourceList, the list whose codes are `xkos:sourceConcept`s.
pub const SOURCE_LIST: &str = "https://w3id.org/semreg/ns#sourceList";
/// semreg:targetList, the list whose codes are `xkos:targetConcept`s.
pub const TARGET_LIST: &str = "https://w3id.org/semreg/ns#targetList";
const KLASS_BASE: &str = "https://data.ssb.no/api/klass/v1/classifications/";

struct Map {
    source: String,
    target: String,
    valid_from: Option<String>,
    valid_to: Option<String>,
    location: String,
}

fn invalid(location: impl Into<String>, message: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        location: location.into(),
        message: message.into(),
    }
}

fn list_iri(param: &str, value: &str) -> Result<String, ImportError> {
    let iri = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        format!("{KLASS_BASE}{value}")
    } else {
        value.to_owned()
    };
    NamedNode::new(&iri).map(|_| iri).map_err(|e| {
        invalid(
            format!("param {param}"),
            format!("not a list IRI or Klass id: {e}"),
        )
    })
}

fn from_klass_json(value: &serde_json::Value) -> Result<(Vec<Map>, Option<String>), ImportError> {
    let maps = value
        .get("correspondenceMaps")
        .and_then(|m| m.as_array())
        .ok_or_else(|| {
            invalid(
                "$",
                "expected an object with a \"correspondenceMaps\" array",
            )
        })?;
    let mut out = Vec::with_capacity(maps.len());
    for (i, map) in maps.iter().enumerate() {
        let location = format!("$.correspondenceMaps[{i}]");
        let field = |name: &str| -> Result<String, ImportError> {
            match map.get(name) {
                Some(serde_json::Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                Some(serde_json::Value::Number(n)) => Ok(n.to_string()),
                _ => Err(invalid(
                    format!("{location}.{name}"),
                    "expected a code (text)",
                )),
            }
        };
        out.push(Map {
            source: field("sourceCode")?,
            target: field("targetCode")?,
            valid_from: map
                .get("validFrom")
                .and_then(|v| v.as_str())
                .map(str::to_owned),
            valid_to: map
                .get("validTo")
                .and_then(|v| v.as_str())
                .map(str::to_owned),
            location,
        });
    }
    let name = value
        .get("name")
        .and_then(|n| n.as_str())
        .map(str::to_owned);
    Ok((out, name))
}

fn from_csv(text: &str) -> Result<Vec<Map>, ImportError> {
    let delimiter = match text.lines().next().unwrap_or_default() {
        h if h.contains(';') => b';',
        h if h.contains('\t') => b'\t',
        _ => b',',
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| invalid("line 1", format!("cannot read the header: {e}")))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(source), Some(target)) = (column("sourceCode"), column("targetCode")) else {
        return Err(invalid(
            "line 1",
            "the header needs sourceCode and targetCode (and may have validFrom, validTo)",
        ));
    };
    let (from, to) = (column("validFrom"), column("validTo"));
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| invalid(format!("line {line}"), e.to_string()))?;
        let get = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let (Some(s), Some(t)) = (get(Some(source)), get(Some(target))) else {
            return Err(invalid(
                format!("line {line}"),
                "sourceCode and targetCode are required",
            ));
        };
        out.push(Map {
            source: s,
            target: t,
            valid_from: get(from),
            valid_to: get(to),
            location: format!("line {line}"),
        });
    }
    Ok(out)
}

/// Reads a correspondence (Klass correspondence JSON or CSV) into XKOS triples.
pub fn to_triples(
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<(Vec<Triple>, Vec<ImportWarning>), ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        invalid(
            format!("byte {}", e.valid_up_to()),
            "the input is not valid UTF-8",
        )
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let (maps, name) = if text.trim_start().starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            invalid(
                format!("line {}, column {}", e.line(), e.column()),
                e.to_string(),
            )
        })?;
        from_klass_json(&value)?
    } else {
        (from_csv(text)?, None)
    };
    let param = |key: &str| {
        options.params.get(key).map(String::as_str).ok_or_else(|| {
            invalid(
                format!("param {key}"),
                format!("a correspondence needs `{key}` (the list IRI or Klass id)"),
            )
        })
    };
    let source = list_iri("source", param("source")?)?;
    let target = list_iri("target", param("target")?)?;
    let iri = match options.params.get("iri") {
        Some(iri) => iri.clone(),
        None => {
            let digest = Sha256::digest(format!("{source}\n{target}").as_bytes());
            format!("urn:semreg:correspondence:{}", hex_string(&digest[..16]))
        }
    };
    let corr = NamedNode::new(&iri).map_err(|e| invalid("param iri", e.to_string()))?;
    let mut triples = Vec::new();
    let mut warnings = Vec::new();
    let mut push = |s: &NamedNode, p: &str, o: Term| {
        triples.push(Triple::new(
            NamedOrBlankNode::from(s.clone()),
            NamedNode::new_unchecked(p),
            o,
        ))
    };
    let xkos = |local: &str| format!("{XKOS}{local}");
    push(
        &corr,
        rdf::TYPE.as_str(),
        NamedNode::new_unchecked(XKOS_CORRESPONDENCE).into(),
    );
    for list in [&source, &target] {
        push(
            &corr,
            &xkos("compares"),
            NamedNode::new_unchecked(list).into(),
        );
    }
    push(&corr, SOURCE_LIST, NamedNode::new_unchecked(&source).into());
    push(&corr, TARGET_LIST, NamedNode::new_unchecked(&target).into());
    if let Some(name) = name.or_else(|| options.params.get("name").cloned()) {
        push(
            &corr,
            terms::PREF_LABEL,
            Literal::new_language_tagged_literal_unchecked(name, "nb").into(),
        );
    }
    for (n, map) in maps.iter().enumerate() {
        let association = NamedNode::new_unchecked(format!("{iri}/map/{n}"));
        push(&corr, &xkos("madeOf"), association.clone().into());
        push(
            &association,
            rdf::TYPE.as_str(),
            NamedNode::new_unchecked(xkos("ConceptAssociation")).into(),
        );
        let source_code = code_iri(&source, &CodeValue::String(map.source.clone()));
        let target_code = code_iri(&target, &CodeValue::String(map.target.clone()));
        push(
            &association,
            &xkos("sourceConcept"),
            NamedNode::new_unchecked(source_code).into(),
        );
        push(
            &association,
            &xkos("targetConcept"),
            NamedNode::new_unchecked(target_code).into(),
        );
        for (date, predicate, field) in [
            (&map.valid_from, terms::START_DATE, "validFrom"),
            (&map.valid_to, terms::END_DATE, "validTo"),
        ] {
            if let Some(date) = date {
                match date_literal(date) {
                    Some(literal) => push(&association, predicate, literal.into()),
                    None => warnings.push(ImportWarning {
                        location: Some(format!("{}.{field}", map.location)),
                        message: format!("{date:?} is not a date (YYYY-MM-DD); left out"),
                    }),
                }
            }
        }
    }
    if maps.is_empty() {
        return Err(invalid("input", "the correspondence has no maps"));
    }
    Ok((triples, warnings))
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(source: &str, target: &str) -> ImportOptions {
        let mut o = ImportOptions::default();
        o.params.insert("source".into(), source.into());
        o.params.insert("target".into(), target.into());
        o
    }

    #[test]
    fn a_klass_correspondence_becomes_xkos_associations_between_code_iris() {
        let json = br#"{"name":"Kommuner 2019-2020","correspondenceMaps":[
            {"sourceCode":"0101","sourceName":"Halden","targetCode":"3001","targetName":"Halden"}]}"#;
        let (triples, warnings) = to_triples(json, &options("131", "https://e.org/ny")).unwrap();
        assert!(warnings.is_empty());
        let nt: String = triples.iter().map(|t| format!("{t}\n")).collect();
        assert!(nt.contains("<https://data.ssb.no/api/klass/v1/classifications/131/code/0101>"));
        assert!(nt.contains("xkos#targetConcept> <https://e.org/ny/code/3001>"));
    }

    #[test]
    fn a_csv_row_without_a_target_is_refused_with_its_line() {
        let csv = b"sourceCode;targetCode;validFrom\n0101;3001;2020-01-01\n0102;;\n";
        let error = to_triples(csv, &options("https://e.org/a", "https://e.org/b")).unwrap_err();
        assert!(error.to_string().contains("line 3"), "{error}");
    }

    #[test]
    fn source_and_target_are_required() {
        let error =
            to_triples(b"sourceCode,targetCode\n1,2\n", &ImportOptions::default()).unwrap_err();
        assert!(error.to_string().contains("source"), "{error}");
    }
}
