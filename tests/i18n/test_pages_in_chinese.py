"""Every page of the URL conf, rendered in Simplified Chinese, has no English a person
would read, except names kept as written (tests/i18n/visible_text.py) and the users' own
data. A string someone forgot to mark fails here."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import User
from django.db import models
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from accessportal.models import (
    ApplicationAccess,
    AuditEvent,
    Deployment,
    IamCredential,
    Workspace,
)
from chat.models import TestCall
from tests import factories
from tests.i18n.visible_text import english_words, words_of
from tests.playground_helpers import auth_of, send
from tests.test_access_rules import ROUTES, url_for

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
PROMPT_BODY = {
    "messages": [
        {"role": "system", "content": "你是助手。"},
        {"role": "user", "content": "你好 {{name}}"},
    ],
    "max_tokens": 50,
}


def users_words() -> set[str]:
    """Every word in the users' own data (names, descriptions, model names, summaries of
    what they typed), which pages show as it is."""
    words = set()
    for username in User.objects.values_list("username", flat=True):
        words.update(words_of(username))
    from alerts.models import Channel

    for model in (ApplicationAccess, AuditEvent, Channel, Deployment, IamCredential, TestCall):
        text_fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        for row in model.objects.values_list(*text_fields):
            for value in row:
                words.update(words_of(value or ""))
    for name, description, region in Workspace.objects.values_list("name", "description", "region"):
        words.update(words_of(f"{name} {description} {region}"))
    return words


@pytest.fixture
def lived_in(demo, settings):
    """The demo workspace after some use: test calls, a key check, audit entries."""
    settings.PORTAL_UPSTREAM_READ_TIMEOUT = 1
    admin = User.objects.get(username="demo")
    client = Client(**ZH)
    client.force_login(admin)
    chat = demo.deployments.filter(status="running", serves_v1=True).first()
    access = demo.accesses.get(name="team-all")
    send(client, demo, deployment=chat, auth=auth_of(access))
    client.post(f"/w/{demo.code}/access/{access.code}/check/")
    client.post(f"/w/{demo.code}/access/{access.code}/disable/")
    client.post("/profile/", {"language": "zh-hans", "time_zone": "Asia/Shanghai"})
    channel = factories.make_channel(demo)
    client.post(f"/w/{demo.code}/notifications/{channel.code}/test/")  # a delivery to list
    # A saved prompt with a variable, edited once (a history with changes to word).
    prompt = factories.make_prompt(demo, name="问候", body=PROMPT_BODY)
    edited = dict(PROMPT_BODY, temperature=0.2)
    client.post(
        f"/w/{demo.code}/prompts/{prompt.code}/edit/",
        {"name": "问候", "description": "", "body": json.dumps(edited)},
    )
    return demo, client


def page_urls(workspace) -> list[str]:
    values = {
        "ws": workspace.code,
        "dep": workspace.deployments.first().code,
        "access": workspace.accesses.get(name="team-all").code,
        "cred": workspace.iam_credentials.first().code,
        "member": workspace.memberships.first().code,
        "channel": workspace.alert_channels.first().code,
        "prompt": workspace.prompts.first().code,
    }
    urls = []
    for name, route, callback in ROUTES:
        rule = getattr(callback, "access_rule", None)
        if rule and "GET" not in rule.methods:
            continue
        if re.search(r"<(?!uuid:)", route) or name in ("logout", "set_language", "favicon"):
            continue
        if name.startswith("oidc_"):
            continue  # redirects to the identity provider (none is configured here)
        if set(re.findall(r"<uuid:(\w+)>", route)) - set(values):
            continue  # an import's preview: reached by uploading, below
        urls.append(url_for(route, values))
    return urls


def assert_chinese(html: str, where: str, allowed: set[str]) -> None:
    if "<html" in html:  # whole pages; polled fragments have no <html>
        assert '<html lang="zh-hans">' in html, where
    leftovers = english_words(html, allowed)
    assert not leftovers, f"{where}: English a person reads: {leftovers[:10]}"


@pytest.mark.django_db
def test_every_page_reads_in_chinese(lived_in):
    workspace, client = lived_in
    allowed = users_words()
    checked = 0
    for url in page_urls(workspace):
        response = client.get(url, follow=True)
        if not response["Content-Type"].startswith("text/html"):
            continue
        assert response.status_code == 200, url
        assert_chinese(response.content.decode(), url, allowed)
        checked += 1
    # Every deployment page (each mode and status says different things), every access.
    for deployment in workspace.deployments.all():
        url = f"/w/{workspace.code}/deployments/{deployment.code}/"
        assert_chinese(client.get(url).content.decode(), url, allowed)
    for access in workspace.accesses.all():
        url = f"/w/{workspace.code}/access/{access.code}/"
        assert_chinese(client.get(url).content.decode(), url, allowed)
    assert checked >= 20


@pytest.mark.django_db
def test_forms_say_what_is_wrong_in_chinese(lived_in):
    workspace, client = lived_in
    allowed = users_words()
    ws = f"/w/{workspace.code}"
    for url, data in [
        (f"{ws}/access/new/", {"name": "", "api_key": "short", "scope": "selected"}),
        (f"{ws}/deployments/new/", {"name": "", "mode": "edge_lb", "serves_v2": "on"}),
        (f"{ws}/credentials/new/", {"name": "x", "password": "a b"}),
        (f"{ws}/settings/", {"name": "", "region": "bad region!"}),
        (f"{ws}/members/add/", {"username": "nobody", "role": "member"}),
        ("/accounts/password/", {"old_password": "wrong"}),
        ("/profile/", {"time_zone": "Mars/Olympus"}),
        # The users' own data in these rows is Chinese, so any English left is the portal's.
        (f"{ws}/deployments/import/", {"text": "name,mode\n新部署,cloud\n,edge_node\n"}),
        (f"{ws}/access/import/", {"text": "name,api_key,services\n新接入,short,不存在\n"}),
        (f"{ws}/prompts/new/", {"name": "问候", "body": "{坏"}),
    ]:
        response = client.post(url, data, follow=True)
        html = response.content.decode()
        assert response.status_code in (200, 400, 403), url
        assert 'class="errors"' in html or "form-errors" in html or "problem" in html, url
        assert_chinese(html, f"POST {url}", allowed)


@pytest.mark.django_db
def test_sign_in_and_error_pages_read_in_chinese(lived_in):
    workspace, client = lived_in
    allowed = users_words()
    anonymous = Client(**ZH)
    assert_chinese(anonymous.get("/accounts/login/").content.decode(), "login", allowed)
    failed = anonymous.post("/accounts/login/", {"username": "demo", "password": "wrong"})
    assert_chinese(failed.content.decode(), "failed login", allowed)
    missing = client.get(f"/w/{workspace.code}/deployments/00000000-0000-0000-0000-000000000000/")
    assert missing.status_code == 404
    assert_chinese(missing.content.decode(), "404", allowed)
    viewer = Client(**ZH)
    viewer.force_login(User.objects.get(username="demo-viewer"))
    denied = viewer.get(f"/w/{workspace.code}/audit/")
    assert denied.status_code == 403
    assert_chinese(denied.content.decode(), "403", allowed)
    with translation.override("zh-hans"):
        assert_chinese(render_to_string("500.html"), "500", allowed)
    logged_out = client.post("/accounts/logout/", follow=True)
    assert_chinese(logged_out.content.decode(), "signed out", allowed)


@pytest.mark.django_db
def test_the_script_catalog_is_chinese(client):
    catalog = client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "\\u5df2\\u590d\\u5236" in catalog or "已复制" in catalog  # "Copied"
    assert "Content-Security-Policy" not in catalog


@pytest.mark.django_db
def test_the_monitors_cause_reads_in_the_readers_language(demo):
    from tests.monitor.helpers import health_of, only_due, run_pass

    failing = demo.deployments.get(name="Fault: error_502")
    with translation.override("zh-hans"):  # whatever the monitor runs in, English is stored
        for _ in range(2):
            only_due(failing)
            run_pass()
    health = health_of(failing)
    assert health.state == "down"
    what = "V1: APIG.0201 (HTTP 502), V2: APIG.0201 (HTTP 502)"
    assert health.cause == f"Failed 2 passes in a row: {what}."
    client = Client(**ZH)
    client.force_login(User.objects.get(username="demo"))
    for url in (
        f"/w/{demo.code}/health/?q={failing.name}",
        f"/w/{demo.code}/deployments/{failing.code}/",
    ):
        html = client.get(url).content.decode()
        assert f"连续 2 轮失败：{what}。" in html, url  # noqa: RUF001
        assert "Failed" not in html, url
