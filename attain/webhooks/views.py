"""Webhook pages (sales operations): webhooks, their secret (shown once), the delivery log."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attain.core.events import EVENTS
from attain.core.listing import Column, Filter, ListPage, list_export, list_page
from attain.core.visibility import is_admin
from attain.core.web import delete_page, form_page, require, run_service
from attain.webhooks import selectors, services
from attain.webhooks.forms import WebhookForm
from attain.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from attain.webhooks.signing import SIGNATURE_HEADER

#: the session key holding a secret to show once (after create or rotate)
SECRET_ONCE = "webhook_secret_once"


def _remember_secret(request: HttpRequest, webhook: Webhook) -> None:
    request.session[SECRET_ONCE] = {"id": webhook.pk, "secret": webhook.secret}


def _secret_once(request: HttpRequest, webhook: Webhook) -> str:
    found = request.session.get(SECRET_ONCE)
    if not found or found.get("id") != webhook.pk:
        return ""
    del request.session[SECRET_ONCE]
    return str(found["secret"])


@login_required
@require(is_admin)
def webhook_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Webhooks"),
        columns=[
            Column(_("Name"), "name", sort="name", link=True),
            Column(_("Target URL"), "url", sort="url"),
            Column(_("Events"), "events_display"),
            Column(_("Active"), "is_active", sort="is_active", kind="bool"),
            Column(_("Failed deliveries"), "failed_count", sort="failed_count", kind="number"),
            Column(_("Created"), "created_at", sort="created_at", kind="date"),
        ],
        search=lambda qs, term: qs.filter(Q(name__icontains=term) | Q(url__icontains=term)),
        default_sort="name",
        create_url=reverse("webhooks:webhook_create"),
        create_label=_("New webhook"),
    )
    queryset = selectors.webhook_list()
    if exported := list_export(request, queryset, spec):
        return exported
    context = list_page(request, queryset, spec)
    context["catalogue"] = selectors.event_catalogue()
    return render(request, "webhooks/webhook_list.html", context)


@login_required
@require(is_admin)
def webhook_create(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    webhook = run_service(
        request,
        form,
        lambda d: services.webhook_create(created_by=request.user, **d),
        _("Webhook created. Copy its signing secret now: it is shown only this once."),
    )
    if webhook:
        _remember_secret(request, webhook)
        return redirect(webhook.get_absolute_url())
    return form_page(request, form, _("New webhook"), reverse("webhooks:webhook_list"))


@login_required
@require(is_admin)
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook, pk=pk)
    context = {
        "webhook": webhook,
        "secret": _secret_once(request, webhook),
        "catalogue": selectors.event_catalogue(),
        "deliveries": list(selectors.delivery_list(webhook_id=webhook.pk)[:10]),
        "signature_header": SIGNATURE_HEADER,
    }
    return render(request, "webhooks/webhook_detail.html", context)


@login_required
@require(is_admin)
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook, pk=pk)
    form = WebhookForm(
        request.POST or None,
        initial={
            "name": webhook.name,
            "url": webhook.url,
            "events": webhook.events,
            "is_active": webhook.is_active,
        },
    )
    if run_service(
        request,
        form,
        lambda d: services.webhook_update(webhook=webhook, **d),
        _("Webhook saved."),
    ):
        return redirect(webhook.get_absolute_url())
    return form_page(
        request, form, _("Edit webhook %(name)s") % {"name": webhook}, webhook.get_absolute_url()
    )


@login_required
@require(is_admin)
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook, pk=pk)
    return delete_page(
        request,
        webhook,
        lambda: services.webhook_delete(webhook=webhook),
        success=_("Webhook deleted, with its delivery log."),
        done_url=reverse("webhooks:webhook_list"),
        cancel_url=webhook.get_absolute_url(),
    )


@login_required
@require(is_admin)
@require_POST
def webhook_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = services.webhook_secret_rotate(webhook=get_object_or_404(Webhook, pk=pk))
    _remember_secret(request, webhook)
    messages.success(
        request, _("New signing secret made. Copy it now: it is shown only this once.")
    )
    return redirect(webhook.get_absolute_url())


@login_required
@require(is_admin)
@require_POST
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = services.webhook_test_send(webhook=get_object_or_404(Webhook, pk=pk))
    messages.success(request, _("A test event is queued; the task worker sends it in a moment."))
    return redirect(delivery.get_absolute_url())


@login_required
@require(is_admin)
def delivery_list(request: HttpRequest) -> HttpResponse:
    spec = ListPage(
        title=_("Webhook deliveries"),
        columns=[
            Column(_("Event"), "event", sort="event", link=True),
            Column(_("Webhook"), "webhook.name", sort="webhook__name"),
            Column(_("Status"), "status", sort="status", kind="badge"),
            Column(_("Attempts"), "attempts", sort="attempts", kind="number"),
            Column(_("Last response"), "response_status", kind="number"),
            Column(_("Next attempt"), "next_attempt_at", sort="next_attempt_at", kind="datetime"),
            Column(_("Created"), "created_at", sort="created_at", kind="datetime"),
        ],
        filters=[
            Filter(
                "webhook",
                _("Webhook"),
                "webhook_id",
                list(Webhook.objects.order_by("name", "pk").values_list("pk", "name")),
            ),
            Filter(
                "event",
                _("Event"),
                "event",
                [(name, name) for name in [*EVENTS, services.TEST_EVENT]],
            ),
            Filter("status", _("Status"), "status", DeliveryStatus.choices),
        ],
        search=lambda qs, term: qs.filter(event__icontains=term),
        default_sort="-created_at",
    )
    queryset = selectors.delivery_list()
    if exported := list_export(request, queryset, spec):
        return exported
    return render(request, "webhooks/delivery_list.html", list_page(request, queryset, spec))


@login_required
@require(is_admin)
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("webhook"), pk=pk)
    context = {
        "delivery": delivery,
        "payload": json.dumps(delivery.payload, indent=2, ensure_ascii=False, sort_keys=True),
        "max_attempts": services.MAX_ATTEMPTS,
    }
    return render(request, "webhooks/delivery_detail.html", context)


@login_required
@require(is_admin)
@require_POST
def delivery_redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    try:
        services.webhook_redeliver(delivery=delivery)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Queued to send again; the task worker sends it in a moment."))
    return redirect(delivery.get_absolute_url())
