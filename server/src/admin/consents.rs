//! `GET /api/v1/admin/consents` (JSON pages or a CSV export), the latest state per
//! visitor and agreement, and withdrawals. Nothing here edits or deletes a record:
//! a withdrawal is a new record.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use canal_protocol::consents::{
    AdminWithdrawal, ConsentPage, ConsentRecordView, ConsentStateView, ConsentStatus,
};
use canal_protocol::ErrorCode;
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, Time};

use super::scope::ReadConsents;
use super::{Admin, Allowed, Manager};
use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::ledger::{Action, Filter, Source};
use crate::services::consents::{self, Withdrawal};
use canal_store::ledger::Listed;

const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 500;
const EXPORT_PAGE: i64 = 1000;

/// Query parameters of the list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    agreement: Option<String>,
    channel: Option<String>,
    source: Option<String>,
    action: Option<String>,
    /// `today`, `7d` or `30d` (UTC days, today included).
    period: Option<String>,
    /// `YYYY-MM-DD` or RFC 3339; inclusive.
    from: Option<String>,
    /// `YYYY-MM-DD` (the whole day) or RFC 3339; inclusive.
    to: Option<String>,
    cursor: Option<String>,
    limit: Option<i64>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

pub(crate) fn bad_query(rejection: QueryRejection) -> AppError {
    let text = rejection.body_text();
    let code = if text.contains("unknown field") {
        ErrorCode::UnknownField
    } else {
        ErrorCode::BadRequest
    };
    AppError::bad_request(code, format!("invalid query: {text}"))
}

/// Store format of an instant: `2026-11-21T16:20:00.123Z`.
fn stamp(at: OffsetDateTime) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// Parses `YYYY-MM-DD` (as that day's start, UTC) or RFC 3339.
fn instant(raw: &str, name: &str) -> Result<(OffsetDateTime, bool), AppError> {
    let day = format_description!("[year]-[month]-[day]");
    if let Ok(date) = Date::parse(raw, &day) {
        return Ok((date.with_time(Time::MIDNIGHT).assume_utc(), true));
    }
    OffsetDateTime::parse(raw, &Rfc3339)
        .map(|t| (t, false))
        .map_err(|_| AppError::invalid(format!("{name} must be YYYY-MM-DD or an RFC 3339 time")))
}

/// `from` and `to` of a list's query (`YYYY-MM-DD`, the whole day, or RFC 3339;
/// both inclusive) as the store's bounds: at or after, and before.
/// The start of a `period` (`today`, `7d`, `30d`: UTC days, today included), as
/// stored; 422 naming `period` for another.
pub(crate) fn period_start(period: &str, now: OffsetDateTime) -> Result<String, AppError> {
    let days = match period {
        "today" => 0,
        "7d" => 6,
        "30d" => 29,
        _ => return Err(AppError::invalid("period must be today, 7d or 30d")),
    };
    let start = (now.date() - Duration::days(days))
        .with_time(Time::MIDNIGHT)
        .assume_utc();
    Ok(stamp(start))
}

pub(crate) fn time_range(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Option<String>, Option<String>), AppError> {
    let from = from.map(|raw| instant(raw, "from")).transpose()?;
    let until = to
        .map(|raw| {
            instant(raw, "to").map(|(t, whole_day)| {
                if whole_day {
                    t + Duration::days(1)
                } else {
                    t + Duration::milliseconds(1)
                }
            })
        })
        .transpose()?;
    if let (Some((from, _)), Some(until)) = (from, until) {
        if from >= until {
            return Err(AppError::invalid("from must be before to"));
        }
    }
    Ok((from.map(|(t, _)| stamp(t)), until.map(stamp)))
}

impl ListQuery {
    fn filter(&self, now: OffsetDateTime) -> Result<Filter, AppError> {
        let mut filter = Filter {
            agreement_id: self.agreement.clone(),
            channel: self.channel.clone(),
            ..Filter::default()
        };
        if let Some(raw) = &self.source {
            filter.source = Some(Source::parse(raw).ok_or_else(|| {
                AppError::invalid("source must be livechat, form, messenger or api")
            })?);
        }
        if let Some(raw) = &self.action {
            filter.action = Some(match raw.as_str() {
                "grant" => Action::Grant,
                "withdraw" => Action::Withdraw,
                _ => return Err(AppError::invalid("action must be grant or withdraw")),
            });
        }
        if let Some(period) = &self.period {
            if self.from.is_some() || self.to.is_some() {
                return Err(AppError::invalid("use either period or from/to, not both"));
            }
            filter.from = Some(period_start(period, now)?);
        }
        let (from, until) = time_range(self.from.as_deref(), self.to.as_deref())?;
        if from.is_some() {
            filter.from = from;
        }
        filter.until = until;
        if let Some(cursor) = &self.cursor {
            filter.before_seq = Some(
                cursor
                    .parse::<i64>()
                    .ok()
                    .filter(|seq| *seq > 0)
                    .ok_or_else(|| AppError::invalid("cursor is not one this API returned"))?,
            );
        }
        Ok(filter)
    }
}

/// The wire view of a listed record.
pub fn view(listed: Listed) -> ConsentRecordView {
    let r = listed.record;
    ConsentRecordView {
        seq: r.seq.max(0) as u64,
        id: r.id,
        action: r.action,
        agreement_id: listed.agreement_id,
        agreement_version_id: r.agreement_version_id,
        agreement_version: u32::try_from(listed.agreement_version).unwrap_or(0),
        channel: listed.channel_key,
        visitor_id: r.visitor_id,
        ip: r.ip,
        user_agent: r.user_agent,
        page_url: r.page_url,
        source: r.source,
        conversation_id: r.conversation_id,
        crm_entity: r.crm_entity,
        request_id: r.request_id,
        created_at: r.created_at,
        prev_hash: r.prev_hash,
        hash: r.hash,
    }
}

/// `GET /api/v1/admin/consents`
pub async fn list(
    _: Allowed<ReadConsents>,
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(query) = query.map_err(bad_query)?;
    let filter = query.filter(OffsetDateTime::now_utc())?;
    match query.format.as_deref() {
        None | Some("json") => {}
        Some("csv") => return Ok(export_csv(state, filter)),
        Some(_) => return Err(AppError::invalid("format must be json or csv")),
    }
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::invalid(format!("limit must be 1 to {MAX_PAGE}")));
    }
    let rows = state.store.consents(&filter, limit).await?;
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|l| l.record.seq.to_string()))
        .flatten();
    Ok(Json(ConsentPage {
        records: rows.into_iter().map(view).collect(),
        next_cursor,
    })
    .into_response())
}

/// Column names of the CSV export, in order.
pub const CSV_HEADER: [&str; 18] = [
    "seq",
    "id",
    "action",
    "agreement_id",
    "agreement_version_id",
    "agreement_version",
    "channel",
    "visitor_id",
    "ip",
    "user_agent",
    "page_url",
    "source",
    "conversation_id",
    "crm_entity",
    "request_id",
    "created_at",
    "prev_hash",
    "hash",
];

/// One CSV cell: quoted when needed, and a leading `= + - @` (which spreadsheets
/// would run as a formula) prefixed with `'`.
fn cell(value: &str) -> String {
    let guarded = crate::services::kpi::formula_safe(value);
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded.into_owned()
    }
}

fn csv_line(fields: &[String]) -> String {
    let mut line = fields.iter().map(|f| cell(f)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

fn csv_row(v: ConsentRecordView) -> String {
    let o = |s: Option<String>| s.unwrap_or_default();
    csv_line(&[
        v.seq.to_string(),
        v.id,
        v.action,
        v.agreement_id,
        v.agreement_version_id,
        v.agreement_version.to_string(),
        v.channel,
        o(v.visitor_id),
        o(v.ip),
        o(v.user_agent),
        o(v.page_url),
        v.source,
        o(v.conversation_id),
        o(v.crm_entity),
        o(v.request_id),
        v.created_at,
        v.prev_hash,
        v.hash,
    ])
}

/// Streams every matching record as CSV, a page at a time.
fn export_csv(state: AppState, mut filter: Filter) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(4);
    tokio::spawn(async move {
        let header: Vec<String> = CSV_HEADER.iter().map(|s| s.to_string()).collect();
        if tx.send(Ok(csv_line(&header))).await.is_err() {
            return;
        }
        loop {
            let rows = match state.store.consents(&filter, EXPORT_PAGE).await {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::error!(error = %e, "consent export failed");
                    let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                    return;
                }
            };
            let last = rows.last().map(|l| l.record.seq);
            let chunk: String = rows.into_iter().map(|l| csv_row(view(l))).collect();
            if !chunk.is_empty() && tx.send(Ok(chunk)).await.is_err() {
                return;
            }
            match last {
                Some(seq) if seq > 1 => filter.before_seq = Some(seq),
                _ => return,
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"canal-consents.csv\"",
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

/// `GET /api/v1/admin/consents/{id}`: one record. It is never edited or deleted:
/// `PUT`, `PATCH` and `DELETE` here answer 405.
pub async fn one(
    _: Allowed<ReadConsents>,
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<ConsentRecordView>, AppError> {
    let listed =
        state.store.listed_consent(&id).await?.ok_or_else(|| {
            AppError::not_found(ErrorCode::NotFound, "no consent record has this id")
        })?;
    Ok(Json(view(listed)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateQuery {
    visitor: String,
    agreement: String,
}

/// `GET /api/v1/admin/consents/state?visitor=&agreement=`
pub async fn state(
    _: Allowed<ReadConsents>,
    State(state): State<AppState>,
    query: Result<Query<StateQuery>, QueryRejection>,
) -> Result<Json<ConsentStateView>, AppError> {
    let Query(query) = query.map_err(bad_query)?;
    let latest = state
        .store
        .latest_consent(&query.visitor, &query.agreement)
        .await?;
    Ok(Json(state_view(&query.visitor, &query.agreement, latest)))
}

fn state_view(visitor_id: &str, agreement_id: &str, latest: Option<Listed>) -> ConsentStateView {
    let status = match latest.as_ref().map(|l| l.record.action.as_str()) {
        Some("grant") => ConsentStatus::Granted,
        Some(_) => ConsentStatus::Withdrawn,
        None => ConsentStatus::None,
    };
    ConsentStateView {
        visitor_id: visitor_id.to_owned(),
        agreement_id: agreement_id.to_owned(),
        status,
        record: latest.map(view),
    }
}

/// A withdrawal's answer: 201 with the new state, or 200 when it was withdrawn
/// already (nothing appended).
pub fn withdrawal_answer(
    visitor_id: &str,
    agreement_id: &str,
    done: Withdrawal,
) -> (StatusCode, Json<ConsentStateView>) {
    let status = if done.appended {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (
        status,
        Json(state_view(visitor_id, agreement_id, done.latest)),
    )
}

/// `POST /api/v1/admin/consents/withdrawals`
pub async fn withdraw(
    _: Admin,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<AdminWithdrawal>,
) -> Result<(StatusCode, Json<ConsentStateView>), AppError> {
    let by = crate::api::requester(&state, Source::Api, peer, &headers)?;
    let done = consents::withdraw(&state, &request.visitor_id, &request.agreement_id, by).await?;
    Ok(withdrawal_answer(
        &request.visitor_id,
        &request.agreement_id,
        done,
    ))
}

/// `POST /api/v1/admin/conversations/{id}/crm-link`: "save to CRM" (see
/// [`consents::link_crm`]): 201 for a new link, 200 when it was saved before.
pub async fn crm_link(
    _: Admin,
    State(state): State<AppState>,
    axum::extract::Path(conversation_id): axum::extract::Path<String>,
    ApiJson(request): ApiJson<canal_protocol::consents::CrmLink>,
) -> Result<(StatusCode, Json<ConsentRecordView>), AppError> {
    let (listed, new) = consents::link_crm(
        &state,
        &conversation_id,
        &request.crm_entity,
        request.responsible_agent_id,
    )
    .await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view(listed))))
}

/// `PUT /api/v1/admin/channels/{key}/origins`
pub async fn set_origins(
    _: Manager,
    State(state): State<AppState>,
    axum::extract::Path(key): axum::extract::Path<String>,
    ApiJson(request): ApiJson<canal_protocol::admin::ChannelOrigins>,
) -> Result<Json<canal_protocol::admin::ChannelOrigins>, AppError> {
    let channel = crate::services::channels::of_admin(&state, &key).await?;
    let origins = canal_core::channels::origins(request.allowed_origins)?;
    state
        .store
        .set_allowed_origins(&channel.id, origins.as_deref())
        .await?;
    Ok(Json(canal_protocol::admin::ChannelOrigins {
        allowed_origins: origins,
    }))
}
