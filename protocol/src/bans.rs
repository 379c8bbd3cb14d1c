//! Bans through the admin API: `POST /api/v1/admin/bans` with [`NewBan`] → 201
//! [`BanView`]; `GET /api/v1/admin/bans` (`?all=true` for lifted and expired ones
//! too); `DELETE /api/v1/admin/bans/{id}` lifts one (the record stays).

use serde::{Deserialize, Serialize};

/// A ban to make: exactly one of `network` (an address or CIDR block) and
/// `visitor_id`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NewBan {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_id: Option<String>,
    /// Why (shown to admins, never to the visitor).
    pub reason: String,
    /// RFC 3339; none: until lifted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// A ban, as the admin API shows it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct BanView {
    pub id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_id: Option<String>,
    pub reason: String,
    pub created_at: String,
    /// Who made it: `admin token`, or the console account (`agent 3 <ana@shop.example>`).
    pub created_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifted_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifted_by: Option<String>,
    /// In force now (not lifted, not expired).
    pub active: bool,
}

/// `GET /api/v1/admin/bans`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct BanList {
    pub bans: Vec<BanView>,
}
