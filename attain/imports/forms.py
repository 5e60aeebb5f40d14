"""Forms of the imports pages: uploading a file and building a column mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from attain.imports.entities import ENTITIES
from attain.imports.models import ImportMapping
from attain.imports.presets import PRESETS
from attain.imports.readers import ENCODINGS

ENCODING_LABELS = {
    "auto": _("Automatic (UTF-8, or as its byte-order mark says)"),
    "utf-8": "UTF-8",
    "windows-1252": _("Windows-1252 (Excel on Windows, Western Europe)"),
    "iso-8859-1": "ISO-8859-1 (Latin-1)",
    "utf-16": "UTF-16",
}


class UploadForm(forms.Form):
    entity = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[(k, capfirst(e.label)) for k, e in ENTITIES.items()],
    )
    file = forms.FileField(
        label=_("File"), help_text=_("CSV or XLSX; the first row names the columns.")
    )
    preset = forms.ChoiceField(
        label=_("Exported from"),
        required=False,
        choices=[("", _("Another layout (columns named like Attain's, or a mapping)"))]
        + [(k, k.capitalize()) for k in PRESETS],
    )
    mapping = forms.ModelChoiceField(
        label=_("Saved mapping"),
        required=False,
        queryset=ImportMapping.objects.none(),
        empty_label=_("None"),
    )
    mapping_file = forms.FileField(
        label=_("Mapping file"),
        required=False,
        help_text=_("A TOML or JSON file saying which file column goes where."),
    )
    encoding = forms.ChoiceField(
        label=_("Encoding"), choices=[(e, ENCODING_LABELS[e]) for e in ENCODINGS], initial="auto"
    )
    sheet = forms.CharField(
        label=_("Sheet"), required=False, help_text=_("XLSX only; empty: the first sheet.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mapping"].queryset = ImportMapping.objects.order_by("name")  # type: ignore[attr-defined]


class MappingForm(forms.Form):
    """One select per entity column (the file's columns) and a constant for each."""

    name = forms.CharField(
        label=_("Save as"),
        required=False,
        max_length=120,
        help_text=_("A name to reuse this mapping for files of the same layout (optional)."),
    )

    def __init__(
        self,
        *args: Any,
        entity: str,
        file_columns: list[str],
        initial_spec: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.entity = ENTITIES[entity]
        columns = initial_spec.get("columns", {})
        constants = initial_spec.get("constants", {})
        choices = [("", "—")] + [(c, c) for c in file_columns]
        for column in self.entity.columns:
            label = f"{column.label}{' *' if column.required else ''}"
            self.fields[f"col__{column.name}"] = forms.ChoiceField(
                label=label, choices=choices, required=False, initial=columns.get(column.name, "")
            )
            self.fields[f"const__{column.name}"] = forms.CharField(
                label=_("or always"), required=False, initial=constants.get(column.name, "")
            )

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (column, self[f"col__{column.name}"], self[f"const__{column.name}"])
            for column in self.entity.columns
        ]

    def spec(self, base: dict[str, Any]) -> dict[str, Any]:
        data = self.cleaned_data
        columns = {
            c.name: data[f"col__{c.name}"]
            for c in self.entity.columns
            if data.get(f"col__{c.name}")
        }
        constants = {
            c.name: data[f"const__{c.name}"].strip()
            for c in self.entity.columns
            if (data.get(f"const__{c.name}") or "").strip()
        }
        return {**base, "columns": columns, "constants": constants}
