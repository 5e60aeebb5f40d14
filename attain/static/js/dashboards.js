// Dashboard charts: each <canvas data-chart="line|bar|hbar" data-source="id"> reads its data from
// the JSON <script type="application/json" id="id"> next to it (no inline script: strict CSP).
(function () {
  "use strict";
  const palette = ["#2454d6", "#0f9d77", "#b7791f", "#c53030", "#6b46c1", "#2b6cb0", "#718096"];

  function readJSON(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function number(value) {
    return typeof value === "string" ? parseFloat(value) : value;
  }

  function build(canvas) {
    if (!window.Chart) return;
    const data = readJSON(canvas.dataset.source);
    if (!data) return;
    const kind = canvas.dataset.chart;
    const datasets = data.datasets.map(function (ds, i) {
      const color = ds.color || palette[i % palette.length];
      return {
        label: ds.label,
        data: ds.values.map(number),
        borderColor: color,
        backgroundColor: kind === "line" ? color : color + "cc",
        borderDash: ds.dashed ? [6, 4] : [],
        pointRadius: kind === "line" ? 2 : 0,
        tension: 0.2,
        fill: false,
      };
    });
    const chart = new window.Chart(canvas, {
      type: kind === "hbar" ? "bar" : kind,
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: kind === "hbar" ? "y" : "x",
        plugins: { legend: { display: datasets.length > 1 } },
        scales: { y: { beginAtZero: true } },
        onClick: function (_event, elements) {
          if (!data.links || !elements.length) return;
          const link = data.links[elements[0].index];
          if (link) window.location.href = link;
        },
      },
    });
    canvas.chart = chart;
  }

  function init(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(build);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
