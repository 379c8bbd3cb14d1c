//! Wire types of the agent side: console login, the agent socket, and the admin
//! API for agents, departments and channel routing.
//!
//! Routes:
//! - `POST /api/v1/agent/login` ([`LoginRequest`] -> [`AgentProfile`], sets the
//!   HttpOnly, SameSite=Strict session cookie [`SESSION_COOKIE`]);
//!   `POST /api/v1/agent/logout`; `GET /api/v1/agent/me` ([`AgentProfile`]).
//! - `GET /api/v1/agent/ws`: the agent socket, authenticated by the session cookie.
//!   The server speaks first with [`AgentServerFrame::Welcome`]; the console sends
//!   [`AgentClientFrame`]s.
//! - Admin (admin token, or the session of an agent with the `admin` role):
//!   `GET`/`POST /api/v1/admin/agents` ([`CreateAgent`] -> [`AgentView`]),
//!   `PATCH /api/v1/admin/agents/{id}` ([`UpdateAgent`]),
//!   `PUT /api/v1/admin/departments/{id}` ([`SetDepartment`]),
//!   `GET`/`PUT /api/v1/admin/channels/{key}/routing` ([`RoutingSettings`]),
//!   `GET /api/v1/admin/conversations/{id}/routing` ([`RoutingLogList`]).

use serde::{Deserialize, Serialize};

use crate::{ErrorCode, MessageView};

/// Name of the console's session cookie.
pub const SESSION_COOKIE: &str = "canal_agent";

/// Sizes the agent API enforces.
pub mod limits {
    /// Longest e-mail, in bytes.
    pub const MAX_EMAIL_BYTES: usize = 254;
    /// Shortest password, in characters.
    pub const MIN_PASSWORD_CHARS: usize = 8;
    /// Longest password, in bytes (argon2 input is bounded).
    pub const MAX_PASSWORD_BYTES: usize = 256;
    /// Longest display name, in characters.
    pub const MAX_NAME_CHARS: usize = 100;
    /// Longest avatar URL, in bytes.
    pub const MAX_AVATAR_URL_BYTES: usize = 2048;
    /// Most entries in a channel queue or department.
    pub const MAX_QUEUE_ENTRIES: usize = 500;
    /// Longest no-agent auto-reply or bot answer, in characters.
    pub const MAX_AUTO_REPLY_CHARS: usize = 1000;
    /// Most keyword rules of the built-in bot.
    pub const MAX_BOT_RULES: usize = 50;
    /// Most keywords of one rule.
    pub const MAX_BOT_KEYWORDS: usize = 20;
    /// Longest keyword, in characters.
    pub const MAX_KEYWORD_CHARS: usize = 100;
    /// Longest label name, in characters.
    pub const MAX_LABEL_CHARS: usize = 40;
    /// Most labels an install has.
    pub const MAX_LABELS: usize = 200;
    /// Shortest search text, in characters (the search matches substrings by
    /// trigrams).
    pub const MIN_SEARCH_CHARS: usize = 3;
    /// Longest search text, in characters.
    pub const MAX_SEARCH_CHARS: usize = 200;
}

/// `GET /api/v1/agent/setup`: whether the install has any console account yet, so
/// the sign-in page of a new install says how to create the first admin.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetupState {
    pub has_accounts: bool,
}

/// `POST /api/v1/agent/login`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// What an agent may do beyond answering.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Answers conversations offered or transferred to them.
    #[default]
    Agent,
    /// Also sees every channel's queue and takes waiting conversations from it.
    Supervisor,
    /// A supervisor who may also change settings through the admin API.
    Admin,
}

impl Role {
    /// The value as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }
}

impl Role {
    /// Sees the queue (waiting conversations and who holds what).
    pub fn supervises(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }
}

/// An agent's own availability, as set in the console.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Ready to receive conversations.
    #[default]
    Online,
    /// Away: keeps what they hold, gets no new offers (where the channel checks).
    Away,
    /// No console open.
    Offline,
}

impl Status {
    /// The value as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Away => "away",
            Self::Offline => "offline",
        }
    }
}

/// The signed-in agent.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgentProfile {
    pub id: u64,
    pub email: String,
    pub name: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

/// An agent as colleagues see them (transfer targets, who holds what).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgentSummary {
    pub id: u64,
    pub name: String,
    pub status: Status,
    /// Conversations held now.
    pub holding: u32,
    pub is_bot: bool,
}

/// Where a conversation is, from the point of view of the agent receiving it.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum InboxKind {
    /// Offered to this agent: take or decline.
    Offered,
    /// Held by this agent.
    Mine,
    /// In the queue, offered to nobody (supervisors).
    Waiting,
    /// Offered to or held by someone else (supervisors).
    Others,
    /// Closed.
    Closed,
}

impl InboxKind {
    /// The value as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offered => "offered",
            Self::Mine => "mine",
            Self::Waiting => "waiting",
            Self::Others => "others",
            Self::Closed => "closed",
        }
    }
}

/// One line of an agent's inbox.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ConversationSummary {
    pub id: String,
    pub channel_key: String,
    pub channel_title: String,
    pub kind: InboxKind,
    /// Who holds it, if anyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<u64>,
    /// Who it is offered to now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offered_to: Vec<u64>,
    /// When the current offer passes on (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_deadline: Option<String>,
    /// The host page the visitor started on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    /// The UTM tags of the host page the visitor started on, if it had any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm: Option<crate::Utm>,
    /// The host page the visitor opened the chat on last (each page they open
    /// with the chat says so), when it is not the page they started on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_now: Option<String>,
    /// The newest message, cut to 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message: Option<String>,
    /// The visitor's rating, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<crate::rating::RatingView>,
    /// The visitor withdrew their consent to the channel's agreement: nothing more
    /// comes from them (sent only when true).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
    /// No agent has answered the visitor for the channel's "unanswered after"
    /// time: marked until an agent answers (sent only when true).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unanswered: bool,

    /// RFC 3339, UTC.
    pub created_at: String,
}

/// A private note: by an agent, for the agents; never sent to the visitor.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct NoteView {
    pub id: u64,
    pub agent_id: u64,
    pub agent_name: String,
    pub text: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The conversation's last message when it was written: it shows after it.
    pub after_seq: u64,
    /// The writer's id for it (a re-send stores nothing new).
    pub client_id: String,
}

/// A visitor's identity as the console shows it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct VisitorIdentity {
    /// The site's own id of the user.
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The identity came with a valid hash of the channel's secret.
    pub verified: bool,
}

/// One routing decision, as the console and the API show it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RoutingLogLine {
    /// RFC 3339, UTC.
    pub at: String,
    /// The decision in words: trigger, each candidate and why, outcome.
    pub text: String,
    /// The structured entry (mode, trigger, candidates with reasons, action).
    pub entry: serde_json::Value,
}

/// A label admins created, for agents to set on conversations
/// (`GET /api/v1/agent/labels`, `GET, POST /api/v1/admin/labels`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub id: u64,
    pub name: String,
}

/// `POST /api/v1/admin/labels`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NewLabel {
    pub name: String,
}

/// One conversation in the conversation list, `GET /api/v1/agent/conversations`
/// (and the admins' message log, `GET /api/v1/admin/conversations`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct LoggedConversation {
    pub id: String,
    pub channel_key: String,
    pub channel_name: String,
    pub visitor_id: String,
    /// `open` or `closed`.
    pub status: String,
    /// Who holds it (or held it when it closed), if anyone.
    pub agent_id: Option<u64>,
    pub agent_name: Option<String>,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub page_url: Option<String>,
    /// How many messages it has (the visitor's, the agents' and the system's).
    pub messages: u64,
    /// When the newest one was sent (RFC 3339, UTC), if any.
    pub last_message_at: Option<String>,
    pub rating: Option<crate::rating::Rating>,
    /// The labels set on it, by name.
    #[serde(default)]
    pub labels: Vec<Label>,
}

/// `GET /api/v1/admin/conversations`: newest first, one page; pass `next_cursor`
/// as `cursor` for the next.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ConversationLog {
    pub conversations: Vec<LoggedConversation>,
    pub next_cursor: Option<String>,
}

/// One row of the agents' conversation list, `GET /api/v1/agent/conversations`:
/// what the row shows and the conversation's stored figures (see
/// [`crate::kpi::Figures`]; all `None` until the figures task computed them, within
/// moments of a change). The full record is
/// `GET /api/v1/agent/conversations/{id}`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ListedConversation {
    pub id: String,
    pub channel_key: String,
    pub channel_name: String,
    /// `open` or `closed`.
    pub status: String,
    pub agent_id: Option<u64>,
    pub agent_name: Option<String>,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub messages: u64,
    pub last_message_at: Option<String>,
    pub rating: Option<crate::rating::Rating>,
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(flatten)]
    pub figures: crate::kpi::Figures,
}

/// `GET /api/v1/agent/conversations`: one page in the order asked for (`sort`,
/// as the server read it); pass `next_cursor` as `cursor`, with the same `sort`,
/// for the next.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ConversationList {
    pub conversations: Vec<ListedConversation>,
    pub next_cursor: Option<String>,
    pub sort: String,
}

/// `GET /api/v1/admin/conversations/{id}`: one conversation with its history (agent
/// messages under the agent's own name), its rating and its routing log.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ConversationRecord {
    pub conversation: LoggedConversation,
    pub messages: Vec<crate::MessageView>,
    pub rating: Option<crate::rating::RatingView>,
    pub routing_log: Vec<RoutingLogLine>,
    /// What was e-mailed to the visitor about it, or is waiting to be, oldest first.
    #[serde(default)]
    pub mail: Vec<crate::mail::MailView>,
}

/// `GET /api/v1/admin/conversations/{id}/routing`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RoutingLogList {
    pub conversation_id: String,
    pub lines: Vec<RoutingLogLine>,
}

/// Frames the console sends on `GET /api/v1/agent/ws`. Each is answered with the
/// frames it causes, or with one [`AgentServerFrame::Error`] that changes nothing.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AgentClientFrame {
    /// Set own availability (`online` or `away`).
    Status { status: Status },
    /// Show a conversation: answered with [`AgentServerFrame::Conversation`], then
    /// its new messages and log lines arrive live.
    Open { conversation_id: String },
    /// Take an offer (or, for a supervisor, a waiting conversation).
    Take { conversation_id: String },
    /// Decline an offer: it passes on.
    Decline { conversation_id: String },
    /// Reply in a conversation this agent holds. Re-sending the same `client_id` is
    /// acknowledged again and stored once.
    Reply {
        conversation_id: String,
        client_id: String,
        text: String,
    },
    /// Hand a held conversation to a colleague, or back to the queue (`to_agent`
    /// absent).
    Transfer {
        conversation_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_agent: Option<u64>,
    },
    /// Close a held conversation.
    Close { conversation_id: String },
    /// A private note in a conversation the agent may open: kept, shown to the
    /// agents who open it, never sent to the visitor. A re-sent client id stores
    /// nothing new.
    Note {
        conversation_id: String,
        client_id: String,
        text: String,
    },
    /// This agent started or stopped writing in a conversation they may reply in.
    /// Only the fact: no draft text. Never stored; passed on to the visitor at
    /// most about once a second (extra frames are dropped).
    Typing {
        conversation_id: String,
        typing: bool,
    },
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Frames the server sends on the agent socket.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentServerFrame {
    /// First frame: who is signed in, colleagues, and the inbox, or its first
    /// piece: a large inbox comes in pieces, so that no frame is large (a socket's
    /// write buffer keeps the size of the largest frame it wrote).
    Welcome {
        agent: AgentProfile,
        status: Status,
        agents: Vec<AgentSummary>,
        inbox: Vec<ConversationSummary>,
        /// How many more conversations of the inbox follow, in `inbox` frames
        /// (sent only when some do).
        #[serde(default, skip_serializing_if = "is_zero")]
        more: u32,
    },
    /// The next piece of the welcome's inbox, in the server's order after the
    /// pieces before.
    Inbox { inbox: Vec<ConversationSummary> },
    /// A conversation entered or changed in this agent's inbox.
    Upsert { conversation: ConversationSummary },
    /// A conversation left this agent's inbox (offer withdrawn or passed on, taken
    /// by someone else, transferred away).
    Remove { conversation_id: String },
    /// Answer to `open`: the conversation with its history and routing log.
    Conversation {
        conversation: ConversationSummary,
        messages: Vec<MessageView>,
        log: Vec<RoutingLogLine>,
        /// Its private notes, oldest first.
        #[serde(default)]
        notes: Vec<NoteView>,
        /// Where the connector's own app shows this dialog, when the connector
        /// says to open its dialogs there (`open_in: connector`); absent otherwise.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dialog_link: Option<String>,
    },
    /// A private note was written in the conversation on screen.
    Note {
        conversation_id: String,
        note: NoteView,
    },
    /// A new message in a conversation this agent holds or opened.
    Message {
        conversation_id: String,
        message: MessageView,
    },
    /// A new routing decision about a conversation this agent opened.
    Log {
        conversation_id: String,
        line: RoutingLogLine,
    },
    /// The reply with this client id is stored under this sequence number.
    Ack {
        conversation_id: String,
        client_id: String,
        seq: u64,
    },
    /// Colleagues' availability or load changed.
    Agents { agents: Vec<AgentSummary> },
    /// This agent's own availability (echo of `status`).
    Status { status: Status },
    /// The visitor of a conversation in this agent's inbox (or open here) started
    /// or stopped writing. Never stored; no news for a few seconds means stopped.
    Typing {
        conversation_id: String,
        typing: bool,
    },
    /// The visitor's draft in the conversation open here, as they type it (the
    /// channel's live typing preview). Never stored; empty: the preview clears
    /// (the visitor emptied the composer). Their next message clears it too.
    Draft {
        conversation_id: String,
        text: String,
    },
    /// A KPI limit ran out in a conversation: this employee is the one the
    /// channel's settings name to hear of it (also kept in `GET /api/v1/agent/notices`).
    Overdue { notice: crate::kpi::OverdueNotice },
    /// A customer wrote, and this employee is the one to hear of it: the
    /// responsible agent of the customer's CRM contact; with none, the channel's
    /// supervisors; with none, the admins.
    CustomerWrote {
        conversation_id: String,
        /// The channel's key.
        channel: String,
        text: String,
    },
    /// The last frame was refused; nothing of it happened. A refused `reply` names
    /// its conversation and client id, so the console can mark that message.
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
}

/// `POST /api/v1/admin/agents`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CreateAgent {
    pub email: String,
    pub name: String,
    pub password: String,
    #[serde(default)]
    pub role: Role,
    /// Most conversations at once; absent: no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// A bot account (never routed from a queue; a channel may name it bot-first).
    #[serde(default)]
    pub is_bot: bool,
}

/// `PATCH /api/v1/admin/agents/{id}`: only the fields present change. `cap: null`
/// removes the cap.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateAgent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::double_option"
    )]
    pub cap: Option<Option<u32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dismissed: Option<bool>,
}

/// An agent as the admin API shows it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgentView {
    pub id: u64,
    pub email: String,
    pub name: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    pub is_bot: bool,
    pub dismissed: bool,
    pub status: Status,
}

/// `GET /api/v1/admin/agents`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgentList {
    pub agents: Vec<AgentView>,
}

/// `PUT /api/v1/admin/departments/{id}`: create or replace a department.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SetDepartment {
    pub name: String,
    /// Members in order.
    pub members: Vec<u64>,
}

/// How a channel picks among eligible agents.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "snake_case")]
pub enum RoutingMode {
    /// Least load; ties to the agent idle longest.
    #[default]
    Evenly,
    /// Queue order.
    Strict,
    /// Everyone eligible at once; the first to take it gets it.
    All,
}

/// What the visitor sees of the agent answering.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "snake_case")]
pub enum DisplayMode {
    /// The agent's own name and avatar.
    #[default]
    Profile,
    /// The channel's name for every agent.
    Channel,
    /// No name.
    Hidden,
}

/// One entry of a channel's queue.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum QueueItem {
    Agent(u64),
    Department(u64),
}

/// Which held conversations do not count against an agent's cap.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct CapExclusions {
    /// Conversations the agent has answered at least once.
    #[serde(default)]
    pub answered: bool,
    /// Conversations waiting for the customer's reply.
    #[serde(default)]
    pub waiting_for_client: bool,
    /// Closed conversations awaiting a rating.
    #[serde(default)]
    pub awaiting_rating: bool,
}

/// One keyword answer of the built-in bot: a message containing any of the
/// keywords (case-insensitive) gets the answer.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BotRule {
    pub keywords: Vec<String>,
    pub answer: String,
}

/// `GET`/`PUT /api/v1/admin/channels/{key}/routing`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RoutingSettings {
    pub mode: RoutingMode,
    /// Seconds an offer waits before passing on: 60 to 43,200.
    pub pass_after_secs: u64,
    /// Only online, present agents get offers.
    pub check_online: bool,
    #[serde(default)]
    pub exclusions: CapExclusions,
    #[serde(default)]
    pub route_to_responsible: bool,
    /// A bot agent that gets every new conversation first. The built-in bot answers
    /// a visitor's message that matches one of `bot_rules` and hands any other
    /// message over to the queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_agent_id: Option<u64>,
    /// The built-in bot's keyword answers, tried in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bot_rules: Vec<BotRule>,
    /// Sent to the visitor once when nobody can take the conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_agent_reply: Option<String>,
    #[serde(default)]
    pub display_mode: DisplayMode,
    pub queue: Vec<QueueItem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frames_parse_and_refuse_unknown_fields() {
        let take = r#"{"type":"take","conversation_id":"c1"}"#;
        assert_eq!(
            serde_json::from_str::<AgentClientFrame>(take).expect("parse"),
            AgentClientFrame::Take {
                conversation_id: "c1".into()
            }
        );
        let to_queue = r#"{"type":"transfer","conversation_id":"c1"}"#;
        assert!(matches!(
            serde_json::from_str::<AgentClientFrame>(to_queue),
            Ok(AgentClientFrame::Transfer { to_agent: None, .. })
        ));
        for bad in [
            r#"{"type":"take","conversation_id":"c1","agent_id":2}"#,
            r#"{"type":"delete","conversation_id":"c1"}"#,
            r#"{"type":"status","status":"sleeping"}"#,
        ] {
            assert!(
                serde_json::from_str::<AgentClientFrame>(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn typing_frames_round_trip_and_carry_no_text() {
        let out = AgentClientFrame::Typing {
            conversation_id: "c1".into(),
            typing: true,
        };
        let json = serde_json::to_string(&out).expect("serialise");
        assert_eq!(
            json,
            r#"{"type":"typing","conversation_id":"c1","typing":true}"#
        );
        assert_eq!(
            serde_json::from_str::<AgentClientFrame>(&json).expect("parse"),
            out
        );
        for bad in [
            r#"{"type":"typing","conversation_id":"c1"}"#,
            r#"{"type":"typing","typing":true}"#,
            r#"{"type":"typing","conversation_id":"c1","typing":1}"#,
            r#"{"type":"typing","conversation_id":"c1","typing":true,"draft":"Dear"}"#,
        ] {
            assert!(
                serde_json::from_str::<AgentClientFrame>(bad).is_err(),
                "{bad}"
            );
        }
        let back = AgentServerFrame::Typing {
            conversation_id: "c1".into(),
            typing: false,
        };
        let json = serde_json::to_string(&back).expect("serialise");
        assert_eq!(
            json,
            r#"{"type":"typing","conversation_id":"c1","typing":false}"#
        );
        assert_eq!(
            serde_json::from_str::<AgentServerFrame>(&json).expect("parse"),
            back
        );
    }

    #[test]
    fn patch_cap_tells_absent_from_null() {
        let absent: UpdateAgent = serde_json::from_str("{}").expect("parse");
        assert_eq!(absent.cap, None);
        let null: UpdateAgent = serde_json::from_str(r#"{"cap":null}"#).expect("parse");
        assert_eq!(null.cap, Some(None));
        let three: UpdateAgent = serde_json::from_str(r#"{"cap":3}"#).expect("parse");
        assert_eq!(three.cap, Some(Some(3)));
    }

    #[test]
    fn routing_settings_queue_items_are_tagged() {
        let json = r#"{"mode":"all","pass_after_secs":60,"check_online":true,
            "queue":[{"agent":1},{"department":2}]}"#;
        let s: RoutingSettings = serde_json::from_str(json).expect("parse");
        assert_eq!(s.queue, vec![QueueItem::Agent(1), QueueItem::Department(2)]);
        assert_eq!(s.display_mode, DisplayMode::Profile);
    }
}
