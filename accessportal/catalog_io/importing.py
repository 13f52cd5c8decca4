"""A catalog document into the database: check everything, then write in one transaction."""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.debug import sensitive_variables

from accessportal.catalog_io.schema import (
    ACCESS_EXTRA,
    ACCESS_FIELDS,
    AUDIT_FIELDS,
    BOOL,
    CREDENTIAL_EXTRA,
    CREDENTIAL_FIELDS,
    DEPLOYMENT_FIELDS,
    DT,
    DT_OPT,
    FORMAT,
    INT_OPT,
    IP_OPT,
    JSON_DICT,
    MEMBER_FIELDS,
    SCHEMA_VERSION,
    STR,
    USER_OPT,
    UUID,
    WORKSPACE_FIELDS,
    WORKSPACE_LISTS,
    CatalogError,
)
from accessportal.catalog_io.sealing import Sealer, secret_context
from accessportal.models import (
    ApplicationAccess,
    AuditEvent,
    Deployment,
    IamCredential,
    Membership,
    Workspace,
)

# --- Import: check everything, then write in one transaction --------------------------------


@dataclass
class ImportResult:
    counts: dict[str, int]
    skipped_secret_rows: int = 0
    created_users: tuple[str, ...] = ()


@dataclass
class _Item:
    """One object of the file, checked: where it is, its model fields, anything beside."""

    path: str
    fields: dict[str, Any]
    extra: dict[str, Any] = dataclass_field(default_factory=dict)
    children: dict[str, list[_Item]] = dataclass_field(default_factory=dict)


def _parse(kind: str, value: Any, path: str) -> Any:
    """A value from the file as the model wants it, or a CatalogError naming where."""

    def bad(expected: str) -> CatalogError:
        return CatalogError(f"{path}: expected {expected}, found {value!r:.60}.")

    if value is None and kind.endswith("?"):
        return None
    if kind == UUID:
        try:
            return uuid.UUID(value)
        except (TypeError, ValueError, AttributeError):
            raise bad("a UUID") from None
    if kind in (STR, USER_OPT):
        if not isinstance(value, str):
            raise bad("a string")
        return value
    if kind == BOOL:
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if kind in (DT, DT_OPT):
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None or timezone.is_naive(parsed):
            raise bad("an ISO 8601 date-time with a time zone")
        return parsed
    if kind == INT_OPT:
        if type(value) is not int:
            raise bad("an integer")
        return value
    if kind == IP_OPT:
        try:
            return str(ipaddress.ip_address(value))
        except (TypeError, ValueError):
            raise bad("an IP address") from None
    if kind == JSON_DICT:
        if not isinstance(value, dict):
            raise bad("an object")
        return value
    raise AssertionError(kind)


def _fields(raw: Any, spec: dict[str, str], path: str, extra: set[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}: expected an object.")
    missing = sorted(set(spec) - set(raw))
    if missing:
        raise CatalogError(f"{path}: missing {', '.join(missing)}.")
    unknown = sorted(set(raw) - set(spec) - extra)
    if unknown:
        raise CatalogError(f"{path}: unknown field(s) {', '.join(unknown)}.")
    return {name: _parse(kind, raw[name], f"{path}.{name}") for name, kind in spec.items()}


def _count_secret_rows(data: Any) -> int:
    workspaces = data.get("workspaces") if isinstance(data, dict) else None
    if not isinstance(workspaces, list):
        return 0
    return sum(
        len(rows)
        for w in workspaces
        if isinstance(w, dict)
        for rows in (w.get("accesses"), w.get("iam_credentials"))
        if isinstance(rows, list)
    )


def needs_passphrase(data: Any, *, structure_only: bool) -> bool:
    """Whether importing ``data`` will open sealed secrets (so the command asks for one)."""
    return (
        not structure_only
        and isinstance(data, dict)
        and isinstance(data.get("secrets"), dict)
        and _count_secret_rows(data) > 0
    )


def _check_header(data: Any) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CatalogError(f"Not an Access Portal catalog file (format is not {FORMAT!r}).")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise CatalogError(
            f"Unsupported schema version {version!r}: this portal reads version "
            f"{SCHEMA_VERSION}. Export the catalog again with this portal's version."
        )
    if not isinstance(data.get("workspaces"), list):
        raise CatalogError("workspaces: expected a list.")


# (list key in a workspace, field spec, keys allowed beside the fields, secret it carries)
CHILDREN = (
    ("members", MEMBER_FIELDS, set(), None),
    ("deployments", DEPLOYMENT_FIELDS, set(), None),
    ("accesses", ACCESS_FIELDS, ACCESS_EXTRA, ("api_key", ApplicationAccess)),
    ("iam_credentials", CREDENTIAL_FIELDS, CREDENTIAL_EXTRA, ("password", IamCredential)),
    ("audit_events", AUDIT_FIELDS, set(), None),
)


@sensitive_variables()
def _plan_workspace(raw: Any, path: str, sealer: Sealer | None) -> _Item:
    workspace = _Item(path, _fields(raw, WORKSPACE_FIELDS, path, set(WORKSPACE_LISTS)))
    path = f"{path} ({workspace.fields['name']!r})"
    workspace.path = path
    for key, spec, allowed, secret in CHILDREN:
        rows = raw.get(key)
        if not isinstance(rows, list):
            raise CatalogError(f"{path}.{key}: expected a list.")
        items = []
        for i, row in enumerate(rows):
            item = _Item(f"{path}.{key}[{i}]", {})
            item.fields = _fields(row, spec, item.path, allowed)
            if key == "accesses":
                codes = row.get("deployments")
                if not isinstance(codes, list):
                    raise CatalogError(f"{item.path}.deployments: expected a list of codes.")
                item.extra["deployments"] = [
                    _parse(UUID, c, f"{item.path}.deployments[{j}]") for j, c in enumerate(codes)
                ]
            if secret and sealer is not None:
                name, model = secret
                if name not in row:
                    raise CatalogError(f"{item.path}: missing {name} (the file has secrets).")
                try:
                    item.extra[name] = sealer.open(
                        row[name], context=secret_context(model, name, item.fields["code"])
                    )
                except CatalogError as error:
                    raise CatalogError(f"{item.path}.{name}: {error}.") from None
            items.append(item)
        workspace.children[key] = items
    return workspace


def _check_references(plan: list[_Item], *, create_missing_users: bool) -> list[str]:
    """Member usernames exist (or may be created: returned), codes are new and unique,
    accesses name their own deployments."""
    User = get_user_model()
    wanted: dict[str, str] = {}
    for workspace in plan:
        for member in workspace.children["members"]:
            wanted.setdefault(member.fields["username"], member.path)
    known = set(
        User.objects.filter(**{f"{User.USERNAME_FIELD}__in": list(wanted)}).values_list(
            User.USERNAME_FIELD, flat=True
        )
    )
    missing = sorted(set(wanted) - known)
    if missing and not create_missing_users:
        raise CatalogError(
            f"Member username(s) that do not exist here: {', '.join(missing)} (first at "
            f"{wanted[missing[0]]}). Create those users first, or import with "
            "--create-missing-users."
        )
    for username in missing:
        _check_new_username(username, wanted[username])

    groups = [(Workspace, plan)] + [
        (model, [item for w in plan for item in w.children[key]])
        for model, key in (
            (Membership, "members"),
            (Deployment, "deployments"),
            (ApplicationAccess, "accesses"),
            (IamCredential, "iam_credentials"),
            (AuditEvent, "audit_events"),
        )
    ]
    for model, items in groups:
        codes = [item.fields["code"] for item in items]
        if len(set(codes)) != len(codes):
            raise CatalogError(f"The file lists a {model._meta.verbose_name} code twice.")
        taken = sorted(
            map(str, model.objects.filter(code__in=codes).values_list("code", flat=True))
        )
        if taken:
            raise CatalogError(
                f"{len(taken)} {model._meta.verbose_name_plural} of this file are already in "
                f"the database (e.g. code {taken[0]}). import_catalog only adds a catalog the "
                "database does not hold yet: restore into a fresh database."
            )

    for workspace in plan:
        own = {d.fields["code"] for d in workspace.children["deployments"]}
        for access in workspace.children["accesses"]:
            strangers = [c for c in access.extra["deployments"] if c not in own]
            if strangers:
                raise CatalogError(
                    f"{access.path}.deployments: {strangers[0]} is not a deployment of this "
                    "workspace."
                )
    return missing


def _check_new_username(username: str, path: str) -> None:
    User = get_user_model()
    try:
        User(**{User.USERNAME_FIELD: username}).clean_fields(exclude=["password"])
    except ValidationError:
        raise CatalogError(f"{path}: {username!r:.60} cannot be a username here.") from None


def _create_users(usernames: list[str]) -> None:
    """Members the target database lacks, created without a usable password: they sign
    in after a password reset (or through single sign-on), never with a guessed one."""
    User = get_user_model()
    for username in usernames:
        user = User(**{User.USERNAME_FIELD: username})
        user.set_unusable_password()
        user.save()


def _users(plan: list[_Item]) -> dict[str, Any]:
    names = {
        item.fields[key]
        for w in plan
        for group, key in (
            ("members", "username"),
            ("accesses", "created_by"),
            ("iam_credentials", "created_by"),
            ("audit_events", "actor"),
        )
        for item in w.children[group]
        if item.fields[key]
    }
    User = get_user_model()
    return {
        u.get_username(): u
        for u in User.objects.filter(**{f"{User.USERNAME_FIELD}__in": list(names)})
    }


def _save(instance: models.Model, item: _Item) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        details = "; ".join(
            " ".join(messages) if field == "__all__" else f"{field}: {' '.join(messages)}"
            for field, messages in error.message_dict.items()
        )
        raise CatalogError(f"{item.path}: {details}") from None
    instance.save()
    if "updated_at" in item.fields:  # auto_now stamped "now" on save: keep the file's time
        type(instance).objects.filter(pk=instance.pk).update(updated_at=item.fields["updated_at"])


def _without(fields: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if k not in names}


@sensitive_variables()
def _write(plan: list[_Item], *, with_secret_rows: bool) -> dict[str, int]:
    users = _users(plan)
    counts = dict.fromkeys(("workspaces", *WORKSPACE_LISTS), 0)
    for w in plan:
        workspace = Workspace(**w.fields)
        _save(workspace, w)
        counts["workspaces"] += 1
        for item in w.children["members"]:
            user = users[item.fields["username"]]
            _save(
                Membership(workspace=workspace, user=user, **_without(item.fields, "username")),
                item,
            )
            counts["members"] += 1
        deployments = {}
        for item in w.children["deployments"]:
            deployment = Deployment(workspace=workspace, **item.fields)
            _save(deployment, item)
            deployments[deployment.code] = deployment
            counts["deployments"] += 1
        if with_secret_rows:
            for item in w.children["accesses"]:
                access = ApplicationAccess(
                    workspace=workspace,
                    created_by=users.get(item.fields["created_by"] or ""),
                    **_without(item.fields, "created_by"),
                )
                access.set_api_key(item.extra["api_key"])  # under this portal's keys
                _save(access, item)
                access.deployments.set([deployments[c] for c in item.extra["deployments"]])
                counts["accesses"] += 1
            for item in w.children["iam_credentials"]:
                credential = IamCredential(
                    workspace=workspace,
                    created_by=users.get(item.fields["created_by"] or ""),
                    **_without(item.fields, "created_by"),
                )
                credential.set_password(item.extra["password"])
                _save(credential, item)
                counts["iam_credentials"] += 1
        for item in w.children["audit_events"]:
            event = AuditEvent(
                workspace=workspace,
                actor=users.get(item.fields["actor"] or ""),
                **_without(item.fields, "actor"),
            )
            _save(event, item)
            counts["audit_events"] += 1
    return counts


@sensitive_variables()
def apply_import(
    data: Any,
    *,
    passphrase: str | None = None,
    structure_only: bool = False,
    create_missing_users: bool = False,
) -> ImportResult:
    """Add the catalog in ``data`` to the database, all or nothing.

    Refuses (CatalogError, nothing written) a file of another format or schema version, a
    value of the wrong type anywhere, a member whose username does not exist, an object
    whose code is already in the database, a wrong passphrase, and missing secrets unless
    ``structure_only`` (which leaves accesses and IAM credentials out). Creators and audit
    actors whose usernames do not exist are imported as "nobody", as if the user had been
    deleted; the audit row keeps the name. With ``create_missing_users``, members whose
    usernames do not exist are created without a usable password, in the same transaction.
    """
    _check_header(data)
    secret_rows = _count_secret_rows(data)
    sealer = None
    if secret_rows and not structure_only:
        if data.get("secrets") is None:
            raise CatalogError(
                f"This file was exported without --with-secrets: its {secret_rows} "
                "application access(es) and IAM credential(s) have no keys and cannot be "
                "imported. Export again with --with-secrets, or import with --structure-only "
                "(workspaces, members, deployments and the audit log, without them)."
            )
        if not passphrase:
            raise CatalogError("This file holds sealed secrets: a passphrase is needed.")
        sealer = Sealer.open_header(passphrase, data["secrets"])

    plan = [
        _plan_workspace(raw, f"workspaces[{i}]", sealer) for i, raw in enumerate(data["workspaces"])
    ]
    missing_users = _check_references(plan, create_missing_users=create_missing_users)
    try:
        with transaction.atomic():
            _create_users(missing_users)
            counts = _write(plan, with_secret_rows=not structure_only)
    except IntegrityError as error:  # a race with another writer; full_clean saw no conflict
        raise CatalogError(f"The database refused the catalog: {error}") from None
    return ImportResult(
        counts=counts,
        skipped_secret_rows=secret_rows if structure_only else 0,
        created_users=tuple(missing_users),
    )
