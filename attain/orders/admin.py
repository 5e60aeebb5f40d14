"""Read-only admin screens for orders, their lines, cancellations and returns (visible rows only)."""

from __future__ import annotations

from django.contrib import admin

from attain.core.admin import VisibleAdminMixin
from attain.orders.models import Order, OrderCancellation, OrderLine, OrderReturn


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = (
        "product",
        "quantity",
        "unit_price",
        "discount_pct",
        "net_amount",
        "net_amount_reporting",
        "cost_reporting",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Order)
class OrderAdmin(VisibleAdminMixin, admin.ModelAdmin):
    list_display = (
        "number",
        "account",
        "owner",
        "status",
        "ordered_on",
        "currency",
        "net_total",
        "net_total_reporting",
    )
    list_filter = ("status", "currency")
    search_fields = ("number", "account__name", "external_ref")
    date_hierarchy = "ordered_on"
    list_select_related = ("account", "owner")
    inlines = (OrderLineInline,)


@admin.register(OrderLine)
class OrderLineAdmin(VisibleAdminMixin, admin.ModelAdmin):
    owner_field = "order__owner"
    path_field = "order__unit_path"
    list_display = ("order", "product", "quantity", "unit_price", "net_amount_reporting")
    search_fields = ("order__number", "product__sku", "product__name")
    list_select_related = ("order", "product")


@admin.register(OrderCancellation)
class OrderCancellationAdmin(VisibleAdminMixin, admin.ModelAdmin):
    owner_field = "order__owner"
    path_field = "order__unit_path"
    list_display = ("order", "cancelled_on", "previous_status", "cancelled_by")
    search_fields = ("order__number", "reason")
    list_select_related = ("order", "cancelled_by")


@admin.register(OrderReturn)
class OrderReturnAdmin(VisibleAdminMixin, admin.ModelAdmin):
    owner_field = "line__order__owner"
    path_field = "line__order__unit_path"
    list_display = ("line", "returned_on", "quantity", "reason", "amount", "amount_reporting")
    list_filter = ("reason",)
    search_fields = ("line__order__number", "line__product__sku")
    list_select_related = ("line", "line__order")
