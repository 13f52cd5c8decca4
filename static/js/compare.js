// Compare: one conversation, up to three targets, streamed side by side.
// Each column is an ordinary playground call (its own fetch to playground/send/), so the
// server checks and relays each on its own and no stream waits for another. Replies are
// inserted as text (textContent), never as HTML.
"use strict";

(() => {
  const form = document.getElementById("compare");
  if (!form) return;
  const catalog = JSON.parse(document.getElementById("playground-catalog").textContent);
  const $ = (id) => document.getElementById(id);
  const targets = [...form.querySelectorAll(".compare-target")];
  // The playground's conversation and target when its Compare button brought us here.
  const handoff = window.compareHandoff.take();
  const TEXT = {
    none: gettext("— not compared —"),
    notCallable: (name, reason) => `${name} — ${reason || gettext("cannot be called now")}`,
    waiting: gettext("waiting for the first token…"),
    receiving: gettext("receiving…"),
    stopped: gettext("stopped"),
    soFar: (text) => `${text} ${gettext("(so far)")}`,
    seconds: (ms) => `${(ms / 1000).toFixed(1)} s`,
    reasoningTokens: (n) => interpolate(gettext("(%(n)s tokens)"), { n }, true),
    reasoningShare: (n) => interpolate(gettext("(%(n)s reasoning)"), { n }, true),
  };
  let controller = null;
  let ticker = null;

  function announce(text) {
    const region = $("announcer");
    if (region) region.textContent = text;
  }

  // The same choices as the playground (choices.js): versions, covering keys, IAM on V1.
  const { option } = window.portalChoices;

  // --- the targets: deployment × version × credential, each column on its own --------

  const pick = (box, cls) => box.querySelector(`.${cls}`);
  const deploymentOf = (box) => catalog.deployments.find((d) => d.code === pick(box, "cmp-deployment").value);

  function fillVersions(box) {
    const d = deploymentOf(box);
    window.portalChoices.versions(pick(box, "cmp-version"), d);
    pick(box, "cmp-version").disabled = !d;
    fillAuth(box);
  }

  function fillAuth(box) {
    const d = deploymentOf(box);
    const auth = pick(box, "cmp-auth");
    const none = window.portalChoices.credentials(auth, catalog, d, pick(box, "cmp-version").value);
    auth.disabled = !d;
    $(`cmp-note-${box.dataset.column}`).textContent = d && !d.callable ? d.reason : none;
  }

  function fillTargets() {
    const callable = catalog.deployments.filter((d) => d.callable);
    const first = handoff ? handoff.deployment : form.dataset.first;
    const asked = catalog.deployments.find((d) => d.code === first);
    targets.forEach((box, i) => {
      const select = pick(box, "cmp-deployment");
      if (i > 0) select.appendChild(option("", TEXT.none));
      catalog.deployments.forEach((d) =>
        select.appendChild(option(d.code, d.callable ? d.name : TEXT.notCallable(d.name, d.reason), !d.callable)));
      // Target 1 is the deployment asked for (or the first that answers); target 2 the
      // next one, so a first Send already compares two; target 3 waits to be chosen.
      const preset = i === 0 ? (asked || callable[0]) : (i === 1 ? callable.find((d) => d !== (asked || callable[0])) : null);
      select.value = preset ? preset.code : "";
      select.addEventListener("change", () => fillVersions(box));
      pick(box, "cmp-version").addEventListener("change", () => fillAuth(box));
      fillVersions(box);
    });
    if (handoff) keepPlaygroundTarget(targets[0]);
  }

  // Target 1 is the playground's target: its version and credential too, when offered.
  function keepPlaygroundTarget(box) {
    const offers = (select, value) => [...select.options].some((o) => o.value === value && !o.disabled);
    if (offers(pick(box, "cmp-version"), handoff.version)) {
      pick(box, "cmp-version").value = handoff.version;
      fillAuth(box);
    }
    if (offers(pick(box, "cmp-auth"), handoff.auth)) pick(box, "cmp-auth").value = handoff.auth;
  }

  function chosenTargets() {
    return targets
      .map((box, i) => ({ box, column: $(`cmp-column-${i + 1}`), d: deploymentOf(box) }))
      .filter((t) => t.d)
      .map((t) => {
        const auth = pick(t.box, "cmp-auth");
        const version = pick(t.box, "cmp-version").value;
        const chosen = auth.selectedOptions[0];
        return { ...t, version, auth: auth.value, title: [t.d.name, version.toUpperCase(), chosen ? chosen.textContent : "—"].join(" · ") };
      });
  }

  // --- one column's call ---------------------------------------------------------------

  function field(column, cls, text) {
    const el = column.querySelector(`.${cls}`);
    if (text === undefined) return el;
    el.textContent = text;
    return el;
  }

  function resetColumn(t) {
    const c = t.column;
    c.hidden = false;
    c.figures = { sentAt: performance.now(), first: false, done: false };
    field(c, "cmp-title", t.title);
    ["cmp-status", "cmp-ttft", "cmp-latency", "cmp-usage", "cmp-finish"].forEach((cls) => field(c, cls, "…"));
    field(c, "cmp-reply", "").setAttribute("aria-busy", "true");
    field(c, "cmp-reasoning", "");
    field(c, "cmp-reasoning-tokens", "");
    field(c, "cmp-reasoning-panel").hidden = true;
    field(c, "cmp-error").hidden = true;
    field(c, "cmp-history").hidden = true;
    field(c, "cmp-waiting", TEXT.waiting).hidden = false;
  }

  function showError(c, headline, detail, code) {
    const box = field(c, "cmp-error");
    box.hidden = false;
    const strong = document.createElement("strong");
    strong.className = "headline";
    strong.textContent = headline;
    box.replaceChildren(strong);
    if (detail || code) {
      const p = document.createElement("p");
      p.className = "detail";
      if (detail) p.append(document.createTextNode(`${detail} `));
      if (code) {
        const el = document.createElement("code");
        el.textContent = code;
        p.appendChild(el);
      }
      box.appendChild(p);
    }
  }

  function firstToken(c, data) {
    if (!c.figures.first) {
      c.figures.first = true;
      field(c, "cmp-waiting", TEXT.receiving);
    }
    if (data.ttft_ms !== undefined) field(c, "cmp-ttft", `${data.ttft_ms} ms`);
  }

  function handlersFor(c) {
    return {
      status(data) { c.figures.status = data.status; field(c, "cmp-status", String(data.status)); },
      reasoning(data) {
        firstToken(c, data);
        field(c, "cmp-reasoning-panel").hidden = false;
        field(c, "cmp-reasoning").appendChild(document.createTextNode(data.text));
      },
      delta(data) {
        firstToken(c, data);
        const reply = field(c, "cmp-reply");
        if (data.index > 0 && !reply.dataset[`choice${data.index}`]) {
          reply.dataset[`choice${data.index}`] = "1";
          reply.appendChild(document.createTextNode(`\n\n[${interpolate(gettext("choice %s"), [data.index + 1])}]\n`));
        }
        reply.appendChild(document.createTextNode(data.text));
      },
      usage(data) {
        c.figures.usage = true;
        const reasoned = data.reasoning_tokens ?? null;
        field(c, "cmp-usage", interpolate(gettext("%(prompt)s prompt + %(completion)s completion = %(total)s"),
          { prompt: data.prompt_tokens ?? "?", completion: data.completion_tokens ?? "?", total: data.total_tokens ?? "?" }, true) +
          (reasoned === null ? "" : ` ${TEXT.reasoningShare(reasoned)}`));
        if (reasoned !== null) field(c, "cmp-reasoning-tokens", TEXT.reasoningTokens(reasoned));
      },
      error(data) { showError(c, data.hint || data.message, data.hint ? data.message : "", data.code); },
      end(data) {
        c.figures.done = true;
        field(c, "cmp-status", data.status === null ? gettext("no answer") : String(data.status));
        field(c, "cmp-latency", `${data.latency_ms} ms`);
        field(c, "cmp-ttft", data.ttft_ms !== null ? `${data.ttft_ms} ms` : "—");
        field(c, "cmp-finish", data.finish_reason || "—");
        if (!c.figures.usage) field(c, "cmp-usage", "—");
        if (data.test_call) {
          const link = field(c, "cmp-history");
          link.querySelector("a").href = `${form.dataset.history}${data.test_call}/`;
          link.hidden = false;
        }
      },
    };
  }

  // Refused before it started (bad body, key not usable, rate limit): the column says why.
  async function refused(c, response) {
    const type = response.headers.get("Content-Type") || "";
    const data = type.includes("json") ? await response.json() : {};
    const messages = Object.entries(data.errors || {}).flatMap(([name, list]) =>
      list.map((e) => (name === "__all__" ? "" : `${name}: `) + e.message));
    field(c, "cmp-status", String(response.status));
    showError(c, messages[0] || `HTTP ${response.status}`, messages.slice(1).join(" "), "");
  }

  // After Stop: the figures known so far, and "—" for those that never came.
  function settle(c) {
    const f = c.figures;
    field(c, "cmp-status", f.status === undefined ? TEXT.stopped : `${f.status} (${TEXT.stopped})`);
    field(c, "cmp-latency", TEXT.soFar(`${Math.round(performance.now() - f.sentAt)} ms`));
    if (f.usage) field(c, "cmp-usage", TEXT.soFar(field(c, "cmp-usage").textContent));
    ["cmp-ttft", "cmp-usage", "cmp-finish"].forEach((cls) => {
      if (field(c, cls).textContent === "…") field(c, cls, "—");
    });
  }

  async function run(t, body, signal) {
    const c = t.column;
    resetColumn(t);
    const data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("deployment", t.d.code);
    data.append("version", t.version);
    data.append("auth", t.auth);
    data.append("body", body);
    try {
      const response = await fetch(form.action, {
        method: "POST", body: data, signal, headers: { Accept: "text/event-stream" },
      });
      if (!(response.headers.get("Content-Type") || "").startsWith("text/event-stream")) {
        await refused(c, response);
        return;
      }
      await window.portalEvents.read(response, handlersFor(c));
    } catch (error) {
      if (error.name === "AbortError") settle(c);
      else showError(c, gettext("The portal could not be reached."), "", "");
    } finally {
      field(c, "cmp-waiting").hidden = true;
      field(c, "cmp-reply").setAttribute("aria-busy", "false");
      ["cmp-status", "cmp-ttft", "cmp-latency", "cmp-usage", "cmp-finish"].forEach((cls) => {
        if (field(c, cls).textContent === "…") field(c, cls, "—");
      });
    }
  }

  // ``text`` as every column sends it: streamed, whatever the body says, and V2's model
  // left to each column's deployment (the portal sets it; chat/compare.py leaves it out of
  // the example too). Text that is not a JSON object goes as it is, and each column shows
  // the portal's explanation.
  function streamed(text, indent) {
    try {
      const body = JSON.parse(text);
      if (body && typeof body === "object" && !Array.isArray(body)) {
        delete body.model;
        body.stream = true;
        return JSON.stringify(body, null, indent);
      }
    } catch (_) { /* sent as it is */ }
    return text;
  }

  function tick() {
    document.querySelectorAll(".compare-column:not([hidden])").forEach((c) => {
      const waiting = field(c, "cmp-waiting");
      if (waiting.hidden) return;
      const label = c.figures.first ? TEXT.receiving : TEXT.waiting;
      waiting.textContent = `${label} ${TEXT.seconds(performance.now() - c.figures.sentAt)}`;
    });
  }

  async function send(event) {
    event.preventDefault();
    const chosen = chosenTargets();
    $("cmp-errors").replaceChildren();
    if (!chosen.length) {
      $("cmp-errors").textContent = gettext("Choose at least one target.");
      return;
    }
    targets.forEach((_, i) => { $(`cmp-column-${i + 1}`).hidden = true; });
    $("cmp-results").hidden = false;
    $("cmp-results").dataset.count = String(chosen.length);
    controller = new AbortController();
    const sendHadFocus = document.activeElement === $("cmp-send");
    $("cmp-send").disabled = true;
    $("cmp-stop").disabled = false;
    if (sendHadFocus) $("cmp-stop").focus();
    announce(gettext("Sending to every target…"));
    ticker = window.setInterval(tick, 100);
    const body = streamed($("cmp-body").value);
    await Promise.all(chosen.map((t) => run(t, body, controller.signal)));
    window.clearInterval(ticker);
    const stopped = controller.signal.aborted;
    controller = null;
    const stopHadFocus = document.activeElement === $("cmp-stop");
    $("cmp-stop").disabled = true;
    $("cmp-send").disabled = false;
    if (stopHadFocus) $("cmp-send").focus();
    announce(stopped ? gettext("Stopped. The replies so far stay on the page.") : gettext("Every column has finished."));
  }

  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (!$("cmp-send").disabled) form.requestSubmit();
    } else if (event.key === "Escape" && controller) {
      event.preventDefault();
      controller.abort();
    }
  });
  $("cmp-stop").addEventListener("click", () => controller && controller.abort());
  form.addEventListener("submit", send);
  if (handoff && typeof handoff.body === "string") {
    $("cmp-body").value = streamed(handoff.body, 2);
    $("cmp-handoff-note").hidden = false;
  }
  fillTargets();
})();
