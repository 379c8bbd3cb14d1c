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
