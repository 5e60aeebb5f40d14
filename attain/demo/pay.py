"""Demo incentive pay: a commission plan for the sellers, a roll-up override for team leaders,
and the payout runs of the last complete months (the older ones approved and paid, the last
one a calculated draft waiting for approval), all through the incentive services.

The sellers' plan pays on the monthly revenue goals the demo sets (goals.py): marginal tiers of
4 % up to the goal, 6 % from 100 to 125 % and 8 % above, and a 500.00 bonus at 100 %. Team
leaders earn 1 % of their teams' revenue. A seller without a revenue goal for a month (a new
hire before their first goal) has no tiers to climb, so the sellers' plan is assigned per
person, to those with a goal in every run month.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from attain.core.periods import month_of
from attain.goals.models import Goal, ScopeKind
from attain.incentives.services import (
    assignment_create,
    component_save,
    plan_create,
    run_approve,
    run_calculate,
    run_mark_paid,
    run_request,
    version_create,
    version_publish,
)
from attain.organization.models import Person, Role

#: complete months with a payout run (the newest stays a draft)
RUN_MONTHS = 3

SELLER_TIERS = [
    {"floor_pct": "0", "ceiling_pct": "100", "rate": "0.04"},
    {"floor_pct": "100", "ceiling_pct": "125", "rate": "0.06"},
    {"floor_pct": "125", "ceiling_pct": "", "rate": "0.08"},
]
PLAN_DOCUMENT = (
    "You earn commission on the revenue of the orders you book each month, net of returns:\n"
    "- 4 % of revenue up to your monthly goal,\n"
    "- 6 % of the revenue between 100 % and 125 % of the goal,\n"
    "- 8 % of the revenue above 125 % of the goal,\n"
    "and a 500.00 bonus in every month you reach your goal.\n"
    "Returns and cancellations of orders paid in an earlier month are clawed back at the rate "
    "paid, in the month they happen."
)


def run_months(end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The last RUN_MONTHS complete months before `end`, oldest first."""
    first_of_current = end.replace(day=1)
    months = []
    day = first_of_current
    for _ in range(RUN_MONTHS):
        day = (day - dt.timedelta(days=1)).replace(day=1)
        period = month_of(day)
        months.append((period.start, period.end))
    return list(reversed(months))


def pay_seed(*, admin: Person, end: dt.date) -> int:
    """Plans, assignments and payout runs; returns the number of runs made."""
    months = run_months(end)
    if not months:
        return 0
    first, last = months[0][0], months[-1][1]
    sellers = plan_create(
        name="Sellers' commission",
        description="Monthly commission on booked revenue, tiered on the revenue goal.",
    )
    version = version_create(
        plan=sellers,
        effective_from=first,
        goal_metric="revenue",
        crediting="booking",
        document=PLAN_DOCUMENT,
    )
    component_save(
        version=version,
        name="Commission on revenue",
        kind="marginal",
        basis="revenue",
        tiers=SELLER_TIERS,
    )
    component_save(
        version=version,
        name="Goal bonus",
        kind="bonus",
        basis="revenue",
        amount=Decimal("500.00"),
        threshold_pct=Decimal("100"),
    )
    version_publish(version=version, by=admin)
    goal_months: dict[int, set[dt.date]] = {}
    for person_id, start in Goal.objects.filter(
        scope_kind=ScopeKind.PERSON,
        metric="revenue",
        period_kind="month",
        start__gte=first,
        end__lte=last,
        product_line__isnull=True,
        product__isnull=True,
        territory__isnull=True,
        segment="",
    ).values_list("person_id", "start"):
        goal_months.setdefault(person_id, set()).add(start)
    wanted = {start for start, _end in months}
    for person in Person.objects.filter(pk__in=goal_months).order_by("pk"):
        if goal_months[person.pk] >= wanted:
            assignment_create(plan=sellers, person=person, start=first)

    leaders = plan_create(
        name="Team leader override",
        description="1 % of the revenue booked by the teams a leader leads.",
    )
    override = version_create(
        plan=leaders,
        effective_from=first,
        goal_metric="revenue",
        crediting="booking",
        document="You earn 1 % of the revenue your team books each month, net of returns.",
    )
    component_save(
        version=override,
        name="Team override",
        kind="flat",
        basis="revenue",
        rate=Decimal("0.01"),
    )
    version_publish(version=override, by=admin)
    assignment_create(plan=leaders, role=Role.TEAM_LEADER, start=first, credit_scope="team")

    for i, (start, stop) in enumerate(months):
        run = run_calculate(run=run_request(period_start=start, period_end=stop, by=admin))
        if i < len(months) - 1:
            run = run_approve(run=run, by=admin)
            if i < len(months) - 2:
                run_mark_paid(run=run, by=admin)
    return len(months)
