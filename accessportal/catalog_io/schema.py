"""The shape of a catalog file: its header, and the fields of each kind of row."""

from __future__ import annotations

FORMAT = "accessportal-catalog"
SCHEMA_VERSION = 1
MIN_PASSPHRASE_LENGTH = 12


class CatalogError(Exception):
    """A file or request the operator must fix; the message says what and where."""


# --- The shape of a file -------------------------------------------------------------------
# One table per object kind: field -> kind. Explicit on purpose: the format is versioned,
# and the round-trip test compares every model field, so a new field shows up there.

UUID, STR, BOOL, DT, DT_OPT, INT_OPT, IP_OPT, JSON_DICT, USER_OPT = (
    "uuid",
    "str",
    "bool",
    "datetime",
    "datetime?",
    "int?",
    "ip?",
    "json",
    "username?",
)

WORKSPACE_FIELDS = {
    "code": UUID,
    "name": STR,
    "description": STR,
    "region": STR,
    "project_id": STR,
    "inference_endpoint": STR,
    "iam_endpoint": STR,
    "created_at": DT,
}
MEMBER_FIELDS = {"code": UUID, "username": STR, "role": STR, "created_at": DT}
DEPLOYMENT_FIELDS = {
    "code": UUID,
    "name": STR,
    "model_name": STR,
    "source": STR,
    "status": STR,
    "deployment_id": STR,
    "mode": STR,
    "elb_ip": IP_OPT,
    "elb_port": INT_OPT,
    "api_url": STR,
    "node_ip": IP_OPT,
    "host_port": INT_OPT,
    "serves_v1": BOOL,
    "serves_v2": BOOL,
    "v1_path_override": STR,
    "v2_path_override": STR,
    "created_at": DT,
    "updated_at": DT,
}
ACCESS_FIELDS = {
    "code": UUID,
    "name": STR,
    "description": STR,
    "all_services": BOOL,
    "key_hint": STR,
    "created_by": USER_OPT,
    "created_at": DT,
    "updated_at": DT,
    "key_rotated_at": DT_OPT,
    "expires_at": DT_OPT,
    "disabled": BOOL,
    "last_used_at": DT_OPT,
    "last_check": JSON_DICT,
    "last_checked_at": DT_OPT,
}
CREDENTIAL_FIELDS = {
    "code": UUID,
    "name": STR,
    "iam_user": STR,
    "domain_name": STR,
    "project_name": STR,
    "created_by": USER_OPT,
    "created_at": DT,
    "updated_at": DT,
}
AUDIT_FIELDS = {
    "code": UUID,
    "actor": USER_OPT,
    "actor_name": STR,
    "action": STR,
    "target": STR,
    "summary": STR,
    "ip": IP_OPT,
    "created_at": DT,
}
# Extra keys beside the plain fields: (key, what it holds).
ACCESS_EXTRA = {"deployments", "api_key"}
CREDENTIAL_EXTRA = {"password"}
WORKSPACE_LISTS = ("members", "deployments", "accesses", "iam_credentials", "audit_events")
