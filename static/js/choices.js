// The target choices the playground and compare both offer, in one place: a deployment's
// API versions, and the credentials that can call it (the application accesses covering
// it, and on V1 the workspace's IAM credentials too). Choices carry codes, never keys.
"use strict";

window.portalChoices = (() => {
  function option(value, label, disabled) {
    const el = document.createElement("option");
    el.value = value;
    el.textContent = label;
    el.disabled = Boolean(disabled);
    return el;
  }

  function group(label, options) {
    const el = document.createElement("optgroup");
    el.label = label;
    el.append(...options);
    return el;
  }

  // ``select`` offers the deployment's versions (none without a deployment).
  function versions(select, deployment) {
    select.replaceChildren(...(deployment ? deployment.versions : []).map((v) => option(v, v.toUpperCase())));
  }

  // ``select`` offers what can call ``deployment`` on ``version``, grouped by kind so each
  // option is just the name and mask. Returns why nothing is offered, or "".
  function credentials(select, catalog, deployment, version) {
    const keys = deployment ? catalog.accesses
      .filter((a) => a.all || a.deployments.includes(deployment.code))
      .map((a) => option(a.value, a.label)) : [];
    const tokens = deployment && version === "v1" ? catalog.credentials.map((c) => option(c.value, c.label)) : [];
    select.replaceChildren(
      ...(keys.length ? [group(gettext("API key"), keys)] : []),
      ...(tokens.length ? [group(gettext("IAM token (V1)"), tokens)] : []));
    if (!deployment || keys.length || tokens.length) return "";
    return version === "v1" ? gettext("No enabled application access covers this deployment, and no IAM credential exists.")
      : gettext("No enabled application access covers this deployment.");
  }

  return { option, versions, credentials };
})();
