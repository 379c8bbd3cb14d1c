//! Browser tier for the loader `embed.js` (the host page's side), in headless
//! Chromium: the page's API before and after load, and what the loader does with
//! the frame's messages.
//!
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p canal-widget --target wasm32-unknown-unknown`
//!
//! Each test runs a fresh copy of the loader on the test page, as if the page had
//! the snippet with `data-channel` and a `src` on this origin. The chat frame it
//! inserts loads a page of the test server (not the chat); messages "from the
//! frame" are dispatched with the frame's window as their source.
#![cfg(target_arch = "wasm32")]

use serde_json::{json, Value};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const LOADER: &str = include_str!("../embed.js");
const STUB: &str = "window.Canal=window.Canal||function(){(Canal.q=Canal.q||[]).push(arguments)}";

/// Runs `script` (statements) on the page.
fn js(script: &str) {
    js_sys::eval(script).expect("script");
}

/// Evaluates an expression and returns its JSON.
fn eval(expression: &str) -> Value {
    let value = js_sys::eval(&format!("JSON.stringify({expression})")).expect("eval");
    serde_json::from_str(&value.as_string().unwrap_or_default()).unwrap_or(Value::Null)
}

/// A fresh page state, then `before` (the page's own script), then the loader.
fn load(before: &str) {
    js_sys::eval(&format!(
        r#"(function () {{
            var old = document.getElementById("canal-root");
            if (old) old.remove();
            delete window.Canal;
            document.querySelectorAll("script[data-channel]").forEach(function (s) {{ s.remove(); }});
            var s = document.createElement("script");
            s.type = "text/plain";
            s.setAttribute("data-channel", "demo");
            s.src = location.origin + "/embed.js";
            document.head.appendChild(s);
            document.title = "Shop";
            window.__seen = [];
            {before}
        }})()"#
    ))
    .expect("page script");
    js_sys::eval(LOADER).expect("loader");
    // Test helpers over the loader's shadow root.
    js_sys::eval(
        r#"window.__canal = {
            root: function () { return document.getElementById("canal-root").shadowRoot; },
            frame: function () { return this.root().querySelector("iframe"); },
            state: function () {
                var f = this.frame(), b = this.root().querySelector("[data-testid=canal-unread]");
                var button = this.root().querySelector("[data-testid=canal-launcher]");
                return {open: !!f && !f.hidden, badge: b.hidden ? null : b.textContent,
                        label: button.getAttribute("aria-label"), text: button.textContent,
                        expanded: button.getAttribute("aria-expanded"), title: document.title};
            },
            fromFrame: function (data, origin, source) {
                window.dispatchEvent(new MessageEvent("message", {data: data,
                    origin: origin || location.origin,
                    source: source === undefined ? this.frame().contentWindow : source}));
            }
        };"#,
    )
    .expect("helpers");
}

async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10)
            .expect("timeout");
    });
    JsFuture::from(promise).await.expect("tick");
}

/// Waits (up to 5 s) until `expression` is true.
async fn until(what: &str, expression: &str) {
    for _ in 0..500 {
        if eval(expression) == json!(true) {
            return;
        }
        tick().await;
    }
    panic!("timed out waiting for {what}");
}

fn state() -> Value {
    eval("__canal.state()")
}

#[wasm_bindgen_test]
fn calls_queued_before_load_run_on_load_with_handlers_first() {
    load(&format!(
        "{STUB};
         Canal('open');
         Canal('on', 'open', function () {{ __seen.push('open'); }});
         Canal('setLocale', 'es');
         Canal('no-such-method');
         Canal('on', 'no-such-event', function () {{ __seen.push('never'); }});"
    ));
    assert_eq!(eval("__seen"), json!(["open"]));
    let state = state();
    assert_eq!(state["open"], true);
    assert_eq!(state["expanded"], "true");
    assert_eq!(state["label"], "Chatea con nosotros");
    assert_eq!(eval("__canal.frame().title"), "Ventana de chat");
    assert_eq!(
        eval("typeof Canal.open + typeof Canal.toggle + typeof Canal.q"),
        "functionfunctionundefined"
    );
    let src = eval("__canal.frame().src");
    let expected = format!(
        "/widget/?channel=demo&host={}",
        String::from(js_sys::encode_uri_component(&String::from(
            eval("location.origin").as_str().unwrap_or_default()
        )))
    );
    assert!(
        src.as_str().is_some_and(|s| s.ends_with(&expected)),
        "{src}"
    );
}

#[wasm_bindgen_test]
fn a_page_address_ending_in_canal_chat_opens_the_chat_on_load() {
    // The test page's own address, back as it was before anything is asserted.
    let with_fragment = |fragment: &str| {
        js(&format!("history.replaceState(null, '', '{fragment}');"));
        load(&format!(
            "{STUB}; Canal('on', 'open', function () {{ __seen.push('open'); }});"
        ));
        let seen = (state(), eval("__seen"));
        js("history.replaceState(null, '', location.pathname + location.search);");
        seen
    };
    let (state, seen) = with_fragment("#canal-chat");
    assert_eq!(state["open"], true);
    assert_eq!(state["expanded"], "true");
    assert_eq!(seen, json!(["open"]), "as Canal.open() opens it");
    for other in ["#canal-chat-x", "#chat", "#"] {
        let (state, seen) = with_fragment(other);
        assert_eq!(state["open"], false, "{other}");
        assert_eq!(seen, json!([]), "{other}");
    }
}

#[wasm_bindgen_test]
fn without_the_stub_the_api_is_methods_and_the_function_form() {
    load("");
    assert_eq!(state()["open"], false);
    assert_eq!(state()["label"], "Chat with us");
    js("Canal.on('open', function () { __seen.push('open'); });
        Canal.on('close', function () { __seen.push('close'); });
        Canal.toggle(); Canal.open(); Canal('close'); Canal.close()");
    assert_eq!(
        eval("__seen"),
        json!(["open", "close"]),
        "only changes are events"
    );
    js("var f = function () { __seen.push('again'); };
        Canal.on('open', f); Canal.off('open', f); Canal.open()");
    assert_eq!(eval("__seen"), json!(["open", "close", "open"]));
}

#[wasm_bindgen_test]
fn agent_messages_count_as_unread_while_closed_and_opening_reads_them() {
    load("");
    js("Canal.on('message', function (m) { __seen.push(m); });
        Canal.on('unread', function (n) { __seen.push(n); });
        Canal.open(); Canal.close()");

    // Not from the frame's origin, or not from the frame's window: ignored.
    js("__canal.fromFrame({type: 'canal:message', author: 'agent', seq: 1, text: 'x'}, 'https://evil.example');
        __canal.fromFrame({type: 'canal:message', author: 'agent', seq: 1, text: 'x'}, undefined, window);
        __canal.fromFrame({type: 'canal:message', author: 'agent', seq: 'one'})");
    assert_eq!(eval("__seen"), json!([]));
    assert_eq!(state()["badge"], Value::Null);

    js(
        "__canal.fromFrame({type: 'canal:message', author: 'agent', seq: 5, text: 'Hi there'});
        __canal.fromFrame({type: 'canal:message', author: 'visitor', seq: 6, text: 'my secret'});
        __canal.fromFrame({type: 'canal:message', author: 'system', seq: 7})",
    );
    assert_eq!(
        eval("__seen"),
        json!([
            {"author": "agent", "seq": 5, "text": "Hi there"},
            1,
            {"author": "visitor", "seq": 6},
            {"author": "system", "seq": 7}
        ])
    );
    let closed = state();
    assert_eq!(closed["badge"], "1");
    assert_eq!(closed["title"], "(1) Shop");
    assert_eq!(closed["label"], "Chat with us (1 unread)");

    // The page may change its title meanwhile; the count stays in front.
    js("document.title = 'Cart';
        __canal.fromFrame({type: 'canal:message', author: 'agent', seq: 8, text: 'Still there?'})");
    assert_eq!(state()["title"], "(2) Cart");
    assert_eq!(state()["badge"], "2");

    js("__seen.length = 0; Canal.open()");
    let open = state();
    assert_eq!(open["badge"], Value::Null);
    assert_eq!(open["title"], "Cart");
    assert_eq!(open["label"], "Chat with us");
    assert_eq!(eval("__seen"), json!([0]));

    // Read as it arrives while the window is open.
    js("__canal.fromFrame({type: 'canal:message', author: 'agent', seq: 9, text: 'Here'})");
    assert_eq!(state()["badge"], Value::Null);
    assert_eq!(
        eval("__seen.length"),
        json!(2),
        "the message, no unread change"
    );
}

#[wasm_bindgen_test]
fn consent_and_close_from_the_frame_reach_the_page() {
    load("");
    js(
        "Canal.on('consent', function (x) { __seen.push(['consent', x === undefined]); });
        Canal.on('close', function () { __seen.push('close'); });
        Canal.open();
        __canal.fromFrame({type: 'canal:consent'});
        __canal.fromFrame({type: 'canal:close'})",
    );
    assert_eq!(eval("__seen"), json!([["consent", true], "close"]));
    assert_eq!(state()["open"], false);
    assert_eq!(state()["expanded"], "false");
}

#[wasm_bindgen_test]
async fn ready_is_answered_with_init_and_the_chosen_locale() {
    load(&format!("{STUB}; Canal('setLocale', 'ru')"));
    assert_eq!(state()["text"], "Чат");
    js("Canal.open()");
    // The frame's own page has loaded (a page of the test server); record what the
    // loader posts to it, and with which target origin.
    until(
        "the frame to load",
        "(function (f) { try { return f.contentDocument.readyState === 'complete'
            && f.contentWindow.location.href !== 'about:blank'; } catch (e) { return false; } })(__canal.frame())",
    )
    .await;
    js("var w = __canal.frame().contentWindow; w.__posted = [];
        w.postMessage = function (m, o) { w.__posted.push([m, o]); };
        __canal.fromFrame({type: 'canal:ready'})");
    let origin = eval("location.origin");
    let page_url = eval("location.href");
    assert_eq!(
        eval("__canal.frame().contentWindow.__posted"),
        json!([
            [{"type": "canal:init", "page_url": page_url, "utm": {}}, origin],
            [{"type": "canal:locale", "locale": "ru"}, origin]
        ])
    );
    // Later choices go at once; malformed ones not at all.
    js("__canal.frame().contentWindow.__posted.length = 0;
        Canal.setLocale('es'); Canal.setLocale('<b>'); Canal.setLocale(7)");
    assert_eq!(
        eval("__canal.frame().contentWindow.__posted"),
        json!([[{"type": "canal:locale", "locale": "es"}, origin]])
    );
    assert_eq!(state()["label"], "Chatea con nosotros");
}

#[wasm_bindgen_test]
fn a_second_copy_of_the_loader_changes_nothing() {
    load("");
    js("Canal.on('open', function () { __seen.push('open'); })");
    js_sys::eval(LOADER).expect("second copy");
    js("Canal.open()");
    assert_eq!(eval("__seen"), json!(["open"]));
    assert_eq!(
        eval("document.querySelectorAll('#canal-root').length"),
        json!(1)
    );
}

#[wasm_bindgen_test]
async fn set_user_is_kept_and_given_to_the_frame_on_ready_and_on_each_call() {
    load(&format!(
        "{STUB}; Canal('setUser', {{id: 42, name: 'Marta', email: 'm@example.com',
            phone: 7, hash: 'ab', time: 1790000000, admin: true}})"
    ));
    js("Canal.open()");
    until(
        "the frame to load",
        "(function (f) { try { return f.contentDocument.readyState === 'complete'
            && f.contentWindow.location.href !== 'about:blank'; } catch (e) { return false; } })(__canal.frame())",
    )
    .await;
    js("var w = __canal.frame().contentWindow; w.__posted = [];
        w.postMessage = function (m, o) { w.__posted.push([m, o]); };
        __canal.fromFrame({type: 'canal:ready'})");
    let origin = eval("location.origin");
    let posted = eval("__canal.frame().contentWindow.__posted");
    assert_eq!(
        posted[1],
        json!([{"type": "canal:user", "user": {"id": "42", "name": "Marta",
                "email": "m@example.com", "hash": "ab", "time": 1790000000}}, origin]),
        "only the known fields, of the right types: {posted}"
    );
    // A later call goes at once; malformed ones not at all.
    js("__canal.frame().contentWindow.__posted.length = 0;
        Canal.setUser({id: 'u-7', time: -1}); Canal.setUser(null); Canal.setUser({name: 'x'});
        Canal.setUser('u-8')");
    assert_eq!(
        eval("__canal.frame().contentWindow.__posted"),
        json!([[{"type": "canal:user", "user": {"id": "u-7"}}, origin]])
    );
}

#[wasm_bindgen_test]
fn redirects_are_followed_only_from_the_frame_and_only_to_http() {
    load("");
    js("Canal.open()");
    let before = eval("location.href");
    // From another origin, or not http(s): the page stays where it is.
    js("__canal.fromFrame({type: 'canal:redirect', url: 'https://evil.example/'}, 'https://evil.example');
        __canal.fromFrame({type: 'canal:redirect', url: 'javascript:__seen.push(1)'});
        __canal.fromFrame({type: 'canal:redirect', url: 'data:text/html,x'});
        __canal.fromFrame({type: 'canal:redirect', url: 42});
        __canal.fromFrame({type: 'canal:redirect'})");
    assert_eq!(eval("location.href"), before);
    assert_eq!(eval("__seen"), json!([]));
}

/// The launcher's look: its computed colours, its distance from the viewport's
/// left and right edges, its texts, and the rules of its sheet for the window
/// (whatever the test browser's width and colour scheme).
fn look() -> Value {
    eval(
        r#"(function () {
            var root = __canal.root(), button = root.querySelector("button");
            var style = getComputedStyle(button), box = button.getBoundingClientRect();
            var sheets = root.adoptedStyleSheets || [], styles = root.querySelectorAll("style");
            var sheet = sheets.length ? sheets[0] : styles[0].sheet, frame = {}, dark = null;
            [].forEach.call(sheet.cssRules, function (rule) {
                if (rule.selectorText === "iframe" && rule.style.position === "fixed") {
                    frame = {left: rule.style.left, right: rule.style.right};
                } else if (rule.selectorText === "iframe") {
                    dark = rule.style.backgroundColor;
                } else if (rule.media && rule.media.mediaText === "(prefers-color-scheme: dark)") {
                    dark = "auto: " + rule.cssRules[0].style.backgroundColor;
                }
            });
            return {background: style.backgroundColor, color: style.color,
                    left: Math.round(box.left),
                    right: Math.round(document.documentElement.clientWidth - box.right),
                    text: button.textContent, label: button.getAttribute("aria-label"),
                    adopted: sheets.length, styles: styles.length,
                    frame: frame, dark_frame: dark};
        })()"#,
    )
}

/// The page's snippet with these `data-` attributes.
fn load_with(attributes: &[(&str, &str)]) {
    let set: String = attributes
        .iter()
        .map(|(name, value)| {
            format!(
                "s.setAttribute({}, {});",
                Value::from(format!("data-{name}")),
                Value::from(*value)
            )
        })
        .collect();
    load(&set);
}

#[wasm_bindgen_test]
fn the_snippet_s_attributes_style_the_launcher_and_the_window() {
    load_with(&[
        ("color", "#C2185B"),
        ("position", "left"),
        ("launcher-text", "  Ask us anything  "),
        ("theme", "dark"),
    ]);
    let themed = look();
    assert_eq!(themed["background"], "rgb(194, 24, 91)", "{themed}");
    assert_eq!(
        themed["color"], "rgb(255, 255, 255)",
        "white on a dark accent"
    );
    assert_eq!(themed["left"], 20, "on the left: {themed}");
    assert_eq!(themed["text"], "Ask us anything");
    assert_eq!(
        themed["label"], "Ask us anything",
        "the name holds the text"
    );
    // A constructed sheet, no <style> element (which a strict CSP would refuse).
    assert_eq!(
        (&themed["adopted"], &themed["styles"]),
        (&json!(1), &json!(0))
    );
    assert_eq!(
        themed["frame"],
        json!({"left": "20px", "right": ""}),
        "the window on the same side"
    );
    assert_eq!(
        themed["dark_frame"], "rgb(23, 25, 28)",
        "dark until it paints"
    );
    // The unread count still follows the custom text.
    js("Canal.open(); Canal.close();
        __canal.fromFrame({type: 'canal:message', author: 'agent', seq: 1, text: 'x'})");
    assert_eq!(state()["label"], "Ask us anything (1 unread)");

    // A light accent gets black text; auto follows the system for the window.
    load_with(&[("color", "#ffcc00"), ("theme", "auto")]);
    let light = look();
    assert_eq!(light["color"], "rgb(0, 0, 0)", "black on a light accent");
    assert_eq!(light["dark_frame"], "auto: rgb(23, 25, 28)", "{light}");
    load_with(&[("theme", "light")]);
    assert_eq!(look()["dark_frame"], Value::Null, "light: never dark");
}

#[wasm_bindgen_test]
fn bad_attribute_values_are_ignored() {
    load("");
    let default = look();
    assert_eq!(default["background"], "rgb(31, 95, 209)");
    assert_eq!(default["color"], "rgb(255, 255, 255)");
    assert_eq!(default["right"], 20, "{default}");
    assert_eq!(default["text"], "Chat");
    assert_eq!(default["label"], "Chat with us");
    assert_eq!(default["frame"], json!({"left": "", "right": "20px"}));
    assert_eq!(default["dark_frame"], "auto: rgb(23, 25, 28)");
    let forty_one = "я".repeat(41);
    for attributes in [
        [("color", "red")],
        [("color", "#12345")],
        [("color", "#1234567")],
        [("color", "#12345g")],
        [("color", "123456")],
        [("color", "#123456;background:url(x)")],
        [("color", "")],
        [("position", "middle")],
        [("position", "LEFT")],
        [("position", "left;top:0")],
        [("launcher-text", "")],
        [("launcher-text", "   ")],
        [("launcher-text", &forty_one)],
        [("launcher-text", "two\nlines")],
        [("launcher-text", "bell\u{7}")],
        [("launcher-text", "ab\u{202e}cd")],
        [("theme", "sepia")],
        [("theme", "DARK")],
    ] {
        load_with(&attributes);
        assert_eq!(look(), default, "{attributes:?}");
    }
    // Forty characters (not UTF-16 units) are fine.
    let forty = "😀".repeat(40);
    load_with(&[("launcher-text", &forty)]);
    assert_eq!(look()["text"], forty);
}

#[wasm_bindgen_test]
fn without_constructed_sheets_the_launcher_gets_a_style_element() {
    js("window.__adopted = Object.getOwnPropertyDescriptor(ShadowRoot.prototype, 'adoptedStyleSheets');
        delete ShadowRoot.prototype.adoptedStyleSheets;");
    load_with(&[("color", "#c2185b"), ("position", "left")]);
    let fallback = look();
    js("Object.defineProperty(ShadowRoot.prototype, 'adoptedStyleSheets', window.__adopted)");
    assert_eq!(
        (&fallback["adopted"], &fallback["styles"]),
        (&json!(0), &json!(1)),
        "{fallback}"
    );
    assert_eq!(fallback["background"], "rgb(194, 24, 91)");
    assert_eq!(fallback["left"], 20);
}

/// Replaces Web Audio with a recorder of the tones played.
const FAKE_AUDIO: &str = "window.__tones = [];
    window.AudioContext = function () { this.currentTime = 0; this.destination = {}; };
    AudioContext.prototype.createGain = function () {
        return {gain: {setValueAtTime: function () {}, exponentialRampToValueAtTime: function () {}},
                connect: function () {}};
    };
    AudioContext.prototype.createOscillator = function () {
        var tones = [];
        return {frequency: {setValueAtTime: function (f) { tones.push(f); }},
                connect: function () {}, start: function () { __tones.push(tones); },
                stop: function () {}};
    };";

#[wasm_bindgen_test]
fn an_agent_message_the_visitor_is_not_watching_chimes_unless_the_snippet_says_off() {
    load(FAKE_AUDIO);
    js("Canal.open(); Canal.close();
        __canal.fromFrame({type: 'canal:message', author: 'agent', seq: 1, text: 'Hi'});
        __canal.fromFrame({type: 'canal:message', author: 'visitor', seq: 2});
        __canal.fromFrame({type: 'canal:message', author: 'system', seq: 3})");
    assert_eq!(
        eval("__tones"),
        json!([[880, 660]]),
        "one chime, for the agent only"
    );
    js("Canal.open();
        __canal.fromFrame({type: 'canal:message', author: 'agent', seq: 4, text: 'Watched'})");
    assert_eq!(eval("__tones.length"), json!(1), "no chime while watched");

    load(&format!(
        "{FAKE_AUDIO} s.setAttribute('data-sound', 'off');"
    ));
    js("Canal.open(); Canal.close();
        __canal.fromFrame({type: 'canal:message', author: 'agent', seq: 1, text: 'Hi'})");
    assert_eq!(eval("__tones"), json!([]));
    assert_eq!(state()["badge"], "1", "still counted as unread");
}
