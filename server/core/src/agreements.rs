//! Agreements, their immutable versions and the company details: domain types, the
//! checks on what the admin sends (including HTML sanitising), and the queries.
//!
//! An agreement's settings (name, behaviour, redirect, data source) change in
//! place; what a visitor is shown (title, text, its format, the label) only ever
//! changes by appending a version, whose SHA-256 is of the stored text. Versions
//! with `data_source = company` are filled from a [`Template`] and the [`Company`]
//! details, and filled again whenever those change.
//!
//! The queries are the store's (`canal_store::agreements`).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use canal_protocol::admin::limits;
use canal_protocol::ErrorCode;
use sha2::{Digest, Sha256};

use crate::error::{Refusal, Rejected};
use crate::hex;
use crate::str_enum;
use crate::templates::Template;

str_enum! {
    /// What an agreement is consent to.
    pub enum Kind {
        PersonalData = "personal_data",
        Marketing = "marketing",
        Other = "other",
    }
}

str_enum! {
    /// How the checkbox behaves.
    pub enum Behaviour {
        RequiredAutoAccepted = "required_auto_accepted",
        RequiredReadFullText = "required_read_full_text",
        OptionalAutoAccepted = "optional_auto_accepted",
        OptionalUnchecked = "optional_unchecked",
    }
}

str_enum! {
    /// How a version's text is written.
    pub enum TextFormat {
        Plain = "plain",
        Html = "html",
    }
}

str_enum! {
    /// Where the text comes from.
    pub enum DataSource {
        /// A template filled from the company details, refilled when they change.
        Company = "company",
        /// Written by hand.
        Manual = "manual",
    }
}

/// An agreement's settings, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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

pub fn invalid(message: impl Into<String>) -> Rejected {
    Rejected::invalid(ErrorCode::InvalidField, message)
}

pub fn missing_details(template: Template, missing: &[&str]) -> Rejected {
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
fn line(field: &str, raw: &str, max: usize) -> Result<String, Rejected> {
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
pub fn name(raw: &str) -> Result<String, Rejected> {
    line("name", raw, limits::MAX_NAME_CHARS)
}

/// The heading shown above the text.
pub fn title(raw: &str) -> Result<String, Rejected> {
    line("title", raw, limits::MAX_TITLE_CHARS)
}

/// The checkbox label (plain text, never HTML).
pub fn label(raw: &str) -> Result<String, Rejected> {
    line("label", raw, limits::MAX_LABEL_CHARS)
}

fn too_large() -> Rejected {
    Rejected::new(
        Refusal::TooLarge,
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
pub fn text(format: TextFormat, raw: &str) -> Result<String, Rejected> {
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
pub fn redirect_url(raw: &str) -> Result<String, Rejected> {
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
pub fn company(raw: Company) -> Result<Company, Rejected> {
    let max = limits::MAX_COMPANY_FIELD_CHARS;
    let optional_line = |field: &str, value: &str| -> Result<String, Rejected> {
        if value.trim().is_empty() {
            Ok(String::new())
        } else {
            line(field, value, max)
        }
    };
    let list = |field: &str, items: Vec<String>| -> Result<Vec<String>, Rejected> {
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

// ---- Wire <-> domain -----------------------------------------------------------

impl From<canal_protocol::admin::AgreementKind> for Kind {
    fn from(kind: canal_protocol::admin::AgreementKind) -> Self {
        match kind {
            canal_protocol::admin::AgreementKind::PersonalData => Self::PersonalData,
            canal_protocol::admin::AgreementKind::Marketing => Self::Marketing,
            canal_protocol::admin::AgreementKind::Other => Self::Other,
        }
    }
}

impl From<Kind> for canal_protocol::admin::AgreementKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::PersonalData => Self::PersonalData,
            Kind::Marketing => Self::Marketing,
            Kind::Other => Self::Other,
        }
    }
}

impl From<canal_protocol::admin::Behaviour> for Behaviour {
    fn from(behaviour: canal_protocol::admin::Behaviour) -> Self {
        match behaviour {
            canal_protocol::admin::Behaviour::RequiredAutoAccepted => Self::RequiredAutoAccepted,
            canal_protocol::admin::Behaviour::RequiredReadFullText => Self::RequiredReadFullText,
            canal_protocol::admin::Behaviour::OptionalAutoAccepted => Self::OptionalAutoAccepted,
            canal_protocol::admin::Behaviour::OptionalUnchecked => Self::OptionalUnchecked,
        }
    }
}

impl From<Behaviour> for canal_protocol::admin::Behaviour {
    fn from(behaviour: Behaviour) -> Self {
        match behaviour {
            Behaviour::RequiredAutoAccepted => Self::RequiredAutoAccepted,
            Behaviour::RequiredReadFullText => Self::RequiredReadFullText,
            Behaviour::OptionalAutoAccepted => Self::OptionalAutoAccepted,
            Behaviour::OptionalUnchecked => Self::OptionalUnchecked,
        }
    }
}

impl From<canal_protocol::admin::TextFormat> for TextFormat {
    fn from(format: canal_protocol::admin::TextFormat) -> Self {
        match format {
            canal_protocol::admin::TextFormat::Plain => Self::Plain,
            canal_protocol::admin::TextFormat::Html => Self::Html,
        }
    }
}

impl From<TextFormat> for canal_protocol::admin::TextFormat {
    fn from(format: TextFormat) -> Self {
        match format {
            TextFormat::Plain => Self::Plain,
            TextFormat::Html => Self::Html,
        }
    }
}

impl From<canal_protocol::admin::DataSource> for DataSource {
    fn from(source: canal_protocol::admin::DataSource) -> Self {
        match source {
            canal_protocol::admin::DataSource::Company => Self::Company,
            canal_protocol::admin::DataSource::Manual => Self::Manual,
        }
    }
}

impl From<DataSource> for canal_protocol::admin::DataSource {
    fn from(source: DataSource) -> Self {
        match source {
            DataSource::Company => Self::Company,
            DataSource::Manual => Self::Manual,
        }
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
    fn refused<T: std::fmt::Debug>(result: Result<T, Rejected>, code: ErrorCode, field: &str) {
        match result {
            Ok(value) => panic!("accepted, expected {code:?} on {field}: {value:?}"),
            Err(e) => {
                let (got, message) = (e.code, e.message);
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
