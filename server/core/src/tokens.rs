//! Visitor tokens: `v1.<visitor id>.<HMAC-SHA256(key, visitor id)>`, base64url.
//!
//! The frame receives one only after consent and keeps it in its own storage. The
//! server stores no token, only the key (generated once, kept in `settings`), so a
//! stolen database copy holds no usable token and a replayed consent request can
//! return the same token again.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const PREFIX: &str = "v1";

/// Issues and checks visitor tokens.
#[derive(Clone)]
pub struct VisitorTokens {
    key: Vec<u8>,
}

impl std::fmt::Debug for VisitorTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VisitorTokens(<secret>)")
    }
}

impl VisitorTokens {
    /// A fresh random key, base64url, for the `settings` table.
    pub fn generate_key() -> String {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        URL_SAFE_NO_PAD.encode(key)
    }

    /// Tokens signed with a key made by [`generate_key`](Self::generate_key).
    pub fn from_key(encoded: &str) -> Self {
        let key = URL_SAFE_NO_PAD
            .decode(encoded)
            .unwrap_or_else(|_| encoded.as_bytes().to_vec());
        Self { key }
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC accepts keys of any length.
        <Hmac<Sha256> as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!())
    }

    /// The token for a visitor.
    pub fn issue(&self, visitor_id: &str) -> String {
        let mut mac = self.mac();
        mac.update(visitor_id.as_bytes());
        let tag = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{PREFIX}.{visitor_id}.{tag}")
    }

    /// The visitor id a token was issued for, or `None` for a forged or malformed
    /// token. The comparison takes constant time.
    pub fn verify(&self, token: &str) -> Option<String> {
        let mut parts = token.splitn(3, '.');
        let (prefix, visitor_id, tag) = (parts.next()?, parts.next()?, parts.next()?);
        if prefix != PREFIX || visitor_id.is_empty() || visitor_id.len() > 64 {
            return None;
        }
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        let mut mac = self.mac();
        mac.update(visitor_id.as_bytes());
        mac.verify_slice(&tag).ok()?;
        Some(visitor_id.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_and_forgeries_do_not() {
        let tokens = VisitorTokens::from_key(&VisitorTokens::generate_key());
        let token = tokens.issue("visitor-1");
        assert_eq!(tokens.verify(&token).as_deref(), Some("visitor-1"));

        let other = VisitorTokens::from_key(&VisitorTokens::generate_key());
        assert_eq!(other.verify(&token), None, "another key must not accept it");
        let swapped = token.replace("visitor-1", "visitor-2");
        assert_eq!(tokens.verify(&swapped), None, "the id is bound to the tag");
        for bad in ["", "v1", "v1..", "v2.visitor-1.x", "v1.visitor-1.!!!"] {
            assert_eq!(tokens.verify(bad), None, "{bad:?}");
        }
    }
}
