from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile
from accounts.preferences import selectable_zones


def zone_choices() -> list[tuple[str, str]]:
    return [("", _("The browser's time zone")), *((z, z) for z in selectable_zones())]


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[],  # filled in __init__: the settings' languages, each in its own words
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=zone_choices,
        help_text=_("Every time in the portal is shown in this zone; inputs are read in it."),
    )

    class Meta:
        model = Profile
        fields = ["language", "time_zone"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("The browser's language")), *settings.LANGUAGES]
