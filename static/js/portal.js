// Small progressive enhancements; every page works without them.
"use strict";

// Tell screen readers what just happened, through base.html's polite live region.
function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // A fresh node each time, so the same words twice are announced twice.
  setTimeout(() => { region.textContent = text; }, 50);
}

// Every sentence the scripts show goes through gettext()/interpolate() from Django's
// JavaScript catalog (/jsi18n/, loaded first by base.html); makemessages finds them by
// those names. Without the catalog the English stands.
if (typeof window.gettext !== "function") window.gettext = (text) => text;
if (typeof window.interpolate !== "function") {
  window.interpolate = (fmt, obj, named) => (named
    ? fmt.replace(/%\(\w+\)s/g, (m) => String(obj[m.slice(2, -2)]))
    : fmt.replace(/%s/g, () => String(obj.shift())));
}
const COPY_TEXT = {
  copied: gettext("Copied"),
  announced: gettext("Copied to the clipboard."),
  manual: gettext("Copying is not available here: the text is selected, press Ctrl+C (⌘C on a Mac) to copy it."),
  manualLabel: gettext("Text to copy"),
};

// Put text on the clipboard: the Clipboard API where the page is a secure context, else
// a selection copy (plain-http intranet hosts). True only if one of them worked.
async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (_) {
      // Refused (no permission, no focus): try the selection copy.
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "visually-hidden";
  document.body.appendChild(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch (_) {
    copied = false;
  }
  area.remove();
  return copied;
}

// Where nothing could copy, the text is shown selected beside the button for Ctrl+C.
function offerManualCopy(button, text) {
  let box = button.parentElement.querySelector(".manual-copy");
  if (!box) {
    box = document.createElement("div");
    box.className = "manual-copy";
    const note = document.createElement("p");
    note.className = "help";
    note.textContent = COPY_TEXT.manual;
    const area = document.createElement("textarea");
    area.setAttribute("readonly", "");
    area.setAttribute("aria-label", COPY_TEXT.manualLabel);
    area.rows = 4;
    box.append(note, area);
    button.insertAdjacentElement("afterend", box);
  }
  const area = box.querySelector("textarea");
  area.value = text;
  area.focus();
  area.select();
  announce(COPY_TEXT.manual);
}

// The one copy helper of every copy button: says "Copied" only when it worked.
async function portalCopy(button, text) {
  const copied = await copyText(text);
  if (!copied) {
    offerManualCopy(button, text);
    return false;
  }
  button.focus(); // the selection copy took the focus away
  const stale = button.parentElement.querySelector(".manual-copy");
  if (stale) stale.remove();
  // Remember the label once: a second click while it says "Copied" must not keep that.
  if (!button.dataset.label) button.dataset.label = button.textContent;
  button.textContent = COPY_TEXT.copied;
  button.classList.add("copied");
  announce(COPY_TEXT.announced);
  clearTimeout(Number(button.dataset.timer));
  button.dataset.timer = String(setTimeout(() => {
    button.textContent = button.dataset.label;
    button.classList.remove("copied");
  }, 1500));
  return true;
}
window.portalCopy = portalCopy;

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (source) portalCopy(button, source.textContent);
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

// On a phone a list table stacks each row into a card (portal.css, table.stacks): every
// cell then says which column it is, named after its column's header.
function labelTableCells() {
  document.querySelectorAll(".table-wrap > table:not(.headers)").forEach((table) => {
    const headers = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    table.querySelectorAll("tbody tr").forEach((row) => {
      [...row.children].forEach((cell, i) => {
        if (headers[i] && !cell.dataset.label) cell.dataset.label = headers[i];
      });
    });
    table.classList.add("stacks");
  });
}

document.addEventListener("DOMContentLoaded", () => {
  labelTableCells();
  // Tables a page replaces while it is open (polled lists) are labelled the same way.
  new MutationObserver((changes) => {
    if (changes.some((c) => [...c.addedNodes].some((n) => n.querySelector && (n.matches("table, tr") || n.querySelector("table, tr"))))) {
      labelTableCells();
    }
  }).observe(document.body, { childList: true, subtree: true });
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
