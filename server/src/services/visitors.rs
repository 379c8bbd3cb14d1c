//! Who is asking on the visitor API: the channel a key names, the visitor a token
//! stands for (in that channel, and still consenting), and whether a page is on one
//! of the channel's sites.

use canal_core::Refusal;
use canal_protocol::ErrorCode;

use crate::app::AppState;
use crate::error::AppError;
use crate::store::Channel;
use crate::validate;

/// The channel with this key, for visitors: 404 `unknown_channel` when there is
/// none (or it was deleted), 403 `channel_off` when its admin switched it off.
pub async fn channel(state: &AppState, key: &str) -> Result<Channel, AppError> {
    let channel = super::channels::of_admin(state, key).await?;
    if !channel.active {
        return Err(AppError::refused(
            Refusal::Forbidden,
            ErrorCode::ChannelOff,
            "this channel is switched off by its admin",
        ));
    }
    Ok(channel)
}

/// Refuses a page whose site is not on the channel's allowed origins.
pub fn allowed_page(channel: &Channel, page_url: &str) -> Result<(), AppError> {
    if channel.allows(&validate::origin_of(page_url)) {
        Ok(())
    } else {
        Err(AppError::unprocessable(
            ErrorCode::InvalidPageUrl,
            "page_url is on a site this channel is not embedded in (see its allowed origins)",
        ))
    }
}

/// The visitor a token stands for, when it is valid and belongs to this channel;
/// each call takes one request from that visitor's bucket (429 past it).
pub async fn visitor_of(
    state: &AppState,
    channel: &Channel,
    token: &str,
) -> Result<String, AppError> {
    let visitor_id = state.tokens.verify(token).ok_or_else(unauthorized)?;
    state.per_visitor.check(&visitor_id)?;
    if state
        .store
        .visitor_in_channel(&visitor_id, &channel.id)
        .await?
    {
        Ok(visitor_id)
    } else {
        Err(unauthorized())
    }
}

/// [`visitor_of`], refusing a banned visitor (403 `banned`) and one who withdrew
/// their consent to the channel's agreement: what they send now is not collected
/// (403 `consent_withdrawn`).
pub async fn consenting_visitor(
    state: &AppState,
    channel: &Channel,
    token: &str,
) -> Result<String, AppError> {
    let visitor_id = visitor_of(state, channel, token).await?;
    state.bans.check_visitor(&visitor_id)?;
    if state
        .store
        .visitor_withdrew(&visitor_id, &channel.id)
        .await?
    {
        return Err(withdrawn());
    }
    Ok(visitor_id)
}

/// The conversation, when it is this visitor's in this channel (404 otherwise,
/// whether it does not exist or is someone else's).
pub async fn own_conversation(
    state: &AppState,
    channel_id: &str,
    visitor_id: &str,
    conversation_id: &str,
) -> Result<crate::store::Conversation, AppError> {
    state
        .store
        .conversation(conversation_id)
        .await?
        .filter(|c| c.visitor_id == visitor_id && c.channel_id == channel_id)
        .ok_or_else(|| {
            AppError::not_found(
                ErrorCode::UnknownConversation,
                "no conversation with this id belongs to this visitor",
            )
        })
}

/// The refusal of anything a visitor who withdrew their consent sends.
pub fn withdrawn() -> AppError {
    AppError::refused(
        Refusal::Forbidden,
        ErrorCode::ConsentWithdrawn,
        "this visitor withdrew their consent: nothing more is collected until a new consent is recorded",
    )
}

/// The refusal of a missing or foreign visitor token.
pub fn unauthorized() -> AppError {
    AppError::refused(
        Refusal::Unauthorized,
        ErrorCode::Unauthorized,
        "visitor_token is missing or not valid for this channel",
    )
}
