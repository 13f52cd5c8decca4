"""Names may not hide characters that make one entry look like another."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from accessportal.models import ApplicationAccess, Deployment, IamCredential, Workspace
from accessportal.validators import validate_visible_name

INVISIBLE = [
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
    *(chr(c) for c in range(0x200B, 0x2010)),
    "\ufeff",
]


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_the_validator_refuses_each_invisible_character(char):
    with pytest.raises(ValidationError):
        validate_visible_name(f"prod{char}-key")


@pytest.mark.parametrize("name", ["prod-key", "生产 密钥", "Ünïcödé name", "a.b_c (2)"])
def test_ordinary_names_pass(name):
    validate_visible_name(name)


def test_every_name_field_of_the_catalog_has_the_validator():
    """Introspected: a name field added later is covered or this fails."""
    checked = []
    for model in apps.get_app_config("accessportal").get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField) and (
                field.name.endswith("name") or field.name == "iam_user"
            ):
                if field.name in ("actor_name", "filename"):  # written by the portal, not typed
                    continue
                assert validate_visible_name in field.validators, f"{model.__name__}.{field.name}"
                checked.append(f"{model.__name__}.{field.name}")
    assert len(checked) >= 6


def _post(client, path, data):
    return client.post(path, data)


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\u2066", "\ufeff"])
def test_forms_refuse_look_alike_names(world, admin_client, char):
    ws = f"/w/{world.alpha.code}"
    name = f"team{char}-all"
    pages = [
        (f"{ws}/access/new/", {"name": name, "scope": "all", "api_key": "k" * 20}),
        (
            f"{ws}/deployments/new/",
            {
                "name": name,
                "source": "my_service",
                "status": "running",
                "mode": "cloud",
                "serves_v1": "on",
                "deployment_id": "d1",
            },
        ),
        (
            f"{ws}/credentials/new/",
            {
                "name": "robot",
                "iam_user": name,
                "domain_name": "acct",
                "project_name": "cn-southwest-2",
                "password": "pw-123456",
            },
        ),
        (f"{ws}/settings/", {"name": name, "region": "cn-southwest-2", "project_id": "p1"}),
    ]
    for path, data in pages:
        response = _post(admin_client, path, data)
        assert response.status_code == 200, path
        assert "invisible or text-direction characters" in response.content.decode(), path
    assert not ApplicationAccess.objects.exists()
    assert not Deployment.objects.filter(name=name).exists()
    assert not IamCredential.objects.exists()
    assert not Workspace.objects.filter(name=name).exists()


def test_the_refusal_says_what_to_do_and_has_a_code():
    with pytest.raises(ValidationError) as raised:
        validate_visible_name("prod\u200b-key")
    assert raised.value.code == "invisible_chars"
    assert raised.value.messages == [
        "Names may not contain invisible or text-direction characters (zero-width or "
        "bidirectional controls); type the name again."
    ]
