//! What browsers download, and how: the built front ends (`dist/`, the frame and the
//! console) are served from the brotli and gzip copies `cargo xtask build-widget` and
//! `build-console` write next to each file (compressed once, at build time), chosen by
//! `Accept-Encoding`; file names carrying Trunk's content hash are cached for a year
//! (`immutable`), documents are revalidated. The loader (`/embed.js`, compiled into the
//! server) is compressed once per process, cached briefly and revalidated by `ETag`.
//! JSON answers are compressed as they are written.

use std::path::Path;
use std::sync::LazyLock;

use axum::extract::{RawQuery, Request, State};

use crate::app::AppState;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// The loader, served at `/embed.js` as written (compressed on the wire).
pub const EMBED_JS: &str = include_str!("../../widget/embed.js");

/// `Cache-Control` of files whose name carries their content hash: a new build has new
/// names, so a copy never needs checking again.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `Cache-Control` of the loader: site pages reference `/embed.js` by a fixed URL, so
/// browsers keep it five minutes, then revalidate it (`If-None-Match` -> 304).
pub const LOADER_CACHE: &str = "public, max-age=300";

/// `Cache-Control` of the other built files: kept, but revalidated each time
/// (`If-Modified-Since` -> 304).
pub const REVALIDATE: &str = "no-cache";

/// `Cache-Control` of the documents (the frame's, the console's): never kept, as their
/// `Content-Security-Policy` names the current start-up script (a 304 carries no
/// document to compute it from).
pub const NO_STORE: &str = "no-store";

/// A built front end under `dir`: `index.html` for directories, and the `.br` / `.gz`
/// copies of each file when the browser accepts them.
pub fn dir(dir: &Path) -> ServeDir {
    ServeDir::new(dir)
        .append_index_html_on_directories(true)
        .precompressed_br()
        .precompressed_gzip()
}

/// Middleware on the built front ends: [`IMMUTABLE`] on hashed file names,
/// [`NO_STORE`] on documents, [`REVALIDATE`] on the rest, unless the handler chose
/// already; and `Vary: Accept-Encoding`, as each file has compressed copies.
pub async fn cache_control(request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let cacheable = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    if cacheable && !response.headers().contains_key(header::CACHE_CONTROL) {
        let document = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let value = if hashed {
            IMMUTABLE
        } else if document {
            NO_STORE
        } else {
            REVALIDATE
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    // Caches between Canal and the browser keep one copy per coding.
    if cacheable && !response.headers().contains_key(header::VARY) {
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Whether the last segment of `path` carries a content hash as Trunk writes it:
/// `name-<hex>` before the extension or `_bg`, the hex a 64-bit hash without leading
/// zeros (so usually 16 digits, sometimes fewer; at least 10 here).
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.match_indices('-').any(|(at, _)| {
        let rest = &name[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        digits >= 10 && matches!(rest.as_bytes().get(digits), Some(b'.' | b'_'))
    })
}

/// Which answers [`compress_json`] compresses.
pub type JsonPredicate =
    fn(StatusCode, axum::http::Version, &HeaderMap, &axum::http::Extensions) -> bool;

/// Compression of JSON answers (the config, errors, admin lists) by `Accept-Encoding`:
/// brotli or gzip, above a few hundred bytes. Files are served precompressed and
/// sockets are left alone.
pub fn compress_json() -> CompressionLayer<JsonPredicate> {
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .no_deflate()
        .no_zstd()
        .compress_when(is_json_worth_compressing)
}

fn is_json_worth_compressing(
    _: StatusCode,
    _: axum::http::Version,
    headers: &HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let small = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n < 256);
    json && !small
}

/// A content coding Canal sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Gzip,
    Identity,
}

impl Coding {
    /// The `Content-Encoding` value (none for identity).
    pub fn header(self) -> Option<&'static str> {
        match self {
            Coding::Brotli => Some("br"),
            Coding::Gzip => Some("gzip"),
            Coding::Identity => None,
        }
    }
}

/// The best coding the request's `Accept-Encoding` allows: brotli, then gzip, else
/// none. A coding (or `*`) with `q=0` is refused.
pub fn negotiate(headers: &HeaderMap) -> Coding {
    let mut brotli = None;
    let mut gzip = None;
    let mut any = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let accepted = Some(q > 0.0);
            match coding.as_str() {
                "br" => brotli = accepted,
                "gzip" | "x-gzip" => gzip = accepted,
                "*" => any = accepted,
                _ => {}
            }
        }
    }
    if brotli.or(any) == Some(true) {
        Coding::Brotli
    } else if gzip.or(any) == Some(true) {
        Coding::Gzip
    } else {
        Coding::Identity
    }
}

/// The loader in each coding, and its validator.
struct Loader {
    brotli: Vec<u8>,
    gzip: Vec<u8>,
    etag: HeaderValue,
}

static LOADER: LazyLock<Loader> = LazyLock::new(|| {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(EMBED_JS.as_bytes());
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    Loader {
        brotli: brotli_bytes(EMBED_JS.as_bytes()),
        gzip: gzip_bytes(EMBED_JS.as_bytes()),
        // Weak: the same loader in any coding.
        etag: HeaderValue::from_str(&format!("W/\"{hex}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("W/\"loader\"")),
    }
});

/// Brotli at its strongest (quality 11, 4 MiB window), as the built files are.
pub fn brotli_bytes(data: &[u8]) -> Vec<u8> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        size_hint: data.len(),
        ..Default::default()
    };
    let mut out = Vec::new();
    let mut input = data;
    // Writing into a Vec cannot fail.
    let _ = brotli::BrotliCompress(&mut input, &mut out, &params);
    out
}

/// Gzip at its strongest.
pub fn gzip_bytes(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

/// What `/embed.js?channel=KEY` serves for a channel its admin switched off or
/// deleted: a script that draws nothing (the same URL serves the loader again once
/// the channel is back on, after at most [`LOADER_CACHE`]).
pub const OFF_JS: &str = "/* Canal: this chat is switched off by the site's admin. */\n";

/// `GET /embed.js`: the loader, in the coding the browser accepts; `304 Not Modified`
/// when the browser's copy (`If-None-Match`) is current. With `?channel=KEY` of a
/// channel that is switched off (or deleted), [`OFF_JS`] instead.
pub async fn embed_js(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    // The snippet names the channel, so a switched-off channel's pages learn it
    // with the request they make anyway. Any other query is ignored.
    let channel = query.as_deref().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(name, _)| name == "channel")
            .map(|(_, value)| value.into_owned())
    });
    let off = match &channel {
        None => false,
        Some(key) => match state.store.channel_by_key(key).await {
            Ok(channel) => channel.is_some_and(|c| !c.active),
            Err(e) => {
                // The loader as usual: the frame reports what is wrong on open.
                tracing::error!(error = %e, "loader channel lookup failed");
                false
            }
        },
    };
    if off {
        return (
            [
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(LOADER_CACHE),
                ),
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/javascript; charset=utf-8"),
                ),
            ],
            OFF_JS,
        )
            .into_response();
    }
    loader(&headers)
}

fn loader(headers: &HeaderMap) -> Response {
    let loader = &*LOADER;
    let fresh = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| {
            tag == "*"
                || loader
                    .etag
                    .to_str()
                    .ok()
                    .map(|e| e.trim_start_matches("W/"))
                    == Some(tag)
        });
    let common = [
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(LOADER_CACHE),
        ),
        (header::ETAG, loader.etag.clone()),
        (header::VARY, HeaderValue::from_static("accept-encoding")),
    ];
    if fresh {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    let coding = negotiate(headers);
    let body = match coding {
        Coding::Brotli => loader.brotli.clone(),
        Coding::Gzip => loader.gzip.clone(),
        Coding::Identity => EMBED_JS.as_bytes().to_vec(),
    };
    let mut response = (
        common,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/javascript; charset=utf-8"),
        )],
        body,
    )
        .into_response();
    if let Some(encoding) = coding.header() {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).expect("ascii"),
        );
        headers
    }

    #[test]
    fn picks_brotli_then_gzip_as_the_browser_allows() {
        assert_eq!(
            negotiate(&accept("gzip, deflate, br, zstd")),
            Coding::Brotli
        );
        assert_eq!(negotiate(&accept("gzip, deflate")), Coding::Gzip);
        assert_eq!(negotiate(&accept("br;q=0, gzip;q=0.5")), Coding::Gzip);
        assert_eq!(negotiate(&accept("*")), Coding::Brotli);
        assert_eq!(negotiate(&accept("*;q=0, identity")), Coding::Identity);
        assert_eq!(negotiate(&accept("identity")), Coding::Identity);
        assert_eq!(negotiate(&HeaderMap::new()), Coding::Identity);
    }

    #[test]
    fn knows_trunks_hashed_names() {
        assert!(is_hashed("/widget/canal-widget-3f1c2a9b8d7e6f50_bg.wasm"));
        assert!(is_hashed("/console/style-0123456789abcdef.css"));
        // A hash with a leading zero dropped.
        assert!(is_hashed("/widget/canal-widget-1da58b61d18bc48.js"));
        assert!(!is_hashed("/widget/canal-widget-deadbeefcafe-notes.txt"));
        assert!(!is_hashed("/widget/"));
        assert!(!is_hashed("/widget/index.html"));
        assert!(!is_hashed("/console/canal-console.js"));
    }

    #[test]
    fn the_loader_decompresses_to_itself() {
        use std::io::Read;
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut LOADER.brotli.as_slice(), &mut out).expect("brotli");
        assert_eq!(out, EMBED_JS.as_bytes());
        let mut text = String::new();
        flate2::read::GzDecoder::new(LOADER.gzip.as_slice())
            .read_to_string(&mut text)
            .expect("gzip");
        assert_eq!(text, EMBED_JS);
        assert!(LOADER.brotli.len() < EMBED_JS.len() / 2);
    }
}
