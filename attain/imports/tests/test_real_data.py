"""Acceptance on real public data: the files import as they are (with the mapping files in
attain/imports/mappings/), and the system's figures equal the same figures computed straight
from the CSV files."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from attain.analytics.selectors import Scope, metric_breakdown, metric_value
from attain.catalog.models import Product, ProductLine
from attain.customers.models import Account, Contact
from attain.goals.models import Goal, GoalRevision
from attain.imports.models import ImportStatus
from attain.imports.services import import_file
from attain.organization.models import OrgUnit, Person, Role, Territory, UnitKind
from attain.organization.services import membership_start, person_create, unit_create
from attain.pipeline.models import Activity, Deal, DealStatus, Lead
from attain.pipeline.selectors import deal_win_rates

DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
MAPPINGS = Path(__file__).resolve().parents[1] / "mappings"
WHOLE = {"start": dt.date(2010, 1, 1), "end": dt.date(2030, 12, 31)}

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"the public data sets are not at {DATA}")


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def company(db, settings):
    """An empty company with one sales-operations login (who imports)."""
    settings.REPORTING_CURRENCY = "USD"  # the data sets are in US dollars
    root = unit_create(name="Company", kind=UnitKind.COMPANY, code="CO")
    admin = person_create(
        first_name="Sam", last_name="Ops", email="ops@example.com", username="ops", password="x"
    )
    membership_start(person=admin, unit=root, role=Role.SALES_OPS, valid_from=dt.date(2000, 1, 1))
    return admin


def load(admin: Person, entity: str, path: Path, *, mapping: str = "", preset: str = ""):
    text = (MAPPINGS / mapping).read_text(encoding="utf-8") if mapping else None
    job = import_file(path=path, entity=entity, user=admin.user, mapping_text=text, preset=preset)
    assert job.status == ImportStatus.DONE, job.errors[:5]
    return job


def money(text: str) -> Decimal:
    return Decimal(text or "0").quantize(Decimal("0.01"))


def test_maven_crm_imports_and_its_figures_equal_the_csv(company):
    d = DATA / "maven_crm"
    load(company, "people", d / "sales_teams.csv", mapping="maven_crm/sales_teams.toml")
    load(company, "products", d / "products.csv", mapping="maven_crm/products.toml")
    load(company, "accounts", d / "accounts.csv", mapping="maven_crm/accounts.toml")
    deals_job = load(
        company, "deals", d / "sales_pipeline.csv", mapping="maven_crm/sales_pipeline.toml"
    )

    teams, pipeline = rows(d / "sales_teams.csv"), rows(d / "sales_pipeline.csv")
    accounts, products = rows(d / "accounts.csv"), rows(d / "products.csv")
    # counts
    assert deals_job.created_count == len(pipeline) == 8800
    assert Deal.objects.count() == 8800
    assert Account.objects.count() == len(accounts) == 85
    assert Product.objects.count() == len(products) == 7
    assert ProductLine.objects.count() == len({p["series"] for p in products}) == 3
    agents = {t["sales_agent"] for t in teams}
    managers = {t["manager"] for t in teams}
    assert Person.objects.exclude(pk=company.pk).count() == len(agents) + len(managers) == 41
    by_status = Counter(Deal.objects.values_list("status", flat=True))
    csv_status = Counter(p["deal_stage"] for p in pipeline)
    assert by_status[DealStatus.WON] == csv_status["Won"] == 4238
    assert by_status[DealStatus.LOST] == csv_status["Lost"] == 2473
    assert by_status[DealStatus.OPEN] == csv_status["Engaging"] + csv_status["Prospecting"]
    assert Deal.objects.filter(account__isnull=True).count() == sum(
        1 for p in pipeline if not p["account"]
    )
    assert Account.objects.filter(parent__isnull=False).count() == sum(
        1 for a in accounts if a["subsidiary_of"]
    )

    # won revenue per agent, per manager (their team) and per office, from the rollups
    won = [p for p in pipeline if p["deal_stage"] == "Won"]
    per_agent: dict[str, Decimal] = defaultdict(Decimal)
    per_manager: dict[str, Decimal] = defaultdict(Decimal)
    per_office: dict[str, Decimal] = defaultdict(Decimal)
    team_of = {t["sales_agent"]: t for t in teams}
    for p in won:
        per_agent[p["sales_agent"]] += money(p["close_value"])
        per_manager[team_of[p["sales_agent"]]["manager"]] += money(p["close_value"])
        per_office[team_of[p["sales_agent"]]["regional_office"]] += money(p["close_value"])
    sellers = {
        row.label: row.value
        for row in metric_breakdown(metric="won_value", scope=Scope(), by="seller", **WHOLE)
    }
    assert sellers == dict(per_agent)
    team_rows = {
        row.label: row.value
        for row in metric_breakdown(metric="won_value", scope=Scope(), by="team", **WHOLE)
    }
    assert team_rows == dict(per_manager)
    offices = {
        row.label: row.value
        for row in metric_breakdown(metric="won_value", scope=Scope(), by="unit", **WHOLE)
    }
    assert offices == dict(per_office)
    assert metric_value(metric="won_value", scope=Scope(), **WHOLE) == sum(per_agent.values())
    assert metric_value(metric="deals_won", scope=Scope(), **WHOLE) == Decimal(len(won))

    # win rate per product (GTXPro in the pipeline is the product GTX Pro)
    outcome: dict[str, Counter[str]] = defaultdict(Counter)
    for p in pipeline:
        if p["deal_stage"] in ("Won", "Lost"):
            outcome["GTX Pro" if p["product"] == "GTXPro" else p["product"]][p["deal_stage"]] += 1
    expected = {
        name: (c["Won"] * Decimal(100) / (c["Won"] + c["Lost"])).quantize(Decimal("0.01"))
        for name, c in outcome.items()
    }
    found = {r.label: r.win_rate for r in deal_win_rates(user=company.user, by="product")}
    assert found == expected

    # re-importing every file changes nothing
    again = load(
        company, "deals", d / "sales_pipeline.csv", mapping="maven_crm/sales_pipeline.toml"
    )
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 8800)
    assert (
        load(
            company, "accounts", d / "accounts.csv", mapping="maven_crm/accounts.toml"
        ).unchanged_count
        == 85
    )
    assert (
        load(
            company, "people", d / "sales_teams.csv", mapping="maven_crm/sales_teams.toml"
        ).unchanged_count
        == 35
    )


def test_salesforce_export_imports_with_the_preset_and_its_figures_equal_the_csv(company, tmp_path):
    d = DATA / "salesforce_export"
    accounts, contacts = rows(d / "Account.csv"), rows(d / "Contact.csv")
    leads, opportunities, tasks = (
        rows(d / "Lead.csv"),
        rows(d / "Opportunity.csv"),
        rows(d / "Task.csv"),
    )
    # The export has no User file: its two owners are imported as people first, as a user
    # export would bring them (Id, FirstName, LastName, Email).
    owners = sorted({r["OwnerId"] for r in accounts + contacts + leads + opportunities + tasks})
    users = tmp_path / "User.csv"
    users.write_text(
        "\ufeffId,FirstName,LastName,Email\n"
        + "".join(f"{o},Owner,{o[-4:]},{o.lower()}@example.com\n" for o in owners),
        encoding="utf-8",
    )
    load(company, "people", users, preset="salesforce")
    for entity, name in (
        ("accounts", "Account"),
        ("contacts", "Contact"),
        ("leads", "Lead"),
        ("deals", "Opportunity"),
        ("activities", "Task"),
    ):
        load(company, entity, d / f"{name}.csv", preset="salesforce")

    assert Account.objects.count() == len(accounts) == 22
    assert Contact.objects.count() == len(contacts) == 102
    assert (
        Contact.objects.filter(account__isnull=True).count()
        == sum(1 for c in contacts if not c["AccountId"])
        == 84
    )
    assert Lead.objects.count() == len(leads) == 60
    assert Deal.objects.count() == len(opportunities) == 50
    assert Activity.objects.count() == len(tasks) == 75
    # 18-character ids are kept as external ids; owners follow OwnerId
    for row in accounts:
        account = Account.objects.get(external_ref=row["Id"])
        assert account.owner.external_ref == row["OwnerId"]
        assert account.annual_revenue == (
            money(row["AnnualRevenue"]) if row["AnnualRevenue"] else None
        )
    # stages, won value and win rate
    stage_of = {"Closed Won": DealStatus.WON, "Closed Lost": DealStatus.LOST}
    expected_status = Counter(stage_of.get(o["StageName"], DealStatus.OPEN) for o in opportunities)
    assert Counter(Deal.objects.values_list("status", flat=True)) == expected_status
    won_total = sum(money(o["Amount"]) for o in opportunities if o["StageName"] == "Closed Won")
    assert metric_value(metric="won_value", scope=Scope(), **WHOLE) == won_total
    rates = deal_win_rates(user=company.user, by="seller")
    assert [(r.won, r.lost) for r in rates] == [(12, 3)]
    for o in opportunities:
        deal = Deal.objects.get(external_ref=o["Id"])
        assert deal.amount == money(o["Amount"])
        assert deal.expected_close_on == dt.date.fromisoformat(o["CloseDate"])
        if deal.status != DealStatus.OPEN:
            assert deal.closed_on == dt.date.fromisoformat(o["CloseDate"])
    kinds = Counter(Activity.objects.values_list("kind", flat=True))
    types = Counter(t["Type__c"] for t in tasks)
    assert kinds == {
        "call": types["Call"],
        "email": types["Email"],
        "meeting": types["Meeting"],
        "admin": types["Prep"] + types["Other"],
    }
    # a second import of the same files changes nothing
    for entity, name in (("accounts", "Account"), ("deals", "Opportunity"), ("activities", "Task")):
        again = load(company, entity, d / f"{name}.csv", preset="salesforce")
        assert (again.created_count, again.updated_count) == (0, 0)


def test_olist_funnel_imports_and_its_figures_equal_the_csv(company, settings):
    settings.REPORTING_CURRENCY = "BRL"
    d = DATA / "olist_funnel"
    load(
        company,
        "leads",
        d / "olist_marketing_qualified_leads_dataset.csv",
        mapping="olist_funnel/leads.toml",
    )
    load(company, "accounts", d / "olist_sellers_dataset.csv", mapping="olist_funnel/sellers.toml")
    load(
        company,
        "deals",
        d / "olist_closed_deals_dataset.csv",
        mapping="olist_funnel/closed_deals.toml",
    )
    mqls, sellers = (
        rows(d / "olist_marketing_qualified_leads_dataset.csv"),
        rows(d / "olist_sellers_dataset.csv"),
    )
    deals = rows(d / "olist_closed_deals_dataset.csv")
    assert Lead.objects.count() == len(mqls) == 8000
    assert Deal.objects.filter(status=DealStatus.WON).count() == len(deals) == 842
    assert Account.objects.count() == len(
        {s["seller_id"] for s in sellers} | {x["seller_id"] for x in deals}
    )
    # won deals per sales rep, and per business segment (product line)
    per_rep = Counter(x["sr_id"] for x in deals)
    found = {
        row.label.split(" ")[0]: row.value
        for row in metric_breakdown(metric="deals_won", scope=Scope(), by="seller", **WHOLE)
    }
    assert found == {rep: Decimal(n) for rep, n in per_rep.items()}
    per_segment = Counter(x["business_segment"] or "(none)" for x in deals)
    by_line = {r.label: r.won for r in deal_win_rates(user=company.user, by="product_line")}
    assert by_line == dict(per_segment)
    # every deal is linked to its lead; leads per channel follow the origin
    assert Deal.objects.filter(lead__isnull=False).count() == 842
    assert Lead.objects.filter(channel="social").count() == sum(
        1 for m in mqls if m["origin"] == "social"
    )


def test_adventureworks_sales_people_territories_and_quota_history(company):
    d = DATA / "adventureworks"
    load(
        company,
        "territories",
        d / "dw_DimSalesTerritory.csv",
        mapping="adventureworks/territories.toml",
    )
    load(company, "people", d / "dw_DimEmployee.csv", mapping="adventureworks/employees.toml")
    load(company, "people", d / "dw_DimEmployee.csv", mapping="adventureworks/sales_people.toml")
    load(company, "goals", d / "dw_FactSalesQuota.csv", mapping="adventureworks/sales_quotas.toml")
    employees = [e for e in rows(d / "dw_DimEmployee.csv") if e["Status"] == "Current"]
    quotas = rows(d / "dw_FactSalesQuota.csv")
    assert Territory.objects.count() == 10
    assert Person.objects.exclude(pk=company.pk).count() == len(employees) == 290
    sales = [e for e in employees if e["DepartmentName"] == "Sales"]
    unit = OrgUnit.objects.get(name="Sales")
    members = {m.person.external_ref: m for m in unit.memberships.select_related("person")}
    assert set(members) == {e["EmployeeKey"] for e in sales}
    assert members["277"].role == Role.SALES_MANAGER  # the vice president of sales
    assert members["281"].role == Role.SALES_REP
    assert members["281"].valid_from == dt.date(2010, 12, 29)
    # reporting lines follow ParentEmployeeKey
    blythe = Person.objects.get(external_ref="281")
    assert blythe.reporting_lines.get().manager.external_ref == "272"
    # territories follow SalesTerritoryKey (11 = none)
    assert list(blythe.territory_assignments.values_list("territory__name", flat=True)) == [
        "Northeast"
    ]
    # one quarterly revenue goal per person and quarter; a second quota in a quarter revises it
    latest: dict[tuple[str, str, str], Decimal] = {}
    changes = 0  # a second quota in a quarter with another amount
    for q in quotas:
        key = (q["EmployeeKey"], q["CalendarYear"], q["CalendarQuarter"])
        amount = Decimal(q["SalesAmountQuota"])
        changes += key in latest and latest[key] != amount
        latest[key] = amount
    assert Goal.objects.count() == len(latest) == 153
    assert GoalRevision.objects.count() == changes == 9
    revision = GoalRevision.objects.get(
        goal__person__external_ref="272", goal__start=dt.date(2011, 7, 1)
    )
    assert (revision.old_target, revision.new_target) == (
        Decimal("91000.000"),
        Decimal("140000.000"),
    )
    per_person: dict[str, Decimal] = defaultdict(Decimal)
    for (employee, _year, _quarter), target in latest.items():
        per_person[employee] += target
    found: dict[str, Decimal] = defaultdict(Decimal)
    for ref, target in Goal.objects.values_list("person__external_ref", "target"):
        found[ref] += target
    assert dict(found) == dict(per_person)
    first = Goal.objects.get(person__external_ref="272", start=dt.date(2010, 10, 1))
    assert (first.end, first.target, first.period_kind) == (
        dt.date(2010, 12, 31),
        Decimal("28000.000"),
        "quarter",
    )
