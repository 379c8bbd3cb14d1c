//! Bans as plain data: what an admin types to ban an address, a network or a
//! visitor, turned into the admin API's request (`POST /api/v1/admin/bans`). No
//! browser, no signals (native unit tests); the `Bans` component keeps the draft in
//! a signal and sends it.

use canal_protocol::bans::NewBan;

use crate::settings::FormError;
use crate::time::rfc3339;

/// How long a new ban lasts, in hours, in the order the form offers them; 0 is
/// "until lifted".
pub const DURATIONS: [u32; 5] = [1, 24, 24 * 7, 24 * 30, 0];

/// A new ban as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanDraft {
    /// An address (`203.0.113.7`, `2001:db8::1`), a block (`203.0.113.0/24`) or a
    /// visitor's id (from the message log).
    pub target: String,
    /// Why: for admins only, never shown to the visitor.
    pub reason: String,
    /// One of [`DURATIONS`].
    pub hours: u32,
}

impl Default for BanDraft {
    /// A day: an address is often shared (an office, a mobile carrier), so a ban
    /// for ever is a choice to make, not the default.
    fn default() -> Self {
        Self {
            target: String::new(),
            reason: String::new(),
            hours: 24,
        }
    }
}

impl BanDraft {
    /// A ban of the visitor `visitor_id` (the message log's "Ban this visitor").
    pub fn of_visitor(visitor_id: &str) -> Self {
        Self {
            target: visitor_id.to_owned(),
            ..Self::default()
        }
    }

    /// The request, with the expiry counted from `now_ms` (UTC milliseconds); the
    /// server checks the address or block and that the visitor exists.
    pub fn request(&self, now_ms: i64) -> Result<NewBan, FormError> {
        let (target, reason) = (self.target.trim(), self.reason.trim());
        if target.is_empty() || reason.is_empty() {
            return Err(FormError::BanMissing);
        }
        let network = is_network(target);
        Ok(NewBan {
            network: network.then(|| target.to_owned()),
            visitor_id: (!network).then(|| target.to_owned()),
            reason: reason.to_owned(),
            expires_at: (self.hours > 0)
                .then(|| rfc3339(now_ms + i64::from(self.hours) * 3_600_000)),
        })
    }
}

/// An address or a block has dots (IPv4) or colons (IPv6); a visitor's id (a
/// UUID) has neither.
pub fn is_network(target: &str) -> bool {
    target.contains(['.', ':'])
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-01-05T14:00:00Z
    const NOW: i64 = 1_767_621_600_000;

    #[test]
    fn an_address_a_block_or_a_visitor_is_banned_for_the_chosen_time() {
        let draft = |target: &str, hours| BanDraft {
            target: target.into(),
            reason: " spam ".into(),
            hours,
        };
        let ban = draft(" 203.0.113.7 ", 1).request(NOW).expect("address");
        assert_eq!(ban.network.as_deref(), Some("203.0.113.7"));
        assert_eq!(ban.visitor_id, None);
        assert_eq!(ban.reason, "spam");
        assert_eq!(ban.expires_at.as_deref(), Some("2026-01-05T15:00:00Z"));

        let ban = draft("2001:db8::/48", 24 * 30).request(NOW).expect("block");
        assert_eq!(ban.network.as_deref(), Some("2001:db8::/48"));
        assert_eq!(ban.expires_at.as_deref(), Some("2026-02-04T14:00:00Z"));

        let visitor = "6f1c2a8e-0b7d-4a55-9e3e-2d4f8c1b9a70";
        let ban = draft(visitor, 0).request(NOW).expect("visitor");
        assert_eq!(ban.network, None);
        assert_eq!(ban.visitor_id.as_deref(), Some(visitor));
        assert_eq!(ban.expires_at, None, "0 is until lifted");
    }

    #[test]
    fn a_ban_needs_what_and_why() {
        for (target, reason) in [("", "spam"), ("203.0.113.7", "  "), (" ", "")] {
            let draft = BanDraft {
                target: target.into(),
                reason: reason.into(),
                ..BanDraft::default()
            };
            assert_eq!(draft.request(NOW), Err(FormError::BanMissing));
        }
    }

    #[test]
    fn the_log_bans_its_visitor_for_a_day_by_default() {
        let draft = BanDraft::of_visitor("v1");
        assert_eq!(draft.target, "v1");
        assert_eq!(draft.hours, 24);
        assert!(DURATIONS.contains(&draft.hours));
    }
}
