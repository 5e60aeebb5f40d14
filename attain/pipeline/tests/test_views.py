"""Pipeline pages render, act through the services and show service errors on the form."""

from __future__ import annotations

import datetime as dt

import pytest

from attain.pipeline.models import Activity, Deal, Lead
from attain.pipeline.tests.factories import (
    make_account,
    make_activity,
    make_deal,
    make_lead,
    reason,
    stage,
)

pytestmark = pytest.mark.django_db


def test_deal_list_search_filter_sort_and_weighted_value(world, login_as):
    small = make_deal(owner=world.rep, name="Small box", amount="100.00", stage_code="proposal")
    big = make_deal(owner=world.rep2, name="Big crate", amount="5000.00")
    client = login_as(world.leader)
    page = client.get("/pipeline/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Small box" in text and "Big crate" in text
    assert "50.00" in text  # weighted value of the small deal: 100 × 50 %
    assert [d.pk for d in page.context["rows"]] == [big.pk, small.pk]  # newest first
    by_amount = client.get("/pipeline/deals/?sort=amount_reporting")
    assert [d.pk for d in by_amount.context["rows"]] == [small.pk, big.pk]
    by_amount_desc = client.get("/pipeline/deals/?sort=-amount_reporting")
    assert [d.pk for d in by_amount_desc.context["rows"]] == [big.pk, small.pk]
    searched = client.get("/pipeline/?q=crate")
    assert [d.pk for d in searched.context["rows"]] == [big.pk]
    by_stage = client.get(f"/pipeline/?stage={stage('proposal').pk}")
    assert [d.pk for d in by_stage.context["rows"]] == [small.pk]
    by_owner = client.get(f"/pipeline/?owner={world.rep2.pk}")
    assert [d.pk for d in by_owner.context["rows"]] == [big.pk]
    bogus = client.get("/pipeline/?sort=password&status=nope&owner=x")
    assert bogus.status_code == 200
    assert page.context["summary"].open_count == 2


def test_deal_list_owner_filter_offers_only_visible_people(world, login_as):
    page = login_as(world.leader).get("/pipeline/")
    owner_filter = next(f for f in page.context["spec"].filters if f.param == "owner")
    assert {int(code) for code, _ in owner_filter.choices} == {
        world.leader.pk,
        world.rep.pk,
        world.rep2.pk,
    }


def test_deal_list_page_query_budget(world, login_as, django_assert_max_num_queries):
    account = make_account(owner=world.rep)
    for _ in range(30):
        make_deal(owner=world.rep, account=account)
    client = login_as(world.manager)
    with django_assert_max_num_queries(11):
        response = client.get("/pipeline/?sort=-expected_close_on")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 25


def test_lead_and_activity_list_query_budget(world, login_as, django_assert_max_num_queries):
    deal = make_deal(owner=world.rep)
    for _ in range(30):
        make_lead(owner=world.rep)
        make_activity(owner=world.rep, deal=deal)
    client = login_as(world.manager)
    with django_assert_max_num_queries(8):
        assert client.get("/pipeline/leads/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/pipeline/activities/?kind=call").status_code == 200


def test_deal_detail_shows_timeline_and_actions(world, login_as):
    deal = make_deal(owner=world.rep, name="Timeline deal")
    make_activity(owner=world.rep, deal=deal)
    client = login_as(world.rep)
    client.post(f"/pipeline/deals/{deal.pk}/move/", {"stage": stage("negotiation").pk})
    page = client.get(f"/pipeline/deals/{deal.pk}/")
    assert page.status_code == 200
    assert [c.to_stage.code for c in page.context["history"]] == ["prospecting", "negotiation"]
    text = page.content.decode()
    for snippet in (
        "Timeline deal",
        "Negotiation",
        f"/pipeline/deals/{deal.pk}/win/",
        f"/pipeline/deals/{deal.pk}/lose/",
        f"/pipeline/deals/{deal.pk}/move/",
        f"/pipeline/deals/{deal.pk}/edit/",
        "Call ",
    ):
        assert snippet in text, snippet
    assert f"/pipeline/deals/{deal.pk}/delete/" not in text  # a rep may not delete
    leader_page = login_as(world.leader).get(f"/pipeline/deals/{deal.pk}/")
    assert f"/pipeline/deals/{deal.pk}/delete/" in leader_page.content.decode()


def test_create_deal_via_page(world, login_as):
    account = make_account(owner=world.rep)
    client = login_as(world.rep)
    assert client.get("/pipeline/deals/new/").status_code == 200
    response = client.post(
        "/pipeline/deals/new/",
        {
            "name": "Page deal",
            "account": account.pk,
            "owner": world.rep.pk,
            "amount": "750.00",
            "currency": "EUR",
            "expected_close_on": "2099-12-31",
            "stage": stage("qualification").pk,
            "probability": "",
        },
    )
    deal = Deal.objects.get(name="Page deal")
    assert response.status_code == 302
    assert response["Location"] == deal.get_absolute_url()
    assert (deal.stage.code, deal.probability, deal.created_on) == (
        "qualification",
        20,
        dt.date.today(),
    )


def test_create_deal_page_shows_service_errors(world, login_as):
    account = make_account(owner=world.rep)
    response = login_as(world.rep).post(
        "/pipeline/deals/new/",
        {
            "name": "No rate",
            "account": account.pk,
            "owner": world.rep.pk,
            "amount": "10",
            "currency": "GBP",
            "expected_close_on": "2099-12-31",
        },
    )
    assert response.status_code == 200
    assert "currency" in response.context["form"].errors
    assert not Deal.objects.exists()


def test_win_and_lose_via_pages(world, login_as):
    won = make_deal(owner=world.rep)
    lost = make_deal(owner=world.rep)
    client = login_as(world.rep)
    assert client.get(f"/pipeline/deals/{won.pk}/win/").status_code == 200
    response = client.post(f"/pipeline/deals/{won.pk}/win/", {"closed_on": "2024-04-01"})
    assert response.status_code == 302
    won.refresh_from_db()
    assert (won.status, won.closed_on) == ("won", dt.date(2024, 4, 1))

    missing_reason = client.post(f"/pipeline/deals/{lost.pk}/lose/", {"closed_on": "2024-04-01"})
    assert missing_reason.status_code == 422
    assert "reason" in missing_reason.context["form"].errors
    lost.refresh_from_db()
    assert lost.status == "open"
    response = client.post(
        f"/pipeline/deals/{lost.pk}/lose/",
        {"closed_on": "2024-04-01", "reason": reason("budget").pk, "note": "Frozen"},
    )
    assert response.status_code == 302
    lost.refresh_from_db()
    assert (lost.status, lost.lost_reason.code, lost.lost_note) == ("lost", "budget", "Frozen")

    closed_page = client.get(f"/pipeline/deals/{lost.pk}/")
    assert closed_page.status_code == 200
    text = closed_page.content.decode()
    assert f"/pipeline/deals/{lost.pk}/reopen/" in text and "Frozen" in text
    assert f"/pipeline/deals/{lost.pk}/win/" not in text
    early = client.post(f"/pipeline/deals/{won.pk}/win/", {"closed_on": "2024-04-02"})
    assert early.status_code == 422  # already closed: the service error is on the form
    assert early.context["form"].non_field_errors()


def test_edit_deal_and_reopen(world, login_as):
    deal = make_deal(owner=world.rep, amount="100.00")
    client = login_as(world.rep)
    assert client.get(f"/pipeline/deals/{deal.pk}/edit/").status_code == 200
    response = client.post(
        f"/pipeline/deals/{deal.pk}/edit/",
        {
            "name": "Edited deal",
            "owner": world.rep.pk,
            "amount": "120.00",
            "currency": "EUR",
            "expected_close_on": "2099-01-01",
            "probability": "30",
        },
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.name, str(deal.amount_reporting), deal.probability) == (
        "Edited deal",
        "120.00",
        30,
    )
    client.post(f"/pipeline/deals/{deal.pk}/win/", {"closed_on": "2024-04-01"})
    reopened = client.post(f"/pipeline/deals/{deal.pk}/reopen/", {"stage": stage("proposal").pk})
    assert reopened.status_code == 302
    deal.refresh_from_db()
    assert (deal.status, deal.stage.code) == ("open", "proposal")


def test_rep_cannot_assign_a_deal_to_someone_else_on_edit(world, login_as):
    deal = make_deal(owner=world.rep)
    response = login_as(world.rep).post(
        f"/pipeline/deals/{deal.pk}/edit/",
        {
            "name": "Handover",
            "owner": world.rep2.pk,
            "amount": "100.00",
            "currency": "EUR",
            "expected_close_on": "2099-01-01",
        },
    )
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    deal.refresh_from_db()
    assert (deal.owner, deal.name) == (world.rep, deal.name)


def test_lead_pages_and_conversion(world, login_as):
    lead = make_lead(owner=world.rep, company="Globex")
    account = make_account(owner=world.rep)
    client = login_as(world.rep)
    detail = client.get(f"/pipeline/leads/{lead.pk}/")
    assert detail.status_code == 200 and "Globex" in detail.content.decode()
    assert client.post(f"/pipeline/leads/{lead.pk}/qualify/").status_code == 302
    lead.refresh_from_db()
    assert lead.status == "qualified"
    assert client.get(f"/pipeline/leads/{lead.pk}/convert/").status_code == 200
    response = client.post(
        f"/pipeline/leads/{lead.pk}/convert/",
        {
            "name": "",
            "account": account.pk,
            "amount": "640.00",
            "currency": "EUR",
            "expected_close_on": "2099-06-30",
        },
    )
    deal = Deal.objects.get(lead=lead)
    assert response["Location"] == deal.get_absolute_url()
    assert deal.name == "Globex"
    lead.refresh_from_db()
    assert lead.status == "converted"
    assert client.get("/pipeline/leads/?status=converted").context["rows"][0] == lead
    assert client.get("/pipeline/leads/new/").status_code == 200
    assert client.get(f"/pipeline/leads/{lead.pk}/edit/").status_code == 200


def test_leader_cannot_delete_a_converted_lead(world, login_as):
    lead = make_lead(owner=world.rep)
    account = make_account(owner=world.rep)
    from attain.pipeline.services import lead_convert

    lead_convert(
        lead=lead,
        account=account,
        amount=1,
        currency="EUR",
        expected_close_on=dt.date(2099, 1, 1),
    )
    response = login_as(world.leader).post(f"/pipeline/leads/{lead.pk}/delete/")
    assert response.status_code == 302
    assert Lead.objects.filter(pk=lead.pk).exists()


def test_activity_pages(world, login_as):
    deal = make_deal(owner=world.rep)
    client = login_as(world.rep)
    form_page = client.get(f"/pipeline/activities/new/?deal={deal.pk}")
    assert form_page.status_code == 200
    assert form_page.context["form"].initial["deal"] == deal.pk
    hidden = make_deal(owner=world.rep_b)
    assert client.get(f"/pipeline/activities/new/?deal={hidden.pk}").status_code == 404
    response = client.post(
        f"/pipeline/activities/new/?deal={deal.pk}",
        {
            "kind": "demo",
            "occurred_at": "2024-03-05T14:00",
            "minutes": "90",
            "outcome": "positive",
            "subject": "Product demo",
            "owner": world.rep.pk,
            "deal": deal.pk,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == deal.get_absolute_url()
    activity = Activity.objects.get()
    assert (activity.kind, activity.minutes, activity.account) == ("demo", 90, deal.account)
    too_long = client.post(
        "/pipeline/activities/new/",
        {
            "kind": "call",
            "occurred_at": "2024-03-05T14:00",
            "minutes": "1500",
            "outcome": "completed",
            "subject": "Marathon",
            "owner": world.rep.pk,
        },
    )
    assert "minutes" in too_long.context["form"].errors
    listed = client.get("/pipeline/activities/?kind=demo&outcome=positive")
    assert list(listed.context["rows"]) == [activity]
    assert list(client.get("/pipeline/activities/?kind=call").context["rows"]) == []


def test_anonymous_is_sent_to_sign_in(client, world):
    for url in ("/pipeline/", "/pipeline/leads/", "/pipeline/activities/", "/pipeline/deals/new/"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    assert client.get("/api/v1/pipeline/deals").status_code == 401


def test_admin_screens_are_read_only_windows_for_sales_ops(world, login_as):
    deal = make_deal(owner=world.rep)
    make_activity(owner=world.rep, deal=deal)
    make_lead(owner=world.rep)
    user = world.admin.user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = login_as(world.admin)
    for model in ("deal", "lead", "activity", "stage", "lostreason", "dealstagechange"):
        assert client.get(f"/admin/pipeline/{model}/").status_code == 200, model
    assert client.get(f"/admin/pipeline/deal/{deal.pk}/change/").status_code == 200
    assert client.get("/admin/pipeline/deal/add/").status_code == 403
