"""At sign-in, the saved language and time zone go into the new session."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.models import Profile
from accounts.preferences import remember


@receiver(user_logged_in, dispatch_uid="accounts.apply_preferences")
def apply_preferences(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        remember(request.session, language=profile.language, time_zone=profile.time_zone)
