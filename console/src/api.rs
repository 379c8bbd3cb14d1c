//! The console's I/O with its own server (same origin, relative URLs): the login
//! and admin calls and the agent WebSocket, on the kit shared with the widget
//! (`canal_kit`: gloo-net, JSON through the protocol's serde derives, parsed by the
//! browser). The session lives in an HttpOnly cookie the browser sends by itself; no
//! token ever reaches this code. The paths are the protocol's ([`routes`]).

use canal_protocol::admin::{
    AgreementChoices, IdentitySecret, IdentityView, SetChannelAgreement, SetIdentity,
};
use canal_protocol::agent::{
    AgentList, AgentProfile, AgentServerFrame, AgentView, ConversationList, ConversationRecord,
    CreateAgent, Label, LoginRequest, NewLabel, RoutingSettings, SetupState, UpdateAgent,
};
use canal_protocol::bans::{BanList, BanView, NewBan};
use canal_protocol::canned::{CannedAnswer, CannedDraft, CannedList};
use canal_protocol::channels::{
    ChannelList, ChannelView, CreateChannel, SetManagers, UpdateChannel,
};
use canal_protocol::crm::ConversationCrm;
use canal_protocol::forms::SetContactForm;
use canal_protocol::hours::{HoursView, WorkingHours};
use canal_protocol::theme::Theme;
use canal_protocol::ErrorCode;

use canal_kit::http::{call, fetch_text, send, Method};

pub use canal_kit::http::{status_error, ApiError};
pub use canal_kit::ids::random_id;
pub use canal_kit::socket::Socket;
pub use canal_kit::wire::{decode, encode};
/// The console's routes on the server (the protocol's).
pub use canal_protocol::routes;

/// What the agent socket reports.
pub type SocketEvent = canal_kit::socket::SocketEvent<Box<AgentServerFrame>>;

/// `GET /api/v1/agent/me`: who the session cookie belongs to.
pub async fn me() -> Result<AgentProfile, ApiError> {
    call(Method::Get, routes::ME, None::<&()>).await
}

/// `POST /api/v1/agent/login`: on success the server sets the session cookie.
pub async fn login(request: &LoginRequest) -> Result<AgentProfile, ApiError> {
    call(Method::Post, routes::LOGIN, Some(request)).await
}

/// `POST /api/v1/agent/logout`: ends the session and clears the cookie.
pub async fn logout() -> Result<(), ApiError> {
    fetch_text(Method::Post, routes::LOGOUT, None)
        .await
        .map(drop)
}

/// `GET /api/v1/agent/setup`: whether this Canal has any accounts yet.
pub async fn setup() -> Result<SetupState, ApiError> {
    call(Method::Get, routes::SETUP, None::<&()>).await
}

/// `GET /api/v1/admin/agents`: every agent, for an admin's session.
pub async fn list_agents() -> Result<AgentList, ApiError> {
    call(Method::Get, routes::ADMIN_AGENTS, None::<&()>).await
}

/// `POST /api/v1/admin/agents`: the new agent.
pub async fn create_agent(request: &CreateAgent) -> Result<AgentView, ApiError> {
    call(Method::Post, routes::ADMIN_AGENTS, Some(request)).await
}

/// `PATCH /api/v1/admin/agents/{id}`: the agent as changed.
pub async fn update_agent(id: u64, request: &UpdateAgent) -> Result<AgentView, ApiError> {
    call(Method::Patch, &routes::admin_agent(id), Some(request)).await
}

/// `GET /api/v1/admin/channels`: every channel not deleted, oldest first; with
/// `deleted`, the deleted ones too (each with its `deleted_at`).
pub async fn list_channels(deleted: bool) -> Result<ChannelList, ApiError> {
    let url = if deleted {
        format!("{}?deleted=true", routes::ADMIN_CHANNELS)
    } else {
        routes::ADMIN_CHANNELS.to_owned()
    };
    call(Method::Get, &url, None::<&()>).await
}

/// `GET /api/v1/admin/channels/{key}`: one channel (with its snippet as its
/// theme makes it).
pub async fn load_channel(key: &str) -> Result<ChannelView, ApiError> {
    call(Method::Get, &routes::admin_channel(key), None::<&()>).await
}

/// `GET /api/v1/admin/agreements`: every agreement (admins), read only as far
/// as a picker needs.
pub async fn list_agreements() -> Result<AgreementChoices, ApiError> {
    call(Method::Get, routes::ADMIN_AGREEMENTS, None::<&()>).await
}

/// `PUT .../agreement`: the agreement the channel's chat asks for (the answer,
/// which the channel's own view repeats, is not read).
pub async fn save_agreement(key: &str, request: &SetChannelAgreement) -> Result<(), ApiError> {
    send(
        Method::Put,
        &routes::channel_part(key, "agreement"),
        Some(request),
    )
    .await
}

/// `GET .../form`: the contact form as saved; `None` while the channel has none.
pub async fn load_form(key: &str) -> Result<Option<SetContactForm>, ApiError> {
    not_found_is_none(call(Method::Get, &routes::channel_part(key, "form"), None::<&()>).await)
}

/// `PUT .../form` (the answer, the form as visitors see it, is not read).
pub async fn save_form(key: &str, form: &SetContactForm) -> Result<(), ApiError> {
    send(Method::Put, &routes::channel_part(key, "form"), Some(form)).await
}

/// `GET .../theme`.
pub async fn load_theme(key: &str) -> Result<Theme, ApiError> {
    call(
        Method::Get,
        &routes::channel_part(key, "theme"),
        None::<&()>,
    )
    .await
}

/// `PUT .../theme`: the whole theme; the answer is the theme as stored.
pub async fn save_theme(key: &str, theme: &Theme) -> Result<Theme, ApiError> {
    call(
        Method::Put,
        &routes::channel_part(key, "theme"),
        Some(theme),
    )
    .await
}

/// `GET .../identity`.
pub async fn load_identity(key: &str) -> Result<IdentityView, ApiError> {
    call(
        Method::Get,
        &routes::channel_part(key, "identity"),
        None::<&()>,
    )
    .await
}

/// `PUT .../identity`.
pub async fn save_identity(key: &str, settings: &SetIdentity) -> Result<IdentityView, ApiError> {
    call(
        Method::Put,
        &routes::channel_part(key, "identity"),
        Some(settings),
    )
    .await
}

/// `POST .../identity/secret`: a new secret, replacing the old one, shown once.
pub async fn new_identity_secret(key: &str) -> Result<IdentitySecret, ApiError> {
    call(
        Method::Post,
        &routes::channel_part(key, "identity/secret"),
        None::<&()>,
    )
    .await
}

/// A 404 `not_found` (the thing asked for does not exist yet) as `None`.
fn not_found_is_none<T>(result: Result<T, ApiError>) -> Result<Option<T>, ApiError> {
    match result {
        Ok(view) => Ok(Some(view)),
        Err(ApiError::Status {
            status: 404,
            code: Some(ErrorCode::NotFound),
            ..
        }) => Ok(None),
        Err(error) => Err(error),
    }
}

/// `POST /api/v1/admin/channels`: the new channel, with its snippet.
pub async fn create_channel(request: &CreateChannel) -> Result<ChannelView, ApiError> {
    call(Method::Post, routes::ADMIN_CHANNELS, Some(request)).await
}

/// `PATCH /api/v1/admin/channels/{key}`: the channel as changed.
pub async fn update_channel(key: &str, request: &UpdateChannel) -> Result<ChannelView, ApiError> {
    call(Method::Patch, &routes::admin_channel(key), Some(request)).await
}

/// `DELETE /api/v1/admin/channels/{key}` (204).
pub async fn delete_channel(key: &str) -> Result<(), ApiError> {
    fetch_text(Method::Delete, &routes::admin_channel(key), None)
        .await
        .map(drop)
}

/// `PUT /api/v1/admin/channels/{key}/managers`: the channel with its new managers.
pub async fn set_managers(key: &str, request: &SetManagers) -> Result<ChannelView, ApiError> {
    call(Method::Put, &routes::channel_managers(key), Some(request)).await
}

/// `GET /api/v1/agent/conversations?{query}`: a page of the conversation list.
pub async fn conversation_log(query: &str) -> Result<ConversationList, ApiError> {
    let url = format!("{}?{query}", routes::CONVERSATIONS);
    call(Method::Get, &url, None::<&()>).await
}

/// `GET /api/v1/agent/conversations/{id}`: one conversation with its history,
/// rating, routing log and labels.
pub async fn conversation_record(id: &str) -> Result<ConversationRecord, ApiError> {
    call(Method::Get, &routes::conversation(id), None::<&()>).await
}

/// `GET /api/v1/agent/labels`: every label, by name.
pub async fn labels() -> Result<Vec<Label>, ApiError> {
    call(Method::Get, routes::LABELS, None::<&()>).await
}

/// `PUT` (`on`) or `DELETE /api/v1/agent/conversations/{id}/labels/{label}`.
pub async fn set_label(conversation_id: &str, label: u64, on: bool) -> Result<(), ApiError> {
    let method = if on { Method::Put } else { Method::Delete };
    fetch_text(
        method,
        &routes::conversation_label(conversation_id, label),
        None,
    )
    .await
    .map(drop)
}

/// `POST /api/v1/admin/labels`: the new label.
pub async fn create_label(request: &NewLabel) -> Result<Label, ApiError> {
    call(Method::Post, routes::ADMIN_LABELS, Some(request)).await
}

/// `DELETE /api/v1/admin/labels/{id}`: off every conversation, then gone.
pub async fn delete_label(id: u64) -> Result<(), ApiError> {
    fetch_text(Method::Delete, &routes::admin_label(id), None)
        .await
        .map(drop)
}

/// `GET /api/v1/admin/channels/{key}/routing`.
pub async fn load_routing(key: &str) -> Result<RoutingSettings, ApiError> {
    call(Method::Get, &routes::channel_routing(key), None::<&()>).await
}

/// `PUT /api/v1/admin/channels/{key}/routing`: the settings as stored.
pub async fn save_routing(
    key: &str,
    settings: &RoutingSettings,
) -> Result<RoutingSettings, ApiError> {
    call(Method::Put, &routes::channel_routing(key), Some(settings)).await
}

/// `GET /api/v1/admin/channels/{key}/hours`: `None` when the channel has none
/// (always open).
pub async fn load_hours(key: &str) -> Result<Option<HoursView>, ApiError> {
    not_found_is_none(call(Method::Get, &routes::channel_hours(key), None::<&()>).await)
}

/// `PUT /api/v1/admin/channels/{key}/hours`: the hours as stored, with the status.
pub async fn save_hours(key: &str, hours: &WorkingHours) -> Result<HoursView, ApiError> {
    call(Method::Put, &routes::channel_hours(key), Some(hours)).await
}

/// `DELETE /api/v1/admin/channels/{key}/hours`: the channel is always open again.
pub async fn remove_hours(key: &str) -> Result<(), ApiError> {
    fetch_text(Method::Delete, &routes::channel_hours(key), None)
        .await
        .map(drop)
}

/// `GET /api/v1/admin/bans`: the bans in force, or (`all`) every ban ever made,
/// newest first.
pub async fn list_bans(all: bool) -> Result<BanList, ApiError> {
    let url = format!(
        "{}{}",
        routes::ADMIN_BANS,
        if all { "?all=true" } else { "" }
    );
    call(Method::Get, &url, None::<&()>).await
}

/// `POST /api/v1/admin/bans`: the ban as recorded.
pub async fn create_ban(request: &NewBan) -> Result<BanView, ApiError> {
    call(Method::Post, routes::ADMIN_BANS, Some(request)).await
}

/// `DELETE /api/v1/admin/bans/{id}`: the ban, lifted.
pub async fn lift_ban(id: i64) -> Result<BanView, ApiError> {
    call(Method::Delete, &routes::admin_ban(id), None::<&()>).await
}

/// `GET /api/v1/admin/channels/{key}/canned`.
pub async fn list_canned(key: &str) -> Result<CannedList, ApiError> {
    call(Method::Get, &routes::channel_canned(key), None::<&()>).await
}

/// `POST /api/v1/admin/channels/{key}/canned`: the answer as stored.
pub async fn create_canned(key: &str, draft: &CannedDraft) -> Result<CannedAnswer, ApiError> {
    call(Method::Post, &routes::channel_canned(key), Some(draft)).await
}

/// `PUT /api/v1/admin/channels/{key}/canned/{id}`: the answer as changed.
pub async fn update_canned(
    key: &str,
    id: i64,
    draft: &CannedDraft,
) -> Result<CannedAnswer, ApiError> {
    call(
        Method::Put,
        &routes::channel_canned_one(key, id),
        Some(draft),
    )
    .await
}

/// `DELETE /api/v1/admin/channels/{key}/canned/{id}` (204).
pub async fn delete_canned(key: &str, id: i64) -> Result<(), ApiError> {
    fetch_text(Method::Delete, &routes::channel_canned_one(key, id), None)
        .await
        .map(drop)
}

/// `GET /api/v1/agent/conversations/{id}/canned`: the answers for a reply there.
pub async fn reply_canned(conversation_id: &str) -> Result<CannedList, ApiError> {
    call(
        Method::Get,
        &routes::reply_canned(conversation_id),
        None::<&()>,
    )
    .await
}

/// `GET /api/v1/agent/conversations/{id}/crm`: the customer card.
pub async fn conversation_crm(conversation_id: &str) -> Result<ConversationCrm, ApiError> {
    call(
        Method::Get,
        &routes::conversation_crm(conversation_id),
        None::<&()>,
    )
    .await
}

/// `POST /api/v1/agent/conversations/{id}/crm`: "save to CRM" (the card it
/// answers is loaded again by the caller, so it is not read here).
pub async fn save_crm(conversation_id: &str) -> Result<(), ApiError> {
    fetch_text(
        Method::Post,
        &routes::conversation_crm(conversation_id),
        None,
    )
    .await
    .map(drop)
}

/// Reads a frame of the agent socket; `None` for anything that is not one.
pub fn decode_frame(text: &str) -> Option<AgentServerFrame> {
    decode(text)
}

// Native tier: `cargo test -p canal-console` (no browser needed). What goes through
// the browser's JSON ([`decode`], [`encode`], [`status_error`]) is tested in
// Chromium, in tests/console.rs ("the wire").
/// `GET /api/v1/agent/notices`: the signed-in employee's overdue KPI notices.
pub async fn overdue_notices() -> Result<canal_protocol::kpi::NoticeList, ApiError> {
    call(Method::Get, routes::NOTICES, None::<&()>).await
}

/// `POST /api/v1/agent/notices/read`: the employee read their notices up to `up_to`.
pub async fn read_overdue_notices(
    up_to: u64,
) -> Result<canal_protocol::kpi::NoticesMarked, ApiError> {
    let read = canal_protocol::kpi::NoticesRead { up_to };
    call(Method::Post, routes::NOTICES_READ, Some(&read)).await
}

/// `GET /api/v1/admin/reports/conversations?{query}`: the conversations of a period
/// with their response-time figures.
pub async fn report_conversations(
    query: &str,
) -> Result<canal_protocol::kpi::ConversationReport, ApiError> {
    let url = format!("{}?{query}", routes::REPORT_CONVERSATIONS);
    call(Method::Get, &url, None::<&()>).await
}

/// `GET /api/v1/admin/reports/agents?{query}`: each agent's figures.
pub async fn report_agents(query: &str) -> Result<canal_protocol::kpi::AgentReport, ApiError> {
    let url = format!("{}?{query}", routes::REPORT_AGENTS);
    call(Method::Get, &url, None::<&()>).await
}

/// `GET /api/v1/admin/channels/{key}/automation`: the channel's automatic actions.
pub async fn load_automation(
    key: &str,
) -> Result<canal_protocol::automation::AutomationSettings, ApiError> {
    call(Method::Get, &routes::channel_automation(key), None::<&()>).await
}

/// `PUT /api/v1/admin/channels/{key}/automation`: the settings as stored.
pub async fn save_automation(
    key: &str,
    settings: &canal_protocol::automation::AutomationSettings,
) -> Result<canal_protocol::automation::AutomationSettings, ApiError> {
    call(
        Method::Put,
        &routes::channel_automation(key),
        Some(settings),
    )
    .await
}

/// `GET /api/v1/admin/channels/{key}/crm`: the channel's CRM settings.
pub async fn load_crm_settings(key: &str) -> Result<canal_protocol::crm::CrmSettings, ApiError> {
    call(Method::Get, &routes::channel_crm(key), None::<&()>).await
}

/// `PUT /api/v1/admin/channels/{key}/crm`: the settings as stored.
pub async fn save_crm_settings(
    key: &str,
    settings: &canal_protocol::crm::CrmSettings,
) -> Result<canal_protocol::crm::CrmSettings, ApiError> {
    call(Method::Put, &routes::channel_crm(key), Some(settings)).await
}
