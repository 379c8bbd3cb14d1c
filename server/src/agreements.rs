//! Agreements, their immutable versions and the company details: domain types, the
//! checks on what the admin sends (including HTML sanitising), and the queries.
//!
//! An agreement's settings (name, behaviour, redirect, data source) change in
//! place; what a visitor is shown (title, text, its format, the label) only ever
//! changes by appending a version, whose SHA-256 is of the stored text. Versions
//! with `data_source = company` are filled from a [`Template`] and the [`Company`]
//! details, and filled again whenever those change.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use axum::http::StatusCode;
use canal_protocol::admin::limits;
use canal_protocol::ErrorCode;
use sha2::{Digest, Sha256};
use sqlx::{FromRow, SqliteConnection};

use crate::clock::now_rfc3339;
use crate::error::AppError;
use crate::store::{hex, Store};
use crate::templates::Template;

/// What an agreement is consent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(rename_all = "snake_case")]
pub enum Kind {
    PersonalData,
    Marketing,
    Other,
}

/// How the checkbox behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(rename_all = "snake_case")]
pub enum Behaviour {
    RequiredAutoAccepted,
    RequiredReadFullText,
    OptionalAutoAccepted,
    OptionalUnchecked,
}

/// How a version's text is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(rename_all = "snake_case")]
pub enum TextFormat {
    Plain,
    Html,
}

/// Where the text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(rename_all = "snake_case")]
pub enum DataSource {
    /// A template filled from the company details, refilled when they change.
    Company,
    /// Written by hand.
    Manual,
}

/// An agreement's settings, as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Agreement {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    pub behaviour: Behaviour,
    pub redirect_url: Option<String>,
    pub data_source: DataSource,
    pub template: Option<Template>,
    pub created_at: String,
    pub updated_at: Option<String>,
}

/// One immutable version with its text.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Version {
    pub id: String,
    pub agreement_id: String,
    pub version: i64,
    pub title: String,
    pub text_format: TextFormat,
    pub body: String,
    pub label: String,
    pub sha256: String,
    pub created_at: String,
}

/// A version without its text.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct VersionRef {
    pub id: String,
    pub agreement_id: String,
    pub version: i64,
    pub sha256: String,
    pub created_at: String,
}

/// What a visitor is shown; a change of any of it is a new version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub title: String,
    pub text_format: TextFormat,
    /// Checked and, for HTML, sanitised (see [`text`]).
    pub text: String,
    pub label: String,
}

/// Where the first version of a new agreement comes from.
#[derive(Debug, Clone)]
pub enum Content {
    /// Written by hand (already checked).
    Manual(Shown),
    /// Filled from the company details when stored; `None` takes the template's.
    Template {
        template: Template,
        title: Option<String>,
        label: Option<String>,
    },
}

/// A checked request to create an agreement.
#[derive(Debug, Clone)]
pub struct NewAgreement {
    pub name: String,
    pub kind: Kind,
    pub behaviour: Behaviour,
    pub redirect_url: Option<String>,
    pub data_source: DataSource,
    pub content: Content,
}

/// A checked settings change; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub name: Option<String>,
    pub behaviour: Option<Behaviour>,
    /// `Some(None)` removes the redirect.
    pub redirect_url: Option<Option<String>>,
    pub data_source: Option<DataSource>,
}

/// A requested version change, unchecked where noted; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct VersionChange {
    pub title: Option<String>,
    pub text_format: Option<TextFormat>,
    /// Raw: checked (and sanitised) against the resulting format.
    pub text: Option<String>,
    pub label: Option<String>,
}

/// The company that processes the data: what templates are filled from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Company {
    pub legal_name: String,
    pub address: String,
    pub registration_id: Option<String>,
    pub contact_email: String,
    pub purposes: Vec<String>,
    pub recipients: Vec<String>,
    pub country: Option<String>,
}

impl Company {
    /// The fields every template needs that are empty, by their wire names.
    pub fn missing_for_templates(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.legal_name.trim().is_empty() {
            missing.push("legal_name");
        }
        if self.address.trim().is_empty() {
            missing.push("address");
        }
        if self.contact_email.trim().is_empty() {
            missing.push("contact_email");
        }
        if self.purposes.is_empty() {
            missing.push("purposes");
        }
        missing
    }
}

/// A version appended because the company details changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refilled {
    pub agreement_id: String,
    pub version_id: String,
    pub version: i64,
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::unprocessable(ErrorCode::InvalidField, message)
}

fn missing_details(template: Template, missing: &[&str]) -> AppError {
    invalid(format!(
        "the {} template is filled from the company details, and these are empty: {}; \
         set them with PUT /api/v1/admin/company",
        canal_protocol::admin::TemplateId::from(template).as_str(),
        missing.join(", ")
    ))
}

// ---- Checks on what the admin sends ------------------------------------------

/// A one-line value: trimmed, not blank, at most `max` characters, no control
/// characters.
fn line(field: &str, raw: &str, max: usize) -> Result<String, AppError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(invalid(format!("{field} is empty")));
    }
    if value.chars().count() > max {
        return Err(invalid(format!("{field} is longer than {max} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(format!(
            "{field} must be one line without control characters"
        )));
    }
    Ok(value.to_owned())
}

/// An agreement name (admin list only).
pub fn name(raw: &str) -> Result<String, AppError> {
    line("name", raw, limits::MAX_NAME_CHARS)
}

/// The heading shown above the text.
pub fn title(raw: &str) -> Result<String, AppError> {
    line("title", raw, limits::MAX_TITLE_CHARS)
}

/// The checkbox label (plain text, never HTML).
pub fn label(raw: &str) -> Result<String, AppError> {
    line("label", raw, limits::MAX_LABEL_CHARS)
}

fn too_large() -> AppError {
    AppError::client(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::TooLarge,
        format!(
            "text is larger than {} bytes",
            limits::MAX_AGREEMENT_TEXT_BYTES
        ),
    )
}

/// An agreement text as it will be stored: at most
/// [`limits::MAX_AGREEMENT_TEXT_BYTES`] before and after sanitising, no control
/// characters but tab and line breaks, trimmed, not blank; HTML sanitised with
/// [`sanitise_html`].
pub fn text(format: TextFormat, raw: &str) -> Result<String, AppError> {
    if raw.len() > limits::MAX_AGREEMENT_TEXT_BYTES {
        return Err(too_large());
    }
    if raw
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(invalid(
            "text must not contain control characters other than tab and line breaks",
        ));
    }
    let stored = match format {
        TextFormat::Plain => raw.trim().to_owned(),
        TextFormat::Html => sanitise_html(raw).trim().to_owned(),
    };
    if stored.len() > limits::MAX_AGREEMENT_TEXT_BYTES {
        return Err(too_large());
    }
    let visible = match format {
        TextFormat::Plain => !stored.is_empty(),
        TextFormat::Html => !TEXT_ONLY.clean(&stored).to_string().trim().is_empty(),
    };
    if !visible {
        return Err(invalid(match format {
            TextFormat::Plain => "text is empty",
            TextFormat::Html => "text has no visible text once sanitised",
        }));
    }
    Ok(stored)
}

/// A redirect after accepting: an absolute http(s) URL without credentials.
pub fn redirect_url(raw: &str) -> Result<String, AppError> {
    let raw = raw.trim();
    if raw.len() > limits::MAX_REDIRECT_URL_BYTES {
        return Err(invalid(format!(
            "redirect_url is longer than {} bytes",
            limits::MAX_REDIRECT_URL_BYTES
        )));
    }
    let url = url::Url::parse(raw).map_err(|_| invalid("redirect_url is not an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid("redirect_url must be an http or https URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("redirect_url must not carry credentials"));
    }
    Ok(url.to_string())
}

/// Company details as stored: every value trimmed and one line, blank list items
/// dropped, the e-mail address plausible when given, the country two letters.
/// Empty required values are allowed here (templates then name them as missing).
pub fn company(raw: Company) -> Result<Company, AppError> {
    let max = limits::MAX_COMPANY_FIELD_CHARS;
    let optional_line = |field: &str, value: &str| -> Result<String, AppError> {
        if value.trim().is_empty() {
            Ok(String::new())
        } else {
            line(field, value, max)
        }
    };
    let list = |field: &str, items: Vec<String>| -> Result<Vec<String>, AppError> {
        let items = items
            .iter()
            .filter(|item| !item.trim().is_empty())
            .map(|item| line(field, item, max))
            .collect::<Result<Vec<_>, _>>()?;
        if items.len() > limits::MAX_COMPANY_LIST_ITEMS {
            return Err(invalid(format!(
                "{field} has more than {} items",
                limits::MAX_COMPANY_LIST_ITEMS
            )));
        }
        Ok(items)
    };
    let contact_email = optional_line("contact_email", &raw.contact_email)?;
    if !contact_email.is_empty() && !plausible_email(&contact_email) {
        return Err(invalid("contact_email is not an e-mail address"));
    }
    let registration_id = optional_line(
        "registration_id",
        raw.registration_id.as_deref().unwrap_or(""),
    )?;
    let country = match raw.country.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) if code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Some(code.to_ascii_uppercase())
        }
        Some(_) => {
            return Err(invalid(
                "country must be a two-letter ISO 3166-1 code, e.g. DE",
            ))
        }
    };
    Ok(Company {
        legal_name: optional_line("legal_name", &raw.legal_name)?,
        address: optional_line("address", &raw.address)?,
        registration_id: Some(registration_id).filter(|id| !id.is_empty()),
        contact_email,
        purposes: list("purposes", raw.purposes)?,
        recipients: list("recipients", raw.recipients)?,
        country,
    })
}

/// `local@domain.tld`, no spaces, at most 254 bytes.
fn plausible_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    value.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(char::is_whitespace)
}

/// The HTML allow-list: headings, paragraphs, line breaks, lists, bold and italic,
/// and links to http, https and mailto (opened with `rel="noopener noreferrer"`).
/// Everything else is removed: scripts and styles with their content, event
/// handlers, `style`, relative and `javascript:` URLs, frames, forms, comments.
static SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(HashSet::from([
            "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "ul", "ol", "li", "b", "strong", "i",
            "em", "a",
        ]))
        .tag_attributes(HashMap::from([("a", HashSet::from(["href"]))]))
        .generic_attributes(HashSet::new())
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .clean_content_tags(HashSet::from([
            "script", "style", "iframe", "frame", "frameset", "noscript", "noembed", "noframes",
            "template", "object", "svg", "math", "title", "textarea", "select",
        ]))
        .strip_comments(true);
    builder
});

/// Every tag removed, for "is anything left to read?".
static TEXT_ONLY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(ammonia::Builder::empty);

/// `raw` with only the allow-listed HTML left (see [`SANITISER`]).
pub fn sanitise_html(raw: &str) -> String {
    SANITISER.clean(raw).to_string()
}

/// SHA-256 of a text, hex.
pub fn sha256(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

// ---- Queries -------------------------------------------------------------------

const AGREEMENT_COLUMNS: &str =
    "id, name, kind, behaviour, redirect_url, data_source, template, created_at, updated_at";
const VERSION_COLUMNS: &str =
    "id, agreement_id, version, title, text_format, body, label, sha256, created_at";

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn agreement_in(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<Option<Agreement>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {AGREEMENT_COLUMNS} FROM agreements WHERE id = ?1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

async fn current_in(
    conn: &mut SqliteConnection,
    agreement_id: &str,
) -> Result<Option<Version>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {VERSION_COLUMNS} FROM agreement_versions WHERE agreement_id = ?1
         ORDER BY version DESC LIMIT 1"
    ))
    .bind(agreement_id)
    .fetch_optional(conn)
    .await
}

async fn company_in(conn: &mut SqliteConnection) -> Result<Option<(Company, String)>, AppError> {
    let row: Option<CompanyRow> = sqlx::query_as(
        "SELECT legal_name, address, registration_id, contact_email, purposes, recipients,
                country, updated_at
         FROM company WHERE id = 1",
    )
    .fetch_optional(conn)
    .await?;
    row.map(CompanyRow::into_company).transpose()
}

#[derive(FromRow)]
struct CompanyRow {
    legal_name: String,
    address: String,
    registration_id: Option<String>,
    contact_email: String,
    purposes: String,
    recipients: String,
    country: Option<String>,
    updated_at: String,
}

impl CompanyRow {
    fn into_company(self) -> Result<(Company, String), AppError> {
        let list = |json: &str| {
            serde_json::from_str::<Vec<String>>(json)
                .map_err(|e| AppError::Store(sqlx::Error::Decode(Box::new(e))))
        };
        Ok((
            Company {
                purposes: list(&self.purposes)?,
                recipients: list(&self.recipients)?,
                legal_name: self.legal_name,
                address: self.address,
                registration_id: self.registration_id,
                contact_email: self.contact_email,
                country: self.country,
            },
            self.updated_at,
        ))
    }
}

/// Appends version `current + 1` (or 1) inside the caller's write transaction.
async fn append_in(
    conn: &mut SqliteConnection,
    agreement_id: &str,
    shown: &Shown,
    now: &str,
) -> Result<Version, sqlx::Error> {
    let next: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM agreement_versions WHERE agreement_id = ?1",
    )
    .bind(agreement_id)
    .fetch_one(&mut *conn)
    .await?;
    let version = Version {
        id: new_id(),
        agreement_id: agreement_id.to_owned(),
        version: next,
        title: shown.title.clone(),
        text_format: shown.text_format,
        body: shown.text.clone(),
        label: shown.label.clone(),
        sha256: sha256(&shown.text),
        created_at: now.to_owned(),
    };
    sqlx::query(&format!(
        "INSERT INTO agreement_versions ({VERSION_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    ))
    .bind(&version.id)
    .bind(&version.agreement_id)
    .bind(version.version)
    .bind(&version.title)
    .bind(version.text_format)
    .bind(&version.body)
    .bind(&version.label)
    .bind(&version.sha256)
    .bind(&version.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(version)
}

fn shown_of(version: &Version) -> Shown {
    Shown {
        title: version.title.clone(),
        text_format: version.text_format,
        text: version.body.clone(),
        label: version.label.clone(),
    }
}

/// Every version of an agreement needs at least its first: a missing one is a
/// broken store, not a client error.
fn no_version() -> AppError {
    AppError::Store(sqlx::Error::RowNotFound)
}

impl Store {
    /// An agreement's settings.
    pub async fn agreement(&self, id: &str) -> Result<Option<Agreement>, sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        agreement_in(&mut conn, id).await
    }

    /// Every agreement, newest first.
    pub async fn agreements(&self) -> Result<Vec<Agreement>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {AGREEMENT_COLUMNS} FROM agreements ORDER BY created_at DESC, rowid DESC"
        ))
        .fetch_all(self.pool())
        .await
    }

    /// The newest version of an agreement, with its format.
    pub async fn latest_version(&self, agreement_id: &str) -> Result<Option<Version>, sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        current_in(&mut conn, agreement_id).await
    }

    /// One version, with its text, by id.
    pub async fn version(&self, id: &str) -> Result<Option<Version>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {VERSION_COLUMNS} FROM agreement_versions WHERE id = ?1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await
    }

    /// Every version of an agreement, oldest first.
    pub async fn versions(&self, agreement_id: &str) -> Result<Vec<VersionRef>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, agreement_id, version, sha256, created_at FROM agreement_versions
             WHERE agreement_id = ?1 ORDER BY version",
        )
        .bind(agreement_id)
        .fetch_all(self.pool())
        .await
    }

    /// The newest version of every agreement, by agreement id.
    pub async fn latest_versions(&self) -> Result<HashMap<String, VersionRef>, sqlx::Error> {
        let rows: Vec<VersionRef> = sqlx::query_as(
            "SELECT v.id, v.agreement_id, v.version, v.sha256, v.created_at
             FROM agreement_versions v
             WHERE v.version = (SELECT MAX(version) FROM agreement_versions
                                WHERE agreement_id = v.agreement_id)",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|v| (v.agreement_id.clone(), v))
            .collect())
    }

    /// Keys of the channels whose chat asks for each agreement, by agreement id.
    pub async fn channels_by_agreement(&self) -> Result<HashMap<String, Vec<String>>, sqlx::Error> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT consent_agreement_id, key FROM channels
             WHERE consent_agreement_id IS NOT NULL ORDER BY key",
        )
        .fetch_all(self.pool())
        .await?;
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (agreement_id, key) in rows {
            map.entry(agreement_id).or_default().push(key);
        }
        Ok(map)
    }

    /// Keys of the channels whose chat asks for this agreement.
    pub async fn channels_asking(&self, agreement_id: &str) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT key FROM channels WHERE consent_agreement_id = ?1 ORDER BY key")
            .bind(agreement_id)
            .fetch_all(self.pool())
            .await
    }

    /// Stores a new agreement and its first version. A template is filled from the
    /// company details in the same transaction, so a concurrent change of them is
    /// either seen here or refills this agreement too.
    pub async fn create_agreement(&self, new: NewAgreement) -> Result<Agreement, AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let (shown, template) = match new.content {
            Content::Manual(shown) => (shown, None),
            Content::Template {
                template,
                title,
                label,
            } => {
                let company = company_in(&mut tx)
                    .await?
                    .map(|(company, _)| company)
                    .unwrap_or_default();
                let filled = template
                    .fill(&company)
                    .map_err(|missing| missing_details(template, &missing))?;
                let shown = Shown {
                    title: title.unwrap_or_else(|| filled.title.to_owned()),
                    text_format: TextFormat::Plain,
                    label: label.unwrap_or_else(|| filled.label.to_owned()),
                    text: filled.text,
                };
                (shown, Some(template))
            }
        };
        let agreement = Agreement {
            id: new_id(),
            name: new.name,
            kind: new.kind,
            behaviour: new.behaviour,
            redirect_url: new.redirect_url,
            data_source: new.data_source,
            template,
            created_at: now_rfc3339(),
            updated_at: None,
        };
        sqlx::query(&format!(
            "INSERT INTO agreements ({AGREEMENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ))
        .bind(&agreement.id)
        .bind(&agreement.name)
        .bind(agreement.kind)
        .bind(agreement.behaviour)
        .bind(&agreement.redirect_url)
        .bind(agreement.data_source)
        .bind(agreement.template)
        .bind(&agreement.created_at)
        .bind(&agreement.updated_at)
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, &agreement.id, &shown, &agreement.created_at).await?;
        tx.commit().await?;
        Ok(agreement)
    }

    /// Changes settings that leave the shown text alone. `None` when there is no
    /// such agreement. Nothing is written when nothing changes.
    pub async fn update_agreement(
        &self,
        id: &str,
        settings: Settings,
    ) -> Result<Option<Agreement>, AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let Some(before) = agreement_in(&mut tx, id).await? else {
            return Ok(None);
        };
        let mut after = before.clone();
        if let Some(name) = settings.name {
            after.name = name;
        }
        if let Some(behaviour) = settings.behaviour {
            after.behaviour = behaviour;
        }
        if let Some(redirect_url) = settings.redirect_url {
            after.redirect_url = redirect_url;
        }
        if let Some(data_source) = settings.data_source {
            if data_source == DataSource::Company && after.template.is_none() {
                return Err(invalid(
                    "data_source can be company only for agreements made from a template",
                ));
            }
            after.data_source = data_source;
        }
        if after == before {
            return Ok(Some(before));
        }
        after.updated_at = Some(now_rfc3339());
        sqlx::query(
            "UPDATE agreements SET name = ?2, behaviour = ?3, redirect_url = ?4,
                    data_source = ?5, updated_at = ?6
             WHERE id = ?1",
        )
        .bind(&after.id)
        .bind(&after.name)
        .bind(after.behaviour)
        .bind(&after.redirect_url)
        .bind(after.data_source)
        .bind(&after.updated_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(after))
    }

    /// Appends a version when `change` alters what is shown; otherwise answers the
    /// current version and writes nothing. `Ok(None)` when there is no such
    /// agreement; the flag is true when a version was created.
    pub async fn change_version(
        &self,
        agreement_id: &str,
        change: VersionChange,
    ) -> Result<Option<(Version, bool)>, AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let Some(agreement) = agreement_in(&mut tx, agreement_id).await? else {
            return Ok(None);
        };
        let current = current_in(&mut tx, agreement_id)
            .await?
            .ok_or_else(no_version)?;
        let text_format = change.text_format.unwrap_or(current.text_format);
        let text_changes = change.text.is_some() || text_format != current.text_format;
        let next = Shown {
            title: change.title.unwrap_or_else(|| current.title.clone()),
            text: if text_changes {
                text(
                    text_format,
                    change.text.as_deref().unwrap_or(current.body.as_str()),
                )?
            } else {
                current.body.clone()
            },
            text_format,
            label: change.label.unwrap_or_else(|| current.label.clone()),
        };
        let before = shown_of(&current);
        if next == before {
            return Ok(Some((current, false)));
        }
        if agreement.data_source == DataSource::Company
            && (next.text != before.text || next.text_format != before.text_format)
        {
            return Err(invalid(
                "this agreement's text is filled from the company details; \
                 PATCH data_source to manual before editing the text",
            ));
        }
        let version = append_in(&mut tx, agreement_id, &next, &now_rfc3339()).await?;
        tx.commit().await?;
        Ok(Some((version, true)))
    }

    /// The company details and when they were saved; `None` before the first save.
    pub async fn company(&self) -> Result<Option<(Company, String)>, AppError> {
        let mut conn = self.pool().acquire().await?;
        company_in(&mut conn).await
    }

    /// Saves the company details (checked with [`company`]) and refills every
    /// agreement whose data source is the company: a new version for each whose
    /// text changes. Refused, with nothing stored, when such an agreement's
    /// template would lack a detail. Returns the save time and the new versions.
    pub async fn put_company(
        &self,
        company: &Company,
    ) -> Result<(String, Vec<Refilled>), AppError> {
        let now = now_rfc3339();
        let json = |list: &[String]| {
            serde_json::to_string(list)
                .map_err(|e| AppError::Store(sqlx::Error::Encode(Box::new(e))))
        };
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "INSERT INTO company (id, legal_name, address, registration_id, contact_email,
                                  purposes, recipients, country, updated_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO UPDATE SET
                 legal_name = excluded.legal_name, address = excluded.address,
                 registration_id = excluded.registration_id,
                 contact_email = excluded.contact_email, purposes = excluded.purposes,
                 recipients = excluded.recipients, country = excluded.country,
                 updated_at = excluded.updated_at",
        )
        .bind(&company.legal_name)
        .bind(&company.address)
        .bind(&company.registration_id)
        .bind(&company.contact_email)
        .bind(json(&company.purposes)?)
        .bind(json(&company.recipients)?)
        .bind(&company.country)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let filled: Vec<Agreement> = sqlx::query_as(&format!(
            "SELECT {AGREEMENT_COLUMNS} FROM agreements
             WHERE data_source = 'company' AND template IS NOT NULL ORDER BY rowid"
        ))
        .fetch_all(&mut *tx)
        .await?;
        let mut refilled = Vec::new();
        for agreement in filled {
            let Some(template) = agreement.template else {
                continue;
            };
            let filled = template.fill(company).map_err(|missing| {
                invalid(format!(
                    "agreement {:?} is filled from the company details, and these would be \
                     empty: {}; fill them in, or PATCH its data_source to manual",
                    agreement.name,
                    missing.join(", ")
                ))
            })?;
            let current = current_in(&mut tx, &agreement.id)
                .await?
                .ok_or_else(no_version)?;
            if current.body == filled.text && current.text_format == TextFormat::Plain {
                continue;
            }
            let next = Shown {
                title: current.title.clone(),
                text_format: TextFormat::Plain,
                text: filled.text,
                label: current.label.clone(),
            };
            let version = append_in(&mut tx, &agreement.id, &next, &now).await?;
            refilled.push(Refilled {
                agreement_id: agreement.id,
                version_id: version.id,
                version: version.version,
            });
        }
        tx.commit().await?;
        Ok((now, refilled))
    }

    /// Makes `agreement_id` (a personal-data agreement) the one the channel's chat
    /// asks for, or asks none with `None`. Returns the agreement's current version.
    pub async fn set_channel_agreement(
        &self,
        channel_key: &str,
        agreement_id: Option<&str>,
    ) -> Result<Option<VersionRef>, AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let channel_id: Option<String> =
            sqlx::query_scalar("SELECT id FROM channels WHERE key = ?1")
                .bind(channel_key)
                .fetch_optional(&mut *tx)
                .await?;
        let channel_id = channel_id.ok_or_else(|| {
            AppError::not_found(ErrorCode::UnknownChannel, "no channel has this key")
        })?;
        let current = match agreement_id {
            Some(id) => {
                let agreement = agreement_in(&mut tx, id)
                    .await?
                    .ok_or_else(|| invalid("agreement_id names no agreement"))?;
                if agreement.kind != Kind::PersonalData {
                    return Err(invalid(
                        "a channel's chat may only ask for a personal_data agreement; \
                         marketing and other agreements are for forms",
                    ));
                }
                let current = current_in(&mut tx, id).await?.ok_or_else(no_version)?;
                Some(VersionRef {
                    id: current.id,
                    agreement_id: current.agreement_id,
                    version: current.version,
                    sha256: current.sha256,
                    created_at: current.created_at,
                })
            }
            None => None,
        };
        sqlx::query("UPDATE channels SET consent_agreement_id = ?1 WHERE id = ?2")
            .bind(agreement_id)
            .bind(&channel_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitising_keeps_the_allow_list_only() {
        let cases = [
            ("<p>Hi <b>there</b></p>", "<p>Hi <b>there</b></p>"),
            ("<script>alert(1)</script><p>x</p>", "<p>x</p>"),
            (
                "<p onclick=\"alert(1)\" style=\"color:red\">x</p>",
                "<p>x</p>",
            ),
            (
                "<a href=\"javascript:alert(1)\">x</a>",
                "<a rel=\"noopener noreferrer\">x</a>",
            ),
            (
                "<a href=\"https://a.example/\" target=\"_blank\">x</a>",
                "<a href=\"https://a.example/\" rel=\"noopener noreferrer\">x</a>",
            ),
            ("<iframe src=\"https://evil.example/\"></iframe>ok", "ok"),
            ("<img src=x onerror=alert(1)>ok", "ok"),
        ];
        for (raw, want) in cases {
            assert_eq!(sanitise_html(raw), want, "{raw}");
        }
    }

    /// Asserts a refusal: its code, and that its message names `field` first.
    #[track_caller]
    fn refused<T: std::fmt::Debug>(result: Result<T, AppError>, code: ErrorCode, field: &str) {
        match result {
            Ok(value) => panic!("accepted, expected {code:?} on {field}: {value:?}"),
            Err(e) => {
                let (got, message) = e.public();
                assert_eq!(got, code, "{message}");
                assert!(
                    message.starts_with(&format!("{field} ")),
                    "the message names {field}: {message}"
                );
            }
        }
    }

    #[test]
    fn texts_are_checked() {
        assert_eq!(
            text(TextFormat::Plain, "  hi \n").ok().as_deref(),
            Some("hi")
        );
        let invalid = ErrorCode::InvalidField;
        refused(text(TextFormat::Plain, " \n "), invalid, "text");
        refused(text(TextFormat::Plain, "a\u{0}b"), invalid, "text");
        refused(
            text(TextFormat::Html, "<script>x</script>"),
            invalid,
            "text",
        );
        refused(text(TextFormat::Html, "<p></p>"), invalid, "text");
        let big = "x".repeat(limits::MAX_AGREEMENT_TEXT_BYTES + 1);
        refused(text(TextFormat::Plain, &big), ErrorCode::TooLarge, "text");
        // Escaping may grow a text past the limit.
        let grows = "<".repeat(limits::MAX_AGREEMENT_TEXT_BYTES);
        refused(text(TextFormat::Html, &grows), ErrorCode::TooLarge, "text");
        refused(name(" "), invalid, "name");
        refused(title("a\nb"), invalid, "title");
        refused(
            label(&"l".repeat(limits::MAX_LABEL_CHARS + 1)),
            invalid,
            "label",
        );
    }

    #[test]
    fn redirect_urls() {
        assert!(redirect_url("https://shop.example/thanks").is_ok());
        for bad in [
            "",
            "/thanks",
            "javascript:alert(1)",
            "ftp://a.example/",
            "https://user:pw@a.example/",
        ] {
            refused(redirect_url(bad), ErrorCode::InvalidField, "redirect_url");
        }
    }

    #[test]
    fn company_values_are_tidied() {
        let checked = company(Company {
            legal_name: " Acme ".into(),
            contact_email: "privacy@acme.example".into(),
            purposes: vec!["a".into(), " ".into()],
            country: Some("de".into()),
            registration_id: Some("  ".into()),
            ..Company::default()
        })
        .expect("valid");
        assert_eq!(checked.legal_name, "Acme");
        assert_eq!(checked.purposes, vec!["a".to_owned()]);
        assert_eq!(checked.country.as_deref(), Some("DE"));
        assert_eq!(checked.registration_id, None);
        for (bad, field) in [
            (
                Company {
                    contact_email: "not-an-email".into(),
                    ..Company::default()
                },
                "contact_email",
            ),
            (
                Company {
                    country: Some("Germany".into()),
                    ..Company::default()
                },
                "country",
            ),
            (
                Company {
                    address: "line\nbreak".into(),
                    ..Company::default()
                },
                "address",
            ),
            (
                Company {
                    purposes: vec!["p".into(); limits::MAX_COMPANY_LIST_ITEMS + 1],
                    ..Company::default()
                },
                "purposes",
            ),
        ] {
            refused(company(bad), ErrorCode::InvalidField, field);
        }
    }
}
