/* Staff pages: the lookup form and the report. Everything is shown as text (textContent). */
(function () {
  "use strict";

  var status = document.getElementById("status");

  function say(message) { status.textContent = message; }

  var call = window.staffCall;

  function item(list, text) {
    var li = document.createElement("li");
    li.textContent = text;
    list.appendChild(li);
  }

  function lookupPage() {
    var form = document.getElementById("lookup-form");
    var question = document.getElementById("question");
    var short = document.getElementById("short");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      say("Asking the assistant\u2026");
      call("/staff/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ question: question.value }),
      }).then(function (found) {
        var match = document.getElementById("match");
        var confidence = found.confidence === null ? "unknown" : Math.round(found.confidence * 100) + "%";
        match.textContent = "Matched " + (found.intent || "nothing") + " (confidence " + confidence + ")" +
          (found.topic ? ", topic " + found.topic : "") +
          (found.weak ? ". Weak match: check that the answer fits the question." : ".");
        match.className = found.weak ? "weak" : "";
        document.getElementById("answer").textContent = found.text;
        short.value = found.short;
        var references = document.getElementById("references");
        references.textContent = "";
        found.references.forEach(function (reference) { item(references, reference); });
        if (!found.references.length) item(references, "This answer cites no study.");
        document.getElementById("result").hidden = false;
        say("");
      }).catch(function (error) { say(error.message); });
    });
    document.getElementById("copy").addEventListener("click", function () {
      short.select();
      var copied = navigator.clipboard ? navigator.clipboard.writeText(short.value) : Promise.reject();
      copied.then(function () { say("Short version copied."); }, function () {
        say(document.execCommand("copy") ? "Short version copied." : "Select the text and copy it.");
      });
    });
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
  }

  function reportPage() {
    var form = document.getElementById("report-form");
    function show() {
      var query = new URLSearchParams();
      ["since", "until"].forEach(function (name) {
        var value = document.getElementById(name).value;
        if (value) query.set(name, value);
      });
      say("Loading\u2026");
      call("/staff/report.json?" + query.toString()).then(function (found) {
        document.getElementById("since").value = found.since;
        document.getElementById("until").value = found.until;
        var groups = document.getElementById("groups");
        groups.textContent = "";
        found.groups.forEach(function (group) {
          var row = document.createElement("tr");
          cell(row, String(group.count));
          cell(row, group.question);
          cell(row, group.first.slice(0, 10) + " to " + group.last.slice(0, 10));
          cell(row, Object.keys(group.reply_types).map(function (kind) {
            return kind + " " + group.reply_types[kind];
          }).join(", "));
          cell(row, group.conversations.join(", "));
          groups.appendChild(row);
        });
        var topics = document.getElementById("topics");
        topics.textContent = "";
        found.top_topics.forEach(function (topic) { item(topics, topic.topic + ": " + topic.count); });
        var feedback = document.getElementById("feedback");
        feedback.textContent = "";
        found.feedback.forEach(function (entry) {
          var row = document.createElement("tr");
          cell(row, entry.topic);
          cell(row, String(entry.helpful));
          cell(row, String(entry.unhelpful));
          feedback.appendChild(row);
        });
        var handoffs = document.getElementById("handoffs");
        handoffs.textContent = "";
        found.handoffs.forEach(function (entry) { item(handoffs, entry.outcome + ": " + entry.count); });
        say(found.questions + " questions from " + found.since + " to " + found.until + "; " +
          found.groups.length + " groups not answered.");
      }).catch(function (error) { say(error.message); });
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); show(); });
    show();
  }

  if (document.body.dataset.page === "lookup") lookupPage(); else reportPage();
})();
