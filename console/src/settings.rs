//! The admin settings as plain data: the forms for a new agent, an agent's cap,
//! role and dismissal, a channel's managers, routing, working hours, agreement,
//! contact form, theme and identity verification, each turned into
//! the request the admin API takes. No browser, no signals (native unit tests); the `Settings`
//! component keeps them in signals and sends what they return.
//!
//! The routing form edits a copy of the settings as loaded and writes back the
//! whole record, so what it does not show (bot, bot rules, routing to the
//! responsible agent, department entries of the queue) is saved as it was.

use canal_protocol::admin::{
    AgreementChoice, AgreementKind, IdentityView, SetChannelAgreement, SetIdentity,
};
use canal_protocol::agent::{
    AgentView, CapExclusions, CreateAgent, DisplayMode, QueueItem, Role, RoutingMode,
    RoutingSettings, UpdateAgent,
};
use canal_protocol::channels::{limits, ChannelView, CreateChannel, Greetings, UpdateChannel};
use canal_protocol::forms::{FieldName, FormField, SetContactForm};
use canal_protocol::hours::{TimeRange, WeekHours, WorkingHours};
use canal_protocol::theme::{limits as theme_limits, Position, Theme, ThemeMode, DEFAULT_COLOR};

/// Shortest `pass_after`, in minutes (the server's 60 seconds).
pub const MIN_PASS_AFTER_MINUTES: u64 = 1;
/// Longest `pass_after`, in minutes (the server's 43,200 seconds).
pub const MAX_PASS_AFTER_MINUTES: u64 = 720;

/// Why a form was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormError {
    /// Email, name or password of a new agent is empty.
    Missing,
    /// The cap is neither empty nor a whole number of at least 0.
    Cap,
    /// `pass_after` is not a whole number of minutes from 1 to 720.
    PassAfter,
    /// A day's hours are not ranges like `09:00-13:00, 14:00-18:00`.
    Ranges,
    /// The time zone is empty.
    TimeZone,
    /// A channel's name is empty.
    ChannelName,
    /// A chosen channel key is not 3 to 40 of `a`-`z`, `0`-`9` and inner `-`.
    ChannelKey,
    /// A day of the message log's filter is not `YYYY-MM-DD`.
    Date,
    /// The message log's first day is after its last.
    DateRange,
    /// A ban names no address, network or visitor, or gives no reason.
    BanMissing,
    /// A canned answer's code is not 1 to 32 of `a`-`z`, `0`-`9`, `-`, `_`, or it
    /// has no text.
    Canned,
    /// A theme's accent is neither empty nor a colour like `#1f5fd1`.
    Color,
    /// A launcher text is longer than the theme allows.
    LauncherText,
    /// An identity window is not a whole number of seconds from 60 to 604,800.
    Window,
}

impl FormError {
    /// The field it is about, named as the server names it (see [`named_field`]);
    /// `None` when it is about the whole form.
    pub fn field(self) -> Option<&'static str> {
        match self {
            Self::Color => Some("color"),
            Self::LauncherText => Some("launcher_text"),
            Self::Window => Some("window_secs"),
            _ => None,
        }
    }
}

/// The fields whose refusals show next to them, as the server names them.
pub const NAMED_FIELDS: [&str; 3] = ["color", "launcher_text", "window_secs"];

/// The field a server's refusal is about, among [`NAMED_FIELDS`]: the one its
/// message starts with ("color must be a colour like ..." is about `color`). The
/// server's checks name the field they refuse first; any other sentence is about
/// the whole form.
pub fn named_field(message: &str) -> Option<&'static str> {
    let first = message.split_whitespace().next()?;
    NAMED_FIELDS.into_iter().find(|name| *name == first)
}

/// Every role, in the order the role lists show them.
pub const ROLES: [Role; 3] = [Role::Agent, Role::Supervisor, Role::Admin];
/// Every routing mode, in listing order.
pub const MODES: [RoutingMode; 3] = [RoutingMode::Evenly, RoutingMode::Strict, RoutingMode::All];
/// Every display mode, in listing order.
pub const DISPLAY_MODES: [DisplayMode; 3] = [
    DisplayMode::Profile,
    DisplayMode::Channel,
    DisplayMode::Hidden,
];

/// A role as it appears on the wire (the `value` of its option).
pub fn role_str(role: Role) -> &'static str {
    role.as_str()
}

/// The role an option value names.
pub fn parse_role(value: &str) -> Option<Role> {
    ROLES.into_iter().find(|r| role_str(*r) == value)
}

/// A routing mode as it appears on the wire.
pub fn mode_str(mode: RoutingMode) -> &'static str {
    match mode {
        RoutingMode::Evenly => "evenly",
        RoutingMode::Strict => "strict",
        RoutingMode::All => "all",
    }
}

/// The routing mode an option value names.
pub fn parse_mode(value: &str) -> Option<RoutingMode> {
    MODES.into_iter().find(|m| mode_str(*m) == value)
}

/// A display mode as it appears on the wire.
pub fn display_str(mode: DisplayMode) -> &'static str {
    match mode {
        DisplayMode::Profile => "profile",
        DisplayMode::Channel => "channel",
        DisplayMode::Hidden => "hidden",
    }
}

/// The display mode an option value names.
pub fn parse_display(value: &str) -> Option<DisplayMode> {
    DISPLAY_MODES.into_iter().find(|m| display_str(*m) == value)
}

/// A cap as typed: empty is no cap.
pub fn parse_cap(text: &str) -> Result<Option<u32>, FormError> {
    match text.trim() {
        "" => Ok(None),
        cap => cap.parse().map(Some).map_err(|_| FormError::Cap),
    }
}

/// A cap as its field shows it.
pub fn cap_text(cap: Option<u32>) -> String {
    cap.map(|c| c.to_string()).unwrap_or_default()
}

/// The form for a new agent, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewAgent {
    pub email: String,
    pub name: String,
    pub password: String,
    pub role: Role,
    /// Empty: no cap.
    pub cap: String,
}

impl NewAgent {
    /// The `POST /api/v1/admin/agents` body. Email and name are trimmed; the
    /// password is sent as typed. The server checks the rest.
    pub fn request(&self) -> Result<CreateAgent, FormError> {
        let email = self.email.trim();
        let name = self.name.trim();
        if email.is_empty() || name.is_empty() || self.password.is_empty() {
            return Err(FormError::Missing);
        }
        Ok(CreateAgent {
            email: email.to_owned(),
            name: name.to_owned(),
            password: self.password.clone(),
            role: self.role,
            cap: parse_cap(&self.cap)?,
            avatar_url: None,
            is_bot: false,
        })
    }
}

/// An agent's row, as edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentEdit {
    /// Empty: no cap.
    pub cap: String,
    pub role: Role,
    pub dismissed: bool,
}

impl AgentEdit {
    /// The row as the server last showed the agent.
    pub fn of(agent: &AgentView) -> Self {
        Self {
            cap: cap_text(agent.cap),
            role: agent.role,
            dismissed: agent.dismissed,
        }
    }

    /// The `PATCH` body with only what differs from `agent` (a cleared cap is
    /// `cap: null`); `None` when nothing does.
    pub fn patch(&self, agent: &AgentView) -> Result<Option<UpdateAgent>, FormError> {
        let cap = parse_cap(&self.cap)?;
        let patch = UpdateAgent {
            cap: (cap != agent.cap).then_some(cap),
            role: (self.role != agent.role).then_some(self.role),
            dismissed: (self.dismissed != agent.dismissed).then_some(self.dismissed),
            ..UpdateAgent::default()
        };
        Ok((patch != UpdateAgent::default()).then_some(patch))
    }
}

/// A channel's routing settings, as edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingForm {
    /// What the server sent: the base of what is saved.
    loaded: RoutingSettings,
    pub mode: RoutingMode,
    /// Minutes, as typed.
    pub pass_after: String,
    pub check_online: bool,
    pub exclusions: CapExclusions,
    pub display_mode: DisplayMode,
    /// Empty: no auto-reply.
    pub no_agent_reply: String,
    /// In order.
    pub queue: Vec<QueueItem>,
}

impl RoutingForm {
    /// The form for settings as the server sent them.
    pub fn new(loaded: RoutingSettings) -> Self {
        Self {
            mode: loaded.mode,
            pass_after: minutes_text(loaded.pass_after_secs),
            check_online: loaded.check_online,
            exclusions: loaded.exclusions,
            display_mode: loaded.display_mode,
            no_agent_reply: loaded.no_agent_reply.clone().unwrap_or_default(),
            queue: loaded.queue.clone(),
            loaded,
        }
    }

    /// The settings as loaded.
    pub fn loaded(&self) -> &RoutingSettings {
        &self.loaded
    }

    /// The whole record for `PUT`: the loaded settings with the edited fields.
    /// A `pass_after` left as shown keeps its seconds (which need not be whole
    /// minutes); an auto-reply left as shown is kept as it was.
    pub fn settings(&self) -> Result<RoutingSettings, FormError> {
        let pass_after_secs = if self.pass_after.trim() == minutes_text(self.loaded.pass_after_secs)
        {
            self.loaded.pass_after_secs
        } else {
            self.pass_after
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|m| (MIN_PASS_AFTER_MINUTES..=MAX_PASS_AFTER_MINUTES).contains(m))
                .ok_or(FormError::PassAfter)?
                * 60
        };
        let reply = self.no_agent_reply.trim();
        let no_agent_reply =
            if self.no_agent_reply == self.loaded.no_agent_reply.clone().unwrap_or_default() {
                self.loaded.no_agent_reply.clone()
            } else if reply.is_empty() {
                None
            } else {
                Some(reply.to_owned())
            };
        Ok(RoutingSettings {
            mode: self.mode,
            pass_after_secs,
            check_online: self.check_online,
            exclusions: self.exclusions,
            display_mode: self.display_mode,
            no_agent_reply,
            queue: self.queue.clone(),
            ..self.loaded.clone()
        })
    }

    /// Appends an agent to the queue, unless it is in it already.
    pub fn add_agent(&mut self, id: u64) {
        let item = QueueItem::Agent(id);
        if !self.queue.contains(&item) {
            self.queue.push(item);
        }
    }

    /// Removes the entry at `index`.
    pub fn remove(&mut self, index: usize) {
        if index < self.queue.len() {
            self.queue.remove(index);
        }
    }

    /// Moves the entry at `index` one place towards the front.
    pub fn move_up(&mut self, index: usize) {
        if index > 0 && index < self.queue.len() {
            self.queue.swap(index - 1, index);
        }
    }

    /// Moves the entry at `index` one place towards the back.
    pub fn move_down(&mut self, index: usize) {
        if index + 1 < self.queue.len() {
            self.queue.swap(index, index + 1);
        }
    }
}

/// A channel's working hours, as edited: each day's ranges as one line of text
/// (`09:00-13:00, 14:00-18:00`; empty: closed), holidays as dates separated by
/// commas or spaces. The form checks only the shape; the server checks the values
/// (times, overlaps, dates, the time zone) and says which one is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoursForm {
    pub time_zone: String,
    /// Monday first.
    pub days: [String; 7],
    pub holidays: String,
    /// Empty: no out-of-hours reply.
    pub reply: String,
}

impl Default for HoursForm {
    fn default() -> Self {
        Self {
            time_zone: "UTC".to_owned(),
            days: Default::default(),
            holidays: String::new(),
            reply: String::new(),
        }
    }
}

impl HoursForm {
    /// The form for working hours as the server sent them.
    pub fn of(hours: &WorkingHours) -> Self {
        let day = |ranges: &Vec<TimeRange>| {
            ranges
                .iter()
                .map(|r| format!("{}-{}", r.from, r.to))
                .collect::<Vec<_>>()
                .join(", ")
        };
        Self {
            time_zone: hours.time_zone.clone(),
            days: hours.days.days().map(day),
            holidays: hours.holidays.join(", "),
            reply: hours.out_of_hours_reply.clone().unwrap_or_default(),
        }
    }

    /// The `PUT /api/v1/admin/channels/{key}/hours` body.
    pub fn request(&self) -> Result<WorkingHours, FormError> {
        let time_zone = self.time_zone.trim();
        if time_zone.is_empty() {
            return Err(FormError::TimeZone);
        }
        let mut days = WeekHours::default();
        for (text, ranges) in self.days.iter().zip(days.days_mut()) {
            *ranges = parse_ranges(text)?;
        }
        let reply = self.reply.trim();
        Ok(WorkingHours {
            time_zone: time_zone.to_owned(),
            days,
            holidays: self
                .holidays
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .collect(),
            out_of_hours_reply: (!reply.is_empty()).then(|| reply.to_owned()),
        })
    }
}

/// `09:00-13:00, 14:00-18:00` as ranges (empty: none).
fn parse_ranges(text: &str) -> Result<Vec<TimeRange>, FormError> {
    text.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|range| {
            let (from, to) = range.split_once('-').ok_or(FormError::Ranges)?;
            let (from, to) = (from.trim(), to.trim());
            if from.is_empty() || to.is_empty() {
                return Err(FormError::Ranges);
            }
            Ok(TimeRange {
                from: from.to_owned(),
                to: to.to_owned(),
            })
        })
        .collect()
}

/// Seconds as whole minutes for the field (rounded up, so 90 s shows as 2).
pub fn minutes_text(secs: u64) -> String {
    secs.div_ceil(60).to_string()
}

/// Agents that can be added to a queue: people, not bots, not dismissed, not in
/// it already.
pub fn addable(agents: &[AgentView], queue: &[QueueItem]) -> Vec<AgentView> {
    agents
        .iter()
        .filter(|a| !a.is_bot && !a.dismissed && !queue.contains(&QueueItem::Agent(a.id)))
        .cloned()
        .collect()
}

/// Who can be named a channel's manager, by id and name: the supervisors not
/// dismissed, then those named already who are not that any more (`false`), so
/// that they can be taken off (the server refuses to name them again).
pub fn manager_choices(agents: &[AgentView], managers: &[u64]) -> Vec<(u64, String, bool)> {
    let eligible = |a: &AgentView| a.role == Role::Supervisor && !a.dismissed;
    let mut choices: Vec<(u64, String, bool)> = agents
        .iter()
        .filter(|a| eligible(a))
        .map(|a| (a.id, a.name.clone(), true))
        .collect();
    for &id in managers {
        if !choices.iter().any(|(c, ..)| *c == id) {
            let name = agents.iter().find(|a| a.id == id).map(|a| a.name.clone());
            choices.push((id, name.unwrap_or_else(|| format!("#{id}")), false));
        }
    }
    choices
}

/// Ticks (`on`, at the end) or unticks `item` in a list (of managers, of a
/// form's agreements), once.
pub fn tick<T: PartialEq>(list: &mut Vec<T>, item: T, on: bool) {
    list.retain(|m| *m != item);
    if on {
        list.push(item);
    }
}

/// How the contact form asks for one of its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ask {
    /// Not on the form.
    #[default]
    No,
    Optional,
    Required,
}

/// Every [`Ask`], in listing order.
pub const ASKS: [Ask; 3] = [Ask::No, Ask::Optional, Ask::Required];

/// The fields a contact form may ask for, in the order the editor lists them and
/// the form shows them.
pub const FORM_FIELDS: [FieldName; 3] = [FieldName::Name, FieldName::Email, FieldName::Phone];

/// An [`Ask`] as an option value.
pub fn ask_str(ask: Ask) -> &'static str {
    match ask {
        Ask::No => "no",
        Ask::Optional => "optional",
        Ask::Required => "required",
    }
}

/// Reads an option value back.
pub fn parse_ask(value: &str) -> Option<Ask> {
    ASKS.into_iter().find(|a| ask_str(*a) == value)
}

/// A channel's contact form as edited: how it asks each of [`FORM_FIELDS`], and
/// the agreements it shows as checkboxes, in order (ids), and whether the chat
/// asks for it after the visitor's first message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactFormDraft {
    pub asks: [Ask; 3],
    pub agreements: Vec<String>,
    pub ask_in_chat: bool,
}

impl ContactFormDraft {
    /// The draft of a form as saved (`None`: the channel has none yet).
    pub fn of(saved: Option<&SetContactForm>) -> Self {
        let Some(saved) = saved else {
            // A new form is asked for in the chat, as the server takes it.
            return Self {
                ask_in_chat: true,
                ..Self::default()
            };
        };
        let asks = FORM_FIELDS.map(|name| match saved.fields.iter().find(|f| f.name == name) {
            Some(f) if f.required => Ask::Required,
            Some(_) => Ask::Optional,
            None => Ask::No,
        });
        Self {
            asks,
            agreements: saved.agreements.clone(),
            ask_in_chat: saved.ask_in_chat,
        }
    }

    /// The `PUT /api/v1/admin/channels/{key}/form` body: the fields asked, in
    /// [`FORM_FIELDS`] order, and the agreements ticked.
    pub fn request(&self) -> Result<SetContactForm, FormError> {
        Ok(SetContactForm {
            fields: FORM_FIELDS
                .into_iter()
                .zip(self.asks)
                .filter(|(_, ask)| *ask != Ask::No)
                .map(|(name, ask)| FormField {
                    name,
                    required: ask == Ask::Required,
                })
                .collect(),
            agreements: self.agreements.clone(),
            ask_in_chat: self.ask_in_chat,
        })
    }
}

/// The agreements a channel's chat may ask for: the personal-data ones (the
/// server refuses any other kind), as (id, name).
pub fn chat_agreements(list: &[AgreementChoice]) -> Vec<(String, String)> {
    list.iter()
        .filter(|a| a.kind == AgreementKind::PersonalData)
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect()
}

/// The agreement a channel's chat asks for, as picked: its id, empty for none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgreementForm {
    pub agreement_id: String,
}

impl AgreementForm {
    /// The form of the channel's agreement as the server showed it.
    pub fn of(agreement_id: Option<&str>) -> Self {
        Self {
            agreement_id: agreement_id.unwrap_or_default().to_owned(),
        }
    }

    /// The `PUT /api/v1/admin/channels/{key}/agreement` body (`null`: the chat
    /// asks no consent).
    pub fn request(&self) -> Result<SetChannelAgreement, FormError> {
        Ok(SetChannelAgreement {
            agreement_id: optional(&self.agreement_id),
        })
    }
}

/// Every theme mode and launcher side, in listing order.
pub const THEME_MODES: [ThemeMode; 3] = [ThemeMode::Auto, ThemeMode::Light, ThemeMode::Dark];
pub const POSITIONS: [Position; 2] = [Position::Right, Position::Left];

/// A channel's theme as edited: the accent as typed (empty: Canal's blue), the
/// launcher's side and text (empty: "Chat"), and the mode.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThemeForm {
    pub color: String,
    pub position: Position,
    pub launcher_text: String,
    pub mode: ThemeMode,
}

impl ThemeForm {
    /// The form of a theme as the server sent it.
    pub fn of(theme: &Theme) -> Self {
        Self {
            color: theme.color.clone().unwrap_or_default(),
            position: theme.position,
            launcher_text: theme.launcher_text.clone().unwrap_or_default(),
            mode: theme.mode,
        }
    }

    /// What the colour picker shows: the accent when it is a colour, else Canal's.
    pub fn picker_color(&self) -> String {
        match accent(&self.color) {
            Ok(Some(color)) => color,
            _ => DEFAULT_COLOR.to_owned(),
        }
    }

    /// The `PUT /api/v1/admin/channels/{key}/theme` body (the whole theme).
    pub fn request(&self) -> Result<Theme, FormError> {
        let launcher_text = optional(&self.launcher_text);
        if launcher_text
            .as_ref()
            .is_some_and(|t| t.chars().count() > theme_limits::MAX_LAUNCHER_TEXT_CHARS)
        {
            return Err(FormError::LauncherText);
        }
        Ok(Theme {
            color: accent(&self.color)?,
            position: self.position,
            launcher_text,
            mode: self.mode,
        })
    }
}

/// An accent as typed: empty is `None` (Canal's blue), `#rrggbb` (any case, the
/// `#` optional) is the colour in lower case.
fn accent(text: &str) -> Result<Option<String>, FormError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let hex = text.strip_prefix('#').unwrap_or(text);
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(FormError::Color);
    }
    Ok(Some(format!("#{}", hex.to_ascii_lowercase())))
}

/// A channel's identity verification as edited: enforced or not, and how old a
/// signature may be, in seconds, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IdentityForm {
    pub enforced: bool,
    pub window: String,
    /// The channel has a secret (made once, never shown again).
    pub has_secret: bool,
}

impl IdentityForm {
    /// The form of the settings as the server sent them.
    pub fn of(view: &IdentityView) -> Self {
        Self {
            enforced: view.enforced,
            window: view.window_secs.to_string(),
            has_secret: view.has_secret,
        }
    }

    /// The `PUT /api/v1/admin/channels/{key}/identity` body.
    pub fn request(&self) -> Result<SetIdentity, FormError> {
        let window_secs = self
            .window
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|s| (60..=604_800).contains(s))
            .ok_or(FormError::Window)?;
        Ok(SetIdentity {
            enforced: self.enforced,
            window_secs,
        })
    }
}

/// A text field as an optional value: trimmed, empty is `None`.
fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The allowed sites as typed, one origin per line (commas and spaces also
/// separate them): `None` (any site) when there are none. The server checks each.
pub fn parse_origins(text: &str) -> Option<Vec<String>> {
    let origins: Vec<String> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect();
    (!origins.is_empty()).then_some(origins)
}

/// The allowed sites as their field shows them: one a line.
pub fn origins_text(origins: Option<&[String]>) -> String {
    origins.map(|o| o.join("\n")).unwrap_or_default()
}

/// Whether `key` can be a channel key: 3 to 40 of `a`-`z`, `0`-`9` and `-`, not
/// starting or ending with `-` (the server checks the same, and that it is free).
pub fn valid_channel_key(key: &str) -> bool {
    (limits::MIN_KEY_CHARS..=limits::MAX_KEY_CHARS).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !key.starts_with('-')
        && !key.ends_with('-')
}

/// A channel language as an option value: empty for the visitor's browser.
pub fn locale_value(locale: Option<&str>) -> &str {
    locale.unwrap_or_default()
}

/// A channel's form, as typed: the same fields for a new channel (where only the
/// name is needed and `active` is not shown) and for an existing one (where the
/// key is not shown: it cannot change).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChannelDraft {
    /// Empty: the server makes one up.
    pub key: String,
    pub name: String,
    /// Empty: the window shows the name.
    pub title: String,
    /// Empty: no greeting.
    pub greeting: String,
    /// The greeting in each of [`limits::LOCALES`], in that order; empty: the
    /// greeting.
    pub greetings: [String; 3],
    /// `en`, `es`, `ru`, or empty for the visitor's browser.
    pub locale: String,
    /// One origin per line; empty: any site.
    pub origins: String,
    pub active: bool,
}

impl ChannelDraft {
    /// The greetings typed, by language (blank ones left out).
    fn greetings(&self) -> Greetings {
        limits::LOCALES
            .into_iter()
            .zip(&self.greetings)
            .filter_map(|(lang, text)| optional(text).map(|text| (lang.to_owned(), text)))
            .collect()
    }

    /// The `POST /api/v1/admin/channels` body: fields trimmed, empty ones left out.
    pub fn request(&self) -> Result<CreateChannel, FormError> {
        let name = optional(&self.name).ok_or(FormError::ChannelName)?;
        let key = optional(&self.key);
        if key.as_deref().is_some_and(|k| !valid_channel_key(k)) {
            return Err(FormError::ChannelKey);
        }
        Ok(CreateChannel {
            key,
            name,
            title: optional(&self.title),
            greeting: optional(&self.greeting),
            greetings: Some(self.greetings()).filter(|g| !g.is_empty()),
            locale: optional(&self.locale),
            allowed_origins: parse_origins(&self.origins),
        })
    }

    /// The form as the server last showed the channel.
    pub fn of(channel: &ChannelView) -> Self {
        Self {
            key: channel.key.clone(),
            name: channel.name.clone(),
            title: channel.title.clone().unwrap_or_default(),
            greeting: channel.greeting.clone().unwrap_or_default(),
            greetings: limits::LOCALES
                .map(|lang| channel.greetings.get(lang).cloned().unwrap_or_default()),
            locale: locale_value(channel.locale.as_deref()).to_owned(),
            origins: origins_text(channel.allowed_origins.as_deref()),
            active: channel.active,
        }
    }

    /// The `PATCH` body with only what differs from `channel` (an emptied field is
    /// `null`); `None` when nothing does. The key is not sent.
    pub fn patch(&self, channel: &ChannelView) -> Result<Option<UpdateChannel>, FormError> {
        let name = optional(&self.name).ok_or(FormError::ChannelName)?;
        fn changed<T: PartialEq>(new: T, old: &T) -> Option<T> {
            (new != *old).then_some(new)
        }
        let patch = UpdateChannel {
            name: changed(name, &channel.name),
            title: changed(optional(&self.title), &channel.title),
            greeting: changed(optional(&self.greeting), &channel.greeting),
            greetings: changed(self.greetings(), &channel.greetings)
                .map(|g| Some(g).filter(|g| !g.is_empty())),
            locale: changed(optional(&self.locale), &channel.locale),
            allowed_origins: changed(parse_origins(&self.origins), &channel.allowed_origins),
            active: changed(self.active, &channel.active),
        };
        Ok((patch != UpdateChannel::default()).then_some(patch))
    }
}

/// The channel the per-channel sections show once the list is in: `current` while
/// it is listed, else the first one (`None` when there are none).
pub fn keep_selection(channels: &[ChannelView], current: &str) -> Option<String> {
    channels
        .iter()
        .find(|c| c.key == current)
        .or_else(|| channels.first())
        .map(|c| c.key.clone())
}

/// The channel to show after `deleted` went: the one after it in `channels` (the
/// list before the deletion), else the one before, else none.
pub fn after_deletion(channels: &[ChannelView], deleted: &str) -> Option<String> {
    let at = channels.iter().position(|c| c.key == deleted)?;
    channels
        .get(at + 1)
        .or_else(|| at.checked_sub(1).and_then(|i| channels.get(i)))
        .map(|c| c.key.clone())
}

// Native tier: `cargo test -p canal-console` (no browser needed).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use canal_protocol::agent::{BotRule, Status};

    use super::*;

    fn agent(id: u64, role: Role, cap: Option<u32>) -> AgentView {
        AgentView {
            id,
            email: format!("a{id}@example.com"),
            name: format!("Agent {id}"),
            role,
            cap,
            avatar_url: None,
            is_bot: false,
            dismissed: false,
            status: Status::Online,
        }
    }

    fn loaded() -> RoutingSettings {
        RoutingSettings {
            mode: RoutingMode::Evenly,
            pass_after_secs: 90,
            check_online: true,
            exclusions: CapExclusions::default(),
            route_to_responsible: true,
            bot_agent_id: Some(9),
            bot_rules: vec![BotRule {
                keywords: vec!["price".into()],
                answer: "See /pricing".into(),
            }],
            no_agent_reply: Some("We are away.".into()),
            display_mode: DisplayMode::Channel,
            queue: vec![QueueItem::Agent(1), QueueItem::Department(4)],
        }
    }

    #[test]
    fn wire_names_round_trip() {
        for role in ROLES {
            assert_eq!(parse_role(role_str(role)), Some(role));
            assert_eq!(
                serde_json::to_value(role).expect("role"),
                serde_json::json!(role_str(role))
            );
        }
        for mode in MODES {
            assert_eq!(parse_mode(mode_str(mode)), Some(mode));
            assert_eq!(
                serde_json::to_value(mode).expect("mode"),
                serde_json::json!(mode_str(mode))
            );
        }
        for mode in DISPLAY_MODES {
            assert_eq!(parse_display(display_str(mode)), Some(mode));
            assert_eq!(
                serde_json::to_value(mode).expect("display"),
                serde_json::json!(display_str(mode))
            );
        }
        assert_eq!(parse_role("root"), None);
    }

    #[test]
    fn a_new_agent_needs_email_name_and_password_and_a_numeric_cap() {
        let mut form = NewAgent {
            email: " bo@example.com ".into(),
            name: " Bo ".into(),
            password: " long secret ".into(),
            role: Role::Supervisor,
            cap: String::new(),
        };
        let request = form.request().expect("request");
        assert_eq!(request.email, "bo@example.com");
        assert_eq!(request.name, "Bo");
        assert_eq!(request.password, " long secret ", "sent as typed");
        assert_eq!(request.role, Role::Supervisor);
        assert_eq!(request.cap, None);
        assert_eq!(
            serde_json::to_value(&request).expect("json"),
            serde_json::json!({
                "email": "bo@example.com", "name": "Bo", "password": " long secret ",
                "role": "supervisor", "is_bot": false
            })
        );
        form.cap = " 3 ".into();
        assert_eq!(form.request().map(|r| r.cap), Ok(Some(3)));
        form.cap = "-1".into();
        assert_eq!(form.request(), Err(FormError::Cap));
        form.cap = String::new();
        form.name = "  ".into();
        assert_eq!(form.request(), Err(FormError::Missing));
    }

    #[test]
    fn an_agent_patch_has_only_what_changed() {
        let ben = agent(2, Role::Agent, Some(3));
        let mut edit = AgentEdit::of(&ben);
        assert_eq!(edit.cap, "3");
        assert_eq!(edit.patch(&ben), Ok(None));

        edit.cap = String::new();
        let patch = edit.patch(&ben).expect("valid").expect("a change");
        assert_eq!(
            serde_json::to_value(&patch).expect("json"),
            serde_json::json!({"cap": null}),
            "a cleared cap is null"
        );

        edit.cap = "5".into();
        edit.role = Role::Admin;
        edit.dismissed = true;
        let patch = edit.patch(&ben).expect("valid").expect("a change");
        assert_eq!(
            serde_json::to_value(&patch).expect("json"),
            serde_json::json!({"cap": 5, "role": "admin", "dismissed": true})
        );

        edit.cap = "many".into();
        assert_eq!(edit.patch(&ben), Err(FormError::Cap));
    }

    #[test]
    fn routing_keeps_what_the_form_does_not_show() {
        let form = RoutingForm::new(loaded());
        assert_eq!(form.pass_after, "2", "90 s shows as 2 minutes");
        assert_eq!(form.settings(), Ok(loaded()), "unchanged: as loaded, 90 s");

        let mut form = RoutingForm::new(loaded());
        form.mode = RoutingMode::Strict;
        form.pass_after = " 5 ".into();
        form.check_online = false;
        form.exclusions.answered = true;
        form.display_mode = DisplayMode::Hidden;
        form.no_agent_reply = "  ".into();
        form.add_agent(3);
        let saved = form.settings().expect("valid");
        assert_eq!(
            saved,
            RoutingSettings {
                mode: RoutingMode::Strict,
                pass_after_secs: 300,
                check_online: false,
                exclusions: CapExclusions {
                    answered: true,
                    ..CapExclusions::default()
                },
                display_mode: DisplayMode::Hidden,
                no_agent_reply: None,
                queue: vec![
                    QueueItem::Agent(1),
                    QueueItem::Department(4),
                    QueueItem::Agent(3)
                ],
                ..loaded()
            }
        );
        assert_eq!(saved.bot_agent_id, Some(9));
        assert_eq!(saved.bot_rules.len(), 1);
        assert!(saved.route_to_responsible);

        form.no_agent_reply = " Back at 9. ".into();
        assert_eq!(
            form.settings().map(|s| s.no_agent_reply),
            Ok(Some("Back at 9.".into()))
        );
    }

    #[test]
    fn working_hours_round_trip_through_the_form() {
        let hours = WorkingHours {
            time_zone: "Europe/Madrid".into(),
            days: WeekHours {
                mon: vec![
                    TimeRange {
                        from: "09:00".into(),
                        to: "13:00".into(),
                    },
                    TimeRange {
                        from: "14:00".into(),
                        to: "18:00".into(),
                    },
                ],
                sat: vec![TimeRange {
                    from: "10:00".into(),
                    to: "24:00".into(),
                }],
                ..WeekHours::default()
            },
            holidays: vec!["2031-01-01".into(), "2031-12-25".into()],
            out_of_hours_reply: Some("Back soon.".into()),
        };
        let form = HoursForm::of(&hours);
        assert_eq!(form.days[0], "09:00-13:00, 14:00-18:00");
        assert_eq!(form.days[5], "10:00-24:00");
        assert_eq!(form.days[6], "");
        assert_eq!(form.holidays, "2031-01-01, 2031-12-25");
        assert_eq!(form.request(), Ok(hours));
    }

    #[test]
    fn the_hours_form_reads_what_people_type_and_refuses_what_is_not_ranges() {
        let mut days: [String; 7] = Default::default();
        days[2] = " 9:00 - 12:00 ,, 13:00-17:00, ".into();
        let form = HoursForm {
            time_zone: " America/New_York ".into(),
            days,
            holidays: "2031-07-04\n2031-12-25,2031-12-26".into(),
            reply: "   ".into(),
        };
        let request = form.request().expect("request");
        assert_eq!(request.time_zone, "America/New_York");
        assert_eq!(
            request.days.wed,
            vec![
                TimeRange {
                    from: "9:00".into(),
                    to: "12:00".into()
                },
                TimeRange {
                    from: "13:00".into(),
                    to: "17:00".into()
                }
            ],
            "the server judges the times"
        );
        assert!(request.days.mon.is_empty());
        assert_eq!(request.holidays, ["2031-07-04", "2031-12-25", "2031-12-26"]);
        assert_eq!(request.out_of_hours_reply, None);
        for bad in ["09:00", "09:00-", "-17:00", "09:00 to 17:00"] {
            let mut form = HoursForm::default();
            form.days[0] = bad.into();
            assert_eq!(form.request(), Err(FormError::Ranges), "{bad}");
        }
        let form = HoursForm {
            time_zone: " ".into(),
            ..HoursForm::default()
        };
        assert_eq!(form.request(), Err(FormError::TimeZone));
    }

    #[test]
    fn pass_after_is_one_to_720_minutes() {
        let mut form = RoutingForm::new(loaded());
        for (typed, secs) in [("1", 60), ("720", 43_200)] {
            form.pass_after = typed.into();
            assert_eq!(form.settings().map(|s| s.pass_after_secs), Ok(secs));
        }
        for typed in ["0", "721", "", "1.5", "ten"] {
            form.pass_after = typed.into();
            assert_eq!(form.settings(), Err(FormError::PassAfter), "{typed:?}");
        }
    }

    #[test]
    fn the_queue_is_an_ordered_list_of_agents() {
        let mut form = RoutingForm::new(loaded());
        form.add_agent(1);
        assert_eq!(form.queue.len(), 2, "no duplicates");
        form.add_agent(2);
        form.move_up(2);
        assert_eq!(
            form.queue,
            [
                QueueItem::Agent(1),
                QueueItem::Agent(2),
                QueueItem::Department(4)
            ]
        );
        form.move_up(0);
        form.move_down(2);
        form.move_down(9);
        assert_eq!(form.queue[0], QueueItem::Agent(1), "edges stay put");
        form.move_down(0);
        assert_eq!(form.queue[..2], [QueueItem::Agent(2), QueueItem::Agent(1)]);
        form.remove(0);
        form.remove(7);
        assert_eq!(form.queue, [QueueItem::Agent(1), QueueItem::Department(4)]);
    }

    #[test]
    fn managers_are_picked_from_the_supervisors_and_former_ones_can_be_taken_off() {
        let mut gone = agent(4, Role::Supervisor, None);
        gone.dismissed = true;
        let agents = [
            agent(1, Role::Admin, None),
            agent(2, Role::Supervisor, None),
            agent(3, Role::Agent, None),
            gone,
            agent(5, Role::Supervisor, None),
        ];
        let ids = |choices: Vec<(u64, String, bool)>| -> Vec<(u64, bool)> {
            choices.into_iter().map(|(id, _, now)| (id, now)).collect()
        };
        assert_eq!(ids(manager_choices(&agents, &[])), [(2, true), (5, true)]);
        // Agent 3 was a supervisor when named; 9 is no longer listed at all.
        let choices = manager_choices(&agents, &[5, 3, 9]);
        assert_eq!(choices[3].1, "#9");
        assert_eq!(ids(choices), [(2, true), (5, true), (3, false), (9, false)]);

        let mut managers = vec![5];
        tick(&mut managers, 2, true);
        tick(&mut managers, 2, true);
        assert_eq!(managers, [5, 2], "once, in the order ticked");
        tick(&mut managers, 5, false);
        tick(&mut managers, 7, false);
        assert_eq!(managers, [2]);
    }

    #[test]
    fn only_active_people_outside_the_queue_can_be_added() {
        let mut bot = agent(3, Role::Agent, None);
        bot.is_bot = true;
        let mut gone = agent(4, Role::Agent, None);
        gone.dismissed = true;
        let agents = [
            agent(1, Role::Admin, None),
            agent(2, Role::Agent, None),
            bot,
            gone,
        ];
        let ids: Vec<u64> = addable(&agents, &[QueueItem::Agent(1)])
            .iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(ids, [2]);
    }
    fn shop() -> ChannelView {
        ChannelView {
            key: "shop".into(),
            name: "Shop".into(),
            title: Some("Shop support".into()),
            greeting: None,
            greetings: Greetings::from([("ru".into(), "Здравствуйте".into())]),
            locale: Some("es".into()),
            allowed_origins: Some(vec!["https://shop.example".into()]),
            active: true,
            agreement_id: None,
            created_at: "2031-01-01T00:00:00Z".into(),
            snippet: "<script src=\"/embed.js?channel=shop\" async></script>".into(),
            managers: Vec::new(),
            deleted_at: None,
        }
    }

    #[test]
    fn a_new_channel_needs_only_a_name() {
        let form = ChannelDraft {
            name: " Shop ".into(),
            ..ChannelDraft::default()
        };
        let request = form.request().expect("request");
        assert_eq!(
            serde_json::to_value(&request).expect("json"),
            serde_json::json!({"name": "Shop"}),
            "empty fields are left out"
        );
        assert_eq!(
            ChannelDraft::default().request(),
            Err(FormError::ChannelName)
        );
        let blank = ChannelDraft {
            name: "  ".into(),
            key: "shop".into(),
            ..ChannelDraft::default()
        };
        assert_eq!(blank.request(), Err(FormError::ChannelName));
    }

    #[test]
    fn a_new_channel_sends_what_was_typed_trimmed() {
        let form = ChannelDraft {
            key: " shop-2 ".into(),
            name: "Shop".into(),
            title: " Shop support ".into(),
            greeting: " Hi! How can we help? ".into(),
            greetings: [String::new(), " ¡Hola! ".into(), "  ".into()],
            locale: "ru".into(),
            origins: "https://shop.example\n\n  https://www.shop.example:8443 \n".into(),
            active: false,
        };
        assert_eq!(
            form.request(),
            Ok(CreateChannel {
                key: Some("shop-2".into()),
                name: "Shop".into(),
                title: Some("Shop support".into()),
                greeting: Some("Hi! How can we help?".into()),
                greetings: Some(Greetings::from([("es".into(), "¡Hola!".into())])),
                locale: Some("ru".into()),
                allowed_origins: Some(vec![
                    "https://shop.example".into(),
                    "https://www.shop.example:8443".into()
                ]),
            })
        );
    }

    #[test]
    fn channel_keys_are_checked_before_sending() {
        for good in ["abc", "shop-2", "a1b", "k".repeat(40).as_str()] {
            assert!(valid_channel_key(good), "{good}");
        }
        for bad in [
            "ab",
            "Shop",
            "-shop",
            "shop-",
            "sh op",
            "shóp",
            "a/b",
            "k".repeat(41).as_str(),
        ] {
            assert!(!valid_channel_key(bad), "{bad}");
            let form = ChannelDraft {
                key: bad.to_owned(),
                name: "Shop".into(),
                ..ChannelDraft::default()
            };
            assert_eq!(form.request(), Err(FormError::ChannelKey), "{bad}");
        }
    }

    #[test]
    fn origins_are_one_a_line_and_none_is_any_site() {
        assert_eq!(parse_origins(""), None);
        assert_eq!(parse_origins(" \n \n"), None);
        assert_eq!(
            parse_origins("https://a.example, https://b.example\r\nhttps://c.example"),
            Some(vec![
                "https://a.example".into(),
                "https://b.example".into(),
                "https://c.example".into()
            ])
        );
        let two = vec![
            "https://a.example".to_owned(),
            "https://b.example".to_owned(),
        ];
        assert_eq!(
            origins_text(Some(&two)),
            "https://a.example\nhttps://b.example"
        );
        assert_eq!(parse_origins(&origins_text(Some(&two))), Some(two));
        assert_eq!(origins_text(None), "");
    }

    #[test]
    fn a_channel_patch_has_only_what_changed() {
        let channel = shop();
        let mut edit = ChannelDraft::of(&channel);
        assert_eq!(edit.title, "Shop support");
        assert_eq!(edit.locale, "es");
        assert_eq!(edit.origins, "https://shop.example");
        assert!(edit.active);
        assert_eq!(edit.greetings, ["", "", "Здравствуйте"]);
        assert_eq!(edit.patch(&channel), Ok(None));

        edit.name = " Shop ".into();
        edit.origins = " https://shop.example \n".into();
        assert_eq!(edit.patch(&channel), Ok(None), "the same once trimmed");

        edit.title = " ".into();
        edit.locale = String::new();
        edit.origins = String::new();
        edit.greeting = "Hello".into();
        edit.active = false;
        let patch = edit.patch(&channel).expect("valid").expect("a change");
        assert_eq!(
            serde_json::to_value(&patch).expect("json"),
            serde_json::json!({
                "title": null, "greeting": "Hello", "locale": null,
                "allowed_origins": null, "active": false
            }),
            "emptied fields are null; the name is left out"
        );

        edit.name = "Shop EU".into();
        let patch = edit.patch(&channel).expect("valid").expect("a change");
        assert_eq!(patch.name.as_deref(), Some("Shop EU"));
        assert_eq!(patch.greetings, None, "the greetings did not change");

        edit.greetings[1] = " Hola ".into();
        let patch = edit.patch(&channel).expect("valid").expect("a change");
        assert_eq!(
            serde_json::to_value(&patch.greetings).expect("json"),
            serde_json::json!({"es": "Hola", "ru": "Здравствуйте"}),
            "every language is sent, as a whole"
        );
        edit.greetings = Default::default();
        let patch = edit.patch(&channel).expect("valid").expect("a change");
        assert_eq!(patch.greetings, Some(None), "none left: null");

        edit.name = "  ".into();
        assert_eq!(edit.patch(&channel), Err(FormError::ChannelName));
    }

    #[test]
    fn the_selection_stays_while_listed_and_moves_on_when_deleted() {
        let mut demo = shop();
        demo.key = "demo".into();
        let mut eu = shop();
        eu.key = "eu".into();
        let list = [demo, shop(), eu];
        assert_eq!(keep_selection(&list, "shop").as_deref(), Some("shop"));
        assert_eq!(keep_selection(&list, "gone").as_deref(), Some("demo"));
        assert_eq!(keep_selection(&list, "").as_deref(), Some("demo"));
        assert_eq!(keep_selection(&[], "demo"), None);

        assert_eq!(after_deletion(&list, "shop").as_deref(), Some("eu"));
        assert_eq!(after_deletion(&list, "eu").as_deref(), Some("shop"));
        assert_eq!(after_deletion(&list, "demo").as_deref(), Some("shop"));
        assert_eq!(after_deletion(&list[..1], "demo"), None);
        assert_eq!(after_deletion(&list, "nope"), None);
    }

    fn summary(id: &str, kind: AgreementKind) -> AgreementChoice {
        AgreementChoice {
            id: id.into(),
            name: format!("Agreement {id}"),
            kind,
        }
    }

    #[test]
    fn the_chat_asks_only_for_a_personal_data_agreement_or_none() {
        let list = [
            summary("pd", AgreementKind::PersonalData),
            summary("news", AgreementKind::Marketing),
            summary("pd2", AgreementKind::PersonalData),
        ];
        let ids: Vec<String> = chat_agreements(&list)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(ids, ["pd", "pd2"]);
        let form = AgreementForm::of(Some("pd2"));
        assert_eq!(
            form.request().map(|r| r.agreement_id),
            Ok(Some("pd2".into()))
        );
        let none = AgreementForm::of(None);
        assert_eq!(none.agreement_id, "");
        assert_eq!(none.request().map(|r| r.agreement_id), Ok(None));
    }

    #[test]
    fn a_contact_form_lists_its_fields_in_order_and_keeps_its_agreements() {
        assert_eq!(
            ContactFormDraft::of(None),
            ContactFormDraft {
                ask_in_chat: true,
                ..ContactFormDraft::default()
            },
            "a new form is asked for in the chat"
        );
        let saved = SetContactForm {
            fields: vec![
                FormField {
                    name: FieldName::Phone,
                    required: true,
                },
                FormField {
                    name: FieldName::Name,
                    required: false,
                },
            ],
            agreements: vec!["b".into(), "a".into()],
            ask_in_chat: false,
        };
        let mut draft = ContactFormDraft::of(Some(&saved));
        assert!(!draft.ask_in_chat);
        assert_eq!(draft.asks, [Ask::Optional, Ask::No, Ask::Required]);
        assert_eq!(draft.agreements, ["b", "a"]);
        draft.asks[1] = Ask::Required;
        draft.asks[2] = Ask::No;
        tick(&mut draft.agreements, "b".to_owned(), false);
        tick(&mut draft.agreements, "c".to_owned(), true);
        tick(&mut draft.agreements, "c".to_owned(), true);
        let request = draft.request().expect("always a body");
        assert_eq!(
            request.fields,
            [
                FormField {
                    name: FieldName::Name,
                    required: false
                },
                FormField {
                    name: FieldName::Email,
                    required: true
                },
            ]
        );
        assert_eq!(request.agreements, ["a", "c"]);
        for ask in ASKS {
            assert_eq!(parse_ask(ask_str(ask)), Some(ask));
        }
        assert_eq!(parse_ask("maybe"), None);
    }

    #[test]
    fn a_theme_form_checks_the_accent_and_the_launcher_text() {
        let theme = Theme {
            color: Some("#0b7a3b".into()),
            position: Position::Left,
            launcher_text: Some("Ask us".into()),
            mode: ThemeMode::Dark,
        };
        let mut form = ThemeForm::of(&theme);
        assert_eq!(form.request(), Ok(theme));
        assert_eq!(form.picker_color(), "#0b7a3b");

        form.color = " C0FFEE ".into();
        form.launcher_text = "   ".into();
        let request = form.request().expect("valid");
        assert_eq!(request.color.as_deref(), Some("#c0ffee"));
        assert_eq!(request.launcher_text, None, "blank: Chat");

        form.color = String::new();
        assert_eq!(form.request().map(|t| t.color), Ok(None), "Canal's blue");
        assert_eq!(form.picker_color(), DEFAULT_COLOR);

        for bad in ["#12345", "#1234567", "#12345g", "blue", "#"] {
            form.color = bad.into();
            assert_eq!(form.request(), Err(FormError::Color), "{bad}");
            assert_eq!(form.picker_color(), DEFAULT_COLOR);
        }
        form.color = String::new();
        form.launcher_text = "x".repeat(theme_limits::MAX_LAUNCHER_TEXT_CHARS);
        assert!(form.request().is_ok());
        form.launcher_text.push('x');
        assert_eq!(form.request(), Err(FormError::LauncherText));
        assert_eq!(FormError::LauncherText.field(), Some("launcher_text"));
        assert_eq!(FormError::Color.field(), Some("color"));
        assert_eq!(FormError::Ranges.field(), None);
    }

    #[test]
    fn an_identity_window_is_whole_seconds_within_the_servers_range() {
        let view = IdentityView {
            enforced: true,
            window_secs: 90,
            has_secret: true,
        };
        let mut form = IdentityForm::of(&view);
        assert_eq!(form.window, "90");
        assert_eq!(
            form.request(),
            Ok(SetIdentity {
                enforced: true,
                window_secs: 90
            })
        );
        for (text, ok) in [
            (" 60 ", true),
            ("604800", true),
            ("59", false),
            ("604801", false),
            ("1.5", false),
            ("", false),
            ("-60", false),
        ] {
            form.window = text.into();
            assert_eq!(form.request().is_ok(), ok, "{text}");
        }
        assert_eq!(FormError::Window.field(), Some("window_secs"));
    }

    #[test]
    fn a_refusal_names_the_field_it_starts_with() {
        assert_eq!(
            named_field("color must be a colour like #1f5fd1"),
            Some("color")
        );
        assert_eq!(
            named_field("launcher_text must be 1 to 40 characters"),
            Some("launcher_text")
        );
        assert_eq!(
            named_field("window_secs must be between 60 and 604800 (7 days)"),
            Some("window_secs")
        );
        assert_eq!(
            named_field("create an identity secret before enforcing verification"),
            None
        );
        assert_eq!(named_field(""), None);
        assert_eq!(named_field("colors are nice"), None);
    }
}
