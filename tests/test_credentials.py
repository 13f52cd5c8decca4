"""IAM credentials for token authentication: the password goes in once, encrypted."""

from __future__ import annotations

from accessportal.models import AuditEvent, IamCredential
from tests import factories

SECRET = "iam-Pa55word-for-tests"


def url(world, suffix: str = "") -> str:
    return f"/w/{world.alpha.code}/credentials/{suffix}"


def data(**fields) -> dict:
    return {
        "name": "ops robot",
        "iam_user": "ops-bot",
        "domain_name": "acme",
        "project_name": "cn-southwest-2",
        "password": SECRET,
    } | fields


def test_create_edit_keep_or_change_password_delete(world, admin_client):
    assert admin_client.post(url(world, "new/"), data()).status_code == 302
    credential = IamCredential.objects.get()
    assert credential.password() == SECRET and credential.created_by == world.admin
    # Editing without a password keeps it.
    edit = url(world, f"{credential.code}/edit/")
    assert admin_client.post(edit, data(iam_user="ops-bot-2", password="")).status_code == 302
    credential.refresh_from_db()
    assert (credential.iam_user, credential.password()) == ("ops-bot-2", SECRET)
    admin_client.post(edit, data(iam_user="ops-bot-2", password="new-Pa55word"))
    credential.refresh_from_db()
    assert credential.password() == "new-Pa55word"
    summaries = " ".join(AuditEvent.objects.values_list("summary", flat=True))
    assert "IAM password (changed)" in summaries and SECRET not in summaries
    admin_client.post(url(world, f"{credential.code}/delete/"))
    assert not IamCredential.objects.exists()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "credential.create",
        "credential.update",
        "credential.update",
        "credential.delete",
    ]


def test_bad_input_is_a_form_error_and_the_password_is_not_echoed(world, admin_client):
    factories.make_credential(world.alpha, name="ops robot")
    response = admin_client.post(url(world, "new/"), data(password="has a\nline break"))
    errors = response.context["form"].errors
    assert "already exists" in str(errors["name"]) and "line breaks" in str(errors["password"])
    assert "has a" not in response.content.decode()
    response = admin_client.post(url(world, "new/"), data(name="other", password=""))
    assert "required" in str(response.context["form"].errors["password"])
    assert IamCredential.objects.count() == 1


def test_list_shows_no_password_to_anyone(world, viewer_client):
    factories.make_credential(world.alpha, password=SECRET)
    page = viewer_client.get(url(world)).content.decode()
    assert "ops-bot" in page and SECRET not in page and "/edit/" not in page
