from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sso.models import GroupMapping


class GroupMappingForm(forms.ModelForm):
    class Meta:
        model = GroupMapping
        fields = ["group", "role"]
        help_texts = {"group": _("The group's name exactly as the provider sends it.")}

    def __init__(self, *args, workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.instance.workspace = workspace

    def clean_group(self) -> str:
        group = self.cleaned_data["group"].strip()
        if not group or any(c.isspace() for c in group):
            raise ValidationError(_("A group name has no spaces."), code="spaces")
        if self.workspace.group_mappings.filter(group=group).exists():
            raise ValidationError(_("This group is mapped already."), code="taken")
        return group
