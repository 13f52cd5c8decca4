// The browser's time zone, for the portal to show times in until the person saves one on
// their profile page (accounts/middleware.py reads the cookie).
"use strict";

(() => {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (_) {
    return;
  }
  if (!/^[A-Za-z0-9_+\-/]+$/.test(zone)) return;
  if (document.cookie.split("; ").includes(`portal_tz=${zone}`)) return;
  document.cookie = `portal_tz=${zone}; path=/; max-age=31536000; samesite=lax`;
})();
