//! E-mail to visitors: the address a visitor gave for a conversation's transcript,
//! and the outbox (`mail_outbox`) the mail sender works through.
//!
//! A row is a mail that is due; it stays after it is sent or dropped. Senders claim
//! due rows with a lease (`lease_until`): on PostgreSQL with `FOR UPDATE SKIP LOCKED`,
//! so several servers on one database never claim one row twice; on SQLite the one
//! writer does the same. A sender that dies mid-send leaves its lease to run out, and
//! the row is claimed again: a mail is sent at least once.

use crate::{on_pool, Result, Store};

/// Which mail a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// The conversation as it was closed.
    Transcript,
    /// An agent's answers to a visitor who had left the page.
    Reply,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transcript => "transcript",
            Self::Reply => "reply",
        }
    }

    fn parse(raw: &str) -> Result<Self> {
        match raw {
            "transcript" => Ok(Self::Transcript),
            "reply" => Ok(Self::Reply),
            other => Err(crate::Error::corrupt(format!("mail kind {other:?}"))),
        }
    }
}

/// A row of the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub id: i64,
    pub conversation_id: String,
    pub kind: MailKind,
    pub to_address: String,
    pub from_seq: i64,
    pub upto_seq: Option<i64>,
    pub created_at: String,
    pub due_at: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub sent_at: Option<String>,
    pub dropped: Option<String>,
}

type MailTuple = (
    i64,
    String,
    String,
    String,
    i64,
    Option<i64>,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A mail still to send.
const PENDING: &str = "sent_at IS NULL AND dropped IS NULL";

const COLUMNS: &str = "id, conversation_id, kind, to_address, from_seq, upto_seq, created_at, \
                       due_at, attempts, last_error, sent_at, dropped";

fn mail(t: MailTuple) -> Result<Mail> {
    Ok(Mail {
        id: t.0,
        conversation_id: t.1,
        kind: MailKind::parse(&t.2)?,
        to_address: t.3,
        from_seq: t.4,
        upto_seq: t.5,
        created_at: t.6,
        due_at: t.7,
        attempts: t.8,
        last_error: t.9,
        sent_at: t.10,
        dropped: t.11,
    })
}

/// A mail to queue.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub conversation_id: &'a str,
    pub kind: MailKind,
    pub to_address: &'a str,
    pub from_seq: i64,
    pub upto_seq: Option<i64>,
    pub now: &'a str,
    pub due_at: &'a str,
}

impl Store {
    /// Keeps the address a visitor asked the conversation's transcript to go to (a
    /// later request replaces it).
    pub async fn set_transcript_email(&self, conversation_id: &str, email: &str) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("UPDATE conversations SET transcript_email = $1 WHERE id = $2")
                .bind(email)
                .bind(conversation_id)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Where the visitor of a conversation may be written to: the address they asked
    /// its transcript to go to, else the newest e-mail they left in the channel's
    /// contact form; `None` when they gave none.
    pub async fn visitor_email(&self, conversation_id: &str) -> Result<Option<String>> {
        let found: Option<(Option<String>, Option<String>)> = on_pool!(self, p => sqlx::query_as(
            "SELECT c.transcript_email,
                    (SELECT s.email FROM contact_submissions s
                      WHERE s.visitor_id = c.visitor_id AND s.channel_id = c.channel_id
                        AND s.email IS NOT NULL AND s.email <> ''
                      ORDER BY s.created_at DESC, s.id DESC LIMIT 1)
               FROM conversations c WHERE c.id = $1",
        )
        .bind(conversation_id)
        .fetch_optional(p)
        .await?);
        Ok(found.and_then(|(asked, form)| asked.or(form)))
    }

    /// Queues a mail. A reply is not queued when one for the same conversation is
    /// still waiting and not being sent: that one shows every answer from its
    /// `from_seq` on when it goes. Returns whether a row was written.
    pub async fn queue_mail(&self, new: &NewMail<'_>) -> Result<bool> {
        let written = on_pool!(self, p => sqlx::query(
            "INSERT INTO mail_outbox
                 (conversation_id, kind, to_address, from_seq, upto_seq, created_at, due_at)
             SELECT $1, $2, $3, $4, $5, $6, $7
              WHERE $2 <> 'reply' OR NOT EXISTS (
                    SELECT 1 FROM mail_outbox
                     WHERE conversation_id = $1 AND kind = 'reply'
                       AND sent_at IS NULL AND dropped IS NULL
                       AND (lease_until IS NULL OR lease_until <= $6))",
        )
        .bind(new.conversation_id)
        .bind(new.kind.as_str())
        .bind(new.to_address)
        .bind(new.from_seq)
        .bind(new.upto_seq)
        .bind(new.now)
        .bind(new.due_at)
        .execute(p)
        .await?
        .rows_affected());
        Ok(written > 0)
    }

    /// Claims up to `limit` due mails (due at `now` or before, not held by another
    /// sender) until `lease_until`, counting an attempt on each.
    pub async fn claim_mail(&self, now: &str, lease_until: &str, limit: i64) -> Result<Vec<Mail>> {
        let rows: Vec<MailTuple> = on_pool!(self, p, pg => {
            let sql = crate::claim_due_sql(
                "mail_outbox",
                PENDING,
                ", attempts = attempts + 1",
                COLUMNS,
                pg,
            );
            sqlx::query_as(&sql)
                .bind(now)
                .bind(lease_until)
                .bind(limit)
                .fetch_all(p)
                .await?
        });
        let mut mails = rows.into_iter().map(mail).collect::<Result<Vec<_>>>()?;
        mails.sort_by(|a, b| (&a.due_at, a.id).cmp(&(&b.due_at, b.id)));
        Ok(mails)
    }

    /// The mail went out; `upto_seq` is the last message it showed.
    pub async fn mail_sent(&self, id: i64, upto_seq: i64, now: &str) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "UPDATE mail_outbox SET sent_at = $2, upto_seq = $3, lease_until = NULL,
                        last_error = NULL
                  WHERE id = $1",
            )
            .bind(id)
            .bind(now)
            .bind(upto_seq)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// The attempt failed for a reason that may pass: the mail is tried again at
    /// `due_at`.
    pub async fn mail_failed(&self, id: i64, error: &str, due_at: &str) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "UPDATE mail_outbox SET last_error = $2, due_at = $3, lease_until = NULL
                  WHERE id = $1",
            )
            .bind(id)
            .bind(error)
            .bind(due_at)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// The mail will never be sent, for `reason`.
    pub async fn mail_dropped(&self, id: i64, reason: &str) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("UPDATE mail_outbox SET dropped = $2, lease_until = NULL WHERE id = $1")
                .bind(id)
                .bind(reason)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// When the next waiting mail is due (`None`: nothing waits).
    pub async fn next_mail_due(&self) -> Result<Option<String>> {
        self.next_due("mail_outbox", PENDING).await
    }

    /// A conversation's mails, oldest first (the admin's view).
    pub async fn conversation_mail(&self, conversation_id: &str) -> Result<Vec<Mail>> {
        let rows: Vec<MailTuple> = on_pool!(self, p => sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM mail_outbox WHERE conversation_id = $1 ORDER BY id"
        ))
        .bind(conversation_id)
        .fetch_all(p)
        .await?);
        rows.into_iter().map(mail).collect()
    }
}
