"""Add a catalog exported by export_catalog to this portal's database, all or nothing.

Members must already exist as users (by username), or --create-missing-users creates them
without a usable password (they sign in after a password reset). Secrets in the file are
opened with the passphrase and encrypted again under this portal's PORTAL_ENCRYPTION_KEYS.
A file exported without secrets only imports with --structure-only, which leaves accesses
and IAM credentials out (see accessportal/catalog_io/ for why).
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.views.decorators.debug import sensitive_variables

from accessportal import catalog_io
from accessportal.management.commands.export_catalog import read_passphrase


class Command(BaseCommand):
    help = "Import a catalog file written by export_catalog (one transaction)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The JSON file (- for stdin).")
        parser.add_argument(
            "--passphrase-env",
            metavar="VAR",
            help="Read the passphrase from this environment variable instead of the terminal.",
        )
        parser.add_argument(
            "--structure-only",
            action="store_true",
            help="Import workspaces, members, deployments and audit log; leave out "
            "application accesses and IAM credentials.",
        )
        parser.add_argument(
            "--create-missing-users",
            action="store_true",
            help="Create members whose usernames do not exist here, without a usable "
            "password: they sign in after a password reset or through single sign-on.",
        )

    @sensitive_variables()
    def handle(
        self,
        *args,
        file: str,
        passphrase_env: str | None,
        structure_only: bool,
        create_missing_users: bool,
        **opts,
    ):
        data = self.read(file)
        passphrase = None
        if catalog_io.needs_passphrase(data, structure_only=structure_only):
            passphrase = read_passphrase(passphrase_env, confirm=False)
        try:
            result = catalog_io.apply_import(
                data,
                passphrase=passphrase,
                structure_only=structure_only,
                create_missing_users=create_missing_users,
            )
        except catalog_io.CatalogError as error:
            raise CommandError(f"{error} Nothing was imported.") from None
        summary = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Imported {summary}."))
        if result.created_users:
            self.stdout.write(
                self.style.WARNING(
                    f"Created {len(result.created_users)} user(s) without a usable password: "
                    f"{', '.join(result.created_users)}. They sign in after a password reset "
                    "(manage.py changepassword NAME) or through single sign-on."
                )
            )
        if result.skipped_secret_rows:
            self.stdout.write(
                self.style.WARNING(
                    f"Left out {result.skipped_secret_rows} application access(es) and IAM "
                    "credential(s) (--structure-only): register them again with their keys."
                )
            )

    def read(self, file: str):
        try:
            if file == "-":
                text = sys.stdin.read()
            else:
                with open(file, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8 text. Nothing was imported.") from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"{file} is not valid JSON ({error.msg} at line {error.lineno}, column "
                f"{error.colno}); it may be truncated. Nothing was imported."
            ) from None
