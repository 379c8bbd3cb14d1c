//! Admin API for the agent side: agents, departments, a channel's routing
//! settings, and a conversation's routing log.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use canal_protocol::agent::{
    limits, AgentList, AgentView, CreateAgent, QueueItem, RoutingLogList, RoutingSettings,
    SetDepartment, UpdateAgent,
};
use canal_protocol::ErrorCode;

use super::{Admin, Manager};
use crate::agents::AgentWire;
use crate::agents::{self, Department};
use crate::app::AppState;
use crate::dispatch::{save_settings, stored_settings};
use crate::error::{ApiJson, AppError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agents", get(list_agents).post(create_agent))
        .route("/agents/{id}", axum::routing::patch(update_agent))
        .route("/departments/{id}", axum::routing::put(set_department))
        .route("/channels/{key}/routing", get(get_routing).put(put_routing))
        .route("/conversations/{id}/routing", get(routing_log))
}

fn numeric_id(raw: &str, what: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::not_found(ErrorCode::NotFound, format!("no {what} has this id")))
}

async fn view(state: &AppState, row: &agents::AgentRow) -> AgentView {
    row.view(state.dispatch.status(row.id).await)
}

/// `GET /api/v1/admin/agents`
async fn list_agents(_: Admin, State(state): State<AppState>) -> Result<Json<AgentList>, AppError> {
    let mut list = Vec::new();
    for row in agents::all(&state.store).await? {
        list.push(view(&state, &row).await);
    }
    Ok(Json(AgentList { agents: list }))
}

/// `POST /api/v1/admin/agents`
async fn create_agent(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CreateAgent>,
) -> Result<(StatusCode, Json<AgentView>), AppError> {
    let email = agents::email(&request.email)?;
    let name = agents::name(&request.name)?;
    agents::password(&request.password)?;
    if let Some(url) = &request.avatar_url {
        agents::avatar_url(url)?;
    }
    let hash = agents::hash_password(request.password).await?;
    let row = agents::create(
        &state.store,
        &email,
        &name,
        &hash,
        request.role,
        request.cap,
        request.avatar_url.as_deref(),
        request.is_bot,
    )
    .await?;
    state.dispatch.agent_saved(&row).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &row).await)))
}

/// `PATCH /api/v1/admin/agents/{id}`
async fn update_agent(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<UpdateAgent>,
) -> Result<Json<AgentView>, AppError> {
    let id = numeric_id(&id, "agent")?;
    let mut row = agents::by_id(&state.store, id)
        .await?
        .ok_or_else(|| AppError::not_found(ErrorCode::NotFound, "no agent has this id"))?;
    // Check everything before changing anything.
    let name = request.name.as_deref().map(agents::name).transpose()?;
    if let Some(password) = &request.password {
        agents::password(password)?;
    }
    let ends_sessions = request.password.is_some() || request.dismissed == Some(true);
    if let Some(password) = request.password {
        row.password_hash = agents::hash_password(password).await?;
    }
    if let Some(name) = name {
        row.name = name;
    }
    if let Some(role) = request.role {
        row.role = agents::role_str(role).to_owned();
    }
    if let Some(cap) = request.cap {
        row.cap = cap.map(i64::from);
    }
    if let Some(dismissed) = request.dismissed {
        row.dismissed = dismissed;
    }
    agents::save(&state.store, &row).await?;
    state.dispatch.agent_saved(&row).await?;
    if ends_sessions {
        agents::end_sessions_of(&state.store, row.id).await?;
        state.dispatch.sessions_ended(row.id);
    }
    Ok(Json(view(&state, &row).await))
}

/// `PUT /api/v1/admin/departments/{id}`
async fn set_department(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SetDepartment>,
) -> Result<Json<SetDepartment>, AppError> {
    let id = numeric_id(&id, "department")?;
    let name = agents::name(&request.name)?;
    if request.members.len() > limits::MAX_QUEUE_ENTRIES {
        return Err(AppError::invalid(format!(
            "a department has at most {} members",
            limits::MAX_QUEUE_ENTRIES
        )));
    }
    let known: Vec<i64> = agents::all(&state.store)
        .await?
        .iter()
        .map(|a| a.id)
        .collect();
    if let Some(unknown) = request
        .members
        .iter()
        .find(|m| !known.contains(&i64::try_from(**m).unwrap_or(-1)))
    {
        return Err(AppError::invalid(format!(
            "member {unknown} is not an agent"
        )));
    }
    let department = Department {
        id,
        name: name.clone(),
        members: request.members.clone(),
    };
    agents::put_department(&state.store, &department).await?;
    state
        .dispatch
        .department_saved(id as u64, request.members.clone())
        .await?;
    Ok(Json(SetDepartment {
        name,
        members: request.members,
    }))
}

/// `GET /api/v1/admin/channels/{key}/routing`
async fn get_routing(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<RoutingSettings>, AppError> {
    let channel = crate::services::channels::of_admin(&state, &key).await?;
    Ok(Json(stored_settings(&state.store, &channel.id).await?))
}

/// `PUT /api/v1/admin/channels/{key}/routing`
async fn put_routing(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(mut request): ApiJson<RoutingSettings>,
) -> Result<Json<RoutingSettings>, AppError> {
    let channel = crate::services::channels::of_admin(&state, &key).await?;
    if !(60..=43_200).contains(&request.pass_after_secs) {
        return Err(AppError::invalid(
            "pass_after_secs must be between 60 (1 minute) and 43200 (12 hours)",
        ));
    }
    if request.queue.len() > limits::MAX_QUEUE_ENTRIES {
        return Err(AppError::invalid(format!(
            "a queue has at most {} entries",
            limits::MAX_QUEUE_ENTRIES
        )));
    }
    if let Some(reply) = &request.no_agent_reply {
        let reply = reply.trim();
        if reply.is_empty() || reply.chars().count() > limits::MAX_AUTO_REPLY_CHARS {
            return Err(AppError::invalid(format!(
                "no_agent_reply must be 1 to {} characters",
                limits::MAX_AUTO_REPLY_CHARS
            )));
        }
        request.no_agent_reply = Some(reply.to_owned());
    }
    check_bot_rules(&mut request)?;
    let departments: Vec<i64> = agents::departments(&state.store)
        .await?
        .iter()
        .map(|d| d.id)
        .collect();
    for item in &request.queue {
        if let QueueItem::Department(id) = item {
            if !departments.contains(&i64::try_from(*id).unwrap_or(-1)) {
                return Err(AppError::invalid(format!(
                    "queue names department {id}, which does not exist"
                )));
            }
        }
    }
    state.dispatch.check_settings(&request).await?;

    save_settings(&state.store, &channel.id, &request).await?;
    state
        .dispatch
        .settings_saved(&channel.id, request.clone())
        .await?;
    Ok(Json(request))
}

/// Checks the built-in bot's rules; trims keywords and answers.
fn check_bot_rules(request: &mut RoutingSettings) -> Result<(), AppError> {
    if request.bot_rules.len() > limits::MAX_BOT_RULES {
        return Err(AppError::invalid(format!(
            "at most {} bot rules",
            limits::MAX_BOT_RULES
        )));
    }
    for rule in &mut request.bot_rules {
        let answer = rule.answer.trim();
        if answer.is_empty() || answer.chars().count() > limits::MAX_AUTO_REPLY_CHARS {
            return Err(AppError::invalid(format!(
                "a bot answer must be 1 to {} characters",
                limits::MAX_AUTO_REPLY_CHARS
            )));
        }
        rule.answer = answer.to_owned();
        if rule.keywords.is_empty() || rule.keywords.len() > limits::MAX_BOT_KEYWORDS {
            return Err(AppError::invalid(format!(
                "a bot rule has 1 to {} keywords",
                limits::MAX_BOT_KEYWORDS
            )));
        }
        for keyword in &mut rule.keywords {
            let k = keyword.trim();
            if k.is_empty() || k.chars().count() > limits::MAX_KEYWORD_CHARS {
                return Err(AppError::invalid(format!(
                    "a keyword must be 1 to {} characters",
                    limits::MAX_KEYWORD_CHARS
                )));
            }
            *keyword = k.to_owned();
        }
    }
    if !request.bot_rules.is_empty() && request.bot_agent_id.is_none() {
        return Err(AppError::invalid("bot_rules need a bot_agent_id"));
    }
    Ok(())
}

/// `GET /api/v1/admin/conversations/{id}/routing`
async fn routing_log(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RoutingLogList>, AppError> {
    if state.store.conversation(&id).await?.is_none() {
        return Err(AppError::not_found(
            ErrorCode::UnknownConversation,
            "no conversation has this id",
        ));
    }
    Ok(Json(RoutingLogList {
        lines: state.dispatch.log(&id).await?,
        conversation_id: id,
    }))
}
