//! Working hours per channel, around the pure schedule (`canal_core::hours`): the
//! stored hours (`channel_hours`, protocol [`WorkingHours`] as JSON) and the admin
//! routes. A channel without working hours is always open.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use canal_protocol::hours::{HoursStatus, HoursView, WorkingHours};
use canal_protocol::ErrorCode;
use canal_store::Store;
use jiff::Timestamp;

pub use canal_core::hours::{check, status, widget_status, Schedule, Status, HORIZON_DAYS};

use crate::admin::Manager;
use crate::app::AppState;
use crate::error::{ApiJson, AppError};

/// A channel's working hours and their schedule, or `None` when it has none (always
/// open). Stored hours that no longer check out (say, a time zone dropped from a
/// later database) count as none, with a warning in the log.
pub async fn stored(
    store: &Store,
    channel_id: &str,
) -> Result<Option<(WorkingHours, Schedule)>, canal_store::Error> {
    let Some(json) = store.hours(channel_id).await? else {
        return Ok(None);
    };
    let checked = serde_json::from_str(&json)
        .ok()
        .and_then(|hours| check(hours).ok());
    if checked.is_none() {
        tracing::warn!(
            channel_id,
            "stored working hours no longer check out; treated as always open"
        );
    }
    Ok(checked)
}

/// The status the widget gets: `None` for a channel without working hours.
pub async fn public_status(
    pool: &Store,
    channel_id: &str,
) -> Result<Option<HoursStatus>, canal_store::Error> {
    Ok(stored(pool, channel_id)
        .await?
        .map(|(_, schedule)| widget_status(&schedule, Timestamp::now())))
}

fn view(hours: WorkingHours, schedule: &Schedule) -> HoursView {
    let now = status(schedule, Timestamp::now());
    HoursView {
        hours,
        open: now.open,
        next_change: now.next_change.map(|t| t.to_string()),
    }
}

/// `GET /api/v1/admin/channels/{key}/hours`
pub async fn get_hours(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<HoursView>, AppError> {
    let channel = crate::services::channels::of_admin(&state, &key).await?;
    let (hours, schedule) = stored(&state.store, &channel.id).await?.ok_or_else(|| {
        AppError::not_found(
            ErrorCode::NotFound,
            "this channel has no working hours: it is always open",
        )
    })?;
    Ok(Json(view(hours, &schedule)))
}

/// `PUT /api/v1/admin/channels/{key}/hours`
pub async fn put_hours(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<WorkingHours>,
) -> Result<Json<HoursView>, AppError> {
    let channel = crate::services::channels::of_admin(&state, &key).await?;
    let (hours, schedule) = check(request)?;
    let json = serde_json::to_string(&hours)
        .map_err(|e| AppError::Internal(format!("working hours: {e}")))?;
    state.store.put_hours(&channel.id, &json).await?;
    Ok(Json(view(hours, &schedule)))
}

/// `DELETE /api/v1/admin/channels/{key}/hours`: the channel is always open again.
pub async fn delete_hours(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<StatusCode, AppError> {
    let channel = crate::services::channels::of_admin(&state, &key).await?;
    state.store.delete_hours(&channel.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
