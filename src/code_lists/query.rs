//! Which codes a request asks for: language, date or range, level, parent, filter, select.

use super::model::{pick, Code, CodeList};
use chrono::NaiveDate;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// Why a code-list request is not valid (answered with 400, naming what is allowed).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum QueryError {
    /// A date that is not `YYYY-MM-DD`.
    #[error("invalid {field} {value:?}: expected a date as YYYY-MM-DD")]
    BadDate {
        /// The parameter.
        field: &'static str,
        /// The value given.
        value: String,
    },
    /// A language that is not a language tag.
    #[error("invalid {field} {value:?}: expected a language tag such as nb, nn or en")]
    BadLanguage {
        /// The parameter.
        field: &'static str,
        /// The value given.
        value: String,
    },
    /// A malformed `select`.
    #[error("invalid select pattern {pattern:?}: use codes, prefixes with * (11*) or ranges (3004-3400), separated by commas")]
    BadSelect {
        /// The pattern.
        pattern: String,
    },
    /// A level that is not a positive number.
    #[error("invalid level {0:?}: expected a positive whole number")]
    BadLevel(String),
    /// A status that is not one codes have.
    #[error("invalid status {0:?}: expected all, or statuses to include besides valid codes (deprecated, retired, superseded, draft), separated by commas")]
    BadStatus(String),
}

/// The statuses a code may have besides valid (none).
pub const STATUSES: [&str; 4] = ["deprecated", "retired", "superseded", "draft"];

/// Which codes a request keeps by status.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum StatusFilter {
    /// Every code (the default of a list with its own codes).
    #[default]
    All,
    /// Codes with no status or one of these (a list made of concepts leaves deprecated and
    /// retired ones out unless asked).
    Only(Vec<String>),
}

impl StatusFilter {
    /// The default for a list: lists made of concepts leave deprecated and retired codes out.
    pub fn default_for(list: &CodeList) -> Self {
        if list.made_of_concepts {
            StatusFilter::Only(vec!["superseded".to_owned(), "draft".to_owned()])
        } else {
            StatusFilter::All
        }
    }

    /// Parses `status=all` or `status=deprecated,retired` (statuses kept besides valid codes).
    pub fn parse(text: &str) -> Result<Self, QueryError> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("all") {
            return Ok(StatusFilter::All);
        }
        let mut keep = Vec::new();
        for word in text.split(',').map(|w| w.trim().to_ascii_lowercase()) {
            if word == "valid" {
                continue;
            }
            if !STATUSES.contains(&word.as_str()) {
                return Err(QueryError::BadStatus(text.to_owned()));
            }
            keep.push(word);
        }
        Ok(StatusFilter::Only(keep))
    }

    /// Whether a code with this status is kept.
    pub fn keeps(&self, status: Option<&str>) -> bool {
        match (self, status) {
            (StatusFilter::All, _) | (_, None) => true,
            (StatusFilter::Only(keep), Some(s)) => keep.iter().any(|k| k == s),
        }
    }
}

/// The request's parameters, parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CodeQuery {
    /// Language of labels.
    pub lang: String,
    /// Codes valid on this day.
    pub date: Option<NaiveDate>,
    /// Codes valid at some day in `[from, to)`.
    pub range: Option<(NaiveDate, NaiveDate)>,
    /// Only this level.
    pub level: Option<u32>,
    /// Only children of this code.
    pub parent: Option<String>,
    /// Case- and accent-insensitive text on code and label.
    pub filter: Option<String>,
    /// Klass-style selection.
    pub select: Vec<Selector>,
    /// Whether `filter` matches every label and short label of a code (FHIR's designations),
    /// not only its label in `lang`.
    pub filter_all_texts: bool,
    /// Which statuses are kept.
    pub status: StatusFilter,
}

/// One `select` pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Selector {
    /// Exactly this code.
    Exact(String),
    /// Codes starting with this prefix (`11*`).
    Prefix(String),
    /// Codes from..=to (`3004-3400`).
    Range(String, String),
}

/// Raw parameters, as they come from a query string.
#[derive(Debug, Clone, Default)]
pub struct RawCodeQuery<'a> {
    /// `lang`
    pub lang: Option<&'a str>,
    /// `date`
    pub date: Option<&'a str>,
    /// `from`
    pub from: Option<&'a str>,
    /// `to`
    pub to: Option<&'a str>,
    /// `level`
    pub level: Option<&'a str>,
    /// `parent`
    pub parent: Option<&'a str>,
    /// `filter`
    pub filter: Option<&'a str>,
    /// `select`
    pub select: Option<&'a str>,
    /// `status`
    pub status: Option<&'a str>,
}

/// Parses `YYYY-MM-DD` exactly (chrono alone would also take `2024-1-1` or `+2024-01-01`).
pub fn parse_date(field: &'static str, value: &str) -> Result<NaiveDate, QueryError> {
    let shaped = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped
        .then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| QueryError::BadDate {
            field,
            value: value.to_owned(),
        })
}

/// Whether `value` is a language tag as semreg takes them: 2–3 letters, then `-` and 1–8
/// letters or digits, any number of times (`nb`, `en-GB`).
pub fn is_language_tag(value: &str) -> bool {
    let mut parts = value.split('-');
    let first = parts.next().unwrap_or_default();
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Folds text for matching: lowercase, accents removed.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

fn parse_select(text: &str) -> Result<Vec<Selector>, QueryError> {
    let mut selectors = Vec::new();
    for pattern in text.split(',').map(|p| p.trim_matches(' ')) {
        let bad = || QueryError::BadSelect {
            pattern: pattern.to_owned(),
        };
        if pattern.is_empty() || pattern.contains(' ') {
            return Err(bad());
        }
        if let Some(prefix) = pattern.strip_suffix('*') {
            if prefix.is_empty() || prefix.contains(['*', '-']) {
                return Err(bad());
            }
            selectors.push(Selector::Prefix(prefix.to_owned()));
        } else if let Some((low, high)) = pattern.split_once('-') {
            if low.is_empty() || high.is_empty() || high.contains('-') || pattern.contains('*') {
                return Err(bad());
            }
            selectors.push(Selector::Range(low.to_owned(), high.to_owned()));
        } else if pattern.contains('*') {
            return Err(bad());
        } else {
            selectors.push(Selector::Exact(pattern.to_owned()));
        }
    }
    Ok(selectors)
}

/// Compares codes as Klass does: numerically when both are numbers, else as text.
fn compare_codes(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

impl Selector {
    fn matches(&self, code: &str) -> bool {
        match self {
            Selector::Exact(c) => code == c,
            Selector::Prefix(p) => code.starts_with(p.as_str()),
            Selector::Range(low, high) => {
                compare_codes(code, low).is_ge() && compare_codes(code, high).is_le()
            }
        }
    }
}

impl CodeQuery {
    /// Parses and checks the raw parameters against a list.
    ///
    /// A language the list has no labels in is not an error: labels fall back (nb → nn → en →
    /// the first), as an Altinn app asking in its user's language expects.
    pub fn parse(raw: &RawCodeQuery<'_>, list: &CodeList) -> Result<Self, QueryError> {
        let lang = match raw.lang {
            None => "nb".to_owned(),
            Some(lang) if is_language_tag(lang) => lang.to_ascii_lowercase(),
            Some(lang) => {
                return Err(QueryError::BadLanguage {
                    field: "lang",
                    value: lang.to_owned(),
                })
            }
        };
        let date = raw.date.map(|d| parse_date("date", d)).transpose()?;
        let range = match (raw.from, raw.to) {
            (None, None) => None,
            (from, to) => {
                let from = from
                    .map(|d| parse_date("from", d))
                    .transpose()?
                    .unwrap_or(NaiveDate::MIN);
                let to = to
                    .map(|d| parse_date("to", d))
                    .transpose()?
                    .unwrap_or(NaiveDate::MAX);
                // An empty range (from ≥ to) selects nothing, as no day lies in it.
                Some((from, to))
            }
        };
        let level = raw
            .level
            .map(|l| {
                Some(l)
                    .filter(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|l| l.parse::<u32>().ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| QueryError::BadLevel(l.to_owned()))
            })
            .transpose()?;
        Ok(CodeQuery {
            lang,
            date,
            range,
            level,
            parent: raw.parent.map(str::to_owned),
            filter: raw.filter.map(fold).filter(|f| !f.is_empty()),
            select: raw
                .select
                .map(parse_select)
                .transpose()?
                .unwrap_or_default(),
            filter_all_texts: false,
            status: match raw.status {
                Some(text) => StatusFilter::parse(text)?,
                None => StatusFilter::default_for(list),
            },
        })
    }

    /// Whether a code is selected.
    pub fn selects(&self, code: &Code) -> bool {
        if !self.status.keeps(code.status()) {
            return false;
        }
        if let Some(day) = self.date {
            if !code.valid_on(day) {
                return false;
            }
        }
        if let Some((from, to)) = self.range {
            if from >= to || !code.valid_during(from, to) {
                return false;
            }
        }
        if self.level.is_some_and(|l| l != code.level) {
            return false;
        }
        if let Some(parent) = &self.parent {
            if code.parent.as_deref() != Some(parent.as_str()) {
                return false;
            }
        }
        if !self.select.is_empty() && !self.select.iter().any(|s| s.matches(&code.code)) {
            return false;
        }
        if let Some(filter) = &self.filter {
            let hit = |text: &str| fold(text).contains(filter.as_str());
            let texts = if self.filter_all_texts {
                code.labels
                    .iter()
                    .chain(code.short_labels().iter())
                    .any(|(_, text)| hit(text))
            } else {
                hit(pick(&code.labels, &self.lang).unwrap_or_default())
            };
            if !hit(&code.code) && !texts {
                return false;
            }
        }
        true
    }
}

/// One code in the API's JSON and CSV.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CodeResponse {
    /// The code.
    pub code: String,
    /// Label in the asked language (with fallback).
    pub label: Option<String>,
    /// Description in the asked language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Parent code.
    pub parent: Option<String>,
    /// Level (1 = top).
    pub level: u32,
    /// First day valid.
    pub valid_from: Option<NaiveDate>,
    /// First day no longer valid (exclusive).
    pub valid_to: Option<NaiveDate>,
    /// Status, when not simply valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Successor code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
}

/// The selected codes in the asked language.
pub fn select_codes(list: &CodeList, query: &CodeQuery) -> Vec<CodeResponse> {
    list.codes
        .iter()
        .filter(|c| query.selects(c))
        .map(|c| CodeResponse {
            code: c.code.to_string(),
            label: pick(&c.labels, &query.lang).map(str::to_owned),
            description: pick(&c.descriptions, &query.lang).map(str::to_owned),
            parent: c.parent.as_deref().map(str::to_owned),
            level: c.level,
            valid_from: c.valid_from,
            valid_to: c.valid_to,
            status: c.status().map(str::to_owned),
            replaced_by: c.replaced_by().map(str::to_owned),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(code: &str, from: Option<&str>, to: Option<&str>) -> Code {
        Code {
            iri: Some(format!("https://e.org/l/code/{code}").into()),
            value_type: crate::code_lists::model::ValueType::String,
            code: code.into(),
            labels: [("nb".to_owned(), format!("Kode {code}"))].into(),
            descriptions: Default::default(),
            parent: None,
            level: 1,
            valid_from: from.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
            valid_to: to.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
            order: 0,
            extra: None,
        }
    }

    fn day(d: &str) -> NaiveDate {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_code_valid_from_2020_is_absent_on_new_years_eve_and_present_on_new_years_day() {
        let c = code("3001", Some("2020-01-01"), None);
        assert!(!c.valid_on(day("2019-12-31")));
        assert!(c.valid_on(day("2020-01-01")));
    }

    #[test]
    fn valid_to_is_exclusive_as_in_klass() {
        let c = code("0301", None, Some("2020-01-01"));
        assert!(c.valid_on(day("2019-12-31")));
        assert!(!c.valid_on(day("2020-01-01")));
    }

    #[test]
    fn select_takes_codes_prefixes_and_ranges() {
        let s = parse_select("0301, 11*,3004-3400").unwrap();
        let hit = |c: &str| s.iter().any(|x| x.matches(c));
        assert!(hit("0301"));
        assert!(hit("1103"));
        assert!(hit("3004") && hit("3400") && hit("3100"));
        assert!(!hit("3401") && !hit("2103"));
        for bad in ["", "3004-", "-3", "1*1", "1-2-3", "*", "a,,b"] {
            assert!(parse_select(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn status_filters_keep_valid_codes_and_the_statuses_asked_for() {
        let only = StatusFilter::parse("deprecated, valid").unwrap();
        assert!(only.keeps(None) && only.keeps(Some("deprecated")) && !only.keeps(Some("retired")));
        assert!(StatusFilter::parse("ALL").unwrap().keeps(Some("retired")));
        assert!(StatusFilter::parse("gone").is_err());
        let concepts = CodeList {
            made_of_concepts: true,
            ..CodeList::default()
        };
        assert!(!StatusFilter::default_for(&concepts).keeps(Some("retired")));
        assert!(StatusFilter::default_for(&CodeList::default()).keeps(Some("retired")));
    }

    #[test]
    fn filter_ignores_case_and_accents() {
        assert_eq!(fold("Évje og Hornnes"), "evje og hornnes");
        assert!(fold("TRONDHEIM").contains(&fold("trondh")));
    }
}
