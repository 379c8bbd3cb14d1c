//! Canned answers as admins (and the channel's managers) keep them and agents read
//! them: checked drafts, one code per answer in a channel.

use canal_core::Refusal;
use canal_protocol::canned::{limits, valid_code, CannedAnswer, CannedDraft};
use canal_protocol::ErrorCode;

use crate::app::AppState;
use crate::error::AppError;
use crate::services::channels;
use crate::store::canned::CannedRow;

fn view(row: CannedRow) -> CannedAnswer {
    CannedAnswer {
        id: row.id,
        code: row.code,
        text: row.text,
    }
}

fn unknown() -> AppError {
    AppError::not_found(
        ErrorCode::NotFound,
        "this channel has no canned answer with this id",
    )
}

fn taken(code: &str) -> AppError {
    AppError::refused(
        Refusal::Conflict,
        ErrorCode::Conflict,
        format!("the channel has a canned answer /{code} already"),
    )
}

/// The draft trimmed, or 422 naming the field.
fn check(draft: CannedDraft) -> Result<CannedDraft, AppError> {
    let code = draft.code.trim().to_owned();
    if !valid_code(&code) {
        return Err(AppError::invalid(format!(
            "code must be 1 to {} of a-z, 0-9, - and _",
            limits::MAX_CODE_CHARS
        )));
    }
    let text = draft.text.trim().to_owned();
    if text.is_empty() || text.chars().count() > limits::MAX_TEXT_CHARS {
        return Err(AppError::invalid(format!(
            "text must be 1 to {} characters",
            limits::MAX_TEXT_CHARS
        )));
    }
    Ok(CannedDraft { code, text })
}

/// The canned answers of the channel `key` (404 for an unknown or deleted one).
pub async fn list(state: &AppState, key: &str) -> Result<Vec<CannedAnswer>, AppError> {
    let channel = channels::of_admin(state, key).await?;
    let rows = state.store.canned(&channel.id).await?;
    Ok(rows.into_iter().map(view).collect())
}

/// The canned answers for `agent`'s reply in the conversation `conversation_id`
/// (403 unless it is one they may open), each filled in for it (see
/// [`canal_core::canned::fill`]).
pub async fn for_reply(
    state: &AppState,
    agent: &crate::store::AgentRow,
    conversation_id: &str,
) -> Result<Vec<CannedAnswer>, AppError> {
    let (summary, _) = state.dispatch.opened_by(agent, conversation_id).await?;
    let visitor = state.store.visitor_name(conversation_id).await?;
    let mut answers = list(state, &summary.channel_key).await?;
    for answer in &mut answers {
        answer.text = canal_core::canned::fill(&answer.text, visitor.as_deref(), &agent.name);
    }
    Ok(answers)
}

/// Adds one: 422 for a bad draft, 409 for a code the channel has, 422 past
/// [`limits::MAX_PER_CHANNEL`]; nothing stored then.
pub async fn create(
    state: &AppState,
    key: &str,
    draft: CannedDraft,
) -> Result<CannedAnswer, AppError> {
    let channel = channels::of_admin(state, key).await?;
    let draft = check(draft)?;
    if state.store.canned(&channel.id).await?.len() >= limits::MAX_PER_CHANNEL {
        return Err(AppError::invalid(format!(
            "a channel has at most {} canned answers",
            limits::MAX_PER_CHANNEL
        )));
    }
    match state
        .store
        .create_canned(&channel.id, &draft.code, &draft.text)
        .await
    {
        Ok(row) => Ok(view(row)),
        Err(e) if e.is_unique_violation() => Err(taken(&draft.code)),
        Err(e) => Err(e.into()),
    }
}

/// Changes one (404 for none in this channel, 409 for a code another has).
pub async fn update(
    state: &AppState,
    key: &str,
    id: &str,
    draft: CannedDraft,
) -> Result<CannedAnswer, AppError> {
    let channel = channels::of_admin(state, key).await?;
    let id: i64 = id.parse().map_err(|_| unknown())?;
    let draft = check(draft)?;
    match state
        .store
        .update_canned(&channel.id, id, &draft.code, &draft.text)
        .await
    {
        Ok(Some(row)) => Ok(view(row)),
        Ok(None) => Err(unknown()),
        Err(e) if e.is_unique_violation() => Err(taken(&draft.code)),
        Err(e) => Err(e.into()),
    }
}

/// Deletes one (404 for none in this channel, so deleting twice is a 404).
pub async fn delete(state: &AppState, key: &str, id: &str) -> Result<(), AppError> {
    let channel = channels::of_admin(state, key).await?;
    let id: i64 = id.parse().map_err(|_| unknown())?;
    if state.store.delete_canned(&channel.id, id).await? {
        Ok(())
    } else {
        Err(unknown())
    }
}
