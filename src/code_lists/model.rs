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
const DCT_TITLE: &str = "http://purl.org/dc/terms/title";
const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";

/// Text per language tag ("" for none), sorted by language, in one allocation: half a million
/// codes may be held in memory, and a boxed string per tag and per text (or a map) would cost
/// several times the text itself. Entries are `lang:len:text`, where `len` is the text's length
/// in bytes (a language tag has no `:`), so any text round-trips unchanged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Texts(Box<str>);

/// The entries of a [`Texts`].
pub struct TextsIter<'t> {
    rest: &'t str,
}

impl<'t> Iterator for TextsIter<'t> {
    type Item = (&'t str, &'t str);

    fn next(&mut self) -> Option<Self::Item> {
        let (lang, rest) = self.rest.split_once(':')?;
        let (len, rest) = rest.split_once(':')?;
        let text = rest.get(..len.parse::<usize>().ok()?)?;
        self.rest = &rest[text.len()..];
        Some((lang, text))
    }
}

impl Texts {
    /// Texts from language and text pairs; of two in one language the smaller wins, so the
    /// choice is stable.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut by_lang: std::collections::BTreeMap<String, String> = Default::default();
        for (lang, text) in pairs {
            match by_lang.entry(lang) {
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(text);
                }
                std::collections::btree_map::Entry::Occupied(mut e) => {
                    if text < *e.get() {
                        e.insert(text);
                    }
                }
            }
        }
        let mut out = String::new();
        for (lang, text) in &by_lang {
            debug_assert!(!lang.contains(':'), "a language tag has no `:`");
            out.push_str(lang);
            out.push(':');
            out.push_str(&text.len().to_string());
            out.push(':');
            out.push_str(text);
        }
        Texts(out.into_boxed_str())
    }

    /// The text in a language.
    pub fn get(&self, lang: &str) -> Option<&str> {
        self.iter().find(|(l, _)| *l == lang).map(|(_, t)| t)
    }

    /// Language and text pairs, by language.
    pub fn iter(&self) -> TextsIter<'_> {
        TextsIter { rest: &self.0 }
    }

    /// The languages present.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|(l, _)| l)
    }

    /// The text of the first language.
    pub fn first(&self) -> Option<&str> {
        self.iter().next().map(|(_, t)| t)
    }

    /// Whether there is no text.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<const N: usize> From<[(String, String); N]> for Texts {
    fn from(pairs: [(String, String); N]) -> Self {
        Texts::from_pairs(pairs)
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
/// (no spare capacity), the JSON value is derived from the code text, the IRI is left out when
/// the list's pattern gives it (see [`CodeList::code_iri`]), and what few codes have sits
/// behind one optional box.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    /// The code's IRI, when the list's IRI pattern does not give it.
    pub iri: Option<Box<str>>,
    /// The JSON type of the code's value.
    pub value_type: ValueType,
    /// The code as text.
    pub code: Box<str>,
    /// Labels per language.
    pub labels: Texts,
    /// Descriptions per language.
    pub descriptions: Texts,
    /// The parent's code.
    pub parent: Option<Box<str>>,
    /// Level in the hierarchy (1 = top).
    pub level: u32,
    /// First day valid (inclusive).
    pub valid_from: Option<NaiveDate>,
    /// First day no longer valid (exclusive).
    pub valid_to: Option<NaiveDate>,
    /// Position in the source.
    pub order: i64,
    /// Short labels, help texts, status, successor and tags, when the code has any.
    pub extra: Option<Box<CodeExtra>>,
}

/// The parts of a code that most codes do not have.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CodeExtra {
    /// Short / alternative names per language.
    pub short_labels: Texts,
    /// Help texts per language.
    pub help_texts: Texts,
    /// Status, lowercase (valid, deprecated, superseded, retired, ...), if given.
    pub status: Option<Box<str>>,
    /// The code that replaces it.
    pub replaced_by: Option<Box<str>>,
    /// Altinn tag values.
    pub tags: Box<[String]>,
}

impl CodeExtra {
    /// `None` when there is nothing in it.
    pub(super) fn boxed(self) -> Option<Box<CodeExtra>> {
        (self != CodeExtra::default()).then(|| Box::new(self))
    }
}

static NO_TEXTS: std::sync::LazyLock<Texts> = std::sync::LazyLock::new(Texts::default);

impl Code {
    /// Short / alternative names per language.
    pub fn short_labels(&self) -> &Texts {
        self.extra.as_ref().map_or(&*NO_TEXTS, |e| &e.short_labels)
    }

    /// Help texts per language.
    pub fn help_texts(&self) -> &Texts {
        self.extra.as_ref().map_or(&*NO_TEXTS, |e| &e.help_texts)
    }

    /// Status, lowercase, if given.
    pub fn status(&self) -> Option<&str> {
        self.extra.as_ref()?.status.as_deref()
    }

    /// The code that replaces it.
    pub fn replaced_by(&self) -> Option<&str> {
        self.extra.as_ref()?.replaced_by.as_deref()
    }

    /// Altinn tag values.
    pub fn tags(&self) -> &[String] {
        self.extra.as_ref().map_or(&[], |e| &e.tags)
    }

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
    /// How code IRIs are made from codes, when they follow one pattern.
    pub iri_pattern: Option<IriPattern>,
    /// Descriptions of the list per language (`dct:description`, `skos:definition`).
    pub descriptions: Texts,
    /// The source's own identifier of the list (`dct:identifier`), e.g. Klass's `131`.
    pub identifier: Option<String>,
    /// The source's own version of the list (`owl:versionInfo`), e.g. `0.1.0`.
    pub version_info: Option<String>,
    /// Whether the codes are concepts of their own (a collection, or a scheme whose concepts
    /// are resources): then deprecated and retired codes are left out unless asked for.
    pub made_of_concepts: bool,
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
    Texts::from_pairs(
        node.facts
            .get(predicate)
            .into_iter()
            .flatten()
            .filter_map(text_of),
    )
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
        let named_member = |node: &Node| {
            [terms::IN_SCHEME, terms::TOP_CONCEPT_OF]
                .iter()
                .any(|p| first_iri(node, p).as_deref() == Some(list_iri))
        };
        // A list no code names (an EU authority table as a SPARQL result, imported as a list
        // of the subjects beneath its IRI) has those subjects as its codes.
        let beneath = format!("{}/", list_iri.trim_end_matches('/'));
        let by_position = !nodes.values().any(named_member);
        let member_of = |iri: &str, node: &Node| {
            named_member(node)
                || (by_position && iri.starts_with(&beneath) && iri.len() > beneath.len())
        };
        let mut codes: Vec<Code> = Vec::new();
        let mut code_of_iri: HashMap<String, Box<str>> = HashMap::new();
        for (iri, node) in &nodes {
            if iri == list_iri || !member_of(iri, node) {
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
                iri: Some(iri.as_str().into()),
                value_type,
                code: code.into_boxed_str(),
                labels: texts(node, terms::PREF_LABEL),
                descriptions: texts(node, terms::DEFINITION),
                parent: first_iri(node, terms::BROADER).map(String::into_boxed_str),
                level: first_literal(node, terms::LEVEL)
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(0),
                valid_from: date(node, &[terms::START_DATE, AT_START_USE]),
                valid_to: date(node, &[terms::END_DATE, AT_END_USE]),
                order: first_literal(node, terms::ORDER)
                    .and_then(|o| o.parse().ok())
                    .unwrap_or(i64::MAX),
                extra: CodeExtra {
                    short_labels: texts(node, terms::ALT_LABEL),
                    help_texts: texts(node, terms::SCOPE_NOTE),
                    status,
                    replaced_by: first_iri(node, terms::IS_REPLACED_BY).map(String::into_boxed_str),
                    tags,
                }
                .boxed(),
            });
        }
        // Parents and successors are IRIs in the graph; the API speaks codes.
        for code in &mut codes {
            code.parent = code
                .parent
                .take()
                .and_then(|p| code_of_iri.get(&*p).cloned());
            if let Some(extra) = &mut code.extra {
                extra.replaced_by = extra
                    .replaced_by
                    .take()
                    .map(|r| code_of_iri.get(&*r).cloned().unwrap_or(r));
            }
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
        let list = nodes.get(list_iri);
        // A scheme named otherwise than by skos:prefLabel (EU tables: rdfs:label, dct:title).
        let first_texts = |predicates: &[&str]| {
            list.and_then(|n| {
                predicates
                    .iter()
                    .map(|p| texts(n, p))
                    .find(|t| !t.is_empty())
            })
            .unwrap_or_default()
        };
        let mut assembled = CodeList::assemble(
            list_iri,
            first_texts(&[terms::PREF_LABEL, DCT_TITLE, RDFS_LABEL]),
            list.and_then(|n| first_literal(n, terms::ALTINN_TAG_NAMES))
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default(),
            codes,
        );
        assembled.descriptions = first_texts(&[terms::DESCRIPTION, terms::DEFINITION]);
        assembled.identifier = list.and_then(|n| {
            first_literal(n, terms::IDENTIFIER).or_else(|| first_literal(n, DC_IDENTIFIER))
        });
        assembled.version_info = list.and_then(|n| first_literal(n, terms::VERSION_INFO));
        assembled
    }

    /// A list of these codes: sorted by source order then code, IRIs that the list's pattern
    /// gives dropped, languages collected.
    pub fn assemble(
        list_iri: &str,
        labels: Texts,
        tag_names: Vec<String>,
        mut codes: Vec<Code>,
    ) -> CodeList {
        codes.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.code.cmp(&b.code)));
        codes.shrink_to_fit();
        let iri_pattern = IriPattern::of(&codes);
        if let Some(pattern) = &iri_pattern {
            for code in &mut codes {
                if code
                    .iri
                    .as_deref()
                    .is_some_and(|iri| pattern.gives(iri, &code.code))
                {
                    code.iri = None;
                }
            }
        }
        let mut languages: Vec<String> = codes
            .iter()
            .flat_map(|c| c.labels.keys().map(str::to_owned))
            .collect();
        languages.sort();
        languages.dedup();
        CodeList {
            iri: list_iri.to_owned(),
            labels,
            descriptions: Texts::default(),
            identifier: None,
            version_info: None,
            tag_names,
            codes,
            languages,
            iri_pattern,
            made_of_concepts: false,
        }
    }

    /// A code's IRI: its own, or the list's pattern filled with the code.
    pub fn code_iri<'c>(&self, code: &'c Code) -> std::borrow::Cow<'c, str> {
        match (&code.iri, &self.iri_pattern) {
            (Some(iri), _) => std::borrow::Cow::Borrowed(iri),
            (None, Some(pattern)) => std::borrow::Cow::Owned(format!(
                "{}{}{}",
                pattern.prefix, code.code, pattern.suffix
            )),
            (None, None) => std::borrow::Cow::Borrowed(""),
        }
    }
}

/// Most lists name their codes `prefix + code + suffix` (`.../kommune/0301`,
/// `.../file-type/PDF`); those IRIs are not kept per code but made when asked for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IriPattern {
    prefix: String,
    suffix: String,
}

impl IriPattern {
    /// The pattern of the first code whose IRI contains its code.
    fn of(codes: &[Code]) -> Option<IriPattern> {
        codes.iter().find_map(|c| {
            let iri = c.iri.as_deref()?;
            let at = iri.rfind(&*c.code).filter(|_| !c.code.is_empty())?;
            Some(IriPattern {
                prefix: iri[..at].to_owned(),
                suffix: iri[at + c.code.len()..].to_owned(),
            })
        })
    }

    /// Whether the pattern makes this IRI from this code.
    fn gives(&self, iri: &str, code: &str) -> bool {
        iri.len() == self.prefix.len() + code.len() + self.suffix.len()
            && iri.starts_with(&self.prefix)
            && iri.ends_with(&self.suffix)
            && &iri[self.prefix.len()..iri.len() - self.suffix.len()] == code
    }
}

/// Picks a text in the asked language, falling back nb → no → nn → en → untagged → first.
pub fn pick<'t>(texts: &'t Texts, lang: &str) -> Option<&'t str> {
    [lang, "nb", "no", "nn", "en", ""]
        .iter()
        .find_map(|l| texts.get(l))
        .or_else(|| texts.first())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_keep_any_text_and_the_smallest_per_language() {
        let texts = Texts::from_pairs([
            ("nb".to_owned(), "Oslo: by 12:3".to_owned()),
            ("en".to_owned(), "".to_owned()),
            ("nb".to_owned(), "Aker".to_owned()),
            ("".to_owned(), "uten språk\n:7:".to_owned()),
        ]);
        assert_eq!(
            texts.iter().collect::<Vec<_>>(),
            vec![("", "uten språk\n:7:"), ("en", ""), ("nb", "Aker")]
        );
        assert_eq!(texts.get("nb"), Some("Aker"));
        assert_eq!(texts.get("nn"), None);
        assert_eq!(texts.first(), Some("uten språk\n:7:"));
        assert!(Texts::default().is_empty());
        assert_eq!(Texts::default().iter().count(), 0);
    }

    fn list(ntriples: &str) -> CodeList {
        CodeList::from_ntriples("https://e.org/l", ntriples)
    }

    #[test]
    fn code_iris_of_a_pattern_are_made_and_others_kept() {
        let list = list(concat!(
            "<https://e.org/l/code/01> <http://www.w3.org/2004/02/skos/core#inScheme> <https://e.org/l> .\n",
            "<https://e.org/l/code/01> <http://www.w3.org/2004/02/skos/core#notation> \"01\" .\n",
            "<https://e.org/l/code/02> <http://www.w3.org/2004/02/skos/core#inScheme> <https://e.org/l> .\n",
            "<https://e.org/l/code/02> <http://www.w3.org/2004/02/skos/core#notation> \"02\" .\n",
            "<https://other.org/x> <http://www.w3.org/2004/02/skos/core#inScheme> <https://e.org/l> .\n",
            "<https://other.org/x> <http://www.w3.org/2004/02/skos/core#notation> \"03\" .\n",
        ));
        let iris: Vec<String> = list
            .codes
            .iter()
            .map(|c| list.code_iri(c).into_owned())
            .collect();
        assert_eq!(
            iris,
            vec![
                "https://e.org/l/code/01",
                "https://e.org/l/code/02",
                "https://other.org/x"
            ]
        );
        assert_eq!(
            list.codes.iter().filter(|c| c.iri.is_none()).count(),
            2,
            "pattern IRIs are not stored"
        );
    }

    #[test]
    fn rare_parts_live_in_the_extra_box_only_when_present() {
        let list = list(concat!(
            "<https://e.org/l/a> <http://www.w3.org/2004/02/skos/core#inScheme> <https://e.org/l> .\n",
            "<https://e.org/l/a> <http://www.w3.org/2004/02/skos/core#notation> \"a\" .\n",
            "<https://e.org/l/b> <http://www.w3.org/2004/02/skos/core#inScheme> <https://e.org/l> .\n",
            "<https://e.org/l/b> <http://www.w3.org/2004/02/skos/core#notation> \"b\" .\n",
            "<https://e.org/l/b> <http://www.w3.org/2004/02/skos/core#scopeNote> \"Hjelp\"@nb .\n",
            "<https://e.org/l/b> <http://purl.org/dc/terms/isReplacedBy> <https://e.org/l/a> .\n",
        ));
        let (a, b) = (&list.codes[0], &list.codes[1]);
        assert!(a.extra.is_none());
        assert!(a.help_texts().is_empty() && a.replaced_by().is_none() && a.tags().is_empty());
        assert_eq!(b.help_texts().get("nb"), Some("Hjelp"));
        assert_eq!(b.replaced_by(), Some("a"));
    }
}
