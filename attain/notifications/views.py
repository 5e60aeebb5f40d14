"""Notification pages: the list of mails sent (sales operations only) and the unsubscribe page
a mail links to (no sign-in: the signed token in the address is the proof)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from attain.core.listing import Column, Filter, ListPage, list_export, list_page
from attain.core.visibility import is_admin
from attain.core.web import require
from attain.notifications.mails import unsubscribe_read
from attain.notifications.models import Notification, NotificationKind, NotificationStatus
from attain.notifications.services import notification_unsubscribe


def _notifications_page() -> ListPage:
    return ListPage(
        title=_("Notifications sent"),
        columns=[
            Column(_("Created"), "created_at", sort="created_at", kind="datetime"),
            Column(_("Recipient"), "recipient.full_name", sort="recipient__last_name"),
            Column(_("Sent to"), "email", sort="email"),
            Column(_("Kind"), "kind", sort="kind"),
            Column(_("Subject"), "subject"),
            Column(_("Status"), "status", sort="status", kind="badge"),
            Column(_("Sent at"), "sent_at", sort="sent_at", kind="datetime"),
            Column(_("Error"), "error"),
        ],
        filters=[
            Filter("kind", _("Kind"), "kind", NotificationKind.choices),
            Filter("status", _("Status"), "status", NotificationStatus.choices),
        ],
        search=lambda qs, term: qs.filter(
            Q(subject__icontains=term)
            | Q(email__icontains=term)
            | Q(key__icontains=term)
            | Q(recipient__last_name__icontains=term)
        ),
        default_sort="-created_at",
    )


@login_required
@require(is_admin)
def notification_list(request: HttpRequest) -> HttpResponse:
    spec = _notifications_page()
    queryset = Notification.objects.select_related("recipient")
    exported = list_export(request, queryset, spec)
    if exported is not None:
        return exported
    return render(request, "core/list.html", list_page(request, queryset, spec))


# Mail programs post the one-click unsubscribe (RFC 8058) without a CSRF token; the signed token
# in the address is what authorises the change, and it can only turn one kind of mail off.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: say what the link stops and ask to confirm (mail scanners follow links, so a GET
    changes nothing). POST (the button, or a mail program's one-click): turn that kind off."""
    try:
        user_id, kind = unsubscribe_read(token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    context = {"kind": kind, "kind_label": NotificationKind(kind).label, "done": False}
    if request.method == "POST":
        try:
            notification_unsubscribe(user_id=user_id, kind=kind)
        except ValidationError:
            return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
        context["done"] = True
    return render(request, "notifications/unsubscribe.html", context)
