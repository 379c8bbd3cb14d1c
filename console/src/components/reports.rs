//! The KPI reports page (admins): the conversations of a period with their
//! response-time figures as sortable columns, exported as CSV, each with its
//! transcript as text or JSON; each agent's figures with a chart of their daily
//! average response time, drawn as inline SVG.

use canal_protocol::kpi::{AgentFigures, AgentReport, ConversationReport, ReportedConversation};
use leptos::{ev::SubmitEvent, prelude::*};

use super::settings::{send_form, LoadState, Outcome};
use crate::{
    api::{self, routes},
    i18n::{tr, use_locale, use_strings, Text},
    reports::{bars, duration, ReportFilter, BAR_WIDTH, CHART_HEIGHT},
    time::local_date_time,
};

/// The page (`data-testid="reports"`): the period (first and last UTC day), the
/// conversation table (`data-testid="report-table"`, a row `report-row` each;
/// the figure columns' headers are buttons `sort-{column}` that sort by them,
/// the largest first, again for the smallest), the CSV link (`report-csv`), and
/// the agents (`report-agent` each, with its chart `agent-chart`).
#[component]
pub fn Reports() -> impl IntoView {
    let form = RwSignal::new(ReportFilter::default());
    let applied = RwSignal::new(ReportFilter::default());
    let conversations = RwSignal::new(None::<ConversationReport>);
    let agents = RwSignal::new(None::<AgentReport>);
    let loading = RwSignal::new(Outcome::Idle);

    let load = move |filter: ReportFilter| {
        if loading.get_untracked().busy() {
            return;
        }
        let query = filter.query();
        let period = filter.period();
        send_form(
            loading,
            async move {
                let listed = api::report_conversations(&query).await?;
                let people = api::report_agents(&period).await?;
                Ok((listed, people))
            },
            move |(listed, people)| {
                applied.set(filter);
                conversations.set(Some(listed));
                agents.set(Some(people));
                loading.set(Outcome::Idle);
            },
        );
    };
    load(ReportFilter::default());

    let on_show = move |ev: SubmitEvent| {
        ev.prevent_default();
        load(form.get_untracked());
    };
    let sort_by = move |column: &'static str| {
        let next = applied.get_untracked().sorted_by(column);
        form.update(|f| {
            f.sort = next.sort.clone();
            f.descending = next.descending;
        });
        load(next);
    };
    let csv_href = move || {
        let query = applied.with(ReportFilter::query);
        let sep = if query.is_empty() { "" } else { "&" };
        format!("{}?{query}{sep}format=csv", routes::REPORT_CONVERSATIONS)
    };
    let date_field = move |name: &'static str,
                           label: Text,
                           get: fn(&ReportFilter) -> String,
                           put: fn(&mut ReportFilter, String)| {
        let id = format!("cc-report-{name}");
        view! {
            <div class="cc-field">
                <label class="cc-field-label" for=id.clone()>{tr(label)}</label>
                <input
                    id=id
                    class="cc-input"
                    type="date"
                    data-testid=format!("report-{name}")
                    prop:value=move || form.with(get)
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        form.update(|f| put(f, value));
                    }
                />
            </div>
        }
    };
    let on_sort = Callback::new(sort_by);
    let sort_header = move |column: &'static str, label: Text| {
        let sorted =
            Signal::derive(move || applied.with(|f| (f.sort == column).then_some(f.descending)));
        super::log::sort_header(column, label, sorted, on_sort)
    };

    view! {
        <main class="cc-settings" data-testid="reports" aria-labelledby="cc-reports-title">
            <h1 id="cc-reports-title" class="cc-settings-title">{tr(|t| t.reports)}</h1>
            <form class="cc-settings-form" novalidate on:submit=on_show>
                <div class="cc-form-grid">
                    {date_field("from", |t| t.from_day, |f| f.from.clone(), |f, v| f.from = v)}
                    {date_field("to", |t| t.to_day, |f| f.to.clone(), |f, v| f.to = v)}
                </div>
                <div class="cc-form-bar">
                    <button type="submit" class="cc-button cc-primary" data-testid="report-apply" disabled=move || loading.get().busy()>
                        {tr(|t| t.show)}
                    </button>
                    <a class="cc-button" data-testid="report-csv" href=csv_href download="canal-conversations.csv">
                        {tr(|t| t.export_csv)}
                    </a>
                </div>
            </form>
            <LoadState outcome=loading loading_text=|t| t.admin().loading_reports test_id="report-error".to_owned() />
            <section class="cc-settings-section" aria-labelledby="cc-report-agents">
                <h2 id="cc-report-agents" class="cc-settings-subheading">{tr(|t| t.admin().report_agents)}</h2>
                <div class="cc-report-agents">
                    {move || {
                        agents
                            .get()
                            .map(|report| report.agents.into_iter().map(agent_card).collect_view())
                    }}
                </div>
            </section>
            <section class="cc-settings-section" aria-labelledby="cc-report-conversations">
                <h2 id="cc-report-conversations" class="cc-settings-subheading">{tr(|t| t.conversations)}</h2>
                <p class="cc-muted" data-testid="report-truncated" hidden=move || !conversations.with(|c| c.as_ref().is_some_and(|c| c.truncated))>
                    {tr(|t| t.admin().report_truncated)}
                </p>
                <p class="cc-empty" data-testid="report-empty" hidden=move || !conversations.with(|c| c.as_ref().is_some_and(|c| c.conversations.is_empty()))>
                    {tr(|t| t.admin().report_empty)}
                </p>
                <div class="cc-table-wrap">
                    <table class="cc-table" data-testid="report-table">
                        <thead>
                            <tr>
                                <th scope="col">{tr(|t| t.log_started)}</th>
                                <th scope="col">{tr(|t| t.channel)}</th>
                                <th scope="col">{tr(|t| t.agent)}</th>
                                {sort_header("messages", |t| t.messages)}
                                <th scope="col">{tr(|t| t.log_rating)}</th>
                                {sort_header("first_response", |t| t.first_response)}
                                {sort_header("total_response", |t| t.total_response)}
                                {sort_header("average_response", |t| t.average_response)}
                                {sort_header("max_response", |t| t.max_response)}
                                <th scope="col">{tr(|t| t.transcript)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {move || {
                                conversations
                                    .get()
                                    .map(|report| report.conversations.into_iter().map(report_row).collect_view())
                            }}
                        </tbody>
                    </table>
                </div>
            </section>
        </main>
    }
}

/// One conversation of the report (`data-testid="report-row"`).
fn report_row(c: ReportedConversation) -> impl IntoView {
    let t = use_strings();
    let locale = use_locale();
    let v = c.conversation;
    let f = c.figures;
    let started = v.started_at.clone();
    let agent = v.agent_name.clone();
    let rating = v.rating.map(|r| -> Text {
        match r {
            canal_protocol::rating::Rating::Like => |t| t.rated_like,
            canal_protocol::rating::Rating::Dislike => |t| t.rated_dislike,
        }
    });
    view! {
        <tr data-testid="report-row" data-conversation-id=v.id.clone()>
            <th scope="row">{move || local_date_time(&started, &locale())}</th>
            <td><code>{v.channel_key.clone()}</code></td>
            <td>{move || agent.clone().unwrap_or_else(|| t.get().nobody.to_owned())}</td>
            <td>{v.messages}</td>
            <td>{rating.map(tr)}</td>
            <td data-testid="report-first">{duration(f.first_response_secs)}</td>
            <td data-testid="report-total">{duration(f.total_response_secs)}</td>
            <td data-testid="report-average">{duration(f.average_response_secs)}</td>
            <td data-testid="report-max">{duration(f.max_response_secs)}</td>
            <td>
                <a href=routes::transcript(&v.id, "text") data-testid="transcript-text" download>"TXT"</a>
                " · "
                <a href=routes::transcript(&v.id, "json") data-testid="transcript-json" download>"JSON"</a>
            </td>
        </tr>
    }
}

/// One agent's figures and chart (`data-testid="report-agent"`): a bar per day
/// with an answer, as high as that day's average response time (the longest day
/// fills the chart), each with its date and time as a tooltip.
fn agent_card(a: AgentFigures) -> impl IntoView {
    let (bars, width) = bars(&a.days);
    let label = format!("{}: {}", a.agent_name, a.days.len());
    let chart = view! {
        <svg
            class="cc-chart"
            data-testid="agent-chart"
            role="img"
            aria-label=label
            viewBox=format!("0 0 {width} {CHART_HEIGHT}")
            preserveAspectRatio="none"
            width="240"
            height="80"
        >
            {bars
                .into_iter()
                .map(|b| {
                    view! {
                        <rect
                            class="cc-chart-bar"
                            data-testid="chart-bar"
                            x=b.x.to_string()
                            y=b.y.to_string()
                            width=BAR_WIDTH.to_string()
                            height=b.height.to_string()
                        >
                            <title>{format!("{}: {}", b.date, duration(Some(b.secs)))}</title>
                        </rect>
                    }
                })
                .collect_view()}
        </svg>
    };
    let figure = |label: Text, value: String, id: &'static str| {
        view! {
            <dt>{tr(label)}</dt>
            <dd data-testid=id>{value}</dd>
        }
    };
    view! {
        <article class="cc-report-agent" data-testid="report-agent" data-agent-id=a.agent_id.to_string()>
            <h3 class="cc-settings-subheading">{a.agent_name.clone()}</h3>
            <dl class="cc-figures">
                {figure(|t| t.conversations, a.conversations.to_string(), "agent-conversations")}
                {figure(|t| t.first_response, duration(a.average_first_response_secs), "agent-first")}
                {figure(|t| t.total_response, duration(Some(a.total_response_secs)), "agent-total")}
                {figure(|t| t.average_response, duration(a.average_response_secs), "agent-average")}
                {figure(|t| t.max_response, duration(a.max_response_secs), "agent-max")}
                {figure(|t| t.responses, a.responses.to_string(), "agent-responses")}
                {figure(|t| t.likes, a.likes.to_string(), "agent-likes")}
                {figure(|t| t.dislikes, a.dislikes.to_string(), "agent-dislikes")}
            </dl>
            <figure class="cc-chart-wrap">
                {chart}
                <figcaption class="cc-muted">{tr(|t| t.admin().chart_title)}</figcaption>
            </figure>
        </article>
    }
}
