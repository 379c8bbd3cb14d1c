//! Checks on values that come from outside, shared by the HTTP API, the socket and
//! the admin and agent surfaces. Each returns a [`Rejected`] (422) saying what is wrong.

use canal_protocol::agent::limits as people;
use canal_protocol::rating::MAX_COMMENT_CHARS;
use canal_protocol::{limits, ErrorCode, Utm};

use crate::Rejected;

fn invalid(message: impl Into<String>) -> Rejected {
    Rejected::invalid(ErrorCode::InvalidField, message)
}

/// A page URL: present, at most [`limits::MAX_PAGE_URL_BYTES`], absolute http(s).
pub fn page_url(raw: &str) -> Result<String, Rejected> {
    let invalid = |why: &str| Rejected::invalid(ErrorCode::InvalidPageUrl, why);
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

/// Longest URL Canal posts to (a webhook endpoint, a connector's gateway).
pub const MAX_TARGET_URL_BYTES: usize = 2000;

/// A URL Canal posts to (`field` names it in the message): absolute http(s) with a
/// host, at most [`MAX_TARGET_URL_BYTES`], no fragment.
pub fn target_url(field: &str, raw: &str) -> Result<String, Rejected> {
    let refused = || {
        invalid(format!(
            "{field} must be an absolute http or https URL of at most {MAX_TARGET_URL_BYTES} bytes, without #fragment"
        ))
    };
    if raw.len() > MAX_TARGET_URL_BYTES {
        return Err(refused());
    }
    let url = url::Url::parse(raw.trim()).map_err(|_| refused())?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none_or(str::is_empty)
        || url.fragment().is_some()
    {
        return Err(refused());
    }
    Ok(url.to_string())
}

/// A label an admin gives something (an API key, a connector): trimmed, 1 to 100
/// characters, no control characters.
pub fn label(field: &str, raw: &str) -> Result<String, Rejected> {
    let text = raw.trim();
    if text.is_empty() || text.chars().count() > 100 || text.chars().any(char::is_control) {
        return Err(invalid(format!(
            "{field} must be 1 to 100 characters without control characters"
        )));
    }
    Ok(text.to_owned())
}

/// An origin as browsers send it: `http(s)://host[:port]`, nothing after it.
pub fn origin(raw: &str) -> Result<(), Rejected> {
    let parsed = url::Url::parse(raw).ok();
    let exact = parsed.as_ref().is_some_and(|url| {
        matches!(url.scheme(), "http" | "https") && url.origin().ascii_serialization() == raw
    });
    if exact {
        Ok(())
    } else {
        Err(invalid(
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
pub fn client_id(field: &str, raw: &str) -> Result<(), Rejected> {
    let ok = !raw.is_empty()
        && raw.len() <= limits::MAX_CLIENT_ID_BYTES
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "{field} must be 1 to {} characters of A-Z, a-z, 0-9, '-' or '_'",
            limits::MAX_CLIENT_ID_BYTES
        )))
    }
}

/// A message text: not blank, at most [`limits::MAX_MESSAGE_CHARS`] characters.
pub fn message_text(raw: &str) -> Result<(), Rejected> {
    if raw.trim().is_empty() {
        return Err(invalid("text is empty"));
    }
    if raw.chars().count() > limits::MAX_MESSAGE_CHARS {
        return Err(invalid(format!(
            "text is longer than {} characters",
            limits::MAX_MESSAGE_CHARS
        )));
    }
    Ok(())
}

/// UTM values: each at most [`limits::MAX_UTM_BYTES`]. Returns them as JSON text.
pub fn utm(utm: &Utm) -> Result<String, Rejected> {
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
        return Err(invalid(format!(
            "each utm value is at most {} bytes",
            limits::MAX_UTM_BYTES
        )));
    }
    serde_json::to_string(utm).map_err(|_| invalid("utm is not serialisable"))
}

/// The request's User-Agent (lossy UTF-8), at most [`limits::MAX_USER_AGENT_BYTES`].
pub fn user_agent(raw: Option<&[u8]>) -> Result<String, Rejected> {
    let Some(raw) = raw else {
        return Ok(String::new());
    };
    if raw.len() > limits::MAX_USER_AGENT_BYTES {
        return Err(invalid(format!(
            "the User-Agent header is longer than {} bytes",
            limits::MAX_USER_AGENT_BYTES
        )));
    }
    Ok(String::from_utf8_lossy(raw).into_owned())
}

/// An e-mail address, trimmed and lower-cased: valid by RFC 5322 (the
/// `email_address` crate), at most [`people::MAX_EMAIL_BYTES`], and with a dot in its
/// domain (an address on the internet, not on a local host).
pub fn email(raw: &str) -> Result<String, Rejected> {
    let email = raw.trim().to_lowercase();
    let ok = email.len() <= people::MAX_EMAIL_BYTES
        && email_address::EmailAddress::parse_with_options(
            &email,
            email_address::Options::default()
                .without_display_text()
                .without_domain_literal(),
        )
        .is_ok_and(|address| address.domain().contains('.'));
    if ok {
        Ok(email)
    } else {
        Err(invalid("email is not a valid e-mail address"))
    }
}

/// A new password: at least [`people::MIN_PASSWORD_CHARS`] characters, at most
/// [`people::MAX_PASSWORD_BYTES`].
pub fn password(raw: &str) -> Result<(), Rejected> {
    if raw.chars().count() < people::MIN_PASSWORD_CHARS {
        return Err(invalid(format!(
            "password must have at least {} characters",
            people::MIN_PASSWORD_CHARS
        )));
    }
    if raw.len() > people::MAX_PASSWORD_BYTES {
        return Err(invalid(format!(
            "password must be at most {} bytes",
            people::MAX_PASSWORD_BYTES
        )));
    }
    Ok(())
}

/// A person's name, trimmed: 1 to [`people::MAX_NAME_CHARS`] characters, no control
/// characters.
pub fn name(raw: &str) -> Result<String, Rejected> {
    let name = raw.trim();
    if name.is_empty()
        || name.chars().count() > people::MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(invalid(format!(
            "name must be 1 to {} characters without control characters",
            people::MAX_NAME_CHARS
        )));
    }
    Ok(name.to_owned())
}

/// An avatar's address: http(s), at most [`people::MAX_AVATAR_URL_BYTES`].
pub fn avatar_url(raw: &str) -> Result<(), Rejected> {
    let ok = raw.len() <= people::MAX_AVATAR_URL_BYTES
        && url::Url::parse(raw).is_ok_and(|u| u.scheme() == "https" || u.scheme() == "http");
    if ok {
        Ok(())
    } else {
        Err(invalid("avatar_url must be an http(s) URL"))
    }
}

/// Longest phone as typed, in characters.
pub const MAX_PHONE_CHARS: usize = 32;

/// A phone number in international form, as people type it (`+34 600 123 456`,
/// `+7 (912) 345-67-89`; the `+` may be left out), checked against the numbering
/// plans by the `phonenumber` crate (libphonenumber's data) and returned in E.164.
pub fn phone(raw: &str) -> Result<String, Rejected> {
    let refused =
        || invalid("phone must be a phone number with its country code, e.g. +34 600 123 456");
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_PHONE_CHARS {
        return Err(refused());
    }
    let international = if trimmed.starts_with('+') {
        trimmed.to_owned()
    } else {
        format!("+{trimmed}")
    };
    let number = phonenumber::parse(None, &international).map_err(|_| refused())?;
    if !phonenumber::is_valid(&number) {
        return Err(refused());
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// A rating's comment as stored: trimmed, blank as none; refused when too long or holding
/// control characters other than line breaks and tabs.
pub fn comment(raw: Option<&str>) -> Result<Option<String>, Rejected> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_COMMENT_CHARS {
        return Err(invalid(format!(
            "comment is longer than {MAX_COMMENT_CHARS} characters"
        )));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(invalid("comment holds control characters"));
    }
    Ok(Some(text.to_owned()))
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

    #[test]
    fn emails() {
        assert_eq!(
            email("  Ana@Shop.Example ").as_deref(),
            Ok("ana@shop.example")
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@shop.example",
            "ana@localhost",
            "a na@shop.example",
            "Ana <ana@shop.example>",
        ] {
            assert!(email(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}@shop.example", "a".repeat(people::MAX_EMAIL_BYTES));
        assert!(email(&long).is_err());
    }

    #[test]
    fn phones() {
        assert_eq!(phone("+34 600 123 456").as_deref(), Ok("+34600123456"));
        assert_eq!(phone("+7 (912) 345-67-89").as_deref(), Ok("+79123456789"));
        assert_eq!(phone("34600123456").as_deref(), Ok("+34600123456"));
        for bad in ["", "12", "+00 000 000", "call me", "+34 6", &"1".repeat(40)] {
            assert!(phone(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_and_passwords() {
        assert_eq!(name("  Ana  ").as_deref(), Ok("Ana"));
        assert!(name("").is_err());
        assert!(name("a\u{7}b").is_err());
        assert!(password(&"x".repeat(people::MIN_PASSWORD_CHARS)).is_ok());
        assert!(password("short").is_err());
        assert!(avatar_url("https://cdn.example/a.png").is_ok());
        assert!(avatar_url("javascript:alert(1)").is_err());
    }

    #[test]
    fn comments_are_trimmed_and_checked() {
        assert_eq!(comment(None).ok(), Some(None));
        assert_eq!(comment(Some("  \n ")).ok(), Some(None));
        assert_eq!(
            comment(Some(" Quick,\nthanks! ")).ok(),
            Some(Some("Quick,\nthanks!".to_owned()))
        );
        assert!(comment(Some(&"x".repeat(MAX_COMMENT_CHARS))).is_ok());
        assert!(comment(Some(&"x".repeat(MAX_COMMENT_CHARS + 1))).is_err());
        assert!(comment(Some("bell \u{7}")).is_err());
    }
}
