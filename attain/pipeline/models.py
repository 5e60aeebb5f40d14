"""The pipeline: leads, deals with their stage history, lost reasons and selling activities."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from attain.catalog.models import ProductLine
from attain.core.models import TimeStampedModel
from attain.core.money import CURRENCY_CHOICES
from attain.customers.models import Account, Contact
from attain.organization.models import OrgStamped, Person
from attain.pipeline.querysets import ActivityQuerySet, DealQuerySet, LeadQuerySet


class LeadSource(models.TextChoices):
    WEBSITE = "website", _("Website")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event / trade show")
    CAMPAIGN = "campaign", _("Campaign")
    COLD_OUTREACH = "cold_outreach", _("Cold outreach")
    PARTNER = "partner", _("Partner")
    EXISTING_CUSTOMER = "existing_customer", _("Existing customer")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Telephone")
    DIRECT_MAIL = "direct_mail", _("Direct mail")
    SOCIAL = "social", _("Social media")
    PAID_SEARCH = "paid_search", _("Paid search")
    PARTNER = "partner", _("Partner")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    QUALIFIED = "qualified", _("Qualified")
    CONVERTED = "converted", _("Converted to deal")
    DISQUALIFIED = "disqualified", _("Disqualified")


class Lead(TimeStampedModel, OrgStamped):
    """A prospect not yet qualified into a deal; source and channel feed marketing analysis."""

    company = models.CharField(_("company"), max_length=200)
    contact_name = models.CharField(_("contact name"), max_length=160, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=30, choices=LeadSource.choices)
    channel = models.CharField(_("channel"), max_length=30, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    received_on = models.DateField(_("received on"))
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
    )
    notes = models.TextField(_("notes"), blank=True)
    external_ref = models.CharField(_("external id"), max_length=64, blank=True, db_index=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self) -> str:
        return self.company

    def get_absolute_url(self) -> str:
        return reverse("pipeline:lead_detail", args=[self.pk])


class Stage(models.Model):
    """A step of the sales process (a managed list); probability is the default win chance."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"))
    probability = models.PositiveSmallIntegerField(
        _("probability %"), validators=[MaxValueValidator(100)]
    )
    is_won = models.BooleanField(_("won stage"), default=False)
    is_lost = models.BooleanField(_("lost stage"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.CheckConstraint(condition=Q(probability__lte=100), name="stage_probability_pct"),
            models.CheckConstraint(
                condition=~Q(is_won=True, is_lost=True), name="stage_not_won_and_lost"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost


class LostReason(models.Model):
    """Why a deal was lost (a managed list: price, product fit, competitor, timing…)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")

    def __str__(self) -> str:
        return self.name


class DealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Deal(TimeStampedModel, OrgStamped):
    """An opportunity: owner, account, amount, stage and expected close.

    `amount_reporting` is `amount` converted once, at creation or amount change, with the
    rate in force that day. Every stage change is a DealStageChange row.
    """

    name = models.CharField(_("name"), max_length=200)
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="deals",
        null=True,
        blank=True,
        help_text=_("Early deals from other systems may not name their customer yet."),
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
    )
    lead = models.ForeignKey(
        Lead,
        verbose_name=_("lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
    )
    product_lines = models.ManyToManyField(
        ProductLine, verbose_name=_("product lines"), blank=True, related_name="deals"
    )
    products = models.ManyToManyField(
        "catalog.Product", verbose_name=_("products"), blank=True, related_name="deals"
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    amount = models.DecimalField(
        _("amount"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    fx_rate = models.DecimalField(_("exchange rate"), max_digits=18, decimal_places=8)
    amount_reporting = models.DecimalField(
        _("amount (reporting currency)"), max_digits=18, decimal_places=2
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals"
    )
    probability = models.PositiveSmallIntegerField(
        _("probability %"), validators=[MaxValueValidator(100)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DealStatus.choices, default=DealStatus.OPEN
    )
    created_on = models.DateField(_("created on"))
    expected_close_on = models.DateField(_("expected close"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    lost_reason = models.ForeignKey(
        LostReason,
        verbose_name=_("lost reason"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals",
    )
    lost_note = models.TextField(_("lost note"), blank=True)
    external_ref = models.CharField(_("external id"), max_length=64, blank=True, db_index=True)

    objects = DealQuerySet.as_manager()

    class Meta:
        ordering = ["-created_on", "-pk"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_not_negative"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="deal_probability_pct"),
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | (~Q(status="open") & Q(closed_on__isnull=False)),
                name="deal_closed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="lost") | Q(lost_reason__isnull=False),
                name="deal_lost_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expected_close_on"], name="deal_status_close"),
            models.Index(fields=["owner", "status"], name="deal_owner_status"),
            models.Index(fields=["closed_on"], name="deal_closed_on"),
            # the default order of deal lists (newest first): the first page without a sort
            models.Index(fields=["created_on", "id"], name="deal_created_on"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pipeline:deal_detail", args=[self.pk])


class DealStageChange(models.Model):
    """Append-only: a deal entered `to_stage` (from `from_stage`) at `changed_at`.

    The first row of every deal has no `from_stage`. Funnel conversion and cycle times read these.
    """

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage,
        verbose_name=_("from stage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_stage = models.ForeignKey(
        Stage, verbose_name=_("to stage"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        Person,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    amount_reporting = models.DecimalField(
        _("amount at change (reporting currency)"), max_digits=18, decimal_places=2
    )

    class Meta:
        ordering = ["deal", "changed_at", "pk"]
        verbose_name = _("deal stage change")
        verbose_name_plural = _("deal stage changes")
        indexes = [models.Index(fields=["to_stage", "changed_at"], name="stage_change_to_at")]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} → {self.to_stage_id} @ {self.changed_at}"


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("Email")
    DEMO = "demo", _("Demo")
    PROPOSAL = "proposal", _("Proposal")
    ADMIN = "admin", _("Administration")
    TRAVEL = "travel", _("Travel")


#: Activities that produce revenue (KPIS.md: revenue-producing time share).
SELLING_ACTIVITY_KINDS = frozenset(
    {ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.DEMO, ActivityKind.PROPOSAL}
)


class ActivityOutcome(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    NO_ANSWER = "no_answer", _("No answer")
    FOLLOW_UP = "follow_up", _("Follow-up needed")
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")


class Activity(TimeStampedModel, OrgStamped):
    """Time a seller spent on a call, meeting, email, demo or proposal, with its outcome."""

    kind = models.CharField(_("type"), max_length=20, choices=ActivityKind.choices)
    occurred_at = models.DateTimeField(_("when"))
    minutes = models.PositiveIntegerField(_("minutes"), validators=[MaxValueValidator(24 * 60)])
    outcome = models.CharField(_("outcome"), max_length=20, choices=ActivityOutcome.choices)
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    deal = models.ForeignKey(
        Deal,
        verbose_name=_("deal"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
    )
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    lead = models.ForeignKey(
        Lead,
        verbose_name=_("lead"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
    )
    external_ref = models.CharField(_("external id"), max_length=64, blank=True, db_index=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__lte=24 * 60), name="activity_minutes_in_day"
            )
        ]
        indexes = [models.Index(fields=["owner", "occurred_at"], name="activity_owner_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("pipeline:activity_edit", args=[self.pk])
