"""What an import knows while it runs: who imports, and how a cell's text names a record.

References are resolved by the ways a user may name a record — an external id, an email, a
code, a SKU, a name — in that order, and found once per distinct text. A name shared by two
records is an error (the user must use an id). Unknown values of a column listed in the
mapping's `create_missing` are created (a product line, a unit, a person, an account …), once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from attain.catalog.models import Product, ProductLine
from attain.core.periods import today
from attain.customers.models import Account, Contact
from attain.imports.engine import Entity, NotYet, RowProblem
from attain.imports.fields import Column
from attain.imports.mappings import ColumnMapping
from attain.orders.models import Order
from attain.organization.models import OrgUnit, Person, Territory
from attain.pipeline.models import Deal, Lead, LostReason, Stage

#: entity → (model, fields tried in order to find a record by a cell's text)
LOOKUPS: dict[str, tuple[type[Model], tuple[str, ...]]] = {
    "people": (Person, ("external_ref", "email", "full_name")),
    "units": (OrgUnit, ("code", "name")),
    "territories": (Territory, ("name",)),
    "product_lines": (ProductLine, ("code", "name")),
    "products": (Product, ("sku", "external_ref", "name")),
    "accounts": (Account, ("external_ref", "name")),
    "contacts": (Contact, ("external_ref", "email")),
    "leads": (Lead, ("external_ref",)),
    "deals": (Deal, ("external_ref",)),
    "orders": (Order, ("external_ref", "number")),
    "stages": (Stage, ("code", "name")),
    "lost_reasons": (LostReason, ("code", "name")),
}


@dataclass
class ImportContext:
    """Shared by every row of one import."""

    actor: Person | None
    on: dt.date = field(default_factory=today)
    entity: Entity | None = None
    mapping: ColumnMapping = field(default_factory=ColumnMapping)
    sources: dict[str, str] = field(default_factory=dict)
    found: dict[tuple[str, str], Any] = field(default_factory=dict)
    #: service field name → entity column, for errors raised by the services
    field_columns: dict[str, str] = field(default_factory=dict)
    creators: dict[str, Callable[[str, Any], Any]] = field(default_factory=dict)
    #: key texts of the rows of the file being imported (references within the file)
    file_keys: set[str] = field(default_factory=set)
    #: key of a version of a record → key of the version imported (mapping `same_record`)
    aliases: dict[str, str] = field(default_factory=dict)
    #: cache keys written since the current row began (forgotten when the row is rolled back)
    journal: list[tuple[str, str]] = field(default_factory=list)

    def row_begin(self) -> None:
        self.journal = []

    def row_rollback(self) -> None:
        """The row's savepoint was rolled back: forget what it found or created."""
        for key in self.journal:
            self.found.pop(key, None)
        self.journal = []

    def _cache(self, key: tuple[str, str], obj: Any) -> None:
        self.found[key] = obj
        self.journal.append(key)

    def begin(self, *, entity: Entity, mapping: ColumnMapping, sources: dict[str, str]) -> None:
        self.entity, self.mapping, self.sources = entity, mapping, sources

    def finish(self) -> None:
        """Called once after the last row, inside the import's transaction."""

    def column_of(self, service_field: str) -> str:
        """The entity column a service's error key stands for (`lines[2].quantity` → quantity)."""
        name = service_field.split(".")[-1]
        if "[" in name:
            name = name.split("[")[0]
        return self.field_columns.get(service_field, self.field_columns.get(name, name))

    def owner(self, record_value: Person | None) -> Person:
        if record_value is not None:
            return record_value
        if self.actor is None:
            raise RowProblem({"owner": _("is required (no one is importing to default to).")})
        return self.actor

    def lookup(self, entity: str, text: str) -> Any | None:
        """The record `text` names, or None; a RowProblem when the name is ambiguous."""
        key = (entity, text)
        if key in self.found:
            return self.found[key]
        model, fields = LOOKUPS[entity]
        manager = model._default_manager
        match = None
        for name in fields:
            if name == "full_name":
                parts = text.rsplit(" ", 1)
                if len(parts) != 2:
                    continue
                rows = list(manager.filter(first_name=parts[0], last_name=parts[1])[:2])
            else:
                if name == "email":
                    value: Any = text.lower()
                    condition = Q(email__iexact=value)
                else:
                    condition = Q(**{name: text})
                rows = list(manager.filter(condition)[:2])
            if len(rows) > 1:
                raise RowProblem(
                    {
                        "": _("“%(text)s” names more than one %(entity)s; use its id.")
                        % {"text": text, "entity": entity}
                    }
                )
            if rows:
                match = rows[0]
                break
        if match is not None:
            self._cache(key, match)
        return match

    def preload(self, entity: str, texts: Iterable[str]) -> None:
        """Find many references at once (one query per 1,000 texts and lookup field); what
        is ambiguous or unknown is left to `lookup`, which says so."""
        model, fields = LOOKUPS[entity]
        manager = model._default_manager
        missing = {t for t in texts if t and (entity, t) not in self.found}
        for name in fields:
            if not missing or name == "full_name":
                continue
            ordered = sorted(missing)
            for i in range(0, len(ordered), 1000):
                chunk = ordered[i : i + 1000]
                if name == "email":
                    by_value: dict[str, list[Any]] = {}
                    for obj in manager.filter(email__in=[c.lower() for c in chunk]):
                        by_value.setdefault(str(getattr(obj, name)), []).append(obj)
                    pairs = [(c, by_value.get(c.lower(), [])) for c in chunk]
                else:
                    by_value = {}
                    for obj in manager.filter(**{f"{name}__in": chunk}):
                        by_value.setdefault(str(getattr(obj, name)), []).append(obj)
                    pairs = [(c, by_value.get(c, [])) for c in chunk]
                for text, found in pairs:
                    if len(found) == 1:
                        self.found[(entity, text)] = found[0]
                        missing.discard(text)
                    elif len(found) > 1:
                        missing.discard(text)  # ambiguous: lookup() reports it

    def ref(self, column: Column, text: str | None, *, owner: Person | None = None) -> Any:
        """The record a reference cell names (None for an empty cell); unknown → RowProblem,
        unless the column is in `create_missing`."""
        if text in (None, ""):
            return None
        assert text is not None
        if self.entity is not None and column.ref == self.entity.name:
            text = self.aliases.get(text, text)
        found = self.lookup(column.ref, text)
        if found is not None:
            return found
        if self.entity is not None and column.ref == self.entity.name and text in self.file_keys:
            raise NotYet  # another row of this file is that record: after it
        if column.name in self.mapping.create_missing and column.ref in self.creators:
            created = self.creators[column.ref](text, owner)
            self._cache((column.ref, text), created)
            return created
        hint = ""
        if column.ref in self.creators:
            hint = " " + _(
                "Import them first, or list “%(column)s” in the mapping's create_missing."
            ) % {"column": column.name}
        raise RowProblem(
            {
                column.name: _("“%(text)s” is not a known %(entity)s.")
                % {"text": text, "entity": column.ref.replace("_", " ").rstrip("s")}
                + hint
            }
        )

    def remember(self, entity: str, text: str, obj: Any) -> None:
        self._cache((entity, text), obj)


def unique_code(model: type[Model], base: str, *, field: str = "code", max_length: int = 30) -> str:
    """A code made from a name that no row of `model` has yet (ACME, ACME-2, …)."""
    stem = (slugify(base).upper().replace("-", "_") or "X")[: max_length - 4]
    candidate = stem
    n = 1
    manager = model._default_manager
    while manager.filter(**{field: candidate}).exists():
        n += 1
        candidate = f"{stem}-{n}"
    return candidate
