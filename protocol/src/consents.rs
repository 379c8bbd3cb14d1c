//! Wire types of the consent ledger's admin API: the record list, its CSV twin,
//! withdrawals and the latest state per visitor and agreement.

use serde::{Deserialize, Serialize};

/// One ledger record, as the admin API lists and exports it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecordView {
    /// Place in the ledger: 1, 2, 3, ...
    pub seq: u64,
    pub id: String,
    /// `grant` or `withdraw`.
    pub action: String,
    pub agreement_id: String,
    pub agreement_version_id: String,
    /// The version number of the text the visitor saw.
    pub agreement_version: u32,
    /// The channel's key.
    pub channel: String,
    pub visitor_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The address of the consent: the page it was given on.
    pub page_url: Option<String>,
    /// `livechat`, `form`, `messenger` or `api`.
    pub source: String,
    /// For records whose address is a conversation (messenger, "save to CRM").
    pub conversation_id: Option<String>,
    pub crm_entity: Option<String>,
    pub request_id: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A page of `GET /api/v1/admin/consents`, newest first.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ConsentPage {
    pub records: Vec<ConsentRecordView>,
    /// Pass as `cursor` for the next (older) page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// The latest state of one visitor's consent to one agreement.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    Granted,
    Withdrawn,
    /// No record at all.
    None,
}

/// `GET /api/v1/admin/consents/state?visitor=&agreement=`, and the answer to a
/// withdrawal.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ConsentStateView {
    pub visitor_id: String,
    pub agreement_id: String,
    pub status: ConsentStatus,
    /// The record that decided the status.
    pub record: Option<ConsentRecordView>,
}

/// `POST /api/v1/admin/consents/withdrawals`: an admin withdraws a visitor's consent
/// (for example on the visitor's request by e-mail).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AdminWithdrawal {
    pub visitor_id: String,
    pub agreement_id: String,
}

/// `POST /api/v1/channels/{key}/consents/withdrawals`: the visitor withdraws from
/// the widget. The agreement is the channel's chat agreement unless named.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct VisitorWithdrawal {
    pub visitor_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement_id: Option<String>,
}

/// `POST /api/v1/admin/conversations/{id}/crm-link`: "save to CRM". Appends a
/// second record of the conversation's consent whose address is the conversation,
/// linked to the CRM entity.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CrmLink {
    /// The CRM entity's id, e.g. `contact:42`.
    pub crm_entity: String,
    /// The agent responsible for this customer: with `route_to_responsible` on,
    /// the customer's next conversations are offered to them first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible_agent_id: Option<u64>,
}

/// `POST /api/v1/admin/channels/{key}/messenger/inbound`: a message that arrived
/// through a messenger gateway (the gateway's own signed API comes later; until
/// then the gateway uses the admin token).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MessengerInbound {
    /// The messenger's id of the chat.
    pub chat_id: String,
    pub text: String,
    /// What the messenger knows of the client: their name, phone and e-mail
    /// identify them in the CRM (with the channel's "check the customer" on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<MessengerProfile>,
}

/// A messenger client's profile. Each field is optional; one that is given must
/// be valid (a phone with its country code, or in the channel's default region).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct MessengerProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// What became of a messenger chat's consent with this message.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MessengerConsent {
    /// First message: the notice was sent; the next message will be the consent.
    NoticeSent,
    /// This message was the consent; it is recorded.
    Recorded,
    /// Recorded earlier.
    AlreadyRecorded,
    /// The channel asks no consent.
    NotRequired,
}

/// Answer to [`MessengerInbound`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct MessengerInboundResult {
    pub conversation_id: String,
    pub consent: MessengerConsent,
    /// The notice to deliver to the client (first message only).
    pub notice: Option<String>,
    pub consent_id: Option<String>,
}
