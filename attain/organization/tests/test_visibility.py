"""The scope rules that every list, page, API call and admin screen relies on."""

from __future__ import annotations

import datetime as dt

import pytest

from attain.organization.models import Role
from attain.organization.services import employment_end, person_move
from attain.organization.visibility import clear_scope_cache, scope_for

pytestmark = pytest.mark.django_db


def test_sales_ops_sees_everything(world):
    assert scope_for(world.admin.user).everything is True


def test_manager_scope_is_their_division_subtree(world):
    scope = scope_for(world.manager.user)
    assert scope.everything is False
    assert scope.paths == (world.div_a.path,)
    assert scope.covers(owner_id=world.rep_a2.pk, unit_path=world.team_a2.path)
    assert not scope.covers(owner_id=world.rep_b.pk, unit_path=world.team_b1.path)


def test_team_leader_scope_is_their_team(world):
    scope = scope_for(world.leader.user)
    assert scope.paths == (world.team_a1.path,)
    assert scope.covers(owner_id=world.rep.pk, unit_path=world.team_a1.path)
    assert not scope.covers(owner_id=world.rep_a2.pk, unit_path=world.team_a2.path)


def test_rep_sees_only_own_records(world):
    scope = scope_for(world.rep.user)
    assert scope.paths == ()
    assert scope.covers(owner_id=world.rep.pk, unit_path=world.team_b1.path)
    assert not scope.covers(owner_id=world.rep2.pk, unit_path=world.team_a1.path)


def test_marketing_and_outsider_see_only_their_own(world):
    for person in (world.marketer, world.outsider):
        scope = scope_for(person.user)
        assert scope.paths == () and not scope.everything
        assert not scope.covers(owner_id=world.rep.pk, unit_path=world.team_a1.path)


def test_moved_leader_loses_old_team_and_gains_new(world):
    person_move(
        person=world.leader, unit=world.team_a2, role=Role.TEAM_LEADER, on=dt.date(2021, 1, 1)
    )
    clear_scope_cache(world.leader.user)
    assert scope_for(world.leader.user).paths == (world.team_a2.path,)


def test_ended_employment_sees_nothing(world):
    employment_end(
        person=world.manager,
        ended_on=dt.date(2021, 6, 30),
        reason="Moved abroad",
        separation_type="voluntary",
    )
    world.manager.user.refresh_from_db()
    assert scope_for(world.manager.user).paths == ()
    assert world.manager.user.is_active is False
