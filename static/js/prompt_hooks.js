// The playground's saved-prompt hooks: Save as prompt, and an opened prompt's variables,
// filled in by the portal (prompts.variables) when Send is pressed.
"use strict";

(() => {
  const hooks = document.getElementById("prompt-hooks");
  const form = document.getElementById("playground");
  const playground = window.portalPlayground;
  if (!hooks || !form || !playground) return;
  const $ = (id) => document.getElementById(id);
  const source = $("prompt-opened");
  const opened = source ? JSON.parse(source.textContent) : null;
  let filled = !opened || opened.variables.length === 0;

  if (opened) playground.load(JSON.stringify(opened.body, null, 2));

  $("pp-save").addEventListener("click", () => {
    $("pp-save-body").value = playground.body();
    $("pp-save-form").submit();
  });

  function csrf() {
    return form.querySelector("[name=csrfmiddlewaretoken]").value;
  }

  function values() {
    const found = {};
    hooks.querySelectorAll("[data-variable]").forEach((input) => {
      found[input.dataset.variable] = input.value;
    });
    return found;
  }

  // A variable typed into the messages after opening gets its own field when asked for.
  function fieldFor(name) {
    let input = hooks.querySelector(`[data-variable="${CSS.escape(name)}"]`);
    if (!input) {
      const wrap = document.createElement("div");
      wrap.className = "field";
      const label = document.createElement("label");
      label.htmlFor = `pp-var-${name}`;
      const code = document.createElement("code");
      code.textContent = name;
      label.appendChild(code);
      input = document.createElement("textarea");
      input.id = `pp-var-${name}`;
      input.rows = 1;
      input.dataset.variable = name;
      wrap.append(label, input);
      $("pp-var-fields").appendChild(wrap);
    }
    return input;
  }

  function showErrors(errors) {
    $("pp-vars-errors").replaceChildren(...errors.map((text) => {
      const p = document.createElement("p");
      p.textContent = text;
      return p;
    }));
  }

  async function fillThenSend() {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", csrf());
    data.append("body", playground.body());
    data.append("values", JSON.stringify(values()));
    let answer;
    try {
      const response = await fetch(hooks.dataset.fillUrl, { method: "POST", body: data });
      answer = await response.json();
    } catch (_) {
      answer = { errors: [gettext("The portal could not be reached.")] };
    }
    if (!answer.body) {
      showErrors(answer.errors || []);
      const missing = (answer.missing || []).map(fieldFor);
      if (missing.length) {
        $("pp-vars").hidden = false;
        missing[0].focus();
      }
      return;
    }
    showErrors([]);
    playground.load(answer.body);
    filled = true;
    hooks.querySelectorAll("[data-variable]").forEach((input) => { input.disabled = true; });
    $("pp-vars-help").textContent = gettext("Filled in: the messages now hold the values. Open the prompt again to fill it in differently.");
    form.requestSubmit();
  }

  // Before the playground's own Send (capture on the document runs first).
  document.addEventListener("submit", (event) => {
    if (event.target !== form || filled) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    fillThenSend();
  }, true);
})();
