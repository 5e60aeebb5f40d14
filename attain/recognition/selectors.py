"""Reads of recognition: award and contest lists, live and final contest standings, the
recognition feed, motivation profiles and the award proposal drawn from them.

Live standings read the analytics rollups at request time (`metric_totals_by`): a fixed
number of queries whatever the number of competitors — the competitors, then the breakdown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from attain.analytics.metrics import METRICS, Metric, metric_compute
from attain.analytics.selectors import Scope, metric_totals_by
from attain.core.periods import today
from attain.goals.selectors import leaderboard_sellers, leaderboard_teams
from attain.organization.models import Person
from attain.organization.visibility import scope_for
from attain.recognition.models import (
    Award,
    AwardKind,
    Cheer,
    Contest,
    ContestKind,
    ContestStanding,
    ContestStatus,
    MotivationProfile,
)
from attain.recognition.querysets import AwardQuerySet, ContestQuerySet

#: How many items of each kind the feed shows (newest first).
FEED_SIZE = 50


def contest_metrics() -> list[Metric]:
    """The metrics a contest can rank on: sums where more is better (revenue, units, deals …)."""
    return [m for m in METRICS.values() if m.is_sum and m.higher_is_better]


def contest_metric_choices() -> list[tuple[str, str]]:
    return [(m.key, str(m.label)) for m in contest_metrics()]


# --- awards ------------------------------------------------------------------------------------


def award_list(*, user: Any, kind: str = "", public: bool | None = None) -> AwardQuerySet:
    """Awards the user may see, newest first."""
    qs = Award.objects.visible_to(user).with_related()
    if kind:
        qs = qs.filter(kind=kind)
    if public is not None:
        qs = qs.filter(is_public=public)
    return qs.order_by("-given_on", "-created_at", "-pk")


def award_get(*, user: Any, award_id: int) -> Award:
    """One visible award (Award.DoesNotExist when hidden or missing)."""
    return Award.objects.visible_to(user).with_related().get(pk=award_id)


@dataclass(frozen=True)
class AwardProposal:
    """What to give a person: their top motivators and the kind they rank highest."""

    person_id: int
    kind: str | None  # None: the person has not said what motivates them
    top: tuple[str, ...]  # up to three kinds, most motivating first
    note: str

    @property
    def top_labels(self) -> list[str]:
        labels = dict(AwardKind.choices)
        return [str(labels[kind]) for kind in self.top]


def award_proposal(person: Person) -> AwardProposal:
    """The person's three most motivating award kinds and the first of them as the proposal."""
    profile = MotivationProfile.objects.filter(person=person).first()
    ranking = [k for k in (profile.ranking if profile else []) if k in AwardKind.values]
    return AwardProposal(
        person_id=person.pk,
        kind=ranking[0] if ranking else None,
        top=tuple(ranking[:3]),
        note=profile.note if profile else "",
    )


# --- contests ----------------------------------------------------------------------------------


def contest_list(*, user: Any, status: str = "") -> ContestQuerySet:
    qs = Contest.objects.visible_to(user).with_related()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-start", "-pk")


def contest_get(*, user: Any, contest_id: int) -> Contest:
    """One visible contest with its prizes (Contest.DoesNotExist when hidden or missing)."""
    return (
        Contest.objects.visible_to(user)
        .with_related()
        .prefetch_related("prizes")
        .get(pk=contest_id)
    )


@dataclass(frozen=True)
class Standing:
    """One competitor: rank (ties share it), the metric over the period, gap = leader − value."""

    rank: int
    id: int  # the person (individual contests) or the team (team contests)
    name: str
    value: Decimal
    gap: Decimal
    is_person: bool


def _ranked(entries: list[tuple[int, str, Decimal]], is_person: bool) -> list[Standing]:
    entries.sort(key=lambda e: (-e[2], e[1], e[0]))
    leader = entries[0][2] if entries else Decimal(0)
    standings: list[Standing] = []
    for index, (pk, name, value) in enumerate(entries):
        rank = index + 1
        if standings and standings[-1].value == value:
            rank = standings[-1].rank
        standings.append(Standing(rank, pk, name, value, leader - value, is_person))
    return standings


def contest_live_standings(contest: Contest) -> list[Standing]:
    """Every competitor of the contest ranked by the metric over [start, end], computed now.

    Individuals: everyone holding a selling role in the contest unit's subtree (on the end of
    the period, or today while it runs), valued by the records they own stamped inside it.
    Teams: the active teams of the subtree, valued by the records stamped inside each team.
    Two queries for the competitors and one per rollup part for the values."""
    scope = Scope(unit_path=contest.unit.path)
    on = min(today(), contest.end)
    zero = Decimal(0).quantize(getattr(metric_compute(contest.metric), "places", Decimal(1)))
    entries: list[tuple[int, str, Decimal]] = []
    if contest.kind == ContestKind.INDIVIDUAL:
        values = metric_totals_by(
            metric=contest.metric, scope=scope, start=contest.start, end=contest.end, by="seller"
        )
        people = leaderboard_sellers(scope=scope, on=on)
        for pk, first, last in people.values_list("pk", "first_name", "last_name"):
            entries.append((pk, f"{first} {last}", values.get(pk) or zero))
        return _ranked(entries, True)
    totals = metric_totals_by(
        metric=contest.metric, scope=scope, start=contest.start, end=contest.end, by="team"
    )
    stamped = [(path, value) for path, value in totals.items() if path and value is not None]
    for pk, name, team_path in leaderboard_teams(scope=scope).values_list("pk", "name", "path"):
        value = sum((v for path, v in stamped if path.startswith(team_path)), zero)
        entries.append((pk, name, value))
    return _ranked(entries, False)


def contest_standings(contest: Contest) -> list[Standing]:
    """Live standings of a draft or running contest; the recorded ones once it is finished."""
    if contest.status != ContestStatus.FINISHED:
        return contest_live_standings(contest)
    return [
        Standing(
            row.rank,
            row.person_id or row.unit_id or 0,
            row.name,
            row.value,
            row.gap,
            row.person_id is not None,
        )
        for row in contest.standings.order_by("rank", "name", "pk")
    ]


# --- feed --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    """A public award or a finished contest with its winners, as the feed shows it."""

    kind: str  # "award" | "contest"
    day: dt.date
    award: Award | None
    contest: Contest | None
    cheers: int
    cheered: bool  # by the person looking

    @property
    def sort_key(self) -> tuple[dt.date, dt.datetime, int]:
        obj: Any = self.award or self.contest
        return (self.day, obj.created_at, obj.pk)


def feed_list(*, user: Any) -> list[FeedItem]:
    """Public awards (prize awards appear with their contest) and finished contests with their
    podium, newest first; with the number of cheers and whether the user cheered. Three queries
    whatever the number of items."""
    me = scope_for(user).person_id if getattr(user, "is_authenticated", False) else None
    if not getattr(user, "is_authenticated", False):
        return []
    mine = Cheer.objects.filter(person_id=me) if me is not None else Cheer.objects.none()
    awards = (
        Award.objects.public()
        .filter(contest__isnull=True)
        .with_related()
        .annotate(
            cheer_count=Count("cheers", distinct=True),
            cheered=Exists(mine.filter(award_id=OuterRef("pk"))),
        )
        .order_by("-given_on", "-created_at", "-pk")[:FEED_SIZE]
    )
    contests = (
        Contest.objects.filter(status=ContestStatus.FINISHED)
        .with_related()
        .annotate(
            cheer_count=Count("cheers", distinct=True),
            cheered=Exists(mine.filter(contest_id=OuterRef("pk"))),
        )
        .prefetch_related(
            Prefetch(
                "standings",
                queryset=ContestStanding.objects.filter(rank__lte=3).order_by("rank", "name"),
                to_attr="podium",
            )
        )
        .order_by("-finished_on", "-created_at", "-pk")[:FEED_SIZE]
    )
    items = [
        FeedItem("award", a.given_on, a, None, a.cheer_count, bool(a.cheered))  # type: ignore[attr-defined]
        for a in awards
    ]
    items += [
        FeedItem("contest", c.finished_on or c.end, None, c, c.cheer_count, bool(c.cheered))  # type: ignore[attr-defined]
        for c in contests
    ]
    items.sort(key=lambda item: item.sort_key, reverse=True)
    return items[:FEED_SIZE]


def feed_item_get(*, user: Any, award_id: int | None = None, contest_id: int | None = None) -> Any:
    """The award or contest a cheer names, if the user may see it (DoesNotExist otherwise)."""
    if award_id is not None:
        return Award.objects.visible_to(user).get(pk=award_id)
    return Contest.objects.visible_to(user).get(pk=contest_id or 0)


def cheer_count(*, award: Award | None = None, contest: Contest | None = None) -> int:
    if award is not None:
        return Cheer.objects.filter(award=award).count()
    return Cheer.objects.filter(contest=contest).count()


# --- motivation --------------------------------------------------------------------------------


def motivation_get(person: Person) -> MotivationProfile:
    """The person's profile (an unsaved empty one when they have not filled it in)."""
    found = MotivationProfile.objects.filter(person=person).first()
    return found if found is not None else MotivationProfile(person=person)


def motivation_list(*, user: Any) -> Any:
    """The profiles the user may see: their own and their management line's."""
    from attain.recognition.querysets import is_recognition_admin, line_people_q

    qs = MotivationProfile.objects.select_related("person")
    if is_recognition_admin(user):
        return qs
    me = scope_for(user).person_id
    return qs.filter(Q(person_id=me) | line_people_q(user, "person_id"))
