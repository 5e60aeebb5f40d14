"""Home, sign-in, account (API tokens, language, email settings) and area overview pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from attain.api.models import ApiToken
from attain.api.services import api_token_create, api_token_revoke
from attain.core.models import UserPreference
from attain.core.services import user_email_preferences_set, user_preference_set
from attain.core.web import apply_validation_error
from attain.web.context_processors import AREAS
from attain.web.forms import (
    ApiTokenForm,
    EmailPreferencesForm,
    LanguageForm,
    ThrottledAuthenticationForm,
)
from attain.web.selectors import home_summary

# What each area will hold, shown on its overview until it is built.
COMING = {
    "plan": [
        gettext_lazy("Sales plans and campaigns, revised when the market changes"),
        gettext_lazy("Service and loyalty standards"),
    ],
    "performance": [
        gettext_lazy("Coarser rollups for very large histories, and forecast accuracy"),
        gettext_lazy("Customer satisfaction beside revenue, once surveys are recorded"),
    ],
}


class LoginView(auth_views.LoginView):
    authentication_form = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"summary": home_summary(user=request.user)})


@login_required
def area(request: HttpRequest, key: str) -> HttpResponse:
    for area_key, label, _links in AREAS:
        if area_key == key:
            return render(
                request,
                "web/area.html",
                {"area_key": key, "area_label": label, "coming": COMING.get(key, [])},
            )
    raise Http404


@login_required
def account(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Token created. Copy it now: it will not be shown again."))
            form = ApiTokenForm()
    return _account_page(request, form=form, new_token=new_token)


def _account_page(
    request: HttpRequest,
    *,
    form: ApiTokenForm | None = None,
    new_token: str | None = None,
    language_form: LanguageForm | None = None,
    email_form: EmailPreferencesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    saved = (
        UserPreference.objects.filter(user_id=request.user.pk or 0)
        .values("language", "email_digest", "email_reminders")
        .first()
    ) or {"language": "", "email_digest": True, "email_reminders": True}
    if language_form is None:
        language_form = LanguageForm(initial={"language": saved["language"] or ""})
    if email_form is None:
        email_form = EmailPreferencesForm(
            initial={
                "email_digest": saved["email_digest"],
                "email_reminders": saved["email_reminders"],
            }
        )
    tokens = ApiToken.objects.filter(user_id=request.user.pk or 0)
    context = {
        "form": form if form is not None else ApiTokenForm(),
        "tokens": tokens,
        "new_token": new_token,
        "language_form": language_form,
        "email_form": email_form,
    }
    return render(request, "web/account.html", context, status=status)


def _browser_language(request: HttpRequest) -> str:
    """The language `LocaleMiddleware` picks from the browser alone (no language cookie)."""
    probe = HttpRequest()
    probe.META = {"HTTP_ACCEPT_LANGUAGE": request.META.get("HTTP_ACCEPT_LANGUAGE", "")}
    return translation.get_language_from_request(probe)


@login_required
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Save the interface language chosen on the account page or in the page header, then go
    back to `next` when it is a page of this site (the account page otherwise)."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return _account_page(request, language_form=form, status=400)
    language = form.cleaned_data["language"]
    try:
        user_preference_set(user=request.user, language=language, session=request.session)
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return _account_page(request, language_form=form, status=400)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("account")
    response = redirect(next_url)
    # The cookie keeps the choice for the sign-in page after signing out; "browser default"
    # removes it so that the browser's language applies again.
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    translation.activate(language or _browser_language(request))
    messages.success(request, _("Language saved."))
    return response


@login_required
@require_POST
def email_preferences_set(request: HttpRequest) -> HttpResponse:
    """Save which mails the user wants (the two checkboxes of the account page)."""
    form = EmailPreferencesForm(request.POST)
    if not form.is_valid():
        return _account_page(request, email_form=form, status=400)
    try:
        user_email_preferences_set(
            user=request.user,
            digest=form.cleaned_data["email_digest"],
            reminders=form.cleaned_data["email_reminders"],
        )
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return _account_page(request, email_form=form, status=400)
    messages.success(request, _("Email settings saved."))
    return redirect("account")


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    api_token_revoke(token=get_object_or_404(ApiToken, pk=token_id, user_id=request.user.pk))
    messages.success(request, _("Token revoked."))
    return redirect("account")
