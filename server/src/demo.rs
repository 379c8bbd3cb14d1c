//! The demo channel and the demo host page `cargo xtask run` serves, so a newcomer
//! sees the widget working without configuring anything.

use crate::agents;
use crate::store::{Channel, Store};

/// The demo channel's public key.
pub const CHANNEL_KEY: &str = "demo";

const AGREEMENT_TEXT: &str = "\
Demo Company Ltd. (the controller) processes the personal data you give in this chat \
(your messages, and the name, e-mail and phone you choose to share) together with the \
address of the page you are on and your IP address, in order to answer your questions \
and keep a record of the conversation.

The data is kept for as long as needed to answer you and for the period the law \
requires for records of this kind, and is not passed to third parties except the \
service providers that host this chat on our behalf.

You may withdraw this consent at any time; withdrawal does not affect processing \
before it. You have the right to access, correct and erase your data and to complain \
to your data protection authority. Contact: privacy@demo.example.";

/// Creates the demo channel and its personal-data agreement, unless they exist.
/// The channel is made as the admin API makes any channel.
pub async fn seed(store: &Store) -> Result<Channel, crate::error::AppError> {
    if let Some(channel) = store.channel_by_key(CHANNEL_KEY).await? {
        return Ok(channel);
    }
    let request = canal_protocol::channels::CreateChannel {
        key: Some(CHANNEL_KEY.into()),
        name: "Demo website".into(),
        title: Some("Demo Company".into()),
        greeting: Some("Hi! Ask us anything: a person will answer here.".into()),
        greetings: Some(canal_protocol::channels::Greetings::from([
            (
                "es".into(),
                "¡Hola! Pregúntanos lo que quieras: te responde una persona.".into(),
            ),
            (
                "ru".into(),
                "Здравствуйте! Спрашивайте что угодно: ответит живой человек.".into(),
            ),
        ])),
        locale: None,
        allowed_origins: None,
    };
    let mut channel = crate::services::channels::create(store, request).await?;
    let version = store
        .create_chat_agreement(
            &channel.id,
            "Chat personal data (demo)",
            "Consent to the processing of personal data",
            AGREEMENT_TEXT,
            "I agree to the processing of my personal data",
        )
        .await?;
    channel.consent_agreement_id = Some(version.agreement_id);
    Ok(channel)
}

/// The demo agent's sign-in e-mail.
pub const AGENT_EMAIL: &str = "agent@demo.example";

/// The demo agent: an admin (so they also see the queue and may change settings)
/// in the demo channel's queue, with a fresh random password on every start, which
/// the caller prints. Also sets the demo channel's routing (evenly, offers pass on
/// after a minute, a no-agent auto-reply) unless it was configured already.
pub async fn seed_agent(
    store: &Store,
    channel: &Channel,
) -> Result<String, crate::error::AppError> {
    use canal_protocol::agent::{QueueItem, Role};

    let password = agents::random_text(12);
    let hash = agents::hash_password(password.clone()).await?;
    let pool = store;
    let agent = match agents::by_email(pool, AGENT_EMAIL).await? {
        Some(mut agent) => {
            agent.password_hash = hash;
            agent.dismissed = false;
            agents::save(pool, &agent).await?;
            agent
        }
        None => {
            agents::create(
                pool,
                AGENT_EMAIL,
                "Alex (demo agent)",
                &hash,
                Role::Admin,
                None,
                None,
                false,
            )
            .await?
        }
    };
    if pool.routing_settings(&channel.id).await?.is_none() {
        let mut settings = crate::dispatch::default_settings();
        settings.pass_after_secs = 60;
        settings.queue = vec![QueueItem::Agent(agent.id.max(0) as u64)];
        settings.no_agent_reply = Some(
            "Nobody is available right now. Leave your message here: we will answer in this chat."
                .into(),
        );
        crate::dispatch::save_settings(pool, &channel.id, &settings).await?;
    }
    Ok(password)
}

/// The snippet a site owner pastes before `</body>`.
pub fn snippet(public_url: &str, key: &str) -> String {
    crate::theme::snippet(public_url, key, &Default::default())
}

/// A host page that embeds the snippet, like a customer's site would.
pub fn page(public_url: &str, key: &str) -> String {
    let snippet = snippet(public_url, key);
    let shown = snippet
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo shop: Canal live chat</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1d2433; background: #f6f7f9; }}
main {{ max-width: 46rem; margin: 0 auto; padding: 3rem 1.5rem; }}
code, pre {{ background: #e9ecf2; border-radius: 6px; }}
pre {{ padding: 1rem; overflow-x: auto; }}
</style>
</head>
<body>
<main>
<h1>Demo shop</h1>
<p>This page stands for a customer's website. The chat launcher in the bottom-right
corner comes from the snippet below; nothing else on this page knows about Canal.</p>
<p>Open the chat, write a message and accept the agreement: the consent, the
conversation and the message are stored by the Canal server.</p>
<pre><code>{shown}</code></pre>
</main>
{snippet}
</body>
</html>
"#
    )
}
