//! E-mail to visitors, as the conversation goes: the transcript a visitor asked
//! for (or, having left an e-mail in the contact form, gets) when the conversation
//! closes, and an agent's answer to a visitor who left the page. Each is a row in
//! the store's outbox, sent by [`crate::mail`]; nothing is queued for a visitor who
//! gave no address or withdrew their consent, or when the server sends no mail.

use canal_core::clock::rfc3339;
use canal_core::Refusal;
use canal_protocol::mail::TranscriptRequested;
use canal_protocol::ErrorCode;

use super::visitors::{consenting_visitor, own_conversation};
use crate::app::AppState;
use crate::error::AppError;
use crate::mail::Mailer;
use crate::store::{Channel, MailKind, NewMail};

fn mail_off() -> AppError {
    AppError::refused(
        Refusal::Conflict,
        ErrorCode::MailOff,
        "this server sends no e-mail (no SMTP server is configured)",
    )
}

/// The visitor asks for the conversation's transcript at `email`: kept for the
/// close, or queued now when the conversation is closed already.
pub async fn request_transcript(
    state: &AppState,
    channel: &Channel,
    conversation_id: &str,
    visitor_token: &str,
    email: &str,
) -> Result<TranscriptRequested, AppError> {
    let mailer = state.mail.as_ref().ok_or_else(mail_off)?;
    let visitor_id = consenting_visitor(state, channel, visitor_token).await?;
    let conversation = own_conversation(state, &channel.id, &visitor_id, conversation_id).await?;
    let email = canal_core::validate::email(email)?;
    state
        .store
        .set_transcript_email(conversation_id, &email)
        .await?;
    let queued = conversation.status == "closed";
    if queued {
        queue(
            state,
            mailer,
            conversation_id,
            MailKind::Transcript,
            &email,
            1,
        )
        .await?;
    }
    Ok(TranscriptRequested { email, queued })
}

/// The address to write to about a conversation, when mail is on, the visitor
/// gave one and still consents.
async fn address(state: &AppState, conversation_id: &str) -> Result<Option<String>, AppError> {
    let Some(conversation) = state.store.conversation(conversation_id).await? else {
        return Ok(None);
    };
    let Some(email) = state.store.visitor_email(conversation_id).await? else {
        return Ok(None);
    };
    if state
        .store
        .visitor_withdrew(&conversation.visitor_id, &conversation.channel_id)
        .await?
    {
        return Ok(None);
    }
    Ok(Some(email))
}

/// Queues a mail: a transcript at once, up to the newest message; an answer after
/// the reply delay, from message `from_seq` on.
async fn queue(
    state: &AppState,
    mailer: &Mailer,
    conversation_id: &str,
    kind: MailKind,
    to: &str,
    from_seq: i64,
) -> Result<(), AppError> {
    let now = time::OffsetDateTime::now_utc();
    let (upto_seq, due) = match kind {
        MailKind::Transcript => (Some(state.store.newest_seq(conversation_id).await?), now),
        MailKind::Reply => (None, now + mailer.reply_delay),
    };
    let queued = state
        .store
        .queue_mail(&NewMail {
            conversation_id,
            kind,
            to_address: to,
            from_seq,
            upto_seq,
            now: &rfc3339(now),
            due_at: &rfc3339(due),
        })
        .await?;
    if queued {
        mailer.wake();
    }
    Ok(())
}

/// An agent closed the conversation: its transcript goes to the visitor's address.
pub async fn closed(state: &AppState, conversation_id: &str) -> Result<(), AppError> {
    let Some(mailer) = &state.mail else {
        return Ok(());
    };
    if let Some(to) = address(state, conversation_id).await? {
        queue(state, mailer, conversation_id, MailKind::Transcript, &to, 1).await?;
    }
    Ok(())
}

/// An agent answered (message `seq`): when the visitor is not on the page, the
/// answer is e-mailed after the reply delay, with what follows it by then.
pub async fn answered(state: &AppState, conversation_id: &str, seq: u64) -> Result<(), AppError> {
    let Some(mailer) = &state.mail else {
        return Ok(());
    };
    if state.hub.visitor_present(conversation_id) {
        return Ok(());
    }
    if let Some(to) = address(state, conversation_id).await? {
        let from_seq = i64::try_from(seq).unwrap_or(i64::MAX);
        queue(
            state,
            mailer,
            conversation_id,
            MailKind::Reply,
            &to,
            from_seq,
        )
        .await?;
    }
    Ok(())
}
