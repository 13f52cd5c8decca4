"""Re-encrypt every stored secret under the first key of PORTAL_ENCRYPTION_KEYS.

Rotation procedure: put the new key FIRST in PORTAL_ENCRYPTION_KEYS (keep the old one
after it), restart, run this command, then remove the old key. Running it again changes
nothing. Any value that cannot be decrypted stops the run with nothing changed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accessportal import crypto
from accessportal.models import secret_models


class Command(BaseCommand):
    help = "Re-encrypt every stored API key and password under the primary encryption key."

    def handle(self, *args, **options) -> None:
        keyring = crypto.active_keyring()
        rotated = checked = 0
        with transaction.atomic():
            for model in secret_models():
                for instance in model.objects.select_for_update().order_by("pk"):
                    changed = []
                    for secret in model.SECRETS:
                        token = getattr(instance, secret.column)
                        try:
                            fresh = keyring.reencrypt(token, context=secret.context(instance))
                        except crypto.DecryptionError as error:
                            raise CommandError(
                                f"{model.__name__} {instance.code}: {error} Nothing was changed."
                            ) from None
                        checked += 1
                        if fresh != token:
                            setattr(instance, secret.column, fresh)
                            changed.append(secret.column)
                    if changed:
                        model.objects.filter(pk=instance.pk).update(
                            **{c: getattr(instance, c) for c in changed}
                        )
                        rotated += len(changed)
        self.stdout.write(
            f"Checked {checked} secret(s); re-encrypted {rotated} under key {keyring.primary}."
        )
