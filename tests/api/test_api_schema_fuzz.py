"""Property-based run of the whole API from its own OpenAPI schema (Schemathesis), over a
real socket to a live portal: no input it can generate gets a 500, and every answer
matches the schema (status codes, content types, bodies).

Path parameters point at real objects of the token's workspace most of the time, so the
generated queries and bodies reach the forms and workflows instead of stopping at 404.
The workspace's endpoints are on a closed loopback port: nothing leaves the machine.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.contrib.auth.models import User
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accessportal.models import Role
from api.main import api
from tests import factories
from tests.api.conftest import issue

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CLOSED = "http://127.0.0.1:9"  # the discard port: a call that got out would fail at once


@pytest.fixture
def real_objects(transactional_db):
    ws = factories.make_workspace("Fuzzed", inference_endpoint=CLOSED, iam_endpoint=CLOSED)
    user = User.objects.create_user("fuzzer")
    factories.add_member(ws, user, Role.ADMIN)
    deployment = factories.make_deployment(ws)
    access = factories.make_access(ws)
    token = issue(user, write=True, secrets=True)[1]
    return {"ws": ws.code, "dep": deployment.code, "access": access.code, "token": token}


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_generated_request_breaks_the_api(case, live_server, real_objects):
    for name in ("ws", "dep", "access"):
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = str(real_objects[name])
    case.call_and_validate(
        base_url=live_server.url,
        headers={"Authorization": f"Bearer {real_objects['token']}"},
        checks=CHECKS,
    )
