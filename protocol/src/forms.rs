//! The widget's contact form: which fields it asks for and which agreements it
//! shows as checkboxes (each following its behaviour), and a visitor's submission.
//!
//! Routes:
//! - `GET /api/v1/channels/{key}/form` ([`ContactFormView`]; 404 when the channel
//!   has no form);
//! - `POST /api/v1/channels/{key}/form` ([`ContactSubmission`] ->
//!   [`ContactSubmitted`]): one consent record (source `form`) per accepted
//!   agreement, after every check passed;
//! - admin: `PUT /api/v1/admin/channels/{key}/form` ([`SetContactForm`] ->
//!   [`ContactFormView`]) and `GET` of the same ([`SetContactForm`], the form as
//!   saved; 404 when the channel has none).

use serde::{Deserialize, Serialize};

use crate::AgreementView;

/// A field of the contact form.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum FieldName {
    Name,
    Email,
    Phone,
}

/// A field and whether it must be filled.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    pub name: FieldName,
    #[serde(default)]
    pub required: bool,
}

/// `GET /api/v1/channels/{key}/form`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ContactFormView {
    pub fields: Vec<FormField>,
    /// The current version of each agreement, in order.
    pub agreements: Vec<AgreementView>,
    /// The widget opens the form in the chat after the visitor's first message;
    /// otherwise the visitor opens it from the chat's menu.
    #[serde(default)]
    pub ask_in_chat: bool,
}

/// `PUT /api/v1/admin/channels/{key}/form`, and the answer of its `GET`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SetContactForm {
    pub fields: Vec<FormField>,
    /// Agreement ids, in the order shown (any kind: personal data, marketing, other).
    pub agreements: Vec<String>,
    /// Ask for the details in the chat after the visitor's first message (true when
    /// left out); false: the form waits in the chat's menu.
    #[serde(default = "yes")]
    pub ask_in_chat: bool,
}

fn yes() -> bool {
    true
}

/// `POST /api/v1/channels/{key}/form`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ContactSubmission {
    pub visitor_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// The host page, http(s).
    pub page_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Version ids of the agreements the visitor ticked.
    #[serde(default)]
    pub accepted: Vec<String>,
    /// Version ids whose full text the visitor opened.
    #[serde(default)]
    pub opened: Vec<String>,
    /// Client-chosen idempotency key: the same key returns the same records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// `201 Created` answer to [`ContactSubmission`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ContactSubmitted {
    pub submission_id: String,
    /// One consent record per accepted agreement, in form order.
    pub consent_ids: Vec<String>,
}
