//! Agent alerts as plain data: which frames from the server call for the agent's
//! attention (a new offer; a visitor's message in a conversation the agent holds),
//! what the tab's title says (offers and unread messages), and the agent's choices
//! of alerts. The browser side (sound, desktop notification, title) is
//! `components::alerts`, which raises them only while the console is not in view.

use crate::state::ConsoleState;
use canal_protocol::agent::{AgentServerFrame, InboxKind};
use canal_protocol::Author;

/// Something the agent should notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alert {
    /// A conversation is newly offered to the agent.
    Offer {
        conversation_id: String,
        /// The channel's title (what the notification names).
        channel: String,
    },
    /// The visitor wrote in a conversation the agent holds.
    Message {
        conversation_id: String,
        text: String,
    },
}

impl Alert {
    pub fn conversation_id(&self) -> &str {
        match self {
            Alert::Offer {
                conversation_id, ..
            }
            | Alert::Message {
                conversation_id, ..
            } => conversation_id,
        }
    }
}

/// The alerts `frame` calls for, judged against the state before it applies (an
/// offer already listed is not new). The welcome's inbox raises none: it is what
/// the agent sees on arrival.
pub fn alerts(state: &ConsoleState, frame: &AgentServerFrame) -> Vec<Alert> {
    match frame {
        AgentServerFrame::Upsert { conversation }
            if conversation.kind == InboxKind::Offered
                && state
                    .line(&conversation.id)
                    .is_none_or(|l| l.summary.kind != InboxKind::Offered) =>
        {
            vec![Alert::Offer {
                conversation_id: conversation.id.clone(),
                channel: conversation.channel_title.clone(),
            }]
        }
        AgentServerFrame::Message {
            conversation_id,
            message,
        } if message.author == Author::Visitor
            && state
                .line(conversation_id)
                .is_some_and(|l| l.summary.kind == InboxKind::Mine) =>
        {
            vec![Alert::Message {
                conversation_id: conversation_id.clone(),
                text: message.text.clone(),
            }]
        }
        // The customer's responsible (or a supervisor, or an admin) hears of a
        // message in a conversation they do not hold (one they hold alerts above).
        AgentServerFrame::CustomerWrote {
            conversation_id,
            text,
            ..
        } if state
            .line(conversation_id)
            .is_none_or(|l| l.summary.kind != InboxKind::Mine) =>
        {
            vec![Alert::Message {
                conversation_id: conversation_id.clone(),
                text: text.clone(),
            }]
        }
        _ => Vec::new(),
    }
}

/// Longest message text a notification shows, in characters.
pub const NOTIFICATION_CHARS: usize = 120;

/// A notification's body: the text on one line, cut at [`NOTIFICATION_CHARS`]
/// with an ellipsis.
pub fn excerpt(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(NOTIFICATION_CHARS) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line,
    }
}

/// One of the agent's choices of alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// A short tone.
    Sound,
    /// A desktop notification (once the browser allows them).
    Desktop,
    /// The count of offers and unread messages in the tab's title.
    Title,
}

impl Choice {
    pub const ALL: [Choice; 3] = [Choice::Sound, Choice::Desktop, Choice::Title];

    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Sound => "sound",
            Choice::Desktop => "desktop",
            Choice::Title => "title",
        }
    }
}

/// The agent's choices of alerts, each on unless turned off (kept in this
/// browser, per agent: `localStorage` keys of [`storage_key`], `"off"` or `"on"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertPrefs {
    pub sound: bool,
    pub desktop: bool,
    pub title: bool,
}

impl Default for AlertPrefs {
    fn default() -> Self {
        Self {
            sound: true,
            desktop: true,
            title: true,
        }
    }
}

impl AlertPrefs {
    pub fn get(&self, choice: Choice) -> bool {
        match choice {
            Choice::Sound => self.sound,
            Choice::Desktop => self.desktop,
            Choice::Title => self.title,
        }
    }

    pub fn set(&mut self, choice: Choice, on: bool) {
        match choice {
            Choice::Sound => self.sound = on,
            Choice::Desktop => self.desktop = on,
            Choice::Title => self.title = on,
        }
    }

    /// Agent `agent_id`'s choices as `stored` (a key's value) has them; a choice
    /// never stored is on.
    pub fn read(agent_id: u64, stored: impl Fn(&str) -> Option<String>) -> Self {
        let mut prefs = Self::default();
        for choice in Choice::ALL {
            if stored(&storage_key(agent_id, choice)).as_deref() == Some("off") {
                prefs.set(choice, false);
            }
        }
        prefs
    }
}

/// Where agent `agent_id`'s `choice` is kept (`localStorage`).
pub fn storage_key(agent_id: u64, choice: Choice) -> String {
    format!("canal.console.alerts.{agent_id}.{}", choice.as_str())
}

/// How a choice is stored.
pub fn stored_value(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// The tab's title: `(n) name` with `n` the offers plus the unread messages in
/// the agent's conversations, or just `name` when there are none or the agent
/// turned the count off.
pub fn title(name: &str, offered: usize, unread: u32, prefs: AlertPrefs) -> String {
    let n = offered.saturating_add(usize::try_from(unread).unwrap_or(usize::MAX));
    if n == 0 || !prefs.title {
        name.to_owned()
    } else {
        format!("({n}) {name}")
    }
}

// Native tier: `cargo test -p canal-console` (no browser needed).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use canal_protocol::agent::{AgentProfile, ConversationSummary, Role, Status};
    use canal_protocol::MessageView;

    use super::*;

    fn summary(id: &str, kind: InboxKind) -> ConversationSummary {
        serde_json::from_value(serde_json::json!({
            "id": id, "channel_key": "shop", "channel_title": "Shop", "kind": kind,
            "agent_id": null, "offered_to": [], "created_at": "2031-01-01T00:00:00Z",
            "visitor_id": "v1", "messages": 1
        }))
        .expect("summary")
    }

    fn message(author: Author, text: &str) -> MessageView {
        MessageView {
            seq: 2,
            author,
            text: text.into(),
            client_id: None,
            sent_at: "2031-01-01T00:00:01Z".into(),
            author_name: None,
            author_avatar: None,
        }
    }

    fn state() -> ConsoleState {
        let me = AgentProfile {
            id: 1,
            email: "ana@shop.example".into(),
            name: "Ana".into(),
            role: Role::Agent,
            avatar_url: None,
        };
        let mut state = ConsoleState::new(me.clone());
        state.apply(AgentServerFrame::Welcome {
            more: 0,
            agent: me,
            status: Status::Online,
            agents: Vec::new(),
            inbox: vec![
                summary("mine", InboxKind::Mine),
                summary("offered", InboxKind::Offered),
                summary("waiting", InboxKind::Waiting),
            ],
        });
        state
    }

    fn upsert(id: &str, kind: InboxKind) -> AgentServerFrame {
        AgentServerFrame::Upsert {
            conversation: summary(id, kind),
        }
    }

    fn said(id: &str, author: Author) -> AgentServerFrame {
        AgentServerFrame::Message {
            conversation_id: id.into(),
            message: message(author, "Hello?"),
        }
    }

    #[test]
    fn a_new_offer_and_a_visitor_message_in_a_held_conversation_alert() {
        let state = state();
        assert_eq!(
            alerts(&state, &upsert("new", InboxKind::Offered)),
            [Alert::Offer {
                conversation_id: "new".into(),
                channel: "Shop".into()
            }]
        );
        assert_eq!(
            alerts(&state, &upsert("waiting", InboxKind::Offered)),
            [Alert::Offer {
                conversation_id: "waiting".into(),
                channel: "Shop".into()
            }],
            "offered now, waiting before"
        );
        assert_eq!(
            alerts(&state, &said("mine", Author::Visitor)),
            [Alert::Message {
                conversation_id: "mine".into(),
                text: "Hello?".into()
            }]
        );
    }

    #[test]
    fn a_customer_message_told_to_the_responsible_alerts_unless_they_hold_it() {
        let state = state();
        let wrote = |id: &str| AgentServerFrame::CustomerWrote {
            conversation_id: id.into(),
            channel: "shop".into(),
            text: "¿Sigue en pie mi pedido?".into(),
        };
        assert_eq!(
            alerts(&state, &wrote("waiting")),
            [Alert::Message {
                conversation_id: "waiting".into(),
                text: "¿Sigue en pie mi pedido?".into()
            }]
        );
        assert_eq!(alerts(&state, &wrote("elsewhere")).len(), 1);
        // Held here: the message itself alerts already.
        assert_eq!(alerts(&state, &wrote("mine")), []);
    }

    #[test]
    fn what_the_agent_knows_or_does_not_hold_raises_nothing() {
        let state = state();
        for frame in [
            upsert("offered", InboxKind::Offered),
            upsert("new", InboxKind::Waiting),
            upsert("mine", InboxKind::Mine),
            said("mine", Author::Agent),
            said("mine", Author::System),
            said("waiting", Author::Visitor),
            said("unknown", Author::Visitor),
            AgentServerFrame::Remove {
                conversation_id: "offered".into(),
            },
        ] {
            assert_eq!(alerts(&state, &frame), [], "{frame:?}");
        }
    }

    #[test]
    fn the_title_counts_offers_and_unread_messages_unless_turned_off() {
        let on = AlertPrefs::default();
        assert_eq!(title("Canal", 0, 0, on), "Canal");
        assert_eq!(title("Canal", 1, 2, on), "(3) Canal");
        let off = AlertPrefs { title: false, ..on };
        assert_eq!(title("Canal", 1, 2, off), "Canal");

        let mut state = state();
        state.apply(said("mine", Author::Visitor));
        state.apply(said("mine", Author::Visitor));
        state.apply(said("waiting", Author::Visitor));
        assert_eq!(state.unread_count(), 2, "only held conversations count");
        state.open("mine");
        assert_eq!(state.unread_count(), 0, "seen once opened");
    }

    #[test]
    fn choices_are_kept_per_agent_and_on_unless_turned_off() {
        assert_eq!(AlertPrefs::read(7, |_| None), AlertPrefs::default());
        let stored = |key: &str| {
            (key == "canal.console.alerts.7.sound").then(|| stored_value(false).to_owned())
        };
        let prefs = AlertPrefs::read(7, stored);
        assert!(!prefs.get(Choice::Sound));
        assert!(prefs.get(Choice::Desktop) && prefs.get(Choice::Title));
        assert_eq!(
            AlertPrefs::read(8, stored),
            AlertPrefs::default(),
            "another agent"
        );
        let odd = |_: &str| Some("maybe".to_owned());
        assert_eq!(AlertPrefs::read(7, odd), AlertPrefs::default());
        let mut prefs = AlertPrefs::default();
        prefs.set(Choice::Title, false);
        assert!(!prefs.title);
    }

    #[test]
    fn a_notification_shows_a_short_line() {
        assert_eq!(excerpt("Hello\n  there"), "Hello there");
        let long = "a".repeat(NOTIFICATION_CHARS + 5);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), NOTIFICATION_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}
