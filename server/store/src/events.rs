//! What a change announces, queued in the change's own transaction (a
//! transactional outbox): the domain events for the webhook endpoints subscribed
//! to them, and an agent's or the system's message for the messenger gateway its
//! conversation came through. A change is never committed without its
//! announcements, nor an announcement without its change, whatever stops the
//! server in between. The deliverer (the server's `hooks`) posts them from the
//! `deliveries` table; [`crate::Store::deliveries_queued`] wakes it after a commit
//! that queued some.

use std::sync::Arc;

use canal_core::{clock::now_rfc3339, new_id};
use canal_protocol::integrations::{ConnectorReply, Event, EventData};
use tokio::sync::Notify;

use crate::channels::MessageRow;
use crate::integrations::Target;
use crate::{on_tx, Error, Result, Tx};

/// A domain event of the CRM; its contact's details are read in the same
/// transaction, as the change left them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrmEvent {
    ContactCreated {
        contact_id: String,
    },
    ContactMerged {
        contact_id: String,
        conversation_id: Option<String>,
        /// An admin merged this contact into `contact_id`.
        merged_contact_id: Option<String>,
    },
    LeadCreated {
        record_id: String,
        contact_id: String,
        conversation_id: Option<String>,
    },
    DealCreated {
        record_id: String,
        contact_id: String,
        conversation_id: Option<String>,
    },
}

/// Wakes the deliverer once something was queued and committed; shared by a
/// store and its writers.
#[derive(Clone, Debug, Default)]
pub(crate) struct Queued(Arc<Notify>);

impl Queued {
    /// Called after the commit of a transaction that queued `rows` deliveries.
    pub(crate) fn committed(&self, rows: u64) {
        if rows > 0 {
            self.0.notify_one();
        }
    }

    pub(crate) fn notify(&self) -> Arc<Notify> {
        self.0.clone()
    }
}

/// An active webhook endpoint and the kinds it subscribes to, between commas
/// (`,conversation.created,message.created,`).
#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub(crate) struct Subscribed {
    id: String,
    events: String,
}

/// The active endpoints as a message's insert returns them (a JSON array of
/// `{id, events}`; none for no endpoint on PostgreSQL).
pub(crate) fn endpoints_from_json(json: Option<String>) -> Result<Vec<Subscribed>> {
    match json {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| Error::Corrupt(format!("the webhook endpoints as JSON: {e}"))),
        None => Ok(Vec::new()),
    }
}

/// Queues `data` as a new event for every active endpoint subscribed to its
/// kind (one row each, due now); returns how many rows were written. The
/// endpoints are read once per transaction, by its first event: most events of
/// a busy writer's batch go to no endpoint, and then cost no statement.
pub(crate) async fn event_in(tx: &mut Tx, data: EventData) -> Result<u64> {
    if tx.endpoints.is_none() {
        let read: Vec<Subscribed> = on_tx!(tx, c => sqlx::query_as(
            "SELECT id, events FROM webhook_endpoints WHERE active",
        )
        .fetch_all(&mut *c)
        .await?);
        tx.endpoints = Some(read);
    }
    let kind = data.kind().as_str();
    let subscribed = format!(",{kind},");
    let targets: Vec<String> = tx
        .endpoints
        .iter()
        .flatten()
        .filter(|e| e.events.contains(&subscribed))
        .map(|e| e.id.clone())
        .collect();
    if targets.is_empty() {
        return Ok(0);
    }
    let event = Event {
        id: new_id(),
        occurred_at: now_rfc3339(),
        data,
    };
    let body = serde_json::to_string(&event)
        .map_err(|e| Error::Corrupt(format!("a {kind} event as JSON: {e}")))?;
    let mut rows = 0;
    for target in targets {
        let (id, at) = (&event.id, &event.occurred_at);
        rows += delivery_in(tx, Target::Webhook, &target, id, kind, &body, at).await?;
    }
    Ok(rows)
}

/// Queues one delivery to one target, due now (a repeat of the same event id to
/// the same target is ignored); returns how many rows were written.
pub(crate) async fn delivery_in(
    tx: &mut Tx,
    target: Target,
    target_id: &str,
    event_id: &str,
    kind: &str,
    body: &str,
    now: &str,
) -> Result<u64> {
    Ok(on_tx!(tx, c => sqlx::query(
        "INSERT INTO deliveries (target, target_id, event_id, kind, body, created_at, due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (target, target_id, event_id) DO NOTHING",
    )
    .bind(target.as_str())
    .bind(target_id)
    .bind(event_id)
    .bind(kind)
    .bind(body)
    .bind(now)
    .execute(&mut *c)
    .await?
    .rows_affected()))
}

/// A message just stored: its `message.created` event, and for a conversation
/// that came through a connector, an agent's or the system's message to the
/// gateway (its id: the conversation and sequence number, the same on every
/// attempt; `dialog`, the connector and chat, read by the message's insert).
pub(crate) async fn message_in(
    tx: &mut Tx,
    conversation_id: &str,
    row: &MessageRow,
    agent_id: Option<i64>,
    dialog: Option<(String, String)>,
) -> Result<u64> {
    let mut rows = event_in(
        tx,
        EventData::MessageCreated {
            conversation_id: conversation_id.to_owned(),
            seq: row.seq,
            author: row.author.clone(),
            agent_id,
            text: row.body.clone(),
            created_at: row.created_at.clone(),
        },
    )
    .await?;
    if let (Some(dialog), false) = (dialog, row.author == "visitor") {
        rows += to_dialog_in(tx, conversation_id, row, dialog).await?;
    }
    Ok(rows)
}

/// `FROM` and `WHERE` finding the messenger chat of conversation `$1` (aliased
/// `d`), if it came through a connector that still exists.
pub(crate) const DIALOG_OF_CONVERSATION: &str = "FROM connector_dialogs d
    JOIN connectors k ON k.id = d.connector_id
    WHERE d.conversation_id = $1";

/// Queues a message of a connector's conversation to its gateway; nothing for a
/// conversation that did not come through a connector.
pub(crate) async fn to_connector_in(
    tx: &mut Tx,
    conversation_id: &str,
    row: &MessageRow,
) -> Result<u64> {
    let sql = format!("SELECT d.connector_id, d.chat_id {DIALOG_OF_CONVERSATION}");
    let dialog: Option<(String, String)> = on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(conversation_id)
        .fetch_optional(&mut *c)
        .await?);
    match dialog {
        Some(dialog) => to_dialog_in(tx, conversation_id, row, dialog).await,
        None => Ok(0),
    }
}

/// Queues a message to its messenger chat (`dialog`: the connector and the
/// chat's id).
async fn to_dialog_in(
    tx: &mut Tx,
    conversation_id: &str,
    row: &MessageRow,
    (connector_id, chat_id): (String, String),
) -> Result<u64> {
    let reply = ConnectorReply {
        id: format!("{conversation_id}-{}", row.seq),
        chat_id,
        conversation_id: conversation_id.to_owned(),
        seq: row.seq,
        text: row.body.clone(),
        author: row.author.clone(),
        created_at: row.created_at.clone(),
    };
    let body = serde_json::to_string(&reply)
        .map_err(|e| Error::Corrupt(format!("a connector reply as JSON: {e}")))?;
    delivery_in(
        tx,
        Target::Connector,
        &connector_id,
        &reply.id,
        "message",
        &body,
        &reply.created_at,
    )
    .await
}

/// Queues a CRM event, with the contact as the transaction sees it now.
pub(crate) async fn crm_in(tx: &mut Tx, channel_id: &str, event: CrmEvent) -> Result<u64> {
    let data = match event {
        CrmEvent::ContactCreated { contact_id } => {
            let Some(c) = crate::crm::contact_in(tx, &contact_id).await? else {
                return Ok(0);
            };
            EventData::ContactCreated {
                contact_id,
                name: c.row.name,
                phones: c.phones,
                emails: c.emails,
                responsible_agent_id: c.row.responsible_agent_id,
            }
        }
        CrmEvent::ContactMerged {
            contact_id,
            conversation_id,
            merged_contact_id,
        } => {
            let Some(c) = crate::crm::contact_in(tx, &contact_id).await? else {
                return Ok(0);
            };
            EventData::ContactMerged {
                contact_id,
                conversation_id,
                merged_contact_id,
                name: c.row.name,
                phones: c.phones,
                emails: c.emails,
                responsible_agent_id: c.row.responsible_agent_id,
            }
        }
        CrmEvent::LeadCreated {
            record_id,
            contact_id,
            conversation_id,
        } => EventData::LeadCreated {
            lead_id: record_id,
            contact_id: Some(contact_id),
            channel_id: channel_id.to_owned(),
            conversation_id,
        },
        CrmEvent::DealCreated {
            record_id,
            contact_id,
            conversation_id,
        } => EventData::DealCreated {
            deal_id: record_id,
            contact_id: Some(contact_id),
            channel_id: channel_id.to_owned(),
            conversation_id,
        },
    };
    event_in(tx, data).await
}
