//! Times as the console shows them: the server's RFC 3339 stamps read into
//! milliseconds, then written as a clock time, a short date or a countdown.
//!
//! In the browser, clock times and dates are written by `Intl` in the console's
//! language (`10:30 AM`, `10:30`, `5 ene`, `5 янв.`). Which of them a moment gets
//! ([`shape`]), the reading of stamps and the countdown are pure arithmetic
//! (native unit tests); outside a browser, [`write`] falls back to that arithmetic
//! (`HH:MM`, `5 Jan`). [`now_ms`] and [`local_offset_minutes`] ask the browser
//! and say 0 outside it.

/// Milliseconds since the Unix epoch of an RFC 3339 time (`2026-01-05T14:03:00Z`,
/// fractional seconds and `+hh:mm` offsets allowed), or `None` if it is not one.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        let digits = text.get(from..to)?;
        if !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let first3 = format!("{:0<3}", &fraction[..digits.min(3)]);
        millis = first3.parse::<i64>().ok()?;
        rest = &fraction[digits..];
    }
    let offset_minutes = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let o = rest.as_bytes();
            if o.len() != 6 || o[3] != b':' {
                return None;
            }
            let hours: i64 = rest.get(1..3)?.parse().ok()?;
            let minutes: i64 = rest.get(4..6)?.parse().ok()?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 60 + minutes)
        }
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1_000 + millis)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month, day)` of a day number since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The RFC 3339 stamp (`2026-01-05T14:03:00Z`, whole seconds, UTC) of a moment in
/// UTC milliseconds since the epoch.
pub fn rfc3339(utc_ms: i64) -> String {
    let seconds = utc_ms.div_euclid(1_000);
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3_600,
        of_day % 3_600 / 60,
        of_day % 60
    )
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `HH:MM` of a local time in milliseconds.
pub fn clock(local_ms: i64) -> String {
    let minutes = local_ms.div_euclid(60_000);
    let of_day = minutes.rem_euclid(24 * 60);
    format!("{:02}:{:02}", of_day / 60, of_day % 60)
}

/// `HH:MM:SS` of a local time in milliseconds.
pub fn clock_seconds(local_ms: i64) -> String {
    let seconds = local_ms.div_euclid(1_000).rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3_600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// `5 Jan`, or `5 Jan 2025` `with_year`, of a local time in milliseconds.
pub fn short_date(local_ms: i64, with_year: bool) -> String {
    let (year, month, day) = civil_from_days(local_ms.div_euclid(86_400_000));
    let name = usize::try_from(month - 1)
        .ok()
        .and_then(|m| MONTHS.get(m))
        .copied()
        .unwrap_or("?");
    if with_year {
        format!("{day} {name} {year}")
    } else {
        format!("{day} {name}")
    }
}

/// How a moment is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Hours and minutes.
    Clock,
    /// Hours, minutes and seconds.
    ClockSeconds,
    /// Day and month.
    Date,
    /// Day, month and year.
    DateYear,
    /// Day, month, year, hours and minutes.
    DateTime,
}

impl Shape {
    /// The shape's `Intl.DateTimeFormat` options, as a JSON object.
    pub fn intl_options(self) -> &'static str {
        match self {
            Self::Clock => r#"{"hour":"numeric","minute":"2-digit"}"#,
            Self::ClockSeconds => r#"{"hour":"numeric","minute":"2-digit","second":"2-digit"}"#,
            Self::Date => r#"{"day":"numeric","month":"short"}"#,
            Self::DateYear => r#"{"day":"numeric","month":"short","year":"numeric"}"#,
            Self::DateTime => {
                r#"{"day":"numeric","month":"short","year":"numeric","hour":"numeric","minute":"2-digit"}"#
            }
        }
    }
}

/// How an inbox line shows a moment (local times in milliseconds): the clock time
/// when it is today, else the date, with the year when it is not this year's.
pub fn shape(local_ms: i64, local_now_ms: i64) -> Shape {
    let day = local_ms.div_euclid(86_400_000);
    let today = local_now_ms.div_euclid(86_400_000);
    if day == today {
        Shape::Clock
    } else if civil_from_days(day).0 == civil_from_days(today).0 {
        Shape::Date
    } else {
        Shape::DateYear
    }
}

/// A moment as an inbox line shows it (see [`shape`]), by the arithmetic alone.
pub fn when(local_ms: i64, local_now_ms: i64) -> String {
    match shape(local_ms, local_now_ms) {
        Shape::Clock | Shape::ClockSeconds => clock(local_ms),
        Shape::Date => short_date(local_ms, false),
        Shape::DateYear => short_date(local_ms, true),
        Shape::DateTime => date_time(local_ms),
    }
}

/// `5 Jan 2025, 14:03` of a local time in milliseconds.
pub fn date_time(local_ms: i64) -> String {
    format!("{}, {}", short_date(local_ms, true), clock(local_ms))
}

/// `utc_ms` in `shape`, on the browser's clock and in `locale` (a BCP 47 tag) as
/// `Intl` writes it. Outside a browser: the arithmetic above (UTC, English).
pub fn write(utc_ms: i64, shape: Shape, locale: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(utc_ms as f64));
        let options = js_sys::JSON::parse(shape.intl_options()).unwrap_or_default();
        date.to_locale_string(locale, &options).into()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = locale;
        let local = to_local(utc_ms);
        match shape {
            Shape::Clock => clock(local),
            Shape::ClockSeconds => clock_seconds(local),
            Shape::Date => short_date(local, false),
            Shape::DateYear => short_date(local, true),
            Shape::DateTime => date_time(local),
        }
    }
}

/// Time left until `deadline_ms`: `m:ss`, or `h:mm:ss` from an hour; `0:00` in
/// its last second and once it has passed.
pub fn countdown(deadline_ms: i64, now_ms: i64) -> String {
    // Whole seconds, rounded down: `now` ticks once a second, so it is up to a second
    // old when this runs, and rounding up would show a 60 s offer as 1:01.
    let seconds = (deadline_ms - now_ms).max(0) / 1_000;
    let (h, m, s) = (seconds / 3_600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Now, in milliseconds since the epoch (0 outside a browser).
pub fn now_ms() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

/// Minutes to add to UTC to get the browser's local time at `utc_ms` (so
/// summer time is right for each moment); 0 outside a browser.
pub fn local_offset_minutes(utc_ms: i64) -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(utc_ms as f64));
        // getTimezoneOffset is UTC minus local.
        -(date.get_timezone_offset() as i64)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = utc_ms;
        0
    }
}

/// `utc_ms` in the browser's local time.
pub fn to_local(utc_ms: i64) -> i64 {
    utc_ms + local_offset_minutes(utc_ms) * 60_000
}

/// An RFC 3339 stamp as a local clock time in `locale`, or the text itself if it
/// does not parse.
pub fn local_clock(stamp: &str, locale: &str) -> String {
    parse_rfc3339(stamp)
        .map(|ms| write(ms, Shape::Clock, locale))
        .unwrap_or_else(|| stamp.to_owned())
}

/// An RFC 3339 stamp as a local clock time with seconds in `locale`, or the text
/// itself if it does not parse.
pub fn local_clock_seconds(stamp: &str, locale: &str) -> String {
    parse_rfc3339(stamp)
        .map(|ms| write(ms, Shape::ClockSeconds, locale))
        .unwrap_or_else(|| stamp.to_owned())
}

/// An RFC 3339 stamp as a local date and clock time in `locale`, or the text
/// itself if it does not parse.
pub fn local_date_time(stamp: &str, locale: &str) -> String {
    parse_rfc3339(stamp)
        .map(|ms| write(ms, Shape::DateTime, locale))
        .unwrap_or_else(|| stamp.to_owned())
}

/// An RFC 3339 stamp as an inbox line shows it (see [`shape`]), relative to
/// `now_ms`, in `locale`.
pub fn local_when(stamp: &str, now_ms: i64, locale: &str) -> String {
    parse_rfc3339(stamp)
        .map(|ms| write(ms, shape(to_local(ms), to_local(now_ms)), locale))
        .unwrap_or_else(|| stamp.to_owned())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_writes_what_parse_reads() {
        for stamp in [
            "1970-01-01T00:00:00Z",
            "2026-01-05T14:03:07Z",
            "2024-02-29T23:59:59Z",
            "1969-12-31T23:59:59Z",
        ] {
            let ms = parse_rfc3339(stamp).expect(stamp);
            assert_eq!(rfc3339(ms), stamp);
        }
        assert_eq!(rfc3339(1_767_621_787_999), "2026-01-05T14:03:07Z");
    }

    #[test]
    fn reads_utc_and_offset_stamps() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2026-01-05T14:03:07Z"),
            Some(1_767_621_787_000)
        );
        assert_eq!(
            parse_rfc3339("2026-01-05T14:03:07.25Z"),
            Some(1_767_621_787_250)
        );
        assert_eq!(
            parse_rfc3339("2026-01-05T14:03:07.123456789Z"),
            Some(1_767_621_787_123)
        );
        assert_eq!(
            parse_rfc3339("2026-01-05T16:03:07+02:00"),
            parse_rfc3339("2026-01-05T14:03:07Z")
        );
        assert_eq!(
            parse_rfc3339("2026-01-05T13:33:07-00:30"),
            parse_rfc3339("2026-01-05T14:03:07Z")
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00Z"),
            Some(1_709_164_800_000)
        );
    }

    #[test]
    fn refuses_what_is_not_rfc3339() {
        for bad in [
            "",
            "yesterday",
            "2026-01-05",
            "2026-01-05T14:03:07",
            "2026-13-05T14:03:07Z",
            "2025-02-29T00:00:00Z",
            "2026-01-05T24:00:00Z",
            "2026-01-05T14:03:07.Z",
            "2026-01-05T14:03:07+2:00",
            "2026-01-05T14:03:07Zjunk",
            "+026-01-05T14:03:07Z",
            "2026-01-05T14:03:07+02:00:00",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_round_trip() {
        for days in [-800_000, -1, 0, 1, 59, 365, 11_016, 20_458, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn writes_clock_times_and_dates() {
        let t = parse_rfc3339("2026-01-05T09:04:59Z").expect("stamp");
        assert_eq!(clock(t), "09:04");
        assert_eq!(clock_seconds(t), "09:04:59");
        let now = parse_rfc3339("2026-01-05T23:59:00Z").expect("stamp");
        assert_eq!(when(t, now), "09:04");
        let next_day = parse_rfc3339("2026-01-06T00:00:01Z").expect("stamp");
        assert_eq!(when(t, next_day), "5 Jan");
        let next_year = parse_rfc3339("2027-03-01T00:00:00Z").expect("stamp");
        assert_eq!(when(t, next_year), "5 Jan 2026");
        assert_eq!(clock(-60_000), "23:59");
    }

    #[test]
    fn counts_down_to_a_deadline() {
        assert_eq!(countdown(90_000, 0), "1:30");
        assert_eq!(countdown(90_000, 88_999), "0:01");
        assert_eq!(countdown(90_000, 89_001), "0:00");
        assert_eq!(countdown(60_000, 100), "0:59");
        assert_eq!(countdown(90_000, 90_000), "0:00");
        assert_eq!(countdown(90_000, 120_000), "0:00");
        assert_eq!(countdown(3_723_000, 0), "1:02:03");
    }

    #[test]
    fn inbox_lines_show_the_time_today_the_date_this_year_else_the_year_too() {
        let t = parse_rfc3339("2026-01-05T09:04:59Z").expect("stamp");
        let at = |stamp| parse_rfc3339(stamp).expect("stamp");
        assert_eq!(shape(t, at("2026-01-05T23:59:59Z")), Shape::Clock);
        assert_eq!(shape(t, at("2026-01-06T00:00:00Z")), Shape::Date);
        assert_eq!(shape(t, at("2026-12-31T23:59:59Z")), Shape::Date);
        assert_eq!(shape(t, at("2027-01-01T00:00:00Z")), Shape::DateYear);
        // A moment "in the future" (a skewed clock) is dated too.
        assert_eq!(shape(t, at("2026-01-04T12:00:00Z")), Shape::Date);
        for shape in [
            Shape::Clock,
            Shape::ClockSeconds,
            Shape::Date,
            Shape::DateYear,
            Shape::DateTime,
        ] {
            assert!(shape.intl_options().starts_with('{'), "{shape:?}");
        }
    }

    #[test]
    fn outside_a_browser_times_are_written_by_the_arithmetic() {
        let t = parse_rfc3339("2026-01-05T09:04:59Z").expect("stamp");
        assert_eq!(write(t, Shape::Clock, "ru"), "09:04");
        assert_eq!(write(t, Shape::ClockSeconds, "es"), "09:04:59");
        assert_eq!(write(t, Shape::Date, "en"), "5 Jan");
        assert_eq!(write(t, Shape::DateYear, "en"), "5 Jan 2026");
        assert_eq!(write(t, Shape::DateTime, "en"), "5 Jan 2026, 09:04");
    }

    #[test]
    fn unreadable_stamps_are_shown_as_given() {
        assert_eq!(local_clock("soon", "en"), "soon");
        assert_eq!(local_clock_seconds("", "ru"), "");
        assert_eq!(local_when("soon", 0, "es"), "soon");
        assert_eq!(local_clock("1970-01-01T10:30:00Z", "en"), "10:30");
        assert_eq!(local_when("1970-01-01T10:30:00Z", 0, "en"), "10:30");
        assert_eq!(local_date_time("later", "en"), "later");
        assert_eq!(
            local_date_time("1970-01-01T10:30:00Z", "en"),
            "1 Jan 1970, 10:30"
        );
    }
}
