"""A key with a unique value goes in through the form and never comes out again,
except in the admin's audited reveal."""

from __future__ import annotations

import logging
import uuid

from django.apps import apps
from django.db import connection

from accessportal.models import ApplicationAccess
from tests import factories
from tests.conftest import PASSWORD
from tests.test_access_rules import RULED, url_for


def every_stored_text() -> str:
    """Every cell of every table, as text: what a copy of the database file would hold."""
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_canary_key_never_leaves_except_by_reveal(world, admin_client, caplog):
    caplog.set_level(logging.DEBUG)
    canary = f"CANARY{uuid.uuid4().hex}"
    deployment = factories.make_deployment(world.alpha)
    ws = f"/w/{world.alpha.code}"

    created = admin_client.post(
        f"{ws}/access/new/", {"name": "canary", "scope": "all", "api_key": canary}
    )
    assert created.status_code == 302
    access = ApplicationAccess.objects.get(name="canary")
    # A form error after the key was typed must not echo it either.
    bad = admin_client.post(
        f"{ws}/access/new/", {"name": "canary", "scope": "all", "api_key": canary}
    )
    assert bad.status_code == 200 and canary not in bad.content.decode()
    credential = factories.make_credential(world.alpha)
    # The same canary in an import waiting for Apply (its preview is among the pages below).
    uploaded = admin_client.post(
        f"{ws}/access/import/", {"text": f"name,api_key\nimported-canary,{canary}\n"}
    )
    assert uploaded.status_code == 302

    values = {
        "ws": world.alpha.code,
        "dep": deployment.code,
        "access": access.code,
        "cred": credential.code,
        "member": world.alpha.memberships.first().code,
        "upload": uploaded["Location"].rstrip("/").rsplit("/", 1)[1],
        "channel": factories.make_channel(world.alpha).code,
        "call": factories.make_test_call(world.alpha).code,
        "prompt": factories.make_prompt(world.alpha).code,
    }
    bodies = []
    for client in (admin_client, world.client_for(world.member)):
        for _name, route, rule in RULED:
            if "GET" in rule.methods:
                response = client.get(url_for(route, values))
                # Exports are streamed: read them whole.
                content = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                bodies.append(content.decode())
    admin = world.client_for(world.admin)
    world.admin.is_superuser = world.admin.is_staff = True
    world.admin.save()
    for model in (
        "workspace",
        "deployment",
        "applicationaccess",
        "iamcredential",
        "auditevent",
        "membership",
    ):
        bodies.append(admin.get(f"/admin/accessportal/{model}/").content.decode())
    bodies.append(
        admin.get(f"/admin/accessportal/applicationaccess/{access.pk}/change/").content.decode()
    )
    assert len(bodies) > 20
    assert all(canary not in body for body in bodies)

    revealed = admin_client.post(f"{ws}/access/{access.code}/reveal/", {"password": PASSWORD})
    assert canary in revealed.content.decode()

    assert canary not in every_stored_text()
    assert canary not in caplog.text
    audit_page = admin_client.get(f"{ws}/audit/").content.decode()
    assert "Key revealed" in audit_page and canary not in audit_page
