//! The routing shell: the pure [`crate::routing::Engine`] fed with the server's
//! events (new conversations, messages, console actions, presence, settings, the
//! clock) and acting on its decisions: the routing log and the holder are written
//! to the store, the no-agent auto-reply is sent, and every console hears about
//! what changed through [`Notice`]s.
//!
//! One task owns the engine and the shell's maps (`Inner`) and is fed by a channel
//! of jobs, as the consent ledger's writer is; nothing else touches them, so there
//! is no lock, and none held across an `.await`. Three steps per event:
//! 1. read: what the decision needs from the store (a channel's row and settings,
//!    its working hours, the visitor's identity) is read first, by the caller,
//!    outside the owner;
//! 2. decide: the decision is a job sent to the owner, which runs the jobs one at a
//!    time, in the order they were sent (each pure, in memory, microseconds). Its
//!    effects come out as data ([`Effect`]: log lines, holders, system messages,
//!    status changes, notices) and are queued, from inside the job, to
//! 3. write: one writer task that does them in the order they were decided, so
//!    two decisions' writes never interleave and the store is never written
//!    during a decision. A caller whose answer promises a stored effect waits for
//!    its own to be written (the answer says so when a write failed); everyone
//!    else (the inbox, other conversations, a decision that only tells the
//!    consoles) goes on.
//!
//! The consoles' readers (inbox, one summary per notice per console, agents,
//! presence, the typing checks) are round trips to the owner: a job that answers
//! on a oneshot channel. The shell's synchronous methods (a withdrawal) send a job
//! and do not wait for it; a later job of any caller sees its effect, since the
//! owner runs jobs in the order they were sent. A job that panics is logged and
//! the owner goes on with the next one (the engine's state is consistent between
//! events; the caller of that job gets an error). The owner ends when the last
//! [`Dispatch`] is dropped.
//!
//! A conversation that starts while its channel is closed (see [`crate::hours`])
//! gets the channel's out-of-hours reply once, in place of the no-agent auto-reply,
//! and an "out of hours" line in its routing log; it is routed as usual otherwise
//! (agents who are there still get the offer).
//!
//! Who sees what: an agent their own offers and conversations; a supervisor also
//! every conversation of the channels that name them as managers (the waiting ones,
//! the ones offered to or held by others, closed ones when opening them), and may
//! take, transfer, close and answer those; an admin the same on every channel. The
//! managers are loaded at start and replaced when an admin names them
//! ([`Dispatch::managers_saved`]); the role is the one routing knows now (a change
//! reaches it through [`Dispatch::agent_saved`]), not the one a console signed in
//! with.
//!
//! Engine ids are numbers; conversations and channels have text ids in the store.
//! The shell maps them (agents share their store id). Offers live in memory only:
//! after a restart, held conversations come back to their agents and the rest are
//! routed again.

use std::collections::{BTreeSet, HashMap};
use std::panic::AssertUnwindSafe;

use canal_core::automation::{Closing, Standing, TimerKind};
use canal_protocol::agent::{
    AgentSummary, ConversationSummary, DisplayMode, InboxKind, QueueItem, Role, RoutingLogLine,
    RoutingMode, RoutingSettings, Status, VisitorIdentity,
};
use canal_protocol::rating::RatingView;
use canal_protocol::{ErrorCode, MessageView, Utm};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::agents::AgentWire;
use crate::agents::{self, AgentRow};
use crate::clock::{now_millis, now_rfc3339};
use crate::error::AppError;
use crate::hub::{self, Hub};
use crate::routing::{
    Action, Agent, AgentChange, AgentId, ChannelId, ConversationId, ConversationState,
    DepartmentId, Engine, Event, LoadExclusions, Mode, PassAfter, QueueEntry, QueueSettings,
    RoutingError, Timestamp, TransferTarget,
};
use crate::store::{MessageRow, Store};
use crate::timers::Timers;

/// What changed, for the consoles. Each console works out what it means for its
/// agent (see [`Dispatch::summaries_for`]).
#[derive(Debug, Clone)]
pub enum Notice {
    /// A conversation's place in routing (or its last message) changed.
    Changed(String),
    /// A new routing log line.
    Log(String, RoutingLogLine),
    /// Agents' presence or load changed.
    Agents,
    /// This agent's sessions were ended (dismissed, new password): their consoles
    /// close.
    SessionsEnded(i64),
    /// The visitor of a conversation started (`true`) or stopped writing. Never
    /// stored; consoles that list the conversation (or show it) pass it on.
    Typing(String, bool),
    /// A private note was written (stored already); consoles that show the
    /// conversation pass it on. Visitor sockets never hear notices.
    Note(String, canal_protocol::agent::NoteView),
    /// The live typing preview of the channel with this key was turned off: the
    /// consoles showing one of its conversations clear the draft.
    PreviewOff(String),
    /// A KPI limit ran out (the notice is stored already): the consoles of the
    /// employee with this id show it.
    Overdue(i64, canal_protocol::kpi::OverdueNotice),
    /// A customer wrote (the message is stored): the consoles of these employees
    /// hear of it (see `services::crm::notify_inbound`).
    CustomerWrote {
        agents: Vec<i64>,
        conversation_id: String,
        channel: String,
        text: String,
    },
}

/// A conversation as one agent sees it (see [`Dispatch::summaries_for`]).
#[derive(Debug, Clone)]
pub struct Line {
    /// The conversation's number in this process (numbered in the order the
    /// process met them, never reused): a console keeps the ones it lists by it.
    /// `None` for an id the process never met.
    pub key: Option<u64>,
    /// Its line in the agent's inbox; `None` when it is not there.
    pub summary: Option<ConversationSummary>,
}

/// How agent messages are shown to the visitor on a channel.
#[derive(Debug, Clone)]
pub struct Display {
    pub mode: DisplayMode,
    /// The channel's own name (the title of its window).
    pub channel_title: String,
}

impl Display {
    /// The name the visitor sees for the agent called `agent_name`.
    pub fn agent_name(&self, agent_name: &str) -> Option<String> {
        match self.mode {
            DisplayMode::Profile => Some(agent_name.to_owned()),
            DisplayMode::Channel => Some(self.channel_title.clone()),
            DisplayMode::Hidden => None,
        }
    }

    /// The visitor's view of a stored message.
    pub fn view(&self, row: MessageRow) -> MessageView {
        let author = match row.author.as_str() {
            "agent" => canal_protocol::Author::Agent,
            "system" => canal_protocol::Author::System,
            _ => canal_protocol::Author::Visitor,
        };
        let (author_name, author_avatar) = match (author, self.mode) {
            (canal_protocol::Author::Agent, DisplayMode::Profile) => {
                (row.agent_name, row.agent_avatar)
            }
            (canal_protocol::Author::Agent, DisplayMode::Channel) => {
                (Some(self.channel_title.clone()), None)
            }
            _ => (None, None),
        };
        MessageView {
            seq: row.seq.max(0) as u64,
            author,
            text: row.body,
            client_id: row.client_id,
            sent_at: row.created_at,
            author_name,
            author_avatar,
        }
    }
}

/// Defaults for a channel nobody configured: evenly, offers pass on after three
/// minutes, online agents only, an empty queue (conversations wait for an admin or
/// one of the channel's supervisors until agents are added).
pub fn default_settings() -> RoutingSettings {
    RoutingSettings {
        mode: RoutingMode::Evenly,
        pass_after_secs: 180,
        check_online: true,
        exclusions: Default::default(),
        route_to_responsible: false,
        bot_agent_id: None,
        bot_rules: Vec::new(),
        no_agent_reply: None,
        display_mode: DisplayMode::Profile,
        queue: Vec::new(),
    }
}

struct ChannelInfo {
    /// The store's id.
    id: String,
    key: String,
    title: String,
    settings: RoutingSettings,
}

struct ConvInfo {
    id: String,
    visitor_id: String,
    /// Who the visitor is (`Canal.setUser`), if told.
    visitor: Option<VisitorIdentity>,
    channel: ChannelId,
    /// The host page it started on.
    page_url: Option<String>,
    /// That page's UTM tags.
    utm: Option<Utm>,
    /// The host page the visitor opened the chat on last, when not the first.
    page_now: Option<String>,
    created_at: String,
    last_message: Option<String>,
    /// The visitor's rating, once given.
    rating: Option<RatingView>,
    /// The visitor withdrew their consent to the channel's agreement.
    withdrawn: bool,
    /// Marked unanswered (see [`crate::timers`]).
    unanswered: bool,
    /// The out-of-hours reply was posted when it started: the no-agent auto-reply
    /// is left out.
    out_of_hours_replied: bool,
    /// The visitor's first message is stored: replies go out at once.
    visitor_wrote: bool,
    /// Automatic replies decided before the visitor's first message was stored,
    /// posted right after it (so they come after it, not before).
    held_replies: Vec<String>,
}

use canal_store::routing::{LogRow, OpenConversation, Pages};
use canal_store::writes::{NewMessage, Write, Wrote};

/// Conversations per chunk of [`Dispatch::inbox`]: a small allocation, far below
/// the size glibc starts mapping on its own (128 KiB).
pub const INBOX_CHUNK: usize = 64;

struct AgentInfo {
    row: AgentRow,
    /// Open console sockets.
    sockets: u32,
    /// Chosen in the console (online or away).
    status: Status,
}

#[derive(Default)]
struct Inner {
    engine: Engine,
    channel_ids: HashMap<String, ChannelId>,
    channels: HashMap<ChannelId, ChannelInfo>,
    conv_ids: HashMap<String, ConversationId>,
    convs: HashMap<ConversationId, ConvInfo>,
    agents: HashMap<AgentId, AgentInfo>,
    /// The supervisors each channel names as its managers, by the channel's store
    /// id (channels the engine has not heard of yet too).
    managers: HashMap<String, BTreeSet<AgentId>>,
}

/// A decision or a lookup, run by the owner of [`Inner`] (see [`own`]).
type Job = Box<dyn FnOnce(&mut Inner) + Send>;

/// The owner of the engine and the shell's maps: runs each job in the order it
/// was sent. A job that panics is logged and the owner goes on (its caller hears
/// no answer); the engine's state is consistent between events. It ends when the
/// last [`Dispatch`] is dropped.
async fn own(mut inner: Inner, mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(job) = jobs.recv().await {
        if let Err(panic) = std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut inner))) {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".to_owned());
            tracing::error!(panic = %message, "a routing job panicked; the shell goes on");
        }
    }
}

/// The routing shell. Cheap to clone.
#[derive(Clone)]
pub struct Dispatch {
    /// The owner of the engine and the shell's maps (see [`own`]).
    jobs: mpsc::UnboundedSender<Job>,
    notices: broadcast::Sender<Notice>,
    /// The ordered writer (see [`write_in_order`]).
    writes: mpsc::UnboundedSender<Batch>,
    store: Store,
}

/// What an offer's durable timer remembers, to offer the conversation again
/// after a restart (`timers.payload`, JSON).
#[derive(serde::Serialize, serde::Deserialize)]
struct OfferMemo {
    /// The agents it is offered to.
    agents: Vec<u64>,
    /// When it was offered, milliseconds since the epoch.
    at: u64,
}

/// An engine instant as the store writes times.
fn instant_rfc3339(t: Timestamp) -> String {
    let nanos = i128::from(t.millis()).saturating_mul(1_000_000);
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .map(canal_core::clock::rfc3339)
        .unwrap_or_else(|_| now_rfc3339())
}

/// A time the store wrote, as an engine instant (`None` when unreadable).
fn rfc3339_instant(at: &str) -> Option<Timestamp> {
    let t = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()?;
    u64::try_from(t.unix_timestamp_nanos() / 1_000_000)
        .ok()
        .map(Timestamp)
}

/// One effect of a decision, done by the writer after the decision, in order.
enum Effect {
    /// Append a routing log line, then tell the consoles.
    Log {
        conversation_id: String,
        line: RoutingLogLine,
    },
    /// The conversation's holder.
    Assign { conversation_id: String, agent: i64 },
    /// The conversation's status (`open`, `closed`).
    Status {
        conversation_id: String,
        status: &'static str,
    },
    /// A system message to the visitor: stored, then sent to their sockets.
    System {
        conversation_id: String,
        text: String,
        display: Display,
    },
    /// A message by an agent (or the bot): stored, then sent to the visitor's
    /// sockets unless the client id was already stored. The batch's
    /// [`Written::message`] is this message.
    AgentMessage {
        conversation_id: String,
        agent: i64,
        client_id: String,
        text: String,
        display: Display,
    },
    /// The conversation's offer timer: armed for the offer's deadline, or
    /// dropped (`None`) when it is no longer offered.
    OfferTimer {
        conversation_id: String,
        offer: Option<(Timestamp, OfferMemo)>,
    },
    /// The conversation's sockets hear it closed.
    Closed(String),
    /// Tell the consoles (after the writes before it).
    Notice(Notice),
}

impl Effect {
    /// Whether it writes to the store (a caller waits for those).
    fn stores(&self) -> bool {
        !matches!(self, Effect::Closed(_) | Effect::Notice(_))
    }
}

/// The effects of one decision and who waits for them.
struct Batch {
    effects: Vec<Effect>,
    done: oneshot::Sender<Result<Written, AppError>>,
}

/// What the writer reports back for a batch.
#[derive(Default)]
struct Written {
    /// The last [`Effect::AgentMessage`]: its view and whether it is new.
    message: Option<(MessageView, bool)>,
}

/// A decision's pending writes: wait on it to know they are done.
struct Pending(Option<oneshot::Receiver<Result<Written, AppError>>>);

impl Pending {
    async fn written(self) -> Result<Written, AppError> {
        match self.0 {
            None => Ok(Written::default()),
            Some(rx) => rx
                .await
                .unwrap_or_else(|_| Err(AppError::Internal("routing writer stopped".into()))),
        }
    }
}

/// The writer: queues each batch's writes to the store's group-commit writers in
/// the order the batches were decided, without waiting for the one before to
/// commit (so decisions made meanwhile share its next commit), then, batch after
/// batch in that order, does what follows each commit (sockets, consoles, events)
/// and reports to whoever waits. A batch's effects stop at its first failed write.
/// It ends when the last [`Dispatch`] is dropped.
async fn write_in_order(
    mut batches: mpsc::UnboundedReceiver<Batch>,
    store: Store,
    hub: Hub,
    notices: broadcast::Sender<Notice>,
    timers: Timers,
) {
    use futures_util::StreamExt;
    let sinks = Sinks {
        hub: &hub,
        notices: &notices,
        timers: &timers,
    };
    let mut committing = futures_util::stream::FuturesOrdered::new();
    let mut open = true;
    while open || !committing.is_empty() {
        tokio::select! {
            biased;
            Some(((stored, outcomes), Batch { effects, done })) = committing.next() => {
                let result = after_commit(sinks, effects, stored, outcomes).await;
                if let Err(Err(e)) = done.send(result) {
                    tracing::error!(error = %e, "routing writes failed");
                }
            }
            batch = batches.recv(), if open => match batch {
                Some(batch) => {
                    let planned: Vec<Option<Write>> = batch.effects.iter().map(Effect::write).collect();
                    let stored: Vec<bool> = planned.iter().map(Option::is_some).collect();
                    let writes: Vec<Write> = planned.into_iter().flatten().collect();
                    let queued = if writes.is_empty() {
                        None
                    } else {
                        Some(store.queue_writes(writes).await)
                    };
                    committing.push_back(async move {
                        let outcomes = match queued {
                            None => Vec::new(),
                            Some(Ok(commit)) => commit.await,
                            Some(Err(e)) => vec![Err(e)],
                        };
                        ((stored, outcomes), batch)
                    });
                }
                None => open = false,
            },
        }
    }
}

/// Where the routing writer's effects go once their writes are committed.
#[derive(Clone, Copy)]
struct Sinks<'a> {
    hub: &'a Hub,
    notices: &'a broadcast::Sender<Notice>,
    timers: &'a Timers,
}

impl Effect {
    /// What it writes to the store, if anything.
    fn write(&self) -> Option<Write> {
        Some(match self {
            Effect::Log {
                conversation_id,
                line,
            } => Write::Log {
                conversation_id: conversation_id.clone(),
                line: LogRow {
                    at: line.at.clone(),
                    text: line.text.clone(),
                    entry: line.entry.to_string(),
                },
            },
            Effect::Assign {
                conversation_id,
                agent,
            } => Write::Assign {
                conversation_id: conversation_id.clone(),
                agent_id: *agent,
            },
            Effect::Status {
                conversation_id,
                status,
            } => Write::Status {
                conversation_id: conversation_id.clone(),
                status: (*status).to_owned(),
                at: now_rfc3339(),
            },
            Effect::System {
                conversation_id,
                text,
                ..
            } => Write::Message(NewMessage {
                conversation_id: conversation_id.clone(),
                author: "system".to_owned(),
                agent_id: None,
                client_id: None,
                body: text.clone(),
            }),
            Effect::AgentMessage {
                conversation_id,
                agent,
                client_id,
                text,
                ..
            } => Write::Message(NewMessage {
                conversation_id: conversation_id.clone(),
                author: "agent".to_owned(),
                agent_id: Some(*agent),
                client_id: Some(client_id.clone()),
                body: text.clone(),
            }),
            Effect::OfferTimer {
                conversation_id,
                offer: Some((deadline, memo)),
            } => Write::ArmTimer {
                conversation_id: conversation_id.clone(),
                kind: TimerKind::PassOffer,
                due_at: instant_rfc3339(*deadline),
                now: now_rfc3339(),
                keep: false,
                payload: match serde_json::to_string(memo) {
                    Ok(payload) => Some(payload),
                    Err(e) => {
                        tracing::error!(error = %e, "an offer's memo could not be written");
                        return None;
                    }
                },
            },
            Effect::OfferTimer {
                conversation_id,
                offer: None,
            } => Write::CancelTimers {
                conversation_id: conversation_id.clone(),
                kinds: vec![TimerKind::PassOffer],
            },
            Effect::Closed(_) | Effect::Notice(_) => return None,
        })
    }
}

/// Does what follows a batch's commit, effect by effect in decision order, with
/// `stored` whether each effect wrote, and `outcomes` the outcomes of those writes
/// in that order: stops at the first write that failed.
async fn after_commit(
    sinks: Sinks<'_>,
    effects: Vec<Effect>,
    stored: Vec<bool>,
    outcomes: Vec<Result<Wrote, canal_store::Error>>,
) -> Result<Written, AppError> {
    let Sinks {
        hub,
        notices,
        timers,
    } = sinks;
    let mut outcomes = outcomes.into_iter();
    let mut written = Written::default();
    for (effect, stores) in effects.into_iter().zip(stored) {
        let wrote = if stores {
            match outcomes.next() {
                Some(Ok(wrote)) => Some(wrote),
                Some(Err(e)) => return Err(e.into()),
                None => {
                    return Err(AppError::Internal(
                        "a routing write was not answered".into(),
                    ))
                }
            }
        } else {
            None
        };
        match (effect, wrote) {
            (
                Effect::Log {
                    conversation_id,
                    line,
                },
                _,
            ) => {
                let _ = notices.send(Notice::Log(conversation_id, line));
            }
            // Their events (`conversation.assigned`, `.closed`, `message.created`)
            // were queued with the writes (see `canal_store::events`).
            (Effect::Assign { .. } | Effect::Status { .. }, _) => {}
            (
                Effect::System {
                    conversation_id,
                    display,
                    ..
                },
                Some(Wrote::Message(appended)),
            ) => {
                hub.publish(
                    &conversation_id,
                    hub::Event {
                        origin: 0,
                        message: display.view(appended.message),
                    },
                );
            }
            (
                Effect::AgentMessage {
                    conversation_id,
                    display,
                    ..
                },
                Some(Wrote::Message(appended)),
            ) => {
                let view = display.view(appended.message);
                if appended.inserted {
                    hub.publish(
                        &conversation_id,
                        hub::Event {
                            origin: 0,
                            message: view.clone(),
                        },
                    );
                }
                written.message = Some((view, appended.inserted));
            }
            (Effect::System { .. } | Effect::AgentMessage { .. }, _) => {
                return Err(AppError::Internal(
                    "a message write answered something else".into(),
                ));
            }
            (Effect::OfferTimer { offer: Some(_), .. }, _) => timers.wake(),
            (Effect::OfferTimer { offer: None, .. }, _) => {}
            (Effect::Closed(conversation_id), _) => hub.closed(&conversation_id),
            (Effect::Notice(notice), _) => {
                let _ = notices.send(notice);
            }
        }
    }
    Ok(written)
}

fn now() -> Timestamp {
    Timestamp(now_millis())
}

fn refused(e: RoutingError) -> AppError {
    let status = match e {
        RoutingError::UnknownConversation(_) | RoutingError::UnknownAgent(_) => {
            axum::http::StatusCode::NOT_FOUND
        }
        _ => axum::http::StatusCode::CONFLICT,
    };
    AppError::client(status, ErrorCode::RoutingRefused, e.to_string())
}

fn closed() -> AppError {
    AppError::client(
        axum::http::StatusCode::CONFLICT,
        ErrorCode::RoutingRefused,
        "the conversation is closed",
    )
}

fn unknown_conversation() -> AppError {
    AppError::not_found(
        ErrorCode::UnknownConversation,
        "no open conversation has this id",
    )
}

fn agent_id(row: &AgentRow) -> AgentId {
    AgentId(row.id.max(0) as u64)
}

fn engine_agent(row: &AgentRow, online: bool, absent: bool) -> Agent {
    let mut agent = if row.is_bot {
        Agent::bot(agent_id(row), row.name.clone())
    } else {
        Agent::new(agent_id(row), row.name.clone())
    };
    agent.online = online || row.is_bot;
    agent.absent = absent;
    agent.dismissed = row.dismissed;
    agent.cap = row.cap.and_then(|c| u32::try_from(c).ok());
    agent
}

/// The engine's settings for the wire settings (already validated).
fn queue_settings(s: &RoutingSettings) -> Result<QueueSettings, AppError> {
    let pass_after = PassAfter::from_millis(s.pass_after_secs.saturating_mul(1000))
        .map_err(|e| AppError::invalid(e.to_string()))?;
    let entries = s
        .queue
        .iter()
        .map(|q| match *q {
            QueueItem::Agent(id) => QueueEntry::Agent(AgentId(id)),
            QueueItem::Department(id) => QueueEntry::Department(DepartmentId(id)),
        })
        .collect();
    let mode = match s.mode {
        RoutingMode::Evenly => Mode::Evenly,
        RoutingMode::Strict => Mode::Strict,
        RoutingMode::All => Mode::All,
    };
    let mut q = QueueSettings::new(entries, mode, pass_after);
    q.check_online = s.check_online;
    q.exclusions = LoadExclusions {
        answered: s.exclusions.answered,
        waiting_for_client: s.exclusions.waiting_for_client,
        awaiting_rating: s.exclusions.awaiting_rating,
    };
    q.route_to_responsible = s.route_to_responsible;
    q.bot = s.bot_agent_id.map(AgentId);
    q.no_agent_reply = s.no_agent_reply.is_some();
    Ok(q)
}

/// A channel's stored routing settings, or the defaults.
pub async fn stored_settings(
    store: &Store,
    channel_id: &str,
) -> Result<RoutingSettings, canal_store::Error> {
    Ok(store
        .routing_settings(channel_id)
        .await?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_else(default_settings))
}

/// Stores a channel's routing settings (replacing earlier ones). The caller checks
/// them and tells the running shell ([`Dispatch::settings_saved`]).
pub async fn save_settings(
    store: &Store,
    channel_id: &str,
    settings: &RoutingSettings,
) -> Result<(), AppError> {
    let json = serde_json::to_string(settings)
        .map_err(|e| AppError::Internal(format!("routing settings: {e}")))?;
    Ok(store.put_routing_settings(channel_id, &json).await?)
}

fn preview(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// A channel's row and settings, read before the engine hears of it.
struct ChannelRead {
    key: String,
    title: String,
    settings: RoutingSettings,
}

/// A channel's working hours as read from the store (`None`: none set).
type HoursRead = Option<(canal_protocol::hours::WorkingHours, crate::hours::Schedule)>;

/// What a visitor's message needs that the decision may find out it lacks.
enum ClientTurn {
    Done,
    /// The conversation is closed, so the message reopens it: the channel's
    /// working hours (this store id) are needed first.
    NeedHours(String),
}

impl Dispatch {
    /// Loads agents, departments, channels and open conversations from the store
    /// (an offer pending when the process stopped is offered again until its
    /// deadline). Offers pass on at their deadline through their durable timers:
    /// the timer loop ([`crate::timers`]) calls [`Dispatch::tick`].
    pub async fn start(store: Store, hub: Hub, timers: Timers) -> Result<Dispatch, AppError> {
        let notices = broadcast::channel(1024).0;
        let (writes, batches) = mpsc::unbounded_channel();
        tokio::spawn(write_in_order(
            batches,
            store.clone(),
            hub,
            notices.clone(),
            timers,
        ));
        let (jobs, queue) = mpsc::unbounded_channel();
        tokio::spawn(own(Inner::default(), queue));
        let dispatch = Dispatch {
            jobs,
            notices,
            writes,
            store,
        };
        dispatch.load().await?;
        Ok(dispatch)
    }

    /// An offer's deadline fell due (its durable timer fired): the offers due by
    /// now pass on.
    pub async fn tick(&self) -> Result<(), AppError> {
        self.run(|d, inner, fx| d.apply(inner, Event::Tick, fx))
            .await
    }

    /// Runs `f` on the engine and the shell's maps, in the owner, after every job
    /// sent before it, and returns its answer.
    async fn ask<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Inner) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let (answer, rx) = oneshot::channel();
        self.jobs
            .send(Box::new(move |inner| {
                // The caller may have gone: the job is done all the same.
                let _ = answer.send(f(inner));
            }))
            .map_err(|_| AppError::Internal("routing shell stopped".into()))?;
        // Dropped unanswered: the job panicked (the owner logged it).
        rx.await
            .map_err(|_| AppError::Internal("routing shell gave no answer".into()))
    }

    /// Runs `f` in the owner, after every job sent before it, without waiting.
    fn tell(&self, f: impl FnOnce(&mut Inner) + Send + 'static) {
        if self.jobs.send(Box::new(f)).is_err() {
            tracing::error!("routing shell stopped");
        }
    }

    /// A lookup's answer, or `fallback` (logged) when the shell could not answer.
    async fn look<T: Send + 'static>(
        &self,
        fallback: T,
        f: impl FnOnce(&mut Inner) -> T + Send + 'static,
    ) -> T {
        self.ask(f).await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "a routing lookup failed");
            fallback
        })
    }

    /// Decides in the owner and queues the effects to the writer from inside the
    /// job, so in decision order. Effects collected before a refusal are queued too
    /// (the engine's state already moved).
    async fn decide<T: Send + 'static>(
        &self,
        decision: impl FnOnce(&Self, &mut Inner, &mut Vec<Effect>) -> Result<T, AppError>
            + Send
            + 'static,
    ) -> (Result<T, AppError>, Pending) {
        let d = self.clone();
        let decided = self.ask(move |inner| {
            let mut effects = Vec::new();
            let result = decision(&d, inner, &mut effects);
            (result, d.queue(effects))
        });
        decided.await.unwrap_or_else(|e| (Err(e), Pending(None)))
    }

    /// Waits until every decision queued before the call is written and followed
    /// through (a batch with nothing in it, answered after the batches before it):
    /// a server that stops calls it once its sockets have ended, so what they
    /// decided on their way out is stored before the process exits.
    pub async fn settle(&self) {
        let (done, answer) = oneshot::channel();
        if self
            .writes
            .send(Batch {
                effects: Vec::new(),
                done,
            })
            .is_ok()
        {
            let _ = answer.await;
        }
    }

    /// Queues a decision's effects to the writer (called by the owner).
    fn queue(&self, effects: Vec<Effect>) -> Pending {
        if effects.is_empty() {
            return Pending(None);
        }
        // Notices alone still go through the writer (after the writes decided
        // before them), but there is nothing stored to wait for.
        let stores = effects.iter().any(Effect::stores);
        let (done, rx) = oneshot::channel();
        match self.writes.send(Batch { effects, done }) {
            Ok(()) if stores => Pending(Some(rx)),
            Ok(()) => Pending(None),
            Err(_) => {
                let (failed, rx) = oneshot::channel();
                let _ = failed.send(Err(AppError::Internal("routing writer stopped".into())));
                Pending(Some(rx))
            }
        }
    }

    /// [`Self::decide`], then waits for the effects to be written.
    async fn run<T: Send + 'static>(
        &self,
        decision: impl FnOnce(&Self, &mut Inner, &mut Vec<Effect>) -> Result<T, AppError>
            + Send
            + 'static,
    ) -> Result<T, AppError> {
        let (result, pending) = self.decide(decision).await;
        let written = pending.written().await;
        let value = result?;
        written?;
        Ok(value)
    }

    async fn load(&self) -> Result<(), AppError> {
        let pool = &self.store;
        let at = now();
        let all = agents::all(pool).await?;
        let departments = agents::departments(pool).await?;
        let managers = pool.all_channel_managers().await?;
        self.run(move |_, inner, _| {
            for (channel_id, agent) in managers {
                inner
                    .managers
                    .entry(channel_id)
                    .or_default()
                    .insert(AgentId(agent.max(0) as u64));
            }
            for row in all {
                let id = agent_id(&row);
                inner
                    .engine
                    .handle(at, Event::AgentAdded(engine_agent(&row, false, false)))
                    .map_err(refused)?;
                inner.agents.insert(
                    id,
                    AgentInfo {
                        row,
                        sockets: 0,
                        status: Status::Online,
                    },
                );
            }
            for dep in departments {
                inner
                    .engine
                    .handle(
                        at,
                        Event::DepartmentChanged {
                            department: DepartmentId(dep.id.max(0) as u64),
                            members: dep.members.into_iter().map(AgentId).collect(),
                        },
                    )
                    .map_err(refused)?;
            }
            Ok(())
        })
        .await?;
        let open: Vec<OpenConversation> = pool.open_conversations().await?;
        // Offers pending when the process stopped, by conversation: (deadline,
        // agents, offered at). An unreadable one is routed afresh.
        let mut pending: HashMap<String, (Timestamp, Vec<AgentId>, Timestamp)> = HashMap::new();
        for (conversation_id, due_at, memo) in pool.pending_offers().await? {
            let memo = memo.and_then(|m| serde_json::from_str::<OfferMemo>(&m).ok());
            if let (Some(deadline), Some(memo)) = (rfc3339_instant(&due_at), memo) {
                let agents = memo.agents.into_iter().map(AgentId).collect();
                pending.insert(conversation_id, (deadline, agents, Timestamp(memo.at)));
            }
        }
        for OpenConversation {
            id,
            visitor_id,
            channel_id,
            agent_id: holder,
            pages,
            created_at,
            unanswered_since,
            awaiting_rating,
        } in open
        {
            let channel = self.channel_in(&channel_id).await?;
            // Three index lookups, not the whole history of every open conversation.
            let canal_store::routing::Digest {
                answered,
                last_author,
                last_body,
            } = pool.digest(&id).await?;
            let waiting_for_client = last_author.as_deref() == Some("agent");
            let last_message = last_body.as_deref().map(preview);
            let visitor = crate::services::identity::of_visitor(pool, &visitor_id).await?;
            let rating = crate::services::ratings::of_conversation(pool, &id).await?;
            let withdrawn = self
                .store
                .visitor_withdrew(&visitor_id, &channel_id)
                .await?;
            let offered = pending.remove(&id);
            self.run(move |d, inner, fx| {
                let holder = holder
                    .map(|h| AgentId(h.max(0) as u64))
                    .filter(|h| inner.agents.contains_key(h));
                if awaiting_rating && holder.is_none() {
                    // Its agent is gone: nobody's place to hold; the wait's timer
                    // still ends it, and a rating is still taken.
                    return Ok(());
                }
                let cid = conv_in(inner, &id, &visitor_id, channel, pages, created_at);
                if let Some(conv) = inner.convs.get_mut(&cid) {
                    conv.last_message = last_message;
                    conv.visitor = visitor;
                    conv.rating = rating;
                    conv.withdrawn = withdrawn;
                    conv.unanswered = unanswered_since.is_some();
                    conv.visitor_wrote = true;
                }
                if let (true, Some(agent)) = (awaiting_rating, holder) {
                    // Closed awaiting its rating: its agent's place stays held as
                    // the channel's exclusions say, until the wait ends.
                    let mut decisions = inner
                        .engine
                        .restore_assigned(at, cid, channel, agent, answered, waiting_for_client)
                        .map_err(refused)?;
                    let closed = Event::ConversationClosed {
                        conversation: cid,
                        awaiting_rating: true,
                    };
                    decisions.extend(inner.engine.handle(at, closed).map_err(refused)?);
                    d.act(inner, decisions, fx);
                    return Ok(());
                }
                let decisions = match (holder, offered) {
                    (Some(agent), _) => inner.engine.restore_assigned(
                        at,
                        cid,
                        channel,
                        agent,
                        answered,
                        waiting_for_client,
                    ),
                    (None, Some((deadline, agents, offered_at))) => inner
                        .engine
                        .restore_offered(at, cid, channel, &agents, offered_at, deadline),
                    (None, None) => inner.engine.handle(
                        at,
                        Event::ConversationCreated {
                            conversation: cid,
                            channel,
                            responsible: None,
                        },
                    ),
                }
                .map_err(refused)?;
                d.act(inner, decisions, fx);
                Ok(())
            })
            .await?;
        }
        Ok(())
    }

    /// The engine id of a store channel, configuring the engine on first use (its
    /// row and settings are read first, outside the owner).
    async fn channel_in(&self, channel_id: &str) -> Result<ChannelId, AppError> {
        let key = channel_id.to_owned();
        let known = self
            .ask(move |inner| inner.channel_ids.get(&key).copied())
            .await?;
        if let Some(id) = known {
            return Ok(id);
        }
        let row = self
            .store
            .channel_by_id(channel_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("routing: no channel {channel_id}")))?;
        let read = ChannelRead {
            title: row.shown_title().to_owned(),
            key: row.key,
            settings: stored_settings(&self.store, channel_id).await?,
        };
        let engine_settings = queue_settings(&read.settings)?;
        let channel_id = channel_id.to_owned();
        self.ask(move |inner| Self::configure(inner, channel_id, read, engine_settings))
            .await?
    }

    /// Gives a store channel (read before) its engine id and configures the engine.
    fn configure(
        inner: &mut Inner,
        channel_id: String,
        read: ChannelRead,
        engine_settings: QueueSettings,
    ) -> Result<ChannelId, AppError> {
        // Another event may have configured it while we read.
        if let Some(id) = inner.channel_ids.get(&channel_id) {
            return Ok(*id);
        }
        let id = ChannelId(inner.channel_ids.len() as u64 + 1);
        inner
            .engine
            .handle(
                now(),
                Event::ChannelConfigured {
                    channel: id,
                    settings: engine_settings,
                },
            )
            .map_err(refused)?;
        inner.channel_ids.insert(channel_id.clone(), id);
        inner.channels.insert(
            id,
            ChannelInfo {
                id: channel_id,
                key: read.key,
                title: read.title,
                settings: read.settings,
            },
        );
        Ok(id)
    }

    /// Applies an event and turns the decisions into effects.
    fn apply(&self, inner: &mut Inner, event: Event, fx: &mut Vec<Effect>) -> Result<(), AppError> {
        let decisions = inner.engine.handle(now(), event).map_err(refused)?;
        self.act(inner, decisions, fx);
        Ok(())
    }

    /// The log and holders to write, auto-replies to send, consoles to tell.
    fn act(
        &self,
        inner: &mut Inner,
        decisions: Vec<crate::routing::Decision>,
        fx: &mut Vec<Effect>,
    ) {
        let mut changed = BTreeSet::new();
        let mut offers = BTreeSet::new();
        let mut loads = false;
        for mut decision in decisions {
            let cid = decision.action.conversation();
            let Some(conv) = inner.convs.get(&cid) else {
                continue;
            };
            if conv.out_of_hours_replied {
                // The out-of-hours reply already told the visitor; the log says
                // what was actually sent.
                for action in [&mut decision.action, &mut decision.log.action] {
                    if let Action::Waiting {
                        send_no_agent_reply,
                        ..
                    } = action
                    {
                        *send_no_agent_reply = false;
                    }
                }
            }
            let conversation_id = conv.id.clone();
            let line = RoutingLogLine {
                at: decision.log.at.to_string(),
                text: describe(inner, &decision),
                entry: entry(inner, &decision),
            };
            fx.push(Effect::Log {
                conversation_id: conversation_id.clone(),
                line,
            });
            if matches!(
                decision.action,
                Action::Assigned { .. } | Action::Offer { .. } | Action::WithdrawOffers { .. }
            ) {
                offers.insert((cid, conversation_id.clone()));
            }
            match &decision.action {
                Action::Assigned { agent, .. } => {
                    loads = true;
                    fx.push(Effect::Assign {
                        conversation_id: conversation_id.clone(),
                        agent: i64::try_from(agent.0).unwrap_or(i64::MAX),
                    });
                }
                Action::Waiting {
                    send_no_agent_reply: true,
                    ..
                } => {
                    let text = inner
                        .convs
                        .get(&cid)
                        .and_then(|c| inner.channels.get(&c.channel))
                        .and_then(|c| c.settings.no_agent_reply.clone());
                    if let Some(text) = text {
                        system_reply(inner, cid, text, fx);
                    }
                }
                Action::Offer { .. } | Action::WithdrawOffers { .. } | Action::Waiting { .. } => {
                    loads = true;
                }
            }
            changed.insert(conversation_id);
        }
        for id in changed {
            fx.push(Effect::Notice(Notice::Changed(id)));
        }
        // Each offer that came, moved or went: its durable timer follows.
        for (cid, conversation_id) in offers {
            let offer = match inner.engine.conversation(cid).map(|c| &c.state) {
                Some(ConversationState::Offered {
                    agents,
                    at,
                    deadline,
                }) => Some((
                    *deadline,
                    OfferMemo {
                        agents: agents.iter().map(|a| a.0).collect(),
                        at: at.millis(),
                    },
                )),
                _ => None,
            };
            fx.push(Effect::OfferTimer {
                conversation_id,
                offer,
            });
        }
        if loads {
            fx.push(Effect::Notice(Notice::Agents));
        }
    }

    /// Closes every console of an agent whose sessions were ended.
    pub fn sessions_ended(&self, agent_id: i64) {
        let _ = self.notices.send(Notice::SessionsEnded(agent_id));
    }

    /// A KPI notice for the employee `agent_id` (stored already): their consoles
    /// show it.
    pub fn overdue(&self, agent_id: i64, notice: canal_protocol::kpi::OverdueNotice) {
        let _ = self.notices.send(Notice::Overdue(agent_id, notice));
    }

    /// A customer's new message, for these employees' consoles.
    pub fn customer_wrote(
        &self,
        agents: Vec<i64>,
        channel: &str,
        conversation_id: &str,
        text: &str,
    ) {
        let _ = self.notices.send(Notice::CustomerWrote {
            agents,
            conversation_id: conversation_id.to_owned(),
            channel: channel.to_owned(),
            text: preview(text),
        });
    }

    /// Subscribes to what changes, for a console.
    pub fn notices(&self) -> broadcast::Receiver<Notice> {
        self.notices.subscribe()
    }

    // ----- events from the visitor side -----

    /// Whether someone could answer the channel's visitors now (see
    /// [`crate::routing::engine::Engine::staffed`]).
    pub async fn staffed(&self, channel_id: &str) -> Result<bool, AppError> {
        let channel = self.channel_in(channel_id).await?;
        self.ask(move |inner| inner.engine.staffed(channel)).await
    }

    /// A visitor started a conversation: route it.
    pub async fn conversation_created(
        &self,
        conversation_id: &str,
        visitor_id: &str,
        channel_id: &str,
        pages: Pages,
    ) -> Result<(), AppError> {
        let visitor = crate::services::identity::of_visitor(&self.store, visitor_id).await?;
        let responsible = self.store.responsible_agent(visitor_id).await?;
        let channel = self.channel_in(channel_id).await?;
        let hours = crate::hours::stored(&self.store, channel_id).await?;
        let conversation_id = conversation_id.to_owned();
        let visitor_id = visitor_id.to_owned();
        self.run(move |d, inner, fx| {
            let responsible = responsible
                .map(|id| AgentId(id.max(0) as u64))
                .filter(|id| inner.agents.contains_key(id));
            let cid = conv_in(
                inner,
                &conversation_id,
                &visitor_id,
                channel,
                pages,
                now_rfc3339(),
            );
            if let Some(conv) = inner.convs.get_mut(&cid) {
                conv.visitor = visitor;
            }
            out_of_hours(inner, cid, hours, fx);
            d.apply(
                inner,
                Event::ConversationCreated {
                    conversation: cid,
                    channel,
                    responsible,
                },
                fx,
            )
        })
        .await
    }

    /// The visitor wrote: the conversation no longer waits for them. When the
    /// channel's bot holds it, the bot answers a message it has a rule for and hands
    /// any other over to the queue.
    pub async fn client_message(&self, conversation_id: &str, text: &str) {
        let key = conversation_id.to_owned();
        let known = match self
            .ask(move |inner| inner.conv_ids.contains_key(&key))
            .await
        {
            Ok(known) => known,
            Err(e) => {
                tracing::error!(error = %e, "routing a client message failed");
                return;
            }
        };
        if !known {
            // Closed before the server last started, so not in memory: it opens again.
            if let Err(e) = self.reopen_stored(conversation_id).await {
                tracing::error!(error = %e, "reopening a conversation failed");
            }
        }
        // Read only when the message reopens the conversation (then decided again).
        let mut hours: Option<HoursRead> = None;
        loop {
            let (id, text, read) = (conversation_id.to_owned(), text.to_owned(), hours.take());
            let turn = self
                .run(move |d, inner, fx| d.client_turn(inner, &id, &text, read, fx))
                .await;
            match turn {
                Ok(ClientTurn::Done) => return,
                Ok(ClientTurn::NeedHours(channel_id)) => {
                    match crate::hours::stored(&self.store, &channel_id).await {
                        Ok(read) => hours = Some(read),
                        Err(e) => {
                            tracing::error!(error = %e, "reading working hours failed");
                            return;
                        }
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "routing a client message failed");
                    return;
                }
            }
        }
    }

    /// Who hears of a customer's new message on the channel `channel_id` (its
    /// store id), with the channel's key if routing knows the channel yet: their `responsible` agent; with none (or
    /// one dismissed, or a bot), the channel's managers; with none, the admins.
    /// Dismissed agents and bots never hear. Read from memory: every visitor's
    /// message asks.
    pub async fn inbound_recipients(
        &self,
        channel_id: &str,
        responsible: Option<i64>,
    ) -> (Option<String>, Vec<i64>) {
        let channel_id = channel_id.to_owned();
        self.look((None, Vec::new()), move |inner| {
            let may_hear = |id: &AgentId| {
                inner
                    .agents
                    .get(id)
                    .is_some_and(|a| !a.row.dismissed && !a.row.is_bot)
            };
            let key = inner
                .channel_ids
                .get(&channel_id)
                .and_then(|c| inner.channels.get(c))
                .map(|c| c.key.clone());
            let as_ids = |ids: Vec<AgentId>| -> Vec<i64> {
                ids.into_iter()
                    .map(|a| i64::try_from(a.0).unwrap_or(i64::MAX))
                    .collect()
            };
            if let Some(r) = responsible.map(|id| AgentId(id.max(0) as u64)) {
                if may_hear(&r) {
                    return (key, as_ids(vec![r]));
                }
            }
            let managers: Vec<AgentId> = inner
                .managers
                .get(&channel_id)
                .into_iter()
                .flatten()
                .copied()
                .filter(|a| may_hear(a))
                .collect();
            if !managers.is_empty() {
                return (key, as_ids(managers));
            }
            let mut admins: Vec<AgentId> = inner
                .agents
                .iter()
                .filter(|(id, a)| a.row.role() == Role::Admin && may_hear(id))
                .map(|(id, _)| *id)
                .collect();
            admins.sort();
            (key, as_ids(admins))
        })
        .await
    }

    /// The CRM recognised the customer of an open conversation: routing hears of
    /// their responsible agent (a waiting conversation is offered to them first;
    /// see the engine's `CustomerRecognised`). Nothing for a closed or unknown
    /// conversation, one that already had a responsible, or an agent routing does
    /// not know.
    pub async fn customer_recognised(&self, conversation_id: &str, responsible: i64) {
        let id = conversation_id.to_owned();
        let recognised = self
            .run(move |d, inner, fx| {
                let responsible = AgentId(responsible.max(0) as u64);
                let Some(&cid) = inner.conv_ids.get(&id) else {
                    return Ok(());
                };
                let open = inner
                    .engine
                    .conversation(cid)
                    .is_some_and(|c| !matches!(c.state, ConversationState::Closed { .. }));
                if !open || !inner.agents.contains_key(&responsible) {
                    return Ok(());
                }
                let event = Event::CustomerRecognised {
                    conversation: cid,
                    responsible,
                };
                d.apply(inner, event, fx)
            })
            .await;
        if let Err(e) = recognised {
            tracing::error!(error = %e, "routing a recognised customer failed");
        }
    }

    /// The decision for a visitor's message (see [`Self::client_message`]).
    fn client_turn(
        &self,
        inner: &mut Inner,
        conversation_id: &str,
        text: &str,
        hours: Option<HoursRead>,
        fx: &mut Vec<Effect>,
    ) -> Result<ClientTurn, AppError> {
        let Some(&cid) = inner.conv_ids.get(conversation_id) else {
            return Ok(ClientTurn::Done);
        };
        let state = inner.engine.conversation(cid).map(|c| c.state.clone());
        let hours = match (&state, hours) {
            (Some(ConversationState::Closed { .. }), None) => {
                let channel = inner.convs.get(&cid).map(|c| c.channel);
                let channel_id = inner
                    .channel_ids
                    .iter()
                    .find(|(_, id)| Some(**id) == channel)
                    .map(|(store_id, _)| store_id.clone());
                match channel_id {
                    Some(channel_id) => return Ok(ClientTurn::NeedHours(channel_id)),
                    None => None,
                }
            }
            (_, hours) => hours.flatten(),
        };
        let held = match inner.convs.get_mut(&cid) {
            Some(conv) => {
                conv.last_message = Some(preview(text));
                conv.visitor_wrote = true;
                std::mem::take(&mut conv.held_replies)
            }
            None => Vec::new(),
        };
        // Replies decided when it started go out after this first message.
        for reply in held {
            post_system(inner, cid, conversation_id, reply, fx);
        }
        let result = match state {
            None => Ok(()),
            Some(ConversationState::Closed { .. }) => {
                self.reopen(inner, cid, conversation_id, hours, fx)
            }
            Some(ConversationState::Assigned(holder)) if is_bot(inner, holder) => {
                self.bot_turn(inner, cid, holder, conversation_id, text, fx)
            }
            Some(_) => self.apply(inner, Event::ClientReplied { conversation: cid }, fx),
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "routing a client message failed");
        }
        fx.push(Effect::Notice(Notice::Changed(conversation_id.to_owned())));
        Ok(ClientTurn::Done)
    }

    /// The visitor wrote in a closed conversation: it opens again and is routed
    /// like a new one, with the out-of-hours reply when the channel is closed now.
    fn reopen(
        &self,
        inner: &mut Inner,
        cid: ConversationId,
        conversation_id: &str,
        hours: HoursRead,
        fx: &mut Vec<Effect>,
    ) -> Result<(), AppError> {
        fx.push(Effect::Status {
            conversation_id: conversation_id.to_owned(),
            status: "open",
        });
        if let Some(conv) = inner.convs.get_mut(&cid) {
            conv.out_of_hours_replied = false;
        }
        out_of_hours(inner, cid, hours, fx);
        self.apply(inner, Event::Reopened { conversation: cid }, fx)
    }

    /// [`Self::reopen`] for a conversation closed before this server started (so
    /// not in memory): routed as a new one. Does nothing unless it is closed.
    async fn reopen_stored(&self, conversation_id: &str) -> Result<(), AppError> {
        let pool = &self.store;
        // Not known to the engine, so no decision's writes can be queued for it:
        // the store itself says whether it was closed (and only one caller wins).
        if !pool
            .set_conversation_status(conversation_id, "open", &now_rfc3339())
            .await?
        {
            return Ok(());
        }
        let Some(canal_store::routing::Placement {
            visitor_id,
            channel_id,
            pages,
        }) = pool.placement(conversation_id).await?
        else {
            return Ok(());
        };
        self.conversation_created(conversation_id, &visitor_id, &channel_id, pages)
            .await?;
        // A rating given before the close still shows.
        let rating = crate::services::ratings::of_conversation(pool, conversation_id).await?;
        let key = conversation_id.to_owned();
        self.ask(move |inner| {
            if let Some(cid) = inner.conv_ids.get(&key).copied() {
                if let Some(conv) = inner.convs.get_mut(&cid) {
                    conv.rating = rating;
                }
            }
        })
        .await
    }

    /// The built-in bot's answer to a visitor message, or the handover.
    fn bot_turn(
        &self,
        inner: &mut Inner,
        cid: ConversationId,
        bot: AgentId,
        conversation_id: &str,
        text: &str,
        fx: &mut Vec<Effect>,
    ) -> Result<(), AppError> {
        let Some(channel) = inner
            .convs
            .get(&cid)
            .and_then(|c| inner.channels.get(&c.channel))
        else {
            return Ok(());
        };
        let lower = text.to_lowercase();
        let answer = channel
            .settings
            .bot_rules
            .iter()
            .find(|rule| {
                rule.keywords
                    .iter()
                    .any(|k| !k.is_empty() && lower.contains(&k.to_lowercase()))
            })
            .map(|rule| rule.answer.clone());
        let display = display_of(channel);
        let Some(answer) = answer else {
            return self.apply(inner, Event::BotHandover { conversation: cid }, fx);
        };
        if let Some(conv) = inner.convs.get_mut(&cid) {
            conv.last_message = Some(preview(&answer));
        }
        // A new client id: always a new message.
        fx.push(Effect::AgentMessage {
            conversation_id: conversation_id.to_owned(),
            agent: i64::try_from(bot.0).unwrap_or(i64::MAX),
            client_id: format!("bot-{}", uuid::Uuid::new_v4()),
            text: answer,
            display,
        });
        self.apply(inner, Event::AgentReplied { conversation: cid }, fx)
    }

    /// The host page told who the visitor is: their open conversations show it.
    pub async fn visitor_identified(&self, visitor_id: &str, identity: VisitorIdentity) {
        let visitor_id = visitor_id.to_owned();
        let changed = self
            .look(Vec::new(), move |inner| {
                let mut changed = Vec::new();
                for conv in inner.convs.values_mut() {
                    if conv.visitor_id == visitor_id {
                        conv.visitor = Some(identity.clone());
                        changed.push(conv.id.clone());
                    }
                }
                changed
            })
            .await;
        for id in changed {
            let _ = self.notices.send(Notice::Changed(id));
        }
    }

    /// The visitor of a conversation opened the chat on `page_url` (validated):
    /// stored when it is news, and the consoles that list it show it.
    pub async fn visitor_on_page(
        &self,
        conversation_id: &str,
        page_url: &str,
    ) -> Result<(), AppError> {
        if !self.store.set_page_now(conversation_id, page_url).await? {
            return Ok(());
        }
        let id = conversation_id.to_owned();
        let now = page_url.to_owned();
        let notices = self.notices.clone();
        self.tell(move |inner| {
            let Some(conv) = inner.conv_ids.get(&id).and_then(|c| inner.convs.get_mut(c)) else {
                return;
            };
            let now = Some(now).filter(|now| Some(now) != conv.page_url.as_ref());
            if conv.page_now != now {
                conv.page_now = now;
                let _ = notices.send(Notice::Changed(id));
            }
        });
        Ok(())
    }

    /// The visitor withdrew their consent to the channel's agreement (already
    /// stored): the consoles that list their conversations show it.
    pub fn visitor_withdrew(&self, visitor_id: &str) {
        let visitor_id = visitor_id.to_owned();
        let notices = self.notices.clone();
        self.tell(move |inner| {
            for conv in inner.convs.values_mut() {
                if conv.visitor_id == visitor_id && !conv.withdrawn {
                    conv.withdrawn = true;
                    let _ = notices.send(Notice::Changed(conv.id.clone()));
                }
            }
        });
    }

    /// How a channel shows agents to visitors (store id of the channel).
    pub async fn display(&self, channel_id: &str) -> Result<Display, AppError> {
        let channel = self.channel_in(channel_id).await?;
        self.ask(move |inner| {
            inner
                .channels
                .get(&channel)
                .map(display_of)
                .unwrap_or_else(|| Display {
                    mode: DisplayMode::Hidden,
                    channel_title: String::new(),
                })
        })
        .await
    }

    // ----- console actions -----

    fn cid(inner: &Inner, conversation_id: &str) -> Result<ConversationId, AppError> {
        inner
            .conv_ids
            .get(conversation_id)
            .copied()
            .ok_or_else(unknown_conversation)
    }

    /// Takes an offer; whoever oversees the conversation's channel (see
    /// [`oversees`]) may also take a waiting conversation, or one offered to others.
    pub async fn take(&self, agent: &AgentRow, conversation_id: &str) -> Result<(), AppError> {
        let (agent, conversation_id) = (agent.clone(), conversation_id.to_owned());
        self.run(move |d, inner, fx| {
            let (agent, conversation_id) = (&agent, conversation_id.as_str());
            let cid = Self::cid(inner, conversation_id)?;
            let me = agent_id(agent);
            let state = inner.engine.conversation(cid).map(|c| c.state.clone());
            let event = match state {
                Some(ConversationState::Offered { agents, .. }) if agents.contains(&me) => {
                    Event::OfferTaken {
                        conversation: cid,
                        agent: me,
                    }
                }
                Some(ConversationState::Waiting | ConversationState::Offered { .. })
                    if oversees_conversation(inner, agent, cid) =>
                {
                    Event::Transfer {
                        conversation: cid,
                        to: TransferTarget::Agent(me),
                        make_responsible: false,
                    }
                }
                _ => Event::OfferTaken {
                    conversation: cid,
                    agent: me,
                },
            };
            d.apply(inner, event, fx)
        })
        .await
    }

    pub async fn decline(&self, agent: &AgentRow, conversation_id: &str) -> Result<(), AppError> {
        let (agent, conversation_id) = (agent.clone(), conversation_id.to_owned());
        self.run(move |d, inner, fx| {
            let (agent, conversation_id) = (&agent, conversation_id.as_str());
            let cid = Self::cid(inner, conversation_id)?;
            let event = Event::OfferDeclined {
                conversation: cid,
                agent: agent_id(agent),
            };
            d.apply(inner, event, fx)
        })
        .await
    }

    /// Refuses unless `agent` holds the conversation, or oversees its channel (see
    /// [`oversees`]) and it is open: the same refusal for an agent and for a
    /// supervisor of another channel.
    fn check_holder(inner: &Inner, agent: &AgentRow, cid: ConversationId) -> Result<(), AppError> {
        let state = inner
            .engine
            .conversation(cid)
            .map(|c| c.state.clone())
            .ok_or_else(unknown_conversation)?;
        match state {
            ConversationState::Assigned(a) if a == agent_id(agent) => Ok(()),
            ConversationState::Closed { .. } => Err(closed()),
            _ if oversees_conversation(inner, agent, cid) => Ok(()),
            _ => Err(AppError::client(
                axum::http::StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "take the conversation first: it is not yours",
            )),
        }
    }

    /// Transfers a conversation to a colleague (`Some`) or back to the queue.
    pub async fn transfer(
        &self,
        agent: &AgentRow,
        conversation_id: &str,
        to: Option<u64>,
    ) -> Result<(), AppError> {
        let (agent, conversation_id) = (agent.clone(), conversation_id.to_owned());
        self.run(move |d, inner, fx| {
            let (agent, conversation_id) = (&agent, conversation_id.as_str());
            let cid = Self::cid(inner, conversation_id)?;
            Self::check_holder(inner, agent, cid)?;
            let to = match to {
                Some(id) => TransferTarget::Agent(AgentId(id)),
                None => TransferTarget::Queue,
            };
            let event = Event::Transfer {
                conversation: cid,
                to,
                make_responsible: false,
            };
            d.apply(inner, event, fx)
        })
        .await
    }

    /// An agent closes a conversation: the channel's closing message (`closing`,
    /// see `canal_core::automation::on_agent_close`) is posted to the visitor
    /// first, then it closes, fully or awaiting the visitor's rating (it then
    /// still counts against its agent's cap per the channel's exclusions).
    pub async fn close(
        &self,
        agent: &AgentRow,
        conversation_id: &str,
        closing: Closing,
    ) -> Result<(), AppError> {
        let (agent, conversation_id) = (agent.clone(), conversation_id.to_owned());
        self.run(move |d, inner, fx| {
            let (agent, conversation_id) = (&agent, conversation_id.as_str());
            let cid = Self::cid(inner, conversation_id)?;
            Self::check_holder(inner, agent, cid)?;
            if let Some(text) = closing.text {
                if let Some(conv) = inner.convs.get_mut(&cid) {
                    conv.last_message = Some(preview(&text));
                }
                post_system(inner, cid, conversation_id, text, fx);
            }
            fx.push(Effect::Status {
                conversation_id: conversation_id.to_owned(),
                status: "closed",
            });
            let event = Event::ConversationClosed {
                conversation: cid,
                awaiting_rating: closing.awaiting_rating,
            };
            d.apply(inner, event, fx)?;
            if closing.awaiting_rating {
                log_line(
                    inner,
                    cid,
                    "closed by the agent: awaiting the visitor's rating",
                    serde_json::json!({ "type": "awaiting_rating" }),
                    fx,
                );
            }
            fx.push(Effect::Closed(conversation_id.to_owned()));
            fx.push(Effect::Notice(Notice::Changed(conversation_id.to_owned())));
            fx.push(Effect::Notice(Notice::Agents));
            Ok(())
        })
        .await
    }

    /// Where a conversation stands for a rating: in memory if routing knows it,
    /// else by the store (closed with its rating-wait timer pending: awaiting).
    pub async fn standing(&self, conversation_id: &str) -> Result<Standing, AppError> {
        let key = conversation_id.to_owned();
        let known = self
            .ask(move |inner| {
                let cid = inner.conv_ids.get(&key)?;
                Some(match inner.engine.conversation(*cid)?.state {
                    ConversationState::Closed {
                        awaiting_rating: true,
                        ..
                    } => Standing::AwaitingRating,
                    ConversationState::Closed { .. } => Standing::Closed,
                    _ => Standing::Open,
                })
            })
            .await?;
        if let Some(standing) = known {
            return Ok(standing);
        }
        let Some(conversation) = self.store.conversation(conversation_id).await? else {
            return Err(unknown_conversation());
        };
        if conversation.status != "closed" {
            return Ok(Standing::Open);
        }
        let waiting = self
            .store
            .conversation_timers(conversation_id)
            .await?
            .iter()
            .any(|t| t.kind == TimerKind::RatingWait && t.fired_at.is_none());
        Ok(if waiting {
            Standing::AwaitingRating
        } else {
            Standing::Closed
        })
    }

    /// A closed conversation's wait for the rating ends (`why`: the timer ran out,
    /// or the visitor rated): it closes fully and no longer counts against its
    /// agent's cap. Returns false unless routing knew it awaiting (a conversation
    /// closed before this server started is closed fully already in its eyes).
    pub async fn close_fully(&self, conversation_id: &str, why: &str) -> Result<bool, AppError> {
        let (conversation_id, why) = (conversation_id.to_owned(), why.to_owned());
        self.run(move |d, inner, fx| {
            let Some(cid) = inner.conv_ids.get(&conversation_id).copied() else {
                return Ok(false);
            };
            let awaiting = inner.engine.conversation(cid).is_some_and(|c| {
                matches!(
                    c.state,
                    ConversationState::Closed {
                        awaiting_rating: true,
                        ..
                    }
                )
            });
            if !awaiting {
                return Ok(false);
            }
            d.apply(inner, Event::RatingReceived { conversation: cid }, fx)?;
            log_line(
                inner,
                cid,
                &format!("closed fully: {why}"),
                serde_json::json!({ "type": "closed_fully", "why": why }),
                fx,
            );
            fx.push(Effect::Notice(Notice::Changed(conversation_id)));
            fx.push(Effect::Notice(Notice::Agents));
            Ok(true)
        })
        .await
    }

    /// The visitor rated a conversation after it closed fully: it opens again and
    /// is routed like a new one (with the out-of-hours reply when the channel is
    /// closed now), its routing log saying a rating reopened it. The rating is
    /// stored (and shown) already.
    pub async fn reopen_by_rating(
        &self,
        conversation_id: &str,
        channel_id: &str,
        rating: &RatingView,
    ) -> Result<(), AppError> {
        let key = conversation_id.to_owned();
        let known = self
            .ask(move |inner| inner.conv_ids.contains_key(&key))
            .await?;
        if !known {
            // Closed before this server started.
            self.reopen_stored(conversation_id).await?;
        }
        let hours = crate::hours::stored(&self.store, channel_id).await?;
        let (conversation_id, rating) = (conversation_id.to_owned(), rating.rating.as_str());
        self.run(move |d, inner, fx| {
            let Some(cid) = inner.conv_ids.get(&conversation_id).copied() else {
                return Ok(());
            };
            let closed = inner
                .engine
                .conversation(cid)
                .is_some_and(|c| matches!(c.state, ConversationState::Closed { .. }));
            log_line(
                inner,
                cid,
                &format!("reopened: the visitor rated it ({rating}) after it closed"),
                serde_json::json!({ "type": "reopened_by_rating", "rating": rating }),
                fx,
            );
            if closed {
                d.reopen(inner, cid, &conversation_id, hours, fx)?;
            }
            fx.push(Effect::Notice(Notice::Changed(conversation_id)));
            Ok(())
        })
        .await
    }

    /// A timer closes the conversation for the visitor's silence (see
    /// [`crate::timers`]): `text`, if any, is posted to the visitor first, then it
    /// closes as when its agent closes it (the visitor's sockets and the consoles
    /// hear the same). Returns false when routing does not know it or it is closed
    /// already.
    pub async fn close_automatically(
        &self,
        conversation_id: &str,
        text: Option<String>,
    ) -> Result<bool, AppError> {
        let conversation_id = conversation_id.to_owned();
        self.run(move |d, inner, fx| {
            let Some(cid) = inner.conv_ids.get(&conversation_id).copied() else {
                return Ok(false);
            };
            let open = inner
                .engine
                .conversation(cid)
                .is_some_and(|c| !matches!(c.state, ConversationState::Closed { .. }));
            if !open {
                return Ok(false);
            }
            if let Some(text) = text {
                if let Some(conv) = inner.convs.get_mut(&cid) {
                    conv.last_message = Some(preview(&text));
                }
                post_system(inner, cid, &conversation_id, text, fx);
            }
            fx.push(Effect::Status {
                conversation_id: conversation_id.clone(),
                status: "closed",
            });
            if let Some(conv) = inner.convs.get_mut(&cid) {
                conv.unanswered = false;
            }
            let event = Event::ConversationClosed {
                conversation: cid,
                awaiting_rating: false,
            };
            d.apply(inner, event, fx)?;
            fx.push(Effect::Closed(conversation_id.clone()));
            fx.push(Effect::Notice(Notice::Changed(conversation_id)));
            fx.push(Effect::Notice(Notice::Agents));
            Ok(true)
        })
        .await
    }

    /// The conversation's unanswered mark was set or cleared in the store: the
    /// consoles that list it hear so.
    pub async fn unanswered(&self, conversation_id: &str, marked: bool) {
        let key = conversation_id.to_owned();
        let known = self
            .look(false, move |inner| {
                let Some(cid) = inner.conv_ids.get(&key).copied() else {
                    return false;
                };
                if let Some(conv) = inner.convs.get_mut(&cid) {
                    conv.unanswered = marked;
                }
                true
            })
            .await;
        if known {
            let _ = self
                .notices
                .send(Notice::Changed(conversation_id.to_owned()));
        }
    }

    /// The visitor rated the conversation (already stored): consoles that list it
    /// show the rating.
    pub async fn rated(&self, conversation_id: &str, rating: RatingView) {
        let key = conversation_id.to_owned();
        let known = self
            .look(false, move |inner| {
                let Some(cid) = inner.conv_ids.get(&key).copied() else {
                    return false;
                };
                if let Some(conv) = inner.convs.get_mut(&cid) {
                    conv.rating = Some(rating);
                }
                true
            })
            .await;
        if !known {
            return;
        }
        let _ = self
            .notices
            .send(Notice::Changed(conversation_id.to_owned()));
    }

    /// Stores an agent's reply in a conversation they hold and sends it to the
    /// visitor. The holder is checked and the message queued in one decision, so
    /// it is stored after every effect decided before it; a refusal is the outer
    /// error. The future returned waits for the commit (a console goes on with its
    /// next frames meanwhile) and gives the stored message (a re-sent client id:
    /// the first one) and, when it is new, what routing is still to hear of it:
    /// the caller acknowledges the reply first, then passes that to
    /// [`Self::replied`].
    pub async fn reply(
        &self,
        agent: &AgentRow,
        conversation_id: &str,
        client_id: &str,
        text: &str,
    ) -> Result<
        impl std::future::Future<Output = Result<(MessageView, Option<Replied>), AppError>>
            + Send
            + 'static,
        AppError,
    > {
        let (holder, id) = (agent.clone(), conversation_id.to_owned());
        let (client_id, message) = (client_id.to_owned(), text.to_owned());
        let decided = self.decide(move |_, inner, fx| {
            let cid = Self::cid(inner, &id)?;
            Self::check_holder(inner, &holder, cid)?;
            fx.push(Effect::AgentMessage {
                conversation_id: id,
                agent: holder.id,
                client_id,
                text: message,
                display: display_for(inner, cid),
            });
            Ok(cid)
        });
        let (checked, pending) = decided.await;
        let cid = checked?;
        let last_message = preview(text);
        Ok(async move {
            let Some((view, inserted)) = pending.written().await?.message else {
                return Err(AppError::Internal(
                    "routing: the reply was not stored".into(),
                ));
            };
            let replied = inserted.then_some(Replied { cid, last_message });
            Ok((view, replied))
        })
    }

    /// Routing hears that an agent's stored reply is new (see [`Self::reply`]):
    /// the conversation's last message, and the engine's `AgentReplied` unless it
    /// closed meanwhile (by a supervisor; the reply is stored, there is no
    /// routing left to tell). What routing writes of it is queued in order; a
    /// failure is logged by the writer.
    pub async fn replied(&self, replied: Replied) -> Result<(), AppError> {
        let Replied { cid, last_message } = replied;
        let (decided, _written) = self
            .decide(move |d, inner, fx| {
                if let Some(conv) = inner.convs.get_mut(&cid) {
                    conv.last_message = Some(last_message);
                }
                let open = inner
                    .engine
                    .conversation(cid)
                    .is_some_and(|c| !matches!(c.state, ConversationState::Closed { .. }));
                if open {
                    d.apply(inner, Event::AgentReplied { conversation: cid }, fx)?;
                }
                Ok(())
            })
            .await;
        decided
    }

    // ----- typing -----

    /// Refuses unless the conversation is open (known to routing and not closed).
    pub async fn check_open(&self, conversation_id: &str) -> Result<(), AppError> {
        let key = conversation_id.to_owned();
        let open = self
            .ask(move |inner| {
                inner
                    .conv_ids
                    .get(&key)
                    .and_then(|cid| inner.engine.conversation(*cid))
                    .is_some_and(|c| !matches!(c.state, ConversationState::Closed { .. }))
            })
            .await?;
        if open {
            Ok(())
        } else {
            Err(closed())
        }
    }

    /// A private note was stored: the consoles showing the conversation hear it.
    pub fn noted(&self, conversation_id: &str, note: canal_protocol::agent::NoteView) {
        let _ = self
            .notices
            .send(Notice::Note(conversation_id.to_owned(), note));
    }

    /// The visitor of an open conversation started or stopped writing: every
    /// console that lists it hears so (the caller checked and throttled).
    pub fn visitor_typing(&self, conversation_id: &str, typing: bool) {
        let _ = self
            .notices
            .send(Notice::Typing(conversation_id.to_owned(), typing));
    }

    /// The live typing preview of the channel `key` was turned off.
    pub fn preview_off(&self, key: &str) {
        let _ = self.notices.send(Notice::PreviewOff(key.to_owned()));
    }

    /// Checks that `agent` may write in the conversation (as for a reply) and
    /// returns the name the visitor sees for them.
    pub async fn typing_name(
        &self,
        agent: &AgentRow,
        conversation_id: &str,
    ) -> Result<Option<String>, AppError> {
        let (agent, conversation_id) = (agent.clone(), conversation_id.to_owned());
        self.ask(move |inner| {
            let cid = Self::cid(inner, &conversation_id)?;
            Self::check_holder(inner, &agent, cid)?;
            // The name as it is now (a rename reaches routing, not this socket's row).
            let name = inner
                .agents
                .get(&agent_id(&agent))
                .map_or(&agent.name, |a| &a.row.name);
            Ok(display_for(inner, cid).agent_name(name))
        })
        .await?
    }

    // ----- presence -----

    /// A console socket of this agent opened.
    pub async fn connected(&self, agent: &AgentRow) -> Result<Status, AppError> {
        let agent = agent.clone();
        self.run(move |d, inner, fx| {
            let agent = &agent;
            let id = agent_id(agent);
            let known = inner.agents.contains_key(&id);
            let info = inner.agents.entry(id).or_insert_with(|| AgentInfo {
                row: agent.clone(),
                sockets: 0,
                status: Status::Online,
            });
            info.sockets += 1;
            let (status, first) = (info.status, info.sockets == 1);
            if !known {
                // An account the shell has not heard of: made while the server ran,
                // by another process (`canal admin create`).
                let event = Event::AgentAdded(engine_agent(agent, true, false));
                d.apply(inner, event, fx)?;
            } else if first {
                let event = Event::AgentUpdated {
                    agent: id,
                    change: AgentChange::Online(true),
                };
                d.apply(inner, event, fx)?;
            }
            fx.push(Effect::Notice(Notice::Agents));
            Ok(status)
        })
        .await
    }

    /// A console socket of this agent closed.
    pub async fn disconnected(&self, agent: &AgentRow) {
        let agent = agent.clone();
        let result = self
            .run(move |d, inner, fx| {
                let id = agent_id(&agent);
                let Some(info) = inner.agents.get_mut(&id) else {
                    return Ok(());
                };
                info.sockets = info.sockets.saturating_sub(1);
                if info.sockets == 0 && !info.row.is_bot {
                    let event = Event::AgentUpdated {
                        agent: id,
                        change: AgentChange::Online(false),
                    };
                    if let Err(e) = d.apply(inner, event, fx) {
                        tracing::error!(error = %e, "routing a disconnect failed");
                    }
                }
                fx.push(Effect::Notice(Notice::Agents));
                Ok(())
            })
            .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "routing a disconnect failed");
        }
    }

    /// The agent set themselves online or away.
    pub async fn set_status(&self, agent: &AgentRow, status: Status) -> Result<(), AppError> {
        if status == Status::Offline {
            return Err(AppError::invalid(
                "status must be online or away (offline is closing the console)",
            ));
        }
        let agent = agent.clone();
        self.run(move |d, inner, fx| {
            let agent = &agent;
            let id = agent_id(agent);
            if let Some(info) = inner.agents.get_mut(&id) {
                info.status = status;
            }
            let event = Event::AgentUpdated {
                agent: id,
                change: AgentChange::Absent(status == Status::Away),
            };
            d.apply(inner, event, fx)?;
            fx.push(Effect::Notice(Notice::Agents));
            Ok(())
        })
        .await
    }

    // ----- settings -----

    /// A new or changed agent account (profile, role, cap, dismissal). Presence
    /// stays as the agent's consoles say; a new role decides what they see at once.
    pub async fn agent_saved(&self, row: &AgentRow) -> Result<(), AppError> {
        let row = row.clone();
        self.run(move |d, inner, fx| {
            let row = &row;
            let id = agent_id(row);
            let (sockets, status) = inner
                .agents
                .get(&id)
                .map_or((0, Status::Online), |i| (i.sockets, i.status));
            let new_role = inner
                .agents
                .get(&id)
                .is_some_and(|i| i.row.role != row.role);
            inner.agents.insert(
                id,
                AgentInfo {
                    row: row.clone(),
                    sockets,
                    status,
                },
            );
            let agent = engine_agent(row, sockets > 0, status == Status::Away);
            d.apply(inner, Event::AgentAdded(agent), fx)?;
            if new_role {
                open_ones_changed(inner, None, fx);
            }
            fx.push(Effect::Notice(Notice::Agents));
            Ok(())
        })
        .await
    }

    /// A department's members changed.
    pub async fn department_saved(&self, id: u64, members: Vec<u64>) -> Result<(), AppError> {
        self.run(move |d, inner, fx| {
            let event = Event::DepartmentChanged {
                department: DepartmentId(id),
                members: members.into_iter().map(AgentId).collect(),
            };
            d.apply(inner, event, fx)
        })
        .await
    }

    /// Checks routing settings against the engine's rules and known agents.
    pub async fn check_settings(&self, settings: &RoutingSettings) -> Result<(), AppError> {
        queue_settings(settings)?;
        let queue = settings.queue.clone();
        let bot = settings.bot_agent_id;
        self.ask(move |inner| {
            for item in &queue {
                if let QueueItem::Agent(id) = item {
                    if !inner.agents.contains_key(&AgentId(*id)) {
                        return Err(AppError::invalid(format!(
                            "queue names agent {id}, who does not exist"
                        )));
                    }
                }
            }
            if let Some(bot) = bot {
                if !inner
                    .agents
                    .get(&AgentId(bot))
                    .is_some_and(|a| a.row.is_bot)
                {
                    return Err(AppError::invalid(format!(
                        "bot_agent_id {bot} is not a bot account"
                    )));
                }
            }
            Ok(())
        })
        .await?
    }

    /// A channel's routing settings changed (already stored and checked).
    pub async fn settings_saved(
        &self,
        channel_id: &str,
        settings: RoutingSettings,
    ) -> Result<(), AppError> {
        let channel = self.channel_in(channel_id).await?;
        let engine_settings = queue_settings(&settings)?;
        self.run(move |d, inner, fx| {
            if let Some(info) = inner.channels.get_mut(&channel) {
                info.settings = settings;
            }
            let event = Event::ChannelConfigured {
                channel,
                settings: engine_settings,
            };
            d.apply(inner, event, fx)
        })
        .await
    }

    /// The supervisors a channel names as its managers were replaced (already
    /// stored): from now on they, and only they, oversee its conversations, and
    /// the consoles hear of each of them, so an inbox gains or loses them at once.
    pub async fn managers_saved(&self, channel_id: &str, managers: &[i64]) -> Result<(), AppError> {
        let key = channel_id.to_owned();
        let managers: BTreeSet<AgentId> = managers
            .iter()
            .map(|id| AgentId((*id).max(0) as u64))
            .collect();
        self.run(move |_, inner, fx| {
            let channel = inner.channel_ids.get(&key).copied();
            if managers.is_empty() {
                inner.managers.remove(&key);
            } else {
                inner.managers.insert(key, managers);
            }
            // A channel routing has not heard of has no conversation here yet.
            if let Some(channel) = channel {
                open_ones_changed(inner, Some(channel), fx);
            }
            Ok(())
        })
        .await
    }

    /// A channel's name or title changed (already stored): agent messages shown
    /// under the channel's name, and the consoles' lines, show `title` (the
    /// channel's [`crate::store::Channel::shown_title`]) from now on.
    pub async fn channel_saved(&self, channel_id: &str, title: String) -> Result<(), AppError> {
        // Configured first if routing has not heard of it yet (reading the store,
        // which already has the change); set after, so a configuration read just
        // before the change cannot leave the old title.
        let channel = self.channel_in(channel_id).await?;
        self.run(move |_, inner, fx| {
            if let Some(info) = inner.channels.get_mut(&channel) {
                if info.title == title {
                    return Ok(());
                }
                info.title = title;
            }
            open_ones_changed(inner, Some(channel), fx);
            Ok(())
        })
        .await
    }

    // ----- views -----

    /// What `agent` sees of each of `conversation_ids`, in one lookup.
    pub async fn summaries_for(
        &self,
        agent: &AgentRow,
        conversation_ids: Vec<String>,
    ) -> Vec<(String, Line)> {
        let agent = agent.clone();
        self.look(Vec::new(), move |inner| {
            conversation_ids
                .into_iter()
                .map(|id| {
                    let cid = inner.conv_ids.get(&id).copied();
                    let line = Line {
                        key: cid.map(|cid| cid.0),
                        summary: cid.and_then(|cid| summary(inner, cid, &agent, false)),
                    };
                    (id, line)
                })
                .collect()
        })
        .await
    }

    /// A conversation as `agent` sees it when opening it: one in their inbox, or a
    /// closed one they held or whose channel they oversee (see [`oversees`]).
    pub async fn opened_by(
        &self,
        agent: &AgentRow,
        conversation_id: &str,
    ) -> Result<(ConversationSummary, Display), AppError> {
        let (agent, conversation_id) = (agent.clone(), conversation_id.to_owned());
        self.ask(move |inner| {
            let cid = Self::cid(inner, &conversation_id)?;
            let summary = summary(inner, cid, &agent, true).ok_or_else(|| {
                AppError::client(
                    axum::http::StatusCode::FORBIDDEN,
                    ErrorCode::Forbidden,
                    "this conversation is not offered to you or yours",
                )
            })?;
            let display = display_for(inner, cid);
            Ok((summary, display))
        })
        .await?
    }

    /// The store ids of the channels whose conversations `agent` may list in the
    /// conversation list: `None` for an admin (every channel, deleted ones too);
    /// otherwise the channels whose queue names them (themselves or through a
    /// department), whose bot they are, or that name them as managers. The role is
    /// the one routing knows now, as for [`oversees`].
    pub async fn listed_channels(&self, agent: &AgentRow) -> Option<Vec<String>> {
        let agent = agent.clone();
        self.look(Some(Vec::new()), move |inner| {
            let me = agent_id(&agent);
            let role = inner.agents.get(&me).map_or(&agent, |a| &a.row).role();
            if role == Role::Admin {
                return None;
            }
            let mut ids: Vec<String> = inner
                .channels
                .iter()
                .filter(|(channel, info)| {
                    inner
                        .engine
                        .queue(**channel)
                        .is_some_and(|queue| queue.contains(&me))
                        || info.settings.bot_agent_id == Some(me.0)
                        || inner
                            .managers
                            .get(&info.id)
                            .is_some_and(|managers| managers.contains(&me))
                })
                .map(|(_, info)| info.id.clone())
                .collect();
            ids.sort();
            Some(ids)
        })
        .await
    }

    /// Everything in `agent`'s inbox, oldest first, each with its [`Line::key`], in
    /// chunks of at most [`INBOX_CHUNK`]. An admin's inbox may list thousands: as one
    /// list it took megabytes in one piece, which the allocator, once it was freed,
    /// kept in its heap with the socket's lasting memory around it, so each console
    /// that connected grew the server by tens of kilobytes for good (41 KB at 10,000
    /// conversations); chunks are small pieces any later allocation reuses.
    pub async fn inbox(&self, agent: &AgentRow) -> Vec<Vec<(u64, ConversationSummary)>> {
        let agent = agent.clone();
        self.look(Vec::new(), move |inner| {
            let mut ids: Vec<ConversationId> = inner.convs.keys().copied().collect();
            ids.sort();
            let mut chunks: Vec<Vec<(u64, ConversationSummary)>> = Vec::new();
            for cid in ids {
                let Some(line) = summary(inner, cid, &agent, false) else {
                    continue;
                };
                match chunks.last_mut().filter(|c| c.len() < INBOX_CHUNK) {
                    Some(chunk) => chunk.push((cid.0, line)),
                    None => {
                        let mut chunk = Vec::with_capacity(INBOX_CHUNK);
                        chunk.push((cid.0, line));
                        chunks.push(chunk);
                    }
                }
            }
            chunks
        })
        .await
    }

    /// Every agent with presence and load.
    pub async fn agents(&self) -> Vec<AgentSummary> {
        self.look(Vec::new(), |inner| {
            let mut list: Vec<AgentSummary> = inner
                .agents
                .iter()
                .filter(|(_, a)| !a.row.dismissed)
                .map(|(id, a)| AgentSummary {
                    id: id.0,
                    name: a.row.name.clone(),
                    status: status_of(a),
                    holding: inner.engine.load(*id).map_or(0, |l| l.counted),
                    is_bot: a.row.is_bot,
                })
                .collect();
            list.sort_by_key(|a| a.id);
            list
        })
        .await
    }

    /// An agent's presence as routing sees it.
    pub async fn status(&self, agent_id_: i64) -> Status {
        let id = AgentId(agent_id_.max(0) as u64);
        self.look(Status::Offline, move |inner| {
            inner.agents.get(&id).map_or(Status::Offline, status_of)
        })
        .await
    }

    /// The routing log of a conversation, oldest first.
    pub async fn log(&self, conversation_id: &str) -> Result<Vec<RoutingLogLine>, AppError> {
        let rows = self.store.routing_log(conversation_id).await?;
        Ok(rows
            .into_iter()
            .map(|LogRow { at, text, entry }| RoutingLogLine {
                at,
                text,
                entry: serde_json::from_str(&entry).unwrap_or_default(),
            })
            .collect())
    }
}

fn conv_in(
    inner: &mut Inner,
    id: &str,
    visitor_id: &str,
    channel: ChannelId,
    pages: Pages,
    created_at: String,
) -> ConversationId {
    let cid = ConversationId(inner.conv_ids.len() as u64 + 1);
    inner.conv_ids.insert(id.to_owned(), cid);
    inner.convs.insert(
        cid,
        ConvInfo {
            id: id.to_owned(),
            visitor_id: visitor_id.to_owned(),
            visitor: None,
            channel,
            // Stored by the server from a validated `Utm`: unreadable JSON (never
            // written) shows no tags rather than failing the conversation.
            utm: pages
                .utm
                .as_deref()
                .and_then(|json| serde_json::from_str(json).ok()),
            page_now: pages
                .page_now
                .filter(|now| Some(now) != pages.page_url.as_ref()),
            page_url: pages.page_url,
            created_at,
            last_message: None,
            rating: None,
            withdrawn: false,
            unanswered: false,
            out_of_hours_replied: false,
            visitor_wrote: false,
            held_replies: Vec::new(),
        },
    );
    cid
}

/// The log line in words, with agents named (engine ids of conversations and
/// channels are internal and left out).
fn describe(inner: &Inner, decision: &crate::routing::Decision) -> String {
    let log = &decision.log;
    let mut text = format!("{} mode: {}; {}", log.mode, log.action, log.trigger);
    for candidate in &log.candidates {
        text.push_str(&format!("\n  {candidate}"));
    }
    // Highest ids first: "agent #12" is named before "agent #1" could match it.
    let mut agents: Vec<_> = inner.agents.iter().collect();
    agents.sort_by_key(|(id, _)| std::cmp::Reverse(**id));
    for (id, info) in agents {
        text = text.replace(&id.to_string(), &info.row.name);
    }
    text
}

/// The structured log entry, with the store's ids.
fn entry(inner: &Inner, decision: &crate::routing::Decision) -> serde_json::Value {
    let mut entry = serde_json::to_value(&decision.log).unwrap_or_default();
    let cid = decision.log.conversation;
    if let Some(conv) = inner.convs.get(&cid) {
        entry["conversation"] = conv.id.clone().into();
        if let Some(channel) = inner.channels.get(&conv.channel) {
            entry["channel"] = channel.key.clone().into();
        }
    }
    entry
}

/// A system reply to the visitor: posted now once they have written, else held
/// until their first message is stored, so that it comes after it.
fn system_reply(inner: &mut Inner, cid: ConversationId, text: String, fx: &mut Vec<Effect>) {
    let Some(conv) = inner.convs.get_mut(&cid) else {
        return;
    };
    if !conv.visitor_wrote {
        conv.held_replies.push(text);
        return;
    }
    let conversation_id = conv.id.clone();
    post_system(inner, cid, &conversation_id, text, fx);
}

/// A line of the conversation's routing log from the shell itself (not a
/// decision of the engine): `trigger` is its entry's trigger.
fn log_line(
    inner: &Inner,
    cid: ConversationId,
    text: &str,
    trigger: serde_json::Value,
    fx: &mut Vec<Effect>,
) {
    let Some(conv) = inner.convs.get(&cid) else {
        return;
    };
    let at = now();
    let channel_key = inner.channels.get(&conv.channel).map(|c| c.key.clone());
    let line = RoutingLogLine {
        at: at.to_string(),
        text: text.to_owned(),
        entry: serde_json::json!({
            "at": at,
            "conversation": conv.id,
            "channel": channel_key,
            "trigger": trigger,
        }),
    };
    fx.push(Effect::Log {
        conversation_id: conv.id.clone(),
        line,
    });
}

/// A system message to store and send to the visitor's sockets.
fn post_system(
    inner: &Inner,
    cid: ConversationId,
    conversation_id: &str,
    text: String,
    fx: &mut Vec<Effect>,
) {
    fx.push(Effect::System {
        conversation_id: conversation_id.to_owned(),
        text,
        display: display_for(inner, cid),
    });
}

/// A new conversation on a channel that is closed now (by `hours`, read before
/// the decision): posts the channel's out-of-hours reply (if it has one) and logs
/// "out of hours" with the next opening time.
fn out_of_hours(inner: &mut Inner, cid: ConversationId, hours: HoursRead, fx: &mut Vec<Effect>) {
    let Some((hours, schedule)) = hours else {
        return;
    };
    let at = now();
    let instant = jiff::Timestamp::from_millisecond(i64::try_from(at.0).unwrap_or(i64::MAX))
        .unwrap_or_else(|_| jiff::Timestamp::now());
    let status = crate::hours::status(&schedule, instant);
    if status.open {
        return;
    }
    let channel_key = inner
        .convs
        .get(&cid)
        .and_then(|c| inner.channels.get(&c.channel))
        .map(|c| c.key.clone());
    let Some(conv) = inner.convs.get_mut(&cid) else {
        return;
    };
    let conversation_id = conv.id.clone();
    let reply = hours.out_of_hours_reply;
    conv.out_of_hours_replied = reply.is_some();
    if let Some(text) = &reply {
        system_reply(inner, cid, text.clone(), fx);
    }
    let opens_at = status.next_change.map(|t| t.to_string());
    let mut text = match &opens_at {
        Some(t) => format!("out of hours: the channel opens at {t}"),
        None => "out of hours: the channel has no opening ahead".to_owned(),
    };
    if reply.is_some() {
        text.push_str("; out-of-hours reply sent");
    }
    let line = RoutingLogLine {
        at: at.to_string(),
        text,
        entry: serde_json::json!({
            "at": at,
            "conversation": conversation_id,
            "channel": channel_key,
            "trigger": { "type": "out_of_hours" },
            "opens_at": opens_at,
            "out_of_hours_reply_sent": reply.is_some(),
        }),
    };
    fx.push(Effect::Log {
        conversation_id,
        line,
    });
}

fn is_bot(inner: &Inner, agent: AgentId) -> bool {
    inner.agents.get(&agent).is_some_and(|a| a.row.is_bot)
}

/// How a conversation's channel shows agents (hidden when the channel is unknown).
fn display_for(inner: &Inner, cid: ConversationId) -> Display {
    inner
        .convs
        .get(&cid)
        .and_then(|c| inner.channels.get(&c.channel))
        .map(display_of)
        .unwrap_or_else(|| Display {
            mode: DisplayMode::Hidden,
            channel_title: String::new(),
        })
}

/// Whether `agent` sees and acts on every conversation of `channel`, not only their
/// own: an admin on every channel, a supervisor on the channels that name them as
/// managers. The role is the one routing knows now (an admin may have changed it
/// since the console signed in).
fn oversees(inner: &Inner, agent: &AgentRow, channel: ChannelId) -> bool {
    let me = agent_id(agent);
    let role = inner.agents.get(&me).map_or(agent, |a| &a.row).role();
    match role {
        Role::Admin => true,
        Role::Supervisor => inner
            .channels
            .get(&channel)
            .and_then(|c| inner.managers.get(&c.id))
            .is_some_and(|managers| managers.contains(&me)),
        Role::Agent => false,
    }
}

/// [`oversees`] for the channel of a conversation.
fn oversees_conversation(inner: &Inner, agent: &AgentRow, cid: ConversationId) -> bool {
    inner
        .convs
        .get(&cid)
        .is_some_and(|c| oversees(inner, agent, c.channel))
}

/// Tells the consoles that each conversation not closed changed, of `channel` or
/// of every channel (`None`): who may see them, or how they show the channel.
fn open_ones_changed(inner: &Inner, channel: Option<ChannelId>, fx: &mut Vec<Effect>) {
    let mut ids: Vec<_> = inner
        .convs
        .iter()
        .filter(|(cid, c)| {
            channel.is_none_or(|channel| c.channel == channel)
                && inner
                    .engine
                    .conversation(**cid)
                    .is_some_and(|e| !matches!(e.state, ConversationState::Closed { .. }))
        })
        .map(|(cid, c)| (*cid, c.id.clone()))
        .collect();
    ids.sort();
    for (_, id) in ids {
        fx.push(Effect::Notice(Notice::Changed(id)));
    }
}

fn display_of(c: &ChannelInfo) -> Display {
    Display {
        mode: c.settings.display_mode,
        channel_title: c.title.clone(),
    }
}

fn status_of(a: &AgentInfo) -> Status {
    if a.sockets == 0 && !a.row.is_bot {
        Status::Offline
    } else {
        a.status
    }
}

/// `agent`'s line for a conversation: their offers and their own, and for whoever
/// oversees its channel (see [`oversees`]) the waiting ones and others'; `opening`
/// also shows a closed one to its last holder and to them.
fn summary(
    inner: &Inner,
    cid: ConversationId,
    agent: &AgentRow,
    opening: bool,
) -> Option<ConversationSummary> {
    let conv = inner.engine.conversation(cid)?;
    let info = inner.convs.get(&cid)?;
    let channel = inner.channels.get(&info.channel)?;
    let me = agent_id(agent);
    let overseen = oversees(inner, agent, info.channel);
    let kind = match &conv.state {
        ConversationState::Offered { agents, .. } if agents.contains(&me) => InboxKind::Offered,
        ConversationState::Assigned(a) if *a == me => InboxKind::Mine,
        ConversationState::Waiting if overseen => InboxKind::Waiting,
        ConversationState::Offered { .. } | ConversationState::Assigned(_) if overseen => {
            InboxKind::Others
        }
        ConversationState::Closed { agent: Some(a), .. } if opening && (*a == me || overseen) => {
            InboxKind::Closed
        }
        _ => return None,
    };
    let (offered_to, offer_deadline) = match &conv.state {
        ConversationState::Offered {
            agents, deadline, ..
        } => (
            agents.iter().map(|a| a.0).collect(),
            Some(deadline.to_string()),
        ),
        _ => (Vec::new(), None),
    };
    let holder = match conv.state {
        ConversationState::Assigned(a) => Some(a.0),
        ConversationState::Closed { agent, .. } => agent.map(|a| a.0),
        _ => None,
    };
    Some(ConversationSummary {
        id: info.id.clone(),
        channel_key: channel.key.clone(),
        channel_title: channel.title.clone(),
        kind,
        agent_id: holder,
        offered_to,
        offer_deadline,
        page_url: info.page_url.clone(),
        utm: info.utm.clone(),
        page_now: info.page_now.clone(),
        last_message: info.last_message.clone(),
        rating: info.rating.clone(),
        withdrawn: info.withdrawn,
        unanswered: info.unanswered,
        created_at: info.created_at.clone(),
    })
}

impl std::fmt::Debug for Dispatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dispatch")
    }
}

/// axum's handlers and `tokio::spawn` take only `Send` futures: checked here by
/// the compiler for every future of the shell (and for the shell itself, shared
/// by the handlers and moved into jobs).
#[cfg(test)]
#[allow(dead_code, clippy::let_underscore_future)]
fn futures_are_send(
    d: &Dispatch,
    a: &AgentRow,
    s: RoutingSettings,
    r: RatingView,
    v: VisitorIdentity,
) {
    fn send<T: Send>(_: T) {}
    fn shared<T: Send + Sync + 'static>(_: &T) {}
    shared(d);
    send(d.staffed(""));
    send(d.conversation_created("", "", "", Pages::default()));
    send(d.client_message("", ""));
    send(d.visitor_identified("", v));
    send(d.display(""));
    send(d.take(a, ""));
    send(d.decline(a, ""));
    send(d.transfer(a, "", None));
    send(d.close(
        a,
        "",
        Closing {
            text: None,
            awaiting_rating: false,
        },
    ));
    send(d.standing(""));
    send(d.close_fully("", ""));
    send(d.reopen_by_rating("", "", &r));
    send(d.rated("", r));
    send(d.reply(a, "", "", ""));
    send(d.check_open(""));
    send(d.typing_name(a, ""));
    send(d.connected(a));
    send(d.disconnected(a));
    send(d.set_status(a, Status::Online));
    send(d.agent_saved(a));
    send(d.department_saved(0, Vec::new()));
    send(d.check_settings(&s));
    send(d.settings_saved("", s.clone()));
    send(d.managers_saved("", &[]));
    send(d.channel_saved("", String::new()));
    send(d.summaries_for(a, Vec::new()));
    send(d.opened_by(a, ""));
    send(d.inbox(a));
    send(d.agents());
    send(d.status(0));
    send(d.log(""));
}

/// An agent's new reply, stored and acknowledged, that routing is still to hear
/// of ([`Dispatch::replied`]).
#[derive(Debug)]
pub struct Replied {
    cid: ConversationId,
    last_message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job that panics is logged; its caller hears no answer and the owner goes
    /// on with the next job, with the state as the panic left it.
    #[tokio::test]
    async fn a_panicking_job_does_not_stop_the_owner() {
        let (jobs, queue) = mpsc::unbounded_channel::<Job>();
        let owner = tokio::spawn(own(Inner::default(), queue));
        let (answer, unanswered) = oneshot::channel::<()>();
        let panicking: Job = Box::new(move |inner| {
            let _answer = answer;
            inner
                .channel_ids
                .insert("before the panic".into(), ChannelId(1));
            panic!("a routing job panics on purpose");
        });
        assert!(jobs.send(panicking).is_ok());
        assert!(unanswered.await.is_err(), "the panicking job answered");
        let (answer, answered) = oneshot::channel();
        let next: Job = Box::new(move |inner| {
            let _ = answer.send(inner.channel_ids.get("before the panic").copied());
        });
        assert!(jobs.send(next).is_ok());
        assert_eq!(answered.await.ok(), Some(Some(ChannelId(1))));
        drop(jobs);
        assert!(
            owner.await.is_ok(),
            "the owner ends when the senders are gone"
        );
    }
}
