//! The frame's side of the `postMessage` contract with the loader on the host page
//! (see `canal_protocol::embed` and [`messages`]): the frame URL's parameters;
//! `READY`, `CLOSE`, `MESSAGE`, `CONSENT` and `REDIRECT` to the parent; `INIT`,
//! `LOCALE` and `USER` from it. Only messages from the parent window with the host origin named in the
//! URL are read; every post names that origin.

use canal_protocol::{embed, limits, Utm, VisitorUser};
use leptos::{ev, leptos_dom::helpers::WindowListenerHandle, prelude::window_event_listener};
use wasm_bindgen::JsValue;
use web_sys::MessageEvent;

use crate::chat::{author_str, Arrival};

/// Message types of the contract that `canal_protocol::embed` does not have yet
/// (same `canal:` namespace; to move there).
pub mod messages {
    /// Loader -> frame: `{type, locale}`, the host page's `Canal.setLocale(code)`.
    /// The frame switches its language at once (`en`, `es`, `ru`; other tags fall
    /// back to English, as a channel locale would).
    pub const LOCALE: &str = "canal:locale";
    /// Frame -> loader: `{type, author, seq, text?}`, a message newly stored in the
    /// conversation (not history replayed on resume). `author` is `visitor`,
    /// `agent` or `system`; `text` only for the agent's messages.
    pub const MESSAGE: &str = "canal:message";
    /// Frame -> loader: `{type}`, the visitor accepted the agreement and the server
    /// recorded the consent.
    pub const CONSENT: &str = "canal:consent";
    /// Loader -> frame: `{type, user: {id, name?, email?, phone?, hash?, time?}}`,
    /// the host page's `Canal.setUser(..)`. The frame sends it to
    /// `POST /api/v1/channels/{key}/identify` once it holds a visitor token (so
    /// never before consent), and again whenever the page sets another user.
    pub const USER: &str = "canal:user";
    /// Frame -> loader: `{type, url}`, the chat agreement's redirect after accept:
    /// sent once the consent is recorded and the first message stored. The loader
    /// navigates the host page there, http(s) URLs only.
    pub const REDIRECT: &str = "canal:redirect";
}

/// Longest locale tag a host page may set (BCP 47 allows 35 characters).
const MAX_LOCALE_BYTES: usize = 35;

/// The frame URL's query: `?channel=KEY&host=ORIGIN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameParams {
    pub channel: String,
    /// Origin of the host page, e.g. `https://shop.example`.
    pub host: String,
}

impl FrameParams {
    /// Reads the parameters from this frame's location; `None` if one is missing or
    /// the host is not an http(s) origin.
    pub fn from_location() -> Option<Self> {
        let search = web_sys::window()?.location().search().ok()?;
        let query = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
        let channel = query.get(embed::CHANNEL_PARAM).filter(|c| !c.is_empty())?;
        let host = query.get(embed::HOST_PARAM).filter(|h| is_origin(h))?;
        Some(Self { channel, host })
    }
}

/// Whether `text` is exactly an http(s) origin as `location.origin` writes it.
fn is_origin(text: &str) -> bool {
    web_sys::Url::new(text).is_ok_and(|url| {
        matches!(url.protocol().as_str(), "http:" | "https:") && url.origin() == text
    })
}

/// The host page the visitor is on, as the loader told it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostPage {
    pub page_url: String,
    pub utm: Option<Utm>,
}

impl HostPage {
    /// The page from `document.referrer`, for when `INIT` never came.
    pub fn from_referrer() -> Option<Self> {
        let referrer = web_sys::window()?.document()?.referrer();
        is_page_url(&referrer).then_some(Self {
            page_url: referrer,
            utm: None,
        })
    }
}

fn is_page_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= limits::MAX_PAGE_URL_BYTES
}

/// The host page from an `INIT`'s fields: `None` unless the page URL is http(s) and
/// not too long. Empty or oversized UTM values are dropped rather than sent to a
/// server that would refuse them.
pub fn host_page(page_url: String, utm: Utm) -> Option<HostPage> {
    if !is_page_url(&page_url) {
        return None;
    }
    let keep =
        |value: Option<String>| value.filter(|v| !v.is_empty() && v.len() <= limits::MAX_UTM_BYTES);
    let utm = Utm {
        source: keep(utm.source),
        medium: keep(utm.medium),
        campaign: keep(utm.campaign),
        content: keep(utm.content),
        term: keep(utm.term),
    };
    Some(HostPage {
        page_url,
        utm: (utm != Utm::default()).then_some(utm),
    })
}

fn text(object: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(object, &JsValue::from_str(key))
        .ok()?
        .as_string()
}

/// The `type` of a message's data, when it is an object with a string `type`.
fn kind(data: &JsValue) -> Option<String> {
    data.is_object().then(|| text(data, "type")).flatten()
}

/// Reads the data of an `INIT` message: `{type, page_url, utm: {source, ...}}`.
/// Anything else (another type, a string, `null`, wrong field types) is `None`.
pub fn read_init(data: &JsValue) -> Option<HostPage> {
    if kind(data)? != embed::INIT {
        return None;
    }
    let utm = js_sys::Reflect::get(data, &JsValue::from_str("utm"))
        .ok()
        .filter(JsValue::is_object);
    let field = |key| utm.as_ref().and_then(|utm| text(utm, key));
    host_page(
        text(data, "page_url")?,
        Utm {
            source: field("source"),
            medium: field("medium"),
            campaign: field("campaign"),
            content: field("content"),
            term: field("term"),
        },
    )
}

/// Whether `tag` looks like a BCP 47 language tag (`es`, `pt-BR`, `ru_RU`).
pub fn is_locale_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= MAX_LOCALE_BYTES
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Reads the data of a `LOCALE` message: `{type, locale}` with a language tag.
pub fn read_locale(data: &JsValue) -> Option<String> {
    if kind(data)? != messages::LOCALE {
        return None;
    }
    text(data, "locale").filter(|tag| is_locale_tag(tag))
}

/// Longest user id, name, e-mail, phone or hash the frame passes on, in bytes.
const MAX_USER_FIELD_BYTES: usize = 512;

/// Largest integer a JS number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Reads the data of a `USER` message: `{type, user: {id, name?, email?, phone?,
/// hash?, time?}}`. The id is a non-empty string; other fields of the wrong type
/// (or too long) are left out; `time` is whole Unix seconds.
pub fn read_user(data: &JsValue) -> Option<VisitorUser> {
    if kind(data)? != messages::USER {
        return None;
    }
    let user = js_sys::Reflect::get(data, &JsValue::from_str("user"))
        .ok()
        .filter(JsValue::is_object)?;
    let field = |key| text(&user, key).filter(|v| !v.is_empty() && v.len() <= MAX_USER_FIELD_BYTES);
    let time = js_sys::Reflect::get(&user, &JsValue::from_str("time"))
        .ok()
        .and_then(|t| t.as_f64())
        .filter(|t| t.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(t));
    Some(VisitorUser {
        id: field("id")?,
        name: field("name"),
        email: field("email"),
        phone: field("phone"),
        hash: field("hash"),
        // Whole and within 0..2^53, so exact.
        time: time.map(|t| t as u64),
    })
}

/// What the loader tells the frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromHost {
    /// `INIT`: the page the visitor is on.
    Init(HostPage),
    /// `LOCALE`: the language the host page wants.
    Locale(String),
    /// `USER`: who the visitor is, as the host page says.
    User(VisitorUser),
}

/// Reads a message from the loader; anything else is `None`.
pub fn read_from_host(data: &JsValue) -> Option<FromHost> {
    read_init(data)
        .map(FromHost::Init)
        .or_else(|| read_locale(data).map(FromHost::Locale))
        .or_else(|| read_user(data).map(FromHost::User))
}

/// Whether the host page may be sent to `url` after accept: absolute http(s), of
/// bounded length.
pub fn is_redirect_url(url: &str) -> bool {
    is_page_url(url)
}

/// What the frame tells the loader beyond `READY` and `CLOSE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToHost {
    /// `MESSAGE`: a message newly stored in the conversation.
    Message(Arrival),
    /// `CONSENT`: the consent was recorded.
    Consent,
    /// `REDIRECT`: send the host page to this http(s) URL.
    Redirect(String),
}

impl ToHost {
    /// The message data, as posted.
    pub fn to_js(&self) -> JsValue {
        let message = js_sys::Object::new();
        let set = |key: &str, value: JsValue| {
            let _ = js_sys::Reflect::set(&message, &JsValue::from_str(key), &value);
        };
        match self {
            Self::Message(arrival) => {
                set("type", JsValue::from_str(messages::MESSAGE));
                set("author", JsValue::from_str(author_str(arrival.author)));
                // Sequence numbers stay far below 2^53.
                set("seq", JsValue::from_f64(arrival.seq as f64));
                if let Some(text) = &arrival.text {
                    set("text", JsValue::from_str(text));
                }
            }
            Self::Consent => set("type", JsValue::from_str(messages::CONSENT)),
            Self::Redirect(url) => {
                set("type", JsValue::from_str(messages::REDIRECT));
                set("url", JsValue::from_str(url));
            }
        }
        message.into()
    }
}

/// The channel to the loader on the host page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostLink {
    host: String,
}

impl HostLink {
    pub fn new(host: String) -> Self {
        Self { host }
    }

    /// Posts `{type: kind}` to the parent window, for the host origin only.
    pub fn post(&self, kind: &str) {
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(
            &message,
            &JsValue::from_str("type"),
            &JsValue::from_str(kind),
        );
        self.post_data(&message);
    }

    /// Posts `MESSAGE`, `CONSENT` or `REDIRECT` to the parent window, for the host origin only.
    pub fn tell(&self, what: &ToHost) {
        self.post_data(&what.to_js());
    }

    fn post_data(&self, data: &JsValue) {
        if let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) {
            let _ = parent.post_message(data, &self.host);
        }
    }

    /// Calls `on_message` for every valid `INIT`, `LOCALE` or `USER` the parent posts from
    /// the host origin.
    pub fn listen(&self, on_message: impl Fn(FromHost) + 'static) -> WindowListenerHandle {
        let host = self.host.clone();
        window_event_listener(ev::message, move |event: MessageEvent| {
            if event.origin() != host || !from_parent(&event) {
                return;
            }
            if let Some(message) = read_from_host(&event.data()) {
                on_message(message);
            }
        })
    }
}

fn from_parent(event: &MessageEvent) -> bool {
    let parent = web_sys::window().and_then(|w| w.parent().ok().flatten());
    match (event.source(), parent) {
        (Some(source), Some(parent)) => js_sys::Object::is(&source, &parent),
        _ => false,
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn utm(source: &str, term: &str) -> Utm {
        Utm {
            source: Some(source.into()),
            term: Some(term.into()),
            ..Utm::default()
        }
    }

    #[test]
    fn keeps_page_url_and_present_utm_values() {
        let page = host_page(
            "https://shop.example/a?utm_source=x".into(),
            utm("x", "shoes"),
        )
        .expect("valid page");
        assert_eq!(page.page_url, "https://shop.example/a?utm_source=x");
        let utm = page.utm.expect("utm");
        assert_eq!(utm.source.as_deref(), Some("x"));
        assert_eq!(utm.term.as_deref(), Some("shoes"));
        assert_eq!(utm.medium, None);
    }

    #[test]
    fn empty_or_oversized_utm_values_are_dropped() {
        let page = host_page("http://a.example/".into(), Utm::default()).expect("valid page");
        assert_eq!(page.utm, None);
        let page = host_page("http://a.example/".into(), utm("", "")).expect("valid page");
        assert_eq!(page.utm, None);
        let long = "x".repeat(limits::MAX_UTM_BYTES + 1);
        let utm = host_page("http://a.example/".into(), utm("s", &long))
            .and_then(|p| p.utm)
            .expect("utm");
        assert_eq!((utm.source.as_deref(), utm.term), (Some("s"), None));
    }

    #[test]
    fn only_http_page_urls_of_bounded_length_are_accepted() {
        for url in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "data:text/html,x",
            "",
            "//shop.example/",
        ] {
            assert_eq!(host_page(url.into(), Utm::default()), None, "{url}");
        }
        let long = format!(
            "https://a.example/{}",
            "a".repeat(limits::MAX_PAGE_URL_BYTES)
        );
        assert_eq!(host_page(long, Utm::default()), None);
    }

    #[test]
    fn only_http_redirects_are_followed() {
        assert!(is_redirect_url("https://shop.example/thanks?x=1"));
        assert!(is_redirect_url("http://shop.example/"));
        for url in [
            "javascript:alert(1)",
            "data:text/html,x",
            "//evil.example/",
            "/thanks",
            "",
        ] {
            assert!(!is_redirect_url(url), "{url}");
        }
    }

    #[test]
    fn locale_tags_are_short_and_plain() {
        for tag in ["es", "ru-RU", "pt_BR", "zh-Hant-TW"] {
            assert!(is_locale_tag(tag), "{tag}");
        }
        for tag in ["", "es;", "en US", "<b>", "é", &"a".repeat(36)] {
            assert!(!is_locale_tag(tag), "{tag}");
        }
    }
}
