from __future__ import annotations

from django.contrib.auth.models import User

from accessportal.models import AuditEvent, Membership, Role


def url(world, suffix: str = "") -> str:
    return f"/w/{world.alpha.code}/members/{suffix}"


def membership(world, user) -> Membership:
    return world.alpha.memberships.get(user=user)


def test_admin_adds_an_existing_user_with_a_role(world, admin_client):
    User.objects.create_user("newbie")
    response = admin_client.post(url(world, "add/"), {"username": "newbie", "role": "viewer"})
    assert response.status_code == 302
    assert world.alpha.memberships.get(user__username="newbie").role == Role.VIEWER
    assert AuditEvent.objects.filter(action="member.add", target="newbie").exists()


def test_adding_unknown_or_present_users_is_a_form_error(world, admin_client):
    for username, message in (("ghost", "No active user"), ("member", "already a member")):
        response = admin_client.post(url(world, "add/"), {"username": username, "role": "member"})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert world.alpha.memberships.count() == 3


def test_change_role_and_remove(world, admin_client):
    m = membership(world, world.member)
    admin_client.post(url(world, f"{m.code}/role/"), {"role": "admin"})
    m.refresh_from_db()
    assert m.role == Role.ADMIN
    admin_client.post(url(world, f"{m.code}/remove/"))
    assert not Membership.objects.filter(pk=m.pk).exists()
    assert AuditEvent.objects.filter(action="member.role", summary="Member → Admin").exists()


def test_bad_role_changes_nothing(world, admin_client):
    m = membership(world, world.viewer)
    response = admin_client.post(url(world, f"{m.code}/role/"), {"role": "owner"}, follow=True)
    assert "Choose admin, member or viewer" in response.content.decode()
    m.refresh_from_db()
    assert m.role == Role.VIEWER


def test_the_last_admin_can_be_neither_removed_nor_demoted(world, admin_client):
    me = membership(world, world.admin)
    response = admin_client.post(url(world, f"{me.code}/role/"), {"role": "member"}, follow=True)
    assert "at least one admin" in response.content.decode()
    admin_client.post(url(world, f"{me.code}/remove/"))
    me.refresh_from_db()
    assert me.role == Role.ADMIN
    assert not AuditEvent.objects.filter(action__startswith="member.").exists()
    # With a second admin, stepping down works.
    Membership.objects.filter(user=world.member).update(role=Role.ADMIN)
    admin_client.post(url(world, f"{me.code}/role/"), {"role": "member"})
    me.refresh_from_db()
    assert me.role == Role.MEMBER
