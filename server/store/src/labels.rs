//! Labels: created by admins, set on conversations by agents, shown and filtered
//! in the conversation list.

use sqlx::FromRow;

use crate::{now_rfc3339, on_pool, on_tx, Result, Store};

/// A label as stored.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct LabelRow {
    pub id: i64,
    pub name: String,
    pub created_at: String,
}

/// A label set on a conversation.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct SetLabel {
    pub conversation_id: String,
    pub label_id: i64,
    pub name: String,
}

impl Store {
    /// Every label, by name.
    pub async fn labels(&self) -> Result<Vec<LabelRow>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT id, name, created_at FROM labels ORDER BY name, id",
        )
        .fetch_all(p)
        .await?))
    }

    /// One label.
    pub async fn label(&self, id: i64) -> Result<Option<LabelRow>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT id, name, created_at FROM labels WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await?))
    }

    /// Creates a label (a taken name is a unique violation).
    pub async fn create_label(&self, name: &str) -> Result<LabelRow> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "INSERT INTO labels (name, created_at) VALUES ($1, $2)
             RETURNING id, name, created_at",
        )
        .bind(name)
        .bind(now_rfc3339())
        .fetch_one(p)
        .await?))
    }

    /// Deletes a label and takes it off every conversation, in one transaction;
    /// false when there was none.
    pub async fn delete_label(&self, id: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let done: Result<bool> = async {
            on_tx!(&mut tx, c => {
                sqlx::query("DELETE FROM conversation_labels WHERE label_id = $1")
                    .bind(id)
                    .execute(&mut *c)
                    .await?;
                Ok(sqlx::query("DELETE FROM labels WHERE id = $1")
                    .bind(id)
                    .execute(&mut *c)
                    .await?
                    .rows_affected()
                    == 1)
            })
        }
        .await;
        match done {
            Ok(found) => {
                tx.commit().await?;
                Ok(found)
            }
            Err(e) => {
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }

    /// Sets a label on a conversation (again: no change); `set_by` is the agent.
    pub async fn set_label(
        &self,
        conversation_id: &str,
        label_id: i64,
        set_by: Option<i64>,
    ) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO conversation_labels (conversation_id, label_id, set_by, set_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT (conversation_id, label_id) DO NOTHING",
            )
            .bind(conversation_id)
            .bind(label_id)
            .bind(set_by)
            .bind(now_rfc3339())
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Takes a label off a conversation (not set: no change).
    pub async fn unset_label(&self, conversation_id: &str, label_id: i64) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "DELETE FROM conversation_labels WHERE conversation_id = $1 AND label_id = $2",
            )
            .bind(conversation_id)
            .bind(label_id)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// The labels set on these conversations, by conversation, each's by name.
    pub async fn labels_of(&self, conversation_ids: &[String]) -> Result<Vec<SetLabel>> {
        if conversation_ids.is_empty() {
            return Ok(Vec::new());
        }
        on_pool!(self, p => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT cl.conversation_id, cl.label_id, l.name FROM conversation_labels cl \
                 JOIN labels l ON l.id = cl.label_id WHERE cl.conversation_id IN (",
            );
            let mut ids = q.separated(", ");
            for id in conversation_ids {
                ids.push_bind(id.clone());
            }
            q.push(") ORDER BY cl.conversation_id, l.name, l.id");
            Ok(q.build_query_as().fetch_all(p).await?)
        })
    }
}
