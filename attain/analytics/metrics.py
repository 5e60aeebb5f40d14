"""The metric registry: every figure goals, dashboards and alerts name, by key.

`register_metric(metric, compute)` adds one; `compute` is a compute object (see computes.py)
or a plain function `value(scope=, start=, end=, filters=) -> Decimal | None`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from attain.analytics import computes
from attain.analytics.computes import CallableCompute, Compute

UNITS = ("money", "count", "percent", "days")
SUM_UNITS = frozenset({"money", "count"})
ALL_FILTERS = frozenset({"product_line", "product", "territory", "segment"})


@dataclass(frozen=True, kw_only=True)
class Metric:
    key: str  # "revenue"
    label: str | Promise  # lazy-translated label
    unit: str  # "money" | "count" | "percent" | "days"
    higher_is_better: bool = True
    filters: frozenset[str] = frozenset()  # of {"product_line", "product", "territory", "segment"}
    formula: str | Promise = ""  # human text shown in the UI
    aggregation: str = "sum"  # "sum" | "distinct" | "ratio" | "none"
    source: str = ""  # the table it reads (for the "how is this computed" text)

    @property
    def is_sum(self) -> bool:
        """Adds up over days and across children (zero-filled series)."""
        return self.unit in SUM_UNITS and self.aggregation in {"sum", "distinct"}


METRICS: dict[str, Metric] = {}
COMPUTES: dict[str, Compute] = {}


def register_metric(metric: Metric, compute: Compute | Callable[..., Decimal | None]) -> Metric:
    """Add (or replace) a metric in the registry."""
    if metric.unit not in UNITS:
        raise ValueError(f"unknown metric unit {metric.unit!r}")
    unknown = metric.filters - ALL_FILTERS
    if unknown:
        raise ValueError(f"unknown filters {sorted(unknown)}")
    if not hasattr(compute, "value"):
        compute = CallableCompute(compute)  # type: ignore[arg-type]
    METRICS[metric.key] = metric
    COMPUTES[metric.key] = compute  # type: ignore[assignment]
    return metric


def metric_get(key: str) -> Metric:
    """The metric registered under `key` (KeyError for unknown keys)."""
    return METRICS[key]


def metric_compute(key: str) -> Compute:
    return COMPUTES[key]


def metric_choices() -> list[tuple[str, str]]:
    return [(m.key, str(m.label)) for m in METRICS.values()]


def _builtin(**kwargs: Any) -> None:
    compute = kwargs.pop("compute")
    register_metric(Metric(**kwargs), compute)


SALES_FILTERS = ALL_FILTERS
_builtin(
    key="revenue",
    label=_("Revenue"),
    unit="money",
    filters=SALES_FILTERS,
    formula=_(
        "Σ net order-line amount, reporting currency, by order date; cancelled orders "
        "excluded (returns are not deducted)"
    ),
    source="SalesDay",
    compute=computes.REVENUE,
)
_builtin(
    key="gross_margin",
    label=_("Gross margin"),
    unit="money",
    filters=SALES_FILTERS,
    formula=_(
        "Σ (net order-line amount − line cost), reporting currency, by order date; "
        "cancelled orders excluded"
    ),
    source="SalesDay",
    compute=computes.GROSS_MARGIN,
)
_builtin(
    key="units",
    label=_("Units sold"),
    unit="count",
    filters=SALES_FILTERS,
    formula=_("Σ order-line quantity by order date; cancelled orders excluded"),
    source="SalesDay",
    compute=computes.UNITS,
)
_builtin(
    key="returns",
    label=_("Returns (refunded)"),
    unit="money",
    higher_is_better=False,
    filters=frozenset({"product_line", "territory", "segment"}),
    formula=_("Σ refunded amount of returns, reporting currency, by return date"),
    source="ReturnDay",
    compute=computes.RETURNS,
)
_builtin(
    key="deals_won",
    label=_("Deals won"),
    unit="count",
    filters=frozenset({"segment"}),
    formula=_("Number of deals closed as won, by close date"),
    source="DealDay",
    compute=computes.DEALS_WON,
)
_builtin(
    key="won_value",
    label=_("Won deal value"),
    unit="money",
    filters=frozenset({"segment"}),
    formula=_("Σ amount of deals closed as won, reporting currency, by close date"),
    source="DealDay",
    compute=computes.WON_VALUE,
)
_builtin(
    key="deals_lost",
    label=_("Deals lost"),
    unit="count",
    higher_is_better=False,
    filters=frozenset({"segment"}),
    formula=_("Number of deals closed as lost, by close date"),
    source="DealDay",
    compute=computes.DEALS_LOST,
)
_builtin(
    key="deals_created",
    label=_("Deals created"),
    unit="count",
    filters=frozenset({"segment"}),
    formula=_("Number of deals created, by creation date"),
    source="DealDay",
    compute=computes.DEALS_CREATED,
)
_builtin(
    key="new_customers",
    label=_("New customers"),
    unit="count",
    filters=frozenset({"territory", "segment"}),
    formula=_(
        "Customers whose first non-cancelled order falls in the period; credited to the "
        "seller and unit of that first order"
    ),
    aggregation="distinct",
    source="orders",
    compute=computes.NEW_CUSTOMERS,
)
_builtin(
    key="activities",
    label=_("Activities"),
    unit="count",
    formula=_("Number of logged activities (calls, meetings, emails, demos…), by local day"),
    source="ActivityDay",
    compute=computes.ACTIVITIES,
)
_builtin(
    key="activity_minutes",
    label=_("Activity minutes"),
    unit="count",
    formula=_("Σ minutes of logged activities, by local day"),
    source="ActivityDay",
    compute=computes.ACTIVITY_MINUTES,
)
_builtin(
    key="repeat_customer_rate",
    label=_("Repeat-customer rate"),
    unit="percent",
    filters=frozenset({"territory", "segment"}),
    formula=_(
        "Customers with more than one non-cancelled order in the period ÷ customers with an "
        "order in the period × 100"
    ),
    aggregation="ratio",
    source="orders",
    compute=computes.REPEAT_CUSTOMER_RATE,
)
_builtin(
    key="csat",
    label=_("Customer satisfaction (CSAT)"),
    unit="percent",
    formula=_(
        "Responses of 4–5 on a 1–5 scale ÷ all responses × 100. No survey data is recorded "
        "yet, so there is no value."
    ),
    aggregation="none",
    source="",
    compute=computes.NO_DATA,
)
