"""Customers: accounts with their demographics, and the contacts at them."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from attain.core.models import TimeStampedModel
from attain.customers.querysets import AccountQuerySet, ContactQuerySet
from attain.organization.models import OrgStamped


class Segment(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    MID_MARKET = "mid_market", _("Mid-market")
    SMALL_BUSINESS = "small_business", _("Small business")
    PUBLIC_SECTOR = "public_sector", _("Public sector")
    CONSUMER = "consumer", _("Consumer")


class SizeBand(models.TextChoices):
    MICRO = "micro", _("1–9 employees")
    SMALL = "small", _("10–49 employees")
    MEDIUM = "medium", _("50–249 employees")
    LARGE = "large", _("250–999 employees")
    ENTERPRISE = "enterprise", _("1,000+ employees")


class Account(TimeStampedModel, OrgStamped):
    """A customer or prospect company; its owner is the account manager."""

    name = models.CharField(_("name"), max_length=200)
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices)
    industry = models.CharField(_("industry"), max_length=80, blank=True)
    size_band = models.CharField(_("size"), max_length=20, choices=SizeBand.choices, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = models.DecimalField(
        _("annual revenue"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO code"))
    region = models.CharField(_("region"), max_length=80, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subsidiaries",
    )
    external_ref = models.CharField(_("external id"), max_length=64, blank=True, db_index=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [models.Index(fields=["segment"], name="account_segment")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:account_detail", args=[self.pk])


class Contact(TimeStampedModel):
    """A person at a customer account — or, without an account, a private contact of its owner
    (consumers, or contacts imported from a CRM before their company is known)."""

    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="contacts",
        null=True,
        blank=True,
    )
    owner = models.ForeignKey(
        "organization.Person",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="contacts",
        null=True,
        blank=True,
        help_text=_("Who keeps a contact that has no account."),
    )
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    external_ref = models.CharField(_("external id"), max_length=64, blank=True, db_index=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return str(self)

    def get_absolute_url(self) -> str:
        return reverse("customers:contact_detail", args=[self.pk])
