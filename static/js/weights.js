// Matching settings: show each slider's weight beside it and preview how the sample pair's score changes
// (each criterion's fit times its weight, summed, as the matcher does). Without JavaScript the sliders still
// submit and the server shows the preview for the saved weights.
(function () {
  "use strict";

  function format(value) {
    return (Math.round(value * 1000) / 1000).toString();
  }

  function update(form, sample) {
    let score = 0;
    form.querySelectorAll("input[data-weight]").forEach((slider) => {
      const name = slider.getAttribute("data-weight");
      const weight = parseFloat(slider.value) || 0;
      const output = form.querySelector('[data-weight-output="' + name + '"]');
      if (output) output.textContent = format(weight);
      const fit = sample.criteria[name] || 0;
      const adds = fit * weight;
      score += adds;
      const cell = form.querySelector('[data-adds="' + name + '"]');
      if (cell) cell.textContent = format(adds);
    });
    const total = form.querySelector("[data-score]");
    if (total) total.textContent = format(score);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const data = document.getElementById("weight-sample");
    const form = document.querySelector('[data-testid="matching-settings"]');
    if (!data || !form) return;
    const sample = JSON.parse(data.textContent);
    form.addEventListener("input", (event) => {
      if (event.target.matches("input[data-weight]")) update(form, sample);
    });
    update(form, sample);
  });
})();
