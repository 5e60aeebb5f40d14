"""Unsubscribing from a mail without signing in: the link of each mail turns off exactly its kind
after a confirming POST (a GET changes nothing), mail programs' one-click POST works without a
CSRF token, and a tampered or foreign token is refused."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client

from attain.core.models import UserPreference
from attain.core.services import user_preference_set
from attain.notifications.mails import UNSUBSCRIBE_SALT, unsubscribe_token
from attain.notifications.services import digests_send, reminders_send
from attain.notifications.tests.factories import DIGEST_DAY

pytestmark = pytest.mark.django_db


def _link(mailoutbox, person) -> str:
    """The path of the List-Unsubscribe link of the mail sent to `person`."""
    mail = next(m for m in mailoutbox if m.to == [person.email])
    return urlsplit(mail.extra_headers["List-Unsubscribe"].strip("<>")).path


def _preference(person) -> tuple[str, bool, bool] | None:
    return (
        UserPreference.objects.filter(user=person.user)
        .values_list("language", "email_digest", "email_reminders")
        .first()
    )


def test_the_digest_link_asks_first_then_turns_off_only_the_digest(world, sales, mailoutbox):
    digests_send(on=DIGEST_DAY)
    path = _link(mailoutbox, world.leader)
    anonymous = Client(enforce_csrf_checks=True)

    page = anonymous.get(path)
    assert page.status_code == 200
    assert "Stop the “Weekly digest” mails from Attain?" in page.content.decode()
    assert '<form method="post">' in page.content.decode()
    assert _preference(world.leader) is None  # a GET (a mail scanner) changes nothing

    done = anonymous.post(path)
    assert done.status_code == 200
    assert "you will no longer get “Weekly digest” mails" in done.content.decode()
    assert _preference(world.leader) == ("", False, True)

    next_week = digests_send(on=DIGEST_DAY.replace(day=16))
    assert next_week.sent == 3
    assert world.leader.email not in {m.to[0] for m in mailoutbox[4:]}


def test_the_reminder_link_turns_off_only_reminders(world, due, mailoutbox):
    user_preference_set(user=world.rep.user, language="nl")
    reminders_send(on=DIGEST_DAY)
    path = _link(mailoutbox, world.rep)

    # what a mail program sends for List-Unsubscribe-Post (RFC 8058): no CSRF token, no cookie
    response = Client(enforce_csrf_checks=True).post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert _preference(world.rep) == ("nl", True, False)
    assert reminders_send(on=DIGEST_DAY.replace(day=10)).sent == 4  # rep no longer among them
    assert world.rep.email not in {m.to[0] for m in mailoutbox[5:]}


@pytest.mark.parametrize(
    "make_token",
    [
        # a character of the signature changed
        lambda user_id: (
            unsubscribe_token(user_id=user_id, kind="digest")[:-1]
            + ("A" if unsubscribe_token(user_id=user_id, kind="digest")[-1] != "A" else "B")
        ),
        # another user id pasted into a genuine token
        lambda user_id: (
            signing.dumps({"u": user_id + 1, "k": "digest"}, salt=UNSUBSCRIBE_SALT)[:-3]
            + unsubscribe_token(user_id=user_id, kind="digest")[-3:]
        ),
        # signed by us, but for something else (another salt)
        lambda user_id: signing.dumps({"u": user_id, "k": "digest"}),
        # signed by us, for a kind of mail that does not exist
        lambda user_id: signing.dumps({"u": user_id, "k": "everything"}, salt=UNSUBSCRIBE_SALT),
        "not-a-token",
    ],
)
def test_a_tampered_or_foreign_token_is_refused_and_changes_nothing(world, make_token):
    user_id = world.leader.user_id
    token = make_token(user_id) if callable(make_token) else make_token
    path = f"/notifications/unsubscribe/{token}/"
    client = Client(enforce_csrf_checks=True)

    assert client.get(path).status_code == 400
    refused = client.post(path)

    assert refused.status_code == 400
    assert "This unsubscribe link is not valid." in refused.content.decode()
    assert UserPreference.objects.count() == 0


def test_the_link_keeps_working_for_a_login_that_already_unsubscribed(world):
    token = unsubscribe_token(user_id=world.leader.user_id, kind="digest")
    client = Client()
    client.post(f"/notifications/unsubscribe/{token}/")
    again = client.post(f"/notifications/unsubscribe/{token}/")

    assert again.status_code == 200
    assert _preference(world.leader) == ("", False, True)
