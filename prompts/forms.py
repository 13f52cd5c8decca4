"""The prompt form: a name, a description and the request body as the playground sends
it (messages and parameters). A body that holds a key, a password or anything that looks
like one is refused, and the text shown again has it masked."""

from __future__ import annotations

import json
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accessportal.masking import MASK
from accessportal.validators import validate_visible_name
from chat.scrub import scrub
from prompts.models import Prompt
from prompts.variables import MAX_VARIABLES, NAME, variables_of

ROLES = ("system", "user", "assistant")
MAX_BODY = 100_000  # characters of JSON
# Set by the portal or per call, not part of a prompt.
DROPPED = ("model", "stream_options")
# Text that looks like a credential whoever's it is: bearer tokens, "sk-" keys,
# "api_key=..." and "password: ..." pairs.
SECRET_LOOKING = re.compile(
    r"(?i)(bearer\s+[A-Za-z0-9._~+/=-]{16,}"
    r"|\bsk-[A-Za-z0-9_-]{16,}"
    r"|\b(?:api[_-]?key|secret|password|passwd|token)\s*[\"']?\s*[:=]\s*[\"']?[^\s\"',}]{8,})"
)


def workspace_secrets(workspace) -> list[str]:
    """The workspace's keys and IAM passwords, to refuse a prompt that quotes one."""
    return [a.api_key() for a in workspace.accesses.all()] + [
        c.password() for c in workspace.iam_credentials.all()
    ]


def masked(text: str, secrets: list[str]) -> str:
    return SECRET_LOOKING.sub(MASK, scrub(text, [s for s in secrets if s]))


def _parameter_ok(value) -> bool:
    if isinstance(value, bool | int | float | str):
        return True
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def parse_body(text: str) -> dict:
    """The body as a dict, or ValidationError saying plainly what is wrong."""
    if len(text) > MAX_BODY:
        raise ValidationError(
            _("The body is too long (at most %(n)s characters).") % {"n": MAX_BODY}
        )
    try:
        body = json.loads(text)
    except ValueError as error:
        raise ValidationError(
            _("The body is not valid JSON (line %(line)s, column %(col)s).")
            % {"line": getattr(error, "lineno", "?"), "col": getattr(error, "colno", "?")}
        ) from None
    if not isinstance(body, dict):
        raise ValidationError(_("The body must be a JSON object with a messages list."))
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValidationError(_("The body needs a non-empty messages list."))
    for n, message in enumerate(messages, 1):
        if (
            not isinstance(message, dict)
            or set(message) != {"role", "content"}
            or message["role"] not in ROLES
            or not isinstance(message["content"], str)
        ):
            raise ValidationError(
                _(
                    'Message %(n)s must be {"role": …, "content": "text"} with role '
                    "system, user or assistant."
                )
                % {"n": n}
            )
    body = {k: v for k, v in body.items() if k not in DROPPED}
    for name, value in body.items():
        if name != "messages" and (not re.fullmatch(NAME, name) or not _parameter_ok(value)):
            raise ValidationError(
                _("Parameter %(name)s: only numbers, true/false and text are kept.")
                % {"name": name[:40]}
            )
    if len(variables_of(body)) > MAX_VARIABLES:
        raise ValidationError(_("At most %(n)s variables.") % {"n": MAX_VARIABLES})
    return body


class PromptForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, validators=[validate_visible_name]
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=500, required=False)
    body = forms.CharField(
        label=gettext_lazy("Messages and parameters (JSON)"),
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "The request body as the playground sends it. Write {{name}} in a message for "
            "a variable, filled in before sending; \\{{name}} keeps the braces as text."
        ),
    )

    def __init__(self, *args, workspace, prompt: Prompt | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.prompt = prompt
        if prompt is not None and not self.is_bound:
            self.initial.update(name=prompt.name, description=prompt.description)
            self.initial["body"] = json.dumps(prompt.body, indent=2, ensure_ascii=False)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = self.workspace.prompts.filter(name=name).exclude(
            pk=getattr(self.prompt, "pk", None)
        )
        if others.exists():
            raise ValidationError(_("A prompt of this workspace already has this name."))
        return name

    def clean_body(self):
        text = self.cleaned_data["body"]
        cleaned = masked(text, workspace_secrets(self.workspace))
        if cleaned != text:
            # Shown again with the secret masked: a form never echoes a key.
            self.data = self.data.copy()
            self.data[self.add_prefix("body")] = cleaned
            raise ValidationError(
                _(
                    "This looks like a key, token or password (now masked as %(mask)s). "
                    "A prompt never holds a secret: calls use the workspace's keys."
                )
                % {"mask": MASK}
            )
        return parse_body(text)

    def snapshot(self) -> dict:
        return {
            "name": self.cleaned_data["name"],
            "description": self.cleaned_data["description"],
            "body": self.cleaned_data["body"],
        }
