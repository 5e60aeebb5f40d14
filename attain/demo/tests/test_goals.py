"""The demo's goals: deterministic, adding up the organisation, sized by skill, season, ramp-up."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import Q
from django.utils import timezone

from attain.core.periods import month_of
from attain.demo import data
from attain.demo.generator import Result, at, generate
from attain.demo.quotas import employed_share, goal_ramp, round_to
from attain.demo.tests.test_generator import END, SCALE, _run
from attain.goals.models import Goal, GoalAcknowledgement, GoalRevision, ScopeKind
from attain.goals.selectors import goal_cascade_check, goal_progress, goal_target_on
from attain.organization.models import Employment, Membership, OrgUnit, Role

pytestmark = pytest.mark.django_db

#: seed 11 (the generator tests' fixture) has stars, steady sellers, laggards and new hires
SEED = 11
CURRENT = month_of(END).start


@pytest.fixture
def demo(db) -> Result:
    return generate(seed=SEED, scale=SCALE, end_date=END)


def test_same_seed_gives_identical_goals_and_the_bulk_path_the_same_rows():
    first, first_rows = _run(seed=3)
    again, _ = _run(seed=3)
    _, bulk_rows = _run(seed=3, bulk=True)

    for name in ("goals", "goal_revisions", "goal_acknowledgements"):
        assert first[name][0] > 0, name
        assert first[name] == again[name], name
        assert first_rows[name] == bulk_rows[name], name


def test_every_unit_goal_is_the_sum_of_its_members_goals(demo):
    months = Goal.objects.filter(metric="revenue", period_kind="month").values_list(
        "start", flat=True
    )
    assert sorted(set(months))[0] == dt.date(2026, 5, 1)  # 7 months: May … November
    assert sorted(set(months))[-1] == CURRENT
    unit_goals = Goal.objects.filter(metric="revenue").exclude(scope_kind=ScopeKind.PERSON)
    assert set(unit_goals.values_list("scope_kind", flat=True)) == {
        "team",
        "business_unit",
        "division",
        "company",
    }
    assert (
        unit_goals.count()
        == 7
        * OrgUnit.objects.filter(kind__in=["team", "business_unit", "division", "company"]).count()
    )
    for goal in unit_goals.select_related("unit"):
        # the members: sellers in a team below the unit at some point of the month
        members = Membership.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=goal.start),
            unit__path__startswith=goal.unit.path,
            role=Role.SALES_REP,
            valid_from__lte=goal.end,
        ).values("person_id")
        person_goals = Goal.objects.filter(
            scope_kind=ScopeKind.PERSON, metric="revenue", start=goal.start, person__in=members
        )
        assert sum(g.target for g in person_goals) == goal.target, goal
        check = goal_cascade_check(goal=goal)
        assert check is not None and check.adds_up, goal


def test_monthly_goals_follow_skill_season_and_ramp_up(demo):
    goals = Goal.objects.filter(scope_kind=ScopeKind.PERSON, metric="revenue")
    assert goals.filter(person__in=list(demo.profiles)).count() == goals.count()
    assert not goals.filter(target__lte=0).exists()
    assert all(target % 100 == 0 for target in goals.values_list("target", flat=True))
    # same seller, full months, no revision: November (season 1.45) above September (1.0)
    revised = GoalRevision.objects.values("goal_id")
    for person_id in demo.profiles:
        by_month = dict(
            goals.filter(person_id=person_id).exclude(pk__in=revised).values_list("start", "target")
        )
        sep, nov = by_month.get(dt.date(2026, 9, 1)), by_month.get(dt.date(2026, 11, 1))
        hired = Employment.objects.get(person_id=person_id).started_on
        if sep and nov and hired < dt.date(2026, 1, 1):
            assert nov > sep, person_id
    # new hires: ramp-up goals, smaller (per unit of season) than once ramped up
    ramping = goals.exclude(notes="")
    assert ramping.exists()
    for goal in ramping:
        assert goal.notes.startswith("Ramp-up goal: month ")
        later = goals.filter(person=goal.person, start__gt=goal.start, notes="").first()
        if later is not None:
            season = Decimal(str(data.SEASON[goal.start.month - 1]))
            later_season = Decimal(str(data.SEASON[later.start.month - 1]))
            assert goal.target / season < later.target / later_season, goal


def test_ramp_and_employment_share_by_hand():
    from types import SimpleNamespace

    seller = SimpleNamespace(started_on=dt.date(2026, 3, 16), left_on=dt.date(2026, 9, 10))
    # hired on 16 March: 16 of 31 days; leaving on 10 September: 10 of 30 days
    assert employed_share(seller, dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == Decimal(16) / 31
    assert employed_share(seller, dt.date(2026, 9, 1), dt.date(2026, 9, 30)) == Decimal(10) / 30
    assert employed_share(seller, dt.date(2026, 10, 1), dt.date(2026, 10, 31)) == 0
    # mid-March is day -1 of the job: 10 %; mid-June is 91 days = 2.99 months in: (2.99 − 1) ÷ 5
    assert goal_ramp(seller, dt.date(2026, 3, 1)) == (Decimal("0.1"), 1)
    assert goal_ramp(seller, dt.date(2026, 6, 1)) == (Decimal("0.4"), 3)
    assert goal_ramp(seller, dt.date(2026, 10, 1)) == (Decimal(1), None)
    assert round_to(Decimal("12349.99"), Decimal(100)) == Decimal("12300.00")
    assert round_to(Decimal("12350"), Decimal(100)) == Decimal("12400.00")


def test_stars_attain_more_than_laggards(demo):
    """goal_progress over every seller's revenue goal of the finished months."""
    finished = Goal.objects.filter(
        scope_kind=ScopeKind.PERSON, metric="revenue", end__lt=CURRENT, notes=""
    ).prefetch_related("revisions")
    actual: dict[str, Decimal] = defaultdict(Decimal)
    target: dict[str, Decimal] = defaultdict(Decimal)
    for goal in finished:
        progress = goal_progress(goal=goal, on=END, milestones=False)
        assert progress.actual is not None
        profile = demo.profiles[goal.person_id]
        actual[profile] += progress.actual
        target[profile] += progress.target
    attainment = {p: actual[p] / target[p] * 100 for p in target}
    assert set(attainment) == {"star", "steady", "laggard"}
    assert attainment["star"] > attainment["laggard"]


def test_revisions_keep_the_sums_and_say_why(demo):
    revisions = GoalRevision.objects.select_related("goal", "goal__unit")
    assert set(revisions.values_list("reason_kind", flat=True)) == {
        "economy",
        "competition",
        "performance",
    }
    for revision in revisions:
        goal = revision.goal
        assert goal.start <= revision.effective_from <= goal.end < CURRENT
        local = timezone.localtime(revision.revised_at)
        assert local in (
            at(revision.effective_from, local.hour),
            at(revision.effective_from, local.hour, 30),
        )
        assert revision.revised_by.user.username == "admin"
        assert revision.reason
        last = goal.revisions.order_by("revised_at", "pk").last()
        assert goal.target == last.new_target
        assert (
            goal_target_on(goal=goal, on=goal.start)
            == goal.revisions.order_by("revised_at", "pk").first().old_target
        )
    # the economy cut lowered the price-sensitive division's goals for a month by 10 %
    economy = revisions.filter(reason_kind="economy", goal__scope_kind="division").get()
    assert economy.goal.unit.code == data.PRICE_SENSITIVE_DIVISION
    assert economy.new_target < economy.old_target
    # the company goal of that month was revised too, and still adds up
    company = Goal.objects.get(scope_kind="company", metric="revenue", start=economy.goal.start)
    assert company.revisions.exists()
    assert goal_cascade_check(goal=company).adds_up


def test_most_sellers_acknowledge_their_current_goal(demo):
    current = Goal.objects.filter(
        scope_kind=ScopeKind.PERSON, metric="revenue", start=CURRENT
    ).select_related("person")
    acknowledged = GoalAcknowledgement.objects.filter(goal__in=current)
    assert acknowledged.count() >= current.count() * 0.6
    assert acknowledged.filter(person__user__username="rep").exists()
    for ack in acknowledged.select_related("goal"):
        assert ack.person_id == ack.goal.person_id
        local = timezone.localtime(ack.acknowledged_at)
        assert CURRENT <= local.date() <= END
        assert ack.acknowledged_at > ack.goal.created_at
        assert local.second == 0 and local.minute % 15 == 0
    assert not GoalAcknowledgement.objects.exclude(goal__in=current).exists()


def test_quarterly_count_goals_for_one_division_and_a_yearly_company_budget(demo):
    counts = Goal.objects.filter(metric__in=["deals_won", "activities"])
    assert counts.exists()
    assert set(counts.values_list("period_kind", flat=True)) == {"quarter"}
    assert set(counts.values_list("start", flat=True)) == {
        dt.date(2026, 7, 1),
        dt.date(2026, 10, 1),
    }
    division = OrgUnit.objects.get(code=data.GOAL_METRICS_DIVISION)
    for goal in counts.select_related("person"):
        assert goal.target >= 1 and goal.target == goal.target.to_integral_value()
        assert Membership.objects.filter(
            person=goal.person, unit__path__startswith=division.path
        ).exists()
    yearly = Goal.objects.get(period_kind="year")
    assert (yearly.scope_kind, yearly.metric, yearly.start, yearly.end) == (
        "company",
        "gross_margin",
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
    )
    assert yearly.target > 0 and yearly.target % 1000 == 0


def test_goals_are_set_by_leaders_and_managers_before_their_period(demo):
    for goal in Goal.objects.select_related("set_by", "person", "unit"):
        created = timezone.localtime(goal.created_at)
        assert (created.hour, created.minute) == (9, 0)
        if goal.scope_kind == ScopeKind.PERSON:
            leads = Membership.objects.filter(
                person=goal.set_by, role=Role.TEAM_LEADER, valid_to__isnull=True
            ).values_list("unit_id", flat=True)
            assert Membership.objects.filter(person=goal.person, unit__in=list(leads)).exists()
            hired = Employment.objects.get(person=goal.person).started_on
            assert created.date() < goal.start or created.date() == hired
        elif goal.scope_kind in ("team", "business_unit"):
            assert goal.set_by.memberships.filter(role=Role.SALES_MANAGER).exists()
            assert created.date() < goal.start
        else:
            assert goal.set_by.user.username == "admin"
            assert created.date() < goal.start
