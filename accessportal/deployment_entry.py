"""The deployment form's helpers: fill it from pasted call paths, and preview what it will
save while the admin types.

The preview binds the very ``DeploymentForm`` the Save button posts to and derives the
paths with ``Deployment.call_paths()``, the code of the saved page: the browser only shows
what this module returns, it computes nothing itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accessportal import callpath_parsing
from accessportal.callpaths import EDGE_LB, EDGE_NODE, V1, VERSIONS
from accessportal.forms import MODE_FIELDS, DeploymentForm

CALL_PATH = "call_path"


@dataclass
class Fill:
    """Form data after a paste: the fields the paths set, and what the paths told."""

    data: dict[str, str]
    changed: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str = ""


def fill_from_call_paths(data: Mapping[str, str], *, endpoint: str, project_id: str) -> Fill:
    """``data`` (the form's fields as posted) with what its ``call_path`` text determines.

    Pure: the workspace comes in as its endpoint and project ID. The paste box is emptied,
    so a later preview does not fill over the admin's edits."""
    values = {key: data.get(key, "") for key in data}
    text = values.pop(CALL_PATH, "").strip()
    if not text:
        return Fill(data=values)
    try:
        parsed = callpath_parsing.parse_many(
            text,
            inference_endpoint=endpoint,
            project_id=project_id,
            mode_hint=values.get("mode", ""),
        )
    except callpath_parsing.CallPathError as error:
        return Fill(data=values, error=str(error))
    changed: dict[str, str] = {}
    notes: list[str] = []
    for path in parsed:
        for name, value in path.fields().items():
            changed[name] = "" if value is None else str(value)
        changed[f"serves_{path.version}"] = "on"
        notes.extend(f"{path.version.upper()}: {problem}" for problem in path.problems)
        if path.override:
            notes.append(
                _("The %(version)s path is kept as its call-path override, exactly as pasted.")
                % {"version": path.version.upper()}
            )
    return Fill(data=values | changed, changed=changed, notes=notes)


@dataclass(frozen=True)
class Problem:
    label: str
    message: str


@dataclass
class Preview:
    paths: dict[str, str | None]
    problems: list[Problem]
    notes: list[str]


def _relevant_fields(mode: str, version: str) -> set[str]:
    names = {"mode", f"{version}_path_override", *MODE_FIELDS.get(mode, ())}
    return names | ({"deployment_id"} if version == V1 else set())


def _derivable(deployment, version: str) -> bool:
    """Whether the instance holds everything the version's path needs."""
    if getattr(deployment, f"{version}_path_override"):
        return True
    if version == V1 and not deployment.deployment_id:
        return False
    if deployment.mode == EDGE_LB:
        return bool(deployment.elb_ip and deployment.elb_port)
    if deployment.mode == EDGE_NODE:
        return bool(deployment.node_ip and deployment.host_port)
    return True


def override_problems(deployment) -> list[str]:
    """What a stored override says about itself against the fields and the workspace."""
    workspace = deployment.workspace
    problems = []
    for version in VERSIONS:
        override = (getattr(deployment, f"{version}_path_override") or "").strip()
        if not override or version not in deployment.versions:
            continue
        name = version.upper()
        problems.append(
            _("The %(version)s call path is the override: the fields do not change it.")
            % {"version": name}
        )
        try:
            parsed = callpath_parsing.parse_call_path(
                override,
                inference_endpoint=workspace.inference_endpoint,
                project_id=workspace.project_id,
                mode_hint=deployment.mode,
            )
        except callpath_parsing.CallPathError:
            problems.append(
                _("The %(version)s override is not a chat call path the rules know.")
                % {"version": name}
            )
            continue
        if parsed.version != version:
            problems.append(
                _("The %(version)s override is a %(other)s path.")
                % {"version": name, "other": parsed.version.upper()}
            )
            continue
        problems.extend(parsed.problems)
        if version == V1 and parsed.target.deployment_id != deployment.deployment_id:
            problems.append(
                _("The deployment ID in the V1 override (%(found)s) differs from the field's.")
                % {"found": parsed.target.deployment_id}
            )
    return problems


def preview(form: DeploymentForm, notes: list[str] | None = None) -> Preview:
    """Validate the bound form and derive the paths its instance would have once saved."""
    form.is_valid()
    deployment = form.instance  # built from the cleaned fields by the form's own cleaning
    mode = form.cleaned_data.get("mode", "")
    paths: dict[str, str | None] = {}
    derived = deployment.call_paths()
    for version in deployment.versions:
        blocked = _relevant_fields(mode, version) & set(form.errors)
        ok = not blocked and _derivable(deployment, version)
        paths[version] = derived.get(version) if ok else None
    problems = [
        Problem(form.fields[name].label if name in form.fields else "", message)
        for name, messages in form.errors.items()
        for message in messages
    ]
    problems += [Problem("", message) for message in override_problems(deployment)]
    return Preview(paths=paths, problems=problems, notes=list(notes or []))


def initial_from(form: DeploymentForm) -> dict[str, object]:
    """A bound form's values as the initial data of an unbound one: the filled form is
    shown without shouting errors at fields the admin has not reached yet."""
    return {name: form[name].value() for name in form.fields}
