"""Web pages of the orders app."""

from django.urls import path  # noqa: F401

app_name = "orders"
urlpatterns: list = []
