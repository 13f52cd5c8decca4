// Small progressive enhancements; every page works without them.
// Words a person reads go through gettext() from Django's JavaScript catalog (/jsi18n/).
"use strict";

// Tell screen readers what just happened, through base.html's polite live region.
function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // A fresh node each time, so the same words twice are announced twice.
  setTimeout(() => { region.textContent = text; }, 50);
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  const text = source.textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {
    // Clipboard API needs a secure context; fall back to a selection copy.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
    button.focus();
  }
  // Remember the label once: a second click while it says "Copied" must not keep that.
  if (!button.dataset.label) button.dataset.label = button.textContent;
  button.textContent = gettext("Copied");
  button.classList.add("copied");
  announce(gettext("Copied to the clipboard."));
  clearTimeout(Number(button.dataset.timer));
  button.dataset.timer = String(setTimeout(() => {
    button.textContent = button.dataset.label;
    button.classList.remove("copied");
  }, 1500));
});

// Forms that destroy or replace something ask first.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});

// The deployment form shows only the fields of the chosen mode.
const MODE_FIELDS = {
  cloud: [],
  edge_lb: ["elb_ip", "elb_port", "api_url"],
  edge_node: ["node_ip", "host_port"],
};

function showModeFields(form) {
  const checked = form.querySelector("input[name=mode]:checked");
  const mode = checked ? checked.value : "cloud";
  form.querySelectorAll("[data-mode-field]").forEach((el) => {
    el.hidden = !(MODE_FIELDS[mode] || []).includes(el.dataset.modeField);
  });
  form.querySelectorAll("[data-mode-note]").forEach((el) => {
    el.hidden = el.dataset.modeNote !== mode;
  });
}

// The access form shows the service list only for "Selected services".
function showScope(form) {
  const checked = form.querySelector("input[name=scope]:checked");
  const list = form.querySelector("[data-scope-list]");
  if (list) list.hidden = !checked || checked.value !== "selected";
}

// A table wider than the screen scrolls inside its frame; that frame then takes keyboard
// focus (arrow keys scroll it) and is named for screen readers.
function markScrollingTables() {
  document.querySelectorAll(".table-wrap").forEach((wrap) => {
    const table = wrap.querySelector("table");
    const caption = table && table.caption ? table.caption.textContent.trim() : "";
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", interpolate(gettext("%s (scrolls sideways)"), [caption || wrap.dataset.label || gettext("Table")]));
    } else if (wrap.hasAttribute("role")) {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      wrap.removeAttribute("aria-label");
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-mode-form]").forEach((form) => {
    showModeFields(form);
    form.addEventListener("change", () => showModeFields(form));
  });
  document.querySelectorAll("form[data-scope-form]").forEach((form) => {
    showScope(form);
    form.addEventListener("change", () => showScope(form));
  });
  markScrollingTables();
  let resizing = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(markScrollingTables, 150);
  });
});
