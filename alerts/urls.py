"""Notification channels (namespace ``alerts``); one URL per action."""

from __future__ import annotations

from django.urls import path

from alerts import views

app_name = "alerts"

W = "w/<uuid:ws>/notifications/"

urlpatterns = [
    path(W, views.channel_list, name="channel_list"),
    path(W + "new/", views.channel_create, name="channel_create"),
    path(W + "<uuid:channel>/", views.channel_detail, name="channel_detail"),
    path(W + "<uuid:channel>/deliveries/", views.channel_deliveries, name="channel_deliveries"),
    path(W + "<uuid:channel>/edit/", views.channel_edit, name="channel_edit"),
    path(W + "<uuid:channel>/delete/", views.channel_delete, name="channel_delete"),
    path(W + "<uuid:channel>/test/", views.channel_test, name="channel_test"),
]
