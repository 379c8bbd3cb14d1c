//! Wire types of the admin API for agreements, their versions, templates and the
//! company details templates are filled from.
//!
//! Routes (all under `/api/v1/admin/`, admin token required):
//! - `POST /agreements` ([`CreateAgreement`]) and `GET /agreements/{id}`
//!   ([`AgreementDetail`]); `GET /agreements` ([`AgreementList`]).
//! - `PATCH /agreements/{id}` ([`UpdateAgreement`]): settings that leave the shown
//!   text alone.
//! - `POST /agreements/{id}/versions` ([`CreateVersion`] -> [`VersionView`]): a new
//!   immutable version when the shown text changes.
//! - `GET /agreement-templates` ([`TemplateList`]).
//! - `GET`/`PUT /company` ([`CompanyDetails`] -> [`CompanyView`]).
//! - `PUT /channels/{key}/agreement` ([`SetChannelAgreement`] -> [`ChannelAgreement`]).

use serde::{Deserialize, Deserializer, Serialize};

/// Sizes the admin API enforces (the console checks first).
pub mod limits {
    /// Longest agreement text, in bytes of UTF-8, before and after sanitising.
    pub const MAX_AGREEMENT_TEXT_BYTES: usize = 64 * 1024;
    /// Largest JSON body the agreement routes read: the longest text plus room for
    /// JSON escapes.
    pub const MAX_AGREEMENT_BODY_BYTES: usize = 256 * 1024;
    /// Longest agreement name, in characters.
    pub const MAX_NAME_CHARS: usize = 200;
    /// Longest title shown above the text, in characters.
    pub const MAX_TITLE_CHARS: usize = 200;
    /// Longest checkbox label, in characters.
    pub const MAX_LABEL_CHARS: usize = 500;
    /// Longest redirect URL, in bytes.
    pub const MAX_REDIRECT_URL_BYTES: usize = 2048;
    /// Longest value of one company field (or one list item), in characters.
    pub const MAX_COMPANY_FIELD_CHARS: usize = 500;
    /// Most items in a company list (purposes, recipients).
    pub const MAX_COMPANY_LIST_ITEMS: usize = 20;
}

/// What an agreement is consent to. A channel's chat may only ask for
/// `personal_data`; the other kinds are for forms.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum AgreementKind {
    PersonalData,
    Marketing,
    Other,
}

/// How the checkbox behaves.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    /// Required, shown ticked.
    RequiredAutoAccepted,
    /// Required; the visitor must open the full text before ticking.
    RequiredReadFullText,
    /// Optional, shown ticked.
    OptionalAutoAccepted,
    /// Optional, shown unticked.
    OptionalUnchecked,
}

/// How the text is written. HTML is sanitised on save.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum TextFormat {
    Plain,
    Html,
}

/// Where the text's details come from.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum DataSource {
    /// Filled from a template and the company details; a change of the company
    /// details appends a new version.
    Company,
    /// Written (or last filled) by hand; company changes leave it alone.
    Manual,
}

/// The built-in templates.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateId {
    /// EU General Data Protection Regulation, in English.
    #[serde(rename = "eu_gdpr")]
    EuGdpr,
    /// Russia, Federal Law No. 152-FZ, in Russian.
    #[serde(rename = "ru_152fz")]
    Ru152Fz,
    /// Belarus, Law No. 99-Z, in Russian.
    #[serde(rename = "by_99z")]
    By99Z,
    /// Kazakhstan, Law No. 94-V, in Russian.
    #[serde(rename = "kz_94v")]
    Kz94V,
}

impl TemplateId {
    /// Every template, in listing order.
    pub const ALL: [TemplateId; 4] = [Self::EuGdpr, Self::Ru152Fz, Self::By99Z, Self::Kz94V];

    /// The id as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EuGdpr => "eu_gdpr",
            Self::Ru152Fz => "ru_152fz",
            Self::By99Z => "by_99z",
            Self::Kz94V => "kz_94v",
        }
    }
}

/// `POST /agreements`. Either `template` (a personal-data agreement filled from the
/// company details) or `kind` + `text` + `label` (written by hand).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CreateAgreement {
    /// Name in the admin list.
    pub name: String,
    /// Required without a template; with one it may only be `personal_data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AgreementKind>,
    /// Default: `required_auto_accepted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behaviour: Option<Behaviour>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<TemplateId>,
    /// Heading shown above the text. Default: the template's title, else `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Default: `plain`. Not allowed with a template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_format: Option<TextFormat>,
    /// Required without a template, not allowed with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Checkbox label. Required without a template (which has its own default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Where to send the visitor after accepting: http or https.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// Default: `company` with a template, `manual` without (where `company` is
    /// refused: there is nothing to fill).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source: Option<DataSource>,
}

/// `PATCH /agreements/{id}`: settings that do not change the text shown. Absent
/// fields stay as they are.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateAgreement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behaviour: Option<Behaviour>,
    /// `null` removes the redirect; absent keeps it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub redirect_url: Option<Option<String>>,
    /// `company` only for agreements made from a template. Switching takes effect
    /// at the next change of the company details; the current text stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source: Option<DataSource>,
}

/// `POST /agreements/{id}/versions`. Absent fields keep the current version's
/// value; when nothing differs the current version is answered (200) and nothing
/// is created, otherwise the new version (201).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct CreateVersion {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Without `text`, the current text is read again in this format (plain to
    /// HTML sanitises it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_format: Option<TextFormat>,
    /// Not changeable while `data_source` is `company`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// One version in a list: enough to identify the exact text.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct VersionSummary {
    pub id: String,
    /// 1, 2, 3, ...
    pub version: u32,
    /// SHA-256 of the stored text, hex.
    pub sha256: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// One immutable version with its text.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct VersionView {
    pub id: String,
    pub agreement_id: String,
    pub version: u32,
    pub title: String,
    pub text_format: TextFormat,
    /// As stored: HTML texts are already sanitised.
    pub text: String,
    pub label: String,
    /// SHA-256 of `text`, hex.
    pub sha256: String,
    pub created_at: String,
}

/// An agreement in the list (without its text).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgreementSummary {
    pub id: String,
    pub name: String,
    pub kind: AgreementKind,
    pub behaviour: Behaviour,
    pub data_source: DataSource,
    pub template: Option<TemplateId>,
    pub redirect_url: Option<String>,
    pub current_version: VersionSummary,
    /// Keys of the channels whose chat asks for this agreement.
    pub channels: Vec<String>,
    pub created_at: String,
    /// Last settings change (`PATCH`); `None` when never changed.
    pub updated_at: Option<String>,
}

/// `GET /agreements`, newest first.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgreementList {
    pub agreements: Vec<AgreementSummary>,
}

/// The part of an [`AgreementSummary`] a picker needs (the console's agreement
/// and contact-form editors): read from the same `GET /agreements` answer as an
/// [`AgreementChoices`], the other fields skipped. Reading less is the point: each
/// field read is code the console's budget pays for.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgreementChoice {
    pub id: String,
    pub name: String,
    pub kind: AgreementKind,
}

/// [`AgreementList`] read as [`AgreementChoice`]s.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgreementChoices {
    pub agreements: Vec<AgreementChoice>,
}

/// `GET /agreements/{id}`, and the answer to create and `PATCH`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgreementDetail {
    pub id: String,
    pub name: String,
    pub kind: AgreementKind,
    pub behaviour: Behaviour,
    pub data_source: DataSource,
    pub template: Option<TemplateId>,
    pub redirect_url: Option<String>,
    pub channels: Vec<String>,
    pub created_at: String,
    pub updated_at: Option<String>,
    /// The version visitors are shown now.
    pub current: VersionView,
    /// Every version, oldest first.
    pub versions: Vec<VersionSummary>,
}

/// One built-in template.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct TemplateInfo {
    pub id: TemplateId,
    /// The title its agreements are shown with.
    pub title: String,
    /// The law it is written for.
    pub law: String,
    /// BCP 47 language of the text.
    pub language: String,
}

/// `GET /agreement-templates`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct TemplateList {
    pub templates: Vec<TemplateInfo>,
}

/// The company that processes the data: `PUT /company` (the whole record), and
/// inside [`CompanyView`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct CompanyDetails {
    pub legal_name: String,
    /// Registered address, one line.
    pub address: String,
    /// Company registration number (e.g. OGRN, UNP, BIN, VAT id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_id: Option<String>,
    /// Where data subjects write to exercise their rights.
    pub contact_email: String,
    /// Purposes of processing, one sentence each.
    #[serde(default)]
    pub purposes: Vec<String>,
    /// Who receives the data (processors, other controllers); empty: nobody.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// ISO 3166-1 alpha-2, upper case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A new version appended because the company details changed.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Refilled {
    pub agreement_id: String,
    pub version_id: String,
    pub version: u32,
}

/// `GET /company` and the answer to `PUT /company`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct CompanyView {
    pub company: CompanyDetails,
    /// `None` until first saved.
    pub updated_at: Option<String>,
    /// Fields the templates need that are empty now.
    pub missing_for_templates: Vec<String>,
    /// Agreements with `data_source: company` whose text this save changed.
    pub refilled: Vec<Refilled>,
}

/// `PUT /channels/{key}/agreement`: the personal-data agreement the channel's chat
/// asks for, or `null` to ask none. The field must be present.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SetChannelAgreement {
    #[serde(deserialize_with = "nullable")]
    pub agreement_id: Option<String>,
}

/// Answer to [`SetChannelAgreement`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ChannelAgreement {
    /// The channel's key.
    pub channel: String,
    pub agreement_id: Option<String>,
    /// The version the channel's visitors are shown from now on.
    pub current_version: Option<VersionSummary>,
}

/// A field that is present (maybe `null`), as opposed to absent (`#[serde(default)]`
/// gives `None` then).
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A nullable field that must be present (no `default`, so absence is an error).
fn nullable<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_ids_are_their_str() {
        for id in TemplateId::ALL {
            let json = serde_json::to_string(&id).expect("serialise");
            assert_eq!(json, format!("\"{}\"", id.as_str()));
            let back: TemplateId = serde_json::from_str(&json).expect("parse");
            assert_eq!(back, id);
        }
    }

    #[test]
    fn patch_tells_null_from_absent() {
        let absent: UpdateAgreement = serde_json::from_str("{}").expect("parse");
        assert_eq!(absent.redirect_url, None);
        let null: UpdateAgreement =
            serde_json::from_str(r#"{"redirect_url":null}"#).expect("parse");
        assert_eq!(null.redirect_url, Some(None));
        let set: UpdateAgreement =
            serde_json::from_str(r#"{"redirect_url":"https://a.example/"}"#).expect("parse");
        assert_eq!(set.redirect_url, Some(Some("https://a.example/".into())));
        assert!(serde_json::from_str::<UpdateAgreement>(r#"{"kind":"marketing"}"#).is_err());
    }

    #[test]
    fn channel_agreement_field_must_be_present() {
        assert!(serde_json::from_str::<SetChannelAgreement>("{}").is_err());
        let off: SetChannelAgreement =
            serde_json::from_str(r#"{"agreement_id":null}"#).expect("parse");
        assert_eq!(off.agreement_id, None);
    }

    #[test]
    fn an_agreement_list_reads_as_choices() {
        let list = AgreementList {
            agreements: vec![AgreementSummary {
                id: "agr_1".into(),
                name: "Personal data".into(),
                kind: AgreementKind::PersonalData,
                behaviour: Behaviour::RequiredReadFullText,
                data_source: DataSource::Company,
                template: Some(TemplateId::EuGdpr),
                redirect_url: None,
                current_version: VersionSummary {
                    id: "ver_1".into(),
                    version: 1,
                    sha256: "00".into(),
                    created_at: "2031-01-01T00:00:00Z".into(),
                },
                channels: vec!["demo".into()],
                created_at: "2031-01-01T00:00:00Z".into(),
                updated_at: None,
            }],
        };
        let json = serde_json::to_string(&list).expect("serialise");
        let choices: AgreementChoices = serde_json::from_str(&json).expect("parse");
        assert_eq!(
            choices.agreements,
            [AgreementChoice {
                id: "agr_1".into(),
                name: "Personal data".into(),
                kind: AgreementKind::PersonalData,
            }]
        );
    }

    #[test]
    fn unknown_kinds_and_behaviours_are_refused() {
        let bad_kind = r#"{"name":"n","kind":"newsletter","text":"t","label":"l"}"#;
        assert!(serde_json::from_str::<CreateAgreement>(bad_kind).is_err());
        let bad_behaviour = r#"{"name":"n","kind":"other","behaviour":"maybe"}"#;
        assert!(serde_json::from_str::<CreateAgreement>(bad_behaviour).is_err());
    }
}

/// `PUT /api/v1/admin/channels/{key}/origins`: the sites the channel's widget may be
/// embedded in, as origins (`https://shop.example`, `http://localhost:3000`).
/// `null`: any site. The frame is served with `frame-ancestors` set to this list,
/// and consents given on pages of other origins are refused.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ChannelOrigins {
    pub allowed_origins: Option<Vec<String>>,
}

/// `PUT /api/v1/admin/channels/{key}/identity`: how `setUser` identities are
/// checked.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SetIdentity {
    /// Refuse identities without a valid hash.
    pub enforced: bool,
    /// How old a hash may be, in seconds (60 to 604,800); default one hour.
    #[serde(default = "default_identity_window")]
    pub window_secs: u64,
}

fn default_identity_window() -> u64 {
    3600
}

/// A channel's identity settings.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct IdentityView {
    pub enforced: bool,
    pub window_secs: u64,
    /// A secret exists (it is shown only when made).
    pub has_secret: bool,
}

/// `POST /api/v1/admin/channels/{key}/identity/secret`: a new secret (the old one
/// stops working), shown this once.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct IdentitySecret {
    pub secret: String,
}
