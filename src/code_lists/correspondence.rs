//! Correspondences between code lists, read from their XKOS graphs.

use super::model::Texts;
use chrono::NaiveDate;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedOrBlankNode, Term};
use semreg_importers::codelist::terms;
use semreg_importers::correspondence::{SOURCE_LIST, TARGET_LIST};
use std::collections::HashMap;

const SOURCE_CONCEPT: &str = "http://rdf-vocabulary.ddialliance.org/xkos#sourceConcept";
const TARGET_CONCEPT: &str = "http://rdf-vocabulary.ddialliance.org/xkos#targetConcept";

/// One code-to-code association.
#[derive(Debug, Clone, PartialEq)]
pub struct Association {
    /// The source code's IRI.
    pub source: String,
    /// The target code's IRI.
    pub target: String,
    /// First day valid.
    pub valid_from: Option<NaiveDate>,
    /// First day no longer valid (exclusive).
    pub valid_to: Option<NaiveDate>,
}

impl Association {
    /// Whether it holds on a day.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= day) && self.valid_to.is_none_or(|t| day < t)
    }
}

/// A correspondence between a source and a target list.
#[derive(Debug, Clone, PartialEq)]
pub struct Correspondence {
    /// Its IRI.
    pub iri: String,
    /// Resource id.
    pub id: String,
    /// Source list IRI.
    pub source_list: String,
    /// Target list IRI.
    pub target_list: String,
    /// The associations.
    pub maps: Vec<Association>,
    /// Names per language.
    pub labels: Texts,
    /// The resource's version number (set by the projection; 0 when read alone).
    pub version: i32,
    /// The resource's status (set by the projection; `valid` when read alone).
    pub status: String,
    /// When the resource last changed (set by the projection).
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Correspondence {
    /// Reads a correspondence from its graph; `None` when it names no source or target list.
    pub fn from_ntriples(id: &str, iri: &str, ntriples: &str) -> Option<Correspondence> {
        let mut facts: HashMap<String, HashMap<&'static str, String>> = HashMap::new();
        let mut source_list = None;
        let mut labels = Vec::new();
        let mut target_list = None;
        for quad in RdfParser::from_format(RdfFormat::NTriples)
            .for_slice(ntriples.as_bytes())
            .flatten()
        {
            let NamedOrBlankNode::NamedNode(subject) = &quad.subject else {
                continue;
            };
            let object = match &quad.object {
                Term::NamedNode(n) => n.as_str().to_owned(),
                Term::Literal(l) => l.value().to_owned(),
                _ => continue,
            };
            let key = match quad.predicate.as_str() {
                SOURCE_LIST if subject.as_str() == iri => {
                    source_list = Some(object);
                    continue;
                }
                TARGET_LIST if subject.as_str() == iri => {
                    target_list = Some(object);
                    continue;
                }
                terms::PREF_LABEL if subject.as_str() == iri => {
                    if let Term::Literal(l) = &quad.object {
                        labels.push((l.language().unwrap_or_default().to_owned(), object));
                    }
                    continue;
                }
                SOURCE_CONCEPT => "source",
                TARGET_CONCEPT => "target",
                terms::START_DATE => "from",
                terms::END_DATE => "to",
                _ => continue,
            };
            facts
                .entry(subject.as_str().to_owned())
                .or_default()
                .insert(key, object);
        }
        let date = |f: &HashMap<&str, String>, k| {
            f.get(k)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        };
        let mut maps: Vec<(String, Association)> = facts
            .into_iter()
            .filter_map(|(node, f)| {
                Some((
                    node,
                    Association {
                        source: f.get("source")?.clone(),
                        target: f.get("target")?.clone(),
                        valid_from: date(&f, "from"),
                        valid_to: date(&f, "to"),
                    },
                ))
            })
            .collect();
        // Associations are numbered `<corr>/map/N`: keep the source order.
        maps.sort_by_key(|(node, _)| {
            node.rsplit('/')
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(u64::MAX)
        });
        Some(Correspondence {
            iri: iri.to_owned(),
            id: id.to_owned(),
            source_list: source_list?,
            target_list: target_list?,
            maps: maps.into_iter().map(|(_, a)| a).collect(),
            labels: Texts::from_pairs(labels),
            version: 0,
            status: "valid".to_owned(),
            updated_at: None,
        })
    }
}

/// A list's codes by IRI, with their names in a language: how associations (which name codes
/// by IRI) meet the codes of the lists they join.
pub fn codes_by_iri(list: &super::CachedList, lang: &str) -> CodeNames {
    list.list
        .codes
        .iter()
        .map(|c| {
            let name = super::model::pick(&c.labels, lang).map(str::to_owned);
            (
                list.list.code_iri(c).into_owned(),
                (c.code.to_string(), name),
            )
        })
        .collect()
}

/// Codes by IRI with their names (see [`codes_by_iri`]).
pub type CodeNames = HashMap<String, (String, Option<String>)>;

/// The code and name of a code IRI: from the list's table, else the IRI's last `/code/` part
/// (a list not in this registry).
pub fn code_of_iri(iri: &str, table: &CodeNames) -> (String, Option<String>) {
    table.get(iri).cloned().unwrap_or_else(|| {
        let code = iri.rsplit("/code/").next().unwrap_or(iri).to_owned();
        (code, None)
    })
}
