"""Visibility matrix: every world role × list / detail / create / edit / delete, pages and API,
for deals, leads and activities, including guessed ids."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from attain.pipeline.models import Activity, Deal, Lead
from attain.pipeline.tests.factories import make_account, make_activity, make_deal, make_lead

pytestmark = pytest.mark.django_db

API = "/api/v1/pipeline"
ROLES = [
    "admin",
    "manager",
    "assistant",
    "leader",
    "rep",
    "rep_a2",
    "manager_b",
    "rep_b",
    "marketer",
    "outsider",
]
DIVISION_A = {"manager", "assistant", "leader", "rep", "rep2", "rep_a2", "marketer"}
LEADERS = {"admin", "manager", "assistant", "leader", "manager_b"}
GUESSED_ID = 987654


def visible_owners(world, login: str) -> set[str]:
    """Whose records `login` sees (stamped paths inside the units they lead, plus their own).

    It is also the set of people `login` may make owner of a new record."""
    expected = {
        "admin": set(world.people),
        "manager": DIVISION_A,
        "assistant": DIVISION_A,
        "leader": {"leader", "rep", "rep2"},
        "manager_b": {"manager_b", "rep_b"},
    }
    return expected.get(login, {login})


def deletable_owners(world, login: str, entity: str) -> set[str]:
    if entity == "activity":  # owner, leaders covering it, admin
        return visible_owners(world, login)
    # deals and leads: admins and leaders covering the record, never the owner alone
    return visible_owners(world, login) if login in LEADERS else set()


@dataclass(frozen=True)
class Entity:
    name: str
    model: Any
    api: str
    page: str  # list page; detail is page + id
    detail_page: str  # format with pk
    edit_page: str
    delete_page: str
    make: Callable[..., Any]
    api_create: Callable[..., dict[str, Any]]
    page_create: Callable[..., dict[str, Any]]
    api_edit: dict[str, Any]
    page_edit: Callable[[Any], dict[str, Any]]


def _make_deal(owner, tag):
    return make_deal(owner=owner, name=f"Deal [{tag}]", created_on=dt.date(2024, 3, 1))


def _make_lead(owner, tag):
    return make_lead(owner=owner, company=f"Lead [{tag}]")


def _make_activity(owner, tag):
    activity = make_activity(owner=owner)
    Activity.objects.filter(pk=activity.pk).update(subject=f"Activity [{tag}]")
    return activity


def _deal_create(account, owner):
    return {
        "name": "New deal",
        "account_id": account.pk,
        "owner_id": owner.pk,
        "amount": "100.00",
        "currency": "EUR",
        "expected_close_on": "2099-01-01",
    }


def _deal_page_create(account, owner):
    return {
        "name": "New deal",
        "account": account.pk,
        "owner": owner.pk,
        "amount": "100.00",
        "currency": "EUR",
        "expected_close_on": "2099-01-01",
    }


def _deal_page_edit(deal):
    return {
        "name": "Edited",
        "owner": deal.owner_id,
        "amount": "100.00",
        "currency": "EUR",
        "expected_close_on": "2099-01-01",
    }


def _lead_create(account, owner):
    return {
        "company": "New lead",
        "source": "website",
        "channel": "inbound",
        "received_on": "2024-03-01",
        "owner_id": owner.pk,
    }


def _lead_page_create(account, owner):
    data = _lead_create(account, owner)
    data["owner"] = data.pop("owner_id")
    return data


def _lead_page_edit(lead):
    return {
        "company": "Edited",
        "source": lead.source,
        "channel": lead.channel,
        "received_on": "2024-03-01",
        "owner": lead.owner_id,
    }


def _activity_create(account, owner):
    return {
        "kind": "call",
        "occurred_at": "2024-03-04T10:00:00+01:00",
        "minutes": 15,
        "outcome": "completed",
        "subject": "New activity",
        "owner_id": owner.pk,
    }


def _activity_page_create(account, owner):
    data = _activity_create(account, owner)
    data["owner"] = data.pop("owner_id")
    data["occurred_at"] = "2024-03-04T10:00"
    return data


def _activity_page_edit(activity):
    return {
        "kind": "call",
        "occurred_at": "2024-03-04T10:00",
        "minutes": 20,
        "outcome": "completed",
        "subject": "Edited",
        "owner": activity.owner_id,
    }


ENTITIES = {
    "deal": Entity(
        "deal",
        Deal,
        "/deals",
        "/pipeline/deals/",
        "/pipeline/deals/{}/",
        "/pipeline/deals/{}/edit/",
        "/pipeline/deals/{}/delete/",
        _make_deal,
        _deal_create,
        _deal_page_create,
        {"name": "Edited"},
        _deal_page_edit,
    ),
    "lead": Entity(
        "lead",
        Lead,
        "/leads",
        "/pipeline/leads/",
        "/pipeline/leads/{}/",
        "/pipeline/leads/{}/edit/",
        "/pipeline/leads/{}/delete/",
        _make_lead,
        _lead_create,
        _lead_page_create,
        {"company": "Edited"},
        _lead_page_edit,
    ),
    "activity": Entity(
        "activity",
        Activity,
        "/activities",
        "/pipeline/activities/",
        "/pipeline/activities/{}/edit/",
        "/pipeline/activities/{}/edit/",
        "/pipeline/activities/{}/delete/",
        _make_activity,
        _activity_create,
        _activity_page_create,
        {"subject": "Edited"},
        _activity_page_edit,
    ),
}


def _records(world, entity: Entity, copy: str = "") -> dict[str, Any]:
    return {name: entity.make(person, f"{name}{copy}") for name, person in world.people.items()}


@pytest.mark.parametrize("login", ROLES)
@pytest.mark.parametrize("kind", list(ENTITIES))
def test_list_and_detail(world, login_as, login, kind):
    entity = ENTITIES[kind]
    records = _records(world, entity)
    client = login_as(world.people[login])
    expected = visible_owners(world, login)

    listed = client.get(f"{API}{entity.api}?limit=100")
    assert listed.status_code == 200
    assert {row["id"] for row in listed.json()["items"]} == {records[n].pk for n in expected}

    page = client.get(entity.page)
    assert page.status_code == 200
    text = page.content.decode()
    for name in world.people:
        assert (f"[{name}]" in text) == (name in expected), (name, text[:200])

    for name, record in records.items():
        want = 200 if name in expected else 404
        assert client.get(f"{API}{entity.api}/{record.pk}").status_code == want, name
        assert client.get(entity.detail_page.format(record.pk)).status_code == want, name
    assert client.get(f"{API}{entity.api}/{GUESSED_ID}").status_code == 404
    assert client.get(entity.detail_page.format(GUESSED_ID)).status_code == 404


@pytest.mark.parametrize("login", ROLES)
@pytest.mark.parametrize("kind", list(ENTITIES))
def test_create_only_for_owners_one_covers(world, login_as, login, kind):
    entity = ENTITIES[kind]
    me = world.people[login]
    account = make_account(owner=me)
    client = login_as(me)
    before = entity.model.objects.count()

    own = client.post(
        f"{API}{entity.api}",
        json.dumps(entity.api_create(account, me)),
        content_type="application/json",
    )
    assert own.status_code == 201, own.content
    own_page = client.post(f"{entity.page}new/", entity.page_create(account, me))
    assert own_page.status_code == 302, own_page.context["form"].errors
    assert entity.model.objects.count() == before + 2

    allowed = "rep" in visible_owners(world, login)
    other = client.post(
        f"{API}{entity.api}",
        json.dumps(entity.api_create(account, world.rep)),
        content_type="application/json",
    )
    other_page = client.post(f"{entity.page}new/", entity.page_create(account, world.rep))
    if allowed:
        assert (other.status_code, other_page.status_code) == (201, 302)
        assert entity.model.objects.count() == before + 4
    else:
        assert other.status_code == 403
        assert other_page.status_code == 200
        assert "owner" in other_page.context["form"].errors
        assert entity.model.objects.count() == before + 2


@pytest.mark.parametrize("login", ROLES)
@pytest.mark.parametrize("kind", list(ENTITIES))
def test_edit_only_what_one_sees(world, login_as, login, kind):
    entity = ENTITIES[kind]
    records = _records(world, entity)
    client = login_as(world.people[login])
    expected = visible_owners(world, login)
    for name, record in records.items():
        api = client.patch(
            f"{API}{entity.api}/{record.pk}",
            json.dumps(entity.api_edit),
            content_type="application/json",
        )
        page = client.post(entity.edit_page.format(record.pk), entity.page_edit(record))
        if name in expected:
            assert api.status_code == 200, (name, api.content)
            assert page.status_code == 302, (name, page.context and page.context["form"].errors)
        else:
            assert (api.status_code, page.status_code) == (404, 404), name
            record.refresh_from_db()
            assert "Edited" not in str(record)
    guessed = client.patch(
        f"{API}{entity.api}/{GUESSED_ID}",
        json.dumps(entity.api_edit),
        content_type="application/json",
    )
    assert guessed.status_code == 404
    assert client.get(entity.edit_page.format(GUESSED_ID)).status_code == 404


@pytest.mark.parametrize("login", ROLES)
@pytest.mark.parametrize("kind", list(ENTITIES))
def test_delete_matrix(world, login_as, login, kind):
    entity = ENTITIES[kind]
    via_api = _records(world, entity, "-api")
    via_page = _records(world, entity, "-page")
    client = login_as(world.people[login])
    visible = visible_owners(world, login)
    deletable = deletable_owners(world, login, kind)
    for name in world.people:
        api = client.delete(f"{API}{entity.api}/{via_api[name].pk}")
        confirm = client.get(entity.delete_page.format(via_page[name].pk))
        page = client.post(entity.delete_page.format(via_page[name].pk))
        if name in deletable:
            assert (api.status_code, confirm.status_code, page.status_code) == (204, 200, 302)
        elif name in visible:
            assert (api.status_code, confirm.status_code, page.status_code) == (403, 403, 403)
        else:
            assert (api.status_code, confirm.status_code, page.status_code) == (404, 404, 404)
        exists = entity.model.objects.filter(pk__in=[via_api[name].pk, via_page[name].pk]).count()
        assert exists == (0 if name in deletable else 2), name
    assert client.delete(f"{API}{entity.api}/{GUESSED_ID}").status_code == 404
    assert client.post(entity.delete_page.format(GUESSED_ID)).status_code == 404
