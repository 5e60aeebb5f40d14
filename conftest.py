"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.test import Client

from attain.organization.tests.factories import PASSWORD, World, make_world

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = Path(__file__).resolve().parent / "var" / "screenshots"


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture
def login_as(client: Client):
    """`login_as(person)` signs the test client in as that person and returns the client."""

    def _login(person) -> Client:
        client.logout()
        assert client.login(username=person.user.username, password=PASSWORD)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def browser():
    """Debian's Chromium driven by Playwright, for the journeys marked `e2e`."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true" or os.environ.get("ATTAIN_REQUIRE_BROWSER") == "true":
            pytest.fail(f"Chromium is required for browser tests and was not found at {CHROMIUM}")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def sign_in(live_server):
    """`sign_in(page, username)` signs a browser page in through the login form."""

    def _sign_in(page, username: str) -> None:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

    return _sign_in


@pytest.fixture
def shots() -> Path:
    """Where journeys leave their screenshots (var/screenshots, not committed)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
