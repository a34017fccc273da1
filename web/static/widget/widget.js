/* The IASTM FAQ assistant's chat widget: a bubble that opens a chat panel.
 *
 * Embed: <link rel="stylesheet" href="/widget/widget.css"><script src="/widget/widget.js" defer></script>
 * It talks to the same origin (POST /chat/session, POST /chat, GET /chat/status, GET /chat/config; see
 * web/app.py). While a person at the front desk is asked for or answering, it polls POST /chat/updates
 * for the messages they send (marked as from a person). The conversation is a token the server issues (POST /chat/session): the widget
 * never makes up an id of its own.
 * Everything shown is set as text (textContent), never as HTML. The conversation is kept in
 * sessionStorage: it survives reloads in this browser tab's session and is never shared.
 */
(function () {
  "use strict";

  var STORE_KEY = "iastm-assistant";
  var RETRY_MS = 3000;
  var POLL_MS = 2000;
  var FEEDBACK = "/feedback"; // the payload of the 👍/👎 quick replies (actions/replies.py)

  function load() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORE_KEY));
      if (saved && (saved.sender === null || typeof saved.sender === "string") &&
          Array.isArray(saved.entries) && Array.isArray(saved.outbox)) {
        saved.cursor = typeof saved.cursor === "number" ? saved.cursor : 0;
        return saved;
      }
    } catch (ignored) { /* a damaged store starts a new conversation */ }
    // cursor: the last message a person pushed that is shown; handoff: a person is asked for or answering
    return { sender: null, entries: [], outbox: [], open: false, cursor: 0, handoff: false };
  }

  // entries: what the conversation shows; outbox: messages not yet answered, sent one at a time.
  var state = load();
  var clinic = { contact: "the clinic" };
  var sending = false;

  function save() {
    sessionStorage.setItem(STORE_KEY, JSON.stringify(state));
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- the page elements -------------------------------------------------------------------
  var root = el("div", "iastm-chat");
  var toggle = el("button", "iastm-chat__toggle");
  toggle.type = "button";
  toggle.setAttribute("aria-controls", "iastm-chat-panel");
  toggle.setAttribute("aria-label", "Open the IASTM questions chat");
  toggle.appendChild(el("span", "iastm-chat__toggle-icon", "?"));
  toggle.appendChild(el("span", "iastm-chat__toggle-text", "Questions about IASTM?"));

  var panel = el("section", "iastm-chat__panel");
  panel.id = "iastm-chat-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "IASTM questions chat");
  panel.hidden = true;

  var header = el("header", "iastm-chat__header");
  header.appendChild(el("h2", "iastm-chat__title", "IASTM questions"));
  var close = el("button", "iastm-chat__close", "\u00d7");
  close.type = "button";
  close.setAttribute("aria-label", "Close the chat");
  header.appendChild(close);

  var log = el("div", "iastm-chat__log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", "Conversation");
  log.tabIndex = 0;

  var banner = el("p", "iastm-chat__banner");
  banner.setAttribute("role", "alert");
  banner.hidden = true;

  var typing = el("p", "iastm-chat__typing");
  typing.setAttribute("aria-label", "The assistant is typing");
  typing.appendChild(el("span", "iastm-chat__dot"));
  typing.appendChild(el("span", "iastm-chat__dot"));
  typing.appendChild(el("span", "iastm-chat__dot"));
  typing.hidden = true;

  var form = el("form", "iastm-chat__form");
  var label = el("label", "iastm-chat__label", "Your question");
  label.htmlFor = "iastm-chat-input";
  var input = el("input", "iastm-chat__input");
  input.id = "iastm-chat-input";
  input.type = "text";
  input.autocomplete = "off";
  input.placeholder = "Ask about IASTM\u2026";
  var send = el("button", "iastm-chat__send", "Send");
  send.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(send);

  var note = el("p", "iastm-chat__note",
    "General information from published articles, not medical advice. In an emergency, call your local emergency number.");

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(banner);
  panel.appendChild(form);
  panel.appendChild(note);
  root.appendChild(toggle);
  root.appendChild(panel);

  // --- rendering ---------------------------------------------------------------------------
  function citationList(payload) {
    var citations = (payload && payload.citations) || [];
    if (!citations.length) return null;
    var box = el("div", "iastm-chat__sources");
    box.appendChild(el("p", "iastm-chat__sources-title", "Studies cited"));
    var list = el("ol", "iastm-chat__citations");
    citations.forEach(function (citation) {
      var item = el("li", "iastm-chat__citation");
      item.appendChild(el("strong", null, citation.citation));
      item.appendChild(document.createTextNode(" \u2014 " +
        (citation.reference || "the article cites this study without a full reference.")));
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function botBubble(entry, isLatest) {
    var emergency = entry.payload && entry.payload.type === "emergency";
    var person = entry.payload && entry.payload.type === "staff" && entry.payload.staff;
    var bubble = el("div", "iastm-chat__msg iastm-chat__msg--bot" + (emergency ? " iastm-chat__msg--emergency" : "") +
      (person ? " iastm-chat__msg--staff" : ""));
    if (emergency) bubble.setAttribute("role", "alert");
    if (person) bubble.appendChild(el("span", "iastm-chat__from", person + " · front desk (a person)"));
    else bubble.appendChild(el("span", "iastm-chat__sr", "Assistant: "));
    var disclaimer = entry.payload && entry.payload.disclaimer;
    var text = entry.text || "";
    if (disclaimer && text.indexOf(disclaimer) !== -1) {
      text = text.replace(disclaimer, "").replace(/\s+$/, "");
    } else {
      disclaimer = null;
    }
    bubble.appendChild(el("p", "iastm-chat__text", text));
    var sources = citationList(entry.payload);
    if (sources) bubble.appendChild(sources);
    if (disclaimer) bubble.appendChild(el("p", "iastm-chat__disclaimer", disclaimer));
    // the latest message keeps all its quick replies; an earlier answer keeps its 👍/👎 until used
    var buttons = (entry.buttons || []).filter(function (button) {
      return isLatest || (!entry.rated && button.payload.indexOf(FEEDBACK) === 0);
    });
    if (buttons.length) {
      var replies = el("div", "iastm-chat__replies");
      replies.setAttribute("role", "group");
      replies.setAttribute("aria-label", isLatest ? "Suggested questions" : "Was this answer helpful?");
      buttons.forEach(function (button) {
        var choice = el("button", "iastm-chat__reply", button.title);
        choice.type = "button";
        choice.addEventListener("click", function () {
          if (button.payload.indexOf(FEEDBACK) === 0) entry.rated = true;
          ask(button.payload, button.title);
        });
        replies.appendChild(choice);
      });
      bubble.appendChild(replies);
    }
    return bubble;
  }

  function render() {
    log.textContent = "";
    var lastBot = -1;
    state.entries.forEach(function (entry, index) { if (entry.who === "bot") lastBot = index; });
    state.entries.forEach(function (entry, index) {
      if (entry.who === "user") {
        var mine = el("div", "iastm-chat__msg iastm-chat__msg--user");
        mine.appendChild(el("span", "iastm-chat__sr", "You: "));
        mine.appendChild(el("p", "iastm-chat__text", entry.text));
        log.appendChild(mine);
      } else {
        log.appendChild(botBubble(entry, index === lastBot && !state.outbox.length));
      }
    });
    log.scrollTop = log.scrollHeight;
  }

  // Rasa's REST reply is a list: each utterance's text (with buttons), then its json_message.
  function addReplies(replies) {
    replies.forEach(function (reply) {
      if (reply.custom) {
        var last = state.entries[state.entries.length - 1];
        if (last && last.who === "bot" && !last.payload) last.payload = reply.custom;
        if (reply.custom.type === "handoff" && reply.custom.status === "waiting") startHandoff();
      } else if (reply.text) {
        state.entries.push({ who: "bot", text: reply.text, buttons: reply.buttons || [] });
      }
    });
  }

  // --- a person at the front desk ----------------------------------------------------------
  function startHandoff() {
    if (state.handoff) return;
    state.handoff = true;
    save();
    setTimeout(poll, POLL_MS);
  }

  // The messages a person sent since the last one shown; polling stops when the handoff is over.
  function poll() {
    if (!state.handoff || !state.sender) return;
    fetch("/chat/updates", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, after: state.cursor }),
    }).then(function (response) {
      if (!response.ok) throw new Error("not now");
      return response.json();
    }).then(function (body) {
      (body.messages || []).forEach(function (message) {
        state.entries.push({ who: "bot", text: message.text, buttons: [], payload: message.custom });
        state.cursor = Math.max(state.cursor, message.id);
      });
      state.handoff = body.handoff === "waiting" || body.handoff === "claimed";
      save();
      if ((body.messages || []).length) render();
      if (state.handoff) setTimeout(poll, POLL_MS);
    }).catch(function () { setTimeout(poll, RETRY_MS); });
  }

  function showOffline(message) {
    banner.textContent = message + " We will keep trying; you can also contact " + clinic.contact + ".";
    banner.hidden = false;
  }

  // --- talking to the server ---------------------------------------------------------------
  // A conversation token from the server, asked for once (and again if the server no longer knows it).
  function withSession() {
    if (state.sender) return Promise.resolve(state.sender);
    return fetch("/chat/session", { method: "POST" }).then(function (response) {
      if (!response.ok) throw new Error("The assistant cannot be reached right now.");
      return response.json();
    }).then(function (body) {
      state.sender = body.session;
      save();
      return state.sender;
    });
  }

  function deliver() {
    sending = true;
    typing.hidden = false;
    withSession().then(function () {
      return fetch("/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: state.sender, message: state.outbox[0] }),
      });
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }).then(function (result) {
      if (result.status === 401) {  // the token is no longer valid: a new conversation, same message
        state.sender = null;
        save();
        deliver();
        return;
      }
      if (result.status === 503 || result.status === 502 || result.status >= 500) {
        throw new Error(result.body.error || "The assistant cannot be reached right now.");
      }
      state.outbox.shift();
      banner.hidden = true;
      if (result.status >= 400) {
        state.entries.push({ who: "bot", text: result.body.error || "Sorry, that message could not be sent." });
      } else {
        addReplies(Array.isArray(result.body) ? result.body : []);
      }
      save();
      render();
      if (state.outbox.length) {
        deliver();
      } else {
        sending = false;
        typing.hidden = true;
      }
    }).catch(function (error) {
      typing.hidden = true;
      showOffline(error && error.message && error.message.indexOf("assistant") !== -1
        ? error.message : "The assistant cannot be reached right now.");
      setTimeout(retry, RETRY_MS);
    });
  }

  function retry() {
    fetch("/chat/status").then(function (response) {
      if (response.ok) deliver(); else setTimeout(retry, RETRY_MS);
    }).catch(function () { setTimeout(retry, RETRY_MS); });
  }

  function ask(message, shown) {
    if (shown) state.entries.push({ who: "user", text: shown });
    state.outbox.push(message);
    save();
    render();
    if (!sending) deliver();
  }

  // --- opening, closing, typing ------------------------------------------------------------
  function setOpen(open) {
    state.open = open;
    save();
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    root.classList.toggle("iastm-chat--open", open);
    if (open) {
      if (!state.entries.length && !state.outbox.length) ask("/greet", null); // the opening message
      input.focus();
    } else {
      toggle.focus();
    }
  }

  toggle.addEventListener("click", function () { setOpen(panel.hidden); });
  close.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") setOpen(false);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    ask(text, text);
  });

  fetch("/chat/config").then(function (response) { return response.json(); })
    .then(function (config) { if (config && config.contact) clinic = config; })
    .catch(function () { /* the default wording stays */ });

  function start() {
    document.body.appendChild(root);
    render();
    toggle.setAttribute("aria-expanded", "false");
    if (state.open) {
      panel.hidden = false;
      toggle.setAttribute("aria-expanded", "true");
      root.classList.add("iastm-chat--open");
    }
    if (state.outbox.length) deliver(); // what was still unanswered when the page was left
    if (state.handoff) poll(); // a person was asked for before the page was left
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
