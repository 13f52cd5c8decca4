"""The catalog as one JSON document: backup, restore, and moving it to another portal.

``build_export`` turns the database into a plain dict; ``apply_import`` checks a dict
completely and then writes it in one transaction, so a file that is wrong anywhere changes
nothing. The management commands ``export_catalog`` and ``import_catalog`` only read and
write files and ask for the passphrase.

What a file holds: every workspace with its members (by username: users and their
passwords are not part of the catalog), deployments, application accesses, IAM
credentials and audit log, keeping each object's code (so links keep working) and its
timestamps.

Secrets: the portal's encryption keys never leave the portal. Without a passphrase the
file has no keys or passwords at all. With one, each secret is sealed with AES-256-GCM
under a key derived from the passphrase by scrypt with a fresh salt per file, bound to
its row; an import opens them and encrypts them again under the importing portal's keys.

An access or credential without its secret is not imported: a placeholder would either
be a fake key the playground could send once somebody re-enabled the access, or a value
that does not decrypt, which readiness (``/readyz``) rightly reports as broken. A file
exported without secrets is therefore imported with ``structure_only`` (workspaces,
members, deployments, audit log) or not at all.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.debug import sensitive_variables

from accessportal import crypto
from accessportal.models import (
    ApplicationAccess,
    AuditEvent,
    Deployment,
    IamCredential,
    Membership,
    Workspace,
)

FORMAT = "accessportal-catalog"
SCHEMA_VERSION = 1
MIN_PASSPHRASE_LENGTH = 12


class CatalogError(Exception):
    """A file or request the operator must fix; the message says what and where."""


# --- Sealing secrets under a passphrase --------------------------------------------------

KDF_PARAMS = {"n": 2**17, "r": 8, "p": 1}  # OWASP's scrypt recommendation: 128 MiB
# Bounds for parameters read from a file, so a crafted file cannot ask for gigabytes.
KDF_LIMITS = {"n": (2**14, 2**20), "r": (1, 16), "p": (1, 4)}
SALT_BYTES = 16
NONCE_BYTES = 12
CHECK_PLAINTEXT = "accessportal-catalog passphrase check"
CHECK_CONTEXT = "catalog:passphrase-check"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii"))


class Sealer:
    """AES-256-GCM under a key derived from the operator's passphrase."""

    @sensitive_variables("passphrase")
    def __init__(self, passphrase: str, *, salt: bytes, n: int, r: int, p: int) -> None:
        key = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
        self._aead = AESGCM(key)
        self.header = {
            "kdf": "scrypt",
            **{"n": n, "r": r, "p": p},
            "salt": _b64(salt),
            "cipher": "AES-256-GCM",
        }

    @classmethod
    def create(cls, passphrase: str) -> Sealer:
        if len(passphrase) < MIN_PASSPHRASE_LENGTH:
            raise CatalogError(
                f"The passphrase must have at least {MIN_PASSPHRASE_LENGTH} characters."
            )
        sealer = cls(passphrase, salt=os.urandom(SALT_BYTES), **KDF_PARAMS)
        sealer.header["check"] = sealer.seal(CHECK_PLAINTEXT, context=CHECK_CONTEXT)
        return sealer

    @classmethod
    def open_header(cls, passphrase: str, header: Any) -> Sealer:
        """The sealer a file's ``secrets`` header describes; refuses a wrong passphrase."""
        if not isinstance(header, dict) or header.get("kdf") != "scrypt":
            raise CatalogError("secrets: unknown key derivation (expected scrypt).")
        if header.get("cipher") != "AES-256-GCM":
            raise CatalogError("secrets: unknown cipher (expected AES-256-GCM).")
        params = {}
        for name, (low, high) in KDF_LIMITS.items():
            value = header.get(name)
            if type(value) is not int or not low <= value <= high:
                raise CatalogError(f"secrets.{name}: must be an integer from {low} to {high}.")
            params[name] = value
        if params["n"] & (params["n"] - 1):
            raise CatalogError("secrets.n: must be a power of two.")
        try:
            salt = _unb64(header["salt"])
        except (KeyError, TypeError, AttributeError, binascii.Error, ValueError):
            raise CatalogError("secrets.salt: missing or not base64.") from None
        if len(salt) < SALT_BYTES:
            raise CatalogError(f"secrets.salt: must be at least {SALT_BYTES} bytes.")
        sealer = cls(passphrase, salt=salt, **params)
        try:
            check = sealer.open(header.get("check"), context=CHECK_CONTEXT)
        except CatalogError:
            check = None
        if check != CHECK_PLAINTEXT:
            raise CatalogError("Wrong passphrase for this file (or its secrets header is damaged).")
        sealer.header["check"] = header["check"]
        return sealer

    def seal(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        return _b64(nonce + sealed)

    def open(self, token: Any, *, context: str) -> str:
        if not isinstance(token, str):
            raise CatalogError("missing sealed value")
        try:
            blob = _unb64(token)
            plain = self._aead.decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode("utf-8")
            )
            return plain.decode("utf-8")
        except (InvalidTag, binascii.Error, ValueError, UnicodeError):
            raise CatalogError(
                "sealed value does not open (altered, or moved to another row)"
            ) from None


def secret_context(model: type[models.Model], label: str, code: uuid.UUID | str) -> str:
    """What a sealed value in the file is bound to: its model, field and row."""
    return f"catalog:{model.__name__}.{label}:{code}"


# --- The shape of a file -------------------------------------------------------------------
# One table per object kind: field -> kind. Explicit on purpose: the format is versioned,
# and the round-trip test compares every model field, so a new field shows up there.

UUID, STR, BOOL, DT, DT_OPT, INT_OPT, IP_OPT, JSON_DICT, USER_OPT = (
    "uuid",
    "str",
    "bool",
    "datetime",
    "datetime?",
    "int?",
    "ip?",
    "json",
    "username?",
)

WORKSPACE_FIELDS = {
    "code": UUID,
    "name": STR,
    "description": STR,
    "region": STR,
    "project_id": STR,
    "inference_endpoint": STR,
    "iam_endpoint": STR,
    "created_at": DT,
}
MEMBER_FIELDS = {"code": UUID, "username": STR, "role": STR, "created_at": DT}
DEPLOYMENT_FIELDS = {
    "code": UUID,
    "name": STR,
    "model_name": STR,
    "source": STR,
    "status": STR,
    "deployment_id": STR,
    "mode": STR,
    "elb_ip": IP_OPT,
    "elb_port": INT_OPT,
    "api_url": STR,
    "node_ip": IP_OPT,
    "host_port": INT_OPT,
    "serves_v1": BOOL,
    "serves_v2": BOOL,
    "v1_path_override": STR,
    "v2_path_override": STR,
    "created_at": DT,
    "updated_at": DT,
}
ACCESS_FIELDS = {
    "code": UUID,
    "name": STR,
    "description": STR,
    "all_services": BOOL,
    "key_hint": STR,
    "created_by": USER_OPT,
    "created_at": DT,
    "updated_at": DT,
    "key_rotated_at": DT_OPT,
    "expires_at": DT_OPT,
    "disabled": BOOL,
    "last_used_at": DT_OPT,
    "last_check": JSON_DICT,
    "last_checked_at": DT_OPT,
}
CREDENTIAL_FIELDS = {
    "code": UUID,
    "name": STR,
    "iam_user": STR,
    "domain_name": STR,
    "project_name": STR,
    "created_by": USER_OPT,
    "created_at": DT,
    "updated_at": DT,
}
AUDIT_FIELDS = {
    "code": UUID,
    "actor": USER_OPT,
    "actor_name": STR,
    "action": STR,
    "target": STR,
    "summary": STR,
    "ip": IP_OPT,
    "created_at": DT,
}
# Extra keys beside the plain fields: (key, what it holds).
ACCESS_EXTRA = {"deployments", "api_key"}
CREDENTIAL_EXTRA = {"password"}
WORKSPACE_LISTS = ("members", "deployments", "accesses", "iam_credentials", "audit_events")


# --- Export --------------------------------------------------------------------------------


def _dump(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == UUID:
        return str(value)
    if kind in (DT, DT_OPT):
        return value.isoformat()
    if kind == USER_OPT:
        return value.get_username()
    return value


def _row(instance: models.Model, fields: dict[str, str]) -> dict[str, Any]:
    return {name: _dump(kind, getattr(instance, name)) for name, kind in fields.items()}


def _reveal(instance: models.Model, read: Callable[[], str]) -> str:
    try:
        return read()
    except crypto.CryptoError:
        raise CatalogError(
            f"{type(instance).__name__} {instance.code} does not decrypt with the configured "
            "keys (PORTAL_ENCRYPTION_KEYS); nothing was exported."
        ) from None


@sensitive_variables()
def build_export(*, passphrase: str | None = None) -> dict[str, Any]:
    """The whole catalog; secrets only when a passphrase is given, sealed under it."""
    sealer = Sealer.create(passphrase) if passphrase is not None else None
    workspaces = Workspace.objects.order_by("pk").prefetch_related(
        models.Prefetch("memberships", Membership.objects.select_related("user").order_by("pk")),
        models.Prefetch("deployments", Deployment.objects.order_by("pk")),
        models.Prefetch(
            "accesses",
            ApplicationAccess.objects.select_related("created_by")
            .prefetch_related(models.Prefetch("deployments", Deployment.objects.order_by("pk")))
            .order_by("pk"),
        ),
        models.Prefetch(
            "iam_credentials", IamCredential.objects.select_related("created_by").order_by("pk")
        ),
        models.Prefetch("audit_events", AuditEvent.objects.select_related("actor").order_by("pk")),
    )
    out = []
    for workspace in workspaces:
        entry = _row(workspace, WORKSPACE_FIELDS)
        entry["members"] = [
            {
                "code": str(m.code),
                "username": m.user.get_username(),
                "role": m.role,
                "created_at": m.created_at.isoformat(),
            }
            for m in workspace.memberships.all()
        ]
        entry["deployments"] = [_row(d, DEPLOYMENT_FIELDS) for d in workspace.deployments.all()]
        entry["accesses"] = []
        for access in workspace.accesses.all():
            row = _row(access, ACCESS_FIELDS)
            row["deployments"] = [str(d.code) for d in access.deployments.all()]
            if sealer:
                row["api_key"] = sealer.seal(
                    _reveal(access, access.api_key),
                    context=secret_context(ApplicationAccess, "api_key", access.code),
                )
            entry["accesses"].append(row)
        entry["iam_credentials"] = []
        for credential in workspace.iam_credentials.all():
            row = _row(credential, CREDENTIAL_FIELDS)
            if sealer:
                row["password"] = sealer.seal(
                    _reveal(credential, credential.password),
                    context=secret_context(IamCredential, "password", credential.code),
                )
            entry["iam_credentials"].append(row)
        entry["audit_events"] = [_row(e, AUDIT_FIELDS) for e in workspace.audit_events.all()]
        out.append(entry)
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "exported_at": timezone.now().isoformat(),
        "secrets": sealer.header if sealer else None,
        "workspaces": out,
    }


def summarize(data: dict[str, Any]) -> dict[str, int]:
    counts = {"workspaces": len(data["workspaces"])}
    for key in WORKSPACE_LISTS:
        counts[key] = sum(len(w.get(key, [])) for w in data["workspaces"])
    return counts


# --- Import: check everything, then write in one transaction --------------------------------


@dataclass
class ImportResult:
    counts: dict[str, int]
    skipped_secret_rows: int = 0


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


def _check_references(plan: list[_Item]) -> None:
    """Member usernames exist, codes are new and unique, accesses name their own deployments."""
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
    if missing:
        raise CatalogError(
            f"Member username(s) that do not exist here: {', '.join(missing)} (first at "
            f"{wanted[missing[0]]}). Create those users first, then import again."
        )

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
    data: Any, *, passphrase: str | None = None, structure_only: bool = False
) -> ImportResult:
    """Add the catalog in ``data`` to the database, all or nothing.

    Refuses (CatalogError, nothing written) a file of another format or schema version, a
    value of the wrong type anywhere, a member whose username does not exist, an object
    whose code is already in the database, a wrong passphrase, and missing secrets unless
    ``structure_only`` (which leaves accesses and IAM credentials out). Creators and audit
    actors whose usernames do not exist are imported as "nobody", as if the user had been
    deleted; the audit row keeps the name.
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
    _check_references(plan)
    try:
        with transaction.atomic():
            counts = _write(plan, with_secret_rows=not structure_only)
    except IntegrityError as error:  # a race with another writer; full_clean saw no conflict
        raise CatalogError(f"The database refused the catalog: {error}") from None
    return ImportResult(counts=counts, skipped_secret_rows=secret_rows if structure_only else 0)
