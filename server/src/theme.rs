//! A channel's look: accent colour, the launcher's side and text, light or dark.
//!
//! The loader styles the launcher from the snippet's `data-` attributes before it
//! makes any request, so the snippet carries the theme ([`snippet`]); the frame
//! reads its part ([`FrameTheme`]) from the public config. The admin API sets the
//! theme and hands out the matching snippet.

use axum::extract::{Path, State};
use axum::Json;
use canal_protocol::theme::{Position, Snippet, Theme, ThemeMode};
use canal_store::Store;

use crate::admin::Manager;
use crate::app::AppState;
use crate::error::{ApiJson, AppError};

/// The channel's stored theme.
pub async fn load(store: &Store, channel_id: &str) -> Result<Theme, canal_store::Error> {
    let canal_store::features::ThemeRow {
        theme_color: color,
        theme_position: position,
        theme_launcher_text: launcher_text,
        theme_mode: mode,
    } = store.theme(channel_id).await?;
    // The table's CHECKs admit only these values.
    Ok(Theme {
        color,
        position: if position == Position::Left.as_str() {
            Position::Left
        } else {
            Position::Right
        },
        launcher_text,
        mode: [ThemeMode::Light, ThemeMode::Dark]
            .into_iter()
            .find(|m| m.as_str() == mode)
            .unwrap_or_default(),
    })
}

pub use canal_core::theme::{black_on, check, frame, snippet};

/// `GET /api/v1/admin/channels/{key}/theme`
pub async fn get_theme(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<Theme>, AppError> {
    let channel = crate::services::channels::of_admin(&state, &key).await?;
    Ok(Json(load(&state.store, &channel.id).await?))
}

/// `PUT /api/v1/admin/channels/{key}/theme`: replaces the theme (fields left out
/// take their defaults).
pub async fn put_theme(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<Theme>,
) -> Result<Json<Theme>, AppError> {
    let channel = crate::services::channels::of_admin(&state, &key).await?;
    let theme = check(request)?;
    let row = canal_store::features::ThemeRow {
        theme_color: theme.color.clone(),
        theme_position: theme.position.as_str().to_owned(),
        theme_launcher_text: theme.launcher_text.clone(),
        theme_mode: theme.mode.as_str().to_owned(),
    };
    state.store.put_theme(&channel.id, &row).await?;
    Ok(Json(load(&state.store, &channel.id).await?))
}

/// `GET /api/v1/admin/channels/{key}/snippet`: the snippet that matches the theme.
pub async fn get_snippet(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<Snippet>, AppError> {
    let channel = crate::services::channels::of_admin(&state, &key).await?;
    let theme = load(&state.store, &channel.id).await?;
    Ok(Json(Snippet {
        html: snippet(&state.public_url, &channel.key, &theme),
    }))
}
