"""*Apply*: every row of a checked import through the audited services, in one transaction.

Each change is saved and logged by the same service as a change made by hand
(``services.save_deployment``, ``save_access``, ``rotate_access_key``); the outer
transaction makes the import all or nothing, the pending upload's deletion included."""

from __future__ import annotations

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from accessportal import services
from accessportal.bulk_import.kinds import DEPLOYMENTS
from accessportal.bulk_import.rows import CREATE, UNCHANGED, ImportPreview


@sensitive_variables()
def apply_rows(preview: ImportPreview, *, actor, ip: str | None, pending=None) -> dict[str, int]:
    """Write a preview without problems; ``pending`` (its upload) is deleted with it."""
    if not preview.ok:
        raise ValueError("An import with problems is never applied.")
    with transaction.atomic():
        for row in preview.rows:
            if row.action == UNCHANGED:
                continue
            if preview.kind.name == DEPLOYMENTS:
                services.save_deployment(form=row.form, actor=actor, ip=ip)
                continue
            if row.action == CREATE or row.form.has_changed():
                services.save_access(form=row.form, actor=actor, ip=ip)
            if row.new_key:
                services.rotate_access_key(
                    access=row.form.instance, new_key=row.new_key, actor=actor, ip=ip
                )
        if pending is not None:
            pending.delete()
    return preview.counts()
