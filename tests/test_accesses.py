"""Application access: keys pasted once, shown masked, rotated, revealed under audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accessportal.models import ApplicationAccess, AuditEvent, Deployment
from tests import factories
from tests.conftest import PASSWORD

KEY = "d59Xy7Qw2Er4Ty6Ui8Op0As9C3"


def url(world, suffix: str = "") -> str:
    return f"/w/{world.alpha.code}/access/{suffix}"


def create(client, world, **fields):
    data = {
        "name": "team-all",
        "description": "For the team",
        "scope": "all",
        "api_key": KEY,
    } | fields
    return client.post(url(world, "new/"), {k: v for k, v in data.items() if v is not None})


def test_admin_creates_an_access_for_all_services(world, admin_client):
    response = create(admin_client, world)
    assert response.status_code == 302
    access = ApplicationAccess.objects.get()
    assert access.all_services and access.api_key() == KEY
    assert access.key_hint == "d59******9C3" and access.created_by == world.admin
    page = admin_client.get(url(world)).content.decode()
    assert "team-all" in page and "d59******9C3" in page and "All services" in page
    assert KEY not in page


def test_scoped_access_covers_only_its_deployments(world, admin_client):
    a, b, c = (factories.make_deployment(world.alpha) for _ in range(3))
    response = create(admin_client, world, scope="selected", deployments=[a.code and a.pk, b.pk])
    assert response.status_code == 302
    access = ApplicationAccess.objects.get()
    assert not access.all_services
    assert set(Deployment.objects.covered_by(access)) == {a, b}
    assert set(ApplicationAccess.objects.covering(c)) == set()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"api_key": "has space inside key"}, "api_key", "spaces"),
        ({"api_key": "tab\tinside-the-key"}, "api_key", "control characters"),
        ({"api_key": "zero\u200bwidth-key-1"}, "api_key", "control characters"),
        ({"api_key": "x" * 513}, "api_key", "longer than 512"),
        ({"api_key": "k3y-7"}, "api_key", "shorter than 8"),
        ({"api_key": ""}, "api_key", "required"),
        ({"scope": "selected"}, "deployments", "Choose at least one service"),
        ({"expires_at": "2001-01-01T00:00"}, "expires_at", "in the future"),
        ({"expires_at": "tomorrow-ish"}, "expires_at", "valid date"),
        ({"scope": "everything"}, "scope", "valid choice"),
    ],
)
def test_bad_input_gets_a_form_error_and_no_key_echo(world, admin_client, fields, field, message):
    response = create(admin_client, world, **fields)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert not ApplicationAccess.objects.exists()
    body = response.content.decode()
    if fields.get("api_key"):
        assert fields["api_key"] not in body


def test_scope_naming_another_workspaces_deployment_is_refused(world, admin_client):
    foreign = factories.make_deployment(world.beta)
    response = create(admin_client, world, scope="selected", deployments=[foreign.pk])
    assert "valid choice" in str(response.context["form"].errors["deployments"])
    assert not ApplicationAccess.objects.exists()


def test_duplicate_name_is_refused(world, admin_client):
    factories.make_access(world.alpha, name="team-all")
    response = create(admin_client, world)
    assert "already exists" in str(response.context["form"].errors["name"])


def test_edit_keeps_the_key_and_changes_scope(world, admin_client):
    deployment = factories.make_deployment(world.alpha)
    access = factories.make_access(world.alpha, key=KEY)
    response = admin_client.post(
        url(world, f"{access.code}/edit/"),
        {"name": "renamed", "scope": "selected", "deployments": [deployment.pk]},
    )
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.name == "renamed" and not access.all_services and access.api_key() == KEY
    assert list(access.deployments.all()) == [deployment]


def test_disable_enable_delete(world, admin_client):
    access = factories.make_access(world.alpha)
    admin_client.post(url(world, f"{access.code}/disable/"))
    access.refresh_from_db()
    assert access.disabled and access.status == "disabled" and not access.is_usable
    admin_client.post(url(world, f"{access.code}/enable/"))
    access.refresh_from_db()
    assert not access.disabled
    admin_client.post(url(world, f"{access.code}/delete/"))
    assert not ApplicationAccess.objects.exists()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["access.disable", "access.enable", "access.delete"]


def test_expired_access_shows_expired(world, viewer_client):
    access = factories.make_access(world.alpha, expires_at=timezone.now() - timedelta(minutes=1))
    assert access.status == "expired" and not access.is_usable
    assert "expired" in viewer_client.get(url(world)).content.decode()


def test_rotate_replaces_the_key_of_the_same_record(world, admin_client):
    access = factories.make_access(world.alpha, key=KEY)
    response = admin_client.post(
        url(world, f"{access.code}/rotate/"), {"api_key": "NEWkey-0123456789-XYZ"}
    )
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.api_key() == "NEWkey-0123456789-XYZ" and access.key_hint == "NEW******XYZ"
    assert access.key_rotated_at is not None
    event = AuditEvent.objects.get(action="access.rotate")
    assert "d59******9C3" in event.summary and "NEW******XYZ" in event.summary
    # Bad new key: form error, old key kept.
    admin_client.post(url(world, f"{access.code}/rotate/"), {"api_key": "bad key"})
    access.refresh_from_db()
    assert access.api_key() == "NEWkey-0123456789-XYZ"


def test_reveal_needs_the_password_then_is_no_store_and_audited(world, admin_client):
    access = factories.make_access(world.alpha, key=KEY)
    reveal = url(world, f"{access.code}/reveal/")
    wrong = admin_client.post(reveal, {"password": "nope"})
    assert wrong.status_code == 403 and KEY not in wrong.content.decode()
    assert "not correct" in wrong.content.decode()
    assert not AuditEvent.objects.filter(action="access.reveal").exists()

    shown = admin_client.post(reveal, {"password": PASSWORD})
    assert shown.status_code == 200 and KEY in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    assert AuditEvent.objects.filter(action="access.reveal", actor=world.admin).count() == 1

    # Within ten minutes no password is asked again.
    again = admin_client.post(reveal)
    assert again.status_code == 200 and KEY in again.content.decode()


def test_password_confirmation_expires(world, admin_client, settings):
    access = factories.make_access(world.alpha, key=KEY)
    reveal = url(world, f"{access.code}/reveal/")
    admin_client.post(reveal, {"password": PASSWORD})
    settings.PORTAL_REAUTH_SECONDS = 0
    assert admin_client.post(reveal).status_code == 403


def test_undecryptable_key_is_an_error_message_not_a_500(world, admin_client):
    access = factories.make_access(world.alpha, key=KEY)
    ApplicationAccess.objects.filter(pk=access.pk).update(api_key_ciphertext="v1:00000000:AAAA")
    response = admin_client.post(
        url(world, f"{access.code}/reveal/"), {"password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert "cannot be decrypted" in response.content.decode()
    assert not AuditEvent.objects.filter(action="access.reveal").exists()


def test_member_sees_masks_only_and_no_admin_actions(world, member_client):
    access = factories.make_access(world.alpha, key=KEY)
    for page_url in (url(world), url(world, f"{access.code}/")):
        page = member_client.get(page_url).content.decode()
        assert "d59******9C3" in page and KEY not in page
        assert "/reveal/" not in page and "/rotate/" not in page


def count_queries(client, page_url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(page_url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_rows(world, admin_client):
    deployments = [factories.make_deployment(world.alpha) for _ in range(3)]
    for i in range(3):
        factories.make_access(world.alpha, deployments=deployments[: i + 1], created_by=world.admin)
    few = count_queries(admin_client, url(world))
    for _ in range(297):
        factories.make_access(world.alpha, deployments=deployments[:2], created_by=world.member)
    assert count_queries(admin_client, url(world)) == few


def test_reveal_password_guesses_count_towards_the_login_throttle(world, admin_client, settings):
    access = factories.make_access(world.alpha, key=KEY)
    reveal = url(world, f"{access.code}/reveal/")
    codes = [
        admin_client.post(reveal, {"password": "guess"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert codes == [403] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    # Locked out: even the right password no longer reveals anything.
    response = admin_client.post(reveal, {"password": PASSWORD})
    assert response.status_code == 429 and KEY not in response.content.decode()
    assert not AuditEvent.objects.filter(action="access.reveal").exists()


def test_audit_records_the_client_behind_the_trusted_proxy(world, admin_client, settings):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    access = factories.make_access(world.alpha)
    admin_client.post(
        url(world, f"{access.code}/disable/"),
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9",
        REMOTE_ADDR="10.0.0.2",
    )
    assert AuditEvent.objects.get(action="access.disable").ip == "203.0.113.9"


def test_an_edit_from_a_stale_page_keeps_a_disable_and_a_rotation(world):
    from accessportal import services
    from accessportal.forms import AccessForm

    access = factories.make_access(world.alpha, key=KEY)
    stale = ApplicationAccess.objects.get(pk=access.pk)  # the edit page was opened
    services.set_access_disabled(access=access, disabled=True, actor=world.admin, ip=None)
    services.rotate_access_key(
        access=access, new_key="NEWkey-0123456789-XYZ", actor=world.admin, ip=None
    )
    form = AccessForm(
        {"name": "renamed", "scope": "all"}, instance=stale, workspace=world.alpha, with_key=False
    )
    assert form.is_valid(), form.errors
    form.save()
    access.refresh_from_db()
    assert access.name == "renamed" and access.disabled
    assert access.api_key() == "NEWkey-0123456789-XYZ"
