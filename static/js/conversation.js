// The playground's conversation, without the page: how a JSON body becomes the chat view
// (system message, messages, parameters, the keys it has no field for) and back, and why
// a body cannot be shown there. Pure functions, so tests/node/conversation.test.mjs runs
// them under Node; playground.js does the DOM around them.
"use strict";

((root) => {
  const ROLES = ["user", "system", "assistant"];
  // Django's JavaScript catalog in the browser; the text as written elsewhere (Node).
  const gettext = (text) => (typeof root.gettext === "function" ? root.gettext(text) : text);
  const interpolate = (format, args) =>
    typeof root.interpolate === "function"
      ? root.interpolate(format, args)
      : args.reduce((text, arg) => text.replace("%s", arg), format);

  // Why ``text`` cannot be shown in the chat view without losing something, or "".
  // ``params``: the parameter fields, [{name, checkbox}].
  function problem(text, params) {
    let body;
    try { body = JSON.parse(text); } catch (error) {
      return interpolate(gettext("The JSON is not valid (%s). Fix it to go back to the chat view; your text is kept."), [error.message]);
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) return gettext("The body must be a JSON object.");
    if (body.messages !== undefined && !Array.isArray(body.messages)) return gettext("\"messages\" must be a list.");
    const odd = (body.messages || []).findIndex((m) => !m || typeof m !== "object" || Array.isArray(m) ||
      typeof m.content !== "string" || (m.role !== undefined && !ROLES.includes(m.role)));
    if (odd >= 0) return interpolate(gettext("Message %s is not a system, user or assistant message with text: the chat view cannot show it. Edit it here."), [odd + 1]);
    const param = params.find(({ name, checkbox }) => {
      const value = body[name];
      if (value === undefined) return false;
      return checkbox ? typeof value !== "boolean" : typeof value !== "number";
    });
    if (param) return interpolate(gettext("\"%s\" must be a number (stream: true or false)."), [param.name]);
    return "";
  }

  // A body the chat view can show (``problem`` said "") as its parts: a leading system
  // message of its own, the conversation (each message's other fields, a "name" say, in
  // ``extra``), the parameters' values and the keys it has no field for.
  function split(body, params) {
    const messages = Array.isArray(body.messages) ? [...body.messages] : [];
    const first = messages[0];
    const lead = first && first.role === "system" && Object.keys(first).length === 2;
    const system = lead ? messages.shift().content : "";
    const shown = new Set(["messages", ...params.map(({ name }) => name)]);
    return {
      system,
      messages: messages.map(({ role, content, ...extra }) => ({ role, content, extra })),
      values: Object.fromEntries(params.map(({ name }) => [name, body[name]])),
      other: Object.fromEntries(Object.entries(body).filter(([k]) => !shown.has(k))),
    };
  }

  // The body the parts make. ``fields``: the parameter fields as the page has them,
  // [{name, checkbox, checked, value}]: a ticked box is true, an empty field is left out.
  function compose({ other, system, messages, fields }) {
    // Keys the editors do not show come first, so the editors' values win.
    const body = {
      ...other,
      messages: [
        ...(system.trim() ? [{ role: "system", content: system }] : []),
        ...messages.map(({ role, content, extra }) => ({ ...(extra || {}), role, content })),
      ],
    };
    fields.forEach(({ name, checkbox, checked, value }) => {
      if (checkbox) {
        if (checked) body[name] = true;
      } else if (value !== "") {
        body[name] = name === "max_tokens" || name === "n" ? parseInt(value, 10) : parseFloat(value);
      }
    });
    return body;
  }

  const api = { ROLES, problem, split, compose };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.portalConversation = api;
})(typeof window !== "undefined" ? window : globalThis);
