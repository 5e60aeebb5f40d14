"""Read-only admin screens for webhooks and their delivery log (admins only; every write goes
through the services). The signing secret is never shown here."""

from __future__ import annotations

from django.contrib import admin

from attain.core.admin import AdminOnlyMixin
from attain.webhooks.models import Webhook, WebhookDelivery


@admin.register(Webhook)
class WebhookAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "url", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    exclude = ("secret",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("event", "webhook", "status", "attempts", "response_status", "created_at")
    list_filter = ("status", "event")
    search_fields = ("event", "event_id")
