"""Rollup tables in the admin: read-only, for admins (they are derived data)."""

from django.contrib import admin

from attain.analytics.models import ActivityDay, DealDay, ReturnDay, SalesDay
from attain.core.admin import AdminOnlyMixin


@admin.register(SalesDay)
class SalesDayAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ["day", "owner", "unit_path", "territory", "product_line", "segment", "revenue"]
    list_filter = ["segment"]
    date_hierarchy = "day"


@admin.register(ReturnDay)
class ReturnDayAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ["day", "owner", "unit_path", "product_line", "segment", "refunds", "returns"]
    date_hierarchy = "day"


@admin.register(DealDay)
class DealDayAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ["day", "owner", "unit_path", "segment", "deals_created", "deals_won"]
    date_hierarchy = "day"


@admin.register(ActivityDay)
class ActivityDayAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ["day", "owner", "unit_path", "kind", "activities", "minutes"]
    list_filter = ["kind"]
    date_hierarchy = "day"
