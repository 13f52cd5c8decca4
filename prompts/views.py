"""The workspace's saved prompts: list, detail, new, edit, history, restore, delete, and
the filling of variables for the playground. Viewers read; members change."""

from __future__ import annotations

import json
from contextlib import suppress

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accessportal.clientip import client_ip
from accessportal.models import Role
from accessportal.scoping import workspace_view
from prompts import services, versions
from prompts.forms import PromptForm, masked, parse_body, workspace_secrets
from prompts.variables import FillError, fill, variables_of


def _prompt(request: HttpRequest, code):
    return get_object_or_404(request.workspace.prompts, code=code)


@workspace_view(Role.VIEWER)
def prompt_list(request: HttpRequest) -> HttpResponse:
    prompts = list(request.workspace.prompts.all())
    for prompt in prompts:
        prompt.variables = variables_of(prompt.body)
    return render(request, "prompts/prompt_list.html", {"prompts": prompts})


@workspace_view(Role.VIEWER)
def prompt_detail(request: HttpRequest, prompt) -> HttpResponse:
    prompt = _prompt(request, prompt)
    body = prompt.body
    return render(
        request,
        "prompts/prompt_detail.html",
        {
            "prompt": prompt,
            "messages_": body.get("messages", []),
            "parameters": {k: v for k, v in body.items() if k != "messages"},
            "variables": variables_of(body),
            "body_json": json.dumps(body, indent=2, ensure_ascii=False),
            "latest": prompt.versions.first(),
        },
    )


def _form_page(request, form, template_context, *, save, done: str) -> HttpResponse:
    if request.method == "POST" and form.is_bound and form.is_valid():
        prompt = save(form)
        if prompt is None:
            messages.info(request, _("Nothing changed: no new version."))
            prompt = form.prompt
        else:
            messages.success(request, done % {"name": prompt.name, "number": prompt.version})
        return redirect("prompts:prompt_detail", ws=request.workspace.code, prompt=prompt.code)
    return render(request, "prompts/prompt_form.html", {"form": form} | template_context)


@workspace_view(Role.MEMBER, methods=("GET", "POST"))
def prompt_create(request: HttpRequest) -> HttpResponse:
    """New prompt; the playground's *Save as prompt* posts ``prefill`` with its body, which
    only fills the form in (masked, as any text shown again)."""
    if request.method == "POST" and request.POST.get("prefill"):
        text = masked(request.POST.get("body", ""), workspace_secrets(request.workspace))
        with suppress(ValidationError):  # else shown as it came; Save says what is wrong
            text = json.dumps(parse_body(text), indent=2, ensure_ascii=False)
        form = PromptForm(workspace=request.workspace, initial={"body": text})
    else:
        form = PromptForm(request.POST or None, workspace=request.workspace)

    def save(form):
        data = form.snapshot()
        return services.create(
            workspace=request.workspace, actor=request.user, ip=client_ip(request), **data
        )

    return _form_page(request, form, {}, save=save, done=_("Prompt “%(name)s” saved."))


@workspace_view(Role.MEMBER, methods=("GET", "POST"))
def prompt_edit(request: HttpRequest, prompt) -> HttpResponse:
    prompt = _prompt(request, prompt)
    form = PromptForm(request.POST or None, workspace=request.workspace, prompt=prompt)

    def save(form):
        version = services.edit(
            prompt, actor=request.user, snapshot=form.snapshot(), ip=client_ip(request)
        )
        return prompt if version else None

    return _form_page(
        request,
        form,
        {"prompt": prompt},
        save=save,
        done=_("Prompt “%(name)s” saved as version %(number)s."),
    )


@workspace_view(Role.VIEWER)
def prompt_history(request: HttpRequest, prompt) -> HttpResponse:
    prompt = _prompt(request, prompt)
    rows = list(prompt.versions.all())
    for version in rows:
        version.described = [versions.describe(c) for c in version.changes]
        version.body_json = json.dumps(version.body, indent=2, ensure_ascii=False)
    return render(
        request,
        "prompts/prompt_history.html",
        {"prompt": prompt, "versions": rows},
    )


@workspace_view(Role.MEMBER, methods=("POST",))
def prompt_restore(request: HttpRequest, prompt) -> HttpResponse:
    prompt = _prompt(request, prompt)
    try:
        old = prompt.versions.get(number=int(request.POST.get("version", "")))
    except (ValueError, prompt.versions.model.DoesNotExist):
        messages.error(request, _("No such version of this prompt."))
        return redirect("prompts:prompt_history", ws=request.workspace.code, prompt=prompt.code)
    if old.number == prompt.version:
        messages.info(request, _("Version %(number)s is the current one.") % {"number": old.number})
    else:
        services.restore(prompt, old, actor=request.user, ip=client_ip(request))
        messages.success(
            request,
            _("Version %(old)s restored as version %(number)s.")
            % {"old": old.number, "number": prompt.version},
        )
    return redirect("prompts:prompt_history", ws=request.workspace.code, prompt=prompt.code)


@workspace_view(Role.MEMBER, methods=("POST",))
def prompt_delete(request: HttpRequest, prompt) -> HttpResponse:
    prompt = _prompt(request, prompt)
    services.delete(prompt, actor=request.user, ip=client_ip(request))
    messages.success(request, _("Prompt “%(name)s” deleted.") % {"name": prompt.name})
    return redirect("prompts:prompt_list", ws=request.workspace.code)


@workspace_view(Role.MEMBER, methods=("POST",))
def prompt_fill(request: HttpRequest) -> JsonResponse:
    """The playground's body with its variables filled from ``values`` (a JSON object of
    text), or 400 with every missing and unknown name."""
    try:
        body = json.loads(request.POST.get("body", ""))
        values = json.loads(request.POST.get("values", "{}"))
    except ValueError:
        return JsonResponse(
            {"errors": [_("The body or the values are not valid JSON.")]}, status=400
        )
    if not isinstance(body, dict) or not isinstance(values, dict):
        return JsonResponse(
            {"errors": [_("The body or the values are not valid JSON.")]}, status=400
        )
    try:
        filled = fill(body, {str(k): v for k, v in values.items()})
    except FillError as error:
        errors = []
        if error.missing:
            errors.append(
                _("Fill in a value for: %(names)s.") % {"names": ", ".join(error.missing)}
            )
        if error.unknown:
            errors.append(
                _("Not a variable of these messages: %(names)s.")
                % {"names": ", ".join(error.unknown)}
            )
        return JsonResponse({"errors": errors, "missing": list(error.missing)}, status=400)
    return JsonResponse({"body": json.dumps(filled, indent=2, ensure_ascii=False)})
