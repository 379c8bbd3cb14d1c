//! Channels as the admin creates and changes them: the key's rules (the snippet
//! carries it, so it never changes), the name, the chat title, the greeting, the
//! default language and the allowed sites.

use canal_protocol::channels::{limits, CreateChannel, Greetings, UpdateChannel};
use canal_protocol::ErrorCode;
use rand::Rng;

use crate::validate;
use crate::Rejected;

fn invalid(message: impl Into<String>) -> Rejected {
    Rejected::invalid(ErrorCode::InvalidField, message)
}

/// A new channel, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChannel {
    pub key: String,
    pub name: String,
    pub title: Option<String>,
    pub greeting: Option<String>,
    /// Empty: the greeting in every language.
    pub greetings: Greetings,
    pub locale: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
}

/// A change to a channel, checked: `None` keeps a field, `Some(None)` clears it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChannelChange {
    pub name: Option<String>,
    pub title: Option<Option<String>>,
    pub greeting: Option<Option<String>>,
    /// `Some(empty)` drops every language's greeting.
    pub greetings: Option<Greetings>,
    pub locale: Option<Option<String>>,
    pub allowed_origins: Option<Option<Vec<String>>>,
    pub active: Option<bool>,
}

/// A key chosen by the admin: 3 to 40 of `a`-`z`, `0`-`9` and `-`, starting and
/// ending with a letter or digit.
pub fn key(raw: &str) -> Result<String, Rejected> {
    let chars = raw.chars().count();
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let ok = (limits::MIN_KEY_CHARS..=limits::MAX_KEY_CHARS).contains(&chars)
        && raw.chars().all(|c| allowed(c) || c == '-')
        && raw.starts_with(allowed)
        && raw.ends_with(allowed);
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(invalid(format!(
            "key must be {} to {} characters of a-z, 0-9 and '-', starting and ending with a letter or digit",
            limits::MIN_KEY_CHARS,
            limits::MAX_KEY_CHARS
        )))
    }
}

/// A key for a channel created without one: `ch-` and ten random letters and
/// digits (36^10 keys: a clash is retried by the caller, not expected).
pub fn generated_key() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    let tail: String = (0..10)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!("ch-{tail}")
}

fn text(field: &str, raw: &str, max: usize, multiline: bool) -> Result<String, Rejected> {
    let trimmed = raw.trim();
    let control = |c: char| c.is_control() && !(multiline && c == '\n');
    if trimmed.is_empty() || trimmed.chars().count() > max || trimmed.chars().any(control) {
        return Err(invalid(format!(
            "{field} must be 1 to {max} characters{}",
            if multiline { "" } else { " on one line" }
        )));
    }
    Ok(trimmed.to_owned())
}

/// The channel's name (what the console lists).
pub fn name(raw: &str) -> Result<String, Rejected> {
    text("name", raw, limits::MAX_NAME_CHARS, false)
}

/// The chat title; empty means none (the window shows the name).
pub fn title(raw: Option<&str>) -> Result<Option<String>, Rejected> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => text("title", t, limits::MAX_NAME_CHARS, false).map(Some),
    }
}

/// The greeting; empty means none.
pub fn greeting(raw: Option<&str>) -> Result<Option<String>, Rejected> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(g) => text("greeting", g, limits::MAX_GREETING_CHARS, true).map(Some),
    }
}

/// The greeting by language: each key a language the widget speaks, each text
/// checked as the greeting is; blank texts are dropped.
pub fn greetings(raw: Option<Greetings>) -> Result<Greetings, Rejected> {
    let mut checked = Greetings::new();
    for (lang, text) in raw.unwrap_or_default() {
        if !limits::LOCALES.contains(&lang.as_str()) {
            return Err(invalid(format!(
                "greetings: {lang:?} is not a language of the widget (one of {})",
                limits::LOCALES.join(", ")
            )));
        }
        let field = format!("greetings.{lang}");
        if let Some(text) = Some(text.trim()).filter(|t| !t.is_empty()) {
            checked.insert(
                lang,
                self::text(&field, text, limits::MAX_GREETING_CHARS, true)?,
            );
        }
    }
    Ok(checked)
}

/// The default language: one the widget speaks, or none (the visitor's browser).
pub fn locale(raw: Option<&str>) -> Result<Option<String>, Rejected> {
    match raw {
        None => Ok(None),
        Some(l) if limits::LOCALES.contains(&l) => Ok(Some(l.to_owned())),
        Some(_) => Err(invalid(format!(
            "locale must be one of {} (or left out to follow the visitor's browser)",
            limits::LOCALES.join(", ")
        ))),
    }
}

/// Most origins one channel may list.
pub const MAX_ORIGINS: usize = 50;

/// The sites the widget may be embedded in (`None`: any).
pub fn origins(raw: Option<Vec<String>>) -> Result<Option<Vec<String>>, Rejected> {
    let Some(list) = raw else {
        return Ok(None);
    };
    if list.len() > MAX_ORIGINS {
        return Err(invalid(format!("at most {MAX_ORIGINS} origins")));
    }
    for origin in &list {
        validate::origin(origin)?;
    }
    Ok(Some(list))
}

/// Checks a create request; the key is generated when left out.
pub fn create(request: CreateChannel) -> Result<NewChannel, Rejected> {
    Ok(NewChannel {
        key: match request.key.as_deref() {
            Some(raw) => key(raw)?,
            None => generated_key(),
        },
        name: name(&request.name)?,
        title: title(request.title.as_deref())?,
        greeting: greeting(request.greeting.as_deref())?,
        greetings: greetings(request.greetings)?,
        locale: locale(request.locale.as_deref())?,
        allowed_origins: origins(request.allowed_origins)?,
    })
}

/// Checks a change; an empty change is refused (nothing to do is a client bug).
pub fn change(request: UpdateChannel) -> Result<ChannelChange, Rejected> {
    if request == UpdateChannel::default() {
        return Err(invalid(
            "nothing to change: send name, title, greeting, greetings, locale, allowed_origins or active",
        ));
    }
    Ok(ChannelChange {
        name: request.name.as_deref().map(name).transpose()?,
        title: request.title.map(|t| title(t.as_deref())).transpose()?,
        greeting: request
            .greeting
            .map(|g| greeting(g.as_deref()))
            .transpose()?,
        greetings: request.greetings.map(greetings).transpose()?,
        locale: request.locale.map(|l| locale(l.as_deref())).transpose()?,
        allowed_origins: request.allowed_origins.map(origins).transpose()?,
        active: request.active,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_their_rules_and_generated_ones_pass_them() {
        for good in ["shop", "my-shop-2", "abc", &"a".repeat(40)] {
            assert_eq!(key(good).as_deref(), Ok(good), "{good}");
        }
        for bad in [
            "ab",
            "-shop",
            "shop-",
            "Shop",
            "sh op",
            "shop/1",
            "",
            &"a".repeat(41),
        ] {
            assert!(key(bad).is_err(), "{bad}");
        }
        for _ in 0..100 {
            let generated = generated_key();
            assert_eq!(key(&generated), Ok(generated.clone()));
        }
    }

    #[test]
    fn greetings_are_by_the_widget_s_languages_and_blank_ones_drop() {
        let raw = Greetings::from([
            ("es".into(), " Hola, ¿en qué te ayudo? ".into()),
            ("ru".into(), "  ".into()),
        ]);
        assert_eq!(
            greetings(Some(raw)),
            Ok(Greetings::from([(
                "es".into(),
                "Hola, ¿en qué te ayudo?".into()
            )]))
        );
        assert_eq!(greetings(None), Ok(Greetings::new()));
        let unknown = greetings(Some(Greetings::from([("de".into(), "Hallo".into())])));
        assert!(unknown.is_err_and(|e| e.message.starts_with("greetings")));
        let long = "a".repeat(limits::MAX_GREETING_CHARS + 1);
        let too_long = greetings(Some(Greetings::from([("ru".into(), long)])));
        assert!(too_long.is_err_and(|e| e.message.starts_with("greetings.ru must")));
        let change = change(UpdateChannel {
            greetings: Some(None),
            ..UpdateChannel::default()
        });
        assert_eq!(change.map(|c| c.greetings), Ok(Some(Greetings::new())));
    }

    #[test]
    fn a_create_request_is_checked_field_by_field() {
        let ok = create(CreateChannel {
            name: "  Shop ".into(),
            title: Some(" ".into()),
            locale: Some("es".into()),
            ..CreateChannel::default()
        })
        .expect("valid");
        assert_eq!(ok.name, "Shop");
        assert_eq!(ok.title, None, "a blank title is none");
        assert!(ok.key.starts_with("ch-"));
        let bad = [
            CreateChannel::default(),
            CreateChannel {
                name: "x".repeat(101),
                ..CreateChannel::default()
            },
            CreateChannel {
                name: "Shop".into(),
                locale: Some("de".into()),
                ..CreateChannel::default()
            },
            CreateChannel {
                name: "Shop".into(),
                allowed_origins: Some(vec!["https://a.example/path".into()]),
                ..CreateChannel::default()
            },
            CreateChannel {
                name: "Line\nbreak".into(),
                ..CreateChannel::default()
            },
        ];
        for request in bad {
            assert!(create(request.clone()).is_err(), "{request:?}");
        }
    }

    #[test]
    fn a_change_keeps_what_is_absent_and_clears_what_is_null() {
        let change = change(UpdateChannel {
            title: Some(None),
            active: Some(false),
            ..UpdateChannel::default()
        })
        .expect("valid");
        assert_eq!(change.title, Some(None));
        assert_eq!(change.name, None);
        assert_eq!(change.active, Some(false));
        assert!(super::change(UpdateChannel::default()).is_err());
    }
}
