"""A recognition journey in a real headless browser: a team leader gives an award through the
form, a teammate finds it in the recognition feed and cheers it without a page load (htmx)."""

from __future__ import annotations

import pytest

from attain.recognition.models import Award, Cheer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_leader_gives_an_award_and_a_teammate_cheers_it_in_the_feed(
    world, live_server, browser, sign_in, shots
):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, "leader")
    page.goto(f"{live_server.url}/recognition/awards/new/")
    page.fill("#id_title", "Closer of the month")
    page.fill("#id_value", "50")
    page.fill("#id_given_on", "2026-03-31")
    # choosing the person reloads the form with what motivates them, keeping what was typed
    page.select_option("#id_person", str(world.rep.pk))
    expect(page.locator("#proposal")).to_contain_text("What motivates them")
    expect(page.locator("#id_title")).to_have_value("Closer of the month")
    expect(page.locator("#id_given_on")).to_have_value("2026-03-31")
    page.select_option("#id_kind", "gift_card")
    page.click("main button[type=submit]")
    expect(page.locator("main h1")).to_contain_text("Closer of the month")
    award = Award.objects.get()
    assert (award.person_id, str(award.value), award.kind) == (world.rep.pk, "50.00", "gift_card")

    page.context.clear_cookies()
    sign_in(page, "rep2")  # a teammate
    page.goto(f"{live_server.url}/recognition/")
    card = page.locator("form.cheer").first
    expect(card.locator("span.muted")).to_have_text("0 cheers")
    url_before = page.url
    card.locator("button").click()
    expect(page.locator("form.cheer").first.locator("span.muted")).to_have_text("1 cheer")
    expect(page.locator("form.cheer").first.locator("button")).to_be_disabled()
    assert page.url == url_before
    page.screenshot(path=str(shots / "recognition-feed.png"), full_page=True)
    assert Cheer.objects.filter(person=world.rep2, award=award).count() == 1
    assert not [e for e in errors if "Content Security Policy" in e], errors
