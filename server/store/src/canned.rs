//! Canned answers: a channel's ready-made replies under short codes (settings, not
//! records: edited and deleted).

use sqlx::FromRow;

use crate::{now_rfc3339, on_pool, Result, Store};

/// A canned answer as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct CannedRow {
    pub id: i64,
    pub code: String,
    pub text: String,
}

impl Store {
    /// The channel's canned answers, by code.
    pub async fn canned(&self, channel_id: &str) -> Result<Vec<CannedRow>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, code, text FROM canned_answers WHERE channel_id = $1 ORDER BY code"
        )
        .bind(channel_id)
        .fetch_all(p)
        .await?))
    }

    /// Adds one. A code the channel has already fails with a unique violation and
    /// stores nothing.
    pub async fn create_canned(
        &self,
        channel_id: &str,
        code: &str,
        text: &str,
    ) -> Result<CannedRow> {
        let now = now_rfc3339();
        Ok(on_pool!(self, p => sqlx::query_as(
            "INSERT INTO canned_answers (channel_id, code, text, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $4) RETURNING id, code, text"
        )
        .bind(channel_id)
        .bind(code)
        .bind(text)
        .bind(&now)
        .fetch_one(p)
        .await?))
    }

    /// Changes one of the channel's (`None` when it has no such answer); a code taken
    /// by another of its answers fails with a unique violation and changes nothing.
    pub async fn update_canned(
        &self,
        channel_id: &str,
        id: i64,
        code: &str,
        text: &str,
    ) -> Result<Option<CannedRow>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "UPDATE canned_answers SET code = $3, text = $4, updated_at = $5
              WHERE channel_id = $1 AND id = $2 RETURNING id, code, text"
        )
        .bind(channel_id)
        .bind(id)
        .bind(code)
        .bind(text)
        .bind(now_rfc3339())
        .fetch_optional(p)
        .await?))
    }

    /// The name of the visitor of a conversation, as the site gave it (`setUser`)
    /// or, failing that, as they last wrote it in the contact form; `None` when
    /// neither is known.
    pub async fn visitor_name(&self, conversation_id: &str) -> Result<Option<String>> {
        let name: Option<(Option<String>,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT COALESCE(NULLIF(v.user_name, ''),
                    (SELECT s.name FROM contact_submissions s
                      WHERE s.visitor_id = v.id AND s.name IS NOT NULL AND s.name <> ''
                      ORDER BY s.created_at DESC LIMIT 1))
               FROM conversations c JOIN visitors v ON v.id = c.visitor_id
              WHERE c.id = $1"
        )
        .bind(conversation_id)
        .fetch_optional(p)
        .await?);
        Ok(name.and_then(|(name,)| name))
    }

    /// Deletes one of the channel's; false when it has no such answer.
    pub async fn delete_canned(&self, channel_id: &str, id: i64) -> Result<bool> {
        let done = on_pool!(self, p => sqlx::query(
            "DELETE FROM canned_answers WHERE channel_id = $1 AND id = $2"
        )
        .bind(channel_id)
        .bind(id)
        .execute(p)
        .await?
        .rows_affected());
        Ok(done > 0)
    }
}
