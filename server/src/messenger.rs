//! Handler of the messenger gateway's inbound messages,
//! `POST /api/v1/admin/channels/{key}/messenger/inbound` (see
//! [`crate::services::messenger`]).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use canal_protocol::consents::{MessengerInbound, MessengerInboundResult};

use crate::admin::Admin;
use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::services::automation::{self, Commit};
use crate::services::{messenger, visitors::channel};
use crate::validate;

/// `POST /api/v1/admin/channels/{key}/messenger/inbound`: 201 for a chat's first
/// message, 200 for the next ones.
pub async fn inbound(
    _: Admin,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<MessengerInbound>,
) -> Result<(StatusCode, Json<MessengerInboundResult>), AppError> {
    let channel = channel(&state, &key).await?;
    validate::client_id("chat_id", &request.chat_id)?;
    validate::message_text(&request.text)?;
    let profile =
        crate::services::crm::profile(&state, &channel.id, request.profile.as_ref()).await?;
    let inbound = messenger::inbound(&state, &channel, &request.chat_id, &request.text).await?;
    crate::services::crm::messenger_message(
        &state,
        &channel.id,
        &inbound.result.conversation_id,
        inbound.started,
        &profile,
        &request.text,
        true,
    )
    .await;
    // The customer wrote: the channel's automatic actions count from here, as for
    // a website visitor.
    let conversation_id = &inbound.result.conversation_id;
    automation::visitor_wrote(&state, &channel.id, conversation_id, Commit::Wait).await?;
    let status = if inbound.started {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(inbound.result)))
}
