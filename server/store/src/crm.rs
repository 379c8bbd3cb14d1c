//! The CRM: contacts with their phones and e-mails, leads and deals, the
//! conversations and visitors attached to contacts, and the chat tracker's one
//! write ([`Store::crm_track`]): find the customer by what they said, then attach
//! and merge, or create, in one transaction (the decision is canal-core's).
//!
//! Tracker writes are serialised: SQLite has one writer (`BEGIN IMMEDIATE`); on
//! PostgreSQL a transaction-scoped advisory lock, so two first messages of one
//! customer never make two contacts.

use std::collections::BTreeSet;

use canal_core::crm::{self, Added, ContactDetails, Decision, Details, RecordKind};
use sqlx::FromRow;

use crate::events::{self, CrmEvent};
use crate::{new_id, now_rfc3339, on_pool, on_tx, Result, Store, Tx};

/// Key of the PostgreSQL advisory lock that serialises tracker writes (public: a
/// test holds it as another node would).
pub const CRM_LOCK: i64 = 0x6361_6e61_6c00_0002;

/// A contact as stored, without its values.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ContactRow {
    pub id: String,
    pub name: Option<String>,
    pub first_phone: Option<String>,
    pub responsible_agent_id: Option<i64>,
    pub created_from: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The contact this one was merged into (by an admin); none for a live one.
    pub merged_into: Option<String>,
}

/// A contact with its phones and e-mails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub row: ContactRow,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
}

impl Contact {
    pub fn details(&self) -> ContactDetails {
        ContactDetails {
            name: self.row.name.clone(),
            phones: self.phones.iter().cloned().collect(),
            emails: self.emails.iter().cloned().collect(),
            first_phone: self.row.first_phone.clone(),
        }
    }
}

/// A lead or deal.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RecordRow {
    pub id: String,
    pub kind: String,
    pub contact_id: String,
    pub channel_id: String,
    pub source: String,
    pub status: String,
    pub title: String,
    pub fields: String,
    pub conversation_id: Option<String>,
    pub responsible_agent_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

/// A conversation attached to a contact, with its channel.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ContactConversation {
    pub conversation_id: String,
    pub channel_key: String,
    pub channel_name: String,
    pub status: String,
    pub created_at: String,
    pub messages: i64,
    /// `messenger` or `livechat`.
    pub source: String,
}

/// What merging two contacts did ([`Store::crm_merge_contacts`]); nothing is
/// written unless it is `Merged`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merge {
    Merged,
    /// The two ids are one contact.
    Same,
    /// No contact has this id.
    Unknown(String),
    /// This contact was merged already (into the one named).
    AlreadyMerged {
        contact_id: String,
        into: String,
    },
}

/// A message of a conversation as its transcript on a record shows it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TranscriptRow {
    pub seq: i64,
    /// `visitor` or `agent`.
    pub author: String,
    pub body: String,
    pub created_at: String,
    /// The agent's name, for an agent's message.
    pub agent_name: Option<String>,
}

/// A conversation's transcript on a record, as written: `lines` is JSON.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StoredTranscript {
    pub conversation_id: String,
    pub lines: String,
    pub written_at: String,
}

/// Most messages of one conversation a transcript keeps (the first ones).
pub const MAX_TRANSCRIPT_LINES: i64 = 2_000;

/// What the tracker was told, and where.
#[derive(Debug, Clone)]
pub struct Track<'a> {
    pub channel_id: &'a str,
    /// The channel's type, the source of a new record: `livechat`, `messenger`.
    pub source: &'a str,
    pub visitor_id: &'a str,
    pub conversation_id: Option<&'a str>,
    pub details: &'a Details,
    /// The customer can be answered where they wrote (a messenger chat).
    pub reachable: bool,
    /// What a new customer gets besides the contact (the channel's mode).
    pub record: Option<RecordKind>,
    /// The name of a new contact that gave none.
    pub fallback_name: &'a str,
    /// The agent holding the conversation now: the responsible of what is made
    /// from it.
    pub holder: Option<i64>,
}

/// What the tracker did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tracked {
    /// Nobody found and nobody to reach: nothing written.
    Nothing,
    /// A known contact: the conversation (and visitor) attached, details merged.
    Attached {
        contact_id: String,
        added: Added,
        /// The conversation was not attached before.
        newly_attached: bool,
    },
    /// A new contact (and record, per the mode).
    Created {
        contact_id: String,
        record: Option<(String, RecordKind)>,
    },
}

const CONTACT: &str = "SELECT id, name, first_phone, responsible_agent_id, created_from, \
    created_at, updated_at, merged_into FROM crm_contacts";
const RECORD: &str = "SELECT id, kind, contact_id, channel_id, source, status, title, fields, \
    conversation_id, responsible_agent_id, created_at, updated_at FROM crm_records";

impl Store {
    /// The channel's CRM settings as stored (JSON), if set.
    pub async fn crm_settings(&self, channel_id: &str) -> Result<Option<String>> {
        self.channel_json(crate::ChannelJson::CRM, channel_id).await
    }

    pub async fn put_crm_settings(&self, channel_id: &str, json: &str) -> Result<()> {
        self.put_channel_json(crate::ChannelJson::CRM, channel_id, json)
            .await
    }

    /// A CRM write transaction: one at a time, so that two messages at once never
    /// make two contacts. On PostgreSQL the lock is an advisory one (one at a
    /// time across every node); this process's writers take turns for it before
    /// they take a connection, so those waiting hold none of the pool's (a burst
    /// of customers leaving their phone numbers held up to all 16, and every
    /// other message waited for a connection). SQLite's write gate already
    /// comes before its connection.
    async fn crm_begin(&self) -> Result<Tx> {
        let turn = match self.db {
            crate::Db::Postgres(_) => Some(self.crm_turn.take("at the CRM").await?),
            crate::Db::Sqlite(..) => None,
        };
        let mut tx = self.begin().await?;
        tx.turn = turn;
        if let crate::TxConn::Postgres(t) = &mut tx.conn {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(CRM_LOCK)
                .execute(&mut **t)
                .await?;
        }
        Ok(tx)
    }

    /// The chat tracker: finds the contact by the visitor, the conversation, the
    /// first phone, a phone or an e-mail (in that order); attaches and merges when
    /// found; otherwise creates one when the customer can be reached again.
    pub async fn crm_track(&self, t: &Track<'_>) -> Result<Tracked> {
        let now = now_rfc3339();
        let mut tx = self.crm_begin().await?;
        let found = find_in(&mut tx, t).await?;
        let outcome = match crm::decide(found.is_some(), t.details, t.reachable) {
            Decision::Nothing => Tracked::Nothing,
            Decision::Attach => {
                let contact_id = found.unwrap_or_default();
                let contact = contact_in(&mut tx, &contact_id)
                    .await?
                    .ok_or_else(|| crate::Error::corrupt("a found contact is gone"))?;
                let (mut merged, added) = crm::merge(&contact.details(), t.details);
                if let Some(p) = merged.first_phone.clone() {
                    if contact.row.first_phone.is_none() && phone_taken(&mut tx, &p).await? {
                        merged.first_phone = None;
                    }
                }
                write_added(&mut tx, &contact_id, &added).await?;
                if added.name || merged.first_phone != contact.row.first_phone || !added.is_empty()
                {
                    on_tx!(&mut tx, c => sqlx::query(
                        "UPDATE crm_contacts SET name = $2, first_phone = $3, updated_at = $4 WHERE id = $1",
                    )
                    .bind(&contact_id)
                    .bind(&merged.name)
                    .bind(&merged.first_phone)
                    .bind(&now)
                    .execute(&mut *c)
                    .await?.rows_affected());
                }
                let newly_attached = attach_in(&mut tx, &contact_id, t, &now).await?;
                Tracked::Attached {
                    contact_id,
                    added,
                    newly_attached,
                }
            }
            Decision::Create => {
                let contact_id = new_id();
                let (merged, added) = crm::merge(&ContactDetails::default(), t.details);
                let name = merged
                    .name
                    .clone()
                    .unwrap_or_else(|| t.fallback_name.to_owned());
                // A first phone that is some other contact's (taken off it since)
                // stays that contact's link.
                let first_phone = match &merged.first_phone {
                    Some(p) if !phone_taken(&mut tx, p).await? => Some(p.clone()),
                    _ => None,
                };
                on_tx!(&mut tx, c => sqlx::query(
                    "INSERT INTO crm_contacts (id, name, first_phone, responsible_agent_id, created_from, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $6)",
                )
                .bind(&contact_id)
                .bind(&name)
                .bind(&first_phone)
                .bind(t.holder)
                .bind(t.conversation_id)
                .bind(&now)
                .execute(&mut *c)
                .await?.rows_affected());
                write_added(&mut tx, &contact_id, &added).await?;
                attach_in(&mut tx, &contact_id, t, &now).await?;
                let record = match t.record {
                    Some(kind) => {
                        let id = new_id();
                        on_tx!(&mut tx, c => sqlx::query(
                            "INSERT INTO crm_records (id, kind, contact_id, channel_id, source, title, conversation_id, responsible_agent_id, created_at, updated_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
                        )
                        .bind(&id)
                        .bind(kind.as_str())
                        .bind(&contact_id)
                        .bind(t.channel_id)
                        .bind(t.source)
                        .bind(&name)
                        .bind(t.conversation_id)
                        .bind(t.holder)
                        .bind(&now)
                        .execute(&mut *c)
                        .await?.rows_affected());
                        Some((id, kind))
                    }
                    None => None,
                };
                Tracked::Created { contact_id, record }
            }
        };
        let queued = announce_in(&mut tx, t, &outcome).await?;
        tx.commit().await?;
        self.queued.committed(queued);
        Ok(outcome)
    }

    /// A record for a contact made by hand ("save to CRM" on a known customer);
    /// `None` when this chat has one already, or the contact has an open one
    /// (the chat is linked to it through the contact).
    pub async fn crm_add_record(
        &self,
        contact_id: &str,
        kind: RecordKind,
        channel_id: &str,
        source: &str,
        conversation_id: &str,
        holder: Option<i64>,
    ) -> Result<Option<String>> {
        let now = now_rfc3339();
        let mut tx = self.crm_begin().await?;
        let exists = on_tx!(&mut tx, c => sqlx::query(
            "SELECT 1 FROM crm_records
              WHERE conversation_id = $1 OR (contact_id = $2 AND status = 'open')",
        )
        .bind(conversation_id)
        .bind(contact_id)
        .fetch_optional(&mut *c)
        .await?
        .is_some());
        if exists {
            return Ok(None);
        }
        let name: Option<(Option<String>,)> = on_tx!(&mut tx, c => sqlx::query_as(
            "SELECT name FROM crm_contacts WHERE id = $1",
        )
        .bind(contact_id)
        .fetch_optional(&mut *c)
        .await?);
        let Some((name,)) = name else {
            return Ok(None);
        };
        let id = new_id();
        on_tx!(&mut tx, c => sqlx::query(
            "INSERT INTO crm_records (id, kind, contact_id, channel_id, source, title, conversation_id, responsible_agent_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(&id)
        .bind(kind.as_str())
        .bind(contact_id)
        .bind(channel_id)
        .bind(source)
        .bind(name.unwrap_or_default())
        .bind(conversation_id)
        .bind(holder)
        .bind(&now)
        .execute(&mut *c)
        .await?.rows_affected());
        let made = record_event(kind, &id, contact_id, Some(conversation_id));
        let queued = events::crm_in(&mut tx, channel_id, made).await?;
        tx.commit().await?;
        self.queued.committed(queued);
        Ok(Some(id))
    }

    /// The agent holding a conversation, if any.
    pub async fn crm_holder(&self, conversation_id: &str) -> Result<Option<i64>> {
        let row: Option<(Option<i64>,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT agent_id FROM conversations WHERE id = $1",
        )
        .bind(conversation_id)
        .fetch_optional(p)
        .await?);
        Ok(row.and_then(|(a,)| a))
    }

    /// Whether a conversation is a messenger chat's.
    pub async fn is_messenger_conversation(&self, conversation_id: &str) -> Result<bool> {
        Ok(on_pool!(self, p => sqlx::query(
            "SELECT 1 FROM messenger_chats WHERE conversation_id = $1",
        )
        .bind(conversation_id)
        .fetch_optional(p)
        .await?
        .is_some()))
    }

    /// What a visitor's contact-form submissions said: (name, phone, e-mail),
    /// oldest first.
    pub async fn crm_form_details(
        &self,
        visitor_id: &str,
    ) -> Result<Vec<(Option<String>, Option<String>, Option<String>)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT name, phone, email FROM contact_submissions WHERE visitor_id = $1
             ORDER BY created_at, id LIMIT 20",
        )
        .bind(visitor_id)
        .fetch_all(p)
        .await?))
    }

    /// What the field mapping reads of a conversation: its visitor, UTM (JSON),
    /// start, and the seq of the customer's first message.
    pub async fn crm_close_facts(
        &self,
        conversation_id: &str,
    ) -> Result<Option<(String, Option<String>, String, Option<i64>)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT visitor_id, utm, created_at,
                    (SELECT MIN(seq) FROM messages m
                      WHERE m.conversation_id = c.id AND m.author = 'visitor') AS first_seq
               FROM conversations c WHERE id = $1",
        )
        .bind(conversation_id)
        .fetch_optional(p)
        .await?))
    }

    /// The leads and deals made from a conversation.
    pub async fn crm_records_from(&self, conversation_id: &str) -> Result<Vec<RecordRow>> {
        Ok(on_pool!(self, p => sqlx::query_as(&format!(
            "{RECORD} WHERE conversation_id = $1 ORDER BY created_at, id"
        ))
        .bind(conversation_id)
        .fetch_all(p)
        .await?))
    }

    /// Merges the contact `from` into `into` (two records of one person): its
    /// phones, e-mails, conversations, visitors (and so the consent records read
    /// through them) and records move to `into`; `into` keeps its name and
    /// responsible agent, taking `from`'s where it has none. `from` stays, empty,
    /// marked merged into `into` (contacts merged into `from` earlier now point at
    /// `into`), so its id and its first phone lead to `into`. One transaction;
    /// nothing written unless the answer is [`Merge::Merged`].
    pub async fn crm_merge_contacts(&self, into: &str, from: &str) -> Result<Merge> {
        if into == from {
            return Ok(Merge::Same);
        }
        let now = now_rfc3339();
        let mut tx = self.crm_begin().await?;
        let mut rows = Vec::with_capacity(2);
        for id in [into, from] {
            let row: Option<ContactRow> = on_tx!(&mut tx, c => sqlx::query_as(
                &format!("{CONTACT} WHERE id = $1"),
            )
            .bind(id)
            .fetch_optional(&mut *c)
            .await?);
            match row {
                None => return Ok(Merge::Unknown(id.to_owned())),
                Some(ContactRow {
                    merged_into: Some(other),
                    ..
                }) => {
                    return Ok(Merge::AlreadyMerged {
                        contact_id: id.to_owned(),
                        into: other,
                    })
                }
                Some(row) => rows.push(row),
            }
        }
        let (survivor, merged) = (&rows[0], &rows[1]);
        on_tx!(&mut tx, c => {
            for table in [
                "crm_contact_phones",
                "crm_contact_emails",
                "crm_conversations",
                "crm_visitors",
                "crm_records",
            ] {
                sqlx::query(&format!(
                    "UPDATE {table} SET contact_id = $1 WHERE contact_id = $2"
                ))
                .bind(into)
                .bind(from)
                .execute(&mut *c)
                .await?;
            }
            sqlx::query(
                "UPDATE crm_contacts SET merged_into = $1, updated_at = $3
                 WHERE merged_into = $2 OR id = $2",
            )
            .bind(into)
            .bind(from)
            .bind(&now)
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "UPDATE crm_contacts SET name = $2, responsible_agent_id = $3, updated_at = $4
                 WHERE id = $1",
            )
            .bind(into)
            .bind(survivor.name.clone().or_else(|| merged.name.clone()))
            .bind(survivor.responsible_agent_id.or(merged.responsible_agent_id))
            .bind(&now)
            .execute(&mut *c)
            .await?;
        });
        let merged = CrmEvent::ContactMerged {
            contact_id: into.to_owned(),
            conversation_id: None,
            merged_contact_id: Some(from.to_owned()),
        };
        let queued = events::crm_in(&mut tx, "", merged).await?;
        tx.commit().await?;
        self.queued.committed(queued);
        Ok(Merge::Merged)
    }

    /// The contact an id names now: itself, or the one it was merged into;
    /// `None` for an unknown id.
    pub async fn crm_resolve(&self, id: &str) -> Result<Option<String>> {
        let row: Option<(String, Option<String>)> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, merged_into FROM crm_contacts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await?);
        Ok(row.map(|(id, merged)| merged.unwrap_or(id)))
    }

    /// The leads and deals a conversation touched: those made from it; with
    /// none, the newest open one of the contact it is attached to (the record
    /// "save to CRM" links a known customer's chat to).
    pub async fn crm_records_touched(&self, conversation_id: &str) -> Result<Vec<String>> {
        let made: Vec<(String,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT id FROM crm_records WHERE conversation_id = $1 ORDER BY created_at, id",
        )
        .bind(conversation_id)
        .fetch_all(p)
        .await?);
        if !made.is_empty() {
            return Ok(made.into_iter().map(|(id,)| id).collect());
        }
        let open: Option<(String,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT r.id FROM crm_records r
               JOIN crm_conversations cc ON cc.contact_id = r.contact_id
              WHERE cc.conversation_id = $1 AND r.status = 'open'
              ORDER BY r.created_at DESC, r.id DESC LIMIT 1",
        )
        .bind(conversation_id)
        .fetch_optional(p)
        .await?);
        Ok(open.into_iter().map(|(id,)| id).collect())
    }

    /// The customer's and the agents' messages of a conversation, in order (at
    /// most [`MAX_TRANSCRIPT_LINES`]); notes are not messages, system lines are
    /// left out.
    pub async fn crm_transcript_lines(&self, conversation_id: &str) -> Result<Vec<TranscriptRow>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT m.seq, m.author, m.body, m.created_at, a.name AS agent_name
               FROM messages m LEFT JOIN agents a ON a.id = m.agent_id
              WHERE m.conversation_id = $1 AND m.author IN ('visitor', 'agent')
              ORDER BY m.seq LIMIT $2",
        )
        .bind(conversation_id)
        .bind(MAX_TRANSCRIPT_LINES)
        .fetch_all(p)
        .await?))
    }

    /// Writes a conversation's transcript (`lines`, JSON) on each of `records`,
    /// replacing what an earlier close of the same conversation wrote there.
    pub async fn crm_put_transcript(
        &self,
        records: &[String],
        conversation_id: &str,
        lines: &str,
    ) -> Result<()> {
        let now = now_rfc3339();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            for record in records {
                sqlx::query(
                    "INSERT INTO crm_record_transcripts (record_id, conversation_id, lines, written_at)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (record_id, conversation_id)
                     DO UPDATE SET lines = excluded.lines, written_at = excluded.written_at",
                )
                .bind(record)
                .bind(conversation_id)
                .bind(lines)
                .bind(&now)
                .execute(&mut *c)
                .await?;
            }
        });
        tx.commit().await?;
        Ok(())
    }

    /// The transcripts on a record, by when their conversations started.
    pub async fn crm_transcripts_of(&self, record_id: &str) -> Result<Vec<StoredTranscript>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT t.conversation_id, t.lines, t.written_at
               FROM crm_record_transcripts t JOIN conversations v ON v.id = t.conversation_id
              WHERE t.record_id = $1 ORDER BY v.created_at, v.id",
        )
        .bind(record_id)
        .fetch_all(p)
        .await?))
    }

    /// The contact a conversation is attached to, if any.
    pub async fn crm_contact_of_conversation(
        &self,
        conversation_id: &str,
    ) -> Result<Option<String>> {
        let row: Option<(String,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT contact_id FROM crm_conversations WHERE conversation_id = $1",
        )
        .bind(conversation_id)
        .fetch_optional(p)
        .await?);
        Ok(row.map(|(id,)| id))
    }

    /// The contact a visitor is known as, if any.
    pub async fn crm_contact_of_visitor(&self, visitor_id: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT contact_id FROM crm_visitors WHERE visitor_id = $1",
        )
        .bind(visitor_id)
        .fetch_optional(p)
        .await?);
        Ok(row.map(|(id,)| id))
    }

    /// One contact with its phones and e-mails.
    pub async fn crm_contact(&self, id: &str) -> Result<Option<Contact>> {
        let row: Option<ContactRow> = on_pool!(self, p => sqlx::query_as(
            &format!("{CONTACT} WHERE id = $1"),
        )
        .bind(id)
        .fetch_optional(p)
        .await?);
        let Some(row) = row else { return Ok(None) };
        let (phones, emails) = self.crm_values(id).await?;
        Ok(Some(Contact {
            row,
            phones,
            emails,
        }))
    }

    async fn crm_values(&self, id: &str) -> Result<(Vec<String>, Vec<String>)> {
        let phones: Vec<(String,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT phone FROM crm_contact_phones WHERE contact_id = $1 ORDER BY phone",
        )
        .bind(id)
        .fetch_all(p)
        .await?);
        let emails: Vec<(String,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT email FROM crm_contact_emails WHERE contact_id = $1 ORDER BY email",
        )
        .bind(id)
        .fetch_all(p)
        .await?);
        Ok((
            phones.into_iter().map(|(v,)| v).collect(),
            emails.into_iter().map(|(v,)| v).collect(),
        ))
    }

    /// Contacts, most recently changed first: all of them, or those whose name
    /// holds `query` (case-insensitive), or whose phone or e-mail is `phone` /
    /// `email` (normalised by the caller).
    pub async fn crm_contacts(
        &self,
        query: Option<&str>,
        phone: Option<&str>,
        email: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Contact>> {
        let pattern = query.map(|q| {
            let escaped = q
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        });
        let rows: Vec<ContactRow> = on_pool!(self, p => sqlx::query_as(&format!(
            "{CONTACT} WHERE merged_into IS NULL
               AND ($1 IS NULL OR LOWER(COALESCE(name, '')) LIKE $1 ESCAPE '\\')
               AND ($2 IS NULL OR id IN (SELECT contact_id FROM crm_contact_phones WHERE phone = $2)
                    OR id IN (SELECT COALESCE(merged_into, id) FROM crm_contacts WHERE first_phone = $2))
               AND ($3 IS NULL OR id IN (SELECT contact_id FROM crm_contact_emails WHERE email = $3))
             ORDER BY updated_at DESC, id LIMIT $4 OFFSET $5"
        ))
        .bind(pattern)
        .bind(phone)
        .bind(email)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await?);
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let (phones, emails) = self.crm_values(&row.id).await?;
            out.push(Contact {
                row,
                phones,
                emails,
            });
        }
        Ok(out)
    }

    /// Replaces a contact's name, phones, e-mails and responsible agent (the
    /// first phone is never changed here). `Err(value)` names a phone or e-mail
    /// that another contact has (nothing written then).
    pub async fn crm_edit_contact(
        &self,
        id: &str,
        details: &ContactDetails,
        responsible: Option<i64>,
    ) -> Result<Result<(), String>> {
        let now = now_rfc3339();
        let mut tx = self.crm_begin().await?;
        for phone in &details.phones {
            let owner: Option<(String,)> = on_tx!(&mut tx, c => sqlx::query_as(
                "SELECT contact_id FROM crm_contact_phones WHERE phone = $1
                 UNION ALL SELECT COALESCE(merged_into, id) FROM crm_contacts WHERE first_phone = $1",
            )
            .bind(phone)
            .fetch_optional(&mut *c)
            .await?);
            if owner.is_some_and(|(o,)| o != id) {
                return Ok(Err(phone.clone()));
            }
        }
        for email in &details.emails {
            let owner: Option<(String,)> = on_tx!(&mut tx, c => sqlx::query_as(
                "SELECT contact_id FROM crm_contact_emails WHERE email = $1",
            )
            .bind(email)
            .fetch_optional(&mut *c)
            .await?);
            if owner.is_some_and(|(o,)| o != id) {
                return Ok(Err(email.clone()));
            }
        }
        on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM crm_contact_phones WHERE contact_id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
            sqlx::query("DELETE FROM crm_contact_emails WHERE contact_id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
            for phone in &details.phones {
                sqlx::query("INSERT INTO crm_contact_phones (phone, contact_id) VALUES ($1, $2)")
                    .bind(phone)
                    .bind(id)
                    .execute(&mut *c)
                    .await?;
            }
            for email in &details.emails {
                sqlx::query("INSERT INTO crm_contact_emails (email, contact_id) VALUES ($1, $2)")
                    .bind(email)
                    .bind(id)
                    .execute(&mut *c)
                    .await?;
            }
            // A first phone stays where it is: one that a contact merged into this
            // one keeps (and that leads here already) is not taken again.
            sqlx::query(
                "UPDATE crm_contacts SET name = $2,
                 first_phone = COALESCE(first_phone, CASE WHEN EXISTS
                     (SELECT 1 FROM crm_contacts o WHERE o.first_phone = $3) THEN NULL ELSE $3 END),
                 responsible_agent_id = $4, updated_at = $5 WHERE id = $1",
            )
            .bind(id)
            .bind(&details.name)
            .bind(&details.first_phone)
            .bind(responsible)
            .bind(&now)
            .execute(&mut *c)
            .await?;
        });
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// The leads and deals of a contact, newest first.
    pub async fn crm_records_of(&self, contact_id: &str) -> Result<Vec<RecordRow>> {
        Ok(on_pool!(self, p => sqlx::query_as(&format!(
            "{RECORD} WHERE contact_id = $1 ORDER BY created_at DESC, id"
        ))
        .bind(contact_id)
        .fetch_all(p)
        .await?))
    }

    /// Leads and deals, newest first, optionally of one kind.
    pub async fn crm_records(
        &self,
        kind: Option<RecordKind>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<RecordRow>> {
        Ok(on_pool!(self, p => sqlx::query_as(&format!(
            "{RECORD} WHERE ($1 IS NULL OR kind = $1) ORDER BY created_at DESC, id LIMIT $2 OFFSET $3"
        ))
        .bind(kind.map(RecordKind::as_str))
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await?))
    }

    /// One lead or deal.
    pub async fn crm_record(&self, id: &str) -> Result<Option<RecordRow>> {
        Ok(
            on_pool!(self, p => sqlx::query_as(&format!("{RECORD} WHERE id = $1"))
            .bind(id)
            .fetch_optional(p)
            .await?),
        )
    }

    /// Changes a record's title, status and fields (each when given).
    pub async fn crm_edit_record(
        &self,
        id: &str,
        title: Option<&str>,
        status: Option<&str>,
        fields: Option<&str>,
    ) -> Result<bool> {
        Ok(on_pool!(self, p => sqlx::query(
            "UPDATE crm_records SET title = COALESCE($2, title), status = COALESCE($3, status),
             fields = COALESCE($4, fields), updated_at = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(title)
        .bind(status)
        .bind(fields)
        .bind(now_rfc3339())
        .execute(p)
        .await?
        .rows_affected())
            == 1)
    }

    /// The conversations attached to a contact, oldest first, on every channel.
    pub async fn crm_conversations_of(&self, contact_id: &str) -> Result<Vec<ContactConversation>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT v.id AS conversation_id, ch.key AS channel_key, ch.name AS channel_name,
                    v.status, v.created_at,
                    (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = v.id) AS messages,
                    CASE WHEN EXISTS (SELECT 1 FROM messenger_chats mc WHERE mc.conversation_id = v.id)
                         THEN 'messenger' ELSE 'livechat' END AS source
               FROM crm_conversations cc
               JOIN conversations v ON v.id = cc.conversation_id
               JOIN channels ch ON ch.id = v.channel_id
              WHERE cc.contact_id = $1
              ORDER BY v.created_at, v.id",
        )
        .bind(contact_id)
        .fetch_all(p)
        .await?))
    }

    /// The visitors known as a contact: linked ones and those of its conversations.
    pub async fn crm_visitors_of(&self, contact_id: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT visitor_id FROM crm_visitors WHERE contact_id = $1
             UNION SELECT v.visitor_id FROM crm_conversations cc
               JOIN conversations v ON v.id = cc.conversation_id WHERE cc.contact_id = $1",
        )
        .bind(contact_id)
        .fetch_all(p)
        .await?);
        Ok(rows.into_iter().map(|(v,)| v).collect())
    }

    /// The responsible agent of what was made from this chat: set to `agent`
    /// (`only_unset`: only where there is none yet). Records and contacts made
    /// from another chat, or by hand, keep theirs.
    pub async fn crm_responsible_from_chat(
        &self,
        conversation_id: &str,
        agent: i64,
        only_unset: bool,
    ) -> Result<u64> {
        let now = now_rfc3339();
        let mut tx = self.crm_begin().await?;
        let changed = on_tx!(&mut tx, c => {
            let contacts = sqlx::query(
                "UPDATE crm_contacts SET responsible_agent_id = $2, updated_at = $4
                 WHERE created_from = $1 AND merged_into IS NULL
                   AND ($3 = FALSE OR responsible_agent_id IS NULL)",
            )
            .bind(conversation_id)
            .bind(agent)
            .bind(only_unset)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected();
            let records = sqlx::query(
                "UPDATE crm_records SET responsible_agent_id = $2, updated_at = $4
                 WHERE conversation_id = $1 AND ($3 = FALSE OR responsible_agent_id IS NULL)",
            )
            .bind(conversation_id)
            .bind(agent)
            .bind(only_unset)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected();
            contacts + records
        });
        tx.commit().await?;
        Ok(changed)
    }
}

/// The contact the tracker's input names, if any (see [`Store::crm_track`]).
async fn find_in(tx: &mut Tx, t: &Track<'_>) -> Result<Option<String>> {
    let by_visitor: Option<(String,)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT contact_id FROM crm_visitors WHERE visitor_id = $1",
    )
    .bind(t.visitor_id)
    .fetch_optional(&mut *c)
    .await?);
    if let Some((id,)) = by_visitor {
        return Ok(Some(id));
    }
    if let Some(conversation_id) = t.conversation_id {
        let by_conversation: Option<(String,)> = on_tx!(tx, c => sqlx::query_as(
            "SELECT contact_id FROM crm_conversations WHERE conversation_id = $1",
        )
        .bind(conversation_id)
        .fetch_optional(&mut *c)
        .await?);
        if let Some((id,)) = by_conversation {
            return Ok(Some(id));
        }
    }
    // The first phone is the permanent link: it wins over a phone's current owner.
    for phone in &t.details.phones {
        // A merged contact's first phone leads to the contact it was merged into.
        let by_first: Option<(String,)> = on_tx!(tx, c => sqlx::query_as(
            "SELECT COALESCE(merged_into, id) FROM crm_contacts WHERE first_phone = $1",
        )
        .bind(phone)
        .fetch_optional(&mut *c)
        .await?);
        if let Some((id,)) = by_first {
            return Ok(Some(id));
        }
    }
    for phone in &t.details.phones {
        let by_phone: Option<(String,)> = on_tx!(tx, c => sqlx::query_as(
            "SELECT contact_id FROM crm_contact_phones WHERE phone = $1",
        )
        .bind(phone)
        .fetch_optional(&mut *c)
        .await?);
        if let Some((id,)) = by_phone {
            return Ok(Some(id));
        }
    }
    for email in &t.details.emails {
        let by_email: Option<(String,)> = on_tx!(tx, c => sqlx::query_as(
            "SELECT contact_id FROM crm_contact_emails WHERE email = $1",
        )
        .bind(email)
        .fetch_optional(&mut *c)
        .await?);
        if let Some((id,)) = by_email {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

pub(crate) async fn contact_in(tx: &mut Tx, id: &str) -> Result<Option<Contact>> {
    let row: Option<ContactRow> = on_tx!(tx, c => sqlx::query_as(&format!("{CONTACT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?);
    let Some(row) = row else { return Ok(None) };
    let phones: Vec<(String,)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT phone FROM crm_contact_phones WHERE contact_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await?);
    let emails: Vec<(String,)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT email FROM crm_contact_emails WHERE contact_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await?);
    Ok(Some(Contact {
        row,
        phones: phones.into_iter().map(|(v,)| v).collect(),
        emails: emails.into_iter().map(|(v,)| v).collect(),
    }))
}

/// The events of what the tracker did (a contact created, with its lead or deal;
/// details merged into a known one, or a conversation attached to it), queued in
/// its transaction.
async fn announce_in(tx: &mut Tx, t: &Track<'_>, tracked: &Tracked) -> Result<u64> {
    let conversation_id = t.conversation_id.map(str::to_owned);
    let mut queued = 0;
    match tracked {
        Tracked::Nothing => {}
        Tracked::Attached {
            contact_id,
            added,
            newly_attached,
        } => {
            if *newly_attached || !added.is_empty() {
                let merged = CrmEvent::ContactMerged {
                    contact_id: contact_id.clone(),
                    conversation_id,
                    merged_contact_id: None,
                };
                queued += events::crm_in(tx, t.channel_id, merged).await?;
            }
        }
        Tracked::Created { contact_id, record } => {
            let created = CrmEvent::ContactCreated {
                contact_id: contact_id.clone(),
            };
            queued += events::crm_in(tx, t.channel_id, created).await?;
            if let Some((record_id, kind)) = record {
                let made = record_event(*kind, record_id, contact_id, t.conversation_id);
                queued += events::crm_in(tx, t.channel_id, made).await?;
            }
        }
    }
    Ok(queued)
}

/// The event of a lead or deal just made.
fn record_event(
    kind: RecordKind,
    record_id: &str,
    contact_id: &str,
    conversation_id: Option<&str>,
) -> CrmEvent {
    let (record_id, contact_id) = (record_id.to_owned(), contact_id.to_owned());
    let conversation_id = conversation_id.map(str::to_owned);
    match kind {
        RecordKind::Lead => CrmEvent::LeadCreated {
            record_id,
            contact_id,
            conversation_id,
        },
        RecordKind::Deal => CrmEvent::DealCreated {
            record_id,
            contact_id,
            conversation_id,
        },
    }
}

/// Whether a phone is some contact's first phone already.
async fn phone_taken(tx: &mut Tx, phone: &str) -> Result<bool> {
    Ok(
        on_tx!(tx, c => sqlx::query("SELECT 1 FROM crm_contacts WHERE first_phone = $1")
        .bind(phone)
        .fetch_optional(&mut *c)
        .await?
        .is_some()),
    )
}

/// Writes a merge's new phones and e-mails; one another contact has stays theirs.
async fn write_added(tx: &mut Tx, contact_id: &str, added: &Added) -> Result<()> {
    let phones: BTreeSet<&String> = added.phones.iter().collect();
    on_tx!(tx, c => {
        for phone in phones {
            sqlx::query(
                "INSERT INTO crm_contact_phones (phone, contact_id) VALUES ($1, $2)
                 ON CONFLICT (phone) DO NOTHING",
            )
            .bind(phone)
            .bind(contact_id)
            .execute(&mut *c)
            .await?;
        }
        for email in &added.emails {
            sqlx::query(
                "INSERT INTO crm_contact_emails (email, contact_id) VALUES ($1, $2)
                 ON CONFLICT (email) DO NOTHING",
            )
            .bind(email)
            .bind(contact_id)
            .execute(&mut *c)
            .await?;
        }
    });
    Ok(())
}

/// Attaches the visitor and their conversations (this one and earlier ones) to
/// the contact, each once: an earlier attachment stays. True when a conversation
/// is newly attached.
async fn attach_in(tx: &mut Tx, contact_id: &str, t: &Track<'_>, now: &str) -> Result<bool> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO crm_visitors (visitor_id, contact_id) VALUES ($1, $2)
             ON CONFLICT (visitor_id) DO NOTHING",
        )
        .bind(t.visitor_id)
        .bind(contact_id)
        .execute(&mut *c)
        .await?;
        Ok(sqlx::query(
            "INSERT INTO crm_conversations (conversation_id, contact_id, attached_at)
             SELECT id, $2, $3 FROM conversations WHERE visitor_id = $1
             ON CONFLICT (conversation_id) DO NOTHING",
        )
        .bind(t.visitor_id)
        .bind(contact_id)
        .bind(now)
        .execute(&mut *c)
        .await?
        .rows_affected()
            > 0)
    })
}
