"""The incentive services end to end: payout runs (request → calculate → approve → paid) with
their lines, credits and traces; clawbacks, draws, adjustments and disputes across periods;
the refusals of bad input (nothing saved); a run that fails half-way leaves nothing behind; and
the task worker calculating a requested run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from attain.goals.tests.factories import make_goal
from attain.incentives import services
from attain.incentives.models import (
    Adjustment,
    Component,
    Credit,
    CreditSplit,
    Dispute,
    PayoutLine,
    PayoutRun,
    PlanVersion,
)
from attain.incentives.services import (
    adjustment_create,
    component_save,
    credit_splits_set,
    dispute_decide,
    dispute_open,
    run_approve,
    run_calculate,
    run_discard,
    run_mark_paid,
    run_request,
    version_copy,
    version_end,
    version_publish,
    version_update,
)
from attain.incentives.tests.factories import (
    KPIS_TIERS,
    approved,
    assign,
    component,
    euro,
    flat,
    lines_of,
    make_plan,
    run_of,
    sell,
)
from attain.orders.services import order_advance, order_cancel, order_return_record
from attain.organization.tests.factories import make_world

pytestmark = pytest.mark.django_db

D = Decimal
MARCH, MARCH_END = dt.date(2025, 3, 1), dt.date(2025, 3, 31)
APRIL, APRIL_END = dt.date(2025, 4, 1), dt.date(2025, 4, 30)


def counts() -> tuple[int, ...]:
    models = (PayoutRun, PayoutLine, Credit, Component, PlanVersion, CreditSplit, Adjustment)
    return tuple(model.objects.count() for model in models)


def kpis_world():
    """The KPIS.md example: goal 250,000, 325 × 1,000 (cost 400) sold on 10 March."""
    w = make_world()
    v = make_plan(by=w.admin, components=[component(kind="marginal", tiers=KPIS_TIERS)])
    assign(v, w.rep)
    make_goal(w, person=w.rep, target="250000.00")
    order = sell(w.rep, euro("1000.00", "400.00"), "325", dt.date(2025, 3, 10))
    return w, v, order


# ---------------------------------------------------------------- a run


def test_the_kpis_worked_example_through_a_payout_run():
    """250,000 × 8 % + 62,500 × 12 % + 12,500 × 15 % = 20,000 + 7,500 + 1,875 = 29,375.00,
    stored as one line with its trace and the order line's credit, and as the run's total."""
    w, v, order = kpis_world()

    requested = run_request(period_start=MARCH, period_end=MARCH_END, by=w.admin)
    assert (requested.status, requested.calculated_at, requested.lines.count()) == (
        "draft",
        None,
        0,
    )
    run = run_calculate(run=requested)

    assert (run.total, run.payees, run.error, len(run.digest)) == (D("29375.00"), 1, "", 64)
    [line] = run.lines.all()
    assert (line.person_id, line.kind, line.version_id, line.amount) == (
        w.rep.pk,
        "commission",
        v.pk,
        D("29375.00"),
    )
    assert (line.credit, line.goal, line.attainment_pct) == (
        D("325000.00"),
        D("250000.00"),
        D("130.00"),
    )
    assert [(s["basis"], s["rate"], s["amount"]) for s in line.trace] == [
        ("250000.00", "0.08", "20000.00"),
        ("62500.00", "0.12", "7500.00"),
        ("12500.00", "0.15", "1875.00"),
    ]
    [credit] = line.credits.all()
    assert (credit.order_line_id, credit.credited_on, credit.share_pct) == (
        order.lines.get().pk,
        dt.date(2025, 3, 10),
        D("100.00"),
    )
    assert (credit.value, credit.amount) == (D("325000.00"), D("29375.00"))

    run = run_mark_paid(run=run_approve(run=run, by=w.admin), by=w.admin)
    assert (run.status, run.approved_by, run.paid_by) == ("paid", w.admin, w.admin)


def test_calculating_twice_gives_the_same_lines_and_fingerprint():
    w, _v, _order = kpis_world()
    run = run_of(MARCH, MARCH_END, w.admin)
    first = (run.digest, run.total, lines_of(run), [c.amount for c in Credit.objects.all()])

    again = run_calculate(run=run)

    assert (
        again.digest,
        again.total,
        lines_of(again),
        [c.amount for c in Credit.objects.all()],
    ) == first
    assert PayoutLine.objects.count() == 1  # replaced, not added


def test_approval_is_refused_when_an_input_changed_and_an_approved_run_never_changes():
    """A new March order after the calculation changes the figures: approval is refused until
    the run is calculated again; once approved the run is neither recalculated nor discarded."""
    w, _v, _order = kpis_world()
    run = run_of(MARCH, MARCH_END, w.admin)
    sell(w.rep, euro("100.00"), "1", dt.date(2025, 3, 20))

    with pytest.raises(ValidationError) as err:
        run_approve(run=run, by=w.admin)

    assert list(err.value.message_dict) == ["status"]
    run.refresh_from_db()
    assert (run.status, run.approved_at, run.total) == ("draft", None, D("29375.00"))

    run = run_approve(run=run_calculate(run=run), by=w.admin)  # 29,375 + 100 × 15 %
    assert (run.status, run.total) == ("approved", D("29390.00"))
    before = (counts(), run.digest, lines_of(run))
    for refused in (lambda: run_calculate(run=run), lambda: run_discard(run=run)):
        with pytest.raises(ValidationError) as err:
            refused()
        assert list(err.value.message_dict) == ["status"]
    with pytest.raises(ValidationError) as err:
        run_request(period_start=MARCH, period_end=MARCH_END, by=w.admin)
    assert list(err.value.message_dict) == ["period_start"]
    run.refresh_from_db()
    assert (counts(), run.digest, lines_of(run)) == before


def test_a_draft_run_can_be_discarded_with_its_lines():
    w, _v, _order = kpis_world()
    run = run_of(MARCH, MARCH_END, w.admin)

    run_discard(run=run)

    assert (PayoutRun.objects.count(), PayoutLine.objects.count(), Credit.objects.count()) == (
        0,
        0,
        0,
    )


# ---------------------------------------------------------------- across periods


def test_a_return_claws_back_what_was_paid_at_the_march_rate():
    """Paid 29,375.00 on 325,000 in the approved March run (9.0384615…%). 25 units (25,000)
    come back on 10 April, when the plan pays a flat 20 %: the April run takes back
    25,000 × 29,375 / 325,000 = 2,259.615… → 2,259.62, not 25,000 × 20 % = 5,000."""
    w, v, order = kpis_world()
    order_advance(order=order, to_status="delivered", on=dt.date(2025, 3, 12))
    march = approved(MARCH, MARCH_END, w.admin)
    version_end(version=v, effective_to=APRIL)
    april_terms = version_update(
        version=version_copy(version=v),
        effective_from=APRIL,
        effective_to=None,
        goal_metric="revenue",
        crediting="booking",
        document="From April: 20 % of everything.",
    )
    component_save(version=april_terms, component=april_terms.components.get(), **flat("0.20"))
    version_publish(version=april_terms, by=w.admin)
    order_return_record(
        line=order.lines.get(),
        quantity=D("25"),
        returned_on=dt.date(2025, 4, 10),
        reason="defective",
        by=w.admin,
    )

    april = run_of(APRIL, APRIL_END, w.admin)

    [line] = april.lines.all()
    assert (line.person_id, line.kind, line.amount, line.credit) == (
        w.rep.pk,
        "clawback",
        D("-2259.62"),
        D("-25000.00"),
    )
    assert line.component_id == v.components.get().pk  # the March component, at its rate
    [credit] = line.credits.all()
    assert (credit.order_line_id, credit.value, credit.amount) == (
        order.lines.get().pk,
        D("-25000.00"),
        D("-2259.62"),
    )
    assert line.trace[0]["rule"] == "clawback"
    assert (april.total, march.total) == (D("-2259.62"), D("29375.00"))


def test_a_cancelled_order_claws_back_everything_paid_for_it():
    """A flat 10 % paid 500.00 in March on an order of 5,000 that is cancelled on 3 April
    (before delivery): the April run takes the 500.00 back."""
    w = make_world()
    assign(make_plan(by=w.admin, components=[flat("0.10")]), w.rep)
    order = sell(w.rep, euro("1000.00"), "5", dt.date(2025, 3, 10))
    approved(MARCH, MARCH_END, w.admin)
    order_cancel(order=order, on=dt.date(2025, 4, 3), reason="Customer withdrew", by=w.admin)

    april = run_of(APRIL, APRIL_END, w.admin)

    assert lines_of(april) == [(w.rep.pk, "clawback", D("-500.00"))]
    assert april.lines.get().credits.get().amount == D("-500.00")


def test_a_recoverable_draw_is_advanced_then_repaid_and_a_non_recoverable_one_is_not():
    """Draw of 1,000 a month, 10 % commission. March: rep and rep2 each earn 600 → +400.00
    topped up; rep's (recoverable) is owed: 400. April: each earns 1,500; rep repays the 400
    (−400.00, owed 0), rep2 keeps it all (no draw line)."""
    w = make_world()
    assign(make_plan(by=w.admin, components=[flat("0.10")]), w.rep, draw_amount="1000")
    assign(
        make_plan(by=w.admin, components=[flat("0.10")]),
        w.rep2,
        draw_amount="1000",
        draw_recoverable=False,
    )
    product = euro("1000.00")
    for person in (w.rep, w.rep2):
        sell(person, product, "6", dt.date(2025, 3, 10))
        sell(person, product, "15", dt.date(2025, 4, 10))

    march = approved(MARCH, MARCH_END, w.admin)
    april = run_of(APRIL, APRIL_END, w.admin)

    assert lines_of(march) == [
        (w.rep.pk, "commission", D("600.00")),
        (w.rep.pk, "draw", D("400.00")),
        (w.rep2.pk, "commission", D("600.00")),
        (w.rep2.pk, "draw", D("400.00")),
    ]
    assert march.lines.get(person=w.rep, kind="draw").balance_after == D("400.00")
    assert march.lines.get(person=w.rep2, kind="draw").balance_after is None
    assert lines_of(april) == [
        (w.rep.pk, "commission", D("1500.00")),
        (w.rep.pk, "draw", D("-400.00")),
        (w.rep2.pk, "commission", D("1500.00")),
    ]
    assert april.lines.get(person=w.rep, kind="draw").balance_after == D("0.00")
    assert (march.total, april.total) == (D("2000.00"), D("2600.00"))


def test_an_adjustment_is_paid_in_the_run_of_its_period():
    w = make_world()
    assign(make_plan(by=w.admin, components=[flat("0.10")]), w.rep)
    adj = adjustment_create(
        person=w.rep,
        effective_on=dt.date(2025, 4, 15),
        amount="-40.00",
        reason="Demo unit",
        author=w.admin,
    )

    march, april = run_of(MARCH, MARCH_END, w.admin), run_of(APRIL, APRIL_END, w.admin)

    assert lines_of(march) == []
    assert lines_of(april) == [(w.rep.pk, "adjustment", D("-40.00"))]
    assert april.lines.get().adjustment == adj


def test_an_upheld_dispute_is_paid_in_the_next_run():
    """rep disputes March's line; the admin upholds it with 150.00 on 15 April: the April run
    pays it as an adjustment."""
    w, _v, _order = kpis_world()
    make_goal(w, person=w.rep, target="250000.00", start=APRIL)
    march = approved(MARCH, MARCH_END, w.admin)
    line = march.lines.get()

    dispute = dispute_open(line=line, by=w.rep, reason="The 5 March order is missing")
    decided = dispute_decide(
        dispute=dispute,
        by=w.admin,
        upheld=True,
        outcome="It was booked late",
        amount="150.00",
        effective_on=dt.date(2025, 4, 15),
    )
    april = run_of(APRIL, APRIL_END, w.admin)

    assert decided.adjustment is not None
    assert (decided.status, decided.adjustment.amount) == ("approved", D("150.00"))
    assert lines_of(april) == [(w.rep.pk, "adjustment", D("150.00"))]
    assert april.lines.get().adjustment == decided.adjustment


def test_a_draft_runs_lines_cannot_be_disputed():
    w, _v, _order = kpis_world()
    line = run_of(MARCH, MARCH_END, w.admin).lines.get()

    with pytest.raises(ValidationError) as err:
        dispute_open(line=line, by=w.rep, reason="Too low")

    assert list(err.value.message_dict) == ["line"]
    assert Dispute.objects.count() == 0


# ---------------------------------------------------------------- bad input saves nothing


def test_overlapping_published_versions_are_refused():
    w = make_world()
    v = make_plan(by=w.admin, components=[flat("0.10")])
    draft = version_copy(version=v)
    before = counts()

    with pytest.raises(ValidationError) as err:
        version_publish(version=draft, by=w.admin)

    assert list(err.value.message_dict) == ["effective_from"]
    draft.refresh_from_db()
    assert (draft.status, counts()) == ("draft", before)


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        (
            [
                {"floor_pct": "0", "ceiling_pct": "100", "rate": "0.08"},
                {"floor_pct": "110", "ceiling_pct": "", "rate": "0.12"},
            ],
            "Gap between 100 % and 110 %: tiers[1] must start where the one before ends.",
        ),
        (
            [
                {"floor_pct": "0", "ceiling_pct": "100", "rate": "0.08"},
                {"floor_pct": "90", "ceiling_pct": "", "rate": "0.12"},
            ],
            "tiers[1] starts at 90 %, inside the one before (which ends at 100 %).",
        ),
    ],
)
def test_tiers_with_a_gap_or_an_overlap_are_refused(tiers, message):
    w = make_world()
    draft = make_plan(by=w.admin, components=[], publish=False)
    before = counts()

    with pytest.raises(ValidationError) as err:
        component_save(version=draft, **component(kind="marginal", tiers=tiers))

    assert err.value.message_dict == {"tiers": [message]}
    assert counts() == before


def test_a_flat_component_keeps_no_tiers_left_from_an_earlier_kind():
    w = make_world()
    draft = make_plan(by=w.admin, components=[], publish=False)

    saved = component_save(version=draft, **flat("0.05", tiers=KPIS_TIERS))

    saved.refresh_from_db()
    assert (saved.kind, saved.rate, saved.tiers) == ("flat", D("0.050000"), [])


def test_bands_on_a_retroactive_component_are_refused_as_they_would_not_be_applied():
    w = make_world()
    draft = make_plan(by=w.admin, components=[], publish=False)
    before = counts()

    with pytest.raises(ValidationError) as err:
        component_save(
            version=draft,
            **component(
                kind="retroactive",
                tiers=KPIS_TIERS,
                bands=[{"floor_pct": "0", "ceiling_pct": "", "factor": "1.5"}],
            ),
        )

    assert list(err.value.message_dict) == ["bands"]
    assert err.value.messages[0].startswith("Accelerator bands apply to flat and marginal")
    assert counts() == before


def test_a_negative_rate_is_refused():
    w = make_world()
    draft = make_plan(by=w.admin, components=[], publish=False)
    before = counts()

    with pytest.raises(ValidationError) as err:
        component_save(version=draft, **flat("-0.01"))

    assert err.value.message_dict == {"rate": ["cannot be negative."]}
    assert counts() == before


def test_splits_not_adding_up_to_100_are_refused_and_the_old_ones_kept():
    w = make_world()
    order = sell(w.rep, euro("100.00"), "1", dt.date(2025, 3, 5))
    credit_splits_set(order=order, shares=[(w.rep, D("50")), (w.rep2, D("50"))])
    before = counts()

    with pytest.raises(ValidationError) as err:
        credit_splits_set(order=order, shares=[(w.rep, D("60")), (w.rep2, D("30"))])

    assert err.value.message_dict == {
        "shares": ["The shares add up to 90 %; they must add up to 100 %."]
    }
    assert counts() == before
    assert sorted(CreditSplit.objects.values_list("share_pct", flat=True)) == [D("50"), D("50")]


def test_a_run_for_a_period_with_no_plan_is_refused():
    w = make_world()
    make_plan(by=w.admin, components=[flat("0.10")], effective_from=APRIL)  # not yet in March
    before = counts()

    with pytest.raises(ValidationError) as err:
        run_request(period_start=MARCH, period_end=MARCH_END, by=w.admin)

    assert list(err.value.message_dict) == ["period_start"]
    assert "No published plan is in force on 2025-03-31" in err.value.messages[0]
    assert counts() == before


def test_a_tiered_plan_without_a_goal_for_someone_is_refused_naming_them():
    w = make_world()
    v = make_plan(by=w.admin, components=[component(kind="marginal", tiers=KPIS_TIERS)])
    assign(v, w.rep)
    assign(v, w.rep2)
    make_goal(w, person=w.rep, target="250000.00")
    before = counts()

    with pytest.raises(ValidationError) as err:
        run_request(period_start=MARCH, period_end=MARCH_END, by=w.admin)

    assert list(err.value.message_dict) == ["period_start"]
    assert w.rep2.full_name in err.value.messages[0]
    assert w.rep.full_name not in err.value.messages[0]
    assert counts() == before


def test_a_hurdle_without_a_goal_is_refused_too():
    """A hurdle can only be checked against a goal: without one it must not silently pay."""
    w = make_world()
    assign(make_plan(by=w.admin, components=[flat("0.10", hurdle_pct="50")]), w.rep)

    with pytest.raises(ValidationError) as err:
        run_request(period_start=MARCH, period_end=MARCH_END, by=w.admin)

    assert w.rep.full_name in err.value.message_dict["period_start"][0]


def test_a_goal_removed_after_the_request_is_recorded_on_the_run():
    from attain.goals.models import Goal

    w, _v, _order = kpis_world()
    run = run_request(period_start=MARCH, period_end=MARCH_END, by=w.admin)
    Goal.objects.filter(person=w.rep).delete()

    with pytest.raises(ValidationError):
        run_calculate(run=run)

    run.refresh_from_db()
    assert w.rep.full_name in run.error
    assert (run.status, run.calculated_at, run.lines.count()) == ("draft", None, 0)


def write_one_then_die(model, names, rows):
    """Writes the first credit, then the worker is killed."""
    from attain.core.bulk import insert_rows

    insert_rows(model, names, [next(iter(rows))])
    raise RuntimeError("worker killed")


@pytest.mark.parametrize("where", ["_store", "credits"])
def test_a_worker_dying_mid_run_leaves_nothing_half_written(monkeypatch, where):
    """The first calculation stands; a second one dies after the lines are written (or while
    the credits are): no new line or credit remains, the run keeps its earlier figures."""
    w, _v, _order = kpis_world()
    run = run_of(MARCH, MARCH_END, w.admin)
    sell(w.rep, euro("100.00"), "1", dt.date(2025, 3, 20))  # the next calculation would differ
    before = (counts(), run.total, run.digest, run.calculated_at, lines_of(run))
    line_ids = list(PayoutLine.objects.values_list("pk", flat=True))

    def die(*args, **kwargs):
        raise RuntimeError("worker killed")

    if where == "_store":
        real = services._store

        def store_then_die(run, result):
            real(run, result)
            die()

        monkeypatch.setattr(services, "_store", store_then_die)
    else:
        monkeypatch.setattr(services, "insert_rows", write_one_then_die)

    with pytest.raises(RuntimeError):
        run_calculate(run=run)

    run.refresh_from_db()
    assert (counts(), run.total, run.digest, run.calculated_at, lines_of(run)) == before
    assert list(PayoutLine.objects.values_list("pk", flat=True)) == line_ids
    assert run.status == "draft"


def test_a_first_calculation_dying_leaves_no_lines(monkeypatch):
    w, _v, _order = kpis_world()
    run = run_request(period_start=MARCH, period_end=MARCH_END, by=w.admin)
    monkeypatch.setattr(services, "insert_rows", write_one_then_die)
    with pytest.raises(RuntimeError):
        run_calculate(run=run)

    run.refresh_from_db()
    assert (PayoutLine.objects.count(), Credit.objects.count()) == (0, 0)
    assert (run.status, run.total, run.digest, run.calculated_at) == ("draft", D("0"), "", None)


# ---------------------------------------------------------------- the task worker


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_requested_run_is_calculated_by_the_task_worker():
    from django_tasks_db.models import DBTaskResult

    w, _v, _order = kpis_world()

    run = run_request(period_start=MARCH, period_end=MARCH_END, by=w.admin)  # commits: enqueued
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    run.refresh_from_db()
    assert (run.status, run.total, run.payees) == ("draft", D("29375.00"), 1)
    assert run.calculated_at is not None
    result = DBTaskResult.objects.get()
    assert (result.status, result.return_value) == ("SUCCESSFUL", "draft")


def test_the_task_is_idempotent_and_records_a_refusal_without_failing():
    from attain.goals.models import Goal
    from attain.incentives.tasks import payout_run_calculate_task

    w, _v, _order = kpis_world()
    run = run_request(period_start=MARCH, period_end=MARCH_END, by=w.admin)
    assert payout_run_calculate_task.call(run.pk) == "draft"
    digest = PayoutRun.objects.get().digest
    assert payout_run_calculate_task.call(run.pk) == "draft"  # again: the same figures
    assert (PayoutRun.objects.get().digest, PayoutLine.objects.count()) == (digest, 1)

    Goal.objects.all().delete()
    assert payout_run_calculate_task.call(run.pk) == "draft"
    run.refresh_from_db()
    assert w.rep.full_name in run.error and run.digest == digest

    make_goal(w, person=w.rep, target="250000.00")
    run_approve(run=run, by=w.admin)
    assert payout_run_calculate_task.call(run.pk) == "approved"  # left alone
    assert PayoutRun.objects.get().digest == digest
    assert payout_run_calculate_task.call(run.pk + 1000) == "discarded"
