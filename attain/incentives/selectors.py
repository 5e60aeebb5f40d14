"""Reads of incentive pay: who may see whose pay, statements with their traces, the what-if
comparison and the audit log.

Pay is seen only by the person, their management line and compensation admins:
- a compensation admin holds `incentives.manage_pay` (or is a superuser) — being in sales
  operations is not enough;
- a person's management line is everyone they report to, directly or up the chain
  (reporting lines in force today), and the leaders of the units they belong to today
  (sales managers, assistant sales managers and team leaders above them).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    CharField,
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.http import Http404
from django.utils.translation import gettext as _

from attain.core.periods import add_months, month_of, today, valid_on_q
from attain.incentives.calculation import PeriodResult, period_calculate
from attain.incentives.models import (
    Adjustment,
    Assignment,
    Component,
    Credit,
    Dispute,
    PayoutLine,
    PayoutRun,
    Plan,
    PlanAcceptance,
    PlanVersion,
    RunStatus,
    VersionStatus,
)
from attain.organization.models import Membership, Person, ReportingLine
from attain.organization.visibility import scope_for

PAY_ADMIN_PERMISSION = "incentives.manage_pay"
ZERO = Decimal(0)


def is_pay_admin(user: Any) -> bool:
    return bool(
        user.is_authenticated and (user.is_superuser or user.has_perm(PAY_ADMIN_PERMISSION))
    )


def _person_id(user: Any) -> int | None:
    return scope_for(user).person_id


def pay_people_q(user: Any, field: str = "person_id") -> Q:
    """A filter on `field` (a person id) for the pay `user` may see."""
    if is_pay_admin(user):
        return Q()
    me = _person_id(user)
    if me is None:
        return Q(pk__in=[])
    ids = {me} | reports_of(me)
    scope = scope_for(user)
    q = Q(**{f"{field}__in": ids})
    if scope.paths:
        members = Membership.objects.filter(valid_on_q(today()))
        unit_q = Q()
        for path in scope.paths:
            unit_q |= Q(unit__path__startswith=path)
        q |= Q(**{f"{field}__in": members.filter(unit_q).values("person_id")})
    return q


def reports_of(person_id: int) -> set[int]:
    """Everyone reporting to `person_id` today, directly or down the chain."""
    edges: dict[int, set[int]] = defaultdict(set)
    for person, manager in ReportingLine.objects.filter(valid_on_q(today())).values_list(
        "person_id", "manager_id"
    ):
        edges[manager].add(person)
    found: set[int] = set()
    todo = [person_id]
    while todo:
        for report in edges.get(todo.pop(), ()):
            if report not in found and report != person_id:
                found.add(report)
                todo.append(report)
    return found


def can_see_pay(user: Any, person_id: int) -> bool:
    return Person.objects.filter(pay_people_q(user, "pk"), pk=person_id).exists()


def require_pay_admin(user: Any) -> None:
    if not is_pay_admin(user):
        raise PermissionDenied


# ---------------------------------------------------------------- plans


def plan_list() -> QuerySet[Plan]:
    """Plans with their versions and `version_count`."""
    return Plan.objects.prefetch_related("versions").annotate(version_count=Count("versions"))


def version_components(version: PlanVersion) -> QuerySet[Component]:
    return version.components.select_related("product_line", "product").order_by("position", "pk")


def plans_of(
    person: Person, on: dt.date | None = None
) -> list[tuple[PlanVersion, PlanAcceptance | None]]:
    """The published versions that pay `person` on `on` (today), with their acceptance."""
    from attain.incentives.calculation import payees_for

    day = on or today()
    versions = [p.version for p in payees_for(day, day) if p.person_id == person.pk]
    accepted = {
        a.version_id: a
        for a in PlanAcceptance.objects.filter(person=person, version__in=[v.pk for v in versions])
    }
    return [(v, accepted.get(v.pk)) for v in versions]


def assignment_list(plan: Plan) -> QuerySet[Assignment]:
    return plan.assignments.select_related("person", "unit").order_by("start", "pk")


def draft_versions() -> QuerySet[PlanVersion]:
    """The draft versions a what-if can try, by plan."""
    return PlanVersion.objects.filter(status=VersionStatus.DRAFT).select_related("plan")


def past_months(*, last: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """`count` calendar months ending with the month of `last`, oldest first."""
    first = last.replace(day=1)
    periods = []
    for back in range(count - 1, -1, -1):
        month = month_of(add_months(first, -back))
        periods.append((month.start, month.end))
    return periods


# ---------------------------------------------------------------- runs and statements


def run_list() -> QuerySet[PayoutRun]:
    return PayoutRun.objects.select_related("requested_by", "approved_by", "paid_by")


def run_people(run: PayoutRun, *, user: Any) -> list[dict[str, Any]]:
    """Each visible person of a run with their total, by name."""
    rows = (
        run.lines.filter(pay_people_q(user))
        .values("person_id", "person__first_name", "person__last_name")
        .annotate(total=Sum("amount"))
        .order_by("person__last_name", "person__first_name")
    )
    return [
        {
            "person_id": r["person_id"],
            "name": f"{r['person__first_name']} {r['person__last_name']}",
            "total": r["total"],
        }
        for r in rows
    ]


@dataclass
class Statement:
    run: PayoutRun
    person: Person
    lines: list[PayoutLine]
    total: Decimal
    disputes: dict[int, list[Dispute]]


def statement(*, user: Any, run: PayoutRun, person_id: int) -> Statement:
    """One person's pay in a run, each line with its steps and its credited order lines."""
    if not can_see_pay(user, person_id):
        raise Http404
    person = Person.objects.get(pk=person_id)
    lines = list(
        run.lines.filter(person_id=person_id)
        .select_related("component", "version__plan", "adjustment")
        .prefetch_related("credits__order_line__order", "credits__order_line__product")
        .order_by("position")
    )
    disputes: dict[int, list[Dispute]] = defaultdict(list)
    for d in Dispute.objects.filter(line__in=lines).select_related("reviewed_by").order_by("pk"):
        disputes[d.line_id].append(d)
    return Statement(run, person, lines, sum((ln.amount for ln in lines), ZERO), dict(disputes))


def statements_of(person: Person) -> QuerySet[PayoutRun]:
    """The runs with a line for `person`, newest first, each with `person_total`: what the
    person's lines in it add up to."""
    return (
        PayoutRun.objects.filter(lines__person=person)
        .annotate(person_total=Sum("lines__amount"))
        .order_by("-period_start")
    )


def statement_rows(st: Statement) -> list[list[str]]:
    """The statement flat, for CSV and PDF: a row per line, then a row per credited order line
    and per step under it."""
    rows = [
        [
            "line",
            "kind",
            "label",
            "order",
            "product",
            "credited on",
            "credit",
            "rate",
            "amount",
            "note",
        ]
    ]
    for ln in st.lines:
        rows.append(
            [
                str(ln.position + 1),
                ln.get_kind_display(),
                ln.label,
                "",
                "",
                "",
                str(ln.credit),
                "",
                str(ln.amount),
                f"goal {ln.goal} · attainment {ln.attainment_pct} %" if ln.goal is not None else "",
            ]
        )
        for step in ln.trace:
            rows.append(
                [
                    str(ln.position + 1),
                    step["rule"],
                    "",
                    "",
                    "",
                    "",
                    step["basis"],
                    step["rate"],
                    step["amount"],
                    step.get("note", ""),
                ]
            )
        for c in ln.credits.all():
            rows.append(
                [
                    str(ln.position + 1),
                    "credit",
                    "",
                    c.order_line.order.number,
                    c.order_line.product.name,
                    c.credited_on.isoformat(),
                    str(c.value),
                    f"{c.share_pct} %",
                    str(c.amount),
                    "",
                ]
            )
    rows.append(["", "", "total", "", "", "", "", "", str(st.total), ""])
    return rows


def dispute_list(*, user: Any) -> QuerySet[Dispute]:
    return (
        Dispute.objects.filter(pay_people_q(user, "line__person_id"))
        .select_related("line__run", "line__person", "raised_by", "reviewed_by")
        .order_by("-created_at")
    )


def adjustment_list(*, user: Any) -> QuerySet[Adjustment]:
    return (
        Adjustment.objects.filter(pay_people_q(user))
        .select_related("person", "author")
        .order_by("-effective_on", "-pk")
    )


def adjustments_with_runs(*, user: Any) -> QuerySet[Adjustment]:
    """The visible adjustments, each with the run of its period: `run_start` (None before
    the period is run) and `run_state` (the run's status, in words)."""
    covering = PayoutRun.objects.filter(
        period_start__lte=OuterRef("effective_on"), period_end__gte=OuterRef("effective_on")
    )
    return (
        adjustment_list(user=user)
        .annotate(
            run_start=Subquery(covering.values("period_start")[:1]),
            run_status=Subquery(covering.values("status")[:1]),
        )
        .annotate(
            run_state=Case(
                *[
                    When(run_status=status, then=Value(str(label)))
                    for status, label in RunStatus.choices
                ],
                default=Value(_("not run yet")),
                output_field=CharField(),
            )
        )
    )


def run_adjustments(run: PayoutRun, *, user: Any) -> QuerySet[Adjustment]:
    """The visible adjustments paid in `run`'s period."""
    return adjustment_list(user=user).filter(
        effective_on__gte=run.period_start, effective_on__lte=run.period_end
    )


def line_credits(line: PayoutLine) -> QuerySet[Credit]:
    return line.credits.select_related("order_line__order", "order_line__product")


# ---------------------------------------------------------------- what-if


@dataclass
class WhatIfRow:
    person_id: int
    name: str
    current: Decimal
    proposed: Decimal

    @property
    def difference(self) -> Decimal:
        return self.proposed - self.current


@dataclass
class WhatIf:
    version: PlanVersion
    periods: list[tuple[dt.date, dt.date]]
    rows: list[WhatIfRow]
    errors: list[str]

    @property
    def current(self) -> Decimal:
        return sum((r.current for r in self.rows), ZERO)

    @property
    def proposed(self) -> Decimal:
        return sum((r.proposed for r in self.rows), ZERO)

    @property
    def difference(self) -> Decimal:
        return self.proposed - self.current

    @property
    def more(self) -> list[WhatIfRow]:
        return sorted((r for r in self.rows if r.difference > 0), key=lambda r: -r.difference)

    @property
    def less(self) -> list[WhatIfRow]:
        return sorted((r for r in self.rows if r.difference < 0), key=lambda r: r.difference)


def _plan_part(result: PeriodResult, plan_id: int, version_ids: set[int]) -> dict[int, Decimal]:
    out: dict[int, Decimal] = defaultdict(Decimal)
    for line in result.lines:
        if line.version_id in version_ids:
            out[line.person_id] += line.amount
    return out


def what_if(*, version: PlanVersion, periods: list[tuple[dt.date, dt.date]]) -> WhatIf:
    """The pay of `version`'s plan over past periods as published, and as it would have been
    with the draft `version` in force instead: in total and per person (nothing is written)."""
    if version.status != VersionStatus.DRAFT:
        raise ValueError("what-if compares a draft version")
    published = set(
        PlanVersion.objects.filter(
            plan_id=version.plan_id, status=VersionStatus.PUBLISHED
        ).values_list("pk", flat=True)
    )
    current: dict[int, Decimal] = defaultdict(Decimal)
    proposed: dict[int, Decimal] = defaultdict(Decimal)
    errors: list[str] = []
    from django.core.exceptions import ValidationError

    for start, end in periods:
        for target, ids, replace in (
            (current, published, None),
            (proposed, {version.pk}, version),
        ):
            try:
                result = period_calculate(start, end, replace=replace)
            except ValidationError as e:
                label = f"{start.isoformat()} – {end.isoformat()}"
                errors.extend(f"{label}: {msg}" for msgs in e.message_dict.values() for msg in msgs)
                continue
            for person_id, amount in _plan_part(result, version.plan_id, ids).items():
                target[person_id] += amount
    people = {p.pk: p.full_name for p in Person.objects.filter(pk__in=set(current) | set(proposed))}
    rows = [
        WhatIfRow(pid, people[pid], current.get(pid, ZERO), proposed.get(pid, ZERO))
        for pid in sorted(people, key=lambda pid: people[pid])
    ]
    return WhatIf(version, periods, rows, sorted(set(errors)))


# ---------------------------------------------------------------- audit log


AUDITED = (
    ("plan", Plan),
    ("plan version", PlanVersion),
    ("component", Component),
    ("assignment", Assignment),
    ("payout run", PayoutRun),
    ("adjustment", Adjustment),
    ("dispute", Dispute),
    ("acceptance", PlanAcceptance),
)


@dataclass
class AuditEntry:
    when: dt.datetime
    who: str
    what: str
    record: str
    action: str
    changes: list[tuple[str, str, str]]


def audit_log(*, limit: int = 200, since: dt.datetime | None = None) -> list[AuditEntry]:
    """Every change to plans, runs and pay (newest first): who, when, and each field before and
    after (django-simple-history keeps a row per save)."""
    from attain.incentives.models import CreditSplit

    entries: list[AuditEntry] = []
    action_label = {"+": "created", "~": "changed", "-": "deleted"}
    for label, model in (*AUDITED, ("credit split", CreditSplit)):
        history = model.history.select_related("history_user").order_by("-history_date")  # type: ignore[attr-defined]
        if since is not None:
            history = history.filter(history_date__gte=since)
        for row in history[:limit]:
            changes: list[tuple[str, str, str]] = []
            previous = row.prev_record
            if previous is not None:
                delta = row.diff_against(previous)
                changes = [(c.field, str(c.old), str(c.new)) for c in delta.changes]
            user = row.history_user
            entries.append(
                AuditEntry(
                    when=row.history_date,
                    who=(user.get_full_name() or user.get_username()) if user else "—",
                    what=label,
                    record=str(row.instance),
                    action=action_label.get(row.history_type, row.history_type),
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
