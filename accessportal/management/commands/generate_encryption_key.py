from __future__ import annotations

from django.core.management.base import BaseCommand

from accessportal.crypto import generate_key


class Command(BaseCommand):
    help = "Print a new key for PORTAL_ENCRYPTION_KEYS (prepend it to rotate)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(generate_key())
