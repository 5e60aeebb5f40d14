"""Value types shared by the metric registry and the performance selectors."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Scope:
    """WHO a figure is about (not visibility!): one seller, a unit's subtree, or the company.

    Both set = that seller's records stamped inside that subtree; both None = whole company.
    """

    person_id: int | None = None
    unit_path: str | None = None


@dataclass(frozen=True)
class Filters:
    product_line_id: int | None = None
    product_id: int | None = None
    territory_id: int | None = None
    segment: str | None = None

    def given(self) -> dict[str, object]:
        """The filters that are set, by their registry name (product_line, product, …)."""
        values = {
            "product_line": self.product_line_id,
            "product": self.product_id,
            "territory": self.territory_id,
            "segment": self.segment,
        }
        return {name: value for name, value in values.items() if value not in (None, "")}


@dataclass(frozen=True)
class BreakdownRow:
    """One row of a breakdown: a stable key, a label to show and the metric's value."""

    key: str
    label: str
    value: Decimal | None
    id: int | None = None


GRAINS = ("day", "week", "month", "quarter", "year")
DIMENSIONS = ("seller", "unit", "team", "territory", "product_line", "product", "segment")
