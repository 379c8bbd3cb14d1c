//! Consent records: appending one (answering a retry with the record it got
//! before), and withdrawing a visitor's consent, whoever asks.

use std::net::SocketAddr;

use axum::http::{HeaderMap, StatusCode};
use canal_protocol::ErrorCode;
use canal_store::ledger::Listed;

use crate::app::AppState;
use crate::error::AppError;
use crate::ledger::{Action, Appended, Entry, Record, Source, Visitor};
use crate::validate;

/// A record in the ledger after an append.
pub struct Stored {
    pub record: Record,
    /// False when an earlier request with the same request id already stored it.
    pub new: bool,
}

/// Appends `entry`. A request id used before for a different record is a 409 whose
/// message is `conflict`; nothing is stored then.
pub async fn append(state: &AppState, entry: Entry, conflict: &str) -> Result<Stored, AppError> {
    match state.store.ledger().append(entry).await? {
        Appended::Recorded(record) => Ok(Stored { record, new: true }),
        Appended::Replayed(record) => Ok(Stored { record, new: false }),
        Appended::Conflict => Err(AppError::client(
            StatusCode::CONFLICT,
            ErrorCode::Conflict,
            conflict,
        )),
    }
}

/// Who asks for a withdrawal and from where.
pub struct Requester {
    pub source: Source,
    pub ip: String,
    pub user_agent: String,
}

impl Requester {
    pub fn new(
        state: &AppState,
        source: Source,
        peer: SocketAddr,
        headers: &HeaderMap,
    ) -> Result<Self, AppError> {
        Ok(Self {
            source,
            ip: state.client_ip(peer, headers),
            user_agent: validate::user_agent(headers)?,
        })
    }
}

/// A visitor's consent to an agreement after a withdrawal.
pub struct Withdrawal {
    /// False when it was withdrawn already (nothing appended).
    pub appended: bool,
    /// The newest record of the visitor's consent to the agreement.
    pub latest: Option<Listed>,
}

/// Appends a withdrawal of the visitor's consent to the agreement, unless it is
/// withdrawn already. 404 when the visitor never consented to it. A withdrawal from
/// the chat's agreement closes the visitor's open sockets and shows in the consoles
/// before this returns.
pub async fn withdraw(
    state: &AppState,
    visitor_id: &str,
    agreement_id: &str,
    by: Requester,
) -> Result<Withdrawal, AppError> {
    let store = &state.store;
    let Some(latest) = store.latest_consent(visitor_id, agreement_id).await? else {
        return Err(AppError::not_found(
            ErrorCode::NotFound,
            "this visitor has no consent to this agreement",
        ));
    };
    if latest.record.action == Action::Withdraw.as_str() {
        return Ok(Withdrawal {
            appended: false,
            latest: Some(latest),
        });
    }
    let entry = Entry {
        action: Action::Withdraw,
        agreement_version_id: latest.record.agreement_version_id.clone(),
        channel_id: latest.record.channel_id.clone(),
        visitor: Visitor::Existing(visitor_id.to_owned()),
        ip: Some(by.ip),
        user_agent: Some(by.user_agent),
        page_url: None,
        source: by.source,
        conversation_id: None,
        crm_entity: None,
        request_id: None,
    };
    // No request id: a withdrawal is never a replay or a conflict.
    state.store.ledger().append(entry).await?;
    if store
        .visitor_withdrew(visitor_id, &latest.record.channel_id)
        .await?
    {
        state.hub.withdrawn(visitor_id);
        state.dispatch.visitor_withdrew(visitor_id);
    }
    Ok(Withdrawal {
        appended: true,
        latest: store.latest_consent(visitor_id, agreement_id).await?,
    })
}
