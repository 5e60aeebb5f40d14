"""Importing hand-made files through the services: every entity, all or nothing, idempotent,
and every problem named by its row, column and reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from attain.analytics.selectors import Scope, metric_value
from attain.catalog.models import Product, ProductLine, ProductPrice
from attain.core.models import ExchangeRate
from attain.customers.models import Account, Contact
from attain.goals.models import Goal
from attain.imports.models import ImportJob, ImportStatus
from attain.imports.services import import_file
from attain.orders.models import Order, OrderLine, OrderReturn, OrderStatus
from attain.organization.models import Membership, OrgUnit, Person, ReportingLine
from attain.pipeline.models import Activity, Deal, DealStageChange, DealStatus, Lead


@pytest.fixture
def files(tmp_path):
    def write(name: str, text: str):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def run(world, files, entity: str, text: str, **kw):
    path = files(f"{entity}.csv", text)
    return import_file(path=path, entity=entity, user=world.admin.user, **kw)


def problems(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


@pytest.fixture
def catalog(world, files):
    run(world, files, "product_lines", "code,name\nHW,Hardware\nSW,Software\n")
    job = run(
        world,
        files,
        "products",
        "sku,name,line,list_price,unit_cost,currency,price_from\n"
        "GTX-1,GTX Basic,HW,550,300,EUR,2020-01-01\n"
        "MG-1,MG Special,Software,55.50,10,EUR,2020-01-01\n",
    )
    assert job.status == ImportStatus.DONE, problems(job)


def test_accounts_are_created_then_a_reimport_changes_nothing(world, files):
    text = (
        "external_id,name,segment,industry,employees,annual_revenue,country,owner\n"
        f"A-1,Acme,enterprise,Retail,2822,1100.04,us,{world.rep.email}\n"
        "A-2,Betasoloin,Mid-market,Medical,495,,NL,\n"
    )
    job = run(world, files, "accounts", text)
    assert job.status == ImportStatus.DONE
    assert (job.rows, job.created_count, job.updated_count, job.unchanged_count) == (2, 2, 0, 0)
    acme = Account.objects.get(external_ref="A-1")
    assert (acme.name, acme.segment, acme.employees, acme.annual_revenue, acme.country) == (
        "Acme",
        "enterprise",
        2822,
        Decimal("1100.04"),
        "US",
    )
    assert acme.owner == world.rep
    assert Account.objects.get(external_ref="A-2").owner == world.admin  # the importer
    again = run(world, files, "accounts", text)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert Account.objects.count() == 2


def test_a_changed_cell_updates_only_that_record(world, files):
    header = "external_id,name,segment,city\n"
    run(world, files, "accounts", header + "A-1,Acme,enterprise,Oslo\nA-2,Bolt,consumer,Rome\n")
    job = run(
        world, files, "accounts", header + "A-1,Acme,enterprise,Bergen\nA-2,Bolt,consumer,Rome\n"
    )
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 1)
    assert Account.objects.get(external_ref="A-1").city == "Bergen"


def test_one_bad_row_keeps_the_whole_file_out_and_every_problem_is_named(world, files):
    text = (
        "external_id,name,segment,employees,annual_revenue\n"
        "A-1,Acme,enterprise,10,5.00\n"
        "A-2,,enterprise,ten,5.001\n"
        "A-3,Cogs,huge,3,\n"
        "A-1,Acme again,enterprise,1,\n"
    )
    job = run(world, files, "accounts", text)
    assert job.status == ImportStatus.INVALID
    assert problems(job) == [
        (3, "name", "is required."),
        (3, "employees", "“ten” is not a number."),
        (3, "annual_revenue", "“5.001” has more than 2 decimals."),
        (
            4,
            "segment",
            "“huge” is not one of: enterprise, mid_market, small_business, public_sector, consumer.",
        ),
        (5, "external_id", "A-1 appears twice in the file (also on row 2)."),
    ]
    assert job.message == "Nothing was imported: fix the problems and upload again."
    assert Account.objects.count() == 0  # not even the good row


def test_a_dry_run_counts_what_would_happen_and_keeps_nothing(world, files):
    job = run(
        world, files, "accounts", "name,segment\nAcme,consumer\nBolt,consumer\n", dry_run=True
    )
    assert job.status == ImportStatus.CHECKED
    assert job.created_count == 2
    assert Account.objects.count() == 0


def test_columns_named_loosely_or_mapped_with_constants_and_value_translations(world, files):
    mapping = """
entity = "accounts"
[columns]
name = "Company"
segment = "Size"
[values.segment]
Big = "enterprise"
Small = "small_business"
[constants]
country = "NO"
"""
    job = run(
        world,
        files,
        "accounts",
        "Company,Size,External ID,City\nAcme,Big,X1,Oslo\nBolt,small,X2,Bergen\n",
        mapping_text=mapping,
    )
    assert job.status == ImportStatus.DONE, problems(job)
    rows = sorted(Account.objects.values_list("external_ref", "segment", "country", "city"))
    assert rows == [("X1", "enterprise", "NO", "Oslo"), ("X2", "small_business", "NO", "Bergen")]


def test_a_mapping_naming_a_missing_column_is_refused_before_any_row(world, files):
    job = run(
        world,
        files,
        "accounts",
        "Company\nAcme\n",
        mapping_text='[columns]\nname = "Firm"\n',
    )
    assert job.status == ImportStatus.INVALID
    assert problems(job) == [
        (
            0,
            "",
            "The mapping reads columns the file does not have: name = Firm. The file has: Company.",
        )
    ]


def test_required_columns_missing_from_the_file(world, files):
    job = run(world, files, "accounts", "city\nOslo\n")
    assert problems(job) == [
        (0, "", "The file has no column for: name, segment (name the columns so, or map them).")
    ]


def test_a_header_without_rows(world, files):
    job = run(world, files, "accounts", "name,segment\n")
    assert problems(job) == [(0, "", "The file has a header but no rows.")]


def test_an_unknown_reference_names_the_column_and_how_to_fix_it(world, files):
    job = run(world, files, "products", "sku,name,line\nP1,Widget,Gadgets\n")
    assert problems(job) == [
        (
            2,
            "line",
            "“Gadgets” is not a known product line. Import them first, or list “line” in the "
            "mapping's create_missing.",
        )
    ]
    created = run(
        world,
        files,
        "products",
        "sku,name,line\nP1,Widget,Gadgets\nP2,Gizmo,Gadgets\n",
        mapping_text='[options]\ncreate_missing = ["line"]\n',
    )
    assert created.status == ImportStatus.DONE, problems(created)
    assert list(ProductLine.objects.values_list("name", flat=True)) == ["Gadgets"]
    assert Product.objects.filter(line__name="Gadgets").count() == 2


def test_products_with_prices(world, files, catalog):
    gtx = Product.objects.get(sku="GTX-1")
    assert gtx.line.code == "HW"
    price = ProductPrice.objects.get(product=gtx)
    assert (price.currency, price.list_price, price.unit_cost) == (
        "EUR",
        Decimal("550.00"),
        Decimal("300.00"),
    )


def test_people_with_units_managers_and_no_email(world, files):
    mapping = """
[columns]
external_id = "sales_agent"
name = "sales_agent"
manager = "manager"
unit = "manager"
unit_parent = "regional_office"
[constants]
member_from = "2016-01-01"
role = "sales_rep"
[options]
create_missing = ["manager", "unit", "unit_parent"]
"""
    text = (
        "sales_agent,manager,regional_office\n"
        "Anna Snelling,Dustin Brinkmann,Central\n"
        "Cecily Lampkin,Dustin Brinkmann,Central\n"
        "Moses Frase,Rocco Neubert,East\n"
    )
    job = run(world, files, "people", text, mapping_text=mapping)
    assert job.status == ImportStatus.DONE, problems(job)
    anna = Person.objects.get(external_ref="Anna Snelling")
    assert (anna.first_name, anna.last_name, anna.email) == ("Anna", "Snelling", "")
    membership = Membership.objects.get(person=anna)
    assert (membership.unit.name, membership.unit.kind, membership.valid_from) == (
        "Dustin Brinkmann",
        "team",
        dt.date(2016, 1, 1),
    )
    assert OrgUnit.objects.get_parent(membership.unit).name == "Central"
    assert OrgUnit.objects.get_parent(OrgUnit.objects.get_parent(membership.unit)) == world.company
    line = ReportingLine.objects.get(person=anna)
    assert str(line.manager) == "Dustin Brinkmann"
    # one team per manager, one office per region, one person per manager
    assert OrgUnit.objects.filter(name="Dustin Brinkmann").count() == 1
    assert Person.objects.filter(first_name="Dustin", last_name="Brinkmann").count() == 1
    again = run(world, files, "people", text, mapping_text=mapping)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)


def test_deals_open_won_and_lost_with_their_stage_history(world, files, catalog):
    run(world, files, "accounts", "external_id,name,segment\nA1,Acme,enterprise\n")
    text = (
        "external_id,account,owner,amount,currency,created_on,expected_close_on,stage,closed_on,product\n"
        f"D1,A1,{world.rep.email},1000.00,EUR,2026-03-01,2026-04-30,proposal,,GTX-1\n"
        f"D2,A1,{world.rep.email},500.00,EUR,2026-03-02,2026-03-31,Won,2026-03-20,MG-1\n"
        f"D3,,{world.rep.email},300.00,EUR,2026-03-03,,Lost,2026-03-25,\n"
    )
    job = run(world, files, "deals", text)
    assert job.status == ImportStatus.DONE, problems(job)
    d1, d2, d3 = (Deal.objects.get(external_ref=k) for k in ("D1", "D2", "D3"))
    assert (d1.status, d1.stage.code, d1.amount) == (
        DealStatus.OPEN,
        "proposal",
        Decimal("1000.00"),
    )
    assert [p.sku for p in d1.products.all()] == ["GTX-1"]
    assert [pl.code for pl in d1.product_lines.all()] == ["HW"]
    assert (d2.status, d2.closed_on) == (DealStatus.WON, dt.date(2026, 3, 20))
    assert (d3.status, d3.account, d3.closed_on, d3.expected_close_on) == (
        DealStatus.LOST,
        None,
        dt.date(2026, 3, 25),
        dt.date(2026, 3, 25),
    )
    assert list(
        DealStageChange.objects.filter(deal=d2)
        .order_by("changed_at")
        .values_list("to_stage__code", flat=True)
    ) == ["prospecting", "won"]
    assert metric_value(
        metric="won_value",
        scope=Scope(person_id=world.rep.pk),
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 3, 31),
    ) == Decimal("500.00")
    again = run(world, files, "deals", text)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    # the deal moves on in the source system: a re-import moves it here too
    moved = run(world, files, "deals", text.replace("proposal,,GTX-1", "Won,2026-04-10,GTX-1"))
    assert (moved.updated_count, moved.unchanged_count) == (1, 2)
    assert Deal.objects.get(external_ref="D1").status == DealStatus.WON


def test_deal_stage_history_file(world, files):
    run(world, files, "accounts", "external_id,name,segment\nA1,Acme,enterprise\n")
    run(
        world,
        files,
        "deals",
        "external_id,account,amount,created_on,expected_close_on\nD1,A1,100,2026-03-01,2026-05-01\n",
    )
    job = run(
        world,
        files,
        "deal_stages",
        "deal,stage,changed_at\nD1,qualification,2026-03-05T10:00:00+01:00\nD1,negotiation,2026-03-09T10:00:00+01:00\nD1,won,2026-03-12T15:00:00+01:00\n",
    )
    assert job.status == ImportStatus.DONE, problems(job)
    deal = Deal.objects.get(external_ref="D1")
    assert (deal.status, deal.closed_on) == (DealStatus.WON, dt.date(2026, 3, 12))
    assert list(
        DealStageChange.objects.filter(deal=deal)
        .order_by("changed_at")
        .values_list("to_stage__code", flat=True)
    ) == ["prospecting", "qualification", "negotiation", "won"]


def test_orders_with_lines_then_deliveries_and_returns(world, files, catalog):
    run(world, files, "accounts", "external_id,name,segment\nA1,Acme,enterprise\n")
    text = (
        "external_id,account,owner,ordered_on,product,quantity,unit_price,discount_pct\n"
        f"O1,A1,{world.rep.email},2026-03-10,GTX-1,3,250.00,0\n"
        "O2,A1,,2026-03-11,MG-1,1,,\n"
        f"O1,A1,{world.rep.email},2026-03-10,MG-1,2,50.00,10\n"
    )
    job = run(world, files, "orders", text)
    assert job.status == ImportStatus.DONE, problems(job)
    assert (job.rows, job.created_count) == (3, 2)
    o1 = Order.objects.get(external_ref="O1")
    assert o1.net_total == Decimal("840.00")  # 750.00 + 2 × 50.00 − 10 %
    assert OrderLine.objects.filter(order=o1).count() == 2
    assert Order.objects.get(external_ref="O2").net_total == Decimal("55.50")  # list price
    march = {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 3, 31)}
    assert metric_value(metric="revenue", scope=Scope(), **march) == Decimal("895.50")
    assert run(world, files, "orders", text).unchanged_count == 2
    changed = run(world, files, "orders", text.replace("GTX-1,3,", "GTX-1,4,"))
    assert problems(changed) == [
        (
            2,
            "product",
            f"Order {o1.number} exists with other lines; an imported order is not changed (cancel "
            "it in Attain and import it under a new id).",
        )
    ]
    steps = run(
        world,
        files,
        "deliveries",
        "order,step,on,promised_on\nO1,shipped,2026-03-12,2026-03-12\nO1,delivered,2026-03-14,2026-03-13\nO2,cancelled,2026-03-12,\n",
    )
    assert steps.status == ImportStatus.DONE, problems(steps)
    o1.refresh_from_db()
    assert (o1.status, o1.delivered_on, o1.delivery_promised_on) == (
        OrderStatus.DELIVERED,
        dt.date(2026, 3, 14),
        dt.date(2026, 3, 13),
    )
    assert Order.objects.get(external_ref="O2").status == OrderStatus.CANCELLED
    returned = run(
        world,
        files,
        "returns",
        "order,product,quantity,returned_on,reason\nO1,MG-1,1,2026-03-20,defective\n",
    )
    assert returned.status == ImportStatus.DONE, problems(returned)
    assert OrderReturn.objects.get().quantity == Decimal("1.000")
    assert (
        run(
            world,
            files,
            "returns",
            "order,product,quantity,returned_on,reason\nO1,MG-1,1,2026-03-20,defective\n",
        ).unchanged_count
        == 1
    )


def test_leads_contacts_activities_goals_and_rates(world, files):
    run(world, files, "accounts", "external_id,name,segment\nA1,Acme,enterprise\n")
    contacts = run(
        world,
        files,
        "contacts",
        f"external_id,account,name,email,owner\nC1,A1,Ada Lovelace,ADA@example.com,\nC2,,Bob Ross,bob@example.com,{world.rep.email}\n",
    )
    assert contacts.status == ImportStatus.DONE, problems(contacts)
    assert Contact.objects.get(external_ref="C1").email == "ada@example.com"
    private = Contact.objects.get(external_ref="C2")
    assert (private.account, private.owner) == (None, world.rep)
    assert list(
        Contact.objects.visible_to(world.rep.user).values_list("external_ref", flat=True)
    ) == ["C2"]
    leads = run(
        world,
        files,
        "leads",
        "external_id,company,source,received_on,status\nL1,Acme,Online Form,2026-03-01,qualified\n",
        mapping_text='[values.source]\n"Online Form" = "website"\n',
    )
    assert leads.status == ImportStatus.DONE, problems(leads)
    assert Lead.objects.get(external_ref="L1").status == "qualified"
    acts = run(
        world,
        files,
        "activities",
        f"external_id,owner,kind,occurred_at,minutes,account\nT1,{world.rep.email},call,2026-03-02 10:00,30,A1\n",
    )
    assert acts.status == ImportStatus.DONE, problems(acts)
    assert Activity.objects.get(external_ref="T1").minutes == 30
    goals = run(
        world,
        files,
        "goals",
        f"scope,person,metric,period,start,target\nperson,{world.rep.email},revenue,month,2026-03-01,10000\n",
    )
    assert goals.status == ImportStatus.DONE, problems(goals)
    goal = Goal.objects.get(person=world.rep)
    assert (goal.start, goal.end, goal.target) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
        Decimal("10000.000"),
    )
    revised = run(
        world,
        files,
        "goals",
        f"scope,person,metric,period,start,target\nperson,{world.rep.email},revenue,month,2026-03-01,12000\n",
    )
    assert revised.updated_count == 1
    assert Goal.objects.get(pk=goal.pk).target == Decimal("12000.000")
    rates = run(world, files, "exchange_rates", "currency,valid_on,rate\nUSD,2026-01-01,0.91\n")
    assert rates.created_count == 1
    assert ExchangeRate.objects.get(currency="USD").rate == Decimal("0.91000000")


def test_an_unknown_entity_and_an_empty_file_are_refused_without_a_job(world, files):
    with pytest.raises(ValidationError) as exc:
        import_file(path=files("x.csv", "a\n1\n"), entity="unicorns", user=world.admin.user)
    assert "“unicorns” cannot be imported" in exc.value.message_dict["entity"][0]
    with pytest.raises(ValidationError) as exc:
        import_file(path=files("empty.csv", ""), entity="accounts", user=world.admin.user)
    assert exc.value.message_dict == {"file": ["The file is empty (0 bytes)."]}
    assert ImportJob.objects.count() == 0


def test_rows_may_name_records_of_later_rows(world, files):
    job = run(
        world,
        files,
        "accounts",
        "external_id,name,segment,parent\nA2,Acme Kenya,enterprise,Acme\nA1,Acme,enterprise,\nA3,Acme Oslo,enterprise,A2\n",
    )
    assert job.status == ImportStatus.DONE, problems(job)
    kenya = Account.objects.get(external_ref="A2")
    assert kenya.parent.external_ref == "A1"
    assert Account.objects.get(external_ref="A3").parent == kenya
    loop = run(
        world,
        files,
        "units",
        "code,name,kind,parent\nT9,Team nine,team,D9\nD9,Division nine,division,T9\n",
    )
    assert problems(loop) == [
        (2, "parent", "“D9” is on no earlier or later row that could be imported."),
        (3, "parent", "“T9” is on no earlier or later row that could be imported."),
    ]
    assert not OrgUnit.objects.filter(code__in=["T9", "D9"]).exists()
