//! The contact form's rules (pure; native unit tests): which agreement boxes start
//! ticked, which may be ticked yet, when the form may be sent, and what is sent.
//!
//! Per behaviour: `required_auto_accepted` and `optional_auto_accepted` start
//! ticked, `optional_unchecked` unticked; `required_read_full_text` starts unticked
//! and its box stays disabled until the visitor opened the full text. The form may
//! be sent once every required agreement is ticked.

use canal_protocol::{admin::Behaviour, forms::ContactSubmission, AgreementView};

/// Whether the visitor must accept the agreement to send the form.
pub fn is_required(behaviour: Behaviour) -> bool {
    matches!(
        behaviour,
        Behaviour::RequiredAutoAccepted | Behaviour::RequiredReadFullText
    )
}

/// The box is ticked when the form opens.
pub fn pre_ticked(behaviour: Behaviour) -> bool {
    matches!(
        behaviour,
        Behaviour::RequiredAutoAccepted | Behaviour::OptionalAutoAccepted
    )
}

/// The state of the form's agreement boxes, in form order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checks {
    /// `(version_id, behaviour, ticked, opened)` per agreement.
    boxes: Vec<(String, Behaviour, bool, bool)>,
}

impl Checks {
    /// The boxes as the form opens.
    pub fn new(agreements: &[AgreementView]) -> Self {
        Self {
            boxes: agreements
                .iter()
                .map(|a| {
                    (
                        a.version_id.clone(),
                        a.behaviour,
                        pre_ticked(a.behaviour),
                        false,
                    )
                })
                .collect(),
        }
    }

    pub fn ticked(&self, at: usize) -> bool {
        self.boxes.get(at).is_some_and(|b| b.2)
    }

    /// Whether the box may be ticked now: for `required_read_full_text`, only once
    /// its full text was opened.
    pub fn enabled(&self, at: usize) -> bool {
        self.boxes
            .get(at)
            .is_some_and(|b| b.1 != Behaviour::RequiredReadFullText || b.3)
    }

    /// The visitor opened the full text of the agreement at `at`.
    pub fn open(&mut self, at: usize) {
        if let Some(b) = self.boxes.get_mut(at) {
            b.3 = true;
        }
    }

    /// The visitor (un)ticked the box at `at`; refused while it is disabled.
    pub fn tick(&mut self, at: usize, ticked: bool) {
        if self.enabled(at) {
            if let Some(b) = self.boxes.get_mut(at) {
                b.2 = ticked;
            }
        }
    }

    /// Every required agreement is ticked (so the form may be sent).
    pub fn ready(&self) -> bool {
        self.boxes.iter().all(|b| !is_required(b.1) || b.2)
    }

    /// Version ids of the ticked agreements.
    pub fn accepted(&self) -> Vec<String> {
        self.ids(|b| b.2)
    }

    /// Version ids whose full text was opened.
    pub fn opened(&self) -> Vec<String> {
        self.ids(|b| b.3)
    }

    fn ids(&self, keep: fn(&(String, Behaviour, bool, bool)) -> bool) -> Vec<String> {
        self.boxes
            .iter()
            .filter(|b| keep(b))
            .map(|b| b.0.clone())
            .collect()
    }
}

/// A field's value as sent: trimmed, and left out when empty.
pub fn filled(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// What the visitor typed, in the form's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Details {
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// The submission of `details` and `checks` for the visitor's session.
pub fn submission(
    visitor_token: String,
    conversation_id: Option<String>,
    page_url: String,
    details: &Details,
    checks: &Checks,
    request_id: Option<String>,
) -> ContactSubmission {
    ContactSubmission {
        visitor_token,
        conversation_id,
        page_url,
        name: filled(&details.name),
        email: filled(&details.email),
        phone: filled(&details.phone),
        accepted: checks.accepted(),
        opened: checks.opened(),
        request_id,
    }
}

// Native tier: `cargo test -p canal-widget` (no browser needed).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use canal_protocol::admin::TextFormat;

    use super::*;

    fn agreement(version: &str, behaviour: Behaviour) -> AgreementView {
        AgreementView {
            agreement_id: format!("a-{version}"),
            version_id: version.into(),
            title: "T".into(),
            text: "text".into(),
            text_format: TextFormat::Plain,
            label: "L".into(),
            sha256: "00".into(),
            behaviour,
            redirect_url: None,
            full_text_path: format!("/agreements/{version}"),
        }
    }

    fn every_behaviour() -> Vec<AgreementView> {
        vec![
            agreement("ra", Behaviour::RequiredAutoAccepted),
            agreement("rf", Behaviour::RequiredReadFullText),
            agreement("oa", Behaviour::OptionalAutoAccepted),
            agreement("ou", Behaviour::OptionalUnchecked),
        ]
    }

    #[test]
    fn boxes_start_ticked_per_behaviour() {
        let checks = Checks::new(&every_behaviour());
        let ticked: Vec<bool> = (0..4).map(|at| checks.ticked(at)).collect();
        assert_eq!(ticked, [true, false, true, false]);
        let enabled: Vec<bool> = (0..4).map(|at| checks.enabled(at)).collect();
        assert_eq!(enabled, [true, false, true, true]);
        assert!(!checks.ticked(9) && !checks.enabled(9));
    }

    #[test]
    fn read_the_full_text_blocks_until_opened_and_ticked() {
        let mut checks = Checks::new(&every_behaviour());
        assert!(!checks.ready());
        checks.tick(1, true);
        assert!(!checks.ticked(1), "disabled until the full text is opened");
        assert!(!checks.ready());
        checks.open(1);
        assert!(checks.enabled(1));
        assert!(!checks.ready(), "opened is not ticked");
        checks.tick(1, true);
        assert!(checks.ready());
        assert_eq!(checks.accepted(), ["ra", "rf", "oa"]);
        assert_eq!(checks.opened(), ["rf"]);
        // An optional one does not block; a required one unticked does.
        checks.tick(2, false);
        checks.tick(3, true);
        assert!(checks.ready());
        assert_eq!(checks.accepted(), ["ra", "rf", "ou"]);
        checks.tick(0, false);
        assert!(!checks.ready());
        checks.open(42);
        checks.tick(42, true);
        assert_eq!(checks.opened(), ["rf"]);
    }

    #[test]
    fn a_form_without_required_agreements_is_ready_at_once() {
        assert!(Checks::new(&[]).ready());
        let optional = [agreement("ou", Behaviour::OptionalUnchecked)];
        let checks = Checks::new(&optional);
        assert!(checks.ready());
        assert!(checks.accepted().is_empty());
        assert!(is_required(Behaviour::RequiredReadFullText));
        assert!(!is_required(Behaviour::OptionalAutoAccepted));
    }

    #[test]
    fn the_submission_trims_fields_and_leaves_empty_ones_out() {
        let mut checks = Checks::new(&every_behaviour());
        checks.open(1);
        checks.tick(1, true);
        let details = Details {
            name: "  Marta ".into(),
            email: " ".into(),
            phone: "+34 600 123 456".into(),
        };
        let sent = submission(
            "tok".into(),
            Some("conv".into()),
            "https://shop.example/".into(),
            &details,
            &checks,
            Some("req".into()),
        );
        assert_eq!(sent.name.as_deref(), Some("Marta"));
        assert_eq!(sent.email, None);
        assert_eq!(sent.phone.as_deref(), Some("+34 600 123 456"));
        assert_eq!(sent.accepted, ["ra", "rf", "oa"]);
        assert_eq!(sent.opened, ["rf"]);
        assert_eq!(sent.conversation_id.as_deref(), Some("conv"));
        assert_eq!(filled("\n"), None);
    }
}
