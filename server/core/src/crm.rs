//! The CRM's pure part and the chat tracker's matching: phone numbers normalised
//! to E.164 (the `phonenumber` crate, libphonenumber's numbering plans), e-mail
//! addresses lower-cased, the contact details a customer typed inside a message
//! found, and a contact's details merged with new ones.
//!
//! A merge adds phones and e-mails to the sets a contact has and never takes one
//! away: merging the same details twice changes nothing, and merging several in
//! any order gives the same sets. The first phone a contact ever had is kept apart
//! (`first_phone`): set once, never changed, not even when the phone is taken off
//! the contact, so the tracker still finds the customer by it.

use std::collections::BTreeSet;

use canal_protocol::crm::{FieldMap, MapSource};
use canal_protocol::{ErrorCode, Utm};
use serde::{Deserialize, Serialize};

use crate::Rejected;

/// Longest phone or e-mail the CRM keeps, in characters.
pub const MAX_VALUE_CHARS: usize = 254;
/// Most phones (and, apart, e-mails) one contact keeps.
pub const MAX_VALUES: usize = 20;
/// Longest contact name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A default region for numbers typed without their country code: an ISO 3166
/// alpha-2 code the numbering plans know (`ES`, `RU`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(phonenumber::country::Id);

impl Region {
    /// The region of a code, upper- or lower-case; `None` for one the numbering
    /// plans do not know.
    pub fn parse(code: &str) -> Option<Region> {
        let code = code.trim().to_ascii_uppercase();
        if code.len() != 2 {
            return None;
        }
        code.parse().ok().map(Region)
    }

    /// The region's code (`ES`).
    pub fn code(&self) -> &str {
        self.0.as_ref()
    }
}

/// How many compiled patterns of the numbering plans are kept unless a server's
/// `--phone-patterns` says otherwise. `phonenumber` compiles a plan's patterns
/// when a number first needs them and keeps the last 100 used. Reading a 7-digit
/// run as an international number tries many countries' patterns: with 100
/// kept, messages holding such runs (order numbers, ids) compiled patterns again
/// all the time, about 100 µs of CPU per message (the tracker reads every
/// visitor's message), and 180 to 600 µs for 8- to 10-digit runs. With 1,000 kept, 3 to 35 µs. The price is memory: a compiled
/// pattern holds tens to a hundred and more KB, and a process that has scanned
/// runs of every length kept about 175 MB against 35 MB with 100 (stop 37,
/// `examples/phone_probe.rs`). A channel's default region avoids both: a
/// number without `+` is then read in that region only (1 to 3 µs, 11 MB).
pub const PHONE_PATTERNS_KEPT: usize = 1_000;

/// Loads the phone numbering plans (the `phonenumber` crate's metadata, built on
/// first use): 70 to 100 ms of one core, which the first message holding a
/// phone-like number after a start would otherwise wait for, with every task on
/// the same thread. A server calls it once while starting (off the runtime's
/// threads). It also gives the plans' cache of compiled patterns room for
/// `kept` of them (a server's `--phone-patterns`, default
/// [`PHONE_PATTERNS_KEPT`]); patterns are still compiled when first used.
pub fn load_phone_plans(kept: usize) {
    let cache = phonenumber::metadata::DATABASE.cache();
    // A lock poisoned by a panic elsewhere: the plans keep their own cache.
    if let Ok(mut cache) = cache.lock() {
        *cache = regex_cache::RegexCache::new(kept.max(1));
    };
}

/// A phone number as typed (`+34 600 12 34 56`, `8 (912) 345-67-89`) in E.164,
/// or `None` when it is not a valid number. A number without `+` is read in the
/// default region when there is one, else as international without its `+`.
pub fn normalise_phone(raw: &str, region: Option<Region>) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 32 {
        return None;
    }
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    if !(6..=15).contains(&digits) {
        return None;
    }
    let parsed = if trimmed.starts_with('+') {
        phonenumber::parse(None, trimmed).ok()
    } else if let Some(Region(id)) = region {
        phonenumber::parse(Some(id), trimmed).ok()
    } else {
        phonenumber::parse(None, format!("+{trimmed}")).ok()
    }?;
    phonenumber::is_valid(&parsed)
        .then(|| parsed.format().mode(phonenumber::Mode::E164).to_string())
}

/// An e-mail address lower-cased, or `None` when it is not one.
pub fn normalise_email(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_VALUE_CHARS {
        return None;
    }
    let lower = trimmed.to_lowercase();
    // A dot in the domain: `a@b` is valid to the RFC, never a customer's address.
    let domain_ok = lower
        .rsplit_once('@')
        .is_some_and(|(_, d)| d.contains('.') && !d.starts_with('.') && !d.ends_with('.'));
    (domain_ok && email_address::EmailAddress::is_valid(&lower)).then_some(lower)
}

/// Contact details, normalised: what a form, `setUser`, a messenger profile or a
/// message said about the customer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Details {
    pub name: Option<String>,
    pub phones: BTreeSet<String>,
    pub emails: BTreeSet<String>,
}

impl Details {
    /// No phone and no e-mail: nothing to find the customer by, nor to reach them.
    pub fn is_empty(&self) -> bool {
        self.phones.is_empty() && self.emails.is_empty()
    }

    /// Details given as fields (a form, `setUser`, a messenger profile): values
    /// that do not normalise are left out; a blank name is none.
    pub fn given(
        name: Option<&str>,
        phone: Option<&str>,
        email: Option<&str>,
        region: Option<Region>,
    ) -> Details {
        Details {
            name: name
                .map(str::trim)
                .filter(|n| !n.is_empty() && !n.chars().any(char::is_control))
                .map(|n| n.chars().take(MAX_NAME_CHARS).collect()),
            phones: phone
                .and_then(|p| normalise_phone(p, region))
                .into_iter()
                .collect(),
            emails: email.and_then(normalise_email).into_iter().collect(),
        }
    }
}

/// The phones and e-mails typed inside a message. Conservative: a phone is a run
/// of digits with the separators people type (spaces, `-`, `.`, brackets) and an
/// optional leading `+`, with 7 to 15 digits, that the numbering plans accept; an
/// e-mail is a word with an `@` that `email_address` accepts (trailing
/// punctuation taken off).
pub fn find_in_text(text: &str, region: Option<Region>) -> Details {
    let mut details = Details::default();
    for word in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>')) {
        if word.contains('@') {
            let word = word.trim_matches(|c: char| !c.is_alphanumeric());
            if let Some(email) = normalise_email(word) {
                details.emails.insert(email);
            }
        }
    }
    for candidate in phone_candidates(text) {
        if let Some(phone) = normalise_phone(&candidate, region) {
            details.phones.insert(phone);
        }
    }
    details
}

/// Runs of phone-looking characters: starting at `+` or a digit, going on through
/// digits and single separators.
fn phone_candidates(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts = (c == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
            || (c.is_ascii_digit() && (i == 0 || !chars[i - 1].is_alphanumeric()))
            || (c == '(' && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        if !starts {
            i += 1;
            continue;
        }
        let mut run = String::from(c);
        let mut j = i + 1;
        let mut separators = 0;
        while j < chars.len() {
            let d = chars[j];
            if d.is_ascii_digit() {
                separators = 0;
            } else if matches!(d, ' ' | '-' | '.' | '(' | ')') && separators < 2 {
                separators += 1;
            } else {
                break;
            }
            run.push(d);
            j += 1;
        }
        // Separators at the end belong to the sentence, not the number.
        while run.ends_with([' ', '-', '.', '(', ')']) {
            run.pop();
            j -= 1;
        }
        // A run glued to letters (`abc123456789x`) is no phone.
        let glued = chars
            .get(j)
            .is_some_and(|n| n.is_alphanumeric() || *n == '@');
        let digits = run.chars().filter(char::is_ascii_digit).count();
        if !glued && (7..=15).contains(&digits) {
            out.push(run);
        }
        i = j.max(i + 1);
    }
    out
}

/// What the CRM keeps of a contact's details (the rest of the contact, its id,
/// responsible agent and records, is the store's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactDetails {
    pub name: Option<String>,
    pub phones: BTreeSet<String>,
    pub emails: BTreeSet<String>,
    /// The first phone the contact ever had: the permanent tracker link.
    pub first_phone: Option<String>,
}

/// What a merge added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Added {
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub name: bool,
}

impl Added {
    pub fn is_empty(&self) -> bool {
        self.phones.is_empty() && self.emails.is_empty() && !self.name
    }
}

/// Merges new details into a contact: phones and e-mails added (never removed,
/// at most [`MAX_VALUES`] each), a name only where the contact had none, the
/// first phone set once. Idempotent; the sets do not depend on the order of
/// merges.
pub fn merge(contact: &ContactDetails, details: &Details) -> (ContactDetails, Added) {
    let mut merged = contact.clone();
    let mut added = Added::default();
    for phone in &details.phones {
        if merged.phones.len() < MAX_VALUES && merged.phones.insert(phone.clone()) {
            added.phones.push(phone.clone());
        }
    }
    for email in &details.emails {
        if merged.emails.len() < MAX_VALUES && merged.emails.insert(email.clone()) {
            added.emails.push(email.clone());
        }
    }
    if merged.name.is_none() {
        if let Some(name) = &details.name {
            merged.name = Some(name.clone());
            added.name = true;
        }
    }
    if merged.first_phone.is_none() {
        merged.first_phone = merged.phones.iter().next().cloned();
    }
    (merged, added)
}

/// An edit of a contact by an agent: the name, phones and e-mails replaced. Every
/// value is checked (a phone must normalise, an e-mail must be one); the first
/// phone stays whatever the new phones are.
pub fn edit(
    contact: &ContactDetails,
    name: Option<&str>,
    phones: Option<&[String]>,
    emails: Option<&[String]>,
    region: Option<Region>,
) -> Result<ContactDetails, Rejected> {
    let invalid = |m: String| Rejected::invalid(ErrorCode::InvalidField, m);
    let mut edited = contact.clone();
    if let Some(name) = name {
        let name = name.trim();
        if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(invalid(format!(
                "name must be at most {MAX_NAME_CHARS} printable characters"
            )));
        }
        edited.name = (!name.is_empty()).then(|| name.to_owned());
    }
    if let Some(phones) = phones {
        if phones.len() > MAX_VALUES {
            return Err(invalid(format!("at most {MAX_VALUES} phones")));
        }
        edited.phones = phones
            .iter()
            .map(|p| {
                normalise_phone(p, region)
                    .ok_or_else(|| invalid(format!("{p:?} is not a phone number")))
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(emails) = emails {
        if emails.len() > MAX_VALUES {
            return Err(invalid(format!("at most {MAX_VALUES} e-mails")));
        }
        edited.emails = emails
            .iter()
            .map(|e| {
                normalise_email(e).ok_or_else(|| invalid(format!("{e:?} is not an e-mail address")))
            })
            .collect::<Result<_, _>>()?;
    }
    if edited.first_phone.is_none() {
        edited.first_phone = edited.phones.iter().next().cloned();
    }
    Ok(edited)
}

crate::str_enum! {
    /// What a channel makes of a new customer: a deal (the simple mode's default),
    /// a lead (the classic mode), or nothing but the contact.
    pub enum RecordMode {
        Deal = "deal",
        Lead = "lead",
        None = "none",
    }
}

crate::str_enum! {
    /// A CRM record's kind.
    pub enum RecordKind {
        Lead = "lead",
        Deal = "deal",
    }
}

impl RecordMode {
    /// The kind of record this mode creates, if any.
    pub fn kind(self) -> Option<RecordKind> {
        match self {
            RecordMode::Deal => Some(RecordKind::Deal),
            RecordMode::Lead => Some(RecordKind::Lead),
            RecordMode::None => None,
        }
    }
}

/// What the tracker does with a conversation's details, given whether the CRM
/// knows the customer already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Attach the conversation to this known contact and merge the details.
    Attach,
    /// A new customer who can be reached again: a new contact (and record, per
    /// the channel's mode).
    Create,
    /// Nobody to find and nobody to reach again (a website visitor who left no
    /// contact data): nothing.
    Nothing,
}

/// The tracker's rule: a known customer is attached; an unknown one is created
/// when they can be reached again (a messenger chat, where one can answer, or
/// contact data left); otherwise nothing.
pub fn decide(known: bool, details: &Details, reachable_by_channel: bool) -> Decision {
    if known {
        Decision::Attach
    } else if reachable_by_channel || !details.is_empty() {
        Decision::Create
    } else {
        Decision::Nothing
    }
}

/// Most mapped fields per channel.
pub const MAX_MAPPED: usize = 50;
/// Longest fixed value of a custom mapped field, in characters.
pub const MAX_CUSTOM_CHARS: usize = 1000;

/// Checks a channel's field mapping: field names of 1 to 64 of `A`-`Z`, `a`-`z`,
/// `0`-`9`, `_`, each mapped once; a value for `custom` (and only for it).
pub fn check_field_map(map: &[FieldMap]) -> Result<(), Rejected> {
    let invalid = |m: String| Rejected::invalid(ErrorCode::InvalidField, m);
    if map.len() > MAX_MAPPED {
        return Err(invalid(format!(
            "crm.field_map holds at most {MAX_MAPPED} fields"
        )));
    }
    let mut seen = BTreeSet::new();
    for m in map {
        let ok = (1..=64).contains(&m.field.len())
            && m.field
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            return Err(invalid(format!(
                "crm.field_map: {:?} must be 1 to 64 of A-Z, a-z, 0-9, _",
                m.field
            )));
        }
        if !seen.insert(m.field.as_str()) {
            return Err(invalid(format!("crm.field_map maps {:?} twice", m.field)));
        }
        match (m.source, &m.value) {
            (MapSource::Custom, Some(v))
                if v.chars().count() <= MAX_CUSTOM_CHARS && !v.chars().any(char::is_control) => {}
            (MapSource::Custom, _) => {
                return Err(invalid(format!(
                    "crm.field_map: the custom field {:?} needs a value of at most {MAX_CUSTOM_CHARS} printable characters",
                    m.field
                )))
            }
            (_, Some(_)) => {
                return Err(invalid(format!(
                    "crm.field_map: only a custom field takes a value ({:?})",
                    m.field
                )))
            }
            (_, None) => {}
        }
    }
    Ok(())
}

/// What a closed dialog tells the field mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloseFacts {
    pub utm: Utm,
    pub client_id: String,
    pub message_id: Option<String>,
    pub click_time: String,
}

/// The whole UTM string, `utm_source=...&utm_medium=...` in that order, values
/// percent-encoded; empty with no UTM.
pub fn utm_string(utm: &Utm) -> String {
    [
        ("utm_source", &utm.source),
        ("utm_medium", &utm.medium),
        ("utm_campaign", &utm.campaign),
        ("utm_content", &utm.content),
        ("utm_term", &utm.term),
    ]
    .into_iter()
    .filter_map(|(k, v)| {
        v.as_ref().map(|v| {
            format!(
                "{k}={}",
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
    })
    .collect::<Vec<_>>()
    .join("&")
}

/// The record fields a closed dialog writes, per the channel's mapping: each
/// mapped field with a value (a UTM part the page had none of is left out).
pub fn mapped_fields(map: &[FieldMap], facts: &CloseFacts) -> Vec<(String, String)> {
    map.iter()
        .filter_map(|m| {
            let value = match m.source {
                MapSource::UtmSource => facts.utm.source.clone(),
                MapSource::UtmMedium => facts.utm.medium.clone(),
                MapSource::UtmCampaign => facts.utm.campaign.clone(),
                MapSource::UtmContent => facts.utm.content.clone(),
                MapSource::UtmTerm => facts.utm.term.clone(),
                MapSource::Utm => Some(utm_string(&facts.utm)).filter(|s| !s.is_empty()),
                MapSource::ClientId => Some(facts.client_id.clone()),
                MapSource::MessageId => facts.message_id.clone(),
                MapSource::ClickTime => Some(facts.click_time.clone()),
                MapSource::Custom => m.value.clone(),
            }?;
            Some((m.field.clone(), value))
        })
        .collect()
}

/// The name of a new contact who gave none: "Website visitor", or for a
/// messenger chat "Messenger customer", in the channel's language (data, kept
/// as written: a contact made on a Spanish channel is named in Spanish).
pub fn fallback_name(language: crate::mail::Language, messenger: bool) -> &'static str {
    use crate::mail::Language::{En, Es, Ru};
    match (language, messenger) {
        (En, false) => "Website visitor",
        (En, true) => "Messenger customer",
        (Es, false) => "Visitante del sitio web",
        (Es, true) => "Cliente de mensajería",
        (Ru, false) => "Посетитель сайта",
        (Ru, true) => "Клиент из мессенджера",
    }
}

#[cfg(test)]
mod tests;
