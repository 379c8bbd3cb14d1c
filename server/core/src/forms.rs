//! The contact form's rules: what a site owner may put on a form, and what a
//! visitor's submission must hold (the fields asked, valid; every required
//! agreement accepted, and opened where its full text must be read).

use canal_protocol::admin::Behaviour;
use canal_protocol::forms::{ContactSubmission, FieldName, SetContactForm};
use canal_protocol::{AgreementView, ErrorCode};

use crate::{validate, Rejected};

/// Most agreements one form shows.
pub const MAX_FORM_AGREEMENTS: usize = 10;
/// Longest submission idempotency key, in bytes (record keys add a suffix).
pub const MAX_REQUEST_ID_BYTES: usize = 56;

fn invalid(message: impl Into<String>) -> Rejected {
    Rejected::invalid(ErrorCode::InvalidField, message)
}

/// Checks a form a site owner sets: each field and agreement once, at most
/// [`MAX_FORM_AGREEMENTS`] agreements. (That the agreements exist is the store's to say.)
pub fn check(form: &SetContactForm) -> Result<(), Rejected> {
    for (i, field) in form.fields.iter().enumerate() {
        if form.fields[..i].iter().any(|f| f.name == field.name) {
            return Err(invalid("each field may appear once"));
        }
    }
    if form.agreements.len() > MAX_FORM_AGREEMENTS {
        return Err(invalid(format!(
            "a form shows at most {MAX_FORM_AGREEMENTS} agreements"
        )));
    }
    for (i, id) in form.agreements.iter().enumerate() {
        if form.agreements[..i].contains(id) {
            return Err(invalid("each agreement may appear once"));
        }
    }
    Ok(())
}

/// A submission's contact details, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Details {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Whether a visitor must accept an agreement of this behaviour.
pub fn required(behaviour: Behaviour) -> bool {
    matches!(
        behaviour,
        Behaviour::RequiredAutoAccepted | Behaviour::RequiredReadFullText
    )
}

/// Checks a submission against its form (`fields` asked, `shown` the current
/// versions of its agreements) and returns its contact details normalised.
pub fn submission(
    fields: &[canal_protocol::forms::FormField],
    shown: &[AgreementView],
    request: &ContactSubmission,
) -> Result<Details, Rejected> {
    if let Some(request_id) = &request.request_id {
        validate::client_id("request_id", request_id)?;
        if request_id.len() > MAX_REQUEST_ID_BYTES {
            return Err(invalid(format!(
                "request_id must be at most {MAX_REQUEST_ID_BYTES} bytes"
            )));
        }
    }

    // Fields: present when required, valid when given, never unasked.
    let value = |name: FieldName| match name {
        FieldName::Name => request.name.as_deref(),
        FieldName::Email => request.email.as_deref(),
        FieldName::Phone => request.phone.as_deref(),
    };
    for name in [FieldName::Name, FieldName::Email, FieldName::Phone] {
        let asked = fields.iter().find(|f| f.name == name);
        let given = value(name).filter(|v| !v.trim().is_empty());
        match (asked, given) {
            (None, Some(_)) => return Err(invalid(format!("{name:?} is not on this form"))),
            (Some(f), None) if f.required => {
                return Err(invalid(format!("{name:?} is required").to_lowercase()))
            }
            _ => {}
        }
    }
    let details = Details {
        name: request.name.as_deref().map(validate::name).transpose()?,
        email: request.email.as_deref().map(validate::email).transpose()?,
        phone: request.phone.as_deref().map(validate::phone).transpose()?,
    };

    // Agreements: accepted ones are current versions of this form's agreements;
    // every required one is accepted (and opened, where its text must be read).
    if let Some(stranger) = request
        .accepted
        .iter()
        .chain(&request.opened)
        .find(|id| !shown.iter().any(|a| &a.version_id == *id))
    {
        return Err(Rejected::invalid(
            ErrorCode::UnknownAgreementVersion,
            format!("{stranger} is not the current version of an agreement on this form; fetch the form again"),
        ));
    }
    for agreement in shown {
        let accepted = request.accepted.contains(&agreement.version_id);
        if required(agreement.behaviour) && !accepted {
            return Err(Rejected::invalid(
                ErrorCode::ConsentRequired,
                format!("\"{}\" must be accepted to send the form", agreement.title),
            ));
        }
        if accepted
            && agreement.behaviour == Behaviour::RequiredReadFullText
            && !request.opened.contains(&agreement.version_id)
        {
            return Err(Rejected::invalid(
                ErrorCode::ConsentRequired,
                format!(
                    "the full text of \"{}\" must be opened before accepting it",
                    agreement.title
                ),
            ));
        }
    }
    Ok(details)
}
