//! Identity verification for `Canal.setUser`: the site's server signs the user id
//! with the channel's secret, `hash = hex(HMAC-SHA256(secret, id + "." + time))`;
//! Canal checks the hash and its age (see [`canal_core::identity`]), and keeps the
//! identity on the visitor. A channel that enforces verification refuses
//! identities without a valid hash.

use canal_protocol::admin::{IdentityView, SetIdentity};
use canal_protocol::agent::VisitorIdentity;
use canal_protocol::VisitorUser;
use canal_store::Store;

use super::visitors::consenting_visitor;
use crate::app::AppState;
use crate::error::AppError;
use crate::store::Channel;

/// A channel's identity settings.
pub use canal_store::features::IdentitySettings as Settings;

async fn settings(store: &Store, channel_id: &str) -> Result<Settings, canal_store::Error> {
    store.identity_settings(channel_id).await
}

/// The rules the channel's settings set for [`canal_core::identity::check`].
fn policy(settings: &Settings) -> canal_core::identity::Policy<'_> {
    canal_core::identity::Policy {
        secret: settings.identity_secret.as_deref(),
        window_secs: u64::try_from(settings.identity_window_secs).unwrap_or(3600),
        enforced: settings.identity_enforced,
    }
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

/// The visitor (by their token) tells who they are: checked against the channel's
/// rules, kept on the visitor (replacing an earlier identity), and shown in the
/// consoles. Answers whether the identity is verified.
pub async fn identify(
    state: &AppState,
    channel: &Channel,
    visitor_token: &str,
    user: &VisitorUser,
) -> Result<bool, AppError> {
    let visitor_id = consenting_visitor(state, channel, visitor_token).await?;
    let settings = settings(&state.store, &channel.id).await?;
    let unix_now = crate::clock::now_millis() / 1000;
    let identity = canal_core::identity::check(policy(&settings), user, unix_now)?;
    let row = canal_store::features::VisitorUser {
        user_id: identity.user_id.clone(),
        name: identity.name.clone(),
        email: identity.email.clone(),
        phone: identity.phone.clone(),
        verified: identity.verified,
    };
    state.store.attach_user(&visitor_id, &row).await?;
    let s = super::crm::settings(state, &channel.id).await?;
    let details = super::crm::given(
        &s,
        row.name.as_deref(),
        row.phone.as_deref(),
        row.email.as_deref(),
    );
    super::crm::track_logged(
        state,
        &channel.id,
        &visitor_id,
        None,
        &details,
        super::crm::Origin::Livechat,
    )
    .await;
    let verified = identity.verified;
    state
        .dispatch
        .visitor_identified(&visitor_id, identity)
        .await;
    Ok(verified)
}

fn view(s: &Settings) -> IdentityView {
    IdentityView {
        enforced: s.identity_enforced,
        window_secs: u64::try_from(s.identity_window_secs).unwrap_or(3600),
        has_secret: s.identity_secret.is_some(),
    }
}

/// The channel's identity settings as the admin sees them (never the secret).
pub async fn settings_view(state: &AppState, channel: &Channel) -> Result<IdentityView, AppError> {
    Ok(view(&settings(&state.store, &channel.id).await?))
}

/// Saves the channel's identity settings (enforcing needs a secret first).
pub async fn save_settings(
    state: &AppState,
    channel: &Channel,
    request: &SetIdentity,
) -> Result<IdentityView, AppError> {
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
    settings_view(state, channel).await
}

/// A new signing secret for the channel (replacing the old one): shown once.
pub async fn new_secret(state: &AppState, channel: &Channel) -> Result<String, AppError> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = format!("canal_id_{}", URL_SAFE_NO_PAD.encode(bytes));
    state
        .store
        .put_identity_secret(&channel.id, &secret)
        .await?;
    Ok(secret)
}
