//! Identity verification for `Canal.setUser`: the site's server signs the user id
//! with the channel's secret, `hash = hex(HMAC-SHA256(secret, id + "." + time))`;
//! Canal checks the hash and its age, and keeps the identity on the visitor. A
//! channel that enforces verification refuses identities without a valid hash.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use canal_protocol::admin::{IdentitySecret, IdentityView, SetIdentity};
use canal_protocol::agent::VisitorIdentity;
use canal_protocol::{Identified, IdentifyRequest};
use canal_store::Store;

use crate::admin::Admin;
use crate::app::AppState;
use crate::error::{ApiJson, AppError};

pub use canal_core::identity::{sign, MAX_CLOCK_SKEW_SECS, MAX_USER_ID_BYTES};

/// A channel's identity settings.
pub use canal_store::features::IdentitySettings as Settings;

pub async fn settings(store: &Store, channel_id: &str) -> Result<Settings, canal_store::Error> {
    store.identity_settings(channel_id).await
}

/// The rules the channel's settings set for [`canal_core::identity::check`].
pub fn policy(settings: &Settings) -> canal_core::identity::Policy<'_> {
    canal_core::identity::Policy {
        secret: settings.identity_secret.as_deref(),
        window_secs: u64::try_from(settings.identity_window_secs).unwrap_or(3600),
        enforced: settings.identity_enforced,
    }
}

/// Keeps the identity on the visitor (replacing an earlier one).
pub async fn attach(
    store: &Store,
    visitor_id: &str,
    identity: &VisitorIdentity,
) -> Result<(), canal_store::Error> {
    let user = canal_store::features::VisitorUser {
        user_id: identity.user_id.clone(),
        name: identity.name.clone(),
        email: identity.email.clone(),
        phone: identity.phone.clone(),
        verified: identity.verified,
    };
    store.attach_user(visitor_id, &user).await
}

/// The identity kept on a visitor, if any.
pub async fn of_visitor(
    store: &Store,
    visitor_id: &str,
) -> Result<Option<VisitorIdentity>, canal_store::Error> {
    Ok(store
        .visitor_user(visitor_id)
        .await?
        .map(|u| VisitorIdentity {
            user_id: u.user_id,
            name: u.name,
            email: u.email,
            phone: u.phone,
            verified: u.verified,
        }))
}

fn unix_now() -> u64 {
    crate::clock::now_millis() / 1000
}

/// `POST /api/v1/channels/{key}/identify`
pub async fn identify(
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<IdentifyRequest>,
) -> Result<Json<Identified>, AppError> {
    let channel = crate::api::channel(&state, &key).await?;
    let visitor_id =
        crate::api::consenting_visitor(&state, &channel, &request.visitor_token).await?;
    let settings = settings(&state.store, &channel.id).await?;
    let identity = canal_core::identity::check(policy(&settings), &request.user, unix_now())?;
    attach(&state.store, &visitor_id, &identity).await?;
    state
        .dispatch
        .visitor_identified(&visitor_id, identity.clone())
        .await;
    Ok(Json(Identified {
        verified: identity.verified,
    }))
}

fn view(s: &Settings) -> IdentityView {
    IdentityView {
        enforced: s.identity_enforced,
        window_secs: u64::try_from(s.identity_window_secs).unwrap_or(3600),
        has_secret: s.identity_secret.is_some(),
    }
}

/// `GET /api/v1/admin/channels/{key}/identity`
pub async fn get_settings(
    _: Admin,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<IdentityView>, AppError> {
    let channel = crate::api::channel(&state, &key).await?;
    Ok(Json(view(&settings(&state.store, &channel.id).await?)))
}

/// `PUT /api/v1/admin/channels/{key}/identity`
pub async fn put_settings(
    _: Admin,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<SetIdentity>,
) -> Result<Json<IdentityView>, AppError> {
    let channel = crate::api::channel(&state, &key).await?;
    let current = settings(&state.store, &channel.id).await?;
    canal_core::identity::check_settings(
        request.window_secs,
        request.enforced,
        current.identity_secret.is_some(),
    )?;
    state
        .store
        .put_identity_settings(
            &channel.id,
            request.enforced,
            i64::try_from(request.window_secs).unwrap_or(3600),
        )
        .await?;
    Ok(Json(view(&settings(&state.store, &channel.id).await?)))
}

/// `POST /api/v1/admin/channels/{key}/identity/secret`
pub async fn new_secret(
    _: Admin,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<(StatusCode, Json<IdentitySecret>), AppError> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use rand::RngCore;
    let channel = crate::api::channel(&state, &key).await?;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = format!("canal_id_{}", URL_SAFE_NO_PAD.encode(bytes));
    state
        .store
        .put_identity_secret(&channel.id, &secret)
        .await?;
    Ok((StatusCode::CREATED, Json(IdentitySecret { secret })))
}
