"""Creating a personal API token."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accessportal import validators
from accessportal.forms import RowIdsChoiceField
from accessportal.models import ApplicationAccess, Role, Workspace

LIFETIMES = [
    ("7", _("7 days")),
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("1 year")),
    ("never", _("Never (not allowed with the secrets scope)")),
]


class AccessChoiceField(RowIdsChoiceField):
    def label_from_instance(self, obj: ApplicationAccess) -> str:
        return f"{obj.workspace.name} / {obj.name} ({obj.key_hint})"


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What uses it, e.g. “deploy pipeline”.")
    )
    can_write = forms.BooleanField(
        label=_("write: create, change and delete deployments and accesses; make test calls"),
        required=False,
    )
    can_read_secrets = forms.BooleanField(
        label=_("secrets: fetch keys of accesses (admins only; audited)"), required=False
    )
    lifetime = forms.ChoiceField(label=_("Expires after"), choices=LIFETIMES, initial="90")
    workspaces = RowIdsChoiceField(
        label=_("Workspaces"),
        queryset=Workspace.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every workspace you belong to, now and later."),
    )
    accesses = AccessChoiceField(
        label=_("Keys it may fetch"),
        queryset=ApplicationAccess.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("With the secrets scope. None chosen: every key you may reveal."),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workspaces"].queryset = Workspace.objects.filter(memberships__user=user)
        self.fields["accesses"].queryset = ApplicationAccess.objects.filter(
            workspace__memberships__user=user, workspace__memberships__role=Role.ADMIN
        ).select_related("workspace")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Give the token a name."), code="blank")
        clean = getattr(validators, "validate_display_name", None)
        if clean:
            clean(name)
        return name

    def clean(self) -> dict:
        data = super().clean()
        if data.get("can_read_secrets") and data.get("lifetime") == "never":
            self.add_error("lifetime", _("A token with the secrets scope must expire."))
        if data.get("accesses") and not data.get("can_read_secrets"):
            self.add_error("accesses", _("Choosing keys needs the secrets scope."))
        chosen = data.get("workspaces")
        if chosen and data.get("accesses"):
            outside = [a for a in data["accesses"] if a.workspace not in chosen]
            if outside:
                self.add_error("accesses", _("These keys are outside the chosen workspaces."))
        return data

    def expires_at(self):
        lifetime = self.cleaned_data["lifetime"]
        if lifetime == "never":
            return None
        return timezone.now() + timedelta(days=int(lifetime))
