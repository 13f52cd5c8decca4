from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from tests.conftest import PASSWORD


def test_login_required_everywhere_but_login_and_health(db):
    client = Client()
    assert client.get("/").status_code == 302
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}


def test_sign_in_see_my_spaces_change_password_sign_out(world):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "member", "password": PASSWORD}, follow=True
    )
    page = response.content.decode()
    assert "My Spaces" in page and "Alpha" in page and "Beta" not in page

    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a much newer pass 42",
            "new_password2": "a much newer pass 42",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="member").check_password("a much newer pass 42")

    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused(world):
    response = Client().post("/accounts/login/", {"username": "member", "password": "wrong"})
    assert (
        response.status_code == 200 and "correct username and password" in response.content.decode()
    )


def test_staff_creates_a_workspace_and_becomes_its_admin(world):
    world.member.is_staff = True
    world.member.save()
    client = world.client_for(world.member)
    response = client.post(
        "/workspaces/new/", {"name": "Gamma", "region": "cn-north-4", "project_id": "p123"}
    )
    assert response.status_code == 302
    from accessportal.models import Workspace

    gamma = Workspace.objects.get(name="Gamma")
    assert gamma.inference_endpoint == "https://pangu.cn-north-4.myhuaweicloud.com"
    assert gamma.iam_endpoint == "https://iam.cn-north-4.myhuaweicloud.com"
    assert gamma.role_of(world.member) == "admin"


def test_workspace_form_rejects_bad_values(world):
    world.member.is_staff = True
    world.member.save()
    client = world.client_for(world.member)
    response = client.post(
        "/workspaces/new/",
        {"name": "G", "region": "cn north", "project_id": "p/1", "inference_endpoint": "ftp://x"},
    )
    errors = response.context["form"].errors
    assert set(errors) == {"region", "project_id", "inference_endpoint"}
