//! Operation and search parameters: from a query string or form (`name=value` pairs) or a
//! `Parameters` resource (POST), checked against what the operation takes. Unknown parameters
//! are refused (`not-supported`), known ones the server does not do as well, and values are
//! typed at the edge: a boolean is `true`/`false`, a count a bounded whole number, a date
//! `YYYY-MM-DD`.

use super::FhirError;
use chrono::NaiveDate;
use serde_json::Value as Json;

/// The type of a parameter's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string, uri, code or canonical.
    Text,
    /// `true` or `false`.
    Boolean,
    /// A whole number from 0 to `max`.
    Integer {
        /// The largest value taken.
        max: u32,
    },
    /// A date (`YYYY-MM-DD`; a dateTime is cut to its day).
    Date,
    /// A `Coding` (in a query string: `system|code`).
    Coding,
    /// A `CodeableConcept` (POST only).
    CodeableConcept,
    /// A parameter FHIR defines that semreg does not support; the text says why.
    Unsupported(&'static str),
}

/// One parameter an operation or search takes.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Its name.
    pub name: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Whether it may be given more than once.
    pub repeats: bool,
}

impl Spec {
    /// A parameter given at most once.
    pub const fn one(name: &'static str, kind: Kind) -> Spec {
        Spec {
            name,
            kind,
            repeats: false,
        }
    }

    /// A parameter that may repeat.
    pub const fn many(name: &'static str, kind: Kind) -> Spec {
        Spec {
            name,
            kind,
            repeats: true,
        }
    }
}

/// Parameters every FHIR interaction takes: the format and pretty printing.
pub const COMMON: [Spec; 2] = [
    Spec::one("_format", Kind::Text),
    Spec::one("_pretty", Kind::Boolean),
];

/// A `Coding`'s parts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coding {
    /// The code system's canonical URL.
    pub system: Option<String>,
    /// Its version.
    pub version: Option<String>,
    /// The code.
    pub code: Option<String>,
    /// A display to check.
    pub display: Option<String>,
}

/// A parameter's value, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// A whole number.
    Int(u32),
    /// A day.
    Date(NaiveDate),
    /// A `Coding`.
    Coding(Coding),
    /// A `CodeableConcept`'s codings.
    Codings(Vec<Coding>),
}

/// The parameters of one request.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: Vec<(&'static str, Value)>,
}

fn find<'s>(specs: &'s [Spec], name: &str, what: &str) -> Result<&'s Spec, FhirError> {
    if let Some(spec) = specs.iter().chain(COMMON.iter()).find(|s| s.name == name) {
        if let Kind::Unsupported(why) = spec.kind {
            return Err(FhirError::not_supported(
                name,
                format!("the parameter {name:?} of {what} is not supported: {why}"),
            ));
        }
        return Ok(spec);
    }
    let known: Vec<&str> = specs
        .iter()
        .filter(|s| !matches!(s.kind, Kind::Unsupported(_)))
        .map(|s| s.name)
        .collect();
    Err(FhirError::not_supported(
        name,
        format!(
            "unknown parameter {name:?} for {what}; it takes {}",
            known.join(", ")
        ),
    ))
}

/// A day from a FHIR date or dateTime.
pub fn parse_date(name: &str, text: &str) -> Result<NaiveDate, FhirError> {
    let day = match text.split_once('T') {
        Some((day, _)) => day,
        None => text,
    };
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .filter(|_| day.len() == 10)
        .ok_or_else(|| {
            FhirError::invalid(
                name,
                format!("invalid {name} {text:?}: expected a date as YYYY-MM-DD"),
            )
        })
}

fn parse_text(spec: &Spec, text: &str) -> Result<Value, FhirError> {
    let name = spec.name;
    Ok(match spec.kind {
        Kind::Text => Value::Text(text.to_owned()),
        Kind::Boolean => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => {
                return Err(FhirError::invalid(
                    name,
                    format!("invalid {name} {text:?}: expected true or false"),
                ))
            }
        },
        Kind::Integer { max } => Value::Int(
            text.parse::<u32>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| {
                    FhirError::invalid(
                        name,
                        format!("invalid {name} {text:?}: expected a whole number from 0 to {max}"),
                    )
                })?,
        ),
        Kind::Date => Value::Date(parse_date(name, text)?),
        Kind::Coding => {
            let (system, code) = match text.rsplit_once('|') {
                Some((system, code)) => (Some(system.to_owned()), code),
                None => (None, text),
            };
            Value::Coding(Coding {
                system: system.filter(|s| !s.is_empty()),
                code: Some(code.to_owned()).filter(|c| !c.is_empty()),
                ..Coding::default()
            })
        }
        Kind::CodeableConcept => {
            return Err(FhirError::invalid(
                name,
                format!("{name} is a CodeableConcept: send it in a Parameters resource with POST"),
            ))
        }
        Kind::Unsupported(_) => unreachable!("refused by find"),
    })
}

fn coding_of(json: &Json, name: &str) -> Result<Coding, FhirError> {
    let Json::Object(object) = json else {
        return Err(FhirError::invalid(
            name,
            format!("{name}: expected a Coding object"),
        ));
    };
    let part = |key: &str| -> Result<Option<String>, FhirError> {
        match object.get(key) {
            None => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(FhirError::invalid(
                name,
                format!("{name}.{key}: expected a string"),
            )),
        }
    };
    let code = part("code")?.filter(|c| !c.is_empty()).ok_or_else(|| {
        FhirError::invalid(name, format!("{name}: a Coding needs a non-empty code"))
    })?;
    Ok(Coding {
        system: part("system")?,
        version: part("version")?,
        code: Some(code),
        display: part("display")?,
    })
}

/// The `value[x]` of a `Parameters.parameter` as text, if it is a primitive.
fn primitive_text(parameter: &serde_json::Map<String, Json>) -> Option<String> {
    parameter.iter().find_map(|(key, value)| {
        if !key.starts_with("value") {
            return None;
        }
        match value {
            Json::String(s) => Some(s.clone()),
            Json::Bool(b) => Some(b.to_string()),
            // 8964.0 is a whole number too (JSON does not tell them apart).
            Json::Number(n) => Some(match n.as_f64() {
                Some(f) if n.as_u64().is_none() && f.fract() == 0.0 && (0.0..1e15).contains(&f) => {
                    format!("{f:.0}")
                }
                _ => n.to_string(),
            }),
            _ => None,
        }
    })
}

impl Params {
    /// Parameters from `name=value` pairs (a query string or a form).
    pub fn from_pairs(
        pairs: impl IntoIterator<Item = (String, String)>,
        specs: &[Spec],
        what: &str,
    ) -> Result<Params, FhirError> {
        let mut params = Params::default();
        for (name, text) in pairs {
            let spec = find(specs, &name, what)?;
            params.push(spec, parse_text(spec, &text)?, what)?;
        }
        Ok(params)
    }

    /// Parameters from a query string.
    pub fn from_query(raw: &str, specs: &[Spec], what: &str) -> Result<Params, FhirError> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(raw).map_err(|e| FhirError::Invalid {
                message: format!("malformed query string: {e}"),
                param: None,
            })?;
        Params::from_pairs(pairs, specs, what)
    }

    /// Parameters from a `Parameters` resource.
    pub fn from_parameters(body: &Json, specs: &[Spec], what: &str) -> Result<Params, FhirError> {
        let invalid = |message: String| FhirError::Invalid {
            message,
            param: None,
        };
        if body.get("resourceType").and_then(Json::as_str) != Some("Parameters") {
            return Err(invalid(format!(
                "the body of {what} must be a Parameters resource (resourceType \"Parameters\")"
            )));
        }
        let mut params = Params::default();
        let list = match body.get("parameter") {
            None => return Ok(params),
            Some(Json::Array(list)) => list,
            Some(_) => return Err(invalid("Parameters.parameter: expected an array".into())),
        };
        for (at, parameter) in list.iter().enumerate() {
            let Json::Object(parameter) = parameter else {
                return Err(invalid(format!(
                    "Parameters.parameter[{at}]: expected an object"
                )));
            };
            let Some(name) = parameter.get("name").and_then(Json::as_str) else {
                return Err(invalid(format!(
                    "Parameters.parameter[{at}]: expected a name"
                )));
            };
            let spec = find(specs, name, what)?;
            let value = match spec.kind {
                Kind::Coding => Value::Coding(coding_of(
                    parameter.get("valueCoding").ok_or_else(|| {
                        FhirError::invalid(name, format!("{name}: expected valueCoding"))
                    })?,
                    name,
                )?),
                Kind::CodeableConcept => {
                    let concept = parameter.get("valueCodeableConcept").ok_or_else(|| {
                        FhirError::invalid(name, format!("{name}: expected valueCodeableConcept"))
                    })?;
                    let codings = match concept.get("coding") {
                        Some(Json::Array(codings)) => codings
                            .iter()
                            .map(|c| coding_of(c, name))
                            .collect::<Result<Vec<_>, _>>()?,
                        _ => Vec::new(),
                    };
                    Value::Codings(codings)
                }
                _ => {
                    let text = primitive_text(parameter).ok_or_else(|| {
                        FhirError::invalid(name, format!("{name}: expected a primitive value[x]"))
                    })?;
                    parse_text(spec, &text)?
                }
            };
            params.push(spec, value, what)?;
        }
        Ok(params)
    }

    /// Adds the values of other parameters (the query string's `_format` and `_pretty` of a
    /// POST).
    pub fn absorb(&mut self, other: Params) {
        for (name, value) in other.values {
            if self.get(name).is_none() {
                self.values.push((name, value));
            }
        }
    }

    fn push(&mut self, spec: &Spec, value: Value, what: &str) -> Result<(), FhirError> {
        if !spec.repeats && self.values.iter().any(|(n, _)| *n == spec.name) {
            return Err(FhirError::invalid(
                spec.name,
                format!("{} is given more than once; {what} takes one", spec.name),
            ));
        }
        self.values.push((spec.name, value));
        Ok(())
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Whether a parameter was given.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// A text parameter.
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Some(Value::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// Every value of a repeating text parameter.
    pub fn texts(&self, name: &str) -> Vec<&str> {
        self.values
            .iter()
            .filter(|(n, _)| *n == name)
            .filter_map(|(_, v)| match v {
                Value::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }

    /// A boolean parameter.
    pub fn flag(&self, name: &str) -> Option<bool> {
        match self.get(name) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// A whole-number parameter.
    pub fn int(&self, name: &str) -> Option<u32> {
        match self.get(name) {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        }
    }

    /// A date parameter.
    pub fn date(&self, name: &str) -> Option<NaiveDate> {
        match self.get(name) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        }
    }

    /// A `Coding` parameter.
    pub fn coding(&self, name: &str) -> Option<&Coding> {
        match self.get(name) {
            Some(Value::Coding(c)) => Some(c),
            _ => None,
        }
    }

    /// A `CodeableConcept` parameter's codings.
    pub fn codings(&self, name: &str) -> Option<&[Coding]> {
        match self.get(name) {
            Some(Value::Codings(c)) => Some(c),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: [Spec; 4] = [
        Spec::one("url", Kind::Text),
        Spec::one("count", Kind::Integer { max: 1000 }),
        Spec::one("activeOnly", Kind::Boolean),
        Spec::one(
            "context",
            Kind::Unsupported("value set contexts are not known here"),
        ),
    ];

    #[test]
    fn unknown_parameters_are_refused_by_name() {
        let error = Params::from_query("url=x&colour=red", &SPECS, "$expand").unwrap_err();
        assert_eq!(error.param(), Some("colour"));
        assert!(
            error.to_string().contains("url, count, activeOnly"),
            "{error}"
        );
        let error = Params::from_query("context=x", &SPECS, "$expand").unwrap_err();
        assert_eq!(error.issue(), super::super::IssueType::NotSupported);
    }

    #[test]
    fn values_are_typed_and_bounded_at_the_edge() {
        let p = Params::from_query("count=10&activeOnly=true&_format=json", &SPECS, "x").unwrap();
        assert_eq!(p.int("count"), Some(10));
        assert_eq!(p.flag("activeOnly"), Some(true));
        for bad in ["count=1001", "count=-1", "activeOnly=yes", "url=a&url=b"] {
            assert!(
                Params::from_query(bad, &SPECS, "x").is_err(),
                "{bad} is refused"
            );
        }
        assert_eq!(
            parse_date("date", "2024-05-01T10:00:00Z").unwrap(),
            NaiveDate::from_ymd_opt(2024, 5, 1).unwrap()
        );
        assert!(parse_date("date", "2024-05").is_err());
    }

    #[test]
    fn a_parameters_resource_gives_the_same_values() {
        let body = serde_json::json!({"resourceType": "Parameters", "parameter": [
            {"name": "url", "valueUri": "https://e.org/l"},
            {"name": "count", "valueInteger": 5},
            {"name": "activeOnly", "valueBoolean": false}]});
        let p = Params::from_parameters(&body, &SPECS, "$expand").unwrap();
        assert_eq!(p.text("url"), Some("https://e.org/l"));
        assert_eq!(p.int("count"), Some(5));
        assert_eq!(p.flag("activeOnly"), Some(false));
        let wrong = serde_json::json!({"resourceType": "Patient"});
        assert!(Params::from_parameters(&wrong, &SPECS, "$expand").is_err());
    }
}
