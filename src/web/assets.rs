//! The pages' static files, embedded in the binary and served under `/assets/` with a content
//! hash in the file name, so they can be cached for a year (`immutable`): a new build with a
//! changed file gives it a new name. Nothing is fetched from elsewhere at run time.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Where the embedded design-system stylesheet comes from: `@digdir/designsystemet-css
/// <version>`, or `fallback` when the build had no npm install of it (build.rs).
pub const DESIGN_SYSTEM_ORIGIN: &str =
    include_str!(concat!(env!("OUT_DIR"), "/designsystemet-origin.txt"));

/// One embedded file.
struct Asset {
    /// The name before the hash (`designsystemet`).
    stem: &'static str,
    /// The extension (`css`).
    ext: &'static str,
    media_type: &'static str,
    bytes: &'static [u8],
}

const FILES: [Asset; 4] = [
    Asset {
        stem: "designsystemet",
        ext: "css",
        media_type: "text/css; charset=utf-8",
        bytes: include_bytes!(concat!(env!("OUT_DIR"), "/designsystemet.css")),
    },
    Asset {
        stem: "designsystemet-LICENSE",
        ext: "txt",
        media_type: "text/plain; charset=utf-8",
        bytes: include_bytes!(concat!(env!("OUT_DIR"), "/designsystemet-LICENSE")),
    },
    Asset {
        stem: "semreg",
        ext: "css",
        media_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../web/semreg.css"),
    },
    Asset {
        stem: "semreg",
        ext: "js",
        media_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../web/semreg.js"),
    },
];

/// A file as served: its hashed name and strong ETag.
struct Served {
    file: String,
    etag: HeaderValue,
    asset: &'static Asset,
}

fn served() -> &'static [Served] {
    static SERVED: OnceLock<Vec<Served>> = OnceLock::new();
    SERVED.get_or_init(|| {
        FILES
            .iter()
            .map(|asset| {
                let hash = hex::encode(&Sha256::digest(asset.bytes)[..6]);
                Served {
                    file: format!("{}.{hash}.{}", asset.stem, asset.ext),
                    etag: HeaderValue::from_str(&format!("\"{hash}\""))
                        .expect("hex is a valid header"),
                    asset,
                }
            })
            .collect()
    })
}

/// The URL of an embedded file by stem and extension (`url("semreg", "css")`).
pub fn url(stem: &str, ext: &str) -> String {
    served()
        .iter()
        .find(|s| s.asset.stem == stem && s.asset.ext == ext)
        .map(|s| format!("/assets/{}", s.file))
        .unwrap_or_else(|| format!("/assets/{stem}.{ext}"))
}

/// An embedded file (stylesheets, the pages' script, licences), by its hashed name.
#[utoipa::path(get, path = "/assets/{file}",
    params(("file" = String, Path, description = "The file's name with its content hash, as the pages link it")),
    responses(
        (status = 200, description = "The file, cacheable for a year", content(
            (String = "text/css"), (String = "text/javascript"), (String = "text/plain"))),
        (status = 304, description = "Not modified (`If-None-Match` matched the ETag)"),
        (status = 404, description = "No such file in this build")))]
pub async fn get_asset(Path(file): Path<String>, headers: axum::http::HeaderMap) -> Response {
    let Some(served) = served().iter().find(|s| s.file == file) else {
        // Made an HTML page (or problem JSON, if asked) by the error-body middleware.
        return crate::problem::ApiError::not_found(format!("no file {file} in this build"))
            .into_response();
    };
    let cache = (
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == served.etag.as_bytes())
    {
        return (
            StatusCode::NOT_MODIFIED,
            [cache, (header::ETAG, served.etag.clone())],
        )
            .into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(served.asset.media_type),
            ),
            cache,
            (header::ETAG, served.etag.clone()),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        served.asset.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_urls_carry_a_content_hash() {
        let css = url("semreg", "css");
        assert!(
            css.starts_with("/assets/semreg.") && css.ends_with(".css"),
            "{css}"
        );
        assert_eq!(css.len(), "/assets/semreg..css".len() + 12);
        assert_ne!(url("semreg", "css"), url("designsystemet", "css"));
    }
}
