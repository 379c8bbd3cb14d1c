//! E-mail to visitors: the transcript a visitor asks for.
//!
//! `PUT /api/v1/channels/{key}/conversations/{id}/transcript` with
//! [`RequestTranscript`]: the conversation's transcript goes to `email` when it
//! closes (at once when it is closed already). A later request replaces the address.
//! Answers 409 `mail_off` when the server sends no e-mail.

use serde::{Deserialize, Serialize};

/// The widget's request.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RequestTranscript {
    pub visitor_token: String,
    /// Where to send it.
    pub email: String,
}

/// The answer.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct TranscriptRequested {
    /// The address, as it will be written to (trimmed and lower-cased).
    pub email: String,
    /// `true`: the conversation is closed and the transcript is on its way now;
    /// `false`: it goes when the conversation closes.
    pub queued: bool,
}

/// A mail to the visitor about a conversation, as the admin's message log shows it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct MailView {
    /// `transcript` or `reply` (an agent's answer to a visitor who left).
    pub kind: String,
    pub to: String,
    pub status: MailStatus,
    pub queued_at: String,
    /// Attempts so far.
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
    /// Why the last attempt failed (waiting) or why it will never go (dropped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Where a mail stands.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    /// Not sent yet: due, or waiting for another attempt.
    Waiting,
    Sent,
    /// Never to be sent (the visitor withdrew, the address was refused for good).
    Dropped,
}
