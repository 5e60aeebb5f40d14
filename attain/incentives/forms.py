"""Forms of the pay pages; they parse input, the services validate and write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from attain.catalog.models import Product, ProductLine
from attain.core.periods import add_months, today
from attain.incentives.models import (
    Basis,
    Component,
    ComponentKind,
    CreditingEvent,
    CreditScope,
    PlanVersion,
)
from attain.organization.models import OrgUnit, Person, Role

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})
#: Rows of the tier and band tables on the component form (empty rows are ignored).
TABLE_ROWS = 5


def _people() -> Any:
    return Person.objects.order_by("last_name", "first_name")


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), widget=TEXT, required=False)


class VersionForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=DATE)
    effective_to = forms.DateField(
        label=_("Effective until"),
        widget=DATE,
        required=False,
        help_text=_("The first day it no longer applies; empty for no end."),
    )
    goal_metric = forms.ChoiceField(label=_("Attainment measured on"), choices=Basis.choices)
    crediting = forms.ChoiceField(label=_("A sale counts"), choices=CreditingEvent.choices)
    document = forms.CharField(
        label=_("Plan document"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("What the sellers read and accept."),
    )


class VersionEndForm(forms.Form):
    effective_to = forms.DateField(
        label=_("Ends on"),
        widget=DATE,
        help_text=_("The first day the version no longer applies."),
    )


class ComponentForm(forms.Form):
    """A component's terms, with a small table each for the tiers and the accelerator bands:
    attainment from %, to % (empty for the last row) and the rate (or factor)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ComponentKind.choices)
    basis = forms.ChoiceField(label=_("Credited with"), choices=Basis.choices)
    product_line = forms.ModelChoiceField(
        label=_("Only product line"), queryset=ProductLine.objects.order_by("name"), required=False
    )
    product = forms.ModelChoiceField(
        label=_("Only product"), queryset=Product.objects.order_by("name"), required=False
    )
    rate = forms.DecimalField(
        label=pgettext_lazy("commission", "Rate"),
        max_digits=9,
        decimal_places=6,
        required=False,
        help_text=_("A share of the credit: 0.08 is 8 %."),
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=18,
        decimal_places=2,
        required=False,
        help_text=_("A bonus's amount, or a SPIFF's amount per unit."),
    )
    threshold_pct = forms.DecimalField(
        label=_("Bonus at attainment %"), max_digits=7, decimal_places=2, required=False
    )
    hurdle_pct = forms.DecimalField(
        label=_("Hurdle %"),
        max_digits=7,
        decimal_places=2,
        required=False,
        help_text=_("Nothing is paid below this attainment."),
    )
    deal_cap = forms.DecimalField(
        label=_("Credit cap per deal"), max_digits=18, decimal_places=2, required=False
    )
    period_cap = forms.DecimalField(
        label=_("Cap per period"), max_digits=18, decimal_places=2, required=False
    )
    period_floor = forms.DecimalField(
        label=_("Floor per period"), max_digits=18, decimal_places=2, required=False
    )
    window_start = forms.DateField(label=_("SPIFF from"), widget=DATE, required=False)
    window_end = forms.DateField(label=_("SPIFF until"), widget=DATE, required=False)
    tiers = forms.CharField(required=False, widget=forms.HiddenInput)
    bands = forms.CharField(required=False, widget=forms.HiddenInput)

    TABLES = (("tiers", "tier", "rate"), ("bands", "band", "factor"))

    def __init__(self, *args: Any, component: Component | None = None, **kwargs: Any) -> None:
        if component is not None and "initial" not in kwargs:
            kwargs["initial"] = _component_initial(component)
        super().__init__(*args, **kwargs)
        for _name, prefix, value_key in self.TABLES:
            for i in range(TABLE_ROWS):
                row = {"n": i + 1}
                self.fields[f"{prefix}_{i}_floor"] = _row_field(
                    _("Row %(n)s: from %%") % row, decimal_places=2
                )
                self.fields[f"{prefix}_{i}_ceiling"] = _row_field(
                    _("Row %(n)s: to %%") % row, decimal_places=2
                )
                self.fields[f"{prefix}_{i}_{value_key}"] = _row_field(
                    (_("Row %(n)s: rate") if value_key == "rate" else _("Row %(n)s: factor")) % row,
                    decimal_places=6,
                )

    def main_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in self.fields
            if not name.startswith(("tier_", "band_")) and name not in ("tiers", "bands")
        ]

    def _rows(self, prefix: str, value_key: str) -> list[list[forms.BoundField]]:
        return [
            [
                self[f"{prefix}_{i}_floor"],
                self[f"{prefix}_{i}_ceiling"],
                self[f"{prefix}_{i}_{value_key}"],
            ]
            for i in range(TABLE_ROWS)
        ]

    def tier_rows(self) -> list[list[forms.BoundField]]:
        return self._rows("tier", "rate")

    def band_rows(self) -> list[list[forms.BoundField]]:
        return self._rows("band", "factor")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, prefix, value_key in self.TABLES:
            rows: list[dict[str, str]] = []
            for i in range(TABLE_ROWS):
                floor = data.get(f"{prefix}_{i}_floor")
                ceiling = data.get(f"{prefix}_{i}_ceiling")
                value = data.get(f"{prefix}_{i}_{value_key}")
                if floor is None and ceiling is None and value is None:
                    continue
                if floor is None or value is None:
                    self.add_error(
                        name,
                        _("Row %(n)s: give the start %% and the %(what)s.")
                        % {"n": i + 1, "what": _("rate") if value_key == "rate" else _("factor")},
                    )
                    continue
                rows.append(
                    {
                        "floor_pct": _plain(floor),
                        "ceiling_pct": "" if ceiling is None else _plain(ceiling),
                        value_key: _plain(value),
                    }
                )
            data[name] = rows
        return data

    def terms(self) -> dict[str, Any]:
        """The cleaned data as `services.component_save` takes it."""
        from attain.incentives.services import COMPONENT_FIELDS

        return {key: self.cleaned_data.get(key) for key in COMPONENT_FIELDS}


def _row_field(label: str, *, decimal_places: int) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=9,
        decimal_places=decimal_places,
        required=False,
        widget=forms.NumberInput(attrs={"aria-label": label, "step": "any"}),
    )


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _component_initial(component: Component) -> dict[str, Any]:
    from attain.incentives.services import COMPONENT_FIELDS

    initial: dict[str, Any] = {
        key: getattr(component, key)
        for key in COMPONENT_FIELDS
        if key not in ("tiers", "bands", "product_line", "product")
    }
    initial["product_line"] = component.product_line_id
    initial["product"] = component.product_id
    for source, prefix, value_key in ComponentForm.TABLES:
        for i, row in enumerate((getattr(component, source) or [])[:TABLE_ROWS]):
            initial[f"{prefix}_{i}_floor"] = row.get("floor_pct", "")
            initial[f"{prefix}_{i}_ceiling"] = row.get("ceiling_pct", "")
            initial[f"{prefix}_{i}_{value_key}"] = row.get(value_key, "")
    return initial


class AssignmentForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=Person.objects.none(), required=False
    )
    role = forms.ChoiceField(
        label=_("Or everyone with the role"), choices=[("", "—"), *Role.choices], required=False
    )
    unit = forms.ModelChoiceField(
        label=_("In unit"),
        queryset=OrgUnit.objects.order_by("path"),
        required=False,
        help_text=_("Only with a role: limit it to the people of this unit."),
    )
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(
        label=_("Until"),
        widget=DATE,
        required=False,
        help_text=_("The first day it no longer applies; empty for no end."),
    )
    credit_scope = forms.ChoiceField(label=_("Credit"), choices=CreditScope.choices)
    draw_amount = forms.DecimalField(
        label=_("Draw per period"), max_digits=18, decimal_places=2, required=False
    )
    draw_recoverable = forms.BooleanField(
        label=_("The draw is recoverable"), required=False, initial=True
    )
    ramp = forms.CharField(
        label=_("Ramp"),
        required=False,
        help_text=_(
            "Per cent of the goal for each month of a new hire, comma-separated, e.g. 50, 75, 100."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people()  # type: ignore[attr-defined]
        self.initial.setdefault("start", today().replace(day=1))

    def clean_ramp(self) -> list[str]:
        raw = self.cleaned_data.get("ramp", "")
        return [part.strip().rstrip("%").strip() for part in raw.split(",") if part.strip()]


class AssignmentEndForm(forms.Form):
    end = forms.DateField(
        label=_("Ends on"), widget=DATE, help_text=_("The first day it no longer applies.")
    )


def _last_month() -> dt.date:
    return add_months(today().replace(day=1), -1)


class RunRequestForm(forms.Form):
    period_start = forms.DateField(label=_("Period from"), widget=DATE)
    period_end = forms.DateField(label=_("Period until"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        start = _last_month()
        self.initial.setdefault("period_start", start)
        self.initial.setdefault("period_end", today().replace(day=1) - dt.timedelta(days=1))


class AdjustmentForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    effective_on = forms.DateField(
        label=_("Paid in the period of"),
        widget=DATE,
        help_text=_("Any day of the payout period that pays it."),
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=18,
        decimal_places=2,
        help_text=_("Negative to take money back, e.g. -40.00."),
    )
    reason = forms.CharField(label=_("Reason"), widget=TEXT, help_text=_("Shown on the statement."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people()  # type: ignore[attr-defined]


class DisputeForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong with this line?"), widget=TEXT)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("uphold", _("Uphold")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    outcome = forms.CharField(label=_("Outcome and why"), widget=TEXT)
    amount = forms.DecimalField(
        label=_("Adjustment"),
        max_digits=18,
        decimal_places=2,
        required=False,
        help_text=_("Only when upheld and money is owed (negative to take back)."),
    )
    effective_on = forms.DateField(
        label=_("Paid in the period of"),
        widget=DATE,
        required=False,
        help_text=_("Empty for today."),
    )


MONTH_COUNTS = [(1, 1), (3, 3), (6, 6), (12, 12)]


class WhatIfForm(forms.Form):
    version = forms.ModelChoiceField(label=_("Draft version"), queryset=PlanVersion.objects.none())
    months = forms.TypedChoiceField(label=_("Months"), choices=MONTH_COUNTS, coerce=int, initial=3)
    last_month = forms.DateField(
        label=_("Up to the month of"),
        widget=DATE,
        help_text=_("Any day of the last month to compare."),
    )

    def __init__(self, *args: Any, versions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = versions  # type: ignore[attr-defined]
        self.initial.setdefault("last_month", _last_month())
