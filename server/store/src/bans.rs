//! Bans: an address or network, or a visitor, refused by the visitor API. A ban is
//! never deleted; lifting it records when and by whom (the table is the log).

use sqlx::FromRow;

use crate::{on_pool, Result, Store};

/// A ban as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct BanRow {
    pub id: i64,
    pub network: Option<String>,
    pub visitor_id: Option<String>,
    pub reason: String,
    pub created_at: String,
    pub created_by: String,
    pub expires_at: Option<String>,
    pub lifted_at: Option<String>,
    pub lifted_by: Option<String>,
}

/// A ban to record: `network` or `visitor_id`.
#[derive(Debug, Clone)]
pub struct NewBan<'a> {
    pub network: Option<&'a str>,
    pub visitor_id: Option<&'a str>,
    pub reason: &'a str,
    pub created_at: &'a str,
    pub created_by: &'a str,
    pub expires_at: Option<&'a str>,
}

const COLUMNS: &str =
    "id, network, visitor_id, reason, created_at, created_by, expires_at, lifted_at, lifted_by";

impl Store {
    pub async fn create_ban(&self, new: &NewBan<'_>) -> Result<BanRow> {
        let sql = format!(
            "INSERT INTO bans (network, visitor_id, reason, created_at, created_by, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
        );
        Ok(on_pool!(self, p => sqlx::query_as(&sql)
            .bind(new.network)
            .bind(new.visitor_id)
            .bind(new.reason)
            .bind(new.created_at)
            .bind(new.created_by)
            .bind(new.expires_at)
            .fetch_one(p)
            .await?))
    }

    /// Every ban, newest first; with `now`, only those in force then.
    pub async fn bans(&self, in_force_at: Option<&str>) -> Result<Vec<BanRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM bans
              WHERE $1 IS NULL OR (lifted_at IS NULL AND (expires_at IS NULL OR expires_at > $1))
              ORDER BY id DESC"
        );
        Ok(on_pool!(self, p => sqlx::query_as(&sql)
            .bind(in_force_at)
            .fetch_all(p)
            .await?))
    }

    pub async fn ban(&self, id: i64) -> Result<Option<BanRow>> {
        let sql = format!("SELECT {COLUMNS} FROM bans WHERE id = $1");
        Ok(on_pool!(self, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await?))
    }

    /// Lifts a ban not lifted yet; `None` when there is no such ban or it was lifted.
    pub async fn lift_ban(&self, id: i64, by: &str, at: &str) -> Result<Option<BanRow>> {
        let sql = format!(
            "UPDATE bans SET lifted_at = $2, lifted_by = $3
              WHERE id = $1 AND lifted_at IS NULL RETURNING {COLUMNS}"
        );
        Ok(on_pool!(self, p => sqlx::query_as(&sql)
            .bind(id)
            .bind(at)
            .bind(by)
            .fetch_optional(p)
            .await?))
    }

    /// Whether a visitor exists (a ban may name only a known visitor).
    pub async fn visitor_exists(&self, visitor_id: &str) -> Result<bool> {
        let found: Option<(String,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT id FROM visitors WHERE id = $1",
        )
        .bind(visitor_id)
        .fetch_optional(p)
        .await?);
        Ok(found.is_some())
    }
}
