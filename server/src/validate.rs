//! Checks on values that come from outside, shared by the HTTP API and the socket.

use axum::http::HeaderMap;
use canal_protocol::{limits, ErrorCode, Utm};

use crate::error::AppError;

/// A page URL: present, at most [`limits::MAX_PAGE_URL_BYTES`], absolute http(s).
pub fn page_url(raw: &str) -> Result<String, AppError> {
    let invalid = |why: &str| AppError::unprocessable(ErrorCode::InvalidPageUrl, why.to_owned());
    if raw.trim().is_empty() {
        return Err(invalid("page_url is empty"));
    }
    if raw.len() > limits::MAX_PAGE_URL_BYTES {
        return Err(invalid(&format!(
            "page_url is longer than {} bytes",
            limits::MAX_PAGE_URL_BYTES
        )));
    }
    let url = url::Url::parse(raw).map_err(|_| invalid("page_url is not an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid("page_url must be an http or https URL"));
    }
    Ok(url.to_string())
}

/// An origin as browsers send it: `http(s)://host[:port]`, nothing after it.
pub fn origin(raw: &str) -> Result<(), AppError> {
    let parsed = url::Url::parse(raw).ok();
    let exact = parsed.as_ref().is_some_and(|url| {
        matches!(url.scheme(), "http" | "https") && url.origin().ascii_serialization() == raw
    });
    if exact {
        Ok(())
    } else {
        Err(AppError::unprocessable(
            ErrorCode::InvalidField,
            format!("{raw:?} is not an origin like https://shop.example (scheme, host, optional port; no path)"),
        ))
    }
}

/// The origin of an absolute URL already checked by [`page_url`].
pub fn origin_of(page_url: &str) -> String {
    url::Url::parse(page_url)
        .map(|url| url.origin().ascii_serialization())
        .unwrap_or_default()
}

/// A client-chosen id (request id, message client id): 1 to
/// [`limits::MAX_CLIENT_ID_BYTES`] characters of `A-Z a-z 0-9 - _`.
pub fn client_id(field: &str, raw: &str) -> Result<(), AppError> {
    let ok = !raw.is_empty()
        && raw.len() <= limits::MAX_CLIENT_ID_BYTES
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(AppError::unprocessable(
            ErrorCode::InvalidField,
            format!(
                "{field} must be 1 to {} characters of A-Z, a-z, 0-9, '-' or '_'",
                limits::MAX_CLIENT_ID_BYTES
            ),
        ))
    }
}

/// A message text: not blank, at most [`limits::MAX_MESSAGE_CHARS`] characters.
pub fn message_text(raw: &str) -> Result<(), AppError> {
    if raw.trim().is_empty() {
        return Err(AppError::unprocessable(
            ErrorCode::InvalidField,
            "text is empty",
        ));
    }
    if raw.chars().count() > limits::MAX_MESSAGE_CHARS {
        return Err(AppError::unprocessable(
            ErrorCode::InvalidField,
            format!(
                "text is longer than {} characters",
                limits::MAX_MESSAGE_CHARS
            ),
        ));
    }
    Ok(())
}

/// UTM values: each at most [`limits::MAX_UTM_BYTES`]. Returns them as JSON text.
pub fn utm(utm: &Utm) -> Result<String, AppError> {
    let values = [
        &utm.source,
        &utm.medium,
        &utm.campaign,
        &utm.content,
        &utm.term,
    ];
    if values
        .iter()
        .any(|v| v.as_ref().is_some_and(|v| v.len() > limits::MAX_UTM_BYTES))
    {
        return Err(AppError::unprocessable(
            ErrorCode::InvalidField,
            format!("each utm value is at most {} bytes", limits::MAX_UTM_BYTES),
        ));
    }
    serde_json::to_string(utm)
        .map_err(|_| AppError::unprocessable(ErrorCode::InvalidField, "utm is not serialisable"))
}

/// The request's User-Agent (lossy UTF-8), at most [`limits::MAX_USER_AGENT_BYTES`].
pub fn user_agent(headers: &HeaderMap) -> Result<String, AppError> {
    let Some(raw) = headers.get(axum::http::header::USER_AGENT) else {
        return Ok(String::new());
    };
    if raw.len() > limits::MAX_USER_AGENT_BYTES {
        return Err(AppError::unprocessable(
            ErrorCode::InvalidField,
            format!(
                "the User-Agent header is longer than {} bytes",
                limits::MAX_USER_AGENT_BYTES
            ),
        ));
    }
    Ok(String::from_utf8_lossy(raw.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_urls() {
        assert!(page_url("https://shop.example/cart?utm_source=x").is_ok());
        assert!(page_url("http://localhost:3000/").is_ok());
        for bad in [
            "",
            "  ",
            "/relative",
            "javascript:alert(1)",
            "ftp://a.example/",
            "data:text/html,x",
        ] {
            assert!(page_url(bad).is_err(), "{bad:?}");
        }
        let long = format!(
            "https://a.example/{}",
            "x".repeat(limits::MAX_PAGE_URL_BYTES)
        );
        assert!(page_url(&long).is_err());
    }

    #[test]
    fn client_ids() {
        assert!(client_id("client_id", "abc-123_X").is_ok());
        for bad in ["", "a b", "é", &"x".repeat(limits::MAX_CLIENT_ID_BYTES + 1)] {
            assert!(client_id("client_id", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn message_texts() {
        assert!(message_text("hello").is_ok());
        assert!(message_text(" \n ").is_err());
        assert!(message_text(&"я".repeat(limits::MAX_MESSAGE_CHARS)).is_ok());
        assert!(message_text(&"я".repeat(limits::MAX_MESSAGE_CHARS + 1)).is_err());
    }
}
