//! The consent ledger's records: what a record holds, its hash chained to the one
//! before, and the check of a chain. Pure: the store writes and reads them
//! (`canal_store::ledger`, one writer with group commit).

use sha2::{Digest, Sha256};

use crate::hex;

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Grant or withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Grant,
    Withdraw,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Grant => "grant",
            Self::Withdraw => "withdraw",
        }
    }
}

/// Where a consent came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Livechat,
    Form,
    Messenger,
    Api,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Livechat => "livechat",
            Self::Form => "form",
            Self::Messenger => "messenger",
            Self::Api => "api",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Livechat, Self::Form, Self::Messenger, Self::Api]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// Whose consent a new record is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visitor {
    /// A visitor seen for the first time: the writer creates it with the record.
    New,
    Existing(String),
}

/// A record to append, already validated.
#[derive(Debug, Clone)]
pub struct Entry {
    pub action: Action,
    pub agreement_version_id: String,
    pub channel_id: String,
    pub visitor: Visitor,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub page_url: Option<String>,
    pub source: Source,
    pub conversation_id: Option<String>,
    pub crm_entity: Option<String>,
    pub request_id: Option<String>,
}

/// A record as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub seq: i64,
    pub id: String,
    pub action: String,
    pub agreement_version_id: String,
    pub channel_id: String,
    pub visitor_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub page_url: Option<String>,
    pub source: String,
    pub conversation_id: Option<String>,
    pub crm_entity: Option<String>,
    pub request_id: Option<String>,
    pub created_at: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Record {
    /// The hash this record must carry: SHA-256 over a version tag, `prev_hash` and
    /// every field, each length-prefixed (NULL distinct from empty).
    pub fn expected_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"canal-consent-v1");
        let fields: [Option<&str>; 15] = [
            Some(&self.prev_hash),
            Some(&self.seq.to_string()),
            Some(&self.id),
            Some(&self.action),
            Some(&self.agreement_version_id),
            Some(&self.channel_id),
            self.visitor_id.as_deref(),
            self.ip.as_deref(),
            self.user_agent.as_deref(),
            self.page_url.as_deref(),
            Some(&self.source),
            self.conversation_id.as_deref(),
            self.crm_entity.as_deref(),
            self.request_id.as_deref(),
            Some(&self.created_at),
        ];
        for field in fields {
            match field {
                None => h.update([0u8]),
                Some(value) => {
                    h.update([1u8]);
                    h.update((value.len() as u64).to_be_bytes());
                    h.update(value.as_bytes());
                }
            }
        }
        hex(&h.finalize())
    }
}

/// What an append did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    Recorded(Record),
    /// The request id was seen with the same content: the earlier record.
    Replayed(Record),
    /// The request id was seen with other content: nothing recorded.
    Conflict,
}

/// What appending `entry` means when a record with its request id exists: the
/// earlier record again when they say the same, else a conflict.
pub fn replay(earlier: Record, entry: &Entry) -> Appended {
    let same = earlier.action == entry.action.as_str()
        && earlier.agreement_version_id == entry.agreement_version_id
        && earlier.page_url == entry.page_url
        && earlier.conversation_id == entry.conversation_id
        && earlier.crm_entity == entry.crm_entity
        && match &entry.visitor {
            Visitor::New => true,
            Visitor::Existing(id) => earlier.visitor_id.as_ref() == Some(id),
        };
    if same {
        Appended::Replayed(earlier)
    } else {
        Appended::Conflict
    }
}

/// The first record where the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub seq: i64,
    pub id: String,
    pub reason: String,
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Records checked (up to and including a broken one).
    pub records: u64,
    pub broken: Option<Broken>,
    /// The last good hash: the ledger's head, worth keeping outside the database
    /// (a truncated tail is only detectable against a head kept elsewhere).
    pub head: String,
}

/// Checks a chain record by record, in `seq` order: feed every record to
/// [`Chain::push`], then read [`Chain::finish`].
#[derive(Debug, Clone)]
pub struct Chain {
    expected_seq: i64,
    prev: String,
    records: u64,
    broken: Option<Broken>,
}

impl Default for Chain {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev: GENESIS.to_owned(),
            records: 0,
            broken: None,
        }
    }
}

impl Chain {
    /// Checks the next record; false once the chain is broken (stop feeding).
    pub fn push(&mut self, record: Record) -> bool {
        if self.broken.is_some() {
            return false;
        }
        self.records += 1;
        let reason = if record.seq != self.expected_seq {
            Some(format!(
                "expected record {} here, found {}: records are missing",
                self.expected_seq, record.seq
            ))
        } else if record.prev_hash != self.prev {
            Some("its prev_hash does not match the record before it".to_owned())
        } else if record.hash != record.expected_hash() {
            Some("its content does not match its hash: the record was altered".to_owned())
        } else {
            None
        };
        if let Some(reason) = reason {
            self.broken = Some(Broken {
                seq: record.seq,
                id: record.id,
                reason,
            });
            return false;
        }
        self.prev = record.hash;
        self.expected_seq += 1;
        true
    }

    /// What the walk found.
    pub fn finish(self) -> Verified {
        Verified {
            records: self.records,
            broken: self.broken,
            head: self.prev,
        }
    }
}

/// Which records the store's list returns. Times are this module's RFC 3339 UTC strings,
/// which sort as text.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// One record by id.
    pub id: Option<String>,
    pub agreement_id: Option<String>,
    /// Channel key.
    pub channel: Option<String>,
    pub source: Option<Source>,
    pub action: Option<Action>,
    pub visitor_id: Option<String>,
    /// Inclusive lower bound of `created_at`.
    pub from: Option<String>,
    /// Exclusive upper bound of `created_at`.
    pub until: Option<String>,
    /// Only records older than this `seq` (the cursor).
    pub before_seq: Option<i64>,
}
