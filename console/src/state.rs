//! The console's state as plain data, and the reducer that applies each frame of
//! the agent socket to it: the inbox, the open conversation with its history,
//! routing log and pending replies, colleagues, own status and the last refusal.
//! No browser, no signals (native unit tests); `session` keeps it in a signal.
//! [`TypingOut`] decides when the agent's own typing is worth a frame.
//!
//! The server is the authority. The console only remembers what it was told, plus
//! two things of its own: replies it sent and has not seen acknowledged (re-sent
//! after a reconnect, as the server stores each client id once, unless the server
//! refused them by client id), and which conversation the agent took from the
//! inbox (opened once it is theirs).

use canal_protocol::agent::{
    AgentClientFrame, AgentProfile, AgentServerFrame, AgentSummary, ConversationSummary, InboxKind,
    NoteView, Role, RoutingLogLine, Status,
};
use canal_protocol::kpi::OverdueNotice;
use canal_protocol::{limits, Author, ErrorCode, MessageView};

use crate::time::parse_rfc3339;

/// One line of the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxLine {
    pub summary: ConversationSummary,
    /// Visitor messages that arrived while the conversation was not open.
    pub unread: u32,
    /// When the line last changed, in the console's own order (newest highest).
    touched: u64,
}

/// Where the welcome's inbox stands while its pieces arrive: its lines take the
/// console's order from `base` down, the `next`th conversation next; the unread
/// counts from before the welcome are kept for the lines still to come.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Welcoming {
    top: u64,
    next: u64,
    /// Conversations still to come.
    left: u64,
    unread: Vec<(String, u32)>,
}

/// The conversation on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenConversation {
    pub id: String,
    /// From the inbox line at first, then from the server's answer to `open`.
    pub summary: Option<ConversationSummary>,
    /// The server's answer to `open` has not arrived yet.
    pub loading: bool,
    /// Stored messages, by sequence number, each once.
    pub messages: Vec<MessageView>,
    /// Routing decisions, oldest first.
    pub log: Vec<RoutingLogLine>,
    /// Private notes, oldest first, each once.
    pub notes: Vec<NoteView>,
    /// What the visitor is typing, as the channel's live typing preview last
    /// showed it (empty: nothing). Never stored; cleared by an empty draft, their
    /// message, the close, or a new connection.
    pub draft: String,
    /// Where the connector's own app shows this dialog, when it says to open
    /// dialogs there.
    pub dialog_link: Option<String>,
}

/// A reply the agent wrote, until the server's copy of it is in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingReply {
    pub conversation_id: String,
    pub client_id: String,
    pub text: String,
    /// From the server's `ack`.
    pub seq: Option<u64>,
    /// The server refused this reply (an `error` frame naming its client id):
    /// it is not sent, and not sent again.
    pub refused: Option<ErrorCode>,
}

/// A refused frame, as the dismissible notice shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Counts notices, so the same refusal twice is still news.
    pub serial: u64,
    pub code: ErrorCode,
    /// The server's sentence (for developers; the notice shows a text per code).
    pub message: String,
}

/// What the agent may do with the open conversation, as the server last said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standing {
    /// In the inbox with this kind.
    Listed(InboxKind),
    /// Closed.
    Closed,
    /// No longer in this agent's inbox (taken by someone else, passed on, moved).
    Gone,
}

/// How far a message got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// Stored by the server (or acknowledged).
    Sent,
    /// Written here, not yet acknowledged.
    Pending,
    /// Written here and refused by the server (see [`Entry::refused`]).
    Failed,
}

impl Delivery {
    /// The value of the `data-status` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Pending => "pending",
            Self::Failed => "failed",
        }
    }
}

/// The value of the `data-author` attribute and the CSS hook of a message.
pub fn author_str(author: Author) -> &'static str {
    author.as_str()
}

/// The value of the `data-kind` attribute of an inbox line.
pub fn kind_str(kind: InboxKind) -> &'static str {
    kind.as_str()
}

/// The value of the `data-status` attribute of an availability.
pub fn status_str(status: Status) -> &'static str {
    status.as_str()
}

/// A page's UTM tags as the conversation header shows them
/// (`source=news · medium=email`), in the order of the tags; `None` without any.
pub fn utm_text(utm: &canal_protocol::Utm) -> Option<String> {
    let tags = [
        ("source", &utm.source),
        ("medium", &utm.medium),
        ("campaign", &utm.campaign),
        ("content", &utm.content),
        ("term", &utm.term),
    ];
    let text = tags
        .iter()
        .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name}={v}")))
        .collect::<Vec<_>>()
        .join(" · ");
    (!text.is_empty()).then_some(text)
}

/// One message as the conversation view draws it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Stable across pending -> sent: the client id when there is one, else `#seq`.
    pub key: String,
    pub author: Author,
    pub name: Option<String>,
    /// Plain text; always rendered as text.
    pub text: String,
    /// RFC 3339; absent while pending.
    pub sent_at: Option<String>,
    pub delivery: Delivery,
    /// Why the server refused it, for [`Delivery::Failed`].
    pub refused: Option<ErrorCode>,
    /// A private note: for the agents only, drawn apart.
    pub note: bool,
}

impl Entry {
    /// A message as the server stored it.
    pub fn stored(m: &MessageView) -> Self {
        Self {
            key: m.client_id.clone().unwrap_or_else(|| format!("#{}", m.seq)),
            author: m.author,
            name: m.author_name.clone(),
            text: m.text.clone(),
            sent_at: Some(m.sent_at.clone()),
            delivery: Delivery::Sent,
            refused: None,
            note: false,
        }
    }

    /// A private note, as the server stored it.
    pub fn note(n: &NoteView) -> Self {
        Self {
            key: format!("note-{}", n.id),
            author: Author::Agent,
            name: Some(n.agent_name.clone()),
            text: n.text.clone(),
            sent_at: Some(n.created_at.clone()),
            delivery: Delivery::Sent,
            refused: None,
            note: true,
        }
    }
}

/// Why a reply was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyError {
    /// Nothing but white space.
    Empty,
    /// Longer than [`limits::MAX_MESSAGE_CHARS`].
    TooLong,
    /// The conversation is not this agent's to answer.
    NotYours,
}

/// Everything the console knows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConsoleState {
    /// The signed-in agent, from `welcome`.
    pub me: Option<AgentProfile>,
    /// Own availability, as the server last confirmed it.
    pub status: Status,
    /// Everyone the server lists, this agent included.
    pub agents: Vec<AgentSummary>,
    lines: Vec<InboxLine>,
    clock: u64,
    welcoming: Welcoming,
    pub open: Option<OpenConversation>,
    pending: Vec<PendingReply>,
    /// The last refused frame, until dismissed.
    pub notice: Option<Notice>,
    notices: u64,
    /// Taken from the inbox: open it once the server says it is ours.
    follow: Option<String>,
    /// Conversations whose visitor is typing (until a stop, their message, or the
    /// session's timer says the news is too old).
    typing: Vec<String>,
    /// The inbox shows only conversations marked unanswered.
    pub only_unanswered: bool,
    /// Overdue KPI notices for this employee, newest first, each once (the list
    /// from `GET /api/v1/agent/notices`, then the socket's `overdue` frames).
    pub overdue: Vec<OverdueNotice>,
}

impl ConsoleState {
    /// A state for `me`, before the socket's `welcome`.
    pub fn new(me: AgentProfile) -> Self {
        Self {
            me: Some(me),
            ..Self::default()
        }
    }

    /// Adds a notice (unless listed already), keeping the newest first; returns
    /// whether it was new.
    pub fn add_overdue(&mut self, notice: OverdueNotice) -> bool {
        if self.overdue.iter().any(|n| n.id == notice.id) {
            return false;
        }
        let at = self
            .overdue
            .iter()
            .position(|n| n.id < notice.id)
            .unwrap_or(self.overdue.len());
        self.overdue.insert(at, notice);
        true
    }

    /// How many notices the employee has not read.
    pub fn overdue_unread(&self) -> usize {
        self.overdue.iter().filter(|n| !n.read).count()
    }

    /// The employee looked at the notices: all are read; returns the newest id to
    /// tell the server, when one was not read.
    pub fn read_overdue(&mut self) -> Option<u64> {
        let newest = self.overdue.iter().filter(|n| !n.read).map(|n| n.id).max();
        for notice in &mut self.overdue {
            notice.read = true;
        }
        newest
    }

    /// The stored list arrived: merged with what the socket brought meanwhile.
    pub fn overdue_listed(&mut self, notices: Vec<OverdueNotice>) {
        for notice in notices {
            self.add_overdue(notice);
        }
    }

    fn role(&self) -> Role {
        self.me.as_ref().map(|me| me.role).unwrap_or_default()
    }

    /// Applies a frame from the server; returns the frames to send because of it.
    pub fn apply(&mut self, frame: AgentServerFrame) -> Vec<AgentClientFrame> {
        match frame {
            AgentServerFrame::Welcome {
                agent,
                status,
                agents,
                inbox,
                more,
            } => self.welcome(agent, status, agents, inbox, more),
            AgentServerFrame::Inbox { inbox } => {
                self.welcome_piece(inbox);
                Vec::new()
            }
            AgentServerFrame::Upsert { conversation } => self.upsert(conversation),
            AgentServerFrame::Remove { conversation_id } => {
                self.typing.retain(|id| *id != conversation_id);
                self.lines.retain(|l| l.summary.id != conversation_id);
                if self.follow.as_deref() == Some(conversation_id.as_str()) {
                    self.follow = None;
                }
                Vec::new()
            }
            AgentServerFrame::Conversation {
                conversation,
                messages,
                log,
                notes,
                dialog_link,
            } => {
                if let Some(open) = self.open.as_mut().filter(|o| o.id == conversation.id) {
                    open.loading = false;
                    open.dialog_link = dialog_link;
                    open.summary = Some(conversation);
                    open.messages.clear();
                    for message in messages {
                        insert_message(&mut open.messages, message);
                    }
                    open.log = log;
                    open.notes = notes;
                    self.settle_pending();
                }
                Vec::new()
            }
            AgentServerFrame::Note {
                conversation_id,
                note,
            } => {
                if let Some(open) = self.open.as_mut().filter(|o| o.id == conversation_id) {
                    if !open.notes.iter().any(|n| n.id == note.id) {
                        open.notes.push(note);
                    }
                }
                Vec::new()
            }
            AgentServerFrame::Message {
                conversation_id,
                message,
            } => {
                if message.author == Author::Visitor {
                    self.typing.retain(|id| *id != conversation_id);
                }
                match self.open.as_mut().filter(|o| o.id == conversation_id) {
                    Some(open) => {
                        if message.author == Author::Visitor {
                            open.draft.clear();
                        }
                        insert_message(&mut open.messages, message);
                        self.settle_pending();
                    }
                    None if message.author == Author::Visitor => {
                        if let Some(line) = self.line_mut(&conversation_id) {
                            line.unread = line.unread.saturating_add(1);
                        }
                    }
                    None => {}
                }
                Vec::new()
            }
            AgentServerFrame::Log {
                conversation_id,
                line,
            } => {
                if let Some(open) = self.open.as_mut().filter(|o| o.id == conversation_id) {
                    open.log.push(line);
                }
                Vec::new()
            }
            AgentServerFrame::Ack {
                conversation_id,
                client_id,
                seq,
            } => {
                if let Some(reply) = self
                    .pending
                    .iter_mut()
                    .find(|p| p.client_id == client_id && p.conversation_id == conversation_id)
                {
                    reply.seq = Some(seq);
                }
                self.settle_pending();
                Vec::new()
            }
            AgentServerFrame::Agents { agents } => {
                self.agents = agents;
                Vec::new()
            }
            AgentServerFrame::Status { status } => {
                self.status = status;
                Vec::new()
            }
            AgentServerFrame::Typing {
                conversation_id,
                typing,
            } => {
                self.typing.retain(|id| *id != conversation_id);
                if typing {
                    self.typing.push(conversation_id);
                }
                Vec::new()
            }
            // Told to this agent as the customer's responsible (or a supervisor,
            // or an admin): an alert (see `crate::alerts`), nothing to keep.
            AgentServerFrame::CustomerWrote { .. } => Vec::new(),
            AgentServerFrame::Overdue { notice } => {
                self.add_overdue(notice);
                Vec::new()
            }
            AgentServerFrame::Draft {
                conversation_id,
                text,
            } => {
                if let Some(open) = self.open.as_mut().filter(|o| o.id == conversation_id) {
                    open.draft = text;
                }
                Vec::new()
            }
            AgentServerFrame::Error {
                code,
                message,
                conversation_id,
                client_id,
            } => {
                let marked = match (conversation_id, client_id) {
                    (Some(conversation_id), Some(client_id)) => {
                        self.refuse_reply(&conversation_id, &client_id, code)
                    }
                    _ => false,
                };
                // A refused reply in the open conversation says so on its bubble;
                // anything else gets the notice.
                if !marked {
                    self.notices += 1;
                    self.notice = Some(Notice {
                        serial: self.notices,
                        code,
                        message,
                    });
                }
                Vec::new()
            }
        }
    }

    /// Marks the unacknowledged reply `client_id` of `conversation_id` as refused
    /// with `code`. `true` when it is in the open conversation (where its bubble
    /// shows the refusal).
    fn refuse_reply(&mut self, conversation_id: &str, client_id: &str, code: ErrorCode) -> bool {
        let Some(reply) = self.pending.iter_mut().find(|p| {
            p.conversation_id == conversation_id && p.client_id == client_id && p.seq.is_none()
        }) else {
            return false;
        };
        reply.refused = Some(code);
        self.open.as_ref().is_some_and(|o| o.id == conversation_id)
    }

    /// The first frame of every connection: it replaces what the console knew.
    /// The open conversation is asked for again and unacknowledged replies are
    /// sent again.
    fn welcome(
        &mut self,
        agent: AgentProfile,
        status: Status,
        agents: Vec<AgentSummary>,
        inbox: Vec<ConversationSummary>,
        more: u32,
    ) -> Vec<AgentClientFrame> {
        self.me = Some(agent);
        self.status = status;
        self.agents = agents;
        self.typing.clear();
        let old = std::mem::take(&mut self.lines);
        // The server's order, first on top: the whole inbox's places are taken now,
        // the pieces to come fill theirs below.
        let count = inbox.len() as u64 + u64::from(more);
        self.welcoming = Welcoming {
            top: self.clock + count,
            next: 0,
            left: count,
            unread: old.into_iter().map(|l| (l.summary.id, l.unread)).collect(),
        };
        self.clock += count;
        self.welcome_piece(inbox);
        let mut out = Vec::new();
        if let Some(open) = self.open.as_mut() {
            open.loading = true;
            // The server knows nothing of a draft from before: it comes again.
            open.draft.clear();
            out.push(AgentClientFrame::Open {
                conversation_id: open.id.clone(),
            });
        }
        let unsent = self
            .pending
            .iter()
            .filter(|p| p.seq.is_none() && p.refused.is_none());
        out.extend(unsent.map(|p| AgentClientFrame::Reply {
            conversation_id: p.conversation_id.clone(),
            client_id: p.client_id.clone(),
            text: p.text.clone(),
        }));
        out
    }

    /// Lists a piece of the welcome's inbox below the pieces before it; once the
    /// last is in, forgets a conversation taken from the inbox that is not in it.
    fn welcome_piece(&mut self, inbox: Vec<ConversationSummary>) {
        for summary in inbox {
            let place = self.welcoming.next;
            self.welcoming.next += 1;
            self.welcoming.left = self.welcoming.left.saturating_sub(1);
            let known = self.lines.iter().any(|l| l.summary.id == summary.id);
            if summary.kind == InboxKind::Closed || known {
                continue;
            }
            let mut unread = self.welcoming.unread.iter();
            self.lines.push(InboxLine {
                unread: unread
                    .find(|(id, _)| *id == summary.id)
                    .map_or(0, |(_, n)| *n),
                touched: self.welcoming.top.saturating_sub(place),
                summary,
            });
        }
        if self.welcoming.left == 0 {
            self.welcoming.unread.clear();
            if let Some(id) = &self.follow {
                if !self.lines.iter().any(|l| &l.summary.id == id) {
                    self.follow = None;
                }
            }
        }
    }

    fn upsert(&mut self, conversation: ConversationSummary) -> Vec<AgentClientFrame> {
        let id = conversation.id.clone();
        let kind = conversation.kind;
        if let Some(open) = self.open.as_mut().filter(|o| o.id == id) {
            if kind == InboxKind::Closed {
                open.draft.clear();
            }
            open.summary = Some(conversation.clone());
        }
        if kind == InboxKind::Closed {
            self.typing.retain(|t| *t != id);
            self.lines.retain(|l| l.summary.id != id);
        } else {
            self.clock += 1;
            let touched = self.clock;
            match self.line_mut(&id) {
                Some(line) => {
                    line.summary = conversation;
                    line.touched = touched;
                }
                None => self.lines.push(InboxLine {
                    summary: conversation,
                    unread: 0,
                    touched,
                }),
            }
        }
        let mut out = Vec::new();
        if self.follow.as_deref() == Some(id.as_str()) && kind != InboxKind::Offered {
            self.follow = None;
            if kind == InboxKind::Mine && self.open.is_none() {
                out.push(self.open(&id));
            }
        }
        out
    }

    fn line_mut(&mut self, id: &str) -> Option<&mut InboxLine> {
        self.lines.iter_mut().find(|l| l.summary.id == id)
    }

    /// The inbox line of a conversation.
    pub fn line(&self, id: &str) -> Option<&InboxLine> {
        self.lines.iter().find(|l| l.summary.id == id)
    }

    /// Whether the visitor of a conversation is typing, as last said.
    pub fn visitor_typing(&self, id: &str) -> bool {
        self.typing.iter().any(|t| t == id)
    }

    /// The visitor's draft in the open conversation `id` (the live typing
    /// preview), if it shows any text.
    pub fn visitor_draft(&self, id: &str) -> Option<&str> {
        self.open
            .as_ref()
            .filter(|o| o.id == id && !o.draft.is_empty())
            .map(|o| o.draft.as_str())
    }

    /// Whether this agent holds a conversation (and so may reply and type in it).
    pub fn holds(&self, id: &str) -> bool {
        self.line(id)
            .is_some_and(|l| l.summary.kind == InboxKind::Mine)
    }

    /// Pending replies whose stored copy is in the open history are done.
    fn settle_pending(&mut self) {
        let Some(open) = &self.open else {
            return;
        };
        self.pending.retain(|p| {
            p.conversation_id != open.id
                || !open.messages.iter().any(|m| {
                    m.client_id.as_deref() == Some(p.client_id.as_str()) || Some(m.seq) == p.seq
                })
        });
    }

    /// The sections this agent sees, in order: offers and own conversations for
    /// everyone, the queue and colleagues' conversations for supervisors.
    pub fn sections(&self) -> Vec<InboxKind> {
        if self.role().supervises() {
            vec![
                InboxKind::Offered,
                InboxKind::Mine,
                InboxKind::Waiting,
                InboxKind::Others,
            ]
        } else {
            vec![InboxKind::Offered, InboxKind::Mine]
        }
    }

    /// The ids of one section, in display order: offers by deadline (soonest
    /// first), the queue by age (oldest first), the rest by last change (newest
    /// first).
    pub fn section(&self, kind: InboxKind) -> Vec<String> {
        let mut lines: Vec<&InboxLine> = self
            .lines
            .iter()
            .filter(|l| l.summary.kind == kind)
            .filter(|l| !self.only_unanswered || l.summary.unanswered)
            .collect();
        let deadline = |l: &InboxLine| {
            l.summary
                .offer_deadline
                .as_deref()
                .and_then(parse_rfc3339)
                .unwrap_or(i64::MAX)
        };
        let created = |l: &InboxLine| parse_rfc3339(&l.summary.created_at).unwrap_or(i64::MAX);
        match kind {
            InboxKind::Offered => lines.sort_by(|a, b| {
                deadline(a)
                    .cmp(&deadline(b))
                    .then(b.touched.cmp(&a.touched))
            }),
            InboxKind::Waiting => {
                lines.sort_by(|a, b| created(a).cmp(&created(b)).then(b.touched.cmp(&a.touched)))
            }
            _ => lines.sort_by_key(|l| std::cmp::Reverse(l.touched)),
        }
        lines.into_iter().map(|l| l.summary.id.clone()).collect()
    }

    /// How many listed conversations are marked unanswered (whatever the filter).
    pub fn unanswered_count(&self) -> usize {
        self.lines.iter().filter(|l| l.summary.unanswered).count()
    }

    /// Shows only the conversations marked unanswered (`true`) or all of them.
    pub fn filter_unanswered(&mut self, only: bool) {
        self.only_unanswered = only;
    }

    /// How many conversations are offered to this agent now.
    /// Visitor messages not yet seen in conversations this agent holds.
    pub fn unread_count(&self) -> u32 {
        self.lines
            .iter()
            .filter(|l| l.summary.kind == InboxKind::Mine)
            .map(|l| l.unread)
            .fold(0, u32::saturating_add)
    }

    pub fn offered_count(&self) -> usize {
        self.lines
            .iter()
            .filter(|l| l.summary.kind == InboxKind::Offered)
            .count()
    }

    /// Shows a conversation: returns the `open` frame to send.
    pub fn open(&mut self, id: &str) -> AgentClientFrame {
        let summary = self.line(id).map(|l| l.summary.clone());
        if let Some(line) = self.line_mut(id) {
            line.unread = 0;
        }
        self.open = Some(OpenConversation {
            id: id.to_owned(),
            summary,
            loading: true,
            messages: Vec::new(),
            log: Vec::new(),
            notes: Vec::new(),
            draft: String::new(),
            dialog_link: None,
        });
        AgentClientFrame::Open {
            conversation_id: id.to_owned(),
        }
    }

    /// Takes an offer (or a waiting conversation): the frame to send. The
    /// conversation opens by itself once the server confirms it, unless another
    /// one is open by then.
    pub fn take(&mut self, id: &str) -> AgentClientFrame {
        self.follow = Some(id.to_owned());
        AgentClientFrame::Take {
            conversation_id: id.to_owned(),
        }
    }

    /// Where the open conversation stands for this agent.
    pub fn standing(&self) -> Option<Standing> {
        let open = self.open.as_ref()?;
        Some(match self.line(&open.id) {
            Some(line) => Standing::Listed(line.summary.kind),
            None if open
                .summary
                .as_ref()
                .is_some_and(|s| s.kind == InboxKind::Closed) =>
            {
                Standing::Closed
            }
            None => Standing::Gone,
        })
    }

    /// Queues a reply in the open conversation under `client_id`: the frame to
    /// send. It shows as pending until acknowledged, and is sent again after a
    /// reconnect until then.
    pub fn reply(&mut self, client_id: String, text: &str) -> Result<AgentClientFrame, ReplyError> {
        if text.trim().is_empty() {
            return Err(ReplyError::Empty);
        }
        if text.chars().count() > limits::MAX_MESSAGE_CHARS {
            return Err(ReplyError::TooLong);
        }
        if self.standing() != Some(Standing::Listed(InboxKind::Mine)) {
            return Err(ReplyError::NotYours);
        }
        let Some(open) = &self.open else {
            return Err(ReplyError::NotYours);
        };
        let reply = PendingReply {
            conversation_id: open.id.clone(),
            client_id,
            text: text.to_owned(),
            seq: None,
            refused: None,
        };
        let frame = AgentClientFrame::Reply {
            conversation_id: reply.conversation_id.clone(),
            client_id: reply.client_id.clone(),
            text: reply.text.clone(),
        };
        self.pending.push(reply);
        Ok(frame)
    }

    /// A private note in the conversation on screen: the frame to send (it shows
    /// once the server's copy comes back).
    pub fn note(&self, client_id: String, text: &str) -> Result<AgentClientFrame, ReplyError> {
        if text.trim().is_empty() {
            return Err(ReplyError::Empty);
        }
        if text.chars().count() > limits::MAX_MESSAGE_CHARS {
            return Err(ReplyError::TooLong);
        }
        let open = self.open.as_ref().ok_or(ReplyError::NotYours)?;
        Ok(AgentClientFrame::Note {
            conversation_id: open.id.clone(),
            client_id,
            text: text.to_owned(),
        })
    }

    /// Replies not yet in the history, oldest first.
    pub fn pending(&self) -> &[PendingReply] {
        &self.pending
    }

    /// The open conversation's messages: the stored history by sequence number,
    /// with this agent's replies that are not in it yet (acknowledged ones in
    /// their place, unacknowledged ones last).
    pub fn entries(&self) -> Vec<Entry> {
        let Some(open) = &self.open else {
            return Vec::new();
        };
        let my_name = self.me.as_ref().map(|me| me.name.clone());
        // Sorted by the message each follows: a note after the last message there
        // was when it was written (and after the notes before it).
        let mut entries: Vec<((u64, u64), Entry)> = open
            .messages
            .iter()
            .map(|m| ((m.seq, 0), Entry::stored(m)))
            .collect();
        entries.extend(
            open.notes
                .iter()
                .map(|n| ((n.after_seq, n.id.saturating_add(1)), Entry::note(n))),
        );
        for reply in self.pending.iter().filter(|p| p.conversation_id == open.id) {
            let delivery = match (reply.seq, reply.refused) {
                (Some(_), _) => Delivery::Sent,
                (None, Some(_)) => Delivery::Failed,
                (None, None) => Delivery::Pending,
            };
            entries.push((
                (reply.seq.unwrap_or(u64::MAX), 0),
                Entry {
                    key: reply.client_id.clone(),
                    author: Author::Agent,
                    name: my_name.clone(),
                    text: reply.text.clone(),
                    sent_at: None,
                    delivery,
                    refused: reply.refused.filter(|_| reply.seq.is_none()),
                    note: false,
                },
            ));
        }
        // Stable: unacknowledged replies keep the order they were written in.
        entries.sort_by_key(|(seq, _)| *seq);
        entries.into_iter().map(|(_, e)| e).collect()
    }

    /// Colleagues a conversation can be transferred to: people, not bots, not me.
    pub fn colleagues(&self) -> Vec<AgentSummary> {
        let me = self.me.as_ref().map(|me| me.id);
        self.agents
            .iter()
            .filter(|a| !a.is_bot && Some(a.id) != me)
            .cloned()
            .collect()
    }

    /// Hides the notice.
    pub fn dismiss(&mut self) {
        self.notice = None;
    }
}

/// Inserts a message by sequence number, once.
fn insert_message(messages: &mut Vec<MessageView>, message: MessageView) {
    match messages.binary_search_by_key(&message.seq, |m| m.seq) {
        Ok(_) => {}
        Err(at) => messages.insert(at, message),
    }
}

/// Least time between two starts of the agent's typing sent to the server, in ms.
pub const TYPING_EVERY_MS: i64 = 3_000;

/// When the agent's typing is worth a frame: a start when the draft of a
/// conversation gets text, again at most every [`TYPING_EVERY_MS`] while it is
/// edited; a stop when it is sent or emptied (or left), or when another
/// conversation's draft gets text. Never the text itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypingOut {
    /// The conversation a start was sent for (and no stop since), and when.
    started: Option<(String, i64)>,
}

impl TypingOut {
    /// The draft of `conversation_id` changed (to `empty` or not) at `now` (ms):
    /// the frames to send.
    pub fn draft(&mut self, conversation_id: &str, empty: bool, now: i64) -> Vec<AgentClientFrame> {
        let mut out = Vec::new();
        if let Some((started, at)) = &self.started {
            let same = started == conversation_id;
            if !same && empty {
                return out;
            }
            if !same || empty {
                out.push(AgentClientFrame::Typing {
                    conversation_id: started.clone(),
                    typing: false,
                });
                self.started = None;
            } else if now - at < TYPING_EVERY_MS {
                return out;
            }
        }
        if !empty {
            self.started = Some((conversation_id.to_owned(), now));
            out.push(AgentClientFrame::Typing {
                conversation_id: conversation_id.to_owned(),
                typing: true,
            });
        }
        out
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn me(role: Role) -> AgentProfile {
        AgentProfile {
            id: 1,
            email: "ana@example.com".into(),
            name: "Ana".into(),
            role,
            avatar_url: None,
        }
    }

    fn summary(id: &str, kind: InboxKind) -> ConversationSummary {
        ConversationSummary {
            id: id.into(),
            channel_key: "shop".into(),
            channel_title: "Shop".into(),
            kind,
            agent_id: None,
            offered_to: Vec::new(),
            offer_deadline: None,
            page_url: Some("https://shop.example/p".into()),
            utm: None,
            page_now: None,
            last_message: Some("hello".into()),
            rating: None,
            withdrawn: false,
            unanswered: false,
            created_at: "2026-01-05T10:00:00Z".into(),
        }
    }

    fn message(seq: u64, author: Author, text: &str) -> MessageView {
        MessageView {
            seq,
            author,
            text: text.into(),
            client_id: None,
            sent_at: format!("2026-01-05T10:00:{seq:02}Z"),
            author_name: None,
            author_avatar: None,
        }
    }

    fn agent(id: u64, name: &str, is_bot: bool) -> AgentSummary {
        AgentSummary {
            id,
            name: name.into(),
            status: Status::Online,
            holding: 0,
            is_bot,
        }
    }

    fn welcomed(role: Role, inbox: Vec<ConversationSummary>) -> ConsoleState {
        let mut state = ConsoleState::new(me(role));
        let out = state.apply(AgentServerFrame::Welcome {
            more: 0,
            agent: me(role),
            status: Status::Online,
            agents: vec![agent(1, "Ana", false), agent(2, "Ben", false)],
            inbox,
        });
        assert!(out.is_empty());
        state
    }

    fn open_frame(id: &str) -> AgentClientFrame {
        AgentClientFrame::Open {
            conversation_id: id.into(),
        }
    }

    #[test]
    fn an_inbox_in_pieces_is_listed_in_the_servers_order_as_one_welcome_would() {
        let mut state = welcomed(Role::Agent, vec![summary("c0", InboxKind::Mine)]);
        state.apply(AgentServerFrame::Message {
            conversation_id: "c0".into(),
            message: message(1, Author::Visitor, "hello"),
        });
        state.follow = Some("c3".into());
        let out = state.apply(AgentServerFrame::Welcome {
            agent: me(Role::Agent),
            status: Status::Online,
            agents: Vec::new(),
            inbox: vec![summary("c1", InboxKind::Mine)],
            more: 3,
        });
        assert!(out.is_empty());
        assert_eq!(
            state.follow.as_deref(),
            Some("c3"),
            "kept while pieces come"
        );
        for piece in [vec!["c2", "c0"], vec!["c3"]] {
            let inbox = piece
                .iter()
                .map(|id| summary(id, InboxKind::Mine))
                .collect();
            assert!(state.apply(AgentServerFrame::Inbox { inbox }).is_empty());
        }
        assert_eq!(state.section(InboxKind::Mine), ["c1", "c2", "c0", "c3"]);
        assert_eq!(
            state.line("c0").map(|l| l.unread),
            Some(1),
            "its unread count kept"
        );
        assert_eq!(
            state.follow.as_deref(),
            Some("c3"),
            "c3 came in the last piece"
        );
        // A later change goes on top, above every piece.
        state.apply(AgentServerFrame::Upsert {
            conversation: summary("c3", InboxKind::Mine),
        });
        assert_eq!(state.section(InboxKind::Mine), ["c3", "c1", "c2", "c0"]);
    }

    #[test]
    fn welcome_fills_the_sections_an_agent_sees() {
        let state = welcomed(
            Role::Agent,
            vec![
                summary("c1", InboxKind::Offered),
                summary("c2", InboxKind::Mine),
                summary("c3", InboxKind::Closed),
            ],
        );
        assert_eq!(state.sections(), [InboxKind::Offered, InboxKind::Mine]);
        assert_eq!(state.section(InboxKind::Offered), ["c1"]);
        assert_eq!(state.section(InboxKind::Mine), ["c2"]);
        assert!(state.line("c3").is_none(), "closed ones are not listed");
        assert_eq!(state.offered_count(), 1);
        assert_eq!(state.status, Status::Online);
    }

    #[test]
    fn supervisors_see_the_queue_and_colleagues() {
        let state = welcomed(
            Role::Supervisor,
            vec![
                summary("w", InboxKind::Waiting),
                summary("o", InboxKind::Others),
            ],
        );
        assert_eq!(state.sections().len(), 4);
        assert_eq!(state.section(InboxKind::Waiting), ["w"]);
        assert_eq!(state.section(InboxKind::Others), ["o"]);
    }

    #[test]
    fn offers_sort_by_deadline_queue_by_age_and_mine_by_last_change() {
        let mut state = welcomed(Role::Admin, Vec::new());
        for (id, deadline) in [("late", "10:05"), ("soon", "10:01"), ("none", "")] {
            let mut c = summary(id, InboxKind::Offered);
            if !deadline.is_empty() {
                c.offer_deadline = Some(format!("2026-01-05T{deadline}:00Z"));
            }
            state.apply(AgentServerFrame::Upsert { conversation: c });
        }
        assert_eq!(state.section(InboxKind::Offered), ["soon", "late", "none"]);

        for (id, created) in [("new", "11:00"), ("old", "09:00")] {
            let mut c = summary(id, InboxKind::Waiting);
            c.created_at = format!("2026-01-05T{created}:00Z");
            state.apply(AgentServerFrame::Upsert { conversation: c });
        }
        assert_eq!(state.section(InboxKind::Waiting), ["old", "new"]);

        for id in ["m1", "m2", "m1"] {
            state.apply(AgentServerFrame::Upsert {
                conversation: summary(id, InboxKind::Mine),
            });
        }
        assert_eq!(state.section(InboxKind::Mine), ["m1", "m2"]);
    }

    #[test]
    fn utm_tags_show_in_their_order_and_none_without_any() {
        let utm = canal_protocol::Utm {
            source: Some("news".into()),
            campaign: Some("зима".into()),
            term: Some("chat".into()),
            ..Default::default()
        };
        assert_eq!(
            utm_text(&utm).as_deref(),
            Some("source=news · campaign=зима · term=chat")
        );
        assert_eq!(utm_text(&canal_protocol::Utm::default()), None);
    }

    #[test]
    fn upsert_moves_a_line_and_remove_drops_it() {
        let mut state = welcomed(Role::Agent, vec![summary("c1", InboxKind::Offered)]);
        state.apply(AgentServerFrame::Upsert {
            conversation: summary("c1", InboxKind::Mine),
        });
        assert!(state.section(InboxKind::Offered).is_empty());
        assert_eq!(state.section(InboxKind::Mine), ["c1"]);
        state.apply(AgentServerFrame::Remove {
            conversation_id: "c1".into(),
        });
        assert!(state.section(InboxKind::Mine).is_empty());
        assert!(state.line("c1").is_none());
        // A removal of something unknown changes nothing.
        let before = state.clone();
        state.apply(AgentServerFrame::Remove {
            conversation_id: "nope".into(),
        });
        assert_eq!(state, before);
    }

    #[test]
    fn a_taken_offer_opens_once_it_is_mine() {
        let mut state = welcomed(Role::Agent, vec![summary("c1", InboxKind::Offered)]);
        assert_eq!(
            state.take("c1"),
            AgentClientFrame::Take {
                conversation_id: "c1".into()
            }
        );
        let out = state.apply(AgentServerFrame::Upsert {
            conversation: summary("c1", InboxKind::Mine),
        });
        assert_eq!(out, [open_frame("c1")]);
        assert_eq!(state.open.as_ref().map(|o| o.id.as_str()), Some("c1"));
        // Only once.
        let out = state.apply(AgentServerFrame::Upsert {
            conversation: summary("c1", InboxKind::Mine),
        });
        assert!(out.is_empty());
    }

    #[test]
    fn a_taken_offer_does_not_replace_another_open_conversation() {
        let mut state = welcomed(
            Role::Agent,
            vec![
                summary("c1", InboxKind::Offered),
                summary("c2", InboxKind::Mine),
            ],
        );
        state.take("c1");
        state.open("c2");
        let out = state.apply(AgentServerFrame::Upsert {
            conversation: summary("c1", InboxKind::Mine),
        });
        assert!(out.is_empty());
        assert_eq!(state.open.as_ref().map(|o| o.id.as_str()), Some("c2"));
    }

    #[test]
    fn an_offer_taken_by_someone_else_is_not_followed() {
        let mut state = welcomed(Role::Agent, vec![summary("c1", InboxKind::Offered)]);
        state.take("c1");
        state.apply(AgentServerFrame::Remove {
            conversation_id: "c1".into(),
        });
        let out = state.apply(AgentServerFrame::Upsert {
            conversation: summary("c1", InboxKind::Mine),
        });
        assert!(out.is_empty(), "the follow ended with the removal");
    }

    #[test]
    fn open_shows_history_in_order_once() {
        let mut state = welcomed(Role::Agent, vec![summary("c1", InboxKind::Mine)]);
        assert_eq!(state.open("c1"), open_frame("c1"));
        assert!(state.open.as_ref().is_some_and(|o| o.loading));
        state.apply(AgentServerFrame::Conversation {
            conversation: summary("c1", InboxKind::Mine),
            messages: vec![
                message(2, Author::Agent, "hi"),
                message(1, Author::Visitor, "hello"),
            ],
            log: vec![RoutingLogLine {
                at: "2026-01-05T10:00:00Z".into(),
                text: "offered to Ana".into(),
                entry: serde_json::Value::Null,
            }],
            notes: Vec::new(),
            dialog_link: None,
        });
        let open = state.open.as_ref().expect("open");
        assert!(!open.loading);
        assert_eq!(open.log.len(), 1);
        // Live and replayed messages.
        for seq in [3, 2, 3] {
            state.apply(AgentServerFrame::Message {
                conversation_id: "c1".into(),
                message: message(seq, Author::Visitor, "more"),
            });
        }
        let texts: Vec<(String, Author)> = state
            .entries()
            .into_iter()
            .map(|e| (e.key, e.author))
            .collect();
        assert_eq!(
            texts,
            [
                ("#1".to_string(), Author::Visitor),
                ("#2".to_string(), Author::Agent),
                ("#3".to_string(), Author::Visitor),
            ]
        );
        state.apply(AgentServerFrame::Log {
            conversation_id: "c1".into(),
            line: RoutingLogLine {
                at: "2026-01-05T10:01:00Z".into(),
                text: "taken".into(),
                entry: serde_json::Value::Null,
            },
        });
        assert_eq!(state.open.as_ref().map(|o| o.log.len()), Some(2));
    }

    #[test]
    fn answers_for_another_conversation_are_ignored() {
        let mut state = welcomed(
            Role::Agent,
            vec![
                summary("c1", InboxKind::Mine),
                summary("c2", InboxKind::Mine),
            ],
        );
        state.open("c1");
        state.open("c2");
        state.apply(AgentServerFrame::Conversation {
            conversation: summary("c1", InboxKind::Mine),
            messages: vec![message(1, Author::Visitor, "for c1")],
            log: Vec::new(),
            notes: Vec::new(),
            dialog_link: None,
        });
        let open = state.open.as_ref().expect("open");
        assert_eq!(open.id, "c2");
        assert!(open.loading);
        assert!(open.messages.is_empty());
    }

    #[test]
    fn visitor_messages_elsewhere_count_as_unread_until_opened() {
        let mut state = welcomed(Role::Agent, vec![summary("c1", InboxKind::Mine)]);
        for author in [Author::Visitor, Author::Visitor, Author::System] {
            state.apply(AgentServerFrame::Message {
                conversation_id: "c1".into(),
                message: message(1, author, "x"),
            });
        }
        assert_eq!(state.line("c1").map(|l| l.unread), Some(2));
        state.open("c1");
        assert_eq!(state.line("c1").map(|l| l.unread), Some(0));
    }

    #[test]
    fn a_reply_is_pending_then_sent_then_part_of_the_history() {
        let mut state = welcomed(Role::Agent, vec![summary("c1", InboxKind::Mine)]);
        state.open("c1");
        let frame = state.reply("k1".into(), "On it").expect("reply");
        assert_eq!(
            frame,
            AgentClientFrame::Reply {
                conversation_id: "c1".into(),
                client_id: "k1".into(),
                text: "On it".into(),
            }
        );
        let entries = state.entries();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].delivery, Delivery::Pending);
        assert_eq!(entries[0].name.as_deref(), Some("Ana"));

        state.apply(AgentServerFrame::Ack {
            conversation_id: "c1".into(),
            client_id: "k1".into(),
            seq: 4,
        });
        assert_eq!(state.entries()[0].delivery, Delivery::Sent);
        assert_eq!(state.entries()[0].key, "k1");

        let mut stored = message(4, Author::Agent, "On it");
        stored.client_id = Some("k1".into());
        state.apply(AgentServerFrame::Message {
            conversation_id: "c1".into(),
            message: stored,
        });
        assert!(state.pending().is_empty());
        let entries = state.entries();
        assert_eq!(entries.len(), 1, "one bubble, not two");
        assert_eq!(entries[0].key, "k1", "the same key as while pending");
        assert!(entries[0].sent_at.is_some());
    }

    #[test]
    fn an_acknowledged_reply_sits_in_its_place() {
        let mut state = welcomed(Role::Agent, vec![summary("c1", InboxKind::Mine)]);
        state.open("c1");
        state.apply(AgentServerFrame::Conversation {
            conversation: summary("c1", InboxKind::Mine),
            messages: vec![message(1, Author::Visitor, "a")],
            log: Vec::new(),
            notes: Vec::new(),
            dialog_link: None,
        });
        state.reply("k1".into(), "b").expect("reply");
        state.reply("k2".into(), "d").expect("reply");
        state.apply(AgentServerFrame::Ack {
            conversation_id: "c1".into(),
            client_id: "k1".into(),
            seq: 2,
        });
        state.apply(AgentServerFrame::Message {
            conversation_id: "c1".into(),
            message: message(3, Author::Visitor, "c"),
        });
        let texts: Vec<String> = state.entries().into_iter().map(|e| e.text).collect();
        assert_eq!(texts, ["a", "b", "c", "d"]);
    }

    #[test]
    fn replies_are_checked_before_they_are_sent() {
        let mut state = welcomed(
            Role::Agent,
            vec![
                summary("c1", InboxKind::Mine),
                summary("c2", InboxKind::Offered),
            ],
        );
        assert_eq!(state.reply("k".into(), "x"), Err(ReplyError::NotYours));
        state.open("c1");
        assert_eq!(state.reply("k".into(), " \n "), Err(ReplyError::Empty));
        let long = "x".repeat(limits::MAX_MESSAGE_CHARS + 1);
        assert_eq!(state.reply("k".into(), &long), Err(ReplyError::TooLong));
        let longest = "é".repeat(limits::MAX_MESSAGE_CHARS);
        assert!(state.reply("k".into(), &longest).is_ok());
        state.open("c2");
        assert_eq!(state.reply("k".into(), "x"), Err(ReplyError::NotYours));
        assert_eq!(state.pending().len(), 1);
    }

    #[test]
    fn reconnecting_reopens_and_resends_what_was_not_acknowledged() {
        let mut state = welcomed(Role::Agent, vec![summary("c1", InboxKind::Mine)]);
        state.open("c1");
        state.reply("k1".into(), "first").expect("reply");
        state.reply("k2".into(), "second").expect("reply");
        state.apply(AgentServerFrame::Ack {
            conversation_id: "c1".into(),
            client_id: "k1".into(),
            seq: 1,
        });
        let out = state.apply(AgentServerFrame::Welcome {
            more: 0,
            agent: me(Role::Agent),
            status: Status::Away,
            agents: Vec::new(),
            inbox: vec![
                summary("c1", InboxKind::Mine),
                summary("c9", InboxKind::Offered),
            ],
        });
        assert_eq!(
            out,
            [
                open_frame("c1"),
                AgentClientFrame::Reply {
                    conversation_id: "c1".into(),
                    client_id: "k2".into(),
                    text: "second".into(),
                },
            ]
        );
        assert_eq!(state.status, Status::Away);
        assert_eq!(state.section(InboxKind::Offered), ["c9"]);
    }

    #[test]
    fn welcome_replaces_the_inbox() {
        let mut state = welcomed(
            Role::Agent,
            vec![
                summary("gone", InboxKind::Offered),
                summary("kept", InboxKind::Mine),
            ],
        );
        state.apply(AgentServerFrame::Message {
            conversation_id: "kept".into(),
            message: message(1, Author::Visitor, "x"),
        });
        state.apply(AgentServerFrame::Welcome {
            more: 0,
            agent: me(Role::Agent),
            status: Status::Online,
            agents: Vec::new(),
            inbox: vec![summary("kept", InboxKind::Mine)],
        });
        assert!(state.line("gone").is_none());
        assert_eq!(state.line("kept").map(|l| l.unread), Some(1));
    }

    #[test]
    fn an_open_conversation_that_leaves_the_inbox_is_gone() {
        let mut state = welcomed(Role::Agent, vec![summary("c1", InboxKind::Mine)]);
        state.open("c1");
        assert_eq!(state.standing(), Some(Standing::Listed(InboxKind::Mine)));
        state.reply("k1".into(), "x").expect("reply");
        state.apply(AgentServerFrame::Remove {
            conversation_id: "c1".into(),
        });
        assert_eq!(state.standing(), Some(Standing::Gone));
        assert_eq!(
            state.entries()[0].delivery,
            Delivery::Pending,
            "not failed until the server refuses it"
        );
        assert_eq!(state.reply("k2".into(), "y"), Err(ReplyError::NotYours));
    }

    #[test]
    fn a_closed_open_conversation_is_closed_not_gone() {
        let mut state = welcomed(Role::Agent, vec![summary("c1", InboxKind::Mine)]);
        state.open("c1");
        state.apply(AgentServerFrame::Conversation {
            conversation: summary("c1", InboxKind::Mine),
            messages: vec![message(1, Author::Visitor, "hi")],
            log: Vec::new(),
            notes: Vec::new(),
            dialog_link: None,
        });
        // What the server sends when it is closed: the closed summary, then remove.
        let out = state.apply(AgentServerFrame::Upsert {
            conversation: summary("c1", InboxKind::Closed),
        });
        assert!(out.is_empty());
        state.apply(AgentServerFrame::Remove {
            conversation_id: "c1".into(),
        });
        assert_eq!(state.standing(), Some(Standing::Closed));
        assert!(state.line("c1").is_none(), "not in the inbox any more");
        assert_eq!(state.entries().len(), 1, "the history stays readable");
        assert_eq!(state.reply("k".into(), "x"), Err(ReplyError::NotYours));
        // A reconnect asks for it again and the answer keeps it closed.
        let out = state.apply(AgentServerFrame::Welcome {
            more: 0,
            agent: me(Role::Agent),
            status: Status::Online,
            agents: Vec::new(),
            inbox: Vec::new(),
        });
        assert_eq!(out, [open_frame("c1")]);
        assert_eq!(state.standing(), Some(Standing::Closed));
        // The other order (remove first) ends the same.
        let mut state = welcomed(Role::Agent, vec![summary("c2", InboxKind::Mine)]);
        state.open("c2");
        state.apply(AgentServerFrame::Remove {
            conversation_id: "c2".into(),
        });
        state.apply(AgentServerFrame::Upsert {
            conversation: summary("c2", InboxKind::Closed),
        });
        assert_eq!(state.standing(), Some(Standing::Closed));
    }

    #[test]
    fn a_refused_reply_is_marked_by_its_client_id_and_not_sent_again() {
        let mut state = welcomed(
            Role::Agent,
            vec![
                summary("c1", InboxKind::Mine),
                summary("c2", InboxKind::Mine),
            ],
        );
        state.open("c2");
        state.reply("elsewhere".into(), "other").expect("reply");
        state.open("c1");
        state.reply("k1".into(), "first").expect("reply");
        state.reply("k2".into(), "second").expect("reply");
        state.apply(AgentServerFrame::Error {
            code: ErrorCode::TooLarge,
            message: "too long".into(),
            conversation_id: Some("c1".into()),
            client_id: Some("k1".into()),
        });
        let entries = state.entries();
        assert_eq!(entries[0].key, "k1");
        assert_eq!(entries[0].delivery, Delivery::Failed);
        assert_eq!(entries[0].refused, Some(ErrorCode::TooLarge));
        assert_eq!(entries[1].delivery, Delivery::Pending, "only that one");
        assert_eq!(entries[1].refused, None);
        assert_eq!(state.notice, None, "the bubble says it");

        // A refusal for a reply in a conversation not on screen is a notice too.
        state.apply(AgentServerFrame::Error {
            code: ErrorCode::RoutingRefused,
            message: "not yours".into(),
            conversation_id: Some("c2".into()),
            client_id: Some("elsewhere".into()),
        });
        assert_eq!(
            state.notice.as_ref().map(|n| n.code),
            Some(ErrorCode::RoutingRefused)
        );
        // Unknown ids change no reply.
        let before = state.pending().to_vec();
        state.apply(AgentServerFrame::Error {
            code: ErrorCode::Internal,
            message: "x".into(),
            conversation_id: Some("c1".into()),
            client_id: Some("nope".into()),
        });
        assert_eq!(state.pending(), before);

        // Refused replies are not sent again after a reconnect.
        let out = state.apply(AgentServerFrame::Welcome {
            more: 0,
            agent: me(Role::Agent),
            status: Status::Online,
            agents: Vec::new(),
            inbox: vec![
                summary("c1", InboxKind::Mine),
                summary("c2", InboxKind::Mine),
            ],
        });
        assert_eq!(
            out,
            [
                open_frame("c1"),
                AgentClientFrame::Reply {
                    conversation_id: "c1".into(),
                    client_id: "k2".into(),
                    text: "second".into(),
                },
            ]
        );
    }

    #[test]
    fn errors_become_a_dismissible_notice() {
        let mut state = welcomed(Role::Agent, Vec::new());
        for _ in 0..2 {
            state.apply(AgentServerFrame::Error {
                code: ErrorCode::RoutingRefused,
                message: "already taken".into(),
                conversation_id: None,
                client_id: None,
            });
        }
        let notice = state.notice.clone().expect("notice");
        assert_eq!(notice.code, ErrorCode::RoutingRefused);
        assert_eq!(notice.serial, 2);
        state.dismiss();
        assert_eq!(state.notice, None);
    }

    #[test]
    fn colleagues_are_people_other_than_me() {
        let mut state = welcomed(Role::Agent, Vec::new());
        state.apply(AgentServerFrame::Agents {
            agents: vec![
                agent(1, "Ana", false),
                agent(2, "Ben", false),
                agent(3, "Bot", true),
            ],
        });
        let names: Vec<String> = state.colleagues().into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["Ben"]);
        state.apply(AgentServerFrame::Status {
            status: Status::Away,
        });
        assert_eq!(state.status, Status::Away);
    }

    #[test]
    fn the_unanswered_filter_keeps_only_marked_lines_and_the_mark_follows_upserts() {
        let marked = ConversationSummary {
            unanswered: true,
            ..summary("c2", InboxKind::Mine)
        };
        let mut state = welcomed(
            Role::Agent,
            vec![summary("c1", InboxKind::Mine), marked.clone()],
        );
        assert_eq!(state.unanswered_count(), 1);
        assert_eq!(state.section(InboxKind::Mine).len(), 2);
        state.filter_unanswered(true);
        assert_eq!(state.section(InboxKind::Mine), ["c2"]);
        // An agent answers: the server sends the line without the mark.
        state.apply(AgentServerFrame::Upsert {
            conversation: summary("c2", InboxKind::Mine),
        });
        assert_eq!(state.unanswered_count(), 0);
        assert!(state.section(InboxKind::Mine).is_empty());
        state.filter_unanswered(false);
        assert_eq!(state.section(InboxKind::Mine).len(), 2);
    }

    fn typing(id: &str, typing: bool) -> AgentServerFrame {
        AgentServerFrame::Typing {
            conversation_id: id.into(),
            typing,
        }
    }

    #[test]
    fn the_visitors_typing_shows_until_a_stop_their_message_or_the_line_goes() {
        let mut state = welcomed(
            Role::Agent,
            vec![
                summary("c1", InboxKind::Mine),
                summary("c2", InboxKind::Mine),
            ],
        );
        assert!(!state.visitor_typing("c1"));
        state.apply(typing("c1", true));
        state.apply(typing("c1", true));
        state.apply(typing("c2", true));
        assert!(state.visitor_typing("c1") && state.visitor_typing("c2"));
        state.apply(typing("c1", false));
        assert!(!state.visitor_typing("c1"));
        assert!(state.visitor_typing("c2"), "only that conversation");

        state.apply(typing("c1", true));
        state.apply(AgentServerFrame::Message {
            conversation_id: "c1".into(),
            message: message(1, Author::Agent, "mine"),
        });
        assert!(
            state.visitor_typing("c1"),
            "an agent's message is not theirs"
        );
        state.apply(AgentServerFrame::Message {
            conversation_id: "c1".into(),
            message: message(2, Author::Visitor, "theirs"),
        });
        assert!(!state.visitor_typing("c1"));

        state.apply(AgentServerFrame::Remove {
            conversation_id: "c2".into(),
        });
        assert!(!state.visitor_typing("c2"));
        state.apply(typing("c1", true));
        state.apply(AgentServerFrame::Upsert {
            conversation: summary("c1", InboxKind::Closed),
        });
        assert!(!state.visitor_typing("c1"));
        state.apply(typing("c3", true));
        state.apply(AgentServerFrame::Welcome {
            more: 0,
            agent: me(Role::Agent),
            status: Status::Online,
            agents: Vec::new(),
            inbox: vec![summary("c3", InboxKind::Mine)],
        });
        assert!(
            !state.visitor_typing("c3"),
            "a new connection starts afresh"
        );
        assert!(state.holds("c3"));
        assert!(!state.holds("c1"));
    }

    fn draft(id: &str, text: &str) -> AgentServerFrame {
        AgentServerFrame::Draft {
            conversation_id: id.into(),
            text: text.into(),
        }
    }

    #[test]
    fn the_visitors_draft_shows_in_the_open_conversation_until_cleared() {
        let mut state = welcomed(
            Role::Agent,
            vec![
                summary("c1", InboxKind::Mine),
                summary("c2", InboxKind::Mine),
            ],
        );
        state.apply(draft("c1", "Hel"));
        assert_eq!(state.visitor_draft("c1"), None, "not open: not kept");
        state.open("c1");
        state.apply(draft("c1", "Hel"));
        state.apply(draft("c1", "Hello, is"));
        assert_eq!(state.visitor_draft("c1"), Some("Hello, is"));
        state.apply(draft("c2", "other"));
        assert_eq!(state.visitor_draft("c2"), None, "only the open one");
        assert_eq!(state.visitor_draft("c1"), Some("Hello, is"));
        // Emptied in the composer (or the preview turned off): gone.
        state.apply(draft("c1", ""));
        assert_eq!(state.visitor_draft("c1"), None);
        // An agent's message leaves it; the visitor's own message clears it.
        state.apply(draft("c1", "Is it in stock?"));
        state.apply(AgentServerFrame::Message {
            conversation_id: "c1".into(),
            message: message(1, Author::Agent, "Hi"),
        });
        assert_eq!(state.visitor_draft("c1"), Some("Is it in stock?"));
        state.apply(AgentServerFrame::Message {
            conversation_id: "c1".into(),
            message: message(2, Author::Visitor, "Is it in stock?"),
        });
        assert_eq!(state.visitor_draft("c1"), None);
        // A new connection starts afresh; so does another conversation.
        state.apply(draft("c1", "And"));
        state.apply(AgentServerFrame::Welcome {
            more: 0,
            agent: me(Role::Agent),
            status: Status::Online,
            agents: Vec::new(),
            inbox: vec![summary("c1", InboxKind::Mine)],
        });
        assert_eq!(state.visitor_draft("c1"), None);
        state.apply(draft("c1", "And"));
        state.open("c2");
        assert_eq!(state.visitor_draft("c1"), None);
        // Closed: gone.
        state.apply(draft("c2", "Wait"));
        assert_eq!(state.visitor_draft("c2"), Some("Wait"));
        state.apply(AgentServerFrame::Upsert {
            conversation: summary("c2", InboxKind::Closed),
        });
        assert_eq!(state.visitor_draft("c2"), None);
    }

    #[test]
    fn the_agents_typing_starts_at_most_every_three_seconds_and_stops_once() {
        let start = |id: &str| AgentClientFrame::Typing {
            conversation_id: id.into(),
            typing: true,
        };
        let stop = |id: &str| AgentClientFrame::Typing {
            conversation_id: id.into(),
            typing: false,
        };
        let mut out = TypingOut::default();
        assert_eq!(out.draft("c1", true, 0), [], "nothing to stop");
        assert_eq!(out.draft("c1", false, 1_000), [start("c1")]);
        assert_eq!(out.draft("c1", false, 2_000), []);
        assert_eq!(out.draft("c1", false, 3_999), []);
        assert_eq!(out.draft("c1", false, 4_000), [start("c1")]);
        assert_eq!(
            out.draft("c1", true, 4_100),
            [stop("c1")],
            "sent or emptied"
        );
        assert_eq!(out.draft("c1", true, 4_200), []);
        assert_eq!(
            out.draft("c1", false, 4_300),
            [start("c1")],
            "again at once"
        );
        assert_eq!(
            out.draft("c2", false, 4_400),
            [stop("c1"), start("c2")],
            "another conversation's draft"
        );
        assert_eq!(out.draft("c1", true, 4_500), [], "c2's start stands");
        assert_eq!(out.draft("c2", true, 4_600), [stop("c2")]);
    }

    #[test]
    fn private_notes_show_after_the_message_they_follow_each_once() {
        let mut state = welcomed(Role::Agent, vec![summary("c1", InboxKind::Mine)]);
        state.open("c1");
        let note = |id: u64, after_seq: u64, text: &str| NoteView {
            id,
            agent_id: 1,
            agent_name: "Ana".into(),
            text: text.into(),
            created_at: "2026-01-05T10:00:05Z".into(),
            after_seq,
            client_id: format!("n{id}"),
        };
        state.apply(AgentServerFrame::Conversation {
            conversation: summary("c1", InboxKind::Mine),
            messages: vec![
                message(1, Author::Visitor, "hello"),
                message(2, Author::Agent, "hi"),
            ],
            log: Vec::new(),
            notes: vec![note(7, 1, "first note")],
            dialog_link: None,
        });
        let later = AgentServerFrame::Note {
            conversation_id: "c1".into(),
            note: note(8, 1, "second note"),
        };
        state.apply(later.clone());
        state.apply(later);
        let shown: Vec<(String, bool)> = state
            .entries()
            .into_iter()
            .map(|e| (e.text, e.note))
            .collect();
        assert_eq!(
            shown,
            [
                ("hello".to_owned(), false),
                ("first note".to_owned(), true),
                ("second note".to_owned(), true),
                ("hi".to_owned(), false),
            ]
        );
        // Another conversation's note is not this one's.
        state.apply(AgentServerFrame::Note {
            conversation_id: "c2".into(),
            note: note(9, 0, "elsewhere"),
        });
        assert_eq!(state.entries().len(), 4);
        assert_eq!(state.note("k1".into(), "  "), Err(ReplyError::Empty));
        assert_eq!(
            state.note("k1".into(), "Call her back"),
            Ok(AgentClientFrame::Note {
                conversation_id: "c1".into(),
                client_id: "k1".into(),
                text: "Call her back".into()
            })
        );
    }

    fn overdue(id: u64) -> OverdueNotice {
        OverdueNotice {
            id,
            kind: canal_protocol::kpi::KpiKind::First,
            channel_key: "shop".into(),
            conversation_id: format!("c{id}"),
            text: format!("Ana has not answered conversation c{id} in time."),
            created_at: "2030-01-01T10:00:00Z".into(),
            default_operator: Some("Ana".into()),
            read: false,
        }
    }

    #[test]
    fn overdue_notices_are_kept_newest_first_each_once() {
        let mut state = ConsoleState::new(me(Role::Supervisor));
        let sent = state.apply(AgentServerFrame::Overdue { notice: overdue(3) });
        assert!(sent.is_empty());
        assert_eq!(state.overdue_unread(), 1);
        // The stored list arrives after the live one: merged, no doubles.
        state.overdue_listed(vec![overdue(3), overdue(2), overdue(1)]);
        state.apply(AgentServerFrame::Overdue { notice: overdue(3) });
        state.apply(AgentServerFrame::Overdue { notice: overdue(4) });
        let ids: Vec<u64> = state.overdue.iter().map(|n| n.id).collect();
        assert_eq!(ids, [4, 3, 2, 1]);
        assert_eq!(state.overdue_unread(), 4, "a repeat is no news");
        // Looked at: all read, the newest told to the server; then nothing to tell.
        assert_eq!(state.read_overdue(), Some(4));
        assert_eq!(state.overdue_unread(), 0);
        assert_eq!(state.read_overdue(), None);
        // Read before (the stored list says so): not counted.
        let mut fresh = ConsoleState::new(me(Role::Supervisor));
        let read = OverdueNotice {
            read: true,
            ..overdue(1)
        };
        fresh.overdue_listed(vec![overdue(2), read]);
        assert_eq!(fresh.overdue_unread(), 1);
    }
}
