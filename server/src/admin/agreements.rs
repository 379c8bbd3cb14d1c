//! Admin handlers for agreements and their versions, the built-in templates, the
//! company details and the agreement a channel's chat asks for. Converts between
//! the wire types of `canal_protocol::admin` and the domain of
//! [`crate::agreements`]. Nothing here deletes: agreements and versions stay.

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use canal_protocol::admin::{
    self as wire, limits, AgreementDetail, AgreementList, AgreementSummary, ChannelAgreement,
    CompanyDetails, CompanyView, CreateAgreement, CreateVersion, SetChannelAgreement, TemplateInfo,
    TemplateList, UpdateAgreement, VersionSummary, VersionView,
};
use canal_protocol::ErrorCode;

use super::{Admin, Manager};
use crate::agreements::{
    self, Agreement, Behaviour, Company, Content, DataSource, Kind, NewAgreement, Settings, Shown,
    TextFormat, Version, VersionChange, VersionRef,
};
use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::templates::Template;

/// The routes of this module, to merge into the admin router. Their bodies may be
/// up to [`limits::MAX_AGREEMENT_BODY_BYTES`] (agreement texts are long).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agreements", get(list).post(create))
        .route("/agreements/{id}", get(detail).patch(update))
        .route("/agreements/{id}/versions", post(create_version))
        .route("/agreement-templates", get(templates))
        .route("/company", get(company).put(put_company))
        .route("/channels/{key}/agreement", put(set_channel_agreement))
        .layer(DefaultBodyLimit::max(limits::MAX_AGREEMENT_BODY_BYTES))
}

fn no_agreement() -> AppError {
    AppError::not_found(ErrorCode::NotFound, "no agreement has this id")
}

/// `POST /api/v1/admin/agreements` -> 201 with the agreement.
pub async fn create(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CreateAgreement>,
) -> Result<(StatusCode, Json<AgreementDetail>), AppError> {
    let new = new_agreement(request)?;
    let agreement = state.store.create_agreement(new).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail_of(&state, agreement).await?),
    ))
}

/// Checks a create request and turns it into the domain's terms.
fn new_agreement(request: CreateAgreement) -> Result<NewAgreement, AppError> {
    let name = agreements::name(&request.name)?;
    let redirect_url = request
        .redirect_url
        .as_deref()
        .map(agreements::redirect_url)
        .transpose()?;
    let behaviour = request
        .behaviour
        .map_or(Behaviour::RequiredAutoAccepted, Behaviour::from);
    let title = request
        .title
        .as_deref()
        .map(agreements::title)
        .transpose()?;
    let label = request
        .label
        .as_deref()
        .map(agreements::label)
        .transpose()?;
    let (kind, data_source, content) = match request.template {
        Some(template) => {
            if request
                .kind
                .is_some_and(|k| k != wire::AgreementKind::PersonalData)
            {
                return Err(AppError::invalid(
                    "templates are personal_data agreements; leave kind out or set it to personal_data",
                ));
            }
            if request.text.is_some() || request.text_format.is_some() {
                return Err(AppError::invalid(
                    "a template supplies the text: leave text and text_format out, or create the agreement without a template",
                ));
            }
            let data_source = request
                .data_source
                .map_or(DataSource::Company, DataSource::from);
            let content = Content::Template {
                template: template.into(),
                title,
                label,
            };
            (Kind::PersonalData, data_source, content)
        }
        None => {
            let kind = request.kind.ok_or_else(|| {
                AppError::invalid("kind is required (personal_data, marketing or other) unless a template is named")
            })?;
            if request.data_source == Some(wire::DataSource::Company) {
                return Err(AppError::invalid(
                    "data_source company needs a template to fill from the company details",
                ));
            }
            let raw_text = request
                .text
                .as_deref()
                .ok_or_else(|| AppError::invalid("text is required unless a template is named"))?;
            let label = label.ok_or_else(|| AppError::invalid("label is required"))?;
            let text_format = request
                .text_format
                .map_or(TextFormat::Plain, TextFormat::from);
            let shown = Shown {
                title: match title {
                    Some(title) => title,
                    None => name.clone(),
                },
                text: agreements::text(text_format, raw_text)?,
                text_format,
                label,
            };
            (Kind::from(kind), DataSource::Manual, Content::Manual(shown))
        }
    };
    Ok(NewAgreement {
        name,
        kind,
        behaviour,
        redirect_url,
        data_source,
        content,
    })
}

/// `GET /api/v1/admin/agreements`: newest first, without texts.
pub async fn list(
    _: Admin,
    State(state): State<AppState>,
) -> Result<Json<AgreementList>, AppError> {
    let store = &state.store;
    let all = store.agreements().await?;
    let mut latest = store.latest_versions().await?;
    let mut channels = store.channels_by_agreement().await?;
    let mut summaries = Vec::with_capacity(all.len());
    for agreement in all {
        let Some(current) = latest.remove(&agreement.id) else {
            // Cannot happen: the first version is stored with the agreement.
            tracing::error!(agreement = %agreement.id, "agreement without a version");
            continue;
        };
        summaries.push(AgreementSummary {
            channels: channels.remove(&agreement.id).unwrap_or_default(),
            current_version: version_summary(current),
            id: agreement.id,
            name: agreement.name,
            kind: agreement.kind.into(),
            behaviour: agreement.behaviour.into(),
            data_source: agreement.data_source.into(),
            template: agreement.template.map(Into::into),
            redirect_url: agreement.redirect_url,
            created_at: agreement.created_at,
            updated_at: agreement.updated_at,
        });
    }
    Ok(Json(AgreementList {
        agreements: summaries,
    }))
}

/// `GET /api/v1/admin/agreements/{id}`: settings, current version, all versions.
pub async fn detail(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<AgreementDetail>, AppError> {
    let agreement = state.store.agreement(&id).await?.ok_or_else(no_agreement)?;
    Ok(Json(detail_of(&state, agreement).await?))
}

/// `PATCH /api/v1/admin/agreements/{id}`: name, behaviour, redirect, data source.
pub async fn update(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<UpdateAgreement>,
) -> Result<Json<AgreementDetail>, AppError> {
    let settings = Settings {
        name: request.name.as_deref().map(agreements::name).transpose()?,
        behaviour: request.behaviour.map(Into::into),
        redirect_url: match request.redirect_url {
            None => None,
            Some(None) => Some(None),
            Some(Some(url)) => Some(Some(agreements::redirect_url(&url)?)),
        },
        data_source: request.data_source.map(Into::into),
    };
    let agreement = state
        .store
        .update_agreement(&id, settings)
        .await?
        .ok_or_else(no_agreement)?;
    Ok(Json(detail_of(&state, agreement).await?))
}

/// `POST /api/v1/admin/agreements/{id}/versions`: 201 with the new version, or 200
/// with the current one when nothing shown changes.
pub async fn create_version(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CreateVersion>,
) -> Result<(StatusCode, Json<VersionView>), AppError> {
    let change = VersionChange {
        title: request
            .title
            .as_deref()
            .map(agreements::title)
            .transpose()?,
        text_format: request.text_format.map(Into::into),
        text: request.text,
        label: request
            .label
            .as_deref()
            .map(agreements::label)
            .transpose()?,
    };
    let (version, created) = state
        .store
        .change_version(&id, change)
        .await?
        .ok_or_else(no_agreement)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(version_view(version))))
}

/// `GET /api/v1/admin/agreement-templates`
pub async fn templates(_: Admin) -> Json<TemplateList> {
    Json(TemplateList {
        templates: Template::ALL
            .into_iter()
            .map(|t| TemplateInfo {
                id: t.into(),
                title: t.title().to_owned(),
                law: t.law().to_owned(),
                language: t.language().to_owned(),
            })
            .collect(),
    })
}

/// `GET /api/v1/admin/company`: empty values until first saved.
pub async fn company(
    _: Admin,
    State(state): State<AppState>,
) -> Result<Json<CompanyView>, AppError> {
    let (company, updated_at) = match state.store.company().await? {
        Some((company, at)) => (company, Some(at)),
        None => (Company::default(), None),
    };
    Ok(Json(company_view(company, updated_at, Vec::new())))
}

/// `PUT /api/v1/admin/company`: the whole record. Agreements filled from it get
/// new versions where their text changes.
pub async fn put_company(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CompanyDetails>,
) -> Result<Json<CompanyView>, AppError> {
    let company = agreements::company(Company {
        legal_name: request.legal_name,
        address: request.address,
        registration_id: request.registration_id,
        contact_email: request.contact_email,
        purposes: request.purposes,
        recipients: request.recipients,
        country: request.country,
    })?;
    let (updated_at, refilled) = state.store.put_company(&company).await?;
    let refilled = refilled
        .into_iter()
        .map(|r| wire::Refilled {
            agreement_id: r.agreement_id,
            version_id: r.version_id,
            version: version_number(r.version),
        })
        .collect();
    Ok(Json(company_view(company, Some(updated_at), refilled)))
}

/// `PUT /api/v1/admin/channels/{key}/agreement`: `{"agreement_id": "..."}` (a
/// personal_data agreement) or `{"agreement_id": null}` to ask no consent.
pub async fn set_channel_agreement(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<SetChannelAgreement>,
) -> Result<Json<ChannelAgreement>, AppError> {
    crate::services::channels::of_admin(&state, &key).await?;
    let current = state
        .store
        .set_channel_agreement(&key, request.agreement_id.as_deref())
        .await?;
    Ok(Json(ChannelAgreement {
        channel: key,
        agreement_id: request.agreement_id,
        current_version: current.map(version_summary),
    }))
}

async fn detail_of(state: &AppState, agreement: Agreement) -> Result<AgreementDetail, AppError> {
    let store = &state.store;
    let current = store
        .latest_version(&agreement.id)
        .await?
        .ok_or_else(|| AppError::Internal("an agreement without a version".into()))?;
    let versions = store.versions(&agreement.id).await?;
    let channels = store.channels_asking(&agreement.id).await?;
    Ok(AgreementDetail {
        id: agreement.id,
        name: agreement.name,
        kind: agreement.kind.into(),
        behaviour: agreement.behaviour.into(),
        data_source: agreement.data_source.into(),
        template: agreement.template.map(Into::into),
        redirect_url: agreement.redirect_url,
        channels,
        created_at: agreement.created_at,
        updated_at: agreement.updated_at,
        current: version_view(current),
        versions: versions.into_iter().map(version_summary).collect(),
    })
}

fn company_view(
    company: Company,
    updated_at: Option<String>,
    refilled: Vec<wire::Refilled>,
) -> CompanyView {
    CompanyView {
        missing_for_templates: company
            .missing_for_templates()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        company: CompanyDetails {
            legal_name: company.legal_name,
            address: company.address,
            registration_id: company.registration_id,
            contact_email: company.contact_email,
            purposes: company.purposes,
            recipients: company.recipients,
            country: company.country,
        },
        updated_at,
        refilled,
    }
}

/// Version numbers start at 1 and grow by one per change.
fn version_number(version: i64) -> u32 {
    u32::try_from(version).unwrap_or(u32::MAX)
}

fn version_view(v: Version) -> VersionView {
    VersionView {
        id: v.id,
        agreement_id: v.agreement_id,
        version: version_number(v.version),
        title: v.title,
        text_format: v.text_format.into(),
        text: v.body,
        label: v.label,
        sha256: v.sha256,
        created_at: v.created_at,
    }
}

fn version_summary(v: VersionRef) -> VersionSummary {
    VersionSummary {
        id: v.id,
        version: version_number(v.version),
        sha256: v.sha256,
        created_at: v.created_at,
    }
}
