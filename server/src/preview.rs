//! Each channel's automation settings as the sockets read them on every frame
//! (the live typing preview's switch for each draft, the timers' settings for each
//! message): read from the store once, then kept in memory. A save through the
//! admin API sets them here at once (and tells the consoles showing a draft of
//! that channel to clear it when the preview goes off), so turning the preview off
//! stops the drafts from the next frame on. Settings older than [`REFRESH`] are
//! read again (another server on the same database may have changed them).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use canal_protocol::automation::AutomationSettings;

use crate::error::AppError;
use crate::store::Store;

/// How long settings read from the store are trusted.
pub const REFRESH: Duration = Duration::from_secs(10);

/// Each channel's settings (by channel id) and when they were read.
#[derive(Clone, Default)]
pub struct Automations {
    settings: Arc<Mutex<HashMap<String, (AutomationSettings, Instant)>>>,
}

impl Automations {
    /// The channel's automation settings now.
    pub async fn settings(
        &self,
        store: &Store,
        channel_id: &str,
    ) -> Result<AutomationSettings, AppError> {
        let now = Instant::now();
        let cached = self
            .settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(channel_id)
            .filter(|(_, at)| now.saturating_duration_since(*at) < REFRESH)
            .map(|(settings, _)| settings.clone());
        if let Some(settings) = cached {
            return Ok(settings);
        }
        let read = crate::services::automation::settings(store, channel_id).await?;
        // A save while this read ran is newer than what it read: keep the save's.
        let mut map = self.settings.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map
            .entry(channel_id.to_owned())
            .or_insert((read.clone(), now));
        if entry.1 <= now {
            *entry = (read, now);
        }
        Ok(entry.0.clone())
    }

    /// Whether the channel's live typing preview is on now.
    pub async fn on(&self, store: &Store, channel_id: &str) -> Result<bool, AppError> {
        Ok(self.settings(store, channel_id).await?.typing_preview)
    }

    /// The channel's settings as just saved; returns whether the preview was on
    /// before (`None`: not read yet).
    pub fn set(&self, channel_id: &str, settings: &AutomationSettings) -> Option<bool> {
        self.settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(channel_id.to_owned(), (settings.clone(), Instant::now()))
            .map(|(before, _)| before.typing_preview)
    }
}
