"""The playground's *Save as prompt* and *Open prompt*: one tag in the playground page,
so the calls app does not need to know about prompts (arrows point down)."""

from __future__ import annotations

import uuid

from django import template

from prompts.variables import variables_of

register = template.Library()


@register.inclusion_tag("prompts/_playground_hooks.html", takes_context=True)
def prompt_hooks(context) -> dict:
    request = context["request"]
    prompts = request.workspace.prompts.all()
    opened = None
    try:
        prompt = prompts.filter(code=uuid.UUID(request.GET.get("prompt", ""))).first()
    except ValueError:
        prompt = None
    if prompt is not None:
        opened = {
            "code": str(prompt.code),
            "name": prompt.name,
            "version": prompt.version,
            "variables": variables_of(prompt.body),
            "body": prompt.body,
        }
    return {
        "request": request,
        "prompts": prompts,
        "opened": opened,
        "csrf_token": context.get("csrf_token"),
    }
