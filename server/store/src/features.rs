//! Per-channel features: the contact form and its submissions, working hours,
//! the theme, identity verification, ratings, CRM contact links and messenger
//! chats. Settings the shell keeps as protocol JSON are stored and returned as
//! JSON text; the shell parses and checks them.

use sqlx::FromRow;

use canal_protocol::integrations::EventData;

use crate::channels::append_message_in;
use crate::writes::NewMessage;
use crate::{new_id, now_rfc3339, on_pool, on_tx, ChannelJson, Result, Store};

/// A channel's identity-verification settings.
#[derive(Debug, Clone, FromRow)]
pub struct IdentitySettings {
    pub identity_secret: Option<String>,
    pub identity_enforced: bool,
    pub identity_window_secs: i64,
}

/// An identity kept on a visitor (from `Canal.setUser`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorUser {
    pub user_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub verified: bool,
}

/// A channel's theme columns.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ThemeRow {
    pub theme_color: Option<String>,
    pub theme_position: String,
    pub theme_launcher_text: Option<String>,
    pub theme_mode: String,
}

/// A conversation's rating as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RatingRow {
    pub rating: String,
    pub comment: Option<String>,
    pub rated_at: String,
}

/// A contact-form submission to store.
#[derive(Debug, Clone)]
pub struct Submission<'a> {
    pub channel_id: &'a str,
    pub visitor_id: &'a str,
    pub conversation_id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    /// JSON array of the consent record ids made with it.
    pub consent_ids: &'a str,
    pub request_id: Option<&'a str>,
}

/// A messenger chat Canal knows.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct MessengerChat {
    pub visitor_id: String,
    pub conversation_id: String,
    /// The agreement version the notice linked to.
    pub notice_version_id: Option<String>,
}

/// What [`Store::start_messenger_chat`] did.
#[derive(Debug)]
pub enum ChatStart {
    Started {
        conversation_id: String,
    },
    /// Another first message of the chat won: nothing was stored.
    Raced,
}

impl Store {
    // ---- contact form ----

    /// The channel's form as stored: (fields JSON, agreement ids JSON, asked for
    /// in the chat after the first message).
    pub async fn form(&self, channel_id: &str) -> Result<Option<(String, String, bool)>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT fields, agreements, ask_in_chat FROM channel_forms WHERE channel_id = $1",
        )
        .bind(channel_id)
        .fetch_optional(p)
        .await?))
    }

    pub async fn put_form(
        &self,
        channel_id: &str,
        fields: &str,
        agreements: &str,
        ask_in_chat: bool,
    ) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO channel_forms (channel_id, fields, agreements, updated_at, ask_in_chat)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (channel_id) DO UPDATE SET fields = excluded.fields,
                 agreements = excluded.agreements, updated_at = excluded.updated_at,
                 ask_in_chat = excluded.ask_in_chat",
            )
            .bind(channel_id)
            .bind(fields)
            .bind(agreements)
            .bind(now_rfc3339())
            .bind(ask_in_chat)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Stores a submission; a request id already used returns the earlier one's id
    /// and stores nothing.
    pub async fn submit_form(&self, s: &Submission<'_>) -> Result<String> {
        let id = new_id();
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO contact_submissions (id, channel_id, visitor_id, conversation_id, name, email,
                 phone, consent_ids, request_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (channel_id, request_id) DO NOTHING",
            )
            .bind(&id)
            .bind(s.channel_id)
            .bind(s.visitor_id)
            .bind(s.conversation_id)
            .bind(s.name)
            .bind(s.email)
            .bind(s.phone)
            .bind(s.consent_ids)
            .bind(s.request_id)
            .bind(now_rfc3339())
            .execute(p)
            .await?;
            match s.request_id {
                Some(request_id) => Ok(sqlx::query_scalar(
                    "SELECT id FROM contact_submissions WHERE channel_id = $1 AND request_id = $2",
                )
                .bind(s.channel_id)
                .bind(request_id)
                .fetch_one(p)
                .await?),
                None => Ok(id),
            }
        })
    }

    // ---- working hours ----

    /// The channel's working hours as stored (JSON), if set.
    pub async fn hours(&self, channel_id: &str) -> Result<Option<String>> {
        self.channel_json(ChannelJson::HOURS, channel_id).await
    }

    /// Sets the channel's working hours; its conversations' stored figures are then
    /// computed again with them (see [`Store::figures_stale_in_channel`]).
    pub async fn put_hours(&self, channel_id: &str, json: &str) -> Result<()> {
        let stale = self.figures_stale_in_channel(channel_id).await?;
        self.put_channel_json(ChannelJson::HOURS, channel_id, json)
            .await?;
        self.changed.mark(stale);
        Ok(())
    }

    /// The channel is always open again; its figures are computed again, as
    /// [`Store::put_hours`].
    pub async fn delete_hours(&self, channel_id: &str) -> Result<()> {
        let stale = self.figures_stale_in_channel(channel_id).await?;
        on_pool!(self, p => {
            sqlx::query("DELETE FROM channel_hours WHERE channel_id = $1")
                .bind(channel_id)
                .execute(p)
                .await?;
        });
        self.changed.mark(stale);
        Ok(())
    }

    // ---- theme ----

    pub async fn theme(&self, channel_id: &str) -> Result<ThemeRow> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT theme_color, theme_position, theme_launcher_text, theme_mode
             FROM channels WHERE id = $1",
        )
        .bind(channel_id)
        .fetch_one(p)
        .await?))
    }

    pub async fn put_theme(&self, channel_id: &str, theme: &ThemeRow) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "UPDATE channels SET theme_color = $2, theme_position = $3, theme_launcher_text = $4,
                 theme_mode = $5 WHERE id = $1",
            )
            .bind(channel_id)
            .bind(&theme.theme_color)
            .bind(&theme.theme_position)
            .bind(&theme.theme_launcher_text)
            .bind(&theme.theme_mode)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    // ---- identity ----

    pub async fn identity_settings(&self, channel_id: &str) -> Result<IdentitySettings> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT identity_secret, identity_enforced, identity_window_secs FROM channels WHERE id = $1",
        )
        .bind(channel_id)
        .fetch_one(p)
        .await?))
    }

    pub async fn put_identity_settings(
        &self,
        channel_id: &str,
        enforced: bool,
        window_secs: i64,
    ) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "UPDATE channels SET identity_enforced = $2, identity_window_secs = $3 WHERE id = $1",
            )
            .bind(channel_id)
            .bind(enforced)
            .bind(window_secs)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    pub async fn put_identity_secret(&self, channel_id: &str, secret: &str) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("UPDATE channels SET identity_secret = $2 WHERE id = $1")
                .bind(channel_id)
                .bind(secret)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Keeps an identity on the visitor (replacing an earlier one).
    pub async fn attach_user(&self, visitor_id: &str, user: &VisitorUser) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "UPDATE visitors SET user_id = $2, user_name = $3, user_email = $4, user_phone = $5,
                 user_verified = $6 WHERE id = $1",
            )
            .bind(visitor_id)
            .bind(&user.user_id)
            .bind(&user.name)
            .bind(&user.email)
            .bind(&user.phone)
            .bind(user.verified)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// The identity kept on a visitor, if any.
    pub async fn visitor_user(&self, visitor_id: &str) -> Result<Option<VisitorUser>> {
        type Row = (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            bool,
        );
        let row: Option<Row> = on_pool!(self, p => sqlx::query_as(
            "SELECT user_id, user_name, user_email, user_phone, user_verified FROM visitors
             WHERE id = $1",
        )
        .bind(visitor_id)
        .fetch_optional(p)
        .await?);
        Ok(row.and_then(|(user_id, name, email, phone, verified)| {
            user_id.map(|user_id| VisitorUser {
                user_id,
                name,
                email,
                phone,
                verified,
            })
        }))
    }

    // ---- ratings ----

    pub async fn rating(&self, conversation_id: &str) -> Result<Option<RatingRow>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT rating, comment, rated_at FROM conversation_ratings WHERE conversation_id = $1",
        )
        .bind(conversation_id)
        .fetch_optional(p)
        .await?))
    }

    /// Stores a rating; a later one replaces the earlier.
    /// Stores a conversation's rating (a later one replaces it), with its
    /// `conversation.rated` event.
    pub async fn rate(&self, conversation_id: &str, rating: &RatingRow) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO conversation_ratings (conversation_id, rating, comment, rated_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (conversation_id) DO UPDATE
                   SET rating = excluded.rating, comment = excluded.comment, rated_at = excluded.rated_at",
            )
            .bind(conversation_id)
            .bind(&rating.rating)
            .bind(&rating.comment)
            .bind(&rating.rated_at)
            .execute(&mut *c)
            .await?;
        });
        let rated = EventData::ConversationRated {
            conversation_id: conversation_id.to_owned(),
            rating: rating.rating.clone(),
            comment: rating.comment.clone(),
        };
        let queued = crate::events::event_in(&mut tx, rated).await?;
        tx.commit().await?;
        self.queued.committed(queued);
        self.changed.mark([conversation_id.to_owned()]);
        Ok(())
    }

    // ---- CRM links ----

    /// Links a visitor to a CRM entity (replacing an earlier link).
    pub async fn link_contact(
        &self,
        visitor_id: &str,
        crm_entity: &str,
        responsible: Option<i64>,
    ) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO contact_links (visitor_id, crm_entity, responsible_agent_id, updated_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT (visitor_id) DO UPDATE SET
                 crm_entity = excluded.crm_entity, responsible_agent_id = excluded.responsible_agent_id,
                 updated_at = excluded.updated_at",
            )
            .bind(visitor_id)
            .bind(crm_entity)
            .bind(responsible)
            .bind(now_rfc3339())
            .execute(p)
            .await?;
        });
        Ok(())
    }

    // ---- messenger chats ----

    pub async fn messenger_chat(
        &self,
        channel_id: &str,
        chat_id: &str,
    ) -> Result<Option<MessengerChat>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT visitor_id, conversation_id, notice_version_id FROM messenger_chats
             WHERE channel_id = $1 AND chat_id = $2",
        )
        .bind(channel_id)
        .bind(chat_id)
        .fetch_optional(p)
        .await?))
    }

    /// A chat's first message: visitor, conversation, the chat, the message and
    /// (when given) the consent notice after it, all in one transaction.
    pub async fn start_messenger_chat(
        &self,
        channel_id: &str,
        chat_id: &str,
        notice_version_id: Option<&str>,
        text: &str,
        notice: Option<&str>,
    ) -> Result<ChatStart> {
        let now = now_rfc3339();
        let visitor_id = new_id();
        let conversation_id = new_id();
        let mut tx = self.begin().await?;
        let raced = on_tx!(&mut tx, c => sqlx::query(
            "SELECT 1 FROM messenger_chats WHERE channel_id = $1 AND chat_id = $2",
        )
        .bind(channel_id)
        .bind(chat_id)
        .fetch_optional(&mut *c)
        .await?
        .is_some());
        if raced {
            return Ok(ChatStart::Raced);
        }
        let inserted = on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO visitors (id, channel_id, created_at) VALUES ($1, $2, $3)")
                .bind(&visitor_id)
                .bind(channel_id)
                .bind(&now)
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "INSERT INTO conversations (id, channel_id, visitor_id, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(&conversation_id)
            .bind(channel_id)
            .bind(&visitor_id)
            .bind(&now)
            .execute(&mut *c)
            .await?;
            // Two first messages of one chat on PostgreSQL: the key refuses the second.
            sqlx::query(
                "INSERT INTO messenger_chats (channel_id, chat_id, visitor_id, conversation_id, notice_version_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (channel_id, chat_id) DO NOTHING",
            )
            .bind(channel_id)
            .bind(chat_id)
            .bind(&visitor_id)
            .bind(&conversation_id)
            .bind(notice_version_id)
            .bind(&now)
            .execute(&mut *c)
            .await?
            .rows_affected()
                == 1
        });
        if !inserted {
            return Ok(ChatStart::Raced);
        }
        let created = EventData::ConversationCreated {
            conversation_id: conversation_id.clone(),
            channel_id: channel_id.to_owned(),
            visitor_id: visitor_id.clone(),
            page_url: None,
        };
        let mut queued = crate::events::event_in(&mut tx, created).await?;
        let message = |author: &str, body: &str| NewMessage {
            conversation_id: conversation_id.clone(),
            author: author.to_owned(),
            agent_id: None,
            client_id: None,
            body: body.to_owned(),
        };
        append_message_in(&mut tx, &message("visitor", text), &mut queued).await?;
        if let Some(notice) = notice {
            append_message_in(&mut tx, &message("system", notice), &mut queued).await?;
        }
        tx.commit().await?;
        self.queued.committed(queued);
        // A visitor's message alone changes no figure (see crate::figures).
        Ok(ChatStart::Started { conversation_id })
    }

    /// Sets a conversation's consent record, unless it has one.
    pub async fn set_conversation_consent(
        &self,
        conversation_id: &str,
        consent_id: &str,
    ) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("UPDATE conversations SET consent_id = $1 WHERE id = $2 AND consent_id IS NULL")
                .bind(consent_id)
                .bind(conversation_id)
                .execute(p)
                .await?;
        });
        Ok(())
    }
}
