// Draws each chart of the dashboard from the numbers the page already carries.
(function () {
  "use strict";

  // Bars run sideways so that long names (regions, countries, fields) read in full beside
  // them; the legend sits above the plot, clear of the labels.
  function draw(chart, element) {
    var numeric = chart.columns.filter(function (c) { return c.numeric; });
    var label = chart.columns.find(function (c) { return !c.numeric; });
    var names = chart.rows.map(function (row) { return String(row[label.key]); });
    var bars = chart.chart !== "line";
    var traces = numeric.map(function (column) {
      var values = chart.rows.map(function (row) { return row[column.key]; });
      return bars
        ? { type: "bar", orientation: "h", name: column.label, x: values, y: names }
        : { type: "scatter", mode: "lines+markers", name: column.label, x: names, y: values };
    });
    var layout = {
      margin: { t: 30, r: 10, b: 40, l: 10 },
      barmode: "group",
      height: bars ? Math.max(240, 60 + names.length * numeric.length * 18) : 320,
      legend: { orientation: "h", x: 0, y: 1, yanchor: "bottom" },
      xaxis: { automargin: true, rangemode: "tozero" },
      yaxis: { automargin: true, rangemode: "tozero" }
    };
    if (bars) {
      // The first row on top, as in the table below the chart.
      layout.yaxis.autorange = "reversed";
      layout.yaxis.type = "category";
    } else {
      layout.xaxis.type = "category";
    }
    window.Plotly.newPlot(element, traces, layout, { displaylogo: false, responsive: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("chart-data");
    if (!source || !window.Plotly) { return; }
    JSON.parse(source.textContent).forEach(function (chart) {
      var element = document.querySelector('[data-chart="' + chart.key + '"]');
      if (element) { draw(chart, element); }
    });
    document.body.dataset.chartsReady = "true";
  });
})();

// Starts a multi-year pack on a worker and follows its progress until the file is ready.
(function () {
  "use strict";

  function follow(box, state) {
    var bar = box.querySelector("progress");
    var status = box.querySelector(".pack-status");
    var link = box.querySelector(".pack-download");
    bar.value = state.progress;
    status.textContent = state.status_label + " · " + state.progress + "%";
    if (state.download_url) {
      link.href = state.download_url;
      link.textContent = state.filename;
      link.hidden = false;
      return;
    }
    if (state.status === "failed") { return; }
    window.setTimeout(function () {
      fetch(state.status_url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (next) { follow(box, next); });
    }, 500);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.pack");
    if (!form) { return; }
    var box = document.querySelector(".pack-progress");
    var error = form.querySelector(".error");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      error.textContent = "";
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (!result.ok) {
          error.textContent = Object.values(result.body.fields).map(function (messages) {
            return messages.map(function (m) { return m.message; }).join(" ");
          }).join(" ");
          return;
        }
        box.hidden = false;
        box.querySelector(".pack-download").hidden = true;
        follow(box, result.body);
      });
    });
  });

  // The watch list is read live from the records and comes from a page of its own, so the
  // figures above do not wait for it; without script its link opens that page.
  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("watch-list");
    if (!section || !section.dataset.source) { return; }
    fetch(section.dataset.source, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var found = new DOMParser().parseFromString(html, "text/html").getElementById("watch-sections");
        if (!found) { return; }
        section.querySelector(".watch-loading").replaceWith(document.adoptNode(found));
        section.dataset.loaded = "true";
      });
  });
})();
