//! The frame's root: reads its URL, talks to the loader, loads the channel.

use canal_protocol::{embed, theme::FrameTheme, ErrorCode, VisitorUser};
use leptos::{
    either::{Either, EitherOf3},
    prelude::*,
    task::spawn_local,
};

use super::{ChatWindow, Header};
use crate::{
    api,
    host::{FrameParams, FromHost, HostLink, HostPage, ToHost},
    i18n::{self, tr, Text},
};

/// Reads `channel` and `host` from the frame URL, listens for the loader's `INIT`,
/// `LOCALE` and `USER`, tells the loader it is `READY`, fetches the channel's
/// configuration and shows the [`ChatWindow`] (or a clear error when any of that
/// fails). Provides the language: the host page's (`Canal.setLocale`), else the
/// channel's, else the browser's; it can change at any time.
///
/// The configuration is loaded with `spawn_local` rather than with `LocalResource` +
/// `Suspense`: for a single load the async-derived machinery behind them costs about
/// 12 KB of the frame's 100 KB brotli budget. The window is then mounted once on
/// `<body>`, next to this root, in the language this root provides; the root itself
/// only shows "Loading…" or the error. The branches are `Either`s rather than
/// `.into_any()`: type-erased views cost another 4 KB.
#[component]
pub fn App() -> impl IntoView {
    // Set, not derived: the host page's choice, once made, wins over the channel's.
    let language = RwSignal::new(i18n::pick(None));
    i18n::provide_language(language);
    let host_chose = StoredValue::new(false);
    let speak = move |strings: &'static i18n::Strings| {
        language.try_set(strings);
        i18n::set_document_language(strings);
    };
    speak(language.get_untracked());

    let Some(params) = FrameParams::from_location() else {
        return Either::Left(view! {
            <p class="cn-fatal" data-testid="error" role="alert">{tr(|t| t.err_params)}</p>
        });
    };

    let link = HostLink::new(params.host);
    let (page, set_page) = signal(None::<HostPage>);
    let (user, set_user) = signal(None::<VisitorUser>);
    let listener = link.listen(move |message| match message {
        FromHost::Init(host_page) => set_page.set(Some(host_page)),
        FromHost::User(visitor) => set_user.set(Some(visitor)),
        FromHost::Locale(tag) => {
            host_chose.set_value(true);
            speak(i18n::for_tag(&tag));
        }
    });
    on_cleanup(move || listener.remove());
    link.post(embed::READY);
    let on_close = Callback::new({
        let link = link.clone();
        move |()| link.post(embed::CLOSE)
    });
    let on_host = Callback::new(move |what: ToHost| link.tell(&what));

    let channel = params.channel;
    // `Some(Ok(()))` once the window is mounted.
    let (loaded, set_loaded) = signal(None::<Result<(), api::ApiError>>);
    spawn_local(async move {
        let config = match api::fetch_config(channel.clone()).await {
            Ok(config) => config,
            Err(error) => {
                set_loaded.try_set(Some(Err(error)));
                return;
            }
        };
        paint(&config.theme);
        if !host_chose.try_get_value().unwrap_or(true) {
            speak(i18n::pick(config.locale.as_deref()));
        }
        set_loaded.try_set(Some(Ok(())));
        // Mounted once, beside this root, rather than as a branch of the view
        // below: a branch can be rebuilt, and the rebuild code of the whole window
        // would cost the frame about 2 KB (brotli) it never runs.
        leptos::mount::mount_to_body(move || {
            i18n::provide_language(language);
            view! {
                <ChatWindow
                    channel=channel
                    config=config
                    page=page
                    on_close=on_close
                    on_host=on_host
                    user=user
                />
            }
        });
    });

    Either::Right(move || match loaded.get() {
        None => EitherOf3::A(view! { <p class="cn-fatal" role="status">{tr(|t| t.loading)}</p> }),
        Some(Ok(())) => EitherOf3::B(()),
        Some(Err(error)) => {
            let text: Text = match error {
                api::ApiError::Network => |t| t.err_network,
                e if e.code() == Some(ErrorCode::RateLimited) => |t| t.err_slow_down,
                _ => |t| t.err_unavailable,
            };
            EitherOf3::C(view! {
                <div class="cn-window">
                    <Header title="" on_close=on_close />
                    <p class="cn-fatal" data-testid="error" role="alert">{tr(text)}</p>
                </div>
            })
        }
    })
}

/// Paints the channel's theme on the document's root: `data-theme` (the sheet's
/// light and dark palettes follow it; `auto` leaves them to the system), and the
/// accent and the text colour on it as custom properties through the CSSOM, which
/// no `style-src` policy stops.
fn paint(theme: &FrameTheme) {
    use wasm_bindgen::JsCast;
    let Some(root) = document().document_element() else {
        return;
    };
    let _ = root.set_attribute("data-theme", theme.mode.as_str());
    if let Some(accent) = &theme.accent {
        let style = root.unchecked_ref::<web_sys::HtmlElement>().style();
        let _ = style.set_property("--cn-accent", accent);
        let ink = if theme.on_accent_black {
            "#000"
        } else {
            "#fff"
        };
        let _ = style.set_property("--cn-on-accent", ink);
    }
}
