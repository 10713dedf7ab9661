// The project's Gantt view (PRJ-8): phases as bars, the plan above and the actual below, and
// milestones as diamonds, drawn with the vendored ECharts from the json_script block named by
// [data-gantt]. No inline script (CSP).
(function () {
  "use strict";
  function day(s) { return s ? new Date(s + "T00:00:00").getTime() : null; }
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-gantt"));
    if (!source || !window.echarts) return;
    var g = JSON.parse(source.textContent);
    var names = g.rows.map(function (r) { return r.name; });
    var bars = [], marks = [];
    var today = day(g.today);
    g.rows.forEach(function (r, i) {
      if (r.milestone) {
        marks.push({ value: [day(r.start), i], itemStyle: { color: r.progress ? "#2fb344" : "#d63939" } });
        return;
      }
      bars.push({ value: [i, day(r.start), day(r.end) + 86400000, 0] });
      if (r.actual_start) {
        var end = r.actual_end ? day(r.actual_end) + 86400000 : Math.max(today, day(r.actual_start) + 86400000);
        bars.push({ value: [i, day(r.actual_start), end, 1] });
      }
    });
    function renderItem(params, api) {
      var row = api.value(0), actual = api.value(3);
      var a = api.coord([api.value(1), row]), b = api.coord([api.value(2), row]);
      var h = api.size([0, 1])[1] * 0.3;
      var rect = window.echarts.graphic.clipRectByRect(
        { x: a[0], y: a[1] - h + (actual ? h : -2), width: Math.max(b[0] - a[0], 2), height: h },
        { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height });
      return rect && { type: "rect", shape: rect, style: { fill: actual ? "#206bc4" : "#a6c4e8" } };
    }
    var chart = window.echarts.init(el);
    chart.setOption({
      animation: false,
      legend: { top: 0, left: 0, data: [g.labels.plan, g.labels.actual, g.labels.milestone] },
      tooltip: { formatter: function (p) { return p.seriesName + " · " + names[p.seriesType === "scatter" ? p.value[1] : p.value[0]]; } },
      grid: { top: 30, left: 90, right: 20, bottom: 30 },
      xAxis: { type: "time", axisLabel: { formatter: "{MM}-{dd}", hideOverlap: true } },
      yAxis: { type: "category", data: names, inverse: true, axisTick: { show: false } },
      series: [
        { name: g.labels.plan, type: "custom", renderItem: renderItem, encode: { x: [1, 2], y: 0 },
          data: bars.filter(function (b) { return !b.value[3]; }), itemStyle: { color: "#a6c4e8" } },
        { name: g.labels.actual, type: "custom", renderItem: renderItem, encode: { x: [1, 2], y: 0 },
          data: bars.filter(function (b) { return b.value[3]; }), itemStyle: { color: "#206bc4" } },
        { name: g.labels.milestone, type: "scatter", symbol: "diamond", symbolSize: 14, data: marks,
          itemStyle: { color: "#f59f00" },
          markLine: { symbol: "none", silent: true, label: { show: false }, lineStyle: { color: "#d63939", type: "dashed" },
            data: [{ xAxis: today, label: { show: false } }] } },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-gantt]").forEach(draw);
})();
