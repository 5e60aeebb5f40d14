"""Helpers every app's HTML views share: visible-or-404, service errors onto forms, role gates."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def get_visible_or_404[M: Model](queryset: QuerySet[M], **lookup: Any) -> M:
    """Fetch from an already visibility-filtered queryset; an id the user may not see is a 404,
    exactly like an id that does not exist (no leak of what exists)."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def apply_validation_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError onto the form: field errors where a field exists."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else NON_FIELD_ERRORS
            for error in errors:
                for message in error.messages:
                    label = (
                        ""
                        if target != NON_FIELD_ERRORS or field == NON_FIELD_ERRORS
                        else f"{field}: "
                    )
                    form.add_error(
                        None if target == NON_FIELD_ERRORS else target, f"{label}{message}"
                    )
    else:
        for message in exc.messages:
            form.add_error(None, message)


F = TypeVar("F", bound=Callable[..., Any])


def require(check: Callable[[Any], bool]) -> Callable[[F], F]:
    """Deny (403) a view unless `check(request.user)` holds."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def form_page(
    request: Any,
    form: forms.BaseForm,
    title: str,
    cancel_url: str,
    submit_label: str = "",
    status: int = 200,
) -> Any:
    """Render the shared form template (`core/form.html`)."""
    from django.shortcuts import render

    context: dict[str, Any] = {"form": form, "title": title, "cancel_url": cancel_url}
    if submit_label:
        context["submit_label"] = submit_label
    return render(request, "core/form.html", context, status=status)


def run_service(
    request: Any, form: forms.BaseForm, action: Callable[[dict[str, Any]], Any], success: str
) -> Any:
    """On a valid POST, call the service with the cleaned data and flash `success`.

    Returns the service's result (or True when it returns None), or None when the form must be
    shown again — invalid input, or a ValidationError from the service put onto the form.
    """
    from django.contrib import messages

    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return None
    messages.success(request, success)
    return result if result is not None else True


def save_and_redirect(
    request: Any,
    form: forms.BaseForm,
    action: Callable[[dict[str, Any]], Any],
    success: str,
    to: Any,
) -> Any:
    """`run_service`, then redirect to `to` (a URL, or a callable given the service's result)."""
    from django.shortcuts import redirect

    result = run_service(request, form, action, success)
    if result is None:
        return None
    return redirect(to(result) if callable(to) else to)


def call_service(form: forms.BaseForm, action: Callable[[], Any]) -> Any:
    """Call a service; on ValidationError put its messages on the form and return None."""
    try:
        return action()
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return None


def flash_refusal(request: Any, exc: ValidationError) -> None:
    """Show a service's refusal as error messages on the next page."""
    from django.contrib import messages

    for message in exc.messages:
        messages.error(request, message)


def post_action(request: Any, action: Callable[[], Any], *, success: str, then: str) -> Any:
    """A button's POST: call the service, flash its refusal or `success`, and go to `then`."""
    from django.contrib import messages
    from django.shortcuts import redirect

    try:
        action()
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, success)
    return redirect(then)


def delete_page(
    request: Any,
    obj: Model,
    delete: Callable[[], Any],
    *,
    success: str,
    done_url: str,
    cancel_url: str,
) -> Any:
    """Confirm on GET; on POST call the delete service. A refusal (ValidationError) is shown as
    messages on the page the user came from; nothing is deleted then."""
    from django.contrib import messages
    from django.shortcuts import redirect, render

    if request.method == "POST":
        try:
            delete()
        except ValidationError as exc:
            flash_refusal(request, exc)
            return redirect(cancel_url)
        messages.success(request, success)
        return redirect(done_url)
    return render(request, "core/confirm_delete.html", {"object": obj, "cancel_url": cancel_url})
