// The development plan's progress chart: one line per goal, level (1–5) over time.
// Data comes from the page (json_script "progress-data"); the table beside it has the same figures.
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("progress-chart");
  const source = document.getElementById("progress-data");
  if (!canvas || !source || typeof window.Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const palette = ["#1f4e79", "#d98c00", "#2a9d8f", "#b23a48", "#6c5ce7", "#5c946e", "#8d6e63", "#3a86ff"];
  const datasets = data.datasets.map((set, index) => ({
    label: set.label,
    data: set.data,
    borderColor: palette[index % palette.length],
    backgroundColor: palette[index % palette.length],
    spanGaps: true,
    tension: 0.2,
  }));
  new window.Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        y: { min: 1, max: 5, ticks: { stepSize: 1 }, title: { display: true, text: canvas.dataset.levelLabel || "" } },
      },
    },
  });
});
