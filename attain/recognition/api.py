"""HTTP API of the recognition app: awards (with the proposal from the recipient's
motivators), contests with live standings, start and finish, the feed and cheers, and
motivation profiles.

An award, contest or profile the caller cannot see is a 404; acting without the right is a
403; bad input is a 422 naming the field.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from attain.core.web import get_visible_or_404
from attain.organization.models import OrgUnit, Person
from attain.organization.selectors import person_of
from attain.recognition import selectors, services
from attain.recognition.forms import recipients_for
from attain.recognition.models import Award, AwardKind, Contest, ContestStatus
from attain.recognition.permissions import (
    may_give_any_award,
    may_manage_any_contest,
    may_see_motivation,
)

router = Router(tags=["recognition"])


def _me(request: HttpRequest) -> Person:
    person = person_of(request.user)
    if person is None:
        raise PermissionDenied
    return person


# --- schemas -----------------------------------------------------------------------------------


class AwardOut(Schema):
    id: int
    kind: str
    title: str
    reason: str
    value: Decimal | None
    paid_via: str
    person_id: int | None
    unit_id: int | None
    recipient: str
    given_by_id: int
    given_on: dt.date
    is_public: bool
    contest_id: int | None
    contest_rank: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_recipient(obj: Award) -> str:
        return obj.recipient_name


class AwardIn(Schema):
    kind: str
    title: str
    reason: str = ""
    value: Decimal | None = None
    person_id: int | None = None
    unit_id: int | None = None
    given_on: dt.date | None = None
    is_public: bool = True


class ProposalOut(Schema):
    person_id: int
    kind: str | None
    top: list[str]
    note: str


class PrizeIn(Schema):
    rank: int
    text: str
    award_kind: str = ""
    value: Decimal | None = None


class PrizeOut(Schema):
    rank: int
    text: str
    award_kind: str
    value: Decimal | None


class ContestOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    metric: str
    start: dt.date
    end: dt.date
    unit_id: int
    status: str
    created_by_id: int
    finished_on: dt.date | None
    prizes: list[PrizeOut]

    @staticmethod
    def resolve_prizes(obj: Contest) -> list[Any]:
        return list(obj.prizes.all())


class ContestIn(Schema):
    name: str
    description: str = ""
    kind: str
    metric: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    unit_id: int | None = None
    prizes: list[PrizeIn] = []


class StandingOut(Schema):
    rank: int
    id: int  # the person (individual contests) or the team (team contests)
    name: str
    value: Decimal
    gap: Decimal  # the leader's value − value


class StandingsOut(Schema):
    contest_id: int
    status: str
    metric: str
    final: bool
    rows: list[StandingOut]


class FeedItemOut(Schema):
    kind: str  # "award" | "contest"
    id: int
    day: dt.date
    title: str
    recipient: str  # award: the person or team; contest: the winners, rank 1 first
    cheers: int
    cheered: bool


class CheerOut(Schema):
    kind: str
    id: int
    cheers: int


class MotivationOut(Schema):
    person_id: int
    ranking: list[str]
    note: str


class MotivationIn(Schema):
    ranking: list[str] = []
    note: str = ""


# --- helpers -----------------------------------------------------------------------------------


def _lookup(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("There is nothing with id %(id)s.") % {"id": pk}})
    return found


_RENAMES = {"person": "person_id", "unit": "unit_id"}


def _rename(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({_RENAMES.get(k, k): v for k, v in exc.error_dict.items()})


def _visible_contest(request: HttpRequest, contest_id: int) -> Contest:
    return get_visible_or_404(
        Contest.objects.visible_to(request.user).with_related().prefetch_related("prizes"),
        pk=contest_id,
    )


def _standings(contest: Contest) -> dict[str, Any]:
    return {
        "contest_id": contest.pk,
        "status": contest.status,
        "metric": contest.metric,
        "final": contest.status == ContestStatus.FINISHED,
        "rows": selectors.contest_standings(contest),
    }


# --- awards ------------------------------------------------------------------------------------


@router.get("/awards", response=list[AwardOut], operation_id="award_list")
@paginate(LimitOffsetPagination)
def award_list(request: HttpRequest, kind: str = "", public: bool | None = None) -> Any:
    return selectors.award_list(
        user=request.user, kind=kind if kind in AwardKind.values else "", public=public
    )


@router.post("/awards", response={201: AwardOut}, operation_id="award_give")
def award_give(request: HttpRequest, payload: AwardIn) -> Any:
    if not may_give_any_award(request.user):
        raise PermissionDenied
    me = _me(request)
    try:
        award = services.award_give(
            kind=payload.kind,
            title=payload.title,
            reason=payload.reason,
            value=payload.value,
            person=_lookup(Person, payload.person_id, "person_id"),
            unit=_lookup(OrgUnit, payload.unit_id, "unit_id"),
            given_on=payload.given_on,
            is_public=payload.is_public,
            given_by=me,
        )
    except ValidationError as exc:
        raise _rename(exc) from exc
    return Status(201, award)


@router.get("/awards/proposal", response=ProposalOut, operation_id="award_proposal")
def award_proposal(request: HttpRequest, person_id: int) -> Any:
    """The award kind to propose for a person (the one they rank highest) and their top three
    motivators — for people the caller may give awards to."""
    if not may_give_any_award(request.user):
        raise PermissionDenied
    person = recipients_for(request.user).filter(pk=person_id).first()
    if person is None:
        raise Http404
    proposal = selectors.award_proposal(person)
    return {
        "person_id": proposal.person_id,
        "kind": proposal.kind,
        "top": list(proposal.top),
        "note": proposal.note,
    }


@router.get("/awards/{award_id}", response=AwardOut, operation_id="award_get")
def award_get(request: HttpRequest, award_id: int) -> Any:
    return selectors.award_get(user=request.user, award_id=award_id)


# --- contests ----------------------------------------------------------------------------------


@router.get("/contests", response=list[ContestOut], operation_id="contest_list")
@paginate(LimitOffsetPagination)
def contest_list(request: HttpRequest, status: str = "") -> Any:
    return selectors.contest_list(
        user=request.user, status=status if status in ContestStatus.values else ""
    ).prefetch_related("prizes")


@router.post("/contests", response={201: ContestOut}, operation_id="contest_create")
def contest_create(request: HttpRequest, payload: ContestIn) -> Any:
    if not may_manage_any_contest(request.user):
        raise PermissionDenied
    me = _me(request)
    try:
        contest = services.contest_create(
            name=payload.name,
            description=payload.description,
            kind=payload.kind,
            metric=payload.metric,
            start=payload.start,
            end=payload.end,
            unit=_lookup(OrgUnit, payload.unit_id, "unit_id"),
            created_by=me,
            prizes=[services.PrizeInput(**prize.dict()) for prize in payload.prizes],
        )
    except ValidationError as exc:
        raise _rename(exc) from exc
    return Status(201, _visible_contest(request, contest.pk))


@router.get("/contests/{contest_id}", response=ContestOut, operation_id="contest_get")
def contest_get(request: HttpRequest, contest_id: int) -> Any:
    return _visible_contest(request, contest_id)


@router.get(
    "/contests/{contest_id}/standings", response=StandingsOut, operation_id="contest_standings"
)
def contest_standings(request: HttpRequest, contest_id: int) -> Any:
    """Rank, name, value and gap to the leader: live (computed now from the rollups) until the
    contest is finished, then the standings recorded when it was."""
    return _standings(_visible_contest(request, contest_id))


@router.post("/contests/{contest_id}/start", response=ContestOut, operation_id="contest_start")
def contest_start(request: HttpRequest, contest_id: int) -> Any:
    contest = _visible_contest(request, contest_id)
    services.contest_start(contest=contest, started_by=_me(request))
    return _visible_contest(request, contest_id)


@router.post(
    "/contests/{contest_id}/finish", response=list[AwardOut], operation_id="contest_finish"
)
def contest_finish(request: HttpRequest, contest_id: int) -> Any:
    """Record the final standings and give the prizes; returns the prize awards."""
    contest = _visible_contest(request, contest_id)
    return services.contest_finish(contest=contest, finished_by=_me(request))


# --- feed --------------------------------------------------------------------------------------


@router.get("/feed", response=list[FeedItemOut], operation_id="feed_list")
def feed_list(request: HttpRequest) -> Any:
    out = []
    for item in selectors.feed_list(user=request.user):
        if item.award is not None:
            obj: Any = item.award
            title, recipient = obj.title, obj.recipient_name
        else:
            obj = item.contest
            title = obj.name
            recipient = ", ".join(row.name for row in obj.podium if row.rank == 1)
        out.append(
            {
                "kind": item.kind,
                "id": obj.pk,
                "day": item.day,
                "title": title,
                "recipient": recipient,
                "cheers": item.cheers,
                "cheered": item.cheered,
            }
        )
    return out


@router.post("/feed/awards/{award_id}/cheer", response={201: CheerOut}, operation_id="award_cheer")
def award_cheer(request: HttpRequest, award_id: int) -> Any:
    award = get_visible_or_404(Award.objects.visible_to(request.user), pk=award_id)
    services.cheer_add(person=_me(request), award=award)
    return Status(
        201, {"kind": "award", "id": award.pk, "cheers": selectors.cheer_count(award=award)}
    )


@router.post(
    "/feed/contests/{contest_id}/cheer", response={201: CheerOut}, operation_id="contest_cheer"
)
def contest_cheer(request: HttpRequest, contest_id: int) -> Any:
    contest = _visible_contest(request, contest_id)
    services.cheer_add(person=_me(request), contest=contest)
    return Status(
        201,
        {"kind": "contest", "id": contest.pk, "cheers": selectors.cheer_count(contest=contest)},
    )


# --- motivation --------------------------------------------------------------------------------


def _motivation_out(person: Person) -> dict[str, Any]:
    profile = selectors.motivation_get(person)
    return {"person_id": person.pk, "ranking": list(profile.ranking), "note": profile.note}


@router.get("/motivation/me", response=MotivationOut, operation_id="motivation_mine")
def motivation_mine(request: HttpRequest) -> Any:
    return _motivation_out(_me(request))


@router.put("/motivation/me", response=MotivationOut, operation_id="motivation_save")
def motivation_save(request: HttpRequest, payload: MotivationIn) -> Any:
    me = _me(request)
    services.motivation_save(person=me, ranking=payload.ranking, note=payload.note, edited_by=me)
    return _motivation_out(me)


@router.get("/motivation/{person_id}", response=MotivationOut, operation_id="motivation_get")
def motivation_get(request: HttpRequest, person_id: int) -> Any:
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not may_see_motivation(request.user, person_id=person.pk):
        raise Http404
    return _motivation_out(person)
