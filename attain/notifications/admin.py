"""Read-only admin screen for the mails sent (admins only; written by the services)."""

from __future__ import annotations

from django.contrib import admin

from attain.core.admin import AdminOnlyMixin
from attain.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "recipient", "email", "kind", "key", "status", "sent_at")
    list_filter = ("kind", "status")
    search_fields = ("email", "subject", "key", "recipient__last_name")
    date_hierarchy = "created_at"
