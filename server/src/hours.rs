//! Working hours per channel: a time zone, opening ranges per weekday and holidays,
//! checked into a [`Schedule`]; [`status`] says, for any instant, whether the
//! channel is open and when that next changes (pure, no clock). Around it: the
//! stored hours (`channel_hours`, protocol [`WorkingHours`] as JSON) and the admin
//! routes. A channel without working hours is always open.
//!
//! Time zones come from the IANA database bundled into the binary (jiff's
//! `tzdb-bundle-always`), so results do not depend on the host's zoneinfo.

use std::collections::BTreeSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use canal_protocol::hours::{limits, HoursStatus, HoursView, TimeRange, WorkingHours};
use canal_protocol::ErrorCode;
use canal_store::Store;
use jiff::civil::Date;
use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::Timestamp;

use crate::admin::Admin;
use crate::app::AppState;
use crate::error::{ApiJson, AppError};

/// How far ahead [`status`] looks for the next change, in days: beyond the longest
/// run of holidays (366) plus a week.
pub const HORIZON_DAYS: usize = 400;

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MINUTES_PER_DAY: u16 = 24 * 60;

/// Checked working hours, ready for [`status`].
#[derive(Debug, Clone)]
pub struct Schedule {
    zone: TimeZone,
    /// Per weekday (Monday first): opening ranges in minutes after midnight,
    /// `from < to <= 1440`, sorted, not overlapping.
    days: [Vec<(u16, u16)>; 7],
    /// Dates in the channel's time zone closed all day.
    holidays: BTreeSet<Date>,
}

/// Whether a channel is open at an instant, and when that next changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub open: bool,
    /// The next instant `open` flips; `None` when it does not within
    /// [`HORIZON_DAYS`] (always open, or never open again).
    pub next_change: Option<Timestamp>,
}

/// Whether the channel is open at `now`, and when that next changes. Ranges are
/// civil times in the channel's time zone: on a day when clocks go forward a time
/// inside the gap means the time after it; when they go back, the first of the
/// repeated times. Ranges that meet (`22:00`-`24:00` and the next day's
/// `00:00`-`06:00`) are one opening.
pub fn status(schedule: &Schedule, now: Timestamp) -> Status {
    let closed_for_good = Status {
        open: false,
        next_change: None,
    };
    if schedule.days.iter().all(Vec::is_empty) {
        return closed_for_good;
    }
    let mut day = now.to_zoned(schedule.zone.clone()).date();
    // The end of the opening `now` is in, while open.
    let mut open_until: Option<Timestamp> = None;
    for _ in 0..HORIZON_DAYS {
        for (start, end) in schedule.openings(day) {
            match open_until {
                None if end <= now => {}
                None if start <= now => open_until = Some(end),
                None => {
                    return Status {
                        open: false,
                        next_change: Some(start),
                    }
                }
                Some(until) if start <= until => open_until = Some(until.max(end)),
                Some(until) => {
                    return Status {
                        open: true,
                        next_change: Some(until),
                    }
                }
            }
        }
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    Status {
        open: open_until.is_some(),
        next_change: None,
    }
}

impl Schedule {
    /// The openings of `day` as instants, in order (none on a holiday).
    fn openings(&self, day: Date) -> Vec<(Timestamp, Timestamp)> {
        if self.holidays.contains(&day) {
            return Vec::new();
        }
        let weekday = usize::try_from(day.weekday().to_monday_zero_offset()).unwrap_or(0);
        self.days[weekday % 7]
            .iter()
            .filter_map(|&(from, to)| {
                let start = self.instant(day, from)?;
                let end = self.instant(day, to)?;
                (start < end).then_some((start, end))
            })
            .collect()
    }

    /// `minutes` after the start of `day` on the channel's clocks (1440: the next
    /// day's midnight).
    fn instant(&self, day: Date, minutes: u16) -> Option<Timestamp> {
        let (day, minutes) = if minutes >= MINUTES_PER_DAY {
            (day.tomorrow().ok()?, 0)
        } else {
            (day, minutes)
        };
        let hour = i8::try_from(minutes / 60).ok()?;
        let minute = i8::try_from(minutes % 60).ok()?;
        self.zone.to_timestamp(day.at(hour, minute, 0, 0)).ok()
    }
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::unprocessable(ErrorCode::InvalidField, message)
}

/// Minutes after midnight of `HH:MM` (`24:00` is 1440).
fn minutes(text: &str) -> Option<u16> {
    let b = text.as_bytes();
    if b.len() != 5 || b[2] != b':' || ![b[0], b[1], b[3], b[4]].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let hour = u16::from(b[0] - b'0') * 10 + u16::from(b[1] - b'0');
    let minute = u16::from(b[3] - b'0') * 10 + u16::from(b[4] - b'0');
    let total = hour * 60 + minute;
    (minute < 60 && total <= MINUTES_PER_DAY).then_some(total)
}

fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A date written `YYYY-MM-DD`.
fn date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    let year = text.get(0..4)?.parse().ok()?;
    let month = text.get(5..7)?.parse().ok()?;
    let day = text.get(8..10)?.parse().ok()?;
    Date::new(year, month, day).ok()
}

/// A time zone of the bundled IANA database, by its name (any case).
fn zone(name: &str) -> Result<TimeZone, AppError> {
    let unknown = || {
        invalid(format!(
            "time_zone \"{name}\" is not an IANA time zone name (e.g. Europe/Madrid, America/New_York, UTC)"
        ))
    };
    if name.is_empty() || name.len() > limits::MAX_TIME_ZONE_BYTES {
        return Err(unknown());
    }
    let zone = TimeZoneDatabase::bundled()
        .get(name)
        .map_err(|_| unknown())?;
    if zone
        .iana_name()
        .is_none_or(|n| n.eq_ignore_ascii_case("Etc/Unknown"))
    {
        return Err(unknown());
    }
    Ok(zone)
}

/// Checks working hours from outside: every field, naming the first bad one.
/// Returns them as stored (time zone canonically spelt, ranges and holidays sorted,
/// the reply trimmed) and the schedule.
pub fn check(mut hours: WorkingHours) -> Result<(WorkingHours, Schedule), AppError> {
    let zone = zone(&hours.time_zone)?;
    if let Some(name) = zone.iana_name() {
        hours.time_zone = name.to_owned();
    }
    let mut days: [Vec<(u16, u16)>; 7] = Default::default();
    for ((name, ranges), parsed) in DAY_NAMES
        .iter()
        .zip(hours.days.days_mut())
        .zip(days.iter_mut())
    {
        if ranges.len() > limits::MAX_RANGES_PER_DAY {
            return Err(invalid(format!(
                "days.{name} has {} ranges; at most {} per day",
                ranges.len(),
                limits::MAX_RANGES_PER_DAY
            )));
        }
        for (i, range) in ranges.iter().enumerate() {
            let at = |field: &str, value: &str| {
                invalid(format!(
                    "days.{name}[{i}].{field} \"{value}\" is not a time of day as HH:MM (00:00 to 24:00)"
                ))
            };
            let from = minutes(&range.from).ok_or_else(|| at("from", &range.from))?;
            let to = minutes(&range.to).ok_or_else(|| at("to", &range.to))?;
            if from >= to {
                return Err(invalid(format!(
                    "days.{name}[{i}] runs from {} to {}: from must be before to (a range cannot cross midnight; split it over two days)",
                    range.from, range.to
                )));
            }
            parsed.push((from, to));
        }
        parsed.sort_unstable();
        if let Some(pair) = parsed.windows(2).find(|pair| pair[0].1 > pair[1].0) {
            return Err(invalid(format!(
                "days.{name} has overlapping ranges {}-{} and {}-{}",
                hhmm(pair[0].0),
                hhmm(pair[0].1),
                hhmm(pair[1].0),
                hhmm(pair[1].1)
            )));
        }
        *ranges = parsed
            .iter()
            .map(|&(from, to)| TimeRange {
                from: hhmm(from),
                to: hhmm(to),
            })
            .collect();
    }
    if hours.holidays.len() > limits::MAX_HOLIDAYS {
        return Err(invalid(format!(
            "holidays has {} dates; at most {}",
            hours.holidays.len(),
            limits::MAX_HOLIDAYS
        )));
    }
    let mut holidays = BTreeSet::new();
    for (i, text) in hours.holidays.iter().enumerate() {
        let day = date(text).ok_or_else(|| {
            invalid(format!(
                "holidays[{i}] \"{text}\" is not a date as YYYY-MM-DD"
            ))
        })?;
        if !holidays.insert(day) {
            return Err(invalid(format!("holidays lists {text} more than once")));
        }
    }
    hours.holidays = holidays.iter().map(ToString::to_string).collect();
    hours.out_of_hours_reply = hours.out_of_hours_reply.map(|r| r.trim().to_owned());
    if let Some(reply) = &hours.out_of_hours_reply {
        if reply.is_empty() {
            return Err(invalid(
                "out_of_hours_reply is blank: leave it out for no reply",
            ));
        }
        let count = reply.chars().count();
        if count > limits::MAX_REPLY_CHARS {
            return Err(invalid(format!(
                "out_of_hours_reply has {count} characters; at most {}",
                limits::MAX_REPLY_CHARS
            )));
        }
        if reply
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(invalid(
                "out_of_hours_reply may not contain control characters other than line breaks and tabs",
            ));
        }
    }
    Ok((
        hours,
        Schedule {
            zone,
            days,
            holidays,
        },
    ))
}

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
    Ok(stored(pool, channel_id).await?.map(|(_, schedule)| {
        let now = status(&schedule, Timestamp::now());
        // The change after next too, so a page left open follows both by itself.
        let then = now
            .next_change
            .and_then(|at| status(&schedule, at).next_change);
        let (opens_at, closes_at) = if now.open {
            (then, now.next_change)
        } else {
            (now.next_change, then)
        };
        HoursStatus {
            open: now.open,
            opens_at: opens_at.map(|t| t.to_string()),
            closes_at: closes_at.map(|t| t.to_string()),
        }
    }))
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
    _: Admin,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<HoursView>, AppError> {
    let channel = crate::api::channel(&state, &key).await?;
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
    _: Admin,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<WorkingHours>,
) -> Result<Json<HoursView>, AppError> {
    let channel = crate::api::channel(&state, &key).await?;
    let (hours, schedule) = check(request)?;
    let json = serde_json::to_string(&hours)
        .map_err(|e| AppError::Internal(format!("working hours: {e}")))?;
    state.store.put_hours(&channel.id, &json).await?;
    Ok(Json(view(hours, &schedule)))
}

/// `DELETE /api/v1/admin/channels/{key}/hours`: the channel is always open again.
pub async fn delete_hours(
    _: Admin,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<StatusCode, AppError> {
    let channel = crate::api::channel(&state, &key).await?;
    state.store.delete_hours(&channel.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use canal_protocol::hours::WeekHours;

    use super::*;

    fn range(from: &str, to: &str) -> TimeRange {
        TimeRange {
            from: from.into(),
            to: to.into(),
        }
    }

    fn hours(time_zone: &str, days: WeekHours, holidays: &[&str]) -> WorkingHours {
        WorkingHours {
            time_zone: time_zone.into(),
            days,
            holidays: holidays.iter().map(|d| d.to_string()).collect(),
            out_of_hours_reply: None,
        }
    }

    fn weekdays(ranges: &[(&str, &str)]) -> WeekHours {
        let r: Vec<TimeRange> = ranges.iter().map(|(f, t)| range(f, t)).collect();
        WeekHours {
            mon: r.clone(),
            tue: r.clone(),
            wed: r.clone(),
            thu: r.clone(),
            fri: r,
            ..WeekHours::default()
        }
    }

    fn schedule(hours: WorkingHours) -> Schedule {
        check(hours).expect("valid hours").1
    }

    fn at(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    fn open_until(until: &str) -> Status {
        Status {
            open: true,
            next_change: Some(at(until)),
        }
    }

    fn closed_until(until: &str) -> Status {
        Status {
            open: false,
            next_change: Some(at(until)),
        }
    }

    #[test]
    fn office_hours_open_and_close_in_the_channel_time_zone() {
        // Madrid is UTC+1 in January.
        let s = schedule(hours(
            "Europe/Madrid",
            weekdays(&[("09:00", "13:00"), ("14:00", "18:00")]),
            &[],
        ));
        // Monday 2025-01-06.
        assert_eq!(
            status(&s, at("2025-01-06T07:59:00Z")),
            closed_until("2025-01-06T08:00:00Z")
        );
        assert_eq!(
            status(&s, at("2025-01-06T08:00:00Z")),
            open_until("2025-01-06T12:00:00Z")
        );
        // Lunch.
        assert_eq!(
            status(&s, at("2025-01-06T12:00:00Z")),
            closed_until("2025-01-06T13:00:00Z")
        );
        // Friday evening: closed until Monday morning.
        assert_eq!(
            status(&s, at("2025-01-10T17:30:00Z")),
            closed_until("2025-01-13T08:00:00Z")
        );
    }

    #[test]
    fn dst_transitions_keep_local_opening_times() {
        let s = schedule(hours("Europe/Madrid", weekdays(&[("09:00", "17:00")]), &[]));
        // Clocks go forward on Sunday 2025-03-30: Friday 09:00 is 08:00Z, Monday
        // 09:00 is 07:00Z.
        assert_eq!(
            status(&s, at("2025-03-28T20:00:00Z")),
            closed_until("2025-03-31T07:00:00Z")
        );
        // And back on Sunday 2025-10-26.
        assert_eq!(
            status(&s, at("2025-10-24T20:00:00Z")),
            closed_until("2025-10-27T08:00:00Z")
        );
        // New York: a range inside the spring gap (02:00-03:00 does not exist on
        // 2025-03-09) opens at the time after the gap.
        let every = |r: &[(&str, &str)]| {
            let mut w = weekdays(r);
            w.sat = w.mon.clone();
            w.sun = w.mon.clone();
            w
        };
        let gap = schedule(hours("America/New_York", every(&[("02:30", "04:00")]), &[]));
        // 2025-03-09 01:59 EST = 06:59Z; 02:30 does not exist, 03:30 EDT = 07:30Z.
        assert_eq!(
            status(&gap, at("2025-03-09T06:59:00Z")),
            closed_until("2025-03-09T07:30:00Z")
        );
        assert_eq!(
            status(&gap, at("2025-03-09T07:30:00Z")),
            open_until("2025-03-09T08:00:00Z")
        );
        // Autumn fold (01:00-02:00 happens twice on 2025-11-02): the first 01:30.
        let fold = schedule(hours("America/New_York", every(&[("01:30", "03:00")]), &[]));
        assert_eq!(
            status(&fold, at("2025-11-02T05:00:00Z")),
            closed_until("2025-11-02T05:30:00Z")
        );
        // 03:00 EST = 08:00Z: open through the repeated hour.
        assert_eq!(
            status(&fold, at("2025-11-02T05:30:00Z")),
            open_until("2025-11-02T08:00:00Z")
        );
    }

    #[test]
    fn holidays_close_the_whole_day() {
        let s = schedule(hours(
            "UTC",
            weekdays(&[("09:00", "17:00")]),
            &["2025-12-25", "2025-12-26"],
        ));
        // Wednesday before Christmas: closed Thursday and Friday, open Monday.
        assert_eq!(
            status(&s, at("2025-12-24T18:00:00Z")),
            closed_until("2025-12-29T09:00:00Z")
        );
        assert_eq!(
            status(&s, at("2025-12-25T10:00:00Z")),
            closed_until("2025-12-29T09:00:00Z")
        );
    }

    #[test]
    fn ranges_meeting_at_midnight_are_one_opening() {
        let days = WeekHours {
            mon: vec![range("22:00", "24:00")],
            tue: vec![range("00:00", "06:00"), range("06:00", "07:00")],
            ..WeekHours::default()
        };
        let s = schedule(hours("UTC", days, &[]));
        // Monday 2025-01-06 23:00: open until Tuesday 07:00, not midnight.
        assert_eq!(
            status(&s, at("2025-01-06T23:00:00Z")),
            open_until("2025-01-07T07:00:00Z")
        );
        assert_eq!(
            status(&s, at("2025-01-07T07:00:00Z")),
            closed_until("2025-01-13T22:00:00Z")
        );
    }

    #[test]
    fn empty_days_are_closed_and_all_empty_is_closed_for_good() {
        let s = schedule(hours("UTC", WeekHours::default(), &[]));
        assert_eq!(
            status(&s, at("2025-01-06T12:00:00Z")),
            Status {
                open: false,
                next_change: None
            }
        );
        // Only Sundays.
        let days = WeekHours {
            sun: vec![range("10:00", "12:00")],
            ..WeekHours::default()
        };
        let s = schedule(hours("UTC", days, &[]));
        assert_eq!(
            status(&s, at("2025-01-06T12:00:00Z")),
            closed_until("2025-01-12T10:00:00Z")
        );
    }

    #[test]
    fn open_all_day_every_day_is_open_for_good_until_a_holiday() {
        let all = [("00:00", "24:00")];
        let mut days = weekdays(&all);
        days.sat = days.mon.clone();
        days.sun = days.mon.clone();
        let s = schedule(hours("Asia/Tokyo", days.clone(), &[]));
        assert_eq!(
            status(&s, at("2025-06-01T12:00:00Z")),
            Status {
                open: true,
                next_change: None
            }
        );
        // Tokyo is UTC+9: its 2025-06-03 starts at 2025-06-02T15:00Z.
        let s = schedule(hours("Asia/Tokyo", days, &["2025-06-03"]));
        assert_eq!(
            status(&s, at("2025-06-01T12:00:00Z")),
            open_until("2025-06-02T15:00:00Z")
        );
        assert_eq!(
            status(&s, at("2025-06-02T15:00:00Z")),
            closed_until("2025-06-03T15:00:00Z")
        );
    }

    #[test]
    fn a_year_of_holidays_still_finds_the_next_opening() {
        let first = Date::new(2025, 1, 1).expect("date");
        let holidays: Vec<String> = (0..366)
            .map(|n| {
                first
                    .checked_add(jiff::Span::new().days(n))
                    .expect("date")
                    .to_string()
            })
            .collect();
        let refs: Vec<&str> = holidays.iter().map(String::as_str).collect();
        let s = schedule(hours("UTC", weekdays(&[("09:00", "17:00")]), &refs));
        // 2026-01-02 is a Friday, the first day after the holidays.
        assert_eq!(
            status(&s, at("2025-01-01T00:00:00Z")),
            closed_until("2026-01-02T09:00:00Z")
        );
    }

    fn refused(hours: WorkingHours, needle: &str) {
        match check(hours) {
            Err(AppError::Client { code, message, .. }) => {
                assert_eq!(code, ErrorCode::InvalidField);
                assert!(message.contains(needle), "{message:?} lacks {needle:?}");
            }
            other => panic!("expected a refusal mentioning {needle:?}, got {other:?}"),
        }
    }

    #[test]
    fn bad_hours_are_refused_with_the_field_named() {
        let ok = weekdays(&[("09:00", "17:00")]);
        refused(hours("Mars/Olympus", ok.clone(), &[]), "time_zone");
        refused(hours("", ok.clone(), &[]), "time_zone");
        refused(hours("Etc/Unknown", ok.clone(), &[]), "time_zone");
        for (from, to) in [
            ("9:00", "17:00"),
            ("09:60", "17:00"),
            ("25:00", "26:00"),
            ("09:00", "24:01"),
            ("0900", "1700"),
            ("09:00 ", "17:00"),
            ("０9:00", "17:00"),
        ] {
            refused(
                hours("UTC", weekdays(&[(from, to)]), &[]),
                "is not a time of day",
            );
        }
        refused(hours("UTC", weekdays(&[("17:00", "09:00")]), &[]), "before");
        refused(hours("UTC", weekdays(&[("09:00", "09:00")]), &[]), "before");
        refused(
            hours(
                "UTC",
                weekdays(&[("09:00", "13:00"), ("12:00", "18:00")]),
                &[],
            ),
            "overlapping",
        );
        refused(
            hours(
                "UTC",
                weekdays(&[
                    ("01:00", "02:00"),
                    ("03:00", "04:00"),
                    ("05:00", "06:00"),
                    ("07:00", "08:00"),
                    ("09:00", "10:00"),
                ]),
                &[],
            ),
            "at most 4",
        );
        for bad in [
            "2025-02-30",
            "2025-13-01",
            "25-12-25",
            "2025/12/25",
            "2025-12-5 ",
        ] {
            refused(hours("UTC", ok.clone(), &[bad]), "holidays[0]");
        }
        refused(
            hours("UTC", ok.clone(), &["2025-12-25", "2025-12-25"]),
            "more than once",
        );
        let many: Vec<String> = (0..367)
            .map(|n| format!("2025-01-{:02}", n % 28 + 1))
            .collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        refused(hours("UTC", ok.clone(), &refs), "at most 366");
        let mut long = hours("UTC", ok.clone(), &[]);
        long.out_of_hours_reply = Some("x".repeat(1001));
        refused(long, "out_of_hours_reply");
        let mut blank = hours("UTC", ok.clone(), &[]);
        blank.out_of_hours_reply = Some(" \n ".into());
        refused(blank, "blank");
        let mut control = hours("UTC", ok, &[]);
        control.out_of_hours_reply = Some("back\u{7}soon".into());
        refused(control, "out_of_hours_reply");
    }

    #[test]
    fn accepted_hours_are_stored_in_canonical_form() {
        let days = WeekHours {
            mon: vec![range("14:00", "18:00"), range("09:00", "13:00")],
            ..WeekHours::default()
        };
        let mut h = hours("europe/madrid", days, &["2025-12-26", "2025-01-01"]);
        h.out_of_hours_reply = Some("  We are closed.\n  ".into());
        let (stored, _) = check(h).expect("valid");
        assert_eq!(stored.time_zone, "Europe/Madrid");
        assert_eq!(
            stored.days.mon,
            vec![range("09:00", "13:00"), range("14:00", "18:00")]
        );
        assert_eq!(stored.holidays, vec!["2025-01-01", "2025-12-26"]);
        assert_eq!(stored.out_of_hours_reply.as_deref(), Some("We are closed."));
    }
}
