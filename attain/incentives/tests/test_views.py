"""Pay pages: who may open what (403 for non-admins, 404 for pay one may not see), the exact
figures on runs and statements, every form's happy path and a bad-input path (field error,
nothing saved), and query budgets that do not grow with the lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from attain.goals.tests.factories import make_goal
from attain.incentives import services
from attain.incentives.models import (
    Adjustment,
    Assignment,
    Component,
    Dispute,
    PayoutRun,
    Plan,
    PlanAcceptance,
    PlanVersion,
)
from attain.incentives.tests.factories import (
    KPIS_TIERS,
    MARCH,
    MARCH_END,
    assign,
    component,
    make_plan,
)
from attain.orders.tests.factories import make_order, make_product

pytestmark = pytest.mark.django_db


def grant_pay_admin(person) -> None:
    person.user.user_permissions.add(
        Permission.objects.get(codename="manage_pay", content_type__app_label="incentives")
    )


@pytest.fixture
def pay(world):
    """The KPIS.md example for rep (goal 250,000, sales 325,000 → 29,375.00) and a small month
    for rep2 (goal 10,000, sales 5,000 → 8 % = 400.00), calculated in a draft March run; the
    sales-ops admin is also the compensation admin."""
    grant_pay_admin(world.admin)
    version = make_plan(
        by=world.admin,
        name="Field sales",
        components=[component(name="Commission", kind="marginal", tiers=KPIS_TIERS)],
    )
    assign(version, world.rep)
    assign(version, world.rep2)
    make_goal(world, person=world.rep, target="250000.00")
    make_goal(world, person=world.rep2, target="10000.00")
    product = make_product()
    order = make_order(
        owner=world.rep,
        product=product,
        quantity="1",
        unit_price="325000.00",
        ordered_on=dt.date(2025, 3, 5),
    )
    make_order(
        owner=world.rep2,
        product=product,
        quantity="1",
        unit_price="5000.00",
        ordered_on=dt.date(2025, 3, 6),
    )
    run = services.run_request(period_start=MARCH, period_end=MARCH_END, by=world.admin)
    run = services.run_calculate(run=run)
    return {"version": version, "run": run, "order": order}


def _statement_url(run, person) -> str:
    return f"/pay/runs/{run.pk}/people/{person.pk}/"


# ---------------------------------------------------------------- who may open what


ADMIN_PAGES = [
    "/pay/plans/",
    "/pay/plans/new/",
    "/pay/runs/",
    "/pay/runs/new/",
    "/pay/what-if/",
    "/pay/audit/",
    "/pay/adjustments/new/",
]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_are_refused_to_a_manager_without_the_pay_permission(world, pay, login_as, url):
    assert login_as(world.manager).get(url).status_code == 403
    assert login_as(world.admin).get(url).status_code == 200


def test_sales_ops_without_the_pay_permission_cannot_open_runs(world, pay, login_as):
    world.admin.user.user_permissions.clear()
    client = login_as(world.admin)
    assert client.get(f"/pay/runs/{pay['run'].pk}/").status_code == 403
    assert client.get(_statement_url(pay["run"], world.rep)).status_code == 404


def test_pages_need_a_sign_in(client, pay):
    r = client.get("/pay/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_statement_is_seen_by_the_person_their_line_and_pay_admins_only(world, pay, login_as):
    run = pay["run"]
    url = _statement_url(run, world.rep)
    for person in (world.rep, world.leader, world.manager, world.admin):
        r = login_as(person).get(url)
        assert r.status_code == 200, person
        assert "29,375.00" in r.text
    for person in (world.rep2, world.rep_a2, world.manager_b, world.outsider, world.marketer):
        assert login_as(person).get(url).status_code == 404, person
    assert login_as(world.rep).get(_statement_url(run, world.rep2)).status_code == 404
    assert login_as(world.rep).get(f"{url}csv/").status_code == 200
    assert login_as(world.rep2).get(f"{url}csv/").status_code == 404


def test_unknown_ids_are_404(world, pay, login_as):
    client = login_as(world.admin)
    for url in (
        "/pay/plans/999999/",
        "/pay/versions/999999/",
        "/pay/runs/999999/",
        f"/pay/runs/{pay['run'].pk}/people/999999/",
        "/pay/disputes/999999/",
        # someone without lines in the run
        _statement_url(pay["run"], world.rep_a2),
    ):
        assert client.get(url).status_code == 404, url


# ---------------------------------------------------------------- plans


def test_plan_list_detail_and_version_pages(world, pay, login_as):
    version = pay["version"]
    client = login_as(world.admin)
    r = client.get("/pay/plans/")
    assert "Field sales" in r.text
    r = client.get(f"/pay/plans/{version.plan_id}/")
    assert r.status_code == 200
    assert f'href="/pay/versions/{version.pk}/"' in r.text and "Published" in r.text
    assert world.rep.full_name in r.text
    r = client.get(f"/pay/versions/{version.pk}/")
    assert r.status_code == 200
    text = r.text
    assert "Commission, marginal tiers" in text
    assert "0 % – 100 %: 8 %" in text
    assert "100 % – 125 %: 12 %" in text
    assert "125 % – ∞: 15 %" in text
    assert "/edit/" not in text  # published: no editing


def test_plan_create_happy_and_duplicate(world, pay, login_as):
    client = login_as(world.admin)
    r = client.post("/pay/plans/new/", {"name": "Key accounts", "description": "KA"})
    plan = Plan.objects.get(name="Key accounts")
    assert r.status_code == 302 and r["Location"] == f"/pay/plans/{plan.pk}/"
    r = client.post("/pay/plans/new/", {"name": "field SALES"})
    assert r.status_code == 400
    assert "A plan with this name exists already." in r.text
    assert Plan.objects.count() == 2


def test_version_create_edit_and_bad_dates(world, pay, login_as):
    plan = pay["version"].plan
    client = login_as(world.admin)
    r = client.post(
        f"/pay/plans/{plan.pk}/versions/new/",
        {
            "effective_from": "2025-06-01",
            "effective_to": "2025-05-01",
            "goal_metric": "revenue",
            "crediting": "booking",
        },
    )
    assert r.status_code == 400 and "must be after the start (2025-06-01)." in r.text
    assert plan.versions.count() == 1
    r = client.post(
        f"/pay/plans/{plan.pk}/versions/new/",
        {"effective_from": "2025-06-01", "goal_metric": "revenue", "crediting": "booking"},
    )
    draft = plan.versions.get(number=2)
    assert r.status_code == 302 and r["Location"] == f"/pay/versions/{draft.pk}/"
    r = client.post(
        f"/pay/versions/{draft.pk}/edit/",
        {
            "effective_from": "2025-07-01",
            "goal_metric": "gross_margin",
            "crediting": "delivery",
            "document": "New terms",
        },
    )
    assert r.status_code == 302
    draft.refresh_from_db()
    assert (draft.effective_from, draft.goal_metric, draft.document) == (
        dt.date(2025, 7, 1),
        "gross_margin",
        "New terms",
    )
    # a published version cannot be edited
    r = client.post(f"/pay/versions/{pay['version'].pk}/edit/", {"effective_from": "2025-01-01"})
    assert r.status_code == 302
    pay["version"].refresh_from_db()
    assert pay["version"].effective_from == MARCH


def test_component_form_with_tier_table(world, pay, login_as):
    draft = services.version_copy(version=pay["version"])
    client = login_as(world.admin)
    assert client.get(f"/pay/versions/{draft.pk}/components/new/").status_code == 200
    data = {
        "name": "Tiered",
        "kind": "retroactive",
        "basis": "revenue",
        "tier_0_floor": "0",
        "tier_0_ceiling": "100",
        "tier_0_rate": "0.05",
        "tier_1_floor": "100",
        "tier_1_ceiling": "",
        "tier_1_rate": "0.1",
    }
    r = client.post(f"/pay/versions/{draft.pk}/components/new/", data)
    assert r.status_code == 302, r.text
    c = draft.components.get(name="Tiered")
    assert c.tiers == [
        {"floor_pct": "0", "ceiling_pct": "100", "rate": "0.05"},
        {"floor_pct": "100", "ceiling_pct": "", "rate": "0.1"},
    ]
    # edit shows the rows filled in; a gap between tiers is refused, nothing changes
    r = client.get(f"/pay/components/{c.pk}/edit/")
    assert 'name="tier_1_rate"' in r.text and 'value="0.1"' in r.text
    bad = {**data, "tier_1_floor": "110"}
    r = client.post(f"/pay/components/{c.pk}/edit/", bad)
    assert r.status_code == 400
    assert "errorlist" in r.text
    c.refresh_from_db()
    assert c.tiers[1]["floor_pct"] == "100"
    # a half-filled row is named
    r = client.post(
        f"/pay/components/{c.pk}/edit/", {**data, "tier_2_ceiling": "150", "tier_2_rate": ""}
    )
    assert r.status_code == 400 and "Row 3: give the start % and the rate." in r.text
    # a flat commission without its rate
    r = client.post(
        f"/pay/versions/{draft.pk}/components/new/",
        {"name": "Flat", "kind": "flat", "basis": "revenue"},
    )
    assert r.status_code == 400 and "A commission at one rate needs the rate." in r.text
    assert draft.components.count() == 2
    # delete
    r = client.post(f"/pay/components/{c.pk}/delete/")
    assert r.status_code == 302 and not Component.objects.filter(pk=c.pk).exists()


def test_component_of_a_published_version_cannot_change(world, pay, login_as):
    c = pay["version"].components.get()
    client = login_as(world.admin)
    r = client.post(
        f"/pay/components/{c.pk}/edit/",
        {"name": "Changed", "kind": "flat", "basis": "revenue", "rate": "0.5"},
    )
    assert r.status_code == 400 and "copy it into a new draft version" in r.text
    c.refresh_from_db()
    assert c.name == "Commission"


def test_publish_copy_and_end_a_version(world, pay, login_as):
    version = pay["version"]
    client = login_as(world.admin)
    r = client.post(f"/pay/versions/{version.pk}/copy/")
    draft = PlanVersion.objects.get(plan=version.plan, number=2)
    assert r.status_code == 302 and r["Location"] == f"/pay/versions/{draft.pk}/"
    assert draft.components.count() == 1
    # publishing while it overlaps the published one is refused (shown as a message)
    r = client.post(f"/pay/versions/{draft.pk}/publish/", follow=True)
    assert "Overlaps" in r.text
    draft.refresh_from_db()
    assert draft.status == "draft"
    r = client.post(f"/pay/versions/{version.pk}/end/", {"effective_to": "2025-02-01"})
    assert r.status_code == 400 and "must be after the start (2025-03-01)." in r.text
    r = client.post(f"/pay/versions/{version.pk}/end/", {"effective_to": "2025-06-01"})
    assert r.status_code == 302
    services.version_update(
        version=draft,
        effective_from=dt.date(2025, 6, 1),
        effective_to=None,
        goal_metric="revenue",
        crediting="booking",
        document="v2",
    )
    r = client.post(f"/pay/versions/{draft.pk}/publish/")
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_by == world.admin
    assert client.get("/pay/versions/999999/publish/").status_code == 405


def test_assignment_create_and_end(world, pay, login_as):
    plan = pay["version"].plan
    client = login_as(world.admin)
    r = client.post(
        f"/pay/plans/{plan.pk}/assignments/new/",
        {
            "role": "team_leader",
            "unit": world.team_a1.pk,
            "start": "2025-03-01",
            "credit_scope": "team",
            "draw_amount": "500.00",
            "ramp": "50, 75 %, 100",
        },
    )
    assert r.status_code == 302, r.text
    a = Assignment.objects.get(role="team_leader")
    assert (a.unit, a.credit_scope, a.draw_amount, a.draw_recoverable, a.ramp) == (
        world.team_a1,
        "team",
        Decimal("500.00"),
        False,  # an unticked checkbox
        ["50", "75", "100"],
    )
    r = client.post(
        f"/pay/plans/{plan.pk}/assignments/new/",
        {"person": world.rep.pk, "start": "2025-04-01", "credit_scope": "own", "ramp": "50, x"},
    )
    assert r.status_code == 400 and "Month 2 of the ramp" in r.text
    r = client.post(
        f"/pay/plans/{plan.pk}/assignments/new/",
        {"person": world.rep.pk, "start": "2025-04-01", "credit_scope": "own"},
    )
    assert r.status_code == 400 and "already assigned to this plan" in r.text
    assert plan.assignments.count() == 3
    r = client.post(f"/pay/assignments/{a.pk}/end/", {"end": "2025-01-01"})
    assert r.status_code == 400
    r = client.post(f"/pay/assignments/{a.pk}/end/", {"end": "2025-06-01"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.end == dt.date(2025, 6, 1)


# ---------------------------------------------------------------- runs


def test_run_list_and_detail_show_the_totals(world, pay, login_as):
    run = pay["run"]
    client = login_as(world.admin)
    r = client.get("/pay/runs/")
    assert "2025-03-01 – 2025-03-31" in r.text and "29,775.00" in r.text
    r = client.get(f"/pay/runs/{run.pk}/")
    assert r.status_code == 200
    text = r.text
    assert "29,775.00" in text  # 29,375.00 + 400.00
    assert "29,375.00" in text and "400.00" in text
    assert f'href="/pay/runs/{run.pk}/people/{world.rep.pk}/"' in text
    assert "calculating…" not in text and "hx-trigger" not in text


def test_run_request_shows_calculating_until_the_worker_is_done(world, pay, login_as):
    for person in (world.rep, world.rep2):
        make_goal(world, person=person, start=dt.date(2025, 4, 1), target="1000.00")
    client = login_as(world.admin)
    r = client.post("/pay/runs/new/", {"period_start": "2025-04-01", "period_end": "2025-04-30"})
    run = PayoutRun.objects.get(period_start=dt.date(2025, 4, 1))
    assert r.status_code == 302 and r["Location"] == f"/pay/runs/{run.pk}/"
    r = client.get(f"/pay/runs/{run.pk}/")
    assert "calculating…" in r.text and 'hx-trigger="every 2s"' in r.text
    assert "calculating…" in client.get("/pay/runs/").text
    PayoutRun.objects.filter(pk=run.pk).update(error="No goal for Pat")
    r = client.get(f"/pay/runs/{run.pk}/")
    assert "The last calculation failed: No goal for Pat" in r.text


def test_run_request_bad_period_saves_nothing(world, pay, login_as):
    client = login_as(world.admin)
    r = client.post("/pay/runs/new/", {"period_start": "2025-04-30", "period_end": "2025-04-01"})
    assert r.status_code == 400 and "must not be before the first day (2025-04-30)." in r.text
    r = client.post("/pay/runs/new/", {"period_start": "2025-03-15", "period_end": "2025-04-14"})
    assert r.status_code == 400 and "Overlaps the payout run of" in r.text
    r = client.post("/pay/runs/new/", {"period_start": "nope"})
    assert r.status_code == 400
    assert PayoutRun.objects.count() == 1


def test_approve_mark_paid_and_refusals(world, pay, login_as):
    run = pay["run"]
    client = login_as(world.admin)
    assert client.get(f"/pay/runs/{run.pk}/approve/").status_code == 405
    r = client.post(f"/pay/runs/{run.pk}/paid/", follow=True)
    assert "Only an approved run can be marked paid." in r.text
    r = client.post(f"/pay/runs/{run.pk}/approve/")
    assert r.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.approved_by) == ("approved", world.admin)
    r = client.post(f"/pay/runs/{run.pk}/discard/", follow=True)
    assert "cannot be discarded" in r.text and PayoutRun.objects.filter(pk=run.pk).exists()
    r = client.post(f"/pay/runs/{run.pk}/calculate/", follow=True)
    assert "approved" in r.text
    run.refresh_from_db()
    assert run.status == "approved"
    r = client.post(f"/pay/runs/{run.pk}/paid/")
    run.refresh_from_db()
    assert run.status == "paid" and run.paid_by == world.admin
    assert login_as(world.manager).post(f"/pay/runs/{run.pk}/approve/").status_code == 403


def test_approve_refused_when_inputs_changed_and_recalculate(world, pay, login_as):
    run = pay["run"]
    make_order(
        owner=world.rep2,
        product=make_product(),
        quantity="1",
        unit_price="1000.00",
        ordered_on=dt.date(2025, 3, 20),
    )
    client = login_as(world.admin)
    r = client.post(f"/pay/runs/{run.pk}/approve/", follow=True)
    assert "calculate it again" in r.text
    run.refresh_from_db()
    assert run.status == "draft"
    r = client.post(f"/pay/runs/{run.pk}/calculate/")
    assert r.status_code == 302
    run.refresh_from_db()
    assert run.error == "" and run.status == "draft"


def test_discard_a_draft(world, pay, login_as):
    run = pay["run"]
    r = login_as(world.admin).post(f"/pay/runs/{run.pk}/discard/")
    assert r.status_code == 302 and r["Location"] == "/pay/runs/"
    assert not PayoutRun.objects.exists()


def test_adjustment_form(world, pay, login_as):
    run = pay["run"]
    client = login_as(world.admin)
    r = client.get(f"/pay/adjustments/new/?run={run.pk}")
    assert r.status_code == 200 and 'value="2025-03-01"' in r.text
    r = client.post(
        f"/pay/adjustments/new/?run={run.pk}",
        {"person": world.rep.pk, "effective_on": "2025-03-31", "amount": "0", "reason": "x"},
    )
    assert r.status_code == 400 and "An adjustment of zero changes nothing." in r.text
    r = client.post(
        f"/pay/adjustments/new/?run={run.pk}",
        {"person": world.admin.pk, "effective_on": "2025-03-31", "amount": "10", "reason": "x"},
    )
    assert r.status_code == 400 and "Nobody adjusts their own pay." in r.text
    assert not Adjustment.objects.exists()
    r = client.post(
        f"/pay/adjustments/new/?run={run.pk}",
        {
            "person": world.rep.pk,
            "effective_on": "2025-03-31",
            "amount": "-40.00",
            "reason": "Duplicate",
        },
    )
    assert r.status_code == 302 and r["Location"] == f"/pay/runs/{run.pk}/"
    assert "-40.00" in client.get(f"/pay/runs/{run.pk}/").text


# ---------------------------------------------------------------- statements


def test_statement_shows_lines_trace_credits_and_links(world, pay, login_as):
    run, order = pay["run"], pay["order"]
    r = login_as(world.rep).get(_statement_url(run, world.rep))
    text = r.text
    assert "Commission" in text
    assert "325,000.00" in text  # credit
    assert "250,000.00" in text  # goal
    assert "130.00 %" in text  # attainment
    assert "20,000.00" in text and "7,500.00" in text and "1,875.00" in text  # steps
    assert "29,375.00" in text
    assert f'href="/orders/{order.pk}/"' in text and order.number in text
    assert "<details>" in text
    assert "/dispute/" not in text  # a draft's lines are disputed once approved
    assert f"/pay/runs/{run.pk}/people/{world.rep.pk}/pdf/" in text
    services.run_approve(run=run, by=world.admin)
    text = login_as(world.rep).get(_statement_url(run, world.rep)).text
    assert f'action="/pay/lines/{run.lines.get(person=world.rep).pk}/dispute/"' in text
    # the manager sees it but cannot dispute it
    assert "/dispute/" not in login_as(world.manager).get(_statement_url(run, world.rep)).text


def test_statement_csv(world, pay, login_as):
    run = pay["run"]
    r = login_as(world.rep).get(_statement_url(run, world.rep) + "csv/")
    assert r["Content-Type"].startswith("text/csv")
    body = r.content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("line,kind,label,order")
    assert "29375.00" in body and pay["order"].number in body


def test_statement_pdf(world, pay, login_as):
    pytest.importorskip("attain.incentives.pdf")
    r = login_as(world.rep).get(_statement_url(pay["run"], world.rep) + "pdf/")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


def _more_lines(world, run, n: int) -> None:
    """n more orders of rep in March, then the run calculated again: n more credits."""
    product = make_product()
    for i in range(n):
        make_order(
            owner=world.rep,
            product=product,
            quantity="1",
            unit_price="100.00",
            ordered_on=dt.date(2025, 3, 10 + i % 10),
        )
    services.run_calculate(run=run)


# measured: the same with 1 and 13 credited order lines (session, user, permissions, scope and
# the statement's own reads, prefetched)
STATEMENT_BUDGET = 17
RUN_DETAIL_BUDGET = 10


@pytest.mark.parametrize("extra", [0, 12])
def test_statement_query_budget(world, pay, login_as, django_assert_max_num_queries, extra):
    _more_lines(world, pay["run"], extra)
    client = login_as(world.rep)
    with django_assert_max_num_queries(STATEMENT_BUDGET):
        r = client.get(_statement_url(pay["run"], world.rep))
    assert r.status_code == 200


@pytest.mark.parametrize("extra", [0, 12])
def test_run_detail_query_budget(world, pay, login_as, django_assert_max_num_queries, extra):
    _more_lines(world, pay["run"], extra)
    client = login_as(world.admin)
    with django_assert_max_num_queries(RUN_DETAIL_BUDGET):
        r = client.get(f"/pay/runs/{pay['run'].pk}/")
    assert r.status_code == 200


# ---------------------------------------------------------------- disputes


def test_dispute_raised_on_a_line_and_decided_by_the_manager(world, pay, login_as):
    run = services.run_approve(run=pay["run"], by=world.admin)
    line = run.lines.get(person=world.rep)
    client = login_as(world.rep)
    r = client.post(f"/pay/lines/{line.pk}/dispute/", {"reason": "  "})
    assert r.status_code == 400 and not Dispute.objects.exists()
    r = client.post(f"/pay/lines/{line.pk}/dispute/", {"reason": "Order 2 is missing"})
    dispute = Dispute.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/pay/disputes/{dispute.pk}/"
    # once open, a second one is refused
    r = client.post(f"/pay/lines/{line.pk}/dispute/", {"reason": "again"})
    assert r.status_code == 400 and "disputed already" in r.text
    # the raiser sees it but cannot decide it
    r = client.get(f"/pay/disputes/{dispute.pk}/")
    assert r.status_code == 200 and "Order 2 is missing" in r.text and "Decide" not in r.text
    assert client.post(f"/pay/disputes/{dispute.pk}/", {"decision": "reject"}).status_code == 403
    assert "Commission" in client.get("/pay/").text
    # a colleague cannot see it, nor dispute someone else's line
    assert login_as(world.rep2).get(f"/pay/disputes/{dispute.pk}/").status_code == 404
    assert (
        login_as(world.rep2).post(f"/pay/lines/{line.pk}/dispute/", {"reason": "x"}).status_code
        == 404
    )
    # the manager decides: a rejected dispute cannot carry money
    client = login_as(world.manager)
    assert "Commission" in client.get("/pay/disputes/").text
    r = client.post(
        f"/pay/disputes/{dispute.pk}/",
        {"decision": "reject", "outcome": "No", "amount": "10.00"},
    )
    assert r.status_code == 400 and "Only an upheld dispute can carry an adjustment." in r.text
    dispute.refresh_from_db()
    assert dispute.status == "open"
    r = client.post(
        f"/pay/disputes/{dispute.pk}/",
        {
            "decision": "uphold",
            "outcome": "Order 2 was booked late",
            "amount": "120.00",
            "effective_on": "2025-04-10",
        },
    )
    assert r.status_code == 302
    dispute.refresh_from_db()
    assert dispute.adjustment is not None
    assert (dispute.status, dispute.reviewed_by, dispute.adjustment.amount) == (
        "approved",
        world.manager,
        Decimal("120.00"),
    )
    assert dispute.adjustment.effective_on == dt.date(2025, 4, 10)
    text = client.get(f"/pay/disputes/{dispute.pk}/").text
    assert "120.00" in text and "Upheld" in text


def test_adjustment_list_shows_the_run_of_each_period_to_those_who_may_see(world, pay, login_as):
    """One adjustment in March (its draft run exists), one in May (not run yet): the admin
    sees both with the state of their period's run and a New adjustment button; rep sees
    only theirs, rep2 none, and neither gets the button; the list exports too."""
    services.adjustment_create(
        person=world.rep,
        effective_on=dt.date(2025, 3, 31),
        amount="-40.00",
        reason="Duplicate order",
        author=world.admin,
    )
    services.adjustment_create(
        person=world.rep2,
        effective_on=dt.date(2025, 5, 2),
        amount="125.00",
        reason="Trade fair",
        author=world.admin,
    )
    admin = login_as(world.admin).get("/pay/adjustments/")
    assert admin.status_code == 200 and "2 records" in admin.text
    rows = admin.text.split("<tr")[2:]
    assert "Trade fair" in rows[0] and "125.00" in rows[0] and "not run yet" in rows[0]
    assert "Duplicate order" in rows[1] and "-40.00" in rows[1] and "Draft" in rows[1]
    assert 'href="/pay/adjustments/new/"' in admin.text

    mine = login_as(world.rep).get("/pay/adjustments/").text
    assert "1 record" in mine and "Duplicate order" in mine and "Trade fair" not in mine
    assert 'href="/pay/adjustments/new/"' not in mine
    assert "0 records" in login_as(world.rep_b).get("/pay/adjustments/").text

    csv = login_as(world.admin).get("/pay/adjustments/?export=csv")
    assert csv.status_code == 200
    assert "Trade fair" in csv.content.decode() and "not run yet" in csv.content.decode()


def test_dispute_list_only_shows_what_one_may_see(world, pay, login_as):
    run = services.run_approve(run=pay["run"], by=world.admin)
    line = run.lines.get(person=world.rep2)
    services.dispute_open(line=line, by=world.rep2, reason="Missing 5,000")
    rows = login_as(world.rep).get("/pay/disputes/").text
    assert "0 records" in rows
    assert "1 record" in login_as(world.rep2).get("/pay/disputes/").text
    assert "1 record" in login_as(world.leader).get("/pay/disputes/").text
    assert "0 records" in login_as(world.manager_b).get("/pay/disputes/").text


# ---------------------------------------------------------------- my pay


def test_my_pay_lists_statements_plans_and_accepts(world, pay, login_as, monkeypatch):
    import attain.incentives.selectors as selectors

    monkeypatch.setattr(selectors, "today", lambda: dt.date(2025, 3, 15))
    version = pay["version"]
    client = login_as(world.rep)
    r = client.get("/pay/")
    assert r.status_code == 200
    text = r.text
    assert f'href="/pay/runs/{pay["run"].pk}/people/{world.rep.pk}/"' in text
    assert "29,375.00" in text and "400.00" not in text
    assert "You are paid on what you sell." in text
    assert f'action="/pay/versions/{version.pk}/accept/"' in text
    r = client.post(f"/pay/versions/{version.pk}/accept/")
    assert r.status_code == 302
    acceptance = PlanAcceptance.objects.get()
    assert acceptance.person == world.rep
    text = client.get("/pay/").text
    assert "accepted" in text and f'action="/pay/versions/{version.pk}/accept/"' not in text
    r = client.post(f"/pay/versions/{version.pk}/accept/", follow=True)
    assert "You accepted this plan on" in r.text
    assert PlanAcceptance.objects.count() == 1
    # a plan that does not pay you cannot be accepted
    assert login_as(world.rep_a2).post(f"/pay/versions/{version.pk}/accept/").status_code == 404
    assert login_as(world.rep).get(f"/pay/versions/{version.pk}/accept/").status_code == 405


# ---------------------------------------------------------------- what-if and audit


def test_what_if_compares_a_draft_with_what_was_paid(world, pay, login_as):
    draft = services.version_copy(version=pay["version"])
    c = draft.components.get()
    services.component_save(
        version=draft,
        component=c,
        **{**component(name="Flat", kind="flat", rate="0.1"), "tiers": []},
    )
    client = login_as(world.admin)
    assert client.get("/pay/what-if/").status_code == 200
    r = client.get(
        "/pay/what-if/", {"version": draft.pk, "months": "1", "last_month": "2025-03-15"}
    )
    assert r.status_code == 200, r.text
    text = r.text
    # published: 29,375.00 + 400.00; draft at a flat 10 %: 32,500.00 + 500.00
    assert "29,775.00" in text and "33,000.00" in text and "3,225.00" in text
    assert world.rep.full_name in text and world.rep2.full_name in text
    assert "2025-03" in text
    r = client.get("/pay/what-if/", {"version": pay["version"].pk, "months": "7"})
    assert r.status_code == 400 and "errorlist" in r.text


def test_audit_log_shows_before_and_after(world, pay, login_as):
    client = login_as(world.admin)
    client.post(f"/pay/runs/{pay['run'].pk}/approve/")
    r = client.get("/pay/audit/")
    assert r.status_code == 200
    assert "payout run" in r.text and "draft → approved" in r.text
