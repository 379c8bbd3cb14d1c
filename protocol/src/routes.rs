//! The HTTP paths and socket paths of the API, as the clients (widget and console)
//! call them: every path is written here once. Path segments taken from data (a
//! channel key, a conversation id) are percent-encoded ([`encode`]), so whatever was
//! typed stays one segment.

/// The visitor socket (the widget's chat).
pub const VISITOR_SOCKET: &str = "/api/v1/ws";

/// `/api/v1/channels/{key}/{resource}`: one of a channel's visitor resources
/// (`config`, `consents`, `conversations`, `form`, `identify`, ...).
pub fn channel(key: &str, resource: &str) -> String {
    format!("/api/v1/channels/{}/{resource}", encode(key))
}

/// A channel's visitor resources, for [`channel`].
pub mod visitor {
    /// `GET`: `ChannelConfig`.
    pub const CONFIG: &str = "config";
    /// `POST`: `ConsentRequest` -> `ConsentCreated`.
    pub const CONSENTS: &str = "consents";
    /// `POST`: `VisitorWithdrawal`.
    pub const WITHDRAWALS: &str = "consents/withdrawals";
    /// `POST`: `ConversationRequest` -> `ConversationCreated`.
    pub const CONVERSATIONS: &str = "conversations";
    /// `GET`: `ContactFormView` (404: none); `POST`: `ContactSubmission`.
    pub const FORM: &str = "form";
    /// `POST`: `IdentifyRequest`.
    pub const IDENTIFY: &str = "identify";

    /// `PUT`: `RateConversation`.
    pub fn rating(conversation_id: &str) -> String {
        format!("conversations/{}/rating", super::encode(conversation_id))
    }

    /// `PUT`: `RequestTranscript` -> `TranscriptRequested`.
    pub fn transcript(conversation_id: &str) -> String {
        format!(
            "conversations/{}/transcript",
            super::encode(conversation_id)
        )
    }
}

/// `POST`: `LoginRequest` -> `AgentProfile`, sets the cookie.
pub const LOGIN: &str = "/api/v1/agent/login";
/// `POST`: ends the session (204).
pub const LOGOUT: &str = "/api/v1/agent/logout";
/// `GET`: the signed-in agent, or 401.
pub const ME: &str = "/api/v1/agent/me";
/// `GET`: `SetupState`, whether anyone can sign in yet (no session needed).
pub const SETUP: &str = "/api/v1/agent/setup";
/// The agent socket.
pub const SOCKET: &str = "/api/v1/agent/ws";
/// `GET`: `NoticeList`, the signed-in employee's overdue KPI notices.
pub const NOTICES: &str = "/api/v1/agent/notices";
/// `POST`: `NoticesRead` -> `NoticesMarked`.
pub const NOTICES_READ: &str = "/api/v1/agent/notices/read";
/// `GET` with a query: `ConversationReport` (or, `format=csv`, CSV), admins.
pub const REPORT_CONVERSATIONS: &str = "/api/v1/admin/reports/conversations";
/// `GET` with a query: `AgentReport` (admins).
pub const REPORT_AGENTS: &str = "/api/v1/admin/reports/agents";

/// One conversation's transcript (admins): `text` or `json`.
pub fn transcript(id: &str, format: &str) -> String {
    format!(
        "/api/v1/admin/conversations/{}/transcript?format={format}",
        encode(id)
    )
}
/// `GET`: `AgentList`; `POST`: `CreateAgent` -> `AgentView` (admins).
pub const ADMIN_AGENTS: &str = "/api/v1/admin/agents";

/// `PATCH`: `UpdateAgent` -> `AgentView` (admins).
pub fn admin_agent(id: u64) -> String {
    format!("{ADMIN_AGENTS}/{id}")
}

/// `GET`: `ChannelList`; `POST`: `CreateChannel` -> `ChannelView` (admins).
pub const ADMIN_CHANNELS: &str = "/api/v1/admin/channels";

/// `GET`/`PATCH`/`DELETE`: one channel (admins), its key one path segment.
pub fn admin_channel(key: &str) -> String {
    format!("{ADMIN_CHANNELS}/{}", encode(key))
}

/// `PUT`: `SetManagers` -> `ChannelView` (admins).
pub fn channel_managers(key: &str) -> String {
    format!("{}/managers", admin_channel(key))
}

/// `GET` with a query: `ConversationList`, the conversation list: what the
/// signed-in agent may see (every channel's for an admin); with `format=csv`, the
/// same list as CSV.
pub const CONVERSATIONS: &str = "/api/v1/agent/conversations";

/// `GET`: `ConversationRecord`, one conversation of the list.
pub fn conversation(id: &str) -> String {
    format!("{CONVERSATIONS}/{}", encode(id))
}

/// `GET`: the labels (`Vec<Label>`).
pub const LABELS: &str = "/api/v1/agent/labels";

/// `PUT`/`DELETE` (204): a label set on a conversation, or taken off.
pub fn conversation_label(id: &str, label: u64) -> String {
    format!("{}/labels/{label}", conversation(id))
}

/// `GET`: the labels; `POST`: `NewLabel` -> `Label` (admins).
pub const ADMIN_LABELS: &str = "/api/v1/admin/labels";

/// `DELETE` (204): a label (admins).
pub fn admin_label(id: u64) -> String {
    format!("{ADMIN_LABELS}/{id}")
}

/// `GET`/`PUT`: a channel's `RoutingSettings` (admins).
pub fn channel_routing(key: &str) -> String {
    channel_part(key, "routing")
}

/// `GET`/`PUT`: a channel's automatic actions (admins).
pub fn channel_automation(key: &str) -> String {
    channel_part(key, "automation")
}

/// `GET`/`PUT`: a channel's CRM settings (admins).
pub fn channel_crm(key: &str) -> String {
    channel_part(key, "crm")
}

/// `GET`/`PUT`/`DELETE`: a channel's working hours (admins).
pub fn channel_hours(key: &str) -> String {
    channel_part(key, "hours")
}

/// `GET` (`?all=true`: lifted and expired ones too): `BanList`; `POST`:
/// `NewBan` -> `BanView` (admins).
pub const ADMIN_BANS: &str = "/api/v1/admin/bans";

/// `DELETE`: lifts one ban -> `BanView` (the record stays).
pub fn admin_ban(id: i64) -> String {
    format!("{ADMIN_BANS}/{id}")
}

/// `GET`: `CannedList`; `POST`: `CannedDraft` -> `CannedAnswer` (admins and the
/// channel's managers).
pub fn channel_canned(key: &str) -> String {
    channel_part(key, "canned")
}

/// `PUT`: `CannedDraft` -> `CannedAnswer`; `DELETE` (204).
pub fn channel_canned_one(key: &str, id: i64) -> String {
    format!("{}/{id}", channel_canned(key))
}

/// `GET`: `ConversationCrm`, the customer card; `POST`: "save to CRM" ->
/// `ContactCard` (agents).
pub fn conversation_crm(conversation_id: &str) -> String {
    format!("{}/crm", conversation(conversation_id))
}

/// `GET`: `CannedList`, filled in for a reply in the conversation (agents).
pub fn reply_canned(conversation_id: &str) -> String {
    format!("{}/canned", conversation(conversation_id))
}

/// `/api/v1/admin/channels/{key}/{part}`: one of a channel's settings.
pub fn channel_part(key: &str, part: &str) -> String {
    format!("{}/{part}", admin_channel(key))
}

/// `GET`: `AgreementList`, read as `AgreementChoices` (admins).
pub const ADMIN_AGREEMENTS: &str = "/api/v1/admin/agreements";

/// Percent-encodes everything but RFC 3986 unreserved characters (for a path
/// segment or a query value).
pub fn encode(raw: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_ids_stay_one_segment() {
        assert_eq!(
            channel_routing("demo"),
            "/api/v1/admin/channels/demo/routing"
        );
        assert_eq!(
            channel_routing("a/b c?"),
            "/api/v1/admin/channels/a%2Fb%20c%3F/routing"
        );
        assert_eq!(admin_agent(7), "/api/v1/admin/agents/7");
        assert_eq!(admin_channel("shop-2"), "/api/v1/admin/channels/shop-2");
        assert_eq!(admin_channel("a/b"), "/api/v1/admin/channels/a%2Fb");
        assert_eq!(channel_hours("a/b"), "/api/v1/admin/channels/a%2Fb/hours");
        assert_eq!(
            channel("sh op", visitor::CONFIG),
            "/api/v1/channels/sh%20op/config"
        );
        assert_eq!(
            channel("demo", &visitor::rating("c/1")),
            "/api/v1/channels/demo/conversations/c%2F1/rating"
        );
        assert_eq!(
            conversation_crm("c 1"),
            "/api/v1/agent/conversations/c%201/crm"
        );
        assert_eq!(encode("é~"), "%C3%A9~");
    }
}
