"""Web pages of the organization app."""

from django.urls import path  # noqa: F401

app_name = "organization"
urlpatterns: list = []
