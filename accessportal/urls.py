from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accessportal.views import favicon, health

accounts = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

# A database error outside a view is an outage (503), not a bug.
handler500 = "accessportal.database_outage.server_error"

urlpatterns = [
    # First: its sign-in and sign-out take the place of Django's (same names).
    path("", include("sso.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("accounts/", include(accounts)),
    path("admin/", admin.site.urls),
    path("", include("accessportal.routes")),
    path("", include("chat.urls")),
    path("", include("monitor.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("api.page_urls")),
    path("", include("accounts.urls")),
    path("", include("alerts.urls")),
    path("", include("prompts.urls")),
]
