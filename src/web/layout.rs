//! What every page shares: the request's language and address, the document around a page's
//! content (head, skip link, header with search and language switch, footer), and the headers
//! of a page answer (Content-Security-Policy, language cookie, `Vary`).

use super::assets;
use super::i18n::{self, Lang, Msg};
use axum::http::{header, HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

/// Everything is served by semreg itself: no inline script or style, no other origin.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
    form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// A page request: its language, path and query, and the public base URL it was reached at.
#[derive(Debug, Clone)]
pub struct PageRequest {
    /// The page language.
    pub lang: Lang,
    /// Whether `?lang=` chose it in this request (the answer then sets the cookie).
    pub chosen: bool,
    /// The request path.
    pub path: String,
    /// The query pairs as given, in order.
    pub query: Vec<(String, String)>,
    /// `http(s)://host[:port]` as the client reached us, for canonical links.
    pub base: Option<String>,
}

impl PageRequest {
    /// Reads the language and address of a page request.
    pub fn new(uri: &Uri, headers: &HeaderMap) -> PageRequest {
        let query: Vec<(String, String)> =
            form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        let asked = query
            .iter()
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.as_str());
        let (lang, chosen) = i18n::negotiate(asked, headers);
        PageRequest {
            lang,
            chosen,
            path: uri.path().to_owned(),
            query,
            base: crate::request::public_base_url(headers),
        }
    }

    /// A text in the page language.
    pub fn t(&self, msg: Msg) -> &'static str {
        self.lang.t(msg)
    }

    /// The first value of a query parameter, if given and not empty.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// This page with `name` set to `value` (or removed when `None`); other parameters kept
    /// (empty ones dropped, but for a repeated parameter, whose values go by position).
    pub fn with(&self, changes: &[(&str, Option<&str>)]) -> String {
        let repeated = |name: &str| self.query.iter().filter(|(k, _)| k == name).count() > 1;
        let mut pairs: Vec<(String, String)> = self
            .query
            .iter()
            .filter(|(k, v)| (!v.is_empty() || repeated(k)) && !changes.iter().any(|(c, _)| c == k))
            .cloned()
            .collect();
        for (name, value) in changes {
            if let Some(value) = value {
                pairs.push(((*name).to_owned(), (*value).to_owned()));
            }
        }
        href(&self.path, &pairs)
    }

    /// The canonical address of this page state: the known parameters in a fixed order, the
    /// language included (the content depends on it).
    pub fn canonical(&self, known: &[&str]) -> String {
        let mut pairs: Vec<(String, String)> = known
            .iter()
            .filter(|k| **k != "lang")
            .filter_map(|k| self.param(k).map(|v| ((*k).to_owned(), v.to_owned())))
            .collect();
        pairs.push(("lang".to_owned(), self.lang.code().to_owned()));
        format!(
            "{}{}",
            self.base.as_deref().unwrap_or(""),
            href(&self.path, &pairs)
        )
    }
}

/// A path with a query string made of `pairs` (percent-encoded).
pub fn href(path: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return path.to_owned();
    }
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    format!("{path}?{}", query.finish())
}

/// The page of a resource by kind, for the kinds that have one; other kinds link to the API.
pub fn resource_href(kind: &str, id: &str) -> String {
    let id = percent_path(id);
    match kind {
        "code-list" | "collection" => format!("/code-lists/{id}"),
        "concept" => format!("/concepts/{id}"),
        "type" => format!("/types/{id}"),
        "model" => format!("/models/{id}"),
        "service-model" => format!("/api/v1/service-models/{id}"),
        _ => format!("/api/v1/resources/{id}"),
    }
}

/// A path segment percent-encoded (ids are UUIDs or aliases, but aliases are the publisher's).
pub fn percent_path(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A page's content in the shared document, answered with the headers every page gets.
pub fn render(request: &PageRequest, title: &str, canonical: &str, main: Markup) -> Response {
    let lang = request.lang;
    let document = html! {
        (DOCTYPE)
        html lang=(lang.code()) data-color-scheme="light" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · semreg" }
                link rel="canonical" href=(canonical);
                // No favicon file: an empty one, so browsers do not ask for /favicon.ico.
                link rel="icon" href="data:,";
                @for other in Lang::ALL {
                    @if other != lang {
                        link rel="alternate" hreflang=(other.code()) href=(request.with(&[("lang", Some(other.code()))]));
                    }
                }
                link rel="stylesheet" href=(assets::url("designsystemet", "css"));
                link rel="stylesheet" href=(assets::url("semreg", "css"));
                script src=(assets::url("semreg", "js")) defer {}
            }
            body {
                a.ds-skip-link href="#main" { (lang.t(Msg::SkipToContent)) }
                header.site-header {
                    div.site-header__inner {
                        a.site-logo href="/" { "semreg" }
                        nav aria-label=(lang.t(Msg::MainNav)) {
                            ul.site-nav {
                                li { a.ds-link href="/" aria-current=[(request.path == "/").then_some("page")] { (lang.t(Msg::Home)) } }
                                li { a.ds-link href="/search" aria-current=[(request.path == "/search").then_some("page")] { (lang.t(Msg::Search)) } }
                                li { a.ds-link href="/compose" aria-current=[(request.path == "/compose").then_some("page")] { (lang.t(Msg::ComposeNav)) } }
                            }
                        }
                        @if request.path != "/" && request.path != "/search" {
                            (search_form(lang, "", "site-search"))
                        }
                        nav.lang-switch aria-label=(lang.t(Msg::Language)) {
                            ul {
                                @for other in Lang::ALL {
                                    li {
                                        a.ds-link href=(request.with(&[("lang", Some(other.code()))]))
                                            hreflang=(other.code()) lang=(other.code())
                                            aria-current=[(other == lang).then_some("true")] { (other.name()) }
                                    }
                                }
                            }
                        }
                    }
                }
                main id="main" tabindex="-1" {
                    (main)
                }
                footer.site-footer {
                    p {
                        (lang.t(Msg::Tagline)) ". "
                        a.ds-link href="/openapi.json" { "OpenAPI" } " · "
                        a.ds-link href="/api/v1/changes" { (lang.t(Msg::Changes)) } " · "
                        a.ds-link href="/sparql" { "SPARQL" }
                    }
                    p.site-footer__small {
                        "Designsystemet (Digdir), "
                        @if assets::DESIGN_SYSTEM_ORIGIN == "fallback" {
                            "fallback stylesheet"
                        } @else {
                            a.ds-link href=(assets::url("designsystemet-LICENSE", "txt")) { (assets::DESIGN_SYSTEM_ORIGIN) ", MIT" }
                        }
                    }
                }
            }
        }
    };
    let mut response = axum::response::Html(document.into_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.code()),
    );
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if request.chosen {
        let cookie = format!(
            "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            i18n::COOKIE,
            lang.code()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.insert(header::SET_COOKIE, value);
        }
    }
    response
}

/// The search field (with type-ahead from `/api/v1/suggest` when scripts run: the script
/// fills the field's `datalist`); `id` tells fields on one page apart.
pub fn search_form(lang: Lang, q: &str, id: &str) -> Markup {
    let list = format!("{id}-suggestions");
    html! {
        form.search-form role="search" action="/search" method="get" {
            div.ds-field {
                label.ds-label for=(id) { (lang.t(Msg::SearchLabel)) }
                div.search-form__row {
                    input.ds-input id=(id) type="search" name="q" value=(q)
                        placeholder=(lang.t(Msg::SearchPlaceholder)) autocomplete="off"
                        list=(list) data-suggest="/api/v1/suggest";
                    button.ds-button type="submit" data-variant="primary" { (lang.t(Msg::SearchButton)) }
                }
                datalist id=(list) {}
            }
        }
    }
}

/// A resource's text in the page language, else the nearest one: `(language tag, text)`.
pub fn text_in(texts: &crate::code_lists::model::Texts, lang: Lang) -> Option<(&str, &str)> {
    lang.fallbacks()
        .iter()
        .find_map(|l| texts.get(l).map(|t| (*l, t)))
        .or_else(|| texts.iter().next())
        .filter(|(_, t)| !t.is_empty())
}

/// A text of the data with its language: marked with `lang` (and a visible tag) when it is
/// not in the page language, so screen readers pronounce it right and readers know.
pub fn lang_text(page: Lang, text: Option<(&str, &str)>) -> Markup {
    match text {
        None => html! {},
        Some((tag, text)) if tag == page.code() || tag.is_empty() => html! { (text) },
        Some((tag, text)) => html! {
            span lang=(tag) { (text) }
            " " span.other-lang title=(page.t(Msg::OtherLanguage)) { "(" (tag) ")" }
        },
    }
}

/// A tag for a resource's status, coloured by what it means for reuse.
pub fn status_tag(lang: Lang, status: &str) -> Markup {
    let color = match status {
        "valid" => "success",
        "draft" => "info",
        "deprecated" | "superseded" => "warning",
        "retired" => "danger",
        _ => "neutral",
    };
    html! { span.ds-tag data-color=(color) data-size="sm" { (i18n::status_name(lang, status)) } }
}

/// A resource page's tags under its heading: kind, status, version and publisher.
pub fn resource_tags(lang: Lang, kind: &str, row: &crate::store::resource::Model) -> Markup {
    html! {
        p.result-card__tags {
            (kind_tag(lang, kind)) " "
            (status_tag(lang, &row.status)) " "
            span { (lang.t(Msg::Version)) " " (row.current_version) }
            @if let Some(publisher) = &row.publisher {
                " · " span { (lang.t(Msg::Publisher)) ": "
                    a.ds-link href=(format!("/publishers/{publisher}")) { (publisher) } }
            }
        }
    }
}

/// A resource's IRI with a button that copies it (shown when the page's script runs).
pub fn copyable_iri(lang: Lang, iri: &str) -> Markup {
    html! {
        code id="resource-iri" { (iri) } " "
        button.ds-button.copy-button type="button" data-variant="tertiary" data-size="sm"
            data-copy="resource-iri" data-copied=(lang.t(Msg::Copied)) hidden { (lang.t(Msg::Copy)) }
    }
}

/// An API error shown in a page: a heading, what the status means in the page language, and
/// the API's own detail (in English, marked so).
pub fn error_alert(lang: Lang, heading: Msg, error: &crate::problem::ApiError) -> Markup {
    html! {
        div.ds-alert.banner data-color="danger" role="alert" id="api-error" data-status=(error.status().as_u16()) {
            h2.ds-heading data-size="xs" { (lang.t(heading)) " (" (error.status().as_u16()) ")" }
            p.ds-paragraph { (i18n::error_meaning(lang, error.status().as_u16())) }
            @if let Some(detail) = error.detail() {
                p.ds-paragraph { (lang.t(Msg::ApiAnswer)) ": " span lang="en" { (detail) } }
            }
        }
    }
}

/// Whether an error of a page's form is answered as problem JSON (the request's `Accept` asks
/// for JSON before HTML) rather than in the page.
pub fn wants_problem(request: &PageRequest, headers: &HeaderMap) -> bool {
    crate::problem::error_place(
        &request.path,
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()),
    ) == crate::problem::ErrorPlace::Api
}

/// A tag for a resource's kind.
pub fn kind_tag(lang: Lang, kind: &str) -> Markup {
    html! { span.ds-tag data-color="accent" data-size="sm" data-variant="outline" { (i18n::kind_name(lang, kind)) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(uri: &str) -> PageRequest {
        PageRequest::new(&uri.parse().unwrap(), &HeaderMap::new())
    }

    #[test]
    fn with_replaces_one_parameter_and_keeps_the_others() {
        let r = request("/search?q=adresse&kind=type&page=3");
        assert_eq!(
            r.with(&[("page", None), ("kind", Some("code-list"))]),
            "/search?q=adresse&kind=code-list"
        );
        assert_eq!(
            r.with(&[("lang", Some("nn"))]),
            "/search?q=adresse&kind=type&page=3&lang=nn"
        );
    }

    #[test]
    fn with_keeps_the_empty_values_of_a_repeated_parameter() {
        let r = request("/compose?type=a&source=&type=b&source=s&q=");
        assert_eq!(
            r.with(&[("lang", Some("en"))]),
            "/compose?type=a&source=&type=b&source=s&lang=en"
        );
    }

    #[test]
    fn canonical_has_the_known_parameters_in_order_and_the_language() {
        let r = request("/search?page=2&utm=x&q=f%C3%B8dsel&lang=en");
        assert_eq!(
            r.canonical(&["q", "kind", "page"]),
            "/search?q=f%C3%B8dsel&page=2&lang=en"
        );
    }

    #[test]
    fn ids_are_percent_encoded_in_paths() {
        assert_eq!(percent_path("ssb-klass-131"), "ssb-klass-131");
        assert_eq!(percent_path("a/b c"), "a%2Fb%20c");
    }
}
