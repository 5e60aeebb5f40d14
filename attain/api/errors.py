"""One error shape for the whole API: {"detail": [{"field": …, "message": …}]} with a 4xx status."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError


def validation_details(exc: ValidationError) -> list[dict[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": field if field != "__all__" else "", "message": message}
            for field, errors in exc.error_dict.items()
            for error in errors
            for message in error.messages
        ]
    return [{"field": "", "message": message} for message in exc.messages]


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, detail: list[dict[str, str]]) -> HttpResponse:
        return api.create_response(request, {"detail": detail}, status=status)

    @api.exception_handler(ValidationError)
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(request, 422, validation_details(exc))

    @api.exception_handler(NinjaValidationError)
    def on_schema(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        detail = []
        for error in exc.errors:
            loc = [
                str(part)
                for part in error.get("loc", ())
                if part not in ("body", "payload", "query", "path")
            ]
            detail.append({"field": ".".join(loc), "message": str(error.get("msg", _("invalid")))})
        return respond(request, 422, detail)

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 404, [{"field": "", "message": _("Not found.")}])

    @api.exception_handler(ObjectDoesNotExist)
    def on_missing(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 404, [{"field": "", "message": _("Not found.")}])

    @api.exception_handler(PermissionDenied)
    def on_denied(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 403, [{"field": "", "message": _("You may not do this.")}])

    @api.exception_handler(AuthenticationError)
    def on_auth(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(
            request, 401, [{"field": "", "message": _("Sign in or send a valid API token.")}]
        )

    @api.exception_handler(IntegrityError)
    def on_integrity(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(
            request, 409, [{"field": "", "message": _("This conflicts with existing records.")}]
        )

    @api.exception_handler(HttpError)
    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, exc.status_code, [{"field": "", "message": str(exc)}])
