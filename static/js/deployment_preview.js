// The deployment form's live preview. The portal computes everything (the same form and
// call-path code as the saved page): this script only posts the form, shows the HTML it
// gets back, and copies in the fields a pasted call path filled.
"use strict";

(() => {
  const DELAY_MS = 300;

  function applyFilled(form, filled) {
    Object.entries(filled).forEach(([name, value]) => {
      form.querySelectorAll(`[name="${CSS.escape(name)}"]`).forEach((input) => {
        if (input.type === "radio") input.checked = input.value === value;
        else if (input.type === "checkbox") input.checked = value === "on";
        else input.value = value;
      });
    });
  }

  function setUp(form) {
    const panel = form.querySelector("[data-preview]");
    const paste = form.querySelector("textarea[name=call_path]");
    const fillButton = form.querySelector("[data-fill-button]");
    if (!panel) return;
    let timer = 0;
    let sequence = 0;
    let applying = false;

    async function refresh() {
      const mine = ++sequence;
      let answer;
      try {
        const response = await fetch(form.dataset.previewUrl, {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (!response.ok) throw new Error(String(response.status));
        answer = await response.json();
      } catch (_) {
        if (mine === sequence) panel.textContent = panel.dataset.unavailable || "";
        return;
      }
      if (mine !== sequence) return; // a newer request is on its way
      panel.innerHTML = answer.html; // rendered and escaped by the portal's templates
      if (answer.filled && Object.keys(answer.filled).length) {
        applying = true;
        applyFilled(form, answer.filled);
        form.dispatchEvent(new Event("change", { bubbles: true })); // mode fields
        applying = false;
        if (paste) paste.value = ""; // filled once; later edits are the admin's
        if (window.announce && panel.dataset.filled) window.announce(panel.dataset.filled);
      }
    }

    function later() {
      if (applying) return;
      clearTimeout(timer);
      timer = setTimeout(refresh, DELAY_MS);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
    if (fillButton) {
      fillButton.addEventListener("click", (event) => {
        event.preventDefault();
        clearTimeout(timer);
        refresh();
      });
    }
    // An edit form starts from saved values worth previewing; a new one starts empty, and
    // its required fields are not worth shouting about before the admin types.
    if ("previewNow" in form.dataset) refresh();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-preview-url]").forEach(setUp);
  });
})();
