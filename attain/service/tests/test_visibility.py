"""Who sees a complaint: its owner, the leaders of the unit it is stamped with, sales operations —
on the list, the detail page and the API alike; any other id is a 404."""

from __future__ import annotations

import pytest

from attain.service.models import Complaint
from attain.service.tests.factories import make_complaint

pytestmark = pytest.mark.django_db

SEES_REPS_COMPLAINT = {"admin", "manager", "assistant", "leader", "rep"}
ROLES = [
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
]


@pytest.mark.parametrize("login", ROLES)
def test_a_reps_complaint_is_seen_by_the_rep_their_leaders_and_sales_ops(world, login_as, login):
    complaint = make_complaint(owner=world.rep, subject="Seen or not")
    person = getattr(world, login)
    sees = login in SEES_REPS_COMPLAINT

    assert list(Complaint.objects.visible_to(person.user)) == ([complaint] if sees else [])
    client = login_as(person)
    listing = client.get("/service/")
    assert listing.status_code == 200
    assert ("Seen or not" in listing.text) is sees
    assert client.get(complaint.get_absolute_url()).status_code == (200 if sees else 404)
    api = client.get(f"/api/v1/service/complaints/{complaint.pk}")
    assert api.status_code == (200 if sees else 404)
    assert client.get("/api/v1/service/complaints").json()["count"] == (1 if sees else 0)


def test_rep2_can_neither_resolve_nor_reopen_reps_complaint(world, login_as):
    complaint = make_complaint(owner=world.rep)
    client = login_as(world.rep2)
    page = client.post(
        f"/service/complaints/{complaint.pk}/resolve/",
        {"resolved_on": "2025-03-04", "resolution": "Not mine."},
    )
    api = client.post(
        f"/api/v1/service/complaints/{complaint.pk}/resolve",
        {"resolved_on": "2025-03-04", "resolution": "Not mine."},
        content_type="application/json",
    )
    assert (page.status_code, api.status_code) == (404, 404)
    assert client.post(f"/service/complaints/{complaint.pk}/reopen/").status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == "open"


def test_a_guessed_id_is_a_404_like_a_hidden_one(world, login_as):
    client = login_as(world.admin)
    assert client.get("/service/complaints/987654/").status_code == 404
    response = client.get("/api/v1/service/complaints/987654")
    assert response.status_code == 404
    assert response.json() == {"detail": [{"field": "", "message": "Not found."}]}
