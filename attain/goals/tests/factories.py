"""Goal test data, built through the goal services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from attain.goals.models import Goal
from attain.goals.services import goal_create
from attain.organization.tests.factories import World

MARCH = dt.date(2025, 3, 1)


def make_goal(
    world: World,
    *,
    person: Any = None,
    unit: Any = None,
    scope_kind: str | None = None,
    metric: str = "revenue",
    period_kind: str = "month",
    start: dt.date = MARCH,
    end: dt.date | None = None,
    target: str | Decimal = "10000.00",
    set_by: Any = None,
    **kw: Any,
) -> Goal:
    if scope_kind is None:
        scope_kind = "person" if person is not None else (unit.kind if unit else "team")
    return goal_create(
        scope_kind=scope_kind,
        metric=metric,
        period_kind=period_kind,
        start=start,
        end=end,
        target=Decimal(str(target)),
        set_by=set_by or world.admin,
        person=person,
        unit=unit,
        **kw,
    )
