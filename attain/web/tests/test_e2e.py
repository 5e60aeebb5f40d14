"""End-to-end journeys in a real headless browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_manager_signs_in_and_browses_the_areas(world, live_server, browser, sign_in, shots):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, "manager")
    assert page.locator("h1").first.inner_text().startswith("Welcome")
    page.screenshot(path=str(shots / "home.png"), full_page=True)
    page.goto(f"{live_server.url}/organization/people/")
    from playwright.sync_api import expect

    # Division A: manager, assistant, leader, two reps in A1, the rep in A2, the marketer.
    expect(page.locator("tbody tr")).to_have_count(7)
    page.fill("#q", "Leader")  # live search (htmx) narrows the list without a page load
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("p.count")).to_have_text("1 record")
    page.screenshot(path=str(shots / "people.png"), full_page=True)
    page.goto(f"{live_server.url}/area/pay/")
    expect(page.locator("a.card", has_text="My pay")).to_have_count(1)
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_rep_cannot_open_a_colleagues_page(world, live_server, browser, sign_in, shots):
    page = browser.new_page()
    sign_in(page, "rep")
    response = page.goto(f"{live_server.url}/organization/people/{world.rep2.pk}/")
    assert response is not None and response.status == 404


def test_dashboard_draws_its_charts_under_the_content_security_policy(
    world, live_server, browser, sign_in, shots
):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, "leader")
    page.goto(f"{live_server.url}/dashboards/")
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length === 3")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('canvas[data-chart]')).every(c => c.chart)"
    )
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    assert "Team A1" in page.locator("h1").inner_text()
    assert errors == [], errors
