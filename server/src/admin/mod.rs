//! The admin API under `/api/v1/admin/`, guarded by the admin token.
//!
//! The token comes from `--admin-token` / `CANAL_ADMIN_TOKEN`; when neither is set,
//! one is generated on first start, printed once, and only its SHA-256 is kept (in
//! `settings`). Requests carry it as `Authorization: Bearer <token>`.

pub mod agreements;
pub mod bans;
pub mod canned;
pub mod channels;
pub mod consents;
pub mod conversations;
pub mod crm;
pub mod keys;
pub mod labels;
pub mod reports;
pub mod routing;
pub mod webhooks;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use canal_protocol::ErrorCode;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::agents::AgentWire;
use crate::app::AppState;
use crate::error::AppError;
use crate::store::Store;
use canal_core::hex;

const TOKEN_SETTING: &str = "admin_token_sha256";

/// SHA-256 of a token, hex.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The hash admin requests are checked against, and the token when this call
/// generated it (to print once).
pub async fn ensure_token(
    store: &Store,
    configured: Option<&str>,
) -> Result<(String, Option<String>), canal_store::Error> {
    if let Some(token) = configured {
        return Ok((token_hash(token), None));
    }
    let mut generated = None;
    let hash = store
        .setting_or_insert(TOKEN_SETTING, || {
            let mut bytes = [0u8; 24];
            rand::thread_rng().fill_bytes(&mut bytes);
            let token = format!("canal_admin_{}", URL_SAFE_NO_PAD.encode(bytes));
            let hash = token_hash(&token);
            generated = Some(token);
            hash
        })
        .await?;
    // Another process may have won the insert: only report ours if it is the one kept.
    let generated = generated.filter(|t| token_hash(t) == hash);
    Ok((hash, generated))
}

/// Proof that the request carried the admin token, or came from the console of an
/// agent with the `admin` role. Add it to a handler's arguments.
pub struct Admin;

/// Who an admin-API request comes from: the admin token, a console session, or an
/// API key (not revoked).
enum Caller {
    Token,
    Agent(crate::store::AgentRow),
    Key(crate::store::integrations::ApiKeyRow),
}

/// Reads the caller once: the bearer token (the admin token, else an API key,
/// checked by hash), else the session cookie (SameSite=Strict, so not from other
/// sites); 401 for none or an unknown or revoked key.
async fn caller(parts: &Parts, state: &AppState) -> Result<Caller, AppError> {
    let presented = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let unauthorized = || {
        AppError::client(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "send the admin token as Authorization: Bearer <token>",
        )
    };
    match presented {
        // Comparing hashes: the time taken says nothing about the token.
        Some(token) if token_hash(token) == *state.admin_token_sha256 => Ok(Caller::Token),
        Some(token) if token.starts_with(keys::KEY_PREFIX) => {
            match state.store.api_key_by_hash(&token_hash(token)).await? {
                Some(key) if key.revoked_at.is_none() => Ok(Caller::Key(key)),
                Some(_) => Err(AppError::client(
                    StatusCode::UNAUTHORIZED,
                    ErrorCode::Unauthorized,
                    "this API key was revoked",
                )),
                None => Err(unauthorized()),
            }
        }
        Some(_) => Err(unauthorized()),
        None if crate::agent_api::session_token(&parts.headers).is_some() => Ok(Caller::Agent(
            crate::agent_api::signed_in(state, &parts.headers).await?,
        )),
        None => Err(unauthorized()),
    }
}

fn keys_refused() -> AppError {
    AppError::client(
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
        "API keys may only call the routes of their scopes; this one takes the admin token or an admin's session",
    )
}

fn admins_only() -> AppError {
    AppError::client(
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
        "only agents with the admin role may change settings",
    )
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match caller(parts, state).await? {
            Caller::Token => Ok(Admin),
            Caller::Agent(agent) if agent.role() == canal_protocol::agent::Role::Admin => Ok(Admin),
            Caller::Agent(_) => Err(admins_only()),
            Caller::Key(_) => Err(keys_refused()),
        }
    }
}

/// The scopes routes name in [`Allowed`]: one marker type per
/// [`canal_protocol::integrations::Scope`].
pub mod scope {
    use canal_protocol::integrations::Scope;

    /// A route's scope, as a type.
    pub trait RouteScope: Send + Sync + 'static {
        const SCOPE: Scope;
    }

    macro_rules! markers {
        ($($name:ident),*) => {$(
            #[doc = concat!("[`Scope::", stringify!($name), "`]")]
            pub struct $name;
            impl RouteScope for $name {
                const SCOPE: Scope = Scope::$name;
            }
        )*};
    }
    markers!(
        ReadConversations,
        WriteMessages,
        ReadCrm,
        ManageConnectors,
        ReadConsents,
        ManageWebhooks
    );
}

/// Proof that the caller may use a route of scope `S`: the admin token, an
/// admin's console session, or an API key that has `S` (403 for a key without it,
/// and for other agents). `.0` names the caller for the records they leave.
pub struct Allowed<S>(pub String, std::marker::PhantomData<S>);

impl<S: scope::RouteScope> FromRequestParts<AppState> for Allowed<S> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let who = match caller(parts, state).await? {
            Caller::Token => "admin token".to_owned(),
            Caller::Agent(agent) if agent.role() == canal_protocol::agent::Role::Admin => {
                format!("agent {} <{}>", agent.id, agent.email)
            }
            Caller::Agent(_) => return Err(admins_only()),
            Caller::Key(key) => {
                if !keys::scopes(&key.scopes).contains(&S::SCOPE) {
                    return Err(AppError::client(
                        StatusCode::FORBIDDEN,
                        ErrorCode::Forbidden,
                        format!("this API key lacks the scope {}", S::SCOPE.as_str()),
                    ));
                }
                format!("API key {} ({})", key.prefix, key.name)
            }
        };
        Ok(Allowed(who, std::marker::PhantomData))
    }
}

/// [`Admin`], naming who the caller is for the records they leave: `admin token`,
/// or `agent ID <e-mail>`.
pub struct AdminWho(pub String);

impl FromRequestParts<AppState> for AdminWho {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match caller(parts, state).await? {
            Caller::Token => Ok(AdminWho("admin token".to_owned())),
            Caller::Agent(agent) if agent.role() == canal_protocol::agent::Role::Admin => {
                Ok(AdminWho(format!("agent {} <{}>", agent.id, agent.email)))
            }
            Caller::Agent(_) => Err(admins_only()),
            Caller::Key(_) => Err(keys_refused()),
        }
    }
}

/// Who may configure channels: the admin token or an admin (every channel), or a
/// signed-in supervisor (the channels that name them among their managers).
pub enum Configurer {
    Admin,
    Supervisor(i64),
}

impl FromRequestParts<AppState> for Configurer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        use canal_protocol::agent::Role;
        match caller(parts, state).await? {
            Caller::Token => Ok(Configurer::Admin),
            Caller::Agent(agent) => match agent.role() {
                Role::Admin => Ok(Configurer::Admin),
                Role::Supervisor => Ok(Configurer::Supervisor(agent.id)),
                Role::Agent => Err(admins_only()),
            },
            Caller::Key(_) => Err(keys_refused()),
        }
    }
}

impl Configurer {
    /// Whether this caller may configure the channel.
    pub async fn may_configure(
        &self,
        state: &AppState,
        channel_id: &str,
    ) -> Result<bool, AppError> {
        match self {
            Configurer::Admin => Ok(true),
            Configurer::Supervisor(id) => Ok(state.store.manages(*id, channel_id).await?),
        }
    }
}

/// Proof that the caller may configure the channel the path names (`{key}`): an
/// admin, or a supervisor among the channel's managers (403 for other
/// supervisors, nothing changed). An unknown key is left to the handler (404).
pub struct Manager;

impl FromRequestParts<AppState> for Manager {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let configurer = Configurer::from_request_parts(parts, state).await?;
        if let Configurer::Admin = configurer {
            return Ok(Manager);
        }
        let key =
            axum::extract::Path::<std::collections::HashMap<String, String>>::from_request_parts(
                parts, state,
            )
            .await
            .ok()
            .and_then(|axum::extract::Path(params)| params.get("key").cloned());
        let channel = match &key {
            Some(key) => state.store.channel_by_key(key).await?,
            None => None,
        };
        match channel {
            Some(channel) if configurer.may_configure(state, &channel.id).await? => Ok(Manager),
            Some(_) => Err(AppError::client(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "a supervisor may only configure the channels that name them as a manager",
            )),
            None => Ok(Manager),
        }
    }
}

/// Routes under `/api/v1/admin`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/consents", get(consents::list))
        .route("/consents/state", get(consents::state))
        .route("/consents/{id}", get(consents::one))
        .route("/consents/withdrawals", post(consents::withdraw))
        .route("/conversations/{id}/crm-link", post(consents::crm_link))
        .route(
            "/channels/{key}/origins",
            axum::routing::put(consents::set_origins),
        )
        .route(
            "/channels/{key}/messenger/inbound",
            post(crate::messenger::inbound),
        )
        .route(
            "/channels/{key}/identity",
            get(crate::identity::get_settings).put(crate::identity::put_settings),
        )
        .route(
            "/channels/{key}/form",
            get(crate::forms::get_admin_form).put(crate::forms::put_form),
        )
        .route(
            "/channels/{key}/automation",
            get(crate::timers::get_automation).put(crate::timers::put_automation),
        )
        .route(
            "/channels/{key}/hours",
            get(crate::hours::get_hours)
                .put(crate::hours::put_hours)
                .delete(crate::hours::delete_hours),
        )
        .route(
            "/channels/{key}/identity/secret",
            post(crate::identity::new_secret),
        )
        .route(
            "/channels/{key}/theme",
            get(crate::theme::get_theme).put(crate::theme::put_theme),
        )
        .route("/channels/{key}/snippet", get(crate::theme::get_snippet))
        .merge(agreements::routes())
        .merge(bans::routes())
        .merge(canned::routes())
        .merge(channels::routes())
        .merge(conversations::routes())
        .merge(crm::routes())
        .merge(keys::routes())
        .merge(crate::connectors::admin_routes())
        .merge(webhooks::routes())
        .merge(labels::routes())
        .merge(reports::routes())
        .merge(routing::routes())
}
