//! The customer card beside a conversation: who the CRM knows the customer as
//! (name, phones, e-mails, responsible agent), their leads and deals (with each
//! conversation's transcript on them), their
//! conversations on every channel and their consent records, and "Save to CRM".
//! Loaded on opening the conversation and again with each of its new messages
//! (the chat tracker may have recognised the customer by what they typed).

use canal_protocol::crm::{ConversationCrm, CustomerCard};
use canal_protocol::Author;
use leptos::prelude::*;

use crate::{
    api,
    i18n::{tr, use_locale, use_strings, Strings},
    session::Console,
    time::local_date_time,
};

/// The card (`data-testid="customer-card"`): the contact's name (`crm-name`),
/// phones (`crm-phone`), e-mails (`crm-email`), responsible (`crm-responsible`),
/// records (`crm-record`), the transcripts on them (a `crm-transcript-line`
/// naming the record, then one per message), conversations (`crm-conversation`), consents
/// (`crm-consent`); `crm-unknown` while the CRM does not know the customer;
/// "Save to CRM" (`crm-save`).
#[component]
pub fn CustomerCard(
    /// The open conversation's id.
    id: String,
) -> impl IntoView {
    let t = use_strings();
    let locale = use_locale();
    let console = expect_context::<Console>();
    // Each new message may have told the tracker who the customer is.
    let messages = Memo::new(move |_| console.state.with(|s| s.entries().len()));
    let saved = RwSignal::new(0u32);
    let failure = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    // The card as last loaded: `None` until the first answer. A signal fed by
    // requests (not a `LocalResource`, whose machinery the console does not
    // otherwise carry: this keeps the wasm small).
    let card = RwSignal::new(None::<Option<CustomerCard>>);
    let load = {
        let id = id.clone();
        move || {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                let result = api::conversation_crm(&id).await;
                if card.is_disposed() {
                    return;
                }
                match result {
                    Ok(ConversationCrm { card: c }) => card.set(Some(c)),
                    Err(e) => failure.set(Strings::admin_error(&e).in_language(t.get_untracked())),
                }
            });
        }
    };
    // Loaded on opening, and again with each new message or save.
    Effect::new({
        let load = load.clone();
        move |_| {
            let _ = (messages.get(), saved.get());
            load();
        }
    });
    let save = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        failure.set(String::new());
        let id = id.clone();
        leptos::task::spawn_local(async move {
            let result = api::save_crm(&id).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match result {
                Ok(()) => saved.update(|n| *n += 1),
                Err(e) => failure.set(Strings::admin_error(&e).in_language(t.get_untracked())),
            }
        });
    };
    // One closure draws the card from plain texts (the language and the card are
    // read here), and one list component draws every list: few view types, so
    // the console's wasm stays small.
    let body = move || {
        let t = t.get();
        let locale = locale();
        match card.get() {
            None => view! { <p class="cc-muted">{t.loading}</p> }.into_any(),
            Some(None) => {
                view! { <p class="cc-empty" data-testid="crm-unknown">{t.crm_unknown}</p> }
                    .into_any()
            }
            Some(Some(card)) => {
                // Every transcript on the records in one list: a line naming the
                // record, then the conversation's messages.
                let mut transcripts = Vec::new();
                for r in &card.records {
                    for lines in &r.transcripts {
                        transcripts.push(format!("{} · {}", t.transcript, r.title));
                        transcripts.extend(lines.iter().map(|l| {
                            let who = match l.author {
                                Author::Agent => l.author_name.as_deref().unwrap_or(t.agent),
                                _ => t.customer,
                            };
                            format!(
                                "{} {}: {}",
                                local_date_time(&l.sent_at, &locale),
                                who,
                                l.text
                            )
                        }));
                    }
                }
                let records = card
                    .records
                    .into_iter()
                    .map(|r| {
                        format!(
                            "{}: {} · {} · {}",
                            t.crm_kind(&r.kind),
                            r.title,
                            t.crm_code(&r.status),
                            t.crm_code(&r.source)
                        )
                    })
                    .collect();
                let conversations = card
                    .conversations
                    .into_iter()
                    .map(|c| {
                        format!(
                            "{} ({}) · {} · {}: {}",
                            c.channel_name,
                            t.crm_code(&c.source),
                            local_date_time(&c.created_at, &locale),
                            t.crm_messages,
                            c.messages
                        )
                    })
                    .collect();
                let consents = card
                    .consents
                    .into_iter()
                    .map(|c| {
                        format!(
                            "#{} {} · v{} · {} · {}",
                            c.seq,
                            t.crm_code(&c.action),
                            c.agreement_version,
                            t.crm_code(&c.source),
                            local_date_time(&c.created_at, &locale)
                        )
                    })
                    .collect();
                let responsible = format!(
                    "{}: {}",
                    t.responsible,
                    card.responsible_name.as_deref().unwrap_or(t.nobody)
                );
                view! {
                    <p class="cc-crm-name" data-testid="crm-name">
                        {card.name.unwrap_or_else(|| t.crm_no_name.to_owned())}
                    </p>
                    <CardList test_id="crm-phone" items=card.phones />
                    <CardList test_id="crm-email" items=card.emails />
                    <p class="cc-crm-line" data-testid="crm-responsible">{responsible}</p>
                    <h3 class="cc-crm-heading">{t.crm_records}</h3>
                    <CardList test_id="crm-record" items=records />
                    <CardList test_id="crm-transcript-line" items=transcripts />
                    <h3 class="cc-crm-heading">{t.crm_conversations}</h3>
                    <CardList test_id="crm-conversation" items=conversations />
                    <h3 class="cc-crm-heading">{t.crm_consents}</h3>
                    <CardList test_id="crm-consent" items=consents />
                }
                .into_any()
            }
        }
    };
    view! {
        <aside class="cc-log cc-crm" data-testid="customer-card" aria-labelledby="cc-crm-title">
            <h2 id="cc-crm-title" class="cc-side-title">{tr(|t| t.customer)}</h2>
            <div class="cc-crm-body">
                {body}
                <button
                    type="button"
                    class="cc-button"
                    data-testid="crm-save"
                    disabled=move || busy.get()
                    on:click=save
                >
                    {tr(|t| t.save_to_crm)}
                </button>
                <p class="cc-error" role="alert" data-testid="crm-error">{move || failure.get()}</p>
            </div>
        </aside>
    }
}

/// One list of the card: an item (`data-testid` `test_id`) per text.
#[component]
fn CardList(test_id: &'static str, items: Vec<String>) -> impl IntoView {
    view! {
        <ul class="cc-crm-list">
            {items.into_iter().map(|text| view! { <li data-testid=test_id>{text}</li> }).collect_view()}
        </ul>
    }
}
