"""Read-only admin screens for the catalog (writes go through the services)."""

from django.contrib import admin

from attain.catalog.models import Product, ProductLine, ProductPrice
from attain.core.admin import AdminOnlyMixin


@admin.register(ProductLine)
class ProductLineAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("code", "name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")


@admin.register(Product)
class ProductAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("sku", "name", "line", "is_active")
    list_filter = ("is_active", "line")
    search_fields = ("sku", "name", "external_ref")
    list_select_related = ("line",)


@admin.register(ProductPrice)
class ProductPriceAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("product", "currency", "valid_from", "list_price", "unit_cost")
    list_filter = ("currency",)
    search_fields = ("product__sku", "product__name")
    list_select_related = ("product",)
    date_hierarchy = "valid_from"
