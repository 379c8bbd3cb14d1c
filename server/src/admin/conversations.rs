//! The message log in the admin API: `GET /api/v1/admin/conversations` (every
//! channel's conversations, newest first or sorted by a figure, searched and
//! filtered as the console's conversation list is, see [`ListQuery`]; as JSON or
//! CSV) and `GET /api/v1/admin/conversations/{id}`
//! (one with its history, rating, routing log and labels). See
//! [`crate::services::log`].

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use canal_protocol::agent::ConversationRecord;
use serde::Deserialize;

use super::consents::{bad_query, period_start, time_range};
use super::scope::ReadConversations;
use super::Allowed;
use crate::app::AppState;
use crate::error::AppError;
use crate::services::log::{self, Page, Viewer};

/// The routes of this module, to merge into the admin router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/conversations", get(list))
        .route("/conversations/{id}", get(one))
}

/// Query parameters of the list (the admins' log and the agents' list alike).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Text found in a message, or in the visitor's name or e-mail.
    q: Option<String>,
    /// A channel's key.
    channel: Option<String>,
    /// An agent's id: the conversations they hold or held.
    agent: Option<String>,
    /// `open` or `closed`.
    status: Option<String>,
    /// `true`: only the ones marked unanswered; `false`: only the others.
    unanswered: Option<String>,
    /// `like`, `dislike` or `none`.
    rating: Option<String>,
    /// A label's id.
    label: Option<String>,
    /// `today`, `7d` or `30d` (UTC days), instead of `from`/`to`.
    period: Option<String>,
    /// Started on or after: `YYYY-MM-DD` or RFC 3339.
    from: Option<String>,
    /// Started on or before: `YYYY-MM-DD` (the whole day) or RFC 3339.
    to: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
    /// The order: a column's name, `-` before it for descending (see
    /// [`log::parse_sort`]); default `-started_at`.
    sort: Option<String>,
    /// `json` (default) or `csv`: the whole list in its order, as CSV.
    format: Option<String>,
}

/// What the list answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl ListQuery {
    /// The page asked for, the dates turned into bounds (422 naming a bad one).
    pub fn page(self) -> Result<Page, AppError> {
        let (mut from, until) = time_range(self.from.as_deref(), self.to.as_deref())?;
        if let Some(period) = &self.period {
            if from.is_some() || until.is_some() {
                return Err(AppError::invalid("use either period or from/to, not both"));
            }
            from = Some(period_start(period, time::OffsetDateTime::now_utc())?);
        }
        Ok(Page {
            channel_key: self.channel,
            agent: self.agent,
            status: self.status,
            from,
            until,
            cursor: self.cursor,
            limit: self.limit,
            text: self.q,
            unanswered: self.unanswered,
            rating: self.rating,
            label: self.label,
            sort: self.sort,
        })
    }
}

/// The query string, or 400 naming what is wrong with it; 422 for a bad value.
pub fn list_query(
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<(Page, Format), AppError> {
    let Query(mut query) = query.map_err(bad_query)?;
    let format = match query.format.take().as_deref() {
        None | Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        Some(_) => return Err(AppError::invalid("format must be json or csv")),
    };
    Ok((query.page()?, format))
}

/// The list as a CSV download, streamed a page of rows at a time.
pub fn csv_response(rows: tokio::sync::mpsc::Receiver<Result<String, std::io::Error>>) -> Response {
    let stream = futures_util::stream::unfold(rows, |mut rows| async move {
        rows.recv().await.map(|item| (item, rows))
    });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"canal-conversations.csv\"",
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

/// `GET /api/v1/admin/conversations`
async fn list(
    _: Allowed<ReadConversations>,
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (page, format) = list_query(query)?;
    Ok(match format {
        Format::Json => Json(log::list(&state, &Viewer::Admin, page).await?).into_response(),
        Format::Csv => csv_response(log::export(&state, &Viewer::Admin, page).await?),
    })
}

/// `GET /api/v1/admin/conversations/{id}`
async fn one(
    _: Allowed<ReadConversations>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ConversationRecord>, AppError> {
    Ok(Json(log::record(&state, &Viewer::Admin, &id).await?))
}
