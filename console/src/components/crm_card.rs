//! The customer card beside a conversation: who the CRM knows the customer as
//! (name, phones, e-mails, responsible agent), their leads and deals, their
//! conversations on every channel and their consent records, and "Save to CRM".
//! Loaded on opening the conversation and again with each of its new messages
//! (the chat tracker may have recognised the customer by what they typed).

use canal_protocol::crm::{ContactCard, ConversationCrm};
use leptos::prelude::*;

use crate::{
    api,
    i18n::{tr, use_locale, use_strings, Strings},
    session::Console,
    time::local_date_time,
};

/// The card (`data-testid="customer-card"`): the contact's name (`crm-name`),
/// phones (`crm-phone`), e-mails (`crm-email`), responsible (`crm-responsible`),
/// records (`crm-record`), conversations (`crm-conversation`), consents
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
    let card = RwSignal::new(None::<Option<ContactCard>>);
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
    let shown = move || card.get();
    view! {
        <aside class="cc-log cc-crm" data-testid="customer-card" aria-labelledby="cc-crm-title">
            <h2 id="cc-crm-title" class="cc-side-title">{tr(|t| t.customer)}</h2>
            <div class="cc-crm-body">
                {move || match shown() {
                    None => view! { <p class="cc-muted">{tr(|t| t.loading)}</p> }.into_any(),
                    Some(None) => view! {
                        <p class="cc-empty" data-testid="crm-unknown">{tr(|t| t.crm_unknown)}</p>
                    }
                    .into_any(),
                    Some(Some(card)) => {
                        let contact = card.contact;
                        let name = contact.name.unwrap_or_else(|| t.get_untracked().crm_no_name.to_owned());
                        let responsible = contact.responsible_name;
                        view! {
                            <p class="cc-crm-name" data-testid="crm-name">{name}</p>
                            <ul class="cc-crm-values">
                                {contact.phones.into_iter().map(|p| view! {
                                    <li data-testid="crm-phone"><a href=format!("tel:{p}")>{p.clone()}</a></li>
                                }).collect_view()}
                                {contact.emails.into_iter().map(|e| view! {
                                    <li data-testid="crm-email"><a href=format!("mailto:{e}")>{e.clone()}</a></li>
                                }).collect_view()}
                            </ul>
                            <p class="cc-crm-line" data-testid="crm-responsible">
                                {tr(|t| t.responsible)} ": "
                                {match responsible {
                                    Some(name) => name.into_any(),
                                    None => tr(|t| t.nobody).into_any(),
                                }}
                            </p>
                            <h3 class="cc-crm-heading">{tr(|t| t.crm_records)}</h3>
                            <ul class="cc-crm-list">
                                {card.records.into_iter().map(|r| {
                                    let kind = r.kind.clone();
                                    view! {
                                        <li data-testid="crm-record" data-kind=r.kind.clone()>
                                            <span class="cc-label-chip">{move || t.get().crm_kind(&kind)}</span>
                                            {r.title} " · " {r.status} " · " {r.source}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <h3 class="cc-crm-heading">{tr(|t| t.crm_conversations)}</h3>
                            <ul class="cc-crm-list">
                                {card.conversations.into_iter().map(|c| {
                                    let at = c.created_at.clone();
                                    view! {
                                        <li data-testid="crm-conversation" data-conversation-id=c.conversation_id.clone()>
                                            <span>{c.channel_name}</span> " (" {c.source} ") · "
                                            <time datetime=c.created_at.clone()>{move || local_date_time(&at, &locale())}</time>
                                            " · " {move || format!("{}: {}", t.get().crm_messages, c.messages)}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <h3 class="cc-crm-heading">{tr(|t| t.crm_consents)}</h3>
                            <ul class="cc-crm-list">
                                {card.consents.into_iter().map(|c| {
                                    let at = c.created_at.clone();
                                    view! {
                                        <li data-testid="crm-consent">
                                            "#" {c.seq} " " {c.action} " · v" {c.agreement_version} " · " {c.source} " · "
                                            <time datetime=c.created_at.clone()>{move || local_date_time(&at, &locale())}</time>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    }
                }}
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
