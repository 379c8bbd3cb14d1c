//! The admin API under `/api/v1/admin/`, guarded by the admin token.
//!
//! The token comes from `--admin-token` / `CANAL_ADMIN_TOKEN`; when neither is set,
//! one is generated on first start, printed once, and only its SHA-256 is kept (in
//! `settings`). Requests carry it as `Authorization: Bearer <token>`.

pub mod agreements;
pub mod channels;
pub mod consents;
pub mod conversations;
pub mod routing;

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

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
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
            Some(token) if token_hash(token) == *state.admin_token_sha256 => Ok(Admin),
            Some(_) => Err(unauthorized()),
            // The console's session cookie (SameSite=Strict, so not from other sites).
            None if crate::agent_api::session_token(&parts.headers).is_some() => {
                let agent = crate::agent_api::signed_in(state, &parts.headers).await?;
                if agent.role() == canal_protocol::agent::Role::Admin {
                    Ok(Admin)
                } else {
                    Err(AppError::client(
                        StatusCode::FORBIDDEN,
                        ErrorCode::Forbidden,
                        "only agents with the admin role may change settings",
                    ))
                }
            }
            None => Err(unauthorized()),
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
            axum::routing::put(crate::forms::put_form),
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
        .merge(channels::routes())
        .merge(conversations::routes())
        .merge(routing::routes())
}
