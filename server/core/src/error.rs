//! The domain's one error type: a refusal of what a caller asked, with the wire
//! code and a sentence for the client. The shell maps [`Refusal`] to an HTTP status.

use canal_protocol::ErrorCode;

/// What kind of refusal: the shell turns it into a status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed request (400).
    BadRequest,
    /// Well-formed, but a value is not acceptable (422).
    Invalid,
    /// What was named does not exist (404).
    NotFound,
    /// It clashes with what is stored (409).
    Conflict,
    /// A value is larger than allowed (413).
    TooLarge,
    /// The caller could not prove who they are (401).
    Unauthorized,
    /// The caller may not do this (403).
    Forbidden,
    /// Not now: try again later (429).
    TooMany,
    /// Gone for good (410).
    Gone,
}

/// A refusal: nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct Rejected {
    pub refusal: Refusal,
    pub code: ErrorCode,
    pub message: String,
}

impl Rejected {
    pub fn new(refusal: Refusal, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            refusal,
            code,
            message: message.into(),
        }
    }

    /// A value that is not acceptable (422).
    pub fn invalid(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(Refusal::Invalid, code, message)
    }

    /// A malformed request (400).
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(Refusal::BadRequest, code, message)
    }

    /// Nothing of that name (404).
    pub fn not_found(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(Refusal::NotFound, code, message)
    }
}

/// Defines an enum stored and sent as fixed strings, with `as_str` and `parse`.
#[macro_export]
macro_rules! str_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stored (and wire) spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            /// The value spelled `raw`, if any.
            pub fn parse(raw: &str) -> Option<Self> {
                match raw { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}
