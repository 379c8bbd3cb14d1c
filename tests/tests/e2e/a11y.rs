//! Accessibility end to end: axe-core runs inside headless Chromium against the launcher on
//! a customer's page, the open chat frame (empty, asking for consent, after a message, with
//! the panel that asks for the transcript by e-mail) and the agent console (sign-in,
//! inbox, an offer, a conversation; an admin's message log and a channel's managers). No
//! violation of impact `serious` or `critical` may remain; each one found is printed with
//! its rule, help text, the elements it names and axe's summary of the fix.
//!
//! axe-core is pinned and installed from npm by `cargo xtask setup --browser` (into
//! `target/npm/`); `cargo xtask test` passes its path as `AXE_CORE_JS`.
//!
//! Also leaves screenshots of a short conversation, phone and desktop sized, in light and
//! dark colour schemes (`target/screenshots/widget-conversation-*.png`, copied into
//! `docs/screenshots/` when they change), for people to look at.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use canal_e2e::smtp::Receiver;
use canal_e2e::{eventually, save_screenshot, visit, Browser, Canal, Console, HostPage, Widget};
use fantoccini::wd::{TimeoutConfiguration, WebDriverCompatibleCommand};
use serde_json::{json, Value};

/// Impacts that fail a test; `moderate` and `minor` ones are only printed.
const FAILING: [&str; 2] = ["critical", "serious"];

/// axe.min.js, read once: `AXE_CORE_JS`, else where `cargo xtask setup --browser` puts it.
fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = std::env::var_os("AXE_CORE_JS")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../target/npm/node_modules/axe-core/axe.min.js")
            });
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing ({}: {e}): run `cargo xtask setup --browser`, which \
                 installs the pinned axe-core from npm into target/npm/ (or point AXE_CORE_JS \
                 at an axe.min.js)",
                path.display()
            )
        })
    })
}

/// One axe rule that failed, with the elements it failed on.
struct Violation {
    id: String,
    impact: String,
    help: String,
    help_url: String,
    /// Each failing element: its selector path (shadow roots joined by ` >> `), its
    /// impact, its HTML and axe's summary of what to fix.
    nodes: Vec<(String, String, String, String)>,
}

impl Violation {
    fn from_json(v: &Value) -> Self {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let nodes = v["nodes"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|n| {
                (
                    selector(&n["target"]),
                    text(&n["impact"]),
                    text(&n["html"]),
                    text(&n["summary"]),
                )
            })
            .collect();
        Self {
            id: text(&v["id"]),
            impact: text(&v["impact"]),
            help: text(&v["help"]),
            help_url: text(&v["helpUrl"]),
            nodes,
        }
    }

    fn fails(&self) -> bool {
        FAILING.contains(&self.impact.as_str())
    }

    /// `serious color-contrast: Elements must meet ... (3 elements)` and the first targets.
    fn describe(&self) -> String {
        let mut out = format!(
            "  {} {}: {} ({} element{}; {})\n",
            self.impact,
            self.id,
            self.help,
            self.nodes.len(),
            if self.nodes.len() == 1 { "" } else { "s" },
            self.help_url
        );
        for (target, impact, html, summary) in self.nodes.iter().take(5) {
            let html: String = html.chars().take(160).collect();
            out += &format!("      {target} [{impact}]  {html}\n");
            // "Fix any of the following:\n  Element has insufficient color contrast of ..."
            let summary = summary
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("Fix "))
                .collect::<Vec<_>>()
                .join("; ");
            if !summary.is_empty() {
                out += &format!("        fix: {summary}\n");
            }
        }
        if self.nodes.len() > 5 {
            out += &format!("      ... and {} more\n", self.nodes.len() - 5);
        }
        out
    }
}

/// axe's node target: a list of selectors, or of lists where shadow roots are crossed.
fn selector(target: &Value) -> String {
    match target {
        Value::Array(parts) => parts
            .iter()
            .map(|p| match p {
                Value::Array(inner) => inner
                    .iter()
                    .map(|s| s.as_str().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(" >>> "),
                other => other.as_str().unwrap_or_default().to_owned(),
            })
            .collect::<Vec<_>>()
            .join(" >> "),
        other => other.to_string(),
    }
}

/// Loads axe into the current document (page or frame) unless it is there already.
async fn inject_axe(browser: &Browser) {
    let loaded = browser
        .js("return typeof window.axe === 'object' && typeof window.axe.run === 'function';")
        .await;
    if loaded == true {
        return;
    }
    // WebDriver scripts run as the browser's, so a page's Content-Security-Policy does not
    // stop them.
    let script = format!(
        "{}\n;return typeof window.axe === 'object' ? window.axe.version : null;",
        axe_source()
    );
    let version = browser
        .client
        .execute(&script, vec![])
        .await
        .unwrap_or_else(|e| panic!("injecting axe-core failed: {e}"));
    assert!(version.is_string(), "axe-core did not load: {version}");
}

/// Runs axe on the current document and returns every violation (all impacts).
async fn run_axe(browser: &Browser, options: Value) -> Vec<Violation> {
    inject_axe(browser).await;
    browser
        .client
        .update_timeouts(TimeoutConfiguration::new(
            Some(Duration::from_secs(60)),
            None,
            None,
        ))
        .await
        .expect("set the script timeout");
    let options = json!({"resultTypes": ["violations"]})
        .as_object()
        .cloned()
        .map(|mut base| {
            if let Value::Object(extra) = options {
                base.extend(extra);
            }
            Value::Object(base)
        })
        .unwrap_or_default();
    let result = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document, arguments[0])\
               .then(r => done({violations: r.violations.map(v => ({\
                   id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,\
                   nodes: v.nodes.map(n => ({target: n.target, impact: n.impact, html: n.html,\
                                          summary: n.failureSummary}))\
               }))}))\
               .catch(e => done({error: String(e && e.stack || e)}));",
            vec![options],
        )
        .await
        .unwrap_or_else(|e| panic!("axe.run did not finish: {e}"));
    assert!(
        result["error"].is_null(),
        "axe.run failed: {}",
        result["error"]
    );
    result["violations"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(Violation::from_json)
        .collect()
}

/// What axe found in each state of a test; fails at the end, after every state was checked.
#[derive(Default)]
struct Audit {
    report: String,
    failing: usize,
}

impl Audit {
    /// Runs axe in the current document and records the result as `state`.
    async fn check(&mut self, browser: &Browser, state: &str) {
        self.check_with(browser, state, json!({})).await;
    }

    async fn check_with(&mut self, browser: &Browser, state: &str, options: Value) {
        let violations = run_axe(browser, options).await;
        let by_impact = ["critical", "serious", "moderate", "minor"]
            .iter()
            .map(|impact| {
                let n = violations.iter().filter(|v| v.impact == *impact).count();
                format!("{n} {impact}")
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut block = format!("{state}: {by_impact}\n");
        for v in &violations {
            block += &v.describe();
        }
        println!("axe: {block}");
        self.failing += violations.iter().filter(|v| v.fails()).count();
        self.report += &block;
    }

    /// Panics when any state had a serious or critical violation, listing all of them.
    fn assert_clean(self) {
        assert!(
            self.failing == 0,
            "axe-core found {} serious or critical violation(s):\n{}",
            self.failing,
            self.report
        );
    }
}

/// A command to Chromium's DevTools through chromedriver (`POST .../goog/cdp/execute`).
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.cmd, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}

async fn cdp(browser: &Browser, cmd: &'static str, params: Value) {
    browser
        .client
        .issue_cmd(Cdp { cmd, params })
        .await
        .unwrap_or_else(|e| panic!("DevTools command {cmd} failed: {e}"));
}

/// Emulates `prefers-color-scheme` for the page and its frames (the chat frame included).
async fn color_scheme(browser: &Browser, scheme: &str) {
    cdp(
        browser,
        "Emulation.setEmulatedMedia",
        json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
    )
    .await;
}

/// A viewport of exactly `width` x `height` CSS pixels (the window's own size includes
/// room for browser UI even when headless). Not `mobile`: the test host page has no
/// viewport meta tag, and a phone would lay it out 980 px wide and zoom out.
async fn viewport(browser: &Browser, width: u32, height: u32) {
    cdp(
        browser,
        "Emulation.setDeviceMetricsOverride",
        json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
    )
    .await;
}

/// In the current document: waits until the emulated size and scheme are in effect.
async fn wait_layout(browser: &Browser, width: u32, scheme: &str) {
    let script = format!(
        "return innerWidth === {width} && matchMedia('(prefers-color-scheme: {scheme})').matches;"
    );
    eventually(&format!("a {width} px wide {scheme} layout"), || async {
        (browser.js(&script).await == true).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_launcher_on_the_host_page_has_no_serious_violations() {
    let (_canal, _host, browser) = visit().await;
    let widget = Widget::new(&browser);
    widget.launcher().await;
    let mut audit = Audit::default();
    audit
        .check(&browser, "host page with the closed launcher")
        .await;
    audit.assert_clean();
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_chat_has_no_serious_violations() {
    let (_canal, _host, browser) = visit().await;
    let widget = Widget::new(&browser);
    widget.open().await;
    let mut audit = Audit::default();
    audit.check(&browser, "chat frame, empty chat").await;

    let text = "Hello! Do you ship to Lisbon?";
    widget.send(text).await;
    widget.find("consent-prompt").await;
    // Behind the modal prompt the rest of the window is inert, so axe sees the dialog only.
    audit.check(&browser, "chat frame, consent prompt").await;

    widget.accept(text).await;
    audit
        .check(&browser, "chat frame, after a message was sent")
        .await;

    color_scheme(&browser, "dark").await;
    wait_layout(&browser, 380, "dark").await;
    audit
        .check(
            &browser,
            "chat frame, after a message was sent, dark colour scheme",
        )
        .await;
    color_scheme(&browser, "light").await;

    // The page around it: the launcher, now a close button, and the frame element itself
    // (its title); the frame's inside was checked above.
    widget.leave().await;
    audit
        .check_with(
            &browser,
            "host page with the chat open (frame contents excluded)",
            json!({"iframes": false}),
        )
        .await;
    audit.assert_clean();
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mail_panel_has_no_serious_violations() {
    let receiver = Receiver::start();
    let canal = Canal::start_with_mail(&[], receiver.options()).await;
    let host = HostPage::start(&canal).await;
    let browser = Browser::open(&host.url).await;
    let widget = Widget::new(&browser);
    widget.start_chat("Hello").await;
    widget
        .find("menu")
        .await
        .click()
        .await
        .expect("open the menu");
    let mut audit = Audit::default();
    audit.check(&browser, "chat frame, menu open").await;
    widget
        .find("menu-mail")
        .await
        .click()
        .await
        .expect("choose e-mail");
    let input = widget.find("mail-input").await;
    audit.check(&browser, "chat frame, e-mail panel").await;
    input.send_keys("eva@shop").await.expect("type");
    widget.find("mail-send").await.click().await.expect("send");
    let refusal = widget.find("mail-error").await;
    eventually("the refusal", || async {
        (!refusal.text().await.ok()?.is_empty()).then_some(())
    })
    .await;
    audit
        .check(&browser, "chat frame, e-mail panel with a refusal")
        .await;
    audit.assert_clean();
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_has_no_serious_violations() {
    let canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/console/", canal.origin()))
        .await
        .expect("open the console");
    let login = Console { browser: &browser };
    login.find("login-email").await;
    login.find("login-submit").await;
    let mut audit = Audit::default();
    audit.check(&browser, "console, sign-in page").await;

    let console = Console::sign_in(&browser, &canal, "ana@shop.example").await;
    console.find("inbox").await;
    audit
        .check(&browser, "console, signed in (empty inbox)")
        .await;

    // A visitor writes; the agent opens the offer, takes it and replies.
    let host = HostPage::start(&canal).await;
    let visitor = Browser::start().await;
    visitor_writes(&host, &visitor, "Is the blue one in stock?").await;
    console
        .wait_item("inbox-offered")
        .await
        .click()
        .await
        .expect("open the offer");
    console.find("take").await;
    audit
        .check(&browser, "console, an offered conversation open")
        .await;
    console.find("take").await.click().await.expect("take");
    console.wait_item("inbox-mine").await;
    console.reply("Yes, three left.").await;
    eventually("the reply in the console", || async {
        console
            .text()
            .await
            .contains("Yes, three left.")
            .then_some(())
    })
    .await;
    audit
        .check(&browser, "console, own conversation after a reply")
        .await;
    color_scheme(&browser, "dark").await;
    eventually("the console in dark colours", || async {
        (browser
            .js("return matchMedia('(prefers-color-scheme: dark)').matches;")
            .await
            == true)
            .then_some(())
    })
    .await;
    audit
        .check(
            &browser,
            "console, own conversation after a reply, dark colour scheme",
        )
        .await;
    audit.assert_clean();
    visitor.close().await;
    browser.close().await;
}

/// An admin's views: the message log, a conversation opened from it, and a channel's
/// page in Settings with its managers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_message_log_reports_and_a_channels_managers_have_no_serious_violations() {
    let canal = Canal::start_with_admin().await;
    let (status, made) = canal
        .admin(
            "POST",
            "/agents",
            &json!({"email": "sam@shop.example", "name": "Sam Super",
                    "password": "a long password", "role": "supervisor"}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let browser = Browser::start().await;
    let console = Console::sign_in(&browser, &canal, "ana@shop.example").await;
    let host = HostPage::start(&canal).await;
    let visitor = Browser::start().await;
    visitor_writes(&host, &visitor, "Is the blue one in stock?").await;
    console.take_offer().await;
    console.reply("Yes, three left.").await;
    let mut audit = Audit::default();

    console.click("log-link", "open the log").await;
    console.find("log-open").await;
    audit.check(&browser, "console, the message log").await;
    console.find("log-open").await.click().await.expect("open");
    console.find("log-conversation").await;
    eventually("the logged conversation's routing log", || async {
        let script = "return !!document.querySelector(\
                      '[data-testid=log-conversation] [data-testid=routing-log-line]');";
        (browser.js(script).await == true).then_some(())
    })
    .await;
    audit
        .check(&browser, "console, a conversation opened from the log")
        .await;

    console.click("settings-link", "open settings").await;
    console.find("channel-manager").await;
    audit
        .check(&browser, "console, a channel's settings with its managers")
        .await;

    console.click("reports-link", "open the reports").await;
    console.find("report-row").await;
    console.find("agent-chart").await;
    audit
        .check(&browser, "console, the reports with an agent's chart")
        .await;
    audit.assert_clean();
    visitor.close().await;
    browser.close().await;
}

/// A channel with its own accent, forced dark with a light accent (black text on it),
/// then forced light with a dark one while the system prefers dark: the launcher and the
/// chat keep their contrast.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_themed_widget_has_no_serious_violations() {
    let canal = Canal::start().await;
    let browser = Browser::start().await;
    let widget = Widget::new(&browser);
    let mut audit = Audit::default();
    let themes = [
        (
            "amber accent, dark",
            json!({"color": "#ffb300", "mode": "dark", "position": "left",
                   "launcher_text": "Ask us anything"}),
        ),
        (
            "raspberry accent, light on a dark system",
            json!({"color": "#c2185b", "mode": "light"}),
        ),
    ];
    for (at, (name, theme)) in themes.into_iter().enumerate() {
        canal.admin_ok("PUT", "/channels/demo/theme", &theme).await;
        let snippet = canal
            .admin_ok("GET", "/channels/demo/snippet", &Value::Null)
            .await;
        let snippet = snippet["html"].as_str().expect("snippet").to_owned();
        let host = HostPage::start_with_snippet(snippet, None).await;
        if at == 1 {
            color_scheme(&browser, "dark").await;
        }
        browser
            .client
            .goto(&host.url)
            .await
            .expect("open host page");
        widget.launcher().await;
        audit
            .check(&browser, &format!("host page, {name}, closed launcher"))
            .await;
        widget.open().await;
        if at == 0 {
            let text = "Hello! Do you ship to Lisbon?";
            widget.send(text).await;
            widget.find("consent-prompt").await;
            audit
                .check(&browser, &format!("chat frame, {name}, consent prompt"))
                .await;
            widget.accept(text).await;
        } else {
            // The conversation resumed from the frame's storage; the system is dark,
            // the channel says light.
            widget.wait_sent("Lisbon").await;
            let painted = browser
                .js("return [document.documentElement.dataset.theme,\
                            getComputedStyle(document.body).backgroundColor,\
                            matchMedia('(prefers-color-scheme: dark)').matches];")
                .await;
            assert_eq!(painted, json!(["light", "rgb(255, 255, 255)", true]));
        }
        audit
            .check(&browser, &format!("chat frame, {name}, after a message"))
            .await;
        widget.leave().await;
    }
    audit.assert_clean();
    browser.close().await;
}

/// A visitor on `host` opens the chat, writes `text`, accepts the agreement and waits until
/// the message is acknowledged; the browser stays inside the chat frame.
async fn visitor_writes(host: &HostPage, browser: &Browser, text: &str) {
    browser
        .client
        .goto(&host.url)
        .await
        .expect("open host page");
    let widget = Widget::new(browser);
    widget.open().await;
    widget.send(text).await;
    widget.accept(text).await;
}

/// A short conversation (visitor, agent, visitor) in the open widget, photographed at
/// phone and desktop sizes in light and dark colour schemes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots_of_a_conversation_in_light_and_dark() {
    let canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    let host = HostPage::start(&canal).await;
    let agent_browser = Browser::start().await;
    let console = Console::sign_in(&agent_browser, &canal, "ana@shop.example").await;

    let browser = Browser::start().await;
    visitor_writes(&host, &browser, "Hello! Do you ship to Lisbon?").await;
    let widget = Widget::new(&browser);

    console.take_offer().await;
    let reply = "Yes, we do: 2 to 3 working days, free over 50 EUR.";
    console.reply(reply).await;
    eventually("the reply in the chat", || async {
        let text = browser.js("return document.body.innerText;").await;
        text.as_str()
            .is_some_and(|t| t.contains(reply) && t.contains("Ana Souza"))
            .then_some(())
    })
    .await;
    let second = "Great, thank you!";
    widget.send(second).await;
    widget.wait_sent(second).await;

    // The frame is 380 px wide on a desktop and the whole viewport on a phone.
    for (size, width, height, frame_width) in
        [("390x844", 390, 844, 390), ("1280x800", 1280, 800, 380)]
    {
        for scheme in ["light", "dark"] {
            widget.leave().await;
            viewport(&browser, width, height).await;
            color_scheme(&browser, scheme).await;
            wait_layout(&browser, width, scheme).await;
            let frame = widget.find_css("#canal-root").await;
            let frame = frame
                .shadow_root()
                .await
                .expect("shadow root")
                .find(fantoccini::Locator::Css("iframe"))
                .await
                .expect("the chat frame");
            frame.enter_frame().await.expect("enter frame");
            wait_layout(&browser, frame_width, scheme).await;
            // The newest message in view, as the visitor would see it.
            widget.find_css("[data-testid=message]").await;
            let png = browser.client.screenshot().await.expect("png");
            save_screenshot(&format!("widget-conversation-{size}-{scheme}.png"), &png);
        }
    }
    browser.close().await;
    agent_browser.close().await;
}
