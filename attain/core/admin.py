"""Admin integration: a read-only window for sales operations on every table.

Every admin screen shows only what the user may see (the same `visible()` rule as the pages and
the API). All writes go through the services (pages, API, commands) so that validation,
stamping and history are the same everywhere; see docs/adr/0003-admin-is-read-only.md.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from attain.core.models import ExchangeRate, UserPreference
from attain.core.visibility import is_admin, visible


class VisibleAdminMixin:
    """For stamped models: filter by `visible()`; viewing only, for admins (sales ops)."""

    owner_field = "owner"
    path_field = "unit_path"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)  # type: ignore[misc]
        return visible(qs, request.user, owner_field=self.owner_field, path_field=self.path_field)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AdminOnlyMixin(VisibleAdminMixin):
    """For reference data (no owner): visible to admins only, deletable by nobody here."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super(VisibleAdminMixin, self).get_queryset(request)  # type: ignore[misc]
        return qs if is_admin(request.user) else qs.none()


@admin.register(ExchangeRate)
class ExchangeRateAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("currency", "valid_on", "rate")
    list_filter = ("currency",)
    date_hierarchy = "valid_on"


@admin.register(UserPreference)
class UserPreferenceAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "language", "updated_at")
    list_filter = ("language",)
