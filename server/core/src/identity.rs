//! Identity verification for `Canal.setUser`: the site's server signs the user id
//! with the channel's secret, `hash = hex(HMAC-SHA256(secret, id + "." + time))`;
//! Canal checks the hash and its age at an instant the caller passes in.

use canal_protocol::agent::VisitorIdentity;
use canal_protocol::{ErrorCode, VisitorUser};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Refusal, Rejected};
use crate::validate;

/// Longest user id, in bytes.
pub const MAX_USER_ID_BYTES: usize = 128;
/// How far into the future an identity's `time` may lie (the site's clock running
/// ahead of Canal's), in seconds. A hash stamped later is refused: it would stay
/// valid for longer than the channel's window.
pub const MAX_CLOCK_SKEW_SECS: u64 = 300;

/// What a channel asks of identities.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    /// The channel's secret, when it has one.
    pub secret: Option<&'a str>,
    /// How long a hash stays valid after its `time`, in seconds.
    pub window_secs: u64,
    /// Identities without a valid hash are refused.
    pub enforced: bool,
}

fn invalid(message: impl Into<String>) -> Rejected {
    Rejected::invalid(ErrorCode::InvalidField, message)
}

fn refused(message: &str) -> Rejected {
    Rejected::new(Refusal::Unauthorized, ErrorCode::Unauthorized, message)
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
    crate::hex(&mac(secret, id, time).finalize().into_bytes())
}

/// Checks a `setUser` identity: its fields, and its hash against the channel's
/// policy at `now` (Unix seconds). Returns the identity to keep.
pub fn check(
    policy: Policy<'_>,
    user: &VisitorUser,
    now: u64,
) -> Result<VisitorIdentity, Rejected> {
    let id = user.id.trim();
    if id.is_empty() || id.len() > MAX_USER_ID_BYTES || id.chars().any(char::is_control) {
        return Err(invalid(format!(
            "user.id must be 1 to {MAX_USER_ID_BYTES} bytes without control characters"
        )));
    }
    let name = user.name.as_deref().map(validate::name).transpose()?;
    let email = user.email.as_deref().map(validate::email).transpose()?;
    let phone = user.phone.as_deref().map(validate::phone).transpose()?;
    let verified = match (&user.hash, user.time) {
        (Some(hash), Some(time)) => {
            let secret = policy.secret.ok_or_else(|| {
                invalid("this channel has no identity secret: create one in the admin API first")
            })?;
            if time > now.saturating_add(MAX_CLOCK_SKEW_SECS) {
                return Err(refused(
                    "the identity's time is more than 5 minutes in the future: check the clock of the server that signs it",
                ));
            }
            if now.saturating_sub(time) > policy.window_secs {
                return Err(refused("the identity hash has expired: sign again"));
            }
            // Compared as MACs, in constant time.
            let given =
                crate::from_hex(hash).ok_or_else(|| refused("the identity hash is wrong"))?;
            mac(secret, &user.id, time)
                .verify_slice(&given)
                .map_err(|_| refused("the identity hash is wrong"))?;
            true
        }
        (Some(_), None) => return Err(invalid("user.time is required with user.hash")),
        (None, _) if policy.enforced => {
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

/// Checks new identity settings: a window of 1 minute to 7 days, and enforcement
/// only once the channel has a secret.
pub fn check_settings(window_secs: u64, enforced: bool, has_secret: bool) -> Result<(), Rejected> {
    if !(60..=604_800).contains(&window_secs) {
        return Err(invalid(
            "window_secs must be between 60 and 604800 (7 days)",
        ));
    }
    if enforced && !has_secret {
        return Err(invalid(
            "create an identity secret before enforcing verification",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_secret(enforced: bool) -> Policy<'static> {
        Policy {
            secret: Some("s3cret"),
            window_secs: 3600,
            enforced,
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
            check(with_secret(true), &user(Some(hash), Some(now - 10)), now).expect("verified");
        assert!(identity.verified);
        assert_eq!(identity.email.as_deref(), Some("marta@example.com"));
        assert_eq!(identity.phone.as_deref(), Some("+34600123456"));
    }

    #[test]
    fn wrong_expired_or_missing_hashes_are_refused() {
        let now = 1_800_000_000;
        let wrong = sign("other", "u-42", now);
        assert!(check(with_secret(false), &user(Some(wrong), Some(now)), now).is_err());
        let old = sign("s3cret", "u-42", now - 3601);
        assert!(check(with_secret(false), &user(Some(old), Some(now - 3601)), now).is_err());
        let for_other_time = sign("s3cret", "u-42", now - 5);
        assert!(check(
            with_secret(false),
            &user(Some(for_other_time), Some(now)),
            now
        )
        .is_err());
        assert!(check(with_secret(false), &user(Some("zz".into()), Some(now)), now).is_err());
        // Unverified: refused when enforced, kept as unverified otherwise.
        assert!(check(with_secret(true), &user(None, None), now).is_err());
        let loose = check(with_secret(false), &user(None, None), now).expect("accepted");
        assert!(!loose.verified);
    }

    /// The code of a refusal (panics on success).
    fn refusal(result: Result<VisitorIdentity, Rejected>) -> ErrorCode {
        match result {
            Ok(identity) => panic!("accepted: {identity:?}"),
            Err(e) => e.code,
        }
    }

    #[test]
    fn a_hash_is_valid_from_five_minutes_ahead_to_the_window_behind() {
        let now = 1_800_000_000;
        let at = |time: u64| {
            let hash = sign("s3cret", "u-42", time);
            check(with_secret(true), &user(Some(hash), Some(time)), now)
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
        assert!(check(with_secret(false), &u, now).is_err());
        let mut u = user(None, None);
        u.id = " ".into();
        assert!(check(with_secret(false), &u, now).is_err());
    }
}
