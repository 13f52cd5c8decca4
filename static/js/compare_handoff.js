// The playground's Compare button takes the current conversation along: the body as Send
// would post it (messages and parameters) and the chosen target, kept in this tab's
// sessionStorage until the compare page takes it. Not in the address: a body can be long
// and hold private text, and an address ends up in the history and in logs. No secret is
// in it (the target is a code, as in the page's own form).
"use strict";

window.compareHandoff = (() => {
  const KEY = "portal.compare.handoff";

  // What the compare page was handed, once (a reload of compare then keeps its own
  // editing), or null.
  function take() {
    try {
      const text = window.sessionStorage.getItem(KEY);
      window.sessionStorage.removeItem(KEY);
      return text ? JSON.parse(text) : null;
    } catch (_) {
      return null; // storage switched off, or not ours: compare starts from its example
    }
  }

  function give(handoff) {
    try {
      window.sessionStorage.setItem(KEY, JSON.stringify(handoff));
    } catch (_) { /* storage switched off: compare starts from its example */ }
  }

  // On the playground: the link still simply navigates; a click on it (mouse or Enter)
  // first leaves the conversation for the compare page. Opened in a new tab, compare
  // starts from its example, as it does without script.
  const link = document.getElementById("pg-compare");
  if (link && window.playgroundBody) {
    link.addEventListener("click", () => give({
      body: window.playgroundBody(),
      deployment: document.getElementById("pg-deployment").value,
      version: document.getElementById("pg-version").value,
      auth: document.getElementById("pg-auth").value,
    }));
  }

  return { take };
})();
