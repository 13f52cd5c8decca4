"""Issue 11: names refuse invisible characters; addresses the portal never calls are
refused; the audit summary holds every change of an edit; and a keyed fingerprint of
each access's key beside its ciphertext, to warn about a key registered twice without
decrypting every row (see accessportal/crypto.py for why it is safe to store). Existing
rows get their fingerprint here: each key is decrypted once."""

import accessportal.validators
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
        ('accessportal', '0005_alter_auditevent_action'),
    ]

    operations = [
        migrations.AddField(
            model_name='applicationaccess',
            name='api_key_fingerprint',
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=80),
        ),
        migrations.AlterField(
            model_name='applicationaccess',
            name='name',
            field=models.CharField(max_length=100, validators=[accessportal.validators.validate_visible_name]),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='summary',
            field=models.CharField(blank=True, max_length=2000),
        ),
        migrations.AlterField(
            model_name='deployment',
            name='elb_ip',
            field=models.GenericIPAddressField(blank=True, null=True, validators=[accessportal.validators.validate_callable_ip], verbose_name='ELB public IP'),
        ),
        migrations.AlterField(
            model_name='deployment',
            name='model_name',
            field=models.CharField(blank=True, help_text="The V2 'model' value: the deployment's custom name, fixed at creation.", max_length=128, validators=[accessportal.validators.validate_visible_name], verbose_name='model name'),
        ),
        migrations.AlterField(
            model_name='deployment',
            name='name',
            field=models.CharField(max_length=100, validators=[accessportal.validators.validate_visible_name]),
        ),
        migrations.AlterField(
            model_name='deployment',
            name='node_ip',
            field=models.GenericIPAddressField(blank=True, null=True, validators=[accessportal.validators.validate_callable_ip], verbose_name='node IP'),
        ),
        migrations.AlterField(
            model_name='deployment',
            name='v1_path_override',
            field=models.URLField(blank=True, help_text="Paste the console's call path if it differs (gateway prefixes).", max_length=1000, validators=[accessportal.validators.validate_callable_url], verbose_name='V1 call path override'),
        ),
        migrations.AlterField(
            model_name='deployment',
            name='v2_path_override',
            field=models.URLField(blank=True, max_length=1000, validators=[accessportal.validators.validate_callable_url], verbose_name='V2 call path override'),
        ),
        migrations.AlterField(
            model_name='iamcredential',
            name='domain_name',
            field=models.CharField(max_length=64, validators=[accessportal.validators.validate_visible_name], verbose_name='account (domain) name'),
        ),
        migrations.AlterField(
            model_name='iamcredential',
            name='iam_user',
            field=models.CharField(max_length=64, validators=[accessportal.validators.validate_visible_name], verbose_name='IAM user name'),
        ),
        migrations.AlterField(
            model_name='iamcredential',
            name='name',
            field=models.CharField(help_text="A label, e.g. 'ops robot'.", max_length=100, validators=[accessportal.validators.validate_visible_name]),
        ),
        migrations.AlterField(
            model_name='iamcredential',
            name='project_name',
            field=models.CharField(help_text='The project the token is scoped to (region).', max_length=64, validators=[accessportal.validators.validate_visible_name], verbose_name='project scope'),
        ),
        migrations.AlterField(
            model_name='workspace',
            name='iam_endpoint',
            field=models.URLField(max_length=500, validators=[accessportal.validators.validate_callable_url], verbose_name='IAM endpoint'),
        ),
        migrations.AlterField(
            model_name='workspace',
            name='inference_endpoint',
            field=models.URLField(help_text='Cloud base URL of the inference APIs.', max_length=500, validators=[accessportal.validators.validate_callable_url]),
        ),
        migrations.AlterField(
            model_name='workspace',
            name='name',
            field=models.CharField(max_length=100, validators=[accessportal.validators.validate_visible_name]),
        ),
        migrations.RunPython(fill_fingerprints, migrations.RunPython.noop, elidable=True),
    ]
