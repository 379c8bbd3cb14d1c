/*! Canal chat loader. Paste on a page:
 *  <script async src="https://CANAL-ORIGIN/embed.js" data-channel="KEY"></script>
 * Until the visitor opens the chat it only draws the launcher button: no cookie, no
 * storage, no request, no frame. Opening inserts the chat frame from the Canal origin
 * and tells it the page URL and UTM parameters (see canal_protocol::embed). */
(function () {
  "use strict";
  var d = document, w = window;
  if (w.Canal || d.getElementById("canal-root")) return;

  // This script's element: document.currentScript, else the first script whose src
  // ends in /embed.js and has a data-channel.
  var me = d.currentScript;
  if (!me || !me.getAttribute("data-channel")) {
    me = null;
    var all = d.querySelectorAll("script[data-channel]");
    for (var i = 0; i < all.length && !me; i++) {
      if (/\/embed\.js([?#]|$)/.test(all[i].src)) me = all[i];
    }
  }
  if (!me) return;
  var channel = me.getAttribute("data-channel");
  var origin;
  try { origin = new URL(me.src).origin; } catch (e) { return; }
  if (!channel || !/^https?:/.test(origin)) return;

  var READY = "canal:ready", INIT = "canal:init", CLOSE = "canal:close";
  var CSS =
    ":host{all:initial}" +
    "button{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;" +
    "align-items:center;gap:8px;height:56px;padding:0 20px 0 16px;border:0;" +
    "border-radius:28px;background:#1f5fd1;color:#fff;font:600 15px system-ui,sans-serif;" +
    "box-shadow:0 4px 16px rgba(0,0,0,.25);cursor:pointer}" +
    "button:hover{background:#1a51b3}" +
    "button:focus-visible{outline:3px solid #1f5fd1;outline-offset:3px}" +
    "iframe{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:380px;" +
    "height:600px;max-width:calc(100vw - 40px);max-height:calc(100vh - 108px);border:0;" +
    "border-radius:14px;background:#fff;box-shadow:0 8px 32px rgba(0,0,0,.25)}" +
    "iframe[hidden]{display:none}" +
    "@media (max-width:640px){iframe{inset:0;width:100%;height:100%;max-width:none;" +
    "max-height:none;border-radius:0}}";

  var host, button, frame;

  function draw() {
    host = d.createElement("div");
    host.id = "canal-root";
    var root = host.attachShadow({ mode: "open" });
    var style = d.createElement("style");
    style.textContent = CSS;
    button = d.createElement("button");
    button.type = "button";
    button.setAttribute("data-testid", "canal-launcher");
    button.setAttribute("aria-label", "Chat with us");
    button.setAttribute("aria-expanded", "false");
    button.innerHTML =
      '<svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" ' +
      'd="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>' +
      "<span>Chat</span>";
    button.addEventListener("click", toggle);
    root.appendChild(style);
    root.appendChild(button);
    d.body.appendChild(host);
  }

  function utm() {
    var q = new URLSearchParams(location.search), out = {};
    ["source", "medium", "campaign", "content", "term"].forEach(function (k) {
      var v = q.get("utm_" + k);
      if (v) out[k] = v;
    });
    return out;
  }

  function onMessage(e) {
    if (!frame || e.origin !== origin || e.source !== frame.contentWindow) return;
    var type = e.data && e.data.type;
    if (type === READY) {
      frame.contentWindow.postMessage(
        { type: INIT, page_url: location.href, utm: utm() },
        origin
      );
    } else if (type === CLOSE) {
      close();
      button.focus();
    }
  }

  function open() {
    if (!frame) {
      w.addEventListener("message", onMessage);
      frame = d.createElement("iframe");
      frame.title = "Chat window";
      frame.src =
        origin + "/widget/?channel=" + encodeURIComponent(channel) +
        "&host=" + encodeURIComponent(location.origin);
      host.shadowRoot.appendChild(frame);
    }
    frame.hidden = false;
    button.setAttribute("aria-expanded", "true");
    frame.focus();
  }

  function close() {
    if (!frame) return;
    frame.hidden = true;
    button.setAttribute("aria-expanded", "false");
  }

  function toggle() {
    if (frame && !frame.hidden) close(); else open();
  }

  // Draws the launcher once <body> exists; says whether it is there.
  function start() {
    if (!host && d.body) draw();
    return !!host;
  }

  // The page's API: Canal.open(), Canal.close(), Canal.toggle().
  w.Canal = {
    open: function () { if (start()) open(); },
    close: close,
    toggle: function () { if (start()) toggle(); }
  };
  if (d.body) start(); else d.addEventListener("DOMContentLoaded", start);
})();
