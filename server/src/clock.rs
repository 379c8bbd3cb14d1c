//! Wall-clock time as the store writes it: RFC 3339, UTC, milliseconds.

use time::macros::format_description;
use time::OffsetDateTime;

/// Now, as `2026-11-21T16:20:00.123Z`.
pub fn now_rfc3339() -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00.000Z"))
}
