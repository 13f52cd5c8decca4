"""The session engine without Redis (accessportal/sessions.py): Django's database
sessions, read by a statement of its own. What a session holds, and when it has expired,
must read exactly as Django's own store reads them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accessportal.sessions import SessionStore

pytestmark = pytest.mark.django_db


def saved(**data) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    return store.session_key


def test_is_the_engine_when_there_is_no_shared_cache():
    assert settings.SESSION_ENGINE == "accessportal.sessions"


def test_reads_back_what_was_saved_as_djangos_store_does():
    key = saved(user="7", language="zh-hans", numbers=[1, 2.5], text="运行中 ✓")
    store = SessionStore(key)
    assert store.load() == DjangoStore(key).load()
    assert dict(store.items()) == {
        "user": "7",
        "language": "zh-hans",
        "numbers": [1, 2.5],
        "text": "运行中 ✓",
    }
    assert store.session_key == key
    row = store._get_session_from_db()
    assert (row.pk, row.expire_date) == (key, Session.objects.get(pk=key).expire_date)


def test_an_expired_session_reads_empty_and_is_not_resumed():
    key = saved(user="7")
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None  # a save starts a new session, as Django's does
    assert DjangoStore(key).load() == {}


def test_a_session_expiring_later_is_read():
    key = saved(user="7")
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(seconds=30))
    assert SessionStore(key).load() == {"user": "7"}


@pytest.mark.parametrize("key", ["unknown-key-of-forty-characters-length-x", "a" * 32])
def test_an_unknown_key_reads_empty(key):
    assert saved(user="7") != key
    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None


def test_a_signed_in_browser_stays_signed_in_and_signing_out_ends_it(world):
    client = Client()
    client.force_login(world.member)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore(key).load()["_auth_user_id"] == str(world.member.pk)
    page = client.get(reverse("accessportal:workspace_list"))
    assert page.status_code == 200 and page.context["user"] == world.member
    client.post(reverse("logout"))
    assert SessionStore(key).load() == {}
    assert client.get(reverse("accessportal:workspace_list")).status_code == 302
