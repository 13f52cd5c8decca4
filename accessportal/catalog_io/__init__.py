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

from accessportal.catalog_io.export import build_export, summarize
from accessportal.catalog_io.importing import ImportResult, apply_import, needs_passphrase
from accessportal.catalog_io.schema import FORMAT, SCHEMA_VERSION, CatalogError
from accessportal.catalog_io.sealing import Sealer

__all__ = [
    "FORMAT",
    "SCHEMA_VERSION",
    "CatalogError",
    "ImportResult",
    "Sealer",
    "apply_import",
    "build_export",
    "needs_passphrase",
    "summarize",
]
