use super::*;

fn lt(lang: &str, text: &str) -> LangText {
    LangText::new(lang, text)
}

fn doc(id: &str, kind: &str, preferred: &[&str]) -> SearchDoc {
    SearchDoc {
        id: id.into(),
        iri: format!("http://example.org/{id}"),
        kind: kind.into(),
        status: "valid".into(),
        label: preferred.first().copied().unwrap_or(id).into(),
        preferred: preferred.iter().map(|p| lt("nb", p)).collect(),
        ..Default::default()
    }
}

fn projection(docs: &[SearchDoc]) -> (tempfile::TempDir, SearchProjection) {
    let dir = tempfile::tempdir().unwrap();
    let projection = SearchProjection::open(dir.path()).unwrap();
    projection.apply(docs, 7).unwrap();
    (dir, projection)
}

fn ids(projection: &SearchProjection, q: &str) -> Vec<String> {
    let request = SearchRequest {
        q: q.into(),
        limit: 10,
        ..Default::default()
    };
    projection
        .search(&request)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn exact_preferred_label_ranks_above_alternative_label_above_definition() {
    let mut by_alt = doc("alt", "concept", &["personidentifikator"]);
    by_alt.alternative = vec![lt("nb", "fødselsnummer")];
    let mut by_definition = doc("def", "concept", &["d-nummer"]);
    by_definition.definitions = vec![lt("nb", "et nummer som ligner på fødselsnummer")];
    let mut by_hidden = doc("hidden", "concept", &["id-nummer"]);
    by_hidden.hidden = vec![lt("nb", "fødselsnummer")];
    let preferred = doc("pref", "concept", &["fødselsnummer"]);
    let (_dir, p) = projection(&[by_definition, by_hidden, by_alt, preferred]);
    assert_eq!(
        ids(&p, "fødselsnummer"),
        vec!["pref", "alt", "hidden", "def"]
    );
}

#[test]
fn folded_query_finds_norwegian_letters_and_a_part_finds_the_compound() {
    let (_dir, p) = projection(&[
        doc("f", "concept", &["fødselsnummer"]),
        doc("k", "concept", &["kommunenummer"]),
    ]);
    assert_eq!(ids(&p, "fodselsnummer"), vec!["f"]);
    assert_eq!(ids(&p, "kommunenummer"), vec!["k"]);
    let mut both = ids(&p, "nummer");
    both.sort();
    assert_eq!(both, vec!["f", "k"]);
}

#[test]
fn english_labels_are_stemmed_in_english() {
    let mut d = doc("a", "concept", &[]);
    d.preferred = vec![lt("en", "addresses")];
    let (_dir, p) = projection(&[d]);
    assert_eq!(ids(&p, "address"), vec!["a"]);
}

#[test]
fn a_code_finds_its_list_and_a_code_label_finds_the_list_with_a_highlight() {
    let mut list = doc("list", "code-list", &["Kommuner"]);
    list.codes = vec!["0301".into()];
    list.members = vec![Member {
        code: Some("0301".into()),
        labels: vec![lt("nb", "Oslo")],
    }];
    let other = doc("oslo", "concept", &["Oslo kommune"]);
    let (_dir, p) = projection(&[list, other]);
    assert_eq!(ids(&p, "0301"), vec!["list"]);
    let request = SearchRequest {
        q: "Oslo".into(),
        kinds: vec!["code-list".into()],
        limit: 10,
        ..Default::default()
    };
    let results = p.search(&request).unwrap();
    assert_eq!(results.total, 1);
    assert_eq!(results.hits[0].highlights["members"], "0301 <b>Oslo</b>");
    assert_eq!(results.facets["kind"]["code-list"], 1);
}

#[test]
fn retired_resources_are_left_out_unless_asked_for_and_deprecated_ones_sink() {
    let mut retired = doc("r", "concept", &["adresse"]);
    retired.status = "retired".into();
    let mut deprecated = doc("d", "concept", &["adresse"]);
    deprecated.graph_status = Some("deprecated".into());
    let current = doc("c", "concept", &["adresse"]);
    let (_dir, p) = projection(&[retired, deprecated, current]);
    assert_eq!(ids(&p, "adresse"), vec!["c", "d"]);
    let request = SearchRequest {
        q: "adresse".into(),
        status: Some("retired".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(p.search(&request).unwrap().hits[0].id, "r");
}

#[test]
fn suggest_completes_prefixes_and_forgives_one_typo_from_four_characters() {
    let (_dir, p) = projection(&[
        doc("k", "concept", &["kommunenummer"]),
        doc("p", "type", &["Person"]),
        doc("pa", "type", &["Personadresse"]),
    ]);
    let suggest = |q: &str| -> Vec<String> {
        p.suggest(q, &[], 10, None)
            .unwrap()
            .into_iter()
            .map(|h| h.id)
            .collect()
    };
    assert_eq!(suggest("kom"), vec!["k"]);
    assert_eq!(suggest("kommn"), vec!["k"]);
    assert_eq!(suggest("pers")[0], "p");
    assert!(
        suggest("kpm").is_empty(),
        "no typo allowed under 4 characters"
    );
}

#[test]
fn an_index_of_an_older_schema_version_is_replaced_by_an_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    {
        let p = SearchProjection::open(dir.path()).unwrap();
        p.apply(&[doc("a", "concept", &["adresse"])], 5).unwrap();
        assert_eq!(p.watermark().unwrap(), 5);
    }
    std::fs::write(dir.path().join(SCHEMA_VERSION_FILE), "1\n").unwrap();
    let p = SearchProjection::open(dir.path()).unwrap();
    assert_eq!(p.watermark().unwrap(), 0);
    assert_eq!(p.doc_count(), 0);
}

#[test]
fn compact_merges_segments_and_keeps_watermark_and_documents() {
    let (_dir, projection) = projection(&[doc("a", "concept", &["Adresse"])]);
    projection
        .apply(&[doc("b", "concept", &["Postadresse"])], 9)
        .unwrap();
    projection
        .apply(&[doc("c", "type", &["Adressetype"])], 12)
        .unwrap();
    assert!(projection.segment_count() > 1);
    assert!(projection.compact().unwrap());
    assert_eq!(projection.segment_count(), 1);
    assert_eq!(projection.watermark().unwrap(), 12);
    assert_eq!(projection.doc_count(), 3);
    let mut found = ids(&projection, "adresse");
    found.sort();
    assert_eq!(found, vec!["a", "b", "c"]);
    // Nothing left to merge.
    assert!(!projection.compact().unwrap());
}

#[test]
fn compact_after_a_bulk_catch_up_merges_only_what_it_wrote() {
    let (_dir, projection) = projection(&[doc("a", "concept", &["Adresse"])]);
    projection
        .apply(&[doc("b", "concept", &["Postadresse"])], 8)
        .unwrap();
    let before = projection.segment_count();
    projection.set_bulk(true).unwrap();
    for (i, id) in ["c", "d", "e"].into_iter().enumerate() {
        projection
            .apply(&[doc(id, "type", &["Adressetype"])], 9 + i as i64)
            .unwrap();
    }
    assert_eq!(projection.segment_count(), before + 3);
    assert!(projection.compact().unwrap());
    projection.set_bulk(false).unwrap();
    assert_eq!(projection.segment_count(), before + 1);
    assert_eq!(projection.watermark().unwrap(), 11);
    assert_eq!(projection.doc_count(), 5);
}

#[test]
fn the_matches_estimate_is_at_least_what_a_search_finds_and_grows_with_the_matches() {
    let mut docs: Vec<SearchDoc> = (0..30)
        .map(|i| doc(&format!("k{i}"), "concept", &[&format!("kommune {i}")]))
        .collect();
    docs.push(doc("a", "concept", &["adresse"]));
    docs[3].definitions = vec![lt("nb", "en kommune som gjelder adresse")];
    let (_dir, p) = projection(&docs);
    let found = |q: &str| {
        p.search(&SearchRequest {
            q: q.into(),
            limit: 10,
            ..Default::default()
        })
        .unwrap()
        .total as u64
    };
    for q in ["kommune", "adresse", "kommune adresse", "finnes-ikke"] {
        let estimate = p.matches_estimate(q).unwrap();
        assert!(estimate >= found(q), "{q}: {estimate} < {}", found(q));
    }
    assert!(p.matches_estimate("kommune").unwrap() >= 30);
    assert!(p.matches_estimate("adresse").unwrap() < 10);
    assert_eq!(p.matches_estimate("finnes-ikke"), Some(0));
    assert_eq!(p.matches_estimate("  "), None);
}
