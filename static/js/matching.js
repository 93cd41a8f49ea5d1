// The match review table: sort by any column, and show a pair's new score live while the coordinator picks
// another mentor (the server recomputes and checks it on "Change"). Without JavaScript the table still works.
(function () {
  "use strict";

  function cellValue(row, column, numeric) {
    const cell = row.children[column];
    const raw = cell ? (cell.getAttribute("data-sort-value") || cell.textContent || "").trim() : "";
    if (!numeric) return raw.toLowerCase();
    const number = parseFloat(raw);
    return Number.isNaN(number) ? -Infinity : number;
  }

  function sortTable(table, button) {
    const column = parseInt(button.getAttribute("data-sort-column"), 10);
    const numeric = button.hasAttribute("data-sort-numeric");
    const descending = button.getAttribute("aria-sort") !== "descending";
    table.querySelectorAll("button[data-sort-column]").forEach((b) => b.removeAttribute("aria-sort"));
    button.setAttribute("aria-sort", descending ? "descending" : "ascending");
    const body = table.tBodies[0];
    const rows = Array.from(body.rows).filter((row) => row.children.length > 1);
    rows.sort((a, b) => {
      const x = cellValue(a, column, numeric);
      const y = cellValue(b, column, numeric);
      if (x === y) return 0;
      const order = x < y ? -1 : 1;
      return descending ? -order : order;
    });
    rows.forEach((row) => body.appendChild(row));
  }

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
    cell.setAttribute("data-sort-value", String(score));
    cell.textContent = score.toFixed(3);
    cell.classList.toggle("score-changed", select.selectedIndex !== 0);
    if (table) updateTotal(table);
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("button[data-sort-column]") : null;
    const table = button ? button.closest("table[data-sortable]") : null;
    if (button && table) sortTable(table, button);
  });

  document.addEventListener("change", (event) => {
    const el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-live-score")) liveScore(el);
  });
})();
