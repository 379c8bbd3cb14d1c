//! The wasm tests' fake browser (feature `fake`, tests only): `fetch` and `WebSocket`
//! replaced with fakes that record what an app does and answer as a test says, so
//! a test checks exactly which requests and frames the app makes.
//!
//! Everything is on `window.__canal`:
//! - `responses`: a URL suffix, or a method, a space and a URL suffix
//!   (`"POST /api/v1/admin/agents"`), to `{status, body}` (`body: null` for an empty
//!   answer such as 204); the first key that matches answers, anything else is a 404.
//! - `requests`: each request as `{url, method, credentials, content_type, body}`, the
//!   URL as the app wrote it (relative to the page's origin), the body parsed as JSON.
//! - `sockets`: each socket opened; `sent` holds the frames it was given but typing
//!   frames (which come and go with a draft), `frames` all of them, in order. A test
//!   drives it: `open()`, `deliver(frame)`, `drop()` (the server closes it).

/// Installs the fakes with these `responses` (a JSON object, see the module).
pub fn install(responses: &str) {
    let script = format!(
        r#"(function () {{
            var fake = {{ requests: [], sockets: [], responses: {responses} }};
            window.__canal = fake;
            window.fetch = function (input, init) {{
                var request = new Request(input, init);
                var url = request.url;
                if (url.indexOf(location.origin) === 0) url = url.slice(location.origin.length);
                var method = request.method;
                var record = {{
                    url: url,
                    method: method,
                    credentials: request.credentials,
                    content_type: request.headers.get("content-type"),
                    body: null
                }};
                fake.requests.push(record);
                return request.text().then(function (text) {{
                    record.body = text ? JSON.parse(text) : null;
                    for (var key in fake.responses) {{
                        var space = key.indexOf(" ");
                        var wanted = space > 0 ? key.slice(0, space) : method;
                        var suffix = space > 0 ? key.slice(space + 1) : key;
                        if (wanted === method && url.endsWith(suffix)) {{
                            var r = fake.responses[key];
                            var body = r.body === null ? null : JSON.stringify(r.body);
                            return new Response(body, {{ status: r.status }});
                        }}
                    }}
                    return new Response(
                        '{{"error":{{"code":"not_found","message":"no route"}}}}', {{ status: 404 }});
                }});
            }};
            class FakeSocket extends EventTarget {{
                constructor(url) {{
                    super();
                    this.url = url; this.sent = []; this.frames = []; this.readyState = 0;
                    this.created_at = Date.now();
                    fake.sockets.push(this);
                }}
                send(text) {{
                    var frame = JSON.parse(text);
                    this.frames.push(frame);
                    if (frame.type !== "typing") this.sent.push(frame);
                }}
                close() {{ this.readyState = 3; }}
                open() {{ this.readyState = 1; this.dispatchEvent(new Event("open")); }}
                deliver(frame) {{
                    this.dispatchEvent(new MessageEvent("message", {{ data: JSON.stringify(frame) }}));
                }}
                drop() {{ this.readyState = 3; this.dispatchEvent(new CloseEvent("close")); }}
            }}
            window.WebSocket = FakeSocket;
        }})()"#
    );
    if js_sys::eval(&script).is_err() {
        panic!("the fakes did not install");
    }
}

/// A JS expression over the fakes, as JSON text (`"null"` when it has none).
pub fn json(expression: &str) -> String {
    js_sys::eval(&format!("JSON.stringify({expression})"))
        .ok()
        .and_then(|value| value.as_string())
        .unwrap_or_else(|| "null".to_owned())
}

/// Runs a JS statement over the fakes (`window.__canal.sockets[0].open()`).
pub fn run(statement: &str) {
    if let Err(error) = js_sys::eval(statement) {
        panic!("{statement}: {error:?}");
    }
}
