//! Response-time KPIs: the overdue notices an employee gets (live on the agent
//! socket as [`crate::agent::AgentServerFrame::Overdue`], and as a list) and the
//! figures per conversation and per agent over a period.
//!
//! A wait starts with the visitor's first message after an agent's answer (or
//! with their first message at all) and ends with the next agent message; its
//! length counts only the time the channel is open when it has working hours.
//! The first response time is the conversation's first wait; the total is the
//! sum of all its answered waits, the average that sum over their number, the
//! maximum the longest. A wait never answered counts in no figure. An answer
//! counts for the agent who wrote it (after a transfer, the new agent).
//!
//! Routes:
//! - `GET /api/v1/agent/notices`: the signed-in employee's notices, newest first
//!   ([`NoticeList`]).
//! - `GET /api/v1/admin/reports/conversations?from=&to=&channel=&sort=&format=csv`:
//!   the conversations started in the period with their figures
//!   ([`ConversationReport`], or CSV).
//! - `GET /api/v1/admin/reports/agents?from=&to=&channel=`: each agent's figures
//!   and their daily series for the chart ([`AgentReport`]).
//! - `GET /api/v1/admin/conversations/{id}/transcript?format=text|json`: one
//!   conversation's transcript.

use serde::{Deserialize, Serialize};

use crate::agent::LoggedConversation;

/// Which limit a notice is about.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum KpiKind {
    /// The first response time.
    First,
    /// A later response time.
    Next,
}

/// One overdue notice.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct OverdueNotice {
    pub id: u64,
    pub kind: KpiKind,
    pub channel_key: String,
    pub conversation_id: String,
    /// The channel's template filled in (`#DIALOG#` became the conversation id).
    pub text: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// Present when `text` is Canal's default (the channel has no text of its
    /// own): the agent it names, so that a console writes the default in its own
    /// language (empty: nobody held the conversation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_operator: Option<String>,
    /// The employee read it (sent only when true).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read: bool,
}

/// `POST /api/v1/agent/notices/read`: the signed-in employee read their notices up
/// to this id (the newest they were shown).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NoticesRead {
    pub up_to: u64,
}

/// Its answer: how many notices it marked read (those read before are left).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct NoticesMarked {
    pub marked: u64,
}

/// `GET /api/v1/agent/notices`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct NoticeList {
    pub notices: Vec<OverdueNotice>,
}

/// A conversation's response-time figures, in seconds (`None`: no answered wait).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub first_response_secs: Option<u64>,
    pub total_response_secs: Option<u64>,
    pub average_response_secs: Option<u64>,
    pub max_response_secs: Option<u64>,
    /// How many waits were answered.
    pub responses: u64,
}

/// A conversation of the report: as the message log lists it, with its figures.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ReportedConversation {
    #[serde(flatten)]
    pub conversation: LoggedConversation,
    #[serde(flatten)]
    pub figures: Figures,
}

/// `GET /api/v1/admin/reports/conversations`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ConversationReport {
    pub conversations: Vec<ReportedConversation>,
    /// More conversations started in the period than a report holds
    /// ([`MAX_REPORTED`]): narrow the period.
    pub truncated: bool,
}

/// Most conversations one report holds.
pub const MAX_REPORTED: usize = 10_000;

/// One agent's figures over the period.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgentFigures {
    pub agent_id: u64,
    pub agent_name: String,
    /// Conversations the agent answered in.
    pub conversations: u64,
    /// The first response times the agent gave, averaged.
    pub average_first_response_secs: Option<u64>,
    pub total_response_secs: u64,
    pub average_response_secs: Option<u64>,
    pub max_response_secs: Option<u64>,
    pub responses: u64,
    /// Ratings of the conversations the agent holds (or held at the close).
    pub likes: u64,
    pub dislikes: u64,
    /// Day by day (UTC dates, each day of the period with an answer).
    pub days: Vec<AgentDay>,
}

/// One agent's answers on one day.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgentDay {
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    pub responses: u64,
    pub average_response_secs: u64,
    pub max_response_secs: u64,
}

/// `GET /api/v1/admin/reports/agents`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgentReport {
    pub agents: Vec<AgentFigures>,
    pub truncated: bool,
}

/// `GET /api/v1/admin/conversations/{id}/transcript?format=json`: every message,
/// agents under their own names.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub conversation_id: String,
    pub messages: Vec<crate::MessageView>,
}
