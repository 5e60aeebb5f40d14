"""Incentive pay: plans and their effective-dated versions, components and assignments; credit
splits; payout runs with their lines and per-order-line credits; adjustments, disputes and plan
acceptances.

History is kept, never overwritten (DOMAIN.md §6): every model here that a person changes is
in the audit log (django-simple-history: who, when, before, after). An approved payout run is
immutable; corrections are adjustments paid in a later run. The arithmetic is in
`mechanics.py`, the run in `services.py`.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from attain.catalog.models import Product, ProductLine
from attain.core.models import TimeStampedModel
from attain.orders.models import Order, OrderLine
from attain.organization.models import OrgUnit, Person, Role

MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}
PCT: dict[str, Any] = {"max_digits": 7, "decimal_places": 2}
RATE: dict[str, Any] = {"max_digits": 9, "decimal_places": 6}


class Basis(models.TextChoices):
    """What a sale is credited with."""

    REVENUE = "revenue", _("Revenue")
    GROSS_MARGIN = "gross_margin", _("Gross margin")
    UNITS = "units", _("Units")


class CreditingEvent(models.TextChoices):
    """When a sale counts."""

    BOOKING = "booking", _("On booking (order taken)")
    DELIVERY = "delivery", _("On delivery")
    PAYMENT = "payment", _("On payment")


class Plan(TimeStampedModel):
    """A compensation plan: its versions say what it pays from which day."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("compensation plan")
        verbose_name_plural = _("compensation plans")
        permissions = [("manage_pay", _("Can manage plans, payout runs and everyone's pay"))]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("incentives:plan_detail", args=[self.pk])


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PlanVersion(TimeStampedModel):
    """What a plan pays over [effective_from, effective_to): the goal metric attainment is
    measured on, when a sale counts, the plan document sellers accept, and the components.

    A draft can be changed and simulated (what-if); publishing checks it and fixes it: a run
    uses the published version in force on the last day of its period.
    """

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    goal_metric = models.CharField(
        _("attainment measured on"), max_length=20, choices=Basis.choices, default=Basis.REVENUE
    )
    crediting = models.CharField(
        _("a sale counts"),
        max_length=10,
        choices=CreditingEvent.choices,
        default=CreditingEvent.BOOKING,
    )
    document = models.TextField(_("plan document"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        Person,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
                name="plan_version_valid_interval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("incentives:version_detail", args=[self.pk])


class ComponentKind(models.TextChoices):
    FLAT = "flat", _("Commission at one rate")
    MARGINAL = "marginal", _("Commission, marginal tiers")
    RETROACTIVE = "retroactive", _("Commission, retroactive tiers")
    BONUS = "bonus", _("Bonus for reaching a level of the goal")
    SPIFF = "spiff", _("SPIFF (time-boxed)")


class Component(models.Model):
    """One part of a plan version's pay.

    Commission kinds pay on the credit of the component's basis (optionally only one product
    line or product: per-product rates); tiers and accelerator bands are on the period's
    attainment of the version's goal. A bonus pays `amount` once attainment reaches
    `threshold_pct`; a SPIFF pays `rate` of the credit, or `amount` per unit, on sales credited
    inside its window. Hurdles, per-deal caps and period caps and floors apply to any kind.
    Tiers and bands are lists of {"floor_pct", "ceiling_pct", "rate"|"factor"} (strings).
    """

    version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("plan version"),
        on_delete=models.CASCADE,
        related_name="components",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=ComponentKind.choices)
    basis = models.CharField(
        _("credited with"), max_length=20, choices=Basis.choices, default=Basis.REVENUE
    )
    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("only product line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("only product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rate = models.DecimalField(_("rate"), **RATE, null=True, blank=True)
    tiers = models.JSONField(_("tiers"), default=list, blank=True)
    bands = models.JSONField(_("accelerators and decelerators"), default=list, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY, null=True, blank=True)
    threshold_pct = models.DecimalField(_("bonus at attainment"), **PCT, null=True, blank=True)
    hurdle_pct = models.DecimalField(_("hurdle"), **PCT, null=True, blank=True)
    deal_cap = models.DecimalField(_("credit cap per deal"), **MONEY, null=True, blank=True)
    period_cap = models.DecimalField(_("cap per period"), **MONEY, null=True, blank=True)
    period_floor = models.DecimalField(_("floor per period"), **MONEY, null=True, blank=True)
    window_start = models.DateField(_("SPIFF from"), null=True, blank=True)
    window_end = models.DateField(_("SPIFF until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "position", "pk"]
        verbose_name = _("plan component")
        verbose_name_plural = _("plan components")

    def __str__(self) -> str:
        return self.name


class CreditScope(models.TextChoices):
    OWN = "own", _("Own sales (and split shares)")
    TEAM = "team", _("Roll-up: the sales of the units they lead")


class Assignment(TimeStampedModel):
    """Who is paid by a plan over [start, end): one person, or everyone holding a role
    (optionally inside a unit). A person's own assignment wins over a role's for the same plan.
    Draws, ramps and the credit scope (own sales, or a leader's roll-up) are per assignment."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="assignments"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_assignments",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("in unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    credit_scope = models.CharField(
        _("credit"), max_length=10, choices=CreditScope.choices, default=CreditScope.OWN
    )
    draw_amount = models.DecimalField(_("draw per period"), **MONEY, null=True, blank=True)
    draw_recoverable = models.BooleanField(_("draw is recoverable"), default=True)
    ramp = models.JSONField(_("ramp (per cent of the goal per month)"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "start", "pk"]
        verbose_name = _("plan assignment")
        verbose_name_plural = _("plan assignments")
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(role=""))
                | (Q(person__isnull=True) & ~Q(role="")),
                name="assignment_person_or_role",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=F("start")),
                name="assignment_valid_interval",
            ),
        ]

    def __str__(self) -> str:
        who = str(self.person) if self.person_id else self.get_role_display()
        return f"{self.plan}: {who}"


class CreditSplit(TimeStampedModel):
    """One seller's share of an order's credit; an order's shares add up to 100 %. An order
    without splits is credited wholly to its owner."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="credit_splits"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("seller"), on_delete=models.PROTECT, related_name="+"
    )
    share_pct = models.DecimalField(_("share"), **PCT)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "-share_pct", "pk"]
        verbose_name = _("credit split")
        verbose_name_plural = _("credit splits")
        constraints = [
            models.UniqueConstraint(fields=["order", "person"], name="credit_split_once"),
            models.CheckConstraint(
                condition=Q(share_pct__gt=0) & Q(share_pct__lte=100),
                name="credit_split_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}: {self.person} {self.share_pct} %"


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")


class PayoutRun(TimeStampedModel):
    """The pay of one period: calculated (and re-calculated) as a draft, then approved (from
    then on immutable) and marked paid. `digest` fingerprints every line and credit, so a
    re-run of the same inputs can be shown to give exactly the same result."""

    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT
    )
    total = models.DecimalField(_("total"), **MONEY, default=0)
    payees = models.PositiveIntegerField(_("payees"), default=0)
    digest = models.CharField(_("fingerprint"), max_length=64, blank=True)
    error = models.TextField(_("why the last calculation failed"), blank=True)
    calculated_at = models.DateTimeField(_("calculated at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        Person, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        Person,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        Person,
        verbose_name=_("marked paid by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("payout run")
        verbose_name_plural = _("payout runs")
        constraints = [
            models.UniqueConstraint(fields=["period_start"], name="payout_run_one_per_period"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="payout_run_valid_period"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "approved", "paid"]),
                name="payout_run_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m-%d} – {self.period_end:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("incentives:run_detail", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        return self.status != RunStatus.DRAFT


class LineKind(models.TextChoices):
    COMMISSION = "commission", _("Commission")
    BONUS = "bonus", _("Bonus")
    SPIFF = "spiff", _("SPIFF")
    CLAWBACK = "clawback", _("Clawback")
    DRAW = "draw", _("Draw")
    ADJUSTMENT = "adjustment", _("Adjustment")


class PayoutLine(models.Model):
    """One amount on a person's statement, with its trace: the credit it was figured on, the
    attainment, the rate, and the steps (rule / tier → amount) that add up to it. The order
    lines behind it are its `credits`."""

    run = models.ForeignKey(
        PayoutRun, verbose_name=_("payout run"), on_delete=models.CASCADE, related_name="lines"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    #: the line's place on the person's statement (0, 1, …)
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("plan version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    component = models.ForeignKey(
        Component,
        verbose_name=_("component"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    adjustment = models.ForeignKey(
        "Adjustment",
        verbose_name=_("adjustment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
    )
    label = models.CharField(_("label"), max_length=200)
    credit = models.DecimalField(_("credit"), **MONEY, default=0)
    goal = models.DecimalField(_("goal"), **MONEY, null=True, blank=True)
    attainment_pct = models.DecimalField(_("attainment"), max_digits=9, decimal_places=2, null=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    balance_after = models.DecimalField(_("draw owed after"), **MONEY, null=True, blank=True)
    trace = models.JSONField(_("trace"), default=list)
    #: calculation.line_digest of the line and its credits; the run's digest is figured from them
    digest = models.CharField(_("fingerprint"), max_length=64, default="", editable=False)

    class Meta:
        ordering = ["run", "person", "position"]
        verbose_name = _("payout line")
        verbose_name_plural = _("payout lines")
        indexes = [models.Index(fields=["person", "run"], name="payout_line_person_run")]

    def __str__(self) -> str:
        return f"{self.label}: {self.amount}"


class Credit(models.Model):
    """An order line's part in a payout line: the value credited (after split share and deal
    cap) and the amount of the line's pay it earned (negative for a clawback). What was paid for
    an order line is the sum of its credits in approved runs — what a clawback reverses."""

    line = models.ForeignKey(
        PayoutLine, verbose_name=_("payout line"), on_delete=models.CASCADE, related_name="credits"
    )
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="+"
    )
    credited_on = models.DateField(_("credited on"))
    share_pct = models.DecimalField(_("share"), **PCT, default=100)
    value = models.DecimalField(_("credited value"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["line", "credited_on", "order_line"]
        verbose_name = _("credit")
        verbose_name_plural = _("credits")
        indexes = [models.Index(fields=["order_line"], name="credit_order_line")]

    def __str__(self) -> str:
        return f"{self.order_line_id}: {self.value} → {self.amount}"


class Adjustment(TimeStampedModel):
    """A manual amount paid (or taken back) in the run of the period containing `effective_on`,
    with the reason and the author; a dispute upheld with money becomes one."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    effective_on = models.DateField(_("paid in the period of"))
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.TextField(_("reason"))
    author = models.ForeignKey(
        Person, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_on", "-pk"]
        verbose_name = _("pay adjustment")
        verbose_name_plural = _("pay adjustments")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero"),
            models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.amount}"


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    APPROVED = "approved", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class Dispute(TimeStampedModel):
    """A person disputes a line of their statement; a reviewer upholds it (with an adjustment
    if money is owed) or rejects it, and says why."""

    line = models.ForeignKey(
        PayoutLine, verbose_name=_("payout line"), on_delete=models.PROTECT, related_name="disputes"
    )
    raised_by = models.ForeignKey(
        Person, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    reviewed_by = models.ForeignKey(
        Person,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    adjustment = models.OneToOneField(
        Adjustment,
        verbose_name=_("adjustment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispute",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pay dispute")
        verbose_name_plural = _("pay disputes")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="dispute_has_reason"),
            models.CheckConstraint(
                condition=Q(status="open") | (~Q(outcome="") & Q(reviewed_at__isnull=False)),
                name="dispute_decided_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line}: {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("incentives:dispute_detail", args=[self.pk])


class PlanAcceptance(models.Model):
    """A person accepted a published plan version's document, at this time."""

    version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("plan version"),
        on_delete=models.PROTECT,
        related_name="acceptances",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("plan acceptance")
        verbose_name_plural = _("plan acceptances")
        constraints = [
            models.UniqueConstraint(fields=["version", "person"], name="plan_accepted_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} accepted {self.version}"
