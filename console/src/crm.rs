//! The form of a channel's CRM settings (the tracker's switches, what a new
//! customer gets, the default region for phones, and the field mapping written
//! to the lead or deal when the dialog closes) and the request it makes, pure
//! (native unit tests). The server checks the values again (region, field names,
//! a custom field's value) and says which one is wrong; the form only tidies what
//! was typed.

use canal_protocol::crm::{CrmMode, CrmSettings, FieldMap, MapSource};

/// Every mode, in listing order, with its value on the wire.
pub const MODES: [(CrmMode, &str); 3] = [
    (CrmMode::Deal, "deal"),
    (CrmMode::Lead, "lead"),
    (CrmMode::None, "none"),
];

/// Every source of a mapped field, in listing order, with its value on the wire.
pub const SOURCES: [(MapSource, &str); 10] = [
    (MapSource::UtmSource, "utm_source"),
    (MapSource::UtmMedium, "utm_medium"),
    (MapSource::UtmCampaign, "utm_campaign"),
    (MapSource::UtmContent, "utm_content"),
    (MapSource::UtmTerm, "utm_term"),
    (MapSource::Utm, "utm"),
    (MapSource::ClientId, "client_id"),
    (MapSource::MessageId, "message_id"),
    (MapSource::ClickTime, "click_time"),
    (MapSource::Custom, "custom"),
];

/// Most mapped fields the server keeps (canal-core's `MAX_MAPPED`): "Add" stops
/// there.
pub const MAX_ROWS: usize = 50;

/// A value on the wire for `item`, from one of the tables above.
pub fn wire<T: PartialEq + Copy>(table: &[(T, &'static str)], item: T) -> &'static str {
    table
        .iter()
        .find(|(t, _)| *t == item)
        .map_or("", |(_, s)| s)
}

/// The item a wire value names, from one of the tables above.
pub fn parse<T: Copy>(table: &[(T, &'static str)], value: &str) -> Option<T> {
    table.iter().find(|(_, s)| *s == value).map(|(t, _)| *t)
}

/// The CRM settings as edited: the settings themselves, each control reading
/// and writing one of their fields by name ([`CrmForm::get`], [`CrmForm::set`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CrmForm(pub CrmSettings);

impl CrmForm {
    /// The form for settings as the server sent them.
    pub fn of(s: &CrmSettings) -> Self {
        Self(s.clone())
    }

    /// How many fields are mapped.
    pub fn rows(&self) -> usize {
        self.0.field_map.len()
    }

    /// A new row (`utm_source`, no field yet) at the end, up to [`MAX_ROWS`].
    pub fn add_row(&mut self) {
        if self.rows() < MAX_ROWS {
            self.0.field_map.push(FieldMap {
                source: MapSource::UtmSource,
                field: String::new(),
                value: None,
            });
        }
    }

    /// Takes the row at `index` out (nothing when there is none).
    pub fn remove_row(&mut self, index: usize) {
        if index < self.rows() {
            self.0.field_map.remove(index);
        }
    }

    /// A field's text as its control shows it, by name: `check_customer`,
    /// `tracker`, `create_automatically`, `change_responsible` (`"on"` or empty),
    /// `mode` and a row's `source:{i}` (wire values), `region`, a row's
    /// `field:{i}` and `value:{i}`. Empty for a name that is none of these.
    pub fn get(&self, name: &str) -> String {
        let s = &self.0;
        let on = |b: bool| if b { "on" } else { "" }.to_owned();
        match name {
            "check_customer" => on(s.check_customer),
            "tracker" => on(s.tracker),
            "create_automatically" => on(s.create_automatically),
            "change_responsible" => on(s.change_responsible_on_transfer),
            "mode" => wire(&MODES, s.mode).to_owned(),
            "region" => s.default_region.clone().unwrap_or_default(),
            _ => {
                let Some((part, row)) =
                    row_name(name).and_then(|(part, i)| s.field_map.get(i).map(|row| (part, row)))
                else {
                    return String::new();
                };
                match part {
                    "source" => wire(&SOURCES, row.source).to_owned(),
                    "field" => row.field.clone(),
                    "value" => row.value.clone().unwrap_or_default(),
                    _ => String::new(),
                }
            }
        }
    }

    /// Sets a field from its control's text, by name (see [`CrmForm::get`]); a
    /// value a select does not offer, or an unknown name, changes nothing.
    pub fn set(&mut self, name: &str, value: String) {
        let s = &mut self.0;
        let on = !value.is_empty();
        match name {
            "check_customer" => s.check_customer = on,
            "tracker" => s.tracker = on,
            "create_automatically" => s.create_automatically = on,
            "change_responsible" => s.change_responsible_on_transfer = on,
            "mode" => {
                if let Some(mode) = parse(&MODES, &value) {
                    s.mode = mode;
                }
            }
            "region" => s.default_region = Some(value),
            _ => {
                let Some((part, i)) = row_name(name) else {
                    return;
                };
                let Some(row) = s.field_map.get_mut(i) else {
                    return;
                };
                match part {
                    "source" => {
                        if let Some(source) = parse(&SOURCES, &value) {
                            row.source = source;
                        }
                    }
                    "field" => row.field = value,
                    "value" => row.value = Some(value),
                    _ => {}
                }
            }
        }
    }

    /// The whole record for `PUT`: the region trimmed and upper-cased (empty:
    /// none), field names trimmed, a value sent only for a `custom` row (empty
    /// when none was typed).
    pub fn request(&self) -> CrmSettings {
        let mut s = self.0.clone();
        s.default_region = s
            .default_region
            .map(|r| r.trim().to_ascii_uppercase())
            .filter(|r| !r.is_empty());
        for row in &mut s.field_map {
            row.field = row.field.trim().to_owned();
            row.value = match row.source {
                MapSource::Custom => Some(row.value.take().unwrap_or_default()),
                _ => None,
            };
        }
        s
    }
}

/// A row's field name (`field:2`) as its part and index.
fn row_name(name: &str) -> Option<(&str, usize)> {
    let (part, index) = name.split_once(':')?;
    Some((part, index.parse().ok()?))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn settings() -> CrmSettings {
        CrmSettings {
            check_customer: true,
            tracker: false,
            mode: CrmMode::Lead,
            create_automatically: false,
            change_responsible_on_transfer: true,
            default_region: Some("ES".into()),
            field_map: vec![
                FieldMap {
                    source: MapSource::Utm,
                    field: "UF_UTM".into(),
                    value: None,
                },
                FieldMap {
                    source: MapSource::Custom,
                    field: "UF_SHOP".into(),
                    value: Some("Madrid".into()),
                },
            ],
        }
    }

    #[test]
    fn settings_as_loaded_are_sent_back_as_they_were() {
        let s = settings();
        assert_eq!(CrmForm::of(&s).request(), s);
        assert_eq!(
            CrmForm::default().request(),
            CrmSettings::default(),
            "no region, no mapping"
        );
        let mut typed = CrmForm::of(&s);
        typed.set("region", "es".into());
        assert_eq!(typed.request(), s, "the region as the server keeps it");
    }

    #[test]
    fn what_was_typed_is_tidied_and_only_custom_rows_send_a_value() {
        let mut form = CrmForm::of(&settings());
        form.set("region", " pt ".into());
        form.set("value:0", "left over".into());
        form.set("field:1", " UF_CITY ".into());
        let sent = form.request();
        assert_eq!(sent.default_region.as_deref(), Some("PT"));
        assert_eq!(sent.field_map[0].value, None, "not custom: no value");
        assert_eq!(sent.field_map[1].field, "UF_CITY");
        assert_eq!(sent.field_map[1].value.as_deref(), Some("Madrid"));
        form.set("region", "  ".into());
        assert_eq!(form.request().default_region, None);
        form.set("source:0", "custom".into());
        assert_eq!(
            form.request().field_map[0].value.as_deref(),
            Some("left over")
        );
        // A custom row with nothing typed sends an empty value (the server takes it).
        form.add_row();
        form.set("source:2", "custom".into());
        assert_eq!(form.request().field_map[2].value.as_deref(), Some(""));
    }

    #[test]
    fn rows_are_added_at_the_end_up_to_the_limit_and_removed_by_index() {
        let mut form = CrmForm::of(&settings());
        form.add_row();
        assert_eq!(form.rows(), 3);
        assert_eq!(form.get("source:2"), "utm_source");
        assert_eq!(form.get("field:2"), "");
        form.remove_row(0);
        assert_eq!(form.get("field:0"), "UF_SHOP");
        form.remove_row(7);
        assert_eq!(form.rows(), 2, "no such row: nothing taken");
        for _ in 0..60 {
            form.add_row();
        }
        assert_eq!(form.rows(), MAX_ROWS);
    }

    #[test]
    fn fields_are_read_and_set_by_name_as_their_controls_show_them() {
        let mut form = CrmForm::of(&settings());
        assert_eq!(form.get("check_customer"), "on");
        assert_eq!(form.get("tracker"), "");
        assert_eq!(form.get("mode"), "lead");
        assert_eq!(form.get("region"), "ES");
        assert_eq!(form.get("source:0"), "utm");
        assert_eq!(form.get("field:1"), "UF_SHOP");
        assert_eq!(form.get("value:1"), "Madrid");
        assert_eq!(form.get("field:9"), "", "no such row");
        assert_eq!(form.get("nope"), "");

        form.set("tracker", "on".into());
        form.set("check_customer", String::new());
        form.set("change_responsible", String::new());
        form.set("mode", "none".into());
        form.set("region", "pt".into());
        form.set("source:1", "click_time".into());
        form.set("field:0", "UF_ALL".into());
        form.set("value:0", "x".into());
        let s = &form.0;
        assert!(s.tracker && !s.check_customer && !s.change_responsible_on_transfer);
        assert_eq!(s.mode, CrmMode::None);
        assert_eq!(s.default_region.as_deref(), Some("pt"));
        assert_eq!(s.field_map[1].source, MapSource::ClickTime);
        assert_eq!(s.field_map[0].field, "UF_ALL");
        assert_eq!(s.field_map[0].value.as_deref(), Some("x"));

        // What no control sends changes nothing.
        let before = form.clone();
        for (name, value) in [
            ("mode", "opportunity"),
            ("source:0", "utm_nope"),
            ("field:7", "UF_X"),
            ("field:x", "UF_X"),
            ("colour", "red"),
            ("other:0", "y"),
        ] {
            form.set(name, value.into());
        }
        assert_eq!(form, before);
    }

    #[test]
    fn wire_values_match_the_protocol() {
        for (mode, value) in MODES {
            assert_eq!(serde_json::to_value(mode).expect("json"), value);
            assert_eq!(parse(&MODES, value), Some(mode));
            assert_eq!(wire(&MODES, mode), value);
        }
        for (source, value) in SOURCES {
            assert_eq!(serde_json::to_value(source).expect("json"), value);
            assert_eq!(parse(&SOURCES, value), Some(source));
        }
        assert_eq!(parse(&SOURCES, "nope"), None);
    }
}
