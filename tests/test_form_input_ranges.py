"""Every choice and number field of every form answers odd numbers with a form error.

The forms are found by introspection, not listed: a form added later is checked too.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.http import QueryDict
from django.test import RequestFactory

from accessportal.models import ApplicationAccess, Deployment
from tests import factories

ODD_VALUES = (
    "99999999999999999999999",
    "9223372036854775808",  # one past the largest 64-bit id
    "-1",
    "-99999999999999999999999",
    "0",
    "abc",
    "1e400",
    "NaN",
)
CHECKED_FIELDS = (forms.ChoiceField, forms.IntegerField, forms.FloatField, forms.DecimalField)


def project_apps() -> list[str]:
    """The project's own apps (inside the repository), whatever is added later."""
    base = Path(settings.BASE_DIR).resolve()
    return [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base) and ".venv" not in config.path
    ]


def project_forms() -> list[type[forms.BaseForm]]:
    own = project_apps()
    for name in own:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, name + "."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)
    found, stack = set(), [forms.BaseForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.split(".")[0] in own:
                found.add(sub)
    return sorted(found, key=lambda c: c.__qualname__)


def build(form_class, world, data):
    request = RequestFactory().post("/")
    request.user = world.admin
    known = {
        "workspace": world.alpha,
        "with_key": True,
        "user": world.admin,
        "request": request,
        "kind": "webhook",
        # The bulk import's row forms: fields built once per import, names read once.
        "shared_fields": copy.deepcopy(form_class.base_fields),
        "model_names": {},
        "access_names": {},
    }
    # Keyword-only arguments of every __init__ along the MRO (mixins pass **kwargs on).
    needed = {
        name
        for cls in form_class.__mro__
        if "__init__" in vars(cls)
        for name, p in inspect.signature(vars(cls)["__init__"]).parameters.items()
        if p.kind is p.KEYWORD_ONLY and p.default is p.empty
    }
    unknown = needed - set(known)
    assert not unknown, f"{form_class.__name__} needs {unknown}: teach this test about it"
    return form_class(data, **{n: known[n] for n in needed})


def test_every_form_is_found():
    assert {"accessportal", "chat"} <= set(project_apps())
    names = {c.__name__ for c in project_forms()}
    assert {"AccessForm", "DeploymentForm", "PlaygroundForm", "MemberRoleForm"} <= names


@pytest.mark.parametrize("value", ODD_VALUES)
def test_every_choice_and_number_field_refuses_odd_numbers(world, value):
    factories.make_deployment(world.alpha)
    checked = 0
    for form_class in project_forms():
        for name, field in build(form_class, world, None).fields.items():
            if not isinstance(field, CHECKED_FIELDS):
                continue
            data = QueryDict(mutable=True)
            data.setlist(
                name,
                [value, value]
                if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
                else [value],
            )
            form = build(form_class, world, data)
            form.is_valid()  # must not raise (OverflowError, ValueError, ...)
            assert name in form.errors, f"{form_class.__name__}.{name} accepted {value!r}"
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("value", ["99999999999999999999999", "-5", "x"])
def test_access_form_with_an_impossible_service_id_is_a_form_error(world, admin_client, value):
    response = admin_client.post(
        f"/w/{world.alpha.code}/access/new/",
        {"name": "n", "scope": "selected", "deployments": value, "api_key": "k" * 20},
    )
    assert response.status_code == 200
    assert "Choose services from the list." in response.content.decode()
    assert not ApplicationAccess.objects.exists()


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "0", "70000", "port"])
def test_deployment_form_with_an_impossible_port_is_a_form_error(world, admin_client, value):
    response = admin_client.post(
        f"/w/{world.alpha.code}/deployments/new/",
        {
            "name": "edge",
            "source": "my_service",
            "status": "running",
            "mode": "edge_node",
            "node_ip": "203.0.113.7",
            "host_port": value,
            "serves_v1": "on",
            "deployment_id": "d1",
        },
    )
    assert response.status_code == 200
    assert not Deployment.objects.filter(name="edge").exists()
