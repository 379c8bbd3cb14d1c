//! Labels: admins create and delete them; agents set them on the conversations they
//! may see (see [`log::Viewer`]); the list shows and filters them.

use canal_core::Refusal;
use canal_protocol::agent::limits::{MAX_LABELS, MAX_LABEL_CHARS};
use canal_protocol::agent::{Label, NewLabel};
use canal_protocol::ErrorCode;
use canal_store::labels::LabelRow;
use canal_store::AgentRow;

use crate::app::AppState;
use crate::error::AppError;
use crate::services::log::{self, Viewer};

fn view(row: LabelRow) -> Label {
    Label {
        id: u64::try_from(row.id).unwrap_or(0),
        name: row.name,
    }
}

fn unknown() -> AppError {
    AppError::not_found(ErrorCode::NotFound, "there is no label with this id")
}

/// A label id from a path: a positive number, else 404 (no label has it).
fn id_of(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(unknown)
}

/// Every label, by name.
pub async fn list(state: &AppState) -> Result<Vec<Label>, AppError> {
    Ok(state.store.labels().await?.into_iter().map(view).collect())
}

/// Creates a label: a name of 1 to 40 characters (trimmed, no control
/// characters), not taken (409), at most 200 labels (422).
pub async fn create(state: &AppState, new: NewLabel) -> Result<Label, AppError> {
    let name = new.name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_LABEL_CHARS || name.chars().any(char::is_control) {
        return Err(AppError::invalid(format!(
            "name must be 1 to {MAX_LABEL_CHARS} characters, without control characters"
        )));
    }
    if state.store.labels().await?.len() >= MAX_LABELS {
        return Err(AppError::invalid(format!(
            "there are {MAX_LABELS} labels already: delete one first"
        )));
    }
    match state.store.create_label(name).await {
        Ok(row) => Ok(view(row)),
        Err(e) if e.is_unique_violation() => Err(AppError::refused(
            Refusal::Conflict,
            ErrorCode::Conflict,
            format!("there is a label {name:?} already"),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Deletes a label, taking it off every conversation (404 for none).
pub async fn delete(state: &AppState, id: &str) -> Result<(), AppError> {
    if state.store.delete_label(id_of(id)?).await? {
        Ok(())
    } else {
        Err(unknown())
    }
}

/// Sets (`on`) or takes off a label on a conversation `agent` may see: 404 for an
/// unknown conversation or label, 403 for another channel's conversation; setting
/// one twice, or taking off one not set, changes nothing.
pub async fn set(
    state: &AppState,
    agent: &AgentRow,
    conversation_id: &str,
    label_id: &str,
    on: bool,
) -> Result<(), AppError> {
    let viewer = Viewer::of(state, agent).await;
    log::visible(state, &viewer, conversation_id).await?;
    let label = state
        .store
        .label(id_of(label_id)?)
        .await?
        .ok_or_else(unknown)?;
    if on {
        state
            .store
            .set_label(conversation_id, label.id, Some(agent.id))
            .await?;
    } else {
        state.store.unset_label(conversation_id, label.id).await?;
    }
    Ok(())
}
