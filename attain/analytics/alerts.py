"""Early warning: flat or declining weekly sales per seller, team and product line of a scope.

Weekly revenue over the last 12 complete weeks is read from the weekly slice of the sales cube
(one query per dimension); a Mann–Kendall test (`trends.py`) flags declining (a significant
fall) and flat series. Series with sales in fewer than 8 of the weeks are not judged. The weeks
are all complete, so they are settled history: the verdicts are cached under the sales
rollup's history stamp (see history.py) and computed again only when a week's sales change.
Names are looked up on every read, so a renamed seller shows under the new name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from attain.analytics import rollups
from attain.analytics.history import settled_before, settled_cached
from attain.analytics.selectors import bucket_starts, group_labels, metric_breakdown_series
from attain.analytics.trends import DECLINING, FLAT, mann_kendall
from attain.analytics.types import Scope
from attain.core.periods import today

CENT = Decimal("0.01")
ALERT_WEEKS = 12
#: A series needs sales in at least this many of the weeks to be judged (sparse series are noise).
ALERT_MIN_ACTIVE_WEEKS = 8


@dataclass(frozen=True)
class Alert:
    dimension: str  # seller | team | product_line
    key: Any
    label: str
    verdict: str  # declining | flat
    weeks: list[dt.date]
    values: list[Decimal]
    s: int
    z: float
    p_value: float
    slope_per_week: Decimal


@dataclass
class Alerts:
    weeks: list[dt.date] = field(default_factory=list)
    items: list[Alert] = field(default_factory=list)


#: (dimension, key, verdict, values, S, z, p, slope): a verdict before its label is looked up
Finding = tuple[str, Any, str, list[Decimal], int, float, float, Decimal]


def _findings(
    scope: Scope, start: dt.date, end: dt.date, weeks: list[dt.date], dimensions: list[str]
) -> list[Finding]:
    out: list[Finding] = []
    for dimension in dimensions:
        series = metric_breakdown_series(
            metric="revenue", scope=scope, start=start, end=end, grain="week", by=dimension
        )
        for key, by_week in series.items():
            values = [by_week.get(week, Decimal(0)) for week in weeks]
            if sum(1 for value in values if value) < ALERT_MIN_ACTIVE_WEEKS:
                continue
            test = mann_kendall(values)
            if test is None or test.verdict not in (DECLINING, FLAT):
                continue
            slope = Decimal(str(test.sen_slope)).quantize(CENT, ROUND_HALF_UP)
            out.append((dimension, key, test.verdict, values, test.s, test.z, test.p_value, slope))
    out.sort(key=lambda f: (f[2] != DECLINING, f[6]))
    return out


def alerts_list(*, scope: Scope, on: dt.date | None = None) -> Alerts:
    """The warnings of the scope on day `on` (default today), most significant first: declining
    before flat, then by p-value. A seller's scope is judged by product line only."""
    on = on or today()
    last_monday = on - dt.timedelta(days=on.weekday())
    start = last_monday - dt.timedelta(weeks=ALERT_WEEKS)
    end = last_monday - dt.timedelta(days=1)
    weeks = bucket_starts(start, end, "week")
    dimensions = ["product_line"] if scope.person_id is not None else ["seller", "team"]
    if scope.person_id is None:
        dimensions.append("product_line")

    def compute() -> list[Finding]:
        return _findings(scope, start, end, weeks, dimensions)

    if last_monday <= settled_before():
        found = settled_cached(rollups.SALES.name, ("alerts", scope, start, end), compute)
    else:  # weeks after this one are not settled (a date in the future)
        found = compute()
    labels: dict[str, dict[Any, str]] = {}
    for dimension in dimensions:
        keys = [f[1] for f in found if f[0] == dimension]
        labels[dimension] = (
            {k: v[1] for k, v in group_labels(dimension, keys).items()} if keys else {}
        )
    return Alerts(
        weeks=weeks,
        items=[
            Alert(dim, key, labels[dim].get(key, str(key)), verdict, weeks, values, s, z, p, slope)
            for dim, key, verdict, values, s, z, p, slope in found
        ],
    )
