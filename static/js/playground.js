// The playground: compose a request, send it to the portal, render its SSE events.
// The reply is always inserted as text (textContent), never as HTML.
"use strict";

(() => {
  const form = document.getElementById("playground");
  if (!form) return;
  // Every sentence this script shows goes through gettext()/interpolate() from Django's
  // JavaScript catalog (/jsi18n/, loaded before the scripts by base.html; portal.js
  // stands in for it where it is missing). makemessages finds them by those names.
  const TEXT = {
    notCallable: (name, reason) => `${name} — ${reason || gettext("cannot be called now")}`,
    noneCallable: gettext("No deployment can be called now: only running deployments answer."),
    rawMode: gettext("Sending the raw JSON body below: the messages and parameters above are not used until you leave raw mode."),
    notStreamed: gettext("— (not streamed)"),
    soFar: (text) => `${text} ${gettext("(so far)")}`,
    stopped: gettext("stopped"),
    reasoningTokens: (n) => interpolate(gettext("(%(n)s tokens)"), { n }, true),
    reasoningShare: (n) => interpolate(gettext("(%(n)s reasoning)"), { n }, true),
    waiting: gettext("waiting for the first token…"),
    receiving: gettext("receiving…"),
    seconds: (ms) => `${(ms / 1000).toFixed(1)} s`,
    cleared: gettext("Cleared: a new conversation."),
    continued: gettext("The reply is in the conversation as an assistant message; write the next message."),
  };
  const catalog = JSON.parse(document.getElementById("playground-catalog").textContent);
  const $ = (id) => document.getElementById(id);
  const deploymentSelect = $("pg-deployment");
  const versionSelect = $("pg-version");
  const authSelect = $("pg-auth");
  const bodyArea = $("pg-body");
  const rawToggle = $("pg-raw-toggle");
  const messagesBox = $("pg-messages");
  let controller = null;
  let curl = "";
  const conversation = window.portalConversation; // static/js/conversation.js
  const ROLES = conversation.ROLES;
  // Keys of the JSON body that the chat view has no field for (stop, user…): kept as they
  // were, so switching to the chat view and back loses nothing.
  let otherKeys = {};

  // One polite live region for the whole page (base.html): screen readers hear how a call
  // ended without hearing every chunk of the reply.
  function announce(text) {
    const region = document.getElementById("announcer");
    if (region) region.textContent = text;
  }

  // Shared with compare (choices.js): the versions and credentials a deployment offers.
  const { option } = window.portalChoices;

  function currentDeployment() {
    return catalog.deployments.find((d) => d.code === deploymentSelect.value);
  }

  function fillDeployments() {
    catalog.deployments.forEach((d) => {
      deploymentSelect.appendChild(
        option(d.code, d.callable ? d.name : TEXT.notCallable(d.name, d.reason), !d.callable));
    });
    // The deployment asked for in the address stays chosen even when it cannot be
    // called: the note says why, rather than another one being tried silently.
    const asked = catalog.deployments.find((d) => d.code === form.dataset.selected);
    const first = asked || catalog.deployments.find((d) => d.callable);
    if (first) deploymentSelect.value = first.code;
    fillVersions();
    applyReplay();
  }

  // "Open in playground" from a past call: its version and key are chosen when they are
  // still offered (a key since disabled simply is not).
  function applyReplay() {
    const source = document.getElementById("playground-replay");
    if (!source) return;
    const replay = JSON.parse(source.textContent);
    if ([...versionSelect.options].some((o) => o.value === replay.version)) {
      versionSelect.value = replay.version;
      fillAuth();
      applyRanges();
    }
    if ([...authSelect.querySelectorAll("option")].some((o) => o.value === replay.auth)) {
      authSelect.value = replay.auth;
    }
  }

  function fillVersions() {
    const d = currentDeployment();
    window.portalChoices.versions(versionSelect, d);
    $("pg-deployment-note").textContent = !d ? TEXT.noneCallable : (d.callable ? "" : d.reason);
    updateSend();
    fillAuth();
    applyRanges();
  }

  // The number fields take the ranges of the chosen API version (V1 is narrower).
  function applyRanges() {
    const ranges = (catalog.ranges || {})[versionSelect.value] || {};
    Object.entries(ranges).forEach(([name, range]) => {
      const input = form.querySelector(`[name='p-${name}']`);
      if (!input) return;
      input.min = range.low_open ? String(range.low + Number(input.step || 0.01)) : String(range.low);
      input.max = String(range.high);
    });
  }

  function fillAuth() {
    $("pg-auth-note").textContent =
      window.portalChoices.credentials(authSelect, catalog, currentDeployment(), versionSelect.value);
  }

  // Each row's controls say which message they belong to: "Role of message 2".
  function numberRows() {
    messagesBox.querySelectorAll(".message-row").forEach((row, i) => {
      row.querySelector("select").setAttribute("aria-label", interpolate(gettext("Role of message %s"), [i + 1]));
      row.querySelector("textarea").setAttribute("aria-label", interpolate(gettext("Text of message %s"), [i + 1]));
      row.querySelector("button").setAttribute("aria-label", interpolate(gettext("Remove message %s"), [i + 1]));
    });
  }

  // A message is a chat bubble (styled by its role: playground.css); fields the chat view
  // does not edit (a "name", say) ride along in data-extra and are sent as they were.
  function messageRow(role, content, extra) {
    const row = document.createElement("div");
    row.className = "message-row";
    const select = document.createElement("select");
    ROLES.forEach((r) => select.appendChild(option(r, r)));
    select.value = role || "user";
    row.dataset.role = select.value;
    select.addEventListener("change", () => { row.dataset.role = select.value; });
    if (extra && Object.keys(extra).length) row.dataset.extra = JSON.stringify(extra);
    const text = document.createElement("textarea");
    text.value = content || "";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = gettext("Remove");
    remove.addEventListener("click", () => {
      row.remove();
      numberRows();
      $("pg-add-message").focus(); // keep keyboard users in the message list
      announce(gettext("Message removed."));
    });
    row.append(select, text, remove);
    messagesBox.appendChild(row);
    numberRows();
    return row;
  }

  // The parameter fields: [{name, checkbox, checked, value}], "p-temperature" → "temperature".
  function paramFields() {
    return [...form.querySelectorAll("[name^='p-']")].map((input) => ({
      name: input.name.slice(2),
      checkbox: input.type === "checkbox",
      checked: input.checked,
      value: input.value,
    }));
  }

  function composeBody() {
    const body = conversation.compose({
      other: otherKeys,
      system: $("pg-system").value,
      messages: [...messagesBox.querySelectorAll(".message-row")].map((row) => ({
        role: row.querySelector("select").value,
        content: row.querySelector("textarea").value,
        extra: JSON.parse(row.dataset.extra || "{}"),
      })),
      fields: paramFields(),
    });
    return JSON.stringify(body, null, 2);
  }

  // Fills the chat view from ``text``; leaves it as it is and says why when it cannot.
  function loadEditorFrom(text) {
    const fields = paramFields();
    const problem = conversation.problem(text, fields);
    if (problem) return problem;
    const parts = conversation.split(JSON.parse(text), fields);
    messagesBox.replaceChildren();
    $("pg-system").value = parts.system;
    parts.messages.forEach(({ role, content, extra }) => messageRow(role, content, extra));
    form.querySelectorAll("[name^='p-']").forEach((input) => {
      const value = parts.values[input.name.slice(2)];
      if (input.type === "checkbox") input.checked = value === true;
      else input.value = value === undefined ? "" : value;
    });
    otherKeys = parts.other;
    return "";
  }

  function show(id, text) { $(id).textContent = text; }

  // What is known of the running call, shown as soon as it is known.
  let figures = {};

  function resetResult() {
    figures = { sentAt: performance.now(), stream: false };
    $("pg-result").hidden = false;
    $("pg-continue").hidden = true;
    $("pg-reply").setAttribute("aria-busy", "true");
    ["pg-status", "pg-latency", "pg-ttft", "pg-usage", "pg-finish"].forEach((id) => show(id, "…"));
    show("pg-reply", "");
    show("pg-reasoning", "");
    show("pg-reasoning-tokens", "");
    $("pg-reasoning-panel").hidden = true;
    show("pg-request", "");
    show("pg-raw", "");
    $("pg-error").hidden = true;
    $("pg-errors").replaceChildren();
  }

  // While a call runs: the seconds since Send, and "waiting for the first token…" until
  // the first thought or word (or an error, or the end) arrives.
  let ticker = null;

  function startWaiting() {
    const started = performance.now();
    $("pg-waiting").hidden = false;
    show("pg-waiting-text", TEXT.waiting);
    const tick = () => show("pg-elapsed", TEXT.seconds(performance.now() - started));
    tick();
    ticker = window.setInterval(tick, 100);
  }

  function firstArrived() {
    if (!$("pg-waiting").hidden) show("pg-waiting-text", TEXT.receiving);
  }

  function stopWaiting() {
    window.clearInterval(ticker);
    ticker = null;
    $("pg-waiting").hidden = true;
  }

  function firstToken(data) {
    firstArrived();
    if (data.ttft_ms !== undefined) {
      figures.ttft = data.ttft_ms;
      show("pg-ttft", `${data.ttft_ms} ms`);
    }
  }

  const handlers = {
    start(data) {
      show("pg-request", `POST ${data.url}\n` +
        Object.entries(data.headers).map(([k, v]) => `${k}: ${v}`).join("\n") +
        "\n\n" + JSON.stringify(data.body, null, 2));
      curl = data.curl || "";
      $("pg-curl").disabled = !curl;
      figures.stream = Boolean(data.stream);
    },
    status(data) {
      figures.status = data.status;
      show("pg-status", String(data.status));
    },
    // A reasoning model's thoughts grow in their own panel, never in the reply.
    reasoning(data) {
      firstToken(data);
      $("pg-reasoning-panel").hidden = false;
      $("pg-reasoning").appendChild(document.createTextNode(data.text));
    },
    delta(data) {
      firstToken(data);
      const reply = $("pg-reply");
      if (data.index > 0 && !reply.dataset[`choice${data.index}`]) {
        reply.dataset[`choice${data.index}`] = "1";
        reply.appendChild(document.createTextNode(`\n\n[${interpolate(gettext("choice %s"), [data.index + 1])}]\n`));
      }
      reply.appendChild(document.createTextNode(data.text));
      if (!data.index) figures.reply = (figures.reply || "") + data.text;
    },
    usage(data) {
      figures.usage = true;
      const reasoned = data.reasoning_tokens ?? null;
      show("pg-usage", interpolate(gettext("%(prompt)s prompt + %(completion)s completion = %(total)s"),
        { prompt: data.prompt_tokens ?? "?", completion: data.completion_tokens ?? "?", total: data.total_tokens ?? "?" }, true) +
        (reasoned === null ? "" : ` ${TEXT.reasoningShare(reasoned)}`));
      if (reasoned !== null) show("pg-reasoning-tokens", TEXT.reasoningTokens(reasoned));
    },
    // The plain sentence leads; the platform's message and the code follow it.
    error(data) {
      stopWaiting();
      const box = $("pg-error");
      box.hidden = false;
      box.replaceChildren();
      const headline = document.createElement("strong");
      headline.className = "headline";
      headline.textContent = data.hint || data.message;
      const detail = document.createElement("p");
      detail.className = "detail";
      if (data.hint && data.message) detail.append(document.createTextNode(`${data.message} `));
      const code = document.createElement("code");
      code.textContent = data.code;
      detail.appendChild(code);
      box.append(headline, detail);
    },
    end(data) {
      stopWaiting();
      figures.ok = data.outcome === "ok";
      show("pg-status", data.status === null ? gettext("no answer") : String(data.status));
      show("pg-latency", `${data.latency_ms} ms`);
      show("pg-ttft", data.ttft_ms !== null ? `${data.ttft_ms} ms` : (figures.stream ? "—" : TEXT.notStreamed));
      show("pg-finish", data.finish_reason || "—");
      if ($("pg-usage").textContent === "…") show("pg-usage", "—");
      show("pg-raw", data.raw);
      announce(interpolate(gettext("Reply received: status %(status)s, %(ms)s ms."),
        { status: $("pg-status").textContent, ms: data.latency_ms }, true));
    },
  };

  function showFormErrors(errors) {
    const box = $("pg-errors");
    box.replaceChildren();
    Object.entries(errors).forEach(([field, list]) => {
      list.forEach((e) => {
        const p = document.createElement("p");
        p.textContent = (field === "__all__" ? "" : `${field}: `) + e.message;
        box.appendChild(p);
      });
    });
    $("pg-result").hidden = true;
    $("pg-reply").setAttribute("aria-busy", "false");
  }

  // After a stop: the figures known so far, and "—" for those that never came.
  function settleResult() {
    const ran = Math.round(performance.now() - figures.sentAt);
    show("pg-status", figures.status === undefined ? TEXT.stopped : `${figures.status} (${TEXT.stopped})`);
    show("pg-latency", TEXT.soFar(`${ran} ms`));
    if (figures.ttft === undefined) show("pg-ttft", figures.stream ? "—" : TEXT.notStreamed);
    if (figures.usage) show("pg-usage", TEXT.soFar($("pg-usage").textContent));
    ["pg-usage", "pg-finish"].forEach((id) => {
      if ($(id).textContent === "…") show(id, "—");
    });
  }

  function updateSend() {
    const d = currentDeployment();
    $("pg-send").disabled = Boolean(controller) || !d || !d.callable;
  }

  async function send(event) {
    event.preventDefault();
    if (!rawToggle.checked) bodyArea.value = composeBody();
    resetResult();
    startWaiting();
    announce(gettext("Sending the test call…"));
    controller = new AbortController();
    const sendHadFocus = document.activeElement === $("pg-send");
    $("pg-send").disabled = true;
    $("pg-stop").disabled = false;
    if (sendHadFocus) $("pg-stop").focus(); // a disabled button would drop keyboard focus
    try {
      const response = await fetch(form.action, {
        method: "POST", body: new FormData(form), signal: controller.signal,
        headers: { Accept: "text/event-stream" },
      });
      const type = response.headers.get("Content-Type") || "";
      if (!type.startsWith("text/event-stream")) {
        const data = type.includes("json") ? await response.json() : { errors: { __all__: [{ message: `HTTP ${response.status}` }] } };
        showFormErrors(data.errors || {});
        return;
      }
      await window.portalEvents.read(response, handlers); // sse.js, as compare reads
    } catch (error) {
      if (error.name === "AbortError") {
        settleResult();
        announce(gettext("Stopped. The reply so far stays on the page."));
      } else {
        showFormErrors({ __all__: [{ message: gettext("The portal could not be reached.") }] });
      }
    } finally {
      stopWaiting();
      // A whole reply (not a stopped one) can join the conversation.
      $("pg-continue").hidden = !(figures.ok && replyText());
      $("pg-reply").setAttribute("aria-busy", "false");
      const stopHadFocus = document.activeElement === $("pg-stop");
      controller = null;
      updateSend();
      $("pg-stop").disabled = true;
      if (stopHadFocus) $("pg-send").focus();
    }
  }

  // The first choice's text: what the model said, without the thoughts of a reasoning
  // model (platforms refuse reasoning_content in a request's messages).
  function replyText() {
    return figures.reply || "";
  }

  function continueConversation() {
    if (rawToggle.checked && !setRawMode(false)) return;
    messageRow("assistant", replyText());
    const next = messageRow("user", "");
    $("pg-continue").hidden = true;
    next.querySelector("textarea").focus();
    announce(TEXT.continued);
  }

  function clearConversation() {
    if (controller) controller.abort();
    if (rawToggle.checked) {
      bodyArea.value = "{}"; // starting over: whatever the JSON held goes
      setRawMode(false);
    }
    $("pg-system").value = "";
    otherKeys = {};
    messagesBox.replaceChildren();
    const row = messageRow("user", "");
    $("pg-result").hidden = true;
    $("pg-errors").replaceChildren();
    row.querySelector("textarea").focus();
    announce(TEXT.cleared);
  }

  // Ctrl+Enter (Cmd+Enter on a Mac) sends from anywhere on the page; Esc stops a call.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (!$("pg-send").disabled) form.requestSubmit();
    } else if (event.key === "Escape" && controller) {
      event.preventDefault();
      controller.abort();
    }
  });
  $("pg-continue").addEventListener("click", continueConversation);
  $("pg-clear").addEventListener("click", clearConversation);
  deploymentSelect.addEventListener("change", fillVersions);
  versionSelect.addEventListener("change", () => { fillAuth(); applyRanges(); });
  $("pg-add-message").addEventListener("click", () => {
    messageRow("user", "").querySelector("textarea").focus();
  });
  $("pg-stop").addEventListener("click", () => controller && controller.abort());
  // The same copy helper as every other copy button (portal.js), with its fallbacks.
  $("pg-curl").addEventListener("click", () => {
    if (curl) window.portalCopy($("pg-curl"), curl);
  });
  // In raw mode the JSON is what is sent: the editors above are switched off (and
  // filled from the JSON again when raw mode ends), so nothing edited there is lost.
  // JSON the chat view cannot show keeps raw mode on, with the reason; false then.
  function setRawMode(raw) {
    if (raw) bodyArea.value = composeBody();
    const problem = raw ? "" : loadEditorFrom(bodyArea.value);
    $("pg-raw-error").textContent = problem;
    if (problem) {
      rawToggle.checked = true;
      bodyArea.setAttribute("aria-invalid", "true");
      bodyArea.focus();
      return false;
    }
    bodyArea.removeAttribute("aria-invalid");
    showRaw(raw);
    return true;
  }

  function showRaw(raw) {
    rawToggle.checked = raw;
    bodyArea.hidden = !raw;
    $("pg-messages-fieldset").disabled = raw;
    $("pg-params-fieldset").disabled = raw;
    $("pg-raw-note").textContent = raw ? TEXT.rawMode : "";
  }
  rawToggle.addEventListener("change", () => setRawMode(rawToggle.checked));
  // The body as Send would post it, for View code (playground_code.js).
  window.playgroundBody = () => (rawToggle.checked ? bodyArea.value : composeBody());
  form.addEventListener("submit", send);
  // The browser may restore raw mode and its text on reload: both are kept as they were.
  loadEditorFrom(bodyArea.value);
  if (rawToggle.checked) showRaw(true);
  fillDeployments();
  // For the saved prompts' hooks (prompt_hooks.js): the body as Send would send it, and
  // loading a body into the editors.
  window.portalPlayground = {
    body: () => (rawToggle.checked ? bodyArea.value : composeBody()),
    load: (text) => { if (rawToggle.checked) bodyArea.value = text; else loadEditorFrom(text); },
  };
})();
