//! Canned answers filled in for one conversation: `{name}` becomes the visitor's
//! name and `{agent}` the answering agent's. Without a visitor's name, `{name}` goes
//! with the comma or space that led to it ("Thank you, {name}!" reads "Thank you!",
//! "Hi {name}, how can I help?" reads "Hi, how can I help?").

/// `text` with its variables filled in.
pub fn fill(text: &str, visitor: Option<&str>, agent: &str) -> String {
    let text = text.replace("{agent}", agent);
    match visitor.map(str::trim).filter(|name| !name.is_empty()) {
        Some(name) => text.replace("{name}", name),
        None => without_name(&text),
    }
}

/// `text` without its `{name}`s and what led to each (a comma and spaces), or at the
/// very start what follows it.
fn without_name(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("{name}") {
        let before = rest[..at].trim_end_matches([' ', ',']);
        let after = &rest[at + "{name}".len()..];
        if out.is_empty() && before.is_empty() {
            // At the start: drop what follows the name instead.
            rest = after.trim_start_matches([' ', ',']);
            continue;
        }
        out.push_str(before);
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn the_names_are_filled_in() {
        assert_eq!(
            fill("Thank you, {name}! {agent} here.", Some("Lucía"), "Ana"),
            "Thank you, Lucía! Ana here."
        );
        assert_eq!(fill("{agent}, {agent}", None, "Ana"), "Ana, Ana");
    }

    #[test]
    fn an_unknown_visitor_name_leaves_no_gap() {
        for (text, want) in [
            ("Thank you, {name}!", "Thank you!"),
            ("Hi {name}, how can I help?", "Hi, how can I help?"),
            ("{name}, welcome back", "welcome back"),
            ("Hello {name}", "Hello"),
            ("No variables here.", "No variables here."),
        ] {
            assert_eq!(fill(text, None, "Ana"), want, "{text}");
            assert_eq!(fill(text, Some("  "), "Ana"), want, "blank name: {text}");
        }
    }
}
