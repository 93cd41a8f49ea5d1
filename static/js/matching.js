// The match review table: show a pair's new score live while the coordinator picks another mentor (the server
// recomputes and checks it on "Change"). Sorting is the server's (the column headers are links), so it orders
// the whole run, not just the rows of this page. Without JavaScript the table still works.
(function () {
  "use strict";

  function updateTotal(table) {
    const total = document.querySelector("[data-run-total]");
    if (!total) return;
    let sum = 0;
    table.querySelectorAll("[data-score-cell]").forEach((cell) => {
      const value = parseFloat(cell.getAttribute("data-score"));
      if (!Number.isNaN(value)) sum += value;
    });
    total.textContent = sum.toFixed(3);
  }

  function liveScore(select) {
    const row = select.closest("tr");
    const table = select.closest("table");
    const option = select.options[select.selectedIndex];
    const cell = row ? row.querySelector("[data-score-cell]") : null;
    if (!cell || !option) return;
    const score = parseFloat(option.getAttribute("data-score"));
    if (Number.isNaN(score)) return;
    cell.setAttribute("data-score", String(score));
    cell.textContent = score.toFixed(3);
    cell.classList.toggle("score-changed", select.selectedIndex !== 0);
    if (table) updateTotal(table);
  }

  document.addEventListener("change", (event) => {
    const el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-live-score")) liveScore(el);
  });
})();
