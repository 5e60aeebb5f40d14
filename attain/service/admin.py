"""Read-only admin screen for complaints (visible rows only)."""

from __future__ import annotations

from django.contrib import admin

from attain.core.admin import VisibleAdminMixin
from attain.service.models import Complaint


@admin.register(Complaint)
class ComplaintAdmin(VisibleAdminMixin, admin.ModelAdmin):
    list_display = ("subject", "account", "category", "owner", "status", "opened_on", "resolved_on")
    list_filter = ("status", "category")
    search_fields = ("subject", "account__name", "external_ref")
    date_hierarchy = "opened_on"
    list_select_related = ("account", "owner")
