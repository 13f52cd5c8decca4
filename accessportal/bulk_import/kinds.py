"""What each kind of import holds: its columns, the required ones, and the templates."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from accessportal.forms import DeploymentForm

DEPLOYMENTS = "deployments"
ACCESSES = "accesses"


@dataclass(frozen=True)
class ImportKind:
    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    # Columns whose JSON value may be a list (CSV: items separated by ";").
    list_columns: tuple[str, ...]
    examples: tuple[dict[str, object], ...]

    def template_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        for example in self.examples:
            writer.writerow([_csv_cell(example.get(c, "")) for c in self.columns])
        return out.getvalue()

    def template_json(self) -> str:
        rows = [{c: example.get(c, "") for c in self.columns} for example in self.examples]
        return json.dumps({self.name: rows}, indent=2, ensure_ascii=False) + "\n"


def _csv_cell(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


# Documentation addresses only (RFC 5737, .test): a template applied as it is calls nobody.
DEPLOYMENT_KIND = ImportKind(
    name=DEPLOYMENTS,
    # The form's fields, with the two version boxes as one column, and the paths to parse.
    columns=(
        *(name for name in DeploymentForm._meta.fields if not name.startswith("serves_")),
        "versions",
        "call_path",
    ),
    required=("name",),
    list_columns=("versions", "call_path"),
    examples=(
        {
            "name": "Chat (cloud)",
            "model_name": "pangu-chat",
            "source": "my_service",
            "status": "running",
            "mode": "cloud",
            "deployment_id": "0f1e2d3c4b5a6978",
            "versions": ["v1", "v2"],
        },
        {
            "name": "Chat (edge, load balancing)",
            "model_name": "edge-chat",
            "call_path": ["http://203.0.113.10:8080/edge/chat/api/v2/chat/completions"],
        },
        {
            "name": "Chat (edge, node)",
            "source": "preset_service",
            "status": "stopped",
            "mode": "edge_node",
            "deployment_id": "a1b2c3d4e5f60718",
            "node_ip": "192.0.2.20",
            "host_port": 31000,
            "versions": ["v1"],
        },
    ),
)

ACCESS_KIND = ImportKind(
    name=ACCESSES,
    columns=("name", "description", "services", "api_key", "expires_at"),
    required=("name", "api_key"),
    list_columns=("services",),
    # No example key: a placeholder that passed the key rules would be imported as a key.
    examples=(
        {"name": "team-all", "description": "Shared by the team", "services": "all"},
        {
            "name": "chat-only",
            "description": "Only the two chat services",
            "services": ["Chat (cloud)", "a1b2c3d4e5f60718"],
            "expires_at": "2027-12-31T23:59:00+00:00",
        },
    ),
)

KINDS = {DEPLOYMENTS: DEPLOYMENT_KIND, ACCESSES: ACCESS_KIND}
