//! A channel's working hours: its time zone, opening ranges per weekday, holidays,
//! and the reply a visitor gets when a conversation starts out of hours. A channel
//! without working hours is always open.
//!
//! Routes:
//! - admin: `GET`/`PUT`/`DELETE /api/v1/admin/channels/{key}/hours` ([`WorkingHours`]
//!   -> [`HoursView`]; `GET` is 404 while the channel has none, `DELETE` makes it
//!   always open again);
//! - public: [`crate::ChannelConfig::hours`] tells the widget whether the channel is
//!   open now and when it opens next ([`HoursStatus`]).

use serde::{Deserialize, Serialize};

/// Sizes the hours API enforces.
pub mod limits {
    /// Most opening ranges on one weekday.
    pub const MAX_RANGES_PER_DAY: usize = 4;
    /// Most holidays.
    pub const MAX_HOLIDAYS: usize = 366;
    /// Longest out-of-hours reply, in characters.
    pub const MAX_REPLY_CHARS: usize = 1000;
    /// Longest time zone name, in bytes.
    pub const MAX_TIME_ZONE_BYTES: usize = 64;
}

/// One opening range of a day in the channel's time zone: `from` (included) to `to`
/// (excluded), each `HH:MM`; `to` may be `24:00` (midnight at the end of the day).
/// A range never crosses midnight: open overnight as `22:00`-`24:00` on one day and
/// `00:00`-`06:00` on the next.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TimeRange {
    pub from: String,
    pub to: String,
}

/// The opening ranges of each weekday; a day left out or empty is closed.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct WeekHours {
    #[serde(default)]
    pub mon: Vec<TimeRange>,
    #[serde(default)]
    pub tue: Vec<TimeRange>,
    #[serde(default)]
    pub wed: Vec<TimeRange>,
    #[serde(default)]
    pub thu: Vec<TimeRange>,
    #[serde(default)]
    pub fri: Vec<TimeRange>,
    #[serde(default)]
    pub sat: Vec<TimeRange>,
    #[serde(default)]
    pub sun: Vec<TimeRange>,
}

impl WeekHours {
    /// The days Monday to Sunday.
    pub fn days(&self) -> [&Vec<TimeRange>; 7] {
        [
            &self.mon, &self.tue, &self.wed, &self.thu, &self.fri, &self.sat, &self.sun,
        ]
    }

    /// The days Monday to Sunday, to change.
    pub fn days_mut(&mut self) -> [&mut Vec<TimeRange>; 7] {
        [
            &mut self.mon,
            &mut self.tue,
            &mut self.wed,
            &mut self.thu,
            &mut self.fri,
            &mut self.sat,
            &mut self.sun,
        ]
    }
}

/// `PUT /api/v1/admin/channels/{key}/hours`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WorkingHours {
    /// IANA time zone the ranges and holidays are in (`Europe/Madrid`).
    pub time_zone: String,
    pub days: WeekHours,
    /// Dates (`YYYY-MM-DD`, in the channel's time zone) closed all day.
    #[serde(default)]
    pub holidays: Vec<String>,
    /// Plain text posted once as a system message when a conversation starts out
    /// of hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_hours_reply: Option<String>,
}

/// A channel's working hours (as stored: ranges sorted, holidays sorted) and their
/// status now.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct HoursView {
    pub hours: WorkingHours,
    pub open: bool,
    /// When `open` next changes (RFC 3339, UTC); `None`: not within the next year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_change: Option<String>,
}

/// Whether a channel with working hours is open now ([`crate::ChannelConfig`]).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct HoursStatus {
    pub open: bool,
    /// When it opens next (RFC 3339, UTC): while closed, the end of this closing;
    /// while open, the opening after the next closing. `None` when there is none
    /// within the next year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<String>,
    /// When it closes next (RFC 3339, UTC), the same way round. With both, a page
    /// left open follows the next two changes without asking again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_refuse_unknown_fields_at_every_level() {
        let ok = r#"{"time_zone":"UTC","days":{"mon":[{"from":"09:00","to":"17:00"}]}}"#;
        let parsed: WorkingHours = serde_json::from_str(ok).expect("parse");
        assert_eq!(parsed.days.mon.len(), 1);
        assert!(parsed.days.sun.is_empty() && parsed.holidays.is_empty());
        for bad in [
            r#"{"time_zone":"UTC","days":{},"extra":1}"#,
            r#"{"time_zone":"UTC","days":{"monday":[]}}"#,
            r#"{"time_zone":"UTC","days":{"mon":[{"from":"09:00","to":"17:00","x":1}]}}"#,
        ] {
            assert!(serde_json::from_str::<WorkingHours>(bad).is_err(), "{bad}");
        }
    }
}
