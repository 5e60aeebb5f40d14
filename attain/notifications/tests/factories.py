"""Hand-made data for the notification tests, built through the services.

`make_sales` — Team A1 (world.leader leads it; world.rep and world.rep2 sell in it), as of the
digest sent on Monday 9 November 2026 (it reports the week Mon 2 – Sun 8 November):

- rep sells Line one weekly, one order each Wednesday of the 12 weeks 17 Aug – 8 Nov, falling by
  100.00 a week: 1,200.00 … 200.00 (28 Oct), 100.00 (Wed 4 Nov);
- rep2 sells Line two: 60.00 on Sun 1 Nov (last week of October's ISO week 44, but November)
  and 300.00 on Thu 5 Nov;
- goals for November: Team A1 3,000.00 (100.00 a day), rep 1,500.00 (50.00 a day), rep2 600.00
  (20.00 a day); the leader has none.

Hand-computed: last week (2–8 Nov) 100.00 + 300.00 = 400.00 against 7 × 100.00 = 700.00 →
57.1 %; this month to date (1–8 Nov) 460.00 against 800.00 → 57.5 %. The team goal: 460.00 of
3,000.00 → 15.3 %, pace 460.00 × 30 ÷ 8 = 1,725.00 < 3,000.00: behind. Sellers this month: rep2
360.00 of 160.00 → 225.0 %, rep 100.00 of 400.00 → 25.0 %, the leader 0.00 without a goal.
Warnings (the 12 weeks before 9 Nov): rep and Line one fall by exactly 100.00 a week (S = −66);
Team A1 is 1,200.00 … 300.00, 260.00, 400.00 (S = −45 − 10 − 8 + 0 + 1 + 1 = −61, Sen's slope
still −100.00: 45 of its 66 pairwise slopes are −100 and the rest are above); rep2 and Line two
sold in only 2 of the weeks and are not judged.

`make_due` — what is due on 9 November 2026 (see its docstring).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from attain.analytics.tests.factories import line, make_account, make_product
from attain.catalog.models import ProductLine
from attain.goals.services import goal_acknowledge, goal_create
from attain.orders.services import order_advance, order_cancel, order_create
from attain.pipeline.services import deal_close_won, deal_create

DIGEST_DAY = dt.date(2026, 11, 9)  # a Monday
WEEK_START = dt.date(2026, 11, 2)
WEEK_END = dt.date(2026, 11, 8)
NOVEMBER = dt.date(2026, 11, 1)


def make_sales(world: Any) -> dict[str, Any]:
    l1 = ProductLine.objects.create(code="L1", name="Line one")
    l2 = ProductLine.objects.create(code="L2", name="Line two")
    p1 = make_product(sku="P1", line=l1, prices=[("EUR", "250", "100")])
    p2 = make_product(sku="P2", line=l2, prices=[("EUR", "50", "20")])
    acc_rep = make_account(owner=world.rep, name="Acme", segment="mid_market")
    acc_rep2 = make_account(owner=world.rep2, name="Bolt", segment="enterprise")
    first_monday = DIGEST_DAY - dt.timedelta(weeks=12)  # 17 August
    for week in range(12):
        order_create(
            account=acc_rep,
            owner=world.rep,
            currency="EUR",
            ordered_on=first_monday + dt.timedelta(weeks=week, days=2),
            lines=[line(p1, "1", f"{1200 - 100 * week}.00")],
        )
    for day, amount in ((dt.date(2026, 11, 1), "60.00"), (dt.date(2026, 11, 5), "300.00")):
        order_create(
            account=acc_rep2,
            owner=world.rep2,
            currency="EUR",
            ordered_on=day,
            lines=[line(p2, "1", amount)],
        )
    goals = {
        "team": _month_goal(world, unit=world.team_a1, target="3000.00"),
        "rep": _month_goal(world, person=world.rep, target="1500.00"),
        "rep2": _month_goal(world, person=world.rep2, target="600.00"),
    }
    return {
        "l1": l1,
        "l2": l2,
        "p1": p1,
        "p2": p2,
        "acc_rep": acc_rep,
        "acc_rep2": acc_rep2,
        **goals,
    }


def _month_goal(
    world: Any, *, target: str, person: Any = None, unit: Any = None, start: dt.date = NOVEMBER
) -> Any:
    return goal_create(
        scope_kind="person" if person is not None else "team",
        metric="revenue",
        period_kind="month",
        start=start,
        target=Decimal(target),
        set_by=world.admin,
        person=person,
        unit=unit,
    )


def make_due(world: Any) -> dict[str, Any]:
    """On Monday 9 November 2026:

    - goals: rep's and rep2's November goals, not acknowledged (due); rep's October goal (over)
      and rep's December goal, acknowledged (neither due);
    - deals: rep's "Acme renewal" (open, expected 5 Nov: due), rep's "Acme upsell" (open,
      expected 20 Nov) and "Acme won" (won; expected 1 Nov), rep2's "Bolt pilot" (open,
      expected 2 Nov: due);
    - orders: rep's order A (shipment promised 6 Nov, not shipped: due), order B (confirmation
      promised 3 Nov, confirmed 2 Nov), order C (cancelled; shipment promised 4 Nov).

    So rep has 1 goal, 1 deal and 1 order due; rep2 1 goal and 1 deal; Team A1 (the leader's)
    and Division A (the manager's and the assistant's) 2 goals, 2 deals, 1 order.
    """
    l1 = ProductLine.objects.create(code="L1", name="Line one")
    p1 = make_product(sku="P1", line=l1, prices=[("EUR", "250", "100")])
    acc = make_account(owner=world.rep, name="Acme", segment="mid_market")
    acc2 = make_account(owner=world.rep2, name="Bolt", segment="enterprise")
    goals = {
        "rep_nov": _month_goal(world, person=world.rep, target="1500.00"),
        "rep2_nov": _month_goal(world, person=world.rep2, target="600.00"),
        "rep_oct": _month_goal(
            world, person=world.rep, target="1000.00", start=dt.date(2026, 10, 1)
        ),
        "rep_dec": _month_goal(
            world, person=world.rep, target="2000.00", start=dt.date(2026, 12, 1)
        ),
    }
    goal_acknowledge(goal=goals["rep_dec"], person=world.rep)

    def deal(name: str, owner: Any, account: Any, expected: dt.date) -> Any:
        return deal_create(
            name=name,
            account=account,
            owner=owner,
            amount=Decimal("1000.00"),
            currency="EUR",
            created_on=dt.date(2026, 10, 1),
            expected_close_on=expected,
        )

    deals = {
        "renewal": deal("Acme renewal", world.rep, acc, dt.date(2026, 11, 5)),
        "upsell": deal("Acme upsell", world.rep, acc, dt.date(2026, 11, 20)),
        "won": deal("Acme won", world.rep, acc, dt.date(2026, 11, 1)),
        "pilot": deal("Bolt pilot", world.rep2, acc2, dt.date(2026, 11, 2)),
    }
    deal_close_won(deal=deals["won"], closed_on=dt.date(2026, 10, 20))

    def order(number: str, **promised: dt.date) -> Any:
        return order_create(
            account=acc,
            owner=world.rep,
            currency="EUR",
            ordered_on=dt.date(2026, 11, 2),
            lines=[line(p1, "1", "250.00")],
            number=number,
            **promised,
        )

    orders = {
        "a": order("N-A", ship_promised_on=dt.date(2026, 11, 6)),
        "b": order("N-B", confirm_promised_on=dt.date(2026, 11, 3)),
        "c": order("N-C", ship_promised_on=dt.date(2026, 11, 4)),
    }
    order_advance(order=orders["b"], to_status="confirmed", on=dt.date(2026, 11, 2))
    order_cancel(order=orders["c"], on=dt.date(2026, 11, 3), reason="Budget cut", by=world.rep)
    return {"goals": goals, "deals": deals, "orders": orders, "account": acc}
