from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accessportal import demo
from simulator.state import DEFAULT_STATE_PATH, StateError, load_state


class Command(BaseCommand):
    help = "Create or update the demo users and a workspace mirroring a simulator state file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--state", default=str(DEFAULT_STATE_PATH), help="State JSON file.")
        parser.add_argument("--simulator-url", default=demo.DEFAULT_SIMULATOR_URL)
        parser.add_argument(
            "--password",
            default=None,
            help="Password for the demo users (default: generated once, kept in .demo-password).",
        )

    def handle(self, *args, state: str, simulator_url: str, password: str | None, **options):
        try:
            account = load_state(state)
        except StateError as error:
            raise CommandError(str(error)) from None
        result = demo.seed(
            account, simulator_url=simulator_url, password=demo.resolve_password(password)
        )
        ws = result.workspace
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded “{ws.name}”: {ws.deployments.count()} deployments, "
                f"{ws.accesses.count()} application accesses, "
                f"{ws.iam_credentials.count()} IAM credential(s), calling {simulator_url}."
            )
        )
        self.stdout.write(
            f"Sign in as {', '.join(result.usernames)} (admin, member, viewer) "
            f"with the password: {result.password}"
        )
