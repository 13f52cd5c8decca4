"""Sign-in, sign-out and the OpenID callback (top level, before Django's own auth URLs so
these win), and the group-mapping pages (namespace ``sso``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from sso import views

pages = (
    [
        path("w/<uuid:ws>/sso/", views.mapping_list, name="mapping_list"),
        path(
            "w/<uuid:ws>/sso/<uuid:mapping>/delete/",
            views.mapping_delete,
            name="mapping_delete",
        ),
        path(
            "sso/break-glass/<str:token>/",
            login_not_required(views.break_glass),
            name="break_glass",
        ),
    ],
    "sso",
)

urlpatterns = [
    path("accounts/login/", login_not_required(views.LoginView.as_view()), name="login"),
    path("accounts/logout/", views.sign_out, name="logout"),
    path(
        "oidc/authenticate/",
        login_not_required(views.AuthenticationRequest.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        login_not_required(views.AuthenticationCallback.as_view()),
        name="oidc_authentication_callback",
    ),
    path("", include(pages)),
]
