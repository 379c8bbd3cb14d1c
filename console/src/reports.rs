//! The KPI reports page's pure parts (native unit tests): the period and sort
//! as a query, durations in words-free `H:MM:SS`, and the geometry of an agent's
//! chart (one bar per day, its height the day's average response time).

use canal_protocol::kpi::AgentDay;

use crate::api::routes::encode;

/// A column the conversation report sorts by (the API's `sort` names).
pub const SORTABLE: [&str; 5] = [
    "first_response",
    "total_response",
    "average_response",
    "max_response",
    "messages",
];

/// What the page asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportFilter {
    /// First day (`YYYY-MM-DD`, UTC), empty: from the start.
    pub from: String,
    /// Last day, whole, empty: until now.
    pub to: String,
    /// A column of [`SORTABLE`] (empty: newest first).
    pub sort: String,
    pub descending: bool,
}

impl ReportFilter {
    /// The period's part of a query (both reports take it).
    pub fn period(&self) -> String {
        let mut parts = Vec::new();
        if !self.from.trim().is_empty() {
            parts.push(format!("from={}", encode(self.from.trim())));
        }
        if !self.to.trim().is_empty() {
            parts.push(format!("to={}", encode(self.to.trim())));
        }
        parts.join("&")
    }

    /// The conversation report's query: the period and the sort.
    pub fn query(&self) -> String {
        let mut query = self.period();
        if !self.sort.is_empty() {
            if !query.is_empty() {
                query.push('&');
            }
            let sign = if self.descending { "-" } else { "" };
            query.push_str(&format!("sort={sign}{}", self.sort));
        }
        query
    }

    /// Sorted by `column`: the same column again turns the order round; a new one
    /// starts with the largest first.
    pub fn sorted_by(&self, column: &str) -> Self {
        Self {
            sort: column.to_owned(),
            descending: descending_after(&self.sort, self.descending, column),
            ..self.clone()
        }
    }
}

/// Whether a table sorted by `sort` (`descending` or not) is sorted descending
/// once its `column` header is clicked: the same column turns the order round; a
/// new one starts with the largest first. The reports and the conversation list
/// sort alike.
pub fn descending_after(sort: &str, descending: bool, column: &str) -> bool {
    if sort == column {
        !descending
    } else {
        true
    }
}

/// Seconds as `M:SS`, or `H:MM:SS` from an hour on; empty for none.
pub fn duration(secs: Option<u64>) -> String {
    let Some(secs) = secs else {
        return String::new();
    };
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// One bar of a chart, in the chart's own units (100 high; each bar 10 wide with
/// 2 between).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub date: String,
    pub x: f64,
    pub y: f64,
    pub height: f64,
    pub secs: u64,
}

/// The chart's height and a bar's width and gap, in its units.
pub const CHART_HEIGHT: f64 = 100.0;
pub const BAR_WIDTH: f64 = 10.0;
pub const BAR_GAP: f64 = 2.0;

/// The bars of an agent's days, the tallest as high as the chart; and the
/// chart's width.
pub fn bars(days: &[AgentDay]) -> (Vec<Bar>, f64) {
    let top = days
        .iter()
        .map(|d| d.average_response_secs)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let height = (d.average_response_secs as f64 / top * CHART_HEIGHT).max(1.0);
            Bar {
                date: d.date.clone(),
                x: i as f64 * (BAR_WIDTH + BAR_GAP),
                y: CHART_HEIGHT - height,
                height,
                secs: d.average_response_secs,
            }
        })
        .collect();
    let width = (days.len() as f64 * (BAR_WIDTH + BAR_GAP)).max(BAR_WIDTH);
    (bars, width)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_query_carries_the_period_and_the_sort() {
        let filter = ReportFilter {
            from: "2030-01-07".into(),
            to: " ".into(),
            ..Default::default()
        };
        assert_eq!(filter.query(), "from=2030-01-07");
        let sorted = filter.sorted_by("max_response");
        assert_eq!(sorted.query(), "from=2030-01-07&sort=-max_response");
        assert_eq!(
            sorted.sorted_by("max_response").query(),
            "from=2030-01-07&sort=max_response"
        );
        assert_eq!(ReportFilter::default().query(), "");
    }

    #[test]
    fn durations_read_as_clock_times() {
        assert_eq!(duration(None), "");
        assert_eq!(duration(Some(5)), "0:05");
        assert_eq!(duration(Some(1320)), "22:00");
        assert_eq!(duration(Some(58_800)), "16:20:00");
    }

    #[test]
    fn the_longest_day_fills_the_chart() {
        let day = |date: &str, secs| AgentDay {
            date: date.into(),
            responses: 1,
            average_response_secs: secs,
            max_response_secs: secs,
        };
        let (drawn, width) = bars(&[day("2030-01-07", 120), day("2030-01-08", 1200)]);
        assert_eq!(width, 24.0);
        assert_eq!(
            (drawn[1].x, drawn[1].y, drawn[1].height),
            (12.0, 0.0, 100.0)
        );
        assert_eq!((drawn[0].y, drawn[0].height), (90.0, 10.0));
        assert_eq!(bars(&[]).0, vec![]);
    }
}
