//! The conversation list as plain data: the search and filters an agent picks,
//! turned into the query of `GET /api/v1/agent/conversations`; the pages loaded so far; the
//! channels the channel filter offers. No browser, no signals (native unit
//! tests); the `MessageLog` component keeps them in signals and sends the queries.

use canal_protocol::agent::{ConversationList, ListedConversation};
use canal_protocol::channels::ChannelView;

use crate::api::routes::encode;
use crate::settings::FormError;
use crate::time::parse_rfc3339;

/// Conversations one page asks for (the server allows 1 to 200).
pub const PAGE_SIZE: u32 = 50;

/// The log's filters as picked; an empty one is "any".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogFilter {
    /// Text to find in the messages, or the visitor's name or e-mail.
    pub q: String,
    /// A channel's key.
    pub channel: String,
    /// The id of the agent who holds or held the conversations.
    pub agent: String,
    /// `open` or `closed`.
    pub status: String,
    /// The first and the last day the conversations started on, `YYYY-MM-DD`
    /// (what a date field gives), on the browser's calendar.
    pub from: String,
    pub to: String,
    /// `true`: only the ones marked unanswered; `false`: only the others.
    pub unanswered: String,
    /// `like`, `dislike` or `none`.
    pub rating: String,
    /// A label's id.
    pub label: String,
    /// The column the list is sorted by, the API's `sort` name (empty: newest
    /// first), and whether descending.
    pub sort: String,
    pub descending: bool,
}

impl LogFilter {
    /// The query of `GET /api/v1/agent/conversations` for the page after
    /// `cursor` (the first page without one). The days are sent as their first
    /// and last millisecond on the browser's clock, with its UTC offset then
    /// (`offset_at`: minutes east of UTC at a UTC instant in milliseconds, as
    /// [`crate::time::local_offset_minutes`] says), so "from 5 January" means the
    /// admin's 5 January, not UTC's.
    pub fn query(
        &self,
        cursor: Option<&str>,
        offset_at: impl Fn(i64) -> i64,
    ) -> Result<String, FormError> {
        let from = day_bound(&self.from, false, &offset_at)?;
        let to = day_bound(&self.to, true, &offset_at)?;
        // Both are YYYY-MM-DD by now, so their text sorts as their days do.
        if from.is_some() && to.is_some() && self.from.trim() > self.to.trim() {
            return Err(FormError::DateRange);
        }
        let mut query = format!("limit={PAGE_SIZE}");
        let sign = if self.descending { "-" } else { "" };
        let sort = (!self.sort.is_empty()).then(|| format!("{sign}{}", self.sort));
        for (name, value) in [
            ("q", Some(self.q.trim())),
            ("channel", Some(self.channel.trim())),
            ("agent", Some(self.agent.trim())),
            ("status", Some(self.status.trim())),
            ("from", from.as_deref()),
            ("to", to.as_deref()),
            ("unanswered", Some(self.unanswered.trim())),
            ("rating", Some(self.rating.trim())),
            ("label", Some(self.label.trim())),
            ("sort", sort.as_deref()),
            ("cursor", cursor),
        ] {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                query += &format!("&{name}={}", encode(value));
            }
        }
        Ok(query)
    }

    /// Sorted by `column` (see [`crate::reports::descending_after`]).
    pub fn sorted_by(&self, column: &str) -> Self {
        Self {
            sort: column.to_owned(),
            descending: crate::reports::descending_after(&self.sort, self.descending, column),
            ..self.clone()
        }
    }

    /// The address of the whole list as CSV, with these filters and sort.
    pub fn csv_href(&self, offset_at: impl Fn(i64) -> i64) -> Result<String, FormError> {
        Ok(format!(
            "{}?{}&format=csv",
            crate::api::routes::CONVERSATIONS,
            self.query(None, offset_at)?
        ))
    }
}

/// A day's first (or, `end`, last) millisecond on the browser's clock, in RFC
/// 3339 with the offset of that moment; `None` for an empty field.
fn day_bound(
    date: &str,
    end: bool,
    offset_at: &impl Fn(i64) -> i64,
) -> Result<Option<String>, FormError> {
    let date = date.trim();
    if date.is_empty() {
        return Ok(None);
    }
    let clock = if end { "23:59:59.999" } else { "00:00:00" };
    let as_utc = parse_rfc3339(&format!("{date}T{clock}Z")).ok_or(FormError::Date)?;
    // The offset at the local moment: a first guess at the UTC one, then again at
    // the instant the guess gives (right on either side of a summer-time change).
    let guess = offset_at(as_utc);
    let minutes = offset_at(as_utc - guess * 60_000);
    let sign = if minutes < 0 { '-' } else { '+' };
    let minutes = minutes.abs();
    Ok(Some(format!(
        "{date}T{clock}{sign}{:02}:{:02}",
        minutes / 60,
        minutes % 60
    )))
}

/// The log as loaded: the conversations of the pages so far, newest first, and
/// where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogPages {
    pub conversations: Vec<ListedConversation>,
    /// The next page's cursor; `None`: this is all.
    pub next_cursor: Option<String>,
    /// A first page has come in since the last [`LogPages::clear`].
    pub loaded: bool,
    /// Every channel (key, name) a loaded page named, deleted ones included; kept
    /// across filters, for the channel filter.
    pub seen_channels: Vec<(String, String)>,
    /// Every agent (id, name) a loaded page named as holding a conversation; kept
    /// across filters, for the agent filter of a console that may not list agents.
    pub seen_agents: Vec<(u64, String)>,
}

impl LogPages {
    /// Forgets the pages (a new filter is on its way); the channels seen stay.
    pub fn clear(&mut self) {
        self.conversations.clear();
        self.next_cursor = None;
        self.loaded = false;
    }

    /// Adds a page after those loaded (a conversation already listed is not
    /// listed twice).
    pub fn add(&mut self, page: ConversationList) {
        for conversation in page.conversations {
            let key = &conversation.channel_key;
            if !self.seen_channels.iter().any(|(k, _)| k == key) {
                self.seen_channels.push((
                    conversation.channel_key.clone(),
                    conversation.channel_name.clone(),
                ));
            }
            if let (Some(id), Some(name)) = (conversation.agent_id, &conversation.agent_name) {
                if !self.seen_agents.iter().any(|(seen, _)| *seen == id) {
                    self.seen_agents.push((id, name.clone()));
                }
            }
            if !self.conversations.iter().any(|c| c.id == conversation.id) {
                self.conversations.push(conversation);
            }
        }
        self.next_cursor = page.next_cursor;
        self.loaded = true;
    }
}

/// A channel the channel filter offers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChannelChoice {
    pub key: String,
    pub name: String,
    /// Deleted (its conversations stay in the log).
    pub deleted: bool,
}

/// The channel filter's choices: every channel of the list (asked with
/// `?deleted=true`) not deleted, in its order, then the deleted ones, by name: those
/// the list marks with `deleted_at` and any other the log named.
pub fn channel_choices(listed: &[ChannelView], seen: &[(String, String)]) -> Vec<ChannelChoice> {
    let choice = |key: &String, name: &String, deleted| ChannelChoice {
        key: key.clone(),
        name: name.clone(),
        deleted,
    };
    let mut gone: Vec<ChannelChoice> = listed
        .iter()
        .filter(|c| c.deleted_at.is_some())
        .map(|c| choice(&c.key, &c.name, true))
        .chain(
            seen.iter()
                .filter(|(key, _)| !listed.iter().any(|c| c.key == *key))
                .map(|(key, name)| choice(key, name, true)),
        )
        .collect();
    gone.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.key.cmp(&b.key)));
    listed
        .iter()
        .filter(|c| c.deleted_at.is_none())
        .map(|c| choice(&c.key, &c.name, false))
        .chain(gone)
        .collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn utc(_: i64) -> i64 {
        0
    }

    fn logged(id: &str, channel: &str) -> ListedConversation {
        ListedConversation {
            id: id.into(),
            channel_key: channel.into(),
            channel_name: format!("{channel} site"),
            status: "closed".into(),
            agent_id: None,
            agent_name: None,
            started_at: "2031-01-05T10:00:00Z".into(),
            messages: 2,
            last_message_at: None,
            rating: None,
            labels: Vec::new(),
            figures: Default::default(),
        }
    }

    #[test]
    fn a_header_sorts_by_its_column_largest_first_and_again_turns_it_round() {
        let by_max = LogFilter::default().sorted_by("max_response");
        assert_eq!(
            by_max.query(None, utc),
            Ok("limit=50&sort=-max_response".into())
        );
        let turned = by_max.sorted_by("max_response");
        assert_eq!(
            turned.query(None, utc),
            Ok("limit=50&sort=max_response".into())
        );
        let other = turned.sorted_by("first_response");
        assert_eq!(
            other.query(Some("c"), utc),
            Ok("limit=50&sort=-first_response&cursor=c".into())
        );
    }

    #[test]
    fn the_csv_link_carries_the_filters_and_the_sort() {
        let filter = LogFilter {
            status: "closed".into(),
            ..LogFilter::default()
        }
        .sorted_by("average_response");
        assert_eq!(
            filter.csv_href(utc),
            Ok("/api/v1/agent/conversations?limit=50&status=closed\
                &sort=-average_response&format=csv"
                .into())
        );
        let reversed = LogFilter {
            from: "2031-01-07".into(),
            to: "2031-01-05".into(),
            ..LogFilter::default()
        };
        assert_eq!(reversed.csv_href(utc), Err(FormError::DateRange));
    }

    #[test]
    fn no_filter_asks_for_the_first_page() {
        assert_eq!(LogFilter::default().query(None, utc), Ok("limit=50".into()));
    }

    #[test]
    fn every_filter_and_the_cursor_go_into_the_query_encoded() {
        let filter = LogFilter {
            q: " 50% off & more ".into(),
            channel: " shop-2 ".into(),
            agent: "3".into(),
            status: "closed".into(),
            from: "2031-01-05".into(),
            to: "2031-01-07".into(),
            unanswered: "true".into(),
            rating: "none".into(),
            label: "7".into(),
            sort: String::new(),
            descending: false,
        };
        assert_eq!(
            filter.query(Some("MjAz+/=x"), utc),
            Ok(
                "limit=50&q=50%25%20off%20%26%20more&channel=shop-2&agent=3&status=closed\
                &from=2031-01-05T00%3A00%3A00%2B00%3A00\
                &to=2031-01-07T23%3A59%3A59.999%2B00%3A00\
                &unanswered=true&rating=none&label=7&cursor=MjAz%2B%2F%3Dx"
                    .into()
            )
        );
    }

    #[test]
    fn days_are_the_browsers_days() {
        let madrid = |_: i64| 60;
        let filter = LogFilter {
            from: "2031-01-05".into(),
            to: "2031-01-05".into(),
            ..LogFilter::default()
        };
        let query = filter.query(None, madrid).expect("query");
        assert!(
            query.contains("from=2031-01-05T00%3A00%3A00%2B01%3A00"),
            "{query}"
        );
        assert!(
            query.contains("to=2031-01-05T23%3A59%3A59.999%2B01%3A00"),
            "{query}"
        );

        let new_york = |_: i64| -300;
        let filter = LogFilter {
            from: "2031-01-05".into(),
            ..LogFilter::default()
        };
        assert_eq!(
            filter.query(None, new_york),
            Ok("limit=50&from=2031-01-05T00%3A00%3A00-05%3A00".into())
        );
        // Nepal is 5:45 ahead; India 5:30.
        assert!(filter
            .query(None, |_| 345)
            .expect("query")
            .ends_with("%2B05%3A45"));
    }

    #[test]
    fn the_offset_is_the_one_of_the_local_moment() {
        // Summer time from 2031-03-30 01:00 UTC: +01:00 before, +02:00 after.
        let change = parse_rfc3339("2031-03-30T01:00:00Z").expect("stamp");
        let madrid = move |at: i64| if at < change { 60 } else { 120 };
        let filter = LogFilter {
            from: "2031-03-30".into(),
            to: "2031-03-30".into(),
            ..LogFilter::default()
        };
        let query = filter.query(None, madrid).expect("query");
        assert!(
            query.contains("from=2031-03-30T00%3A00%3A00%2B01%3A00"),
            "{query}"
        );
        assert!(
            query.contains("to=2031-03-30T23%3A59%3A59.999%2B02%3A00"),
            "{query}"
        );
    }

    #[test]
    fn bad_days_and_a_reversed_range_are_refused() {
        for bad in ["5/1/2031", "2031-13-01", "2031-02-30", "yesterday"] {
            let filter = LogFilter {
                from: bad.into(),
                ..LogFilter::default()
            };
            assert_eq!(filter.query(None, utc), Err(FormError::Date), "{bad}");
        }
        let reversed = LogFilter {
            from: "2031-01-07".into(),
            to: "2031-01-05".into(),
            ..LogFilter::default()
        };
        assert_eq!(reversed.query(None, utc), Err(FormError::DateRange));
    }

    #[test]
    fn pages_add_up_until_the_last_and_a_new_filter_starts_over() {
        let mut pages = LogPages::default();
        assert!(!pages.loaded);
        let held = |id: &str| ListedConversation {
            agent_id: Some(7),
            agent_name: Some("Ana".into()),
            ..logged(id, "shop")
        };
        pages.add(ConversationList {
            conversations: vec![held("c3"), logged("c2", "gone")],
            next_cursor: Some("after-c2".into()),
            sort: "-started_at".into(),
        });
        assert!(pages.loaded);
        assert_eq!(pages.next_cursor.as_deref(), Some("after-c2"));
        pages.add(ConversationList {
            // c2 again (say, the list moved on between pages): listed once.
            conversations: vec![logged("c2", "gone"), held("c1")],
            next_cursor: None,
            sort: "-started_at".into(),
        });
        let ids: Vec<&str> = pages.conversations.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["c3", "c2", "c1"]);
        assert_eq!(pages.next_cursor, None, "the last page");

        assert_eq!(
            pages.seen_agents,
            [(7, "Ana".to_owned())],
            "the agents holding them, once each"
        );
        pages.clear();
        assert!(pages.conversations.is_empty());
        assert_eq!(pages.seen_agents.len(), 1, "the agents seen stay too");
        assert!(!pages.loaded);
        assert_eq!(
            pages.seen_channels,
            [
                ("shop".to_owned(), "shop site".to_owned()),
                ("gone".to_owned(), "gone site".to_owned())
            ],
            "the channels seen stay for the filter"
        );
    }

    #[test]
    fn the_channel_filter_offers_deleted_channels_listed_or_named_by_the_log() {
        let live = |key: &str, name: &str| ChannelView {
            key: key.into(),
            name: name.into(),
            title: None,
            greeting: None,
            greetings: Default::default(),
            locale: None,
            allowed_origins: None,
            active: true,
            agreement_id: None,
            created_at: "2031-01-01T00:00:00Z".into(),
            snippet: String::new(),
            managers: Vec::new(),
            deleted_at: None,
        };
        let seen = [
            ("shop".to_owned(), "Shop".to_owned()),
            ("old-b".to_owned(), "Old B".to_owned()),
            ("old-a".to_owned(), "Old A".to_owned()),
        ];
        let mut listed_deleted = live("old-c", "Old C");
        listed_deleted.deleted_at = Some("2031-02-01T00:00:00Z".into());
        let choices = channel_choices(
            &[live("demo", "Demo"), listed_deleted, live("shop", "Shop")],
            &seen,
        );
        let listed: Vec<(&str, bool)> = choices
            .iter()
            .map(|c| (c.key.as_str(), c.deleted))
            .collect();
        assert_eq!(
            listed,
            [
                ("demo", false),
                ("shop", false),
                ("old-a", true),
                ("old-b", true),
                ("old-c", true)
            ]
        );
    }
}
