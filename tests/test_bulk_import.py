"""Import in bulk: a CSV or JSON file (or pasted text) is previewed row by row without
writing anything, then applied in one transaction with an audit row per change. Files
that cannot be imported say why and change nothing; keys never come back out."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from accessportal import audit, services
from accessportal.bulk_import import files
from accessportal.forms import AccessForm, DeploymentForm
from accessportal.models import ApplicationAccess, AuditEvent, Deployment, PendingImport
from tests import factories

P = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
KEY_A = "Ak7pQ2wXk9LmPz4vBc8dYh3JfS6gTa1E"
KEY_B = "Bq4nR8sVw2ZxMc6kLp0dFh5JtG9yUe3W"


def base(world, kind: str) -> str:
    return f"/w/{world.alpha.code}/{'deployments' if kind == 'deployments' else 'access'}/import/"


def upload(client, world, kind: str, content, name: str = "rows.csv"):
    raw = content.encode() if isinstance(content, str) else content
    return client.post(base(world, kind), {"file": SimpleUploadedFile(name, raw)})


def preview(client, world, kind: str, content, name: str = "rows.csv"):
    """Upload, follow to the preview; (preview page text, apply URL)."""
    response = upload(client, world, kind, content, name)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page.content.decode(), response["Location"] + "apply/"


DEPLOYMENTS_CSV = (
    "name,model_name,mode,deployment_id,elb_ip,elb_port,api_url,node_ip,host_port,versions,"
    "call_path\n"
    "Chat cloud,pangu-chat,cloud,d-cloud,,,,,,v1 v2,\n"
    "Chat LB,lb-chat,,,,,,,,,http://203.0.113.9:8080/edge/lb/api/v2/chat/completions\n"
    "Chat node,,edge_node,d-node,,,,2001:db8::5,31000,v1,\n"
)


def test_deployments_preview_writes_nothing_and_apply_writes_all_with_audit(world, admin_client):
    page, apply_url = preview(admin_client, world, "deployments", DEPLOYMENTS_CSV)
    assert page.count(">create<") == 3
    assert "Edge, load balancing, V2, Running" in page
    assert not Deployment.objects.exists()

    response = admin_client.post(apply_url)
    assert response.status_code == 302
    assert response["Location"] == f"/w/{world.alpha.code}/deployments/"
    lb = Deployment.objects.get(name="Chat LB")
    assert lb.call_paths() == {"v2": "http://203.0.113.9:8080/edge/lb/api/v2/chat/completions"}
    node = Deployment.objects.get(name="Chat node")
    assert node.call_paths() == {
        "v1": f"http://[2001:db8::5]:31000/v1/{P}/deployments/d-node/chat/completions"
    }
    assert AuditEvent.objects.filter(action="deployment.create").count() == 3
    assert not PendingImport.objects.exists()  # applied uploads are gone
    listing = admin_client.get(response["Location"]).content.decode()
    assert "Imported: 3 created, 0 updated, 0 unchanged." in listing


def test_rows_naming_existing_deployments_update_them_and_unchanged_rows_are_left(
    world, admin_client
):
    factories.make_deployment(world.alpha, name="Keep", model_name="keep", deployment_id="k1")
    factories.make_deployment(world.alpha, name="Stop", model_name="stop", deployment_id="s1")
    page, apply_url = preview(
        admin_client, world, "deployments", "name,status\nKeep,\nStop,Stopped\n"
    )
    assert ">no change<" in page and ">update<" in page and "Changed: status" in page
    admin_client.post(apply_url)
    assert Deployment.objects.get(name="Stop").status == "stopped"
    assert list(AuditEvent.objects.values_list("action", "target")) == [
        ("deployment.update", "Stop")
    ]


def test_every_problem_is_listed_by_row_and_column_and_apply_refuses(world, admin_client):
    factories.make_deployment(world.alpha, name="Old", model_name="taken")
    content = (
        "name,model_name,mode,elb_ip,versions,call_path\n"
        "A,taken,cloud,,v2,\n"  # model name of another deployment
        "B,,edge_lb,300.1.1.1,v1,\n"  # bad IP, no port, no deployment ID
        "C,,cloud,,v3,\n"  # unknown version
        "A,other,cloud,,v1,\n"  # the same name as row 2
        "D,,,,,https://elsewhere.test/nothing\n"  # not a call path
    )
    page, apply_url = preview(admin_client, world, "deployments", content)
    for text in (
        "already uses this model name",
        "Enter a valid IPv4 or IPv6 address",
        "Required for this mode",
        "The V1 call path needs the deployment ID",
        "Use v1, v2 or both",
        "Row 2 of this file has the same name",
        "This is not a chat call path",
    ):
        assert text in page, text
    assert "<code>elb_ip</code>" in page and "<code>versions</code>" in page
    assert "5 rows have problems" in page
    assert "Apply</button>" not in page

    response = admin_client.post(apply_url)
    assert response.status_code == 400
    assert "Nothing was written" in response.content.decode()
    assert Deployment.objects.count() == 1


def test_apply_checks_again_and_writes_nothing_when_the_catalog_moved(world, admin_client):
    _, apply_url = preview(admin_client, world, "deployments", "name,model_name\nNew,m-1\n")
    factories.make_deployment(world.alpha, name="Meanwhile", model_name="m-1")
    response = admin_client.post(apply_url)
    assert response.status_code == 400
    assert "already uses this model name" in response.content.decode()
    assert not Deployment.objects.filter(name="New").exists()


def test_a_failure_half_way_rolls_every_row_back(world, admin_client, monkeypatch):
    _, apply_url = preview(admin_client, world, "deployments", DEPLOYMENTS_CSV)
    real = services.create_deployments

    def fails_after_writing(**kwargs):
        assert real(**kwargs)  # the rows are in, their audit events queued
        raise IntegrityError("a concurrent save")

    monkeypatch.setattr(services, "create_deployments", fails_after_writing)
    response = admin_client.post(apply_url)
    assert response.status_code == 409
    assert not Deployment.objects.exists()
    assert not AuditEvent.objects.exists()
    assert PendingImport.objects.exists()  # the admin can try again


def test_new_rows_are_logged_as_a_deployment_saved_by_hand(world):
    """Apply inserts new deployments together and their audit events in one insert at the
    end: each event reads as the one a hand-made save writes, in every language."""

    def form(name: str, deployment_id: str) -> DeploymentForm:
        data = {"name": name, "source": "my_service", "status": "stopped", "mode": "edge_node"}
        data |= {"deployment_id": deployment_id, "node_ip": "192.0.2.7", "host_port": "31000"}
        made = DeploymentForm(data | {"serves_v1": "on"}, workspace=world.alpha)
        assert made.is_valid(), made.errors
        return made

    services.save_deployment(form=form("By hand", "d-1"), actor=world.admin, ip="127.0.0.1")
    with transaction.atomic(), audit.batched():
        made = services.create_deployments(
            forms=[form("In bulk", "d-2"), form("In bulk too", "d-3")],
            actor=world.admin,
            ip="127.0.0.1",
        )
        assert AuditEvent.objects.count() == 1  # the bulk ones wait for the end of the block
    assert [d.pk for d in made] == list(
        Deployment.objects.filter(name__startswith="In bulk").values_list("pk", flat=True)
    )
    by_hand, *in_bulk = AuditEvent.objects.order_by("id")
    assert [e.target for e in in_bulk] == ["In bulk", "In bulk too"]
    assert by_hand.summary_i18n["zh-hans"] != by_hand.summary  # translated, not copied
    columns = ("workspace_id", "actor_id", "actor_name", "action", "summary", "summary_i18n", "ip")
    for event in in_bulk:
        assert [getattr(event, c) for c in columns] == [getattr(by_hand, c) for c in columns]


# --- Application accesses ----------------------------------------------------------------


def test_accesses_from_json_name_deployments_by_name_or_id_and_keys_stay_secret(
    world, admin_client
):
    chat = factories.make_deployment(world.alpha, name="Chat", deployment_id="d-chat")
    edge = factories.make_deployment(world.alpha, name="Edge", deployment_id="d-edge")
    document = {
        "accesses": [
            {"name": "team", "services": "all", "api_key": KEY_A},
            {
                "name": "two",
                "description": "chat and edge",
                "services": ["Chat", "d-edge"],
                "api_key": KEY_B,
                "expires_at": "2099-01-01T00:00:00+00:00",
            },
        ]
    }
    page, apply_url = preview(admin_client, world, "accesses", json.dumps(document), "a.json")
    assert "All services; key Ak7******a1E" in page
    assert "Chat, Edge; key Bq4******e3W" in page
    assert KEY_A not in page and KEY_B not in page
    stored = PendingImport.objects.get()
    assert KEY_A not in stored.content_ciphertext  # encrypted while it waits

    response = admin_client.post(apply_url, follow=True)
    assert KEY_A not in response.content.decode() and KEY_B not in response.content.decode()
    team, two = ApplicationAccess.objects.order_by("name")
    assert (team.api_key(), two.api_key()) == (KEY_A, KEY_B)
    assert KEY_A not in team.api_key_ciphertext
    assert set(two.deployments.all()) == {chat, edge} and not two.all_services
    events = AuditEvent.objects.filter(action="access.create")
    assert events.count() == 2
    assert not any(KEY_A in e.summary or KEY_B in e.summary for e in events)


def test_new_access_rows_are_saved_and_logged_as_one_saved_by_hand(world):
    """Apply inserts new accesses, their services and their audit events in bulk: each
    reads back as one a hand-made save writes (the key encrypted, the scope, the log)."""
    chat = factories.make_deployment(world.alpha, name="Chat")
    edge = factories.make_deployment(world.alpha, name="Edge")

    def form(name: str, scope: str = AccessForm.SCOPE_SELECTED) -> AccessForm:
        data = {"name": name, "scope": scope, "deployments": [edge.pk, chat.pk]}
        made = AccessForm(data | {"api_key": KEY_A}, workspace=world.alpha, with_key=True)
        assert made.is_valid(), made.errors
        return made

    services.save_access(form=form("by-hand"), actor=world.admin, ip="127.0.0.1")
    with transaction.atomic(), audit.batched():
        services.create_accesses(
            forms=[form("in-bulk"), form("in-bulk-all", AccessForm.SCOPE_ALL)],
            actor=world.admin,
            ip="127.0.0.1",
        )
    by_hand, in_bulk, in_bulk_all = ApplicationAccess.objects.order_by("id")
    for access in (by_hand, in_bulk, in_bulk_all):
        assert access.api_key() == KEY_A and access.created_by == world.admin
    assert set(in_bulk.deployments.all()) == set(by_hand.deployments.all()) == {chat, edge}
    assert in_bulk_all.all_services and not in_bulk_all.deployments.exists()
    logged, *logged_in_bulk = AuditEvent.objects.order_by("id")
    assert "Chat, Edge" in logged.summary and KEY_A not in str(logged.summary_i18n)
    columns = ("workspace_id", "actor_id", "action", "summary", "summary_i18n", "ip")
    assert [getattr(logged_in_bulk[0], c) for c in columns] == [getattr(logged, c) for c in columns]
    assert "all services" in logged_in_bulk[1].summary


def test_unknown_deployments_and_bad_keys_are_row_errors(world, admin_client):
    factories.make_deployment(world.alpha, name="Chat")
    content = (
        "name,services,api_key\n"
        f"a,Chat; Nope,{KEY_A}\n"
        "b,all,short\n"
        "c,all,\n"
        f"d,all,{KEY_A[:10]} {KEY_A[10:]}\n"
    )
    page, _ = preview(admin_client, world, "accesses", content)
    assert "No deployment of this workspace is named, or has the ID, “Nope”" in page
    assert "shorter than 8 characters" in page
    assert "This field is required" in page
    assert "contains spaces" in page
    assert KEY_A[:10] not in page
    assert not ApplicationAccess.objects.exists()


def test_an_access_row_with_a_new_key_rotates_it_and_the_same_key_changes_nothing(
    world, admin_client
):
    factories.make_access(world.alpha, key=KEY_A, name="same")
    factories.make_access(world.alpha, key=KEY_A, name="rotated")
    page, apply_url = preview(
        admin_client, world, "accesses", f"name,api_key\nsame,{KEY_A}\nrotated,{KEY_B}\n"
    )
    assert ">no change<" in page and "key replaced by Bq4******e3W" in page
    admin_client.post(apply_url)
    assert ApplicationAccess.objects.get(name="rotated").api_key() == KEY_B
    assert ApplicationAccess.objects.get(name="same").api_key() == KEY_A
    assert list(AuditEvent.objects.values_list("action", "target")) == [
        ("access.rotate", "rotated")
    ]


def test_a_key_rotated_by_an_import_notifies_like_one_rotated_by_hand(world, admin_client):
    from alerts.models import Event

    factories.make_channel(world.alpha, events=["key_rotated"])
    access = factories.make_access(world.alpha, key=KEY_A, name="rotated")
    _, apply_url = preview(admin_client, world, "accesses", f"name,api_key\nrotated,{KEY_B}\n")
    admin_client.post(apply_url)
    (event,) = Event.objects.all()
    assert event.kind == "key_rotated" and event.fact_dict()["Access"] == "rotated"
    assert event.fact_dict()["Details"] == f"Key {access.key_hint} replaced by Bq4******e3W"


def test_pasted_text_imports_like_a_file(world, admin_client):
    response = admin_client.post(base(world, "accesses"), {"text": f"name,api_key\nx,{KEY_A}\n"})
    assert response.status_code == 302
    admin_client.post(response["Location"] + "apply/")
    assert ApplicationAccess.objects.get(name="x").api_key() == KEY_A


@pytest.mark.parametrize("kind", ["deployments", "accesses"])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_templates_download_and_read_back(world, admin_client, kind, fmt):
    response = admin_client.get(base(world, kind) + f"template.{fmt}")
    assert response.status_code == 200
    assert f'filename="{kind}-template.{fmt}"' in response["Content-Disposition"]
    if kind == "accesses":
        factories.make_deployment(world.alpha, name="Chat (cloud)")
        factories.make_deployment(world.alpha, deployment_id="a1b2c3d4e5f60718")
    page, _ = preview(admin_client, world, kind, response.content, f"t.{fmt}")
    if kind == "deployments":
        assert page.count(">create<") == 3 and "problem" not in page.split("<tbody>")[1]
    else:
        # The template has no keys: a placeholder would be imported as one.
        assert page.count("This field is required") == 2
        assert "No deployment" not in page


# --- Files that cannot be imported at all ------------------------------------------------

BAD_FILES = [
    ("latin-1", "name\nCafé\n".encode("latin-1"), "rows.csv", "not UTF-8 text"),
    ("binary", b"name\n\x00\x01\x02\n", "rows.csv", "binary data"),
    ("empty", b"", "rows.csv", "file is empty"),
    ("header only", b"name,model_name\n", "rows.csv", "no rows to import"),
    ("unknown column", b"name,colour\nx,red\n", "rows.csv", "unknown column(s) &#x27;colour&#x27;"),
    ("missing column", b"model_name\nx\n", "rows.csv", "the column name is missing"),
    ("column twice", b"name,name\nx,y\n", "rows.csv", "names a column twice"),
    ("cut-off CSV, open quote", b'name,model_name\nx,"abc', "rows.csv", "never closed"),
    ("cut-off CSV, short row", b"name,model_name,mode\nx,y,cloud\nz,", "rows.csv", "cut off"),
    ("cut-off JSON", b'[{"name": "x"}, {"name": "y', "rows.json", "cut off in the middle"),
    ("JSON not a list", b'{"name": "x"}', "rows.json", "must be a list of objects"),
    ("JSON item not an object", b'["x"]', "rows.json", "Item 1 is not an object"),
    ("JSON nested value", b'[{"name": {"a": 1}}]', "rows.json", "must be text or a number"),
    ("JSON unknown key", b'[{"name": "x", "colour": 1}]', "rows.json", "unknown column"),
]


@pytest.mark.parametrize(
    ("case", "raw", "name", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_a_malformed_file_gets_a_clear_error_and_changes_nothing(
    world, admin_client, case, raw, name, message
):
    response = upload(admin_client, world, "deployments", raw, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PendingImport.objects.exists()
    assert not Deployment.objects.exists()


def test_more_rows_than_the_limit_are_refused(world, admin_client):
    rows = "".join(f"d{n}\n" for n in range(files.MAX_ROWS + 1))
    response = upload(admin_client, world, "deployments", "name\n" + rows)
    assert "more than 5,000 rows" in response.content.decode()
    as_json = json.dumps([{"name": f"d{n}"} for n in range(files.MAX_ROWS + 1)])
    response = upload(admin_client, world, "deployments", as_json, "rows.json")
    assert "more than 5,000 rows" in response.content.decode()
    assert not PendingImport.objects.exists()


def test_a_file_over_the_byte_limit_is_refused(world, admin_client, monkeypatch):
    monkeypatch.setattr(files, "MAX_BYTES", 1000)
    monkeypatch.setattr("accessportal.entry_forms.MAX_BYTES", 1000)
    response = upload(admin_client, world, "deployments", "name\n" + "x" * 2000 + "\n")
    assert "larger than" in response.content.decode()
    assert not PendingImport.objects.exists()


def test_a_file_and_text_together_or_neither_are_refused(world, admin_client):
    both = admin_client.post(
        base(world, "deployments"),
        {"file": SimpleUploadedFile("a.csv", b"name\nx\n"), "text": "name\ny\n"},
    )
    assert "not both" in both.content.decode()
    neither = admin_client.post(base(world, "deployments"), {"text": "  "})
    assert "Choose a file or paste the rows" in neither.content.decode()


# --- Whose upload, and for how long -------------------------------------------------------


def test_an_upload_is_only_its_uploaders_and_expires(world, admin_client, django_user_model):
    from django.utils import timezone

    from accessportal.models import Role

    pending = factories.make_pending_import(world.alpha, world.admin)
    other = django_user_model.objects.create_user("admin2")
    factories.add_member(world.alpha, other, Role.ADMIN)
    url = base(world, "deployments") + f"{pending.code}/"
    assert world.client_for(other).get(url).status_code == 404
    assert world.client_for(other).post(url + "apply/").status_code == 404
    assert admin_client.get(base(world, "accesses") + f"{pending.code}/").status_code == 404

    PendingImport.objects.filter(pk=pending.pk).update(
        created_at=timezone.now() - timezone.timedelta(hours=2)
    )
    response = admin_client.post(url + "apply/")
    assert response.status_code == 302 and response["Location"] == base(world, "deployments")
    assert "expired" in admin_client.get(response["Location"]).content.decode()
    assert not Deployment.objects.exists()


def test_list_pages_offer_import_to_admins_only(world, admin_client, member_client):
    for path in ("deployments/", "access/"):
        url = f"/w/{world.alpha.code}/{path}"
        assert f'href="{url}import/"' in admin_client.get(url).content.decode()
        assert f'href="{url}import/"' not in member_client.get(url).content.decode()


def test_an_access_cannot_name_another_workspaces_deployment(world, admin_client):
    factories.make_deployment(world.beta, name="Foreign", deployment_id="d-foreign")
    page, _ = preview(
        admin_client, world, "accesses", f"name,services,api_key\na,Foreign; d-foreign,{KEY_A}\n"
    )
    assert page.count("No deployment of this workspace") == 2
    assert "Apply</button>" not in page
