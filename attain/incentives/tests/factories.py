"""Incentive test data, built through the incentive services (the same path as the app).

`make_plan` gives a published plan version with the components asked for; `assign` puts a
person (or a role) on it. Amounts are strings so a test reads like the hand calculation.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from attain.incentives.models import Assignment, Component, PayoutRun, Plan, PlanVersion
from attain.incentives.services import (
    COMPONENT_FIELDS,
    assignment_create,
    component_save,
    plan_create,
    run_approve,
    run_calculate,
    run_request,
    version_create,
    version_publish,
)
from attain.organization.models import Person

_seq = itertools.count(1)
MARCH = dt.date(2025, 3, 1)
MARCH_END = dt.date(2025, 3, 31)

#: The KPIS.md worked example: 8 % up to 100 %, 12 % from 100 to 125 %, 15 % above.
KPIS_TIERS = [
    {"floor_pct": "0", "ceiling_pct": "100", "rate": "0.08"},
    {"floor_pct": "100", "ceiling_pct": "125", "rate": "0.12"},
    {"floor_pct": "125", "ceiling_pct": "", "rate": "0.15"},
]


MONEY_FIELDS = (
    "rate",
    "amount",
    "threshold_pct",
    "hurdle_pct",
    "deal_cap",
    "period_cap",
    "period_floor",
)


def _dec(value: Any) -> Any:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def component(**fields: Any) -> dict[str, Any]:
    """Component terms with the defaults a test does not care about."""
    data: dict[str, Any] = dict.fromkeys(COMPONENT_FIELDS)
    data.update({"name": f"Component {next(_seq)}", "basis": "revenue", "tiers": [], "bands": []})
    for key, value in fields.items():
        data[key] = _dec(value) if key in MONEY_FIELDS else value
    return data


def make_plan(
    *,
    by: Person,
    components: list[dict[str, Any]],
    name: str | None = None,
    effective_from: dt.date = MARCH,
    effective_to: dt.date | None = None,
    goal_metric: str = "revenue",
    crediting: str = "booking",
    publish: bool = True,
    document: str = "You are paid on what you sell.",
) -> PlanVersion:
    plan = plan_create(name=name or f"Plan {next(_seq)}")
    version = version_create(
        plan=plan,
        effective_from=effective_from,
        effective_to=effective_to,
        goal_metric=goal_metric,
        crediting=crediting,
        document=document,
    )
    for terms in components:
        component_save(version=version, **terms)
    if publish:
        version = version_publish(version=version, by=by)
    return version


def assign(
    plan: Plan | PlanVersion, person: Person | None = None, *, start: dt.date = MARCH, **kw: Any
) -> Assignment:
    if isinstance(plan, PlanVersion):
        plan = plan.plan
    if "draw_amount" in kw:
        kw["draw_amount"] = _dec(kw["draw_amount"])
    return assignment_create(plan=plan, person=person, start=start, **kw)


def components_of(version: PlanVersion) -> list[Component]:
    return list(version.components.order_by("position", "pk"))


def sell(owner: Person, product: Any, quantity: str, on: dt.date, **kw: Any) -> Any:
    """An order of `quantity` × `product` taken by `owner` on `on` (an import here: the order
    factories build catalogue and customer rows the incentive tests need only through them)."""
    from attain.orders.tests.factories import make_order

    return make_order(owner=owner, product=product, quantity=quantity, ordered_on=on, **kw)


def flat(rate: str, **fields: Any) -> dict[str, Any]:
    """A commission at one rate of the credit."""
    return component(kind="flat", rate=rate, **fields)


def euro(price: str, cost: str = "0.00") -> Any:
    """A product priced in EUR (the reporting currency) at `price`, costing `cost`."""
    from attain.orders.tests.factories import make_product

    return make_product(prices=(("EUR", price, cost),))


def run_of(start: dt.date, end: dt.date, by: Person) -> PayoutRun:
    """A run requested and calculated (what the task worker does after the request commits)."""
    return run_calculate(run=run_request(period_start=start, period_end=end, by=by))


def approved(start: dt.date, end: dt.date, by: Person) -> PayoutRun:
    return run_approve(run=run_of(start, end, by), by=by)


def lines_of(run: PayoutRun) -> list[tuple[int, str, Decimal]]:
    """(person, kind, amount) of the run's lines, in statement order."""
    return [
        (ln.person_id, ln.kind, ln.amount) for ln in run.lines.order_by("person_id", "position")
    ]
