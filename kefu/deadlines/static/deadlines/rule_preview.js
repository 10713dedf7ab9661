/* Live preview of the rule being edited: "a request at … would be due at …" through
 * GET /api/deadlines/preview with the form's current (unsaved) values. */
(function () {
  "use strict";
  var form = document.getElementById("rule-form");
  var start = document.getElementById("preview-start");
  var out = document.getElementById("preview-due");
  var error = document.getElementById("preview-error");
  if (!form || !start || !out) return;
  var calendars = JSON.parse(document.getElementById("calendar-codes").textContent);
  var pending = 0;

  function value(name) {
    var field = form.elements[name];
    return field ? field.value : "";
  }

  function format(iso) {
    // "2025-10-09T18:00:00+08:00" → "2025-10-09 18:00"
    return iso.slice(0, 10) + " " + iso.slice(11, 16);
  }

  function refresh() {
    var params = new URLSearchParams({
      calendar: calendars[value("calendar")] || "",
      kind: value("kind"),
      amount: value("amount"),
      unit: value("unit"),
      weekday: value("weekday"),
      time: value("at"),
      day: value("day"),
      cutoff: value("cutoff"),
      start: start.value ? start.value + ":00" : ""
    });
    var ticket = ++pending;
    fetch("/api/deadlines/preview?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (ticket !== pending) return;
        if (result.ok) {
          out.textContent = format(result.data.due_at);
          out.dataset.due = result.data.due_at;
          error.textContent = "";
        } else {
          out.textContent = "—";
          out.dataset.due = "";
          error.textContent = result.data.detail || "";
        }
      });
  }

  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  start.addEventListener("input", refresh);
  start.addEventListener("change", refresh);
  refresh();
})();
