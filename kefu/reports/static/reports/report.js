// The charts of a report page (issue 15): each [data-chart] reads its data from the
// json_script block of the same id and is drawn with the vendored ECharts. No inline script.
(function () {
  "use strict";
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || !window.echarts) return;
    var c = JSON.parse(source.textContent);
    var chart = window.echarts.init(el);
    var option;
    if (c.type === "pie") {
      option = {
        title: { text: c.title, textStyle: { fontSize: 14 } },
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: "60%", top: 30,
          data: c.categories.map(function (name, i) { return { name: name, value: c.series[0].data[i] }; }) }],
      };
    } else {
      option = {
        title: { text: c.title, textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", top: 24 },
        grid: { top: 60, left: 40, right: 16, bottom: 30 },
        xAxis: { type: "category", data: c.categories },
        yAxis: { type: "value" },
        series: c.series.map(function (s) {
          return { name: s.name, type: c.type, data: s.data, connectNulls: true };
        }),
      };
    }
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
