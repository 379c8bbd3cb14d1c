//! The CRM and the chat tracker. Contact details arrive from the contact form,
//! `Canal.setUser`, a messenger profile, or typed inside a message; with the
//! channel's "check the customer in the CRM" on, [`track`] finds the customer
//! (canal-core decides, the store writes in one transaction): a match attaches the
//! conversation and merges the new details; no match and a customer who can be
//! reached again (a messenger chat, or contact data left) makes a contact and,
//! per the channel's mode, a deal or a lead named after them, with the chat as its
//! source; a website visitor who left nothing makes nothing. With the chat tracker
//! on, what is typed inside messages counts too.
//!
//! Also here: the customer card beside a conversation, "save to CRM" from it, the
//! admin API's contacts and records, the responsible agent on take and transfer,
//! and who hears of a customer's new message ([`notify_inbound`]).

use canal_core::crm::{self as core_crm, Details, RecordKind, Region};
use canal_core::Refusal;
use canal_protocol::crm::{
    ConsentLinkView, ContactCard, ContactConversationView, ContactEdit, ContactView, CrmMode,
    CrmSettings, RecordEdit, RecordTranscript, RecordView,
};
use canal_protocol::ErrorCode;
use canal_protocol::{Author, MessageView};
use canal_store::crm::{Contact, Merge, RecordRow, Track, Tracked};

use crate::app::AppState;
use crate::error::AppError;
use crate::store::AgentRow;

/// Where the details came from: what the tracker may do with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A website visitor's form, `setUser`, or the start of their conversation.
    Livechat,
    /// A messenger chat: the customer can always be answered there.
    Messenger,
    /// Typed inside a message (only with the chat tracker on).
    Text { messenger: bool },
}

impl Origin {
    fn source(self) -> &'static str {
        match self {
            Origin::Messenger | Origin::Text { messenger: true } => "messenger",
            Origin::Livechat | Origin::Text { messenger: false } => "livechat",
        }
    }

    fn reachable(self) -> bool {
        matches!(self, Origin::Messenger | Origin::Text { messenger: true })
    }
}

/// A channel's CRM settings, or the defaults (the tracker on, deals).
/// Kept in memory per channel (see [`crate::preview::PerChannel`]): every
/// visitor's message reads them.
pub async fn settings(state: &AppState, channel_id: &str) -> Result<CrmSettings, AppError> {
    let read = async {
        Ok(state
            .store
            .crm_settings(channel_id)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default())
    };
    state.crm_settings.get(channel_id, read).await
}

/// Saves a channel's CRM settings (checked first: 422 and nothing saved for a
/// bad one); answers them as stored.
pub async fn save_settings(
    state: &AppState,
    channel_id: &str,
    s: CrmSettings,
) -> Result<CrmSettings, AppError> {
    check_settings(&s)?;
    let json =
        serde_json::to_string(&s).map_err(|e| AppError::Internal(format!("crm settings: {e}")))?;
    state.store.put_crm_settings(channel_id, &json).await?;
    state.crm_settings.set(channel_id, &s);
    Ok(s)
}

/// Checks a channel's CRM settings before they are saved.
pub fn check_settings(s: &CrmSettings) -> Result<(), AppError> {
    if let Some(region) = &s.default_region {
        if Region::parse(region).is_none() {
            return Err(AppError::invalid(
                "crm.default_region must be a two-letter country code the phone plans know, e.g. ES",
            ));
        }
    }
    core_crm::check_field_map(&s.field_map)?;
    Ok(())
}

/// The dialog closed: the channel's field mapping writes its UTM, client id,
/// message id, click time and custom fields to the lead or deal made from it
/// (other fields of the record stay), and the conversation's transcript goes on
/// every record it touched ([`write_transcript`]). Errors are logged.
pub async fn closed(state: &AppState, conversation_id: &str) {
    if let Err(e) = write_mapped_fields(state, conversation_id).await {
        tracing::error!(error = %e, "writing the CRM's mapped fields failed");
    }
    if let Err(e) = write_transcript(state, conversation_id).await {
        tracing::error!(error = %e, "writing the transcript to the CRM failed");
    }
}

/// The conversation's transcript (the customer's and the agents' messages, with
/// time and author) on the leads and deals it touched: the ones made from it,
/// else its contact's newest open one. One transcript per record and
/// conversation, rewritten whole at each close, so a reopened and closed again
/// chat is there once, with everything.
async fn write_transcript(state: &AppState, conversation_id: &str) -> Result<(), AppError> {
    let records = state.store.crm_records_touched(conversation_id).await?;
    if records.is_empty() {
        return Ok(());
    }
    let lines: Vec<MessageView> = state
        .store
        .crm_transcript_lines(conversation_id)
        .await?
        .into_iter()
        .map(|m| {
            let agent = m.author == "agent";
            MessageView {
                seq: u64::try_from(m.seq).unwrap_or(0),
                author: if agent {
                    Author::Agent
                } else {
                    Author::Visitor
                },
                text: m.body,
                client_id: None,
                sent_at: m.created_at,
                author_name: m.agent_name.filter(|_| agent),
                author_avatar: None,
            }
        })
        .collect();
    let json = serde_json::to_string(&lines)
        .map_err(|e| AppError::Internal(format!("transcript: {e}")))?;
    state
        .store
        .crm_put_transcript(&records, conversation_id, &json)
        .await?;
    Ok(())
}

/// The transcripts on a record.
async fn transcripts(state: &AppState, record_id: &str) -> Result<Vec<RecordTranscript>, AppError> {
    Ok(state
        .store
        .crm_transcripts_of(record_id)
        .await?
        .into_iter()
        .map(|t| RecordTranscript {
            conversation_id: t.conversation_id,
            written_at: t.written_at,
            lines: serde_json::from_str(&t.lines).unwrap_or_default(),
        })
        .collect())
}

async fn write_mapped_fields(state: &AppState, conversation_id: &str) -> Result<(), AppError> {
    let Some(conversation) = state.store.conversation(conversation_id).await? else {
        return Ok(());
    };
    let s = settings(state, &conversation.channel_id).await?;
    if s.field_map.is_empty() {
        return Ok(());
    }
    let records = state.store.crm_records_from(conversation_id).await?;
    if records.is_empty() {
        return Ok(());
    }
    let Some((visitor_id, utm, created_at, first_seq)) =
        state.store.crm_close_facts(conversation_id).await?
    else {
        return Ok(());
    };
    let facts = core_crm::CloseFacts {
        utm: utm
            .and_then(|u| serde_json::from_str(&u).ok())
            .unwrap_or_default(),
        client_id: visitor_id,
        message_id: first_seq.map(|seq| format!("{conversation_id}:{seq}")),
        click_time: created_at,
    };
    let mapped = core_crm::mapped_fields(&s.field_map, &facts);
    for record in records {
        let mut fields: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&record.fields).unwrap_or_default();
        for (k, v) in &mapped {
            fields.insert(k.clone(), serde_json::Value::String(v.clone()));
        }
        let json = serde_json::Value::Object(fields).to_string();
        state
            .store
            .crm_edit_record(&record.id, None, None, Some(&json))
            .await?;
    }
    Ok(())
}

fn region(s: &CrmSettings) -> Option<Region> {
    s.default_region.as_deref().and_then(Region::parse)
}

fn record_kind(mode: CrmMode) -> Option<RecordKind> {
    match mode {
        CrmMode::Deal => Some(RecordKind::Deal),
        CrmMode::Lead => Some(RecordKind::Lead),
        CrmMode::None => None,
    }
}

/// Details given as fields (form, `setUser`, messenger profile), normalised with
/// the channel's default region.
pub fn given(
    s: &CrmSettings,
    name: Option<&str>,
    phone: Option<&str>,
    email: Option<&str>,
) -> Details {
    Details::given(name, phone, email, region(s))
}

/// The tracker (see the module's doc). Never fails the caller's own work: the
/// caller logs an error and goes on.
pub async fn track(
    state: &AppState,
    channel_id: &str,
    visitor_id: &str,
    conversation_id: Option<&str>,
    details: &Details,
    origin: Origin,
) -> Result<Tracked, AppError> {
    let s = settings(state, channel_id).await?;
    if !s.check_customer || (matches!(origin, Origin::Text { .. }) && !s.tracker) {
        return Ok(Tracked::Nothing);
    }
    let holder = match conversation_id {
        Some(id) => state.store.crm_holder(id).await?,
        None => None,
    };
    let fallback = fallback_name(state, channel_id, origin.source() == "messenger").await?;
    let track = Track {
        channel_id,
        source: origin.source(),
        visitor_id,
        conversation_id,
        details,
        reachable: origin.reachable(),
        record: if s.create_automatically {
            record_kind(s.mode)
        } else {
            None
        },
        fallback_name: fallback,
        holder,
    };
    // Its webhook events were queued with it (see `canal_store::events`).
    Ok(state.store.crm_track(&track).await?)
}

/// The name of a new contact who gave none, in the channel's language (see
/// `canal_core::crm::fallback_name`).
async fn fallback_name(
    state: &AppState,
    channel_id: &str,
    messenger: bool,
) -> Result<&'static str, AppError> {
    let locale = state
        .store
        .channel_by_id(channel_id)
        .await?
        .and_then(|c| c.locale);
    Ok(core_crm::fallback_name(
        canal_core::mail::Language::of(locale.as_deref()),
        messenger,
    ))
}

/// [`track`] for a caller that must not fail because of the CRM: errors are
/// logged.
pub async fn track_logged(
    state: &AppState,
    channel_id: &str,
    visitor_id: &str,
    conversation_id: Option<&str>,
    details: &Details,
    origin: Origin,
) {
    if let Err(e) = track(
        state,
        channel_id,
        visitor_id,
        conversation_id,
        details,
        origin,
    )
    .await
    {
        tracing::error!(error = %e, "the chat tracker failed");
        return;
    }
    // Recognised during the chat: routing hears of the customer's responsible
    // agent (it offers a waiting conversation to them first).
    if let Some(conversation_id) = conversation_id {
        match state.store.responsible_agent(visitor_id).await {
            Ok(Some(agent)) => {
                state
                    .dispatch
                    .customer_recognised(conversation_id, agent)
                    .await
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "reading the responsible agent failed"),
        }
    }
}

/// A visitor's message: the phones and e-mails typed in it, when the channel's
/// tracker is on. Answers whether it found any (and so may have linked the
/// visitor to a contact).
pub async fn message(
    state: &AppState,
    channel_id: &str,
    visitor_id: &str,
    conversation_id: &str,
    text: &str,
    messenger: bool,
) -> bool {
    let s = match settings(state, channel_id).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "reading the CRM settings failed");
            return false;
        }
    };
    if !(s.check_customer && s.tracker) {
        return false;
    }
    let found = core_crm::find_in_text(text, region(&s));
    if found.is_empty() {
        return false;
    }
    track_logged(
        state,
        channel_id,
        visitor_id,
        Some(conversation_id),
        &found,
        Origin::Text { messenger },
    )
    .await;
    true
}

/// A messenger profile, checked: 422 for a name, phone or e-mail that is not
/// one (nothing stored then).
pub async fn profile(
    state: &AppState,
    channel_id: &str,
    profile: Option<&canal_protocol::consents::MessengerProfile>,
) -> Result<Details, AppError> {
    let Some(p) = profile else {
        return Ok(Details::default());
    };
    let s = settings(state, channel_id).await?;
    let name = p
        .name
        .as_deref()
        .map(canal_core::validate::name)
        .transpose()?;
    let phone = match &p.phone {
        Some(raw) => Some(core_crm::normalise_phone(raw, region(&s)).ok_or_else(|| {
            AppError::invalid("profile.phone must be a phone number with its country code")
        })?),
        None => None,
    };
    let email = match &p.email {
        Some(raw) => Some(
            core_crm::normalise_email(raw)
                .ok_or_else(|| AppError::invalid("profile.email must be an e-mail address"))?,
        ),
        None => None,
    };
    Ok(Details {
        name,
        phones: phone.into_iter().collect(),
        emails: email.into_iter().collect(),
    })
}

/// A messenger chat's message (stored): the chat's first message (or a profile
/// with contact data) finds or makes the customer (a messenger client can be
/// answered, so an unknown one gets a contact and record); the phones and
/// e-mails typed in it count too; who should hear of it does, when `notify`
/// (a connector may turn its notices off).
pub async fn messenger_message(
    state: &AppState,
    channel_id: &str,
    conversation_id: &str,
    started: bool,
    profile: &Details,
    text: &str,
    notify: bool,
) {
    let visitor_id = match state.store.conversation(conversation_id).await {
        Ok(Some(c)) => c.visitor_id,
        Ok(None) => return,
        Err(e) => {
            tracing::error!(error = %e, "reading the messenger conversation failed");
            return;
        }
    };
    if started || !profile.is_empty() || profile.name.is_some() {
        track_logged(
            state,
            channel_id,
            &visitor_id,
            Some(conversation_id),
            profile,
            Origin::Messenger,
        )
        .await;
    }
    message(state, channel_id, &visitor_id, conversation_id, text, true).await;
    if notify {
        notify_inbound(state, channel_id, &visitor_id, conversation_id, text).await;
    }
}

/// A website conversation starts: the visitor's `setUser` identity (if any) and
/// an earlier link find the customer before routing, so a known customer's
/// responsible agent can be offered it first.
pub async fn conversation_started(
    state: &AppState,
    channel_id: &str,
    visitor_id: &str,
    conversation_id: &str,
) {
    let identity = match state.store.visitor_user(visitor_id).await {
        Ok(identity) => identity,
        Err(e) => {
            tracing::error!(error = %e, "reading the visitor's identity failed");
            return;
        }
    };
    let details = match (&identity, settings(state, channel_id).await) {
        (Some(u), Ok(s)) => given(
            &s,
            u.name.as_deref(),
            u.phone.as_deref(),
            u.email.as_deref(),
        ),
        _ => Details::default(),
    };
    track_logged(
        state,
        channel_id,
        visitor_id,
        Some(conversation_id),
        &details,
        Origin::Livechat,
    )
    .await;
}

// ----- the responsible agent -----

/// An agent took a conversation: they become the responsible of what this chat
/// created, where nobody is yet (the first agent who took it stays so).
pub async fn taken(state: &AppState, conversation_id: &str, agent_id: i64) {
    if let Err(e) = state
        .store
        .crm_responsible_from_chat(conversation_id, agent_id, true)
        .await
    {
        tracing::error!(error = %e, "setting the CRM responsible failed");
    }
}

/// A conversation was transferred to `to`: with the channel's "change the
/// responsible on transfer" on, they become the responsible of what this chat
/// created. A contact or record that existed before the chat keeps its own.
pub async fn transferred(state: &AppState, conversation_id: &str, to: i64) {
    let Ok(Some(conversation)) = state.store.conversation(conversation_id).await else {
        return;
    };
    match settings(state, &conversation.channel_id).await {
        Ok(s) if s.change_responsible_on_transfer => {
            if let Err(e) = state
                .store
                .crm_responsible_from_chat(conversation_id, to, false)
                .await
            {
                tracing::error!(error = %e, "changing the CRM responsible failed");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "reading the CRM settings failed"),
    }
}

/// Who hears of a customer's new message: the responsible agent of the
/// customer's contact; with none, the channel's supervisors; with none, the
/// admins. Dismissed agents and bots never.
pub async fn notify_inbound(
    state: &AppState,
    channel_id: &str,
    visitor_id: &str,
    conversation_id: &str,
    text: &str,
) {
    match state.store.responsible_agent(visitor_id).await {
        Ok(responsible) => {
            notify_inbound_of(state, channel_id, responsible, conversation_id, text).await;
        }
        Err(e) => tracing::error!(error = %e, "finding who to notify failed"),
    }
}

/// [`notify_inbound`], the customer's responsible agent known (read with the
/// message's insert).
pub async fn notify_inbound_of(
    state: &AppState,
    channel_id: &str,
    responsible: Option<i64>,
    conversation_id: &str,
    text: &str,
) {
    let found = async {
        let (key, agents) = state
            .dispatch
            .inbound_recipients(channel_id, responsible)
            .await;
        let key = match key {
            Some(key) => key,
            None => state
                .store
                .channel_by_id(channel_id)
                .await?
                .map(|c| c.key)
                .unwrap_or_default(),
        };
        Ok::<_, AppError>((key, agents))
    };
    match found.await {
        Ok((key, agents)) if !agents.is_empty() => {
            state
                .dispatch
                .customer_wrote(agents, &key, conversation_id, text);
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "finding who to notify failed"),
    }
}

// ----- reading -----

fn unknown_contact() -> AppError {
    AppError::not_found(ErrorCode::NotFound, "no such contact")
}

fn unknown_record() -> AppError {
    AppError::not_found(ErrorCode::NotFound, "no such record")
}

async fn contact_view(state: &AppState, c: Contact) -> Result<ContactView, AppError> {
    let responsible_name = match c.row.responsible_agent_id {
        Some(id) => state.store.agent(id).await?.map(|a| a.name),
        None => None,
    };
    Ok(ContactView {
        id: c.row.id,
        name: c.row.name,
        phones: c.phones,
        emails: c.emails,
        first_phone: c.row.first_phone,
        responsible_agent_id: c
            .row
            .responsible_agent_id
            .and_then(|i| u64::try_from(i).ok()),
        responsible_name,
        created_at: c.row.created_at,
        updated_at: c.row.updated_at,
    })
}

async fn record_view(state: &AppState, r: RecordRow) -> Result<RecordView, AppError> {
    let channel = state
        .store
        .channel_by_id(&r.channel_id)
        .await?
        .map(|c| c.key)
        .unwrap_or_default();
    Ok(RecordView {
        id: r.id,
        kind: r.kind,
        contact_id: r.contact_id,
        channel,
        source: r.source,
        status: r.status,
        title: r.title,
        fields: serde_json::from_str(&r.fields).unwrap_or_default(),
        conversation_id: r.conversation_id,
        responsible_agent_id: r.responsible_agent_id.and_then(|i| u64::try_from(i).ok()),
        created_at: r.created_at,
        transcripts: Vec::new(),
    })
}

/// A contact with its records, conversations on every channel and consent
/// records (read from the ledger).
/// A contact merged into another answers as that one.
pub async fn card(state: &AppState, contact_id: &str) -> Result<ContactCard, AppError> {
    let contact_id = &state
        .store
        .crm_resolve(contact_id)
        .await?
        .ok_or_else(unknown_contact)?;
    let contact = state
        .store
        .crm_contact(contact_id)
        .await?
        .ok_or_else(unknown_contact)?;
    let contact = contact_view(state, contact).await?;
    let mut records = Vec::new();
    for r in state.store.crm_records_of(contact_id).await? {
        let mut view = record_view(state, r).await?;
        view.transcripts = transcripts(state, &view.id).await?;
        records.push(view);
    }
    let conversations = state
        .store
        .crm_conversations_of(contact_id)
        .await?
        .into_iter()
        .map(|c| ContactConversationView {
            conversation_id: c.conversation_id,
            channel: c.channel_key,
            channel_name: c.channel_name,
            status: c.status,
            created_at: c.created_at,
            messages: u64::try_from(c.messages).unwrap_or(0),
            source: c.source,
        })
        .collect();
    let mut consents = Vec::new();
    for visitor_id in state.store.crm_visitors_of(contact_id).await? {
        let filter = canal_core::ledger::Filter {
            visitor_id: Some(visitor_id),
            ..Default::default()
        };
        for listed in state.store.consents(&filter, 100).await? {
            consents.push(ConsentLinkView {
                consent_id: listed.record.id,
                seq: u64::try_from(listed.record.seq).unwrap_or(0),
                action: listed.record.action,
                agreement_id: listed.agreement_id,
                agreement_version: u64::try_from(listed.agreement_version).unwrap_or(0),
                channel: listed.channel_key,
                source: listed.record.source,
                conversation_id: listed.record.conversation_id,
                created_at: listed.record.created_at,
            });
        }
    }
    consents.sort_by_key(|a| a.seq);
    Ok(ContactCard {
        contact,
        records,
        conversations,
        consents,
    })
}

/// The card beside a conversation, for an agent who may open it.
pub async fn for_conversation(
    state: &AppState,
    agent: &AgentRow,
    conversation_id: &str,
) -> Result<Option<ContactCard>, AppError> {
    state.dispatch.opened_by(agent, conversation_id).await?;
    match state
        .store
        .crm_contact_of_conversation(conversation_id)
        .await?
    {
        Some(contact_id) => Ok(Some(card(state, &contact_id).await?)),
        None => Ok(None),
    }
}

/// "Save to CRM" from the card: links the conversation to the customer's contact,
/// making one from what the visitor told (`setUser`, the form) when the CRM does
/// not know them; makes a lead or deal per the channel's mode (even when it makes
/// none automatically; none in mode `none`) unless the contact has an open one,
/// which the chat is then linked to; then links the chat's consent to the contact
/// in the ledger (a new record, never an edit). Answers the card and whether
/// anything was made.
pub async fn save(
    state: &AppState,
    agent: &AgentRow,
    conversation_id: &str,
) -> Result<(ContactCard, bool), AppError> {
    state.dispatch.opened_by(agent, conversation_id).await?;
    let conversation = state
        .store
        .conversation(conversation_id)
        .await?
        .ok_or_else(AppError::unknown_conversation)?;
    let s = settings(state, &conversation.channel_id).await?;
    let messenger = state
        .store
        .is_messenger_conversation(conversation_id)
        .await?;
    let source = if messenger { "messenger" } else { "livechat" };
    let holder = state.store.crm_holder(conversation_id).await?;
    let mut made = false;
    let contact_id = match state
        .store
        .crm_contact_of_conversation(conversation_id)
        .await?
    {
        Some(id) => id,
        None => {
            let mut details = Details::default();
            if let Some(u) = state.store.visitor_user(&conversation.visitor_id).await? {
                details = given(
                    &s,
                    u.name.as_deref(),
                    u.phone.as_deref(),
                    u.email.as_deref(),
                );
            }
            for (name, phone, email) in state
                .store
                .crm_form_details(&conversation.visitor_id)
                .await?
            {
                let more = given(&s, name.as_deref(), phone.as_deref(), email.as_deref());
                details.phones.extend(more.phones);
                details.emails.extend(more.emails);
                if details.name.is_none() {
                    details.name = more.name;
                }
            }
            let track = Track {
                channel_id: &conversation.channel_id,
                source,
                visitor_id: &conversation.visitor_id,
                conversation_id: Some(conversation_id),
                details: &details,
                // The agent decided to keep this customer.
                reachable: true,
                record: record_kind(s.mode),
                fallback_name: fallback_name(state, &conversation.channel_id, messenger).await?,
                holder,
            };
            match state.store.crm_track(&track).await? {
                Tracked::Created { contact_id, .. } => {
                    made = true;
                    contact_id
                }
                Tracked::Attached { contact_id, .. } => contact_id,
                Tracked::Nothing => {
                    return Err(AppError::Internal("saving to the CRM made nothing".into()))
                }
            }
        }
    };
    // A known customer with no record from this chat yet: one now, per the mode.
    if let Some(kind) = record_kind(s.mode) {
        if state
            .store
            .crm_add_record(
                &contact_id,
                kind,
                &conversation.channel_id,
                source,
                conversation_id,
                holder,
            )
            .await?
            .is_some()
        {
            made = true;
        }
    }
    // The chat's consent, linked to the contact by a new ledger record.
    if conversation.consent_id.is_some() {
        let entity = format!("contact:{contact_id}");
        if let Err(e) = super::consents::link_crm(state, conversation_id, &entity, None).await {
            tracing::warn!(error = %e, "linking the chat's consent to the contact failed");
        }
    }
    Ok((card(state, &contact_id).await?, made))
}

// ----- the admin API -----

const MAX_PAGE: i64 = 200;

/// A page of contacts: all, or searched by name (`q`), phone or e-mail. A phone
/// or e-mail that is not one is a 422.
pub async fn list(
    state: &AppState,
    q: Option<&str>,
    phone: Option<&str>,
    email: Option<&str>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Vec<ContactView>, AppError> {
    let limit = limit.unwrap_or(50);
    let offset = offset.unwrap_or(0);
    if !(1..=MAX_PAGE).contains(&limit) || offset < 0 {
        return Err(AppError::invalid(format!(
            "limit must be 1 to {MAX_PAGE} and offset 0 or more"
        )));
    }
    let q = q.map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > 200) {
        return Err(AppError::invalid("q is longer than 200 characters"));
    }
    let phone = match phone {
        Some(p) => Some(
            core_crm::normalise_phone(p, None)
                .ok_or_else(|| AppError::invalid("phone is not a phone number"))?,
        ),
        None => None,
    };
    let email = match email {
        Some(e) => Some(
            core_crm::normalise_email(e)
                .ok_or_else(|| AppError::invalid("email is not an e-mail address"))?,
        ),
        None => None,
    };
    let mut out = Vec::new();
    for c in state
        .store
        .crm_contacts(q, phone.as_deref(), email.as_deref(), limit, offset)
        .await?
    {
        out.push(contact_view(state, c).await?);
    }
    Ok(out)
}

/// Edits a contact (one merged into another: that one): 422 for a bad value,
/// 409 for a phone or e-mail another contact has, 404 for an unknown contact;
/// nothing changed then.
pub async fn edit(
    state: &AppState,
    contact_id: &str,
    e: ContactEdit,
) -> Result<ContactCard, AppError> {
    let contact_id = &state
        .store
        .crm_resolve(contact_id)
        .await?
        .ok_or_else(unknown_contact)?;
    let contact = state
        .store
        .crm_contact(contact_id)
        .await?
        .ok_or_else(unknown_contact)?;
    let edited = core_crm::edit(
        &contact.details(),
        e.name.as_deref(),
        e.phones.as_deref(),
        e.emails.as_deref(),
        None,
    )?;
    let responsible = match e.responsible_agent_id {
        None => contact.row.responsible_agent_id,
        Some(None) => None,
        Some(Some(id)) => {
            let id = i64::try_from(id).unwrap_or(-1);
            crate::agents::by_id(&state.store, id)
                .await?
                .filter(|a| !a.is_bot && !a.dismissed)
                .ok_or_else(|| AppError::invalid("responsible_agent_id is not an agent"))?;
            Some(id)
        }
    };
    if let Err(taken) = state
        .store
        .crm_edit_contact(contact_id, &edited, responsible)
        .await?
    {
        return Err(AppError::refused(
            Refusal::Conflict,
            ErrorCode::Conflict,
            format!("{taken} belongs to another contact"),
        ));
    }
    card(state, contact_id).await
}

/// Merges the contact `from` into `contact_id` (two records of one person; see
/// `Store::crm_merge_contacts` for what moves), emits `contact.merged` and
/// answers the survivor's card. 422 for a contact merged into itself, 404 for
/// an unknown one, 409 when either was merged already; nothing changed then
/// (so the same merge twice is the merge once).
pub async fn merge(
    state: &AppState,
    contact_id: &str,
    from: &str,
) -> Result<ContactCard, AppError> {
    match state.store.crm_merge_contacts(contact_id, from).await? {
        Merge::Merged => {}
        Merge::Same => {
            return Err(AppError::invalid(
                "from must be another contact than the one it is merged into",
            ))
        }
        Merge::Unknown(id) => {
            return Err(AppError::not_found(
                ErrorCode::NotFound,
                format!("no such contact: {id}"),
            ))
        }
        Merge::AlreadyMerged { contact_id, into } => {
            return Err(AppError::refused(
                Refusal::Conflict,
                ErrorCode::Conflict,
                format!("contact {contact_id} was merged into {into} already"),
            ))
        }
    }
    card(state, contact_id).await
}

/// A page of leads and deals (`kind`: `lead`, `deal`, or both).
pub async fn records(
    state: &AppState,
    kind: Option<&str>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Vec<RecordView>, AppError> {
    let kind = match kind {
        Some(k) => Some(
            RecordKind::parse(k).ok_or_else(|| AppError::invalid("kind must be lead or deal"))?,
        ),
        None => None,
    };
    let limit = limit.unwrap_or(50);
    let offset = offset.unwrap_or(0);
    if !(1..=MAX_PAGE).contains(&limit) || offset < 0 {
        return Err(AppError::invalid(format!(
            "limit must be 1 to {MAX_PAGE} and offset 0 or more"
        )));
    }
    let mut out = Vec::new();
    for r in state.store.crm_records(kind, limit, offset).await? {
        out.push(record_view(state, r).await?);
    }
    Ok(out)
}

/// One lead or deal.
pub async fn record(state: &AppState, id: &str) -> Result<RecordView, AppError> {
    let r = state
        .store
        .crm_record(id)
        .await?
        .ok_or_else(unknown_record)?;
    let mut view = record_view(state, r).await?;
    view.transcripts = transcripts(state, id).await?;
    Ok(view)
}

/// Statuses a record may have.
const STATUSES: [&str; 3] = ["open", "won", "lost"];

/// Edits a record: 422 for a bad value, 404 for an unknown one.
pub async fn edit_record(
    state: &AppState,
    id: &str,
    e: RecordEdit,
) -> Result<RecordView, AppError> {
    let title = e.title.as_deref().map(str::trim);
    if let Some(t) = title {
        if t.is_empty() || t.chars().count() > 200 || t.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "title must be 1 to 200 printable characters",
            ));
        }
    }
    if let Some(s) = &e.status {
        if !STATUSES.contains(&s.as_str()) {
            return Err(AppError::invalid("status must be open, won or lost"));
        }
    }
    let fields = match &e.fields {
        Some(f) => {
            let json = serde_json::to_string(f)
                .map_err(|e| AppError::Internal(format!("record fields: {e}")))?;
            if json.len() > 16_384 || f.len() > 100 {
                return Err(AppError::invalid(
                    "fields must be at most 100 entries and 16 KB",
                ));
            }
            Some(json)
        }
        None => None,
    };
    if !state
        .store
        .crm_edit_record(id, title, e.status.as_deref(), fields.as_deref())
        .await?
    {
        return Err(unknown_record());
    }
    record(state, id).await
}
