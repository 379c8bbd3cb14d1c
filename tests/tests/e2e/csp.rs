//! A customer's site with a strict Content-Security-Policy: no `unsafe-inline`, no
//! `unsafe-eval`, scripts and frames only from Canal's origin. The widget must work
//! there all the same: launcher, frame, consent and a delivered message.

use canal_e2e::{Browser, Canal, HostPage, Widget};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_works_on_a_page_with_a_strict_csp() {
    let canal = Canal::start().await;
    let origin = canal.origin();
    let csp =
        format!("script-src {origin}; frame-src {origin}; object-src 'none'; base-uri 'none'");
    let host = HostPage::start_with_csp(&canal, Some(csp)).await;
    let browser = Browser::open(&host.url).await;
    // The page really is strict: its own inline script is refused.
    let inline_ran = browser
        .js(
            "const s = document.createElement('script'); s.textContent = 'window.__inline = 1';\
             document.body.appendChild(s); return window.__inline === 1;",
        )
        .await;
    assert_eq!(inline_ran, false, "the CSP blocks inline scripts");

    let widget = Widget::new(&browser);
    let text = "Hello from a strict page";
    widget.start_chat(text).await;
    assert_eq!(canal.count("consents").await, 1);
    assert_eq!(canal.count("messages").await, 1);
    browser.close().await;
}

/// The frame document's own policy: Canal's files and the start-up script by hash
/// only, no inline or eval'd code, connections to Canal only. A whole chat runs under
/// it without one violation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_frame_runs_a_chat_under_its_own_strict_policy_without_violations() {
    let (canal, _host, browser) = canal_e2e::visit().await;
    let widget = Widget::new(&browser);
    widget.open().await;
    let policy = browser
        .js("return await fetch(location.href).then(function (r) { \
               return r.headers.get('content-security-policy'); });")
        .await;
    let policy = policy.as_str().unwrap_or_default().to_owned();
    for directive in [
        "default-src 'none'",
        "script-src 'self' 'sha256-",
        "'wasm-unsafe-eval'",
        "style-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("unsafe-inline") && !policy.contains("'unsafe-eval'"));
    // Violations since the frame document started, not only from now on: a
    // buffered ReportingObserver also receives the reports queued before it.
    browser
        .js("window.__violations = []; new ReportingObserver(function (reports) { \
               reports.forEach(function (r) { \
                 window.__violations.push(r.body.effectiveDirective + ' ' + r.body.blockedURL); }); \
             }, {types: ['csp-violation'], buffered: true}).observe(); return true;")
        .await;
    // The stylesheet applies, and a whole chat (fetch, socket) works.
    let display = browser
        .js("return getComputedStyle(document.querySelector('.cn-window')).display;")
        .await;
    assert_eq!(display, "flex");
    widget.send("Hello under a strict frame policy").await;
    widget.accept("Hello under a strict frame policy").await;
    assert_eq!(canal.count("messages").await, 1);
    // One deliberate violation (an inline script) shows the watch works; it must
    // be the only one, from start-up to now.
    browser
        .js(
            "var s = document.createElement('script'); s.textContent = 'window.__ran = 1'; \
             document.body.appendChild(s); return true;",
        )
        .await;
    let violations = canal_e2e::eventually("the deliberate violation to be reported", || async {
        let seen = browser.js("return window.__violations;").await;
        let seen: Vec<String> = serde_json::from_value(seen).ok()?;
        seen.iter().any(|v| v.ends_with(" inline")).then_some(seen)
    })
    .await;
    assert_eq!(
        violations,
        ["script-src-elem inline"],
        "no policy violation but the deliberate one"
    );

    // The console's document has the same policy, and is never framed.
    browser
        .client
        .goto(&format!("{}/console/", canal.origin()))
        .await
        .expect("open the console");
    let policy = browser
        .js("return await fetch(location.href).then(function (r) { \
               return r.headers.get('content-security-policy'); });")
        .await;
    let policy = policy.as_str().unwrap_or_default();
    assert!(
        policy.starts_with("default-src 'none'; script-src 'self' 'sha256-")
            && policy.ends_with("; frame-ancestors 'none'"),
        "{policy}"
    );
    browser.close().await;
}
