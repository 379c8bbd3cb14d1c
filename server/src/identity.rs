//! Identity verification for `Canal.setUser`: the site's server signs the user id
//! with the channel's secret, `hash = hex(HMAC-SHA256(secret, id + "." + time))`;
//! Canal checks the hash and its age, and keeps the identity on the visitor. A
//! channel that enforces verification refuses identities without a valid hash.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use canal_protocol::admin::{IdentitySecret, IdentityView, SetIdentity};
use canal_protocol::agent::VisitorIdentity;
use canal_protocol::{ErrorCode, Identified, IdentifyRequest, VisitorUser};
use canal_store::Store;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::admin::Admin;
use crate::app::AppState;
use crate::error::{ApiJson, AppError};

/// Longest user id, in bytes.
pub const MAX_USER_ID_BYTES: usize = 128;
/// Longest phone, in characters.
pub const MAX_PHONE_CHARS: usize = 32;
/// How far into the future an identity's `time` may lie (the site's clock running
/// ahead of Canal's), in seconds. A hash stamped later is refused: it would stay
/// valid for longer than the channel's window.
pub const MAX_CLOCK_SKEW_SECS: u64 = 300;

/// A channel's identity settings.
pub use canal_store::features::IdentitySettings as Settings;

pub async fn settings(store: &Store, channel_id: &str) -> Result<Settings, canal_store::Error> {
    store.identity_settings(channel_id).await
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::unprocessable(ErrorCode::InvalidField, message)
}

fn refused(message: &str) -> AppError {
    AppError::client(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
}

/// HMAC-SHA256 over `id + "." + time` with the channel's secret.
fn mac(secret: &str, id: &str, time: u64) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(format!("{id}.{time}").as_bytes());
    mac
}

/// The hash a site's server computes for `id` at `time`.
pub fn sign(secret: &str, id: &str, time: u64) -> String {
    canal_core::hex(&mac(secret, id, time).finalize().into_bytes())
}

/// Checks a `setUser` identity: its fields, and its hash against the channel's
/// secret and window at `now` (Unix seconds). Returns the identity to keep.
pub fn check(
    settings: &Settings,
    user: &VisitorUser,
    now: u64,
) -> Result<VisitorIdentity, AppError> {
    let id = user.id.trim();
    if id.is_empty() || id.len() > MAX_USER_ID_BYTES || id.chars().any(char::is_control) {
        return Err(invalid(format!(
            "user.id must be 1 to {MAX_USER_ID_BYTES} bytes without control characters"
        )));
    }
    let name = user.name.as_deref().map(crate::agents::name).transpose()?;
    let email = user
        .email
        .as_deref()
        .map(crate::agents::email)
        .transpose()?;
    let phone = user.phone.as_deref().map(phone).transpose()?;
    let verified = match (&user.hash, user.time) {
        (Some(hash), Some(time)) => {
            let secret = settings.identity_secret.as_deref().ok_or_else(|| {
                invalid("this channel has no identity secret: create one in the admin API first")
            })?;
            let window = u64::try_from(settings.identity_window_secs).unwrap_or(3600);
            if time > now.saturating_add(MAX_CLOCK_SKEW_SECS) {
                return Err(refused(
                    "the identity's time is more than 5 minutes in the future: check the clock of the server that signs it",
                ));
            }
            if now.saturating_sub(time) > window {
                return Err(refused("the identity hash has expired: sign again"));
            }
            // Compared as MACs, in constant time.
            let given = decode_hex(hash).ok_or_else(|| refused("the identity hash is wrong"))?;
            mac(secret, &user.id, time)
                .verify_slice(&given)
                .map_err(|_| refused("the identity hash is wrong"))?;
            true
        }
        (Some(_), None) => return Err(invalid("user.time is required with user.hash")),
        (None, _) if settings.identity_enforced => {
            return Err(refused(
                "this channel accepts only verified identities: pass hash and time",
            ))
        }
        (None, _) => false,
    };
    Ok(VisitorIdentity {
        user_id: id.to_owned(),
        name,
        email,
        phone,
        verified,
    })
}

/// A phone number in E.164 form (`+` and digits), from what people type.
pub fn phone(raw: &str) -> Result<String, AppError> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let allowed = raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'));
    if !allowed || raw.chars().count() > MAX_PHONE_CHARS || !(7..=15).contains(&digits.len()) {
        return Err(invalid(
            "user.phone must be a phone number, e.g. +34 600 123 456",
        ));
    }
    Ok(format!("+{digits}"))
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.len() > 128 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
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
    let identity = check(&settings, &request.user, unix_now())?;
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
    if !(60..=604_800).contains(&request.window_secs) {
        return Err(invalid(
            "window_secs must be between 60 and 604800 (7 days)",
        ));
    }
    let current = settings(&state.store, &channel.id).await?;
    if request.enforced && current.identity_secret.is_none() {
        return Err(invalid(
            "create an identity secret before enforcing verification",
        ));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn with_secret(enforced: bool) -> Settings {
        Settings {
            identity_secret: Some("s3cret".into()),
            identity_enforced: enforced,
            identity_window_secs: 3600,
        }
    }

    fn user(hash: Option<String>, time: Option<u64>) -> VisitorUser {
        VisitorUser {
            id: "u-42".into(),
            name: Some("Marta".into()),
            email: Some("Marta@Example.com".into()),
            phone: Some("+34 600-123-456".into()),
            hash,
            time,
        }
    }

    #[test]
    fn a_fresh_correct_hash_verifies_and_fields_are_normalised() {
        let now = 1_800_000_000;
        let hash = sign("s3cret", "u-42", now - 10);
        let identity =
            check(&with_secret(true), &user(Some(hash), Some(now - 10)), now).expect("verified");
        assert!(identity.verified);
        assert_eq!(identity.email.as_deref(), Some("marta@example.com"));
        assert_eq!(identity.phone.as_deref(), Some("+34600123456"));
    }

    #[test]
    fn wrong_expired_or_missing_hashes_are_refused() {
        let now = 1_800_000_000;
        let wrong = sign("other", "u-42", now);
        assert!(check(&with_secret(false), &user(Some(wrong), Some(now)), now).is_err());
        let old = sign("s3cret", "u-42", now - 3601);
        assert!(check(&with_secret(false), &user(Some(old), Some(now - 3601)), now).is_err());
        let for_other_time = sign("s3cret", "u-42", now - 5);
        assert!(check(
            &with_secret(false),
            &user(Some(for_other_time), Some(now)),
            now
        )
        .is_err());
        assert!(check(
            &with_secret(false),
            &user(Some("zz".into()), Some(now)),
            now
        )
        .is_err());
        // Unverified: refused when enforced, kept as unverified otherwise.
        assert!(check(&with_secret(true), &user(None, None), now).is_err());
        let loose = check(&with_secret(false), &user(None, None), now).expect("accepted");
        assert!(!loose.verified);
    }

    /// The code of a refusal (panics on success).
    fn refusal(result: Result<VisitorIdentity, AppError>) -> ErrorCode {
        match result {
            Ok(identity) => panic!("accepted: {identity:?}"),
            Err(e) => e.public().0,
        }
    }

    #[test]
    fn a_hash_is_valid_from_five_minutes_ahead_to_the_window_behind() {
        let now = 1_800_000_000;
        let at = |time: u64| {
            let hash = sign("s3cret", "u-42", time);
            check(&with_secret(true), &user(Some(hash), Some(time)), now)
        };
        // The future edge: the site's clock may run 5 minutes ahead, no more.
        assert!(at(now + MAX_CLOCK_SKEW_SECS).is_ok_and(|i| i.verified));
        assert_eq!(
            refusal(at(now + MAX_CLOCK_SKEW_SECS + 1)),
            ErrorCode::Unauthorized
        );
        // Signed an hour ahead: refused now, not valid for two hours.
        assert_eq!(refusal(at(now + 3600)), ErrorCode::Unauthorized);
        // The past edge: the channel's window (an hour here).
        assert!(at(now - 3600).is_ok_and(|i| i.verified));
        assert_eq!(refusal(at(now - 3601)), ErrorCode::Unauthorized);
        assert!(at(now).is_ok_and(|i| i.verified));
    }

    #[test]
    fn bad_fields_are_refused() {
        let now = 1_800_000_000;
        let mut u = user(None, None);
        u.phone = Some("call me".into());
        assert!(check(&with_secret(false), &u, now).is_err());
        let mut u = user(None, None);
        u.id = " ".into();
        assert!(check(&with_secret(false), &u, now).is_err());
    }
}
