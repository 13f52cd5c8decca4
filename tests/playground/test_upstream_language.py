"""The outbound client's technical messages in the caller's language: a Chinese page
gets them in Chinese beside the hint, the code stays machine-readable, and the history
keeps the message as it was written (like the audit's text)."""

from __future__ import annotations

import ast
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from accessportal import addresses
from chat import upstream
from chat.hints import upstream_message
from chat.models import TestCall
from chat.upstream import UpstreamError, UpstreamPolicy, post_json
from tests.alerts.conftest import free_port
from tests.playground_helpers import auth_of, named, send


def client_in(language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.get(username="demo-member"))
    return client


@pytest.mark.parametrize(
    ("language", "message"),
    [("zh-hans", "127.0.0.1:1 拒绝了连接"), ("en", "127.0.0.1:1 refused the connection")],
)
def test_a_refused_call_is_explained_in_the_callers_language(demo, language, message):
    deployment = demo.deployments.get(name="Edge on node")
    deployment.host_port = 1  # nothing listens there
    deployment.save()
    _, events = send(
        client_in(language),
        demo,
        deployment=deployment,
        auth=auth_of(demo.accesses.get(name="team-all")),
    )
    [error] = named(events, "error")
    assert error["code"] == "upstream.connect_refused"  # the machine-readable part
    assert error["message"] == message
    assert TestCall.objects.get().error_message == message  # stored as written


def test_a_refused_address_names_its_category_in_chinese():
    policy = UpstreamPolicy(allow_loopback=False)
    with pytest.raises(UpstreamError) as caught:
        post_json(f"http://127.0.0.1:{free_port()}/", headers={}, body=b"{}", policy=policy)
    error = caught.value
    assert error.kind == "blocked_address"
    assert "loopback address" in error.message  # English for logs
    with translation.override("zh-hans"):
        assert upstream_message(error).startswith("拒绝连接：127.0.0.1:")  # noqa: RUF001
        assert upstream_message(error).endswith("是环回地址（门户的设置不允许）")  # noqa: RUF001
    with translation.override("en"):
        assert upstream_message(error) == error.message


def _marked(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") == "gettext_noop"
        and isinstance(node.args[0], ast.Constant)
    }


def test_every_marked_message_is_in_the_chinese_catalog():
    marked = _marked(Path(upstream.__file__)) | _marked(Path(addresses.__file__))
    assert len(marked) > 25
    catalog = polib.pofile(str(Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"))
    translated = {entry.msgid for entry in catalog.translated_entries()}
    assert marked - translated == set()
