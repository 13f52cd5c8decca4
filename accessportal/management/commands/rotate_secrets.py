"""Re-encrypt every stored secret under the first key of PORTAL_ENCRYPTION_KEYS.

Rotation procedure: put the new key FIRST in PORTAL_ENCRYPTION_KEYS (keep the old one
after it), restart, run this command, then remove the old key. Running it again changes
nothing. Any value that cannot be decrypted stops the run with nothing changed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from accessportal import crypto
from accessportal.models import secret_models


@sensitive_variables()
def _fingerprint(secret, instance, token: str, keyring: crypto.Keyring) -> str | None:
    if not secret.fingerprint_column:
        return None
    return secret.fingerprint(keyring.decrypt(token, context=secret.context(instance)), keyring)


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
                            fingerprint = _fingerprint(secret, instance, fresh, keyring)
                        except crypto.DecryptionError as error:
                            raise CommandError(
                                f"{model.__name__} {instance.code}: {error} Nothing was changed."
                            ) from None
                        checked += 1
                        if fresh != token:
                            setattr(instance, secret.column, fresh)
                            changed.append(secret.column)
                        column = secret.fingerprint_column
                        if column and getattr(instance, column) != fingerprint:
                            # Under the new primary key too, so equal keys keep matching
                            # once the old key is removed.
                            setattr(instance, column, fingerprint)
                            changed.append(column)
                    if changed:
                        model.objects.filter(pk=instance.pk).update(
                            **{c: getattr(instance, c) for c in changed}
                        )
                        rotated += len(changed)
        self.stdout.write(
            f"Checked {checked} secret(s); re-encrypted or re-fingerprinted {rotated} "
            f"under key {keyring.primary}."
        )
