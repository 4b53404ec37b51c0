//! A code list read from its RDF graph (the shape written by `semreg_importers::codelist`, and
//! SKOS concept schemes in general): codes with labels per language, hierarchy, validity.

use chrono::NaiveDate;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedOrBlankNode, Term};
use semreg_importers::codelist::terms;
use std::collections::HashMap;

const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
const AT_START_USE: &str = "http://publications.europa.eu/ontology/authority/start.use";
const AT_END_USE: &str = "http://publications.europa.eu/ontology/authority/end.use";
const AT_AUTHORITY_CODE: &str = "http://publications.europa.eu/ontology/authority/authority-code";
const DC_IDENTIFIER: &str = "http://purl.org/dc/elements/1.1/identifier";
const EUVOC_STATUS: &str = "http://publications.europa.eu/ontology/euvoc#status";

/// Text per language tag ("" for none), sorted by language. A small vector: a code has a
/// handful of languages at most, and a map would cost a node of several hundred bytes per code
/// (half a million codes are held in memory).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Texts(Box<[(Box<str>, Box<str>)]>);

impl Texts {
    /// The text in a language.
    pub fn get(&self, lang: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(l, _)| (**l).cmp(lang))
            .ok()
            .map(|i| &*self.0[i].1)
    }

    /// Language and text pairs, by language.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(l, t)| (&**l, &**t))
    }

    /// The languages present.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(l, _)| &**l)
    }

    /// The text of the first language.
    pub fn first(&self) -> Option<&str> {
        self.0.first().map(|(_, t)| &**t)
    }

    /// Whether there is no text.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds a text; of two in one language the smaller wins, so the choice is stable.
    fn insert_smallest(&mut self, lang: String, text: String) {
        match self.0.binary_search_by(|(l, _)| (**l).cmp(lang.as_str())) {
            Ok(i) => {
                if *text < *self.0[i].1 {
                    self.0[i].1 = text.into_boxed_str();
                }
            }
            Err(i) => {
                let mut pairs = std::mem::take(&mut self.0).into_vec();
                pairs.insert(i, (lang.into_boxed_str(), text.into_boxed_str()));
                self.0 = pairs.into_boxed_slice();
            }
        }
    }
}

impl<const N: usize> From<[(String, String); N]> for Texts {
    fn from(pairs: [(String, String); N]) -> Self {
        let mut texts = Texts::default();
        for (lang, text) in pairs {
            texts.insert_smallest(lang, text);
        }
        texts
    }
}

/// The JSON type of a code's value (Altinn keeps it: `"1"` and `1` are different options).
/// The value itself is the code's text, so only the type is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// A JSON string.
    String,
    /// A JSON number (the code is its text).
    Number,
    /// A JSON boolean (the code is `true` or `false`).
    Bool,
    /// JSON null (the code is `null`).
    Null,
}

/// One code of a list. Half a million of these may be held in memory, so strings are boxed
/// (no spare capacity) and the JSON value is derived from the code text.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    /// The code's IRI.
    pub iri: Box<str>,
    /// The JSON type of the code's value.
    pub value_type: ValueType,
    /// The code as text.
    pub code: Box<str>,
    /// Labels per language.
    pub labels: Texts,
    /// Short / alternative names per language.
    pub short_labels: Texts,
    /// Descriptions per language.
    pub descriptions: Texts,
    /// Help texts per language.
    pub help_texts: Texts,
    /// The parent's code.
    pub parent: Option<Box<str>>,
    /// Level in the hierarchy (1 = top).
    pub level: u32,
    /// First day valid (inclusive).
    pub valid_from: Option<NaiveDate>,
    /// First day no longer valid (exclusive).
    pub valid_to: Option<NaiveDate>,
    /// Status, lowercase (valid, deprecated, superseded, retired, ...), if given.
    pub status: Option<Box<str>>,
    /// The code that replaces it.
    pub replaced_by: Option<Box<str>>,
    /// Altinn tag values.
    pub tags: Box<[String]>,
    /// Position in the source.
    pub order: i64,
}

impl Code {
    /// The code's value with its JSON type, as Altinn option lists carry it.
    pub fn value(&self) -> serde_json::Value {
        match self.value_type {
            ValueType::String => serde_json::Value::String(self.code.to_string()),
            ValueType::Number => serde_json::from_str::<serde_json::Number>(&self.code)
                .map_or_else(
                    |_| serde_json::Value::String(self.code.to_string()),
                    serde_json::Value::Number,
                ),
            ValueType::Bool => serde_json::Value::Bool(&*self.code == "true"),
            ValueType::Null => serde_json::Value::Null,
        }
    }

    /// Whether the code is valid on a day (validTo exclusive, as in Klass).
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from.is_none_or(|from| from <= day) && self.valid_to.is_none_or(|to| day < to)
    }

    /// Whether the code is valid at some day in `[from, to)`.
    pub fn valid_during(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.valid_from.is_none_or(|start| start < to) && self.valid_to.is_none_or(|end| from < end)
    }
}

/// A code list with its codes in source order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CodeList {
    /// The list's IRI.
    pub iri: String,
    /// Names per language.
    pub labels: Texts,
    /// Altinn tag names.
    pub tag_names: Vec<String>,
    /// The codes, in source order.
    pub codes: Vec<Code>,
    /// Every language any label is in.
    pub languages: Vec<String>,
}

#[derive(Default)]
struct Node {
    types: Vec<String>,
    facts: HashMap<String, Vec<Term>>,
}

fn text_of(term: &Term) -> Option<(String, String)> {
    match term {
        Term::Literal(l) => Some((
            l.language().unwrap_or_default().to_owned(),
            l.value().to_owned(),
        )),
        _ => None,
    }
}

fn texts(node: &Node, predicate: &str) -> Texts {
    let mut out = Texts::default();
    if let Some(values) = node.facts.get(predicate) {
        for value in values {
            if let Some((lang, text)) = text_of(value) {
                out.insert_smallest(lang, text);
            }
        }
    }
    out
}

fn first_literal(node: &Node, predicate: &str) -> Option<String> {
    node.facts
        .get(predicate)?
        .iter()
        .find_map(|t| text_of(t).map(|(_, v)| v))
}

fn first_iri(node: &Node, predicate: &str) -> Option<String> {
    node.facts.get(predicate)?.iter().find_map(|t| match t {
        Term::NamedNode(n) => Some(n.as_str().to_owned()),
        _ => None,
    })
}

fn date(node: &Node, predicates: &[&str]) -> Option<NaiveDate> {
    predicates.iter().find_map(|p| {
        first_literal(node, p)
            .and_then(|v| NaiveDate::parse_from_str(v.get(..10)?, "%Y-%m-%d").ok())
    })
}

fn json_value(term: &Term) -> Option<serde_json::Value> {
    let Term::Literal(literal) = term else {
        return None;
    };
    let datatype = literal.datatype().as_str();
    let value = literal.value();
    Some(if datatype == terms::JSON_NULL {
        serde_json::Value::Null
    } else if datatype == format!("{XSD}boolean") {
        serde_json::Value::Bool(value == "true" || value == "1")
    } else if datatype == format!("{XSD}integer") || datatype == format!("{XSD}decimal") {
        serde_json::from_str::<serde_json::Number>(value)
            .map(serde_json::Value::Number)
            .unwrap_or_else(|_| serde_json::Value::String(value.to_owned()))
    } else {
        serde_json::Value::String(value.to_owned())
    })
}

fn last_segment(iri: &str) -> String {
    iri.rsplit(['/', '#']).next().unwrap_or(iri).to_owned()
}

impl CodeList {
    /// Reads a code list from the canonical N-Triples of its resource graph.
    pub fn from_ntriples(list_iri: &str, ntriples: &str) -> CodeList {
        let mut nodes: HashMap<String, Node> = HashMap::new();
        for quad in RdfParser::from_format(RdfFormat::NTriples)
            .for_slice(ntriples.as_bytes())
            .flatten()
        {
            let NamedOrBlankNode::NamedNode(subject) = &quad.subject else {
                continue;
            };
            let node = nodes.entry(subject.as_str().to_owned()).or_default();
            if quad.predicate.as_str() == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" {
                if let Term::NamedNode(t) = &quad.object {
                    node.types.push(t.as_str().to_owned());
                }
            }
            node.facts
                .entry(quad.predicate.as_str().to_owned())
                .or_default()
                .push(quad.object);
        }
        let member_of = |node: &Node| {
            [terms::IN_SCHEME, terms::TOP_CONCEPT_OF]
                .iter()
                .any(|p| first_iri(node, p).as_deref() == Some(list_iri))
        };
        let mut codes: Vec<Code> = Vec::new();
        let mut code_of_iri: HashMap<String, Box<str>> = HashMap::new();
        for (iri, node) in &nodes {
            if iri == list_iri || !member_of(node) {
                continue;
            }
            let value = node
                .facts
                .get(terms::NOTATION)
                .and_then(|v| v.first())
                .and_then(json_value)
                .or_else(|| {
                    [AT_AUTHORITY_CODE, DC_IDENTIFIER, terms::IDENTIFIER]
                        .iter()
                        .find_map(|p| first_literal(node, p))
                        .map(serde_json::Value::String)
                })
                .unwrap_or_else(|| serde_json::Value::String(last_segment(iri)));
            let (code, value_type) = match value {
                serde_json::Value::String(s) => (s, ValueType::String),
                serde_json::Value::Null => ("null".to_owned(), ValueType::Null),
                serde_json::Value::Bool(b) => (b.to_string(), ValueType::Bool),
                other => (other.to_string(), ValueType::Number),
            };
            code_of_iri.insert(iri.clone(), code.as_str().into());
            let tags = first_literal(node, terms::ALTINN_TAGS)
                .and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok())
                .unwrap_or_default()
                .into_boxed_slice();
            let status = first_iri(node, terms::STATUS)
                .or_else(|| first_iri(node, EUVOC_STATUS))
                .map(|s| last_segment(&s).to_ascii_lowercase().into_boxed_str());
            codes.push(Code {
                iri: iri.as_str().into(),
                value_type,
                code: code.into_boxed_str(),
                labels: texts(node, terms::PREF_LABEL),
                short_labels: texts(node, terms::ALT_LABEL),
                descriptions: texts(node, terms::DEFINITION),
                help_texts: texts(node, terms::SCOPE_NOTE),
                parent: first_iri(node, terms::BROADER).map(String::into_boxed_str),
                level: first_literal(node, terms::LEVEL)
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(0),
                valid_from: date(node, &[terms::START_DATE, AT_START_USE]),
                valid_to: date(node, &[terms::END_DATE, AT_END_USE]),
                status,
                replaced_by: first_iri(node, terms::IS_REPLACED_BY).map(String::into_boxed_str),
                tags,
                order: first_literal(node, terms::ORDER)
                    .and_then(|o| o.parse().ok())
                    .unwrap_or(i64::MAX),
            });
        }
        // Parents and successors are IRIs in the graph; the API speaks codes.
        for code in &mut codes {
            code.parent = code
                .parent
                .take()
                .and_then(|p| code_of_iri.get(&*p).cloned());
            code.replaced_by = code
                .replaced_by
                .take()
                .map(|r| code_of_iri.get(&*r).cloned().unwrap_or(r));
        }
        // Levels not given are the depth in the hierarchy.
        let parents: HashMap<Box<str>, Option<Box<str>>> = codes
            .iter()
            .map(|c| (c.code.clone(), c.parent.clone()))
            .collect();
        for code in &mut codes {
            if code.level == 0 {
                let mut depth = 1;
                let mut at = code.parent.clone();
                while let Some(parent) = at {
                    depth += 1;
                    if depth > 64 {
                        break;
                    }
                    at = parents.get(&parent).cloned().flatten();
                }
                code.level = depth;
            }
        }
        codes.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.code.cmp(&b.code)));
        codes.shrink_to_fit();
        let mut languages: Vec<String> = codes
            .iter()
            .flat_map(|c| c.labels.keys().map(str::to_owned))
            .collect();
        languages.sort();
        languages.dedup();
        let list = nodes.get(list_iri);
        CodeList {
            iri: list_iri.to_owned(),
            labels: list
                .map(|n| texts(n, terms::PREF_LABEL))
                .unwrap_or_default(),
            tag_names: list
                .and_then(|n| first_literal(n, terms::ALTINN_TAG_NAMES))
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default(),
            codes,
            languages,
        }
    }
}

/// Picks a text in the asked language, falling back nb → no → nn → en → untagged → first.
pub fn pick<'t>(texts: &'t Texts, lang: &str) -> Option<&'t str> {
    [lang, "nb", "no", "nn", "en", ""]
        .iter()
        .find_map(|l| texts.get(l))
        .or_else(|| texts.first())
}
