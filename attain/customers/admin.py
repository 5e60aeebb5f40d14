"""Read-only admin screens for customers, limited by the same visibility rule as the pages."""

from django.contrib import admin

from attain.core.admin import VisibleAdminMixin
from attain.customers.models import Account, Contact


@admin.register(Account)
class AccountAdmin(VisibleAdminMixin, admin.ModelAdmin):
    list_display = ("name", "segment", "size_band", "country", "city", "owner")
    list_filter = ("segment", "size_band", "country")
    search_fields = ("name", "city", "industry", "external_ref")
    list_select_related = ("owner",)


@admin.register(Contact)
class ContactAdmin(VisibleAdminMixin, admin.ModelAdmin):
    owner_field = "account__owner"
    path_field = "account__unit_path"
    list_display = ("last_name", "first_name", "account", "email", "is_primary")
    search_fields = ("last_name", "first_name", "email", "account__name")
    list_select_related = ("account",)
