//! Wall-clock time as the store writes it: RFC 3339, UTC, milliseconds.

use time::macros::format_description;
use time::OffsetDateTime;

/// Now, as `2026-11-21T16:20:00.123Z`.
pub fn now_rfc3339() -> String {
    rfc3339(OffsetDateTime::now_utc())
}

/// `t` (in UTC), as `2026-11-21T16:20:00.123Z`.
pub fn rfc3339(t: OffsetDateTime) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00.000Z"))
}

/// Milliseconds since the Unix epoch, now.
pub fn now_millis() -> u64 {
    u64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}
