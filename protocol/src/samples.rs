//! One of each socket frame, the widget's and the agent console's, with every
//! optional field both set and left out: what the clients' tests hold their codecs
//! to (each frame as the server writes it, read back through the client's own
//! decoding; each frame a client writes, read as the server reads it). The matches
//! below stop compiling when a frame gains a variant, so the samples never fall
//! behind the protocol.

use crate::agent::{
    AgentClientFrame, AgentProfile, AgentServerFrame, AgentSummary, ConversationSummary, InboxKind,
    NoteView, Role, RoutingLogLine, Status,
};
use crate::rating::{Rating, RatingView};
use crate::{Author, ClientFrame, ErrorCode, MessageView, ServerFrame};

/// Every [`ServerFrame`] variant, with and without its optional fields.
pub fn server_frames() -> Vec<ServerFrame> {
    let frames = vec![
        ServerFrame::Welcome {
            conversation_id: "conv_1".into(),
            last_seq: 9_007_199_254_740_991,
        },
        ServerFrame::Ack {
            client_id: "c1".into(),
            seq: 3,
            sent_at: "2030-01-16T08:00:00Z".into(),
        },
        ServerFrame::Message(MessageView {
            seq: 4,
            author: Author::Agent,
            text: "Hello \"there\"\n<b>not html</b> — привет".into(),
            client_id: None,
            sent_at: "2030-01-16T08:00:01Z".into(),
            author_name: Some("Ana".into()),
            author_avatar: Some("https://cdn.example/ana.png".into()),
        }),
        ServerFrame::Message(MessageView {
            seq: 5,
            author: Author::Visitor,
            text: "mine".into(),
            client_id: Some("c5".into()),
            sent_at: "2030-01-16T08:00:02Z".into(),
            author_name: None,
            author_avatar: None,
        }),
        ServerFrame::Message(MessageView {
            seq: 6,
            author: Author::System,
            text: "The chat moved to another agent.".into(),
            client_id: None,
            sent_at: "2030-01-16T08:00:03Z".into(),
            author_name: None,
            author_avatar: None,
        }),
        ServerFrame::Typing {
            typing: true,
            name: Some("Ana".into()),
        },
        ServerFrame::Typing {
            typing: false,
            name: None,
        },
        ServerFrame::Closed,
        ServerFrame::Error {
            code: ErrorCode::TooLarge,
            message: "the message is too long".into(),
        },
    ];
    for frame in &frames {
        match frame {
            ServerFrame::Welcome { .. }
            | ServerFrame::Ack { .. }
            | ServerFrame::Message(_)
            | ServerFrame::Typing { .. }
            | ServerFrame::Closed
            | ServerFrame::Error { .. } => {}
        }
    }
    frames
}

/// Every [`ClientFrame`] variant.
pub fn client_frames() -> Vec<ClientFrame> {
    let frames = vec![
        ClientFrame::Hello {
            conversation_id: "conv_1".into(),
            visitor_token: "tok_1".into(),
            last_seq: 0,
            page_url: None,
        },
        ClientFrame::Hello {
            conversation_id: "conv_1".into(),
            visitor_token: "tok_1".into(),
            last_seq: MAX_SAFE_INTEGER,
            page_url: Some("https://shop.example/cart?step=2&x=%22".into()),
        },
        ClientFrame::Send {
            client_id: "c1".into(),
            text: "Hi \"you\"\n— здравствуйте".into(),
        },
        ClientFrame::Typing {
            typing: true,
            draft: None,
        },
        ClientFrame::Typing {
            typing: false,
            draft: None,
        },
        ClientFrame::Typing {
            typing: true,
            draft: Some("Is it \"in stock\"?\n— в наличии \u{1F600}".into()),
        },
        ClientFrame::Typing {
            typing: false,
            draft: Some(String::new()),
        },
    ];
    for frame in &frames {
        match frame {
            ClientFrame::Hello { .. } | ClientFrame::Send { .. } | ClientFrame::Typing { .. } => {}
        }
    }
    frames
}

/// The largest integer a JavaScript number holds exactly (2^53 - 1): the most a
/// browser client can read back unchanged, used for the ids and counters below.
pub const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

/// A conversation as an agent's inbox shows it: every optional field set, or none.
fn inbox_line(id: &str, kind: InboxKind, full: bool) -> ConversationSummary {
    ConversationSummary {
        id: id.into(),
        channel_key: "shop".into(),
        channel_title: "Shop \"support\" — поддержка".into(),
        kind,
        agent_id: full.then_some(MAX_SAFE_INTEGER),
        offered_to: if full { vec![2, 3] } else { Vec::new() },
        offer_deadline: full.then(|| "2030-01-16T08:05:00Z".into()),
        page_url: full.then(|| "https://shop.example/pricing?plan=pro&x=1".into()),
        utm: full.then(|| crate::Utm {
            source: Some("news \"letter\"".into()),
            medium: Some("email".into()),
            campaign: Some("зима".into()),
            content: Some("a".into()),
            term: Some("chat".into()),
        }),
        page_now: full.then(|| "https://shop.example/cart".into()),
        last_message: full.then(|| "Is it <b>in stock</b>?\n\tTab".into()),
        rating: full.then(|| RatingView {
            rating: Rating::Dislike,
            comment: Some("slow".into()),
            rated_at: "2030-01-16T09:00:00Z".into(),
        }),
        withdrawn: full,
        unanswered: full,
        created_at: "2030-01-16T08:00:00Z".into(),
    }
}

/// A routing decision with its structured entry, as the server logs it.
fn log_line() -> RoutingLogLine {
    RoutingLogLine {
        at: "2030-01-16T08:00:00Z".into(),
        text: "new conversation: offered to Ana (least load)".into(),
        entry: serde_json::json!({
            "conversation": "conv_1",
            "trigger": { "type": "new" },
            "candidates": [
                { "agent": 1, "holding": 0, "eligible": true },
                { "agent": MAX_SAFE_INTEGER, "reason": null, "eligible": false },
            ],
            "pass_after_secs": 60,
            "load": 0.5,
        }),
    }
}

/// Every [`AgentServerFrame`] variant, with and without its optional fields.
pub fn agent_server_frames() -> Vec<AgentServerFrame> {
    let message = MessageView {
        seq: MAX_SAFE_INTEGER,
        author: Author::Visitor,
        text: "Hello \"there\"\n<b>not html</b> — привет \u{1F600}".into(),
        client_id: Some("c1".into()),
        sent_at: "2030-01-16T08:00:01Z".into(),
        author_name: None,
        author_avatar: None,
    };
    let frames = vec![
        AgentServerFrame::Welcome {
            agent: AgentProfile {
                id: 1,
                email: "ana@example.com".into(),
                name: "Ana".into(),
                role: Role::Admin,
                avatar_url: Some("https://cdn.example/ana.png".into()),
            },
            status: Status::Away,
            agents: vec![
                AgentSummary {
                    id: 2,
                    name: "Bo".into(),
                    status: Status::Offline,
                    holding: u32::MAX,
                    is_bot: true,
                },
                AgentSummary {
                    id: MAX_SAFE_INTEGER,
                    name: "Cy".into(),
                    status: Status::Online,
                    holding: 0,
                    is_bot: false,
                },
            ],
            inbox: vec![
                inbox_line("conv_1", InboxKind::Offered, true),
                inbox_line("conv_2", InboxKind::Waiting, false),
            ],
            more: u32::MAX,
        },
        AgentServerFrame::Inbox {
            inbox: vec![inbox_line("conv_3", InboxKind::Mine, false)],
        },
        AgentServerFrame::Welcome {
            agent: AgentProfile {
                id: 1,
                email: "ana@example.com".into(),
                name: "Ana".into(),
                role: Role::Agent,
                avatar_url: None,
            },
            status: Status::Online,
            agents: Vec::new(),
            inbox: Vec::new(),
            more: 0,
        },
        AgentServerFrame::Upsert {
            conversation: inbox_line("conv_1", InboxKind::Mine, true),
        },
        AgentServerFrame::Upsert {
            conversation: inbox_line("conv_3", InboxKind::Closed, false),
        },
        AgentServerFrame::Remove {
            conversation_id: "conv_1".into(),
        },
        AgentServerFrame::Conversation {
            conversation: inbox_line("conv_1", InboxKind::Others, true),
            messages: vec![
                message.clone(),
                MessageView {
                    seq: 2,
                    author: Author::Agent,
                    text: "Yes".into(),
                    client_id: None,
                    sent_at: "2030-01-16T08:00:02Z".into(),
                    author_name: Some("Ana".into()),
                    author_avatar: Some("https://cdn.example/ana.png".into()),
                },
            ],
            log: vec![log_line()],
            notes: vec![note()],
            dialog_link: Some("https://gw.example/chats/34600111222?x=\"1\"".into()),
        },
        AgentServerFrame::Note {
            conversation_id: "conv_1".into(),
            note: note(),
        },
        AgentServerFrame::Message {
            conversation_id: "conv_1".into(),
            message,
        },
        AgentServerFrame::Log {
            conversation_id: "conv_1".into(),
            line: log_line(),
        },
        AgentServerFrame::Ack {
            conversation_id: "conv_1".into(),
            client_id: "c1".into(),
            seq: MAX_SAFE_INTEGER,
        },
        AgentServerFrame::Agents { agents: Vec::new() },
        AgentServerFrame::Status {
            status: Status::Online,
        },
        AgentServerFrame::Typing {
            conversation_id: "conv_1".into(),
            typing: true,
        },
        AgentServerFrame::Draft {
            conversation_id: "conv_1".into(),
            text: "Is it \"in stock\"?\n— в наличии \u{1F600}".into(),
        },
        AgentServerFrame::Draft {
            conversation_id: "conv_1".into(),
            text: String::new(),
        },
        AgentServerFrame::CustomerWrote {
            conversation_id: "conv_1".into(),
            channel: "demo".into(),
            text: "Mi teléfono: +34 612 345 678 — привет".into(),
        },
        AgentServerFrame::Overdue {
            notice: crate::kpi::OverdueNotice {
                id: MAX_SAFE_INTEGER,
                kind: crate::kpi::KpiKind::Next,
                channel_key: "demo".into(),
                conversation_id: "conv_1".into(),
                text: "Ana has not answered conversation conv_1 in time — срочно \u{1F600}".into(),
                created_at: "2030-01-16T08:00:03Z".into(),
                default_operator: Some("Ana \"Б\"".into()),
                read: true,
            },
        },
        AgentServerFrame::Overdue {
            notice: crate::kpi::OverdueNotice {
                id: 1,
                kind: crate::kpi::KpiKind::First,
                channel_key: "demo".into(),
                conversation_id: "conv_2".into(),
                text: "Late on conv_2".into(),
                created_at: "2030-01-16T08:00:04Z".into(),
                default_operator: None,
                read: false,
            },
        },
        AgentServerFrame::Error {
            code: ErrorCode::Forbidden,
            message: "not yours".into(),
            conversation_id: Some("conv_1".into()),
            client_id: Some("c1".into()),
        },
        AgentServerFrame::Error {
            code: ErrorCode::InvalidField,
            message: "unknown frame".into(),
            conversation_id: None,
            client_id: None,
        },
    ];
    for frame in &frames {
        match frame {
            AgentServerFrame::Welcome { .. }
            | AgentServerFrame::Inbox { .. }
            | AgentServerFrame::Upsert { .. }
            | AgentServerFrame::Remove { .. }
            | AgentServerFrame::Conversation { .. }
            | AgentServerFrame::Note { .. }
            | AgentServerFrame::Message { .. }
            | AgentServerFrame::Log { .. }
            | AgentServerFrame::Ack { .. }
            | AgentServerFrame::Agents { .. }
            | AgentServerFrame::Status { .. }
            | AgentServerFrame::Typing { .. }
            | AgentServerFrame::Draft { .. }
            | AgentServerFrame::Overdue { .. }
            | AgentServerFrame::CustomerWrote { .. }
            | AgentServerFrame::Error { .. } => {}
        }
    }
    frames
}

fn note() -> NoteView {
    NoteView {
        id: MAX_SAFE_INTEGER,
        agent_id: 1,
        agent_name: "Ana".into(),
        text: "Private: she is a \"VIP\" — не говорить\n\u{1F600}".into(),
        created_at: "2030-01-16T08:00:03Z".into(),
        after_seq: 2,
        client_id: "n1".into(),
    }
}

/// Every [`AgentClientFrame`] variant, with and without its optional fields.
pub fn agent_client_frames() -> Vec<AgentClientFrame> {
    let frames = vec![
        AgentClientFrame::Status {
            status: Status::Away,
        },
        AgentClientFrame::Open {
            conversation_id: "conv_1".into(),
        },
        AgentClientFrame::Take {
            conversation_id: "conv_1".into(),
        },
        AgentClientFrame::Decline {
            conversation_id: "conv_1".into(),
        },
        AgentClientFrame::Reply {
            conversation_id: "conv_1".into(),
            client_id: "0123456789abcdef0123456789abcdef".into(),
            text: "Hi \"you\"\n\t\u{7}<b>— здравствуйте</b> \u{2028}\u{1F600}\\".into(),
        },
        AgentClientFrame::Transfer {
            conversation_id: "conv_1".into(),
            to_agent: Some(MAX_SAFE_INTEGER),
        },
        AgentClientFrame::Transfer {
            conversation_id: "conv_1".into(),
            to_agent: None,
        },
        AgentClientFrame::Close {
            conversation_id: "conv_1".into(),
        },
        AgentClientFrame::Note {
            conversation_id: "conv_1".into(),
            client_id: "n1".into(),
            text: "Called her back — \"VIP\"\n\u{1F600}".into(),
        },
        AgentClientFrame::Typing {
            conversation_id: "conv_1".into(),
            typing: false,
        },
    ];
    for frame in &frames {
        match frame {
            AgentClientFrame::Status { .. }
            | AgentClientFrame::Open { .. }
            | AgentClientFrame::Take { .. }
            | AgentClientFrame::Decline { .. }
            | AgentClientFrame::Reply { .. }
            | AgentClientFrame::Transfer { .. }
            | AgentClientFrame::Close { .. }
            | AgentClientFrame::Note { .. }
            | AgentClientFrame::Typing { .. } => {}
        }
    }
    frames
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As the server writes each frame (serde_json), and reads it back.
    #[test]
    fn every_frame_round_trips_as_the_server_writes_it() {
        for frame in server_frames() {
            let text = serde_json::to_string(&frame).expect("write");
            assert_eq!(
                serde_json::from_str::<ServerFrame>(&text).expect("read"),
                frame,
                "{text}"
            );
        }
        for frame in client_frames() {
            let text = serde_json::to_string(&frame).expect("write");
            assert_eq!(
                serde_json::from_str::<ClientFrame>(&text).expect("read"),
                frame,
                "{text}"
            );
        }
        for frame in agent_server_frames() {
            let text = serde_json::to_string(&frame).expect("write");
            assert_eq!(
                serde_json::from_str::<AgentServerFrame>(&text).expect("read"),
                frame,
                "{text}"
            );
        }
        for frame in agent_client_frames() {
            let text = serde_json::to_string(&frame).expect("write");
            assert_eq!(
                serde_json::from_str::<AgentClientFrame>(&text).expect("read"),
                frame,
                "{text}"
            );
        }
    }
}
