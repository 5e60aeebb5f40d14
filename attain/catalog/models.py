"""What the company sells: product lines, products, dated list prices and unit costs."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from attain.catalog.querysets import ProductLineQuerySet, ProductQuerySet
from attain.core.models import TimeStampedModel
from attain.core.money import CURRENCY_CHOICES


class ProductLine(TimeStampedModel):
    """A family of products that goals, reports and commission rates can name."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ProductLineQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:productline_detail", args=[self.pk])


class Product(TimeStampedModel):
    """A sellable item. Prices and costs are dated (see ProductPrice)."""

    line = models.ForeignKey(
        ProductLine,
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        related_name="products",
    )
    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    external_ref = models.CharField(_("external id"), max_length=64, blank=True, db_index=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    def get_absolute_url(self) -> str:
        return reverse("catalog:product_detail", args=[self.pk])


class ProductPrice(TimeStampedModel):
    """A product's list price and unit cost in force from `valid_from` until the next row."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="prices"
    )
    valid_from = models.DateField(_("valid from"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    list_price = models.DecimalField(
        _("list price"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )

    class Meta:
        ordering = ["product", "-valid_from"]
        verbose_name = _("product price")
        verbose_name_plural = _("product prices")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "currency", "valid_from"], name="price_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(list_price__gte=0) & Q(unit_cost__gte=0), name="price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.sku} {self.valid_from}: {self.list_price} {self.currency}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:product_detail", args=[self.product_id])
