"""Forms of the recognition pages; they parse input, the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from attain.core.periods import today
from attain.organization.models import OrgUnit, Person, UnitKind
from attain.organization.visibility import scope_for
from attain.recognition.models import AwardKind, ContestKind
from attain.recognition.querysets import is_recognition_admin, line_people_q
from attain.recognition.selectors import contest_metric_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def recipients_for(user: Any) -> Any:
    """The people the user may give awards to: everyone for recognition admins, else their line."""
    people = Person.objects.order_by("last_name", "first_name")
    me = scope_for(user).person_id
    if is_recognition_admin(user):
        return people.exclude(pk=me) if me is not None else people
    return people.filter(line_people_q(user, "pk"))


def units_led_by(user: Any, *, kinds: tuple[str, ...] = ()) -> Any:
    units = OrgUnit.objects.order_by("path")
    if kinds:
        units = units.filter(kind__in=kinds)
    if is_recognition_admin(user):
        return units
    condition = Q(pk__in=[])
    for path in scope_for(user).paths:
        condition |= Q(path__startswith=path)
    return units.filter(condition)


class AwardForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=Person.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(label=_("Team"), queryset=OrgUnit.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=AwardKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    value = forms.DecimalField(
        label=_("Value"),
        required=False,
        help_text=_(
            "Required for a cash bonus or a gift card. A cash bonus is paid through pay adjustments."
        ),
        max_digits=18,
        decimal_places=2,
    )
    given_on = forms.DateField(label=_("Given on"), widget=DATE, required=False)
    is_public = forms.BooleanField(
        label=_("Public"),
        required=False,
        initial=True,
        help_text=_(
            "Public awards appear in the recognition feed; private ones are seen only by the recipient, you and their management line."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = recipients_for(user)  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units_led_by(user, kinds=(UnitKind.TEAM,))  # type: ignore[attr-defined]
        self.initial.setdefault("given_on", today())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and (data.get("person") is None) == (data.get("unit") is None):
            self.add_error("person", _("Give the award to one person or to one team."))
        return data


class ContestForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    kind = forms.ChoiceField(label=_("Competing"), choices=ContestKind.choices)
    metric = forms.ChoiceField(label=_("Metric"), choices=())
    start = forms.DateField(label=_("Start"), widget=DATE)
    end = forms.DateField(label=_("End"), widget=DATE)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=OrgUnit.objects.none(),
        help_text=_("Its people (or its teams) compete."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", "—"), *contest_metric_choices()]  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units_led_by(user)  # type: ignore[attr-defined]
        kinds = [("", "—"), *AwardKind.choices]
        for rank in (1, 2, 3):
            self.fields[f"prize_{rank}_text"] = forms.CharField(
                label=_("Prize for rank %(rank)s") % {"rank": rank}, max_length=200, required=False
            )
            self.fields[f"prize_{rank}_kind"] = forms.ChoiceField(
                label=_("Award kind for rank %(rank)s") % {"rank": rank},
                choices=kinds,
                required=False,
            )
            self.fields[f"prize_{rank}_value"] = forms.DecimalField(
                label=_("Prize value for rank %(rank)s") % {"rank": rank},
                required=False,
                max_digits=18,
                decimal_places=2,
            )

    def prizes(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "rank": rank,
                "text": data.get(f"prize_{rank}_text", ""),
                "award_kind": data.get(f"prize_{rank}_kind", ""),
                "value": data.get(f"prize_{rank}_value"),
            }
            for rank in (1, 2, 3)
            if data.get(f"prize_{rank}_text")
            or data.get(f"prize_{rank}_kind")
            or data.get(f"prize_{rank}_value") is not None
        ]


class MotivationForm(forms.Form):
    """One rank per award kind (1 = motivates me most; empty = does not motivate me)."""

    note = forms.CharField(
        label=_("In my own words"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, ranking: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ranks = {kind: index + 1 for index, kind in enumerate(ranking or [])}
        count = len(AwardKind.values)
        for kind, label in AwardKind.choices:
            self.fields[f"rank_{kind}"] = forms.IntegerField(
                label=label,
                min_value=1,
                max_value=count,
                required=False,
                initial=ranks.get(kind),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        seen: dict[int, str] = {}
        for kind in AwardKind.values:
            rank = data.get(f"rank_{kind}")
            if rank is None:
                continue
            if rank in seen:
                self.add_error(
                    f"rank_{kind}", _("Each rank once: %(rank)s is taken.") % {"rank": rank}
                )
            seen[rank] = kind
        return data

    def ranking(self) -> list[str]:
        data = self.cleaned_data
        ranked = [(data[f"rank_{k}"], k) for k in AwardKind.values if data.get(f"rank_{k}")]
        return [kind for _rank, kind in sorted(ranked)]
