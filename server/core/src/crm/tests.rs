//! The tracker's matching: examples, then properties (proptest).

use super::*;
use proptest::prelude::*;

fn es() -> Option<Region> {
    Region::parse("es")
}

#[test]
fn phones_normalise_to_e164() {
    for raw in [
        "+34 612 345 678",
        "+34-612-345-678",
        "+34 (612) 34 56 78",
        "34612345678",
        "+34.612.345.678",
    ] {
        assert_eq!(
            normalise_phone(raw, None).as_deref(),
            Some("+34612345678"),
            "{raw}"
        );
    }
    // The default region reads national numbers.
    assert_eq!(
        normalise_phone("612 345 678", es()).as_deref(),
        Some("+34612345678")
    );
    assert_eq!(
        normalise_phone("8 (912) 345-67-89", Region::parse("RU")).as_deref(),
        Some("+79123456789")
    );
    for bad in [
        "",
        "12",
        "+34 1",
        "not a phone",
        "+999 123 456 789",
        "+34 612 345 678 901 234 567",
    ] {
        assert_eq!(normalise_phone(bad, es()), None, "{bad}");
    }
    assert!(Region::parse("zz").is_none());
    assert!(Region::parse("spain").is_none());
    assert_eq!(
        Region::parse("es").map(|r| r.code().to_owned()).as_deref(),
        Some("ES")
    );
}

#[test]
fn emails_lower_case_and_checked() {
    assert_eq!(
        normalise_email(" Ana@Example.COM ").as_deref(),
        Some("ana@example.com")
    );
    for bad in [
        "",
        "ana",
        "ana@",
        "@example.com",
        "ana@localhost",
        "a b@example.com",
    ] {
        assert_eq!(normalise_email(bad), None, "{bad}");
    }
}

#[test]
fn contact_details_are_found_in_messages() {
    let found = find_in_text(
        "Hola, soy Ana. Mi teléfono es +34 612 345 678 o escribe a Ana.Lopez@Example.com, gracias!",
        None,
    );
    assert_eq!(found.phones, ["+34612345678".to_owned()].into());
    assert_eq!(found.emails, ["ana.lopez@example.com".to_owned()].into());
    let national = find_in_text("llámame al 612-34-56-78 (tarde)", es());
    assert_eq!(national.phones, ["+34612345678".to_owned()].into());
    // Order numbers, dates, prices and codes glued to letters are no phones.
    let none = find_in_text(
        "order 12345, on 2024-05-01 it cost 1.299,00 EUR; ref ABC1234567890X; mail me@home",
        es(),
    );
    assert!(none.is_empty(), "{none:?}");
}

#[test]
fn numbers_are_found_the_same_once_the_plans_keep_more_patterns() {
    let texts = [
        "Mi teléfono es +34 612 345 678",
        "звоните +7 912 345-67-89",
        "order 4567890 and 7654321, ref v12_3456789",
    ];
    let before: Vec<Details> = texts.iter().map(|t| find_in_text(t, None)).collect();
    load_phone_plans(PHONE_PATTERNS_KEPT);
    // More countries' patterns than phonenumber kept before (100).
    for n in 0..300u64 {
        let _ = find_in_text(&format!("id {}", 1_000_000 + n * 29_989), None);
    }
    let after: Vec<Details> = texts.iter().map(|t| find_in_text(t, None)).collect();
    assert_eq!(before, after);
    assert_eq!(after[0].phones, ["+34612345678".to_owned()].into());
    assert_eq!(after[1].phones, ["+79123456789".to_owned()].into());
}

#[test]
fn the_first_phone_stays_the_link_after_it_is_removed() {
    let (c, _) = merge(
        &ContactDetails::default(),
        &Details::given(Some("Ana"), Some("+34612345678"), None, None),
    );
    assert_eq!(c.first_phone.as_deref(), Some("+34612345678"));
    let edited = edit(&c, None, Some(&["+34699999999".to_owned()]), None, None).expect("edit");
    assert_eq!(edited.phones, ["+34699999999".to_owned()].into());
    assert_eq!(edited.first_phone.as_deref(), Some("+34612345678"));
    assert!(edit(&c, None, Some(&["nope".to_owned()]), None, None).is_err());
    assert!(edit(&c, Some("x\u{7}"), None, None, None).is_err());
    assert!(edit(&c, None, None, Some(&["nope".to_owned()]), None).is_err());
}

#[test]
fn the_tracker_creates_only_for_customers_it_can_reach() {
    let none = Details::default();
    let phone = Details::given(None, Some("+34612345678"), None, None);
    assert_eq!(decide(true, &none, false), Decision::Attach);
    assert_eq!(decide(false, &none, true), Decision::Create);
    assert_eq!(decide(false, &phone, false), Decision::Create);
    assert_eq!(decide(false, &none, false), Decision::Nothing);
}

/// Valid Spanish mobiles and a few other numbers, typed in several ways.
fn phone() -> impl Strategy<Value = (String, String)> {
    (600_000_000u32..700_000_000, 0usize..4).prop_map(|(n, style)| {
        let d = n.to_string();
        let typed = match style {
            0 => format!("+34{d}"),
            1 => format!("+34 {} {} {}", &d[0..3], &d[3..6], &d[6..9]),
            2 => format!("34-{}-{}-{}", &d[0..3], &d[3..6], &d[6..9]),
            _ => format!("+34 ({}) {}.{}", &d[0..3], &d[3..6], &d[6..9]),
        };
        (typed, format!("+34{d}"))
    })
}

fn email() -> impl Strategy<Value = String> {
    (
        "[a-zA-Z][a-zA-Z0-9]{0,8}",
        "[a-zA-Z]{1,8}",
        prop::sample::select(vec!["com", "es", "Org"]),
    )
        .prop_map(|(user, domain, tld)| format!("{user}@{domain}.{tld}"))
}

fn details() -> impl Strategy<Value = Details> {
    (
        prop::option::of("[A-Za-z]{1,10}"),
        prop::collection::vec(phone(), 0..3),
        prop::collection::vec(email(), 0..3),
    )
        .prop_map(|(name, phones, emails)| Details {
            name,
            phones: phones.into_iter().map(|(_, e164)| e164).collect(),
            emails: emails.iter().filter_map(|e| normalise_email(e)).collect(),
        })
}

fn merged_all(all: &[Details]) -> ContactDetails {
    all.iter()
        .fold(ContactDetails::default(), |c, d| merge(&c, d).0)
}

proptest! {
    #[test]
    fn normalising_gives_e164_whatever_the_typing((typed, e164) in phone()) {
        prop_assert_eq!(normalise_phone(&typed, None), Some(e164.clone()));
        prop_assert_eq!(normalise_phone(&e164, es()), Some(e164.clone()));
        // Normalising again changes nothing.
        prop_assert_eq!(normalise_phone(&e164, None), Some(e164));
    }

    #[test]
    fn emails_normalise_once(raw in email()) {
        let once = normalise_email(&raw);
        prop_assert!(once.is_some());
        prop_assert_eq!(normalise_email(once.as_deref().unwrap_or_default()), once.clone());
        prop_assert_eq!(normalise_email(&raw.to_uppercase()), once);
    }

    #[test]
    fn a_phone_typed_in_a_message_is_found((typed, e164) in phone(), before in "[a-z ]{0,20}", after in "[a-z ]{0,20}") {
        let text = format!("{before} {typed} {after}");
        prop_assert!(find_in_text(&text, None).phones.contains(&e164));
    }

    #[test]
    fn merging_is_idempotent(start in details(), d in details()) {
        let (base, _) = merge(&ContactDetails::default(), &start);
        let (once, _) = merge(&base, &d);
        let (twice, added) = merge(&once, &d);
        prop_assert_eq!(&once, &twice);
        prop_assert!(added.is_empty());
    }

    #[test]
    fn merging_does_not_depend_on_the_order(all in prop::collection::vec(details(), 1..5), seed in any::<u64>()) {
        let forward = merged_all(&all);
        let mut shuffled = all.clone();
        // A deterministic shuffle from the seed.
        let len = shuffled.len();
        for i in 0..len {
            let j = (seed.rotate_left(i as u32) as usize) % len;
            shuffled.swap(i, j);
        }
        let other = merged_all(&shuffled);
        prop_assert_eq!(&forward.phones, &other.phones);
        prop_assert_eq!(&forward.emails, &other.emails);
        let reversed: Vec<_> = all.iter().rev().cloned().collect();
        let back = merged_all(&reversed);
        prop_assert_eq!(&forward.phones, &back.phones);
        prop_assert_eq!(&forward.emails, &back.emails);
    }

    #[test]
    fn the_first_phone_is_set_once(all in prop::collection::vec(details(), 1..6), removals in prop::collection::vec(any::<bool>(), 6)) {
        let mut contact = ContactDetails::default();
        let mut first: Option<String> = None;
        for (d, remove) in all.iter().zip(removals) {
            contact = merge(&contact, d).0;
            if first.is_none() {
                first = contact.first_phone.clone();
            }
            prop_assert_eq!(&contact.first_phone, &first);
            if remove {
                // An agent takes every phone off: the link stays.
                contact = edit(&contact, None, Some(&[]), None, None).map_err(|e| TestCaseError::fail(e.message))?;
                prop_assert_eq!(&contact.first_phone, &first);
            }
        }
        if all.iter().any(|d| !d.phones.is_empty()) {
            prop_assert!(first.is_some());
        }
    }
}

#[test]
fn a_closed_dialog_fills_the_mapped_fields() {
    let map = |source, field: &str, value: Option<&str>| FieldMap {
        source,
        field: field.into(),
        value: value.map(str::to_owned),
    };
    let fields = vec![
        map(MapSource::UtmSource, "UF_SOURCE", None),
        map(MapSource::UtmTerm, "UF_TERM", None),
        map(MapSource::Utm, "UF_UTM", None),
        map(MapSource::ClientId, "UF_CLIENT", None),
        map(MapSource::MessageId, "UF_MESSAGE", None),
        map(MapSource::ClickTime, "UF_CLICK", None),
        map(MapSource::Custom, "UF_SHOP", Some("Madrid")),
    ];
    assert!(check_field_map(&fields).is_ok());
    let facts = CloseFacts {
        utm: Utm {
            source: Some("news".into()),
            medium: Some("e mail".into()),
            ..Utm::default()
        },
        client_id: "v1".into(),
        message_id: Some("c1:1".into()),
        click_time: "2026-01-02T03:04:05Z".into(),
    };
    assert_eq!(
        mapped_fields(&fields, &facts),
        [
            ("UF_SOURCE", "news"),
            ("UF_UTM", "utm_source=news&utm_medium=e+mail"),
            ("UF_CLIENT", "v1"),
            ("UF_MESSAGE", "c1:1"),
            ("UF_CLICK", "2026-01-02T03:04:05Z"),
            ("UF_SHOP", "Madrid"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    for bad in [
        vec![map(MapSource::Custom, "UF_X", None)],
        vec![map(MapSource::Utm, "UF_X", Some("v"))],
        vec![map(MapSource::Utm, "bad name", None)],
        vec![
            map(MapSource::Utm, "A", None),
            map(MapSource::ClientId, "A", None),
        ],
    ] {
        assert!(check_field_map(&bad).is_err(), "{bad:?}");
    }
}

#[test]
fn a_nameless_contact_is_named_in_the_channel_s_language() {
    use crate::mail::Language;
    assert_eq!(fallback_name(Language::of(None), false), "Website visitor");
    assert_eq!(
        fallback_name(Language::of(Some("en")), true),
        "Messenger customer"
    );
    assert_eq!(
        fallback_name(Language::of(Some("es")), false),
        "Visitante del sitio web"
    );
    assert_eq!(
        fallback_name(Language::of(Some("es-MX")), true),
        "Cliente de mensajería"
    );
    assert_eq!(
        fallback_name(Language::of(Some("ru")), false),
        "Посетитель сайта"
    );
    assert_eq!(
        fallback_name(Language::of(Some("ru")), true),
        "Клиент из мессенджера"
    );
    assert_eq!(
        fallback_name(Language::of(Some("fr")), false),
        "Website visitor"
    );
}
