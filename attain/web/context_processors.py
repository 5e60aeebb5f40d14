"""Template context shared by every page: the navigation by area."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from attain.organization.visibility import scope_for


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url: str
    active: bool


# (area key, label, [(link label, url name)]) — areas still to come link to their overview page.
AREAS: list[tuple[str, Promise, list[tuple[Promise, str]]]] = [
    (
        "plan",
        _("Plan"),
        [
            (_("Goals"), "goals:goal_list"),
            (_("My goals"), "goals:my_goals"),
            (_("Territories"), "organization:territory_list"),
        ],
    ),
    (
        "pipeline",
        _("Pipeline"),
        [
            (_("Deals"), "pipeline:deal_list"),
            (_("Leads"), "pipeline:lead_list"),
            (_("Activities"), "pipeline:activity_list"),
            (_("Win rates"), "pipeline:win_rates"),
        ],
    ),
    (
        "orders",
        _("Orders"),
        [(_("Orders"), "orders:order_list"), (_("Returns"), "orders:return_list")],
    ),
    ("performance", _("Performance"), [(_("Dashboard"), "dashboards:dashboard")]),
    (
        "people",
        _("People"),
        [(_("Organisation"), "organization:unit_list"), (_("People"), "organization:person_list")],
    ),
    (
        "customers",
        _("Customers"),
        [
            (_("Accounts"), "customers:account_list"),
            (_("Contacts"), "customers:contact_list"),
            (_("Complaints"), "service:complaint_list"),
        ],
    ),
    (
        "catalog",
        _("Catalog"),
        [(_("Products"), "catalog:product_list"), (_("Product lines"), "catalog:productline_list")],
    ),
    ("pay", _("Pay"), []),
    (
        "settings",
        _("Settings"),
        [
            (_("Exchange rates"), "core:exchange_rate_list"),
            (_("Stages"), "pipeline:stage_list"),
            (_("Lost reasons"), "pipeline:lostreason_list"),
            (_("Imports"), "imports:job_list"),
            (_("Webhooks"), "webhooks:webhook_list"),
            (_("Notifications sent"), "notifications:notification_list"),
        ],
    ),
]


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def navigation(request: HttpRequest) -> dict[str, object]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    path = request.path
    areas = []
    urls = [url for _key, _label, links in AREAS for _l, name in links if (url := _url(name))]
    # the one link whose URL is the longest prefix of the path (/customers/ is the accounts
    # list, but /customers/contacts/… belongs to Contacts)
    current = max((url for url in urls if path.startswith(url)), key=len, default=None)
    for key, label, links in AREAS:
        nav_links = []
        for link_label, name in links:
            url = _url(name)
            if url:
                nav_links.append(NavLink(link_label, url, url == current))
        overview = reverse("area", args=[key])
        active = path.startswith(overview) or any(link.active for link in nav_links)
        areas.append(
            {"key": key, "label": label, "url": overview, "links": nav_links, "active": active}
        )
    scope = scope_for(request.user)
    return {"nav_areas": areas, "user_scope": scope, "is_admin": scope.everything}
