"""Goals (quotas) at every level: person, team, business unit, division, company.

A goal names a metric from the analytics registry by key, a period and optional filters.
Its `target` is the value in force now; every change is an append-only `GoalRevision`, so past
attainment can be judged against the target in force at the time (see selectors.goal_target_on).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from attain.catalog.models import Product, ProductLine
from attain.customers.models import Segment
from attain.goals.querysets import GoalQuerySet
from attain.organization.models import OrgUnit, Person, Territory, UnitKind


class ScopeKind(models.TextChoices):
    PERSON = "person", _("Person")
    TEAM = "team", _("Team")
    BUSINESS_UNIT = "business_unit", _("Business unit")
    DIVISION = "division", _("Division")
    COMPANY = "company", _("Company")


#: The unit kind a unit goal of each scope kind must name.
UNIT_KIND_FOR_SCOPE = {
    ScopeKind.TEAM: UnitKind.TEAM,
    ScopeKind.BUSINESS_UNIT: UnitKind.BUSINESS_UNIT,
    ScopeKind.DIVISION: UnitKind.DIVISION,
    ScopeKind.COMPANY: UnitKind.COMPANY,
}


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
    CUSTOM = "custom", _("Custom")


class RevisionReason(models.TextChoices):
    PERFORMANCE = "performance", _("Performance")
    ECONOMY = "economy", _("Economy")
    COMPETITION = "competition", _("Competition")
    OTHER = "other", _("Other")


class Goal(models.Model):
    """A target for one scope (a person or a unit's subtree), one metric and one period."""

    scope_kind = models.CharField(_("scope"), max_length=20, choices=ScopeKind.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="goals",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="goals",
    )
    metric = models.CharField(_("metric"), max_length=40, db_index=True)
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=2)
    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cascaded from"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    set_by = models.ForeignKey(
        Person, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="goals_set"
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "metric", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="goal_end_after_start"),
            models.CheckConstraint(condition=Q(target__gte=0), name="goal_target_not_negative"),
            models.CheckConstraint(
                condition=Q(scope_kind="person", person__isnull=False, unit__isnull=True)
                | (~Q(scope_kind="person") & Q(person__isnull=True, unit__isnull=False)),
                name="goal_scope_names_one_subject",
            ),
        ]
        indexes = [models.Index(fields=["metric", "start", "end"], name="goal_metric_period")]

    def __str__(self) -> str:
        return f"{self.metric} · {self.subject_name} · {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("goals:goal_detail", args=[self.pk])

    @property
    def subject_name(self) -> str:
        subject = self.person if self.person_id else self.unit
        return str(subject) if subject is not None else ""


class GoalRevision(models.Model):
    """An append-only change of a goal's target: who, when, why, old and new value."""

    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="revisions"
    )
    old_target = models.DecimalField(_("old target"), max_digits=18, decimal_places=2)
    new_target = models.DecimalField(_("new target"), max_digits=18, decimal_places=2)
    reason_kind = models.CharField(_("reason"), max_length=20, choices=RevisionReason.choices)
    reason = models.TextField(_("explanation"))
    revised_by = models.ForeignKey(
        Person, verbose_name=_("revised by"), on_delete=models.PROTECT, related_name="+"
    )
    revised_at = models.DateTimeField(_("revised at"), auto_now_add=True)
    effective_from = models.DateField(_("effective from"))

    class Meta:
        ordering = ["goal", "revised_at", "pk"]
        verbose_name = _("goal revision")
        verbose_name_plural = _("goal revisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(new_target__gte=0), name="goal_revision_target_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.old_target} → {self.new_target}"


class GoalAcknowledgement(models.Model):
    """A person confirming they have discussed and accepted a goal (recorded with time)."""

    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="acknowledgements"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["goal", "acknowledged_at"]
        verbose_name = _("goal acknowledgement")
        verbose_name_plural = _("goal acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["goal", "person"], name="goal_acknowledged_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} ✓ {self.goal_id}"


class Milestone(models.Model):
    """A waypoint toward a goal: the cumulative value to reach by `due_on`."""

    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="milestones"
    )
    due_on = models.DateField(_("due on"))
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=2)
    label = models.CharField(_("label"), max_length=120, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["goal", "due_on", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(condition=Q(target__gte=0), name="milestone_target_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.due_on:%Y-%m-%d}: {self.target}"


class GoalAchievement(models.Model):
    """The first time a goal's actual reached its target in force (attainment ≥ 100 %).

    Recorded once, by `goals_check_reached` after the sales facts behind the goal change, and
    never moved: a later revision of the target or a cancelled order does not undo it. The
    `goal.reached` event is emitted when the row is written.
    """

    goal = models.OneToOneField(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="achievement"
    )
    reached_on = models.DateField(_("reached on"))
    actual = models.DecimalField(_("actual"), max_digits=18, decimal_places=2)
    target = models.DecimalField(_("target in force"), max_digits=18, decimal_places=2)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-reached_on", "-pk"]
        verbose_name = _("goal achievement")
        verbose_name_plural = _("goal achievements")

    def __str__(self) -> str:
        return f"{self.goal_id} ✓ {self.reached_on:%Y-%m-%d}"
