/* The front-desk inbox: lists the conversations handed to a person (GET /staff/inbox.json), shows
 * one conversation's messages (GET /staff/inbox/history.json) and claims, answers and hands back
 * (POST /staff/inbox/claim|reply|release). Everything is shown as text (textContent). */
(function () {
  "use strict";

  var REFRESH_MS = 3000;
  var NAME_KEY = "iastm-staff-name";
  var status = document.getElementById("status");
  var nameInput = document.getElementById("staff-name");
  var list = document.getElementById("handoffs");
  var panel = document.getElementById("conversation");
  var history = document.getElementById("history");
  var state = document.getElementById("conversation-state");
  var reply = document.getElementById("reply");
  var selected = null;
  var handoffs = [];

  nameInput.value = localStorage.getItem(NAME_KEY) || "";
  nameInput.addEventListener("change", function () { localStorage.setItem(NAME_KEY, nameInput.value.trim()); });

  function say(message) { status.textContent = message; }

  var call = window.staffCall;

  function minutes(seconds) {
    if (seconds === null || seconds === undefined) return "";
    return seconds < 60 ? seconds + " s" : Math.floor(seconds / 60) + " min";
  }

  function describe(handoff) {
    if (handoff.status === "waiting") return "Waiting for a person, " + minutes(handoff.waiting_seconds);
    if (handoff.status === "claimed") return "With " + handoff.staff + ", " + minutes(handoff.waiting_seconds);
    return "Message left " + new Date(handoff.since).toLocaleString();
  }

  function showList() {
    list.textContent = "";
    if (!handoffs.length) {
      var none = document.createElement("li");
      none.className = "hint";
      none.textContent = "Nobody is waiting.";
      list.appendChild(none);
    }
    handoffs.forEach(function (handoff) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "inbox__item" + (handoff.emergency ? " inbox__item--emergency" : "");
      button.setAttribute("aria-current", String(handoff.conversation === selected));
      if (handoff.emergency) {
        var flag = document.createElement("span");
        flag.className = "inbox__flag";
        flag.textContent = "EMERGENCY told during the handoff. ";
        button.appendChild(flag);
      }
      button.appendChild(document.createTextNode(describe(handoff) + " \u00b7 " + handoff.channel));
      var last = handoff.message || handoff.questions[handoff.questions.length - 1];
      if (last) button.appendChild(document.createElement("br"));
      if (last) button.appendChild(document.createTextNode("\u201c" + last + "\u201d"));
      if (handoff.contact) button.appendChild(document.createTextNode(" \u2014 reach at " + handoff.contact));
      button.addEventListener("click", function () { select(handoff.conversation); });
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  function current() {
    return handoffs.filter(function (handoff) { return handoff.conversation === selected; })[0];
  }

  function showHistory(messages) {
    history.textContent = "";
    messages.forEach(function (message) {
      var li = document.createElement("li");
      li.className = message.from === "visitor" ? "visitor" : message.staff ? "staff" : "assistant";
      if (message.emergency) li.className += " emergency";
      var who = document.createElement("span");
      who.className = "inbox__who";
      who.textContent = (message.from === "visitor" ? "Visitor" : message.staff ? message.from : "Assistant") +
        " \u00b7 " + new Date(message.time).toLocaleTimeString() + (message.emergency ? " \u00b7 EMERGENCY" : "");
      li.appendChild(who);
      li.appendChild(document.createTextNode(message.text));
      history.appendChild(li);
    });
    history.scrollTop = history.scrollHeight;
  }

  function showState() {
    var handoff = current();
    state.textContent = handoff ? describe(handoff) + " \u00b7 " + handoff.conversation : "No longer waiting.";
  }

  function refresh() {
    return call("/staff/inbox.json").then(function (body) {
      handoffs = body.handoffs;
      showList();
      if (!selected) return null;
      showState();
      return call("/staff/inbox/history.json?conversation=" + encodeURIComponent(selected))
        .then(function (found) { showHistory(found.messages); });
    }).catch(function (error) { say(error.message); });
  }

  function select(conversation) {
    selected = conversation;
    panel.hidden = false;
    refresh();
  }

  function operate(operation, text) {
    var name = nameInput.value.trim();
    if (!name) { say("Type your name first: the visitor sees it."); nameInput.focus(); return Promise.resolve(false); }
    localStorage.setItem(NAME_KEY, name);
    return call("/staff/inbox/" + operation, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ conversation: selected, staff: name, text: text }),
    }).then(function () { say(""); refresh(); return true; })
      .catch(function (error) { say(error.message); return false; });
  }

  document.getElementById("claim").addEventListener("click", function () { operate("claim"); });
  document.getElementById("release").addEventListener("click", function () { operate("release"); });
  document.getElementById("reply-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = reply.value.trim();
    if (!text) return;
    operate("reply", text).then(function (sent) { if (sent) reply.value = ""; });
  });

  refresh();
  setInterval(refresh, REFRESH_MS);
})();
