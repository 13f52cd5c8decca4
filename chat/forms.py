"""What the browser may send to the playground: codes, a version and a body."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accessportal.callpaths import V1, V2
from accessportal.models import Workspace
from chat.bodies import BodyError, parse_body
from chat.calls import CallPlan, final_body
from chat.loading import ACCESS, CREDENTIAL, CallParts, load_in
from chat.models import Origin, Outcome


class PlaygroundForm(forms.Form):
    deployment = forms.UUIDField()
    version = forms.ChoiceField(choices=[(V1, "V1"), (V2, "V2")])
    auth = forms.CharField(max_length=80, help_text="access:<code> or credential:<code>")
    body = forms.CharField(strip=False)

    def clean_auth(self) -> tuple[str, uuid.UUID]:
        kind, _colon, code = self.cleaned_data["auth"].partition(":")
        try:
            return kind, uuid.UUID(code)
        except ValueError:
            raise ValidationError(_("Choose an application access or an IAM credential.")) from None

    def clean_body(self) -> dict:
        try:
            # version is cleaned before body (field order); the ranges depend on it.
            version = self.cleaned_data.get("version") or V2
            return parse_body(self.cleaned_data["body"], version)
        except BodyError as error:
            raise ValidationError(str(error)) from None

    def plan(self, *, workspace: Workspace, user, loaded: CallParts | None = None) -> CallPlan:
        """Resolve the codes in the workspace (404 for anything outside it) and check
        that the call may be made. Raises ValidationError with the reason otherwise.

        ``loaded``: the rows already read with the membership (chat/loading.py), used
        when they are the ones the form names; otherwise they are read here."""
        data = self.cleaned_data
        version = data["version"]
        kind, code = data["auth"]
        if kind not in (ACCESS, CREDENTIAL):
            raise ValidationError({"auth": _("Choose an application access or an IAM credential.")})
        if loaded is None or not loaded.matches(data["deployment"], kind, code):
            loaded = load_in(workspace, data["deployment"], kind, code)
        if loaded.deployment is None or (loaded.access or loaded.credential) is None:
            raise Http404
        deployment, access, credential = loaded.deployment, loaded.access, loaded.credential
        if not deployment.is_callable:
            raise ValidationError({"deployment": str(deployment.not_callable_reason)})
        if version not in deployment.versions:
            raise ValidationError(
                {
                    "version": _("This deployment does not serve %(version)s.")
                    % {"version": version.upper()}
                }
            )
        if credential and version == V2:
            raise ValidationError(
                {"auth": _("V2 takes API keys only: choose an application access.")}
            )
        if access:
            if not access.is_usable:
                raise ValidationError(
                    {
                        "auth": _("This application access is %(status)s.")
                        % {"status": access.status_label}
                    }
                )
            if not loaded.covered:
                raise ValidationError(
                    {"auth": _("This key is not associated with this service: edit the access.")}
                )
        body = final_body(data["body"], deployment=deployment, version=version)
        return CallPlan(
            deployment=deployment,
            version=version,
            user=user,
            body=body,
            access=access,
            credential=credential,
        )


class TestCallFilterForm(forms.Form):
    """Filters of the test-call history; odd values are ignored, never a 500. Dates are
    days in the portal's time zone, both ends included."""

    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)
    deployment = forms.CharField(required=False, max_length=100)
    version = forms.ChoiceField(
        choices=[("", gettext_lazy("Any")), (V1, "V1"), (V2, "V2")], required=False
    )
    outcome = forms.ChoiceField(
        choices=[("", gettext_lazy("Any")), *Outcome.choices], required=False
    )
    origin = forms.ChoiceField(choices=[("", gettext_lazy("Any")), *Origin.choices], required=False)
    user = forms.CharField(required=False, max_length=150)
    credential = forms.CharField(required=False, max_length=150)

    FIELDS = {
        "date_from": "created_at__date__gte",
        "date_to": "created_at__date__lte",
        "deployment": "deployment_name",
        "version": "api_version",
        "outcome": "outcome",
        "origin": "origin",
        "user": "username",
        "credential": "auth_label",
    }

    def chosen(self) -> dict:
        """The valid, non-empty filters as ``{field name: value}``; invalid ones drop out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        chosen = {}
        for name in self.FIELDS:
            value = data.get(name)
            if isinstance(value, str):
                value = value.strip()
            if value:
                chosen[name] = value
        return chosen

    def apply(self, calls):
        return calls.filter(**{self.FIELDS[name]: value for name, value in self.chosen().items()})

    def values(self) -> dict[str, str]:
        chosen = self.chosen()
        return {name: str(chosen.get(name, "")) for name in self.FIELDS}
