"""Customer service: complaints about an account's products, deliveries, bills or service."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from attain.core.models import TimeStampedModel
from attain.customers.models import Account, Contact
from attain.orders.models import Order
from attain.organization.models import OrgStamped
from attain.service.querysets import ComplaintQuerySet


class ComplaintCategory(models.TextChoices):
    PRODUCT = "product", _("Product")
    DELIVERY = "delivery", _("Delivery")
    BILLING = "billing", _("Billing")
    SERVICE = "service", _("Service")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class Complaint(TimeStampedModel, OrgStamped):
    """A customer's complaint: what it is about, when it was opened and how it was resolved.

    The owner is the seller accountable for it (by default the account manager), stamped with
    that seller's placement on `opened_on`, so leaders see the complaints of their units' sellers
    like their orders. An optional order must be one of the account's, an optional contact must
    work at the account. A resolved complaint has a resolution date (never before it was opened)
    and a resolution text; reopening it clears both.
    """

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="complaints"
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    category = models.CharField(_("category"), max_length=20, choices=ComplaintCategory.choices)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opened_on = models.DateField(_("opened on"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.OPEN,
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    external_ref = models.CharField(_("external id"), max_length=64, blank=True, db_index=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "resolved"]), name="complaint_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_on__isnull=True)
                | Q(status="resolved", resolved_on__isnull=False),
                name="complaint_resolved_has_date",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("opened_on")),
                name="complaint_resolved_after_opened",
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | ~Q(resolution=""),
                name="complaint_resolved_has_resolution",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "opened_on"], name="complaint_status_on"),
            models.Index(fields=["owner", "opened_on"], name="complaint_owner_on"),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("service:complaint_detail", args=[self.pk])
