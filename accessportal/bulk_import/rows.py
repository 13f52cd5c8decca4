"""Each row of an import → the form an admin would have submitted by hand, checked.

A row's cells fill ``DeploymentForm`` or ``AccessForm`` (the field rules live there and
only there), on top of the row's current values when the name is already in the
workspace (an empty cell keeps a value; a new row gets the form's defaults). The result
says what Apply would do and every problem, by column. Nothing is written here.
"""

from __future__ import annotations

import copy
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accessportal import deployment_entry
from accessportal.bulk_import.files import Cell, Table
from accessportal.bulk_import.kinds import DEPLOYMENTS, ImportKind
from accessportal.crypto import DecryptionError
from accessportal.forms import AccessForm, DeploymentForm, RotateKeyForm, ScopeChoiceField
from accessportal.masking import mask_secret
from accessportal.models import ApplicationAccess, Deployment, Mode, Source, Status, Workspace
from accessportal.services import describe_deployment


class WithoutConstraintQueries:
    """A model form's rules, minus one repetition: Django checks each of a model's
    constraints with a database query (seven per deployment row: three quarters of a
    5,000-row preview). The forms' own cleaning enforces each of them (a version served,
    the V2 model name, the mode's address, ports in range, names and model names free), and
    the database still enforces them when Apply writes (a violation rolls it all back)."""

    def _post_clean(self) -> None:
        full_clean = self.instance.full_clean
        self.instance.full_clean = functools.partial(full_clean, validate_constraints=False)
        try:
            super()._post_clean()
        finally:
            del self.instance.full_clean


class SharedFields(dict):
    """One import's copy of a form's fields, shared by its rows' forms.

    Django deep-copies every field (widgets, choices) for each form, so that a form may
    change its own: half the cost of a row. A row's form changes nothing in them but what
    ``__init__`` sets the same way for every row of one import (the workspace's deployments,
    a widget's bounds), so one copy per import serves them all. Never share one between
    imports: the querysets name the workspace."""

    def __init__(self, form_class) -> None:
        super().__init__(copy.deepcopy(form_class.base_fields))

    def __deepcopy__(self, memo) -> dict:
        return dict(self)  # each form still gets its own dict (AccessForm drops a field)


class WithSharedFields:
    def __init__(self, *args, shared_fields: SharedFields, **kwargs) -> None:
        self.base_fields = shared_fields  # read by BaseForm.__init__ instead of the class's
        super().__init__(*args, **kwargs)


class RowDeploymentForm(WithSharedFields, WithoutConstraintQueries, DeploymentForm):
    """One row's deployment form; the workspace's model names are read once per import."""

    def __init__(self, *args, model_names: dict[str, set[int]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.model_names = model_names

    def model_name_taken(self, value: str) -> bool:
        return bool(self.model_names.get(value, set()) - {self.instance.pk})


class PreloadedScope(ScopeChoiceField):
    """The access form's services, answered from the deployments the import read once,
    not with a query per row. The rows name deployments through ``_Deployments``, which
    hands out only this workspace's; anything else is still refused."""

    def __init__(self, deployments: dict[int, Deployment]) -> None:
        super().__init__(queryset=Deployment.objects.none(), required=False)
        self.deployments = deployments

    def _check_values(self, value) -> list[Deployment]:
        try:
            return [self.deployments[pk] for pk in value]
        except (KeyError, TypeError):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": "?"},
            ) from None


class RowAccessForm(WithSharedFields, WithoutConstraintQueries, AccessForm):
    """One row's access form; the workspace's access names are read once per import, and
    its services field (a ``PreloadedScope``) already holds the workspace's deployments."""

    def __init__(self, *args, access_names: dict[str, int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.access_names = access_names

    def limit_services(self, workspace: Workspace) -> None:
        pass

    def name_taken(self, name: str) -> bool:
        return self.access_names.get(name, self.instance.pk) != self.instance.pk


CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"

DEPLOYMENT_FIELDS = tuple(DeploymentForm._meta.fields)
DEPLOYMENT_DEFAULTS = {
    "source": Source.MY_SERVICE,
    "status": Status.RUNNING,
    "mode": Mode.CLOUD,
    "serves_v1": "on",
    "serves_v2": "",
}
# Form fields (and non-field error codes) shown under another column of the file.
FIELD_COLUMNS = {
    "serves_v1": "versions",
    "serves_v2": "versions",
    "no_version": "versions",
    "scope": "services",
    "deployments": "services",
}
ALL_SERVICES = {"all", "*", "all services"}


@dataclass(frozen=True)
class Problem:
    column: str  # "" when it concerns the row as a whole
    message: str


@dataclass
class RowResult:
    number: int
    name: str
    action: str = CREATE
    summary: str = ""
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    form: object = field(default=None, repr=False)
    new_key: str = field(default="", repr=False)  # an update's replacement key; never shown

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(column, str(message)))


@dataclass
class ImportPreview:
    kind: ImportKind
    format: str
    rows: list[RowResult]

    @property
    def ok(self) -> bool:
        return not any(row.problems for row in self.rows)

    def counts(self) -> dict[str, int]:
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, "problems": 0}
        for row in self.rows:
            counts["problems" if row.problems else row.action] += 1
        return counts


def check_rows(table: Table, kind: ImportKind, workspace: Workspace) -> ImportPreview:
    check = _deployment_rows if kind.name == DEPLOYMENTS else _access_rows
    return ImportPreview(kind=kind, format=table.format, rows=check(table, workspace))


def _text(cell: Cell | None, sep: str = "; ") -> str:
    if isinstance(cell, list):
        return sep.join(cell)
    return (cell or "").strip()


def _as_data(value: object) -> str:
    if value is True:
        return "on"
    if value is False or value is None:
        return ""
    return str(value)


def _choices(model_field: str) -> dict[str, str]:
    """A choice column accepts the stored value or the label people see, in any case."""
    choices = Deployment._meta.get_field(model_field).choices
    return {str(label).lower(): value for value, label in choices} | {
        value.lower(): value for value, _ in choices
    }


CHOICES = {name: _choices(name) for name in ("source", "status", "mode")}


def _form_problems(result: RowResult, form) -> None:
    for name, errors in form.errors.as_data().items():
        for error in errors:
            column = FIELD_COLUMNS.get(name) or FIELD_COLUMNS.get(error.code or "", "")
            if name != "__all__" and not column:
                column = name
            for message in error.messages:
                result.problem(column, message)


def _mark_repeats(result: RowResult, seen: dict[str, int], column: str, value: str) -> None:
    if not value:
        return
    if value in seen:
        result.problem(
            column,
            _("Row %(row)s of this file has the same %(column)s.")
            % {"row": seen[value], "column": column},
        )
    else:
        seen[value] = result.number


def _changed_columns(form) -> str:
    columns = dict.fromkeys(FIELD_COLUMNS.get(n, n) for n in form.changed_data)
    return _("Changed: %(columns)s") % {"columns": ", ".join(columns)}


# --- Deployments -------------------------------------------------------------------------


def _versions(result: RowResult, data: dict, cell: Cell) -> None:
    tokens = [t for t in re.split(r"[\s,;+/]+", _text(cell, " ").lower()) if t]
    if any(t not in ("v1", "v2") for t in tokens):
        result.problem("versions", _("Use v1, v2 or both (for example “v1 v2”)."))
    data["serves_v1"] = "on" if "v1" in tokens else ""
    data["serves_v2"] = "on" if "v2" in tokens else ""


def _deployment_rows(table: Table, workspace: Workspace) -> list[RowResult]:
    by_name: dict[str, list[Deployment]] = defaultdict(list)
    taken_model_names: dict[str, set[int]] = defaultdict(set)
    for deployment in workspace.deployments.all():
        deployment.workspace = workspace  # no query per row for its call paths
        by_name[deployment.name].append(deployment)
        if deployment.model_name:
            taken_model_names[deployment.model_name].add(deployment.pk)
    names: dict[str, int] = {}
    model_names: dict[str, int] = {}
    fields = SharedFields(RowDeploymentForm)
    results = []
    for row in table.rows:
        cells = row.cells
        result = RowResult(number=row.number, name=_text(cells.get("name")))
        matches = by_name.get(result.name, [])
        if len(matches) > 1:
            result.problem(
                "name",
                ngettext(
                    "%(n)s deployment already has this name.",
                    "%(n)s deployments already have this name: rename them first.",
                    len(matches),
                )
                % {"n": len(matches)},
            )
        instance = matches[0] if len(matches) == 1 else None
        if instance is None:
            data = dict(DEPLOYMENT_DEFAULTS)
        else:
            data = {name: _as_data(getattr(instance, name)) for name in DEPLOYMENT_FIELDS}
        for name in DEPLOYMENT_FIELDS:
            if value := _text(cells.get(name)):
                data[name] = CHOICES.get(name, {}).get(value.lower(), value)
        if _text(cells.get("versions")):
            _versions(result, data, cells["versions"])
        if call_path := _text(cells.get("call_path"), " "):
            if instance is None and not _text(cells.get("versions")):
                data["serves_v1"] = data["serves_v2"] = ""  # the pasted paths say which
            fill = deployment_entry.fill_from_call_paths(
                data | {deployment_entry.CALL_PATH: call_path},
                endpoint=workspace.inference_endpoint,
                project_id=workspace.project_id,
            )
            if fill.error:
                result.problem("call_path", fill.error)
            data, result.notes = fill.data, fill.notes
        _mark_repeats(result, names, "name", result.name)
        _mark_repeats(result, model_names, "model_name", data.get("model_name", "").strip())
        form = RowDeploymentForm(
            data,
            instance=instance,
            workspace=workspace,
            model_names=taken_model_names,
            shared_fields=fields,
        )
        if not form.is_valid():
            _form_problems(result, form)
        result.form = form
        if instance is None:
            result.summary = describe_deployment(form.instance) if not result.problems else ""
        elif form.has_changed():
            result.action, result.summary = UPDATE, _changed_columns(form)
        else:
            result.action = UNCHANGED
        results.append(result)
    return results


# --- Application accesses ----------------------------------------------------------------


class _Deployments:
    """The workspace's deployments by name and by deployment ID, for the services column."""

    def __init__(self, workspace: Workspace) -> None:
        self.by_pk = {d.pk: d for d in workspace.deployments.only("pk", "name", "deployment_id")}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.by_id: dict[str, list[int]] = defaultdict(list)
        for pk, deployment in self.by_pk.items():
            self.by_name[deployment.name].append(pk)
            if deployment.deployment_id:
                self.by_id[deployment.deployment_id].append(pk)

    def resolve(self, result: RowResult, items: list[str]) -> list[int]:
        pks = []
        for item in items:
            found = self.by_name.get(item) or self.by_id.get(item) or []
            if len(found) == 1:
                pks.append(found[0])
            elif found:
                result.problem(
                    "services",
                    _("Several deployments are named “%(item)s”: name it by its deployment ID.")
                    % {"item": item},
                )
            else:
                result.problem(
                    "services",
                    _("No deployment of this workspace is named, or has the ID, “%(item)s”.")
                    % {"item": item},
                )
        return pks


def _access_data(access: ApplicationAccess) -> dict[str, object]:
    return {
        "name": access.name,
        "description": access.description,
        "scope": AccessForm.SCOPE_ALL if access.all_services else AccessForm.SCOPE_SELECTED,
        "deployments": [d.pk for d in access.deployments.all()],
        "expires_at": access.expires_at or "",
    }


def _stored_key(access: ApplicationAccess) -> str | None:
    try:
        return access.api_key()
    except DecryptionError:
        return None  # unreadable: a key in the file replaces it


def _access_rows(table: Table, workspace: Workspace) -> list[RowResult]:
    deployments = _Deployments(workspace)
    existing = {a.name: a for a in workspace.accesses.prefetch_related("deployments")}
    access_names = {name: access.pk for name, access in existing.items()}
    names: dict[str, int] = {}
    fields = SharedFields(RowAccessForm)
    fields["deployments"] = PreloadedScope(deployments.by_pk)
    results = []
    for row in table.rows:
        cells = row.cells
        result = RowResult(number=row.number, name=_text(cells.get("name")))
        instance = existing.get(result.name)
        data = _access_data(instance) if instance else {"scope": AccessForm.SCOPE_ALL}
        for name in ("name", "description", "expires_at"):
            if value := _text(cells.get(name)):
                data[name] = value
        services = cells.get("services") or []
        services = services if isinstance(services, list) else [services]
        if len(services) == 1 and services[0].lower() in ALL_SERVICES:
            data["scope"], data["deployments"] = AccessForm.SCOPE_ALL, []
        elif services:
            data["scope"] = AccessForm.SCOPE_SELECTED
            data["deployments"] = deployments.resolve(result, services)
        key = _text(cells.get("api_key"))
        _mark_repeats(result, names, "name", result.name)
        if instance is None:
            form = RowAccessForm(
                data | {"api_key": key},
                workspace=workspace,
                with_key=True,
                shared_fields=fields,
                access_names=access_names,
            )
        else:
            form = RowAccessForm(
                data,
                instance=instance,
                workspace=workspace,
                with_key=False,
                shared_fields=fields,
                access_names=access_names,
            )
            if key:
                key_form = RotateKeyForm({"api_key": key})
                if not key_form.is_valid():
                    _form_problems(result, key_form)
                elif key != _stored_key(instance):
                    result.new_key = key
        if not form.is_valid():
            _form_problems(result, form)
        result.form = form
        result.summary = _access_summary(result, form, instance, key)
        results.append(result)
    return results


def _access_summary(result: RowResult, form: AccessForm, instance, key: str) -> str:
    if result.problems:
        return ""
    data = form.cleaned_data
    if instance is None:
        scope = (
            _("All services")
            if data["scope"] == AccessForm.SCOPE_ALL
            else ", ".join(d.name for d in data["deployments"])
        )
        return _("%(scope)s; key %(mask)s") % {"scope": scope, "mask": mask_secret(key)}
    parts = [_changed_columns(form)] if form.has_changed() else []
    if result.new_key:
        parts.append(_("key replaced by %(mask)s") % {"mask": mask_secret(result.new_key)})
    result.action = UPDATE if parts else UNCHANGED
    return "; ".join(parts)
