// The charts of a report page (issue 15): each [data-chart] reads its data from the
// json_script block named by the attribute and is drawn with the vendored ECharts: a line per
// trend, a bar for comparisons, a pie for parts of a whole. No inline script (CSP).
(function () {
  "use strict";
  function total(c) {
    return c.series.reduce(function (sum, s) {
      return sum + s.data.reduce(function (a, v) { return a + (v || 0); }, 0);
    }, 0);
  }
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || !window.echarts) return;
    var c = JSON.parse(source.textContent);
    var chart = window.echarts.init(el);
    var title = { text: c.title, left: 0, top: 0, textStyle: { fontSize: 14 } };
    var option;
    if (!total(c)) {
      option = { title: title, graphic: { type: "text", left: "center", top: "middle",
        style: { text: c.empty, fill: "#667382", fontSize: 13 } } };
    } else if (c.type === "pie") {
      option = {
        title: title,
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        series: [{ type: "pie", radius: "58%", top: 24,
          data: c.categories.map(function (name, i) { return { name: name, value: c.series[0].data[i] }; }) }],
      };
    } else {
      var many = c.series.length > 1;
      option = {
        title: title,
        tooltip: { trigger: "axis" },
        legend: many ? { type: "scroll", top: 26, left: 0 } : undefined,
        grid: { top: many ? 64 : 40, left: 40, right: 16, bottom: 30 },
        xAxis: { type: "category", data: c.categories },
        yAxis: { type: "value" },
        series: c.series.map(function (s) {
          return { name: s.name, type: c.type, data: s.data, connectNulls: true,
            showSymbol: true, showAllSymbol: true, symbolSize: 6 };
        }),
      };
    }
    option.animation = false;  // drawn at once: a screenshot or a print shows every point
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
