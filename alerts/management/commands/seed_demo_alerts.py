"""Give the demo workspace an email channel; the demo prints its mail to the console."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accessportal.demo import WORKSPACE_NAME
from accessportal.models import Workspace
from alerts.models import SUBSCRIBABLE, Channel, ChannelKind

CHANNEL_NAME = "Demo inbox (console)"


class Command(BaseCommand):
    help = "Add an email channel for every event to the demo workspace (once)."

    def handle(self, *args, **options) -> None:
        workspace = Workspace.objects.filter(name=WORKSPACE_NAME).first()
        if workspace is None:
            self.stdout.write("No demo workspace: run seed_demo first.")
            return
        _, created = Channel.objects.get_or_create(
            workspace=workspace,
            name=CHANNEL_NAME,
            defaults={
                "kind": ChannelKind.EMAIL,
                "recipients": "demo@example.test",
                "events": list(SUBSCRIBABLE),
            },
        )
        if created:
            self.stdout.write(f"Added the notification channel “{CHANNEL_NAME}”.")
