"""Recognition: awards to people and teams, sales contests with prizes, the recognition feed's
cheers, and what motivates each person.

A cash bonus award is money paid through pay adjustments: the award records it (`paid_via`),
the pay run pays it. Awards are never hard-deleted (money rows, `on_delete=PROTECT`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from attain.analytics.metrics import METRICS
from attain.organization.models import OrgUnit, Person
from attain.recognition.querysets import AwardQuerySet, ContestQuerySet


class AwardKind(models.TextChoices):
    CASH_BONUS = "cash_bonus", _("Cash bonus")
    TIME_OFF = "time_off", _("Time off")
    TRAVEL = "travel", _("Travel")
    BIGGER_OFFICE = "bigger_office", _("Bigger office")
    GIFT_CARD = "gift_card", _("Gift card")
    VALUABLE_PRIZE = "valuable_prize", _("Valuable prize")
    PUBLIC_RECOGNITION = "public_recognition", _("Public recognition")
    GROUP_RECOGNITION = "group_recognition", _("Group recognition")


#: Award kinds that are an amount of money: their value is required.
MONEY_KINDS = frozenset({AwardKind.CASH_BONUS, AwardKind.GIFT_CARD})


class PaidVia(models.TextChoices):
    NOT_PAID = "", _("Not paid out")
    PAY_ADJUSTMENT = "pay_adjustment", _("Pay adjustment")


class Award(models.Model):
    """Recognition given to one person or one team (unit), by someone allowed to give it."""

    kind = models.CharField(_("kind"), max_length=30, choices=AwardKind.choices)
    title = models.CharField(_("title"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2, null=True, blank=True)
    paid_via = models.CharField(
        _("paid via"), max_length=20, choices=PaidVia.choices, blank=True, default=""
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
    )
    given_by = models.ForeignKey(
        Person, verbose_name=_("given by"), on_delete=models.PROTECT, related_name="awards_given"
    )
    given_on = models.DateField(_("given on"))
    is_public = models.BooleanField(_("public"), default=True)
    contest = models.ForeignKey(
        "Contest",
        verbose_name=_("contest"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prize_awards",
    )
    contest_rank = models.PositiveSmallIntegerField(_("contest rank"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-created_at", "-pk"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        permissions = [
            ("manage_recognition", _("Can give awards to anyone and manage every contest"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, unit__isnull=True)
                | Q(person__isnull=True, unit__isnull=False),
                name="award_names_one_recipient",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="award_value_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(MONEY_KINDS)) | Q(value__isnull=False),
                name="award_money_kind_has_value",
            ),
            models.CheckConstraint(
                condition=Q(kind=AwardKind.CASH_BONUS, paid_via=PaidVia.PAY_ADJUSTMENT)
                | (~Q(kind=AwardKind.CASH_BONUS) & Q(paid_via="")),
                name="award_cash_bonus_paid_via_pay_adjustment",
            ),
        ]
        indexes = [models.Index(fields=["is_public", "given_on"], name="award_public_given_on")]

    def __str__(self) -> str:
        return f"{self.title} · {self.recipient_name}"

    def get_absolute_url(self) -> str:
        return reverse("recognition:award_detail", args=[self.pk])

    @property
    def recipient_name(self) -> str:
        recipient = self.person if self.person_id else self.unit
        return str(recipient) if recipient is not None else ""


class ContestKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individuals")
    TEAM = "team", _("Teams")


class ContestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class Contest(models.Model):
    """A sales contest: the people (or teams) of a unit's subtree compete on one metric over a
    period; the best three win the prizes. Standings are live until it is finished, then the
    final standings are recorded (`ContestStanding`)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("competing"), max_length=20, choices=ContestKind.choices)
    metric = models.CharField(_("metric"), max_length=40)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="contests"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ContestStatus.choices, default=ContestStatus.DRAFT
    )
    created_by = models.ForeignKey(
        Person, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_on = models.DateField(_("finished on"), null=True, blank=True)
    finished_by = models.ForeignKey(
        Person,
        verbose_name=_("finished by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ContestQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-pk"]
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")), name="contest_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status=ContestStatus.FINISHED, finished_on__isnull=False)
                | (~Q(status=ContestStatus.FINISHED) & Q(finished_on__isnull=True)),
                name="contest_finished_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("recognition:contest_detail", args=[self.pk])

    @property
    def metric_label(self) -> str:
        found = METRICS.get(self.metric)
        return str(found.label) if found is not None else self.metric


class ContestPrize(models.Model):
    """What rank 1, 2 or 3 of a contest wins: a text and optionally the kind of award."""

    contest = models.ForeignKey(
        Contest, verbose_name=_("contest"), on_delete=models.CASCADE, related_name="prizes"
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    text = models.CharField(_("prize"), max_length=200)
    award_kind = models.CharField(
        _("award kind"), max_length=30, choices=AwardKind.choices, blank=True
    )
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["contest", "rank"]
        verbose_name = _("contest prize")
        verbose_name_plural = _("contest prizes")
        constraints = [
            models.UniqueConstraint(fields=["contest", "rank"], name="contest_prize_rank_once"),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=3), name="contest_prize_rank_1_to_3"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="contest_prize_value_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.rank}: {self.text}"


class ContestStanding(models.Model):
    """One row of a finished contest's final standings, recorded when it was finished."""

    contest = models.ForeignKey(
        Contest, verbose_name=_("contest"), on_delete=models.PROTECT, related_name="standings"
    )
    rank = models.PositiveIntegerField(_("rank"))
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("team"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    gap = models.DecimalField(_("gap to the leader"), max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["contest", "rank", "name", "pk"]
        verbose_name = _("contest standing")
        verbose_name_plural = _("contest standings")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, unit__isnull=True)
                | Q(person__isnull=True, unit__isnull=False),
                name="contest_standing_names_one_competitor",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contest_id} #{self.rank} {self.name}"


class Cheer(models.Model):
    """A person cheering (liking) one feed item — a public award or a finished contest — once."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="cheers"
    )
    award = models.ForeignKey(
        Award,
        verbose_name=_("award"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cheers",
    )
    contest = models.ForeignKey(
        Contest,
        verbose_name=_("contest"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cheers",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("cheer")
        verbose_name_plural = _("cheers")
        constraints = [
            models.CheckConstraint(
                condition=Q(award__isnull=False, contest__isnull=True)
                | Q(award__isnull=True, contest__isnull=False),
                name="cheer_names_one_item",
            ),
            models.UniqueConstraint(fields=["person", "award"], name="cheer_award_once"),
            models.UniqueConstraint(fields=["person", "contest"], name="cheer_contest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ♥ {self.award_id or self.contest_id}"


class MotivationProfile(models.Model):
    """What motivates a person: the award kinds they care about, most motivating first, and a
    note in their own words. Edited by the person; seen by them and their management line."""

    person = models.OneToOneField(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="motivation_profile",
    )
    ranking = models.JSONField(_("motivators, most motivating first"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("motivation profile")
        verbose_name_plural = _("motivation profiles")

    def __str__(self) -> str:
        return str(self.person)

    def get_absolute_url(self) -> str:
        return reverse("recognition:motivation_detail", args=[self.person_id])
