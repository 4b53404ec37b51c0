//! Lists made of concepts: every `skos:Collection` (members by `skos:member`, or concepts that
//! say `uneskos:memberOf`) and every `skos:ConceptScheme` whose concepts are resources of their
//! own (by their `skos:inScheme` / `skos:topConceptOf`, or the scheme's `skos:hasTopConcept`)
//! is served as a code list, beside the lists whose codes are in their own graph. How a concept
//! becomes a code is [`semreg_importers::concept_code`]'s.
//!
//! The members of such a list live in other resources' graphs, so the list is composed again
//! when the list resource changes *or* when a member does. The catch-up keeps every concept's
//! code in memory ([`ConceptLists`]), indexed by the lists that name it and the lists it names,
//! marks the lists a batch of changes touches, and composes each of them once per catch-up:
//! a bulk import of 100,000 concepts into one collection composes that collection once, not
//! once per concept.
//!
//! # The version of a list made of concepts
//!
//! Such a list changes without its own resource changing, so its version cannot be the
//! resource's version number. It is **the change-log seq of the newest change it reflects**:
//! the list resource's own newest change, or a member concept's, or that of a list it borrows
//! codes from. It grows with every change that can alter the list, every replica computes the
//! same number from the same log, and `?version=N` (any N from the list's first change on)
//! composes the list as it was after change N from the store of record ([`as_of`]). The list
//! resource's own version is kept beside it ([`CachedList::resource_version`]) for its RDF.
//! Lists whose codes are in their own graph keep the resource's version number as before.

use super::model::{Code, CodeExtra, CodeList, Texts, ValueType};
use super::CachedList;
use crate::store::{self, resource, StoreError};
use chrono::NaiveDate;
use oxrdf::Triple;
use sea_orm::ConnectionTrait;
use semreg_importers::concept_code::{self, CodeCandidates, Coded, ConceptCode};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// The kind name of concepts.
pub const CONCEPT_KIND: &str = "concept";
/// The kind name of collections.
pub const COLLECTION_KIND: &str = "collection";

/// One concept, as the lists it is a member of need it.
#[derive(Debug, Clone)]
pub struct HeldConcept {
    /// Resource id.
    id: Box<str>,
    /// The seq of the change that made the version held.
    seq: i64,
    /// The concept as a code by the default order (its IRI kept; no parent or level yet).
    code: Code,
    /// What other codes a list's setting may choose.
    candidates: Box<CodeCandidates>,
    broader: Box<[Box<str>]>,
    narrower: Box<[Box<str>]>,
    /// Lists it names itself a member of.
    lists: Box<[Box<str>]>,
}

fn boxed(items: Vec<String>) -> Box<[Box<str>]> {
    items.into_iter().map(String::into_boxed_str).collect()
}

fn texts(map: std::collections::BTreeMap<String, String>) -> Texts {
    Texts::from_pairs(map)
}

fn parse_day(text: Option<&str>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text?, "%Y-%m-%d").ok()
}

impl HeldConcept {
    /// Reads a concept's version (`status` is the resource's, which a retirement sets).
    pub fn read(id: &str, iri: &str, seq: i64, status: &str, triples: &[Triple]) -> HeldConcept {
        let c: ConceptCode = concept_code::read(iri, triples, None);
        let status = if status == "retired" {
            Some("retired".to_owned())
        } else {
            c.status.clone()
        };
        let code = Code {
            iri: Some(iri.into()),
            value_type: ValueType::String,
            code: c.code.clone().into_boxed_str(),
            labels: texts(c.labels),
            descriptions: texts(c.descriptions),
            parent: None,
            level: 0,
            valid_from: parse_day(c.start_date.as_deref()),
            // SKOS-AP-NO's end date is the last valid day; a code's validTo is exclusive.
            valid_to: parse_day(c.end_date.as_deref()).and_then(|d| d.succ_opt()),
            order: i64::MAX,
            extra: CodeExtra {
                help_texts: texts(c.help_texts),
                status: status.map(String::into_boxed_str),
                replaced_by: c.replaced_by.map(String::into_boxed_str),
                ..CodeExtra::default()
            }
            .boxed(),
        };
        HeldConcept {
            id: id.into(),
            seq,
            code,
            candidates: Box::new(c.candidates),
            broader: boxed(c.broader),
            narrower: boxed(c.narrower),
            lists: boxed(c.lists),
        }
    }

    /// Reads a concept from its canonical N-Triples.
    pub fn from_ntriples(
        id: &str,
        iri: &str,
        seq: i64,
        status: &str,
        ntriples: &str,
    ) -> HeldConcept {
        HeldConcept::read(id, iri, seq, status, &parse(ntriples))
    }
}

fn parse(ntriples: &str) -> Vec<Triple> {
    oxrdfio::RdfParser::from_format(oxrdfio::RdfFormat::NTriples)
        .for_slice(ntriples.as_bytes())
        .flatten()
        .map(Triple::from)
        .collect()
}

/// A collection or scheme, as composing its list needs it.
#[derive(Debug, Clone)]
pub struct ListSource {
    /// Resource id.
    pub id: String,
    /// IRI.
    pub iri: String,
    /// `collection` or `code-list`.
    pub kind: String,
    /// Readable alias.
    pub alias: Option<String>,
    /// Owning publisher.
    pub publisher: Option<String>,
    /// The seq of the change that made the version held.
    pub seq: i64,
    /// The resource's version number.
    pub resource_version: i32,
    /// The version's content hash.
    pub content_hash: String,
    /// The resource's status.
    pub status: String,
    /// When the resource last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Names per language.
    pub labels: Texts,
    /// Members its graph names (`skos:member`, `skos:hasTopConcept`).
    pub members: Box<[Box<str>]>,
    /// Its `semreg:conceptCode` setting.
    pub setting: Option<String>,
    /// A scheme's list of its own codes (those in its graph).
    pub own: Option<Arc<CachedList>>,
}

impl ListSource {
    /// Reads a list resource's version.
    pub fn read(row: &resource::Model, seq: i64, version: i32, hash: &str, ntriples: &str) -> Self {
        let (members, setting) = concept_code::list_members(&row.iri, &parse(ntriples));
        let labels: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&row.labels).unwrap_or_default();
        ListSource {
            id: row.id.clone(),
            iri: row.iri.clone(),
            kind: row.kind.clone(),
            alias: row.alias.clone(),
            publisher: row.publisher.clone(),
            seq,
            resource_version: version,
            content_hash: hash.to_owned(),
            status: row.status.clone(),
            updated_at: row.updated_at,
            labels: texts(labels),
            members: boxed(members),
            setting,
            own: None,
        }
    }
}

/// The concept index of the code-list projection: every concept's code, every list made of
/// concepts, and who names whom. Changed only by the catch-up (under its lock).
#[derive(Default)]
pub struct ConceptLists {
    concepts: HashMap<Box<str>, HeldConcept>,
    lists: HashMap<Box<str>, ListSource>,
    /// List IRI -> the concepts that name it (`skos:inScheme`, `uneskos:memberOf`...).
    declared: HashMap<Box<str>, BTreeSet<Box<str>>>,
    /// Member IRI -> the lists whose graph names it.
    named_by: HashMap<Box<str>, BTreeSet<Box<str>>>,
    /// List IRI -> the collections that borrow codes from it.
    borrowers: HashMap<Box<str>, BTreeSet<Box<str>>>,
    /// Collections with members found nowhere (composed again when a list arrives).
    unresolved: BTreeSet<Box<str>>,
    /// Lists served composed now.
    composed: HashSet<Box<str>>,
}

/// What composing the touched lists gave: lists to serve, and ids of lists to serve plain again.
#[derive(Default)]
pub struct Composed {
    /// New current versions.
    pub lists: Vec<Arc<CachedList>>,
    /// Schemes that lost their last concept member: their own list is current again.
    pub plain_again: Vec<Arc<CachedList>>,
}

/// A code of a list made of concepts, while codes are made unique.
struct Member {
    iri: Box<str>,
    code: Code,
    broader: Box<[Box<str>]>,
    narrower: Box<[Box<str>]>,
}

impl Coded for Member {
    fn iri(&self) -> &str {
        &self.iri
    }
    fn code(&self) -> &str {
        &self.code.code
    }
    fn set_code(&mut self, code: String) {
        self.code.code = code.into_boxed_str();
    }
}

impl ConceptLists {
    /// Whether any concept or list is held.
    pub fn is_empty(&self) -> bool {
        self.concepts.is_empty() && self.lists.is_empty()
    }

    /// Holds a concept's new version; marks the lists it was and is in.
    pub fn put_concept(
        &mut self,
        iri: &str,
        concept: HeldConcept,
        touched: &mut BTreeSet<Box<str>>,
    ) {
        let key: Box<str> = iri.into();
        if let Some(old) = self.concepts.remove(&key) {
            for list in old.lists.iter() {
                if let Some(set) = self.declared.get_mut(list) {
                    set.remove(&key);
                }
                touched.insert(list.clone());
            }
        }
        for list in concept.lists.iter() {
            self.declared
                .entry(list.clone())
                .or_default()
                .insert(key.clone());
            touched.insert(list.clone());
        }
        if let Some(lists) = self.named_by.get(&key) {
            touched.extend(lists.iter().cloned());
        }
        self.concepts.insert(key, concept);
    }

    /// Holds a list resource's new version; marks it, and the collections that borrow from it
    /// or wait for members.
    pub fn put_list(&mut self, source: ListSource, touched: &mut BTreeSet<Box<str>>) {
        let key: Box<str> = source.iri.as_str().into();
        if let Some(old) = self.lists.remove(&key) {
            for member in old.members.iter() {
                if let Some(set) = self.named_by.get_mut(member) {
                    set.remove(&key);
                }
            }
        }
        for member in source.members.iter() {
            self.named_by
                .entry(member.clone())
                .or_default()
                .insert(key.clone());
        }
        if let Some(borrowers) = self.borrowers.get(&key) {
            touched.extend(borrowers.iter().cloned());
        }
        touched.extend(self.unresolved.iter().cloned());
        touched.insert(key.clone());
        self.lists.insert(key, source);
    }

    /// The lists of these IRIs composed again (once each), against the current plain lists
    /// (to borrow codes from for members that are codes of another list).
    pub fn compose(
        &mut self,
        touched: &BTreeSet<Box<str>>,
        latest: &HashMap<String, Arc<CachedList>>,
    ) -> Composed {
        let mut out = Composed::default();
        let mut code_index: Option<CodeIndex> = None;
        for iri in touched {
            let Some(source) = self.lists.get(iri) else {
                continue;
            };
            let mut concepts: Vec<&HeldConcept> = Vec::new();
            let mut seen: HashSet<&str> = HashSet::new();
            let declared = self.declared.get(iri).into_iter().flatten();
            for member in source.members.iter().chain(declared) {
                if let Some(c) = self.concepts.get(member) {
                    if seen.insert(member) {
                        concepts.push(c);
                    }
                }
            }
            if source.kind != COLLECTION_KIND && concepts.is_empty() {
                // A scheme of its own codes only: served as it always was.
                if self.composed.remove(iri) {
                    if let Some(own) = &source.own {
                        out.plain_again.push(own.clone());
                    }
                }
                continue;
            }
            let code_index = code_index.get_or_insert_with(|| index_codes(latest));
            let (borrowed, bare, from) = resolve_missing(source, &seen, code_index, &self.lists);
            for list in from {
                self.borrowers.entry(list).or_default().insert(iri.clone());
            }
            if bare.is_empty() {
                self.unresolved.remove(iri);
            } else {
                self.unresolved.insert(iri.clone());
            }
            let list = compose_list(source, &concepts, borrowed, &bare);
            self.composed.insert(iri.clone());
            out.lists.push(Arc::new(list));
        }
        out
    }

    /// The concepts that name a list themselves, now (for composing an older version).
    fn declared_ids(&self, list_iri: &str) -> Vec<String> {
        self.declared
            .get(list_iri)
            .into_iter()
            .flatten()
            .filter_map(|iri| self.concepts.get(iri).map(|c| c.id.to_string()))
            .collect()
    }
}

/// Codes of the plain lists by IRI, with the list and the code's position in it.
type CodeIndex = HashMap<String, (Arc<CachedList>, usize)>;

/// A code borrowed from another list: the member IRI, the code, the seq of that list.
type Borrowed = (Box<str>, Code, i64);

/// The members a list's graph names that are not among its concepts: codes of another list
/// (borrowed, with the IRIs of the lists they come from), or nothing known (bare).
fn resolve_missing(
    source: &ListSource,
    concepts: &HashSet<&str>,
    index: &CodeIndex,
    lists: &HashMap<Box<str>, ListSource>,
) -> (Vec<Borrowed>, Vec<Box<str>>, Vec<Box<str>>) {
    let own_iris: HashSet<String> = source
        .own
        .iter()
        .flat_map(|own| {
            own.list
                .codes
                .iter()
                .map(|c| own.list.code_iri(c).into_owned())
        })
        .collect();
    let mut borrowed = Vec::new();
    let mut bare = Vec::new();
    let mut from = Vec::new();
    for member in source.members.iter() {
        if concepts.contains(&**member) || own_iris.contains(&**member) {
            continue;
        }
        match index.get(&**member) {
            Some((list, at)) => {
                let list_iri: Box<str> = list.list.iri.as_str().into();
                let seq = lists.get(&list_iri).map_or(0, |l| l.seq);
                borrowed.push((member.clone(), list.list.codes[*at].clone(), seq));
                from.push(list_iri);
            }
            None => bare.push(member.clone()),
        }
    }
    (borrowed, bare, from)
}

/// Every code of the plain lists by IRI (for members of a collection that are codes of
/// another list, as LOS's collections name the words of its schemes).
fn index_codes(latest: &HashMap<String, Arc<CachedList>>) -> CodeIndex {
    let mut index = HashMap::new();
    for list in latest.values() {
        if list.list.made_of_concepts || list.id.len() != 36 {
            continue; // composed lists, and the alias entries of lists counted by id
        }
        for (at, code) in list.list.codes.iter().enumerate() {
            index.insert(list.list.code_iri(code).into_owned(), (list.clone(), at));
        }
    }
    index
}

/// Composes one list: its own codes (a scheme's), its concepts, borrowed codes and bare members
/// (a code from the IRI, labelled with itself); codes made unique; parents from the concepts'
/// broader/narrower links within the list.
fn compose_list(
    source: &ListSource,
    concepts: &[&HeldConcept],
    borrowed: Vec<(Box<str>, Code, i64)>,
    bare: &[Box<str>],
) -> CachedList {
    let mut members: Vec<Member> = Vec::new();
    let mut version = source.seq;
    let mut hasher = Sha256::new();
    hasher.update(source.content_hash.as_bytes());
    for c in concepts {
        let mut code = c.code.clone();
        let (chosen, _) = c.candidates.choose(source.setting.as_deref());
        code.code = chosen.into_boxed_str();
        version = version.max(c.seq);
        hasher.update(c.id.as_bytes());
        hasher.update(c.seq.to_le_bytes());
        members.push(Member {
            iri: code.iri.clone().unwrap_or_default(),
            code,
            broader: c.broader.clone(),
            narrower: c.narrower.clone(),
        });
    }
    for (iri, mut code, seq) in borrowed {
        version = version.max(seq);
        hasher.update(iri.as_bytes());
        hasher.update(seq.to_le_bytes());
        code.iri = Some(iri.clone());
        code.parent = None;
        code.level = 0;
        members.push(Member {
            iri,
            code,
            broader: Box::default(),
            narrower: Box::default(),
        });
    }
    for iri in bare {
        let code = concept_code::last_segment(iri).to_owned();
        members.push(Member {
            iri: iri.clone(),
            code: Code {
                iri: Some(iri.clone()),
                value_type: ValueType::String,
                code: code.clone().into_boxed_str(),
                labels: Texts::from_pairs([(String::new(), code)]),
                descriptions: Texts::default(),
                parent: None,
                level: 0,
                valid_from: None,
                valid_to: None,
                order: i64::MAX,
                extra: None,
            },
            broader: Box::default(),
            narrower: Box::default(),
        });
    }
    let own: Vec<Code> = source
        .own
        .as_ref()
        .map(|own| {
            own.list
                .codes
                .iter()
                .map(|c| Code {
                    iri: Some(own.list.code_iri(c).into()),
                    ..c.clone()
                })
                .collect()
        })
        .unwrap_or_default();
    for c in &own {
        members.push(Member {
            iri: c.iri.clone().unwrap_or_default(),
            code: c.clone(),
            broader: Box::default(),
            narrower: Box::default(),
        });
    }
    let collisions = concept_code::resolve_collisions(&mut members);
    if !collisions.is_empty() {
        tracing::warn!(
            list = %source.iri,
            collisions = collisions.len(),
            first = ?collisions.first(),
            "members of a list made of concepts share a code; later ones are served by their IRI's last segment"
        );
    }
    // A member without any label is labelled with its code.
    for m in &mut members {
        if m.code.labels.is_empty() {
            m.code.labels = Texts::from_pairs([(String::new(), m.code.code.to_string())]);
        }
    }
    link_parents(&mut members, own.len());
    // Successors are IRIs in the concepts' graphs; the API speaks codes (of members).
    let code_of: HashMap<Box<str>, Box<str>> = members
        .iter()
        .map(|m| (m.iri.clone(), m.code.code.clone()))
        .collect();
    for m in &mut members {
        if let Some(extra) = &mut m.code.extra {
            if let Some(code) = extra.replaced_by.as_ref().and_then(|r| code_of.get(r)) {
                extra.replaced_by = Some(code.clone());
            }
        }
    }
    let codes: Vec<Code> = members.into_iter().map(|m| m.code).collect();
    let mut list = CodeList::assemble(&source.iri, source.labels.clone(), Vec::new(), codes);
    list.made_of_concepts = true;
    CachedList {
        id: source.id.clone(),
        alias: source.alias.clone(),
        publisher: source.publisher.clone(),
        version: i32::try_from(version).unwrap_or(i32::MAX),
        resource_version: source.resource_version,
        latest: true,
        // A list made of concepts follows its collection; its retirement time is not kept here.
        retired_at: None,
        content_hash: hex::encode(hasher.finalize()),
        list,
        status: source.status.clone(),
        updated_at: source.updated_at,
        index: Default::default(),
        memo: super::empty_memo(),
        plain: super::empty_plain(),
    }
}

/// Parents and levels within the list: a concept's parent is its first broader concept that is a
/// member, else a member that names it narrower; links that would make a cycle are dropped. The
/// last `own` members are a scheme's own codes, which keep the parents their graph gives.
fn link_parents(members: &mut [Member], own: usize) {
    let concept_count = members.len() - own;
    let code_of: HashMap<&str, Box<str>> = members
        .iter()
        .map(|m| (&*m.iri, m.code.code.clone()))
        .collect();
    let mut narrower_of: HashMap<&str, &str> = HashMap::new();
    for m in &members[..concept_count] {
        for child in m.narrower.iter() {
            narrower_of.entry(&**child).or_insert(&*m.iri);
        }
    }
    let mut parents: Vec<Option<Box<str>>> = members
        .iter()
        .enumerate()
        .map(|(at, m)| {
            if at >= concept_count {
                return m.code.parent.clone();
            }
            m.broader
                .iter()
                .find(|b| code_of.contains_key(&***b))
                .map(|b| &**b)
                .or_else(|| narrower_of.get(&*m.iri).copied())
                .and_then(|p| code_of.get(p).cloned())
                .filter(|p| *p != m.code.code)
        })
        .collect();
    let index: HashMap<Box<str>, usize> = members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.code.code.clone(), i))
        .collect();
    // Drop the link that closes a cycle, then count depths.
    for start in 0..members.len() {
        let mut at = start;
        let mut steps = 0;
        while let Some(parent) = parents[at].as_ref().and_then(|p| index.get(p)).copied() {
            steps += 1;
            if parent == start || steps > members.len() {
                parents[start] = None;
                break;
            }
            at = parent;
        }
    }
    for at in 0..members.len() {
        let mut depth = 1;
        let mut up = parents[at].as_ref().and_then(|p| index.get(p)).copied();
        while let Some(p) = up {
            depth += 1;
            if depth > 64 {
                break;
            }
            up = parents[p].as_ref().and_then(|q| index.get(q)).copied();
        }
        if at < concept_count || members[at].code.level == 0 {
            members[at].code.level = depth;
        }
    }
    for (m, parent) in members.iter_mut().zip(parents) {
        m.code.parent = parent;
    }
}

/// A list made of concepts as it was after change `seq`, composed from the store of record: the
/// list resource's version then, the members its graph named then and the concepts that name it
/// now, each in its version then. (A concept that named the list then but has since stopped
/// naming it and is not named by the list's graph is not found; codes borrowed from other lists
/// are today's.) `None` if the list did not exist yet.
pub async fn as_of(
    db: &impl ConnectionTrait,
    index: &std::sync::Mutex<ConceptLists>,
    current: &HashMap<String, Arc<CachedList>>,
    latest: &CachedList,
    seq: i64,
) -> Result<Option<CachedList>, StoreError> {
    let Some(row) = store::find_resource(db, &latest.id).await? else {
        return Ok(None);
    };
    let own_version =
        store::members::versions_as_of(db, std::slice::from_ref(&row.id), seq).await?;
    let Some(&(list_seq, list_version)) = own_version.get(&row.id) else {
        return Ok(None);
    };
    let Some(version) = store::get_version(db, &row.id, list_version).await? else {
        return Ok(None);
    };
    let mut source = ListSource::read(
        &row,
        list_seq,
        list_version,
        &version.content_hash,
        &version.ntriples,
    );
    if row.kind != COLLECTION_KIND {
        source.own = Some(Arc::new(CachedList {
            id: row.id.clone(),
            alias: row.alias.clone(),
            publisher: row.publisher.clone(),
            version: list_version,
            resource_version: list_version,
            latest: false,
            retired_at: row.retired_at.map(|t| t.timestamp()),
            content_hash: version.content_hash.clone(),
            list: CodeList::from_ntriples(&row.iri, &version.ntriples),
            status: row.status.clone(),
            updated_at: version.created_at,
            index: Default::default(),
            memo: super::empty_memo(),
            plain: super::empty_plain(),
        }));
    }
    let declared = index
        .lock()
        .map(|i| i.declared_ids(&row.iri))
        .unwrap_or_default();
    let mut ids: Vec<String> = source
        .members
        .iter()
        .map(|m| crate::ids::resource_id_for_iri(m))
        .chain(declared)
        .collect();
    ids.sort();
    ids.dedup();
    let then = store::members::versions_as_of(db, &ids, seq).await?;
    let pairs: Vec<(String, i32)> = then.iter().map(|(id, (_, v))| (id.clone(), *v)).collect();
    let versions = store::members::versions(db, &pairs).await?;
    let rows: HashMap<String, resource::Model> = store::resources_by_ids(db, &ids)
        .await?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let named: HashSet<&str> = source.members.iter().map(|m| &**m).collect();
    let mut concepts = Vec::new();
    for v in versions {
        let Some(r) = rows.get(&v.resource_id).filter(|r| r.kind == CONCEPT_KIND) else {
            continue;
        };
        let member_seq = then.get(&v.resource_id).map_or(0, |(s, _)| *s);
        // The status column is today's; a retirement after `seq` is not seen as of then.
        let concept = HeldConcept::from_ntriples(&r.id, &r.iri, member_seq, "valid", &v.ntriples);
        if named.contains(r.iri.as_str()) || concept.lists.iter().any(|l| **l == *row.iri) {
            concepts.push(concept);
        }
    }
    let refs: Vec<&HeldConcept> = concepts.iter().collect();
    let found: HashSet<&str> = concepts
        .iter()
        .filter_map(|c| c.code.iri.as_deref())
        .collect();
    let lists = index.lock().map(|i| i.lists.clone()).unwrap_or_default();
    let (borrowed, bare, _) = resolve_missing(&source, &found, &index_codes(current), &lists);
    let mut list = compose_list(&source, &refs, borrowed, &bare);
    list.latest = false;
    Ok(Some(list))
}
