"""The pages where people manage API tokens (namespace ``api_tokens``)."""

from __future__ import annotations

from django.urls import path

from api import views

app_name = "api_tokens"

urlpatterns = [
    path("profile/tokens/", views.token_list, name="token_list"),
    path("profile/tokens/<uuid:token>/revoke/", views.token_revoke, name="token_revoke"),
    path("w/<uuid:ws>/tokens/", views.workspace_tokens, name="workspace_tokens"),
    path(
        "w/<uuid:ws>/tokens/<uuid:token>/revoke/",
        views.workspace_token_revoke,
        name="workspace_token_revoke",
    ),
]
