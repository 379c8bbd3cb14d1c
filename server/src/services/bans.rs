//! Bans as the admin makes and lifts them. Each change is a row kept for ever
//! (who banned, who lifted, when), and the server's list in force is read again at
//! once.

use canal_core::clock::now_rfc3339;
use canal_core::Refusal;
use canal_protocol::bans::{BanView, NewBan};
use canal_protocol::ErrorCode;

use crate::app::AppState;
use crate::error::AppError;
use crate::net::IpNet;
use crate::store::bans::{self as rows, BanRow};

/// Longest reason, in characters.
const MAX_REASON_CHARS: usize = 500;

fn view(row: BanRow, now: &str) -> BanView {
    let active = row.lifted_at.is_none() && row.expires_at.as_deref().is_none_or(|e| e > now);
    BanView {
        id: row.id,
        network: row.network,
        visitor_id: row.visitor_id,
        reason: row.reason,
        created_at: row.created_at,
        created_by: row.created_by,
        expires_at: row.expires_at,
        lifted_at: row.lifted_at,
        lifted_by: row.lifted_by,
        active,
    }
}

fn no_ban() -> AppError {
    AppError::not_found(ErrorCode::NotFound, "no ban with this id")
}

/// Records a ban (422 and nothing stored when it names neither or both of an
/// address and a visitor, an unknown visitor, a bad block, no reason or a past
/// expiry).
pub async fn create(state: &AppState, request: NewBan, by: &str) -> Result<BanView, AppError> {
    let now = now_rfc3339();
    let reason = request.reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::invalid(format!(
            "reason must be 1 to {MAX_REASON_CHARS} characters"
        )));
    }
    let network = match (&request.network, &request.visitor_id) {
        (Some(raw), None) => Some(IpNet::parse(raw).map_err(AppError::invalid)?.to_string()),
        (None, Some(visitor)) => {
            if !state.store.visitor_exists(visitor).await? {
                return Err(AppError::invalid(format!("no visitor {visitor}")));
            }
            None
        }
        _ => {
            return Err(AppError::invalid(
                "name exactly one of network (an address or CIDR block) and visitor_id",
            ))
        }
    };
    let expires_at = match &request.expires_at {
        Some(raw) => {
            let format = time::format_description::well_known::Rfc3339;
            let at = time::OffsetDateTime::parse(raw, &format)
                .map(canal_core::clock::rfc3339)
                .map_err(|_| AppError::invalid("expires_at must be an RFC 3339 time"))?;
            if at <= now {
                return Err(AppError::invalid("expires_at is in the past"));
            }
            Some(at)
        }
        None => None,
    };
    let row = state
        .store
        .create_ban(&rows::NewBan {
            network: network.as_deref(),
            visitor_id: request.visitor_id.as_deref().filter(|_| network.is_none()),
            reason,
            created_at: &now,
            created_by: by,
            expires_at: expires_at.as_deref(),
        })
        .await?;
    state.bans.refresh(&state.store).await?;
    Ok(view(row, &now))
}

/// The bans in force, or (`all`) every ban ever made, newest first.
pub async fn list(state: &AppState, all: bool) -> Result<Vec<BanView>, AppError> {
    let now = now_rfc3339();
    let rows = state
        .store
        .bans(if all { None } else { Some(&now) })
        .await?;
    Ok(rows.into_iter().map(|r| view(r, &now)).collect())
}

/// Lifts a ban: 404 for none, 409 when it was lifted already.
pub async fn lift(state: &AppState, id: &str, by: &str) -> Result<BanView, AppError> {
    let id: i64 = id.parse().map_err(|_| no_ban())?;
    let now = now_rfc3339();
    match state.store.lift_ban(id, by, &now).await? {
        Some(row) => {
            state.bans.refresh(&state.store).await?;
            Ok(view(row, &now))
        }
        None if state.store.ban(id).await?.is_some() => Err(AppError::refused(
            Refusal::Conflict,
            ErrorCode::Conflict,
            "this ban was lifted already",
        )),
        None => Err(no_ban()),
    }
}
