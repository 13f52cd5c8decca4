"""A keyed fingerprint of each access's key, beside its ciphertext, to warn about a key
registered twice without decrypting every row (see accessportal/crypto.py for why it is
safe to store). Existing rows are filled in here: each key is decrypted once."""

from django.db import migrations, models

# Fixed here, not imported from the model: a migration must keep meaning what it meant.
CONTEXT = "ApplicationAccess.api_key:{code}"
PURPOSE = "api_key"


def fill_fingerprints(apps, schema_editor) -> None:
    ApplicationAccess = apps.get_model("accessportal", "ApplicationAccess")
    rows = ApplicationAccess.objects.filter(api_key_fingerprint="").only(
        "pk", "code", "api_key_ciphertext"
    )
    if not rows.exists():
        return  # a fresh database: no key needed (nor a development key file created)
    from accessportal import crypto

    keyring = crypto.active_keyring()
    for row in rows.iterator():
        try:
            key = keyring.decrypt(row.api_key_ciphertext, context=CONTEXT.format(code=row.code))
        except crypto.DecryptionError:
            # Left empty (no warning for this key) rather than stopping the upgrade;
            # readyz names undecryptable secrets, and rotate_secrets fills it once readable.
            continue
        ApplicationAccess.objects.filter(pk=row.pk).update(
            api_key_fingerprint=keyring.fingerprint(key, purpose=PURPOSE)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accessportal", "0005_audit_summary_holds_every_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="applicationaccess",
            name="api_key_fingerprint",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=80),
        ),
        migrations.RunPython(fill_fingerprints, migrations.RunPython.noop, elidable=True),
    ]
