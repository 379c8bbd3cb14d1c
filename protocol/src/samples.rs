//! One of each socket frame, with every optional field both set and left out: what
//! the clients' tests hold their codecs to (each frame as the server writes it, read
//! back through the client's own decoding). The matches below stop compiling when a
//! frame gains a variant, so the samples never fall behind the protocol.

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
        },
        ClientFrame::Send {
            client_id: "c1".into(),
            text: "Hi \"you\"\n— здравствуйте".into(),
        },
        ClientFrame::Typing { typing: true },
        ClientFrame::Typing { typing: false },
    ];
    for frame in &frames {
        match frame {
            ClientFrame::Hello { .. } | ClientFrame::Send { .. } | ClientFrame::Typing { .. } => {}
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
    }
}
