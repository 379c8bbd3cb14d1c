//! Consent records: appending one (answering a retry with the record it got
//! before), a visitor's grant in the widget, withdrawing a visitor's consent
//! (whoever asks), and the "save to CRM" copy of a conversation's consent.

use canal_core::Refusal;
use canal_protocol::ErrorCode;
use canal_store::ledger::Listed;

use super::visitors::{allowed_page, withdrawn};
use crate::app::AppState;
use crate::error::AppError;
use crate::ledger::{Action, Appended, Entry, Record, Source, Visitor};
use crate::store::Channel;

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
        // Its webhook event was queued with it (see `canal_store::events`).
        Appended::Recorded(record) => Ok(Stored { record, new: true }),
        Appended::Replayed(record) => Ok(Stored { record, new: false }),
        Appended::Conflict => Err(AppError::refused(
            Refusal::Conflict,
            ErrorCode::Conflict,
            conflict,
        )),
    }
}

/// Who asks (a visitor in the widget, an admin through the API) and from where.
pub struct Requester {
    pub source: Source,
    pub ip: String,
    pub user_agent: String,
}

/// A visitor's acceptance of the channel's agreement in the widget.
pub struct Grant {
    /// The version the visitor was shown: it must be the current one.
    pub agreement_version_id: String,
    /// The page the visitor accepted on, already checked as a URL.
    pub page_url: String,
    /// The client's id for this grant (a retry with it gets the same record).
    pub request_id: Option<String>,
}

/// Records a visitor's grant in the widget (a new visitor, source `livechat`).
/// 422 `unknown_agreement_version` when the version is not the current one of
/// the channel's agreement; 422 `invalid_page_url` for a page on another site.
pub async fn grant(
    state: &AppState,
    channel: Channel,
    grant: Grant,
    by: Requester,
) -> Result<Record, AppError> {
    let unknown_version = || {
        AppError::unprocessable(
            ErrorCode::UnknownAgreementVersion,
            "agreement_version_id is not the current version of this channel's agreement; fetch the config again",
        )
    };
    let agreement_id = channel
        .consent_agreement_id
        .as_deref()
        .ok_or_else(unknown_version)?;
    let current = state
        .store
        .latest_version(agreement_id)
        .await?
        .ok_or_else(unknown_version)?;
    if current.id != grant.agreement_version_id {
        return Err(unknown_version());
    }
    allowed_page(&channel, &grant.page_url)?;
    let entry = Entry {
        action: Action::Grant,
        agreement_version_id: current.id,
        channel_id: channel.id,
        visitor: Visitor::New,
        ip: Some(by.ip),
        user_agent: Some(by.user_agent),
        page_url: Some(grant.page_url),
        source: by.source,
        conversation_id: None,
        crm_entity: None,
        request_id: grant.request_id,
    };
    let stored = append(
        state,
        entry,
        "request_id was already used for a different consent",
    )
    .await?;
    Ok(stored.record)
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
    // No request id: a withdrawal is never a replay or a conflict; its
    // `consent.withdrawn` event is queued with it.
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

/// "Save to CRM": a second record of the conversation's consent, addressed to the
/// conversation and linked to the CRM entity, and the visitor's contact linked to
/// it (with the responsible agent, when given). Saving the same link again changes
/// nothing (`new` is false); another entity for the same conversation is a 409.
pub async fn link_crm(
    state: &AppState,
    conversation_id: &str,
    crm_entity: &str,
    responsible_agent_id: Option<u64>,
) -> Result<(Listed, bool), AppError> {
    let entity = crm_entity.trim();
    if entity.is_empty() || entity.len() > 128 || entity.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "crm_entity must be 1 to 128 printable characters",
        ));
    }
    let responsible = match responsible_agent_id {
        Some(id) => {
            let id = i64::try_from(id).unwrap_or(-1);
            crate::agents::by_id(&state.store, id)
                .await?
                .filter(|a| !a.is_bot)
                .ok_or_else(|| AppError::invalid("responsible_agent_id is not an agent"))?;
            Some(id)
        }
        None => None,
    };
    let store = &state.store;
    let conversation = store
        .conversation(conversation_id)
        .await?
        .ok_or_else(AppError::unknown_conversation)?;
    // A copy of a withdrawn consent would grant it again: the withdrawal stands.
    if store
        .visitor_withdrew(&conversation.visitor_id, &conversation.channel_id)
        .await?
    {
        return Err(withdrawn());
    }
    let original = match &conversation.consent_id {
        Some(id) => store.listed_consent(id).await?,
        None => None,
    }
    .ok_or_else(|| {
        AppError::refused(
            Refusal::Conflict,
            ErrorCode::ConsentRequired,
            "this conversation has no consent to link",
        )
    })?;
    let entry = Entry {
        action: Action::Grant,
        agreement_version_id: original.record.agreement_version_id.clone(),
        channel_id: original.record.channel_id.clone(),
        visitor: Visitor::Existing(conversation.visitor_id.clone()),
        ip: None,
        user_agent: None,
        page_url: None,
        source: Source::parse(&original.record.source).unwrap_or(Source::Livechat),
        conversation_id: Some(conversation.id.clone()),
        crm_entity: Some(entity.to_owned()),
        request_id: Some(format!("crm-{}", conversation.id)),
    };
    let Stored { record, new } = append(
        state,
        entry,
        "this conversation is already linked to another CRM entity",
    )
    .await?;
    store
        .link_contact(&conversation.visitor_id, entity, responsible)
        .await?;
    let listed = store
        .listed_consent(&record.id)
        .await?
        .ok_or_else(|| AppError::Internal("the record just appended is not listed".into()))?;
    Ok((listed, new))
}
