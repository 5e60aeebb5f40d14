"""Template context shared by every page: the navigation by area."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from attain.incentives.selectors import is_pay_admin
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
    (
        "pay",
        _("Pay"),
        [
            (_("My pay"), "incentives:my_pay"),
            (_("Plans"), "incentives:plan_list"),
            (_("Payout runs"), "incentives:run_list"),
            (_("Adjustments"), "incentives:adjustment_list"),
            (_("Disputes"), "incentives:dispute_list"),
            (_("What-if"), "incentives:whatif"),
            (_("Pay audit log"), "incentives:audit_log"),
            (_("Recognition"), "recognition:feed"),
            (_("Contests"), "recognition:contest_list"),
            (_("Awards"), "recognition:award_list"),
        ],
    ),
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


# Links shown only to those who may open them (the page itself answers 403 to anyone else). The
# flags are figured at sign-in (`remember_navigation`, connected in `WebConfig.ready`) and kept
# in the session, re-read at most every NAV_CACHE_SECONDS: a page costs no permission query.
NAV_FLAGS: dict[str, Callable[[Any], bool]] = {"pay_admin": is_pay_admin}
LINK_FLAGS = dict.fromkeys(
    ("incentives:plan_list", "incentives:run_list", "incentives:whatif", "incentives:audit_log"),
    "pay_admin",
)
NAV_SESSION_KEY = "attain_nav"
NAV_CACHE_SECONDS = 300


def _remember_flags(session: Any, user: Any) -> dict[str, Any]:
    flags: dict[str, Any] = {name: check(user) for name, check in NAV_FLAGS.items()}
    flags.update(user=user.pk, until=int(time.time()) + NAV_CACHE_SECONDS)
    session[NAV_SESSION_KEY] = flags
    return flags


def remember_navigation(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """`user_logged_in` receiver: figure the menu's flags for the new session."""
    session = getattr(request, "session", None)
    if session is not None and user is not None:
        _remember_flags(session, user)


def nav_flags(request: HttpRequest) -> dict[str, Any]:
    cached = request.session.get(NAV_SESSION_KEY)
    if (
        isinstance(cached, dict)
        and cached.get("user") == request.user.pk
        and int(cached.get("until", 0)) > time.time()
    ):
        return cached
    return _remember_flags(request.session, request.user)


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
    flags = nav_flags(request)
    for key, label, links in AREAS:
        nav_links = []
        for link_label, name in links:
            flag = LINK_FLAGS.get(name)
            if flag is not None and not flags.get(flag):
                continue
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
