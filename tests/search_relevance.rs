//! Relevance of search over real data: FDK concepts and information models, SERES types, Klass
//! and EU code lists, imported through the import API. Each query names what a designer would
//! want among the first three hits; the suite prints success@3 and MRR (over the first ten)
//! and asserts a floor.
//!
//! Run with `cargo test --test search_relevance -- --nocapture` to see the table.

mod common;

use common::{shared_data, spawn_app, Backend};
use serde_json::Value;

const PUBLISHER: &str = "974760673";

/// The files, with the import query each goes with. Klass `codesAt` files carry no name, so
/// they are imported with the label their publisher would give them.
const FILES: &[(&str, &str)] = &[
    (
        "fdk/concepts_legacy_v1_nav_begrepskatalog.ttl",
        "format=turtle",
    ),
    (
        "fdk/concepts_v2_concept-catalog_all_collections.ttl",
        "format=turtle",
    ),
    (
        "fdk/im_digdir_person_enhet_adresse_SkatvalModellkatalog.ttl",
        "format=turtle",
    ),
    ("fdk/im_skatteetaten_SKDModellkatalog.ttl", "format=turtle"),
    (
        "fdk/im_digdir_model-catalogTestModellDCAT.ttl",
        "format=turtle",
    ),
    ("fdk/ref_eu_concept-status.ttl", "format=turtle"),
    (
        "seres/Bronnoysundregistrene_ReelleRettighetshavere_M_2021-04-13_6900_46449_SERES.xsd",
        "format=seres",
    ),
    (
        "seres/schema_4741_4280_forms_5273_41269.xsd",
        "format=seres",
    ),
    ("seres/RA-0678_M.xsd", "format=seres"),
    (
        "codelists/ssb-klass-131-kommuner-codesAt-2024.json",
        "format=klass&label=Kommuner&filename=ssb-klass-131-kommuner-codesAt-2024.json",
    ),
    (
        "codelists/ssb-klass-104-fylker-codesAt-2024.json",
        "format=klass&label=Fylker&filename=ssb-klass-104-fylker-codesAt-2024.json",
    ),
    ("codelists/adms-status.ttl", "format=turtle"),
    ("codelists/eu-at-file-type.ttl", "format=turtle"),
    ("codelists/eu-at-language-subset-skos.rdf", "format=rdfxml"),
    (
        "altinn-options/ssb-klass_maritalStatus.json",
        "format=klass&label=Sivilstand%20SSB&filename=ssb-klass_maritalStatus.json",
    ),
];

/// What a wanted hit is.
enum Want {
    /// A hit of this kind with exactly this label (several models define e.g. `Person`; any
    /// of them is what the designer wants).
    Label(&'static str, &'static str),
    /// The hit with this IRI.
    Iri(&'static str),
}

impl Want {
    fn matches(&self, hit: &Value) -> bool {
        match self {
            Want::Label(kind, label) => hit["kind"] == *kind && hit["label"] == *label,
            Want::Iri(iri) => hit["iri"] == *iri,
        }
    }
}

use Want::{Iri, Label};

const KOMMUNER: &str = "https://data.ssb.no/api/klass/v1/classifications/131";
const FYLKER: &str = "https://data.ssb.no/api/klass/v1/classifications/104";

/// (query string after `/api/v1/search?`, what should be in the top 3: any of these).
fn cases() -> Vec<(&'static str, Vec<Want>)> {
    vec![
        // The designer's everyday words: the reusable type, concept or list itself.
        ("q=person", vec![Label("type", "Person")]),
        ("q=adresse", vec![Label("type", "Adresse")]),
        (
            "q=fødselsnummer",
            vec![
                Label("type", "Fødselsnummer"),
                Label("concept", "Fødselsnummer"),
            ],
        ),
        (
            "q=kommunenummer",
            vec![
                Label("code-list", "Kommunenummer"),
                Label("type", "Kommunenummer"),
            ],
        ),
        ("q=sivilstand", vec![Label("code-list", "Sivilstand")]),
        ("q=kjønn", vec![Label("code-list", "Kjønn")]),
        (
            "q=organisasjonsnummer",
            vec![Label("type", "Organisasjonsnummer")],
        ),
        ("q=postnummer", vec![Label("type", "Postnummer")]),
        ("q=poststed", vec![Label("type", "Poststed")]),
        ("q=vegadresse", vec![Label("type", "Vegadresse")]),
        ("q=matrikkelnummer", vec![Label("type", "Matrikkelnummer")]),
        ("q=kommune", vec![Label("type", "Kommune")]),
        ("q=enhet", vec![Label("type", "Enhet")]),
        // Without Norwegian letters, and in other inflections.
        (
            "q=fodselsnummer",
            vec![
                Label("type", "Fødselsnummer"),
                Label("concept", "Fødselsnummer"),
            ],
        ),
        (
            "q=kjonn",
            vec![Label("code-list", "Kjønn"), Label("code-list", "Kjonn")],
        ),
        ("q=adresser", vec![Label("type", "Adresse")]),
        (
            "q=arbeidsgivere",
            vec![Iri("https://nav.no/begrep/BEGREP-193")],
        ),
        // Concepts by their preferred, alternative (allowed) and hidden (discouraged) terms.
        (
            "q=sykepenger",
            vec![Iri("https://nav.no/begrep/BEGREP-1020")],
        ),
        ("q=dagpenger", vec![Iri("https://nav.no/begrep/BEGREP-972")]),
        (
            "q=foreldrepenger",
            vec![Iri("https://nav.no/begrep/BEGREP-973")],
        ),
        (
            "q=bostedsadresse",
            vec![Iri("https://nav.no/begrep/BEGREP-382")],
        ),
        (
            "q=kontonummer",
            vec![Iri("https://nav.no/begrep/BEGREP-142")],
        ),
        (
            "q=gironummer",
            vec![Iri("https://nav.no/begrep/BEGREP-142")],
        ),
        (
            "q=frynsegoder",
            vec![Iri("https://nav.no/begrep/BEGREP-1378")],
        ),
        ("q=cv", vec![Iri("https://nav.no/begrep/BEGREP-1146")]),
        (
            "q=enkeltperson",
            vec![Iri("https://nav.no/begrep/BEGREP-165")],
        ),
        ("q=d-nummer", vec![Label("concept", "D-nummer")]),
        // Parts of compounds.
        (
            "q=kontonummer&kind=concept",
            vec![Iri("https://nav.no/begrep/BEGREP-142")],
        ),
        (
            "q=rettighetshavere",
            vec![Label("model", "ReelleRettighetshavere_M")],
        ),
        // Codes and code labels find their lists.
        ("q=0301", vec![Iri(KOMMUNER)]),
        ("q=Oslo&kind=code-list", vec![Iri(KOMMUNER), Iri(FYLKER)]),
        ("q=Eigersund", vec![Iri(KOMMUNER)]),
        ("q=Rogaland&kind=code-list", vec![Iri(FYLKER)]),
        (
            "q=PDF&kind=code-list",
            vec![Iri(
                "http://publications.europa.eu/resource/authority/file-type",
            )],
        ),
        (
            "q=nynorsk",
            vec![Iri(
                "http://publications.europa.eu/resource/authority/language",
            )],
        ),
        (
            "q=Completed&kind=code-list",
            vec![Iri("http://purl.org/adms/status/1.0")],
        ),
        ("q=kommuner", vec![Iri(KOMMUNER)]),
        (
            "q=separert&kind=code-list",
            vec![
                Label("code-list", "Sivilstand SSB"),
                Label("code-list", "Sivilstand"),
            ],
        ),
        // Types by a property they have.
        ("q=fødselsdato&kind=type", vec![Label("type", "Person")]),
        ("q=statsborgerskap&kind=type", vec![Label("type", "Person")]),
        // English labels.
        (
            "q=languages",
            vec![Iri(
                "http://publications.europa.eu/resource/authority/language",
            )],
        ),
        // A typo in a long word.
        ("q=sivilstnad", vec![Label("code-list", "Sivilstand")]),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn designers_find_the_reusable_thing_first() {
    let Some(app) = spawn_app(Backend::Sqlite, "search_relevance").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    for (file, query) in FILES {
        let body = std::fs::read(shared_data(file)).expect("shared data file");
        let response = app.import(Some(&token), query, body).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, 200, "{file}: {text}");
    }
    let cases = cases();
    assert!(cases.len() >= 30);
    let mut found_in_3 = 0usize;
    let mut reciprocal_ranks = 0f64;
    let mut misses = Vec::new();
    println!("{:<40} {:>5}  top 3", "query", "rank");
    for (query, wanted) in &cases {
        let url = format!("/api/v1/search?limit=10&{}", query.replace(' ', "+"));
        let results = app.get_json(&url).await;
        let hits = results["hits"].as_array().cloned().unwrap_or_default();
        let rank = hits
            .iter()
            .position(|hit| wanted.iter().any(|w| w.matches(hit)))
            .map(|i| i + 1);
        let top: Vec<String> = hits
            .iter()
            .take(3)
            .map(|h| {
                format!(
                    "{} ({})",
                    h["label"].as_str().unwrap_or(""),
                    h["kind"].as_str().unwrap_or("")
                )
            })
            .collect();
        println!(
            "{:<40} {:>5}  {}",
            query,
            rank.map_or("-".to_owned(), |r| r.to_string()),
            top.join(" | ")
        );
        if let Some(rank) = rank {
            reciprocal_ranks += 1.0 / rank as f64;
            if rank <= 3 {
                found_in_3 += 1;
                continue;
            }
        }
        misses.push(*query);
    }
    let n = cases.len() as f64;
    let success = found_in_3 as f64 / n;
    let mrr = reciprocal_ranks / n;
    println!(
        "{} queries: success@3 = {:.3} ({found_in_3}), MRR@10 = {:.3}; missed: {misses:?}",
        cases.len(),
        success,
        mrr
    );
    assert!(
        success >= 0.9,
        "success@3 {success:.3} is under the floor 0.9; missed {misses:?}"
    );
    assert!(mrr >= 0.85, "MRR {mrr:.3} is under the floor 0.85");
}
