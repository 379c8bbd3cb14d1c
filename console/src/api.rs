//! The console's I/O with its own server (same origin, relative URLs): the login
//! and admin calls over `fetch`, and the agent WebSocket. The session lives in an HttpOnly
//! cookie the browser sends by itself; no token ever reaches this code. Every body
//! and frame goes through the protocol's serde derives ([`decode`], [`encode`]): the
//! browser parses and writes the JSON text (`JSON.parse`, `JSON.stringify`) and
//! serde-wasm-bindgen maps it to and from `canal_protocol` types, so no JSON parser
//! is compiled into the console. Nothing from the network is trusted to be well
//! formed.

use std::rc::Rc;

use canal_protocol::admin::{
    AgreementChoices, IdentitySecret, IdentityView, SetChannelAgreement, SetIdentity,
};
use canal_protocol::agent::{
    AgentClientFrame, AgentList, AgentProfile, AgentServerFrame, AgentView, ConversationLog,
    ConversationRecord, CreateAgent, Label, LoginRequest, NewLabel, RoutingSettings, SetupState,
    UpdateAgent,
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
use canal_protocol::{ErrorBody, ErrorCode};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, MessageEvent, RequestCredentials, RequestInit, Response, WebSocket};

/// Reads JSON text into a protocol type: the browser parses it, the protocol's
/// derives read the result. `None` when either refuses it.
///
/// Integers arrive as JavaScript numbers: a `u64` or `u32` field reads any whole
/// number up to 2^53 - 1 exactly, as serde_json does; a larger one (which the
/// browser could not hold exactly) is refused, never misread.
pub fn decode<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// Writes a protocol type as JSON text, byte for byte as serde_json (so the server's
/// side) writes it: objects for structs, numbers for integers, `null` for `None`
/// (and absent where the protocol skips it), fields in declaration order. `None`
/// for an integer above 2^53 - 1, which a JavaScript number cannot hold.
pub fn encode<T: Serialize>(value: &T) -> Option<String> {
    let value = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}

/// The console's routes on the server.
pub mod routes {
    /// `POST`: [`LoginRequest`](super::LoginRequest) -> `AgentProfile`, sets the cookie.
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

    /// `GET` with a query: `ConversationLog`, the conversation list: what the
    /// signed-in agent may see (every channel's for an admin).
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

    /// `GET`/`PUT`: a channel's `RoutingSettings` (admins). The key is
    /// percent-encoded, so whatever was typed stays one path segment.
    pub fn channel_routing(key: &str) -> String {
        format!("/api/v1/admin/channels/{}/routing", encode(key))
    }

    /// `GET`/`PUT`: a channel's automatic actions (admins).
    pub fn channel_automation(key: &str) -> String {
        format!("/api/v1/admin/channels/{}/automation", encode(key))
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
        format!("/api/v1/admin/channels/{}/canned", encode(key))
    }

    /// `PUT`: `CannedDraft` -> `CannedAnswer`; `DELETE` (204).
    pub fn channel_canned_one(key: &str, id: i64) -> String {
        format!("{}/{id}", channel_canned(key))
    }

    /// `GET`: `ConversationCrm`, the customer card; `POST`: "save to CRM" ->
    /// `ContactCard` (agents).
    pub fn conversation_crm(conversation_id: &str) -> String {
        format!(
            "/api/v1/agent/conversations/{}/crm",
            encode(conversation_id)
        )
    }

    /// `GET`: `CannedList`, filled in for a reply in the conversation (agents).
    pub fn reply_canned(conversation_id: &str) -> String {
        format!(
            "/api/v1/agent/conversations/{}/canned",
            encode(conversation_id)
        )
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
        let mut out = String::with_capacity(raw.len());
        for byte in raw.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                out.push(char::from(byte));
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
        out
    }
}

/// Why a call to the server failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No answer: offline, blocked, or the browser refused the request.
    Network,
    /// The server answered with an error status and, when its error body could be
    /// read, its code and sentence.
    Status {
        status: u16,
        code: Option<ErrorCode>,
        message: Option<String>,
    },
    /// The answer did not have the shape the protocol says.
    Decode,
}

impl ApiError {
    /// The session is missing or over: sign in again.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Status { status: 401, .. })
            || matches!(
                self,
                Self::Status {
                    code: Some(ErrorCode::Unauthorized),
                    ..
                }
            )
    }
}

/// `GET /api/v1/agent/me`: who the session cookie belongs to.
pub async fn me() -> Result<AgentProfile, ApiError> {
    call("GET", routes::ME, None::<&()>).await
}

/// `POST /api/v1/agent/login`: on success the server sets the session cookie.
pub async fn login(request: &LoginRequest) -> Result<AgentProfile, ApiError> {
    call("POST", routes::LOGIN, Some(request)).await
}

/// `POST /api/v1/agent/logout`: ends the session and clears the cookie.
pub async fn logout() -> Result<(), ApiError> {
    fetch_text("POST", routes::LOGOUT, None).await.map(drop)
}

/// `GET /api/v1/agent/setup`: whether this Canal has any accounts yet.
pub async fn setup() -> Result<SetupState, ApiError> {
    call("GET", routes::SETUP, None::<&()>).await
}

/// `GET /api/v1/admin/agents`: every agent, for an admin's session.
pub async fn list_agents() -> Result<AgentList, ApiError> {
    call("GET", routes::ADMIN_AGENTS, None::<&()>).await
}

/// `POST /api/v1/admin/agents`: the new agent.
pub async fn create_agent(request: &CreateAgent) -> Result<AgentView, ApiError> {
    call("POST", routes::ADMIN_AGENTS, Some(request)).await
}

/// `PATCH /api/v1/admin/agents/{id}`: the agent as changed.
pub async fn update_agent(id: u64, request: &UpdateAgent) -> Result<AgentView, ApiError> {
    call("PATCH", &routes::admin_agent(id), Some(request)).await
}

/// `GET /api/v1/admin/channels`: every channel not deleted, oldest first; with
/// `deleted`, the deleted ones too (each with its `deleted_at`).
pub async fn list_channels(deleted: bool) -> Result<ChannelList, ApiError> {
    let url = if deleted {
        format!("{}?deleted=true", routes::ADMIN_CHANNELS)
    } else {
        routes::ADMIN_CHANNELS.to_owned()
    };
    call("GET", &url, None::<&()>).await
}

/// `GET /api/v1/admin/channels/{key}`: one channel (with its snippet as its
/// theme makes it).
pub async fn load_channel(key: &str) -> Result<ChannelView, ApiError> {
    call("GET", &routes::admin_channel(key), None::<&()>).await
}

/// `GET /api/v1/admin/agreements`: every agreement (admins), read only as far
/// as a picker needs.
pub async fn list_agreements() -> Result<AgreementChoices, ApiError> {
    call("GET", routes::ADMIN_AGREEMENTS, None::<&()>).await
}

/// `PUT .../agreement`: the agreement the channel's chat asks for (the answer,
/// which the channel's own view repeats, is not read).
pub async fn save_agreement(key: &str, request: &SetChannelAgreement) -> Result<(), ApiError> {
    send("PUT", &routes::channel_part(key, "agreement"), request).await
}

/// `GET .../form`: the contact form as saved; `None` while the channel has none.
pub async fn load_form(key: &str) -> Result<Option<SetContactForm>, ApiError> {
    not_found_is_none(call("GET", &routes::channel_part(key, "form"), None::<&()>).await)
}

/// `PUT .../form` (the answer, the form as visitors see it, is not read).
pub async fn save_form(key: &str, form: &SetContactForm) -> Result<(), ApiError> {
    send("PUT", &routes::channel_part(key, "form"), form).await
}

/// `GET .../theme`.
pub async fn load_theme(key: &str) -> Result<Theme, ApiError> {
    call("GET", &routes::channel_part(key, "theme"), None::<&()>).await
}

/// `PUT .../theme`: the whole theme; the answer is the theme as stored.
pub async fn save_theme(key: &str, theme: &Theme) -> Result<Theme, ApiError> {
    call("PUT", &routes::channel_part(key, "theme"), Some(theme)).await
}

/// `GET .../identity`.
pub async fn load_identity(key: &str) -> Result<IdentityView, ApiError> {
    call("GET", &routes::channel_part(key, "identity"), None::<&()>).await
}

/// `PUT .../identity`.
pub async fn save_identity(key: &str, settings: &SetIdentity) -> Result<IdentityView, ApiError> {
    call(
        "PUT",
        &routes::channel_part(key, "identity"),
        Some(settings),
    )
    .await
}

/// `POST .../identity/secret`: a new secret, replacing the old one, shown once.
pub async fn new_identity_secret(key: &str) -> Result<IdentitySecret, ApiError> {
    call(
        "POST",
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

/// Sends `body` and reads nothing of the answer but its status.
async fn send<B: Serialize>(method: &str, url: &str, body: &B) -> Result<(), ApiError> {
    let body = encode(body).ok_or(ApiError::Decode)?;
    fetch_text(method, url, Some(body)).await.map(drop)
}

/// `POST /api/v1/admin/channels`: the new channel, with its snippet.
pub async fn create_channel(request: &CreateChannel) -> Result<ChannelView, ApiError> {
    call("POST", routes::ADMIN_CHANNELS, Some(request)).await
}

/// `PATCH /api/v1/admin/channels/{key}`: the channel as changed.
pub async fn update_channel(key: &str, request: &UpdateChannel) -> Result<ChannelView, ApiError> {
    call("PATCH", &routes::admin_channel(key), Some(request)).await
}

/// `DELETE /api/v1/admin/channels/{key}` (204).
pub async fn delete_channel(key: &str) -> Result<(), ApiError> {
    fetch_text("DELETE", &routes::admin_channel(key), None)
        .await
        .map(drop)
}

/// `PUT /api/v1/admin/channels/{key}/managers`: the channel with its new managers.
pub async fn set_managers(key: &str, request: &SetManagers) -> Result<ChannelView, ApiError> {
    call("PUT", &routes::channel_managers(key), Some(request)).await
}

/// `GET /api/v1/admin/conversations?{query}`: a page of the message log.
pub async fn conversation_log(query: &str) -> Result<ConversationLog, ApiError> {
    let url = format!("{}?{query}", routes::CONVERSATIONS);
    call("GET", &url, None::<&()>).await
}

/// `GET /api/v1/agent/conversations/{id}`: one conversation with its history,
/// rating, routing log and labels.
pub async fn conversation_record(id: &str) -> Result<ConversationRecord, ApiError> {
    call("GET", &routes::conversation(id), None::<&()>).await
}

/// `GET /api/v1/agent/labels`: every label, by name.
pub async fn labels() -> Result<Vec<Label>, ApiError> {
    call("GET", routes::LABELS, None::<&()>).await
}

/// `PUT` (`on`) or `DELETE /api/v1/agent/conversations/{id}/labels/{label}`.
pub async fn set_label(conversation_id: &str, label: u64, on: bool) -> Result<(), ApiError> {
    let method = if on { "PUT" } else { "DELETE" };
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
    call("POST", routes::ADMIN_LABELS, Some(request)).await
}

/// `DELETE /api/v1/admin/labels/{id}`: off every conversation, then gone.
pub async fn delete_label(id: u64) -> Result<(), ApiError> {
    fetch_text("DELETE", &routes::admin_label(id), None)
        .await
        .map(drop)
}

/// `GET /api/v1/admin/channels/{key}/routing`.
pub async fn load_routing(key: &str) -> Result<RoutingSettings, ApiError> {
    call("GET", &routes::channel_routing(key), None::<&()>).await
}

/// `PUT /api/v1/admin/channels/{key}/routing`: the settings as stored.
pub async fn save_routing(
    key: &str,
    settings: &RoutingSettings,
) -> Result<RoutingSettings, ApiError> {
    call("PUT", &routes::channel_routing(key), Some(settings)).await
}

/// `GET /api/v1/admin/channels/{key}/hours`: `None` when the channel has none
/// (always open).
pub async fn load_hours(key: &str) -> Result<Option<HoursView>, ApiError> {
    not_found_is_none(call("GET", &routes::channel_hours(key), None::<&()>).await)
}

/// `PUT /api/v1/admin/channels/{key}/hours`: the hours as stored, with the status.
pub async fn save_hours(key: &str, hours: &WorkingHours) -> Result<HoursView, ApiError> {
    call("PUT", &routes::channel_hours(key), Some(hours)).await
}

/// `DELETE /api/v1/admin/channels/{key}/hours`: the channel is always open again.
pub async fn remove_hours(key: &str) -> Result<(), ApiError> {
    fetch_text("DELETE", &routes::channel_hours(key), None)
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
    call("GET", &url, None::<&()>).await
}

/// `POST /api/v1/admin/bans`: the ban as recorded.
pub async fn create_ban(request: &NewBan) -> Result<BanView, ApiError> {
    call("POST", routes::ADMIN_BANS, Some(request)).await
}

/// `DELETE /api/v1/admin/bans/{id}`: the ban, lifted.
pub async fn lift_ban(id: i64) -> Result<BanView, ApiError> {
    call("DELETE", &routes::admin_ban(id), None::<&()>).await
}

/// `GET /api/v1/admin/channels/{key}/canned`.
pub async fn list_canned(key: &str) -> Result<CannedList, ApiError> {
    call("GET", &routes::channel_canned(key), None::<&()>).await
}

/// `POST /api/v1/admin/channels/{key}/canned`: the answer as stored.
pub async fn create_canned(key: &str, draft: &CannedDraft) -> Result<CannedAnswer, ApiError> {
    call("POST", &routes::channel_canned(key), Some(draft)).await
}

/// `PUT /api/v1/admin/channels/{key}/canned/{id}`: the answer as changed.
pub async fn update_canned(
    key: &str,
    id: i64,
    draft: &CannedDraft,
) -> Result<CannedAnswer, ApiError> {
    call("PUT", &routes::channel_canned_one(key, id), Some(draft)).await
}

/// `DELETE /api/v1/admin/channels/{key}/canned/{id}` (204).
pub async fn delete_canned(key: &str, id: i64) -> Result<(), ApiError> {
    fetch_text("DELETE", &routes::channel_canned_one(key, id), None)
        .await
        .map(drop)
}

/// `GET /api/v1/agent/conversations/{id}/canned`: the answers for a reply there.
pub async fn reply_canned(conversation_id: &str) -> Result<CannedList, ApiError> {
    call("GET", &routes::reply_canned(conversation_id), None::<&()>).await
}

/// `GET /api/v1/agent/conversations/{id}/crm`: the customer card.
pub async fn conversation_crm(conversation_id: &str) -> Result<ConversationCrm, ApiError> {
    call(
        "GET",
        &routes::conversation_crm(conversation_id),
        None::<&()>,
    )
    .await
}

/// `POST /api/v1/agent/conversations/{id}/crm`: "save to CRM" (the card it
/// answers is loaded again by the caller, so it is not read here).
pub async fn save_crm(conversation_id: &str) -> Result<(), ApiError> {
    fetch_text("POST", &routes::conversation_crm(conversation_id), None)
        .await
        .map(drop)
}

async fn call<B: Serialize, T: DeserializeOwned>(
    method: &str,
    url: &str,
    body: Option<&B>,
) -> Result<T, ApiError> {
    let body = match body {
        Some(body) => Some(encode(body).ok_or(ApiError::Decode)?),
        None => None,
    };
    let text = fetch_text(method, url, body).await?;
    decode(&text).ok_or(ApiError::Decode)
}

/// The one non-generic `fetch`: the body of a 2xx answer, or the error.
async fn fetch_text(method: &str, url: &str, body: Option<String>) -> Result<String, ApiError> {
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let init = RequestInit::new();
    init.set_method(method);
    // The session cookie, and only to our own origin.
    init.set_credentials(RequestCredentials::SameOrigin);
    if let Some(body) = body {
        let headers = Headers::new().map_err(|_| ApiError::Network)?;
        headers
            .set("content-type", "application/json")
            .map_err(|_| ApiError::Network)?;
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&body));
    }
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| ApiError::Network)?
        .dyn_into()
        .map_err(|_| ApiError::Network)?;
    let text = JsFuture::from(response.text().map_err(|_| ApiError::Network)?)
        .await
        .map_err(|_| ApiError::Network)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        Err(status_error(response.status(), &text))
    }
}

/// An error status with what can be read of the server's `{"error": ...}` body.
pub fn status_error(status: u16, body: &str) -> ApiError {
    let detail = decode::<ErrorBody>(body).map(|b| b.error);
    ApiError::Status {
        status,
        code: detail.as_ref().map(|d| d.code),
        message: detail.map(|d| d.message),
    }
}

/// A random id for reply client ids: 128 bits from `crypto.getRandomValues`, as 32
/// hex digits. `None` if the browser has no crypto.
pub fn random_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    web_sys::window()?
        .crypto()
        .ok()?
        .get_random_values_with_u8_array(&mut bytes)
        .ok()?;
    Some(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

/// Reads a frame of the agent socket; `None` for anything that is not one.
pub fn decode_frame(text: &str) -> Option<AgentServerFrame> {
    decode(text)
}

/// The socket URL for a page at `protocol` (`https:`) and `host` (`a.example:8080`).
pub fn socket_url(protocol: &str, host: &str) -> String {
    let scheme = if protocol == "https:" { "wss:" } else { "ws:" };
    format!("{scheme}//{host}{}", routes::SOCKET)
}

/// What the agent socket reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEvent {
    /// Connected; the server's `welcome` follows.
    Open,
    /// A frame from the server. Frames that do not parse are dropped.
    Frame(Box<AgentServerFrame>),
    /// The connection ended (or never came up).
    Closed,
}

type Handler<A> = Closure<dyn FnMut(A)>;

/// The agent WebSocket at `/api/v1/agent/ws` of the console's own host. Dropping
/// it closes the connection and silences its handlers.
pub struct Socket {
    ws: WebSocket,
    _on_open: Handler<JsValue>,
    _on_message: Handler<MessageEvent>,
    _on_close: Handler<JsValue>,
}

impl Socket {
    /// Connects; `on_event` hears about it from then on.
    pub fn open(on_event: impl Fn(SocketEvent) + 'static) -> Result<Self, ApiError> {
        let location = web_sys::window().ok_or(ApiError::Network)?.location();
        let protocol = location.protocol().map_err(|_| ApiError::Network)?;
        let host = location.host().map_err(|_| ApiError::Network)?;
        let ws = WebSocket::new(&socket_url(&protocol, &host)).map_err(|_| ApiError::Network)?;

        let on_event = Rc::new(on_event);
        let on_open: Handler<JsValue> = {
            let on_event = Rc::clone(&on_event);
            Closure::new(move |_| on_event(SocketEvent::Open))
        };
        let on_message: Handler<MessageEvent> = {
            let on_event = Rc::clone(&on_event);
            Closure::new(move |event: MessageEvent| {
                let frame = event
                    .data()
                    .as_string()
                    .and_then(|text| decode_frame(&text));
                if let Some(frame) = frame {
                    on_event(SocketEvent::Frame(Box::new(frame)));
                }
            })
        };
        let on_close: Handler<JsValue> = Closure::new(move |_| on_event(SocketEvent::Closed));
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Sends a frame; `false` if the socket is not open.
    pub fn send(&self, frame: &AgentClientFrame) -> bool {
        self.ws.ready_state() == WebSocket::OPEN
            && encode(frame).is_some_and(|text| self.ws.send_with_str(&text).is_ok())
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

// Native tier: `cargo test -p canal-console` (no browser needed). What goes through
// the browser's JSON ([`decode`], [`encode`], [`status_error`]) is tested in
// Chromium, in tests/console.rs ("the wire").
/// `GET /api/v1/agent/notices`: the signed-in employee's overdue KPI notices.
pub async fn overdue_notices() -> Result<canal_protocol::kpi::NoticeList, ApiError> {
    call("GET", routes::NOTICES, None::<&()>).await
}

/// `POST /api/v1/agent/notices/read`: the employee read their notices up to `up_to`.
pub async fn read_overdue_notices(
    up_to: u64,
) -> Result<canal_protocol::kpi::NoticesMarked, ApiError> {
    let read = canal_protocol::kpi::NoticesRead { up_to };
    call("POST", routes::NOTICES_READ, Some(&read)).await
}

/// `GET /api/v1/admin/reports/conversations?{query}`: the conversations of a period
/// with their response-time figures.
pub async fn report_conversations(
    query: &str,
) -> Result<canal_protocol::kpi::ConversationReport, ApiError> {
    let url = format!("{}?{query}", routes::REPORT_CONVERSATIONS);
    call("GET", &url, None::<&()>).await
}

/// `GET /api/v1/admin/reports/agents?{query}`: each agent's figures.
pub async fn report_agents(query: &str) -> Result<canal_protocol::kpi::AgentReport, ApiError> {
    let url = format!("{}?{query}", routes::REPORT_AGENTS);
    call("GET", &url, None::<&()>).await
}

/// `GET /api/v1/admin/channels/{key}/automation`: the channel's automatic actions.
pub async fn load_automation(
    key: &str,
) -> Result<canal_protocol::automation::AutomationSettings, ApiError> {
    call("GET", &routes::channel_automation(key), None::<&()>).await
}

/// `PUT /api/v1/admin/channels/{key}/automation`: the settings as stored.
pub async fn save_automation(
    key: &str,
    settings: &canal_protocol::automation::AutomationSettings,
) -> Result<canal_protocol::automation::AutomationSettings, ApiError> {
    call("PUT", &routes::channel_automation(key), Some(settings)).await
}

/// `GET /api/v1/admin/channels/{key}/crm`: the channel's CRM settings.
pub async fn load_crm_settings(key: &str) -> Result<canal_protocol::crm::CrmSettings, ApiError> {
    call("GET", &routes::channel_crm(key), None::<&()>).await
}

/// `PUT /api/v1/admin/channels/{key}/crm`: the settings as stored.
pub async fn save_crm_settings(
    key: &str,
    settings: &canal_protocol::crm::CrmSettings,
) -> Result<canal_protocol::crm::CrmSettings, ApiError> {
    call("PUT", &routes::channel_crm(key), Some(settings)).await
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn socket_follows_the_page_scheme() {
        assert_eq!(
            socket_url("https:", "chat.example"),
            "wss://chat.example/api/v1/agent/ws"
        );
        assert_eq!(
            socket_url("http:", "127.0.0.1:8080"),
            "ws://127.0.0.1:8080/api/v1/agent/ws"
        );
    }

    #[test]
    fn ids_are_lower_hex() {
        assert_eq!(hex(&[0x00, 0x9f, 0xff]), "009fff");
    }

    #[test]
    fn admin_routes_keep_the_key_one_segment() {
        assert_eq!(
            routes::channel_routing("demo"),
            "/api/v1/admin/channels/demo/routing"
        );
        assert_eq!(
            routes::channel_routing("a/b c?"),
            "/api/v1/admin/channels/a%2Fb%20c%3F/routing"
        );
        assert_eq!(routes::admin_agent(7), "/api/v1/admin/agents/7");
        assert_eq!(
            routes::admin_channel("shop-2"),
            "/api/v1/admin/channels/shop-2"
        );
        assert_eq!(routes::admin_channel("a/b"), "/api/v1/admin/channels/a%2Fb");
        assert_eq!(
            routes::channel_hours("a/b"),
            "/api/v1/admin/channels/a%2Fb/hours"
        );
    }
}
