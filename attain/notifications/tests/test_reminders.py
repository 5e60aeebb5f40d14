"""The daily reminders: exactly the items due (see factories.make_due), leaders' team counts, one
mail per person with something due, none without, once a day."""

from __future__ import annotations

import datetime as dt

import pytest

from attain.core.services import user_email_preferences_set
from attain.notifications.models import Notification
from attain.notifications.selectors import TeamDue, reminders_for
from attain.notifications.services import reminders_send
from attain.notifications.tests.factories import DIGEST_DAY
from attain.organization.services import person_update

pytestmark = pytest.mark.django_db

DAY = DIGEST_DAY  # Monday 9 November 2026
SUBJECT = "Your Attain reminders for Nov. 9, 2026"


def test_reminders_list_exactly_the_items_due(world, due):
    rep = reminders_for(person=world.rep, on=DAY)

    assert rep.goals == (due["goals"]["rep_nov"],)
    assert rep.deals == (due["deals"]["renewal"],)
    assert [(late.order, [(s.step, s.promised) for s in late.steps]) for late in rep.orders] == [
        (due["orders"]["a"], [("shipped", dt.date(2026, 11, 6))])
    ]
    assert rep.teams == ()
    assert rep.key == "reminder:2026-11-09"

    rep2 = reminders_for(person=world.rep2, on=DAY)
    assert (rep2.goals, rep2.deals, rep2.orders) == (
        (due["goals"]["rep2_nov"],),
        (due["deals"]["pilot"],),
        (),
    )


def test_leaders_get_the_counts_of_the_units_they_lead(world, due):
    leader = reminders_for(person=world.leader, on=DAY)
    assert (leader.goals, leader.deals, leader.orders) == ((), (), ())
    assert leader.teams == (TeamDue(unit=world.team_a1, goals=2, deals=2, orders=1),)
    assert not leader.is_empty

    manager = reminders_for(person=world.manager, on=DAY)
    assert manager.teams == (TeamDue(unit=world.div_a, goals=2, deals=2, orders=1),)

    # Division B has nothing due: its manager has nothing to be reminded of
    assert reminders_for(person=world.manager_b, on=DAY).is_empty


def test_acknowledging_the_goal_takes_it_off_the_list(world, due):
    from attain.goals.services import goal_acknowledge

    goal_acknowledge(goal=due["goals"]["rep_nov"], person=world.rep)

    assert reminders_for(person=world.rep, on=DAY).goals == ()
    assert reminders_for(person=world.leader, on=DAY).teams[0].goals == 1


def test_one_reminder_mail_per_person_with_something_due(world, due, mailoutbox):
    user_email_preferences_set(user=world.rep2.user, digest=True, reminders=False)
    assistant = world.assistant
    person_update(
        person=assistant, first_name=assistant.first_name, last_name=assistant.last_name, email=""
    )

    report = reminders_send(on=DAY)

    # rep2 opted out, the assistant has no email, Division B's manager has nothing due
    assert report.counts() == {"sent": 3, "failed": 0, "skipped": 0, "empty": 1}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [world.rep.email, world.leader.email, world.manager.email]
    )
    assert {m.subject for m in mailoutbox} == {SUBJECT}
    assert sorted(
        Notification.objects.values_list("recipient_id", "kind", "key", "status")
    ) == sorted(
        (person.pk, "reminder", "reminder:2026-11-09", "sent")
        for person in (world.rep, world.leader, world.manager)
    )


def test_the_reminder_mail_lists_the_due_items_only(world, due, mailoutbox):
    reminders_send(on=DAY)

    rep = next(m for m in mailoutbox if m.to == [world.rep.email]).body
    goal, deal, order = due["goals"]["rep_nov"], due["deals"]["renewal"], due["orders"]["a"]
    for expected in (
        "What needs you in Attain on Nov. 9, 2026:",
        "1 goal to acknowledge",
        "- Revenue, Nov. 1, 2026 – Nov. 30, 2026: 1,500.00 — "
        f"http://127.0.0.1:8000/goals/{goal.pk}/",
        "1 open deal past its expected close date",
        "- Acme renewal (Acme): expected to close on Nov. 5, 2026, 1,000.00 EUR — "
        f"http://127.0.0.1:8000/pipeline/deals/{deal.pk}/",
        "1 order with a promised step overdue",
        "- N-A (Acme): Shipped promised for Nov. 6, 2026 — "
        f"http://127.0.0.1:8000/orders/{order.pk}/",
    ):
        assert expected in rep, expected
    for absent in ("Acme upsell", "Acme won", "N-B", "N-C", "Bolt pilot", "In the units you lead"):
        assert absent not in rep, absent

    leader = next(m for m in mailoutbox if m.to == [world.leader.email]).body
    assert (
        "- Team A1: 2 goals not acknowledged, 2 deals past their close date, 1 late order — "
        f"http://127.0.0.1:8000/dashboards/units/{world.team_a1.pk}/"
    ) in leader
    assert "to acknowledge" not in leader
    assert "http://127.0.0.1:8000/notifications/unsubscribe/" in leader


def test_reminders_go_once_a_day(world, due, mailoutbox):
    first = reminders_send(on=DAY)
    again = reminders_send(on=DAY)
    # five with something due; Division B's manager has nothing
    assert first.counts() == {"sent": 5, "failed": 0, "skipped": 0, "empty": 1}
    assert again.counts() == {"sent": 0, "failed": 0, "skipped": 5, "empty": 1}
    assert len(mailoutbox) == 5

    tomorrow = reminders_send(on=DAY + dt.timedelta(days=1))
    assert tomorrow.sent == 5 and len(mailoutbox) == 10


def test_nothing_due_means_no_mail(world, mailoutbox):
    report = reminders_send(on=DAY)

    # the four leaders are looked at (they may have a team with something due)
    assert report.counts() == {"sent": 0, "failed": 0, "skipped": 0, "empty": 4}
    assert mailoutbox == []
    assert Notification.objects.count() == 0


def test_reminders_for_a_leader_read_a_bounded_number_of_queries(
    world, due, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        reminders_for(person=world.leader, on=DAY)
