//! Agent accounts, console sessions (only the token's SHA-256 is stored) and
//! departments.

use sqlx::FromRow;

use crate::{now_rfc3339, on_pool, Result, Store};

/// An agent row.
#[derive(Debug, Clone, FromRow)]
pub struct AgentRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub avatar_url: Option<String>,
    pub cap: Option<i64>,
    pub is_bot: bool,
    pub dismissed: bool,
}

/// A department: members are agent ids in order.
#[derive(Debug, Clone)]
pub struct Department {
    pub id: i64,
    pub name: String,
    pub members: Vec<u64>,
}

/// A new agent's stored fields.
#[derive(Debug, Clone)]
pub struct NewAgent<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub cap: Option<u32>,
    pub avatar_url: Option<&'a str>,
    pub is_bot: bool,
}

const SELECT: &str = "SELECT agents.id, agents.email, agents.name, agents.password_hash, \
    agents.role, agents.avatar_url, agents.cap, agents.is_bot, agents.dismissed FROM agents";

impl Store {
    /// A new agent; `None` when the e-mail is taken.
    pub async fn create_agent(&self, new: &NewAgent<'_>) -> Result<Option<AgentRow>> {
        let id: Option<i64> = on_pool!(self, p => sqlx::query_scalar(
            "INSERT INTO agents (email, name, password_hash, role, avatar_url, cap, is_bot, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (email) DO NOTHING RETURNING id",
        )
        .bind(new.email)
        .bind(new.name)
        .bind(new.password_hash)
        .bind(new.role)
        .bind(new.avatar_url)
        .bind(new.cap.map(i64::from))
        .bind(new.is_bot)
        .bind(now_rfc3339())
        .fetch_optional(p)
        .await?);
        match id {
            Some(id) => self.agent(id).await,
            None => Ok(None),
        }
    }

    pub async fn agent(&self, id: i64) -> Result<Option<AgentRow>> {
        on_pool!(self, p => Ok(sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(p)
            .await?))
    }

    pub async fn agent_by_email(&self, email: &str) -> Result<Option<AgentRow>> {
        on_pool!(self, p => Ok(sqlx::query_as(&format!("{SELECT} WHERE email = $1"))
            .bind(email)
            .fetch_optional(p)
            .await?))
    }

    /// Every agent, by id.
    pub async fn agents(&self) -> Result<Vec<AgentRow>> {
        on_pool!(self, p => Ok(sqlx::query_as(&format!("{SELECT} ORDER BY id"))
            .fetch_all(p)
            .await?))
    }

    /// Writes every field of `agent` but its id, e-mail and bot flag.
    pub async fn save_agent(&self, agent: &AgentRow) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "UPDATE agents SET name = $2, password_hash = $3, role = $4, avatar_url = $5, cap = $6,
                 dismissed = $7 WHERE id = $1",
            )
            .bind(agent.id)
            .bind(&agent.name)
            .bind(&agent.password_hash)
            .bind(&agent.role)
            .bind(&agent.avatar_url)
            .bind(agent.cap)
            .bind(agent.dismissed)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Stores a console session by its token's hash.
    pub async fn start_session(
        &self,
        token_sha256: &str,
        agent_id: i64,
        expires_at: &str,
    ) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO agent_sessions (token_sha256, agent_id, created_at, expires_at)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(token_sha256)
            .bind(agent_id)
            .bind(now_rfc3339())
            .bind(expires_at)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// The agent a session belongs to, while it lasts and the agent is not dismissed.
    pub async fn session_agent(&self, token_sha256: &str) -> Result<Option<AgentRow>> {
        let sql = format!(
            "{SELECT} JOIN agent_sessions s ON s.agent_id = agents.id
             WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND agents.dismissed = FALSE"
        );
        on_pool!(self, p => Ok(sqlx::query_as(&sql)
            .bind(token_sha256)
            .bind(now_rfc3339())
            .fetch_optional(p)
            .await?))
    }

    pub async fn end_session(&self, token_sha256: &str) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("DELETE FROM agent_sessions WHERE token_sha256 = $1")
                .bind(token_sha256)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Ends every session of an agent (dismissal, password change).
    pub async fn end_sessions_of(&self, agent_id: i64) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("DELETE FROM agent_sessions WHERE agent_id = $1")
                .bind(agent_id)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    pub async fn departments(&self) -> Result<Vec<Department>> {
        let rows: Vec<(i64, String, String)> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, name, members FROM departments ORDER BY id",
        )
        .fetch_all(p)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(id, name, members)| Department {
                id,
                name,
                members: serde_json::from_str(&members).unwrap_or_default(),
            })
            .collect())
    }

    pub async fn put_department(&self, dep: &Department) -> Result<()> {
        let members = serde_json::to_string(&dep.members).unwrap_or_else(|_| "[]".into());
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO departments (id, name, members) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, members = excluded.members",
            )
            .bind(dep.id)
            .bind(&dep.name)
            .bind(&members)
            .execute(p)
            .await?;
        });
        Ok(())
    }
}
