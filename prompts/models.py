"""Saved prompts: a named conversation and its parameters, with every version kept.

A prompt never holds a key: the body is messages and numbers only, checked on save
(``prompts.forms``). The prompt row holds the current version's fields so lists need no
join; each save also appends a ``PromptVersion`` (never changed afterwards)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accessportal.validators import validate_visible_name


class Prompt(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(
        "accessportal.Workspace", on_delete=models.CASCADE, related_name="prompts"
    )
    name = models.CharField(max_length=100, validators=[validate_visible_name])
    description = models.CharField(max_length=500, blank=True)
    body = models.JSONField(default=dict)  # {"messages": [...], "temperature": ..., ...}
    version = models.PositiveIntegerField(default=1)  # the current version's number
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="prompt_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def snapshot(self) -> dict:
        return {"name": self.name, "description": self.description, "body": self.body}


class PromptVersion(models.Model):
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=500, blank=True)
    body = models.JSONField(default=dict)
    # What changed from the version before, as prompts.versions.changes gives it.
    changes = models.JSONField(default=list)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=150)  # kept when the user is deleted
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["prompt", "number"], name="prompt_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    def snapshot(self) -> dict:
        return {"name": self.name, "description": self.description, "body": self.body}
