//! The language machinery of an app; each app keeps its own tables (a `Strings`
//! struct per app, one `static` per language) and names them through [`Table`].
//!
//! The language can change while the app is open: components read the current table
//! from a signal provided as context ([`provide_language`], [`use_strings`]) and draw
//! plain texts with [`tr`], so a switch redraws the texts in place.

use leptos::prelude::*;

/// An app's table of texts for one language.
pub trait Table: Sync + 'static {
    /// BCP 47 tag of this table (`en`, `es`, `ru`), for `<html lang>` and `Intl`.
    fn lang(&self) -> &'static str;
}

/// The primary language subtag of a BCP 47 tag (`es` of `es-MX`, `ru` of `ru_RU`).
pub fn primary(tag: &str) -> &str {
    tag.trim().split(['-', '_']).next().unwrap_or_default()
}

/// The table of `tables` for a BCP 47 tag (`es`, `es-MX`, `RU`, `ru_RU`, ...);
/// `None` for a language the app has no table of.
pub fn for_tag<S: Table>(tables: &[&'static S], tag: &str) -> Option<&'static S> {
    let primary = primary(tag);
    tables
        .iter()
        .find(|table| primary.eq_ignore_ascii_case(table.lang()))
        .copied()
}

/// The browser's preferred language (`navigator.language`); empty outside a browser.
pub fn browser_language() -> String {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| w.navigator().language())
            .unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        String::new()
    }
}

/// Tells the document (`<html lang>`, for screen readers and spelling) its language.
pub fn set_document_language(lang: &str) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", lang);
    }
}

/// The current language of the components inside, as a context.
struct Language<S: 'static>(RwSignal<&'static S>);

impl<S> Clone for Language<S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S> Copy for Language<S> {}

/// Makes `strings` the language of the components inside; setting it switches
/// their texts at once. (A plain signal: a `Signal` wrapper would bring in the
/// code of every kind of signal it can wrap.)
pub fn provide_language<S: Table>(strings: RwSignal<&'static S>) {
    provide_context(Language(strings));
}

/// Whether an enclosing component already provides a language of this app.
pub fn has_language<S: Table>() -> bool {
    use_context::<Language<S>>().is_some()
}

/// The language provided by the enclosing components; `fallback` when there is
/// none (a component mounted alone, as in tests).
pub fn use_strings<S: Table>(fallback: &'static S) -> RwSignal<&'static S> {
    use_context::<Language<S>>().map_or_else(|| RwSignal::new(fallback), |language| language.0)
}

/// `text` in the current language (or `fallback`'s), as a view or an attribute value
/// that follows a change of language. One closure type for every text, so one copy
/// of the code.
pub fn tr<S: Table>(
    fallback: &'static S,
    text: fn(&'static S) -> &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let strings = use_strings(fallback);
    move || text(strings.get())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    struct T(&'static str);
    impl Table for T {
        fn lang(&self) -> &'static str {
            self.0
        }
    }
    static TABLES: [&T; 3] = [&T("en"), &T("es"), &T("ru")];

    #[test]
    fn tags_pick_their_language_and_unknown_ones_none() {
        let lang = |tag| for_tag(&TABLES, tag).map(Table::lang);
        assert_eq!(lang("es-MX"), Some("es"));
        assert_eq!(lang("RU"), Some("ru"));
        assert_eq!(lang(" ru_RU"), Some("ru"));
        assert_eq!(lang("EN"), Some("en"));
        assert_eq!(lang("de-DE"), None);
        assert_eq!(lang(""), None);
        assert_eq!(primary("pt-BR"), "pt");
    }
}
