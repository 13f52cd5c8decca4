"""The import preview and the forms an admin fills by hand give the same verdict.

The preview checks each row with a lighter subclass of the very form (``RowDeploymentForm``,
``RowAccessForm`` in accessportal/bulk_import/rows.py: one copy of the fields per import,
names read once instead of a query per row, no query per constraint). This table holds one
bad input per field rule; for each, the row's problems must be exactly the plain form's
errors, message for message, under the column the file names them by."""

from __future__ import annotations

import pytest

from accessportal.bulk_import import KINDS, check_rows
from accessportal.bulk_import.files import Row, Table
from accessportal.bulk_import.rows import DEPLOYMENT_DEFAULTS, RowResult, _form_problems
from accessportal.forms import AccessForm, DeploymentForm
from tests import factories

KEY = "Ak7pQ2wXk9LmPz4vBc8dYh3JfS6gTa1E"
LB = {"mode": "edge_lb", "elb_ip": "203.0.113.9", "elb_port": "8080", "api_url": "edge/lb"}
NODE = {"mode": "edge_node", "node_ip": "192.0.2.5", "host_port": "31000"}
CLOUD = {"deployment_id": "d-1"}

# (rule, the row's cells: form field names, and "versions" for the two version boxes)
DEPLOYMENT_CASES = [
    ("name required", {"name": "", **CLOUD}),
    ("name too long", {"name": "n" * 101, **CLOUD}),
    ("name with an invisible character", {"name": "Chat\u200b", **CLOUD}),
    ("model name not an identifier", {"name": "a", "model_name": "-chat", **CLOUD}),
    ("model name with an invisible character", {"name": "a", "model_name": "m\u202e", **CLOUD}),
    ("model name too long", {"name": "a", "model_name": "m" * 129, **CLOUD}),
    ("model name of another deployment", {"name": "a", "model_name": "taken", **CLOUD}),
    ("deployment ID not an identifier", {"name": "a", "deployment_id": "d 1"}),
    ("deployment ID too long", {"name": "a", "deployment_id": "d" * 65}),
    ("source unknown", {"name": "a", "source": "borrowed", **CLOUD}),
    ("status unknown", {"name": "a", "status": "paused", **CLOUD}),
    ("mode unknown", {"name": "a", "mode": "orbit", **CLOUD}),
    ("ELB IP not an address", {"name": "a", **LB, "elb_ip": "300.1.1.1", **CLOUD}),
    ("ELB IP a metadata address", {"name": "a", **LB, "elb_ip": "169.254.169.254", **CLOUD}),
    ("ELB port 0", {"name": "a", **LB, "elb_port": "0", **CLOUD}),
    ("ELB port above 65535", {"name": "a", **LB, "elb_port": "65536", **CLOUD}),
    ("ELB port not a number", {"name": "a", **LB, "elb_port": "eighty", **CLOUD}),
    ("API URL with a space", {"name": "a", **LB, "api_url": "edge lb", **CLOUD}),
    ("API URL with ..", {"name": "a", **LB, "api_url": "edge/../lb", **CLOUD}),
    ("load-balancer fields missing", {"name": "a", "mode": "edge_lb", **CLOUD}),
    ("node fields missing", {"name": "a", "mode": "edge_node", **CLOUD}),
    ("node IP not an address", {"name": "a", **NODE, "node_ip": "192.0.2", **CLOUD}),
    ("host port above 65535", {"name": "a", **NODE, "host_port": "70000", **CLOUD}),
    ("V2 without a model name", {"name": "a", "versions": "v2"}),
    ("V1 without a deployment ID", {"name": "a", "versions": "v1"}),
    ("override not a URL", {"name": "a", "v1_path_override": "not a url", **CLOUD}),
    (
        "override to a metadata address",
        {"name": "a", "v1_path_override": "http://169.254.169.254/v1/x", **CLOUD},
    ),
    ("several at once", {"name": "", "mode": "edge_lb", "elb_port": "0", "versions": "v1 v2"}),
]


def _deployment_form_data(cells: dict[str, str]) -> dict[str, str]:
    """What the form page posts for the row: the defaults a new row gets, and the cells."""
    data = dict(DEPLOYMENT_DEFAULTS) | {k: v for k, v in cells.items() if k != "versions"}
    if "versions" in cells:
        data["serves_v1"] = "on" if "v1" in cells["versions"] else ""
        data["serves_v2"] = "on" if "v2" in cells["versions"] else ""
    return data


def _verdicts(table_cells: dict, kind: str, workspace, form) -> tuple[list, list]:
    preview = check_rows(
        Table(format="csv", columns=tuple(table_cells), rows=(Row(2, table_cells),)),
        KINDS[kind],
        workspace,
    )
    assert not form.is_valid()
    by_hand = RowResult(number=2, name="")
    _form_problems(by_hand, form)
    pairs = sorted((p.column, p.message) for p in by_hand.problems)
    return sorted((p.column, p.message) for p in preview.rows[0].problems), pairs


@pytest.mark.parametrize(
    ("rule", "cells"), DEPLOYMENT_CASES, ids=[case[0] for case in DEPLOYMENT_CASES]
)
def test_a_deployment_row_and_the_form_agree(world, rule, cells):
    factories.make_deployment(world.alpha, name="Other", model_name="taken")
    form = DeploymentForm(_deployment_form_data(cells), workspace=world.alpha)
    in_bulk, by_hand = _verdicts(cells, "deployments", world.alpha, form)
    assert by_hand, rule  # the case breaks a rule
    assert in_bulk == by_hand


ACCESS_CASES = [
    ("name required", {"name": "", "api_key": KEY}),
    ("name too long", {"name": "n" * 101, "api_key": KEY}),
    ("name with an invisible character", {"name": "team\u200b", "api_key": KEY}),
    ("key required", {"name": "a", "api_key": ""}),
    ("key too short", {"name": "a", "api_key": "short"}),
    ("key with a space", {"name": "a", "api_key": KEY[:10] + " " + KEY[10:]}),
    ("key too long", {"name": "a", "api_key": "k" * 513}),
    ("expiry not a date", {"name": "a", "api_key": KEY, "expires_at": "next week"}),
    ("expiry in the past", {"name": "a", "api_key": KEY, "expires_at": "2001-01-01T00:00"}),
    ("several at once", {"name": "", "api_key": "short", "expires_at": "2001-01-01T00:00"}),
]


@pytest.mark.parametrize(("rule", "cells"), ACCESS_CASES, ids=[case[0] for case in ACCESS_CASES])
def test_an_access_row_and_the_form_agree(world, rule, cells):
    factories.make_access(world.alpha, name="Other")
    data = {"scope": AccessForm.SCOPE_ALL, **cells}
    form = AccessForm(data, workspace=world.alpha, with_key=True)
    in_bulk, by_hand = _verdicts(cells, "accesses", world.alpha, form)
    assert by_hand, rule
    assert in_bulk == by_hand
