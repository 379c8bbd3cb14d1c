//! The console's UI texts: one table per language (English for now), chosen once
//! and provided to every component as context.

use canal_protocol::agent::{InboxKind, Role, Status};
use canal_protocol::ErrorCode;
use leptos::prelude::*;

use crate::api::ApiError;
use crate::settings::FormError;
use canal_protocol::agent::{DisplayMode, RoutingMode};

/// Every text the console shows.
#[derive(Debug)]
pub struct Strings {
    pub app_name: &'static str,
    pub loading: &'static str,

    pub sign_in_title: &'static str,
    pub sign_in_lead: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub signing_in: &'static str,
    pub err_credentials: &'static str,
    pub err_login_invalid: &'static str,
    pub err_too_many: &'static str,
    pub err_network: &'static str,
    pub err_server: &'static str,
    pub err_session_over: &'static str,
    pub err_sign_out: &'static str,

    pub sign_out: &'static str,
    pub connecting: &'static str,
    pub connected: &'static str,
    pub reconnecting: &'static str,
    pub retry_now: &'static str,
    pub status_label: &'static str,
    pub online: &'static str,
    pub away: &'static str,
    pub offline: &'static str,

    pub inbox: &'static str,
    pub offered_to_me: &'static str,
    pub mine: &'static str,
    pub queue: &'static str,
    pub others: &'static str,
    pub none_offered: &'static str,
    pub none_mine: &'static str,
    pub none_waiting: &'static str,
    pub none_others: &'static str,
    pub take: &'static str,
    pub decline: &'static str,
    /// Before the countdown: "Passes on in 0:42".
    pub passes_on_in: &'static str,
    pub new_messages: &'static str,
    pub no_messages_yet: &'static str,

    pub pick_conversation: &'static str,
    pub loading_conversation: &'static str,
    pub standing_offered: &'static str,
    pub standing_mine: &'static str,
    pub standing_waiting: &'static str,
    pub rating: &'static str,
    pub rated_like: &'static str,
    pub rated_dislike: &'static str,
    pub standing_others: &'static str,
    pub standing_closed: &'static str,
    pub standing_gone: &'static str,
    pub started: &'static str,
    pub page: &'static str,
    pub messages: &'static str,
    pub visitor: &'static str,
    pub agent: &'static str,
    pub system: &'static str,
    pub pending: &'static str,
    pub failed: &'static str,
    pub transfer_to: &'static str,
    pub choose_target: &'static str,
    pub back_to_queue: &'static str,
    pub transfer: &'static str,
    pub close_conversation: &'static str,
    pub reply_label: &'static str,
    pub reply_placeholder: &'static str,
    pub send: &'static str,
    pub reply_hint: &'static str,
    pub err_reply_long: &'static str,
    pub err_reply_not_yours: &'static str,
    pub err_no_crypto: &'static str,
    pub routing_log: &'static str,
    pub routing_log_empty: &'static str,
    pub holding: &'static str,
    pub actions: &'static str,
    pub role_agent: &'static str,
    pub role_supervisor: &'static str,
    pub role_admin: &'static str,

    pub dismiss: &'static str,
    pub refused_routing: &'static str,
    pub refused_forbidden: &'static str,
    pub refused_too_large: &'static str,
    pub refused_invalid: &'static str,
    pub refused_unknown: &'static str,
    pub refused_internal: &'static str,
    pub refused_other: &'static str,
    pub closed_read_only: &'static str,
    /// Under the messages while the visitor writes.
    pub visitor_typing: &'static str,
    /// On an inbox line while its visitor writes.
    pub typing_short: &'static str,

    pub views: &'static str,
    pub conversations: &'static str,
    pub settings: &'static str,
    pub agents_title: &'static str,
    pub agents_caption: &'static str,
    pub loading_agents: &'static str,
    pub name: &'static str,
    pub role: &'static str,
    pub cap: &'static str,
    pub cap_hint: &'static str,
    pub dismissed: &'static str,
    pub save: &'static str,
    pub saving: &'static str,
    pub saved: &'static str,
    pub nothing_to_save: &'static str,
    pub new_agent: &'static str,
    pub create_agent: &'static str,
    pub agent_created: &'static str,
    pub routing_title: &'static str,
    pub channel_key: &'static str,
    pub load: &'static str,
    pub loading_routing: &'static str,
    /// Before the channel key of the form: "Routing of demo".
    pub routing_of: &'static str,
    pub mode: &'static str,
    pub mode_evenly: &'static str,
    pub mode_strict: &'static str,
    pub mode_all: &'static str,
    pub pass_after: &'static str,
    pub pass_after_hint: &'static str,
    pub check_online: &'static str,
    pub exclusions: &'static str,
    pub excl_answered: &'static str,
    pub excl_waiting: &'static str,
    pub excl_rating: &'static str,
    pub display_mode: &'static str,
    pub display_profile: &'static str,
    pub display_channel: &'static str,
    pub display_hidden: &'static str,
    pub no_agent_reply: &'static str,
    pub no_agent_reply_hint: &'static str,
    pub routing_queue: &'static str,
    pub queue_empty: &'static str,
    pub add_to_queue: &'static str,
    pub add: &'static str,
    pub move_up: &'static str,
    pub move_down: &'static str,
    pub remove: &'static str,
    pub department: &'static str,
    pub err_agent_missing: &'static str,
    pub err_cap: &'static str,
    pub err_pass_after: &'static str,
    pub err_admin_forbidden: &'static str,
    pub err_admin_failed: &'static str,

    pub hours_title: &'static str,
    pub loading_hours: &'static str,
    /// Before the channel key of the form: "Working hours of demo".
    pub hours_of: &'static str,
    pub always_open: &'static str,
    pub open_now: &'static str,
    pub closed_now: &'static str,
    pub time_zone: &'static str,
    pub time_zone_hint: &'static str,
    /// Monday first.
    pub weekdays: [&'static str; 7],
    pub day_hint: &'static str,
    pub holidays: &'static str,
    pub holidays_hint: &'static str,
    pub out_of_hours_reply: &'static str,
    pub out_of_hours_reply_hint: &'static str,
    pub remove_hours: &'static str,
    pub hours_removed: &'static str,
    pub err_ranges: &'static str,
    pub err_time_zone: &'static str,
}

/// English.
pub static EN: Strings = Strings {
    app_name: "Canal console",
    loading: "Loading…",

    sign_in_title: "Sign in",
    sign_in_lead: "Answer your website's visitors.",
    email: "Email",
    password: "Password",
    sign_in: "Sign in",
    signing_in: "Signing in…",
    err_credentials: "Wrong email or password.",
    err_login_invalid: "Enter your email address and password.",
    err_too_many: "Too many attempts. Wait a minute, then try again.",
    err_network: "Cannot reach the server. Check your connection and try again.",
    err_server: "The server could not sign you in. Try again in a moment.",
    err_session_over: "Your session has ended. Sign in again.",
    err_sign_out: "Could not sign out. Check your connection and try again.",

    sign_out: "Sign out",
    connecting: "Connecting…",
    connected: "Connected",
    reconnecting: "Reconnecting…",
    retry_now: "Retry now",
    status_label: "Available for new conversations",
    online: "Online",
    away: "Away",
    offline: "Offline",

    inbox: "Inbox",
    offered_to_me: "Offered to me",
    mine: "Mine",
    queue: "Queue",
    others: "Others",
    none_offered: "No offers right now.",
    none_mine: "You hold no conversations.",
    none_waiting: "Nobody is waiting.",
    none_others: "Colleagues hold no conversations.",
    take: "Take",
    decline: "Decline",
    passes_on_in: "Passes on in",
    new_messages: "new",
    no_messages_yet: "No messages yet",

    pick_conversation: "Pick a conversation from the inbox.",
    loading_conversation: "Loading the conversation…",
    standing_offered: "Offered to you",
    standing_mine: "Yours",
    standing_waiting: "Waiting in the queue",
    rating: "Visitor's rating",
    rated_like: "👍 good",
    rated_dislike: "👎 poor",
    standing_others: "With a colleague",
    standing_closed: "Closed",
    standing_gone: "No longer in your inbox",
    started: "Started",
    page: "Page",
    messages: "Messages",
    visitor: "Visitor",
    agent: "Agent",
    system: "System",
    pending: "Sending…",
    failed: "Not sent",
    transfer_to: "Transfer to",
    choose_target: "Choose…",
    back_to_queue: "Back to queue",
    transfer: "Transfer",
    close_conversation: "Close conversation",
    reply_label: "Reply",
    reply_placeholder: "Write a reply…",
    send: "Send",
    reply_hint: "Enter sends, Shift+Enter starts a new line.",
    err_reply_long: "The reply is too long.",
    err_reply_not_yours: "Only the agent holding the conversation can reply.",
    err_no_crypto: "This browser cannot send replies (no secure random numbers).",
    routing_log: "Routing log",
    routing_log_empty: "No routing decisions yet.",
    holding: "holding",
    actions: "Conversation actions",
    role_agent: "Agent",
    role_supervisor: "Supervisor",
    role_admin: "Admin",

    dismiss: "Dismiss",
    refused_routing: "Not possible any more: the conversation was taken, passed on or closed.",
    refused_forbidden: "Your role does not allow that.",
    refused_too_large: "That was too large to send.",
    refused_invalid: "The server did not accept that.",
    refused_unknown: "That conversation does not exist (any more).",
    refused_internal: "The server failed; nothing changed. Try again.",
    refused_other: "The server refused that; nothing changed.",
    closed_read_only: "This conversation is closed. Its history is read-only.",
    visitor_typing: "The visitor is typing…",
    typing_short: "typing…",

    views: "Views",
    conversations: "Conversations",
    settings: "Settings",
    agents_title: "Agents",
    agents_caption: "Every agent, with their role, cap and whether they are dismissed",
    loading_agents: "Loading the agents…",
    name: "Name",
    role: "Role",
    cap: "Cap",
    cap_hint: "Most conversations at once; empty for no cap.",
    dismissed: "Dismissed",
    save: "Save",
    saving: "Saving…",
    saved: "Saved",
    nothing_to_save: "Nothing changed.",
    new_agent: "New agent",
    create_agent: "Create agent",
    agent_created: "Saved: agent created",
    routing_title: "Channel routing",
    channel_key: "Channel key",
    load: "Load",
    loading_routing: "Loading the routing settings…",
    routing_of: "Routing of",
    mode: "Mode",
    mode_evenly: "Evenly: least load first",
    mode_strict: "Strict: in queue order",
    mode_all: "All: everyone at once",
    pass_after: "Pass on after (minutes)",
    pass_after_hint: "1 to 720 minutes.",
    check_online: "Offer only to agents who are online",
    exclusions: "Not counted against an agent's cap",
    excl_answered: "Conversations they have answered",
    excl_waiting: "Conversations waiting for the customer",
    excl_rating: "Closed conversations awaiting a rating",
    display_mode: "What visitors see of the agent",
    display_profile: "The agent's name and avatar",
    display_channel: "The channel's name",
    display_hidden: "No name",
    no_agent_reply: "Auto-reply when nobody can take the conversation",
    no_agent_reply_hint: "Empty: no auto-reply.",
    routing_queue: "Queue",
    queue_empty: "The queue is empty.",
    add_to_queue: "Add to the queue",
    add: "Add",
    move_up: "Move up",
    move_down: "Move down",
    remove: "Remove",
    department: "Department",
    err_agent_missing: "Fill in email, name and password.",
    err_cap: "The cap must be a whole number, or empty for no cap.",
    err_pass_after: "Pass on after must be a whole number of minutes from 1 to 720.",
    err_admin_forbidden: "Only admins can change settings. Sign in again as an admin.",
    err_admin_failed: "The server could not do that. Try again.",

    hours_title: "Working hours",
    loading_hours: "Loading the working hours…",
    hours_of: "Working hours of",
    always_open: "No working hours are set: the channel is always open.",
    open_now: "Open now.",
    closed_now: "Closed now.",
    time_zone: "Time zone",
    time_zone_hint: "An IANA name, e.g. Europe/Madrid or America/New_York.",
    weekdays: [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
    day_hint: "Ranges like 09:00-13:00, 14:00-18:00 (up to 4 a day, 24:00 for midnight); empty: closed.",
    holidays: "Holidays",
    holidays_hint: "Dates closed all day, as YYYY-MM-DD, separated by commas or spaces.",
    out_of_hours_reply: "Reply when a conversation starts out of hours",
    out_of_hours_reply_hint: "Sent once, instead of the no-agent auto-reply. Empty: none (the no-agent auto-reply still applies).",
    remove_hours: "Remove working hours",
    hours_removed: "Removed: the channel is always open",
    err_ranges: "Write each day's hours as ranges like 09:00-13:00, separated by commas.",
    err_time_zone: "Enter the channel's time zone.",
};

impl Strings {
    /// The login form's message for a failed sign-in.
    pub fn login_error(&self, error: &ApiError) -> &'static str {
        match error {
            ApiError::Network => self.err_network,
            e if e.is_unauthorized() => self.err_credentials,
            ApiError::Status { status: 429, .. } => self.err_too_many,
            ApiError::Status { status, .. } if (400..500).contains(status) => {
                self.err_login_invalid
            }
            _ => self.err_server,
        }
    }

    /// The notice for a refused socket frame.
    pub fn refusal(&self, code: ErrorCode) -> &'static str {
        match code {
            ErrorCode::RoutingRefused => self.refused_routing,
            ErrorCode::Forbidden | ErrorCode::Unauthorized | ErrorCode::NotAuthenticated => {
                self.refused_forbidden
            }
            ErrorCode::TooLarge => self.refused_too_large,
            ErrorCode::BadRequest | ErrorCode::UnknownField | ErrorCode::InvalidField => {
                self.refused_invalid
            }
            ErrorCode::UnknownConversation | ErrorCode::NotFound => self.refused_unknown,
            ErrorCode::Internal => self.refused_internal,
            _ => self.refused_other,
        }
    }

    /// What a settings form says when the server (or the network) failed it:
    /// the server's own sentence when it sent one.
    pub fn admin_error(&self, error: &ApiError) -> String {
        match error {
            ApiError::Status {
                message: Some(message),
                ..
            } if !message.trim().is_empty() => message.clone(),
            ApiError::Network => self.err_network.to_owned(),
            ApiError::Status {
                status: 401 | 403, ..
            } => self.err_admin_forbidden.to_owned(),
            _ => self.err_admin_failed.to_owned(),
        }
    }

    /// What a settings form says when it was not sent.
    pub fn form_error(&self, error: FormError) -> &'static str {
        match error {
            FormError::Missing => self.err_agent_missing,
            FormError::Cap => self.err_cap,
            FormError::PassAfter => self.err_pass_after,
            FormError::Ranges => self.err_ranges,
            FormError::TimeZone => self.err_time_zone,
        }
    }

    pub fn routing_mode(&self, mode: RoutingMode) -> &'static str {
        match mode {
            RoutingMode::Evenly => self.mode_evenly,
            RoutingMode::Strict => self.mode_strict,
            RoutingMode::All => self.mode_all,
        }
    }

    pub fn display_mode_name(&self, mode: DisplayMode) -> &'static str {
        match mode {
            DisplayMode::Profile => self.display_profile,
            DisplayMode::Channel => self.display_channel,
            DisplayMode::Hidden => self.display_hidden,
        }
    }

    /// An inbox section's heading.
    pub fn section(&self, kind: InboxKind) -> &'static str {
        match kind {
            InboxKind::Offered => self.offered_to_me,
            InboxKind::Mine => self.mine,
            InboxKind::Waiting => self.queue,
            InboxKind::Others => self.others,
            InboxKind::Closed => self.standing_closed,
        }
    }

    /// What an empty inbox section says.
    pub fn empty_section(&self, kind: InboxKind) -> &'static str {
        match kind {
            InboxKind::Offered => self.none_offered,
            InboxKind::Mine => self.none_mine,
            InboxKind::Waiting => self.none_waiting,
            InboxKind::Others | InboxKind::Closed => self.none_others,
        }
    }

    pub fn status(&self, status: Status) -> &'static str {
        match status {
            Status::Online => self.online,
            Status::Away => self.away,
            Status::Offline => self.offline,
        }
    }

    pub fn role(&self, role: Role) -> &'static str {
        match role {
            Role::Agent => self.role_agent,
            Role::Supervisor => self.role_supervisor,
            Role::Admin => self.role_admin,
        }
    }
}

/// The strings provided by the root component (English when none are).
pub fn use_strings() -> &'static Strings {
    use_context::<&'static Strings>().unwrap_or(&EN)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn login_errors_say_what_to_do() {
        let status = |status| ApiError::Status {
            status,
            code: None,
            message: None,
        };
        assert_eq!(EN.login_error(&status(401)), EN.err_credentials);
        assert_eq!(EN.login_error(&status(429)), EN.err_too_many);
        assert_eq!(EN.login_error(&status(400)), EN.err_login_invalid);
        assert_eq!(EN.login_error(&status(503)), EN.err_server);
        assert_eq!(EN.login_error(&ApiError::Network), EN.err_network);
        assert_eq!(EN.login_error(&ApiError::Decode), EN.err_server);
    }

    #[test]
    fn settings_errors_prefer_the_servers_sentence() {
        let failed = |status, message: Option<&str>| ApiError::Status {
            status,
            code: Some(ErrorCode::InvalidField),
            message: message.map(str::to_owned),
        };
        assert_eq!(
            EN.admin_error(&failed(422, Some("email is already taken"))),
            "email is already taken"
        );
        assert_eq!(EN.admin_error(&failed(403, None)), EN.err_admin_forbidden);
        assert_eq!(EN.admin_error(&failed(500, Some(" "))), EN.err_admin_failed);
        assert_eq!(EN.admin_error(&ApiError::Network), EN.err_network);
        assert_eq!(EN.form_error(FormError::PassAfter), EN.err_pass_after);
    }

    #[test]
    fn every_refusal_has_a_sentence() {
        assert_eq!(EN.refusal(ErrorCode::RoutingRefused), EN.refused_routing);
        assert_eq!(EN.refusal(ErrorCode::Conflict), EN.refused_other);
        assert!(!EN.refusal(ErrorCode::Internal).is_empty());
    }
}
