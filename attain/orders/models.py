"""Orders from taking to follow-up: header, lines, lifecycle dates, cancellations, returns."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from attain.catalog.models import Product, ProductLine
from attain.core.models import TimeStampedModel
from attain.core.money import CURRENCY_CHOICES
from attain.customers.models import Account
from attain.orders.querysets import OrderLineQuerySet, OrderQuerySet, OrderReturnQuerySet
from attain.organization.models import OrgStamped, Person
from attain.pipeline.models import Deal


class OrderStatus(models.TextChoices):
    TAKEN = "taken", _("Taken")
    CONFIRMED = "confirmed", _("Confirmed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CANCELLED = "cancelled", _("Cancelled")


#: The lifecycle in order; each step has a promised and an actual date on the order.
LIFECYCLE = (
    OrderStatus.TAKEN,
    OrderStatus.CONFIRMED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.FOLLOWED_UP,
)


class Order(TimeStampedModel, OrgStamped):
    """A customer order, from a won deal or taken directly.

    Each lifecycle step has a promised date and an actual date, so delays are measurable at
    every step and someone is accountable for each. Totals are kept on the header (sums of the
    lines, maintained by the order services) in the order currency and the reporting currency.
    """

    number = models.CharField(_("order number"), max_length=30, unique=True)
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="orders"
    )
    deal = models.ForeignKey(
        Deal,
        verbose_name=_("deal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    fx_rate = models.DecimalField(_("exchange rate"), max_digits=18, decimal_places=8)
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.TAKEN
    )
    ordered_on = models.DateField(_("taken on"))
    confirm_promised_on = models.DateField(_("confirmation promised"), null=True, blank=True)
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    ship_promised_on = models.DateField(_("shipment promised"), null=True, blank=True)
    shipped_on = models.DateField(_("shipped on"), null=True, blank=True)
    delivery_promised_on = models.DateField(_("delivery promised"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    follow_up_promised_on = models.DateField(_("follow-up promised"), null=True, blank=True)
    followed_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    net_total = models.DecimalField(
        _("net total"), max_digits=18, decimal_places=2, default=Decimal("0.00")
    )
    net_total_reporting = models.DecimalField(
        _("net total (reporting currency)"),
        max_digits=18,
        decimal_places=2,
        default=Decimal("0.00"),
    )
    notes = models.TextField(_("notes"), blank=True)
    external_ref = models.CharField(_("external id"), max_length=64, blank=True, db_index=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-ordered_on", "-pk"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_on__isnull=True) | Q(confirmed_on__gte=F("ordered_on")),
                name="order_confirmed_after_taken",
            ),
            models.CheckConstraint(
                condition=Q(shipped_on__isnull=True) | Q(shipped_on__gte=F("ordered_on")),
                name="order_shipped_after_taken",
            ),
            models.CheckConstraint(
                condition=Q(delivered_on__isnull=True) | Q(delivered_on__gte=F("ordered_on")),
                name="order_delivered_after_taken",
            ),
        ]
        indexes = [
            models.Index(fields=["ordered_on"], name="order_ordered_on"),
            models.Index(fields=["owner", "ordered_on"], name="order_owner_on"),
            models.Index(fields=["status"], name="order_status"),
            # customers with orders in a window (repeat-customer rate): an index-only scan
            models.Index(
                fields=["ordered_on", "account"],
                condition=~Q(status="cancelled"),
                name="order_live_on_account",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("orders:order_detail", args=[self.pk])


class OrderLine(models.Model):
    """One product on an order. Net = quantity × unit price × (1 − discount %).

    The product line, the reporting-currency net amount and the cost are stamped at booking.
    """

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="lines"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="order_lines"
    )
    product_line = models.ForeignKey(
        ProductLine, verbose_name=_("product line"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=14,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    discount_pct = models.DecimalField(
        _("discount %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    net_amount = models.DecimalField(_("net amount"), max_digits=18, decimal_places=2)
    net_amount_reporting = models.DecimalField(
        _("net amount (reporting currency)"), max_digits=18, decimal_places=2
    )
    cost_reporting = models.DecimalField(
        _("cost (reporting currency)"), max_digits=18, decimal_places=2
    )

    objects = OrderLineQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="line_price_not_negative"),
            models.CheckConstraint(
                condition=Q(discount_pct__gte=0) & Q(discount_pct__lte=100),
                name="line_discount_pct",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.quantity} × {self.product_id}"

    def get_absolute_url(self) -> str:
        return reverse("orders:order_detail", args=[self.order_id])


class OrderCancellation(TimeStampedModel):
    """The cancellation of a whole order: when, why, by whom. Later drives clawbacks."""

    order = models.OneToOneField(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="cancellation"
    )
    cancelled_on = models.DateField(_("cancelled on"))
    reason = models.TextField(_("reason"))
    cancelled_by = models.ForeignKey(
        Person, verbose_name=_("cancelled by"), on_delete=models.PROTECT, related_name="+"
    )
    previous_status = models.CharField(
        _("status before"), max_length=20, choices=OrderStatus.choices
    )

    class Meta:
        ordering = ["-cancelled_on"]
        verbose_name = _("order cancellation")
        verbose_name_plural = _("order cancellations")

    def __str__(self) -> str:
        return f"{self.order} cancelled {self.cancelled_on}"

    def get_absolute_url(self) -> str:
        return reverse("orders:order_detail", args=[self.order_id])


class ReturnReason(models.TextChoices):
    DEFECTIVE = "defective", _("Defective")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    LATE_DELIVERY = "late_delivery", _("Late delivery")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    NO_LONGER_NEEDED = "no_longer_needed", _("No longer needed")
    OTHER = "other", _("Other")


class OrderReturn(TimeStampedModel):
    """Goods sent back on one order line; the refunded value is stamped in both currencies."""

    line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="returns"
    )
    returned_on = models.DateField(_("returned on"))
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=14,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    reason = models.CharField(_("reason"), max_length=30, choices=ReturnReason.choices)
    note = models.TextField(_("note"), blank=True)
    amount = models.DecimalField(_("refund amount"), max_digits=18, decimal_places=2)
    amount_reporting = models.DecimalField(
        _("refund amount (reporting currency)"), max_digits=18, decimal_places=2
    )
    recorded_by = models.ForeignKey(
        Person, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = OrderReturnQuerySet.as_manager()

    class Meta:
        ordering = ["-returned_on", "-pk"]
        verbose_name = _("order return")
        verbose_name_plural = _("order returns")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"return of {self.quantity} on line {self.line_id}"

    def get_absolute_url(self) -> str:
        return reverse("orders:order_detail", args=[self.line.order_id])
