/* Live countdowns (RPT-1): every `.countdown[data-due]` is refreshed each second; overdue
 * turns red (.overdue), due within one hour amber (.soon). Labels come from the page
 * (json_script "countdown-labels") so the text follows the user's language. No library. */
(function () {
  "use strict";
  var HOUR = 3600;
  var labels = { left: "剩余 %s", overdue: "超时 %s", days: "天", hours: "小时", minutes: "分" };
  var source = document.getElementById("countdown-labels");
  if (source) labels = Object.assign(labels, JSON.parse(source.textContent));

  function text(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    if (days) return days + labels.days + hours + labels.hours;
    if (hours) return hours + labels.hours + mins + labels.minutes;
    return mins + labels.minutes;
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
