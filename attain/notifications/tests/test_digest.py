"""The weekly digest: exact content for a team leader (hand-computed in factories.py), one mail per
opted-in leader with an email address, once a week, in the recipient's language, and one failing
mail recorded without stopping the others."""

from __future__ import annotations

import datetime as dt
import smtplib
from decimal import Decimal

import pytest
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import translation

from attain.core.services import user_email_preferences_set, user_preference_set
from attain.notifications import mails
from attain.notifications.models import Notification, NotificationStatus
from attain.notifications.selectors import digest_for, digest_key, digest_recipients
from attain.notifications.services import digests_send
from attain.notifications.tests.factories import DIGEST_DAY, NOVEMBER, WEEK_END, WEEK_START
from attain.organization.services import person_update

pytestmark = pytest.mark.django_db

LEADER_SUBJECT = "Weekly digest for Team A1, week of Nov. 2, 2026"
MANAGER_SUBJECT = "Weekly digest for Division A, week of Nov. 2, 2026"


def _drop_email(person) -> None:
    person_update(person=person, first_name=person.first_name, last_name=person.last_name, email="")


def test_digest_of_a_team_leader_has_the_exact_figures_ranking_and_warnings(world, sales):
    digest = digest_for(person=world.leader, on=DIGEST_DAY)

    assert (digest.week_start, digest.week_end, digest.month_start) == (
        WEEK_START,
        WEEK_END,
        NOVEMBER,
    )
    assert digest.key == "digest:2026-W46"
    [team] = digest.units
    assert team.unit == world.team_a1
    # last week: 100.00 (rep, 4 Nov) + 300.00 (rep2, 5 Nov) against 7 days × 100.00
    assert (team.week.revenue, team.week.goal, team.week.attainment) == (
        Decimal("400.00"),
        Decimal("700.00"),
        Decimal("57.1"),
    )
    # this month to date: + 60.00 (rep2, Sun 1 Nov) against 8 days × 100.00
    assert (team.month.revenue, team.month.goal, team.month.attainment) == (
        Decimal("460.00"),
        Decimal("800.00"),
        Decimal("57.5"),
    )
    [goal] = team.goals
    progress = goal.progress
    assert progress.goal == sales["team"]
    assert (progress.actual, progress.target, progress.attainment_pct) == (
        Decimal("460.00"),
        Decimal("3000.00"),
        Decimal("15.3"),
    )
    assert (progress.projected, progress.on_track) == (Decimal("1725.00"), False)
    assert [(r.rank, r.id, r.value, r.target, r.attainment) for r in team.sellers] == [
        (1, world.rep2.pk, Decimal("360.00"), Decimal("160.00"), Decimal("225.0")),
        (2, world.rep.pk, Decimal("100.00"), Decimal("400.00"), Decimal("25.0")),
        (3, world.leader.pk, Decimal("0"), None, None),
    ]
    assert [(a.dimension, a.label, a.verdict, a.s, a.slope_per_week) for a in team.alerts] == [
        ("seller", str(world.rep), "declining", -66, Decimal("-100.00")),
        ("team", "Team A1", "declining", -61, Decimal("-100.00")),
        ("product_line", "Line one", "declining", -66, Decimal("-100.00")),
    ]
    assert team.alerts_total == 3
    assert team.alerts[1].values[-2:] == [Decimal("260.00"), Decimal("400.00")]


def test_digest_covers_each_unit_led_and_sellers_get_none(world, sales):
    manager = digest_for(person=world.manager, on=DIGEST_DAY)
    [division] = manager.units
    assert division.unit == world.div_a
    # the same sales (all in Team A1); Division A has no goal of its own
    assert (division.week.revenue, division.week.goal, division.week.attainment) == (
        Decimal("400.00"),
        None,
        None,
    )
    assert division.goals == ()
    # every seller of the division: Team A1's, then rep_a2 (Team A2) without goal or sales
    assert [r.id for r in division.sellers] == [
        world.rep2.pk,
        world.rep.pk,
        world.leader.pk,
        world.rep_a2.pk,
    ]
    assert digest_for(person=world.rep, on=DIGEST_DAY).units == ()


def test_digest_for_a_team_leader_reads_a_bounded_number_of_queries(
    world, sales, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        digest = digest_for(person=world.leader, on=DIGEST_DAY)
    assert len(digest.units) == 1


def test_one_digest_per_opted_in_leader_with_an_email(world, sales, mailoutbox):
    user_email_preferences_set(user=world.assistant.user, digest=False, reminders=True)
    _drop_email(world.manager_b)

    report = digests_send(on=DIGEST_DAY)

    assert report.counts() == {"sent": 2, "failed": 0, "skipped": 0, "empty": 0}
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == sorted(
        [(world.leader.email, LEADER_SUBJECT), (world.manager.email, MANAGER_SUBJECT)]
    )
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mailoutbox)
    assert sorted(
        Notification.objects.values_list("recipient_id", "kind", "key", "status", "subject")
    ) == sorted(
        [
            (world.leader.pk, "digest", "digest:2026-W46", "sent", LEADER_SUBJECT),
            (world.manager.pk, "digest", "digest:2026-W46", "sent", MANAGER_SUBJECT),
        ]
    )
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0


def test_digest_mail_says_it_in_plain_text_and_html_with_a_way_to_stop_it(world, sales, mailoutbox):
    digests_send(on=DIGEST_DAY)
    mail = next(m for m in mailoutbox if m.to == [world.leader.email])
    text = mail.body
    for expected in (
        f"Hello {world.leader.first_name},",
        "How your teams did in the week of Nov. 2, 2026 – Nov. 8, 2026 (amounts in EUR).",
        "== Team A1 ==",
        "Revenue last week: 400.00 — goal 700.00 (57.1 %)",
        "Revenue this month to date: 460.00 — goal to date 800.00 (57.5 %)",
        "- Revenue, Nov. 1, 2026 – Nov. 30, 2026: 460.00 / 3,000.00 (15.3 %), behind",
        f"1. {world.rep2}: 360.00 / 160.00 (225.0 %)",
        f"2. {world.rep}: 100.00 / 400.00 (25.0 %)",
        f"3. {world.leader}: 0.00 (no goal)",
        f"- declining: {world.rep} (seller), trend -100.00 per week",
        "- declining: Team A1 (team), trend -100.00 per week",
        "- declining: Line one (product line), trend -100.00 per week",
        f"Dashboard: http://127.0.0.1:8000/dashboards/units/{world.team_a1.pk}/",
        "untick them in the email settings of your account page: "
        "http://127.0.0.1:8000/account/#email",
    ):
        assert expected in text, expected
    stop = mail.extra_headers["List-Unsubscribe"]
    assert stop.startswith("<http://127.0.0.1:8000/notifications/unsubscribe/")
    assert f"without signing in: {stop[1:-1]}" in text
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [(html, mimetype)] = mail.alternatives
    assert mimetype == "text/html"
    assert '<html lang="en">' in html
    assert f'href="{stop[1:-1]}"' in html
    assert '<td>Last week</td><td style="text-align:right">400.00</td>' in html


def test_running_twice_in_a_week_sends_each_digest_once(world, sales, mailoutbox):
    first = digests_send(on=DIGEST_DAY)
    again = digests_send(on=DIGEST_DAY + dt.timedelta(days=2))  # Wednesday, same week

    assert first.counts() == {"sent": 4, "failed": 0, "skipped": 0, "empty": 0}
    assert again.counts() == {"sent": 0, "failed": 0, "skipped": 4, "empty": 0}
    assert len(mailoutbox) == 4
    assert Notification.objects.count() == 4

    next_week = digests_send(on=DIGEST_DAY + dt.timedelta(weeks=1))
    assert next_week.sent == 4 and len(mailoutbox) == 8
    assert (
        Notification.objects.filter(key=digest_key(DIGEST_DAY + dt.timedelta(weeks=1))).count() == 4
    )


def test_digest_is_rendered_in_the_recipients_language(world, sales, mailoutbox, monkeypatch):
    user_preference_set(user=world.leader.user, language="nl")
    rendered: list[tuple[str, str | None]] = []
    render = mails.render_to_string

    def spy(template_name, context=None, *args, **kwargs):
        rendered.append((context["person"].pk, translation.get_language()))
        return render(template_name, context, *args, **kwargs)

    monkeypatch.setattr(mails, "render_to_string", spy)

    digests_send(on=DIGEST_DAY)

    assert sorted(set(rendered)) == sorted(
        {
            (world.leader.pk, "nl"),
            (world.manager.pk, "en"),
            (world.assistant.pk, "en"),
            (world.manager_b.pk, "en"),
        }
    )
    dutch = next(m for m in mailoutbox if m.to == [world.leader.email])
    # Django's own Dutch formats: month names and decimal commas
    assert "2 november 2026" in dutch.subject
    assert "400,00" in dutch.body and "700,00" in dutch.body and "57,1" in dutch.body
    assert dutch.extra_headers["Content-Language"] == "nl"
    english = next(m for m in mailoutbox if m.to == [world.manager.email])
    assert english.subject == MANAGER_SUBJECT
    assert translation.get_language() == "en"  # the override ended with the mail


class RefusingBackend(LocmemBackend):
    """Refuses one address, like an SMTP server would."""

    refused = ""

    def send_messages(self, messages):
        for message in messages:
            if self.refused in message.to:
                raise smtplib.SMTPRecipientsRefused({self.refused: (550, b"mailbox unavailable")})
        return super().send_messages(messages)


def test_a_failing_mail_is_recorded_and_the_others_still_go(world, sales, mailoutbox, settings):
    settings.MAILERS = {
        "default": {"BACKEND": "attain.notifications.tests.test_digest.RefusingBackend"}
    }
    RefusingBackend.refused = world.leader.email

    report = digests_send(on=DIGEST_DAY)

    assert report.counts() == {"sent": 3, "failed": 1, "skipped": 0, "empty": 0}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [world.manager.email, world.assistant.email, world.manager_b.email]
    )
    failed = Notification.objects.get(recipient=world.leader)
    assert failed.status == NotificationStatus.FAILED and failed.sent_at is None
    assert "mailbox unavailable" in failed.error

    # the next run tries the failed one again, and only that one
    RefusingBackend.refused = "nobody@example.com"
    retry = digests_send(on=DIGEST_DAY)
    assert retry.counts() == {"sent": 1, "failed": 0, "skipped": 3, "empty": 0}
    assert [m.to[0] for m in mailoutbox[3:]] == [world.leader.email]
    failed.refresh_from_db()
    assert failed.status == NotificationStatus.SENT and failed.error == ""
    assert Notification.objects.count() == 4


def test_dry_run_builds_the_mails_and_sends_and_records_nothing(world, sales, mailoutbox):
    report = digests_send(on=DIGEST_DAY, dry_run=True)

    assert sorted(m.subject for m in report.messages)[-1] == LEADER_SUBJECT
    assert len(report.messages) == 4
    assert mailoutbox == []
    assert Notification.objects.count() == 0


def test_people_without_an_email_or_an_active_login_get_no_digest(world, sales):
    _drop_email(world.manager_b)
    world.assistant.user.is_active = False
    world.assistant.user.save()

    recipients = set(digest_recipients(on=DIGEST_DAY))

    assert recipients == {world.leader, world.manager}
