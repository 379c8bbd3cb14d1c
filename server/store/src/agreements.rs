//! Agreements, their immutable versions and the company details (the domain
//! rules are `canal_core::agreements`). A version is only ever appended; the
//! database refuses UPDATE and DELETE on `agreement_versions`.

use std::collections::HashMap;

use canal_core::agreements::{
    invalid, missing_details, sha256, text, Agreement, Behaviour, Company, Content, DataSource,
    Kind, NewAgreement, Refilled, Settings, Shown, TextFormat, Version, VersionChange, VersionRef,
};
use canal_core::templates::Template;
use canal_core::Rejected;
use canal_protocol::ErrorCode;
use sqlx::FromRow;

use crate::{new_id, now_rfc3339, on_pool, on_tx, Error, Result, Store, Tx};

const AGREEMENT_COLUMNS: &str =
    "id, name, kind, behaviour, redirect_url, data_source, template, created_at, updated_at";
const VERSION_COLUMNS: &str =
    "id, agreement_id, version, title, text_format, body, label, sha256, created_at";

#[derive(FromRow)]
struct AgreementRow {
    id: String,
    name: String,
    kind: String,
    behaviour: String,
    redirect_url: Option<String>,
    data_source: String,
    template: Option<String>,
    created_at: String,
    updated_at: Option<String>,
}

fn parsed<T>(value: Option<T>, column: &str, raw: &str) -> Result<T> {
    value.ok_or_else(|| Error::corrupt(format!("{column} {raw:?}")))
}

impl TryFrom<AgreementRow> for Agreement {
    type Error = Error;
    fn try_from(r: AgreementRow) -> Result<Self> {
        Ok(Agreement {
            kind: parsed(Kind::parse(&r.kind), "agreements.kind", &r.kind)?,
            behaviour: parsed(
                Behaviour::parse(&r.behaviour),
                "agreements.behaviour",
                &r.behaviour,
            )?,
            data_source: parsed(
                DataSource::parse(&r.data_source),
                "agreements.data_source",
                &r.data_source,
            )?,
            template: match r.template.as_deref() {
                None => None,
                Some(t) => Some(parsed(Template::parse(t), "agreements.template", t)?),
            },
            id: r.id,
            name: r.name,
            redirect_url: r.redirect_url,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(FromRow)]
struct VersionRow {
    id: String,
    agreement_id: String,
    version: i64,
    title: String,
    text_format: String,
    body: String,
    label: String,
    sha256: String,
    created_at: String,
}

impl TryFrom<VersionRow> for Version {
    type Error = Error;
    fn try_from(r: VersionRow) -> Result<Self> {
        Ok(Version {
            text_format: parsed(
                TextFormat::parse(&r.text_format),
                "agreement_versions.text_format",
                &r.text_format,
            )?,
            id: r.id,
            agreement_id: r.agreement_id,
            version: r.version,
            title: r.title,
            body: r.body,
            label: r.label,
            sha256: r.sha256,
            created_at: r.created_at,
        })
    }
}

#[derive(FromRow)]
struct VersionRefRow {
    id: String,
    agreement_id: String,
    version: i64,
    sha256: String,
    created_at: String,
}

impl From<VersionRefRow> for VersionRef {
    fn from(r: VersionRefRow) -> Self {
        VersionRef {
            id: r.id,
            agreement_id: r.agreement_id,
            version: r.version,
            sha256: r.sha256,
            created_at: r.created_at,
        }
    }
}

/// An agreement, locked for the rest of the transaction on PostgreSQL (so two
/// version appends of one agreement take turns; SQLite has one writer).
async fn agreement_in(tx: &mut Tx, id: &str) -> Result<Option<Agreement>> {
    let row: Option<AgreementRow> = on_tx!(tx, c, pg => {
        let lock = if pg { " FOR UPDATE" } else { "" };
        sqlx::query_as(&format!(
            "SELECT {AGREEMENT_COLUMNS} FROM agreements WHERE id = $1{lock}"
        ))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    });
    row.map(Agreement::try_from).transpose()
}

async fn current_in(tx: &mut Tx, agreement_id: &str) -> Result<Option<Version>> {
    let row: Option<VersionRow> = on_tx!(tx, c => {
        sqlx::query_as(&format!(
            "SELECT {VERSION_COLUMNS} FROM agreement_versions WHERE agreement_id = $1
             ORDER BY version DESC LIMIT 1"
        ))
        .bind(agreement_id)
        .fetch_optional(&mut *c)
        .await?
    });
    row.map(Version::try_from).transpose()
}

const COMPANY_SELECT: &str = "SELECT legal_name, address, registration_id, contact_email, \
    purposes, recipients, country, updated_at FROM company WHERE id = 1";

async fn company_in(tx: &mut Tx) -> Result<Option<(Company, String)>> {
    let row: Option<CompanyRow> = on_tx!(tx, c => {
        sqlx::query_as(COMPANY_SELECT).fetch_optional(&mut *c).await?
    });
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
    fn into_company(self) -> Result<(Company, String)> {
        let list = |json: &str| {
            serde_json::from_str::<Vec<String>>(json)
                .map_err(|e| Error::corrupt(format!("company list: {e}")))
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
async fn append_in(tx: &mut Tx, agreement_id: &str, shown: &Shown, now: &str) -> Result<Version> {
    let next: i64 = on_tx!(tx, c => {
        sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM agreement_versions WHERE agreement_id = $1",
        )
        .bind(agreement_id)
        .fetch_one(&mut *c)
        .await?
    });
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
    let sql = format!(
        "INSERT INTO agreement_versions ({VERSION_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    );
    on_tx!(tx, c => {
        sqlx::query(&sql)
            .bind(&version.id)
            .bind(&version.agreement_id)
            .bind(version.version)
            .bind(&version.title)
            .bind(version.text_format.as_str())
            .bind(&version.body)
            .bind(&version.label)
            .bind(&version.sha256)
            .bind(&version.created_at)
            .execute(&mut *c)
            .await?;
    });
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
fn no_version() -> Error {
    Error::corrupt("an agreement without a version")
}

impl Store {
    /// An agreement's settings.
    pub async fn agreement(&self, id: &str) -> Result<Option<Agreement>> {
        let row: Option<AgreementRow> = on_pool!(self, p => {
            sqlx::query_as(&format!("SELECT {AGREEMENT_COLUMNS} FROM agreements WHERE id = $1"))
                .bind(id)
                .fetch_optional(p)
                .await?
        });
        row.map(Agreement::try_from).transpose()
    }

    /// Every agreement, newest first.
    pub async fn agreements(&self) -> Result<Vec<Agreement>> {
        // `rowid` is SQLite's insertion order; the PostgreSQL schema has a column of
        // that name filled from a sequence, so both break ties the same way.
        let rows: Vec<AgreementRow> = on_pool!(self, p => {
            sqlx::query_as(&format!(
                "SELECT {AGREEMENT_COLUMNS} FROM agreements ORDER BY created_at DESC, rowid DESC"
            ))
            .fetch_all(p)
            .await?
        });
        rows.into_iter().map(Agreement::try_from).collect()
    }

    /// The newest version of an agreement, with its format.
    pub async fn latest_version(&self, agreement_id: &str) -> Result<Option<Version>> {
        let row: Option<VersionRow> = on_pool!(self, p => {
            sqlx::query_as(&format!(
                "SELECT {VERSION_COLUMNS} FROM agreement_versions WHERE agreement_id = $1
                 ORDER BY version DESC LIMIT 1"
            ))
            .bind(agreement_id)
            .fetch_optional(p)
            .await?
        });
        row.map(Version::try_from).transpose()
    }

    /// One version, with its text, by id.
    pub async fn version(&self, id: &str) -> Result<Option<Version>> {
        let row: Option<VersionRow> = on_pool!(self, p => {
            sqlx::query_as(&format!(
                "SELECT {VERSION_COLUMNS} FROM agreement_versions WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(p)
            .await?
        });
        row.map(Version::try_from).transpose()
    }

    /// Every version of an agreement, oldest first.
    pub async fn versions(&self, agreement_id: &str) -> Result<Vec<VersionRef>> {
        let rows: Vec<VersionRefRow> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT id, agreement_id, version, sha256, created_at FROM agreement_versions
                 WHERE agreement_id = $1 ORDER BY version",
            )
            .bind(agreement_id)
            .fetch_all(p)
            .await?
        });
        Ok(rows.into_iter().map(VersionRef::from).collect())
    }

    /// The newest version of every agreement, by agreement id.
    pub async fn latest_versions(&self) -> Result<HashMap<String, VersionRef>> {
        let rows: Vec<VersionRefRow> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT v.id, v.agreement_id, v.version, v.sha256, v.created_at
                 FROM agreement_versions v
                 WHERE v.version = (SELECT MAX(version) FROM agreement_versions
                                    WHERE agreement_id = v.agreement_id)",
            )
            .fetch_all(p)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|v| (v.agreement_id.clone(), VersionRef::from(v)))
            .collect())
    }

    /// Keys of the channels whose chat asks for each agreement, by agreement id.
    pub async fn channels_by_agreement(&self) -> Result<HashMap<String, Vec<String>>> {
        let rows: Vec<(String, String)> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT consent_agreement_id, key FROM channels
                 WHERE consent_agreement_id IS NOT NULL ORDER BY key",
            )
            .fetch_all(p)
            .await?
        });
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (agreement_id, key) in rows {
            map.entry(agreement_id).or_default().push(key);
        }
        Ok(map)
    }

    /// Keys of the channels whose chat asks for this agreement.
    pub async fn channels_asking(&self, agreement_id: &str) -> Result<Vec<String>> {
        on_pool!(self, p => Ok(sqlx::query_scalar(
            "SELECT key FROM channels WHERE consent_agreement_id = $1 ORDER BY key",
        )
        .bind(agreement_id)
        .fetch_all(p)
        .await?))
    }

    /// Stores a new agreement and its first version. A template is filled from the
    /// company details in the same transaction, so a concurrent change of them is
    /// either seen here or refills this agreement too.
    pub async fn create_agreement(&self, new: NewAgreement) -> Result<Agreement> {
        let mut tx = self.begin().await?;
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
        insert_agreement(&mut tx, &agreement).await?;
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
    ) -> Result<Option<Agreement>> {
        let mut tx = self.begin().await?;
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
                )
                .into());
            }
            after.data_source = data_source;
        }
        if after == before {
            return Ok(Some(before));
        }
        after.updated_at = Some(now_rfc3339());
        on_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE agreements SET name = $2, behaviour = $3, redirect_url = $4,
                        data_source = $5, updated_at = $6
                 WHERE id = $1",
            )
            .bind(&after.id)
            .bind(&after.name)
            .bind(after.behaviour.as_str())
            .bind(&after.redirect_url)
            .bind(after.data_source.as_str())
            .bind(&after.updated_at)
            .execute(&mut *c)
            .await?;
        });
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
    ) -> Result<Option<(Version, bool)>> {
        let mut tx = self.begin().await?;
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
            )
            .into());
        }
        let version = append_in(&mut tx, agreement_id, &next, &now_rfc3339()).await?;
        tx.commit().await?;
        Ok(Some((version, true)))
    }

    /// The company details and when they were saved; `None` before the first save.
    pub async fn company(&self) -> Result<Option<(Company, String)>> {
        let row: Option<CompanyRow> =
            on_pool!(self, p => sqlx::query_as(COMPANY_SELECT).fetch_optional(p).await?);
        row.map(CompanyRow::into_company).transpose()
    }

    /// Saves the company details (checked with [`company`]) and refills every
    /// agreement whose data source is the company: a new version for each whose
    /// text changes. Refused, with nothing stored, when such an agreement's
    /// template would lack a detail. Returns the save time and the new versions.
    pub async fn put_company(&self, company: &Company) -> Result<(String, Vec<Refilled>)> {
        let now = now_rfc3339();
        let json = |list: &[String]| {
            serde_json::to_string(list).map_err(|e| Error::corrupt(format!("company list: {e}")))
        };
        let (purposes, recipients) = (json(&company.purposes)?, json(&company.recipients)?);
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => sqlx::query(
            "INSERT INTO company (id, legal_name, address, registration_id, contact_email,
                                  purposes, recipients, country, updated_at)
             VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8)
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
        .bind(&purposes)
        .bind(&recipients)
        .bind(&company.country)
        .bind(&now)
        .execute(&mut *c)
        .await
        .map(drop)?);
        let filled: Vec<AgreementRow> = on_tx!(&mut tx, c => {
            sqlx::query_as(&format!(
                "SELECT {AGREEMENT_COLUMNS} FROM agreements
                 WHERE data_source = 'company' AND template IS NOT NULL ORDER BY rowid"
            ))
            .fetch_all(&mut *c)
            .await?
        });
        let filled = filled
            .into_iter()
            .map(Agreement::try_from)
            .collect::<Result<Vec<_>>>()?;
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
    ) -> Result<Option<VersionRef>> {
        let mut tx = self.begin().await?;
        let channel_id: Option<String> = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT id FROM channels WHERE key = $1")
                .bind(channel_key)
                .fetch_optional(&mut *c)
                .await?
        });
        let channel_id = channel_id.ok_or_else(|| {
            Rejected::not_found(ErrorCode::UnknownChannel, "no channel has this key")
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
                    )
                    .into());
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
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE channels SET consent_agreement_id = $1 WHERE id = $2")
                .bind(agreement_id)
                .bind(&channel_id)
                .execute(&mut *c)
                .await?;
        });
        tx.commit().await?;
        Ok(current)
    }
}

async fn insert_agreement(tx: &mut Tx, agreement: &Agreement) -> Result<()> {
    let sql = format!(
        "INSERT INTO agreements ({AGREEMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    );
    on_tx!(tx, c => {
        sqlx::query(&sql)
            .bind(&agreement.id)
            .bind(&agreement.name)
            .bind(agreement.kind.as_str())
            .bind(agreement.behaviour.as_str())
            .bind(&agreement.redirect_url)
            .bind(agreement.data_source.as_str())
            .bind(agreement.template.map(Template::as_str))
            .bind(&agreement.created_at)
            .bind(&agreement.updated_at)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

impl Store {
    /// Creates a personal-data agreement with its first version (plain text,
    /// required and auto-accepted) and makes it the one the channel's chat asks for.
    /// Returns that version.
    pub async fn create_chat_agreement(
        &self,
        channel_id: &str,
        name: &str,
        title: &str,
        body: &str,
        label: &str,
    ) -> Result<Version> {
        let now = now_rfc3339();
        let agreement = Agreement {
            id: new_id(),
            name: name.to_owned(),
            kind: Kind::PersonalData,
            behaviour: Behaviour::RequiredAutoAccepted,
            redirect_url: None,
            data_source: DataSource::Manual,
            template: None,
            created_at: now.clone(),
            updated_at: None,
        };
        let shown = Shown {
            title: title.to_owned(),
            text_format: TextFormat::Plain,
            text: body.to_owned(),
            label: label.to_owned(),
        };
        let mut tx = self.begin().await?;
        insert_agreement(&mut tx, &agreement).await?;
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE agreements SET channel_id = $1 WHERE id = $2")
                .bind(channel_id)
                .bind(&agreement.id)
                .execute(&mut *c)
                .await?;
            sqlx::query("UPDATE channels SET consent_agreement_id = $1 WHERE id = $2")
                .bind(&agreement.id)
                .bind(channel_id)
                .execute(&mut *c)
                .await?;
        });
        let version = append_in(&mut tx, &agreement.id, &shown, &now).await?;
        tx.commit().await?;
        Ok(version)
    }
}
