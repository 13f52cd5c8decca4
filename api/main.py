"""The REST API: ``/api/v1/``, its OpenAPI schema and its documentation page.

Django Ninja: the schema comes from the type hints the endpoints already need, request
validation and the schema cannot drift apart, and the Swagger UI it serves is bundled
with the package (no CDN) and configured without inline script, so the CSP stays strict.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

from api import errors
from api.auth import TokenAuth
from api.endpoints import accesses, calls, catalog, health, history

api = NinjaAPI(
    title="Access Portal API",
    version="1",
    description=str(
        _(
            "The team's catalog of inference services, for scripts and CI. Authenticate "
            "with a personal API token: Authorization: Bearer apat_…. Each operation "
            "names the role and token scope it needs in x-portal-access."
        )
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
for module in (catalog, accesses, calls, history, health):
    api.add_router("", module.router)
