//! Integrations: API keys (only their SHA-256 kept), webhook endpoints, messenger
//! connectors with their dialogs, and the outbox of outbound deliveries
//! (`deliveries`) that webhook events and connector replies share.
//!
//! The outbox is a leased queue like the mail outbox ([`crate::claim_due_sql`]):
//! a deliverer claims due rows until its lease runs out (`FOR UPDATE SKIP LOCKED`
//! on PostgreSQL, the one writer on SQLite), posts them and records the answer. A
//! deliverer that dies mid-post leaves the lease to run out and the row is claimed
//! again: a delivery goes at least once, always with the same event id.

use crate::channels::MessageRow;
use crate::{on_pool, on_tx, on_writer, Result, Store};

/// A row of `api_keys` (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    /// Comma-separated scope names.
    pub scopes: String,
    pub created_at: String,
    pub created_by: String,
    pub revoked_at: Option<String>,
}

type KeyTuple = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

const KEY_COLUMNS: &str = "id, name, prefix, scopes, created_at, created_by, revoked_at";

fn key(t: KeyTuple) -> ApiKeyRow {
    ApiKeyRow {
        id: t.0,
        name: t.1,
        prefix: t.2,
        scopes: t.3,
        created_at: t.4,
        created_by: t.5,
        revoked_at: t.6,
    }
}

/// A key to store.
#[derive(Debug, Clone)]
pub struct NewApiKey<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub prefix: &'a str,
    pub sha256: &'a str,
    pub scopes: &'a str,
    pub now: &'a str,
    pub created_by: &'a str,
}

/// A row of `webhook_endpoints`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    pub secret: String,
    /// The subscribed kinds between commas: `,conversation.created,`.
    pub events: String,
    pub active: bool,
    pub created_at: String,
}

type WebhookTuple = (String, String, String, String, bool, String);

const WEBHOOK_COLUMNS: &str = "id, url, secret, events, active, created_at";

fn webhook(t: WebhookTuple) -> WebhookRow {
    WebhookRow {
        id: t.0,
        url: t.1,
        secret: t.2,
        events: t.3,
        active: t.4,
        created_at: t.5,
    }
}

/// A row of `connectors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorRow {
    pub id: String,
    pub channel_id: String,
    pub name: String,
    pub secret: String,
    pub outbound_url: String,
    /// JSON, as the shell wrote it.
    pub settings: String,
    pub active: bool,
    pub created_at: String,
}

type ConnectorTuple = (String, String, String, String, String, String, bool, String);

const CONNECTOR_COLUMNS: &str =
    "id, channel_id, name, secret, outbound_url, settings, active, created_at";

fn connector(t: ConnectorTuple) -> ConnectorRow {
    ConnectorRow {
        id: t.0,
        channel_id: t.1,
        name: t.2,
        secret: t.3,
        outbound_url: t.4,
        settings: t.5,
        active: t.6,
        created_at: t.7,
    }
}

/// A connector's dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogRow {
    pub connector_id: String,
    pub chat_id: String,
    pub conversation_id: Option<String>,
    /// JSON array of tags.
    pub tags: String,
    /// JSON object.
    pub profile: String,
}

/// Which kind of target a delivery goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Webhook,
    Connector,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Connector => "connector",
        }
    }

    fn parse(raw: &str) -> Result<Self> {
        match raw {
            "webhook" => Ok(Self::Webhook),
            "connector" => Ok(Self::Connector),
            other => Err(crate::Error::corrupt(format!("delivery target {other:?}"))),
        }
    }
}

/// A row of the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub target: Target,
    pub target_id: String,
    pub event_id: String,
    pub kind: String,
    pub body: String,
    pub created_at: String,
    pub due_at: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
    pub failed_at: Option<String>,
}

type DeliveryTuple = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const DELIVERY_COLUMNS: &str = "id, target, target_id, event_id, kind, body, created_at, due_at, \
     attempts, last_status, last_error, last_attempt_at, delivered_at, failed_at";

/// A delivery still to make.
const PENDING: &str = "delivered_at IS NULL AND failed_at IS NULL";

fn delivery(t: DeliveryTuple) -> Result<Delivery> {
    Ok(Delivery {
        id: t.0,
        target: Target::parse(&t.1)?,
        target_id: t.2,
        event_id: t.3,
        kind: t.4,
        body: t.5,
        created_at: t.6,
        due_at: t.7,
        attempts: t.8,
        last_status: t.9,
        last_error: t.10,
        last_attempt_at: t.11,
        delivered_at: t.12,
        failed_at: t.13,
    })
}

impl Store {
    pub async fn create_api_key(&self, new: &NewApiKey<'_>) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO api_keys (id, name, prefix, sha256, scopes, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(new.id)
            .bind(new.name)
            .bind(new.prefix)
            .bind(new.sha256)
            .bind(new.scopes)
            .bind(new.now)
            .bind(new.created_by)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Every key, revoked ones too, newest first.
    pub async fn api_keys(&self) -> Result<Vec<ApiKeyRow>> {
        let rows: Vec<KeyTuple> = on_pool!(self, p => sqlx::query_as(&format!(
            "SELECT {KEY_COLUMNS} FROM api_keys ORDER BY created_at DESC, id"
        ))
        .fetch_all(p)
        .await?);
        Ok(rows.into_iter().map(key).collect())
    }

    /// The key whose SHA-256 (hex) this is, revoked or not.
    pub async fn api_key_by_hash(&self, sha256: &str) -> Result<Option<ApiKeyRow>> {
        let row: Option<KeyTuple> = on_pool!(self, p => sqlx::query_as(&format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE sha256 = $1"
        ))
        .bind(sha256)
        .fetch_optional(p)
        .await?);
        Ok(row.map(key))
    }

    /// Revokes a key; `None` when there is no such key, `Some(false)` when it was
    /// revoked already.
    pub async fn revoke_api_key(&self, id: &str, now: &str) -> Result<Option<bool>> {
        on_pool!(self, p => {
            let done = sqlx::query(
                "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(now)
            .execute(p)
            .await?
            .rows_affected();
            if done == 1 {
                return Ok(Some(true));
            }
            let exists: Option<String> = sqlx::query_scalar("SELECT id FROM api_keys WHERE id = $1")
                .bind(id)
                .fetch_optional(p)
                .await?;
            Ok(exists.map(|_| false))
        })
    }

    pub async fn create_webhook(&self, row: &WebhookRow) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO webhook_endpoints (id, url, secret, events, active, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&row.id)
            .bind(&row.url)
            .bind(&row.secret)
            .bind(&row.events)
            .bind(row.active)
            .bind(&row.created_at)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Every webhook endpoint, oldest first.
    pub async fn webhooks(&self) -> Result<Vec<WebhookRow>> {
        let rows: Vec<WebhookTuple> = on_pool!(self, p => sqlx::query_as(&format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhook_endpoints ORDER BY created_at, id"
        ))
        .fetch_all(p)
        .await?);
        Ok(rows.into_iter().map(webhook).collect())
    }

    pub async fn webhook(&self, id: &str) -> Result<Option<WebhookRow>> {
        let row: Option<WebhookTuple> = on_pool!(self, p => sqlx::query_as(&format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhook_endpoints WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(p)
        .await?);
        Ok(row.map(webhook))
    }

    /// Changes an endpoint's URL, events and switch; false when there is none.
    pub async fn update_webhook(
        &self,
        id: &str,
        url: &str,
        events: &str,
        active: bool,
    ) -> Result<bool> {
        on_pool!(self, p => Ok(sqlx::query(
            "UPDATE webhook_endpoints SET url = $2, events = $3, active = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(url)
        .bind(events)
        .bind(active)
        .execute(p)
        .await?
        .rows_affected()
            == 1))
    }

    /// Claims up to `limit` due deliveries until `lease_until`, counting an attempt
    /// on each, oldest due first.
    pub async fn claim_deliveries(
        &self,
        now: &str,
        lease_until: &str,
        limit: i64,
    ) -> Result<Vec<Delivery>> {
        let rows: Vec<DeliveryTuple> = on_writer!(self, p, pg => {
            let sql = crate::claim_due_sql(
                "deliveries",
                PENDING,
                ", attempts = attempts + 1",
                DELIVERY_COLUMNS,
                pg,
            );
            sqlx::query_as(&sql)
                .bind(now)
                .bind(lease_until)
                .bind(limit)
                .fetch_all(p)
                .await?
        });
        let mut found = rows.into_iter().map(delivery).collect::<Result<Vec<_>>>()?;
        found.sort_by(|a, b| (&a.due_at, a.id).cmp(&(&b.due_at, b.id)));
        Ok(found)
    }

    /// The target acknowledged the delivery with `status`.
    pub async fn delivery_done(&self, id: i64, status: i64, now: &str) -> Result<()> {
        on_writer!(self, p => {
            sqlx::query(
                "UPDATE deliveries SET delivered_at = $2, last_status = $3, last_error = NULL,
                        last_attempt_at = $2, lease_until = NULL
                  WHERE id = $1",
            )
            .bind(id)
            .bind(now)
            .bind(status)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// The attempt failed (`status`: the target's answer, if any): tried again at
    /// `due_at`, or, with `give_up`, never again unless re-sent by hand.
    pub async fn delivery_failed(
        &self,
        id: i64,
        status: Option<i64>,
        error: &str,
        now: &str,
        due_at: &str,
        give_up: bool,
    ) -> Result<()> {
        on_writer!(self, p => {
            sqlx::query(
                "UPDATE deliveries SET last_status = $2, last_error = $3, last_attempt_at = $4,
                        due_at = $5, failed_at = CASE WHEN $6 THEN $4 ELSE NULL END,
                        lease_until = NULL
                  WHERE id = $1",
            )
            .bind(id)
            .bind(status)
            .bind(error)
            .bind(now)
            .bind(due_at)
            .bind(give_up)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Drops the deliveries delivered before `before` (pending and failed ones
    /// stay); returns how many went.
    pub async fn prune_deliveries(&self, before: &str) -> Result<u64> {
        on_pool!(self, p => Ok(sqlx::query(
            "DELETE FROM deliveries WHERE delivered_at IS NOT NULL AND delivered_at < $1",
        )
        .bind(before)
        .execute(p)
        .await?
        .rows_affected()))
    }

    /// When the next pending delivery can be claimed (`None`: nothing waits).
    pub async fn next_delivery_due(&self) -> Result<Option<String>> {
        self.next_due("deliveries", PENDING).await
    }

    /// A target's deliveries, newest first, at most `limit`.
    pub async fn deliveries_of(
        &self,
        target: Target,
        target_id: &str,
        limit: i64,
    ) -> Result<Vec<Delivery>> {
        let rows: Vec<DeliveryTuple> = on_pool!(self, p => sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE target = $1 AND target_id = $2
              ORDER BY id DESC LIMIT $3"
        ))
        .bind(target.as_str())
        .bind(target_id)
        .bind(limit)
        .fetch_all(p)
        .await?);
        rows.into_iter().map(delivery).collect()
    }

    /// Sends a delivery of the target again (same event id and body), due now:
    /// delivered or given up, it goes back to pending; one still pending is due
    /// now. `None` when the target has no such delivery.
    pub async fn resend_delivery(
        &self,
        target: Target,
        target_id: &str,
        id: i64,
        now: &str,
    ) -> Result<Option<Delivery>> {
        let row: Option<DeliveryTuple> = on_pool!(self, p => sqlx::query_as(&format!(
            "UPDATE deliveries SET delivered_at = NULL, failed_at = NULL, due_at = $4
              WHERE id = $3 AND target = $1 AND target_id = $2
              RETURNING {DELIVERY_COLUMNS}"
        ))
        .bind(target.as_str())
        .bind(target_id)
        .bind(id)
        .bind(now)
        .fetch_optional(p)
        .await?);
        row.map(delivery).transpose()
    }

    pub async fn create_connector(&self, row: &ConnectorRow) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO connectors
                     (id, channel_id, name, secret, outbound_url, settings, active, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&row.id)
            .bind(&row.channel_id)
            .bind(&row.name)
            .bind(&row.secret)
            .bind(&row.outbound_url)
            .bind(&row.settings)
            .bind(row.active)
            .bind(&row.created_at)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Every connector, oldest first.
    pub async fn connectors(&self) -> Result<Vec<ConnectorRow>> {
        let rows: Vec<ConnectorTuple> = on_pool!(self, p => sqlx::query_as(&format!(
            "SELECT {CONNECTOR_COLUMNS} FROM connectors ORDER BY created_at, id"
        ))
        .fetch_all(p)
        .await?);
        Ok(rows.into_iter().map(connector).collect())
    }

    pub async fn connector(&self, id: &str) -> Result<Option<ConnectorRow>> {
        let row: Option<ConnectorTuple> = on_pool!(self, p => sqlx::query_as(&format!(
            "SELECT {CONNECTOR_COLUMNS} FROM connectors WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(p)
        .await?);
        Ok(row.map(connector))
    }

    /// Changes a connector's name, outbound URL, settings and switch; false when
    /// there is none.
    pub async fn update_connector(&self, row: &ConnectorRow) -> Result<bool> {
        on_pool!(self, p => Ok(sqlx::query(
            "UPDATE connectors SET name = $2, outbound_url = $3, settings = $4, active = $5
              WHERE id = $1",
        )
        .bind(&row.id)
        .bind(&row.name)
        .bind(&row.outbound_url)
        .bind(&row.settings)
        .bind(row.active)
        .execute(p)
        .await?
        .rows_affected()
            == 1))
    }

    /// A connector's dialog, if the gateway wrote about it before.
    pub async fn dialog(&self, connector_id: &str, chat_id: &str) -> Result<Option<DialogRow>> {
        let row: Option<(Option<String>, String, String)> = on_pool!(self, p => sqlx::query_as(
            "SELECT conversation_id, tags, profile FROM connector_dialogs
              WHERE connector_id = $1 AND chat_id = $2",
        )
        .bind(connector_id)
        .bind(chat_id)
        .fetch_optional(p)
        .await?);
        Ok(row.map(|(conversation_id, tags, profile)| DialogRow {
            connector_id: connector_id.to_owned(),
            chat_id: chat_id.to_owned(),
            conversation_id,
            tags,
            profile,
        }))
    }

    /// Writes a dialog's tags and profile (creating it), keeping its conversation.
    pub async fn put_dialog(
        &self,
        connector_id: &str,
        chat_id: &str,
        tags: &str,
        profile: &str,
        now: &str,
    ) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO connector_dialogs (connector_id, chat_id, tags, profile, created_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (connector_id, chat_id)
                 DO UPDATE SET tags = excluded.tags, profile = excluded.profile",
            )
            .bind(connector_id)
            .bind(chat_id)
            .bind(tags)
            .bind(profile)
            .bind(now)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Links a dialog to the conversation its messages went to; when this links
    /// it, what the conversation says so far besides the customer (the consent
    /// notice) is queued to the gateway in the same transaction.
    pub async fn link_dialog(
        &self,
        connector_id: &str,
        chat_id: &str,
        conversation_id: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let linked = on_tx!(&mut tx, c => sqlx::query(
            "UPDATE connector_dialogs SET conversation_id = $3
              WHERE connector_id = $1 AND chat_id = $2 AND conversation_id IS NULL",
        )
        .bind(connector_id)
        .bind(chat_id)
        .bind(conversation_id)
        .execute(&mut *c)
        .await?
        .rows_affected());
        let mut queued = 0;
        if linked == 1 {
            let said: Vec<MessageRow> = on_tx!(&mut tx, c => sqlx::query_as(&format!(
                "{} WHERE m.conversation_id = $1 AND m.author <> 'visitor' ORDER BY m.seq",
                crate::channels::MESSAGE_SELECT
            ))
            .bind(conversation_id)
            .fetch_all(&mut *c)
            .await?);
            for row in &said {
                queued += crate::events::to_connector_in(&mut tx, conversation_id, row).await?;
            }
        }
        tx.commit().await?;
        self.queued.committed(queued);
        Ok(())
    }

    /// The connector and chat id a conversation came through, if it came through one.
    pub async fn dialog_of_conversation(
        &self,
        conversation_id: &str,
    ) -> Result<Option<(ConnectorRow, String)>> {
        let found: Option<(String, String)> = on_pool!(self, p => sqlx::query_as(
            "SELECT connector_id, chat_id FROM connector_dialogs WHERE conversation_id = $1",
        )
        .bind(conversation_id)
        .fetch_optional(p)
        .await?);
        let Some((connector_id, chat_id)) = found else {
            return Ok(None);
        };
        Ok(self.connector(&connector_id).await?.map(|c| (c, chat_id)))
    }

    /// Keeps a message of a dialog the tag filter held back.
    pub async fn hold_message(
        &self,
        connector_id: &str,
        chat_id: &str,
        text: &str,
        now: &str,
    ) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO connector_held (connector_id, chat_id, text, created_at)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(connector_id)
            .bind(chat_id)
            .bind(text)
            .bind(now)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Takes the held messages of a dialog not forwarded yet, oldest first, marking
    /// them forwarded.
    pub async fn take_held(
        &self,
        connector_id: &str,
        chat_id: &str,
        now: &str,
    ) -> Result<Vec<String>> {
        on_pool!(self, p => {
            let rows: Vec<(i64, String)> = sqlx::query_as(
                "UPDATE connector_held SET forwarded_at = $3
                  WHERE connector_id = $1 AND chat_id = $2 AND forwarded_at IS NULL
                  RETURNING id, text",
            )
            .bind(connector_id)
            .bind(chat_id)
            .bind(now)
            .fetch_all(p)
            .await?;
            let mut rows = rows;
            rows.sort_by_key(|(id, _)| *id);
            Ok(rows.into_iter().map(|(_, text)| text).collect())
        })
    }
}

impl Store {
    /// Notes that a connector's gateway sent `key`; false when it was noted before.
    pub async fn connector_saw(&self, connector_id: &str, key: &str, now: &str) -> Result<bool> {
        on_pool!(self, p => Ok(sqlx::query(
            "INSERT INTO connector_seen (connector_id, key, seen_at) VALUES ($1, $2, $3)
             ON CONFLICT (connector_id, key) DO NOTHING",
        )
        .bind(connector_id)
        .bind(key)
        .bind(now)
        .execute(p)
        .await?
        .rows_affected()
            == 1))
    }

    /// Forgets that a connector's gateway sent `key` (what it sent was not taken
    /// after all: its retry must be).
    pub async fn connector_unsee(&self, connector_id: &str, key: &str) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("DELETE FROM connector_seen WHERE connector_id = $1 AND key = $2")
                .bind(connector_id)
                .bind(key)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Forgets the keys starting with `prefix` noted before `before`.
    pub async fn forget_connector_seen(
        &self,
        connector_id: &str,
        prefix: &str,
        before: &str,
    ) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "DELETE FROM connector_seen
                  WHERE connector_id = $1 AND key LIKE $2 || '%' AND seen_at < $3",
            )
            .bind(connector_id)
            .bind(prefix)
            .bind(before)
            .execute(p)
            .await?;
        });
        Ok(())
    }
}
