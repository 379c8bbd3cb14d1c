//! The KPI reports in the admin API (see [`crate::services::kpi`]):
//! `GET /api/v1/admin/reports/conversations` (the conversations started in a
//! period with their response-time figures, sortable, as JSON or CSV),
//! `GET /api/v1/admin/reports/agents` (each agent's figures and daily series) and
//! `GET /api/v1/admin/conversations/{id}/transcript` (text or JSON).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use canal_protocol::kpi::{AgentReport, ConversationReport, Transcript};
use serde::Deserialize;

use super::consents::{bad_query, time_range};
use super::Admin;
use crate::app::AppState;
use crate::error::AppError;
use crate::services::kpi::{self, Period, Sort};

/// The routes of this module, to merge into the admin router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/conversations", get(conversations))
        .route("/reports/agents", get(agents))
        .route("/conversations/{id}/transcript", get(transcript))
}

/// Query parameters of the conversation report.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportQuery {
    /// A channel's key.
    channel: Option<String>,
    /// Started on or after: `YYYY-MM-DD` or RFC 3339.
    from: Option<String>,
    /// Started on or before: `YYYY-MM-DD` (the whole day) or RFC 3339.
    to: Option<String>,
    /// A column, `-` first for descending (see [`Sort::parse`]).
    sort: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// Query parameters of the agent report.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentQuery {
    channel: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn period(
    channel: Option<String>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Period, AppError> {
    let (from, until) = time_range(from, to)?;
    Ok(Period {
        channel_key: channel,
        from,
        until,
    })
}

/// `GET /api/v1/admin/reports/conversations`
async fn conversations(
    _: Admin,
    State(state): State<AppState>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(query) = query.map_err(bad_query)?;
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(AppError::invalid("format must be json or csv")),
    };
    let sort = Sort::parse(query.sort.as_deref())?;
    let period = period(query.channel, query.from.as_deref(), query.to.as_deref())?;
    let report: ConversationReport = kpi::conversations(&state, &period, sort).await?;
    if !csv {
        return Ok(Json(report).into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"canal-conversations.csv\"",
            ),
        ],
        kpi::csv(&report)?,
    )
        .into_response())
}

/// `GET /api/v1/admin/reports/agents`
async fn agents(
    _: Admin,
    State(state): State<AppState>,
    query: Result<Query<AgentQuery>, QueryRejection>,
) -> Result<Json<AgentReport>, AppError> {
    let Query(query) = query.map_err(bad_query)?;
    let period = period(query.channel, query.from.as_deref(), query.to.as_deref())?;
    Ok(Json(kpi::agents(&state, &period).await?))
}

/// Query parameters of a transcript.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TranscriptQuery {
    /// `text` (default) or `json`.
    format: Option<String>,
}

/// `GET /api/v1/admin/conversations/{id}/transcript`
async fn transcript(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<TranscriptQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(query) = query.map_err(bad_query)?;
    let text = match query.format.as_deref() {
        None | Some("text") => true,
        Some("json") => false,
        Some(_) => return Err(AppError::invalid("format must be text or json")),
    };
    let messages = kpi::transcript(&state, &id).await?;
    if !text {
        return Ok(Json(Transcript {
            conversation_id: id,
            messages,
        })
        .into_response());
    }
    let disposition = format!("attachment; filename=\"canal-{}.txt\"", safe_name(&id));
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        kpi::transcript_text(&id, &messages),
    )
        .into_response())
}

/// A conversation id as a file name: letters, digits, `-` and `_` only.
fn safe_name(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(64)
        .collect()
}
