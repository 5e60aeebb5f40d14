"""Organisation services: moves keep history, employment ends are recorded, bad input is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from attain.organization.models import (
    Employment,
    Membership,
    OrgUnit,
    Person,
    ReportingLine,
    Role,
    TerritoryAssignment,
    TerritoryKind,
    UnitKind,
)
from attain.organization.selectors import person_placement_at
from attain.organization.services import (
    employment_end,
    employment_start,
    membership_start,
    person_create,
    person_move,
    reporting_line_set,
    territory_assign,
    territory_create,
    unit_create,
)

pytestmark = pytest.mark.django_db


def test_subtree_is_one_prefix_filter(world):
    paths = set(
        OrgUnit.objects.filter(path__startswith=world.div_a.path).values_list("name", flat=True)
    )
    assert paths == {"Division A", "BU A", "Team A1", "Team A2"}


def test_second_company_root_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        unit_create(name="Other", kind=UnitKind.COMPANY, code="OTHER")
    assert "parent" in exc.value.error_dict
    assert not OrgUnit.objects.filter(code="OTHER").exists()


def test_duplicate_unit_code_names_the_field(world):
    with pytest.raises(ValidationError) as exc:
        unit_create(name="X", kind=UnitKind.TEAM, code=world.team_a1.code, parent=world.bu_a)
    assert "code" in exc.value.error_dict


def test_move_closes_old_membership_and_keeps_history(world):
    person_move(person=world.rep, unit=world.team_a2, role=Role.SALES_REP, on=dt.date(2022, 3, 1))
    rows = list(
        Membership.objects.filter(person=world.rep)
        .order_by("valid_from")
        .values_list("unit__name", "valid_from", "valid_to")
    )
    assert rows == [
        ("Team A1", dt.date(2020, 1, 1), dt.date(2022, 3, 1)),
        ("Team A2", dt.date(2022, 3, 1), None),
    ]
    assert (
        person_placement_at(person_id=world.rep.pk, on=dt.date(2022, 2, 28)).unit_path
        == world.team_a1.path
    )
    assert (
        person_placement_at(person_id=world.rep.pk, on=dt.date(2022, 3, 1)).unit_path
        == world.team_a2.path
    )


def test_overlapping_membership_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        membership_start(
            person=world.rep,
            unit=world.team_a2,
            role=Role.SALES_REP,
            valid_from=dt.date(2019, 6, 1),
            valid_to=dt.date(2020, 6, 1),
        )
    assert "valid_from" in exc.value.error_dict
    assert Membership.objects.filter(person=world.rep).count() == 1


def test_employment_end_records_reason_and_closes_places(world):
    territory = territory_create(name="North", kind=TerritoryKind.REGION, region="North")
    territory_assign(territory=territory, person=world.rep, valid_from=dt.date(2020, 1, 1))
    reporting_line_set(person=world.rep, manager=world.leader, valid_from=dt.date(2020, 1, 1))
    employment = employment_end(
        person=world.rep,
        ended_on=dt.date(2023, 5, 31),
        reason="Performance after coaching",
        separation_type="involuntary",
    )
    assert (employment.ended_on, employment.separation_type) == (
        dt.date(2023, 5, 31),
        "involuntary",
    )
    assert Membership.objects.get(person=world.rep).valid_to == dt.date(2023, 6, 1)
    assert TerritoryAssignment.objects.get(person=world.rep).valid_to == dt.date(2023, 6, 1)
    assert ReportingLine.objects.get(person=world.rep).valid_to == dt.date(2023, 6, 1)
    world.rep.user.refresh_from_db()
    assert world.rep.user.is_active is False


def test_employment_end_without_reason_or_type_changes_nothing(world):
    with pytest.raises(ValidationError) as exc:
        employment_end(
            person=world.rep, ended_on=dt.date(2023, 5, 31), reason=" ", separation_type=""
        )
    assert set(exc.value.error_dict) == {"end_reason", "separation_type"}
    assert Employment.objects.get(person=world.rep).ended_on is None


def test_rehire_starts_a_new_employment(world):
    employment_end(
        person=world.rep, ended_on=dt.date(2021, 1, 31), reason="Study", separation_type="voluntary"
    )
    with pytest.raises(ValidationError):
        employment_start(person=world.rep, started_on=dt.date(2021, 1, 15))
    employment_start(person=world.rep, started_on=dt.date(2022, 1, 1))
    assert Employment.objects.filter(person=world.rep).count() == 2


def test_person_email_must_be_unique(world):
    with pytest.raises(ValidationError) as exc:
        person_create(first_name="A", last_name="B", email=world.rep.email.upper())
    assert "email" in exc.value.error_dict
    assert Person.objects.filter(email=world.rep.email).count() == 1


def test_reporting_line_replaces_the_open_one(world):
    reporting_line_set(person=world.rep, manager=world.leader, valid_from=dt.date(2020, 1, 1))
    reporting_line_set(person=world.rep, manager=world.manager, valid_from=dt.date(2021, 1, 1))
    rows = list(
        ReportingLine.objects.filter(person=world.rep)
        .order_by("valid_from")
        .values_list("manager_id", "valid_to")
    )
    assert rows == [(world.leader.pk, dt.date(2021, 1, 1)), (world.manager.pk, None)]
    with pytest.raises(ValidationError):
        reporting_line_set(person=world.rep, manager=world.rep, valid_from=dt.date(2022, 1, 1))


def test_territory_validation_names_fields(world):
    with pytest.raises(ValidationError) as exc:
        territory_create(name="", kind="region")
    assert "name" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        territory_create(name="West", kind="region", region="")
    assert "region" in exc.value.error_dict
    territory = territory_create(name="West", kind="region", region="West")
    territory_assign(
        territory=territory,
        person=world.rep,
        valid_from=dt.date(2021, 1, 1),
        valid_to=dt.date(2022, 1, 1),
    )
    with pytest.raises(ValidationError):
        territory_assign(territory=territory, person=world.rep, valid_from=dt.date(2021, 6, 1))
    assert (
        person_placement_at(person_id=world.rep.pk, on=dt.date(2021, 3, 1)).territory_id
        == territory.pk
    )
    assert person_placement_at(person_id=world.rep.pk, on=dt.date(2022, 3, 1)).territory_id is None
