"""A calculated draft run kept up to date after one changed order: only the people the change
touches are figured again, and the run then equals a full calculation (lines, total,
fingerprint); the order, split and adjustment writes queue that work for the task worker. Also
the clawback rules across periods: from whoever was paid, and for a return dated in a period
approved before it was recorded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from attain.goals.tests.factories import make_goal
from attain.incentives.calculation import period_calculate
from attain.incentives.models import Assignment, Credit, CreditScope, PayoutLine, PayoutRun
from attain.incentives.services import (
    adjustment_create,
    assignment_end,
    credit_splits_set,
    orders_loaded,
    run_approve,
    run_calculate,
    run_refresh,
    run_request,
)
from attain.incentives.tasks import payout_run_refresh_task
from attain.incentives.tests.factories import (
    KPIS_TIERS,
    assign,
    component,
    euro,
    flat,
    lines_of,
    make_plan,
    run_of,
    sell,
)
from attain.orders.models import OrderReturn
from attain.orders.services import (
    OrderLineInput,
    order_advance,
    order_cancel,
    order_line_add,
    order_line_remove,
    order_return_record,
)
from attain.organization.tests.factories import make_world

pytestmark = pytest.mark.django_db

D = Decimal
MARCH, MARCH_END = dt.date(2025, 3, 1), dt.date(2025, 3, 31)
APRIL, APRIL_END = dt.date(2025, 4, 1), dt.date(2025, 4, 30)
MAY, MAY_END = dt.date(2025, 5, 1), dt.date(2025, 5, 31)


def team_world():
    """rep sells 5 × 1,000 and rep2 3 × 1,000 on 10 March (10 % each: 500.00 and 300.00); their
    team leader is paid 1 % of the team's sales (80.00); rep_b in another division sells 2 × 1,000
    (200.00)."""
    w = make_world()
    sellers = make_plan(by=w.admin, components=[flat("0.10")])
    for person in (w.rep, w.rep2, w.rep_b):
        assign(sellers, person)
    assign(
        make_plan(by=w.admin, components=[flat("0.01")]), w.leader, credit_scope=CreditScope.TEAM
    )
    product = euro("1000.00")
    orders = {
        "rep": sell(w.rep, product, "5", dt.date(2025, 3, 10)),
        "rep2": sell(w.rep2, product, "3", dt.date(2025, 3, 10)),
        "rep_b": sell(w.rep_b, product, "2", dt.date(2025, 3, 10)),
    }
    return w, orders, product


def assert_equals_a_full_run(run: PayoutRun) -> None:
    full = period_calculate(run.period_start, run.period_end)
    assert run.digest == full.digest()
    assert run.total == full.total
    assert run.payees == len(full.by_person())
    assert lines_of(run) == [(ln.person_id, ln.kind, ln.amount) for ln in full.lines]


# ---------------------------------------------------------------- one changed order


def test_a_cancelled_order_is_refigured_for_its_seller_and_leader_only():
    w, orders, _product = team_world()
    run = run_of(MARCH, MARCH_END, w.admin)
    assert run.total == D("1080.00")  # 500 + 300 + 200 + 80
    untouched = set(run.lines.filter(person__in=[w.rep2, w.rep_b]).values_list("pk", flat=True))

    order_cancel(order=orders["rep"], on=dt.date(2025, 3, 20), reason="Withdrawn", by=w.admin)
    run = run_refresh(run=run, order_ids=[orders["rep"].pk])

    assert lines_of(run) == [
        (w.leader.pk, "commission", D("30.00")),
        (w.rep2.pk, "commission", D("300.00")),
        (w.rep_b.pk, "commission", D("200.00")),
    ]
    assert (run.total, run.payees) == (D("530.00"), 3)
    assert set(run.lines.filter(person__in=[w.rep2, w.rep_b]).values_list("pk", flat=True)) == (
        untouched
    )
    assert_equals_a_full_run(run)


def test_a_new_split_moves_the_credit_and_the_run_matches_a_full_calculation():
    """rep's 5,000 split 60/40 with rep_b: rep 300.00, rep_b 200.00 + 200.00; the leader of
    team A1 is still paid on the whole order (it is stamped in the team): 80.00."""
    w, orders, _product = team_world()
    run = run_of(MARCH, MARCH_END, w.admin)

    credit_splits_set(order=orders["rep"], shares=[(w.rep, D("60")), (w.rep_b, D("40"))])
    run = run_refresh(run=run, order_ids=[orders["rep"].pk])

    assert lines_of(run) == [
        (w.leader.pk, "commission", D("80.00")),
        (w.rep.pk, "commission", D("300.00")),
        (w.rep2.pk, "commission", D("300.00")),
        (w.rep_b.pk, "commission", D("400.00")),
    ]
    assert run.total == D("1080.00")
    assert_equals_a_full_run(run)


def test_a_seller_taken_off_a_split_is_refigured_too():
    """The split is removed again: rep_b, no longer named on the order, goes back to 200.00."""
    w, orders, _product = team_world()
    run = run_of(MARCH, MARCH_END, w.admin)
    credit_splits_set(order=orders["rep"], shares=[(w.rep, D("60")), (w.rep_b, D("40"))])
    run = run_refresh(run=run, order_ids=[orders["rep"].pk])

    credit_splits_set(order=orders["rep"], shares=[])
    run = run_refresh(run=run, order_ids=[orders["rep"].pk])

    assert lines_of(run)[-1] == (w.rep_b.pk, "commission", D("200.00"))
    assert run.total == D("1080.00")
    assert_equals_a_full_run(run)


def test_an_adjustment_refigures_its_person():
    w, _orders, _product = team_world()
    run = run_of(MARCH, MARCH_END, w.admin)

    adjustment_create(
        person=w.rep2, effective_on=MARCH_END, amount="-45.50", reason="Wrong price", author=w.admin
    )
    run = run_refresh(run=run, person_ids=[w.rep2.pk])

    assert lines_of(run)[2:4] == [
        (w.rep2.pk, "commission", D("300.00")),
        (w.rep2.pk, "adjustment", D("-45.50")),
    ]
    assert [ln.position for ln in run.lines.filter(person=w.rep2)] == [0, 1]
    assert run.total == D("1034.50")
    assert_equals_a_full_run(run)


def test_an_approved_run_or_one_still_calculating_is_left_alone():
    w, orders, _product = team_world()
    draft = run_request(period_start=MARCH, period_end=MARCH_END, by=w.admin)
    assert run_refresh(run=draft, order_ids=[orders["rep"].pk]).lines.count() == 0  # not yet

    run = run_approve(run=run_calculate(run=draft), by=w.admin)
    digest = run.digest
    order_cancel(order=orders["rep"], on=dt.date(2025, 4, 2), reason="Withdrawn", by=w.admin)
    run = run_refresh(run=run, order_ids=[orders["rep"].pk])
    assert (run.status, run.digest, run.total) == ("approved", digest, D("1080.00"))


def test_a_refresh_that_meets_a_missing_goal_records_it_and_waits_for_a_full_calculation():
    from attain.goals.models import Goal

    w = make_world()
    assign(make_plan(by=w.admin, components=[component(kind="marginal", tiers=KPIS_TIERS)]), w.rep)
    make_goal(w, person=w.rep, target="250000.00")
    order = sell(w.rep, euro("1000.00"), "10", dt.date(2025, 3, 10))
    run = run_of(MARCH, MARCH_END, w.admin)

    Goal.objects.all().delete()
    run = run_refresh(run=run, order_ids=[order.pk])

    assert w.rep.full_name in run.error
    assert run.calculated_at is None  # not approvable until calculated again
    with pytest.raises(ValidationError):
        run_approve(run=run, by=w.admin)


class TestARefreshEqualsAFullCalculation(HypothesisTestCase):
    """Whatever order changes (a cancellation, a return, a split, a new sale, a removed line),
    refreshing the run for the changed order gives what calculating it in full gives."""

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(
            st.tuples(
                st.sampled_from(["cancel", "return", "split", "sell", "remove_line"]),
                st.integers(min_value=0, max_value=2),
                st.integers(min_value=1, max_value=9),
            ),
            min_size=1,
            max_size=4,
        )
    )
    def test_refresh_equals_full(self, changes):
        w, orders, product = team_world()
        people = (w.rep, w.rep2, w.rep_b)
        listed = [orders["rep"], orders["rep2"], orders["rep_b"]]
        for order in listed[:2]:
            order_advance(order=order, to_status="delivered", on=dt.date(2025, 3, 12))
        taken = listed[2]
        order_line_add(order=taken, line=OrderLineInput(product=product, quantity=D("4")))
        run = run_of(MARCH, MARCH_END, w.admin)
        for change, who, amount in changes:
            order = listed[who]
            order.refresh_from_db()
            touched = [order.pk]
            if change == "cancel" and order.status == "taken":
                order_cancel(order=order, on=dt.date(2025, 3, 20), reason="x", by=w.admin)
            elif change == "return" and order.status == "delivered":
                line = order.lines.get()
                left = line.quantity - sum(r.quantity for r in line.returns.all())
                if left >= 1:
                    order_return_record(
                        line=line,
                        quantity=min(D(amount), left),
                        returned_on=dt.date(2025, 3, 25),
                        reason="defective",
                        by=w.admin,
                    )
            elif change == "split":
                other = people[(who + 1) % 3]
                shares = [(people[who], D(amount * 10)), (other, D(100 - amount * 10))]
                credit_splits_set(order=order, shares=shares)
            elif change == "sell":
                new = sell(people[who], product, str(amount), dt.date(2025, 3, amount))
                listed.append(new)
                touched = [new.pk]
            elif change == "remove_line" and order.status == "taken" and order.lines.count() > 1:
                before = set(
                    Credit.objects.filter(
                        order_line__in=order.lines.all(), line__run=run
                    ).values_list("line__person_id", flat=True)
                )
                order_line_remove(line=order.lines.order_by("pk").last())
                run = run_refresh(run=run, person_ids=sorted(before))
            run = run_refresh(run=run, order_ids=touched)
            assert_equals_a_full_run(run)


# ---------------------------------------------------------------- order lines and the task worker


def test_removing_a_line_credited_in_a_draft_lets_it_go_and_in_an_approved_run_is_refused():
    w = make_world()
    assign(make_plan(by=w.admin, components=[flat("0.10")]), w.rep)
    product = euro("1000.00")
    order = sell(w.rep, product, "5", dt.date(2025, 3, 10))
    extra = order_line_add(order=order, line=OrderLineInput(product=product, quantity=D("2")))
    run = run_of(MARCH, MARCH_END, w.admin)
    assert lines_of(run) == [(w.rep.pk, "commission", D("700.00"))]

    order_line_remove(line=extra)  # the draft lets go of its credit: no error
    assert not Credit.objects.filter(order_line_id=extra.pk).exists()
    with pytest.raises(ValidationError):  # until refreshed, it cannot be approved
        run_approve(run=run, by=w.admin)
    run = run_refresh(run=run, person_ids=[w.rep.pk])
    assert lines_of(run) == [(w.rep.pk, "commission", D("500.00"))]

    order_line_add(order=order, line=OrderLineInput(product=product, quantity=D("1")))
    run = run_approve(run=run_calculate(run=run), by=w.admin)
    paid = order.lines.order_by("pk").last()
    with pytest.raises(ValidationError) as refused:
        order_line_remove(line=paid)
    assert refused.value.message_dict == {
        "line": [
            "This line was paid on in an approved payout run, so it stays: record a return instead."
        ]
    }
    assert order.lines.count() == 2


def test_an_order_write_queues_a_refresh_of_each_calculated_draft_only(
    django_capture_on_commit_callbacks,
):
    from django_tasks_db.models import DBTaskResult

    w, orders, _product = team_world()
    run = run_of(MARCH, MARCH_END, w.admin)
    run_request(period_start=APRIL, period_end=APRIL_END, by=w.admin)  # its calculation waits

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=orders["rep"], on=dt.date(2025, 3, 20), reason="x", by=w.admin)

    [task] = DBTaskResult.objects.filter(task_path__endswith="payout_run_refresh_task")
    assert task.args_kwargs == {"args": [run.pk, [orders["rep"].pk], []], "kwargs": {}}
    assert payout_run_refresh_task.call(*task.args_kwargs["args"]) == "draft"
    run.refresh_from_db()
    assert run.total == D("530.00")
    assert_equals_a_full_run(run)


def test_a_bulk_load_queues_a_full_calculation_of_the_drafts_it_reaches(
    django_capture_on_commit_callbacks,
):
    from django_tasks_db.models import DBTaskResult

    w, _orders, _product = team_world()
    march = run_of(MARCH, MARCH_END, w.admin)
    earlier = PayoutRun.objects.create(
        period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 1, 31), requested_by=w.admin
    )

    with django_capture_on_commit_callbacks(execute=True):
        orders_loaded(dt.date(2025, 2, 1), dt.date(2025, 2, 28), stamps=[])

    march.refresh_from_db()
    assert march.calculated_at is None  # figures on the way; not approvable meanwhile
    [task] = DBTaskResult.objects.filter(task_path__endswith="payout_run_calculate_task")
    assert task.args_kwargs["args"] == [march.pk]
    assert earlier.pk != march.pk


# ---------------------------------------------------------------- clawbacks across periods


def kpis_world():
    """The KPIS.md example: 29,375.00 paid on 325 × 1,000 sold (and delivered) in March, by a
    plan in force in March only; rep2 is paid 10 % from March on."""
    w = make_world()
    v = make_plan(
        by=w.admin,
        components=[component(kind="marginal", tiers=KPIS_TIERS)],
        effective_to=APRIL,  # rep has no plan after March
    )
    assign(v, w.rep)
    assign(make_plan(by=w.admin, components=[flat("0.10")]), w.rep2)
    make_goal(w, person=w.rep, target="250000.00")
    order = sell(w.rep, euro("1000.00", "400.00"), "325", dt.date(2025, 3, 10))
    order_advance(order=order, to_status="delivered", on=dt.date(2025, 3, 12))
    return w, v, order


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def test_a_seller_who_has_left_is_still_clawed_back():
    """rep's assignment ends on 1 April; everything sold in March comes back on 3 April: the
    April run takes back all 29,375.00 from rep (who has no plan in April)."""
    w, _v, order = kpis_world()
    run_approve(run=run_of(MARCH, MARCH_END, w.admin), by=w.admin)
    assignment_end(assignment=Assignment.objects.get(person=w.rep), end=APRIL)
    order_return_record(
        line=order.lines.get(),
        quantity=D("325"),
        returned_on=dt.date(2025, 4, 3),
        reason="defective",
        by=w.admin,
    )

    april = run_of(APRIL, APRIL_END, w.admin)

    assert lines_of(april) == [(w.rep.pk, "clawback", D("-29375.00"))]


def test_a_return_dated_in_an_approved_period_is_clawed_back_when_recorded():
    """March is approved on 2 April. On 5 April a return of 25 units dated 28 March is recorded:
    March never saw it, so April takes back 25,000 × 29,375 / 325,000 = 2,259.62, saying why;
    May does not take it again."""
    w, _v, order = kpis_world()
    march = run_approve(run=run_of(MARCH, MARCH_END, w.admin), by=w.admin)
    PayoutRun.objects.filter(pk=march.pk).update(approved_at=at(dt.date(2025, 4, 2)))
    back = order_return_record(
        line=order.lines.get(),
        quantity=D("25"),
        returned_on=dt.date(2025, 3, 28),
        reason="defective",
        by=w.admin,
    )
    OrderReturn.objects.filter(pk=back.pk).update(created_at=at(dt.date(2025, 4, 5)))

    april = run_of(APRIL, APRIL_END, w.admin)

    [line] = april.lines.filter(kind="clawback")
    assert (line.person_id, line.amount, line.credit) == (w.rep.pk, D("-2259.62"), D("-25000.00"))
    assert line.trace[0]["note"] == (
        "returned: reversed at the rate originally paid "
        "(dated in a period already approved when it was recorded)"
    )
    run_approve(run=april, by=w.admin)
    may = run_of(MAY, MAY_END, w.admin)
    assert not may.lines.filter(kind="clawback").exists()


def test_a_return_recorded_before_the_approval_is_left_to_its_own_period():
    """The same return recorded on 1 April, before March was approved: the March run counts it
    (net 300 units), so April has nothing to take back."""
    w, _v, order = kpis_world()
    back = order_return_record(
        line=order.lines.get(),
        quantity=D("25"),
        returned_on=dt.date(2025, 3, 28),
        reason="defective",
        by=w.admin,
    )
    OrderReturn.objects.filter(pk=back.pk).update(created_at=at(dt.date(2025, 4, 1)))
    march = run_approve(run=run_of(MARCH, MARCH_END, w.admin), by=w.admin)
    PayoutRun.objects.filter(pk=march.pk).update(approved_at=at(dt.date(2025, 4, 2)))

    april = run_of(APRIL, APRIL_END, w.admin)

    assert not april.lines.filter(kind="clawback").exists()
    assert PayoutLine.objects.get(run=march, person=w.rep).credit == D("300000.00")
