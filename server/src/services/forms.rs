//! The widget's contact form: saving a channel's form, showing it, and a
//! submission, which appends one consent record (source `form`) per accepted
//! agreement once every check has passed: required agreements accepted (and, for
//! "must open the full text", opened), versions current, fields valid.

use canal_protocol::forms::{ContactFormView, ContactSubmission, ContactSubmitted, SetContactForm};
use canal_protocol::ErrorCode;

use super::consents::{append, Requester};
use super::conversations::agreement_view;
use super::visitors::{allowed_page, consenting_visitor, own_conversation};
use crate::app::AppState;
use crate::error::AppError;
use crate::ledger::{Action, Entry, Source, Visitor};
use crate::store::Channel;

fn no_form() -> AppError {
    AppError::not_found(ErrorCode::NotFound, "this channel has no contact form")
}

/// The channel's form as saved (404 when it has none).
async fn stored(state: &AppState, channel_id: &str) -> Result<SetContactForm, AppError> {
    let (fields, agreements, ask_in_chat) =
        state.store.form(channel_id).await?.ok_or_else(no_form)?;
    Ok(SetContactForm {
        fields: serde_json::from_str(&fields).unwrap_or_default(),
        agreements: serde_json::from_str(&agreements).unwrap_or_default(),
        ask_in_chat,
    })
}

/// The form as the visitor sees it: its fields and its agreements' current versions.
async fn view(state: &AppState, form: SetContactForm) -> Result<ContactFormView, AppError> {
    let mut agreements = Vec::new();
    for id in &form.agreements {
        if let Some(view) = agreement_view(state, id).await? {
            agreements.push(view);
        }
    }
    Ok(ContactFormView {
        fields: form.fields,
        agreements,
        ask_in_chat: form.ask_in_chat,
    })
}

/// The channel's form as saved (404 when it has none).
pub async fn saved(state: &AppState, channel: &Channel) -> Result<SetContactForm, AppError> {
    stored(state, &channel.id).await
}

/// The channel's form as the visitor sees it (404 when it has none).
pub async fn shown(state: &AppState, channel: &Channel) -> Result<ContactFormView, AppError> {
    let form = stored(state, &channel.id).await?;
    view(state, form).await
}

/// Saves the channel's form, once its fields are valid and its agreements exist.
pub async fn save(
    state: &AppState,
    channel: &Channel,
    form: SetContactForm,
) -> Result<ContactFormView, AppError> {
    canal_core::forms::check(&form)?;
    for id in &form.agreements {
        if state.store.agreement(id).await?.is_none() {
            return Err(AppError::invalid(format!("agreement {id} does not exist")));
        }
    }
    let fields =
        serde_json::to_string(&form.fields).map_err(|e| AppError::Internal(e.to_string()))?;
    let agreements =
        serde_json::to_string(&form.agreements).map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .store
        .put_form(&channel.id, &fields, &agreements, form.ask_in_chat)
        .await?;
    view(state, form).await
}

/// A visitor's submission of the form, its page already checked as a URL: the
/// accepted agreements' consents first (one record each, retried safely by the
/// request id), then the submission that names them.
pub async fn submit(
    state: &AppState,
    channel: &Channel,
    request: ContactSubmission,
    page_url: String,
    by: Requester,
) -> Result<ContactSubmitted, AppError> {
    let form = stored(state, &channel.id).await?;
    let visitor_id = consenting_visitor(state, channel, &request.visitor_token).await?;
    if let Some(conversation_id) = &request.conversation_id {
        own_conversation(state, &channel.id, &visitor_id, conversation_id).await?;
    }
    allowed_page(channel, &page_url)?;
    let shown = view(state, form.clone()).await?.agreements;
    let canal_core::forms::Details { name, email, phone } =
        canal_core::forms::submission(&form.fields, &shown, &request)?;

    let mut consent_ids = Vec::new();
    for (n, agreement) in shown
        .iter()
        .filter(|a| request.accepted.contains(&a.version_id))
        .enumerate()
    {
        let entry = Entry {
            action: Action::Grant,
            agreement_version_id: agreement.version_id.clone(),
            channel_id: channel.id.clone(),
            visitor: Visitor::Existing(visitor_id.clone()),
            ip: Some(by.ip.clone()),
            user_agent: Some(by.user_agent.clone()),
            page_url: Some(page_url.clone()),
            source: Source::Form,
            conversation_id: request.conversation_id.clone(),
            crm_entity: None,
            request_id: request.request_id.as_ref().map(|r| format!("form{n}.{r}")),
        };
        let stored = append(
            state,
            entry,
            "request_id was already used for a different submission",
        )
        .await?;
        consent_ids.push(stored.record.id);
    }

    let consents = serde_json::to_string(&consent_ids).unwrap_or_else(|_| "[]".into());
    let submission_id = state
        .store
        .submit_form(&canal_store::features::Submission {
            channel_id: &channel.id,
            visitor_id: &visitor_id,
            conversation_id: request.conversation_id.as_deref(),
            name: name.as_deref(),
            email: email.as_deref(),
            phone: phone.as_deref(),
            consent_ids: &consents,
            request_id: request.request_id.as_deref(),
        })
        .await?;
    let s = super::crm::settings(state, &channel.id).await?;
    let details = super::crm::given(&s, name.as_deref(), phone.as_deref(), email.as_deref());
    super::crm::track_logged(
        state,
        &channel.id,
        &visitor_id,
        request.conversation_id.as_deref(),
        &details,
        super::crm::Origin::Livechat,
    )
    .await;
    Ok(ContactSubmitted {
        submission_id,
        consent_ids,
    })
}
