//! Sample instances generated from a JSON Schema (the subset semreg writes): local `$ref`s,
//! `allOf` / `anyOf` / `oneOf`, objects, arrays, `enum`, `const`, string lengths, formats and
//! patterns (a small regular-expression generator), numeric bounds and `multipleOf`. Used to
//! show designers an example document and, in tests, to check that an exported schema accepts
//! what it describes.

use serde_json::{json, Map, Value};

/// How much of the schema a sample fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// Only required properties, arrays at their minimum length.
    Minimal,
    /// Every property (down to a depth), arrays with at least one item.
    Full,
}

/// Nesting beyond this fills required properties only.
const FULL_DEPTH: usize = 6;
/// Nesting beyond this stops (a required recursion).
const MAX_DEPTH: usize = 40;

/// A sample instance of `schema` (the root of a schema document, for `$ref` resolution).
pub fn sample(schema: &Value, fill: Fill) -> Value {
    Generator { root: schema, fill }.value(schema, 0)
}

struct Generator<'s> {
    root: &'s Value,
    fill: Fill,
}

impl<'s> Generator<'s> {
    fn resolve(&self, reference: &str) -> Option<&'s Value> {
        let pointer = reference.strip_prefix('#')?;
        let pointer = pointer.replace("~1", "/").replace("~0", "~");
        self.root.pointer(&pointer)
    }

    /// Gathers the keywords of a schema and of everything it pulls in by `$ref` / `allOf`, and
    /// picks the first alternative of `anyOf` / `oneOf`.
    fn flatten(&self, schema: &'s Value, into: &mut Map<String, Value>, depth: usize) {
        let Some(object) = schema.as_object() else {
            return;
        };
        if depth > MAX_DEPTH {
            return;
        }
        if let Some(target) = object
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| self.resolve(r))
        {
            self.flatten(target, into, depth + 1);
        }
        for key in ["allOf"] {
            for part in object
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.flatten(part, into, depth + 1);
            }
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(first) = object
                .get(key)
                .and_then(Value::as_array)
                .and_then(|a| a.first())
            {
                self.flatten(first, into, depth + 1);
            }
        }
        for (key, value) in object {
            match key.as_str() {
                "$ref" | "allOf" | "anyOf" | "oneOf" | "$defs" => {}
                "properties" => {
                    let mut current = into
                        .get("properties")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    for (k, v) in value.as_object().into_iter().flatten() {
                        current.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                    into.insert("properties".into(), Value::Object(current));
                }
                "required" => {
                    let mut current: Vec<Value> = into
                        .get("required")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    for r in value.as_array().into_iter().flatten() {
                        if !current.contains(r) {
                            current.push(r.clone());
                        }
                    }
                    into.insert("required".into(), Value::Array(current));
                }
                _ => {
                    into.entry(key.clone()).or_insert_with(|| value.clone());
                }
            }
        }
    }

    fn value(&self, schema: &'s Value, depth: usize) -> Value {
        let mut s = Map::new();
        self.flatten(schema, &mut s, depth);
        if let Some(value) = s.get("const") {
            return value.clone();
        }
        if let Some(first) = s.get("enum").and_then(Value::as_array).and_then(|e| {
            // Prefer a non-empty code: an empty one says nothing in an example.
            e.iter()
                .find(|v| v.as_str() != Some(""))
                .or_else(|| e.first())
        }) {
            return first.clone();
        }
        let kind = match s.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or("null")
                .to_owned(),
            _ if s.contains_key("properties") => "object".to_owned(),
            _ if s.contains_key("items") => "array".to_owned(),
            _ => "string".to_owned(),
        };
        match kind.as_str() {
            "object" => self.object(&s, depth),
            "array" => {
                let min = s.get("minItems").and_then(Value::as_u64).unwrap_or(0);
                let max = s
                    .get("maxItems")
                    .and_then(Value::as_u64)
                    .unwrap_or(u64::MAX);
                let wanted = match self.fill {
                    Fill::Minimal => min,
                    Fill::Full => min.max(1).min(max),
                };
                let items = match s.get("items") {
                    Some(items) => (0..wanted).map(|_| self.value(items, depth + 1)).collect(),
                    None => Vec::new(),
                };
                Value::Array(items)
            }
            "integer" | "number" => number(&s, kind == "integer"),
            "boolean" => Value::Bool(true),
            "null" => Value::Null,
            _ => Value::String(string(&s)),
        }
    }

    fn object(&self, s: &Map<String, Value>, depth: usize) -> Value {
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut out = Map::new();
        if depth > MAX_DEPTH {
            return Value::Object(out);
        }
        let all = self.fill == Fill::Full && depth <= FULL_DEPTH;
        for (name, property) in s
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if all || required.contains(&name.as_str()) {
                out.insert(name.clone(), self.value(property, depth + 1));
            }
        }
        Value::Object(out)
    }
}

fn number(s: &Map<String, Value>, integer: bool) -> Value {
    let get = |k: &str| s.get(k).and_then(Value::as_f64);
    let step = get("multipleOf").unwrap_or(1.0);
    let mut low = get("minimum");
    if let Some(exclusive) = get("exclusiveMinimum") {
        low = Some(low.map_or(exclusive + step, |l| l.max(exclusive + step)));
    }
    let mut high = get("maximum");
    if let Some(exclusive) = get("exclusiveMaximum") {
        high = Some(high.map_or(exclusive - step, |h| h.min(exclusive - step)));
    }
    let mut candidate = low.unwrap_or(0.0).max(if high.is_some_and(|h| h < 0.0) {
        f64::MIN
    } else {
        0.0
    });
    if let Some(high) = high {
        candidate = candidate.min(high);
    }
    // Round up to a multiple of the step (and of 1 for integers).
    let unit = if integer { step.max(1.0) } else { step };
    candidate = (candidate / unit).ceil() * unit;
    if integer || (candidate.fract() == 0.0 && candidate.abs() < 1e15) {
        json!(candidate as i64)
    } else {
        serde_json::Number::from_f64(candidate).map_or(json!(0), Value::Number)
    }
}

fn string(s: &Map<String, Value>) -> String {
    let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = s
        .get("maxLength")
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |m| m as usize);
    let mut text = match s.get("format").and_then(Value::as_str) {
        Some("date") => "2024-01-31".to_owned(),
        Some("date-time") => "2024-01-31T12:00:00Z".to_owned(),
        Some("time") => "12:00:00".to_owned(),
        Some("duration") => "P1D".to_owned(),
        Some("uri-reference" | "uri") => "https://example.org/".to_owned(),
        _ => match s.get("pattern").and_then(Value::as_str) {
            Some(pattern) => regex_sample(pattern, min),
            None => "x".to_owned(),
        },
    };
    if s.get("pattern").is_none() {
        while text.chars().count() < min {
            text.push('x');
        }
    }
    if text.chars().count() > max {
        text = text.chars().take(max).collect();
    }
    text
}

/// A string matching a regular expression (the common subset: literals, escapes `\d \w \s`,
/// classes `[...]`, groups with alternatives, quantifiers `? * + {n} {n,m}`, anchors), at least
/// `min` characters long when the expression allows repetition.
pub fn regex_sample(pattern: &str, min: usize) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut parser = Regex { chars, at: 0 };
    let node = parser.alternatives();
    let mut out = String::new();
    node.emit(&mut out, 0);
    if out.chars().count() < min {
        // Grow the last repeatable part until the length fits.
        let extra = min - out.chars().count();
        let mut longer = String::new();
        node.emit(&mut longer, extra);
        out = longer;
    }
    out
}

#[derive(Debug)]
enum Node {
    Seq(Vec<Node>),
    Alt(Vec<Node>),
    Char(char),
    Repeat(Box<Node>, usize, Option<usize>),
    Empty,
}

impl Node {
    /// Writes the shortest match, with `extra` more repetitions of the last open-ended repeat.
    fn emit(&self, out: &mut String, extra: usize) -> usize {
        match self {
            Node::Seq(items) => {
                let mut left = extra;
                // Give the extra repetitions to the last item that can take them.
                let takers: Vec<bool> = items.iter().map(Node::open_ended).collect();
                let last = takers.iter().rposition(|t| *t);
                for (i, item) in items.iter().enumerate() {
                    let give = if Some(i) == last { left } else { 0 };
                    left -= item.emit(out, give).min(give);
                }
                extra - left
            }
            Node::Alt(options) => options.first().map_or(0, |o| o.emit(out, extra)),
            Node::Char(c) => {
                out.push(*c);
                0
            }
            Node::Repeat(inner, min, max) => {
                let times = match max {
                    Some(max) => (*min + extra).min(*max),
                    None => *min + extra,
                };
                for _ in 0..times {
                    inner.emit(out, 0);
                }
                times - min
            }
            Node::Empty => 0,
        }
    }

    fn open_ended(&self) -> bool {
        match self {
            Node::Repeat(_, min, max) => max.is_none_or(|m| m > *min),
            Node::Seq(items) => items.iter().any(Node::open_ended),
            Node::Alt(options) => options.first().is_some_and(Node::open_ended),
            _ => false,
        }
    }
}

struct Regex {
    chars: Vec<char>,
    at: usize,
}

impl Regex {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn alternatives(&mut self) -> Node {
        let mut options = vec![self.sequence()];
        while self.peek() == Some('|') {
            self.at += 1;
            options.push(self.sequence());
        }
        if options.len() == 1 {
            options.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(options)
        }
    }

    fn sequence(&mut self) -> Node {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom();
            items.push(self.quantified(atom));
        }
        Node::Seq(items)
    }

    fn quantified(&mut self, atom: Node) -> Node {
        match self.peek() {
            Some('?') => {
                self.at += 1;
                self.lazy();
                Node::Repeat(Box::new(atom), 0, Some(1))
            }
            Some('*') => {
                self.at += 1;
                self.lazy();
                Node::Repeat(Box::new(atom), 0, None)
            }
            Some('+') => {
                self.at += 1;
                self.lazy();
                Node::Repeat(Box::new(atom), 1, None)
            }
            Some('{') => {
                let start = self.at;
                let close = self.chars[self.at..].iter().position(|c| *c == '}');
                let Some(close) = close else {
                    return atom;
                };
                let body: String = self.chars[self.at + 1..self.at + close].iter().collect();
                let (min, max) = match body.split_once(',') {
                    Some((a, "")) => (a.trim().parse().ok(), Some(None)),
                    Some((a, b)) => (a.trim().parse().ok(), Some(b.trim().parse().ok())),
                    None => (body.trim().parse().ok(), None),
                };
                match min {
                    Some(min) => {
                        self.at += close + 1;
                        self.lazy();
                        let max = match max {
                            None => Some(min),
                            Some(max) => max,
                        };
                        Node::Repeat(Box::new(atom), min, max)
                    }
                    None => {
                        self.at = start + 1;
                        Node::Seq(vec![atom, Node::Char('{')])
                    }
                }
            }
            _ => atom,
        }
    }

    fn lazy(&mut self) {
        if self.peek() == Some('?') {
            self.at += 1;
        }
    }

    fn atom(&mut self) -> Node {
        let Some(c) = self.peek() else {
            return Node::Empty;
        };
        self.at += 1;
        match c {
            '^' | '$' => Node::Empty,
            '.' => Node::Char('a'),
            '(' => {
                if self.peek() == Some('?') {
                    // (?:...) and lookarounds: skip the marker.
                    self.at += 1;
                    if matches!(self.peek(), Some(':' | '=' | '!')) {
                        self.at += 1;
                    }
                }
                let inner = self.alternatives();
                if self.peek() == Some(')') {
                    self.at += 1;
                }
                inner
            }
            '[' => self.class(),
            '\\' => self.escape(),
            c => Node::Char(c),
        }
    }

    fn escape(&mut self) -> Node {
        let Some(c) = self.peek() else {
            return Node::Char('\\');
        };
        self.at += 1;
        Node::Char(match c {
            'd' => '0',
            'w' => 'a',
            's' => ' ',
            'D' | 'W' | 'S' => 'x',
            'n' => '\n',
            't' => '\t',
            'p' | 'P' => {
                // \p{L} and friends: skip the braces.
                if self.peek() == Some('{') {
                    while let Some(c) = self.peek() {
                        self.at += 1;
                        if c == '}' {
                            break;
                        }
                    }
                }
                if c == 'p' {
                    'a'
                } else {
                    '0'
                }
            }
            other => other,
        })
    }

    /// A character class: the first character it allows.
    fn class(&mut self) -> Node {
        let negated = self.peek() == Some('^');
        if negated {
            self.at += 1;
        }
        let mut members: Vec<char> = Vec::new();
        let mut first = true;
        while let Some(c) = self.peek() {
            if c == ']' && !first {
                self.at += 1;
                break;
            }
            first = false;
            self.at += 1;
            let c = if c == '\\' {
                match self.peek() {
                    Some(e) => {
                        self.at += 1;
                        match e {
                            'd' => '0',
                            'w' => 'a',
                            's' => ' ',
                            other => other,
                        }
                    }
                    None => '\\',
                }
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.at + 1).is_some_and(|n| *n != ']') {
                self.at += 1;
                let end = self.peek().unwrap_or(c);
                self.at += 1;
                for m in c..=end {
                    members.push(m);
                }
            } else {
                members.push(c);
            }
        }
        if negated {
            let pick = ('a'..='z')
                .chain('0'..='9')
                .find(|c| !members.contains(c))
                .unwrap_or('~');
            Node::Char(pick)
        } else {
            Node::Char(members.first().copied().unwrap_or('a'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_samples_match_common_patterns() {
        assert_eq!(regex_sample("^(?:[0-9]{4})$", 0), "0000");
        assert_eq!(regex_sample("^\\d{11}$", 0), "00000000000");
        assert_eq!(regex_sample("^\\d\\.\\d\\.\\d$", 0), "0.0.0");
        assert_eq!(regex_sample("^(?:[A-Z]{2}|x)-\\d+$", 0), "AA-0");
        assert_eq!(regex_sample("^\\d+$", 3), "000");
        assert_eq!(regex_sample("[^0-9]", 0), "a");
    }

    #[test]
    fn samples_fill_required_properties_and_respect_bounds() {
        let schema = json!({
            "$defs": {"P": {"type": "object", "properties": {
                "a": {"type": "string", "minLength": 3, "maxLength": 5},
                "n": {"type": "number", "exclusiveMinimum": 1, "multipleOf": 0.5},
                "i": {"type": "integer", "minimum": 1},
                "list": {"type": "array", "items": {"enum": ["", "x"]}, "minItems": 2}
            }, "required": ["a", "list"]}},
            "$ref": "#/$defs/P"
        });
        assert_eq!(
            sample(&schema, Fill::Minimal),
            json!({"a": "xxx", "list": ["x", "x"]})
        );
        let full = sample(&schema, Fill::Full);
        assert_eq!(full["n"], json!(1.5));
        assert_eq!(full["i"], json!(1));
    }
}
