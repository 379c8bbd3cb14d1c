/*! Canal chat loader. Paste on a page (the first line is optional; see README):
 *  <script>window.Canal=window.Canal||function(){(Canal.q=Canal.q||[]).push(arguments)}</script>
 *  <script async src="https://CANAL-ORIGIN/embed.js" data-channel="KEY"></script>
 * Optional: data-color, data-position, data-launcher-text, data-theme (see README).
 * API: Canal.open(), close(), toggle(), setLocale(code), setUser({id, name, email, phone,
 * hash, time}), on(event, fn), off(event, fn);
 * before load, Canal("open"), Canal("on", "message", fn) ... queue up and run on load.
 * A page address ending in #canal-chat opens the chat on load.
 * Until the visitor opens the chat it only draws the launcher button: no cookie, no
 * storage, no request, no frame. Opening inserts the chat frame from the Canal origin
 * and tells it the page URL and UTM parameters (see canal_protocol::embed). */
(function () {
  "use strict";
  var d = document, w = window, stub = w.Canal;
  if ((stub && stub.open) || d.getElementById("canal-root")) return;

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

  // Frame <-> loader messages: canal_protocol::embed, and canal_widget::host::messages.
  var READY = "canal:ready", INIT = "canal:init", CLOSE = "canal:close",
    LOCALE = "canal:locale", MESSAGE = "canal:message", CONSENT = "canal:consent",
    USER = "canal:user", REDIRECT = "canal:redirect";
  // The look; an invalid value keeps the default.
  function attr(name, valid) {
    var v = me.getAttribute("data-" + name);
    return v && valid.test(v) ? v : "";
  }
  var color = attr("color", /^#[0-9a-f]{6}$/i) || "#1f5fd1",
    side = attr("position", /^(left|right)$/) || "right",
    mode = attr("theme", /^(auto|light|dark)$/) || "auto",
    caption = (me.getAttribute("data-launcher-text") || "").trim(),
    // A short chime for an agent's message the visitor is not watching; data-sound="off"
    // keeps the page silent.
    sound = me.getAttribute("data-sound") != "off", audio;
  if (Array.from(caption).length > 40 ||
      /[\0-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(caption)) caption = "";
  // Black or white text, whichever contrasts more with the accent (WCAG).
  var lum = 0;
  [.2126, .7152, .0722].forEach(function (weight, i) {
    var c = parseInt(color.substr(1 + 2 * i, 2), 16) / 255;
    lum += weight * (c <= .04045 ? c / 12.92 : Math.pow((c + .055) / 1.055, 2.4));
  });
  var ink = (lum + .05) * (lum + .05) < .0525 ? "#fff" : "#000",
    paper = "iframe{background:#17191c}";
  var CSS =
    ":host{all:initial}" +
    "button{position:fixed;" + side + ":20px;bottom:20px;z-index:2147483000;display:flex;" +
    "align-items:center;gap:8px;height:56px;padding:0 20px 0 16px;border:0;" +
    "border-radius:28px;background:" + color + ";color:" + ink + ";font:600 15px system-ui,sans-serif;" +
    "box-shadow:0 4px 16px rgba(0,0,0,.25);cursor:pointer}" +
    "button:hover{background-image:linear-gradient(rgba(0,0,0,.15),rgba(0,0,0,.15))}" +
    "button:focus-visible{outline:3px solid " + color + ";outline-offset:3px}" +
    "b{position:absolute;top:-6px;right:-6px;min-width:22px;height:22px;padding:0 6px;" +
    "box-sizing:border-box;border-radius:11px;background:#c5221f;color:#fff;" +
    "font:700 12px/22px system-ui,sans-serif;text-align:center}" +
    "[hidden]{display:none}" +
    "iframe{position:fixed;" + side + ":20px;bottom:88px;z-index:2147483000;width:380px;" +
    "height:600px;max-width:calc(100vw - 40px);max-height:calc(100vh - 108px);border:0;" +
    "border-radius:14px;background:#fff;box-shadow:0 8px 32px rgba(0,0,0,.25)}" +
    // The frame's background until it paints itself.
    (mode == "dark" ? paper : mode == "auto" ? "@media (prefers-color-scheme:dark){" + paper + "}" : "") +
    "@media (max-width:640px){iframe{inset:0;width:100%;height:100%;max-width:none;" +
    "max-height:none;border-radius:0}}";
  // Launcher texts: [button, its label, frame title, "unread"], per language.
  var TEXTS = {
    en: ["Chat", "Chat with us", "Chat window", "unread"],
    es: ["Chat", "Chatea con nosotros", "Ventana de chat", "sin leer"],
    ru: ["Чат", "Напишите нам", "Окно чата", "непрочитанных"]
  };

  var host, button, label, badge, frame, ready, locale, user, unread = 0, titled = "";
  var handlers = { open: [], close: [], message: [], consent: [], unread: [] };
  var waiting = []; // calls made before <body> existed

  function texts() {
    var lang = String(locale).split(/[-_]/)[0].toLowerCase();
    return TEXTS.hasOwnProperty(lang) ? TEXTS[lang] : TEXTS.en;
  }

  // Calls the page's handlers; one that throws does not stop the others or us.
  function emit(event, data) {
    handlers[event].slice().forEach(function (fn) {
      try { fn(data); } catch (e) { setTimeout(function () { throw e; }); }
    });
  }

  function draw() {
    host = d.createElement("div");
    host.id = "canal-root";
    var root = host.attachShadow({ mode: "open" }), sheet;
    // A constructed sheet passes a CSP without 'unsafe-inline' in style-src; a
    // <style> element (which would not) only where there is none.
    try {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    } catch (e) {}
    if (sheet && root.adoptedStyleSheets) {
      root.adoptedStyleSheets = [sheet];
    } else {
      sheet = d.createElement("style");
      sheet.textContent = CSS;
      root.appendChild(sheet);
    }
    button = d.createElement("button");
    button.type = "button";
    button.setAttribute("data-testid", "canal-launcher");
    button.setAttribute("aria-expanded", "false");
    button.innerHTML =
      '<svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" ' +
      'd="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>' +
      '<span></span><b data-testid="canal-unread" aria-hidden="true" hidden></b>';
    label = button.querySelector("span");
    badge = button.querySelector("b");
    button.addEventListener("click", toggle);
    root.appendChild(button);
    d.body.appendChild(host);
    relabel();
  }

  // Puts the launcher's and the frame's texts in the current language and count.
  function relabel() {
    if (!host) return;
    var t = texts();
    label.textContent = caption || t[0];
    button.setAttribute("aria-label", (caption || t[1]) + (unread ? " (" + unread + " " + t[3] + ")" : ""));
    badge.textContent = unread || "";
    badge.hidden = !unread;
    if (frame) frame.title = t[2];
  }

  // The unread count: on the launcher, in the page title as "(n) ", and to handlers.
  function count(n) {
    if (n === unread) return;
    unread = n;
    var title = d.title;
    if (titled && title.indexOf(titled) === 0) title = title.slice(titled.length);
    titled = n ? "(" + n + ") " : "";
    d.title = titled + title;
    relabel();
    emit("unread", n);
  }

  function isOpen() {
    return !!frame && !frame.hidden;
  }

  // The visitor sees the chat: the window is open and the page is not hidden.
  // Two soft tones (Web Audio, nothing downloaded). The visitor has clicked on this
  // page before any agent writes, so browsers let it play.
  function chime() {
    try {
      var A = sound && (w.AudioContext || w.webkitAudioContext);
      if (!A) return;
      audio = audio || new A();
      var t = audio.currentTime, o = audio.createOscillator(), g = audio.createGain();
      o.frequency.setValueAtTime(880, t);
      o.frequency.setValueAtTime(660, t + .12);
      g.gain.setValueAtTime(.0001, t);
      g.gain.exponentialRampToValueAtTime(.2, t + .02);
      g.gain.exponentialRampToValueAtTime(.0001, t + .3);
      o.connect(g);
      g.connect(audio.destination);
      o.start(t);
      o.stop(t + .3);
    } catch (e) {}
  }

  function watched() {
    return isOpen() && !d.hidden;
  }

  function utm() {
    var q = new URLSearchParams(location.search), out = {};
    ["source", "medium", "campaign", "content", "term"].forEach(function (k) {
      var v = q.get("utm_" + k);
      if (v) out[k] = v;
    });
    return out;
  }

  function post(message) {
    frame.contentWindow.postMessage(message, origin);
  }

  function onMessage(e) {
    if (!frame || e.origin !== origin || e.source !== frame.contentWindow) return;
    var data = e.data || {}, type = data.type;
    if (type === READY) {
      ready = true;
      post({ type: INIT, page_url: location.href, utm: utm() });
      if (locale) post({ type: LOCALE, locale: locale });
      if (user) post({ type: USER, user: user });
    } else if (type === CLOSE) {
      close();
      button.focus();
    } else if (type === MESSAGE && typeof data.seq === "number") {
      var agent = data.author === "agent";
      var message = { author: String(data.author), seq: data.seq };
      if (agent && typeof data.text === "string") message.text = data.text;
      emit("message", message);
      if (agent && !watched()) {
        count(unread + 1);
        chime();
      }
    } else if (type === CONSENT) {
      emit("consent");
    } else if (type === REDIRECT) {
      // The agreement's "redirect after accept": http(s) only.
      try {
        var to = new URL(data.url);
        if (/^https?:$/.test(to.protocol)) location.assign(to.href);
      } catch (e) {}
    }
  }

  function open() {
    if (!frame) {
      w.addEventListener("message", onMessage);
      frame = d.createElement("iframe");
      frame.hidden = true;
      frame.src =
        origin + "/widget/?channel=" + encodeURIComponent(channel) +
        "&host=" + encodeURIComponent(location.origin);
      host.shadowRoot.appendChild(frame);
      relabel();
    }
    if (!isOpen()) {
      frame.hidden = false;
      button.setAttribute("aria-expanded", "true");
      emit("open");
    }
    if (!d.hidden) count(0);
    frame.focus();
  }

  function close() {
    if (!isOpen()) return;
    frame.hidden = true;
    button.setAttribute("aria-expanded", "false");
    emit("close");
  }

  function toggle() {
    if (isOpen()) close(); else open();
  }

  // A call that needs the launcher: now, or once <body> exists.
  function drawn(fn) {
    return function () {
      if (host) fn(); else waiting.push(fn);
    };
  }

  // Draws the launcher once <body> exists, then runs the calls that waited for it.
  function start() {
    if (host || !d.body) return;
    draw();
    waiting.splice(0).forEach(function (fn) { fn(); });
  }

  function setLocale(code) {
    if (typeof code !== "string" || !/^[A-Za-z0-9_-]{1,35}$/.test(code)) return;
    locale = code;
    relabel();
    if (ready) post({ type: LOCALE, locale: code });
  }

  // Who the visitor is, from the site's own login. Kept in memory and given to the
  // frame, which sends it to Canal only once the visitor has consented.
  function setUser(u) {
    if (!u || typeof u !== "object" || (typeof u.id !== "string" && typeof u.id !== "number")) return;
    user = { id: String(u.id) };
    ["name", "email", "phone", "hash"].forEach(function (k) {
      if (typeof u[k] === "string") user[k] = u[k];
    });
    var t = Number(u.time);
    if (u.time != null && t >= 0 && t % 1 === 0) user.time = t;
    if (ready) post({ type: USER, user: user });
  }

  function on(event, fn) {
    if (handlers[event] && typeof fn === "function") handlers[event].push(fn);
  }

  function off(event, fn) {
    var list = handlers[event] || [], at = list.indexOf(fn);
    if (at >= 0) list.splice(at, 1);
  }

  // The page's API: Canal("open") and Canal.open() alike.
  var api = {
    open: drawn(open), close: drawn(close), toggle: drawn(toggle),
    setLocale: setLocale, setUser: setUser, on: on, off: off
  };
  var Canal = function (method) {
    if (api.hasOwnProperty(method)) api[method].apply(null, [].slice.call(arguments, 1));
  };
  for (var name in api) Canal[name] = api[name];
  w.Canal = Canal;

  d.addEventListener("visibilitychange", function () {
    if (watched()) count(0);
  });
  // Replay what the page asked for before this script ran: handlers first, so they
  // hear what the queued calls cause.
  var queue = (stub && stub.q) || [];
  [true, false].forEach(function (handlersFirst) {
    for (var i = 0; i < queue.length; i++) {
      if ((queue[i][0] === "on") === handlersFirst) Canal.apply(null, queue[i]);
    }
  });
  // A link to the page ending in #canal-chat (Canal's e-mails carry one) opens the chat.
  if (location.hash == "#canal-chat") api.open();
  if (d.body) start(); else d.addEventListener("DOMContentLoaded", start);
})();
