"""``manage.py refresh_catalogs [--check]``: see accessportal/catalogs.py and the README."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from accessportal import catalogs


class Command(BaseCommand):
    help = (
        "Extract every marked string into locale/*/LC_MESSAGES/django.po and djangojs.po "
        "and compile them; with --check, change nothing and fail on any untranslated or "
        "fuzzy entry, stale .mo file or string missing from the catalogs."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true", help="Only check; write nothing.")

    def handle(self, *args, check: bool = False, **options) -> None:
        root = settings.BASE_DIR
        if not check:
            catalogs.refresh(call_command)
        found = catalogs.problems(root)
        for line in found:
            self.stdout.write(line)
        if check and found:
            raise CommandError(f"{len(found)} translation problem(s); see above.")
        if not found:
            self.stdout.write("Catalogs complete and compiled.")
        elif not check:
            self.stdout.write(
                "Translate the entries above in locale/zh_Hans/LC_MESSAGES/*.po "
                "(terms: locale/GLOSSARY.md), then run refresh_catalogs again."
            )
