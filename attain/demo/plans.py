"""Plans: what the generator intends to book, independent of how it is written.

The generator draws plans from seeded random streams; a writer (services or bulk) books them.
Because plans never depend on database ids, both writers book the same data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class AccountPlan:
    ref: str
    name: str
    segment: str
    owner: Any  # Person
    industry: str
    size_band: str
    employees: int
    annual_revenue: Decimal
    country: str
    region: str
    city: str
    website: str
    currency: str
    territory_key: str
    parent: AccountPlan | None = None
    contacts: list[ContactPlan] = field(default_factory=list)
    obj: Any = None  # the Account once booked


@dataclass
class ContactPlan:
    ref: str
    first_name: str
    last_name: str
    email: str
    phone: str
    job_title: str
    is_primary: bool
    obj: Any = None


@dataclass
class ActivityPlan:
    ref: str
    owner: Any
    kind: str
    occurred_at: dt.datetime
    minutes: int
    outcome: str
    subject: str
    account: AccountPlan | None = None


@dataclass
class LeadPlan:
    ref: str
    company: str
    contact_name: str
    email: str
    source: str
    channel: str
    received_on: dt.date
    owner: Any
    account: AccountPlan | None
    qualify: bool
    activities: list[ActivityPlan] = field(default_factory=list)
    obj: Any = None


@dataclass
class LinePlan:
    product: Any  # Product
    quantity: Decimal
    unit_price: Decimal
    discount_pct: Decimal


@dataclass
class ReturnPlan:
    line_index: int
    quantity: Decimal
    returned_on: dt.date
    reason: str
    by: Any
    note: str = ""


@dataclass
class OrderPlan:
    ref: str
    account: AccountPlan
    owner: Any
    currency: str
    ordered_on: dt.date
    lines: list[LinePlan]
    confirm_promised_on: dt.date
    ship_promised_on: dt.date
    delivery_promised_on: dt.date
    follow_up_promised_on: dt.date
    #: lifecycle steps actually reached: (status, on, by)
    steps: list[tuple[str, dt.date, Any]] = field(default_factory=list)
    cancel: tuple[dt.date, str, Any] | None = None
    returns: list[ReturnPlan] = field(default_factory=list)


@dataclass
class DealPlan:
    ref: str
    name: str
    owner: Any
    account: AccountPlan
    contact: ContactPlan | None
    lead: LeadPlan | None
    currency: str
    amount: Decimal
    created_on: dt.date
    created_at: dt.datetime
    expected_close_on: dt.date
    product_lines: list[Any]  # ProductLine
    first_stage: Any  # Stage
    #: moves to open stages: (stage, at)
    moves: list[tuple[Any, dt.datetime]] = field(default_factory=list)
    #: "won", "lost" or None (still open at the end date)
    outcome: str | None = None
    closed_on: dt.date | None = None
    closed_at: dt.datetime | None = None
    lost_reason: Any = None  # LostReason
    lost_note: str = ""
    activities: list[ActivityPlan] = field(default_factory=list)
    order: OrderPlan | None = None
    obj: Any = None


@dataclass
class GoalPlan:
    """A goal to set. `current` follows the planned revisions (the target in force at the end);
    `parent` is the goal it rolls up into (a person's into the team's, a team's into the unit's)."""

    scope_kind: str
    metric: str
    period_kind: str
    start: dt.date
    end: dt.date
    target: Decimal
    set_by: Any  # Person
    set_at: dt.datetime
    person: Any = None  # Person
    unit: Any = None  # OrgUnit
    parent: GoalPlan | None = field(default=None, repr=False)
    children: list[GoalPlan] = field(default_factory=list, repr=False)
    notes: str = ""
    current: Decimal = Decimal(0)
    obj: Any = None  # the Goal once set

    def __post_init__(self) -> None:
        self.current = self.target


@dataclass
class GoalRevisionPlan:
    goal: GoalPlan
    old_target: Decimal
    new_target: Decimal
    reason_kind: str
    reason: str
    revised_by: Any  # Person
    effective_from: dt.date
    revised_at: dt.datetime


@dataclass
class GoalAcknowledgementPlan:
    goal: GoalPlan
    person: Any  # Person
    acknowledged_at: dt.datetime
    comment: str = ""


@dataclass
class GoalBook:
    """Every goal, revision and acknowledgement of the demo, in the order they are written:
    goals parents first, revisions in the order they happen."""

    goals: list[GoalPlan] = field(default_factory=list)
    revisions: list[GoalRevisionPlan] = field(default_factory=list)
    acknowledgements: list[GoalAcknowledgementPlan] = field(default_factory=list)
