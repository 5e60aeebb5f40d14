"""Build organisations for tests through the services (the same path as the app)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from attain.organization.models import OrgUnit, Person, Role, UnitKind
from attain.organization.services import membership_start, person_create, unit_create

PASSWORD = "correct-horse-battery-staple"
_seq = itertools.count(1)
START = dt.date(2020, 1, 1)


def make_person(
    *,
    unit: OrgUnit | None = None,
    role: str = Role.SALES_REP,
    login: str | None = None,
    since: dt.date = START,
    first_name: str = "Pat",
) -> Person:
    n = next(_seq)
    person = person_create(
        first_name=first_name,
        last_name=f"Tester{n}",
        email=f"{login or 'person'}{n}@example.com",
        username=login,
        password=PASSWORD if login else None,
        started_on=since,
    )
    if unit is not None:
        membership_start(person=person, unit=unit, role=role, valid_from=since)
    return person


@dataclass
class World:
    """A small company: two divisions; division A has a business unit with teams A1 and A2.

    People (login = attribute name): admin (sales ops), manager and assistant (division A),
    leader (team A1), rep (A1), rep2 (A1), rep_a2 (A2), manager_b (division B), rep_b (team B1),
    marketer (marketing, division A), outsider (no membership).
    """

    company: OrgUnit
    div_a: OrgUnit
    div_b: OrgUnit
    bu_a: OrgUnit
    team_a1: OrgUnit
    team_a2: OrgUnit
    team_b1: OrgUnit
    people: dict[str, Person] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Person:
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)


def make_world() -> World:
    company = unit_create(name="Acme", kind=UnitKind.COMPANY, code=f"ACME{next(_seq)}")
    div_a = unit_create(
        name="Division A", kind=UnitKind.DIVISION, code=f"DA{next(_seq)}", parent=company
    )
    div_b = unit_create(
        name="Division B", kind=UnitKind.DIVISION, code=f"DB{next(_seq)}", parent=company
    )
    bu_a = unit_create(
        name="BU A", kind=UnitKind.BUSINESS_UNIT, code=f"BUA{next(_seq)}", parent=div_a
    )
    team_a1 = unit_create(name="Team A1", kind=UnitKind.TEAM, code=f"TA1{next(_seq)}", parent=bu_a)
    team_a2 = unit_create(name="Team A2", kind=UnitKind.TEAM, code=f"TA2{next(_seq)}", parent=bu_a)
    team_b1 = unit_create(name="Team B1", kind=UnitKind.TEAM, code=f"TB1{next(_seq)}", parent=div_b)
    world = World(company, div_a, div_b, bu_a, team_a1, team_a2, team_b1)
    spec = {
        "admin": (company, Role.SALES_OPS),
        "manager": (div_a, Role.SALES_MANAGER),
        "assistant": (div_a, Role.ASSISTANT_SALES_MANAGER),
        "leader": (team_a1, Role.TEAM_LEADER),
        "rep": (team_a1, Role.SALES_REP),
        "rep2": (team_a1, Role.SALES_REP),
        "rep_a2": (team_a2, Role.SALES_REP),
        "manager_b": (div_b, Role.SALES_MANAGER),
        "rep_b": (team_b1, Role.SALES_REP),
        "marketer": (div_a, Role.MARKETING),
        "outsider": (None, Role.SALES_REP),
    }
    for login, (unit, role) in spec.items():
        world.people[login] = make_person(
            unit=unit, role=role, login=login, first_name=login.title()
        )
    return world
