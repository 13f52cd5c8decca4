// View code: the playground's current request as curl, Python, the OpenAI SDK (V2) and
// Node. The portal writes the code (POST playground/code/, the deployment page's snippet
// module); this script only posts the form and shows the answer, as text.
"use strict";

(() => {
  const form = document.getElementById("playground");
  const toggle = document.getElementById("pg-view-code");
  if (!form || !toggle) return;
  const $ = (id) => document.getElementById(id);
  const panel = $("pg-code");
  const tabs = $("pg-code-tabs");
  let asked = 0; // the latest request's number: an older answer arriving late is dropped
  let timer = null;
  let openLanguage = "";

  function showErrors(errors) {
    const box = $("pg-code-errors");
    box.replaceChildren();
    Object.entries(errors || {}).forEach(([field, list]) => {
      list.forEach((e) => {
        const p = document.createElement("p");
        p.textContent = (field === "__all__" ? "" : `${field}: `) + e.message;
        box.appendChild(p);
      });
    });
  }

  // One disclosure per language (as on the deployment page), with its Copy button
  // (portal.js copies the code element that data-copy names).
  function languageBlock(tab, open) {
    const details = document.createElement("details");
    details.className = "code-language";
    details.name = "pg-code-language";
    details.dataset.language = tab.language;
    details.open = open;
    details.addEventListener("toggle", () => { if (details.open) openLanguage = tab.language; });
    const summary = document.createElement("summary");
    const label = document.createElement("strong");
    label.textContent = tab.label;
    summary.append(label, document.createTextNode(` · ${tab.title}`));
    const box = document.createElement("div");
    box.className = "copyable";
    const pre = document.createElement("pre");
    const code = document.createElement("code");
    code.id = `pg-${tab.id}`;
    code.textContent = tab.code;
    pre.appendChild(code);
    const copy = document.createElement("button");
    copy.type = "button";
    copy.className = "copy";
    copy.dataset.copy = code.id;
    copy.textContent = gettext("Copy");
    copy.setAttribute("aria-label", interpolate(gettext("Copy the %(language)s code, %(variant)s"),
      { language: tab.label, variant: tab.title }, true));
    box.append(pre, copy);
    details.append(summary, box);
    return details;
  }

  function render(answer) {
    showErrors({});
    $("pg-code-note").textContent = answer.note;
    const languages = answer.tabs.map((t) => t.language);
    if (!languages.includes(openLanguage)) openLanguage = languages[0] || "";
    tabs.replaceChildren(...answer.tabs.map((t) => languageBlock(t, t.language === openLanguage)));
  }

  async function refresh() {
    const ticket = ++asked;
    const data = new FormData(form);
    data.set("body", window.playgroundBody ? window.playgroundBody() : data.get("body"));
    $("pg-code-status").textContent = gettext("Writing the code…");
    let answer;
    try {
      const response = await fetch(form.dataset.codeUrl, {
        method: "POST", body: data, headers: { Accept: "application/json" },
      });
      const type = response.headers.get("Content-Type") || "";
      answer = type.includes("json") ? await response.json() : { errors: { __all__: [{ message: `HTTP ${response.status}` }] } };
    } catch (_) {
      answer = { errors: { __all__: [{ message: gettext("The portal could not be reached.") }] } };
    }
    if (ticket !== asked) return;
    $("pg-code-status").textContent = "";
    if (answer.errors) {
      // The code of a request that Send would refuse is not shown: the reason is.
      tabs.replaceChildren();
      $("pg-code-note").textContent = "";
      showErrors(answer.errors);
    } else {
      render(answer);
    }
  }

  function show(open) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) {
      refresh();
      panel.focus();
    }
  }

  // While the code is shown it follows the form: every edit, added or removed message.
  function later() {
    if (panel.hidden) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  }

  toggle.addEventListener("click", () => show(panel.hidden));
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  new MutationObserver(later).observe($("pg-messages"), { childList: true });
})();
