//! Transforms on a mapped value: the `semreg:transform` of a mapping (the `transform` extension
//! column of SSSOM TSV/JSON).
//!
//! Grammar: steps joined by `|`, each `name` or `name(arg, ...)`, an argument being a quoted
//! string (`"..."`, `\"` and `\\` escaped) or a bare token (integer, id, alias or IRI):
//!
//! - `rename` (or nothing): the value as it is, at the object's path;
//! - `concat(" ")`: this value is one part of the object; every mapping of the set with the same
//!   object and a `concat` step is joined in row order with the separator (empty parts skipped);
//! - `split(" ", 0)`: the part at an index of the value split at a separator (`-1` is the last);
//! - `date("%d.%m.%Y")` or `date("%d.%m.%Y", "%Y-%m-%d")`: a date read in one chrono format and
//!   written in another (default ISO 8601 `%Y-%m-%d`);
//! - `code(CORRESPONDENCE)` or `code(CORRESPONDENCE, "2024-01-01")`: a code translated through a
//!   correspondence between code lists (id, alias or IRI), in either direction, as of a date
//!   (default: today).

use chrono::NaiveDate;

/// One step of a transform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The value as it is.
    Rename,
    /// A part of a concatenation joined with a separator.
    Concat {
        /// What goes between parts.
        separator: String,
    },
    /// The part at an index of the value split at a separator.
    Split {
        /// Where to split.
        separator: String,
        /// Which part (negative counts from the end).
        index: i64,
    },
    /// A date reformatted.
    Date {
        /// chrono format of the source value.
        from: String,
        /// chrono format of the result.
        to: String,
    },
    /// A code translated through a correspondence.
    Code {
        /// The correspondence's id, alias or IRI.
        correspondence: String,
        /// The day the association must hold on (default: today).
        date: Option<NaiveDate>,
    },
}

/// A transform: steps applied in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Transform {
    /// The steps.
    pub steps: Vec<Step>,
}

/// Why a transform expression could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("transform {expression:?}: {message}")]
pub struct TransformSyntaxError {
    /// The expression.
    pub expression: String,
    /// What was wrong.
    pub message: String,
}

/// Why a transform could not be applied to a value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TransformError {
    /// The value is not a string (or number) the step can work on.
    #[error("{step} needs a string, found {found}")]
    NotText {
        /// The step.
        step: &'static str,
        /// What was found.
        found: String,
    },
    /// A split gave fewer parts than the index needs.
    #[error("split: {value:?} has no part {index} when split at {separator:?}")]
    NoPart {
        /// The value.
        value: String,
        /// The separator.
        separator: String,
        /// The index.
        index: i64,
    },
    /// A date did not match its format.
    #[error("date: {value:?} does not match the format {format:?}")]
    BadDate {
        /// The value.
        value: String,
        /// The format.
        format: String,
    },
    /// The correspondence is unknown.
    #[error("code: no correspondence {0:?}")]
    UnknownCorrespondence(String),
    /// The code has no association on the day.
    #[error("code: {code:?} has no counterpart in correspondence {correspondence:?} on {date}")]
    NoCounterpart {
        /// The code.
        code: String,
        /// The correspondence.
        correspondence: String,
        /// The day.
        date: NaiveDate,
    },
}

impl Step {
    fn name(&self) -> &'static str {
        match self {
            Step::Rename => "rename",
            Step::Concat { .. } => "concat",
            Step::Split { .. } => "split",
            Step::Date { .. } => "date",
            Step::Code { .. } => "code",
        }
    }
}

impl Transform {
    /// Parses an expression (empty gives no steps).
    pub fn parse(expression: &str) -> Result<Transform, TransformSyntaxError> {
        let error = |message: String| TransformSyntaxError {
            expression: expression.to_owned(),
            message,
        };
        let mut steps = Vec::new();
        for part in split_top_level(expression, '|').map_err(error)? {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (name, args) = match part.find('(') {
                Some(open) => {
                    let inner = part[open + 1..]
                        .strip_suffix(')')
                        .ok_or_else(|| error(format!("{part:?} lacks its closing `)`")))?;
                    let args = split_top_level(inner, ',')
                        .map_err(error)?
                        .iter()
                        .map(|a| unquote(a.trim()))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(error)?;
                    (part[..open].trim(), args)
                }
                None => (part, Vec::new()),
            };
            let arity = |min: usize, max: usize| {
                if args.len() < min || args.len() > max {
                    Err(error(format!(
                        "{name} takes {} argument(s), found {}",
                        if min == max {
                            min.to_string()
                        } else {
                            format!("{min} to {max}")
                        },
                        args.len()
                    )))
                } else {
                    Ok(())
                }
            };
            let step = match name {
                "rename" | "copy" => {
                    arity(0, 0)?;
                    Step::Rename
                }
                "concat" => {
                    arity(0, 1)?;
                    Step::Concat {
                        separator: args.first().cloned().unwrap_or_else(|| " ".to_owned()),
                    }
                }
                "split" => {
                    arity(2, 2)?;
                    let index = args[1].parse::<i64>().map_err(|_| {
                        error(format!(
                            "split's index must be an integer, found {:?}",
                            args[1]
                        ))
                    })?;
                    Step::Split {
                        separator: args[0].clone(),
                        index,
                    }
                }
                "date" => {
                    arity(1, 2)?;
                    for format in &args {
                        check_date_format(format).map_err(error)?;
                    }
                    Step::Date {
                        from: args[0].clone(),
                        to: args
                            .get(1)
                            .cloned()
                            .unwrap_or_else(|| "%Y-%m-%d".to_owned()),
                    }
                }
                "code" => {
                    arity(1, 2)?;
                    let date = match args.get(1) {
                        Some(day) => {
                            Some(NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
                                error(format!("code's date must be YYYY-MM-DD, found {day:?}"))
                            })?)
                        }
                        None => None,
                    };
                    Step::Code {
                        correspondence: args[0].clone(),
                        date,
                    }
                }
                other => {
                    return Err(error(format!(
                        "unknown step {other:?}: use rename, concat, split, date or code"
                    )))
                }
            };
            steps.push(step);
        }
        Ok(Transform { steps })
    }

    /// The separator when this value is a part of a concatenation.
    pub fn concat_separator(&self) -> Option<&str> {
        self.steps.iter().find_map(|s| match s {
            Step::Concat { separator } => Some(separator.as_str()),
            _ => None,
        })
    }

    /// Whether the transform does nothing.
    pub fn is_identity(&self) -> bool {
        self.steps.iter().all(|s| *s == Step::Rename)
    }

    /// Applies the steps to a value; `code` asks `translate(correspondence, code, day)`.
    pub fn apply(
        &self,
        value: serde_json::Value,
        translate: &dyn Fn(&str, &str, NaiveDate) -> Result<String, TransformError>,
        today: NaiveDate,
    ) -> Result<serde_json::Value, TransformError> {
        use serde_json::Value;
        let mut value = value;
        for step in &self.steps {
            value = match step {
                Step::Rename | Step::Concat { .. } => value,
                Step::Split { separator, index } => {
                    let text = text_of(&value, step)?;
                    let parts: Vec<&str> = text
                        .split(separator.as_str())
                        .filter(|p| !p.is_empty())
                        .collect();
                    let at = if *index < 0 {
                        parts.len() as i64 + index
                    } else {
                        *index
                    };
                    let part = usize::try_from(at)
                        .ok()
                        .and_then(|i| parts.get(i))
                        .ok_or_else(|| TransformError::NoPart {
                            value: text.clone(),
                            separator: separator.clone(),
                            index: *index,
                        })?;
                    Value::String((*part).to_owned())
                }
                Step::Date { from, to } => {
                    let text = text_of(&value, step)?;
                    let day = NaiveDate::parse_from_str(text.trim(), from).map_err(|_| {
                        TransformError::BadDate {
                            value: text.clone(),
                            format: from.clone(),
                        }
                    })?;
                    Value::String(day.format(to).to_string())
                }
                Step::Code {
                    correspondence,
                    date,
                } => {
                    let text = text_of(&value, step)?;
                    Value::String(translate(correspondence, &text, date.unwrap_or(today))?)
                }
            };
        }
        Ok(value)
    }
}

impl std::fmt::Display for Transform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|step| match step {
                Step::Rename => "rename".to_owned(),
                Step::Concat { separator } => format!("concat({})", quote(separator)),
                Step::Split { separator, index } => format!("split({}, {index})", quote(separator)),
                Step::Date { from, to } => format!("date({}, {})", quote(from), quote(to)),
                Step::Code {
                    correspondence,
                    date: Some(day),
                } => format!("code({}, \"{day}\")", quote(correspondence)),
                Step::Code {
                    correspondence,
                    date: None,
                } => format!("code({})", quote(correspondence)),
            })
            .collect();
        f.write_str(&steps.join(" | "))
    }
}

fn text_of(value: &serde_json::Value, step: &Step) -> Result<String, TransformError> {
    match value {
        serde_json::Value::String(s) => Ok(s.clone()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(TransformError::NotText {
            step: step.name(),
            found: other.to_string(),
        }),
    }
}

fn check_date_format(format: &str) -> Result<(), String> {
    use chrono::format::{Item, StrftimeItems};
    if StrftimeItems::new(format).any(|item| matches!(item, Item::Error)) {
        return Err(format!(
            "{format:?} is not a chrono date format (e.g. \"%d.%m.%Y\")"
        ));
    }
    Ok(())
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Splits at a delimiter outside quotes and parentheses.
fn split_top_level(text: &str, delimiter: char) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    let mut escaped = false;
    let mut depth = 0usize;
    for c in text.chars() {
        if in_quotes {
            current.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_quotes = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_quotes = true;
                current.push(c);
            }
            '(' => {
                depth += 1;
                current.push(c);
            }
            ')' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| "a `)` without its `(`".to_owned())?;
                current.push(c);
            }
            c if c == delimiter && depth == 0 => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    if in_quotes {
        return Err("a quoted string is not closed".to_owned());
    }
    if depth != 0 {
        return Err("a `(` is not closed".to_owned());
    }
    parts.push(current);
    Ok(parts)
}

fn unquote(arg: &str) -> Result<String, String> {
    let Some(inner) = arg.strip_prefix('"') else {
        if arg.is_empty() {
            return Err("an argument is empty".to_owned());
        }
        return Ok(arg.to_owned());
    };
    let inner = inner
        .strip_suffix('"')
        .ok_or_else(|| format!("{arg:?} is not a closed quoted string"))?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(next) => out.push(next),
                None => return Err(format!("{arg:?} ends in a lone backslash")),
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn no_codes(_: &str, code: &str, day: NaiveDate) -> Result<String, TransformError> {
        Err(TransformError::NoCounterpart {
            code: code.to_owned(),
            correspondence: "none".to_owned(),
            date: day,
        })
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
    }

    #[test]
    fn an_expression_reads_back_as_written() {
        let t = Transform::parse(r#"split(" ", -1) | date("%d.%m.%Y", "%Y-%m-%d")"#).unwrap();
        assert_eq!(t.steps.len(), 2);
        assert_eq!(Transform::parse(&t.to_string()).unwrap(), t);
        let code = Transform::parse(r#"code(folkeregister-kjoenn, "2024-01-01")"#).unwrap();
        assert_eq!(Transform::parse(&code.to_string()).unwrap(), code);
    }

    #[test]
    fn split_takes_a_part_counted_from_either_end() {
        let first = Transform::parse(r#"split(" ", 0)"#).unwrap();
        let last = Transform::parse(r#"split(" ", -1)"#).unwrap();
        let name = json!("Kari  Nordmann");
        assert_eq!(
            first.apply(name.clone(), &no_codes, today()).unwrap(),
            json!("Kari")
        );
        assert_eq!(
            last.apply(name, &no_codes, today()).unwrap(),
            json!("Nordmann")
        );
        let third = Transform::parse(r#"split(" ", 2)"#).unwrap();
        assert!(matches!(
            third.apply(json!("Kari Nordmann"), &no_codes, today()),
            Err(TransformError::NoPart { .. })
        ));
    }

    #[test]
    fn a_date_is_rewritten_and_a_wrong_one_is_named() {
        let t = Transform::parse(r#"date("%d%m%Y")"#).unwrap();
        assert_eq!(
            t.apply(json!("31011990"), &no_codes, today()).unwrap(),
            json!("1990-01-31")
        );
        let err = t
            .apply(json!("1990-01-31"), &no_codes, today())
            .unwrap_err();
        assert!(err.to_string().contains("%d%m%Y"), "{err}");
    }

    #[test]
    fn a_code_step_asks_the_correspondence_on_its_date() {
        let t = Transform::parse(r#"code(kj, "2020-02-02")"#).unwrap();
        let translate = |c: &str, code: &str, day: NaiveDate| {
            assert_eq!(c, "kj");
            assert_eq!(day, NaiveDate::from_ymd_opt(2020, 2, 2).unwrap());
            Ok(if code == "kvinne" { "2" } else { "1" }.to_owned())
        };
        assert_eq!(
            t.apply(json!("kvinne"), &translate, today()).unwrap(),
            json!("2")
        );
    }

    #[test]
    fn bad_expressions_say_what_is_wrong() {
        for (expression, needle) in [
            ("split(\" \")", "2 argument"),
            ("split(\" \", x)", "integer"),
            ("date(\"%Q\")", "chrono"),
            ("upper", "unknown step"),
            ("concat(\" \"", "closed"),
            ("code(a, \"1.1.2020\")", "YYYY-MM-DD"),
        ] {
            let err = Transform::parse(expression).unwrap_err();
            assert!(err.to_string().contains(needle), "{expression}: {err}");
        }
    }
}
