//! What changed in a list: between two dates (read off the codes' validity, as Klass's
//! `changes`) or between two versions (by comparing them). Used by the API's `/changes` and the
//! code-list page's Changes tab.

use super::model::{pick, Code, CodeList};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// One change of a list between two dates or versions.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CodeChange {
    /// added, removed, replaced, renamed.
    pub change: &'static str,
    /// The code before (removed, replaced, renamed).
    pub old_code: Option<String>,
    /// Its name before.
    pub old_name: Option<String>,
    /// The code after (added, replaced, renamed).
    pub new_code: Option<String>,
    /// Its name after.
    pub new_name: Option<String>,
    /// When, for date-based changes.
    pub changed_on: Option<NaiveDate>,
}

fn name(code: &Code, lang: &str) -> Option<String> {
    pick(&code.labels, lang).map(str::to_owned)
}

/// Codes that began (after `from`, up to and including `to`) or ended in the interval, by date
/// then code. An empty interval (`from` ≥ `to`) has no changes.
pub fn between_dates(
    list: &CodeList,
    from: NaiveDate,
    to: NaiveDate,
    lang: &str,
) -> Vec<CodeChange> {
    let mut changes = Vec::new();
    for code in list.codes.iter().filter(|_| from < to) {
        if let Some(start) = code.valid_from.filter(|d| from < *d && *d <= to) {
            changes.push(CodeChange {
                change: "added",
                old_code: None,
                old_name: None,
                new_code: Some(code.code.to_string()),
                new_name: name(code, lang),
                changed_on: Some(start),
            });
        }
        if let Some(end) = code.valid_to.filter(|d| from < *d && *d <= to) {
            let successor = code
                .replaced_by()
                .and_then(|r| list.codes.iter().find(|c| &*c.code == r));
            changes.push(CodeChange {
                change: if code.replaced_by().is_some() {
                    "replaced"
                } else {
                    "removed"
                },
                old_code: Some(code.code.to_string()),
                old_name: name(code, lang),
                new_code: code.replaced_by().map(str::to_owned),
                new_name: successor.and_then(|s| name(s, lang)),
                changed_on: Some(end),
            });
        }
    }
    sort(&mut changes);
    changes
}

/// Codes added, renamed or removed from version `old` to version `new`.
pub fn between_versions(old: &CodeList, new: &CodeList, lang: &str) -> Vec<CodeChange> {
    let old_codes: HashMap<&str, &Code> = old.codes.iter().map(|c| (&*c.code, c)).collect();
    let new_codes: HashMap<&str, &Code> = new.codes.iter().map(|c| (&*c.code, c)).collect();
    let mut changes = Vec::new();
    for code in &new.codes {
        match old_codes.get(&*code.code) {
            None => changes.push(CodeChange {
                change: "added",
                old_code: None,
                old_name: None,
                new_code: Some(code.code.to_string()),
                new_name: name(code, lang),
                changed_on: None,
            }),
            Some(before) if name(before, lang) != name(code, lang) => changes.push(CodeChange {
                change: "renamed",
                old_code: Some(code.code.to_string()),
                old_name: name(before, lang),
                new_code: Some(code.code.to_string()),
                new_name: name(code, lang),
                changed_on: None,
            }),
            Some(_) => {}
        }
    }
    for code in &old.codes {
        if !new_codes.contains_key(&*code.code) {
            changes.push(CodeChange {
                change: "removed",
                old_code: Some(code.code.to_string()),
                old_name: name(code, lang),
                new_code: None,
                new_name: None,
                changed_on: None,
            });
        }
    }
    sort(&mut changes);
    changes
}

/// The span of a list's validity dates: the first and last day any code starts or ends, if
/// any code is dated.
pub fn dated_span(list: &CodeList) -> Option<(NaiveDate, NaiveDate)> {
    let days = list
        .codes
        .iter()
        .flat_map(|c| [c.valid_from, c.valid_to])
        .flatten();
    days.fold(None, |span, d| match span {
        None => Some((d, d)),
        Some((a, b)) => Some((a.min(d), b.max(d))),
    })
}

fn sort(changes: &mut [CodeChange]) {
    changes.sort_by(|a, b| {
        (a.changed_on, &a.old_code, &a.new_code).cmp(&(b.changed_on, &b.old_code, &b.new_code))
    });
}
