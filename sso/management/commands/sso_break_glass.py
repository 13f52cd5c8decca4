"""python manage.py sso_break_glass USERNAME [--minutes N]: a one-time sign-in link for a
superuser, for when the identity provider is down and local passwords are off."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from sso.models import BreakGlassTicket


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--minutes", type=int, default=10, help="valid for (default 10)")
        parser.add_argument(
            "--base-url", default="", help="the portal's address, e.g. https://portal.example.com"
        )

    def handle(self, *args, username: str, minutes: int, base_url: str, **options) -> None:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or not user.is_superuser:
            raise CommandError(f"{username!r} is not an active superuser.")
        if not 1 <= minutes <= 60:
            raise CommandError("--minutes must be 1 to 60.")
        token = secrets.token_urlsafe(32)
        BreakGlassTicket.objects.create(
            user=user,
            digest=hashlib.sha256(token.encode()).hexdigest(),
            expires_at=timezone.now() + timedelta(minutes=minutes),
        )
        path = reverse("sso:break_glass", kwargs={"token": token})
        self.stdout.write(f"One-time sign-in for {username}, valid {minutes} minutes:")
        self.stdout.write(base_url.rstrip("/") + path)
