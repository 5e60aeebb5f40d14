"""Read-only admin screens for the pipeline (writes go through the services)."""

from __future__ import annotations

from django.contrib import admin

from attain.core.admin import AdminOnlyMixin, VisibleAdminMixin
from attain.organization.visibility import is_admin
from attain.pipeline.models import Activity, Deal, DealStageChange, Lead, LostReason, Stage


@admin.register(Stage)
class StageAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "code", "position", "probability", "is_won", "is_lost", "is_active")
    search_fields = ("name", "code")


@admin.register(LostReason)
class LostReasonAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "code", "is_active")
    search_fields = ("name", "code")


@admin.register(Lead)
class LeadAdmin(VisibleAdminMixin, admin.ModelAdmin):
    list_display = ("company", "status", "source", "channel", "owner", "received_on")
    list_filter = ("status", "source", "channel")
    search_fields = ("company", "contact_name", "email", "external_ref")
    list_select_related = ("owner",)
    date_hierarchy = "received_on"


class DealStageChangeInline(admin.TabularInline):
    model = DealStageChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "from_stage", "to_stage", "changed_by", "amount_reporting")
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return is_admin(request.user)

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Deal)
class DealAdmin(VisibleAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "account",
        "owner",
        "stage",
        "status",
        "amount",
        "currency",
        "amount_reporting",
        "expected_close_on",
    )
    list_filter = ("status", "stage", "currency")
    search_fields = ("name", "account__name", "external_ref")
    list_select_related = ("account", "owner", "stage")
    date_hierarchy = "created_on"
    inlines = [DealStageChangeInline]


@admin.register(DealStageChange)
class DealStageChangeAdmin(VisibleAdminMixin, admin.ModelAdmin):
    owner_field = "deal__owner"
    path_field = "deal__unit_path"
    list_display = (
        "deal",
        "from_stage",
        "to_stage",
        "changed_at",
        "changed_by",
        "amount_reporting",
    )
    list_filter = ("to_stage",)
    search_fields = ("deal__name",)
    list_select_related = ("deal", "from_stage", "to_stage", "changed_by")


@admin.register(Activity)
class ActivityAdmin(VisibleAdminMixin, admin.ModelAdmin):
    list_display = ("subject", "kind", "outcome", "owner", "occurred_at", "minutes")
    list_filter = ("kind", "outcome")
    search_fields = ("subject", "notes", "external_ref")
    list_select_related = ("owner",)
    date_hierarchy = "occurred_at"
