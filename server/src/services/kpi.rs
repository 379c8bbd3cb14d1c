//! Response-time KPIs (the rules are `canal_core::kpi`): the overdue timers a
//! visitor's message arms, the notice a due one leaves for the channel's chosen
//! employee (stored once per timer, then pushed live to that employee's consoles),
//! the employee's list of notices, and the reports over a period: each
//! conversation's figures (JSON or CSV) and each agent's, with a daily series for
//! the console's chart. Also one conversation's transcript, as text or JSON.
//!
//! The figures are computed on each request from the messages of the
//! conversations started in the period (one query), with each channel's working
//! hours: a report holds at most [`MAX_REPORTED`] conversations. The timelines
//! are the messages and the closes (a close ends a wait unanswered; closes from
//! before the store kept them, migration 0022, are not known).

use std::collections::{BTreeMap, HashMap, HashSet};

use canal_core::automation::TimerChange;
use canal_core::clock::now_rfc3339;
use canal_core::hours::Schedule;
use canal_core::kpi::{self, Arrival, Author, Response, Step};
use canal_protocol::agent::DisplayMode;
use canal_protocol::automation::AutomationSettings;
use canal_protocol::kpi::{
    AgentDay, AgentFigures, AgentReport, ConversationReport, Figures, KpiKind, NoticeList,
    NoticesMarked, NoticesRead, OverdueNotice, ReportedConversation, MAX_REPORTED,
};
use canal_protocol::MessageView;
use canal_store::channels::LogFilter;
use canal_store::kpi::{NoticeRow, TimelineRow};
use jiff::Timestamp;

use crate::agents::AgentRow;
use crate::app::AppState;
use crate::dispatch::Display;
use crate::error::AppError;
use crate::store::timers::Timer;

/// Most notices the list returns.
const NOTICES_LISTED: i64 = 200;

/// What `#OPERATOR#` becomes when nobody holds the conversation.
const NO_OPERATOR: &str = "(no agent)";

/// The overdue timers of a visitor's message just stored (none unless the
/// channel's KPI notices are on).
pub async fn on_visitor_message(
    state: &AppState,
    settings: &AutomationSettings,
    channel_id: &str,
    conversation_id: &str,
) -> Result<Vec<TimerChange>, AppError> {
    if kpi::limit(settings, KpiKind::First).is_none()
        && kpi::limit(settings, KpiKind::Next).is_none()
    {
        return Ok(Vec::new());
    }
    let (written, previous) = state.store.kpi_arrival(conversation_id).await?;
    let arrival = Arrival {
        first: written <= 1,
        wait_runs: previous.as_deref() == Some("visitor"),
    };
    let schedule = crate::hours::stored(&state.store, channel_id)
        .await?
        .map(|(_, schedule)| schedule);
    Ok(kpi::on_visitor_message(
        settings,
        arrival,
        Timestamp::now(),
        schedule.as_ref(),
    ))
}

fn notice(row: NoticeRow) -> OverdueNotice {
    OverdueNotice {
        id: u64::try_from(row.id).unwrap_or(0),
        kind: if row.kind == "first" {
            KpiKind::First
        } else {
            KpiKind::Next
        },
        channel_key: row.channel_key,
        conversation_id: row.conversation_id,
        text: row.body,
        created_at: row.created_at,
        default_operator: row.default_operator,
        read: row.read_at.is_some(),
    }
}

/// A KPI timer fell due while the visitor still waits (checked by
/// `canal_core::automation::fire`): the notice for the chosen employee is
/// stored (once per timer) and pushed to their consoles. Returns the outcome to
/// record.
pub async fn overdue(
    state: &AppState,
    timer: &Timer,
    kind: KpiKind,
    settings: &AutomationSettings,
) -> Result<&'static str, AppError> {
    let Some(agent_id) = settings
        .kpi_notify_agent_id
        .and_then(|id| i64::try_from(id).ok())
    else {
        return Ok("nothing");
    };
    if state.store.agent(agent_id).await?.is_none() {
        return Ok("nothing");
    }
    let Some(facts) = state.store.overdue_facts(&timer.conversation_id).await? else {
        return Ok("nothing");
    };
    let operator = facts.holder.as_deref().unwrap_or(NO_OPERATOR);
    let (text, default) = kpi::notice_text(
        settings.kpi_notice_text.as_deref(),
        operator,
        &timer.conversation_id,
    );
    let kind_text = match kind {
        KpiKind::First => "first",
        KpiKind::Next => "next",
    };
    let stored = state
        .store
        .add_kpi_notice(
            timer.id,
            agent_id,
            &facts.channel_id,
            &timer.conversation_id,
            kind_text,
            &text,
            // The console writes "nobody" in its own language for an empty name.
            default.then_some(facts.holder.as_deref().unwrap_or("")),
            &now_rfc3339(),
        )
        .await?;
    match stored {
        Some(row) => {
            state.dispatch.overdue(agent_id, notice(row));
            Ok("notified")
        }
        None => Ok("nothing"),
    }
}

/// The signed-in employee's notices, newest first.
pub async fn notices(state: &AppState, agent: &AgentRow) -> Result<NoticeList, AppError> {
    let rows = state.store.kpi_notices(agent.id, NOTICES_LISTED).await?;
    Ok(NoticeList {
        notices: rows.into_iter().map(notice).collect(),
    })
}

/// The signed-in employee read their notices up to `up_to` (by id): marked read,
/// those read before left as they were.
pub async fn read_notices(
    state: &AppState,
    agent: &AgentRow,
    read: NoticesRead,
) -> Result<NoticesMarked, AppError> {
    let up_to =
        i64::try_from(read.up_to).map_err(|_| AppError::invalid("up_to is not a notice id"))?;
    let marked = state
        .store
        .read_kpi_notices(agent.id, up_to, &now_rfc3339())
        .await?;
    Ok(NoticesMarked { marked })
}

/// Checks the employee an admin names for the notices: an agent who exists.
pub async fn check_notified(
    state: &AppState,
    settings: &AutomationSettings,
) -> Result<(), AppError> {
    let Some(id) = settings.kpi_notify_agent_id else {
        return Ok(());
    };
    let known = match i64::try_from(id) {
        Ok(id) => state.store.agent(id).await?.is_some(),
        Err(_) => false,
    };
    if known {
        Ok(())
    } else {
        Err(AppError::invalid(
            "kpi_notify_agent_id must be an existing agent's id",
        ))
    }
}

/// The period and channel a report covers (the dates already turned into bounds).
#[derive(Debug, Default, Clone)]
pub struct Period {
    pub channel_key: Option<String>,
    pub from: Option<String>,
    pub until: Option<String>,
}

/// The column a conversation report is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    StartedAt,
    FirstResponse,
    TotalResponse,
    AverageResponse,
    MaxResponse,
    Messages,
}

/// How a conversation report is sorted: a column, descending or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    /// `started_at`, `first_response`, `total_response`, `average_response`,
    /// `max_response` or `messages`, with `-` before it for descending; absent:
    /// newest first.
    pub fn parse(raw: Option<&str>) -> Result<Sort, AppError> {
        let Some(raw) = raw else {
            return Ok(Sort {
                key: SortKey::StartedAt,
                descending: true,
            });
        };
        let (descending, name) = match raw.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, raw),
        };
        let key = match name {
            "started_at" => SortKey::StartedAt,
            "first_response" => SortKey::FirstResponse,
            "total_response" => SortKey::TotalResponse,
            "average_response" => SortKey::AverageResponse,
            "max_response" => SortKey::MaxResponse,
            "messages" => SortKey::Messages,
            _ => {
                return Err(AppError::invalid(
                    "sort must be started_at, first_response, total_response, average_response, max_response or messages (with - before it for descending)",
                ))
            }
        };
        Ok(Sort { key, descending })
    }
}

/// The computed waits of the period: per conversation, in order.
struct Computed {
    responses: HashMap<String, Vec<Response>>,
}

fn parse_instant(raw: &str) -> Option<Timestamp> {
    raw.parse().ok()
}

async fn compute(state: &AppState, period: &Period) -> Result<Computed, AppError> {
    let rows = state
        .store
        .kpi_timelines(
            period.channel_key.as_deref(),
            period.from.as_deref(),
            period.until.as_deref(),
        )
        .await?;
    // Closes end a wait unanswered.
    let closes = state
        .store
        .kpi_closes(
            period.channel_key.as_deref(),
            period.from.as_deref(),
            period.until.as_deref(),
        )
        .await?;
    Ok(Computed {
        responses: responses_of(state, rows, closes).await?,
    })
}

/// Each conversation's answered waits (see `canal_core::kpi::responses`), from
/// its messages (`rows`, by conversation, in order) and closes, with its channel's
/// working hours. The reports and the stored figures (see
/// [`crate::services::figures`]) both compute them here.
pub(crate) async fn responses_of(
    state: &AppState,
    rows: Vec<TimelineRow>,
    closes: Vec<(String, String)>,
) -> Result<HashMap<String, Vec<Response>>, AppError> {
    let mut schedules: HashMap<String, Option<Schedule>> = HashMap::new();
    let mut steps: BTreeMap<String, (String, Vec<Step>)> = BTreeMap::new();
    for row in rows {
        let Some(at) = parse_instant(&row.created_at) else {
            continue;
        };
        let author = match (row.author.as_str(), row.agent_id) {
            ("visitor", _) => Author::Visitor,
            ("agent", Some(id)) => Author::Agent(id),
            _ => continue,
        };
        steps
            .entry(row.conversation_id)
            .or_insert_with(|| (row.channel_id, Vec::new()))
            .1
            .push(Step::Message { at, author });
    }
    // Closes end a wait unanswered; at the same instant as a message they come
    // after it (the sort is stable, and they are pushed last).
    for (conversation_id, at) in closes {
        let (Some(at), Some((_, list))) = (parse_instant(&at), steps.get_mut(&conversation_id))
        else {
            continue;
        };
        list.push(Step::Closed { at });
    }
    let at = |step: &Step| match *step {
        Step::Message { at, .. } | Step::Closed { at } => at,
    };
    let mut responses = HashMap::new();
    for (conversation_id, (channel_id, mut steps)) in steps {
        steps.sort_by_key(at);
        if !schedules.contains_key(&channel_id) {
            let schedule = crate::hours::stored(&state.store, &channel_id)
                .await?
                .map(|(_, s)| s);
            schedules.insert(channel_id.clone(), schedule);
        }
        let schedule = schedules.get(&channel_id).and_then(Option::as_ref);
        responses.insert(conversation_id, kpi::responses(&steps, schedule));
    }
    Ok(responses)
}

fn sort_key(c: &ReportedConversation, key: SortKey) -> Option<u64> {
    match key {
        SortKey::StartedAt | SortKey::Messages => Some(c.conversation.messages),
        SortKey::FirstResponse => c.figures.first_response_secs,
        SortKey::TotalResponse => c.figures.total_response_secs,
        SortKey::AverageResponse => c.figures.average_response_secs,
        SortKey::MaxResponse => c.figures.max_response_secs,
    }
}

/// Sorts a report: by the column, ties (and conversations without the figure,
/// always last) newest first.
fn sort(conversations: &mut [ReportedConversation], sort: Sort) {
    let newest_first = |a: &ReportedConversation, b: &ReportedConversation| {
        (&b.conversation.started_at, &b.conversation.id)
            .cmp(&(&a.conversation.started_at, &a.conversation.id))
    };
    conversations.sort_by(|a, b| {
        if sort.key == SortKey::StartedAt {
            let order = newest_first(a, b);
            return if sort.descending {
                order
            } else {
                order.reverse()
            };
        }
        match (sort_key(a, sort.key), sort_key(b, sort.key)) {
            (Some(x), Some(y)) => {
                let order = if sort.descending {
                    y.cmp(&x)
                } else {
                    x.cmp(&y)
                };
                order.then_with(|| newest_first(a, b))
            }
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => newest_first(a, b),
        }
    });
}

/// The conversations started in the period with their figures, sorted.
pub async fn conversations(
    state: &AppState,
    period: &Period,
    order: Sort,
) -> Result<ConversationReport, AppError> {
    let filter = LogFilter {
        channel_key: period.channel_key.clone(),
        from: period.from.clone(),
        until: period.until.clone(),
        limit: i64::try_from(MAX_REPORTED + 1).unwrap_or(i64::MAX),
        ..LogFilter::default()
    };
    let mut rows = state.store.conversation_log(&filter).await?;
    let truncated = rows.len() > MAX_REPORTED;
    rows.truncate(MAX_REPORTED);
    let computed = compute(state, period).await?;
    let mut conversations: Vec<ReportedConversation> = rows
        .into_iter()
        .map(|row| {
            let figures = computed
                .responses
                .get(&row.id)
                .map(|r| kpi::figures(r))
                .unwrap_or_default();
            ReportedConversation {
                conversation: crate::services::log::logged(row),
                figures,
            }
        })
        .collect();
    sort(&mut conversations, order);
    Ok(ConversationReport {
        conversations,
        truncated,
    })
}

fn day_of(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d").to_string()
}

/// Each agent's figures over the period, by name, with a day-by-day series.
pub async fn agents(state: &AppState, period: &Period) -> Result<AgentReport, AppError> {
    let computed = compute(state, period).await?;
    let filter = LogFilter {
        channel_key: period.channel_key.clone(),
        from: period.from.clone(),
        until: period.until.clone(),
        limit: i64::try_from(MAX_REPORTED + 1).unwrap_or(i64::MAX),
        ..LogFilter::default()
    };
    let rows = state.store.conversation_log(&filter).await?;
    let truncated = rows.len() > MAX_REPORTED;
    #[derive(Default)]
    struct Acc {
        conversations: HashSet<String>,
        firsts: Vec<u64>,
        secs: Vec<u64>,
        likes: u64,
        dislikes: u64,
        days: BTreeMap<String, Vec<u64>>,
    }
    let mut acc: BTreeMap<i64, Acc> = BTreeMap::new();
    for (conversation_id, responses) in &computed.responses {
        for r in responses {
            let a = acc.entry(r.agent_id).or_default();
            a.conversations.insert(conversation_id.clone());
            if r.first {
                a.firsts.push(r.secs);
            }
            a.secs.push(r.secs);
            a.days
                .entry(day_of(r.answered_at))
                .or_default()
                .push(r.secs);
        }
    }
    for row in rows.iter().take(MAX_REPORTED) {
        let (Some(agent_id), Some(rating)) = (row.agent_id, row.rating.as_deref()) else {
            continue;
        };
        let a = acc.entry(agent_id).or_default();
        match rating {
            "like" => a.likes += 1,
            "dislike" => a.dislikes += 1,
            _ => {}
        }
    }
    let names: HashMap<i64, String> = state
        .store
        .agents()
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let average = |v: &[u64]| v.iter().sum::<u64>().checked_div(v.len() as u64);
    let mut agents: Vec<AgentFigures> = acc
        .into_iter()
        .map(|(id, a)| AgentFigures {
            agent_id: u64::try_from(id).unwrap_or(0),
            agent_name: names.get(&id).cloned().unwrap_or_default(),
            conversations: a.conversations.len() as u64,
            average_first_response_secs: average(&a.firsts),
            total_response_secs: a.secs.iter().sum(),
            average_response_secs: average(&a.secs),
            max_response_secs: a.secs.iter().copied().max(),
            responses: a.secs.len() as u64,
            likes: a.likes,
            dislikes: a.dislikes,
            days: a
                .days
                .into_iter()
                .map(|(date, secs)| AgentDay {
                    date,
                    responses: secs.len() as u64,
                    average_response_secs: average(&secs).unwrap_or(0),
                    max_response_secs: secs.iter().copied().max().unwrap_or(0),
                })
                .collect(),
        })
        .collect();
    agents.sort_by(|a, b| (&a.agent_name, a.agent_id).cmp(&(&b.agent_name, b.agent_id)));
    Ok(AgentReport { agents, truncated })
}

/// The CSV header of a conversation report.
pub const CSV_HEADER: [&str; 15] = [
    "id",
    "channel",
    "status",
    "agent_id",
    "agent",
    "started_at",
    "last_message_at",
    "messages",
    "rating",
    "first_response_secs",
    "total_response_secs",
    "average_response_secs",
    "max_response_secs",
    "responses",
    "page_url",
];

/// A cell a spreadsheet would run as a formula (it starts with `= + - @`, a tab
/// or a carriage return) prefixed with `'`; others as they are. Every CSV Canal
/// writes passes its cells through it.
pub fn formula_safe(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// A conversation report as CSV (RFC 4180, a header line first).
pub fn csv(report: &ConversationReport) -> Result<String, AppError> {
    csv_rows(&report.conversations, true)
}

/// Conversations with their figures as CSV lines (RFC 4180; the header line
/// first when `header`), each cell [`formula_safe`]: the reports' CSV, and the
/// conversation list's export a page at a time.
pub fn csv_rows(conversations: &[ReportedConversation], header: bool) -> Result<String, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| AppError::Internal(format!("writing the CSV: {e}"));
    if header {
        out.write_record(CSV_HEADER).map_err(failed)?;
    }
    let opt = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
    for c in conversations {
        let v = &c.conversation;
        let f: &Figures = &c.figures;
        out.write_record(
            [
                v.id.clone(),
                v.channel_key.clone(),
                v.status.clone(),
                opt(v.agent_id),
                v.agent_name.clone().unwrap_or_default(),
                v.started_at.clone(),
                v.last_message_at.clone().unwrap_or_default(),
                v.messages.to_string(),
                v.rating.map(|r| r.as_str().to_owned()).unwrap_or_default(),
                opt(f.first_response_secs),
                opt(f.total_response_secs),
                opt(f.average_response_secs),
                opt(f.max_response_secs),
                f.responses.to_string(),
                v.page_url.clone().unwrap_or_default(),
            ]
            .iter()
            .map(|cell| formula_safe(cell).into_owned()),
        )
        .map_err(failed)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::Internal(format!("writing the CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::Internal(format!("the CSV: {e}")))
}

/// One conversation's messages as an admin reads them (agents under their own
/// names); 404 when unknown.
pub async fn transcript(state: &AppState, id: &str) -> Result<Vec<MessageView>, AppError> {
    let row = state
        .store
        .logged_conversation(id)
        .await?
        .ok_or_else(AppError::unknown_conversation)?;
    let display = Display {
        mode: DisplayMode::Profile,
        channel_title: row.channel_name,
    };
    Ok(state
        .store
        .messages_after(id, 0)
        .await?
        .into_iter()
        .map(|m| display.view(m))
        .collect())
}

/// A transcript as plain text: one line per message (`[time] who: text`, later
/// lines of a message indented), the conversation's id first.
pub fn transcript_text(id: &str, messages: &[MessageView]) -> String {
    let mut out = format!("Conversation {id}\n\n");
    for m in messages {
        let who = match m.author {
            canal_protocol::Author::Visitor => "Visitor".to_owned(),
            canal_protocol::Author::Agent => {
                m.author_name.clone().unwrap_or_else(|| "Agent".into())
            }
            canal_protocol::Author::System => "System".to_owned(),
        };
        let text = m.text.replace('\n', "\n    ");
        out.push_str(&format!("[{}] {who}: {text}\n", m.sent_at));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_reads_a_column_and_a_direction_and_refuses_the_rest() {
        assert_eq!(
            Sort::parse(None).expect("default"),
            Sort {
                key: SortKey::StartedAt,
                descending: true
            }
        );
        assert_eq!(
            Sort::parse(Some("-max_response")).expect("ok"),
            Sort {
                key: SortKey::MaxResponse,
                descending: true
            }
        );
        assert!(Sort::parse(Some("speed")).is_err());
        assert!(Sort::parse(Some("--messages")).is_err());
    }

    #[test]
    fn a_text_transcript_names_each_author() {
        let m = |author, name: Option<&str>, text: &str| MessageView {
            seq: 1,
            author,
            text: text.into(),
            client_id: None,
            sent_at: "2030-01-01T10:00:00.000Z".into(),
            author_name: name.map(Into::into),
            author_avatar: None,
        };
        let text = transcript_text(
            "c1",
            &[
                m(canal_protocol::Author::Visitor, None, "Hi\nthere"),
                m(canal_protocol::Author::Agent, Some("Ana"), "Hello"),
            ],
        );
        assert_eq!(
            text,
            "Conversation c1\n\n[2030-01-01T10:00:00.000Z] Visitor: Hi\n    there\n[2030-01-01T10:00:00.000Z] Ana: Hello\n"
        );
    }
}
