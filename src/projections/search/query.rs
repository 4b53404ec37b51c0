//! Queries over the search index: full-text search with filters, facets, paging and highlights,
//! and type-ahead suggestions.
//!
//! Ranking, per word of the query (all words must match): the best of its matches in the
//! resource's fields counts, weighted by role — preferred label > code > alternative label >
//! members (codes of a list, properties of a type) > hidden (discouraged) label > definition >
//! other text. A query equal to a whole preferred label (or code, or alternative label) adds a
//! large bonus, and the score is multiplied by a status factor (deprecated resources sink).

use super::analysis::{self, MIN_PART};
use super::{Analyzers, Fields, ProjectionError, SearchHit, SearchProjection, SearchResults};
use std::collections::BTreeMap;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, SegmentReader, TantivyDocument, Term};

/// A search request, parsed.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The user's words.
    pub q: String,
    /// Only these kinds (any of them; empty: all).
    pub kinds: Vec<String>,
    /// Only this publisher.
    pub publisher: Option<String>,
    /// Only resources owned by this instance (its id).
    pub origin: Option<String>,
    /// Only this status (retired ones are left out unless asked for).
    pub status: Option<String>,
    /// Only resources with text in this language; labels are shown in it.
    pub lang: Option<String>,
    /// Page size.
    pub limit: usize,
    /// Page start.
    pub offset: usize,
    /// The publisher whose drafts may be found too (drafts of others never are).
    pub viewer: Option<String>,
}

/// Weights of the fields a query word is looked up in.
mod weight {
    pub const PREF: f32 = 10.0;
    pub const PREF_STEM: f32 = 8.0;
    pub const CODE: f32 = 9.0;
    pub const ALT: f32 = 6.0;
    pub const ALT_STEM: f32 = 5.0;
    pub const MEMBER: f32 = 3.0;
    pub const PART: f32 = 3.0;
    pub const HIDDEN: f32 = 2.5;
    pub const PREFIX: f32 = 2.0;
    pub const DEFINITION: f32 = 2.0;
    pub const TEXT: f32 = 0.5;
    pub const EXACT_PREF: f32 = 40.0;
    pub const EXACT_CODE: f32 = 30.0;
    pub const EXACT_ALT: f32 = 20.0;
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, boost))
}

/// The query's words as each analyzer sees them (same word order: every analyzer splits words
/// the same way).
struct Words {
    fold: Vec<String>,
    no: Vec<String>,
    /// The Norwegian stem stemmed once more, where that shortens it: the stemmer removes one
    /// suffix, so `arbeidsgivere` stems to `arbeidsgiver`, while `arbeidsgiver` stems to
    /// `arbeidsgiv`.
    no_again: Vec<Option<String>>,
    en: Vec<String>,
    key: Option<String>,
}

impl Words {
    fn of(q: &str, analyzers: &mut Analyzers) -> Self {
        let fold = analysis::tokens(&mut analyzers.fold, q);
        let mut no = analysis::tokens(&mut analyzers.no, q);
        let mut en = analysis::tokens(&mut analyzers.en, q);
        no.resize(fold.len(), String::new());
        en.resize(fold.len(), String::new());
        let no_again = no
            .iter()
            .map(|stem| {
                analysis::tokens(&mut analyzers.no, stem)
                    .into_iter()
                    .next()
                    .filter(|again| again != stem)
            })
            .collect();
        Words {
            no_again,
            key: analysis::tokens(&mut analyzers.key, q.trim())
                .into_iter()
                .next(),
            fold,
            no,
            en,
        }
    }
}

impl SearchProjection {
    fn filters(&self, request: &SearchRequest) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.fields;
        let basic = |field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };
        let mut clauses = Vec::new();
        // Drafts are found only by their publisher: in hits, totals and facets alike.
        let mut visible: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Should, basic(f.visibility, super::PUBLIC))];
        if let Some(viewer) = &request.viewer {
            visible.push((
                Occur::Should,
                basic(f.visibility, &format!("draft:{viewer}")),
            ));
        }
        clauses.push((
            Occur::Must,
            Box::new(BooleanQuery::new(visible)) as Box<dyn Query>,
        ));
        match request.kinds.as_slice() {
            [] => {}
            [kind] => clauses.push((Occur::Must, basic(f.kind, kind))),
            kinds => clauses.push((
                Occur::Must,
                Box::new(BooleanQuery::new(
                    kinds
                        .iter()
                        .map(|k| (Occur::Should, basic(f.kind, k)))
                        .collect(),
                )) as Box<dyn Query>,
            )),
        }
        if let Some(publisher) = &request.publisher {
            clauses.push((Occur::Must, basic(f.publisher, publisher)));
        }
        if let Some(origin) = &request.origin {
            clauses.push((Occur::Must, basic(f.origin, origin)));
        }
        match &request.status {
            Some(status) => clauses.push((Occur::Must, basic(f.status, status))),
            None => clauses.push((Occur::MustNot, basic(f.status, "retired"))),
        }
        if let Some(lang) = &request.lang {
            clauses.push((Occur::Must, basic(f.langs, lang)));
        }
        clauses
    }

    /// The terms one query word is looked up as (exact, not fuzzy), each with its field and
    /// weight.
    fn word_terms(f: &Fields, words: &Words, i: usize) -> Vec<(Field, String, f32)> {
        let (fold, no, en) = (&words.fold[i], &words.no[i], &words.en[i]);
        let mut terms = vec![
            (f.pref_fold, fold.clone(), weight::PREF),
            (f.pref_no, no.clone(), weight::PREF_STEM),
            (f.pref_en, en.clone(), weight::PREF_STEM),
            (f.codes, fold.clone(), weight::CODE),
            (f.alt_fold, fold.clone(), weight::ALT),
            (f.alt_no, no.clone(), weight::ALT_STEM),
            (f.alt_en, en.clone(), weight::ALT_STEM),
            (f.members_fold, fold.clone(), weight::MEMBER),
            (f.members_no, no.clone(), weight::MEMBER * 0.8),
            (f.hidden_fold, fold.clone(), weight::HIDDEN),
            (f.hidden_no, no.clone(), weight::HIDDEN * 0.8),
            (f.def_no, no.clone(), weight::DEFINITION),
            (f.def_en, en.clone(), weight::DEFINITION * 0.8),
            (f.text_no, no.clone(), weight::TEXT),
        ];
        if let Some(again) = &words.no_again[i] {
            terms.push((f.pref_no, again.clone(), weight::PREF_STEM * 0.9));
            terms.push((f.alt_no, again.clone(), weight::ALT_STEM * 0.9));
            terms.push((f.members_no, again.clone(), weight::MEMBER * 0.7));
        }
        let length = fold.chars().count();
        if length >= MIN_PART {
            terms.push((f.label_parts, fold.clone(), weight::PART));
        }
        if length >= 3 {
            terms.push((
                f.label_edge,
                analysis::edge_term(fold).to_owned(),
                weight::PREFIX,
            ));
        }
        terms
    }

    /// The clause one query word adds: the best of its matches across the fields.
    fn word_query(f: &Fields, words: &Words, i: usize, fuzzy: bool) -> Box<dyn Query> {
        let (fold, no) = (&words.fold[i], &words.no[i]);
        if fuzzy {
            let fuzzy = |field| -> Box<dyn Query> {
                Box::new(FuzzyTermQuery::new(
                    Term::from_field_text(field, fold),
                    1,
                    true,
                ))
            };
            // Labels only: each fuzzy field walks its term dictionary with an automaton.
            return Box::new(DisjunctionMaxQuery::with_tie_breaker(
                vec![
                    boosted(fuzzy(f.pref_fold), weight::PREF),
                    boosted(fuzzy(f.alt_fold), weight::ALT),
                    boosted(term(f.members_fold, fold), weight::MEMBER),
                    boosted(term(f.def_no, no), weight::DEFINITION),
                ],
                0.1,
            ));
        }
        let disjuncts = Self::word_terms(f, words, i)
            .into_iter()
            .map(|(field, text, weight)| boosted(term(field, &text), weight))
            .collect();
        Box::new(DisjunctionMaxQuery::with_tie_breaker(disjuncts, 0.1))
    }

    fn text_query(&self, words: &Words, conjunction: bool, fuzzy: bool) -> BooleanQuery {
        let f = &self.fields;
        let occur = if conjunction {
            Occur::Must
        } else {
            Occur::Should
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = (0..words.fold.len())
            .map(|i| (occur, Self::word_query(f, words, i, fuzzy)))
            .collect();
        if let Some(key) = &words.key {
            clauses.push((
                Occur::Should,
                boosted(term(f.pref_exact, key), weight::EXACT_PREF),
            ));
            clauses.push((
                Occur::Should,
                boosted(term(f.alt_exact, key), weight::EXACT_ALT),
            ));
            clauses.push((
                Occur::Should,
                boosted(term(f.codes, key), weight::EXACT_CODE),
            ));
            if words.fold.is_empty() {
                // A query of signs only ("-"): nothing but an exact code can match.
                clauses.push((Occur::Must, term(f.codes, key)));
            }
        }
        BooleanQuery::new(clauses)
    }

    /// How many documents the query's words are found in, summed over its words and every
    /// term a word is looked up as ([`Self::word_terms`]): an upper estimate of the documents
    /// a search of `q` scores and counts (its exact attempts; the typo-tolerant one comes only
    /// when they find nothing). Term dictionary lookups only, microseconds.
    /// `None` for a query without words (every document).
    pub fn matches_estimate(&self, q: &str) -> Option<u64> {
        let mut analyzers = Analyzers::of(&self.index);
        let words = Words::of(q, &mut analyzers);
        if words.fold.is_empty() {
            return None;
        }
        let searcher = self.reader.searcher();
        let mut estimate = 0u64;
        for i in 0..words.fold.len() {
            for (field, text, _) in Self::word_terms(&self.fields, &words, i) {
                let found = searcher.doc_freq(&Term::from_field_text(field, &text));
                estimate = estimate.saturating_add(found.unwrap_or(u64::MAX));
            }
        }
        Some(estimate)
    }

    /// Full-text search with filters, paging, facet counts and highlights. All words must
    /// match; when none does, any word may; when still nothing, words of 5+ characters may be
    /// one typo off.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, ProjectionError> {
        let q = request.q.trim();
        if q.is_empty() {
            let mut clauses = self.filters(request);
            clauses.push((Occur::Must, Box::new(tantivy::query::AllQuery)));
            return self.run(&BooleanQuery::new(clauses), request, None);
        }
        let mut analyzers = Analyzers::of(&self.index);
        let words = Words::of(q, &mut analyzers);
        let mut attempts = vec![(true, false)];
        if words.fold.len() > 1 {
            attempts.push((false, false));
        }
        if words.fold.iter().any(|w| w.chars().count() >= 5) {
            attempts.push((true, true));
        }
        let mut results = None;
        for (conjunction, fuzzy) in attempts {
            let mut clauses = self.filters(request);
            clauses.push((
                Occur::Must,
                Box::new(self.text_query(&words, conjunction, fuzzy)),
            ));
            let found = self.run(&BooleanQuery::new(clauses), request, Some(&words))?;
            if found.total > 0 {
                return Ok(found);
            }
            results = Some(found);
        }
        Ok(results.expect("at least one attempt"))
    }

    /// Type-ahead on label prefixes: every typed word starts a word of a preferred or
    /// alternative label; the last word may be one typo off when it has 4+ characters. Labels
    /// that start with the typed text come first.
    pub fn suggest(
        &self,
        q: &str,
        kinds: &[String],
        limit: usize,
        viewer: Option<&str>,
    ) -> Result<Vec<SearchHit>, ProjectionError> {
        let mut analyzers = Analyzers::of(&self.index);
        let words = analysis::tokens(&mut analyzers.fold, q);
        let Some(last) = words.last() else {
            return Ok(Vec::new());
        };
        let request = SearchRequest {
            kinds: kinds.to_vec(),
            limit,
            viewer: viewer.map(str::to_owned),
            ..Default::default()
        };
        let searcher = self.reader.searcher();
        // Exact prefixes first; the typo-tolerant form (which expands to many terms) only
        // when they do not fill the list.
        let mut found = searcher.search(
            &self.suggest_query(&words, &request, false),
            &Self::top(&request),
        )?;
        if found.len() < limit && last.chars().count() >= 4 {
            let seen: std::collections::HashSet<DocAddress> =
                found.iter().map(|(_, a)| *a).collect();
            let more = searcher.search(
                &self.suggest_query(&words, &request, true),
                &Self::top(&request),
            )?;
            found.extend(more.into_iter().filter(|(_, a)| !seen.contains(a)));
            found.truncate(limit);
        }
        found
            .into_iter()
            .map(|(score, address)| self.hit(&searcher, score, address, None, None))
            .collect()
    }

    fn suggest_query(
        &self,
        words: &[String],
        request: &SearchRequest,
        fuzzy: bool,
    ) -> BooleanQuery {
        let f = self.fields;
        let (last, first) = words.split_last().expect("at least one word");
        let mut clauses = self.filters(request);
        for word in first {
            clauses.push((Occur::Must, term(f.label_edge, analysis::edge_term(word))));
        }
        let typed = term(f.label_edge, analysis::edge_term(last));
        if fuzzy {
            // `label_edge` holds every word prefix, so "one edit from a prefix" is a plain
            // (not prefix) fuzzy match there, whose automaton stops one character past the
            // typed length.
            let near = Box::new(FuzzyTermQuery::new(
                Term::from_field_text(f.label_edge, analysis::edge_term(last)),
                1,
                true,
            ));
            clauses.push((
                Occur::Must,
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, boosted(typed, 3.0)),
                    (Occur::Should, near),
                ])),
            ));
        } else {
            clauses.push((Occur::Must, typed));
        }
        let joined = words.join("_");
        clauses.push((
            Occur::Should,
            boosted(
                term(
                    f.label_full_edge,
                    analysis::cut(&joined, 2 * analysis::MAX_EDGE),
                ),
                5.0,
            ),
        ));
        BooleanQuery::new(clauses)
    }

    fn top(
        request: &SearchRequest,
    ) -> impl tantivy::collector::Collector<Fruit = Vec<(f32, DocAddress)>> {
        TopDocs::with_limit(request.limit.max(1))
            .and_offset(request.offset)
            .tweak_score(move |segment: &SegmentReader| {
                let rank = segment
                    .fast_fields()
                    .f64("rank")
                    .ok()
                    .map(|c| c.first_or_default_col(1.0));
                move |doc, score: f32| match &rank {
                    Some(rank) => score * rank.get_val(doc) as f32,
                    None => score,
                }
            })
    }

    fn run(
        &self,
        query: &dyn Query,
        request: &SearchRequest,
        words: Option<&Words>,
    ) -> Result<SearchResults, ProjectionError> {
        let searcher = self.reader.searcher();
        let mut facet_collector = FacetCollector::for_field("facets");
        for facet in ["/kind", "/publisher", "/status", "/origin"] {
            facet_collector.add_facet(facet);
        }
        let (top, total, facet_counts) =
            searcher.search(query, &(Self::top(request), Count, facet_collector))?;
        let highlighter = match words {
            Some(words) => Some(self.highlighter(words)?),
            None => None,
        };
        let hits = top
            .into_iter()
            .take(request.limit)
            .map(|(score, address)| {
                self.hit(
                    &searcher,
                    score,
                    address,
                    request.lang.as_deref(),
                    highlighter.as_ref(),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut facets = BTreeMap::new();
        for name in ["kind", "publisher", "status", "origin"] {
            let counts: BTreeMap<String, u64> = facet_counts
                .get(&format!("/{name}"))
                .map(|(facet, count)| {
                    let value = facet
                        .to_path()
                        .last()
                        .map(|s| s.to_string())
                        .unwrap_or_default();
                    (value, count)
                })
                .collect();
            facets.insert(name.to_owned(), counts);
        }
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }

    /// Highlights the query's words (Norwegian stems, folded; codes as given) in stored text.
    fn highlighter(&self, words: &Words) -> Result<SnippetGenerator, ProjectionError> {
        let mut terms = BTreeMap::new();
        for word in words.no.iter().chain(words.en.iter()) {
            if !word.is_empty() {
                terms.insert(word.clone(), 1.0);
            }
        }
        let analyzer = self.index.tokenizers().get(analysis::NO).ok_or_else(|| {
            ProjectionError::Content("the Norwegian analyzer is not registered".into())
        })?;
        Ok(SnippetGenerator::new(
            terms,
            analyzer,
            self.fields.def_no,
            160,
        ))
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        score: f32,
        address: DocAddress,
        lang: Option<&str>,
        highlighter: Option<&SnippetGenerator>,
    ) -> Result<SearchHit, ProjectionError> {
        let f = self.fields;
        let document: TantivyDocument = searcher.doc(address)?;
        let get = |field| {
            document
                .get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let pairs = |field| -> Vec<(String, String)> {
            document
                .get_all(field)
                .filter_map(|v| v.as_str())
                .filter_map(|v| v.split_once('\t'))
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect()
        };
        let labels = pairs(f.labels_by_lang);
        let descriptions = pairs(f.descriptions);
        let in_lang = |items: &[(String, String)]| -> Option<String> {
            let lang = lang?;
            items
                .iter()
                .find(|(l, _)| l == lang || l.split('-').next() == Some(lang))
                .map(|(_, t)| t.clone())
        };
        let label = in_lang(&labels).unwrap_or_else(|| get(f.label));
        let description =
            in_lang(&descriptions).or_else(|| descriptions.first().map(|d| d.1.clone()));
        let publisher = get(f.publisher);
        let origin = get(f.origin);
        let mut highlights = BTreeMap::new();
        if let Some(generator) = highlighter {
            let mut highlight = |name: &str, text: &str| {
                if text.is_empty() {
                    return;
                }
                let snippet = generator.snippet(text);
                if !snippet.highlighted().is_empty() {
                    highlights.insert(name.to_owned(), snippet.to_html());
                }
            };
            let all_labels: Vec<&str> = labels.iter().map(|(_, t)| t.as_str()).collect();
            highlight("label", &all_labels.join(" · "));
            highlight("description", description.as_deref().unwrap_or_default());
            let members: Vec<String> = pairs(f.members_stored)
                .into_iter()
                .map(|(code, label)| {
                    if code.is_empty() {
                        label
                    } else {
                        format!("{code} {label}")
                    }
                })
                .collect();
            if !members.is_empty() {
                highlight("members", &members.join("; "));
            }
        }
        let kind = get(f.kind);
        Ok(SearchHit {
            usable_as_code_list: crate::code_lists::usable_as_code_list(&kind),
            id: get(f.id),
            iri: get(f.iri),
            kind,
            label,
            description,
            publisher: (!publisher.is_empty()).then_some(publisher),
            origin: (!origin.is_empty()).then_some(origin),
            status: get(f.status),
            score,
            highlights,
        })
    }
}
