"""Every write of recognition: give awards, create, start and finish contests, cheer feed
items, save motivation profiles.

Services validate first and raise `ValidationError({"field": message})` naming the field;
nothing is saved when they refuse. Who may act is checked against the person acting:
a recipient or unit outside their line is a field error (the pickers only offer those in
their line), acting on something they may not manage is PermissionDenied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from attain.analytics.metrics import metric_get
from attain.core.events import event_emit, record_payload
from attain.core.money import quantize_money
from attain.core.periods import today
from attain.organization.models import OrgUnit, Person
from attain.recognition.models import (
    MONEY_KINDS,
    Award,
    AwardKind,
    Cheer,
    Contest,
    ContestKind,
    ContestPrize,
    ContestStanding,
    ContestStatus,
    MotivationProfile,
    PaidVia,
)
from attain.recognition.permissions import may_give_award, may_manage_contest
from attain.recognition.selectors import contest_live_standings

#: Values above this are refused as a typo with extra zeros.
MAX_VALUE = Decimal(10) ** 9
PRIZE_RANKS = (1, 2, 3)


def _user_of(person: Person) -> Any:
    user = person.user
    if user is None:
        raise PermissionDenied(_("Only people who sign in may do this."))
    return user


def _check_value(value: Any, field: str = "value") -> Decimal | None:
    if value is None or value == "":
        return None
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except Exception:
            raise ValidationError({field: _("The value must be a number.")}) from None
    if not value.is_finite():
        raise ValidationError({field: _("The value must be a number.")})
    if value < 0:
        raise ValidationError({field: _("The value cannot be negative.")})
    if value > MAX_VALUE:
        raise ValidationError({field: _("The value is absurdly large; check the zeros.")})
    return quantize_money(value)


def _check_kind(kind: str, value: Decimal | None, *, field: str, value_field: str) -> None:
    if kind not in AwardKind.values:
        raise ValidationError({field: _("Choose a kind of award.")})
    if kind in MONEY_KINDS and value is None:
        raise ValidationError(
            {value_field: _("A cash bonus or a gift card needs its value (an amount of money).")}
        )


# --- awards ------------------------------------------------------------------------------------


#: What the `award.given` event tells: never the value (a cash bonus is pay).
AWARD_PAYLOAD_FIELDS = (
    "kind",
    "title",
    "reason",
    "person",
    "unit",
    "given_by",
    "given_on",
    "contest",
    "contest_rank",
)


def _award_create(
    *,
    kind: str,
    title: str,
    reason: str,
    value: Decimal | None,
    person: Person | None,
    unit: OrgUnit | None,
    given_by: Person,
    given_on: dt.date,
    is_public: bool,
    contest: Contest | None = None,
    contest_rank: int | None = None,
) -> Award:
    award = Award.objects.create(
        kind=kind,
        title=title,
        reason=reason,
        value=value,
        paid_via=PaidVia.PAY_ADJUSTMENT if kind == AwardKind.CASH_BONUS else PaidVia.NOT_PAID,
        person=person,
        unit=unit,
        given_by=given_by,
        given_on=given_on,
        is_public=is_public,
        contest=contest,
        contest_rank=contest_rank,
    )
    if is_public:  # a private award stays between the people concerned; no value (it is pay)
        event_emit("award.given", payload=record_payload(award, *AWARD_PAYLOAD_FIELDS))
    return award


@transaction.atomic
def award_give(
    *,
    kind: str,
    title: str,
    given_by: Person,
    person: Person | None = None,
    unit: OrgUnit | None = None,
    reason: str = "",
    value: Decimal | str | None = None,
    given_on: dt.date | None = None,
    is_public: bool = True,
) -> Award:
    """Give an award to one person or one team. A cash bonus is recorded as paid through pay
    adjustments; a cash bonus or gift card needs its value."""
    amount = _check_value(value)
    _check_kind(kind, amount, field="kind", value_field="value")
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the award a title.")})
    if (person is None) == (unit is None):
        raise ValidationError({"person": _("Give the award to one person or to one team.")})
    day = given_on or today()
    if day > today():
        raise ValidationError({"given_on": _("An award cannot be given in the future.")})
    user = _user_of(given_by)
    if person is not None and person.pk == given_by.pk:
        raise ValidationError({"person": _("You cannot give an award to yourself.")})
    if not may_give_award(user, person=person, unit=unit):
        field = "person" if person is not None else "unit"
        raise ValidationError(
            {field: _("You may only give awards to people and teams in your line.")}
        )
    return _award_create(
        kind=kind,
        title=title,
        reason=(reason or "").strip(),
        value=amount,
        person=person,
        unit=unit,
        given_by=given_by,
        given_on=day,
        is_public=bool(is_public),
    )


# --- contests ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrizeInput:
    """What one rank wins: a text, optionally the kind of award (and its value)."""

    rank: int
    text: str
    award_kind: str = ""
    value: Decimal | str | None = None


def _check_metric(metric: str) -> None:
    if not metric:
        raise ValidationError({"metric": _("Choose the metric the contest ranks on.")})
    try:
        found = metric_get(metric)
    except KeyError:
        raise ValidationError(
            {"metric": _("“%(metric)s” is not a known metric.") % {"metric": metric}}
        ) from None
    if not (found.is_sum and found.higher_is_better):
        raise ValidationError(
            {"metric": _("Contests rank summable metrics where more is better (revenue, units …).")}
        )


def _check_prizes(prizes: Sequence[PrizeInput]) -> list[tuple[int, str, str, Decimal | None]]:
    seen: set[int] = set()
    checked = []
    for prize in prizes:
        field = f"prize_{prize.rank}"
        if prize.rank not in PRIZE_RANKS:
            raise ValidationError({"prizes": _("Prizes are for ranks 1, 2 and 3.")})
        if prize.rank in seen:
            raise ValidationError({"prizes": _("Give each rank one prize.")})
        seen.add(prize.rank)
        text = (prize.text or "").strip()
        amount = _check_value(prize.value, f"{field}_value")
        if not text:
            raise ValidationError({f"{field}_text": _("Say what the prize is.")})
        if prize.award_kind:
            _check_kind(
                prize.award_kind, amount, field=f"{field}_kind", value_field=f"{field}_value"
            )
        checked.append((prize.rank, text, prize.award_kind, amount))
    return checked


@transaction.atomic
def contest_create(
    *,
    name: str,
    kind: str,
    metric: str,
    start: dt.date | None,
    end: dt.date | None,
    unit: OrgUnit | None,
    created_by: Person,
    description: str = "",
    prizes: Sequence[PrizeInput] = (),
) -> Contest:
    """A draft contest among the people (or teams) of a unit's subtree, with prizes per rank."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the contest a name.")})
    if kind not in ContestKind.values:
        raise ValidationError({"kind": _("Choose individuals or teams.")})
    _check_metric(metric)
    if start is None:
        raise ValidationError({"start": _("Give the first day of the contest.")})
    if end is None:
        raise ValidationError({"end": _("Give the last day of the contest.")})
    if end < start:
        raise ValidationError({"end": _("The contest ends before it starts.")})
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit whose people or teams compete.")})
    if not may_manage_contest(_user_of(created_by), unit=unit):
        raise ValidationError({"unit": _("You may only run contests inside the units you lead.")})
    checked = _check_prizes(prizes)
    contest = Contest.objects.create(
        name=name,
        description=(description or "").strip(),
        kind=kind,
        metric=metric,
        start=start,
        end=end,
        unit=unit,
        created_by=created_by,
    )
    ContestPrize.objects.bulk_create(
        ContestPrize(contest=contest, rank=rank, text=text, award_kind=award_kind, value=value)
        for rank, text, award_kind, value in checked
    )
    return contest


def _locked(contest: Contest, actor: Person) -> Contest:
    if not may_manage_contest(_user_of(actor), unit=contest.unit):
        raise PermissionDenied(_("You may not manage this contest."))
    return Contest.objects.select_for_update().select_related("unit").get(pk=contest.pk)


@transaction.atomic
def contest_start(*, contest: Contest, started_by: Person) -> Contest:
    """Open a draft contest: its standings become visible to everyone."""
    locked = _locked(contest, started_by)
    if locked.status != ContestStatus.DRAFT:
        raise ValidationError({"status": _("Only a draft contest can be started.")})
    locked.status = ContestStatus.RUNNING
    locked.save(update_fields=["status"])
    contest.status = locked.status
    return locked


@transaction.atomic
def contest_finish(*, contest: Contest, finished_by: Person) -> list[Award]:
    """Finish a running contest after its last day: record the final standings and give each
    prize to the competitors at its rank (ties share the rank and each win the prize; nobody
    wins with a value of zero). A prize without an award kind is public recognition. All or
    nothing. Returns the prize awards."""
    locked = _locked(contest, finished_by)
    if locked.status != ContestStatus.RUNNING:
        raise ValidationError({"status": _("Only a running contest can be finished.")})
    day = today()
    if day <= locked.end:
        raise ValidationError(
            {
                "status": _("The contest runs until %(end)s; finish it after that.")
                % {"end": locked.end.isoformat()}
            }
        )
    standings = contest_live_standings(locked)
    is_person = locked.kind == ContestKind.INDIVIDUAL
    ContestStanding.objects.bulk_create(
        ContestStanding(
            contest=locked,
            rank=s.rank,
            person_id=s.id if is_person else None,
            unit_id=None if is_person else s.id,
            name=s.name[:200],
            value=quantize_money(s.value),
            gap=quantize_money(s.gap),
        )
        for s in standings
    )
    winner_ids = [s.id for s in standings if s.rank in PRIZE_RANKS and s.value > 0]
    people = Person.objects.in_bulk(winner_ids) if is_person else {}
    teams = {} if is_person else OrgUnit.objects.in_bulk(winner_ids)
    awards: list[Award] = []
    for prize in locked.prizes.order_by("rank"):
        for s in standings:
            if s.rank != prize.rank or s.value <= 0:
                continue
            awards.append(
                _award_create(
                    kind=prize.award_kind or AwardKind.PUBLIC_RECOGNITION,
                    title=prize.text,
                    reason=_("Rank %(rank)s in the contest “%(contest)s”.")
                    % {"rank": s.rank, "contest": locked.name},
                    value=prize.value,
                    person=people.get(s.id),
                    unit=teams.get(s.id),
                    given_by=finished_by,
                    given_on=day,
                    is_public=True,
                    contest=locked,
                    contest_rank=s.rank,
                )
            )
    locked.status = ContestStatus.FINISHED
    locked.finished_on = day
    locked.finished_by = finished_by
    locked.save(update_fields=["status", "finished_on", "finished_by"])
    contest.status, contest.finished_on = locked.status, locked.finished_on
    return awards


# --- feed --------------------------------------------------------------------------------------


@transaction.atomic
def cheer_add(
    *, person: Person, award: Award | None = None, contest: Contest | None = None
) -> Cheer:
    """Cheer a public award or a finished contest, once."""
    if (award is None) == (contest is None):
        raise ValidationError({"item": _("Cheer one award or one contest.")})
    if award is not None and not award.is_public:
        raise ValidationError({"item": _("Only public awards can be cheered.")})
    if contest is not None and contest.status != ContestStatus.FINISHED:
        raise ValidationError({"item": _("Only finished contests can be cheered.")})
    already = Cheer.objects.filter(person=person, award=award, contest=contest).exists()
    if already:
        raise ValidationError({"item": _("You have already cheered this.")})
    try:
        with transaction.atomic():
            return Cheer.objects.create(person=person, award=award, contest=contest)
    except IntegrityError:
        raise ValidationError({"item": _("You have already cheered this.")}) from None


# --- motivation --------------------------------------------------------------------------------


@transaction.atomic
def motivation_save(
    *, person: Person, ranking: Sequence[str], note: str = "", edited_by: Person
) -> MotivationProfile:
    """The person says what motivates them: award kinds, most motivating first, and a note."""
    if edited_by.pk != person.pk:
        raise PermissionDenied(_("Only the person themselves edits what motivates them."))
    kinds = list(ranking)
    for kind in kinds:
        if kind not in AwardKind.values:
            raise ValidationError(
                {"ranking": _("“%(kind)s” is not a kind of award.") % {"kind": kind}}
            )
    if len(set(kinds)) != len(kinds):
        raise ValidationError({"ranking": _("Rank each kind of award once.")})
    profile, _created = MotivationProfile.objects.update_or_create(
        person=person, defaults={"ranking": kinds, "note": (note or "").strip()}
    )
    return profile
