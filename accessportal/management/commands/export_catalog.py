"""Write the catalog to a JSON file (see accessportal/catalog_io.py for what it holds).

Without --with-secrets the file has no API keys or IAM passwords at all. With it, they are
sealed under a passphrase the operator gives (asked twice on the terminal, or read from the
environment variable named by --passphrase-env), never under the portal's own keys.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from getpass import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.views.decorators.debug import sensitive_variables

from accessportal import catalog_io


@sensitive_variables()
def read_passphrase(env_var: str | None, *, confirm: bool) -> str:
    """From the named environment variable, else asked on the terminal."""
    if env_var:
        value = os.environ.get(env_var, "")
        if not value:
            raise CommandError(f"The environment variable {env_var} is not set or empty.")
        return value
    if not sys.stdin.isatty():
        raise CommandError("No terminal to ask for the passphrase: use --passphrase-env VAR.")
    value = getpass("Passphrase for the file's secrets: ")
    if confirm and getpass("Same passphrase again: ") != value:
        raise CommandError("The two passphrases differ; nothing was written.")
    return value


class Command(BaseCommand):
    help = "Export workspaces, members, deployments, accesses, IAM credentials and audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", default="-", help="File to write (default: stdout).")
        parser.add_argument(
            "--with-secrets",
            action="store_true",
            help="Include API keys and IAM passwords, sealed under a passphrase.",
        )
        parser.add_argument(
            "--passphrase-env",
            metavar="VAR",
            help="Read the passphrase from this environment variable instead of the terminal.",
        )

    @sensitive_variables()
    def handle(self, *args, output: str, with_secrets: bool, passphrase_env: str | None, **opts):
        passphrase = read_passphrase(passphrase_env, confirm=True) if with_secrets else None
        try:
            data = catalog_io.build_export(passphrase=passphrase)
        except catalog_io.CatalogError as error:
            raise CommandError(str(error)) from None
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if output == "-":
            self.stdout.write(text, ending="")
        else:
            write_private(Path(output), text)
        counts = catalog_io.summarize(data)
        summary = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())
        secrets = "secrets sealed under the passphrase" if with_secrets else "no secrets"
        where = "stdout" if output == "-" else output
        self.stderr.write(f"Exported {summary} ({secrets}) to {where}.", style_func=None)


def write_private(path: Path, text: str) -> None:
    """Readable by the owner only, and complete or absent: never a half-written file."""
    handle, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
