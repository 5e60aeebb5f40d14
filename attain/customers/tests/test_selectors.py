"""Customer reads: filtered lists, who may own an account, who may delete one."""

from __future__ import annotations

import pytest

from attain.customers.models import Segment, SizeBand
from attain.customers.selectors import (
    account_can_delete,
    account_list,
    contact_list,
    owner_is_covered,
    owners_covered_by,
)
from attain.customers.tests.factories import make_account, make_contact

pytestmark = pytest.mark.django_db


def test_account_list_filters_within_visibility(world):
    a = make_account(
        owner=world.rep, name="Alpha GmbH", segment=Segment.ENTERPRISE, country="DE", city="Köln"
    )
    b = make_account(
        owner=world.rep2, name="Beta SA", size_band=SizeBand.SMALL, country="FR", industry="Food"
    )
    c = make_account(owner=world.rep_b, name="Gamma", country="DE")
    leader = world.leader.user
    assert set(account_list(user=leader)) == {a, b}
    assert set(account_list(user=world.admin.user, country="de")) == {a, c}
    assert set(account_list(user=leader, segment=Segment.ENTERPRISE)) == {a}
    assert set(account_list(user=leader, size_band=SizeBand.SMALL)) == {b}
    assert set(account_list(user=leader, search="food")) == {b}
    assert set(account_list(user=leader, search="köln")) == {a}
    assert set(account_list(user=leader, owner_id=world.rep2.pk)) == {b}
    assert set(account_list(user=world.rep.user)) == {a}


def test_contact_list_follows_account_visibility(world):
    mine = make_contact(account=make_account(owner=world.rep), last_name="Mine")
    other = make_contact(account=make_account(owner=world.rep_b), last_name="Other")
    assert set(contact_list(user=world.rep.user)) == {mine}
    assert set(contact_list(user=world.manager_b.user)) == {other}
    assert set(contact_list(user=world.admin.user, search="oth")) == {other}


def _names(people) -> set[str]:
    return {p.first_name.lower() for p in people}


def test_owners_covered_by_each_role(world):
    everyone = {
        "admin",
        "manager",
        "assistant",
        "leader",
        "rep",
        "rep2",
        "rep_a2",
        "manager_b",
        "rep_b",
        "marketer",
        "outsider",
    }
    assert _names(owners_covered_by(user=world.admin.user)) == everyone
    assert _names(owners_covered_by(user=world.manager.user)) == {
        "manager",
        "assistant",
        "leader",
        "rep",
        "rep2",
        "rep_a2",
        "marketer",
    }
    assert _names(owners_covered_by(user=world.leader.user)) == {"leader", "rep", "rep2"}
    assert _names(owners_covered_by(user=world.manager_b.user)) == {"manager_b", "rep_b"}
    for solo in ("rep", "rep_b", "marketer", "outsider"):
        person = getattr(world, solo)
        assert _names(owners_covered_by(user=person.user)) == {solo}


def test_owner_is_covered_matches_placement(world):
    assert owner_is_covered(user=world.leader.user, person_id=world.rep2.pk)
    assert not owner_is_covered(user=world.leader.user, person_id=world.rep_a2.pk)
    assert owner_is_covered(user=world.manager.user, person_id=world.rep_a2.pk)
    assert not owner_is_covered(user=world.manager.user, person_id=world.rep_b.pk)
    assert not owner_is_covered(user=world.manager.user, person_id=world.outsider.pk)
    assert owner_is_covered(user=world.rep.user, person_id=world.rep.pk)
    assert not owner_is_covered(user=world.rep.user, person_id=world.rep2.pk)
    assert owner_is_covered(user=world.admin.user, person_id=world.outsider.pk)


def test_account_can_delete(world):
    account = make_account(owner=world.rep)
    allowed = {"admin", "manager", "assistant", "leader"}
    for role in ("admin", "manager", "assistant", "leader", "rep", "rep_a2", "manager_b"):
        user = getattr(world, role).user
        assert account_can_delete(user=user, account=account) is (role in allowed), role
