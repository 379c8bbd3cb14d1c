//! The conversation list: every channel's conversations (a deleted channel's too)
//! for admins, the conversations of their channels for other agents (see
//! [`Dispatch::listed_channels`](crate::dispatch::Dispatch::listed_channels) and
//! [`Viewer`]), newest first, searched and filtered, one page at a time; and one
//! conversation with its whole history, its rating, its routing log and its labels.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use canal_protocol::agent::limits::{MAX_SEARCH_CHARS, MIN_SEARCH_CHARS};
use canal_protocol::agent::{
    ConversationLog, ConversationRecord, DisplayMode, Label, LoggedConversation,
};
use canal_protocol::mail::{MailStatus, MailView};
use canal_protocol::rating::Rating;
use canal_protocol::ErrorCode;
use canal_store::channels::{LogFilter, LoggedRow, Scope};
use canal_store::labels::SetLabel;
use canal_store::AgentRow;

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
    /// Text to find in messages, or the visitor's name or e-mail.
    pub text: Option<String>,
    /// `true` or `false`.
    pub unanswered: Option<String>,
    /// `like`, `dislike` or `none`.
    pub rating: Option<String>,
    /// A label's id.
    pub label: Option<String>,
}

/// Who asks for the list: an admin (every conversation), or an agent (what
/// [`Viewer::of`] allows).
#[derive(Debug, Clone)]
pub enum Viewer {
    Admin,
    /// An agent who is not an admin: the channels they may list, and themselves.
    Agent(Scope),
}

impl Viewer {
    /// What a signed-in agent may list: every conversation for an admin; otherwise
    /// the conversations of the channels whose queue names them (themselves or
    /// through a department), whose bot they are or that they manage, and the ones
    /// they hold or held.
    pub async fn of(state: &AppState, agent: &AgentRow) -> Self {
        match state.dispatch.listed_channels(agent).await {
            None => Self::Admin,
            Some(channel_ids) => Self::Agent(Scope {
                channel_ids,
                agent_id: agent.id,
            }),
        }
    }

    /// Whether this viewer may see the conversation.
    pub fn sees(&self, row: &LoggedRow) -> bool {
        match self {
            Self::Admin => true,
            Self::Agent(scope) => {
                row.agent_id == Some(scope.agent_id) || scope.channel_ids.contains(&row.channel_id)
            }
        }
    }

    fn scope(&self) -> Option<Scope> {
        match self {
            Self::Admin => None,
            Self::Agent(scope) => Some(scope.clone()),
        }
    }
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
        labels: Vec::new(),
    }
}

/// Puts each conversation's labels on it.
async fn with_labels(
    state: &AppState,
    mut listed: Vec<LoggedConversation>,
) -> Result<Vec<LoggedConversation>, AppError> {
    let ids: Vec<String> = listed.iter().map(|c| c.id.clone()).collect();
    let set = state.store.labels_of(&ids).await?;
    for SetLabel {
        conversation_id,
        label_id,
        name,
    } in set
    {
        if let Some(c) = listed.iter_mut().find(|c| c.id == conversation_id) {
            c.labels.push(Label {
                id: u64::try_from(label_id).unwrap_or(0),
                name,
            });
        }
    }
    Ok(listed)
}

/// The search text asked for: `None` for none or a blank one; 422 naming `q` when
/// shorter than 3 characters (the search matches substrings by trigrams) or
/// longer than 200.
fn search_text(raw: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let chars = text.chars().count();
    if !(MIN_SEARCH_CHARS..=MAX_SEARCH_CHARS).contains(&chars) {
        return Err(AppError::invalid(format!(
            "q must be {MIN_SEARCH_CHARS} to {MAX_SEARCH_CHARS} characters"
        )));
    }
    if text.chars().any(char::is_control) {
        return Err(AppError::invalid("q must not hold control characters"));
    }
    Ok(Some(text.to_owned()))
}

/// One page of the list as `viewer` may see it. A bad filter is a 422 naming it.
pub async fn list(
    state: &AppState,
    viewer: &Viewer,
    page: Page,
) -> Result<ConversationLog, AppError> {
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
    let text = search_text(page.text.as_deref())?;
    let unanswered = match page.unanswered.as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err(AppError::invalid("unanswered must be true or false")),
    };
    if let Some(rating) = &page.rating {
        if !matches!(rating.as_str(), "like" | "dislike" | "none") {
            return Err(AppError::invalid("rating must be like, dislike or none"));
        }
    }
    let label_id = match page.label.as_deref() {
        None => None,
        Some(raw) => {
            let id = raw.parse::<i64>().ok().filter(|id| *id > 0);
            match id {
                Some(id) if state.store.label(id).await?.is_some() => Some(id),
                _ => return Err(AppError::invalid("label must be a label's id")),
            }
        }
    };
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
        text,
        unanswered,
        rating: page.rating,
        label_id,
        scope: viewer.scope(),
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
        conversations: with_labels(state, rows.into_iter().map(logged).collect()).await?,
        next_cursor,
    })
}

/// One conversation as the list shows it, when `viewer` may see it: 404 when
/// unknown, 403 when it is another channel's.
pub async fn visible(state: &AppState, viewer: &Viewer, id: &str) -> Result<LoggedRow, AppError> {
    let row = state
        .store
        .logged_conversation(id)
        .await?
        .ok_or_else(AppError::unknown_conversation)?;
    if !viewer.sees(&row) {
        return Err(AppError::refused(
            canal_core::Refusal::Forbidden,
            ErrorCode::Forbidden,
            "this conversation is in a channel you do not work in",
        ));
    }
    Ok(row)
}

/// One conversation with everything `viewer` may read of it (404 when unknown, 403
/// when it is not theirs to see).
pub async fn record(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<ConversationRecord, AppError> {
    let row = visible(state, viewer, id).await?;
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
    let conversation = with_labels(state, vec![logged(row)])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Internal("a listed conversation went missing".into()))?;
    Ok(ConversationRecord {
        conversation,
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
