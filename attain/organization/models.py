"""The sales organisation over time: units, people, roles, reporting lines, territories."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from attain.core.models import TimeStampedModel
from attain.organization.querysets import (
    MembershipQuerySet,
    PersonQuerySet,
    TerritoryQuerySet,
)


class UnitKind(models.TextChoices):
    COMPANY = "company", _("Company")
    DIVISION = "division", _("Division")
    BUSINESS_UNIT = "business_unit", _("Business unit")
    TEAM = "team", _("Team")
    DEPARTMENT = "department", _("Department")


class Role(models.TextChoices):
    SALES_MANAGER = "sales_manager", _("Sales manager")
    ASSISTANT_SALES_MANAGER = "assistant_sales_manager", _("Assistant sales manager")
    TEAM_LEADER = "team_leader", _("Team leader")
    SALES_REP = "sales_rep", _("Sales representative")
    SALES_OPS = "sales_ops", _("Sales operations / admin")
    MARKETING = "marketing", _("Marketing")
    PRODUCTION = "production", _("Production / fulfilment")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")


#: Roles that lead the part of the organisation their membership sits in.
LEADING_ROLES = frozenset({Role.SALES_MANAGER, Role.ASSISTANT_SALES_MANAGER, Role.TEAM_LEADER})
#: Roles that carry a quota and own deals.
SELLING_ROLES = frozenset({Role.SALES_REP, Role.TEAM_LEADER})


class OrgUnit(MP_Node):
    """A node of the organisation tree (company → division → business unit → team, any depth).

    `path` is a materialised path (4 characters a level): a whole subtree is
    `path__startswith=unit.path`, one indexed filter.
    """

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    code = models.CharField(_("code"), max_length=30, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organization:unit_detail", args=[self.pk])


class Person(TimeStampedModel):
    """Someone in the sales organisation or a department that works with it.

    A person may have a login (`user`); everything they see follows from their memberships.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    external_ref = models.CharField(_("external id"), max_length=64, blank=True, db_index=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            # people from other systems often come without an email; given ones are unique
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="person_email_unique_when_given"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return str(self)

    def get_absolute_url(self) -> str:
        return reverse("organization:person_detail", args=[self.pk])


class Membership(TimeStampedModel):
    """A person's place in a unit with a role, valid over [valid_from, valid_to).

    Moves close one membership and open another; nothing is overwritten.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["person", "-valid_from"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="membership_valid_interval",
            )
        ]
        indexes = [models.Index(fields=["person", "valid_from"], name="membership_person_from")]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()} @ {self.unit}"


class ReportingLine(TimeStampedModel):
    """Who a person reports to, over [valid_from, valid_to)."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="reporting_lines"
    )
    manager = models.ForeignKey(
        Person, verbose_name=_("reports to"), on_delete=models.PROTECT, related_name="reports"
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["person", "-valid_from"]
        verbose_name = _("reporting line")
        verbose_name_plural = _("reporting lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="reporting_line_valid_interval",
            ),
            models.CheckConstraint(
                condition=~Q(person=F("manager")), name="reporting_line_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.manager}"


class SeparationType(models.TextChoices):
    VOLUNTARY = "voluntary", _("Voluntary")
    INVOLUNTARY = "involuntary", _("Involuntary")


class Employment(TimeStampedModel):
    """One period of employment; a rehire is a new row. Ending it records reason and type."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="employments"
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for leaving"), blank=True)
    separation_type = models.CharField(
        _("separation"), max_length=12, choices=SeparationType.choices, blank=True
    )

    class Meta:
        ordering = ["person", "-started_on"]
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="employment_valid_interval",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, separation_type="")
                | Q(ended_on__isnull=False) & ~Q(separation_type=""),
                name="employment_end_has_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.started_on} – {self.ended_on or '…'}"


class TerritoryKind(models.TextChoices):
    REGION = "region", _("Region")
    SEGMENT = "segment", _("Customer segment")
    NAMED_ACCOUNTS = "named_accounts", _("Named accounts")


class Territory(TimeStampedModel):
    """A slice of the market assigned to sellers: a region, a segment or a list of named accounts."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TerritoryKind.choices)
    region = models.CharField(_("region"), max_length=80, blank=True)
    segment = models.CharField(_("segment"), max_length=40, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("owning unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="territories",
    )
    description = models.TextField(_("description"), blank=True)

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organization:territory_detail", args=[self.pk])


class TerritoryAssignment(TimeStampedModel):
    """A seller assigned to a territory over [valid_from, valid_to)."""

    territory = models.ForeignKey(
        Territory, verbose_name=_("territory"), on_delete=models.PROTECT, related_name="assignments"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("seller"),
        on_delete=models.PROTECT,
        related_name="territory_assignments",
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["territory", "-valid_from"]
        verbose_name = _("territory assignment")
        verbose_name_plural = _("territory assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="territory_assignment_valid_interval",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.territory}"


class OrgStamped(models.Model):
    """Abstract: a sales fact stamped with its owner's place in the organisation when booked.

    `unit_path` copies the unit's materialised path so visibility and rollups are a prefix
    test on the row itself; it never changes when the owner later moves.
    """

    owner = models.ForeignKey(
        Person, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit at booking"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit_path = models.CharField(
        _("unit path at booking"), max_length=255, blank=True, db_index=True
    )
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True
