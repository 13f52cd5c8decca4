from __future__ import annotations

from django.urls import path

from monitor import views

app_name = "monitor"

W = "w/<uuid:ws>/"

urlpatterns = [
    path(W + "health/", views.health_board, name="health_board"),
    path(W + "health/status/", views.health_status, name="health_status"),
    path(W + "health/check/", views.health_check_all, name="health_check_all"),
    path(W + "health/settings/", views.health_settings, name="health_settings"),
    path(W + "health/<uuid:dep>/check/", views.health_check, name="health_check"),
    path(
        W + "health/<uuid:dep>/status/",
        views.deployment_health_status,
        name="deployment_health_status",
    ),
    path(W + "access/<uuid:access>/check/", views.access_check, name="access_check"),
    path(W + "access/<uuid:access>/check/status/", views.keycheck_status, name="keycheck_status"),
]
