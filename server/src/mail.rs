//! The mail sender: works through the store's outbox (`mail_outbox`) over SMTP
//! with lettre (a maintained SMTP client with STARTTLS and implicit TLS over
//! rustls, connection pooling and RFC 5322 message building, none of which Canal
//! should write itself).
//!
//! What is due is in the store, not in memory: a mail queued by
//! [`crate::services::mail`] is claimed with a lease, rendered from the stored
//! messages and sent; a failure that may pass (the server unreachable, a 4xx reply)
//! puts it back with a later due time, doubling from [`MailOptions::retry_after`] up
//! to an hour; a refusal for good (a 5xx reply: no such mailbox) drops it with the
//! server's words. A server that stops mid-send leaves the lease to run out and the
//! mail is claimed again at the next start, so it goes at least once. Before a mail
//! goes the sender checks again that the visitor has not withdrawn their consent,
//! and, for an answer, that they did not come back to the chat meanwhile.

use std::sync::Arc;
use std::time::Duration;

use canal_core::clock::now_rfc3339;
use canal_core::mail::{self as compose, Composed, Language};
use canal_protocol::Author;
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use tokio::sync::{watch, Notify};

use axum::extract::{Path, State};
use axum::Json;
use canal_protocol::mail::{RequestTranscript, TranscriptRequested};

use crate::app::AppState;
use crate::dispatch::Dispatch;
use crate::due::later;
use crate::error::{ApiJson, AppError};
use crate::hub::Hub;
use crate::services::visitors::channel;
use crate::store::{Mail, MailKind, Store};

/// `PUT /api/v1/channels/{key}/conversations/{id}/transcript`
pub async fn request_transcript(
    State(state): State<AppState>,
    Path((key, conversation_id)): Path<(String, String)>,
    ApiJson(request): ApiJson<RequestTranscript>,
) -> Result<Json<TranscriptRequested>, AppError> {
    let channel = channel(&state, &key).await?;
    let answer = crate::services::mail::request_transcript(
        &state,
        &channel,
        &conversation_id,
        &request.visitor_token,
        &request.email,
    )
    .await?;
    Ok(Json(answer))
}

/// How the server sends e-mail.
#[derive(Clone, Debug)]
pub struct MailOptions {
    /// `smtp://host:port` (plain, for a relay on the same machine),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS) or
    /// `smtps://user:password@host:465` (TLS), as lettre reads it.
    pub smtp_url: String,
    /// The sender, as `Name <address>` or `address`.
    pub from: String,
    /// How long after an agent's answer to a visitor who left it is e-mailed (the
    /// answers written meanwhile go in the same mail).
    pub reply_delay: Duration,
    /// The first wait before a failed mail is tried again; it doubles each time.
    pub retry_after: Duration,
}

impl MailOptions {
    /// Options with the defaults for the delays.
    pub fn new(smtp_url: impl Into<String>, from: impl Into<String>) -> Self {
        Self {
            smtp_url: smtp_url.into(),
            from: from.into(),
            reply_delay: Duration::from_secs(120),
            retry_after: Duration::from_secs(30),
        }
    }
}

/// The mail side of the server's state: whether it sends mail at all, and how to
/// wake the sender.
#[derive(Clone)]
pub struct Mailer {
    wake: Arc<Notify>,
    pub reply_delay: Duration,
}

impl Mailer {
    /// Something new is due: the sender looks now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// How long a sender holds a claimed mail before another may take it.
const LEASE: Duration = Duration::from_secs(120);
/// Mails claimed at once.
const BATCH: i64 = 16;
/// The longest wait before a failed mail is tried again.
const MAX_RETRY: Duration = Duration::from_secs(3600);

/// Checks the options and starts the sender; it stops when `closing` turns true.
pub fn start(
    options: &MailOptions,
    store: Store,
    dispatch: Dispatch,
    hub: Hub,
    closing: watch::Receiver<bool>,
) -> Result<Mailer, String> {
    let from: Mailbox = options
        .from
        .parse()
        .map_err(|e| format!("the mail sender {:?} is not an address: {e}", options.from))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&options.smtp_url)
        .map_err(|e| {
            format!(
                "the SMTP URL {} is not usable: {e}",
                crate::config::shown_url(&options.smtp_url)
            )
        })?
        .timeout(Some(Duration::from_secs(30)))
        .build();
    let wake = Arc::new(Notify::new());
    let retry_after = options.retry_after;
    let sender = Sender {
        store,
        dispatch,
        hub,
        transport,
        from,
        retry_after: options.retry_after,
    };
    tokio::spawn(crate::due::run(
        sender,
        crate::due::LOOK_EVERY,
        retry_after,
        wake.clone(),
        closing,
    ));
    Ok(Mailer {
        wake,
        reply_delay: options.reply_delay,
    })
}

struct Sender {
    store: Store,
    dispatch: Dispatch,
    hub: Hub,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    retry_after: Duration,
}

/// What became of one attempt.
enum Outcome {
    Sent { upto_seq: i64 },
    Failed(String),
    Dropped(String),
}

impl crate::due::Queue for Sender {
    const NAME: &'static str = "mail";
    const BATCH: i64 = BATCH;

    async fn work(&self) -> Result<usize, String> {
        let mails = self
            .store
            .claim_mail(&now_rfc3339(), &later(LEASE), BATCH)
            .await
            .map_err(|e| e.to_string())?;
        let claimed = mails.len();
        self.send_all(mails).await;
        Ok(claimed)
    }

    async fn next_due(&self) -> Result<Option<String>, String> {
        self.store.next_mail_due().await.map_err(|e| e.to_string())
    }
}

impl Sender {
    async fn send_all(&self, mails: Vec<Mail>) {
        for mail in mails {
            let outcome = match self.attempt(&mail).await {
                Ok(outcome) => outcome,
                Err(e) => Outcome::Failed(e),
            };
            let written = match &outcome {
                Outcome::Sent { upto_seq } => {
                    tracing::info!(mail = mail.id, kind = mail.kind.as_str(), "mail sent");
                    self.store
                        .mail_sent(mail.id, *upto_seq, &now_rfc3339())
                        .await
                }
                Outcome::Failed(error) => {
                    let doublings = u32::try_from(mail.attempts.max(1) - 1)
                        .unwrap_or(u32::MAX)
                        .min(16);
                    let wait = self
                        .retry_after
                        .saturating_mul(1 << doublings)
                        .min(MAX_RETRY);
                    tracing::warn!(mail = mail.id, %error, retry_in = ?wait, "mail not sent, will retry");
                    self.store.mail_failed(mail.id, error, &later(wait)).await
                }
                Outcome::Dropped(reason) => {
                    tracing::warn!(mail = mail.id, %reason, "mail dropped");
                    self.store.mail_dropped(mail.id, reason).await
                }
            };
            if let Err(e) = written {
                // The lease runs out and the mail is claimed again.
                tracing::error!(mail = mail.id, error = %e, "mail: recording the outcome failed");
            }
        }
    }

    /// Renders and sends one mail. `Err`: the store failed (tried again later).
    async fn attempt(&self, mail: &Mail) -> Result<Outcome, String> {
        let text = |e: crate::store::Error| e.to_string();
        let Some(conversation) = self
            .store
            .conversation(&mail.conversation_id)
            .await
            .map_err(text)?
        else {
            return Ok(Outcome::Dropped("the conversation does not exist".into()));
        };
        let channel = self
            .store
            .channel_by_id(&conversation.channel_id)
            .await
            .map_err(text)?;
        let Some(channel) = channel else {
            return Ok(Outcome::Dropped("the channel does not exist".into()));
        };
        if self
            .store
            .visitor_withdrew(&conversation.visitor_id, &channel.id)
            .await
            .map_err(text)?
        {
            return Ok(Outcome::Dropped(
                "the visitor withdrew their consent".into(),
            ));
        }
        if mail.kind == MailKind::Reply && self.hub.visitor_present(&mail.conversation_id) {
            return Ok(Outcome::Dropped(
                "the visitor came back to the chat before it was sent".into(),
            ));
        }
        let display = self
            .dispatch
            .display(&channel.id)
            .await
            .map_err(|e| e.to_string())?;
        let rows = self
            .store
            .messages_after(&mail.conversation_id, mail.from_seq - 1)
            .await
            .map_err(text)?;
        let messages: Vec<_> = rows
            .into_iter()
            .filter(|m| mail.upto_seq.is_none_or(|upto| m.seq <= upto))
            .map(|m| display.view(m))
            .filter(|m| mail.kind == MailKind::Transcript || m.author == Author::Agent)
            .collect();
        let Some(upto_seq) = messages.last().map(|m| m.seq as i64) else {
            return Ok(Outcome::Dropped("there is nothing to send".into()));
        };
        let language = Language::of(channel.locale.as_deref());
        let title = channel.shown_title();
        let page = conversation.page_url.as_deref();
        let Composed { subject, body } = match mail.kind {
            MailKind::Transcript => compose::transcript(language, title, page, &messages),
            MailKind::Reply => compose::reply(language, title, page, &messages),
        };
        let to: Mailbox = match mail.to_address.parse() {
            Ok(to) => to,
            Err(e) => return Ok(Outcome::Dropped(format!("the address is not valid: {e}"))),
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body);
        let message = match message {
            Ok(message) => message,
            Err(e) => {
                return Ok(Outcome::Dropped(format!(
                    "the mail could not be built: {e}"
                )))
            }
        };
        match self.transport.send(message).await {
            Ok(_) => Ok(Outcome::Sent { upto_seq }),
            Err(e) if e.is_permanent() => Ok(Outcome::Dropped(format!(
                "the mail server refused it for good: {e}"
            ))),
            Err(e) => Ok(Outcome::Failed(e.to_string())),
        }
    }
}
