//! Query and path parameters parsed at the edge into bounded types, so no handler does
//! arithmetic on unchecked input: a value that does not fit is a 400 problem naming the
//! parameter (through [`super::extract`]), never a panic or a wrapped-around number.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

/// An integer from `MIN` to `MAX` (both inclusive), read from a query string or path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Bounded<const MIN: u64, const MAX: u64>(u64);

impl<const MIN: u64, const MAX: u64> Bounded<MIN, MAX> {
    /// The value.
    pub fn get(self) -> u64 {
        self.0
    }

    /// The value as `usize` (bounds are chosen so it always fits).
    pub fn as_usize(self) -> usize {
        usize::try_from(self.0).unwrap_or(usize::MAX)
    }

    /// The value as `i64` (bounds are chosen so it always fits).
    pub fn as_i64(self) -> i64 {
        i64::try_from(self.0).unwrap_or(i64::MAX)
    }

    /// Parses a decimal integer within the bounds; the error says what is expected.
    pub fn parse(text: &str) -> Result<Self, String> {
        let expected = || {
            if MAX == u64::MAX {
                format!("must be an integer of at least {MIN}, not {text:?}")
            } else {
                format!("must be an integer from {MIN} to {MAX}, not {text:?}")
            }
        };
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(expected());
        }
        match text.parse::<u64>() {
            Ok(n) if (MIN..=MAX).contains(&n) => Ok(Self(n)),
            _ => Err(expected()),
        }
    }
}

impl<'de, const MIN: u64, const MAX: u64> Deserialize<'de> for Bounded<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BoundedVisitor<const MIN: u64, const MAX: u64>;
        impl<const MIN: u64, const MAX: u64> Visitor<'_> for BoundedVisitor<MIN, MAX> {
            type Value = Bounded<MIN, MAX>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "an integer from {MIN} to {MAX}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Bounded::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Bounded::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Bounded::parse(&v.to_string()).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(BoundedVisitor::<MIN, MAX>)
    }
}

/// Most rows any list skips: deep offsets cost a scan, and every bound fits `i64`.
pub const MAX_OFFSET: u64 = 1_000_000_000;

/// The largest change-log sequence number a client may name (PostgreSQL's `bigint`).
pub const MAX_SEQ: u64 = i64::MAX as u64;

/// `offset` of a list: 0 to [`MAX_OFFSET`].
pub type Offset = Bounded<0, MAX_OFFSET>;

/// A change-log position: 0 to `i64::MAX`.
pub type Seq = Bounded<0, MAX_SEQ>;

/// A version number: 1 to `i32::MAX`.
pub type VersionNumber = Bounded<1, { i32::MAX as u64 }>;

/// A BCP 47 language tag as semreg accepts it: letters, digits and hyphens, starting with 2–3
/// letters (`nb`, `nn`, `en`, `en-GB`, `se`).
pub const LANG_PATTERN: &str = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$";

/// Checks a language tag against [`LANG_PATTERN`]; the error names the parameter.
pub fn language_tag(name: &str, value: &str) -> Result<(), String> {
    let mut parts = value.split('-');
    let first = parts.next().unwrap_or_default();
    let first_ok = (2..=3).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_alphabetic());
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err(format!(
            "{name}: {value:?} is not a language tag such as nb, nn or en"
        ))
    }
}

/// A date parameter `YYYY-MM-DD` (RFC 3339 full-date); the error names the parameter.
pub fn date(name: &str, value: &str) -> Result<chrono::NaiveDate, String> {
    let well_formed = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    well_formed
        .then(|| chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| format!("{name}: {value:?} is not a date of the form YYYY-MM-DD"))
}

/// The pattern of an organisation number parameter.
pub const ORG_NR_PATTERN: &str = "^[0-9]{9}$";

/// A resource kind as a parameter (`concept`, `code-list`, ...), parsed at the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind(pub semreg_importers::ResourceKind);

impl Kind {
    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        self.0.as_str()
    }

    fn parse(name: &str) -> Result<Self, String> {
        semreg_importers::ResourceKind::parse(name)
            .map(Kind)
            .ok_or_else(|| {
                format!(
                    "unknown kind `{name}`; one of {}",
                    semreg_importers::ResourceKind::ALL
                        .map(|k| k.as_str())
                        .join(", ")
                )
            })
    }

    fn names() -> Vec<&'static str> {
        semreg_importers::ResourceKind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect()
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Kind::parse(&name).map_err(de::Error::custom)
    }
}

impl utoipa::PartialSchema for Kind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(Kind::names()))
            .into()
    }
}

impl utoipa::ToSchema for Kind {}

/// One or more kinds, comma-separated (`concept,code-list`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Kinds(pub Vec<Kind>);

impl Kinds {
    /// The kinds' names.
    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|k| k.as_str().to_owned()).collect()
    }
}

impl<'de> Deserialize<'de> for Kinds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.split(',')
            .map(Kind::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(Kinds)
            .map_err(de::Error::custom)
    }
}

impl utoipa::PartialSchema for Kinds {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let one = Kind::names().join("|");
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(format!("^({one})(,({one}))*$")))
            .description(Some(format!(
                "One or more of {}, comma-separated",
                Kind::names().join(", ")
            )))
            .into()
    }
}

impl utoipa::ToSchema for Kinds {}

/// A lifecycle status as a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not yet published.
    Draft,
    /// In force.
    Valid,
    /// Still valid, not to be used for new things.
    Deprecated,
    /// Replaced by a successor.
    Superseded,
    /// No longer in force (kept, still resolvable).
    Retired,
}

impl Status {
    /// The status's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Valid => "valid",
            Status::Deprecated => "deprecated",
            Status::Superseded => "superseded",
            Status::Retired => "retired",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_too_large_for_i64_is_refused_not_wrapped() {
        assert!(Offset::parse("9223372036854775808").is_err());
        assert!(Offset::parse("18446744073709551616").is_err());
        assert_eq!(Offset::parse("10").map(Offset::get), Ok(10));
    }

    #[test]
    fn signs_spaces_and_fractions_are_not_integers() {
        for bad in ["-1", "+1", "1.5", "", " ", " 1", "1 ", "1e3", "0x10"] {
            assert!(Bounded::<0, 100>::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bounds_are_inclusive() {
        assert!(Bounded::<1, 200>::parse("0").is_err());
        assert!(Bounded::<1, 200>::parse("1").is_ok());
        assert!(Bounded::<1, 200>::parse("200").is_ok());
        assert!(Bounded::<1, 200>::parse("201").is_err());
    }

    #[test]
    fn language_tags_and_dates_are_checked() {
        assert!(language_tag("lang", "nb").is_ok());
        assert!(language_tag("lang", "en-GB").is_ok());
        assert!(language_tag("lang", "x").is_err());
        assert!(language_tag("lang", "nb--").is_err());
        assert!(date("date", "2024-01-01").is_ok());
        assert!(date("date", "2024-02-30").is_err());
        assert!(date("date", "2024-1-1").is_err());
    }
}
