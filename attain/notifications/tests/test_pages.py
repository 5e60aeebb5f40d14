"""The email settings on the account page and the list of mails sent (sales operations only)."""

from __future__ import annotations

import pytest

from attain.core.models import UserPreference
from attain.core.services import user_preference_set
from attain.notifications.services import digests_send
from attain.notifications.tests.factories import DIGEST_DAY

pytestmark = pytest.mark.django_db


def _saved(person) -> tuple[bool, bool]:
    return UserPreference.objects.values_list("email_digest", "email_reminders").get(
        user=person.user
    )


def test_account_page_shows_both_boxes_ticked_by_default(world, login_as):
    page = login_as(world.leader).get("/account/").content.decode()

    assert 'action="/account/email/"' in page
    assert '<input type="checkbox" name="email_digest" id="id_email_digest" checked>' in page
    assert '<input type="checkbox" name="email_reminders" id="id_email_reminders" checked>' in page
    assert "Weekly digest of my team&#x27;s results" in page


@pytest.mark.parametrize(
    ("posted", "stored"),
    [
        ({"email_digest": "on"}, (True, False)),
        ({"email_reminders": "on"}, (False, True)),
        ({}, (False, False)),
        ({"email_digest": "on", "email_reminders": "on"}, (True, True)),
    ],
)
def test_account_page_checkboxes_store_exactly_what_is_ticked(world, login_as, posted, stored):
    user_preference_set(user=world.rep.user, language="nl")
    client = login_as(world.rep)

    response = client.post("/account/email/", posted)

    assert response.status_code == 302 and response["Location"] == "/account/"
    assert _saved(world.rep) == stored
    assert UserPreference.objects.get(user=world.rep.user).language == "nl"  # left alone
    page = client.get("/account/").content.decode()
    assert (' name="email_digest" id="id_email_digest" checked>' in page) is stored[0]
    assert (' name="email_reminders" id="id_email_reminders" checked>' in page) is stored[1]


def test_email_settings_need_a_signed_in_post(world, login_as, client):
    assert client.post("/account/email/", {})["Location"].startswith("/login/")
    assert login_as(world.rep).get("/account/email/").status_code == 405
    assert UserPreference.objects.count() == 0


def test_notifications_page_is_for_sales_operations_only(world, sales, login_as, client):
    digests_send(on=DIGEST_DAY)

    assert client.get("/notifications/")["Location"].startswith("/login/")
    assert login_as(world.rep).get("/notifications/").status_code == 403
    assert login_as(world.leader).get("/notifications/").status_code == 403
    response = login_as(world.admin).get("/notifications/")
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 4
    page = response.content.decode()
    assert "Weekly digest for Team A1, week of Nov. 2, 2026" in page
    assert world.leader.email in page


def test_notifications_page_filters_by_status_and_exports(world, sales, login_as):
    digests_send(on=DIGEST_DAY)
    client = login_as(world.admin)

    assert client.get("/notifications/?status=failed").context["page_obj"].paginator.count == 0
    assert client.get("/notifications/?status=sent").context["page_obj"].paginator.count == 4
    export = client.get("/notifications/?export=csv&q=Team+A1")
    lines = export.content.decode("utf-8").lstrip("\ufeff").splitlines()
    assert len(lines) == 2 and "Weekly digest for Team A1" in lines[1]


def test_settings_area_links_the_notifications_page(world, login_as):
    page = login_as(world.admin).get("/area/settings/").content.decode()

    assert '<a href="/notifications/"' in page and "Notifications sent" in page
