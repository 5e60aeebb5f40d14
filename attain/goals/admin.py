"""Read-only admin screens for goals and their revisions, acknowledgements and milestones
(admins only; every write goes through the services)."""

from __future__ import annotations

from django.contrib import admin

from attain.core.admin import AdminOnlyMixin
from attain.goals.models import Goal, GoalAcknowledgement, GoalRevision, Milestone


@admin.register(Goal)
class GoalAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("metric", "scope_kind", "person", "unit", "start", "end", "target")
    list_filter = ("scope_kind", "period_kind", "metric")
    search_fields = ("metric", "person__last_name", "unit__name", "notes")
    date_hierarchy = "start"


@admin.register(GoalRevision)
class GoalRevisionAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("goal", "old_target", "new_target", "reason_kind", "revised_by", "revised_at")
    list_filter = ("reason_kind",)
    search_fields = ("reason",)


@admin.register(GoalAcknowledgement)
class GoalAcknowledgementAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("goal", "person", "acknowledged_at")
    search_fields = ("person__last_name", "comment")


@admin.register(Milestone)
class MilestoneAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("goal", "due_on", "target", "label")
    search_fields = ("label",)
