//! Importer for CSV code lists: bytes to RDF triples (then resources via [`crate::rdf::finish`]).
//!
//! Header-driven. Columns are recognised by name (case-insensitive, `-` and `_` alike):
//! `code`; `label` or `label_<lang>` (`label_nb`, `label_en`, ...); `description` or
//! `description_<lang>`; `parent`; `level`; `validFrom` / `valid_from`; `validTo` / `valid_to`.
//! Other columns are ignored unless a param maps them: `code=alpha-2`, `label_en=name`,
//! `parent=region` (param key = the role above, value = the column's header).
//!
//! The text is UTF-8 (with or without a byte order mark); bytes that are not valid UTF-8 are read
//! as Windows-1252 / ISO-8859-1 (as Klass exports them), with a warning. The delimiter (`;`, `,`
//! or tab) is the one the header line uses most, unless `params["delimiter"]` gives it.
//!
//! Params: the column roles above, plus `iri`, `lang` (of `label` / `description` without a
//! language, default `nb`), `label` (the list's name), `alias`, `delimiter`. Any other key is an
//! error that lists the allowed ones. The list IRI is `params["iri"]`, else
//! `urn:semreg:csv:<file stem>`, else `urn:semreg:csv:<content hash>`.

use std::collections::{BTreeMap, HashSet};

use oxrdf::Triple;

use crate::altinn::json;
use crate::codelist::{code_iri, CodeListBuilder, CodeValue};
use crate::{ImportError, ImportOptions, ImportWarning};

/// Params that are settings rather than column mappings.
const SETTINGS: &[&str] = &["iri", "lang", "label", "alias", "delimiter"];

/// A column's meaning.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Code,
    Label(String),
    Description(String),
    Parent,
    Level,
    ValidFrom,
    ValidTo,
}

impl Role {
    /// The role a header or param key names, if any (`lang` for those without a language).
    fn parse(name: &str, lang: &str) -> Option<Role> {
        let key = name.trim().to_ascii_lowercase().replace('-', "_");
        let with_lang = |rest: &str| -> Option<String> {
            if rest.is_empty() {
                return Some(lang.to_owned());
            }
            let tag = json::language_tag(rest.strip_prefix('_')?);
            (!tag.is_empty()).then_some(tag)
        };
        Some(match key.as_str() {
            "code" => Role::Code,
            "parent" => Role::Parent,
            "level" => Role::Level,
            "validfrom" | "valid_from" => Role::ValidFrom,
            "validto" | "valid_to" => Role::ValidTo,
            _ => {
                if let Some(rest) = key.strip_prefix("label") {
                    Role::Label(with_lang(rest)?)
                } else if let Some(rest) = key.strip_prefix("description") {
                    Role::Description(with_lang(rest)?)
                } else {
                    return None;
                }
            }
        })
    }
}

/// Reads a CSV code list into triples plus warnings.
pub fn to_triples(
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<(Vec<Triple>, Vec<ImportWarning>), ImportError> {
    let mut warnings = Vec::new();
    let lang = json::param_lang(options)?;

    // Params: settings, or column mappings role=column.
    let mut mapped: BTreeMap<Role, String> = BTreeMap::new();
    for (key, column) in &options.params {
        if SETTINGS.contains(&key.as_str()) {
            continue;
        }
        match Role::parse(key, &lang) {
            Some(role) => {
                mapped.insert(role, column.clone());
            }
            None => {
                return Err(ImportError::Invalid {
                    location: format!("param {key}"),
                    message: format!(
                        "unknown param {key:?}; expected one of {}, {}, label_<lang>, \
                         description, description_<lang>",
                        SETTINGS.join(", "),
                        ["code", "label", "parent", "level", "validFrom", "validTo"].join(", ")
                    ),
                })
            }
        }
    }

    let text = decode(bytes, &mut warnings);
    let delimiter = match options.params.get("delimiter").map(String::as_str) {
        None => detect_delimiter(&text),
        Some(";") => b';',
        Some(",") => b',',
        Some("\t" | "tab" | "\\t") => b'\t',
        Some(other) => {
            return Err(ImportError::Invalid {
                location: "param delimiter".to_owned(),
                message: format!("expected ;, , or tab, found {other:?}"),
            })
        }
    };
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(&e))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(ImportError::Invalid {
            location: "line 1".to_owned(),
            message: "expected a header line naming the columns (code, label_nb, ...)".to_owned(),
        });
    }

    // Which column plays which role: params first, then header names.
    let mut columns: BTreeMap<Role, usize> = BTreeMap::new();
    for (role, column) in &mapped {
        let at = headers
            .iter()
            .position(|h| h == column)
            .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(column)))
            .ok_or_else(|| ImportError::Invalid {
                location: "line 1".to_owned(),
                message: format!(
                    "the column {column:?} mapped by a param is not in the header; the header has: {}",
                    headers.join(", ")
                ),
            })?;
        columns.insert(role.clone(), at);
    }
    for (at, header) in headers.iter().enumerate() {
        if let Some(role) = Role::parse(header, &lang) {
            columns.entry(role).or_insert(at);
        }
    }
    let Some(&code_column) = columns.get(&Role::Code) else {
        return Err(ImportError::Invalid {
            location: "line 1".to_owned(),
            message: format!(
                "expected a code column: name one \"code\" or give the param code=<column>; the \
                 header has: {}",
                headers.join(", ")
            ),
        });
    };

    let stem = json::file_stem(options);
    let list_iri = match (options.params.get("iri"), &stem) {
        (Some(iri), _) => iri.clone(),
        (None, Some(stem)) => format!("urn:semreg:csv:{}", crate::codelist::iri_segment(stem)),
        (None, None) => format!("urn:semreg:csv:{}", json::content_id(bytes)),
    };
    let mut list = CodeListBuilder::new(&list_iri)?;
    list.describe_from(&options.params, stem.as_deref());

    // Read every row before building, so that a bad row imports nothing.
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(&e))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            let message = if record.len() < headers.len() {
                format!(
                    "expected {} columns, found {}: missing {}",
                    headers.len(),
                    record.len(),
                    headers[record.len()..].join(", ")
                )
            } else {
                format!(
                    "expected {} columns ({}), found {}",
                    headers.len(),
                    headers.join(", "),
                    record.len()
                )
            };
            return Err(ImportError::Invalid {
                location: format!("line {line}"),
                message,
            });
        }
        let code = record.get(code_column).unwrap_or_default().trim();
        if code.is_empty() {
            return Err(ImportError::Invalid {
                location: format!("line {line}, column {}", headers[code_column]),
                message: "expected a code, found an empty cell".to_owned(),
            });
        }
        rows.push((line, record));
    }
    if rows.is_empty() {
        return Err(ImportError::Invalid {
            location: "line 2".to_owned(),
            message: format!(
                "the file has a header ({}) but no rows: a code list needs at least one code",
                headers.join(", ")
            ),
        });
    }
    let known: HashSet<String> = rows
        .iter()
        .map(|(_, r)| r.get(code_column).unwrap_or_default().trim().to_owned())
        .collect();

    let mut seen = HashSet::new();
    let mut missing_parents = BTreeMap::<String, usize>::new();
    for (line, record) in &rows {
        let cell = |role: &Role| -> Option<&str> {
            let text = record.get(*columns.get(role)?)?.trim();
            (!text.is_empty()).then_some(text)
        };
        let value = CodeValue::String(
            record
                .get(code_column)
                .unwrap_or_default()
                .trim()
                .to_owned(),
        );
        if !seen.insert(code_iri(&list_iri, &value)) {
            warnings.push(ImportWarning {
                location: Some(format!("line {line}")),
                message: format!(
                    "the code {} appears more than once; only its first row is kept",
                    value.text()
                ),
            });
            continue;
        }
        let mut code = list.code(value);
        for (role, _) in columns.iter() {
            let Some(text) = cell(role) else { continue };
            match role {
                Role::Label(language) => {
                    code.label(language, text);
                }
                Role::Description(language) => {
                    code.description(language, text);
                }
                Role::Parent => {
                    if !known.contains(text) {
                        *missing_parents.entry(text.to_owned()).or_default() += 1;
                    }
                    code.parent(&CodeValue::String(text.to_owned()));
                }
                Role::Level => match text.parse::<i64>() {
                    Ok(level) if level >= 1 => {
                        code.level(level);
                    }
                    _ => warnings.push(ImportWarning {
                        location: Some(format!("line {line}, column {}", headers[columns[role]])),
                        message: format!("expected a level number, found {text:?}; not kept"),
                    }),
                },
                Role::ValidFrom | Role::ValidTo => {
                    let ok = if *role == Role::ValidFrom {
                        code.valid_from(text)
                    } else {
                        code.valid_to(text)
                    };
                    if !ok {
                        warnings.push(ImportWarning {
                            location: Some(format!(
                                "line {line}, column {}",
                                headers[columns[role]]
                            )),
                            message: format!(
                                "expected a date YYYY-MM-DD, found {text:?}; not kept"
                            ),
                        });
                    }
                }
                Role::Code => {}
            }
        }
        code.done();
    }
    if !missing_parents.is_empty() {
        let listed: Vec<String> = missing_parents
            .iter()
            .take(10)
            .map(|(parent, n)| format!("{parent} ({n})"))
            .collect();
        warnings.push(ImportWarning {
            location: columns
                .get(&Role::Parent)
                .map(|&at| format!("column {}", headers[at])),
            message: format!(
                "{} parent values are not codes of the list (the links are kept): {}",
                missing_parents.len(),
                listed.join(", ")
            ),
        });
    }
    Ok((list.finish(), warnings))
}

/// The text of the file: UTF-8 (BOM dropped), else Windows-1252 with a warning.
fn decode(bytes: &[u8], warnings: &mut Vec<ImportWarning>) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(e) => {
            let (line, _) = json::position_of(bytes, e.valid_up_to());
            warnings.push(ImportWarning {
                location: Some(format!("line {line}")),
                message: "the file is not valid UTF-8; read as Windows-1252 / ISO-8859-1"
                    .to_owned(),
            });
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            text.into_owned()
        }
    }
}

/// The delimiter the header line uses most (outside quotes): `;`, `,` or tab.
fn detect_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => counts[0] += 1,
            ',' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b';', b',', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], i == 1)).unwrap_or(1);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

fn csv_error(error: &::csv::Error) -> ImportError {
    let location = error
        .position()
        .map_or_else(|| "input".to_owned(), |p| format!("line {}", p.line()));
    ImportError::Invalid {
        location,
        message: format!("unreadable CSV: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_the_one_the_header_uses() {
        assert_eq!(detect_delimiter("code;label_nb\n1;a"), b';');
        assert_eq!(detect_delimiter("code,label_nb\n"), b',');
        assert_eq!(detect_delimiter("code\tlabel_nb\n"), b'\t');
        assert_eq!(detect_delimiter("\"a;b\",c\n"), b',');
        assert_eq!(detect_delimiter("code\n"), b',');
    }

    #[test]
    fn header_names_give_roles_with_languages() {
        assert_eq!(
            Role::parse("label_EN", "nb"),
            Some(Role::Label("en".into()))
        );
        assert_eq!(Role::parse("label", "nn"), Some(Role::Label("nn".into())));
        assert_eq!(Role::parse("valid-from", "nb"), Some(Role::ValidFrom));
        assert_eq!(Role::parse("labels", "nb"), None);
        assert_eq!(Role::parse("name", "nb"), None);
    }
}
