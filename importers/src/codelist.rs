//! How a code list is written as RDF, shared by every importer that makes code lists (Klass,
//! Altinn, CSV, FHIR, XSD enumerations, JSON Schema enums) and read back by the registry's
//! code-list runtime. One place, so every source gives the same shape:
//!
//! ```text
//! <list> a skos:ConceptScheme ; skos:prefLabel "..."@nb ; dct:identifier "131" ;
//!        semreg:alias "ssb-klass-131" ; owl:versionInfo "..." .
//! <list/code/0301> a skos:Concept ; skos:inScheme <list> ; skos:notation "0301" ;
//!        skos:prefLabel "Oslo"@nb ; skos:altLabel "..."@nb (short name) ;
//!        skos:definition "..."@nb (description) ; skos:scopeNote "..."@nb (help text) ;
//!        skos:broader <list/code/03> | skos:topConceptOf <list> ; semreg:level 2 ;
//!        semreg:order 17 ; euvoc:startDate "2020-01-01"^^xsd:date ; euvoc:endDate ... ;
//!        adms:status <...> ; dct:isReplacedBy <list/code/...> ; semreg:altinnTags "[..]" .
//! ```
//!
//! `skos:notation` keeps the JSON type of an Altinn value: `xsd:string` (default),
//! `xsd:integer`, `xsd:decimal`, `xsd:boolean`, or `semreg:jsonNull` for `null`.
//! `euvoc:endDate` is exclusive, as Klass's `validTo`.

use crate::ImportError;
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{Literal, NamedNode, NamedOrBlankNode, Term, Triple};

/// IRIs of the terms used for code lists.
pub mod terms {
    /// skos:ConceptScheme
    pub const CONCEPT_SCHEME: &str = "http://www.w3.org/2004/02/skos/core#ConceptScheme";
    /// skos:Concept
    pub const CONCEPT: &str = "http://www.w3.org/2004/02/skos/core#Concept";
    /// skos:inScheme
    pub const IN_SCHEME: &str = "http://www.w3.org/2004/02/skos/core#inScheme";
    /// skos:topConceptOf
    pub const TOP_CONCEPT_OF: &str = "http://www.w3.org/2004/02/skos/core#topConceptOf";
    /// skos:notation
    pub const NOTATION: &str = "http://www.w3.org/2004/02/skos/core#notation";
    /// skos:prefLabel
    pub const PREF_LABEL: &str = "http://www.w3.org/2004/02/skos/core#prefLabel";
    /// skos:altLabel
    pub const ALT_LABEL: &str = "http://www.w3.org/2004/02/skos/core#altLabel";
    /// skos:definition
    pub const DEFINITION: &str = "http://www.w3.org/2004/02/skos/core#definition";
    /// skos:scopeNote
    pub const SCOPE_NOTE: &str = "http://www.w3.org/2004/02/skos/core#scopeNote";
    /// skos:broader
    pub const BROADER: &str = "http://www.w3.org/2004/02/skos/core#broader";
    /// dct:identifier
    pub const IDENTIFIER: &str = "http://purl.org/dc/terms/identifier";
    /// dct:description
    pub const DESCRIPTION: &str = "http://purl.org/dc/terms/description";
    /// dct:isReplacedBy
    pub const IS_REPLACED_BY: &str = "http://purl.org/dc/terms/isReplacedBy";
    /// dct:source
    pub const SOURCE: &str = "http://purl.org/dc/terms/source";
    /// owl:versionInfo
    pub const VERSION_INFO: &str = "http://www.w3.org/2002/07/owl#versionInfo";
    /// euvoc:startDate
    pub const START_DATE: &str = "http://publications.europa.eu/ontology/euvoc#startDate";
    /// euvoc:endDate (exclusive)
    pub const END_DATE: &str = "http://publications.europa.eu/ontology/euvoc#endDate";
    /// adms:status
    pub const STATUS: &str = "http://www.w3.org/ns/adms#status";
    /// semreg:alias
    pub const ALIAS: &str = "https://w3id.org/semreg/ns#alias";
    /// semreg:level (1 = top)
    pub const LEVEL: &str = "https://w3id.org/semreg/ns#level";
    /// semreg:order (position in the source, from 0)
    pub const ORDER: &str = "https://w3id.org/semreg/ns#order";
    /// semreg:altinnTags (JSON array of a code's tag values)
    pub const ALTINN_TAGS: &str = "https://w3id.org/semreg/ns#altinnTags";
    /// semreg:altinnTagNames (JSON array of a list's tag names)
    pub const ALTINN_TAG_NAMES: &str = "https://w3id.org/semreg/ns#altinnTagNames";
    /// semreg:jsonNull, the datatype of a `null` value
    pub const JSON_NULL: &str = "https://w3id.org/semreg/ns#jsonNull";
    /// Status IRIs (ISO 19135 lifecycle), from the EU concept-status authority table.
    pub const STATUS_BASE: &str =
        "http://publications.europa.eu/resource/authority/concept-status/";
}

/// A code's value, keeping the JSON type Altinn gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum CodeValue {
    /// A string code (the usual case).
    String(String),
    /// An integer value.
    Integer(i64),
    /// A decimal value, as written.
    Decimal(String),
    /// A boolean value.
    Boolean(bool),
    /// JSON `null`.
    Null,
}

impl CodeValue {
    /// The code as text (used in IRIs and for matching).
    pub fn text(&self) -> String {
        match self {
            CodeValue::String(s) | CodeValue::Decimal(s) => s.clone(),
            CodeValue::Integer(i) => i.to_string(),
            CodeValue::Boolean(b) => b.to_string(),
            CodeValue::Null => "null".to_owned(),
        }
    }

    fn literal(&self) -> Literal {
        match self {
            CodeValue::String(s) => Literal::new_simple_literal(s),
            CodeValue::Integer(i) => Literal::new_typed_literal(i.to_string(), xsd::INTEGER),
            CodeValue::Decimal(s) => Literal::new_typed_literal(s, xsd::DECIMAL),
            CodeValue::Boolean(b) => Literal::new_typed_literal(b.to_string(), xsd::BOOLEAN),
            CodeValue::Null => {
                Literal::new_typed_literal("null", NamedNode::new_unchecked(terms::JSON_NULL))
            }
        }
    }
}

/// The IRI of a code in a list: `{list}/code/{percent-encoded code}` (`_null` for null).
pub fn code_iri(list_iri: &str, value: &CodeValue) -> String {
    let text = match value {
        CodeValue::Null => "_null".to_owned(),
        other => iri_segment(&other.text()),
    };
    format!("{}/code/{}", list_iri.trim_end_matches('/'), text)
}

/// Percent-encodes text for use as one IRI path segment (unreserved characters kept).
pub(crate) fn iri_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Checks an ISO date (`YYYY-MM-DD`) and gives it as an `xsd:date` literal.
pub fn date_literal(text: &str) -> Option<Literal> {
    let b = text.as_bytes();
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !ok {
        return None;
    }
    let month: u32 = text[5..7].parse().ok()?;
    let day: u32 = text[8..10].parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day))
        .then(|| Literal::new_typed_literal(text, xsd::DATE))
}

/// Builds the triples of one code list.
pub struct CodeListBuilder {
    list: NamedNode,
    triples: Vec<Triple>,
    next_order: i64,
}

fn iri(value: &str) -> Result<NamedNode, ImportError> {
    NamedNode::new(value).map_err(|e| ImportError::Invalid {
        location: value.to_owned(),
        message: format!("not a valid IRI: {e}"),
    })
}

impl CodeListBuilder {
    /// Starts a list with the given IRI.
    pub fn new(list_iri: &str) -> Result<Self, ImportError> {
        let list = iri(list_iri)?;
        let mut builder = Self {
            list: list.clone(),
            triples: Vec::new(),
            next_order: 0,
        };
        builder.push(
            list,
            rdf::TYPE.into_owned(),
            NamedNode::new_unchecked(terms::CONCEPT_SCHEME).into(),
        );
        Ok(builder)
    }

    /// The list's IRI.
    pub fn iri(&self) -> &NamedNode {
        &self.list
    }

    fn push(&mut self, subject: NamedNode, predicate: NamedNode, object: Term) {
        self.triples.push(Triple::new(
            NamedOrBlankNode::from(subject),
            predicate,
            object,
        ));
    }

    /// Adds a fact about the list itself.
    pub fn fact(&mut self, predicate: &str, object: impl Into<Term>) {
        self.push(
            self.list.clone(),
            NamedNode::new_unchecked(predicate),
            object.into(),
        );
    }

    /// The list's name in a language ("" for none).
    pub fn label(&mut self, lang: &str, text: &str) {
        let literal = lang_literal(text, lang);
        self.fact(terms::PREF_LABEL, literal);
    }

    /// A description of the list.
    pub fn description(&mut self, lang: &str, text: &str) {
        let literal = lang_literal(text, lang);
        self.fact(terms::DESCRIPTION, literal);
    }

    /// A readable alias, e.g. `ssb-klass-131`.
    pub fn alias(&mut self, alias: &str) {
        self.fact(terms::ALIAS, Literal::new_simple_literal(alias));
    }

    /// The source's own identifier of the list.
    pub fn identifier(&mut self, id: &str) {
        self.fact(terms::IDENTIFIER, Literal::new_simple_literal(id));
    }

    /// The source's version of the list.
    pub fn version_info(&mut self, version: &str) {
        self.fact(terms::VERSION_INFO, Literal::new_simple_literal(version));
    }

    /// Names, identifies and aliases the list from the importer settings every list format
    /// shares (`label`, `alias`) and the file's stem (the label when none is given, and the
    /// identifier).
    pub fn describe_from(
        &mut self,
        params: &std::collections::BTreeMap<String, String>,
        stem: Option<&str>,
    ) {
        match (params.get("label"), stem) {
            (Some(label), _) => self.label("", label),
            (None, Some(stem)) => self.label("", stem),
            (None, None) => {}
        }
        if let Some(stem) = stem {
            self.identifier(stem);
        }
        if let Some(alias) = params.get("alias") {
            self.alias(alias);
        }
    }

    /// Adds a code and returns a builder for its details. Codes keep the order they are added in.
    pub fn code(&mut self, value: CodeValue) -> CodeBuilder<'_> {
        let code = NamedNode::new_unchecked(code_iri(self.list.as_str(), &value));
        let list = self.list.clone();
        let order = self.next_order;
        self.next_order += 1;
        self.push(
            code.clone(),
            rdf::TYPE.into_owned(),
            NamedNode::new_unchecked(terms::CONCEPT).into(),
        );
        self.push(
            code.clone(),
            NamedNode::new_unchecked(terms::IN_SCHEME),
            list.into(),
        );
        self.push(
            code.clone(),
            NamedNode::new_unchecked(terms::NOTATION),
            value.literal().into(),
        );
        self.push(
            code.clone(),
            NamedNode::new_unchecked(terms::ORDER),
            Literal::from(order).into(),
        );
        CodeBuilder {
            code,
            has_parent: false,
            list: self,
        }
    }

    /// The triples of the list and its codes.
    pub fn finish(self) -> Vec<Triple> {
        self.triples
    }
}

fn lang_literal(text: &str, lang: &str) -> Literal {
    if lang.is_empty() {
        Literal::new_simple_literal(text)
    } else {
        Literal::new_language_tagged_literal(text, lang.to_ascii_lowercase())
            .unwrap_or_else(|_| Literal::new_simple_literal(text))
    }
}

/// Details of one code.
pub struct CodeBuilder<'a> {
    code: NamedNode,
    has_parent: bool,
    list: &'a mut CodeListBuilder,
}

impl CodeBuilder<'_> {
    fn fact(&mut self, predicate: &str, object: impl Into<Term>) -> &mut Self {
        self.list.push(
            self.code.clone(),
            NamedNode::new_unchecked(predicate),
            object.into(),
        );
        self
    }

    /// The code's IRI.
    pub fn iri(&self) -> &NamedNode {
        &self.code
    }

    /// Its label in a language ("" for none).
    pub fn label(&mut self, lang: &str, text: &str) -> &mut Self {
        self.fact(terms::PREF_LABEL, lang_literal(text, lang))
    }

    /// A short or alternative name.
    pub fn alt_label(&mut self, lang: &str, text: &str) -> &mut Self {
        self.fact(terms::ALT_LABEL, lang_literal(text, lang))
    }

    /// A description.
    pub fn description(&mut self, lang: &str, text: &str) -> &mut Self {
        self.fact(terms::DEFINITION, lang_literal(text, lang))
    }

    /// A help text (Altinn `helpText`).
    pub fn help_text(&mut self, lang: &str, text: &str) -> &mut Self {
        self.fact(terms::SCOPE_NOTE, lang_literal(text, lang))
    }

    /// Its parent, by the parent's code.
    pub fn parent(&mut self, parent: &CodeValue) -> &mut Self {
        self.has_parent = true;
        let parent = NamedNode::new_unchecked(code_iri(self.list.list.as_str(), parent));
        self.fact(terms::BROADER, parent)
    }

    /// Its level in the hierarchy (1 = top).
    pub fn level(&mut self, level: i64) -> &mut Self {
        self.fact(terms::LEVEL, Literal::from(level))
    }

    /// First day it is valid (inclusive), an ISO date; `false` if the date is not valid.
    pub fn valid_from(&mut self, date: &str) -> bool {
        match date_literal(date) {
            Some(literal) => {
                self.fact(terms::START_DATE, literal);
                true
            }
            None => false,
        }
    }

    /// First day it is no longer valid (exclusive), an ISO date; `false` if not valid.
    pub fn valid_to(&mut self, date: &str) -> bool {
        match date_literal(date) {
            Some(literal) => {
                self.fact(terms::END_DATE, literal);
                true
            }
            None => false,
        }
    }

    /// Its status: `draft`, `valid`, `deprecated`, `superseded` or `retired`.
    pub fn status(&mut self, status: &str) -> &mut Self {
        let iri = format!("{}{}", terms::STATUS_BASE, status.to_ascii_uppercase());
        self.fact(terms::STATUS, NamedNode::new_unchecked(iri))
    }

    /// The code that replaces it.
    pub fn replaced_by(&mut self, successor: &CodeValue) -> &mut Self {
        let successor = NamedNode::new_unchecked(code_iri(self.list.list.as_str(), successor));
        self.fact(terms::IS_REPLACED_BY, successor)
    }

    /// Any other fact about the code.
    pub fn other(&mut self, predicate: &str, object: impl Into<Term>) -> &mut Self {
        self.fact(predicate, object)
    }

    /// Marks it a top concept when no parent was given (call last).
    pub fn done(&mut self) {
        if !self.has_parent {
            let list = self.list.list.clone();
            self.fact(terms::TOP_CONCEPT_OF, list);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_list_has_its_codes_in_order_with_parents_and_dates() {
        let mut list = CodeListBuilder::new("https://example.org/list").unwrap();
        list.label("nb", "Kommuner");
        list.code(CodeValue::String("03".into()))
            .label("nb", "Oslo fylke")
            .level(1)
            .done();
        let mut code = list.code(CodeValue::String("0301".into()));
        code.label("nb", "Oslo")
            .parent(&CodeValue::String("03".into()));
        assert!(code.valid_from("2020-01-01"));
        assert!(!code.valid_to("20108-10-03"));
        code.done();
        let triples = list.finish();
        let nt: Vec<String> = triples.iter().map(|t| t.to_string()).collect();
        assert!(nt.iter().any(|t| t.contains("<https://example.org/list/code/0301> <http://www.w3.org/2004/02/skos/core#broader> <https://example.org/list/code/03>")));
        assert!(nt
            .iter()
            .any(|t| t
                .contains("startDate> \"2020-01-01\"^^<http://www.w3.org/2001/XMLSchema#date>")));
        assert!(!nt.iter().any(|t| t.contains("20108")));
        assert!(nt
            .iter()
            .any(|t| t.contains("/code/03> <http://www.w3.org/2004/02/skos/core#topConceptOf>")));
    }

    #[test]
    fn code_values_keep_their_json_type_and_encode_in_iris() {
        assert_eq!(
            code_iri("https://e.org/l", &CodeValue::String("a b/c".into())),
            "https://e.org/l/code/a%20b%2Fc"
        );
        assert_eq!(CodeValue::Integer(3).literal().datatype(), xsd::INTEGER);
        assert_eq!(CodeValue::Boolean(true).literal().datatype(), xsd::BOOLEAN);
        assert_eq!(
            CodeValue::Null.literal().datatype().as_str(),
            terms::JSON_NULL
        );
    }
}
