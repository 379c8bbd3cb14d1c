//! A visitor's chat with a channel: what the widget needs to show (the channel's
//! config) and starting a conversation, which needs the visitor's current consent
//! when the channel asks for one, then goes to the routing shell.

use canal_core::Refusal;
use canal_protocol::{AgreementView, ChannelConfig, ErrorCode};

use super::visitors::{unauthorized, visitor_of};
use crate::app::AppState;
use crate::error::AppError;
use crate::ledger::Action;
use crate::store::Channel;

/// The current version of an agreement as a visitor sees it.
pub async fn agreement_view(
    state: &AppState,
    agreement_id: &str,
) -> Result<Option<AgreementView>, AppError> {
    let agreement = state.store.agreement(agreement_id).await?;
    let version = state.store.latest_version(agreement_id).await?;
    Ok(agreement.zip(version).map(|(a, v)| AgreementView {
        full_text_path: format!("/agreements/{}", v.id),
        agreement_id: v.agreement_id,
        version_id: v.id,
        title: v.title,
        text: v.body,
        text_format: v.text_format.into(),
        label: v.label,
        sha256: v.sha256,
        behaviour: a.behaviour.into(),
        redirect_url: a.redirect_url,
    }))
}

/// What the widget shows for the channel: title, greeting, language, look, the
/// agreement to accept, working hours and whether an agent is there.
pub async fn config(state: &AppState, channel: Channel) -> Result<ChannelConfig, AppError> {
    let consent = match &channel.consent_agreement_id {
        Some(agreement_id) => agreement_view(state, agreement_id).await?,
        None => None,
    };
    let theme = crate::theme::load(&state.store, &channel.id).await?;
    let hours = crate::hours::public_status(&state.store, &channel.id).await?;
    let offline = !state.dispatch.staffed(&channel.id).await?;
    let rating = crate::services::automation::settings(&state.store, &channel.id)
        .await?
        .rating;
    Ok(ChannelConfig {
        theme: crate::theme::frame(&theme),
        title: channel.shown_title().to_owned(),
        greetings: canal_protocol::LocalGreetings::of(&channel.greetings()),
        channel: channel.key,
        greeting: channel.greeting,
        locale: channel.locale,
        consent,
        hours,
        offline,
        email: state.mail.is_some(),
        typing_preview: state.automations.on(&state.store, &channel.id).await?,
        rating,
    })
}

/// A conversation to start, with its values already checked (page on the
/// channel's sites, UTM tags).
pub struct Start {
    pub page_url: Option<String>,
    pub utm: Option<String>,
    pub visitor_token: Option<String>,
    pub consent_id: Option<String>,
}

/// A started conversation and its visitor (new, or the one the token names).
pub struct Started {
    pub conversation_id: String,
    pub visitor_id: String,
}

/// Starts a conversation and hands it to the routing shell. A channel with an
/// agreement needs the visitor's token and a grant of theirs that has not been
/// withdrawn since (403 `consent_required`; 401 for a token that is not theirs).
pub async fn start(state: &AppState, channel: &Channel, start: Start) -> Result<Started, AppError> {
    let consent_required = || {
        AppError::refused(
            Refusal::Forbidden,
            ErrorCode::ConsentRequired,
            "this channel asks for consent first: record it with POST /api/v1/channels/{key}/consents and pass consent_id",
        )
    };
    let visitor_id = match &start.visitor_token {
        Some(token) => {
            let visitor_id = visitor_of(state, channel, token).await?;
            state.bans.check_visitor(&visitor_id)?;
            Some(visitor_id)
        }
        None => None,
    };
    if channel.consent_agreement_id.is_some()
        && (start.consent_id.is_none() || visitor_id.is_none())
    {
        return Err(if start.consent_id.is_none() {
            consent_required()
        } else {
            unauthorized()
        });
    }
    if let Some(consent_id) = &start.consent_id {
        let consent = state
            .store
            .consent_by_id(consent_id)
            .await?
            .ok_or_else(consent_required)?;
        if consent.channel_id != channel.id
            || consent.action != Action::Grant.as_str()
            || consent.visitor_id.is_none()
            || consent.visitor_id != visitor_id
        {
            return Err(consent_required());
        }
        // A consent withdrawn since no longer allows a conversation.
        if let (Some(agreement_id), Some(visitor)) = (&channel.consent_agreement_id, &visitor_id) {
            let latest = state.store.latest_consent(visitor, agreement_id).await?;
            if latest.is_none_or(|l| l.record.action != Action::Grant.as_str()) {
                return Err(consent_required());
            }
        }
    }
    let visitor_id = match visitor_id {
        Some(id) => id,
        None => state.store.create_visitor(&channel.id).await?,
    };
    let conversation = state
        .store
        .create_conversation(
            &channel.id,
            &visitor_id,
            start.consent_id.as_deref(),
            start.page_url.as_deref(),
            start.utm.as_deref(),
        )
        .await?;
    // A known customer is recognised before routing: their responsible agent
    // may be offered the conversation first.
    super::crm::conversation_started(state, &channel.id, &visitor_id, &conversation.id).await;
    state
        .dispatch
        .conversation_created(
            &conversation.id,
            &visitor_id,
            &channel.id,
            canal_store::routing::Pages {
                page_url: start.page_url,
                utm: start.utm,
                page_now: None,
            },
        )
        .await?;
    Ok(Started {
        conversation_id: conversation.id,
        visitor_id,
    })
}
