// Draws the report page's charts from the JSON block the server rendered (no inline script:
// the CSP allows only this origin's files). The tables beside each chart hold the same figures.
(function () {
  function draw() {
    var source = document.getElementById("report-charts");
    if (!source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent || "{}");
    var Chart = window.Chart;
    var TEAL = "#4DB6AC";
    var TEAL_DARK = "#00796B";
    var BLUE = "#64B5F6";
    var RED = "#C62828";
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = "#212121";
    Chart.defaults.maintainAspectRatio = false;
    if (reduced) Chart.defaults.animation = false;
    var integer = new Intl.NumberFormat(data.locale, { maximumFractionDigits: 0 });

    function bar(id, labels, datasets, opts) {
      var canvas = document.getElementById(id);
      if (!canvas) return;
      new Chart(canvas, {
        type: (opts && opts.type) || "bar",
        data: { labels: labels, datasets: datasets },
        options: {
          indexAxis: opts && opts.horizontal ? "y" : "x",
          plugins: { legend: { display: datasets.length > 1 } },
          scales: {
            x: {
              stacked: !!(opts && opts.stacked),
              ticks: opts && opts.horizontal && opts.tick ? { callback: opts.tick } : {},
            },
            y: {
              stacked: !!(opts && opts.stacked),
              beginAtZero: true,
              ticks: opts && !opts.horizontal && opts.tick ? { callback: opts.tick } : { precision: 0 },
            },
          },
        },
      });
    }

    bar(
      "chart-days",
      data.days.labels,
      [
        { label: data.labels.kept, data: data.days.kept, backgroundColor: TEAL },
        { label: data.labels.cancelled, data: data.days.cancelled, backgroundColor: RED },
      ],
      { stacked: true },
    );
    bar(
      "chart-doctors",
      data.doctors.labels,
      [{ label: data.labels.appointments, data: data.doctors.values, backgroundColor: TEAL }],
      { horizontal: true },
    );
    bar(
      "chart-specialties",
      data.specialties.labels,
      [{ label: data.labels.appointments, data: data.specialties.values, backgroundColor: BLUE }],
      { horizontal: true },
    );
    bar("chart-channels", data.channels.labels, [
      { label: data.labels.appointments, data: data.channels.values, backgroundColor: TEAL_DARK },
    ]);
    bar(
      "chart-utilization",
      data.utilization.labels,
      [{ label: data.labels.utilization, data: data.utilization.values, backgroundColor: TEAL }],
      {
        horizontal: true,
        tick: function (v) {
          return integer.format(v) + " %";
        },
      },
    );
    if (data.revenue) {
      var money = new Intl.NumberFormat(data.locale, {
        style: "currency",
        currency: data.currency,
        maximumFractionDigits: 0,
      });
      bar(
        "chart-revenue",
        data.revenue.labels,
        [{ label: data.labels.revenue, data: data.revenue.values, backgroundColor: BLUE, borderColor: "#0D47A1" }],
        {
          tick: function (v) {
            return money.format(v);
          },
        },
      );
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
