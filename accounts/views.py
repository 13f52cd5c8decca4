"""The profile page and the language switch. Both change only the signed-in user's own
settings, so they need no workspace scoping: the profile requires a sign-in, the switch
works signed out too (the sign-in page has it)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import last_modified, require_http_methods, require_POST
from django.views.i18n import JavaScriptCatalog, set_language

from accounts.forms import ProfileForm
from accounts.middleware import set_language_cookie
from accounts.models import Profile
from accounts.preferences import remember, valid_language


@login_not_required
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (cookie and redirect), and for a signed-in user the
    choice saved on their profile, so it follows them to other browsers."""
    response = set_language(request)
    language = valid_language(request.POST.get("language"))
    if language and request.user.is_authenticated:
        profile = Profile.of(request.user)
        profile.language = language
        profile.save()
        remember(request.session, language=language, time_zone=profile.time_zone)
    return response


# The playground's and the other scripts' strings (djangojs catalog from LOCALE_PATHS),
# served as a file so the Content-Security-Policy needs no inline script. Pages ask for it
# with their language in the URL (?l=zh-hans), so a browser may keep it an hour; a new
# release (a restart) answers revalidations with the new catalog.
STARTED = timezone.now()
javascript_catalog = login_not_required(
    cache_control(max_age=3600)(last_modified(lambda request: STARTED)(JavaScriptCatalog.as_view()))
)


@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = Profile.of(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        profile = form.save()
        remember(request.session, language=profile.language, time_zone=profile.time_zone)
        response = redirect("profile")
        if profile.language:
            set_language_cookie(response, profile.language)
        else:  # "the browser's language": Accept-Language decides again
            response.delete_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
            )
        # Said in the language just chosen: the next page is shown in it.
        with translation.override(profile.language or translation.get_language()):
            messages.success(request, _("Your profile was saved."))
        return response
    return render(request, "accounts/profile.html", {"form": form})
