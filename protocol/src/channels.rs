//! Channels in the admin API: `POST` and `GET /api/v1/admin/channels`, `GET`,
//! `PATCH` and `DELETE /api/v1/admin/channels/{key}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::admin::present;

/// The greeting in other languages, by the widget's language (`en`, `es`, `ru`):
/// a widget speaking one of them shows its text instead of the greeting.
pub type Greetings = BTreeMap<String, String>;

/// Sizes and choices the channel routes enforce (the console checks first).
pub mod limits {
    /// Shortest and longest channel key, in characters (`a`-`z`, `0`-`9`, `-`).
    pub const MIN_KEY_CHARS: usize = 3;
    pub const MAX_KEY_CHARS: usize = 40;
    /// Longest channel name and chat title, in characters.
    pub const MAX_NAME_CHARS: usize = 100;
    /// Longest greeting, in characters.
    pub const MAX_GREETING_CHARS: usize = 1000;
    /// The languages the widget speaks; a channel's default language is one of them.
    pub const LOCALES: [&str; 3] = ["en", "es", "ru"];
}

/// `POST /api/v1/admin/channels`: a new channel (201 with its [`ChannelView`]).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct CreateChannel {
    /// The public key in the snippet (`data-channel`); generated when left out.
    /// `a`-`z`, `0`-`9` and inner `-`, 3 to 40 characters, unique for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// What the site owner calls it (the console's lists).
    pub name: String,
    /// The chat window's header; the name when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The first message a visitor sees, from the channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeting: Option<String>,
    /// The greeting in the widget's other languages (blank texts are dropped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greetings: Option<Greetings>,
    /// The widget's language (`en`, `es`, `ru`); the visitor's browser when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The sites (`https://host[:port]`) the widget may be embedded in; any when
    /// left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
}

/// `PATCH /api/v1/admin/channels/{key}`: fields left out stay as they are; `null`
/// clears an optional one.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateChannel {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub title: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub greeting: Option<Option<String>>,
    /// Replaces every language's greeting; `null` or `{}` drops them all.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub greetings: Option<Option<Greetings>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub locale: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_origins: Option<Option<Vec<String>>>,
    /// Off: the loader draws nothing and the visitor API answers `channel_off`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// A channel as the admin sees it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ChannelView {
    pub key: String,
    pub name: String,
    /// `None`: the window shows the name.
    pub title: Option<String>,
    pub greeting: Option<String>,
    /// The greeting by the widget's language; empty: the greeting in every one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub greetings: Greetings,
    pub locale: Option<String>,
    /// `None`: any site.
    pub allowed_origins: Option<Vec<String>>,
    pub active: bool,
    /// The personal-data agreement its chat asks for, if any.
    pub agreement_id: Option<String>,
    pub created_at: String,
    /// The script tag to paste into the site's pages.
    pub snippet: String,
    /// The supervisors who may configure it (admins always may), by agent id.
    pub managers: Vec<u64>,
    /// When it was deleted (RFC 3339): only in the list asked with `?deleted=true`,
    /// left out for a channel not deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
}

/// `PUT /api/v1/admin/channels/{key}/managers`: the supervisors who may configure
/// the channel (replacing the list; admins only).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SetManagers {
    pub agent_ids: Vec<u64>,
}

/// `GET /api/v1/admin/channels`: every channel not deleted, oldest first; with
/// `?deleted=true`, the deleted ones too (their conversations and consent records
/// stay, so they stay listable), each with its `deleted_at`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ChannelList {
    pub channels: Vec<ChannelView>,
}

/// `GET /api/v1/channels/{key}/status`: whether the loader draws the launcher.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelStatus {
    pub active: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_tells_absent_from_null() {
        let absent: UpdateChannel = serde_json::from_str("{}").expect("empty");
        assert_eq!(absent, UpdateChannel::default());
        let cleared: UpdateChannel =
            serde_json::from_str(r#"{"title": null, "active": false}"#).expect("cleared");
        assert_eq!(cleared.title, Some(None));
        assert_eq!(cleared.greeting, None);
        let greetings: UpdateChannel =
            serde_json::from_str(r#"{"greetings": {"es": "Hola"}}"#).expect("greetings");
        assert_eq!(
            greetings.greetings,
            Some(Some(Greetings::from([("es".into(), "Hola".into())])))
        );
        // The frame's struct writes and reads the same JSON as the admin's map.
        let map = Greetings::from([("es".into(), "Hola".into()), ("ru".into(), "Привет".into())]);
        let local = crate::LocalGreetings::of(&map);
        assert_eq!(
            serde_json::to_value(&local).expect("json"),
            serde_json::to_value(&map).expect("json")
        );
        assert_eq!(local.get("es").map(String::as_str), Some("Hola"));
        assert_eq!(local.get("en"), None);
        let dropped: UpdateChannel =
            serde_json::from_str(r#"{"greetings": null}"#).expect("dropped");
        assert_eq!(dropped.greetings, Some(None));
        assert_eq!(cleared.active, Some(false));
        assert!(serde_json::from_str::<UpdateChannel>(r#"{"colour": 1}"#).is_err());
    }
}
