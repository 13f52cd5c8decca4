from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from monitor.models import MonitorSettings


class MonitorSettingsForm(forms.ModelForm):
    class Meta:
        model = MonitorSettings
        fields = ["access", "credential"]
        help_texts = {
            "access": _(
                "Probes use this key for every deployment it covers (both versions). Empty: "
                "the first enabled, unexpired access that covers each deployment."
            ),
            "credential": _(
                "Optional: probe V1 with an IAM token of this credential instead of a key."
            ),
        }

    def __init__(self, *args, workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["access"].queryset = workspace.accesses.all()
        self.fields["access"].empty_label = _("Automatic: the first access that covers it")
        self.fields["credential"].queryset = workspace.iam_credentials.all()
        self.fields["credential"].empty_label = _("None: use API keys")
