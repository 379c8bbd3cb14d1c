//! Wire types shared by the widget, the console and the server.
//!
//! Every HTTP body, socket frame and frame/loader message is a type here, so a
//! change of the wire format is a change of this crate and the compiler finds every
//! place that must follow. Requests deny unknown fields: a client that sends a field
//! the server does not understand gets a 4xx, not silent data loss.
//!
//! Layout:
//! - [`limits`]: sizes both sides enforce.
//! - [`ErrorBody`], [`ErrorCode`]: the one error shape of the API.
//! - [`ChannelConfig`], [`AgreementView`]: what the frame fetches first.
//! - [`ConsentRequest`], [`ConsentCreated`]: recording an accepted consent.
//! - [`ConversationRequest`], [`ConversationCreated`]: starting a conversation.
//! - [`ClientFrame`], [`ServerFrame`]: the WebSocket protocol.
//! - [`embed`]: the `postMessage` contract between the loader and the frame.
//! - [`theme`]: a channel's look (admin theme, snippet, the frame's part).
//! - [`hours`]: a channel's working hours and whether it is open.
//! - [`mail`]: the transcript a visitor asks for by e-mail.
//! - [`bans`]: banned addresses and visitors (admin API).
//! - [`crm`]: CRM settings, contacts, leads and deals, the customer card.
//! - [`canned`]: a channel's canned answers (admin and agent API).
//! - [`automation`]: a channel's automatic actions (unanswered mark, auto-close).
//! - [`kpi`]: response-time KPIs: overdue notices, figures, reports.
//! - [`samples`]: one of each socket frame, for the clients' round-trip tests.

pub mod admin;
pub mod agent;
pub mod automation;
pub mod bans;
pub mod canned;
pub mod channels;
pub mod consents;
pub mod crm;
pub mod forms;
pub mod hours;
pub mod integrations;
pub mod kpi;
pub mod mail;
pub mod rating;
pub mod routes;
pub mod samples;
pub mod theme;

use serde::{Deserialize, Serialize};

/// Size limits. The server rejects anything larger with a 4xx; the widget checks
/// first so the visitor sees why.
pub mod limits {
    /// Largest JSON body the HTTP API reads, in bytes.
    pub const MAX_BODY_BYTES: usize = 16 * 1024;
    /// Largest socket frame the server reads, in bytes.
    pub const MAX_FRAME_BYTES: usize = 16 * 1024;
    /// Longest message text, in characters.
    pub const MAX_MESSAGE_CHARS: usize = 4000;
    /// Longest page URL, in bytes.
    pub const MAX_PAGE_URL_BYTES: usize = 2048;
    /// Longest user agent kept with a consent, in bytes.
    pub const MAX_USER_AGENT_BYTES: usize = 512;
    /// Longest client-chosen id (message client id, request id), in bytes.
    pub const MAX_CLIENT_ID_BYTES: usize = 64;
    /// Longest UTM value, in bytes.
    pub const MAX_UTM_BYTES: usize = 256;
    /// Longest draft a `typing` frame may carry (the live typing preview), in
    /// characters: a message's.
    pub const MAX_DRAFT_CHARS: usize = MAX_MESSAGE_CHARS;
}

/// Stable, machine-readable error codes. Clients match on these, never on text.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body or frame is not valid JSON, or not the expected shape.
    BadRequest,
    /// A field the API does not know was sent.
    UnknownField,
    /// The body or frame is larger than allowed.
    TooLarge,
    /// No channel has that key.
    UnknownChannel,
    /// The agreement version does not exist or is not this channel's current one.
    UnknownAgreementVersion,
    /// The page URL is missing, too long, or not http(s).
    InvalidPageUrl,
    /// A field is present but its value is not acceptable.
    InvalidField,
    /// The channel requires consent and none (or a foreign one) was given.
    ConsentRequired,
    /// The visitor withdrew their consent to the channel's agreement (or an admin
    /// did for them): nothing more is collected from them until a new consent is
    /// recorded (a new Accept starts afresh, with a new visitor).
    ConsentWithdrawn,
    /// The visitor token is missing or unknown.
    Unauthorized,
    /// No conversation with that id belongs to this visitor.
    UnknownConversation,
    /// A socket frame came before the `hello` frame.
    NotAuthenticated,
    /// The request's Origin is not allowed.
    ForbiddenOrigin,
    /// The channel is switched off by its admin: the widget shows nothing.
    ChannelOff,
    /// Signed in, but this agent's role may not do this.
    Forbidden,
    /// This server sends no e-mail (no SMTP server is configured).
    MailOff,
    /// This address or visitor is banned by the site's admin: the chat is not
    /// available to them.
    Banned,
    /// The routing engine refused the action (not offered to you, already taken,
    /// closed, target not eligible); nothing changed.
    RoutingRefused,
    /// An idempotency key (`request_id`) was reused with different content.
    Conflict,
    /// No route or resource.
    NotFound,
    /// The method is not allowed on this resource.
    MethodNotAllowed,
    /// Too many attempts; wait before trying again.
    RateLimited,
    /// The store failed; nothing was recorded. Retrying is safe.
    Internal,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::UnknownField => "unknown_field",
            Self::TooLarge => "too_large",
            Self::UnknownChannel => "unknown_channel",
            Self::UnknownAgreementVersion => "unknown_agreement_version",
            Self::InvalidPageUrl => "invalid_page_url",
            Self::InvalidField => "invalid_field",
            Self::ConsentRequired => "consent_required",
            Self::ConsentWithdrawn => "consent_withdrawn",
            Self::Unauthorized => "unauthorized",
            Self::UnknownConversation => "unknown_conversation",
            Self::NotAuthenticated => "not_authenticated",
            Self::ForbiddenOrigin => "forbidden_origin",
            Self::ChannelOff => "channel_off",
            Self::Forbidden => "forbidden",
            Self::MailOff => "mail_off",
            Self::Banned => "banned",
            Self::RoutingRefused => "routing_refused",
            Self::Conflict => "conflict",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
        }
    }
}

/// `{"error": {"code": "...", "message": "..."}}`, the body of every API error.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// The inside of [`ErrorBody`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// A sentence for the developer reading the response; never internal error text.
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: message.into(),
            },
        }
    }
}

/// A channel's greeting in each of the widget's languages, as
/// [`channels::Greetings`] writes it (`{"es": "..."}`): a struct rather than a
/// map, so the frame decodes it with code it has anyway (a map costs it 2 KB).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct LocalGreetings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub es: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ru: Option<String>,
}

impl LocalGreetings {
    /// The greeting in `lang` (`en`, `es`, `ru`), if the channel has one.
    pub fn get(&self, lang: &str) -> Option<&String> {
        match lang {
            "en" => self.en.as_ref(),
            "es" => self.es.as_ref(),
            "ru" => self.ru.as_ref(),
            _ => None,
        }
        .filter(|text| !text.is_empty())
    }

    pub fn is_empty(&self) -> bool {
        self.en.is_none() && self.es.is_none() && self.ru.is_none()
    }

    /// The widget's languages' entries of `all`.
    pub fn of(all: &channels::Greetings) -> Self {
        let get = |lang: &str| all.get(lang).cloned();
        Self {
            en: get("en"),
            es: get("es"),
            ru: get("ru"),
        }
    }
}

/// `GET /api/v1/channels/{key}/config`: what the frame needs to draw itself.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ChannelConfig {
    /// The channel's public key (the `data-channel` of the snippet).
    pub channel: String,
    /// Window title.
    pub title: String,
    /// First message shown to the visitor, from the channel.
    pub greeting: Option<String>,
    /// The greeting by the widget's language, shown instead of `greeting` when
    /// the widget speaks that language. Sent only when not empty.
    #[serde(default, skip_serializing_if = "LocalGreetings::is_empty")]
    pub greetings: LocalGreetings,
    /// BCP 47 language the channel is set to, or `None` to follow the browser.
    pub locale: Option<String>,
    /// The personal-data agreement to accept before the first message, or `None`
    /// when the channel does not ask for consent.
    pub consent: Option<AgreementView>,
    /// The accent colour and light/dark mode the frame paints itself in.
    pub theme: theme::FrameTheme,
    /// Whether the channel is open now and when it opens next; `None` when the
    /// channel keeps no working hours (always open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<hours::HoursStatus>,
    /// Nobody could answer right now: no queue member is online (and the channel
    /// has no bot). Sent only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub offline: bool,
    /// The server sends e-mail: the visitor may ask for the transcript. Sent only
    /// when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub email: bool,
    /// The channel shows the agent what the visitor types before it is sent (the
    /// live typing preview): the frame says so above the composer and puts the
    /// draft in its `typing` frames. Sent only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub typing_preview: bool,
    /// The channel asks the visitor for a rating once the conversation is closed
    /// (see [`automation::AutomationSettings::rating`]). Sent only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rating: bool,
}

/// The current version of an agreement, as shown to a visitor.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgreementView {
    pub agreement_id: String,
    /// The id a consent record points at: exactly the text below.
    pub version_id: String,
    pub title: String,
    /// The text, as `text_format` says. HTML was cleaned by the server's allow-list
    /// on save; plain text is rendered as text, never as HTML.
    pub text: String,
    pub text_format: admin::TextFormat,
    /// Label of the accept control.
    pub label: String,
    /// SHA-256 of `text`, hex.
    pub sha256: String,
    /// Required or optional, pre-ticked or not, full text to be opened first.
    pub behaviour: admin::Behaviour,
    /// Where to send the visitor after accepting, if anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// Path of the full text of this version on the Canal server
    /// (`/agreements/{version_id}`).
    pub full_text_path: String,
}

/// `POST /api/v1/channels/{key}/consents`: the visitor accepted an agreement.
/// The IP is the peer address and the user agent the request's header: the server
/// takes neither from the body.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    pub agreement_version_id: String,
    /// The host page the visitor was on (from the loader), http or https.
    pub page_url: String,
    /// Client-chosen idempotency key: the same key returns the same record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// `201 Created` answer to [`ConsentRequest`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ConsentCreated {
    pub consent_id: String,
    pub visitor_id: String,
    /// Secret the frame keeps (only now, after consent) to act as this visitor.
    pub visitor_token: String,
    /// RFC 3339, UTC.
    pub recorded_at: String,
}

/// UTM parameters of the host page, as the loader read them.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct Utm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
}

/// `POST /api/v1/channels/{key}/conversations`: start a conversation.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ConversationRequest {
    /// From [`ConsentCreated`]. Absent only on channels that ask no consent; the
    /// server then creates the visitor and returns its token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_token: Option<String>,
    /// Required when the channel asks for consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm: Option<Utm>,
}

/// The host page's account of the visitor (`Canal.setUser`). With the channel's
/// identity secret, the site's server computes
/// `hash = hex(HMAC-SHA256(secret, id + "." + time))` with `time` in Unix seconds;
/// a verified identity is marked so in the console. A channel may refuse
/// unverified identities.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct VisitorUser {
    /// The site's own id of the user.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Hex HMAC-SHA256 of `id + "." + time` with the channel's identity secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// Unix seconds the hash was made at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<u64>,
}

/// `POST /api/v1/channels/{key}/identify`: who the visitor is (`Canal.setUser`),
/// sent by the frame once it holds a visitor token.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct IdentifyRequest {
    pub visitor_token: String,
    pub user: VisitorUser,
}

/// Answer to [`IdentifyRequest`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Identified {
    /// The hash checked out against the channel's secret.
    pub verified: bool,
}

/// `201 Created` answer to [`ConversationRequest`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ConversationCreated {
    pub conversation_id: String,
    pub visitor_token: String,
}

/// Who wrote a message.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    Visitor,
    Agent,
    System,
}

impl Author {
    /// The author as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visitor => "visitor",
            Self::Agent => "agent",
            Self::System => "system",
        }
    }
}

/// Frames the widget sends on `GET /api/v1/ws`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// First frame: who this is and what it has already seen.
    Hello {
        conversation_id: String,
        visitor_token: String,
        /// Highest sequence number the client has; the server replays the rest.
        last_seq: u64,
        /// The host page the chat is open on now (the loader's `page_url`): the
        /// consoles show it as where the visitor is. Validated as the conversation's
        /// start page is (an http(s) URL on one of the channel's allowed origins);
        /// otherwise the hello is refused with an `error` frame and nothing changes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        page_url: Option<String>,
    },
    /// A message. Re-sending the same `client_id` is acknowledged again and stored
    /// once.
    Send { client_id: String, text: String },
    /// The visitor started (`true`) or stopped (`false`) writing. Never stored;
    /// passed on to the consoles that list the conversation, at most about once a
    /// second (extra frames are dropped).
    ///
    /// `draft`: what the composer holds now, only on a channel with the live
    /// typing preview on ([`ChannelConfig::typing_preview`]; absent everywhere
    /// else). Never stored; passed on to the consoles that have the conversation
    /// open, at most every [`DRAFT_EVERY_MS`] (faster ones are dropped, an empty
    /// one, which clears the preview, never is), and dropped when the channel's
    /// preview is off by now. At most [`limits::MAX_DRAFT_CHARS`] characters, no
    /// control characters but line breaks and tabs: otherwise refused with an
    /// `error` frame (nothing of the frame is passed on).
    Typing {
        typing: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        draft: Option<String>,
    },
}

/// Least time between two drafts the server passes on, in ms (the widget sends
/// one at most every [`DRAFT_SEND_MS`]).
pub const DRAFT_EVERY_MS: u64 = 250;

/// How often the widget sends the visitor's draft while they type, in ms.
pub const DRAFT_SEND_MS: u64 = 500;

/// Frames the server sends on `GET /api/v1/ws`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// Answer to `hello`; messages after `last_seq` follow as `message` frames.
    Welcome {
        conversation_id: String,
        last_seq: u64,
    },
    /// The message with this client id is stored under this sequence number, at
    /// `sent_at` (RFC 3339, UTC).
    Ack {
        client_id: String,
        seq: u64,
        sent_at: String,
    },
    /// A message of the conversation, from either side.
    Message(MessageView),
    /// The agent started or stopped writing a reply. Never stored; a visitor
    /// that hears no news for a few seconds takes it as stopped.
    Typing {
        typing: bool,
        /// The name the visitor sees, per the channel's display mode (none when
        /// hidden).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// An agent closed the conversation. Never stored; the next message the
    /// visitor sends opens it again.
    Closed,
    /// The last frame was refused; nothing of it was stored. A refused `typing`
    /// (the conversation is closed) gets `routing_refused`.
    Error { code: ErrorCode, message: String },
}

/// A stored message.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct MessageView {
    pub seq: u64,
    pub author: Author,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// RFC 3339, UTC.
    pub sent_at: String,
    /// For agent messages: the name the visitor sees, per the channel's display
    /// mode (the agent's own, the channel's, or none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    /// For agent messages shown with the agent's profile: their avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_avatar: Option<String>,
}

/// `Option<Option<T>>` for PATCH bodies: absent -> `None`, `null` -> `Some(None)`,
/// a value -> `Some(Some(v))`. Use with `#[serde(default, with = "double_option")]`.
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// The `postMessage` contract between the loader (`embed.js`, on the host page) and
/// the frame (`/widget/`). Each side checks `event.origin` and posts with an explicit
/// target origin.
pub mod embed {
    /// Frame -> loader: the app is running and listens for `INIT`.
    pub const READY: &str = "canal:ready";
    /// Loader -> frame: `{type, page_url, utm: {source, medium, ...}}`.
    pub const INIT: &str = "canal:init";
    /// Frame -> loader: the visitor closed the window.
    pub const CLOSE: &str = "canal:close";
    /// Query parameter of the frame URL carrying the host page's origin.
    pub const HOST_PARAM: &str = "host";
    /// Query parameter of the frame URL carrying the channel key.
    pub const CHANNEL_PARAM: &str = "channel";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frames_round_trip_and_refuse_unknown_fields() {
        let hello = ClientFrame::Hello {
            conversation_id: "c".into(),
            visitor_token: "t".into(),
            last_seq: 3,
            page_url: None,
        };
        let json = serde_json::to_string(&hello).expect("serialise");
        assert_eq!(
            serde_json::from_str::<ClientFrame>(&json).expect("parse"),
            hello
        );
        let extra = r#"{"type":"send","client_id":"a","text":"hi","admin":true}"#;
        assert!(serde_json::from_str::<ClientFrame>(extra).is_err());
        let unknown_type = r#"{"type":"delete","client_id":"a"}"#;
        assert!(serde_json::from_str::<ClientFrame>(unknown_type).is_err());
    }

    #[test]
    fn typing_frames_round_trip_and_carry_only_a_draft() {
        let typing = |typing, draft: Option<&str>| ClientFrame::Typing {
            typing,
            draft: draft.map(str::to_owned),
        };
        for frame in [
            typing(true, None),
            typing(false, None),
            typing(true, Some("Is it in stock?\nAnd")),
            typing(false, Some("")),
        ] {
            let json = serde_json::to_string(&frame).expect("serialise");
            assert_eq!(
                serde_json::from_str::<ClientFrame>(&json).expect("parse"),
                frame
            );
        }
        assert_eq!(
            serde_json::to_string(&typing(true, None)).expect("serialise"),
            r#"{"type":"typing","typing":true}"#
        );
        assert_eq!(
            serde_json::to_string(&typing(true, Some("Hi"))).expect("serialise"),
            r#"{"type":"typing","typing":true,"draft":"Hi"}"#
        );
        for bad in [
            r#"{"type":"typing"}"#,
            r#"{"type":"typing","typing":"yes"}"#,
            r#"{"type":"typing","typing":true,"text":"my card number is"}"#,
            r#"{"type":"typing","typing":true,"conversation_id":"c"}"#,
            r#"{"type":"typing","typing":true,"draft":5}"#,
        ] {
            assert!(serde_json::from_str::<ClientFrame>(bad).is_err(), "{bad}");
        }
        for frame in [
            ServerFrame::Typing {
                typing: true,
                name: Some("Ana".into()),
            },
            ServerFrame::Typing {
                typing: false,
                name: None,
            },
        ] {
            let json = serde_json::to_string(&frame).expect("serialise");
            assert_eq!(
                serde_json::from_str::<ServerFrame>(&json).expect("parse"),
                frame
            );
        }
        assert_eq!(
            serde_json::to_string(&ServerFrame::Typing {
                typing: false,
                name: None
            })
            .expect("serialise"),
            r#"{"type":"typing","typing":false}"#
        );
    }

    #[test]
    fn server_message_frame_is_flat() {
        let frame = ServerFrame::Message(MessageView {
            seq: 1,
            author: Author::Agent,
            text: "hello".into(),
            client_id: None,
            sent_at: "2026-01-01T00:00:00Z".into(),
            author_name: Some("Ana".into()),
            author_avatar: None,
        });
        let value: serde_json::Value =
            serde_json::from_str(&serde_json::to_string(&frame).expect("serialise"))
                .expect("parse");
        assert_eq!(value["type"], "message");
        assert_eq!(value["author"], "agent");
        assert_eq!(value["seq"], 1);
    }

    #[test]
    fn consent_request_refuses_unknown_fields() {
        let ok = r#"{"agreement_version_id":"v","page_url":"https://a.example/"}"#;
        assert!(serde_json::from_str::<ConsentRequest>(ok).is_ok());
        let extra = r#"{"agreement_version_id":"v","page_url":"https://a/","ip":"1.2.3.4"}"#;
        assert!(serde_json::from_str::<ConsentRequest>(extra).is_err());
    }

    #[test]
    fn error_codes_serialise_as_their_str() {
        for code in [
            ErrorCode::UnknownChannel,
            ErrorCode::TooLarge,
            ErrorCode::Internal,
        ] {
            let json = serde_json::to_string(&code).expect("serialise");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    /// Every enum the clients write as a string says what serde writes.
    #[test]
    fn enum_wire_strings_are_what_serde_writes() {
        fn same<T: Serialize>(value: T, text: &str) {
            let json = serde_json::to_string(&value).expect("serialise");
            assert_eq!(json, format!("\"{text}\""));
        }
        for author in [Author::Visitor, Author::Agent, Author::System] {
            same(author, author.as_str());
        }
        use agent::{InboxKind, Role, Status};
        for role in [Role::Agent, Role::Supervisor, Role::Admin] {
            same(role, role.as_str());
        }
        for status in [Status::Online, Status::Away, Status::Offline] {
            same(status, status.as_str());
        }
        for kind in [
            InboxKind::Offered,
            InboxKind::Mine,
            InboxKind::Waiting,
            InboxKind::Others,
            InboxKind::Closed,
        ] {
            same(kind, kind.as_str());
        }
        for rating in [rating::Rating::Like, rating::Rating::Dislike] {
            same(rating, rating.as_str());
        }
    }
}
