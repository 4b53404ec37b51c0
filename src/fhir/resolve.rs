//! From canonical references (`url`, `url|version`) and ids to the list versions and
//! correspondences of the code-list projection.

use super::FhirError;
use crate::code_lists::correspondence::Correspondence;
use crate::code_lists::{CachedList, CodeListCache};
use crate::ids::resource_id_for_iri;
use crate::store;
use sea_orm::ConnectionTrait;
use std::sync::Arc;

/// What marks the implicit all-codes value set of a code system (as SNOMED CT's and LOINC's
/// `?fhir_vs`).
pub const IMPLICIT_VS: &str = "fhir_vs";

/// A list version a request names, and whether it named the version (a pinned answer never
/// changes and is cacheable for a year).
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The version.
    pub list: Arc<CachedList>,
    /// Whether the request named it.
    pub pinned: bool,
}

/// Splits `url|version`.
pub fn split_canonical(text: &str) -> (&str, Option<&str>) {
    match text.split_once('|') {
        Some((url, version)) if !version.is_empty() => (url, Some(version)),
        Some((url, _)) => (url, None),
        None => (text, None),
    }
}

/// The URL of a list's implicit value set: its IRI with `?fhir_vs`.
pub fn value_set_url(list_iri: &str) -> String {
    let joiner = if list_iri.contains('?') { '&' } else { '?' };
    format!("{list_iri}{joiner}{IMPLICIT_VS}")
}

/// The list IRI a value-set URL names: the implicit value set's, or the list's IRI itself.
pub fn list_iri_of_value_set(url: &str) -> &str {
    url.strip_suffix(IMPLICIT_VS)
        .and_then(|rest| rest.strip_suffix(['?', '&']))
        .unwrap_or(url)
}

/// The current version of the list with this IRI.
pub fn list_by_iri(cache: &CodeListCache, iri: &str) -> Option<Arc<CachedList>> {
    cache.get_by_iri(iri)
}

/// A version of a list: a version number, or the source's own version of the current one
/// (e.g. a FHIR CodeSystem's `0.1.0`); `None` is the current version.
pub async fn version_of(
    cache: &CodeListCache,
    db: &impl ConnectionTrait,
    latest: Arc<CachedList>,
    version: Option<&str>,
) -> Result<Resolved, FhirError> {
    let Some(version) = version else {
        return Ok(Resolved {
            list: latest,
            pinned: false,
        });
    };
    if latest.list.version_info.as_deref() == Some(version) && version.parse::<i32>().is_err() {
        return Ok(Resolved {
            list: latest,
            pinned: false,
        });
    }
    let missing = || {
        FhirError::NotFound(format!(
            "{} has no version {version:?}; its versions are 1 to {} (the current one){}",
            latest.list.iri,
            latest.version,
            latest
                .list
                .version_info
                .as_deref()
                .map(|v| format!(", which the source calls {v:?}"))
                .unwrap_or_default()
        ))
    };
    let number = version
        .parse::<i32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(missing)?;
    let list = cache
        .version(db, &latest, number)
        .await?
        .ok_or_else(missing)?;
    Ok(Resolved { list, pinned: true })
}

/// The code system with this canonical URL (and version).
pub async fn code_system(
    cache: &CodeListCache,
    db: &impl ConnectionTrait,
    url: &str,
    version: Option<&str>,
) -> Result<Resolved, FhirError> {
    canonical(cache, db, url, version, "code system", "CodeSystem", |u| u).await
}

/// A list version by a canonical URL (`url|version`), which `iri_of` turns into the list's IRI.
async fn canonical(
    cache: &CodeListCache,
    db: &impl ConnectionTrait,
    url: &str,
    version: Option<&str>,
    what: &str,
    resource_type: &str,
    iri_of: fn(&str) -> &str,
) -> Result<Resolved, FhirError> {
    let (url, pinned) = split_canonical(url);
    let latest = list_by_iri(cache, iri_of(url)).ok_or_else(|| {
        FhirError::NotFound(format!(
            "no {what} {url:?} here; GET /fhir/{resource_type} lists them"
        ))
    })?;
    version_of(cache, db, latest, version.or(pinned)).await
}

/// The value set with this canonical URL (a list's implicit value set, or its IRI).
pub async fn value_set(
    cache: &CodeListCache,
    db: &impl ConnectionTrait,
    url: &str,
    version: Option<&str>,
) -> Result<Resolved, FhirError> {
    canonical(
        cache,
        db,
        url,
        version,
        "value set",
        "ValueSet",
        list_iri_of_value_set,
    )
    .await
}

/// A list by id or alias (instance-level interactions).
pub fn by_id(cache: &CodeListCache, id: &str, kind: &str) -> Result<Arc<CachedList>, FhirError> {
    cache
        .get(id)
        .ok_or_else(|| FhirError::NotFound(format!("no {kind} with id {id:?} here")))
}

/// A version of a correspondence: the current one from memory, an older one from the store.
pub async fn correspondence_version(
    db: &impl ConnectionTrait,
    current: Arc<Correspondence>,
    version: Option<&str>,
) -> Result<(Arc<Correspondence>, bool), FhirError> {
    let Some(version) = version else {
        return Ok((current, false));
    };
    let missing = || {
        FhirError::NotFound(format!(
            "{} has no version {version:?}; its versions are 1 to {}",
            current.iri, current.version
        ))
    };
    let number = version
        .parse::<i32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(missing)?;
    if number == current.version {
        return Ok((current, true));
    }
    let row = store::get_version(db, &current.id, number)
        .await?
        .ok_or_else(missing)?;
    let mut old = Correspondence::from_ntriples(&current.id, &current.iri, &row.ntriples)
        .ok_or_else(missing)?;
    old.version = number;
    old.status = current.status.clone();
    old.updated_at = Some(row.created_at);
    Ok((Arc::new(old), true))
}

/// The concept map with this canonical URL (and version).
pub async fn concept_map(
    cache: &CodeListCache,
    db: &impl ConnectionTrait,
    url: &str,
    version: Option<&str>,
) -> Result<(Arc<Correspondence>, bool), FhirError> {
    let (url, pinned) = split_canonical(url);
    let current = cache
        .correspondence(&resource_id_for_iri(url))
        .filter(|c| c.iri == url)
        .ok_or_else(|| {
            FhirError::NotFound(format!(
                "no concept map {url:?} here; GET /fhir/ConceptMap lists them"
            ))
        })?;
    correspondence_version(db, current, version.or(pinned)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implicit_value_sets_name_their_list() {
        let url = value_set_url("https://e.org/l");
        assert_eq!(url, "https://e.org/l?fhir_vs");
        assert_eq!(list_iri_of_value_set(&url), "https://e.org/l");
        assert_eq!(list_iri_of_value_set("https://e.org/l"), "https://e.org/l");
        let odd = value_set_url("https://e.org/l?x=1");
        assert_eq!(list_iri_of_value_set(&odd), "https://e.org/l?x=1");
        assert_eq!(split_canonical("u|2"), ("u", Some("2")));
        assert_eq!(split_canonical("u|"), ("u", None));
    }
}
