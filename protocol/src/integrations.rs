//! Integrations on the wire: API keys and their scopes, webhook endpoints, the
//! events they receive and the log of their deliveries, the integrations' message
//! post, and messenger connectors (settings, inbound events, outbound replies).

use serde::{Deserialize, Serialize};

/// What an API key may do. A route names the one scope it needs; the admin token
/// and admins' console sessions may do everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The conversation list and transcripts (`GET /api/v1/admin/conversations`).
    ReadConversations,
    /// Posting messages into conversations.
    WriteMessages,
    /// Contacts, leads and deals.
    ReadCrm,
    /// Messenger connectors: create, change, list, their delivery log.
    ManageConnectors,
    /// The consent ledger (`GET /api/v1/admin/consents`).
    ReadConsents,
    /// Webhook endpoints: create, change, list, their delivery log and re-sends.
    ManageWebhooks,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::ReadConversations,
        Scope::WriteMessages,
        Scope::ReadCrm,
        Scope::ManageConnectors,
        Scope::ReadConsents,
        Scope::ManageWebhooks,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadConversations => "read_conversations",
            Self::WriteMessages => "write_messages",
            Self::ReadCrm => "read_crm",
            Self::ManageConnectors => "manage_connectors",
            Self::ReadConsents => "read_consents",
            Self::ManageWebhooks => "manage_webhooks",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// `POST /api/v1/admin/api-keys`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewApiKey {
    /// What the key is for (1 to 100 characters).
    pub name: String,
    /// At least one.
    pub scopes: Vec<Scope>,
}

/// An API key as the admins' list shows it: never the key, only its first
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyView {
    pub id: String,
    pub name: String,
    /// The key's first characters (`canal_AbCdEf`), to tell keys apart.
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub created_at: String,
    pub created_by: String,
    pub revoked_at: Option<String>,
}

/// The answer to creating a key: the key itself, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyCreated {
    /// `canal_<43 base64url characters>`: send it as `Authorization: Bearer <key>`.
    pub key: String,
    #[serde(flatten)]
    pub view: ApiKeyView,
}

/// The kinds of domain events a webhook may subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    #[serde(rename = "conversation.created")]
    ConversationCreated,
    #[serde(rename = "conversation.assigned")]
    ConversationAssigned,
    #[serde(rename = "message.created")]
    MessageCreated,
    #[serde(rename = "conversation.closed")]
    ConversationClosed,
    #[serde(rename = "conversation.rated")]
    ConversationRated,
    #[serde(rename = "consent.recorded")]
    ConsentRecorded,
    #[serde(rename = "consent.withdrawn")]
    ConsentWithdrawn,
    #[serde(rename = "contact.created")]
    ContactCreated,
    #[serde(rename = "contact.merged")]
    ContactMerged,
    #[serde(rename = "lead.created")]
    LeadCreated,
    #[serde(rename = "deal.created")]
    DealCreated,
}

impl EventKind {
    pub const ALL: [EventKind; 11] = [
        EventKind::ConversationCreated,
        EventKind::ConversationAssigned,
        EventKind::MessageCreated,
        EventKind::ConversationClosed,
        EventKind::ConversationRated,
        EventKind::ConsentRecorded,
        EventKind::ConsentWithdrawn,
        EventKind::ContactCreated,
        EventKind::ContactMerged,
        EventKind::LeadCreated,
        EventKind::DealCreated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConversationCreated => "conversation.created",
            Self::ConversationAssigned => "conversation.assigned",
            Self::MessageCreated => "message.created",
            Self::ConversationClosed => "conversation.closed",
            Self::ConversationRated => "conversation.rated",
            Self::ConsentRecorded => "consent.recorded",
            Self::ConsentWithdrawn => "consent.withdrawn",
            Self::ContactCreated => "contact.created",
            Self::ContactMerged => "contact.merged",
            Self::LeadCreated => "lead.created",
            Self::DealCreated => "deal.created",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// A domain event as a webhook receives it (the body of the POST):
/// `{"id": "...", "type": "message.created", "occurred_at": "...", "data": {...}}`.
/// `id` is the same on every delivery of the event: a receiver drops repeats by it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub occurred_at: String,
    #[serde(flatten)]
    pub data: EventData,
}

/// What happened, by kind (`type`), with its details (`data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum EventData {
    #[serde(rename = "conversation.created")]
    ConversationCreated {
        conversation_id: String,
        channel_id: String,
        visitor_id: String,
        page_url: Option<String>,
    },
    #[serde(rename = "conversation.assigned")]
    ConversationAssigned {
        conversation_id: String,
        /// `None`: back in the queue.
        agent_id: Option<i64>,
    },
    #[serde(rename = "message.created")]
    MessageCreated {
        conversation_id: String,
        seq: i64,
        /// `visitor`, `agent` or `system`.
        author: String,
        agent_id: Option<i64>,
        text: String,
        created_at: String,
    },
    #[serde(rename = "conversation.closed")]
    ConversationClosed { conversation_id: String },
    #[serde(rename = "conversation.rated")]
    ConversationRated {
        conversation_id: String,
        /// `like` or `dislike`.
        rating: String,
        comment: Option<String>,
    },
    #[serde(rename = "consent.recorded")]
    ConsentRecorded {
        consent_id: String,
        channel_id: String,
        visitor_id: String,
        agreement_version_id: String,
        /// `widget`, `messenger`, ...
        source: String,
        conversation_id: Option<String>,
    },
    #[serde(rename = "consent.withdrawn")]
    ConsentWithdrawn {
        /// The withdrawal's own record.
        consent_id: String,
        channel_id: String,
        visitor_id: String,
        agreement_version_id: String,
        source: String,
    },
    /// Emitted by the CRM (not by this module): a contact was created.
    #[serde(rename = "contact.created")]
    ContactCreated {
        contact_id: String,
        name: Option<String>,
        phones: Vec<String>,
        emails: Vec<String>,
        responsible_agent_id: Option<i64>,
    },
    /// Emitted by the CRM: new details, or a conversation (`conversation_id`),
    /// were merged into a known contact, or an admin merged another contact
    /// (`merged_contact_id`, whose id now leads to this one) into it; the
    /// contact as it is now.
    #[serde(rename = "contact.merged")]
    ContactMerged {
        contact_id: String,
        conversation_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        merged_contact_id: Option<String>,
        name: Option<String>,
        phones: Vec<String>,
        emails: Vec<String>,
        responsible_agent_id: Option<i64>,
    },
    /// Emitted by the CRM: a lead was made (from a conversation, when there is one).
    #[serde(rename = "lead.created")]
    LeadCreated {
        lead_id: String,
        contact_id: Option<String>,
        channel_id: String,
        conversation_id: Option<String>,
    },
    /// Emitted by the CRM: a deal was made.
    #[serde(rename = "deal.created")]
    DealCreated {
        deal_id: String,
        contact_id: Option<String>,
        channel_id: String,
        conversation_id: Option<String>,
    },
}

impl EventData {
    pub fn kind(&self) -> EventKind {
        match self {
            Self::ConversationCreated { .. } => EventKind::ConversationCreated,
            Self::ConversationAssigned { .. } => EventKind::ConversationAssigned,
            Self::MessageCreated { .. } => EventKind::MessageCreated,
            Self::ConversationClosed { .. } => EventKind::ConversationClosed,
            Self::ConversationRated { .. } => EventKind::ConversationRated,
            Self::ConsentRecorded { .. } => EventKind::ConsentRecorded,
            Self::ConsentWithdrawn { .. } => EventKind::ConsentWithdrawn,
            Self::ContactCreated { .. } => EventKind::ContactCreated,
            Self::ContactMerged { .. } => EventKind::ContactMerged,
            Self::LeadCreated { .. } => EventKind::LeadCreated,
            Self::DealCreated { .. } => EventKind::DealCreated,
        }
    }
}

/// `POST /api/v1/admin/webhooks`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// http(s) URL the events are posted to.
    pub url: String,
    /// At least one kind.
    pub events: Vec<EventKind>,
    /// Default true.
    pub active: Option<bool>,
}

/// `PATCH /api/v1/admin/webhooks/{id}`: what changes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookUpdate {
    pub url: Option<String>,
    pub events: Option<Vec<EventKind>>,
    pub active: Option<bool>,
}

/// A webhook endpoint (never its secret, but on creation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookView {
    pub id: String,
    pub url: String,
    pub events: Vec<EventKind>,
    pub active: bool,
    pub created_at: String,
}

/// The answer to creating an endpoint: its signing secret, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookCreated {
    pub secret: String,
    #[serde(flatten)]
    pub view: WebhookView,
}

/// One row of a delivery log (a webhook's or a connector's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: i64,
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created_at: String,
    /// `pending`, `delivered` or `failed` (gave up; re-send it by hand).
    pub state: String,
    pub attempts: i64,
    /// The receiver's HTTP status at the last attempt.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
    /// When a pending delivery is tried next.
    pub next_attempt_at: Option<String>,
}

/// `POST /api/v1/admin/conversations/{id}/messages`: an integration's message to
/// the visitor, shown as from the agents' side.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostMessage {
    /// The sender's id for the message: a repeat with the same id stores nothing new.
    pub client_id: String,
    pub text: String,
}

/// The stored message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePosted {
    pub seq: i64,
    pub created_at: String,
    /// False when the client id was stored before (a repeat).
    pub new: bool,
}

/// How a connector treats tagged dialogs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TagMode {
    /// Tags change nothing.
    #[default]
    Off,
    /// Only dialogs with one of the tags reach Canal.
    OnlyTagged,
    /// Dialogs with one of the tags never reach Canal.
    RejectTagged,
}

/// Where the console's link to a connector's dialog opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenIn {
    #[default]
    Canal,
    /// The gateway's own page for the dialog (`dialog_link`, `{chat_id}` replaced).
    Connector,
}

/// A connector's options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConnectorSettings {
    pub tag_mode: TagMode,
    /// The tags the mode acts on.
    pub tags: Vec<String>,
    /// With `only_tagged`: once a dialog gets a tag, the messages held back before
    /// are forwarded too.
    pub forward_earlier: bool,
    /// Notify agents of new inbound messages (default on).
    pub notify_new_messages: bool,
    /// In group chats, strip the sender's number from the message text.
    pub strip_group_sender: bool,
    pub open_in: OpenIn,
    /// With `open_in: connector`: the gateway's dialog URL, `{chat_id}` replaced.
    pub dialog_link: Option<String>,
}

impl Default for ConnectorSettings {
    fn default() -> Self {
        Self {
            tag_mode: TagMode::Off,
            tags: Vec::new(),
            forward_earlier: false,
            notify_new_messages: true,
            strip_group_sender: false,
            open_in: OpenIn::Canal,
            dialog_link: None,
        }
    }
}

/// `POST /api/v1/admin/connectors`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewConnector {
    /// The channel's key.
    pub channel: String,
    pub name: String,
    /// Where replies are posted (http or https).
    pub outbound_url: String,
    #[serde(default)]
    pub settings: Option<ConnectorSettings>,
}

/// `PATCH /api/v1/admin/connectors/{id}`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorUpdate {
    pub name: Option<String>,
    pub outbound_url: Option<String>,
    pub settings: Option<ConnectorSettings>,
    pub active: Option<bool>,
}

/// A connector (never its secret, but on creation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorView {
    pub id: String,
    /// The channel's key.
    pub channel: String,
    pub name: String,
    pub outbound_url: String,
    pub settings: ConnectorSettings,
    pub active: bool,
    pub created_at: String,
}

/// The answer to creating a connector: its secret, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorCreated {
    pub secret: String,
    #[serde(flatten)]
    pub view: ConnectorView,
}

/// The client's details a gateway knows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConnectorProfile {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// `POST /api/v1/connectors/{id}/events`: what the gateway sends, signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ConnectorEvent {
    /// The client wrote.
    Message {
        chat_id: String,
        /// The gateway's id of the message: a repeat stores nothing new.
        message_id: String,
        text: String,
        /// A group chat: `sender` is who wrote.
        #[serde(default)]
        group: bool,
        sender: Option<String>,
        /// The dialog's tags now, when the gateway sends them with the message.
        tags: Option<Vec<String>>,
    },
    /// The client's details changed.
    Profile {
        chat_id: String,
        profile: ConnectorProfile,
    },
    /// The dialog's tags changed.
    Tags { chat_id: String, tags: Vec<String> },
}

/// What Canal did with an inbound event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorEventResult {
    /// `accepted` (in a conversation), `held` (untagged, kept for later),
    /// `rejected` (the tag filter refuses the dialog) or `noted` (profile, tags).
    pub outcome: String,
    pub conversation_id: Option<String>,
    /// Held messages forwarded into the conversation by this event.
    pub forwarded: u32,
}

/// A reply Canal posts to a connector's outbound URL, signed as webhooks are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorReply {
    /// The same on every attempt: the gateway drops repeats by it.
    pub id: String,
    pub chat_id: String,
    pub conversation_id: String,
    pub seq: i64,
    pub text: String,
    /// `agent` or `system` (the consent notice, closing texts).
    pub author: String,
    pub created_at: String,
}
