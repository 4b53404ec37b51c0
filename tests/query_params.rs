//! Property tests of the query-parameter parsers (where coverage-guided fuzzing cannot run in
//! CI: these live in the server crate, which builds RocksDB). Every query type of the API is fed
//! generated query strings — known parameter names with hostile values, unknown names, raw
//! percent-encoded bytes — through the same extractor the handlers use: it never panics, and
//! a refusal always says what is wrong. The bounded-integer, date and language-tag parsers are
//! checked against straightforward reference definitions.

use axum::extract::FromRequestParts;
use proptest::prelude::*;
use semreg::http::extract::ApiQuery;
use semreg::http::params::{self, Bounded};
use serde::de::DeserializeOwned;

/// Parameter names the API knows (and a few it does not).
const NAMES: &[&str] = &[
    "q",
    "kind",
    "publisher",
    "status",
    "lang",
    "limit",
    "offset",
    "since",
    "wait",
    "id",
    "origin",
    "date",
    "from",
    "to",
    "filter",
    "level",
    "format",
    "query",
    "iri",
    "version",
    "usableAsCodeList",
    "dryRun",
    "source",
    "target",
    "includeRetired",
    "code",
    "unknown",
    "",
    "limit[]",
    "%00",
];

/// Hostile values: numbers at and past every bound, signs, blanks, dates that do not exist,
/// long strings, control characters, and random text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("-1".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("9223372036854775808".to_owned()),
        Just("2024-02-30".to_owned()),
        Just("0000-00-00".to_owned()),
        Just("concept,,code-list".to_owned()),
        Just("x".repeat(10_000)),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[0-9-]{1,12}",
        "\\PC{0,40}",
        proptest::collection::vec(any::<u8>(), 0..40)
            .prop_map(|bytes| bytes.iter().map(|b| format!("%{b:02X}")).collect()),
    ]
}

fn query_string() -> impl Strategy<Value = String> {
    proptest::collection::vec((proptest::sample::select(NAMES), value()), 0..6).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(name, value)| {
                let value = if value.starts_with('%') {
                    value.clone()
                } else {
                    form_urlencoded::byte_serialize(value.as_bytes()).collect()
                };
                format!("{name}={value}")
            })
            .collect::<Vec<_>>()
            .join("&")
    })
}

/// Runs the API's query extractor for `T` on a query string: Ok, or a problem with a detail.
fn extract<T: DeserializeOwned>(query: &str) -> Result<(), String> {
    let request = axum::http::Request::builder()
        .uri(format!("/x?{query}"))
        .body(())
        .map_err(|e| format!("not a request URI: {e}"))?;
    let (mut parts, ()) = request.into_parts();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        match ApiQuery::<T>::from_request_parts(&mut parts, &()).await {
            Ok(_) => Ok(()),
            Err(error) => {
                use axum::response::IntoResponse;
                let response = error.into_response();
                assert_eq!(response.status(), 400, "{query}");
                let body = axum::body::to_bytes(response.into_body(), 1 << 20)
                    .await
                    .expect("problem body");
                let problem: serde_json::Value =
                    serde_json::from_slice(&body).expect("a problem JSON");
                let detail = problem["detail"].as_str().unwrap_or_default().to_owned();
                assert!(
                    !detail.trim().is_empty(),
                    "{query}: a refusal without a reason"
                );
                Err(detail)
            }
        }
    })
}

macro_rules! every_query_type {
    ($query:expr, $($t:ty),+ $(,)?) => {
        $( let _ = extract::<$t>($query); )+
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn no_query_string_makes_an_extractor_panic(query in query_string()) {
        use semreg::http::*;
        every_query_type!(
            &query,
            resources::ListResourcesQuery,
            search::SearchQuery,
            search::SuggestQuery,
            changes::ChangesQuery,
            code_lists::CodesQuery,
            code_lists::ChangesQuery,
            code_lists::CorrespondencesQuery,
            sparql::SparqlQuery,
            import::ImportQuery,
            mappings::ImportMappingsQuery,
            mappings::GetMappingsQuery,
            concepts::ConceptFieldQuery,
            forms::AltinnAppQuery,
            forms::QuestionnaireQuery,
            sync::PageQuery,
            sync::StartRunQuery,
            sync::PushQuery,
            types::ExportQuery,
            tokens::TokensQuery,
        );
    }

    #[test]
    fn bounded_integers_are_exactly_the_decimal_numbers_in_bounds(text in "\\PC{0,24}|[0-9]{1,22}") {
        let reference = (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse::<u64>().ok())
            .flatten()
            .filter(|n| (1..=200).contains(n));
        let parsed = Bounded::<1, 200>::parse(&text).ok().map(Bounded::get);
        prop_assert_eq!(parsed, reference);
    }

    #[test]
    fn dates_are_exactly_the_real_calendar_days(y in 0u32..10_000, m in 0u32..14, d in 0u32..33) {
        let text = format!("{y:04}-{m:02}-{d:02}");
        let real = chrono::NaiveDate::from_ymd_opt(y as i32, m, d);
        prop_assert_eq!(params::date("date", &text).ok(), real);
    }

    #[test]
    fn a_refused_date_names_the_parameter(text in "\\PC{0,20}") {
        if let Err(detail) = params::date("validOn", &text) {
            prop_assert!(detail.starts_with("validOn"), "{}", detail);
        }
    }

    #[test]
    fn language_tags_match_their_documented_pattern(text in "[A-Za-z0-9-]{0,14}|\\PC{0,10}") {
        let mut parts = text.split('-');
        let first = parts.next().unwrap_or_default();
        let reference = (2..=3).contains(&first.len())
            && first.chars().all(|c| c.is_ascii_alphabetic())
            && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
        prop_assert_eq!(params::language_tag("lang", &text).is_ok(), reference);
    }
}
