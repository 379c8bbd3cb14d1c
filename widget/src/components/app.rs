//! The frame's root: reads its URL, talks to the loader, loads the channel.

use canal_protocol::{embed, ChannelConfig};
use leptos::{prelude::*, task::spawn_local};

use super::{ChatWindow, Header};
use crate::{
    api,
    host::{FrameParams, HostLink, HostPage},
    i18n,
};

/// Reads `channel` and `host` from the frame URL, listens for the loader's `INIT`,
/// tells the loader it is `READY`, fetches the channel's configuration and shows the
/// [`ChatWindow`] (or a clear error when any of that fails).
///
/// The configuration is loaded with `spawn_local` into a signal rather than with
/// `LocalResource` + `Suspense`: for a single load the async-derived machinery behind
/// them costs about 12 KB of the frame's 100 KB brotli budget.
#[component]
pub fn App() -> impl IntoView {
    let t = i18n::pick(None);
    let Some(params) = FrameParams::from_location() else {
        return view! { <p class="cn-fatal" data-testid="error" role="alert">{t.err_params}</p> }
            .into_any();
    };

    let link = HostLink::new(params.host);
    let (page, set_page) = signal(None::<HostPage>);
    let listener = link.listen(move |host_page| set_page.set(Some(host_page)));
    on_cleanup(move || listener.remove());
    link.post(embed::READY);
    let on_close = Callback::new(move |()| link.post(embed::CLOSE));

    let channel = params.channel;
    let (config, set_config) = signal(None::<Result<ChannelConfig, api::ApiError>>);
    spawn_local({
        let channel = channel.clone();
        async move {
            let loaded = api::fetch_config(channel).await;
            set_config.try_set(Some(loaded));
        }
    });

    (move || match config.get() {
        None => view! { <p class="cn-fatal" role="status">{t.loading}</p> }.into_any(),
        Some(Ok(config)) => view! {
            <ChatWindow channel=channel.clone() config=config page=page on_close=on_close />
        }
        .into_any(),
        Some(Err(error)) => {
            let text = match error {
                api::ApiError::Network => t.err_network,
                _ => t.err_unavailable,
            };
            view! {
                <div class="cn-window">
                    <Header title="" on_close=on_close />
                    <p class="cn-fatal" data-testid="error" role="alert">{text}</p>
                </div>
            }
            .into_any()
        }
    })
    .into_any()
}
