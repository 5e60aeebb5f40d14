"""Home, sign-in, account (API tokens) and area overview pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from attain.api.models import ApiToken
from attain.api.services import api_token_create, api_token_revoke
from attain.core.web import apply_validation_error
from attain.web.context_processors import AREAS
from attain.web.forms import ApiTokenForm, ThrottledAuthenticationForm
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
    "pay": [
        gettext_lazy("Commission plans, payout runs and statements with a trace for every line"),
        gettext_lazy("Disputes, what-if simulations, contests and awards"),
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
    tokens = ApiToken.objects.filter(user_id=request.user.pk or 0)
    return render(
        request, "web/account.html", {"form": form, "tokens": tokens, "new_token": new_token}
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    api_token_revoke(token=get_object_or_404(ApiToken, pk=token_id, user_id=request.user.pk))
    messages.success(request, _("Token revoked."))
    return redirect("account")
