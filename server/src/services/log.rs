//! The conversation list: every channel's conversations (a deleted channel's too)
//! for admins, the conversations of their channels for other agents (see
//! [`Dispatch::listed_channels`](crate::dispatch::Dispatch::listed_channels) and
//! [`Viewer`]), newest first, searched and filtered, one page at a time; and one
//! conversation with its whole history, its rating, its routing log and its labels.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use canal_protocol::agent::limits::{MAX_SEARCH_CHARS, MIN_SEARCH_CHARS};
use canal_protocol::agent::{
    ConversationList, ConversationLog, ConversationRecord, DisplayMode, Label, ListedConversation,
    LoggedConversation,
};
use canal_protocol::kpi::{Figures, ReportedConversation};
use canal_protocol::mail::{MailStatus, MailView};
use canal_protocol::rating::Rating;
use canal_protocol::ErrorCode;
use canal_store::channels::{LogColumn, LogFilter, LogKey, LogSort, LoggedRow, Scope};
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
    /// The order (see [`parse_sort`]).
    pub sort: Option<String>,
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

/// The columns the list sorts by, by the names `sort` takes (the reports' names).
const SORTS: [(&str, LogColumn); 7] = [
    ("started_at", LogColumn::Started),
    ("first_response", LogColumn::FirstResponse),
    ("total_response", LogColumn::TotalResponse),
    ("average_response", LogColumn::AverageResponse),
    ("max_response", LogColumn::MaxResponse),
    ("responses", LogColumn::Responses),
    ("rating", LogColumn::Rating),
];

/// The list's order from `sort`: a column's name (see [`SORTS`]), ascending, or
/// with `-` before it, descending; absent: `-started_at` (newest first). Ties go
/// by id in the same direction. 422 for anything else.
pub fn parse_sort(raw: Option<&str>) -> Result<LogSort, AppError> {
    let Some(raw) = raw else {
        return Ok(LogSort::default());
    };
    let (descending, name) = match raw.strip_prefix('-') {
        Some(name) => (true, name),
        None => (false, raw),
    };
    SORTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, column)| LogSort {
            column: *column,
            descending,
        })
        .ok_or_else(|| {
            AppError::invalid(
                "sort must be started_at, first_response, total_response, average_response, \
                 max_response, responses or rating, with - before it for descending",
            )
        })
}

/// The name `sort` takes for this order.
pub fn sort_name(sort: LogSort) -> String {
    let name = SORTS
        .iter()
        .find(|(_, c)| *c == sort.column)
        .map_or("started_at", |(n, _)| n);
    if sort.descending {
        format!("-{name}")
    } else {
        name.to_owned()
    }
}

/// The cursor of a position (a row's value in the sort's column, its id): the
/// sort it was made for, the value, the id.
fn cursor_at(sort: LogSort, (key, id): (LogKey, String)) -> String {
    let key = match key {
        LogKey::Text(v) => v,
        LogKey::Number(n) => n.to_string(),
    };
    URL_SAFE_NO_PAD.encode(format!("{}\n{key}\n{id}", sort_name(sort)))
}

/// The cursor of the page that starts at `next` (from [`rows_page`]).
fn next_cursor(sort: LogSort, next: Option<(LogKey, String)>) -> Option<String> {
    next.map(|at| cursor_at(sort, at))
}

/// Where a cursor points, for `sort`: 422 when it is not one this API made, or
/// was made for another sort.
fn position(cursor: &str, sort: LogSort) -> Result<(LogKey, String), AppError> {
    let bad = || AppError::invalid("cursor is not one this API returned");
    let raw = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad)?;
    let mut parts = raw.splitn(3, '\n');
    let (Some(made_for), Some(key), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let made_for = parse_sort(Some(made_for)).map_err(|_| bad())?;
    if made_for != sort {
        return Err(AppError::invalid(format!(
            "cursor belongs to sort={}, not sort={}: ask for the first page of this sort \
             without a cursor",
            sort_name(made_for),
            sort_name(sort)
        )));
    }
    let key = match sort.column {
        LogColumn::Started => LogKey::Text(key.to_owned()),
        _ => LogKey::Number(key.parse().map_err(|_| bad())?),
    };
    Ok((key, id.to_owned()))
}

/// A row's stored figures as the API gives them.
fn figures_of(row: &LoggedRow) -> Figures {
    let secs = |v: Option<i64>| v.and_then(|n| u64::try_from(n).ok());
    Figures {
        first_response_secs: secs(row.first_response_secs),
        total_response_secs: secs(row.total_response_secs),
        average_response_secs: secs(row.average_response_secs),
        max_response_secs: secs(row.max_response_secs),
        responses: secs(row.responses).unwrap_or(0),
    }
}

/// A row of the agents' list: what it shows and its figures.
fn listed(row: LoggedRow) -> ListedConversation {
    let figures = figures_of(&row);
    let c = logged(row);
    ListedConversation {
        id: c.id,
        channel_key: c.channel_key,
        channel_name: c.channel_name,
        status: c.status,
        agent_id: c.agent_id,
        agent_name: c.agent_name,
        started_at: c.started_at,
        messages: c.messages,
        last_message_at: c.last_message_at,
        rating: c.rating,
        labels: c.labels,
        figures,
    }
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
    for (i, label) in labels_by_row(state, &ids).await? {
        listed[i].labels.push(label);
    }
    Ok(listed)
}

/// The labels of the conversations `ids`, each with the index of its
/// conversation in `ids`.
async fn labels_by_row(state: &AppState, ids: &[String]) -> Result<Vec<(usize, Label)>, AppError> {
    let set = state.store.labels_of(ids).await?;
    Ok(set
        .into_iter()
        .filter_map(
            |SetLabel {
                 conversation_id,
                 label_id,
                 name,
             }| {
                let i = ids.iter().position(|id| *id == conversation_id)?;
                let id = u64::try_from(label_id).unwrap_or(0);
                Some((i, Label { id, name }))
            },
        )
        .collect())
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

/// The store's filter for `page` as `viewer` may see it, its `limit` the page's
/// size (one more is fetched: whether there is a next page). A bad parameter is a
/// 422 naming it.
async fn filter_of(state: &AppState, viewer: &Viewer, page: Page) -> Result<LogFilter, AppError> {
    let sort = parse_sort(page.sort.as_deref())?;
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
    let after = page
        .cursor
        .as_deref()
        .map(|c| position(c, sort))
        .transpose()?;
    Ok(LogFilter {
        channel_key: page.channel_key,
        agent_id,
        status: page.status,
        from: page.from,
        until: page.until,
        after,
        sort,
        limit,
        text,
        unanswered,
        rating: page.rating,
        label_id,
        scope: viewer.scope(),
    })
}

/// One page of rows for `filter` (`filter.limit` of them at most) and where the
/// next page starts, if there is one (its cursor: [`next_cursor`]).
async fn rows_page(
    state: &AppState,
    filter: &LogFilter,
) -> Result<(Vec<LoggedRow>, Option<(LogKey, String)>), AppError> {
    let limit = filter.limit;
    // One more than the page: whether there is a next one.
    let ask = LogFilter {
        limit: limit + 1,
        ..filter.clone()
    };
    let mut rows = state.store.conversation_log(&ask).await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if more {
        rows.last()
            .map(|row| (filter.sort.column.key_of(row), row.id.clone()))
    } else {
        None
    };
    Ok((rows, next_cursor))
}

/// One page of the list as `viewer` may see it, in full (the admins' message
/// log). A bad parameter is a 422 naming it.
pub async fn list(
    state: &AppState,
    viewer: &Viewer,
    page: Page,
) -> Result<ConversationLog, AppError> {
    let filter = filter_of(state, viewer, page).await?;
    let (rows, next) = rows_page(state, &filter).await?;
    Ok(ConversationLog {
        conversations: with_labels(state, rows.into_iter().map(logged).collect()).await?,
        next_cursor: next_cursor(filter.sort, next),
    })
}

/// One page of the agents' list as `viewer` may see it: slim rows with their
/// figures. A bad parameter is a 422 naming it.
pub async fn slim_list(
    state: &AppState,
    viewer: &Viewer,
    page: Page,
) -> Result<ConversationList, AppError> {
    let filter = filter_of(state, viewer, page).await?;
    let (rows, next) = rows_page(state, &filter).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut conversations: Vec<ListedConversation> = rows.into_iter().map(listed).collect();
    for (i, label) in labels_by_row(state, &ids).await? {
        conversations[i].labels.push(label);
    }
    Ok(ConversationList {
        conversations,
        next_cursor: next_cursor(filter.sort, next),
        sort: sort_name(filter.sort),
    })
}

/// Rows an export reads from the store at a time.
const EXPORT_PAGE: i64 = 200;

/// The whole list as `viewer` may see it, in its order, as CSV (the columns of
/// the reports' CSV, see [`super::kpi::CSV_HEADER`]): the parameters are checked
/// first (a 422 names a bad one), then the text comes a page of rows at a time
/// from the receiver (an error ends it).
pub async fn export(
    state: &AppState,
    viewer: &Viewer,
    page: Page,
) -> Result<tokio::sync::mpsc::Receiver<Result<String, std::io::Error>>, AppError> {
    let mut filter = filter_of(state, viewer, page).await?;
    filter.limit = EXPORT_PAGE;
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let state = state.clone();
    tokio::spawn(async move {
        let mut header = true;
        loop {
            // A page of rows as CSV, and where the next one starts.
            let chunk = async {
                let (rows, next) = rows_page(&state, &filter).await?;
                let reported: Vec<ReportedConversation> = rows
                    .into_iter()
                    .map(|row| ReportedConversation {
                        figures: figures_of(&row),
                        conversation: logged(row),
                    })
                    .collect();
                Ok::<_, AppError>((super::kpi::csv_rows(&reported, header)?, next))
            };
            let (text, next) = match chunk.await {
                Ok(chunk) => chunk,
                Err(e) => {
                    tracing::error!(error = %e, "conversation export failed");
                    let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                    return;
                }
            };
            header = false;
            if tx.send(Ok(text)).await.is_err() {
                return;
            }
            match next {
                Some(after) => filter.after = Some(after),
                None => return,
            }
        }
    });
    Ok(rx)
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
    // E-mail addresses and delivery details are for admins only.
    let mail = match viewer {
        Viewer::Admin => state
            .store
            .conversation_mail(id)
            .await?
            .into_iter()
            .map(mail_view)
            .collect(),
        Viewer::Agent(_) => Vec::new(),
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The cursor of the page after `row`, as [`rows_page`] and [`next_cursor`]
    /// make it.
    fn cursor_of(sort: LogSort, row: &LoggedRow) -> String {
        cursor_at(sort, (sort.column.key_of(row), row.id.clone()))
    }

    fn row(id: &str, first: Option<i64>) -> LoggedRow {
        LoggedRow {
            id: id.into(),
            channel_key: "demo".into(),
            channel_name: "Demo".into(),
            channel_id: "ch".into(),
            visitor_id: "v".into(),
            status: "open".into(),
            agent_id: None,
            agent_name: None,
            created_at: "2031-01-01T00:00:00.000Z".into(),
            page_url: None,
            messages: 1,
            last_message_at: None,
            rating: None,
            first_response_secs: first,
            total_response_secs: None,
            average_response_secs: None,
            max_response_secs: None,
            responses: None,
            figures_rating: None,
        }
    }

    #[test]
    fn every_sort_reads_back_as_its_name_and_the_rest_is_refused() {
        for (name, _) in SORTS {
            for raw in [name.to_owned(), format!("-{name}")] {
                let sort = parse_sort(Some(&raw)).expect("a sort");
                assert_eq!(sort_name(sort), raw);
            }
        }
        assert_eq!(parse_sort(None).expect("default"), LogSort::default());
        for bad in ["", "-", "--rating", "Rating", "messages", "rating "] {
            assert!(parse_sort(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_cursor_points_after_its_row_in_its_own_sort_only() {
        let sort = parse_sort(Some("-first_response")).expect("sort");
        let cursor = cursor_of(sort, &row("c9", Some(42)));
        assert_eq!(
            position(&cursor, sort).expect("position"),
            (LogKey::Number(42), "c9".to_owned())
        );
        // A figure not known is -1, below every figure.
        let unknown = cursor_of(sort, &row("c1", None));
        assert_eq!(
            position(&unknown, sort).expect("position").0,
            LogKey::Number(-1)
        );
        assert!(position(&cursor, parse_sort(Some("first_response")).expect("sort")).is_err());
        assert!(position(&cursor, LogSort::default()).is_err());
        assert!(position("not a cursor", sort).is_err());
        let started = cursor_of(LogSort::default(), &row("c2", None));
        assert_eq!(
            position(&started, LogSort::default()).expect("position"),
            (
                LogKey::Text("2031-01-01T00:00:00.000Z".into()),
                "c2".to_owned()
            )
        );
    }
}
