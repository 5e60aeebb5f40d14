"""Complaint pages: the list with filters, search, sort and export within a query budget; opening
a complaint from the list or an account's page; the detail with its resolve form; form errors
shown with nothing saved."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from attain.core.periods import today
from attain.service.models import Complaint
from attain.service.services import complaint_resolve
from attain.service.tests.factories import (
    DAY,
    make_account,
    make_complaint,
    make_contact,
    make_order,
)

pytestmark = pytest.mark.django_db
LIST = "/service/"
NEW = "/service/complaints/new/"


def _form(account, **extra: str) -> dict[str, str]:
    data = {
        "account": str(account.pk),
        "category": "delivery",
        "subject": "Pallet arrived late",
        "description": "Two days late.",
        "opened_on": "2025-03-10",
    }
    data.update(extra)
    return data


# --- the list ----------------------------------------------------------------------------------


def test_list_page_query_budget(world, login_as, django_assert_max_num_queries):
    account = make_account(owner=world.rep)
    order = make_order(owner=world.rep, account=account)
    for n in range(30):
        make_complaint(account=account, order=order if n % 2 else None, subject=f"Issue {n}")
    client = login_as(world.manager)
    with django_assert_max_num_queries(8):
        response = client.get(f"{LIST}?sort=-opened_on")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 25
    assert f'href="{NEW}"' in response.text and "New complaint" in response.text


def test_list_filters_search_and_sort(world, login_as):
    account = make_account(owner=world.rep, name="Globex")
    other = make_account(owner=world.rep, name="Initech")
    late = make_complaint(account=account, category="delivery", subject="Late pallet")
    broken = make_complaint(
        account=other,
        category="product",
        subject="Cracked housing",
        opened_on=DAY + dt.timedelta(2),
    )
    billed = make_complaint(account=account, category="billing", subject="Billed twice")
    complaint_resolve(complaint=billed, resolved_on=DAY, resolution="Credit note sent.")
    client = login_as(world.rep)

    def subjects(query: str) -> list[str]:
        return [row.subject for row in client.get(f"{LIST}?{query}").context["rows"]]

    assert subjects("sort=subject") == ["Billed twice", "Cracked housing", "Late pallet"]
    assert subjects("status=open&sort=subject") == ["Cracked housing", "Late pallet"]
    assert subjects("status=resolved") == ["Billed twice"]
    assert subjects("category=product") == ["Cracked housing"]
    assert subjects("q=initech") == ["Cracked housing"]
    assert subjects("q=pallet") == ["Late pallet"]
    assert subjects("sort=-opened_on")[0] == "Cracked housing"
    assert subjects("status=bogus&sort=nonsense&category=x") == subjects("")  # ignored
    assert {late.pk, broken.pk, billed.pk} == set(Complaint.objects.values_list("pk", flat=True))


def test_list_exports_csv_and_xlsx(world, login_as):
    account = make_account(owner=world.rep, name="Globex")
    order = make_order(owner=world.rep, account=account)
    make_complaint(account=account, category="delivery", subject="Late pallet", order=order)
    make_complaint(account=account, category="billing", subject="Billed twice")
    client = login_as(world.rep)
    response = client.get(f"{LIST}?category=delivery&export=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="complaints.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        [
            "Opened on",
            "Subject",
            "Account",
            "Category",
            "Order",
            "Owner",
            "Status",
            "Resolved on",
        ],
        [
            "2025-03-03",
            "Late pallet",
            "Globex",
            "Delivery",
            order.number,
            world.rep.full_name,
            "Open",
            "",
        ],
    ]
    xlsx = client.get(f"{LIST}?export=xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == 'attachment; filename="complaints.xlsx"'


def test_navigation_links_the_complaints_under_customers(world, login_as):
    response = login_as(world.rep).get(LIST)
    customers = next(area for area in response.context["nav_areas"] if area["key"] == "customers")
    assert [(str(link.label), link.url, link.active) for link in customers["links"]] == [
        ("Accounts", "/customers/", False),
        ("Contacts", "/customers/contacts/", False),
        ("Complaints", "/service/", True),
    ]
    assert customers["active"] is True


# --- opening -----------------------------------------------------------------------------------


def test_account_page_links_to_the_form_with_the_account_preselected(world, login_as):
    account = make_account(owner=world.rep)
    page = login_as(world.rep).get(account.get_absolute_url())
    assert f'href="{NEW}?account={account.pk}"' in page.text
    assert "Open a complaint" in page.text


def test_create_form_offers_the_accounts_orders_and_contacts(
    world, login_as, django_assert_max_num_queries
):
    account = make_account(owner=world.rep, name="Globex")
    make_account(owner=world.rep_b, name="Hidden Corp")
    order = make_order(owner=world.rep, account=account)
    elsewhere = make_order(owner=world.rep, account=make_account(owner=world.rep))
    contact = make_contact(account=account, first_name="Ann", last_name="Buyer")
    client = login_as(world.rep)
    with django_assert_max_num_queries(10):
        response = client.get(f"{NEW}?account={account.pk}")
    assert response.status_code == 200
    html = response.text
    assert f'<option value="{account.pk}" selected>Globex</option>' in html
    assert "Hidden Corp" not in html
    assert f'<option value="{order.pk}">{order.number} · 2025-03-03</option>' in html
    assert elsewhere.number not in html
    assert f'<option value="{contact.pk}">Ann Buyer</option>' in html
    assert f'hx-get="{NEW}"' in html
    # without an account the order and contact lists wait for one
    blank = client.get(NEW)
    assert blank.status_code == 200
    assert order.number not in blank.text
    assert "Choose the account first; its orders are offered then." in blank.text
    assert f'value="{today().isoformat()}"' in blank.text


def test_create_form_404s_for_an_account_the_user_cannot_see(world, login_as):
    hidden = make_account(owner=world.rep_b)
    assert login_as(world.rep).get(f"{NEW}?account={hidden.pk}").status_code == 404


def test_open_a_complaint_from_the_form(world, login_as):
    account = make_account(owner=world.rep)
    order = make_order(owner=world.rep, account=account)
    contact = make_contact(account=account)
    client = login_as(world.leader)
    response = client.post(
        NEW,
        _form(account, order=str(order.pk), contact=str(contact.pk), external_ref="ZD-9"),
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == complaint.get_absolute_url()
    assert (
        complaint.account,
        complaint.order,
        complaint.contact,
        complaint.category,
        complaint.subject,
        complaint.description,
        complaint.opened_on,
        complaint.external_ref,
    ) == (
        account,
        order,
        contact,
        "delivery",
        "Pallet arrived late",
        "Two days late.",
        dt.date(2025, 3, 10),
        "ZD-9",
    )
    # nobody chosen: the account manager is accountable, stamped on the day
    assert (complaint.owner, complaint.unit_path) == (world.rep, world.team_a1.path)


def test_a_leader_may_make_a_seller_of_the_team_accountable(world, login_as):
    account = make_account(owner=world.rep)
    response = login_as(world.leader).post(NEW, _form(account, owner=str(world.rep2.pk)))
    assert response.status_code == 302
    assert Complaint.objects.get().owner == world.rep2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"opened_on": "2999-01-01"}, "opened_on", "A complaint cannot be opened in the future."),
        ({"subject": ""}, "subject", "This field is required."),
        ({"category": "praise"}, "category", "Select a valid choice."),
        (
            {"owner": "rep2"},
            "owner",
            "You may only choose yourself or people in the units you lead.",
        ),
    ],
)
def test_form_errors_are_shown_and_nothing_is_saved(world, login_as, changes, field, message):
    account = make_account(owner=world.rep)
    if changes.get("owner") == "rep2":
        changes = {"owner": str(world.rep2.pk)}
    response = login_as(world.rep).post(NEW, _form(account, **changes))
    assert response.status_code == 422
    assert message in response.context["form"].errors[field][0]
    assert message in response.text
    assert not Complaint.objects.exists()


def test_an_order_of_another_account_is_not_a_choice(world, login_as):
    account = make_account(owner=world.rep)
    other = make_order(owner=world.rep, account=make_account(owner=world.rep))
    response = login_as(world.rep).post(NEW, _form(account, order=str(other.pk)))
    assert response.status_code == 422
    assert "order" in response.context["form"].errors
    assert not Complaint.objects.exists()


# --- detail, resolve, reopen -------------------------------------------------------------------


def test_detail_page_with_resolve_form(world, login_as, django_assert_max_num_queries):
    account = make_account(owner=world.rep, name="Globex")
    order = make_order(owner=world.rep, account=account)
    complaint = make_complaint(
        account=account, order=order, subject="Late pallet", description="Two days late."
    )
    client = login_as(world.rep)
    with django_assert_max_num_queries(7):
        response = client.get(complaint.get_absolute_url())
    html = response.text
    assert response.status_code == 200
    assert "Late pallet" in html and "Globex" in html and order.number in html
    assert f'action="/service/complaints/{complaint.pk}/resolve/"' in html
    assert 'name="resolution"' in html and 'name="resolved_on"' in html
    assert "Reopen" not in html


def test_resolve_from_the_detail_page_then_reopen(world, login_as):
    complaint = make_complaint(owner=world.rep, opened_on=DAY)
    client = login_as(world.rep)
    response = client.post(
        f"/service/complaints/{complaint.pk}/resolve/",
        {"resolved_on": "2025-03-05", "resolution": "Sent a new unit."},
    )
    assert response.status_code == 302
    assert response["Location"] == complaint.get_absolute_url()
    complaint.refresh_from_db()
    assert (complaint.status, complaint.resolved_on, complaint.resolution) == (
        "resolved",
        dt.date(2025, 3, 5),
        "Sent a new unit.",
    )
    page = client.get(complaint.get_absolute_url()).text
    assert "Sent a new unit." in page and "Reopen" in page and 'name="resolution"' not in page

    assert client.post(f"/service/complaints/{complaint.pk}/reopen/").status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.resolved_on, complaint.resolution) == ("open", None, "")


def test_resolve_errors_are_shown_and_nothing_changes(world, login_as):
    complaint = make_complaint(owner=world.rep, opened_on=DAY)
    client = login_as(world.rep)
    response = client.post(
        f"/service/complaints/{complaint.pk}/resolve/",
        {"resolved_on": "2025-03-01", "resolution": "Refunded."},
    )
    assert response.status_code == 422
    assert "A complaint cannot be resolved before it was opened (2025-03-03)." in response.text
    response = client.post(
        f"/service/complaints/{complaint.pk}/resolve/", {"resolved_on": "2025-03-05"}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["resolution"] == ["This field is required."]
    complaint.refresh_from_db()
    assert (complaint.status, complaint.resolved_on, complaint.resolution) == ("open", None, "")
    assert client.get(f"/service/complaints/{complaint.pk}/resolve/").status_code == 200


def test_resolving_twice_shows_the_refusal(world, login_as):
    complaint = make_complaint(owner=world.rep, opened_on=DAY)
    complaint_resolve(complaint=complaint, resolved_on=DAY, resolution="Refunded.")
    response = login_as(world.rep).post(
        f"/service/complaints/{complaint.pk}/resolve/",
        {"resolved_on": "2025-03-05", "resolution": "Again."},
    )
    assert response.status_code == 422
    assert "The complaint is already resolved." in response.text
    complaint.refresh_from_db()
    assert complaint.resolution == "Refunded."


def test_reopening_an_open_complaint_flashes_the_refusal(world, login_as):
    complaint = make_complaint(owner=world.rep)
    client = login_as(world.rep)
    response = client.post(f"/service/complaints/{complaint.pk}/reopen/", follow=True)
    assert "The complaint is open already." in response.text
    assert client.get(f"/service/complaints/{complaint.pk}/reopen/").status_code == 405
