//! Agents' private notes in a conversation: records for the agents, kept in their
//! own table so that nothing that reads `messages` (the visitor's history, the
//! transcript) can ever carry one.

use sqlx::FromRow;

use crate::{now_rfc3339, on_pool, Result, Store};

/// A note as stored, with its writer's name.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct NoteRow {
    pub id: i64,
    pub agent_id: i64,
    pub agent_name: String,
    pub client_id: String,
    pub body: String,
    pub after_seq: i64,
    pub created_at: String,
}

const SELECT: &str = "SELECT n.id, n.agent_id, a.name AS agent_name, n.client_id, n.body, \
    n.after_seq, n.created_at FROM notes n JOIN agents a ON a.id = n.agent_id";

impl Store {
    /// Writes a note after the conversation's last message; returns it and whether
    /// it is new (a client id already used returns the earlier note, unchanged).
    pub async fn add_note(
        &self,
        conversation_id: &str,
        agent_id: i64,
        client_id: &str,
        body: &str,
    ) -> Result<(NoteRow, bool)> {
        let inserted = on_pool!(self, p => sqlx::query(
            "INSERT INTO notes (conversation_id, agent_id, client_id, body, after_seq, created_at)
             VALUES ($1, $2, $3, $4,
                     (SELECT COALESCE(MAX(seq), 0) FROM messages WHERE conversation_id = $1), $5)
             ON CONFLICT (conversation_id, client_id) DO NOTHING"
        )
        .bind(conversation_id)
        .bind(agent_id)
        .bind(client_id)
        .bind(body)
        .bind(now_rfc3339())
        .execute(p)
        .await?
        .rows_affected())
            == 1;
        let row = on_pool!(self, p => sqlx::query_as(&format!(
            "{SELECT} WHERE n.conversation_id = $1 AND n.client_id = $2"
        ))
        .bind(conversation_id)
        .bind(client_id)
        .fetch_one(p)
        .await?);
        Ok((row, inserted))
    }

    /// The conversation's notes, oldest first.
    pub async fn notes(&self, conversation_id: &str) -> Result<Vec<NoteRow>> {
        Ok(on_pool!(self, p => sqlx::query_as(&format!(
            "{SELECT} WHERE n.conversation_id = $1 ORDER BY n.id"
        ))
        .bind(conversation_id)
        .fetch_all(p)
        .await?))
    }
}
