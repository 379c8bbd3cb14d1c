//! The live typing preview's switch per channel, as the visitor socket checks it
//! for every draft: read from the channel's automation settings once, then kept
//! in memory. A save through the admin API sets it here at once (and tells the
//! consoles showing a draft of that channel to clear it), so turning the preview
//! off stops the drafts from the next frame on. A value older than [`REFRESH`] is
//! read again (another server on the same database may have changed it).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::AppError;
use crate::store::Store;

/// How long a switch read from the store is trusted.
pub const REFRESH: Duration = Duration::from_secs(10);

/// Each channel's switch (by channel id) and when it was read.
#[derive(Clone, Default)]
pub struct Previews {
    on: Arc<Mutex<HashMap<String, (bool, Instant)>>>,
}

impl Previews {
    /// Whether the channel's live typing preview is on now.
    pub async fn on(&self, store: &Store, channel_id: &str) -> Result<bool, AppError> {
        let now = Instant::now();
        let cached = self
            .on
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(channel_id)
            .filter(|(_, at)| now.saturating_duration_since(*at) < REFRESH)
            .map(|(on, _)| *on);
        if let Some(on) = cached {
            return Ok(on);
        }
        let on = crate::services::automation::settings(store, channel_id)
            .await?
            .typing_preview;
        // A save while this read ran is newer than what it read: keep the save's.
        let mut map = self.on.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(channel_id.to_owned()).or_insert((on, now));
        if entry.1 <= now {
            *entry = (on, now);
        }
        Ok(entry.0)
    }

    /// The channel's switch as just saved; returns what was known before (`None`:
    /// not read yet).
    pub fn set(&self, channel_id: &str, on: bool) -> Option<bool> {
        self.on
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(channel_id.to_owned(), (on, Instant::now()))
            .map(|(before, _)| before)
    }
}
