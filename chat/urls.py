from __future__ import annotations

from django.urls import path

from chat import compare, request_code, views

app_name = "chat"

W = "w/<uuid:ws>/"

urlpatterns = [
    path(W + "playground/", views.playground, name="playground"),
    path(W + "playground/send/", views.playground_send, name="playground_send"),
    path(W + "playground/code/", request_code.playground_code, name="playground_code"),
    path(W + "playground/compare/", compare.compare, name="compare"),
    path(W + "playground/history/", views.testcall_list, name="testcall_list"),
    path(W + "playground/history/export.csv", views.testcall_export, name="testcall_export"),
    path(W + "playground/history/<uuid:call>/", views.testcall_detail, name="testcall_detail"),
]
