//! A SKOS-AP-NO concept read as a code of a list made of concepts (a `skos:Collection`, or a
//! `skos:ConceptScheme` whose concepts are resources of their own). One place for the rules, so
//! the import report (collisions, members without a label) and the registry's code-list runtime
//! read a concept the same way:
//!
//! - **code**: `skos:notation`, else the last path segment of `dct:identifier`, else of the
//!   concept's IRI — unless the list's `semreg:conceptCode` names another of these (or
//!   `skosno:dataStructureLabel`) and the concept has it;
//! - **labels**: `skos:prefLabel`, or SKOS-XL `skosxl:prefLabel` / `skosxl:literalForm`, per
//!   language;
//! - **descriptions**: `skos:definition`, `euvoc:xlDefinition`'s `rdf:value` (the definition
//!   without an audience first, then the one for the public, then others), v2
//!   `skosno:definisjon`, v1 `skosno:definisjon` / `skosno:betydningsbeskrivelse` (`rdfs:label`);
//!   help texts from `skos:scopeNote`;
//! - **validity**: `euvoc:startDate` / `euvoc:endDate`, or v1 `dct:temporal` with
//!   `schema:startDate` / `schema:endDate` (or DCAT's): both days inclusive, as SKOS-AP-NO says;
//! - **status** from `euvoc:status` / `adms:status` (`deprecated`, `retired`, `superseded`,
//!   `draft`; current ones have none);
//! - **hierarchy**: broader concepts by `skos:broader`, `xkos:specializes`, `xkos:isPartOf` and
//!   the generic / partitive relation nodes; narrower ones by the inverse terms;
//! - **lists it declares itself a member of**: `skos:inScheme`, `skos:topConceptOf`,
//!   `uneskos:memberOf`.

use std::collections::BTreeMap;

use oxrdf::{Term, Triple};

use crate::vocab;
use crate::{FastMap, ImportWarning, ImportedResource, ResourceKind};

const SKOS: &str = vocab::SKOS;
const EUVOC: &str = vocab::EUVOC;
const XKOS: &str = "http://rdf-vocabulary.ddialliance.org/xkos#";
const SCHEMA: &str = "http://schema.org/";
const DCAT: &str = vocab::DCAT;
const RDF_VALUE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value";
const DCT_IDENTIFIER: &str = "http://purl.org/dc/terms/identifier";
const DCT_AUDIENCE: &str = "http://purl.org/dc/terms/audience";
const DCT_TEMPORAL: &str = "http://purl.org/dc/terms/temporal";
const DCT_IS_REPLACED_BY: &str = "http://purl.org/dc/terms/isReplacedBy";
const ADMS_STATUS: &str = "http://www.w3.org/ns/adms#status";
const UNESKOS_MEMBER_OF: &str = "http://purl.org/umu/uneskos#memberOf";
/// skos:member
pub const SKOS_MEMBER: &str = "http://www.w3.org/2004/02/skos/core#member";
/// semreg:conceptCode — on a collection or scheme: the property whose value is its concepts' code.
pub const SEMREG_CONCEPT_CODE: &str = "https://w3id.org/semreg/ns#conceptCode";

/// Where a concept's code came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeSource {
    /// The list's `semreg:conceptCode` property.
    Setting,
    /// `skos:notation`.
    Notation,
    /// The last path segment of `dct:identifier`.
    Identifier,
    /// The last path segment of the concept's IRI.
    Iri,
}

/// The values of a concept a code can be taken from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CodeCandidates {
    /// `skos:notation`.
    pub notation: Option<String>,
    /// The last path segment of `dct:identifier`.
    pub identifier: Option<String>,
    /// `skosno:dataStructureLabel` (SKOS-AP-NO's term for the concept in data structures).
    pub data_structure_label: Option<String>,
    /// The last path segment of the IRI.
    pub iri: String,
}

/// The properties a list's `semreg:conceptCode` may name.
pub const CODE_SETTINGS: [&str; 4] = [
    "http://www.w3.org/2004/02/skos/core#notation",
    DCT_IDENTIFIER,
    "https://data.norge.no/vocabulary/skosno#dataStructureLabel",
    "https://w3id.org/semreg/ns#iri",
];

impl CodeCandidates {
    /// The code for a list's setting (one of [`CODE_SETTINGS`]), else the default order:
    /// notation, identifier, IRI.
    pub fn choose(&self, setting: Option<&str>) -> (String, CodeSource) {
        let set = match setting {
            Some(s) if s == CODE_SETTINGS[0] => self.notation.clone(),
            Some(s) if s == CODE_SETTINGS[1] => self.identifier.clone(),
            Some(s) if s == CODE_SETTINGS[2] => self.data_structure_label.clone(),
            Some(s) if s == CODE_SETTINGS[3] => Some(self.iri.clone()),
            _ => None,
        };
        if let Some(code) = set.filter(|c| !c.is_empty()) {
            return (code, CodeSource::Setting);
        }
        if let Some(code) = &self.notation {
            return (code.clone(), CodeSource::Notation);
        }
        if let Some(code) = &self.identifier {
            return (code.clone(), CodeSource::Identifier);
        }
        (self.iri.clone(), CodeSource::Iri)
    }
}

/// What a list needs of one concept.
#[derive(Debug, Clone, PartialEq)]
pub struct ConceptCode {
    /// The concept's IRI.
    pub iri: String,
    /// The code.
    pub code: String,
    /// Where the code came from.
    pub code_source: CodeSource,
    /// The values a code can be taken from.
    pub candidates: CodeCandidates,
    /// Preferred labels per language ("" for none).
    pub labels: BTreeMap<String, String>,
    /// Definitions per language.
    pub descriptions: BTreeMap<String, String>,
    /// Notes (`skos:scopeNote`) per language, as help texts.
    pub help_texts: BTreeMap<String, String>,
    /// First day valid (`YYYY-MM-DD`), inclusive.
    pub start_date: Option<String>,
    /// Last day valid (`YYYY-MM-DD`), inclusive.
    pub end_date: Option<String>,
    /// Status, lowercase, when not simply current.
    pub status: Option<String>,
    /// The concept that replaces it.
    pub replaced_by: Option<String>,
    /// Broader concepts, most specific term first.
    pub broader: Vec<String>,
    /// Narrower concepts.
    pub narrower: Vec<String>,
    /// Schemes and collections the concept names itself a member of.
    pub lists: Vec<String>,
}

/// The facts of a graph by subject, for reading one concept.
struct Facts<'t> {
    by_subject: FastMap<&'t str, Vec<(&'t str, &'t Term)>>,
}

impl<'t> Facts<'t> {
    fn new(triples: &'t [Triple]) -> Self {
        let mut by_subject: FastMap<&'t str, Vec<(&'t str, &'t Term)>> = FastMap::default();
        for t in triples {
            if let oxrdf::NamedOrBlankNode::NamedNode(s) = &t.subject {
                by_subject
                    .entry(s.as_str())
                    .or_default()
                    .push((t.predicate.as_str(), &t.object));
            }
        }
        Self { by_subject }
    }

    fn objects<'a>(
        &'a self,
        subject: &str,
        predicate: &'a str,
    ) -> impl Iterator<Item = &'t Term> + 'a {
        self.by_subject
            .get(subject)
            .into_iter()
            .flatten()
            .filter(move |(p, _)| *p == predicate)
            .map(|(_, o)| *o)
    }

    fn iris(&self, subject: &str, predicate: &str) -> Vec<String> {
        self.objects(subject, predicate)
            .filter_map(|o| match o {
                Term::NamedNode(n) => Some(n.as_str().to_owned()),
                _ => None,
            })
            .collect()
    }

    fn literal(&self, subject: &str, predicate: &str) -> Option<String> {
        self.objects(subject, predicate).find_map(|o| match o {
            Term::Literal(l) => Some(l.value().to_owned()),
            _ => None,
        })
    }

    /// Literals of a predicate into `out` per language (the first, by sorted text, wins).
    fn texts_into(&self, subject: &str, predicate: &str, out: &mut BTreeMap<String, String>) {
        let mut found: Vec<(String, String)> = self
            .objects(subject, predicate)
            .filter_map(|o| match o {
                Term::Literal(l) => Some((
                    l.language().unwrap_or_default().to_owned(),
                    l.value().trim().to_owned(),
                )),
                _ => None,
            })
            .filter(|(_, text)| !text.is_empty())
            .collect();
        found.sort();
        for (lang, text) in found {
            out.entry(lang).or_insert(text);
        }
    }

    /// Texts reached through a node (`euvoc:xlDefinition [ rdf:value ... ]`).
    fn node_texts_into(
        &self,
        subject: &str,
        link: &str,
        text: &str,
        out: &mut BTreeMap<String, String>,
    ) {
        for node in self.iris(subject, link) {
            self.texts_into(&node, text, out);
        }
    }
}

/// The last path segment of an IRI or identifier (`.../concepts/id3` → `id3`); a trailing `/`
/// is ignored, and text without `/` or `#` is kept whole.
pub fn last_segment(text: &str) -> &str {
    let trimmed = text.trim().trim_end_matches(['/', '#']);
    trimmed.rsplit(['/', '#']).next().unwrap_or(trimmed)
}

/// A status IRI (EU concept status, ADMS status) as a word — deprecated, retired,
/// superseded, draft — when it means something other than current.
pub fn status_word(iri: &str) -> Option<String> {
    let tail = last_segment(iri)
        .to_ascii_lowercase()
        .replace(['_', '-'], "");
    [
        ("deprecated", "deprecated"),
        ("retired", "retired"),
        ("withdrawn", "retired"),
        ("superseded", "superseded"),
        ("candidate", "draft"),
        ("draft", "draft"),
        ("underdevelopment", "draft"),
    ]
    .iter()
    .find(|(word, _)| tail.contains(word))
    .map(|(_, status)| (*status).to_owned())
}

fn day(text: Option<String>) -> Option<String> {
    let text = text?;
    let day = text.get(..10)?;
    let ok = day.len() == 10
        && day.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    ok.then(|| day.to_owned())
}

/// Reads a concept from a graph holding its triples (its resource graph, parts included).
/// `code_property` is the list's `semreg:conceptCode` setting, if any.
pub fn read(iri: &str, triples: &[Triple], code_property: Option<&str>) -> ConceptCode {
    let facts = Facts::new(triples);
    read_facts(iri, &facts, code_property)
}

fn read_facts(iri: &str, facts: &Facts<'_>, code_property: Option<&str>) -> ConceptCode {
    let value_of = |predicate: &str| -> Option<String> {
        facts
            .objects(iri, predicate)
            .find_map(|o| match o {
                Term::Literal(l) => Some(l.value().trim().to_owned()),
                Term::NamedNode(n) => Some(n.as_str().to_owned()),
                _ => None,
            })
            .filter(|v| !v.is_empty())
    };
    let candidates = CodeCandidates {
        notation: value_of(&format!("{SKOS}notation")),
        identifier: value_of(DCT_IDENTIFIER)
            .map(|v| last_segment(&v).to_owned())
            .filter(|v| !v.is_empty()),
        data_structure_label: value_of(&format!("{}dataStructureLabel", vocab::SKOSNO)),
        iri: last_segment(iri).to_owned(),
    };
    let (code, code_source) = candidates.choose(code_property);

    let mut labels = BTreeMap::new();
    facts.texts_into(iri, vocab::SKOS_PREF_LABEL, &mut labels);
    facts.node_texts_into(
        iri,
        vocab::SKOSXL_PREF_LABEL,
        vocab::SKOSXL_LITERAL_FORM,
        &mut labels,
    );

    let mut descriptions = BTreeMap::new();
    facts.texts_into(iri, &format!("{SKOS}definition"), &mut descriptions);
    // Of several definition objects, the one for everyone first, then the public's.
    let mut notes: Vec<(u8, String)> = facts
        .iris(iri, &format!("{EUVOC}xlDefinition"))
        .into_iter()
        .map(|node| {
            let audience = facts.iris(&node, DCT_AUDIENCE);
            let rank = if audience.is_empty() {
                0
            } else if audience.iter().any(|a| a.ends_with("public")) {
                1
            } else {
                2
            };
            (rank, node)
        })
        .collect();
    notes.sort();
    for (_, node) in notes {
        facts.texts_into(&node, RDF_VALUE, &mut descriptions);
    }
    for (link, text) in [
        (format!("{}definisjon", vocab::SKOSNO), RDF_VALUE),
        (format!("{}definisjon", vocab::SKOSNO_V1), vocab::RDFS_LABEL),
        (
            format!("{}betydningsbeskrivelse", vocab::SKOSNO_V1),
            vocab::RDFS_LABEL,
        ),
    ] {
        facts.node_texts_into(iri, &link, text, &mut descriptions);
    }
    let mut help_texts = BTreeMap::new();
    facts.texts_into(iri, &format!("{SKOS}scopeNote"), &mut help_texts);

    let mut start_date = day(facts.literal(iri, &format!("{EUVOC}startDate")));
    let mut end_date = day(facts.literal(iri, &format!("{EUVOC}endDate")));
    for period in facts.iris(iri, DCT_TEMPORAL) {
        for (start, end) in [
            (format!("{SCHEMA}startDate"), format!("{SCHEMA}endDate")),
            (format!("{DCAT}startDate"), format!("{DCAT}endDate")),
        ] {
            start_date = start_date.or_else(|| day(facts.literal(&period, &start)));
            end_date = end_date.or_else(|| day(facts.literal(&period, &end)));
        }
    }

    let status = [format!("{EUVOC}status"), ADMS_STATUS.to_owned()]
        .iter()
        .flat_map(|p| facts.iris(iri, p))
        .find_map(|s| status_word(&s));

    let relation = |link: &str, end: &str| -> Vec<String> {
        [format!("{}{link}", vocab::SKOSNO), format!("{SKOS}{link}")]
            .iter()
            .flat_map(|l| facts.iris(iri, l))
            .flat_map(|node| facts.iris(&node, &format!("{}{end}", vocab::SKOSNO)))
            .collect()
    };
    // Direct links, then the generic and partitive relation nodes, per direction.
    let linked = |direct: [String; 3], generic: &str, partitive: &str| -> Vec<String> {
        let mut out: Vec<String> = direct.iter().flat_map(|p| facts.iris(iri, p)).collect();
        out.extend(relation("hasGenericConceptRelation", generic));
        out.extend(relation("hasPartitiveConceptRelation", partitive));
        out
    };
    let mut broader = linked(
        [
            format!("{SKOS}broader"),
            format!("{XKOS}specializes"),
            format!("{XKOS}isPartOf"),
        ],
        "hasGenericConcept",
        "hasComprehensiveConcept",
    );
    let mut narrower = linked(
        [
            format!("{SKOS}narrower"),
            format!("{XKOS}generalizes"),
            format!("{XKOS}hasPart"),
        ],
        "hasSpecificConcept",
        "hasPartitiveConcept",
    );
    for list in [&mut broader, &mut narrower] {
        let mut seen = std::collections::HashSet::new();
        list.retain(|i| i != iri && seen.insert(i.clone()));
    }

    let mut lists = facts.iris(iri, vocab::SKOS_IN_SCHEME);
    lists.extend(facts.iris(iri, vocab::SKOS_TOP_CONCEPT_OF));
    lists.extend(facts.iris(iri, UNESKOS_MEMBER_OF));
    lists.sort();
    lists.dedup();

    ConceptCode {
        iri: iri.to_owned(),
        code,
        code_source,
        candidates,
        labels,
        descriptions,
        help_texts,
        start_date,
        end_date,
        status,
        replaced_by: facts.iris(iri, DCT_IS_REPLACED_BY).into_iter().next(),
        broader,
        narrower,
        lists,
    }
}

/// What a list's own graph says about its concept members: the IRIs it names
/// (`skos:member`, `skos:hasTopConcept`), in order, and its `semreg:conceptCode` setting.
pub fn list_members(list_iri: &str, triples: &[Triple]) -> (Vec<String>, Option<String>) {
    let facts = Facts::new(triples);
    let mut members = facts.iris(list_iri, SKOS_MEMBER);
    members.extend(facts.iris(list_iri, vocab::SKOS_HAS_TOP_CONCEPT));
    let mut seen = std::collections::HashSet::new();
    members.retain(|m| seen.insert(m.clone()));
    (
        members,
        facts.iris(list_iri, SEMREG_CONCEPT_CODE).into_iter().next(),
    )
}

/// Something with an IRI and a code in a list (a concept, or a code of a list).
pub trait Coded {
    /// Its IRI.
    fn iri(&self) -> &str;
    /// Its code.
    fn code(&self) -> &str;
    /// Gives it another code.
    fn set_code(&mut self, code: String);
}

impl Coded for ConceptCode {
    fn iri(&self) -> &str {
        &self.iri
    }
    fn code(&self) -> &str {
        &self.code
    }
    fn set_code(&mut self, code: String) {
        self.code = code;
        self.code_source = CodeSource::Iri;
    }
}

/// Gives each member of one list a code no other has: the first (by IRI) keeps its code; a
/// later one takes its IRI's last segment, then that with `-2`, `-3`... (never a code another
/// member has by itself). Returns the (kept IRI, renamed IRI, old code, new code) of each
/// collision.
pub fn resolve_collisions<T: Coded>(items: &mut [T]) -> Vec<(String, String, String, String)> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|a, b| items[*a].iri().cmp(items[*b].iri()));
    // Every code a member has by itself is reserved first, so a renamed one never takes it.
    let mut taken: FastMap<String, usize> = FastMap::default();
    let mut losers = Vec::new();
    for at in order {
        match taken.get(items[at].code()) {
            Some(&holder) => losers.push((holder, at)),
            None => {
                taken.insert(items[at].code().to_owned(), at);
            }
        }
    }
    let mut collisions = Vec::new();
    for (holder, at) in losers {
        let base = last_segment(items[at].iri()).to_owned();
        let mut candidate = base.clone();
        let mut n = 2;
        while candidate.is_empty() || taken.contains_key(&candidate) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        let old = items[at].code().to_owned();
        items[at].set_code(candidate.clone());
        collisions.push((
            items[holder].iri().to_owned(),
            items[at].iri().to_owned(),
            old,
            candidate.clone(),
        ));
        taken.insert(candidate, at);
    }
    collisions
}

/// The import report's view of the collections in a file whose members are concepts of the
/// same file: a warning for every two concepts that would share a code in the collection's code
/// list, and for every member without a label (its code is its label).
pub fn check_collections(resources: &[ImportedResource]) -> Vec<ImportWarning> {
    let concepts: FastMap<&str, &ImportedResource> = resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Concept)
        .map(|r| (r.iri.as_str(), r))
        .collect();
    let mut warnings = Vec::new();
    for list in resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Collection)
    {
        let (members, setting) = list_members(list.iri.as_str(), &list.triples);
        let mut codes: Vec<ConceptCode> = members
            .iter()
            .filter_map(|m| concepts.get(m.as_str()))
            .map(|c| read(c.iri.as_str(), &c.triples, setting.as_deref()))
            .collect();
        for (kept, renamed, code, new_code) in resolve_collisions(&mut codes) {
            warnings.push(ImportWarning {
                location: Some(list.iri.as_str().to_owned()),
                message: format!(
                    "concepts {kept} and {renamed} have the same code {code:?} in this \
                     collection's code list: {renamed} is served as {new_code:?} (set a \
                     skos:notation or semreg:conceptCode to choose)"
                ),
            });
        }
        let unlabelled: Vec<&str> = codes
            .iter()
            .filter(|c| c.labels.is_empty())
            .map(|c| c.iri.as_str())
            .collect();
        if !unlabelled.is_empty() {
            warnings.push(ImportWarning {
                location: Some(list.iri.as_str().to_owned()),
                message: format!(
                    "{} member concept(s) have no skos:prefLabel or skosxl:prefLabel; their code \
                     is their label in the code list: {}",
                    unlabelled.len(),
                    unlabelled
                        .iter()
                        .take(5)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdfio::{RdfFormat, RdfParser};

    fn triples(turtle: &str) -> Vec<Triple> {
        RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(turtle.as_bytes())
            .map(|q| q.unwrap().into())
            .collect()
    }

    const PREFIXES: &str = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> . \
        @prefix dct: <http://purl.org/dc/terms/> . @prefix euvoc: <http://publications.europa.eu/ontology/euvoc#> . \
        @prefix skosxl: <http://www.w3.org/2008/05/skos-xl#> . @prefix ex: <https://e.org/> . \
        @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . ";

    #[test]
    fn the_code_is_the_notation_then_the_identifiers_last_segment_then_the_iris() {
        let g = triples(&format!(
            "{PREFIXES} ex:a skos:notation \"A1\" ; dct:identifier \"https://e.org/c/a\" . \
             ex:b dct:identifier \"https://e.org/concepts/id3\" . ex:c skos:prefLabel \"C\"@nb ."
        ));
        assert_eq!(read("https://e.org/a", &g, None).code, "A1");
        let b = read("https://e.org/b", &g, None);
        assert_eq!(
            (b.code.as_str(), b.code_source),
            ("id3", CodeSource::Identifier)
        );
        let c = read("https://e.org/c", &g, None);
        assert_eq!((c.code.as_str(), c.code_source), ("c", CodeSource::Iri));
        let setting = read("https://e.org/a", &g, Some(DCT_IDENTIFIER));
        assert_eq!(setting.code, "a", "the publisher's setting comes first");
        let unknown = read("https://e.org/a", &g, Some("https://e.org/nothing"));
        assert_eq!(
            unknown.code, "A1",
            "an unknown setting falls back to the default order"
        );
    }

    #[test]
    fn skos_xl_labels_definitions_by_audience_and_inclusive_dates_are_read() {
        let g = triples(&format!(
            "{PREFIXES} ex:a skosxl:prefLabel [ skosxl:literalForm \"Aa\"@nb ] ; \
             euvoc:xlDefinition [ rdf:value \"for specialists\"@nb ; dct:audience <https://data.norge.no/vocabulary/audience-type#specialist> ] , \
                                [ rdf:value \"for everyone\"@nb ] ; \
             euvoc:startDate \"2020-10-10\"^^<http://www.w3.org/2001/XMLSchema#date> ; euvoc:endDate \"2030-10-10\" ; \
             euvoc:status <http://publications.europa.eu/resource/authority/concept-status/DEPRECATED> ; \
             skos:broader ex:top ; skos:inScheme ex:s ."
        ));
        let skolemized = crate::skolem::skolemize(g).triples;
        let a = read("https://e.org/a", &skolemized, None);
        assert_eq!(a.labels.get("nb").map(String::as_str), Some("Aa"));
        assert_eq!(
            a.descriptions.get("nb").map(String::as_str),
            Some("for everyone")
        );
        assert_eq!(a.start_date.as_deref(), Some("2020-10-10"));
        assert_eq!(a.end_date.as_deref(), Some("2030-10-10"));
        assert_eq!(a.status.as_deref(), Some("deprecated"));
        assert_eq!(a.broader, vec!["https://e.org/top"]);
        assert_eq!(a.lists, vec!["https://e.org/s"]);
    }

    #[test]
    fn colliding_codes_are_told_apart_and_reported_never_merged() {
        let g = triples(&format!(
            "{PREFIXES} ex:x skos:notation \"1\" . ex:y skos:notation \"1\" . ex:z skos:notation \"y\" ."
        ));
        let mut codes: Vec<ConceptCode> = ["https://e.org/y", "https://e.org/x", "https://e.org/z"]
            .iter()
            .map(|i| read(i, &g, None))
            .collect();
        let collisions = resolve_collisions(&mut codes);
        assert_eq!(
            collisions,
            vec![(
                "https://e.org/x".to_owned(),
                "https://e.org/y".to_owned(),
                "1".to_owned(),
                "y-2".to_owned()
            )]
        );
        let mut all: Vec<&str> = codes.iter().map(|c| c.code.as_str()).collect();
        all.sort();
        assert_eq!(all, vec!["1", "y", "y-2"]);
    }

    #[test]
    fn last_segments_ignore_a_trailing_slash() {
        assert_eq!(last_segment("https://nav.no/begrep/"), "begrep");
        assert_eq!(last_segment("https://e.org/x#y"), "y");
        assert_eq!(last_segment("ebd994c6-0688"), "ebd994c6-0688");
    }
}
