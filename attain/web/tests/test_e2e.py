"""End-to-end journeys in a real headless browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from attain.organization.tests.factories import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true" or os.environ.get("ATTAIN_REQUIRE_BROWSER") == "true":
            pytest.fail(f"Chromium is required for browser tests and was not found at {CHROMIUM}")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield instance
        instance.close()


def _sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_manager_signs_in_and_browses_the_areas(world, live_server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _sign_in(page, live_server, "manager")
    assert page.locator("h1").first.inner_text().startswith("Welcome")
    page.screenshot(path=str(SHOTS / "home.png"), full_page=True)
    page.goto(f"{live_server.url}/organization/people/")
    from playwright.sync_api import expect

    # Division A: manager, assistant, leader, two reps in A1, the rep in A2, the marketer.
    expect(page.locator("tbody tr")).to_have_count(7)
    page.fill("#q", "Leader")  # live search (htmx) narrows the list without a page load
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("p.count")).to_have_text("1 record")
    page.screenshot(path=str(SHOTS / "people.png"), full_page=True)
    page.goto(f"{live_server.url}/area/pay/")
    assert "Coming to this area" in page.content()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_rep_cannot_open_a_colleagues_page(world, live_server, browser):
    page = browser.new_page()
    _sign_in(page, live_server, "rep")
    response = page.goto(f"{live_server.url}/organization/people/{world.rep2.pk}/")
    assert response is not None and response.status == 404


def test_dashboard_draws_its_charts_under_the_content_security_policy(world, live_server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _sign_in(page, live_server, "leader")
    page.goto(f"{live_server.url}/dashboards/")
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length === 3")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('canvas[data-chart]')).every(c => c.chart)"
    )
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)
    assert "Team A1" in page.locator("h1").inner_text()
    assert errors == [], errors
