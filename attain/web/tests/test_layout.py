"""The layout: navigation by area; areas still to come explain what is coming."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from attain.web.context_processors import NAV_SESSION_KEY

pytestmark = pytest.mark.django_db


def test_navigation_shows_every_area(world, login_as):
    html = login_as(world.rep).get("/").content.decode()
    for label in ["Plan", "Pipeline", "Orders", "Performance", "People", "Customers", "Pay"]:
        assert f">{label}</a>" in html


@pytest.mark.parametrize("area", ["plan", "performance"])
def test_areas_to_come_say_what_is_coming(world, login_as, area):
    response = login_as(world.rep).get(f"/area/{area}/")
    assert response.status_code == 200
    assert "Coming to this area" in response.content.decode()


def test_unknown_area_is_404(world, login_as):
    assert login_as(world.rep).get("/area/nope/").status_code == 404


def test_language_picker_switches_language(world, login_as):
    client = login_as(world.rep)
    response = client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "nl"


def test_not_found_and_not_allowed_pages_explain(world, login_as, settings):
    settings.DEBUG = False
    client = login_as(world.rep)
    missing = client.get("/pipeline/deals/999999/")
    assert missing.status_code == 404 and "not part of what you can see" in missing.content.decode()
    denied = client.get("/settings/exchange-rates/new/")
    assert denied.status_code == 403 and "Your role does not allow this" in denied.content.decode()


def test_admin_window_opens_to_sales_operations_only(world, login_as):
    assert world.admin.user.is_staff is False  # access follows the role, not the staff flag
    admin_client = login_as(world.admin)
    assert admin_client.get("/admin/").status_code == 200
    assert admin_client.get("/admin/organization/person/").status_code == 200
    for login in ("manager", "rep"):
        response = login_as(world.people[login]).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_server_error_page_renders_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html and "half-saved" in html


def test_only_the_link_of_the_current_page_is_marked_active(world, login_as):
    """/customers/ is the accounts list; a contacts page under it marks Contacts alone."""
    client = login_as(world.rep)
    for path, expected in [
        (reverse("customers:private_contact_create"), ["Contacts"]),
        (reverse("customers:account_list"), ["Accounts"]),
        (reverse("service:complaint_list"), ["Complaints"]),
    ]:
        areas = client.get(path).context["nav_areas"]
        active = [str(link.label) for area in areas for link in area["links"] if link.active]
        assert active == expected, path


def test_pay_area_shows_admin_links_only_to_compensation_admins(world, login_as):
    rep_page = login_as(world.rep).get("/area/pay/").content.decode()
    assert ">My pay</strong>" in rep_page and ">Contests</strong>" in rep_page
    assert ">Plans</strong>" not in rep_page and ">Payout runs</strong>" not in rep_page
    assert "Coming to this area" not in rep_page

    world.admin.user.user_permissions.add(
        Permission.objects.get(codename="manage_pay", content_type__app_label="incentives")
    )
    admin_page = login_as(world.admin).get("/area/pay/").content.decode()
    for label in ["My pay", "Plans", "Payout runs", "What-if", "Pay audit log"]:
        assert f">{label}</strong>" in admin_page, label


def test_the_menu_follows_a_new_permission_once_its_copy_in_the_session_expires(world, login_as):
    client = login_as(world.admin)
    assert ">Payout runs</a>" not in client.get("/").content.decode()
    world.admin.user.user_permissions.add(
        Permission.objects.get(codename="manage_pay", content_type__app_label="incentives")
    )
    assert ">Payout runs</a>" not in client.get("/").content.decode()  # the copy is still fresh

    session = client.session
    session[NAV_SESSION_KEY] = {**session[NAV_SESSION_KEY], "until": 0}
    session.save()

    assert ">Payout runs</a>" in client.get("/").content.decode()
