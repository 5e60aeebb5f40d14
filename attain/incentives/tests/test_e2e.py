"""A pay journey in a real headless browser: a compensation admin requests a payout run, the
worker calculates it, and the seller opens their statement and its trace."""

from __future__ import annotations

import datetime as dt

import pytest

from attain.incentives.models import PayoutRun

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_admin_requests_a_run_and_the_rep_reads_the_statement(
    world, live_server, browser, sign_in, shots
):
    from playwright.sync_api import expect

    from attain.goals.tests.factories import make_goal
    from attain.incentives import services
    from attain.incentives.tests.factories import KPIS_TIERS, assign, component, make_plan
    from attain.incentives.tests.test_views import grant_pay_admin
    from attain.orders.tests.factories import make_order, make_product

    grant_pay_admin(world.admin)
    version = make_plan(
        by=world.admin,
        name="Field sales",
        components=[component(name="Commission", kind="marginal", tiers=KPIS_TIERS)],
    )
    assign(version, world.rep)
    make_goal(world, person=world.rep, target="250000.00")
    make_order(
        owner=world.rep,
        product=make_product(),
        quantity="1",
        unit_price="325000.00",
        ordered_on=dt.date(2025, 3, 5),
    )
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, "admin")
    page.goto(f"{live_server.url}/pay/runs/new/")
    page.fill("#id_period_start", "2025-03-01")
    page.fill("#id_period_end", "2025-03-31")
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text("calculating…")
    run = PayoutRun.objects.get()
    services.run_calculate(run=run)  # what the task worker does
    expect(page.locator("main")).to_contain_text("29,375.00", timeout=10_000)  # htmx polling
    page.screenshot(path=str(shots / "pay-run.png"), full_page=True)
    page.context.clear_cookies()
    sign_in(page, "rep")
    page.goto(f"{live_server.url}/pay/runs/{run.pk}/people/{world.rep.pk}/")
    expect(page.get_by_test_id("statement-total")).to_have_text("29,375.00")
    page.locator("summary").first.click()
    expect(page.locator("main")).to_contain_text("7,500.00")
    page.screenshot(path=str(shots / "pay-statement.png"), full_page=True)
    page.goto(f"{live_server.url}/pay/")
    expect(page.locator("main")).to_contain_text("You are paid on what you sell.")
    page.screenshot(path=str(shots / "pay-mine.png"), full_page=True)
    assert errors == [], errors
