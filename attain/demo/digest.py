"""A fingerprint of the demo data: per table, the row count and a hash of every row.

Rows are described by natural keys (external ids, emails, codes), never by database ids or
automatic `created_at` stamps, so two runs of the generator in different databases (or through
different writers) can be compared table by table. (The demo stamps goals, revisions and
acknowledgements with times derived from dates, so those are part of their rows.)
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Model

from attain.catalog.models import ProductPrice
from attain.core.models import ExchangeRate
from attain.customers.models import Account, Contact
from attain.goals.models import Goal, GoalAcknowledgement, GoalRevision
from attain.orders.models import Order, OrderCancellation, OrderLine, OrderReturn
from attain.organization.models import (
    Employment,
    Membership,
    OrgUnit,
    Person,
    ReportingLine,
    TerritoryAssignment,
)
from attain.pipeline.models import Activity, Deal, DealStageChange, Lead

STAMP = ("owner__email", "unit__code", "unit_path", "territory__name")
GOAL = ("goal__metric", "goal__person__email", "goal__unit__code", "goal__start", "goal__end")

#: table -> (model, fields describing a row)
TABLES: dict[str, tuple[type[Model], tuple[str, ...]]] = {
    "units": (OrgUnit, ("code", "name", "kind", "path")),
    "people": (Person, ("email", "first_name", "last_name", "title", "user__username")),
    "memberships": (Membership, ("person__email", "unit__code", "role", "valid_from", "valid_to")),
    "employments": (
        Employment,
        ("person__email", "started_on", "ended_on", "end_reason", "separation_type"),
    ),
    "reporting_lines": (
        ReportingLine,
        ("person__email", "manager__email", "valid_from", "valid_to"),
    ),
    "territory_assignments": (
        TerritoryAssignment,
        ("person__email", "territory__name", "valid_from", "valid_to"),
    ),
    "exchange_rates": (ExchangeRate, ("currency", "valid_on", "rate")),
    "prices": (
        ProductPrice,
        ("product__sku", "currency", "valid_from", "list_price", "unit_cost"),
    ),
    "accounts": (
        Account,
        (
            "external_ref",
            "name",
            "segment",
            "industry",
            "size_band",
            "employees",
            "annual_revenue",
            "country",
            "region",
            "city",
            "parent__external_ref",
            *STAMP,
        ),
    ),
    "contacts": (
        Contact,
        ("external_ref", "account__external_ref", "first_name", "last_name", "email", "is_primary"),
    ),
    "leads": (
        Lead,
        (
            "external_ref",
            "company",
            "contact_name",
            "email",
            "source",
            "channel",
            "status",
            "received_on",
            "account__external_ref",
            "notes",
            *STAMP,
        ),
    ),
    "deals": (
        Deal,
        (
            "external_ref",
            "name",
            "account__external_ref",
            "contact__external_ref",
            "lead__external_ref",
            "currency",
            "amount",
            "fx_rate",
            "amount_reporting",
            "stage__code",
            "probability",
            "status",
            "created_on",
            "expected_close_on",
            "closed_on",
            "lost_reason__code",
            "lost_note",
            *STAMP,
        ),
    ),
    "deal_product_lines": (
        Deal.product_lines.through,
        ("deal__external_ref", "productline__code"),
    ),
    "stage_changes": (
        DealStageChange,
        (
            "deal__external_ref",
            "from_stage__code",
            "to_stage__code",
            "changed_at",
            "changed_by__email",
            "amount_reporting",
        ),
    ),
    "activities": (
        Activity,
        (
            "external_ref",
            "kind",
            "occurred_at",
            "minutes",
            "outcome",
            "subject",
            "deal__external_ref",
            "account__external_ref",
            "lead__external_ref",
            *STAMP,
        ),
    ),
    "orders": (
        Order,
        (
            "external_ref",
            "number",
            "account__external_ref",
            "deal__external_ref",
            "currency",
            "fx_rate",
            "status",
            "ordered_on",
            "confirm_promised_on",
            "confirmed_on",
            "ship_promised_on",
            "shipped_on",
            "delivery_promised_on",
            "delivered_on",
            "follow_up_promised_on",
            "followed_up_on",
            "net_total",
            "net_total_reporting",
            *STAMP,
        ),
    ),
    "order_lines": (
        OrderLine,
        (
            "order__external_ref",
            "product__sku",
            "product_line__code",
            "quantity",
            "unit_price",
            "discount_pct",
            "net_amount",
            "net_amount_reporting",
            "cost_reporting",
        ),
    ),
    "cancellations": (
        OrderCancellation,
        ("order__external_ref", "cancelled_on", "reason", "cancelled_by__email", "previous_status"),
    ),
    "returns": (
        OrderReturn,
        (
            "line__order__external_ref",
            "line__product__sku",
            "returned_on",
            "quantity",
            "reason",
            "amount",
            "amount_reporting",
            "recorded_by__email",
        ),
    ),
    "goals": (
        Goal,
        (
            "scope_kind",
            "person__email",
            "unit__code",
            "metric",
            "period_kind",
            "start",
            "end",
            "target",
            "segment",
            "parent__metric",
            "parent__unit__code",
            "parent__start",
            "set_by__email",
            "notes",
            "created_at",
        ),
    ),
    "goal_revisions": (
        GoalRevision,
        (
            *GOAL,
            "old_target",
            "new_target",
            "reason_kind",
            "reason",
            "revised_by__email",
            "effective_from",
            "revised_at",
        ),
    ),
    "goal_acknowledgements": (
        GoalAcknowledgement,
        (*GOAL, "person__email", "acknowledged_at", "comment"),
    ),
}


def _fmt(value: Any) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def table_rows(name: str) -> list[str]:
    """Every row of one table as a sorted list of `|`-joined strings."""
    model, fields = TABLES[name]
    rows = model._default_manager.values_list(*fields)  # type: ignore[attr-defined]
    return sorted("|".join(_fmt(v) for v in row) for row in rows)


def demo_digest() -> dict[str, tuple[int, str]]:
    """{table: (row count, sha256 of the sorted rows)}."""
    result = {}
    for name in TABLES:
        rows = table_rows(name)
        digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        result[name] = (len(rows), digest)
    return result
