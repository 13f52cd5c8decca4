"""*Apply*: every row of a checked import through the audited services, in one transaction.

Each change is saved and logged by the same service as a change made by hand
(``services.save_deployment``, ``save_access``, ``rotate_access_key``; new rows all at
once with ``services.create_deployments`` and ``create_accesses``); the outer transaction
makes the import all or nothing, the pending upload's deletion included. The audit events
are written with one bulk insert at the end (``audit.batched``): one statement per 500."""

from __future__ import annotations

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from accessportal import audit, services
from accessportal.bulk_import.kinds import DEPLOYMENTS
from accessportal.bulk_import.rows import CREATE, UPDATE, ImportPreview


@sensitive_variables()
def apply_rows(preview: ImportPreview, *, actor, ip: str | None, pending=None) -> dict[str, int]:
    """Write a preview without problems; ``pending`` (its upload) is deleted with it."""
    if not preview.ok:
        raise ValueError("An import with problems is never applied.")
    with transaction.atomic(), audit.batched():
        if preview.kind.name == DEPLOYMENTS:
            _apply_deployments(preview, actor=actor, ip=ip)
        else:
            _apply_accesses(preview, actor=actor, ip=ip)
        if pending is not None:
            pending.delete()
    return preview.counts()


def _apply_deployments(preview: ImportPreview, *, actor, ip: str | None) -> None:
    # Updates first: a value an update gives up is then free for a new row.
    for row in preview.rows:
        if row.action == UPDATE:
            services.save_deployment(form=row.form, actor=actor, ip=ip)
    services.create_deployments(
        forms=[row.form for row in preview.rows if row.action == CREATE], actor=actor, ip=ip
    )


@sensitive_variables()
def _apply_accesses(preview: ImportPreview, *, actor, ip: str | None) -> None:
    for row in preview.rows:
        if row.action != UPDATE:
            continue
        if row.form.has_changed():
            services.save_access(form=row.form, actor=actor, ip=ip)
        if row.new_key:
            services.rotate_access_key(
                access=row.form.instance, new_key=row.new_key, actor=actor, ip=ip
            )
    services.create_accesses(
        forms=[row.form for row in preview.rows if row.action == CREATE], actor=actor, ip=ip
    )
