//! The CRM on the wire: a channel's CRM settings (with its routing settings),
//! contacts, leads and deals, the customer card the console shows beside a
//! conversation, and the edits the admin API takes.

use serde::{Deserialize, Deserializer, Serialize};

/// What a channel makes of a new customer.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum CrmMode {
    /// A deal (the simple mode's default).
    #[default]
    Deal,
    /// A lead (the classic mode).
    Lead,
    /// Only the contact.
    None,
}

/// `GET`/`PUT /api/v1/admin/channels/{key}/crm`: a channel's CRM switches (the
/// CRM part of what the big contact centres keep with the queue settings).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CrmSettings {
    /// Check the customer in the CRM: contact data from the form, `setUser` or a
    /// messenger profile find (or make) the customer's contact.
    #[serde(default = "yes")]
    pub check_customer: bool,
    /// The chat tracker: phones and e-mails typed inside messages identify the
    /// customer too, and every chat of a customer is kept on one contact.
    #[serde(default = "yes")]
    pub tracker: bool,
    /// What a new customer gets: a deal, a lead, or only the contact.
    #[serde(default)]
    pub mode: CrmMode,
    /// Create the lead or deal automatically (`true`) or only when an agent saves
    /// the chat to the CRM.
    #[serde(default = "yes")]
    pub create_automatically: bool,
    /// A transfer to another agent makes them the responsible of what this chat
    /// created (never of records that existed before the chat).
    #[serde(default)]
    pub change_responsible_on_transfer: bool,
    /// The region for phone numbers typed without their country code (ISO 3166
    /// alpha-2, e.g. `ES`); none: only international numbers are read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_region: Option<String>,
    /// What is written to the chat's lead or deal when the dialog closes: each
    /// entry names a record field and where its value comes from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub field_map: Vec<FieldMap>,
}

/// Where a mapped record field's value comes from.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MapSource {
    UtmSource,
    UtmMedium,
    UtmCampaign,
    UtmContent,
    UtmTerm,
    /// The whole UTM string (`utm_source=...&utm_medium=...`) in one text field.
    Utm,
    /// The customer's id in Canal (the visitor).
    ClientId,
    /// The id of the customer's first message (`conversation:seq`).
    MessageId,
    /// When the customer opened the chat (RFC 3339).
    ClickTime,
    /// A fixed value (`value`).
    Custom,
}

/// One mapped field.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FieldMap {
    pub source: MapSource,
    /// The record field: 1 to 64 of `A`-`Z`, `a`-`z`, `0`-`9`, `_`.
    pub field: String,
    /// For `custom`: the value written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

fn yes() -> bool {
    true
}

impl Default for CrmSettings {
    fn default() -> Self {
        CrmSettings {
            check_customer: true,
            tracker: true,
            mode: CrmMode::Deal,
            create_automatically: true,
            change_responsible_on_transfer: false,
            default_region: None,
            field_map: Vec::new(),
        }
    }
}

/// A CRM contact.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ContactView {
    pub id: String,
    pub name: Option<String>,
    /// E.164.
    pub phones: Vec<String>,
    /// Lower-cased.
    pub emails: Vec<String>,
    /// The first phone the contact ever had: the permanent tracker link.
    pub first_phone: Option<String>,
    pub responsible_agent_id: Option<u64>,
    pub responsible_name: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A lead or a deal.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RecordView {
    pub id: String,
    /// `lead` or `deal`.
    pub kind: String,
    pub contact_id: String,
    /// The channel's key (the record's source channel).
    pub channel: String,
    /// The channel's type: `livechat`, `messenger`.
    pub source: String,
    pub status: String,
    pub title: String,
    /// Mapped fields (UTM, client id, custom fields).
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// The chat it was made from.
    pub conversation_id: Option<String>,
    pub responsible_agent_id: Option<u64>,
    pub created_at: String,
    /// The transcript of each conversation that touched the record (the one it
    /// was made from, and later chats of its contact while it is open), oldest
    /// first, as written when that conversation's dialog last closed. In `GET
    /// .../crm/records/{id}` and the contact's card; the lists leave it empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcripts: Vec<RecordTranscript>,
}

/// One conversation's transcript on a lead or deal: what the customer and the
/// agents wrote (never private notes nor Canal's own lines), each message as
/// the conversation's history shows it (`author_name`: the agent's name).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RecordTranscript {
    pub conversation_id: String,
    /// When the dialog closed and this was written (RFC 3339); a later close
    /// rewrites it whole.
    pub written_at: String,
    pub lines: Vec<crate::MessageView>,
}

/// A conversation of the customer, on any channel.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ContactConversationView {
    pub conversation_id: String,
    pub channel: String,
    pub channel_name: String,
    pub status: String,
    pub created_at: String,
    pub messages: u64,
    /// `livechat` or `messenger`.
    pub source: String,
}

/// A consent record of the customer (read from the ledger, never changed).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ConsentLinkView {
    pub consent_id: String,
    pub seq: u64,
    /// `grant` or `withdraw`.
    pub action: String,
    pub agreement_id: String,
    pub agreement_version: u64,
    pub channel: String,
    pub source: String,
    pub conversation_id: Option<String>,
    pub created_at: String,
}

/// A contact with everything the CRM knows about it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ContactCard {
    pub contact: ContactView,
    pub records: Vec<RecordView>,
    pub conversations: Vec<ContactConversationView>,
    pub consents: Vec<ConsentLinkView>,
}

/// `GET /api/v1/agent/conversations/{id}/crm`: the customer card beside a
/// conversation; `card` is none while the CRM does not know the customer.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ConversationCrm {
    pub card: Option<CustomerCard>,
}

/// The customer card as the console shows it: what an agent reads beside the
/// chat, the lists as lines (the admin API's [`ContactCard`] has every field).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct CustomerCard {
    pub name: Option<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub responsible_name: Option<String>,
    pub records: Vec<CardRecord>,
    pub conversations: Vec<CardConversation>,
    pub consents: Vec<CardConsent>,
}

/// A conversation of the customer on the card, on any channel.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct CardConversation {
    pub channel_name: String,
    /// `livechat` or `messenger`.
    pub source: String,
    pub created_at: String,
    pub messages: u64,
}

/// A lead or deal on the card.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct CardRecord {
    /// `lead` or `deal`.
    pub kind: String,
    pub title: String,
    pub status: String,
    pub source: String,
    /// Each conversation's transcript on the record, as lines (see
    /// [`RecordView::transcripts`]), oldest conversation first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcripts: Vec<Vec<crate::MessageView>>,
}

/// A consent record on the card.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct CardConsent {
    pub seq: u64,
    /// `grant` or `withdraw`.
    pub action: String,
    pub agreement_version: u64,
    pub source: String,
    pub created_at: String,
}

impl From<ContactCard> for CustomerCard {
    fn from(c: ContactCard) -> Self {
        CustomerCard {
            name: c.contact.name,
            phones: c.contact.phones,
            emails: c.contact.emails,
            responsible_name: c.contact.responsible_name,
            records: c
                .records
                .into_iter()
                .map(|r| CardRecord {
                    kind: r.kind,
                    title: r.title,
                    status: r.status,
                    source: r.source,
                    transcripts: r.transcripts.into_iter().map(|t| t.lines).collect(),
                })
                .collect(),
            conversations: c
                .conversations
                .into_iter()
                .map(|v| CardConversation {
                    channel_name: v.channel_name,
                    source: v.source,
                    created_at: v.created_at,
                    messages: v.messages,
                })
                .collect(),
            consents: c
                .consents
                .into_iter()
                .map(|k| CardConsent {
                    seq: k.seq,
                    action: k.action,
                    agreement_version: k.agreement_version,
                    source: k.source,
                    created_at: k.created_at,
                })
                .collect(),
        }
    }
}

/// `GET /api/v1/admin/crm/contacts`: a page of contacts.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ContactList {
    pub contacts: Vec<ContactView>,
}

/// `GET /api/v1/admin/crm/records`: a page of leads and deals.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RecordList {
    pub records: Vec<RecordView>,
}

/// `PATCH /api/v1/admin/crm/contacts/{id}`: what is sent is replaced; what is
/// left out stays. `responsible_agent_id: null` takes the responsible off.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct ContactEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phones: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emails: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "some_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub responsible_agent_id: Option<Option<u64>>,
}

/// `POST /api/v1/admin/crm/contacts/{id}/merge`: the contact `from` (another
/// record of the same person) is merged into `{id}`; the answer is `{id}`'s card.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MergeContact {
    pub from: String,
}

/// `PATCH /api/v1/admin/crm/records/{id}`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct RecordEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `open`, `won`, `lost`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Replaces the record's fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A field present as `null` is `Some(None)`; absent stays `None` (`default`).
fn some_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<u64>>, D::Error> {
    Option::<u64>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_tells_null_from_absent() {
        let absent: ContactEdit = serde_json::from_str("{}").expect("parse");
        assert_eq!(absent.responsible_agent_id, None);
        let null: ContactEdit =
            serde_json::from_str(r#"{"responsible_agent_id":null}"#).expect("parse");
        assert_eq!(null.responsible_agent_id, Some(None));
        let set: ContactEdit =
            serde_json::from_str(r#"{"responsible_agent_id":3}"#).expect("parse");
        assert_eq!(set.responsible_agent_id, Some(Some(3)));
        assert!(serde_json::from_str::<ContactEdit>(r#"{"nope":1}"#).is_err());
    }

    #[test]
    fn settings_default_to_the_tracker_on_and_deals() {
        let s: CrmSettings = serde_json::from_str("{}").expect("parse");
        assert_eq!(s, CrmSettings::default());
        assert!(s.check_customer && s.tracker && s.create_automatically);
        assert_eq!(s.mode, CrmMode::Deal);
    }
}
