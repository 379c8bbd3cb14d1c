//! Signatures of webhook deliveries and connector events, both ways:
//! `Canal-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with
//! `Canal-Timestamp: <Unix seconds>`. Signing the timestamp with the body lets a
//! receiver refuse an old request replayed, without keeping every id it saw.

use canal_protocol::ErrorCode;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{Refusal, Rejected};

/// The header with the signature.
pub const SIGNATURE_HEADER: &str = "canal-signature";
/// The header with the Unix time the signature was made at.
pub const TIMESTAMP_HEADER: &str = "canal-timestamp";
/// The header with the event's id (the same on every attempt).
pub const EVENT_ID_HEADER: &str = "canal-event-id";
/// The header with the event's kind.
pub const EVENT_TYPE_HEADER: &str = "canal-event-type";
/// How far a signed timestamp may be from now, either way (seconds).
pub const TOLERANCE_SECS: u64 = 300;

fn mac(secret: &str, timestamp: u64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `Canal-Signature` value of `body` sent at `timestamp`.
pub fn sign(secret: &str, timestamp: u64, body: &[u8]) -> String {
    format!(
        "v1={}",
        crate::hex(&mac(secret, timestamp, body).finalize().into_bytes())
    )
}

fn refused(message: &str) -> Rejected {
    Rejected::new(Refusal::Unauthorized, ErrorCode::Unauthorized, message)
}

/// Checks a signed request at `now` (Unix seconds): the timestamp within
/// [`TOLERANCE_SECS`] of now, and one of the `v1=` signatures (comma-separated,
/// so a secret can be rotated) right, compared in constant time.
pub fn verify(
    secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: u64,
) -> Result<(), Rejected> {
    let timestamp: u64 = timestamp
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| refused("send the Unix time as Canal-Timestamp"))?;
    if timestamp.abs_diff(now) > TOLERANCE_SECS {
        return Err(refused(
            "the Canal-Timestamp is too old or ahead: sign each request when it is sent",
        ));
    }
    let signature = signature.ok_or_else(|| refused("send Canal-Signature: v1=<hex>"))?;
    let good = signature
        .split(',')
        .filter_map(|s| s.trim().strip_prefix("v1="))
        .filter_map(crate::from_hex)
        .any(|given| mac(secret, timestamp, body).verify_slice(&given).is_ok());
    if good {
        Ok(())
    } else {
        Err(refused("the Canal-Signature does not match the body"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_within_the_window_only() {
        let body = br#"{"a":1}"#;
        let signed = sign("s3cret", 1_000_000, body);
        assert!(signed.starts_with("v1=") && signed.len() == 3 + 64);
        let at = |now| verify("s3cret", Some("1000000"), Some(&signed), body, now);
        assert!(at(1_000_000).is_ok());
        assert!(at(1_000_000 + TOLERANCE_SECS).is_ok());
        assert!(at(1_000_000 + TOLERANCE_SECS + 1).is_err());
        assert!(at(1_000_000 - TOLERANCE_SECS - 1).is_err());
        // Another body, secret or timestamp: refused.
        assert!(verify("s3cret", Some("1000000"), Some(&signed), b"{}", 1_000_000).is_err());
        assert!(verify("other", Some("1000000"), Some(&signed), body, 1_000_000).is_err());
        assert!(verify("s3cret", Some("1000001"), Some(&signed), body, 1_000_000).is_err());
        // Missing or malformed headers, and a rotated secret's pair of signatures.
        assert!(verify("s3cret", None, Some(&signed), body, 1_000_000).is_err());
        assert!(verify("s3cret", Some("x"), Some(&signed), body, 1_000_000).is_err());
        assert!(verify("s3cret", Some("1000000"), None, body, 1_000_000).is_err());
        assert!(verify("s3cret", Some("1000000"), Some("v1=zz"), body, 1_000_000).is_err());
        let both = format!("{},{signed}", sign("old", 1_000_000, body));
        assert!(verify("s3cret", Some("1000000"), Some(&both), body, 1_000_000).is_ok());
    }
}
