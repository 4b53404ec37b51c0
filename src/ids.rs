//! Identifiers parsed at the boundary: organisation numbers and resource ids.

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A Norwegian organisation number: exactly nine digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgNr(String);

/// Why a string is not an organisation number.
#[derive(Debug, thiserror::Error)]
#[error("invalid organisation number {0:?}: expected exactly 9 digits")]
pub struct InvalidOrgNr(pub String);

impl OrgNr {
    /// Parses exactly nine ASCII digits (no spaces around them).
    pub fn parse(value: &str) -> Result<Self, InvalidOrgNr> {
        if value.len() == 9 && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidOrgNr(value.to_owned()))
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses nine digits whose last is the MOD11 check digit of the first eight (weights
    /// 3 2 7 6 5 4 3 2, as the Central Coordinating Register for Legal Entities assigns them):
    /// for org numbers that come from outside credentials, where a typo must not name
    /// another organisation.
    pub fn parse_checked(value: &str) -> Result<Self, InvalidOrgNr> {
        let org = Self::parse(value)?;
        if mod11_check_digit(&org.0.as_bytes()[..8]) == Some(org.0.as_bytes()[8] - b'0') {
            Ok(org)
        } else {
            Err(InvalidOrgNr(format!("{value} (its check digit is wrong)")))
        }
    }
}

/// The MOD11 check digit of eight ASCII digits, `None` when there is none (remainder 1).
fn mod11_check_digit(digits: &[u8]) -> Option<u8> {
    const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        check => Some(check as u8),
    }
}

impl TryFrom<String> for OrgNr {
    type Error = InvalidOrgNr;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OrgNr> for String {
    fn from(value: OrgNr) -> Self {
        value.0
    }
}

impl std::str::FromStr for OrgNr {
    type Err = InvalidOrgNr;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for OrgNr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The id of a resource: FDK's `fdkId`, Java's `UUID.nameUUIDFromBytes(iri)` (MD5, version 3),
/// so two federated instances (and FDK) agree on it.
pub fn resource_id_for_iri(iri: &str) -> String {
    let digest: [u8; 16] = Md5::digest(iri.as_bytes()).into();
    uuid::Builder::from_md5_bytes(digest)
        .into_uuid()
        .hyphenated()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_id_matches_javas_name_uuid_from_bytes() {
        // Java: UUID.nameUUIDFromBytes("https://example.org/a".getBytes(UTF_8))
        // = MD5 with the version nibble set to 3 and the IETF variant.
        let id = resource_id_for_iri("https://example.org/a");
        let uuid = uuid::Uuid::parse_str(&id).unwrap();
        assert_eq!(uuid.get_version_num(), 3);
        assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122);
        let digest: [u8; 16] = Md5::digest(b"https://example.org/a").into();
        assert_eq!(&uuid.as_bytes()[..6], &digest[..6]);
    }

    #[test]
    fn org_nr_needs_nine_digits() {
        assert!(OrgNr::parse("974760673").is_ok());
        assert!(OrgNr::parse("97476067").is_err());
        assert!(OrgNr::parse("97476067x").is_err());
    }

    #[test]
    fn checked_org_nr_needs_its_mod11_check_digit() {
        // Brønnøysundregistrene and Digdir.
        assert!(OrgNr::parse_checked("974760673").is_ok());
        assert!(OrgNr::parse_checked("991825827").is_ok());
        assert!(OrgNr::parse_checked("974760674").is_err());
        assert!(OrgNr::parse_checked("123456789").is_err());
        assert!(OrgNr::parse_checked("97476067").is_err());
    }
}
