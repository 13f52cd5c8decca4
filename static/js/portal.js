// Small progressive enhancements; every page works without them.
"use strict";

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
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  const label = button.textContent;
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = label; }, 1500);
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

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-mode-form]").forEach((form) => {
    showModeFields(form);
    form.addEventListener("change", () => showModeFields(form));
  });
  document.querySelectorAll("form[data-scope-form]").forEach((form) => {
    showScope(form);
    form.addEventListener("change", () => showScope(form));
  });
});
