//! The message log: every channel's conversations (a deleted channel's too) for
//! admins, newest first, one page at a time, and one conversation with its whole
//! history, its rating and its routing log.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use canal_protocol::agent::{ConversationLog, ConversationRecord, DisplayMode, LoggedConversation};
use canal_protocol::mail::{MailStatus, MailView};
use canal_protocol::rating::Rating;
use canal_protocol::ErrorCode;
use canal_store::channels::{LogFilter, LoggedRow};

use crate::app::AppState;
use crate::dispatch::Display;
use crate::error::AppError;

/// Pages hold 50 conversations unless asked otherwise, at most 200.
const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 200;

/// A page of the log as asked for, the values still as the client sent them
/// (the dates already turned into bounds).
#[derive(Debug, Default)]
pub struct Page {
    pub channel_key: Option<String>,
    pub agent: Option<String>,
    pub status: Option<String>,
    pub from: Option<String>,
    pub until: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

fn cursor_of(row: &LoggedRow) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}\n{}", row.created_at, row.id))
}

fn position(cursor: &str) -> Option<(String, String)> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (at, id) = raw.split_once('\n')?;
    Some((at.to_owned(), id.to_owned()))
}

pub(crate) fn logged(row: LoggedRow) -> LoggedConversation {
    LoggedConversation {
        id: row.id,
        channel_key: row.channel_key,
        channel_name: row.channel_name,
        visitor_id: row.visitor_id,
        status: row.status,
        agent_id: row.agent_id.and_then(|id| u64::try_from(id).ok()),
        agent_name: row.agent_name,
        started_at: row.created_at,
        page_url: row.page_url,
        messages: u64::try_from(row.messages).unwrap_or(0),
        last_message_at: row.last_message_at,
        rating: row.rating.as_deref().and_then(Rating::parse),
    }
}

/// One page of the log. A bad filter is a 422 naming it.
pub async fn list(state: &AppState, page: Page) -> Result<ConversationLog, AppError> {
    let limit = match page.limit.as_deref() {
        None => DEFAULT_PAGE,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| AppError::invalid(format!("limit must be 1 to {MAX_PAGE}")))?,
    };
    let agent_id = page
        .agent
        .as_deref()
        .map(|raw| {
            raw.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| AppError::invalid("agent must be an agent's id"))
        })
        .transpose()?;
    if let Some(status) = &page.status {
        if status != "open" && status != "closed" {
            return Err(AppError::invalid("status must be open or closed"));
        }
    }
    let before = page
        .cursor
        .as_deref()
        .map(|c| {
            position(c).ok_or_else(|| AppError::invalid("cursor is not one this API returned"))
        })
        .transpose()?;
    let filter = LogFilter {
        channel_key: page.channel_key,
        agent_id,
        status: page.status,
        from: page.from,
        until: page.until,
        before,
        // One more than the page: whether there is a next one.
        limit: limit + 1,
    };
    let mut rows = state.store.conversation_log(&filter).await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if more {
        rows.last().map(cursor_of)
    } else {
        None
    };
    Ok(ConversationLog {
        conversations: rows.into_iter().map(logged).collect(),
        next_cursor,
    })
}

/// One conversation with everything an admin may read of it (404 when unknown).
pub async fn record(state: &AppState, id: &str) -> Result<ConversationRecord, AppError> {
    let row = state.store.logged_conversation(id).await?.ok_or_else(|| {
        AppError::not_found(ErrorCode::UnknownConversation, "no such conversation")
    })?;
    // Agent messages under the agent's own name, whatever the visitor was shown.
    let display = Display {
        mode: DisplayMode::Profile,
        channel_title: row.channel_name.clone(),
    };
    let messages = state
        .store
        .messages_after(id, 0)
        .await?
        .into_iter()
        .map(|m| display.view(m))
        .collect();
    let rating = super::ratings::of_conversation(&state.store, id).await?;
    let routing_log = state.dispatch.log(id).await?;
    let mail = state
        .store
        .conversation_mail(id)
        .await?
        .into_iter()
        .map(mail_view)
        .collect();
    Ok(ConversationRecord {
        conversation: logged(row),
        messages,
        rating,
        routing_log,
        mail,
    })
}

fn mail_view(mail: crate::store::Mail) -> MailView {
    let (status, reason) = match (&mail.sent_at, mail.dropped) {
        (Some(_), _) => (MailStatus::Sent, None),
        (None, Some(dropped)) => (MailStatus::Dropped, Some(dropped)),
        (None, None) => (MailStatus::Waiting, mail.last_error),
    };
    MailView {
        kind: mail.kind.as_str().to_owned(),
        to: mail.to_address,
        status,
        queued_at: mail.created_at,
        attempts: u32::try_from(mail.attempts).unwrap_or(u32::MAX),
        sent_at: mail.sent_at,
        reason,
    }
}
