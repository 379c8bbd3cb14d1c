//! Bans in force, as the visitor API checks them: an address or network, or a
//! visitor, gets 403 `banned` and nothing of theirs is stored. The list is read from
//! the store at start, after every change made here, and every
//! [`REFRESH`] (another server on the same database may have changed it); expiry is
//! checked on every request. Withdrawing consent stays open to a banned visitor:
//! it is their right, and it collects nothing.

use std::net::IpAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use canal_core::clock::now_rfc3339;
use canal_core::Refusal;
use canal_protocol::ErrorCode;

use crate::app::AppState;
use crate::error::AppError;
use crate::net::IpNet;
use crate::store::bans::BanRow;
use crate::store::Store;

/// How often the list is read again from the store.
pub const REFRESH: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
struct InForce {
    network: Option<IpNet>,
    visitor_id: Option<String>,
    expires_at: Option<String>,
}

/// The bans in force, shared by the requests.
#[derive(Clone, Default)]
pub struct Bans {
    list: Arc<RwLock<Vec<InForce>>>,
}

/// The refusal a banned address or visitor gets (the widget says the chat is not
/// available; the reason is for admins only).
pub fn banned() -> AppError {
    AppError::refused(
        Refusal::Forbidden,
        ErrorCode::Banned,
        "the chat is not available to you",
    )
}

impl Bans {
    /// Reads the bans in force from the store.
    pub async fn refresh(&self, store: &Store) -> Result<(), crate::store::Error> {
        let rows = store.bans(Some(&now_rfc3339())).await?;
        let list = rows.iter().filter_map(in_force).collect();
        *self.list.write().unwrap_or_else(|p| p.into_inner()) = list;
        Ok(())
    }

    /// Reads the list again every [`REFRESH`] while the server runs.
    pub fn keep_fresh(&self, store: Store, mut closing: tokio::sync::watch::Receiver<bool>) {
        let bans = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(REFRESH) => {}
                    _ = closing.changed() => return,
                }
                if let Err(e) = bans.refresh(&store).await {
                    tracing::error!(error = %e, "reading the bans failed");
                }
            }
        });
    }

    fn any(&self, matches: impl Fn(&InForce) -> bool) -> bool {
        let now = now_rfc3339();
        let list = self.list.read().unwrap_or_else(|p| p.into_inner());
        list.iter()
            .filter(|b| b.expires_at.as_deref().is_none_or(|e| e > now.as_str()))
            .any(matches)
    }

    pub fn address(&self, ip: IpAddr) -> bool {
        self.any(|b| b.network.as_ref().is_some_and(|n| n.contains(ip)))
    }

    pub fn visitor(&self, visitor_id: &str) -> bool {
        self.any(|b| b.visitor_id.as_deref() == Some(visitor_id))
    }

    /// Refuses a banned visitor.
    pub fn check_visitor(&self, visitor_id: &str) -> Result<(), AppError> {
        if self.visitor(visitor_id) {
            Err(banned())
        } else {
            Ok(())
        }
    }
}

fn in_force(row: &BanRow) -> Option<InForce> {
    let network = match &row.network {
        Some(raw) => Some(IpNet::parse(raw).ok()?),
        None => None,
    };
    Some(InForce {
        network,
        visitor_id: row.visitor_id.clone(),
        expires_at: row.expires_at.clone(),
    })
}

/// Middleware of the visitor routes: a banned client address gets 403 `banned`.
pub async fn refuse_banned_addresses(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0);
    if let Some(peer) = peer {
        let ip = crate::net::client_ip(peer, request.headers(), &state.trusted_proxies);
        if state.bans.address(ip) {
            return banned().into_response();
        }
    }
    next.run(request).await
}
