from __future__ import annotations

from django.urls import path

from prompts import views

app_name = "prompts"

W = "w/<uuid:ws>/prompts/"

urlpatterns = [
    path(W, views.prompt_list, name="prompt_list"),
    path(W + "new/", views.prompt_create, name="prompt_create"),
    path(W + "fill/", views.prompt_fill, name="prompt_fill"),
    path(W + "<uuid:prompt>/", views.prompt_detail, name="prompt_detail"),
    path(W + "<uuid:prompt>/edit/", views.prompt_edit, name="prompt_edit"),
    path(W + "<uuid:prompt>/history/", views.prompt_history, name="prompt_history"),
    path(W + "<uuid:prompt>/restore/", views.prompt_restore, name="prompt_restore"),
    path(W + "<uuid:prompt>/delete/", views.prompt_delete, name="prompt_delete"),
]
