"""The columns an entity accepts and how their text becomes values.

Every parser takes the cell's text (already stripped) and returns a Python value, or raises
`CellError` with a message a user can act on ("“12,5x” is not a number"). Empty text means
"not given": parsers are not called for it (the entity decides whether the column is required
or has a default).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CENT = Decimal("0.01")
TRUE = {"true", "yes", "y", "1", "x", "ja", "oo", "da", "t", "waar", "sant"}
FALSE = {"false", "no", "n", "0", "nee", "nei", "hindi", "nu", "f", "onwaar", "usann"}


class CellError(ValueError):
    """A cell's text is not a valid value for its column."""


@dataclass(frozen=True)
class Column:
    """One column an entity accepts (its canonical name, used by mappings and the API)."""

    name: str
    kind: str  # text | int | decimal | money | date | datetime | bool | choice | ref
    label: str | Promise = ""
    required: bool = False
    help: str | Promise = ""
    max_length: int = 0
    places: int = 2
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    choices: Sequence[tuple[str, Any]] = ()
    #: ref: which entity the value names, and by what (external_id, email, name, code, sku…)
    ref: str = ""
    ref_by: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)

    def parse(self, text: str, *, fmt: str = "", decimal_comma: bool = False) -> Any:
        parser = PARSERS[self.kind]
        return parser(self, text, fmt, decimal_comma)


def _text(col: Column, text: str, fmt: str, decimal_comma: bool) -> str:
    if col.max_length and len(text) > col.max_length:
        raise CellError(
            _("is %(n)s characters long; at most %(max)s fit.")
            % {"n": len(text), "max": col.max_length}
        )
    return text


def _number(text: str, decimal_comma: bool) -> Decimal:
    raw = text.replace("\u00a0", "").replace(" ", "")
    if decimal_comma:
        raw = raw.replace(".", "").replace(",", ".")
    elif raw.count(",") and "." in raw and raw.index(",") < raw.index("."):
        raw = raw.replace(",", "")  # 1,234.56
    elif (
        raw.count(",") >= 1
        and "." not in raw
        and all(len(part) == 3 for part in raw.split(",")[1:])
    ):
        raw = raw.replace(",", "")  # 1,234,567
    for symbol in ("€", "$", "£", "kr", "₱", "lei"):
        raw = raw.replace(symbol, "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise CellError(_("“%(text)s” is not a number.") % {"text": text}) from None
    if not value.is_finite():
        raise CellError(_("“%(text)s” is not a number.") % {"text": text})
    return value


def _bounds(col: Column, value: Decimal, text: str) -> None:
    if col.minimum is not None and value < col.minimum:
        raise CellError(
            _("%(value)s is below the lowest allowed value, %(min)s.")
            % {"value": text, "min": col.minimum}
        )
    if col.maximum is not None and value > col.maximum:
        raise CellError(
            _("%(value)s is above the highest allowed value, %(max)s.")
            % {"value": text, "max": col.maximum}
        )


def _int(col: Column, text: str, fmt: str, decimal_comma: bool) -> int:
    value = _number(text, decimal_comma)
    if value != value.to_integral_value():
        raise CellError(_("“%(text)s” is not a whole number.") % {"text": text})
    _bounds(col, value, text)
    return int(value)


def _decimal(col: Column, text: str, fmt: str, decimal_comma: bool) -> Decimal:
    value = _number(text, decimal_comma)
    unit = Decimal(1).scaleb(-col.places)
    if value != value.quantize(unit):
        raise CellError(
            _("“%(text)s” has more than %(places)s decimals.")
            % {"text": text, "places": col.places}
        )
    _bounds(col, value, text)
    return value.quantize(unit)


def _datetime_value(text: str, fmt: str) -> dt.datetime | dt.date:
    if fmt:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            raise CellError(
                _("“%(text)s” does not match the date format %(fmt)s.") % {"text": text, "fmt": fmt}
            ) from None
    cleaned = text.strip()
    if cleaned.endswith("Z"):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        if len(cleaned) == 10:
            return dt.date.fromisoformat(cleaned)
        return dt.datetime.fromisoformat(cleaned)
    except ValueError:
        raise CellError(
            _("“%(text)s” is not a date (write it as YYYY-MM-DD, or set the column's format).")
            % {"text": text}
        ) from None


def _date(col: Column, text: str, fmt: str, decimal_comma: bool) -> dt.date:
    value = _datetime_value(text, fmt)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            return timezone.localtime(value).date()
        return value.date()
    return value


def _datetime(col: Column, text: str, fmt: str, decimal_comma: bool) -> dt.datetime:
    value = _datetime_value(text, fmt)
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(12))  # a date alone: noon, local time
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _bool(col: Column, text: str, fmt: str, decimal_comma: bool) -> bool:
    lowered = text.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise CellError(_("“%(text)s” is not yes or no.") % {"text": text})


def _choice(col: Column, text: str, fmt: str, decimal_comma: bool) -> str:
    lowered = text.strip().lower()
    for code, label in col.choices:
        if lowered in (str(code).lower(), str(label).lower()):
            return str(code)
    for alias, code in col.aliases.items():
        if lowered == alias.lower():
            return code
    allowed = ", ".join(str(code) for code, _label in col.choices)
    raise CellError(
        _("“%(text)s” is not one of: %(allowed)s.") % {"text": text, "allowed": allowed}
    )


#: English names of countries that exports often spell out, → ISO 3166 codes
COUNTRY_NAMES = {
    "united states": "US", "united states of america": "US", "usa": "US", "canada": "CA",
    "mexico": "MX", "brazil": "BR", "argentina": "AR", "chile": "CL", "colombia": "CO",
    "peru": "PE", "panama": "PA", "united kingdom": "GB", "uk": "GB", "great britain": "GB",
    "ireland": "IE", "netherlands": "NL", "the netherlands": "NL", "belgium": "BE",
    "luxembourg": "LU", "germany": "DE", "france": "FR", "spain": "ES", "portugal": "PT",
    "italy": "IT", "switzerland": "CH", "austria": "AT", "denmark": "DK", "norway": "NO",
    "sweden": "SE", "finland": "FI", "iceland": "IS", "poland": "PL", "czechia": "CZ",
    "czech republic": "CZ", "slovakia": "SK", "hungary": "HU", "romania": "RO",
    "bulgaria": "BG", "greece": "GR", "turkey": "TR", "ukraine": "UA", "israel": "IL",
    "jordan": "JO", "egypt": "EG", "south africa": "ZA", "kenya": "KE", "nigeria": "NG",
    "morocco": "MA", "india": "IN", "china": "CN", "japan": "JP", "korea": "KR",
    "south korea": "KR", "philippines": "PH", "indonesia": "ID", "singapore": "SG",
    "malaysia": "MY", "thailand": "TH", "vietnam": "VN", "australia": "AU",
    "new zealand": "NZ", "united arab emirates": "AE", "saudi arabia": "SA",
}  # fmt: skip


def _country(col: Column, text: str, fmt: str, decimal_comma: bool) -> str:
    cleaned = text.strip()
    if len(cleaned) == 2 and cleaned.isascii() and cleaned.isalpha():
        return cleaned.upper()
    found = COUNTRY_NAMES.get(cleaned.lower())
    if found is None:
        raise CellError(
            _(
                "“%(text)s” is not a 2-letter country code (such as NO or US), nor a country "
                "name Attain knows; translate it in the mapping's values."
            )
            % {"text": text}
        )
    return found


def _ref(col: Column, text: str, fmt: str, decimal_comma: bool) -> str:
    return text  # resolved against the database by the entity


PARSERS: dict[str, Callable[[Column, str, str, bool], Any]] = {
    "text": _text,
    "int": _int,
    "decimal": _decimal,
    "money": _decimal,
    "date": _date,
    "datetime": _datetime,
    "bool": _bool,
    "choice": _choice,
    "country": _country,
    "ref": _ref,
}

KIND_LABELS = {
    "text": gettext_lazy("text"),
    "int": gettext_lazy("whole number"),
    "decimal": gettext_lazy("number"),
    "money": gettext_lazy("amount"),
    "date": gettext_lazy("date"),
    "datetime": gettext_lazy("date and time"),
    "bool": gettext_lazy("yes / no"),
    "choice": gettext_lazy("one of a list"),
    "country": gettext_lazy("country"),
    "ref": gettext_lazy("reference"),
}
