// Live health: the board and the key check poll a small JSON answer and swap in the
// HTML the server rendered. Without script the pages still work (reload to refresh).
"use strict";

(() => {
  const FAST = 2000; // while something is being checked
  const SLOW = 30000; // otherwise: the monitor's own passes

  function say(text) {
    const region = document.getElementById("announcer");
    if (region) { region.textContent = ""; setTimeout(() => { region.textContent = text; }, 50); }
  }

  async function fetchJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }

  function keepFocus(container, swap) {
    // Replacing HTML must not throw the keyboard user out: refocus the same cell.
    const active = document.activeElement;
    const row = active && active.closest("[data-code]");
    const index = row && active.classList.contains("cell")
      ? Array.from(row.querySelectorAll(".cell")).indexOf(active) : -1;
    swap();
    if (row && index >= 0) {
      const fresh = document.getElementById(row.id);
      const cells = fresh ? fresh.querySelectorAll(".cell") : [];
      if (cells[index]) cells[index].focus();
    }
  }

  function pollBoard(status) {
    const url = status.dataset.pollUrl;
    let wasPending = Number(status.dataset.pending) > 0;
    const tick = async () => {
      let next = SLOW;
      try {
        const data = await fetchJson(url);
        status.innerHTML = data.status;
        Object.entries(data.rows).forEach(([code, html]) => {
          const row = document.getElementById(`row-${code}`);
          if (!row) return;
          keepFocus(row, () => { row.outerHTML = html; });
        });
        if (wasPending && data.pending === 0) say(gettext("Check finished; the board is up to date."));
        wasPending = data.pending > 0;
        next = wasPending ? FAST : SLOW;
      } catch (_) { next = SLOW; }
      setTimeout(tick, next);
    };
    setTimeout(tick, wasPending ? FAST : SLOW);
  }

  // A deployment's own health panel: fast while its check is pending, then at the
  // monitor's pace, like the board.
  function pollPanel(body) {
    let wasPending = body.dataset.pending === "1";
    const tick = async () => {
      let next = SLOW;
      try {
        const data = await fetchJson(body.dataset.pollUrl);
        keepFocus(body, () => { body.innerHTML = data.html; });
        if (wasPending && data.pending === 0) say(gettext("Check finished; the health panel is up to date."));
        wasPending = data.pending > 0;
        next = wasPending ? FAST : SLOW;
      } catch (_) { next = SLOW; }
      setTimeout(tick, next);
    };
    setTimeout(tick, wasPending ? FAST : SLOW);
  }

  function pollKeyCheck(body) {
    if (body.dataset.pending !== "1") return;
    const tick = async () => {
      try {
        const data = await fetchJson(body.dataset.pollUrl);
        body.innerHTML = data.html;
        if (data.done) { say(body.querySelector(".message") ? body.querySelector(".message").textContent : gettext("Key check finished.")); return; }
      } catch (_) { /* try again */ }
      setTimeout(tick, FAST);
    };
    setTimeout(tick, FAST);
  }

  // Arrow keys move along a strip's cells (one tab stop per strip).
  document.addEventListener("keydown", (event) => {
    const cell = event.target.closest && event.target.closest(".strip .cell");
    if (!cell) return;
    const cells = Array.from(cell.parentElement.querySelectorAll(".cell"));
    let index = cells.indexOf(cell);
    if (event.key === "ArrowLeft") index -= 1;
    else if (event.key === "ArrowRight") index += 1;
    else if (event.key === "Home") index = 0;
    else if (event.key === "End") index = cells.length - 1;
    else return;
    event.preventDefault();
    const target = cells[Math.max(0, Math.min(cells.length - 1, index))];
    cells.forEach((c) => { c.tabIndex = -1; });
    target.tabIndex = 0;
    target.focus();
  });

  document.addEventListener("DOMContentLoaded", () => {
    const status = document.getElementById("board-status");
    if (status) pollBoard(status);
    const body = document.getElementById("key-check-body");
    if (body) pollKeyCheck(body);
    const panel = document.getElementById("deployment-health-body");
    if (panel) pollPanel(panel);
  });
})();
