// Searchable pickers (people/pickers.py): a text input with role="combobox" whose listbox htmx fills from the
// server as the person types. Arrow keys move through the suggestions, Enter or a tap picks one, Escape
// closes the list. Without JavaScript the input is a plain text field the server validates.
(function () {
  "use strict";

  function listOf(input) {
    return document.getElementById(input.getAttribute("aria-controls"));
  }

  function options(list) {
    return Array.from(list.querySelectorAll('[role="option"]'));
  }

  function close(input) {
    const list = listOf(input);
    if (list) list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function open(input) {
    const list = listOf(input);
    if (!list) return;
    const items = options(list);
    items.forEach((item, i) => {
      item.id = list.id + "-" + i;
      item.setAttribute("aria-selected", "false");
      item.classList.remove("active");
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(input, item) {
    const list = listOf(input);
    options(list).forEach((el) => {
      el.setAttribute("aria-selected", el === item ? "true" : "false");
      el.classList.toggle("active", el === item);
    });
    input.setAttribute("aria-activedescendant", item.id);
    item.scrollIntoView({ block: "nearest" });
  }

  function choose(input, item) {
    input.value = item.getAttribute("data-value");
    close(input);
    input.focus();
  }

  document.addEventListener("htmx:afterSwap", (event) => {
    const list = event.detail.target;
    if (!list || list.getAttribute("role") !== "listbox") return;
    const input = document.querySelector('[aria-controls="' + list.id + '"]');
    if (input) open(input);
  });

  document.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-picker-input")) return;
    const list = listOf(input);
    if (!list || list.hidden) return;
    const items = options(list);
    const current = items.findIndex((el) => el.id === input.getAttribute("aria-activedescendant"));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = current < 0 ? (step > 0 ? 0 : items.length - 1) : (current + step + items.length) % items.length;
      if (items[next]) highlight(input, items[next]);
    } else if (event.key === "Enter" && current >= 0) {
      event.preventDefault(); // pick, do not submit the form
      choose(input, items[current]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(input);
    }
  });

  document.addEventListener("click", (event) => {
    const item = event.target instanceof Element ? event.target.closest('[role="option"]') : null;
    const list = item ? item.closest('[role="listbox"]') : null;
    const input = list ? document.querySelector('[aria-controls="' + list.id + '"]') : null;
    if (item && input) {
      choose(input, item);
      return;
    }
    document.querySelectorAll("[data-picker-input]").forEach((el) => {
      if (el !== event.target) close(el);
    });
  });

  // Several units: "Add another" copies the last (empty) picker with fresh ids.
  function addPicker(button) {
    const box = button.closest("[data-picker-multi]");
    const pickers = box.querySelectorAll("[data-picker]");
    const last = pickers[pickers.length - 1];
    const copy = last.cloneNode(true);
    const input = copy.querySelector("input");
    const list = copy.querySelector('[role="listbox"]');
    const id = input.id.replace(/_\d+$/, "_" + pickers.length);
    input.id = id;
    input.value = "";
    list.id = id + "-options";
    list.innerHTML = "";
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("hx-target", "#" + list.id);
    input.setAttribute("aria-expanded", "false");
    if (!input.hasAttribute("aria-label")) input.setAttribute("aria-label", button.getAttribute("data-label") || "");
    last.after(copy);
    if (window.htmx) window.htmx.process(copy);
    input.focus();
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-picker-add]") : null;
    if (button) addPicker(button);
  });

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-picker-add]").forEach((button) => {
      button.hidden = false;
    });
  });
})();
