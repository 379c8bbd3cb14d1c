//! Each channel's automation settings (and, with [`PerChannel`], its CRM
//! settings) as the sockets read them on every frame
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

/// Settings of each channel (by channel id) and when they were read: what every
/// frame or message reads, kept in memory, read again after [`REFRESH`].
pub struct PerChannel<T> {
    settings: Arc<Mutex<HashMap<String, (T, Instant)>>>,
}

impl<T> Clone for PerChannel<T> {
    fn clone(&self) -> Self {
        Self {
            settings: self.settings.clone(),
        }
    }
}

impl<T> Default for PerChannel<T> {
    fn default() -> Self {
        Self {
            settings: Default::default(),
        }
    }
}

impl<T: Clone> PerChannel<T> {
    /// The channel's settings now: kept ones younger than [`REFRESH`], else
    /// `read` from the store.
    pub async fn get<F>(&self, channel_id: &str, read: F) -> Result<T, AppError>
    where
        F: std::future::Future<Output = Result<T, AppError>>,
    {
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
        let read = read.await?;
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

    /// The channel's settings as just saved; returns the ones kept before.
    pub fn set(&self, channel_id: &str, settings: &T) -> Option<T> {
        self.settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(channel_id.to_owned(), (settings.clone(), Instant::now()))
            .map(|(before, _)| before)
    }
}

/// Each channel's automation settings.
#[derive(Clone, Default)]
pub struct Automations(PerChannel<AutomationSettings>);

impl Automations {
    /// The channel's automation settings now.
    pub async fn settings(
        &self,
        store: &Store,
        channel_id: &str,
    ) -> Result<AutomationSettings, AppError> {
        self.0
            .get(
                channel_id,
                crate::services::automation::settings(store, channel_id),
            )
            .await
    }

    /// Whether the channel's live typing preview is on now.
    pub async fn on(&self, store: &Store, channel_id: &str) -> Result<bool, AppError> {
        Ok(self.settings(store, channel_id).await?.typing_preview)
    }

    /// The channel's settings as just saved; returns whether the preview was on
    /// before (`None`: not read yet).
    pub fn set(&self, channel_id: &str, settings: &AutomationSettings) -> Option<bool> {
        self.0
            .set(channel_id, settings)
            .map(|before| before.typing_preview)
    }
}
