from __future__ import annotations

from django.urls import path

from accounts import views

urlpatterns = [
    path("profile/", views.profile_edit, name="profile"),
    path("i18n/setlang/", views.language_set, name="set_language"),
    path("jsi18n/", views.javascript_catalog, name="javascript_catalog"),
]
