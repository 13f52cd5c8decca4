// The channel page: while deliveries are waiting, refresh their table every few seconds,
// so a Send test shows its result without reloading. The page works without it.
"use strict";

(function () {
  const POLL_MS = 3000;
  const MAX_POLLS = 100; // about five minutes; a reload starts again
  let polls = 0;

  function schedule() {
    const table = document.getElementById("deliveries");
    if (!table || table.dataset.open === "0" || polls >= MAX_POLLS) return;
    setTimeout(refresh, POLL_MS);
  }

  async function refresh() {
    polls += 1;
    const current = document.getElementById("deliveries");
    try {
      const response = await fetch(current.dataset.poll, { headers: { Accept: "text/html" } });
      if (!response.ok) return schedule();
      const holder = document.createElement("div");
      holder.innerHTML = await response.text();
      const fresh = holder.querySelector("#deliveries");
      if (fresh) {
        current.replaceWith(fresh);
        if (fresh.dataset.open === "0" && typeof announce === "function") {
          announce(gettext("Deliveries updated: none waiting."));
        }
      }
    } catch (_) {
      // Offline for a moment: try again on the next tick.
    }
    schedule();
  }

  document.addEventListener("DOMContentLoaded", schedule);
})();
