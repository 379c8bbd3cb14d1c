//! Messenger connectors' rules: which dialogs the tag filter lets through, the
//! text of a group-chat message, and the checks on tags and settings.

use canal_protocol::integrations::{ConnectorSettings, OpenIn, TagMode};
use canal_protocol::ErrorCode;

use crate::Rejected;

/// Most tags a dialog or a filter may carry.
pub const MAX_TAGS: usize = 50;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 64;

/// What the tag filter does with a dialog's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Into the conversation.
    Pass,
    /// Kept aside, to be forwarded once the dialog gets a tag.
    Hold,
    /// Dropped: the dialog has no tag and earlier messages are not forwarded.
    Ignore,
    /// Dropped: the dialog carries a refused tag.
    Reject,
}

fn tagged(settings: &ConnectorSettings, dialog_tags: &[String]) -> bool {
    dialog_tags
        .iter()
        .any(|t| settings.tags.iter().any(|f| f.eq_ignore_ascii_case(t)))
}

/// The filter's decision for a message of a dialog with `dialog_tags`.
pub fn admit(settings: &ConnectorSettings, dialog_tags: &[String]) -> Admission {
    match settings.tag_mode {
        TagMode::Off => Admission::Pass,
        TagMode::OnlyTagged if tagged(settings, dialog_tags) => Admission::Pass,
        TagMode::OnlyTagged if settings.forward_earlier => Admission::Hold,
        TagMode::OnlyTagged => Admission::Ignore,
        TagMode::RejectTagged if tagged(settings, dialog_tags) => Admission::Reject,
        TagMode::RejectTagged => Admission::Pass,
    }
}

/// A message's text as stored: in a group chat, the sender's number stripped
/// from it when the connector says so, else the sender put first.
pub fn message_text(text: &str, group: bool, sender: Option<&str>, strip: bool) -> String {
    let sender = sender.map(str::trim).filter(|s| !s.is_empty());
    match (group, sender) {
        (true, Some(sender)) if strip => {
            let stripped = text.replace(sender, "");
            let stripped = stripped.trim().trim_start_matches(':').trim();
            if stripped.is_empty() {
                text.trim().to_owned()
            } else {
                stripped.to_owned()
            }
        }
        (true, Some(sender)) => format!("{sender}: {text}"),
        _ => text.to_owned(),
    }
}

fn invalid(message: impl Into<String>) -> Rejected {
    Rejected::invalid(ErrorCode::InvalidField, message)
}

/// Longest id of a gateway's chat or message, in bytes.
pub const MAX_EXTERNAL_ID_BYTES: usize = 200;

/// An id a gateway gives a chat or a message (`field` names it): 1 to
/// [`MAX_EXTERNAL_ID_BYTES`] bytes of visible characters, no spaces (gateways use
/// dots, colons, `@` and `=` in theirs).
pub fn external_id(field: &str, raw: &str) -> Result<(), Rejected> {
    if raw.is_empty()
        || raw.len() > MAX_EXTERNAL_ID_BYTES
        || raw.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid(format!(
            "{field} must be 1 to {MAX_EXTERNAL_ID_BYTES} bytes without spaces or control characters"
        )));
    }
    Ok(())
}

/// Tags as sent: trimmed, each 1 to [`MAX_TAG_CHARS`] characters without control
/// characters, at most [`MAX_TAGS`], repeats dropped.
pub fn tags(raw: &[String]) -> Result<Vec<String>, Rejected> {
    if raw.len() > MAX_TAGS {
        return Err(invalid(format!("at most {MAX_TAGS} tags")));
    }
    let mut kept: Vec<String> = Vec::new();
    for tag in raw {
        let tag = tag.trim();
        if tag.is_empty()
            || tag.chars().count() > MAX_TAG_CHARS
            || tag.chars().any(char::is_control)
        {
            return Err(invalid(format!(
                "a tag must be 1 to {MAX_TAG_CHARS} characters without control characters"
            )));
        }
        if !kept.iter().any(|k| k.eq_ignore_ascii_case(tag)) {
            kept.push(tag.to_owned());
        }
    }
    Ok(kept)
}

/// A connector's settings, checked: the tags; a filter that acts needs tags; a
/// dialog link (http(s), with `{chat_id}`) when dialogs open in the connector.
pub fn settings(raw: ConnectorSettings) -> Result<ConnectorSettings, Rejected> {
    let tags = tags(&raw.tags)?;
    if raw.tag_mode != TagMode::Off && tags.is_empty() {
        return Err(invalid(
            "a tag filter that is not off needs at least one tag",
        ));
    }
    let dialog_link = match (&raw.open_in, &raw.dialog_link) {
        (OpenIn::Connector, None) => {
            return Err(invalid(
                "dialogs open in the connector: give its dialog_link, with {chat_id}",
            ))
        }
        (_, Some(link)) => {
            crate::validate::target_url("dialog_link", &link.replace("{chat_id}", "x"))?;
            if !link.contains("{chat_id}") {
                return Err(invalid("dialog_link must contain {chat_id}"));
            }
            Some(link.trim().to_owned())
        }
        (OpenIn::Canal, None) => None,
    };
    Ok(ConnectorSettings {
        tags,
        dialog_link,
        ..raw
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(mode: TagMode, forward: bool) -> ConnectorSettings {
        ConnectorSettings {
            tag_mode: mode,
            tags: vec!["VIP".into()],
            forward_earlier: forward,
            ..ConnectorSettings::default()
        }
    }

    #[test]
    fn the_tag_filter_passes_holds_or_refuses() {
        let vip = ["vip".to_owned()];
        let other = ["spam".to_owned()];
        assert_eq!(admit(&filter(TagMode::Off, false), &[]), Admission::Pass);
        assert_eq!(
            admit(&filter(TagMode::OnlyTagged, false), &vip),
            Admission::Pass
        );
        assert_eq!(
            admit(&filter(TagMode::OnlyTagged, false), &other),
            Admission::Ignore
        );
        assert_eq!(
            admit(&filter(TagMode::OnlyTagged, true), &[]),
            Admission::Hold
        );
        assert_eq!(
            admit(&filter(TagMode::RejectTagged, false), &vip),
            Admission::Reject
        );
        assert_eq!(
            admit(&filter(TagMode::RejectTagged, false), &other),
            Admission::Pass
        );
    }

    #[test]
    fn group_messages_lose_or_show_their_sender() {
        assert_eq!(
            message_text("+34600111222: hi", true, Some("+34600111222"), true),
            "hi"
        );
        assert_eq!(
            message_text("hi", true, Some("+34600111222"), false),
            "+34600111222: hi"
        );
        assert_eq!(message_text("hi", false, Some("+34600111222"), true), "hi");
        assert_eq!(
            message_text("+34600111222", true, Some("+34600111222"), true),
            "+34600111222"
        );
    }

    #[test]
    fn settings_and_tags_are_checked() {
        assert!(settings(filter(TagMode::OnlyTagged, true)).is_ok());
        let mut no_tags = filter(TagMode::OnlyTagged, false);
        no_tags.tags.clear();
        assert!(settings(no_tags).is_err());
        let mut link = ConnectorSettings {
            open_in: OpenIn::Connector,
            ..ConnectorSettings::default()
        };
        assert!(settings(link.clone()).is_err());
        link.dialog_link = Some("https://gw.example/dialogs/{chat_id}".into());
        assert!(settings(link.clone()).is_ok());
        link.dialog_link = Some("https://gw.example/dialogs".into());
        assert!(settings(link).is_err());
        assert_eq!(
            tags(&[" a ".into(), "A".into(), "b".into()]).expect("ok"),
            ["a", "b"]
        );
        assert!(tags(&["".into()]).is_err());
        assert!(tags(&vec!["x".to_owned(); 51]).is_err());
    }
}
