"""HTTP API of the goals app: goals with progress, revisions, acknowledgements, milestones,
cascade and raise-the-bar proposals, and the leaderboards of sellers and teams by attainment.

A goal (or a leaderboard subject) the caller cannot see is a 404; setting or revising outside
one's units is a 403; bad input is a 422 naming the field.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from attain.analytics.selectors import Scope
from attain.catalog.models import Product, ProductLine
from attain.core.periods import month_of, today
from attain.core.visibility import scope_for
from attain.core.web import get_visible_or_404
from attain.goals import selectors, services
from attain.goals.models import Goal
from attain.goals.permissions import may_set_any_goal
from attain.organization.models import OrgUnit, Person, Territory
from attain.organization.selectors import person_of

router = Router(tags=["goals"])


def _me(request: HttpRequest) -> Person:
    person = person_of(request.user)
    if person is None:
        raise PermissionDenied
    return person


# --- schemas -----------------------------------------------------------------------------------


class GoalOut(Schema):
    id: int
    scope_kind: str
    person_id: int | None
    unit_id: int | None
    subject: str
    metric: str
    period_kind: str
    start: dt.date
    end: dt.date
    target: Decimal
    product_line_id: int | None
    product_id: int | None
    territory_id: int | None
    segment: str
    parent_id: int | None
    set_by_id: int
    notes: str
    created_at: dt.datetime

    @staticmethod
    def resolve_subject(obj: Goal) -> str:
        return obj.subject_name


class MilestoneOut(Schema):
    id: int
    due_on: dt.date
    target: Decimal
    label: str


class MilestoneStatusOut(Schema):
    id: int
    due_on: dt.date
    target: Decimal
    label: str
    actual: Decimal | None
    status: str


class RevisionOut(Schema):
    id: int
    old_target: Decimal
    new_target: Decimal
    reason_kind: str
    reason: str
    revised_by_id: int
    revised_at: dt.datetime
    effective_from: dt.date


class AcknowledgementOut(Schema):
    id: int
    person_id: int
    acknowledged_at: dt.datetime
    comment: str


class ProgressOut(Schema):
    on: dt.date
    as_of: dt.date
    actual: Decimal | None
    target: Decimal
    attainment_pct: Decimal | None
    elapsed_days: int
    period_days: int
    elapsed_share: Decimal
    pace: Decimal | None
    projected: Decimal | None
    on_track: bool | None
    remaining: Decimal | None
    has_data: bool
    unit: str
    formula: str
    milestones: list[MilestoneStatusOut]


class CascadeCheckOut(Schema):
    children_total: Decimal
    parent_target: Decimal
    difference: Decimal
    adds_up: bool


class GoalDetailOut(GoalOut):
    progress: ProgressOut
    revisions: list[RevisionOut]
    milestones: list[MilestoneOut]
    acknowledgements: list[AcknowledgementOut]
    children: list[GoalOut]
    cascade: CascadeCheckOut | None

    @staticmethod
    def resolve_revisions(obj: Goal) -> list[Any]:
        return list(obj.revisions.all())

    @staticmethod
    def resolve_milestones(obj: Goal) -> list[Any]:
        return list(obj.milestones.all())

    @staticmethod
    def resolve_acknowledgements(obj: Goal) -> list[Any]:
        return list(obj.acknowledgements.all())

    @staticmethod
    def resolve_children(obj: Goal) -> list[Any]:
        return list(obj.children.all())


class GoalCreateIn(Schema):
    scope_kind: str
    metric: str
    period_kind: str
    start: dt.date
    end: dt.date | None = None
    target: Decimal
    person_id: int | None = None
    unit_id: int | None = None
    product_line_id: int | None = None
    product_id: int | None = None
    territory_id: int | None = None
    segment: str = ""
    notes: str = ""


class ReviseIn(Schema):
    new_target: Decimal
    reason_kind: str
    reason: str
    effective_from: dt.date | None = None


class AcknowledgeIn(Schema):
    comment: str = ""


class MilestoneIn(Schema):
    due_on: dt.date
    target: Decimal
    label: str = ""


class CascadeIn(Schema):
    method: str
    person_ids: list[int] = []
    unit_ids: list[int] = []
    weights: dict[str, Decimal] | None = None
    seasonality: bool = False


class RaiseTheBarIn(Schema):
    goal_ids: list[int]
    uplift_pct: Decimal


class ProposalOut(Schema):
    source_goal_id: int
    actual: Decimal
    scope_kind: str
    person_id: int | None
    unit_id: int | None
    metric: str
    period_kind: str
    start: dt.date
    end: dt.date | None
    target: Decimal
    overlaps_existing: bool


class HistoryOut(Schema):
    history_id: int
    history_date: dt.datetime
    history_type: str
    history_user_id: int | None
    target: Decimal
    start: dt.date
    end: dt.date
    notes: str


class LeaderboardRowOut(Schema):
    rank: int
    id: int  # the person (level=seller) or the unit (level=team)
    name: str
    value: Decimal | None
    target: Decimal | None  # goal to date; null without a goal
    attainment: Decimal | None  # value ÷ goal to date × 100, one decimal


class LeaderboardOut(Schema):
    level: str
    kind: str
    pk: int | None
    metric: str
    start: dt.date
    end: dt.date
    on: dt.date  # goals count up to this day: min(today, end)
    rows: list[LeaderboardRowOut]


# --- helpers -----------------------------------------------------------------------------------


def _lookup(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("There is nothing with id %(id)s.") % {"id": pk}})
    return found


_RENAMES = {
    "person": "person_id",
    "unit": "unit_id",
    "product_line": "product_line_id",
    "product": "product_id",
    "territory": "territory_id",
}


def _rename(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({_RENAMES.get(k, k): v for k, v in exc.error_dict.items()})


def _progress_out(progress: selectors.GoalProgress) -> dict[str, Any]:
    return {
        "on": progress.on,
        "as_of": progress.as_of,
        "actual": progress.actual,
        "target": progress.target,
        "attainment_pct": progress.attainment_pct,
        "elapsed_days": progress.elapsed_days,
        "period_days": progress.period_days,
        "elapsed_share": progress.elapsed_share,
        "pace": progress.pace,
        "projected": progress.projected,
        "on_track": progress.on_track,
        "remaining": progress.remaining,
        "has_data": progress.has_data,
        "unit": progress.unit,
        "formula": progress.formula,
        "milestones": [
            {
                "id": s.milestone.pk,
                "due_on": s.milestone.due_on,
                "target": s.milestone.target,
                "label": s.milestone.label,
                "actual": s.actual,
                "status": s.status,
            }
            for s in progress.milestones
        ],
    }


def _visible_goal(request: HttpRequest, goal_id: int) -> Goal:
    return get_visible_or_404(Goal.objects.visible_to(request.user).with_related(), pk=goal_id)


def _detail(request: HttpRequest, goal_id: int, on: dt.date | None = None) -> Goal:
    goal = selectors.goal_get(user=request.user, goal_id=goal_id)
    check = selectors.goal_cascade_check(goal=goal)
    goal.progress = _progress_out(selectors.goal_progress(goal=goal, on=on))  # type: ignore[attr-defined]
    goal.cascade = (  # type: ignore[attr-defined]
        None
        if check is None
        else {
            "children_total": check.children_total,
            "parent_target": check.parent_target,
            "difference": check.difference,
            "adds_up": check.adds_up,
        }
    )
    return goal


LEADERBOARD_KINDS = ("company", "unit", "seller")


def _leaderboard_scope(request: HttpRequest, *, kind: str, pk: int | None) -> Scope:
    """Whose leaderboard, if the caller may see it: the company (only for those who see
    everything), a unit inside the caller's subtrees, or a seller they may see; otherwise 404,
    exactly like an id that does not exist."""
    if kind not in LEADERBOARD_KINDS:
        raise ValidationError({"kind": _("Choose the kind: company, unit or seller.")})
    seen = scope_for(request.user)
    if kind == "company":
        if not seen.everything:
            raise Http404
        return Scope()
    if pk is None:
        raise ValidationError({"pk": _("Give the id of the unit or the seller.")})
    if kind == "unit":
        path = OrgUnit.objects.filter(pk=pk).values_list("path", flat=True).first()
        if path is None or not seen.covers_path(path):
            raise Http404
        return Scope(unit_path=path)
    if not Person.objects.visible_to(request.user).filter(pk=pk).exists():
        raise Http404
    return Scope(person_id=pk)


# --- endpoints ---------------------------------------------------------------------------------


@router.get("/", response=list[GoalOut], operation_id="goal_list")
@paginate(LimitOffsetPagination)
def goal_list(
    request: HttpRequest,
    metric: str = "",
    scope_kind: str = "",
    person_id: int | None = None,
    unit_id: int | None = None,
    active_on: dt.date | None = None,
) -> Any:
    return selectors.goal_list(
        user=request.user,
        metric=metric,
        scope_kind=scope_kind,
        person_id=person_id,
        unit_id=unit_id,
        active_on=active_on,
    ).order_by("-start", "pk")


@router.post("/", response={201: GoalDetailOut}, operation_id="goal_create")
def goal_create(request: HttpRequest, payload: GoalCreateIn) -> Any:
    user = request.user
    if not may_set_any_goal(user):
        raise PermissionDenied
    set_by = _me(request)
    try:
        goal = services.goal_create(
            scope_kind=payload.scope_kind,
            metric=payload.metric,
            period_kind=payload.period_kind,
            start=payload.start,
            end=payload.end,
            target=payload.target,
            set_by=set_by,
            person=_lookup(Person, payload.person_id, "person_id"),
            unit=_lookup(OrgUnit, payload.unit_id, "unit_id"),
            product_line=_lookup(ProductLine, payload.product_line_id, "product_line_id"),
            product=_lookup(Product, payload.product_id, "product_id"),
            territory=_lookup(Territory, payload.territory_id, "territory_id"),
            segment=payload.segment,
            notes=payload.notes,
        )
    except ValidationError as exc:
        raise _rename(exc) from exc
    return Status(201, _detail(request, goal.pk))


@router.post("/raise-the-bar", response=list[ProposalOut], operation_id="goal_raise_the_bar")
def goal_raise_the_bar(request: HttpRequest, payload: RaiseTheBarIn) -> Any:
    user = request.user
    if not may_set_any_goal(user):
        raise PermissionDenied
    visible = set(
        Goal.objects.visible_to(user).filter(pk__in=payload.goal_ids).values_list("pk", flat=True)
    )
    if visible != set(payload.goal_ids):
        raise ValidationError({"goal_ids": _("Some of these goals do not exist.")})
    proposals = services.goal_raise_the_bar(
        goal_ids=payload.goal_ids, uplift_pct=payload.uplift_pct, set_by=_me(request)
    )
    return [
        {
            "source_goal_id": p.source.pk,
            "actual": p.actual,
            "scope_kind": p.goal.scope_kind,
            "person_id": p.goal.person.pk if p.goal.person else None,
            "unit_id": p.goal.unit.pk if p.goal.unit else None,
            "metric": p.goal.metric,
            "period_kind": p.goal.period_kind,
            "start": p.goal.start,
            "end": p.goal.end,
            "target": p.goal.target,
            "overlaps_existing": p.clashes,
        }
        for p in proposals
    ]


@router.get("/leaderboard", response=LeaderboardOut, operation_id="leaderboard_list")
def leaderboard_list(
    request: HttpRequest,
    level: str = "seller",
    kind: str = "company",
    pk: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    metric: str = "revenue",
) -> dict[str, Any]:
    """Sellers or teams of the company, a unit (`pk` = unit id) or a seller (`pk` = person id)
    ranked by attainment = value ÷ goal to date × 100, where the goal to date spreads each
    overlapping goal (person goals for sellers, unit goals for teams; on the metric, without
    filters) evenly over its days up to min(today, end). Those without a goal follow, ranked by
    the value. The period defaults to the current month (`end`: the end of `start`'s month)."""
    scope = _leaderboard_scope(request, kind=kind, pk=pk)
    start = start or month_of(today()).start
    end = end or month_of(start).end
    on = min(today(), end)
    rows = selectors.leaderboard_list(
        scope=scope, start=start, end=end, on=on, metric=metric, level=level
    )
    return {
        "level": level,
        "kind": kind,
        "pk": pk if kind != "company" else None,
        "metric": metric,
        "start": start,
        "end": end,
        "on": on,
        "rows": rows,
    }


@router.get("/{goal_id}", response=GoalDetailOut, operation_id="goal_get")
def goal_get(request: HttpRequest, goal_id: int, on: dt.date | None = None) -> Any:
    return _detail(request, goal_id, on)


@router.post("/{goal_id}/revise", response={201: RevisionOut}, operation_id="goal_revise")
def goal_revise(request: HttpRequest, goal_id: int, payload: ReviseIn) -> Any:
    goal = _visible_goal(request, goal_id)
    revision = services.goal_revise(
        goal=goal,
        new_target=payload.new_target,
        reason_kind=payload.reason_kind,
        reason=payload.reason,
        revised_by=_me(request),
        effective_from=payload.effective_from,
    )
    return Status(201, revision)


@router.post(
    "/{goal_id}/acknowledge", response={201: AcknowledgementOut}, operation_id="goal_acknowledge"
)
def goal_acknowledge(request: HttpRequest, goal_id: int, payload: AcknowledgeIn) -> Any:
    goal = _visible_goal(request, goal_id)
    return Status(
        201, services.goal_acknowledge(goal=goal, person=_me(request), comment=payload.comment)
    )


@router.post("/{goal_id}/milestones", response={201: MilestoneOut}, operation_id="milestone_add")
def milestone_add(request: HttpRequest, goal_id: int, payload: MilestoneIn) -> Any:
    goal = _visible_goal(request, goal_id)
    return Status(
        201,
        services.milestone_add(
            goal=goal,
            due_on=payload.due_on,
            target=payload.target,
            label=payload.label,
            added_by=_me(request),
        ),
    )


@router.post("/{goal_id}/cascade", response={201: list[GoalOut]}, operation_id="goal_cascade")
def goal_cascade(request: HttpRequest, goal_id: int, payload: CascadeIn) -> Any:
    goal = _visible_goal(request, goal_id)
    people = Person.objects.in_bulk(payload.person_ids)
    units = OrgUnit.objects.in_bulk(payload.unit_ids)
    missing = [pk for pk in payload.person_ids if pk not in people]
    if missing:
        raise ValidationError({"person_ids": _("No person with id %(id)s.") % {"id": missing[0]}})
    missing = [pk for pk in payload.unit_ids if pk not in units]
    if missing:
        raise ValidationError({"unit_ids": _("No unit with id %(id)s.") % {"id": missing[0]}})
    children: list[Person | OrgUnit] = [people[pk] for pk in payload.person_ids]
    children += [units[pk] for pk in payload.unit_ids]
    created = services.goal_cascade(
        parent=goal,
        method=payload.method,
        children=children,
        weights=dict(payload.weights) if payload.weights else None,
        seasonality=payload.seasonality,
        set_by=_me(request),
    )
    return Status(201, created)


@router.get("/{goal_id}/history", response=list[HistoryOut], operation_id="goal_history")
def goal_history(request: HttpRequest, goal_id: int) -> Any:
    goal = _visible_goal(request, goal_id)
    return list(goal.history.order_by("history_date", "history_id"))
