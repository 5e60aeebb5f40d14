"""How the columns of a file become an entity's columns: mappings and the built-in presets.

A mapping (a TOML or JSON file the user writes, a mapping saved from the web form, or a preset)
says, for the entity being imported:

```toml
entity = "deals"
[columns]            # entity column = file column
external_id = "opportunity_id"
owner = "sales_agent"
[values.status]      # file value → entity value, per entity column
Won = "won"
[constants]          # the same value for every row
currency = "USD"
[defaults]           # used when the file's cell is empty
expected_close_on = "2017-12-31"
[formats]            # strptime formats of date columns
close_date = "%d/%m/%Y"
[options]
decimal_comma = false
create_missing = ["product_line"]   # reference columns whose unknown values are created
new_account_segment = "small_business"  # the segment of accounts created so
same_record = "NationalID"          # rows with the same value are versions of one record
skip_values = { stage = ["Deleted"] }   # rows whose cell holds one of these are skipped
keep_values = { Department = ["Sales"] }  # only rows whose cell holds one of these
#   (names in skip_values / keep_values are entity columns or the file's own columns)
divide = { minutes = 60 }           # the file has seconds
```

Without a mapping, a file column named like an entity column (or its label) maps to it.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from attain.imports.presets import PRESETS


class MappingProblem(ValueError):
    """A mapping that cannot be used (names a column the entity does not have, …)."""


@dataclass(frozen=True)
class ColumnMapping:
    entity: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    decimal_comma: bool = False
    create_missing: tuple[str, ...] = ()
    skip_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    keep_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: a file column: rows sharing its value are versions of one record (a data warehouse's
    #: history rows); references to any version's key reach the version that is imported
    same_record: str = ""
    #: the segment of accounts created by create_missing
    new_account_segment: str = ""
    #: columns a file may lack (presets: exports differ by org and edition)
    lenient: bool = False
    #: entity column → divisor applied to the file's number (seconds → minutes: 60)
    divide: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "columns": dict(self.columns),
            "values": {k: dict(v) for k, v in self.values.items()},
            "constants": dict(self.constants),
            "defaults": dict(self.defaults),
            "formats": dict(self.formats),
            "options": {
                "decimal_comma": self.decimal_comma,
                "create_missing": list(self.create_missing),
                "skip_values": {k: list(v) for k, v in self.skip_values.items()},
                "keep_values": {k: list(v) for k, v in self.keep_values.items()},
                "divide": dict(self.divide),
                "lenient": self.lenient,
                "new_account_segment": self.new_account_segment,
                "same_record": self.same_record,
            },
        }


def _strings(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise MappingProblem(_("“%(where)s” must be a table of names.") % {"where": where})
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def mapping_from_dict(data: Mapping[str, Any]) -> ColumnMapping:
    """A mapping from its parsed TOML / JSON form (see the module docstring)."""
    if not isinstance(data, Mapping):
        raise MappingProblem(_("A mapping must be a table (TOML) or an object (JSON)."))
    known = {"entity", "columns", "values", "constants", "defaults", "formats", "options", "name"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise MappingProblem(
            _("Unknown section(s) in the mapping: %(names)s.") % {"names": ", ".join(unknown)}
        )
    values_raw = data.get("values") or {}
    if not isinstance(values_raw, Mapping):
        raise MappingProblem(_("“values” must be a table of tables."))
    options = data.get("options") or {}
    if not isinstance(options, Mapping):
        raise MappingProblem(_("“options” must be a table."))
    create_missing = options.get("create_missing", [])
    if isinstance(create_missing, str) or not isinstance(create_missing, Iterable):
        raise MappingProblem(_("“options.create_missing” must be a list of column names."))
    skip = options.get("skip_values", {}) or {}
    keep = options.get("keep_values", {}) or {}
    for name, found in (("skip_values", skip), ("keep_values", keep)):
        if not isinstance(found, Mapping) or any(
            isinstance(v, str) or not isinstance(v, Iterable) for v in found.values()
        ):
            raise MappingProblem(_("“options.%(name)s” must be a table of lists.") % {"name": name})
    divide = options.get("divide", {}) or {}
    if not isinstance(divide, Mapping) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in divide.values()
    ):
        raise MappingProblem(_("“options.divide” must map column names to whole numbers above 0."))
    return ColumnMapping(
        entity=str(data.get("entity", "")),
        columns=_strings(data.get("columns"), "columns"),
        values={str(k): _strings(v, f"values.{k}") for k, v in values_raw.items()},
        constants=_strings(data.get("constants"), "constants"),
        defaults=_strings(data.get("defaults"), "defaults"),
        formats=_strings(data.get("formats"), "formats"),
        decimal_comma=bool(options.get("decimal_comma", False)),
        create_missing=tuple(str(c) for c in create_missing),
        skip_values={str(k): tuple(str(x) for x in v) for k, v in skip.items()},
        keep_values={str(k): tuple(str(x) for x in v) for k, v in keep.items()},
        divide={str(k): int(v) for k, v in divide.items()},
        lenient=bool(options.get("lenient", False)),
        new_account_segment=str(options.get("new_account_segment", "")),
        same_record=str(options.get("same_record", "")),
    )


def mapping_from_text(text: str, *, name: str = "") -> ColumnMapping:
    """Parse a mapping file: JSON when it starts with "{" or is named .json, TOML otherwise."""
    stripped = text.lstrip("\ufeff").strip()
    try:
        if name.endswith(".json") or stripped.startswith("{"):
            data = json.loads(stripped)
        else:
            data = tomllib.loads(stripped)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MappingProblem(
            _("The mapping file cannot be read: %(reason)s.") % {"reason": exc}
        ) from exc
    return mapping_from_dict(data)


def mapping_from_file(path: Path) -> ColumnMapping:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingProblem(
            _("The mapping file cannot be read: %(reason)s.") % {"reason": exc}
        ) from exc
    return mapping_from_text(text, name=path.name)


def preset_mapping(preset: str, entity: str) -> ColumnMapping:
    """The built-in mapping of an export format (salesforce, hubspot, pipedrive) for an entity."""
    found = PRESETS.get(preset)
    if found is None:
        raise MappingProblem(
            _("Unknown preset “%(preset)s”; choose one of: %(names)s.")
            % {"preset": preset, "names": ", ".join(sorted(PRESETS))}
        )
    spec = found.get(entity)
    if spec is None:
        raise MappingProblem(
            _("The %(preset)s preset has no mapping for %(entity)s; it covers: %(names)s.")
            % {"preset": preset, "entity": entity, "names": ", ".join(sorted(found))}
        )
    options = {**spec.get("options", {}), "lenient": True}
    return mapping_from_dict({"entity": entity, **spec, "options": options})
