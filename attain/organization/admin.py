"""Read-only admin screens for the organisation (see core.admin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from attain.core.admin import AdminOnlyMixin
from attain.organization.models import (
    Employment,
    Membership,
    OrgUnit,
    Person,
    ReportingLine,
    Territory,
    TerritoryAssignment,
)


@admin.register(OrgUnit)
class OrgUnitAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "code", "path", "is_active")
    search_fields = ("name", "code")
    list_filter = ("kind",)


@admin.register(Person)
class PersonAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("last_name", "first_name", "email", "title")
    search_fields = ("first_name", "last_name", "email")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return Person.objects.visible_to(request.user)


@admin.register(Membership)
class MembershipAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("person", "unit", "role", "valid_from", "valid_to")
    list_filter = ("role",)
    search_fields = ("person__last_name", "unit__name")


@admin.register(ReportingLine)
class ReportingLineAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("person", "manager", "valid_from", "valid_to")


@admin.register(Employment)
class EmploymentAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("person", "started_on", "ended_on", "separation_type")
    list_filter = ("separation_type",)


@admin.register(Territory)
class TerritoryAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "region", "segment", "unit")
    list_filter = ("kind",)


@admin.register(TerritoryAssignment)
class TerritoryAssignmentAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("territory", "person", "valid_from", "valid_to")
