//! The protocol types the frame reads and writes, converted by hand over
//! [`crate::json`] instead of through serde (see there for why).
//!
//! Each reader gives the same result as `serde_json::from_str` with the protocol's
//! derives, and each writer what `serde_json::to_string` would mean; the native
//! tests below hold them to that, and their exhaustive matches stop compiling when
//! a protocol enum gains a variant.

use canal_protocol::{
    admin::{Behaviour, TextFormat},
    consents::VisitorWithdrawal,
    forms::{ContactFormView, ContactSubmission, FieldName, FormField},
    hours::HoursStatus,
    rating::RateConversation,
    theme::{FrameTheme, ThemeMode},
    AgreementView, Author, ChannelConfig, ClientFrame, ConsentCreated, ConsentRequest,
    ConversationCreated, ConversationRequest, ErrorCode, IdentifyRequest, MessageView, ServerFrame,
    Utm,
};

use crate::json::{self, Value, Writer};

/// Every error code, to read one from its wire name ([`ErrorCode::as_str`]).
const ERROR_CODES: [ErrorCode; 20] = [
    ErrorCode::BadRequest,
    ErrorCode::UnknownField,
    ErrorCode::TooLarge,
    ErrorCode::UnknownChannel,
    ErrorCode::UnknownAgreementVersion,
    ErrorCode::InvalidPageUrl,
    ErrorCode::InvalidField,
    ErrorCode::ConsentRequired,
    ErrorCode::ConsentWithdrawn,
    ErrorCode::Unauthorized,
    ErrorCode::UnknownConversation,
    ErrorCode::NotAuthenticated,
    ErrorCode::ForbiddenOrigin,
    ErrorCode::Forbidden,
    ErrorCode::RoutingRefused,
    ErrorCode::Conflict,
    ErrorCode::NotFound,
    ErrorCode::MethodNotAllowed,
    ErrorCode::RateLimited,
    ErrorCode::Internal,
];

// A new `ErrorCode` stops this compiling (in every build, not only the tests): add
// it to `ERROR_CODES` above, or frames with it would be dropped as malformed.
const _: fn(ErrorCode) = |code| match code {
    ErrorCode::BadRequest
    | ErrorCode::UnknownField
    | ErrorCode::TooLarge
    | ErrorCode::UnknownChannel
    | ErrorCode::UnknownAgreementVersion
    | ErrorCode::InvalidPageUrl
    | ErrorCode::InvalidField
    | ErrorCode::ConsentRequired
    | ErrorCode::ConsentWithdrawn
    | ErrorCode::Unauthorized
    | ErrorCode::UnknownConversation
    | ErrorCode::NotAuthenticated
    | ErrorCode::ForbiddenOrigin
    | ErrorCode::Forbidden
    | ErrorCode::RoutingRefused
    | ErrorCode::Conflict
    | ErrorCode::NotFound
    | ErrorCode::MethodNotAllowed
    | ErrorCode::RateLimited
    | ErrorCode::Internal => {}
};

fn error_code(value: &Value) -> Option<ErrorCode> {
    let name = value.as_str()?;
    ERROR_CODES.into_iter().find(|code| code.as_str() == name)
}

fn author(value: &Value) -> Option<Author> {
    Some(match value.as_str()? {
        "visitor" => Author::Visitor,
        "agent" => Author::Agent,
        "system" => Author::System,
        _ => return None,
    })
}

fn text_format(value: &Value) -> Option<TextFormat> {
    Some(match value.as_str()? {
        "plain" => TextFormat::Plain,
        "html" => TextFormat::Html,
        _ => return None,
    })
}

fn behaviour(value: &Value) -> Option<Behaviour> {
    Some(match value.as_str()? {
        "required_auto_accepted" => Behaviour::RequiredAutoAccepted,
        "required_read_full_text" => Behaviour::RequiredReadFullText,
        "optional_auto_accepted" => Behaviour::OptionalAutoAccepted,
        "optional_unchecked" => Behaviour::OptionalUnchecked,
        _ => return None,
    })
}

/// Parses `text` as a JSON object.
fn object(text: &str) -> Option<Value> {
    json::parse(text).filter(|v| matches!(v, Value::Object(_)))
}

fn agreement(value: &Value) -> Option<AgreementView> {
    Some(AgreementView {
        agreement_id: value.str("agreement_id")?,
        version_id: value.str("version_id")?,
        title: value.str("title")?,
        text: value.str("text")?,
        text_format: text_format(value.get("text_format")?)?,
        label: value.str("label")?,
        sha256: value.str("sha256")?,
        behaviour: behaviour(value.get("behaviour")?)?,
        redirect_url: value.opt_str("redirect_url")?,
        full_text_path: value.str("full_text_path")?,
    })
}

fn frame_theme(value: &Value) -> Option<FrameTheme> {
    // Fields that own nothing first: a later field's failure then frees nothing.
    Some(FrameTheme {
        mode: match value.get("mode")?.as_str()? {
            "auto" => ThemeMode::Auto,
            "light" => ThemeMode::Light,
            "dark" => ThemeMode::Dark,
            _ => return None,
        },
        on_accent_black: match value.get("on_accent_black")? {
            Value::Bool(black) => *black,
            _ => return None,
        },
        accent: value.opt_str("accent")?,
    })
}

/// `GET /api/v1/channels/{key}/config`.
pub fn channel_config(text: &str) -> Option<ChannelConfig> {
    let value = object(text)?;
    Some(ChannelConfig {
        // First: were it last, its failure would have to free every field before it.
        theme: frame_theme(value.get("theme")?)?,
        channel: value.str("channel")?,
        title: value.str("title")?,
        greeting: value.opt_str("greeting")?,
        locale: value.opt_str("locale")?,
        consent: match value.get("consent") {
            None | Some(Value::Null) => None,
            Some(consent) => Some(agreement(consent)?),
        },
        hours: match value.get("hours") {
            None | Some(Value::Null) => None,
            Some(hours) => Some(HoursStatus {
                open: match hours.get("open")? {
                    Value::Bool(open) => *open,
                    _ => return None,
                },
                opens_at: hours.opt_str("opens_at")?,
                closes_at: hours.opt_str("closes_at")?,
            }),
        },
        offline: match value.get("offline") {
            None => false,
            Some(Value::Bool(offline)) => *offline,
            _ => return None,
        },
    })
}

fn form_field(value: &Value) -> Option<FormField> {
    Some(FormField {
        name: match value.get("name")?.as_str()? {
            "name" => FieldName::Name,
            "email" => FieldName::Email,
            "phone" => FieldName::Phone,
            _ => return None,
        },
        required: match value.get("required") {
            None => false,
            Some(Value::Bool(required)) => *required,
            Some(_) => return None,
        },
    })
}

/// `GET /api/v1/channels/{key}/form`.
pub fn contact_form(text: &str) -> Option<ContactFormView> {
    let value = object(text)?;
    Some(ContactFormView {
        fields: value
            .array("fields")?
            .iter()
            .map(form_field)
            .collect::<Option<_>>()?,
        agreements: value
            .array("agreements")?
            .iter()
            .map(agreement)
            .collect::<Option<_>>()?,
    })
}

/// `POST /api/v1/channels/{key}/form`.
pub fn contact_submission(submission: &ContactSubmission) -> String {
    Writer::new()
        .str("visitor_token", &submission.visitor_token)
        .opt_str("conversation_id", submission.conversation_id.as_deref())
        .str("page_url", &submission.page_url)
        .opt_str("name", submission.name.as_deref())
        .opt_str("email", submission.email.as_deref())
        .opt_str("phone", submission.phone.as_deref())
        .strs("accepted", &submission.accepted)
        .strs("opened", &submission.opened)
        .opt_str("request_id", submission.request_id.as_deref())
        .finish()
}

/// `POST /api/v1/channels/{key}/consents/withdrawals`.
pub fn visitor_withdrawal(withdrawal: &VisitorWithdrawal) -> String {
    Writer::new()
        .str("visitor_token", &withdrawal.visitor_token)
        .opt_str("agreement_id", withdrawal.agreement_id.as_deref())
        .finish()
}

/// `PUT /api/v1/channels/{key}/conversations/{id}/rating`.
pub fn rate_request(request: &RateConversation) -> String {
    Writer::new()
        .str("visitor_token", &request.visitor_token)
        .str("rating", request.rating.as_str())
        .opt_str("comment", request.comment.as_deref())
        .finish()
}

/// `POST /api/v1/channels/{key}/identify`.
pub fn identify_request(request: &IdentifyRequest) -> String {
    let user = &request.user;
    let writer = Writer::new()
        .str("id", &user.id)
        .opt_str("name", user.name.as_deref())
        .opt_str("email", user.email.as_deref())
        .opt_str("phone", user.phone.as_deref())
        .opt_str("hash", user.hash.as_deref());
    let writer = match user.time {
        Some(time) => writer.u64("time", time),
        None => writer,
    };
    Writer::new()
        .str("visitor_token", &request.visitor_token)
        .object("user", writer)
        .finish()
}

/// The `201` answer to a consent.
pub fn consent_created(text: &str) -> Option<ConsentCreated> {
    let value = object(text)?;
    Some(ConsentCreated {
        consent_id: value.str("consent_id")?,
        visitor_id: value.str("visitor_id")?,
        visitor_token: value.str("visitor_token")?,
        recorded_at: value.str("recorded_at")?,
    })
}

/// The `201` answer to a conversation start.
pub fn conversation_created(text: &str) -> Option<ConversationCreated> {
    let value = object(text)?;
    Some(ConversationCreated {
        conversation_id: value.str("conversation_id")?,
        visitor_token: value.str("visitor_token")?,
    })
}

/// The code of an error body `{"error": {"code", "message"}}`.
pub fn error_body_code(text: &str) -> Option<ErrorCode> {
    let body = object(text)?;
    let detail = body.get("error")?;
    detail.str("message")?;
    error_code(detail.get("code")?)
}

fn message_view(value: &Value) -> Option<MessageView> {
    Some(MessageView {
        seq: value.u64("seq")?,
        author: author(value.get("author")?)?,
        text: value.str("text")?,
        client_id: value.opt_str("client_id")?,
        sent_at: value.str("sent_at")?,
        author_name: value.opt_str("author_name")?,
        author_avatar: value.opt_str("author_avatar")?,
    })
}

/// A frame from the chat socket.
pub fn server_frame(text: &str) -> Option<ServerFrame> {
    let value = object(text)?;
    Some(match value.get("type")?.as_str()? {
        "welcome" => ServerFrame::Welcome {
            conversation_id: value.str("conversation_id")?,
            last_seq: value.u64("last_seq")?,
        },
        "ack" => ServerFrame::Ack {
            client_id: value.str("client_id")?,
            seq: value.u64("seq")?,
            sent_at: value.str("sent_at")?,
        },
        "message" => ServerFrame::Message(message_view(&value)?),
        "typing" => ServerFrame::Typing {
            typing: match value.get("typing")? {
                Value::Bool(typing) => *typing,
                _ => return None,
            },
            name: value.opt_str("name")?,
        },
        "closed" => ServerFrame::Closed,
        "error" => ServerFrame::Error {
            code: error_code(value.get("code")?)?,
            message: value.str("message")?,
        },
        _ => return None,
    })
}

/// `POST /api/v1/channels/{key}/consents`.
pub fn consent_request(request: &ConsentRequest) -> String {
    Writer::new()
        .str("agreement_version_id", &request.agreement_version_id)
        .str("page_url", &request.page_url)
        .opt_str("request_id", request.request_id.as_deref())
        .finish()
}

fn utm(utm: &Utm) -> Writer {
    Writer::new()
        .opt_str("source", utm.source.as_deref())
        .opt_str("medium", utm.medium.as_deref())
        .opt_str("campaign", utm.campaign.as_deref())
        .opt_str("content", utm.content.as_deref())
        .opt_str("term", utm.term.as_deref())
}

/// `POST /api/v1/channels/{key}/conversations`.
pub fn conversation_request(request: &ConversationRequest) -> String {
    let writer = Writer::new()
        .opt_str("visitor_token", request.visitor_token.as_deref())
        .opt_str("consent_id", request.consent_id.as_deref())
        .opt_str("page_url", request.page_url.as_deref());
    match &request.utm {
        Some(value) => writer.object("utm", utm(value)),
        None => writer,
    }
    .finish()
}

/// A frame for the chat socket.
pub fn client_frame(frame: &ClientFrame) -> String {
    match frame {
        ClientFrame::Hello {
            conversation_id,
            visitor_token,
            last_seq,
        } => Writer::new()
            .str("type", "hello")
            .str("conversation_id", conversation_id)
            .str("visitor_token", visitor_token)
            .u64("last_seq", *last_seq),
        ClientFrame::Send { client_id, text } => Writer::new()
            .str("type", "send")
            .str("client_id", client_id)
            .str("text", text),
        // Two fixed texts: cheaper than teaching the writer booleans.
        ClientFrame::Typing { typing } => {
            return String::from(if *typing {
                r#"{"type":"typing","typing":true}"#
            } else {
                r#"{"type":"typing","typing":false}"#
            })
        }
    }
    .finish()
}

// Native tier: `cargo test -p canal-widget` (no browser needed).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use canal_protocol::ErrorBody;
    use serde::{de::DeserializeOwned, Serialize};

    use super::*;

    /// `ours` reads `value`'s JSON back exactly as serde does.
    fn reads_like_serde<T>(value: &T, ours: fn(&str) -> Option<T>)
    where
        T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let text = serde_json::to_string(value).expect("serialise");
        assert_eq!(ours(&text).as_ref(), Some(value), "{text}");
        assert_eq!(ours(&text), serde_json::from_str::<T>(&text).ok(), "{text}");
    }

    /// `text` is refused by both ours and serde.
    fn refused_like_serde<T: DeserializeOwned + std::fmt::Debug + PartialEq>(
        text: &str,
        ours: fn(&str) -> Option<T>,
    ) {
        assert_eq!(ours(text), None, "{text}");
        assert!(serde_json::from_str::<T>(text).is_err(), "{text}");
    }

    fn same_json(ours: &str, value: &impl Serialize) {
        let ours: serde_json::Value = serde_json::from_str(ours).expect("our JSON parses");
        assert_eq!(ours, serde_json::to_value(value).expect("serialise"));
    }

    fn message(seq: u64, author: Author) -> MessageView {
        MessageView {
            seq,
            author,
            text: "<b>hi</b> \"there\"\n".into(),
            client_id: None,
            sent_at: "2026-01-01T00:00:00Z".into(),
            author_name: None,
            author_avatar: None,
        }
    }

    fn every_frame() -> Vec<ServerFrame> {
        let mut frames = vec![
            ServerFrame::Welcome {
                conversation_id: "c1".into(),
                last_seq: 7,
            },
            ServerFrame::Ack {
                client_id: "a1".into(),
                seq: u64::MAX,
                sent_at: "2026-01-01T00:00:00Z".into(),
            },
            ServerFrame::Message(MessageView {
                author_name: Some("Ana".into()),
                author_avatar: Some("https://cdn.example/a.png".into()),
                ..message(9, Author::Agent)
            }),
            ServerFrame::Message(MessageView {
                client_id: Some("a1".into()),
                ..message(10, Author::Visitor)
            }),
            ServerFrame::Message(message(11, Author::System)),
            ServerFrame::Typing {
                typing: true,
                name: Some("Ana \"A\"".into()),
            },
            ServerFrame::Typing {
                typing: false,
                name: None,
            },
            ServerFrame::Closed,
        ];
        frames.extend(ERROR_CODES.map(|code| ServerFrame::Error {
            code,
            message: "refused".into(),
        }));
        // Adding a variant to `ServerFrame` breaks this match: extend
        // `server_frame` and the list above.
        for frame in &frames {
            match frame {
                ServerFrame::Welcome { .. }
                | ServerFrame::Ack { .. }
                | ServerFrame::Message(_)
                | ServerFrame::Typing { .. }
                | ServerFrame::Closed
                | ServerFrame::Error { .. } => {}
            }
        }
        frames
    }

    #[test]
    fn every_error_code_is_listed() {
        // With the exhaustive match above: each listed once, each read back.
        for (at, code) in ERROR_CODES.into_iter().enumerate() {
            assert!(!ERROR_CODES[..at].contains(&code), "{code:?} twice");
        }
        for code in ERROR_CODES {
            let body = serde_json::to_string(&ErrorBody::new(code, "m")).expect("serialise");
            assert_eq!(error_body_code(&body), Some(code), "{body}");
        }
    }

    #[test]
    fn frames_decode_like_serde() {
        for frame in every_frame() {
            reads_like_serde(&frame, server_frame);
        }
    }

    #[test]
    fn malformed_frames_are_dropped_like_serde() {
        for json in [
            "",
            "null",
            "[]",
            "\"welcome\"",
            r#"{"type":"ack"}"#,
            r#"{"type":7}"#,
            r#"{"type":"ack","client_id":"a","seq":-1}"#,
            r#"{"type":"ack","client_id":"a","seq":1.5}"#,
            r#"{"type":"welcome","conversation_id":1,"last_seq":0}"#,
            r#"{"type":"error","code":"no_such_code","message":"x"}"#,
            r#"{"type":"shout","text":"x"}"#,
            r#"{"seq":1,"author":"agent","text":"x","sent_at":"t"}"#,
            r#"{"type":"message","seq":1,"author":"bot","text":"x","sent_at":"t"}"#,
            r#"{"type":"message","seq":1,"author":"agent","text":"x","sent_at":"t","author_name":5}"#,
            r#"{"type":"message","seq":1,"author":"agent","text":"x","sent_at":"t"} trailing"#,
            r#"{"type":"typing"}"#,
            r#"{"type":"typing","typing":"true"}"#,
            r#"{"type":"typing","typing":1}"#,
            r#"{"type":"typing","typing":null}"#,
            r#"{"type":"typing","typing":true,"name":7}"#,
        ] {
            refused_like_serde(json, server_frame);
        }
    }

    #[test]
    fn typing_frames_with_a_null_name_or_news_read_like_serde() {
        for text in [
            r#"{"type":"typing","typing":true,"name":null}"#,
            r#"{"type":"typing","typing":false,"since":"t"}"#,
        ] {
            assert_eq!(
                server_frame(text),
                serde_json::from_str::<ServerFrame>(text).ok()
            );
            assert!(server_frame(text).is_some(), "{text}");
        }
    }

    #[test]
    fn unknown_fields_and_nulls_read_like_serde() {
        let text = r#"{"type":"message","seq":1,"author":"agent","text":"x","sent_at":"t",
                       "client_id":null,"author_name":"Ana","future":{"a":[1,2]}}"#;
        assert_eq!(
            server_frame(text),
            serde_json::from_str::<ServerFrame>(text).ok()
        );
        assert!(server_frame(text).is_some());
    }

    fn agreement_view(behaviour: Behaviour, text_format: TextFormat) -> AgreementView {
        AgreementView {
            agreement_id: "agr".into(),
            version_id: "ver".into(),
            title: "Personal data".into(),
            text: "<p>Text</p>".into(),
            text_format,
            label: "I agree".into(),
            sha256: "ab".into(),
            behaviour,
            redirect_url: None,
            full_text_path: "/agreements/ver".into(),
        }
    }

    #[test]
    fn channel_configs_read_like_serde() {
        let plain = ChannelConfig {
            channel: "demo".into(),
            title: "Support".into(),
            greeting: None,
            locale: None,
            consent: None,
            theme: FrameTheme::default(),
            hours: None,
            offline: false,
        };
        reads_like_serde(&plain, channel_config);
        let offline = ChannelConfig {
            offline: true,
            ..plain.clone()
        };
        reads_like_serde(&offline, channel_config);
        // A new `ThemeMode` stops this compiling: add it to `frame_theme` too.
        for mode in [ThemeMode::Auto, ThemeMode::Light, ThemeMode::Dark] {
            match mode {
                ThemeMode::Auto | ThemeMode::Light | ThemeMode::Dark => {}
            }
            let themed = ChannelConfig {
                theme: FrameTheme {
                    mode,
                    accent: Some("#c2185b".into()),
                    on_accent_black: mode == ThemeMode::Light,
                },
                ..plain.clone()
            };
            reads_like_serde(&themed, channel_config);
        }
        for hours in [
            HoursStatus {
                open: true,
                opens_at: None,
                closes_at: None,
            },
            HoursStatus {
                open: true,
                opens_at: None,
                closes_at: Some("2030-01-16T17:00:00Z".into()),
            },
            HoursStatus {
                open: false,
                opens_at: None,
                closes_at: None,
            },
            HoursStatus {
                open: false,
                opens_at: Some("2030-01-16T12:00:00Z".into()),
                closes_at: None,
            },
        ] {
            let config = ChannelConfig {
                hours: Some(hours),
                ..plain.clone()
            };
            reads_like_serde(&config, channel_config);
        }
        let with_nulls = r#"{"channel":"demo","title":"t","theme":{"mode":"auto","on_accent_black":false},
                "hours":{"open":false,"opens_at":null,"later":1}}"#;
        assert_eq!(
            channel_config(with_nulls),
            serde_json::from_str::<ChannelConfig>(with_nulls).ok()
        );
        assert!(channel_config(with_nulls).is_some());
        for (behaviour, format) in [
            (Behaviour::RequiredAutoAccepted, TextFormat::Plain),
            (Behaviour::RequiredReadFullText, TextFormat::Html),
            (Behaviour::OptionalAutoAccepted, TextFormat::Plain),
            (Behaviour::OptionalUnchecked, TextFormat::Html),
        ] {
            let full = ChannelConfig {
                greeting: Some("Hi".into()),
                locale: Some("es".into()),
                consent: Some(AgreementView {
                    redirect_url: Some("https://a.example/thanks".into()),
                    ..agreement_view(behaviour, format)
                }),
                ..plain.clone()
            };
            reads_like_serde(&full, channel_config);
        }
        let theme = r#""theme":{"mode":"auto","on_accent_black":false}"#;
        for text in [
            r#"{"channel":"demo"}"#.to_owned(),
            format!(r#"{{"channel":"demo","title":1,{theme}}}"#),
            format!(r#"{{"channel":"demo","title":"t","consent":{{"agreement_id":"a"}},{theme}}}"#),
            format!(r#"{{"channel":"demo","title":"t","locale":["es"],{theme}}}"#),
            r#"{"channel":"demo","title":"t"}"#.into(),
            r#"{"channel":"demo","title":"t","theme":null}"#.into(),
            r#"{"channel":"demo","title":"t","theme":{}}"#.into(),
            r#"{"channel":"demo","title":"t","theme":{"mode":"sepia"}}"#.into(),
            r#"{"channel":"demo","title":"t","theme":{"mode":"dark","accent":7}}"#.into(),
            r#"{"channel":"demo","title":"t","theme":{"mode":"dark","on_accent_black":1}}"#.into(),
            r##"{"channel":"demo","title":"t","theme":{"mode":"dark","accent":"#000000"}}"##.into(),
            format!(r#"{{"channel":"demo","title":"t",{theme},"hours":{{}}}}"#),
            format!(r#"{{"channel":"demo","title":"t",{theme},"hours":{{"open":"no"}}}}"#),
            format!(
                r#"{{"channel":"demo","title":"t",{theme},"hours":{{"open":false,"opens_at":5}}}}"#
            ),
            format!(
                r#"{{"channel":"demo","title":"t",{theme},"hours":{{"open":true,"closes_at":[]}}}}"#
            ),
            format!(r#"{{"channel":"demo","title":"t",{theme},"offline":"yes"}}"#),
            format!(r#"{{"channel":"demo","title":"t",{theme},"offline":null}}"#),
            format!(r#"{{"channel":"demo","title":"t",{theme},"hours":true}}"#),
        ] {
            refused_like_serde(&text, channel_config);
        }
        // Left out or null accents read as none, as serde reads them.
        let bare = r#"{"channel":"demo","title":"t",
                      "theme":{"mode":"light","accent":null,"on_accent_black":true}}"#;
        assert_eq!(
            channel_config(bare),
            serde_json::from_str::<ChannelConfig>(bare).ok()
        );
        assert!(channel_config(bare).is_some());
    }

    #[test]
    fn created_answers_read_like_serde() {
        reads_like_serde(
            &ConsentCreated {
                consent_id: "c".into(),
                visitor_id: "v".into(),
                visitor_token: "t".into(),
                recorded_at: "2026-01-01T00:00:00Z".into(),
            },
            consent_created,
        );
        reads_like_serde(
            &ConversationCreated {
                conversation_id: "c".into(),
                visitor_token: "t".into(),
            },
            conversation_created,
        );
        refused_like_serde(r#"{"conversation_id":"c"}"#, conversation_created);
        refused_like_serde(r#"{"consent_id":"c"}"#, consent_created);
    }

    #[test]
    fn error_bodies_read_like_serde() {
        for text in [
            r#"{"error":{"code":"too_large"}}"#,
            r#"{"error":{"code":"nope","message":"m"}}"#,
            r#"{"error":"too_large"}"#,
            "<html>502</html>",
        ] {
            assert_eq!(error_body_code(text), None, "{text}");
            assert!(serde_json::from_str::<ErrorBody>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn requests_write_what_serde_writes() {
        let full = ConsentRequest {
            agreement_version_id: "ver\"1".into(),
            page_url: "https://shop.example/a?b=c&d=\\".into(),
            request_id: Some("r".into()),
        };
        same_json(&consent_request(&full), &full);
        let bare = ConsentRequest {
            request_id: None,
            ..full
        };
        same_json(&consent_request(&bare), &bare);

        let empty = ConversationRequest {
            visitor_token: None,
            consent_id: None,
            page_url: None,
            utm: None,
        };
        same_json(&conversation_request(&empty), &empty);
        let full = ConversationRequest {
            visitor_token: Some("t".into()),
            consent_id: Some("c".into()),
            page_url: Some("https://a.example/".into()),
            utm: Some(Utm {
                source: Some("news".into()),
                medium: Some("email".into()),
                campaign: Some("spring".into()),
                content: Some("top".into()),
                term: Some("shoes".into()),
            }),
        };
        same_json(&conversation_request(&full), &full);
        let some_utm = ConversationRequest {
            utm: Some(Utm {
                term: Some("x".into()),
                ..Utm::default()
            }),
            ..empty
        };
        same_json(&conversation_request(&some_utm), &some_utm);
    }

    #[test]
    fn contact_forms_read_like_serde() {
        let form = ContactFormView {
            fields: vec![
                FormField {
                    name: FieldName::Name,
                    required: true,
                },
                FormField {
                    name: FieldName::Email,
                    required: false,
                },
                FormField {
                    name: FieldName::Phone,
                    required: false,
                },
            ],
            agreements: vec![
                agreement_view(Behaviour::RequiredReadFullText, TextFormat::Plain),
                AgreementView {
                    version_id: "ver2".into(),
                    ..agreement_view(Behaviour::OptionalUnchecked, TextFormat::Html)
                },
            ],
        };
        reads_like_serde(&form, contact_form);
        reads_like_serde(
            &ContactFormView {
                fields: vec![],
                agreements: vec![],
            },
            contact_form,
        );
        // `required` may be left out.
        assert_eq!(
            contact_form(r#"{"fields":[{"name":"email"}],"agreements":[]}"#)
                .map(|f| f.fields[0].required),
            Some(false)
        );
        for text in [
            r#"{"fields":[]}"#,
            r#"{"fields":[{"name":"address"}],"agreements":[]}"#,
            r#"{"fields":[{"name":"email","required":"yes"}],"agreements":[]}"#,
            r#"{"fields":{},"agreements":[]}"#,
            r#"{"fields":[],"agreements":[{"agreement_id":"a"}]}"#,
        ] {
            refused_like_serde(text, contact_form);
        }
    }

    #[test]
    fn form_withdrawal_and_identity_requests_write_what_serde_writes() {
        let full = ContactSubmission {
            visitor_token: "tok".into(),
            conversation_id: Some("conv".into()),
            page_url: "https://shop.example/".into(),
            name: Some("Marta \"M\"".into()),
            email: Some("m@example.com".into()),
            phone: Some("+34600123456".into()),
            accepted: vec!["v1".into(), "v2".into()],
            opened: vec!["v1".into()],
            request_id: Some("r".into()),
        };
        same_json(&contact_submission(&full), &full);
        let bare = ContactSubmission {
            conversation_id: None,
            name: None,
            email: None,
            phone: None,
            accepted: vec![],
            opened: vec![],
            request_id: None,
            ..full
        };
        same_json(&contact_submission(&bare), &bare);

        for withdrawal in [
            VisitorWithdrawal {
                visitor_token: "tok".into(),
                agreement_id: None,
            },
            VisitorWithdrawal {
                visitor_token: "tok".into(),
                agreement_id: Some("agr".into()),
            },
        ] {
            same_json(&visitor_withdrawal(&withdrawal), &withdrawal);
        }

        for rating in [
            RateConversation {
                visitor_token: "tok".into(),
                rating: canal_protocol::rating::Rating::Like,
                comment: None,
            },
            RateConversation {
                visitor_token: "tok".into(),
                rating: canal_protocol::rating::Rating::Dislike,
                comment: Some("Slow \"but\" kind\n".into()),
            },
        ] {
            let ours = rate_request(&rating);
            same_json(&ours, &rating);
            assert_eq!(
                serde_json::from_str::<RateConversation>(&ours).expect("the server reads it"),
                rating
            );
        }

        let bare = IdentifyRequest {
            visitor_token: "tok".into(),
            user: canal_protocol::VisitorUser {
                id: "u-42".into(),
                ..Default::default()
            },
        };
        same_json(&identify_request(&bare), &bare);
        let full = IdentifyRequest {
            visitor_token: "tok".into(),
            user: canal_protocol::VisitorUser {
                id: "u-42".into(),
                name: Some("Marta".into()),
                email: Some("marta@example.com".into()),
                phone: Some("+34600123456".into()),
                hash: Some("ab12".into()),
                time: Some(1_790_000_000),
            },
        };
        let ours = identify_request(&full);
        same_json(&ours, &full);
        assert_eq!(
            serde_json::from_str::<IdentifyRequest>(&ours).expect("the server reads it"),
            full
        );
    }

    #[test]
    fn client_frames_write_what_serde_writes() {
        for frame in [
            ClientFrame::Hello {
                conversation_id: "c".into(),
                visitor_token: "t".into(),
                last_seq: u64::MAX,
            },
            ClientFrame::Send {
                client_id: "a".into(),
                text: "line one\nline \"two\" \u{1} 😀".into(),
            },
            ClientFrame::Typing { typing: true },
            ClientFrame::Typing { typing: false },
        ] {
            let ours = client_frame(&frame);
            same_json(&ours, &frame);
            assert_eq!(
                serde_json::from_str::<ClientFrame>(&ours).expect("the server reads it"),
                frame
            );
        }
    }
}
