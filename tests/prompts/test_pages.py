"""Saved prompts through their pages: who may do what, versions, restore, audit, the
variables filled for the playground, and no key ever kept."""

from __future__ import annotations

import json
import uuid

import pytest

from accessportal.models import AuditEvent
from prompts.models import Prompt
from tests import factories
from tests.test_canary import every_stored_text

BODY = {
    "messages": [
        {"role": "system", "content": "You write for {{ team }}."},
        {"role": "user", "content": "Greet {{name}}; write \\{{name}} literally."},
    ],
    "temperature": 0.9,
    "max_tokens": 600,
}


def base(world):
    return f"/w/{world.alpha.code}/prompts/"


def save(client, world, name="greeting", body=BODY, description=""):
    return client.post(
        base(world) + "new/",
        {"name": name, "description": description, "body": json.dumps(body)},
    )


def test_member_saves_edits_and_restores_with_versions_and_audit(world, member_client):
    created = save(member_client, world)
    prompt = Prompt.objects.get(name="greeting")
    assert created.status_code == 302 and created["Location"].endswith(f"{prompt.code}/")
    assert prompt.body == BODY and prompt.version == 1
    page = f"{base(world)}{prompt.code}/"

    edited = dict(
        BODY, temperature=0.2, messages=[*BODY["messages"], {"role": "assistant", "content": "Hi"}]
    )
    response = member_client.post(
        page + "edit/", {"name": "greeting 2", "description": "d", "body": json.dumps(edited)}
    )
    assert response.status_code == 302
    prompt.refresh_from_db()
    assert (prompt.version, prompt.name, prompt.body) == (2, "greeting 2", edited)
    v2 = prompt.versions.get(number=2)
    assert v2.author_name == "member"
    kinds = [c[0] for c in v2.changes]
    assert kinds == ["renamed", "description", "message_added", "parameter_changed"]

    history = member_client.get(page + "history/").content.decode()
    assert "temperature: 0.9 → 0.2." in history and "Restore version 1" in history

    member_client.post(page + "restore/", {"version": "1"})
    prompt.refresh_from_db()
    assert (prompt.version, prompt.name, prompt.body) == (3, "greeting", BODY)
    assert prompt.versions.get(number=3).changes[0] == ["restored", {"number": 1}]
    assert prompt.versions.count() == 3  # nothing replaced

    actions = list(
        AuditEvent.objects.filter(workspace=world.alpha).values_list("action", flat=True)
    )
    assert actions.count("prompt.create") == 1
    assert actions.count("prompt.update") == 1
    assert actions.count("prompt.restore") == 1


def test_saving_without_a_change_makes_no_version(world, member_client):
    prompt = factories.make_prompt(world.alpha, body=BODY, name="same")
    response = member_client.post(
        f"{base(world)}{prompt.code}/edit/",
        {"name": "same", "description": "", "body": json.dumps(BODY, indent=4)},
        follow=True,
    )
    assert "Nothing changed" in response.content.decode()
    assert prompt.versions.count() == 1


def test_viewer_reads_and_copies_but_cannot_change(world, viewer_client):
    prompt = factories.make_prompt(world.alpha, body=BODY)
    page = f"{base(world)}{prompt.code}/"
    listed = viewer_client.get(base(world)).content.decode()
    assert prompt.name in listed and "New prompt" not in listed
    detail = viewer_client.get(page).content.decode()
    assert 'data-copy="prompt-json"' in detail and "{{ team }}" in detail
    assert "Edit" not in detail and "Open in playground" not in detail
    history = viewer_client.get(page + "history/")
    assert history.status_code == 200 and "Restore version" not in history.content.decode()
    assert viewer_client.get(page + "edit/").status_code == 403
    assert viewer_client.post(page + "restore/", {"version": "1"}).status_code == 403
    assert viewer_client.post(page + "delete/").status_code == 403
    assert save(viewer_client, world).status_code == 403
    assert Prompt.objects.count() == 1


def test_outsider_gets_404_everywhere(world):
    prompt = factories.make_prompt(world.alpha)
    outsider = world.client_for(world.outsider)
    page = f"{base(world)}{prompt.code}/"
    for url in (base(world), page, page + "history/", page + "edit/"):
        assert outsider.get(url).status_code == 404
    # A prompt of another workspace named under one's own is not found either.
    own = f"/w/{world.beta.code}/prompts/{prompt.code}/"
    assert outsider.get(own).status_code == 404


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("not json", "not valid JSON"),
        ("[]", "JSON object"),
        ('{"messages": []}', "non-empty messages"),
        ('{"messages": [{"role": "tool", "content": "x"}]}', "Message 1 must be"),
        ('{"messages": [{"role": "user", "content": 3}]}', "Message 1 must be"),
        ('{"messages": [{"role": "user", "content": "x"}], "tools": {"a": 1}}', "Parameter tools"),
        (
            '{"messages": [{"role": "user", "content": "Bearer abcdefghijklmnopqrstu"}]}',
            "looks like a key",
        ),
        ('{"messages": [{"role": "user", "content": "api_key=abcdef123456"}]}', "looks like a key"),
    ],
)
def test_bad_bodies_get_a_clear_error_and_save_nothing(world, member_client, body, error):
    response = member_client.post(base(world) + "new/", {"name": "bad", "body": body})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Prompt.objects.exists()
    assert not AuditEvent.objects.filter(action="prompt.create").exists()


def test_look_alike_names_are_refused(world, member_client):
    response = save(member_client, world, name="greet\u202eing")
    assert "invisible" in response.content.decode()
    assert not Prompt.objects.exists()


def test_duplicate_names_are_refused(world, member_client):
    factories.make_prompt(world.alpha, name="taken")
    response = save(member_client, world, name="taken")
    assert "already has this name" in response.content.decode()
    # Another workspace may use the name.
    factories.make_prompt(world.beta, name="taken")


def test_the_canary_key_is_refused_masked_and_in_no_prompt_page(world, member_client):
    canary = f"CANARY{uuid.uuid4().hex}"
    factories.make_access(world.alpha, key=canary)
    body = {"messages": [{"role": "user", "content": f"my key is {canary} ok"}]}
    refused = save(member_client, world, body=body)
    text = refused.content.decode()
    assert refused.status_code == 200 and "looks like a key" in text
    assert canary not in text and "******" in text and "my key is " in text
    prefilled = member_client.post(base(world) + "new/", {"prefill": "1", "body": json.dumps(body)})
    assert canary not in prefilled.content.decode()
    assert not Prompt.objects.exists()

    prompt = factories.make_prompt(world.alpha, body=BODY)
    page = f"{base(world)}{prompt.code}/"
    for url in (base(world), page, page + "history/", page + "edit/", base(world) + "new/"):
        assert canary not in member_client.get(url).content.decode()
    playground = member_client.get(f"/w/{world.alpha.code}/playground/?prompt={prompt.code}")
    assert canary not in playground.content.decode()
    assert canary not in every_stored_text()  # neither a prompt, a version nor an event


def test_playground_prefills_the_new_prompt_form(world, member_client):
    response = member_client.post(base(world) + "new/", {"prefill": "1", "body": json.dumps(BODY)})
    text = response.content.decode()
    assert response.status_code == 200 and "{{ team }}" in text
    assert "Check the fields" not in text  # not an error: only filled in
    assert not Prompt.objects.exists()


def test_playground_opens_a_prompt_with_its_variables(world, member_client):
    prompt = factories.make_prompt(world.alpha, body=BODY, name="opened")
    page = member_client.get(f"/w/{world.alpha.code}/playground/?prompt={prompt.code}")
    text = page.content.decode()
    assert 'id="prompt-opened"' in text and 'data-variable="team"' in text
    assert 'data-variable="name"' in text
    # A code of another workspace, or no code, opens nothing.
    other = factories.make_prompt(world.beta)
    for query in (f"?prompt={other.code}", "?prompt=nonsense", ""):
        text = member_client.get(f"/w/{world.alpha.code}/playground/{query}").content.decode()
        assert 'id="prompt-opened"' not in text and "Save as prompt" in text


@pytest.mark.parametrize(
    ("values", "status", "expect"),
    [
        ({"team": "ops", "name": "Ada"}, 200, "Greet Ada; write {{name}} literally."),
        ({"team": "ops"}, 400, "Fill in a value for: name."),
        ({"team": "ops", "name": "Ada", "nme": "x"}, 400, "Not a variable of these messages: nme."),
    ],
)
def test_fill_for_the_playground(world, member_client, values, status, expect):
    response = member_client.post(
        base(world) + "fill/", {"body": json.dumps(BODY), "values": json.dumps(values)}
    )
    assert response.status_code == status
    data = response.json()
    if status == 200:
        assert expect in json.loads(data["body"])["messages"][1]["content"]
    else:
        assert expect in data["errors"]


@pytest.mark.parametrize(
    ("body", "values"), [("{", "{}"), ("[]", "{}"), ("{}", "[1]"), ("{}", "x")]
)
def test_fill_refuses_bad_json_plainly(world, member_client, body, values):
    response = member_client.post(base(world) + "fill/", {"body": body, "values": values})
    assert response.status_code == 400 and response.json()["errors"]


def test_restore_of_an_unknown_version_changes_nothing(world, member_client):
    prompt = factories.make_prompt(world.alpha)
    page = f"{base(world)}{prompt.code}/"
    for version in ("", "x", "99", "1"):
        member_client.post(page + "restore/", {"version": version})
    prompt.refresh_from_db()
    assert prompt.version == 1 and prompt.versions.count() == 1


def test_member_deletes_with_audit(world, member_client):
    prompt = factories.make_prompt(world.alpha, name="gone")
    response = member_client.post(f"{base(world)}{prompt.code}/delete/")
    assert response.status_code == 302
    assert not Prompt.objects.exists()
    assert AuditEvent.objects.filter(action="prompt.delete", target="gone").exists()


def test_an_edit_from_a_stale_page_is_compared_with_the_version_before_it(world):
    """Two people editing at once: the second one's changes are worded against the first
    one's version, not the one their page was opened on."""
    from prompts import services

    prompt = factories.make_prompt(world.alpha, body=BODY, name="shared")
    stale = Prompt.objects.get(pk=prompt.pk)
    first = dict(BODY, temperature=0.5)
    services.edit(prompt, actor=world.member, snapshot={**prompt.snapshot(), "body": first})
    second = {"name": "renamed", "description": "", "body": first}
    version = services.edit(stale, actor=world.admin, snapshot=second)
    assert version.number == 3
    assert version.changes == [["renamed", {"old": "shared", "new": "renamed"}]]
    # The same save again changes nothing and writes nothing.
    assert services.edit(stale, actor=world.admin, snapshot=second) is None
    assert prompt.versions.count() == 3
