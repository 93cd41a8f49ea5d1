// The coordinator dashboard's two charts, drawn from the JSON the page carries (json_script). The same
// figures are in the tables under each chart, so the page says everything without JavaScript.
(function () {
  "use strict";

  function draw() {
    const source = document.getElementById("dashboard-data");
    if (!source || typeof window.Chart === "undefined") return;
    const data = JSON.parse(source.textContent);
    // People who asked their system for less motion get the charts without the growing animation.
    const animation = window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined;
    const sessions = document.getElementById("chart-sessions");
    if (sessions) {
      new window.Chart(sessions, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { type: "bar", label: sessions.dataset.labelSessions, data: data.sessions, backgroundColor: "#0d6efd" },
            { type: "line", label: sessions.dataset.labelExpected, data: data.expected, borderColor: "#6c757d", borderDash: [6, 4], pointRadius: 0 },
          ],
        },
        options: { animation, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
      });
    }
    const satisfaction = document.getElementById("chart-satisfaction");
    if (satisfaction) {
      new window.Chart(satisfaction, {
        type: "line",
        data: {
          labels: data.labels,
          datasets: [
            { label: satisfaction.dataset.labelSatisfaction, data: data.satisfaction, borderColor: "#198754", spanGaps: true },
            { label: satisfaction.dataset.labelProgress, data: data.progress, borderColor: "#fd7e14", spanGaps: true },
          ],
        },
        options: { animation, responsive: true, maintainAspectRatio: false, scales: { y: { min: 1, max: 5 } } },
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
