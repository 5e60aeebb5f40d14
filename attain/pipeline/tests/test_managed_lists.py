"""Stages and lost reasons are managed lists: everyone reads them, sales operations change them."""

from __future__ import annotations

import pytest

from attain.pipeline.models import LostReason, Stage

pytestmark = pytest.mark.django_db


def test_default_lists_come_with_the_installation():
    assert list(Stage.objects.order_by("position").values_list("code", "probability")) == [
        ("prospecting", 10),
        ("qualification", 20),
        ("needs_analysis", 35),
        ("proposal", 50),
        ("negotiation", 75),
        ("won", 100),
        ("lost", 0),
    ]
    assert set(LostReason.objects.values_list("code", flat=True)) >= {
        "price",
        "product_fit",
        "competitor",
        "timing",
        "no_decision",
        "delivery_terms",
    }


def test_admin_adds_and_edits_through_the_pages(world, login_as):
    client = login_as(world.admin)
    assert client.get("/pipeline/stages/").status_code == 200
    created = client.post(
        "/pipeline/stages/new/",
        {"code": "legal_review", "name": "Legal review", "position": 45, "probability": 60},
    )
    assert created.status_code == 302
    stage = Stage.objects.get(code="legal_review")
    assert (stage.name, stage.position, stage.probability) == ("Legal review", 45, 60)
    edited = client.post(
        f"/pipeline/stages/{stage.pk}/edit/",
        {"name": "Legal", "position": 46, "probability": 65, "is_active": "on"},
    )
    assert edited.status_code == 302
    stage.refresh_from_db()
    assert (stage.name, stage.probability) == ("Legal", 65)
    reason = client.post("/pipeline/lost-reasons/new/", {"code": "no_stock", "name": "No stock"})
    assert reason.status_code == 302 and LostReason.objects.filter(code="no_stock").exists()


def test_won_stage_keeps_probability_100(world, login_as):
    client = login_as(world.admin)
    won = Stage.objects.get(code="won")
    response = client.post(
        f"/pipeline/stages/{won.pk}/edit/",
        {"name": "Won", "position": 90, "probability": 80, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "probability 100" in response.content.decode()
    won.refresh_from_db()
    assert won.probability == 100


@pytest.mark.parametrize("login", ["manager", "leader", "rep", "marketer"])
def test_others_read_but_cannot_change(world, login_as, login):
    client = login_as(world.people[login])
    assert client.get("/pipeline/stages/").status_code == 200
    assert client.get("/pipeline/lost-reasons/").status_code == 200
    assert (
        client.post(
            "/pipeline/stages/new/", {"code": "x", "name": "X", "position": 1, "probability": 1}
        ).status_code
        == 403
    )
    stage = Stage.objects.get(code="proposal")
    assert (
        client.post(
            f"/pipeline/stages/{stage.pk}/edit/", {"name": "X", "position": 1, "probability": 1}
        ).status_code
        == 403
    )
    assert client.post("/pipeline/lost-reasons/new/", {"code": "x", "name": "X"}).status_code == 403
    assert (
        not Stage.objects.filter(code="x").exists()
        and not LostReason.objects.filter(code="x").exists()
    )
    stage.refresh_from_db()
    assert stage.name == "Proposal"
