/* Live countdowns (RPT-1): every `.countdown[data-due]` is refreshed each second; overdue
 * turns red (.overdue), due within one hour amber (.soon). Labels come from the page
 * (json_script "countdown-labels", the server's `countdown_labels`) so the text follows the
 * user's language and reads as the server wrote it: "剩余 1 天 8 小时", "1 day 8 h left",
 * "3 h overdue" (the two largest units, a zero second one left out). No library. */
(function () {
  "use strict";
  var HOUR = 3600;
  var labels = {
    left: "剩余 %s", overdue: "超时 %s", day: "%s 天", days: "%s 天", hours: "%s 小时", minutes: "%s 分钟"
  };
  var source = document.getElementById("countdown-labels");
  if (source) labels = Object.assign(labels, JSON.parse(source.textContent));

  function unit(label, n) {
    return label.replace("%s", n);
  }

  function text(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    var parts;
    if (days) {
      parts = [unit(days === 1 ? labels.day : labels.days, days)];
      if (hours) parts.push(unit(labels.hours, hours));
    } else if (hours) {
      parts = [unit(labels.hours, hours)];
      if (mins) parts.push(unit(labels.minutes, mins));
    } else {
      parts = [unit(labels.minutes, mins)];
    }
    return parts.join(" ");
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      if (el.dataset.state === "paused") return;
      var seconds = Math.round((Date.parse(el.dataset.due) - now) / 1000);
      var overdue = seconds < 0 || el.dataset.state === "breached";
      el.textContent = (overdue ? labels.overdue : labels.left).replace("%s", text(seconds));
      el.classList.toggle("overdue", overdue);
      el.classList.toggle("soon", !overdue && seconds <= HOUR);
    });
  }

  tick();
  window.setInterval(tick, 1000);
})();
