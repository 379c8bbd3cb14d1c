//! Agents: accounts with argon2id-hashed passwords, console sessions (HttpOnly
//! cookie; only the token's SHA-256 is stored), departments and the checks on
//! agent fields from outside.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::http::StatusCode;
use canal_protocol::agent::{AgentProfile, AgentView, Role, Status};
use canal_protocol::ErrorCode;
use canal_store::Store;
use time::OffsetDateTime;

use crate::admin::token_hash;
use crate::error::AppError;

/// How long a console session lasts.
pub const SESSION_HOURS: i64 = 24;

/// Failed sign-ins allowed per account in [`LOGIN_WINDOW`] before the account's
/// sign-in is refused with 429 until the window has passed.
pub const LOGIN_FAILURES: u32 = 5;
/// The window failed sign-ins are counted in.
pub const LOGIN_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Failed sign-ins per e-mail, in memory: slows down password guessing against one
/// account (from any address) without locking anyone out for long.
#[derive(Clone, Default)]
pub struct LoginThrottle {
    failures: std::sync::Arc<
        std::sync::Mutex<std::collections::HashMap<String, (u32, std::time::Instant)>>,
    >,
}

impl LoginThrottle {
    /// Whether `email` may try now.
    pub fn allowed(&self, email: &str) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(email) {
            Some((_, since)) if since.elapsed() >= LOGIN_WINDOW => {
                map.remove(email);
                true
            }
            Some((count, _)) => *count < LOGIN_FAILURES,
            None => true,
        }
    }

    pub fn failed(&self, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, since)| since.elapsed() < LOGIN_WINDOW);
        }
        map.entry(email.to_owned())
            .or_insert((0, std::time::Instant::now()))
            .0 += 1;
    }

    pub fn succeeded(&self, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(email);
    }
}

/// What the wire says of an agent row.
pub trait AgentWire {
    fn role(&self) -> Role;
    fn profile(&self) -> AgentProfile;
    fn view(&self, status: Status) -> AgentView;
}

impl AgentWire for AgentRow {
    fn role(&self) -> Role {
        parse_role(&self.role)
    }

    fn profile(&self) -> AgentProfile {
        AgentProfile {
            id: self.id.max(0) as u64,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role(),
            avatar_url: self.avatar_url.clone(),
        }
    }

    fn view(&self, status: Status) -> AgentView {
        AgentView {
            id: self.id.max(0) as u64,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role(),
            cap: self.cap.and_then(|c| u32::try_from(c).ok()),
            avatar_url: self.avatar_url.clone(),
            is_bot: self.is_bot,
            dismissed: self.dismissed,
            status,
        }
    }
}

pub fn role_str(role: Role) -> &'static str {
    match role {
        Role::Agent => "agent",
        Role::Supervisor => "supervisor",
        Role::Admin => "admin",
    }
}

fn parse_role(s: &str) -> Role {
    match s {
        "admin" => Role::Admin,
        "supervisor" => Role::Supervisor,
        _ => Role::Agent,
    }
}

/// Hashes a password with argon2id (on a blocking thread: it takes tens of ms).
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .ok()
    .and_then(Result::ok)
    .ok_or_else(|| AppError::Internal("password hashing failed".into()))
}

/// Whether `password` matches `hash` (false for a malformed hash).
pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// A valid argon2 hash of nothing anyone knows: unknown e-mails are checked against
/// it so a failed login takes as long whether or not the account exists.
pub const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$3aW8pZ0m0kq4iJ8lJ0m9R1b8w2n7s9sQ0Yc8Xq2WZ0A";

// ----- checks on fields from outside (canal-core's) -----

pub use canal_core::validate::{avatar_url, email, name, password};

// ----- queries (the store's) -----

pub use canal_store::{AgentRow, Department};

/// A new agent. A taken e-mail is a 409.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    store: &Store,
    email: &str,
    name: &str,
    password_hash: &str,
    role: Role,
    cap: Option<u32>,
    avatar_url: Option<&str>,
    is_bot: bool,
) -> Result<AgentRow, AppError> {
    let new = canal_store::agents::NewAgent {
        email,
        name,
        password_hash,
        role: role_str(role),
        cap,
        avatar_url,
        is_bot,
    };
    store.create_agent(&new).await?.ok_or_else(|| {
        AppError::client(
            StatusCode::CONFLICT,
            ErrorCode::Conflict,
            "an agent with this e-mail exists",
        )
    })
}

pub async fn by_id(store: &Store, id: i64) -> Result<Option<AgentRow>, canal_store::Error> {
    store.agent(id).await
}

pub async fn by_email(store: &Store, email: &str) -> Result<Option<AgentRow>, canal_store::Error> {
    store.agent_by_email(email).await
}

pub async fn all(store: &Store) -> Result<Vec<AgentRow>, canal_store::Error> {
    store.agents().await
}

/// Writes every field of `agent` but its id, e-mail and bot flag.
pub async fn save(store: &Store, agent: &AgentRow) -> Result<(), canal_store::Error> {
    store.save_agent(agent).await
}

/// `n` random bytes as URL-safe base64 (passwords, session tokens).
pub fn random_text(n: usize) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A new admin account (`canal admin create`), with a generated password, which
/// is returned to be shown once. A taken e-mail is a 409.
pub async fn create_admin(store: &Store, email: &str, name: &str) -> Result<String, AppError> {
    let email = self::email(email)?;
    let name = self::name(name)?;
    let password = random_text(12);
    let hash = hash_password(password.clone()).await?;
    create(store, &email, &name, &hash, Role::Admin, None, None, false).await?;
    Ok(password)
}

/// Starts a console session; returns the cookie's token (only its hash is stored).
pub async fn start_session(store: &Store, agent_id: i64) -> Result<String, canal_store::Error> {
    let token = random_text(32);
    let expires = OffsetDateTime::now_utc() + time::Duration::hours(SESSION_HOURS);
    store
        .start_session(
            &token_hash(&token),
            agent_id,
            &crate::clock::rfc3339(expires),
        )
        .await?;
    Ok(token)
}

/// The agent a session token belongs to, while the session lasts and the agent is
/// not dismissed.
pub async fn session_agent(
    store: &Store,
    token: &str,
) -> Result<Option<AgentRow>, canal_store::Error> {
    store.session_agent(&token_hash(token)).await
}

pub async fn end_session(store: &Store, token: &str) -> Result<(), canal_store::Error> {
    store.end_session(&token_hash(token)).await
}

/// Ends every session of an agent (dismissal, password change).
pub async fn end_sessions_of(store: &Store, agent_id: i64) -> Result<(), canal_store::Error> {
    store.end_sessions_of(agent_id).await
}

pub async fn departments(store: &Store) -> Result<Vec<Department>, canal_store::Error> {
    store.departments().await
}

pub async fn put_department(store: &Store, dep: &Department) -> Result<(), canal_store::Error> {
    store.put_department(dep).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decoy_hash_is_a_real_argon2_hash_that_nothing_matches() {
        let parsed = PasswordHash::new(DECOY_HASH).expect("the decoy parses");
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert!(Argon2::default()
            .verify_password(b"password", &parsed)
            .is_err());
    }

    #[tokio::test]
    async fn hashes_verify_only_the_same_password() {
        let hash = hash_password("correct horse".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse".into(), hash.clone()).await);
        assert!(!verify_password("correct horsE".into(), hash).await);
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            email(" Ana@Shop.Example ").ok().as_deref(),
            Some("ana@shop.example")
        );
        for bad in ["", "ana", "@shop.example", "ana@shop", "a na@shop.example"] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }
}
