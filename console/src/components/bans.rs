//! Bans (admins): the settings view's [`Bans`] section (the bans in force, or every
//! ban ever made; lifting one; the form for a new one) and [`BanForm`], which the
//! message log also shows under an opened conversation to ban its visitor.

use canal_protocol::bans::BanView;
use leptos::{ev::SubmitEvent, prelude::*};

use super::settings::{send_form, table_head, FormOutcome, LoadState, Outcome};
use crate::{
    api,
    bans::{BanDraft, DURATIONS},
    i18n::{tr, use_locale, use_strings, Message, Strings, Text},
    time::{local_date_time, now_ms},
};

/// The section (`data-testid="bans-settings"`): a table of bans
/// (`data-testid="bans-table"`, one `ban-row` each), "show lifted and expired
/// too", and a [`BanForm`] whose bans join the table.
#[component]
pub fn Bans() -> impl IntoView {
    let list = RwSignal::new(Vec::<BanView>::new());
    let all = RwSignal::new(false);
    let loading = RwSignal::new(Outcome::Idle);
    let load = move || {
        send_form(
            loading,
            async move { api::list_bans(all.get_untracked()).await },
            move |answer| {
                list.set(answer.bans);
                loading.set(Outcome::Idle);
            },
        )
    };
    load();
    let empty = move || list.with(Vec::is_empty);
    view! {
        <section class="cc-settings-section" aria-labelledby="cc-bans-title" data-testid="bans-settings">
            <h2 id="cc-bans-title" class="cc-settings-heading">{tr(|t| t.admin().bans_title)}</h2>
            <LoadState outcome=loading loading_text=|t| t.admin().loading_bans test_id="bans-error".to_owned() />
            <label class="cc-check">
                <input
                    type="checkbox"
                    data-testid="bans-all"
                    prop:checked=all
                    on:change=move |ev| {
                        all.set(event_target_checked(&ev));
                        load();
                    }
                />
                {tr(|t| t.admin().show_all_bans)}
            </label>
            <p class="cc-muted" data-testid="bans-none" hidden=move || !empty() || loading.get().busy()>
                {tr(|t| t.admin().no_bans)}
            </p>
            <div class="cc-table-wrap" hidden=empty>
                <table class="cc-table" data-testid="bans-table">
                    <caption class="cc-sr">{tr(|t| t.admin().bans_caption)}</caption>
                    {table_head(
                        &[|t| t.admin().ban_target, |t| t.admin().ban_reason, |t| t.admin().ban_by, |t| t.admin().ban_since, |t| t.admin().ban_until],
                        |t| t.admin().ban_lift,
                    )}
                    <tbody>
                        <For
                            each=move || list.get()
                            key=|ban| (ban.id, ban.active)
                            children=move |ban| view! { <BanRow ban=ban list=list all=all /> }
                        />
                    </tbody>
                </table>
            </div>
            <BanForm
                visitor=None
                on_banned=Callback::new(move |ban| list.update(|l| l.insert(0, ban)))
            />
        </section>
    }
}

/// One ban (`data-testid="ban-row"`): what, why, who, since when, until when (or
/// lifted, or expired), and "Lift" while it is in force.
#[component]
fn BanRow(
    ban: BanView,
    /// The table, where the lifted ban replaces this one (or leaves, when only
    /// the bans in force are shown).
    list: RwSignal<Vec<BanView>>,
    all: RwSignal<bool>,
) -> impl IntoView {
    let t = use_strings();
    let locale = use_locale();
    let outcome = RwSignal::new(Outcome::Idle);
    let id = ban.id;
    let lift = move |_| {
        if outcome.get_untracked().busy() {
            return;
        }
        send_form(
            outcome,
            async move { api::lift_ban(id).await },
            move |lifted| {
                let keep = all.get_untracked();
                list.update(|l| {
                    l.retain(|b| b.id != id || keep);
                    if let Some(slot) = l.iter_mut().find(|b| b.id == id) {
                        *slot = lifted;
                    }
                });
            },
        );
    };
    let since = ban.created_at.clone();
    let until = move || match (&ban.lifted_at, &ban.expires_at) {
        (Some(_), _) => format!(
            "{} ({})",
            t.get().admin().ban_lifted,
            ban.lifted_by.as_deref().unwrap_or_default()
        ),
        (None, _) if !ban.active => t.get().admin().ban_expired.to_owned(),
        (None, Some(at)) => local_date_time(at, &locale()),
        (None, None) => t.get().admin().until_lifted.to_owned(),
    };
    let what = ban.network.or(ban.visitor_id).unwrap_or_default();
    view! {
        <tr data-testid="ban-row" data-active=ban.active.to_string()>
            <td><code>{what}</code></td>
            <td>{ban.reason}</td>
            <td>{ban.created_by}</td>
            <td>{move || local_date_time(&since, &locale())}</td>
            <td>{until}</td>
            <td class="cc-row-actions">
                {ban.active.then(|| view! {
                    <button
                        type="button"
                        class="cc-button"
                        data-testid="ban-lift"
                        disabled=move || outcome.get().busy()
                        on:click=lift
                    >
                        {tr(|t| t.admin().ban_lift)}
                    </button>
                })}
                <p class="cc-error" role="alert">{move || outcome.with(|o| o.failure(t.get()))}</p>
            </td>
        </tr>
    }
}

/// The form for a new ban (`data-testid="ban-create"`): what (left out when
/// `visitor` is given: the message log bans the conversation's visitor), why and
/// for how long. `on_banned` gets the ban as recorded.
#[component]
pub fn BanForm(visitor: Option<String>, on_banned: Callback<BanView>) -> impl IntoView {
    let t = use_strings();
    let fresh = {
        let visitor = visitor.clone();
        move || {
            visitor
                .as_deref()
                .map_or_else(BanDraft::default, BanDraft::of_visitor)
        }
    };
    let form = RwSignal::new(fresh());
    let outcome = RwSignal::new(Outcome::Idle);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if outcome.get_untracked().busy() {
            return;
        }
        let request = match form.with_untracked(|f| f.request(now_ms())) {
            Ok(request) => request,
            Err(error) => {
                outcome.set(Outcome::Failed(Message::Text(Strings::form_error(error))));
                return;
            }
        };
        let fresh = fresh.clone();
        send_form(
            outcome,
            async move { api::create_ban(&request).await },
            move |ban| {
                on_banned.run(ban);
                form.set(fresh());
                outcome.set(Outcome::Done(|t| t.admin().banned));
            },
        );
    };
    let text_field = move |name: &'static str,
                           label: Text,
                           hint: Text,
                           get: fn(&BanDraft) -> &String,
                           set: fn(&mut BanDraft, String)| {
        let id = format!("cc-ban-{name}");
        let hint_id = format!("{id}-hint");
        view! {
            <div class="cc-field">
                <label class="cc-field-label" for=id.clone()>{tr(label)}</label>
                <input
                    id=id
                    class="cc-input"
                    type="text"
                    autocomplete="off"
                    spellcheck="false"
                    data-testid=format!("ban-{name}")
                    aria-describedby=format!("{hint_id} cc-ban-error")
                    prop:value=move || form.with(|f| get(f).clone())
                    on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))
                />
                <span id=hint_id class="cc-hint">{tr(hint)}</span>
            </div>
        }
    };
    let durations = DURATIONS
        .into_iter()
        .map(|hours| {
            let label: Text = match hours {
                1 => |t| t.admin().for_hours_1,
                24 => |t| t.admin().for_hours_24,
                168 => |t| t.admin().for_days_7,
                720 => |t| t.admin().for_days_30,
                _ => |t| t.admin().until_lifted,
            };
            view! {
                <option value=hours.to_string() prop:selected=move || form.with(|f| f.hours == hours)>
                    {tr(label)}
                </option>
            }
        })
        .collect_view();
    let submit: Text = if visitor.is_some() {
        |t| t.admin().ban_visitor
    } else {
        |t| t.admin().ban_submit
    };
    view! {
        <form class="cc-settings-form" data-testid="ban-create" novalidate on:submit=on_submit>
            <div class="cc-form-grid">
                {visitor
                    .is_none()
                    .then(|| text_field("target", |t| t.admin().ban_target, |t| t.admin().ban_target_hint, |f| &f.target, |f, v| f.target = v))}
                {text_field("reason", |t| t.admin().ban_reason, |t| t.admin().ban_reason_hint, |f| &f.reason, |f, v| f.reason = v)}
                <div class="cc-field">
                    <label class="cc-field-label" for="cc-ban-hours">{tr(|t| t.admin().ban_for)}</label>
                    <select
                        id="cc-ban-hours"
                        class="cc-select"
                        data-testid="ban-hours"
                        on:change=move |ev| {
                            if let Ok(hours) = event_target_value(&ev).parse() {
                                form.update(|f| f.hours = hours);
                            }
                        }
                    >
                        {durations}
                    </select>
                </div>
            </div>
            <div class="cc-form-bar">
                <button
                    type="submit"
                    class="cc-button cc-danger"
                    data-testid="ban-submit"
                    disabled=move || outcome.get().busy()
                >
                    {move || submit(t.get())}
                </button>
                <FormOutcome outcome=outcome error_id="cc-ban-error".to_owned() />
            </div>
        </form>
    }
}
