// Draws each chart of the dashboard from the numbers the page already carries.
(function () {
  "use strict";

  function draw(chart, element) {
    var numeric = chart.columns.filter(function (c) { return c.numeric; });
    var label = chart.columns.find(function (c) { return !c.numeric; });
    var x = chart.rows.map(function (row) { return String(row[label.key]); });
    var traces = numeric.map(function (column) {
      return {
        type: chart.chart === "line" ? "scatter" : "bar",
        mode: chart.chart === "line" ? "lines+markers" : undefined,
        name: column.label,
        x: x,
        y: chart.rows.map(function (row) { return row[column.key]; })
      };
    });
    window.Plotly.newPlot(element, traces, {
      margin: { t: 10, r: 10, b: 80, l: 40 },
      barmode: "group",
      height: 320,
      legend: { orientation: "h" }
    }, { displaylogo: false, responsive: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("chart-data");
    if (!source || !window.Plotly) { return; }
    JSON.parse(source.textContent).forEach(function (chart) {
      var element = document.querySelector('[data-chart="' + chart.key + '"]');
      if (element && chart.rows.length) { draw(chart, element); }
    });
    document.body.dataset.chartsReady = "true";
  });
})();
