"""The channel form: one form for every kind, showing only the fields its kind uses."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accessportal import addresses
from accessportal.crypto import CryptoError
from accessportal.validators import validate_secret_text, validate_visible_name
from accounts.preferences import selectable_zones, valid_language, valid_zone
from alerts import signing
from alerts.models import SIGNED_KINDS, SUBSCRIBABLE, Channel, ChannelKind, WebhookTarget
from chat.calls import policy_from_settings

MAX_RECIPIENTS = 20
URL_MAX = 1000
SECRET_MIN = 8


def validate_webhook_url(value: str) -> None:
    """http(s), a host, no credentials, and no address the outbound client refuses.

    Names are resolved only when sent (the client checks every address it connects to,
    which also covers DNS rebinding); literal addresses and localhost are judged here so
    the admin learns at once.
    """
    if len(value) > URL_MAX or re.search(r"[\x00-\x20\x7f]", value):
        raise ValidationError(_("Enter a URL without spaces, at most 1000 characters."))
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        raise ValidationError(_("Enter a valid http or https URL.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Enter a valid http or https URL."))
    if parts.username is not None or parts.password is not None:
        raise ValidationError(_("The URL must not contain a user name or password."))
    # The portal's one classification (accessportal/addresses.py): also numeric spellings
    # such as 2852039166 or 0xa9.0xfe.0xa9.0xfe, which the resolver reads as addresses.
    category = addresses.classify_host(parts.hostname)
    if category is None:
        return
    policy = policy_from_settings()
    reason = addresses.refusal_of_category(
        category, allow_loopback=policy.allow_loopback, allow_private=policy.allow_private
    )
    if reason is not None:
        why = gettext("%(address)s is %(category)s") % {
            "address": parts.hostname,
            "category": gettext(addresses.CATEGORY_TEXT[reason]),
        }
        raise ValidationError(
            gettext("The portal may not send to this address: %(why)s.") % {"why": why}
        )


def mask_url(url: str) -> str:
    """What pages show of a webhook URL: scheme and host; path and query may hold a token."""
    parts = urlsplit(url)
    if parts.path in ("", "/") and not parts.query and not parts.fragment:
        return url
    return f"{parts.scheme}://{parts.netloc}/…"


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, validators=[validate_visible_name])
    recipients = forms.CharField(
        label=_("Recipients"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Email addresses, one per line or separated by commas (at most 20)."),
    )
    url = forms.CharField(
        label=_("Webhook URL"),
        max_length=URL_MAX,
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )
    new_secret = forms.BooleanField(
        label=_("Generate a new signing secret (shown once after saving)"), required=False
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(kind.value, kind.label) for kind in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
        initial=[kind.value for kind in SUBSCRIBABLE],
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        required=False,  # left out: the default below (a form posted by a script)
        help_text=_("What the notifications, test included, are written in."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("The zone the notifications give their times in (they name it)."),
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(
        self,
        data=None,
        *,
        workspace,
        kind: str,
        instance: Channel | None = None,
        language: str = "",
        time_zone: str = "",
    ):
        """``language`` and ``time_zone``: the creating admin's, the new channel's default."""
        if instance is not None:
            initial = {
                "name": instance.name,
                "recipients": "\n".join(instance.recipient_list()),
                "events": instance.events,
                "enabled": instance.enabled,
                "language": instance.language,
                "time_zone": instance.time_zone,
            }
        else:
            initial = {
                "language": valid_language(language) or settings.LANGUAGE_CODE,
                "time_zone": valid_zone(time_zone) or settings.TIME_ZONE,
            }
        super().__init__(data, initial=initial)
        zones = list(selectable_zones())
        if initial["time_zone"] not in zones:  # a legacy alias kept from a browser
            zones.append(initial["time_zone"])
        self.fields["time_zone"].choices = [(zone, zone) for zone in zones]
        self.workspace, self.kind, self.instance = workspace, kind, instance
        if kind == ChannelKind.EMAIL:
            for name in ("url", "secret", "new_secret"):
                del self.fields[name]
            return
        del self.fields["recipients"]
        if instance is not None:
            self.fields["url"].required = False
            self.fields["url"].help_text = gettext(
                "Now %(hint)s. Leave empty to keep it (it is stored encrypted)."
            ) % {"hint": instance.target_hint}
        if kind == ChannelKind.WEBHOOK:
            # The portal makes this one: strong, and shown once.
            del self.fields["secret"]
            if instance is None:
                del self.fields["new_secret"]
        else:
            del self.fields["new_secret"]
            if kind not in SIGNED_KINDS:
                del self.fields["secret"]
            else:
                self.fields["secret"].help_text = (
                    _(
                        "The bot's signing secret (加签 / 签名校验), if signing is on; "
                        "stored encrypted."
                    )
                    if instance is None or not instance.secret_hint
                    else gettext("Set (%(hint)s). Leave empty to keep it.")
                    % {"hint": instance.secret_hint}
                )

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or self.initial["language"]

    def clean_time_zone(self) -> str:
        return self.cleaned_data["time_zone"] or self.initial["time_zone"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Channel.objects.filter(workspace=self.workspace, name=name)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("A channel with this name already exists here."))
        return name

    def clean_recipients(self) -> str:
        addresses = [a for a in re.split(r"[\s,;]+", self.cleaned_data["recipients"]) if a]
        if not addresses:
            raise ValidationError(_("Enter at least one email address."))
        if len(addresses) > MAX_RECIPIENTS:
            raise ValidationError(_("Enter at most 20 addresses."))
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(
                    gettext("“%(value)s” is not an email address.") % {"value": address[:100]}
                ) from None
        return "\n".join(dict.fromkeys(addresses))

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if url:
            validate_webhook_url(url)
        return url

    def clean_secret(self) -> str:
        secret = self.cleaned_data["secret"]
        if secret:
            validate_secret_text(secret, what=gettext("The signing secret"))
            if len(secret) < SECRET_MIN:
                raise ValidationError(_("The signing secret is shorter than 8 characters."))
        return secret

    def clean(self) -> dict:
        data = super().clean()
        self.current = WebhookTarget("")
        if self.instance is not None and self.kind != ChannelKind.EMAIL:
            try:
                self.current = self.instance.target()
            except CryptoError:
                # Fail closed, but let the admin repair it by entering the URL again.
                if not data.get("url"):
                    self.add_error(
                        "url",
                        _(
                            "The stored URL cannot be decrypted with the configured keys: "
                            "enter it again."
                        ),
                    )
        return data

    def target(self) -> tuple[WebhookTarget | None, str]:
        """The webhook target to store (None: unchanged) and a secret to show once."""
        data = self.cleaned_data
        if self.kind == ChannelKind.EMAIL:
            return None, ""
        current = self.current
        url = data.get("url") or current.url
        secret, shown = current.secret, ""
        if self.kind == ChannelKind.WEBHOOK and (self.instance is None or data.get("new_secret")):
            secret = shown = signing.generate_secret()
        elif data.get("secret"):
            secret = data["secret"]
        if url == current.url and secret == current.secret:
            return None, ""
        return WebhookTarget(url=url, secret=secret), shown
