"""Filling the catalog in a browser: paste each kind of call path into the deployment form
and watch it fill in and preview, then import deployments and accesses from files."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from accessportal.models import ApplicationAccess, AuditEvent, Deployment
from tests.browser.test_accessibility import PHONE, axe_violations, describe

pytestmark = pytest.mark.browser

KEY = "Zr5tQ8wXk2LmPz7vBc1dYh9JfS4gTa6E"


def paste(page, text: str) -> None:
    box = page.get_by_label("Call path from the console")
    box.fill(text)
    expect(box).to_have_value("")  # filled: the box empties itself


def test_paste_each_kind_of_call_path(page, portal, signed_in, shot):
    ws = portal.workspace
    endpoint, project = ws.inference_endpoint.rstrip("/"), ws.project_id
    signed_in(page, "demo")
    page.goto(portal.ws("deployments/"))
    page.get_by_role("link", name="Add deployment").click()
    preview = page.locator("#deployment-preview")
    expect(preview).to_contain_text("Fill in the fields")
    page.get_by_label("Name:", exact=True).fill("Pasted")

    # Cloud V1: the deployment ID; the endpoint and project are the workspace's.
    paste(page, f"{endpoint}/v1/{project}/deployments/0f1e2d3c/chat/completions")
    expect(page.get_by_label("Deployment ID:")).to_have_value("0f1e2d3c")
    expect(page.get_by_label("Cloud", exact=True)).to_be_checked()
    expect(preview.locator("[data-preview-path=v1]")).to_have_text(
        f"{endpoint}/v1/{project}/deployments/0f1e2d3c/chat/completions"
    )
    shot(page, "-cloud-v1")

    # Cloud V2 on top: both versions now, and the V2 path needs the model name.
    paste(page, f"{endpoint}/api/v2/chat/completions")
    expect(page.get_by_label("V2 (OpenAI-compatible API)")).to_be_checked()
    expect(preview).to_contain_text("The V2 API needs the model name.")
    page.get_by_label("Model name:", exact=True).fill("pasted-cloud")
    expect(preview).to_contain_text("No problems found.")
    expect(preview.locator("[data-preview-path=v2]")).to_have_text(
        f"{endpoint}/api/v2/chat/completions"
    )
    shot(page, "-cloud-v2")

    # Edge load balancing: ELB IP, port and API URL; the mode's fields appear.
    paste(page, "http://127.0.0.1:18443/edge/pasted-lb/api/v2/chat/completions")
    expect(page.get_by_label("Edge, load balancing", exact=True)).to_be_checked()
    expect(page.get_by_label("ELB public IP:")).to_have_value("127.0.0.1")
    expect(page.get_by_label("ELB port:")).to_have_value("18443")
    expect(page.get_by_label("API URL prefix:")).to_have_value("edge/pasted-lb")
    shot(page, "-edge-lb")

    # Edge node on IPv6, in brackets. (Without a prefix an edge path could also be an ELB
    # without an API URL; the mode the form shows decides, so leave load balancing first.)
    page.get_by_label("Cloud", exact=True).check()
    paste(page, f"http://[::1]:18080/v1/{project}/deployments/0f1e2d3c/chat/completions")
    expect(page.get_by_label("Edge, node", exact=True)).to_be_checked()
    expect(page.get_by_label("Node IP:")).to_have_value("::1")
    expect(page.get_by_label("Host port:")).to_have_value("18080")
    expect(page.get_by_label("ELB public IP:")).to_be_hidden()
    expect(preview.locator("[data-preview-path=v1]")).to_have_text(
        f"http://[::1]:18080/v1/{project}/deployments/0f1e2d3c/chat/completions"
    )
    shot(page, "-edge-node-ipv6")

    # A gateway prefix the rules cannot explain: kept as the V1 override, and said so.
    page.get_by_label("Cloud", exact=True).check()
    gateway = f"{endpoint}/v1/infers/77aa-01/v1/{project}/deployments/0f1e2d3c/chat/completions"
    paste(page, gateway)
    expect(page.get_by_label("V1 call path override:")).to_have_value(gateway)
    expect(preview).to_contain_text("gateway prefix /v1/infers/77aa-01")
    expect(preview).to_contain_text("kept as its call-path override")
    expect(preview.locator("[data-preview-path=v1]")).to_have_text(gateway)

    # Something that is no call path says why and fills nothing.
    page.get_by_label("Call path from the console").fill("http://127.0.0.1:1/chat")
    expect(preview).to_contain_text("This is not a chat call path")
    page.get_by_label("Call path from the console").fill("")

    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Deployment “Pasted” added.")
    expect(page.locator("#callpath-v1")).to_have_text(gateway)
    expect(page.locator("#callpath-v2")).to_have_text(f"{endpoint}/api/v2/chat/completions")


def test_fill_from_call_path_without_script(new_context, portal, signed_in, shot):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    signed_in(page, "demo")
    page.goto(portal.ws("deployments/new/"))
    page.get_by_label("Call path from the console").fill(
        "http://127.0.0.1:18443/edge/no-js/api/v2/chat/completions"
    )
    page.get_by_role("button", name="Fill from call path").click()
    expect(page.get_by_label("ELB port:")).to_have_value("18443")
    expect(page.locator("#deployment-preview")).to_contain_text(
        "http://127.0.0.1:18443/edge/no-js/api/v2/chat/completions"
    )
    shot(page)


def test_import_deployments_then_accesses_from_files(page, portal, signed_in, shot, tmp_path):
    signed_in(page, "demo")
    deployments = tmp_path / "deployments.csv"
    deployments.write_text(
        "name,model_name,mode,deployment_id,node_ip,host_port,versions,call_path\n"
        "Imported cloud,imported-cloud,cloud,imp-001,,,v1 v2,\n"
        "Imported LB,imported-lb,,,,,,http://127.0.0.1:18443/edge/imp/api/v2/chat/completions\n"
        "Imported node,,edge_node,imp-003,::1,18080,v1,\n"
    )
    page.goto(portal.ws("deployments/"))
    page.get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", name="Import deployments")).to_be_visible()
    page.get_by_label("CSV or JSON file").set_input_files(deployments)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Import deployments: preview")).to_be_visible()
    rows = page.locator("table.import-rows tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("Edge, load balancing, V2, Running")
    shot(page, "-deployments-preview")
    assert not Deployment.objects.filter(name__startswith="Imported").exists()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".messages")).to_contain_text("Imported: 3 created, 0 updated")
    expect(page.get_by_role("link", name="Imported LB")).to_be_visible()

    accesses = tmp_path / "accesses.json"
    accesses.write_text(
        json.dumps(
            [
                {"name": "imported-two", "services": ["Imported cloud", "imp-003"], "api_key": KEY},
                {"name": "imported-bad", "services": ["No such service"], "api_key": KEY},
            ]
        )
    )
    page.goto(portal.ws("access/"))
    page.get_by_role("link", name="Import").click()
    page.get_by_label("CSV or JSON file").set_input_files(accesses)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("alert")).to_contain_text("1 row has problems")
    expect(page.locator("table.import-rows")).to_contain_text("“No such service”")
    expect(page.get_by_role("button", name="Apply")).to_have_count(0)
    assert KEY not in page.content()
    shot(page, "-accesses-problems")

    accesses.write_text(json.dumps(json.loads(accesses.read_text())[:1]))
    page.get_by_role("link", name="Upload the corrected file").click()
    page.get_by_label("CSV or JSON file").set_input_files(accesses)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("table.import-rows")).to_contain_text("Imported cloud, Imported node")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".messages")).to_contain_text("Imported: 1 created")
    expect(page.get_by_role("link", name="imported-two")).to_be_visible()
    assert KEY not in page.content()
    shot(page, "-accesses-applied")
    access = ApplicationAccess.objects.get(name="imported-two")
    assert access.api_key() == KEY
    assert AuditEvent.objects.filter(action="access.create", target="imported-two").exists()


def test_entry_pages_are_accessible_and_fit_a_phone(new_context, portal, signed_in, tmp_path):
    context = new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    signed_in(page, "demo")
    found = {}
    page.goto(portal.ws("deployments/new/"))
    page.get_by_label("Call path from the console").fill(
        f"{portal.workspace.inference_endpoint.rstrip('/')}/v1/infers/x/api/v2/chat/completions"
    )
    expect(page.locator("#deployment-preview")).to_contain_text("gateway prefix")
    found["deployment-form-preview"] = axe_violations(page)
    page.goto(portal.ws("access/import/"))
    found["import-upload"] = axe_violations(page)
    rows = tmp_path / "rows.csv"
    rows.write_text("name,api_key\n" + "".join(f"phone-{n},\n" for n in range(3)))
    page.get_by_label("CSV or JSON file").set_input_files(rows)
    page.get_by_role("button", name="Preview").click()
    expect(page).to_have_url(re.compile(r"/access/import/[0-9a-f-]+/$"))
    found["import-preview"] = axe_violations(page)
    serious = [
        describe(name, v)
        for name, violations in found.items()
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, "\n".join(serious)
    for path in ("deployments/new/", "deployments/import/", page.url):
        page.goto(path if path.startswith("http") else portal.ws(path))
        sizes = page.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
        )
        assert sizes["scroll"] <= sizes["inner"], path
