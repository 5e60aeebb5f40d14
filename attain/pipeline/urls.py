"""Web pages of the pipeline app."""

from django.urls import path  # noqa: F401

app_name = "pipeline"
urlpatterns: list = []
