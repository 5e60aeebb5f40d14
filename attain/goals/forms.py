"""Forms of the goal pages; they parse input, the services validate and write."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from attain.catalog.models import Product, ProductLine
from attain.core.periods import today
from attain.customers.models import Segment
from attain.goals.models import Goal, PeriodKind, RevisionReason, ScopeKind
from attain.organization.models import OrgUnit, Person, Territory
from attain.organization.visibility import scope_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _metric_choices() -> list[tuple[str, str]]:
    from attain.analytics.metrics import metric_choices

    return [(key, str(label)) for key, label in metric_choices()]


def units_for(user: Any) -> Any:
    scope = scope_for(user)
    qs = OrgUnit.objects.order_by("path")
    if scope.everything:
        return qs
    condition = Q(pk__in=[])
    for path in scope.paths:
        condition |= Q(path__startswith=path)
    return qs.filter(condition)


class GoalForm(forms.Form):
    scope_kind = forms.ChoiceField(label=_("Scope"), choices=ScopeKind.choices)
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=Person.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=False)
    metric = forms.ChoiceField(label=_("Metric"), choices=())
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    start = forms.DateField(
        label=_("Start"),
        widget=DATE,
        help_text=_("Any day in the month, quarter or year; the first day of a custom period."),
    )
    end = forms.DateField(
        label=_("End"), widget=DATE, required=False, help_text=_("Only for a custom period.")
    )
    target = forms.DecimalField(label=_("Target"), max_digits=18, decimal_places=2)
    product_line = forms.ModelChoiceField(
        label=_("Product line"), queryset=ProductLine.objects.order_by("name"), required=False
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.order_by("name"), required=False
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"), queryset=Territory.objects.order_by("name"), required=False
    )
    segment = forms.ChoiceField(
        label=_("Customer segment"), choices=[("", "—"), *Segment.choices], required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.visible_to(user).order_by(  # type: ignore[attr-defined]
            "last_name", "first_name"
        )
        self.fields["unit"].queryset = units_for(user)  # type: ignore[attr-defined]
        self.fields["metric"].choices = _metric_choices()  # type: ignore[attr-defined]
        self.initial.setdefault("start", today().replace(day=1))


class ReviseForm(forms.Form):
    new_target = forms.DecimalField(label=_("New target"), max_digits=18, decimal_places=2)
    reason_kind = forms.ChoiceField(label=_("Reason"), choices=RevisionReason.choices)
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}))
    effective_from = forms.DateField(
        label=_("Effective from"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty for today (within the goal's period)."),
    )


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class MilestoneForm(forms.Form):
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    target = forms.DecimalField(label=_("Cumulative target"), max_digits=18, decimal_places=2)
    label = forms.CharField(label=_("Label"), max_length=120, required=False)


class CascadeForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Split"),
        choices=[
            ("even", _("Evenly")),
            ("last_year", _("By last year's share")),
            ("weights", _("By given weights")),
        ],
    )
    people = forms.ModelMultipleChoiceField(
        label=_("People"), queryset=Person.objects.none(), required=False
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units"), queryset=OrgUnit.objects.none(), required=False
    )
    weights = forms.CharField(
        label=_("Weights"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One line per child: “id = weight”, e.g. “12 = 3”. Only for weights."),
    )
    seasonality = forms.BooleanField(
        label=_("Monthly milestones shaped like last year"), required=False
    )

    def __init__(self, *args: Any, goal: Goal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        path = goal.unit.path if goal.unit else "-"
        self.fields["people"].queryset = (  # type: ignore[attr-defined]
            Person.objects.filter(pk__in=_current_member_ids(path)).order_by(
                "last_name", "first_name"
            )
        )
        self.fields["units"].queryset = (  # type: ignore[attr-defined]
            OrgUnit.objects.filter(path__startswith=path).exclude(path=path).order_by("path")
        )

    def clean_weights(self) -> dict[int, Decimal]:
        result: dict[int, Decimal] = {}
        for number, line in enumerate(self.cleaned_data.get("weights", "").splitlines(), 1):
            if not line.strip():
                continue
            key, _sep, value = line.partition("=")
            try:
                result[int(key.strip())] = Decimal(value.strip())
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(
                    _("Line %(n)s is not “id = weight”.") % {"n": number}
                ) from None
        return result


def _current_member_ids(path: str) -> Any:
    from attain.core.periods import valid_on_q
    from attain.organization.models import Membership

    return Membership.objects.filter(valid_on_q(today()), unit__path__startswith=path).values(
        "person_id"
    )


class RaiseTheBarForm(forms.Form):
    goals = forms.ModelMultipleChoiceField(label=_("Goals"), queryset=Goal.objects.none())
    uplift_pct = forms.DecimalField(
        label=_("Uplift %"), max_digits=7, decimal_places=2, initial=Decimal("10")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goals"].queryset = (  # type: ignore[attr-defined]
            Goal.objects.visible_to(user).with_related().order_by("-start", "pk")
        )
