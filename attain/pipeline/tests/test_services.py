"""Pipeline services: exact money, stamping, the stage history, and refusals that change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from attain.core.periods import today
from attain.organization.models import Role
from attain.organization.services import person_move
from attain.pipeline import services
from attain.pipeline.models import (
    Activity,
    Deal,
    DealStageChange,
    DealStatus,
    Lead,
    LeadStatus,
    LostReason,
    Stage,
)
from attain.pipeline.tests.factories import (
    DAY,
    make_account,
    make_activity,
    make_contact,
    make_deal,
    make_lead,
    make_product_line,
    make_rate,
    reason,
    stage,
)

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=AMS)


def _error_fields(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(exc.value.error_dict)


# --- reference data ----------------------------------------------------------------------------


def test_default_stages_and_lost_reasons_are_installed(db):
    rows = list(
        Stage.objects.order_by("position").values_list(
            "code", "name", "probability", "is_won", "is_lost"
        )
    )
    assert rows == [
        ("prospecting", "Prospecting", 10, False, False),
        ("qualification", "Qualification", 20, False, False),
        ("needs_analysis", "Needs analysis", 35, False, False),
        ("proposal", "Proposal", 50, False, False),
        ("negotiation", "Negotiation", 75, False, False),
        ("won", "Won", 100, True, False),
        ("lost", "Lost", 0, False, True),
    ]
    assert dict(LostReason.objects.values_list("code", "name")) == {
        "price": "Price",
        "product_fit": "Product fit",
        "competitor": "Competitor",
        "timing": "Timing",
        "no_decision": "No decision",
        "delivery_terms": "Delivery terms",
        "budget": "Budget",
        "other": "Other",
    }


def test_stage_and_lost_reason_admin_services(db):
    created = services.stage_create(code="demo", name="Demo", position=45, probability=60)
    assert (created.position, created.probability, created.is_closed) == (45, 60, False)
    with pytest.raises(ValidationError) as exc:
        services.stage_create(code="demo", name="Again", position=1, probability=101)
    assert _error_fields(exc) == {"code", "probability"}
    updated = services.stage_update(stage=created, name="Live demo", position=46, probability=65)
    assert (updated.name, updated.probability) == ("Live demo", 65)
    with pytest.raises(ValidationError) as exc:
        services.stage_update(stage=stage("won"), name="Won", position=90, probability=90)
    assert _error_fields(exc) == {"probability"}
    lost_reason = services.lost_reason_create(code="legal", name="Legal terms")
    services.lost_reason_update(lost_reason=lost_reason, name="Legal", is_active=False)
    lost_reason.refresh_from_db()
    assert (lost_reason.name, lost_reason.is_active) == ("Legal", False)


# --- deals -------------------------------------------------------------------------------------


def test_deal_create_converts_once_and_stamps_the_owner(world):
    make_rate(currency="USD", valid_on=dt.date(2024, 1, 1), rate="0.9")
    make_rate(currency="USD", valid_on=dt.date(2024, 4, 1), rate="0.8")  # later: not used
    account = make_account(owner=world.rep)
    line = make_product_line()
    contact = make_contact(account=account)

    deal = services.deal_create(
        name="Fleet renewal",
        account=account,
        owner=world.rep,
        amount=Decimal("1234.55"),
        currency="USD",
        expected_close_on=dt.date(2024, 5, 31),
        created_on=DAY,
        product_lines=[line],
        contact=contact,
        by=world.leader,
    )

    deal.refresh_from_db()
    assert deal.amount == Decimal("1234.55")
    assert deal.fx_rate == Decimal("0.9")
    assert deal.amount_reporting == Decimal("1111.10")  # 1111.095 rounded half up
    assert (deal.stage.code, deal.probability, deal.status) == ("prospecting", 10, "open")
    assert (deal.unit_id, deal.unit_path) == (world.team_a1.pk, world.team_a1.path)
    assert list(deal.product_lines.all()) == [line]
    (change,) = DealStageChange.objects.filter(deal=deal)
    assert change.from_stage is None
    assert change.to_stage.code == "prospecting"
    assert change.changed_at == at(DAY, 9)
    assert change.changed_by == world.leader
    assert change.amount_reporting == Decimal("1111.10")


def test_deal_create_today_records_the_first_change_now(world):
    before = timezone.now()
    deal = make_deal(owner=world.rep, created_on=today())
    change = deal.stage_changes.get()
    assert before <= change.changed_at <= timezone.now()


def test_deal_create_without_a_rate_is_refused_and_saves_nothing(world):
    account = make_account(owner=world.rep)
    with pytest.raises(ValidationError) as exc:
        services.deal_create(
            name="No rate",
            account=account,
            owner=world.rep,
            amount=Decimal("10"),
            currency="GBP",
            expected_close_on=dt.date(2024, 5, 1),
            created_on=DAY,
        )
    assert _error_fields(exc) == {"currency"}
    assert Deal.objects.count() == 0
    assert DealStageChange.objects.count() == 0


def test_deal_create_validates_every_field(world):
    account = make_account(owner=world.rep)
    other_contact = make_contact(account=make_account(owner=world.rep))
    with pytest.raises(ValidationError) as exc:
        services.deal_create(
            name=" ",
            account=account,
            owner=world.rep,
            amount=Decimal("-1"),
            currency="XXX",
            expected_close_on=DAY - dt.timedelta(days=1),
            created_on=DAY,
            stage=stage("won"),
            contact=other_contact,
            probability=120,
        )
    assert _error_fields(exc) == {
        "name",
        "amount",
        "currency",
        "expected_close_on",
        "stage",
        "contact",
        "probability",
    }
    assert Deal.objects.count() == 0


def test_stage_moves_are_recorded_with_times_and_amounts(world):
    deal = make_deal(owner=world.rep, amount="2000.00")
    deal = services.deal_move_stage(
        deal=deal, stage=stage("qualification"), by=world.rep, at=at(DAY, 14, 30)
    )
    deal = services.deal_move_stage(
        deal=deal, stage=stage("proposal"), by=world.leader, at=at(DAY + dt.timedelta(days=7), 11)
    )
    deal.refresh_from_db()
    assert (deal.stage.code, deal.probability) == ("proposal", 50)
    history = list(
        DealStageChange.objects.filter(deal=deal)
        .order_by("changed_at")
        .values_list(
            "from_stage__code", "to_stage__code", "changed_at", "changed_by", "amount_reporting"
        )
    )
    assert history == [
        (None, "prospecting", at(DAY, 9), None, Decimal("2000.00")),
        ("prospecting", "qualification", at(DAY, 14, 30), world.rep.pk, Decimal("2000.00")),
        (
            "qualification",
            "proposal",
            at(DAY + dt.timedelta(days=7), 11),
            world.leader.pk,
            Decimal("2000.00"),
        ),
    ]


def test_moving_to_a_closed_stage_or_the_same_stage_is_refused(world):
    deal = make_deal(owner=world.rep)
    for target in ("won", "lost", "prospecting"):
        with pytest.raises(ValidationError) as exc:
            services.deal_move_stage(deal=deal, stage=stage(target))
        assert _error_fields(exc) == {"stage"}
    deal.refresh_from_db()
    assert (deal.stage.code, deal.status, deal.stage_changes.count()) == ("prospecting", "open", 1)


def test_close_won_sets_status_stage_probability_and_history(world):
    deal = make_deal(owner=world.rep, stage_code="negotiation")
    won = services.deal_close_won(deal=deal, closed_on=dt.date(2024, 4, 15), by=world.rep)
    won.refresh_from_db()
    assert (won.status, won.closed_on, won.probability, won.stage.code) == (
        "won",
        dt.date(2024, 4, 15),
        100,
        "won",
    )
    last = won.stage_changes.order_by("-changed_at").first()
    assert (last.from_stage.code, last.to_stage.code, last.changed_at) == (
        "negotiation",
        "won",
        at(dt.date(2024, 4, 15), 17),
    )
    # closing again is refused and changes nothing
    with pytest.raises(ValidationError) as exc:
        services.deal_close_lost(deal=won, reason=reason("price"), closed_on=dt.date(2024, 4, 16))
    assert _error_fields(exc) == {"status"}
    with pytest.raises(ValidationError):
        services.deal_close_won(deal=won, closed_on=dt.date(2024, 4, 16))
    won.refresh_from_db()
    assert (won.status, won.closed_on, won.stage_changes.count()) == (
        "won",
        dt.date(2024, 4, 15),
        2,
    )


def test_close_lost_without_reason_is_refused_and_nothing_saved(world):
    deal = make_deal(owner=world.rep, stage_code="proposal")
    with pytest.raises(ValidationError) as exc:
        services.deal_close_lost(deal=deal, reason=None, closed_on=dt.date(2024, 4, 1))
    assert _error_fields(exc) == {"lost_reason"}
    deal.refresh_from_db()
    assert (deal.status, deal.closed_on, deal.stage.code, deal.probability) == (
        "open",
        None,
        "proposal",
        50,
    )
    assert deal.stage_changes.count() == 1


def test_close_lost_records_reason_and_note(world):
    deal = make_deal(owner=world.rep)
    lost = services.deal_close_lost(
        deal=deal,
        reason=reason("competitor"),
        closed_on=dt.date(2024, 3, 20),
        note=" Went with the incumbent ",
        at=at(dt.date(2024, 3, 20), 16, 5),
    )
    lost.refresh_from_db()
    assert (lost.status, lost.probability, lost.stage.code, lost.lost_reason.code) == (
        "lost",
        0,
        "lost",
        "competitor",
    )
    assert lost.lost_note == "Went with the incumbent"
    assert lost.stage_changes.order_by("changed_at").last().changed_at == at(
        dt.date(2024, 3, 20), 16, 5
    )


def test_closing_before_the_deal_was_created_is_refused(world):
    deal = make_deal(owner=world.rep, created_on=DAY)
    with pytest.raises(ValidationError) as exc:
        services.deal_close_won(deal=deal, closed_on=DAY - dt.timedelta(days=1))
    assert _error_fields(exc) == {"closed_on"}
    deal.refresh_from_db()
    assert deal.status == DealStatus.OPEN


def test_reopen_returns_a_closed_deal_to_an_open_stage(world):
    deal = make_deal(owner=world.rep)
    deal = services.deal_close_lost(deal=deal, reason=reason("timing"), closed_on=DAY)
    deal = services.deal_reopen(deal=deal, stage=stage("qualification"), at=at(DAY, 18))
    deal.refresh_from_db()
    assert (deal.status, deal.closed_on, deal.lost_reason, deal.probability) == (
        "open",
        None,
        None,
        20,
    )
    assert [c.to_stage.code for c in deal.stage_changes.order_by("changed_at", "pk")] == [
        "prospecting",
        "lost",
        "qualification",
    ]
    with pytest.raises(ValidationError):
        services.deal_reopen(deal=deal, stage=stage("proposal"))


def test_deal_update_reconverts_on_the_created_day(world):
    make_rate(currency="USD", valid_on=dt.date(2024, 1, 1), rate="0.9")
    make_rate(currency="USD", valid_on=dt.date(2024, 4, 1), rate="0.8")
    deal = make_deal(owner=world.rep, amount="1000.00", currency="EUR")
    deal = services.deal_update(deal=deal, amount=Decimal("500.00"), currency="USD")
    deal.refresh_from_db()
    assert (deal.amount, deal.currency, deal.fx_rate, deal.amount_reporting) == (
        Decimal("500.00"),
        "USD",
        Decimal("0.9"),
        Decimal("450.00"),
    )
    deal = services.deal_update(deal=deal, probability=42, name="Renamed")
    deal.refresh_from_db()
    assert (deal.probability, deal.name, deal.amount_reporting) == (
        42,
        "Renamed",
        Decimal("450.00"),
    )


def test_closed_deal_amount_cannot_change(world):
    deal = make_deal(owner=world.rep, amount="800.00")
    deal = services.deal_close_won(deal=deal, closed_on=DAY)
    with pytest.raises(ValidationError) as exc:
        services.deal_update(deal=deal, amount=Decimal("900.00"))
    assert _error_fields(exc) == {"amount"}
    deal.refresh_from_db()
    assert deal.amount == Decimal("800.00")
    # other fields may still change
    services.deal_update(deal=deal, name="Won renamed")
    deal.refresh_from_db()
    assert deal.name == "Won renamed"


def test_seller_who_moves_team_keeps_old_deals_stamped_with_the_old_team(world):
    old = make_deal(owner=world.rep, created_on=dt.date(2024, 3, 1))
    person_move(person=world.rep, unit=world.team_a2, role=Role.SALES_REP, on=dt.date(2024, 6, 1))
    new = make_deal(owner=world.rep, created_on=dt.date(2024, 7, 1))
    old.refresh_from_db()
    assert old.unit_path == world.team_a1.path
    assert new.unit_path == world.team_a2.path
    services.deal_move_stage(deal=old, stage=stage("proposal"))
    old.refresh_from_db()
    assert old.unit_path == world.team_a1.path  # a later change does not re-stamp
    # the old team's leader keeps seeing the old deal, not the new one; the seller sees both
    assert set(Deal.objects.visible_to(world.leader.user)) == {old}
    assert set(Deal.objects.visible_to(world.rep.user)) == {old, new}


def test_changing_the_owner_restamps_with_todays_placement(world):
    deal = make_deal(owner=world.rep)
    deal = services.deal_update(deal=deal, owner=world.rep_b)
    deal.refresh_from_db()
    assert (deal.owner, deal.unit_id, deal.unit_path) == (
        world.rep_b,
        world.team_b1.pk,
        world.team_b1.path,
    )


def test_deal_delete_refuses_when_orders_reference_it(world):
    deal = make_deal(owner=world.rep)
    order_model = apps.get_model("orders", "Order")
    order_model.objects.create(
        number="SO-1",
        account=deal.account,
        deal=deal,
        currency="EUR",
        fx_rate=Decimal(1),
        ordered_on=DAY,
        owner=world.rep,
    )
    with pytest.raises(ValidationError) as exc:
        services.deal_delete(deal=deal)
    assert _error_fields(exc) == {"deal"}
    assert Deal.objects.filter(pk=deal.pk).exists()


def test_deal_delete_removes_history_and_activities(world):
    deal = make_deal(owner=world.rep)
    make_activity(owner=world.rep, deal=deal)
    services.deal_delete(deal=deal)
    assert (Deal.objects.count(), DealStageChange.objects.count(), Activity.objects.count()) == (
        0,
        0,
        0,
    )


# --- leads -------------------------------------------------------------------------------------


def test_lead_create_stamps_placement_on_received_day(world):
    lead = services.lead_create(
        company=" Northwind ",
        source="referral",
        channel="email",
        received_on=DAY,
        owner=world.rep_a2,
        email="Buyer@Northwind.example",
    )
    lead.refresh_from_db()
    assert (lead.company, lead.email, lead.status) == (
        "Northwind",
        "buyer@northwind.example",
        "new",
    )
    assert (lead.unit_id, lead.unit_path) == (world.team_a2.pk, world.team_a2.path)


def test_lead_create_rejects_bad_choices(world):
    with pytest.raises(ValidationError) as exc:
        services.lead_create(
            company="",
            source="tv",
            channel="pigeon",
            received_on=DAY,
            owner=world.rep,
            email="not-an-email",
        )
    assert _error_fields(exc) == {"company", "source", "channel", "email"}
    assert Lead.objects.count() == 0


def test_lead_qualify_convert_and_refuse_second_conversion(world):
    lead = make_lead(owner=world.rep)
    lead = services.lead_qualify(lead=lead)
    assert lead.status == LeadStatus.QUALIFIED
    account = make_account(owner=world.rep)
    deal = services.lead_convert(
        lead=lead,
        account=account,
        amount=Decimal("300.00"),
        currency="EUR",
        expected_close_on=today() + dt.timedelta(days=30),
        by=world.rep,
    )
    lead.refresh_from_db()
    assert (lead.status, lead.account) == ("converted", account)
    assert (deal.lead, deal.owner, deal.name, deal.amount_reporting) == (
        lead,
        world.rep,
        lead.company,
        Decimal("300.00"),
    )
    with pytest.raises(ValidationError) as exc:
        services.lead_convert(
            lead=lead,
            account=account,
            amount=Decimal("1"),
            currency="EUR",
            expected_close_on=today() + dt.timedelta(days=30),
        )
    assert _error_fields(exc) == {"status"}
    assert Deal.objects.count() == 1


def test_lead_disqualify_needs_a_reason(world):
    lead = make_lead(owner=world.rep)
    with pytest.raises(ValidationError) as exc:
        services.lead_disqualify(lead=lead, reason="  ")
    assert _error_fields(exc) == {"reason"}
    lead.refresh_from_db()
    assert lead.status == "new"
    services.lead_disqualify(lead=lead, reason="Student project")
    lead.refresh_from_db()
    assert lead.status == "disqualified"
    assert lead.notes.endswith("Student project")


def test_lead_update_changes_fields_and_restamps_on_owner_change(world):
    lead = make_lead(owner=world.rep)
    services.lead_update(lead=lead, company="Renamed Ltd", owner=world.rep_b)
    lead.refresh_from_db()
    assert (lead.company, lead.owner, lead.unit_path) == (
        "Renamed Ltd",
        world.rep_b,
        world.team_b1.path,
    )
    with pytest.raises(ValidationError) as exc:
        services.lead_update(lead=lead, status="converted")
    assert _error_fields(exc) == {"status"}


# --- activities --------------------------------------------------------------------------------


def test_activity_log_stamps_on_the_day_it_happened(world):
    person_move(person=world.rep, unit=world.team_a2, role=Role.SALES_REP, on=dt.date(2024, 6, 1))
    deal = make_deal(owner=world.rep)
    early = services.activity_log(
        owner=world.rep,
        kind="meeting",
        occurred_at=at(dt.date(2024, 5, 31), 23, 30),  # local day 31 May (UTC is 21:30)
        minutes=45,
        outcome="positive",
        subject="Kick-off",
        deal=deal,
    )
    late = make_activity(owner=world.rep, occurred_at=at(dt.date(2024, 6, 1), 8))
    assert (early.unit_path, early.account) == (world.team_a1.path, deal.account)
    assert late.unit_path == world.team_a2.path


def test_an_activity_may_come_without_its_duration(world):
    """0 minutes = not recorded (a call logged in another CRM without its length): it counts as
    an activity and adds no time to the time-share figures."""
    activity = services.activity_log(
        owner=world.rep,
        kind="call",
        occurred_at=at(DAY, 10),
        minutes=0,
        outcome="completed",
        subject="Call",
    )
    assert activity.minutes == 0


@pytest.mark.parametrize("minutes", [1441, -5, 2.5])
def test_activity_minutes_must_be_within_a_day(world, minutes):
    with pytest.raises(ValidationError) as exc:
        services.activity_log(
            owner=world.rep,
            kind="call",
            occurred_at=at(DAY, 10),
            minutes=minutes,
            outcome="completed",
            subject="Call",
        )
    assert _error_fields(exc) == {"minutes"}
    assert Activity.objects.count() == 0


def test_activity_update_and_delete(world):
    activity = make_activity(owner=world.rep)
    services.activity_update(activity=activity, minutes=1440, subject="Long day")
    activity.refresh_from_db()
    assert (activity.minutes, activity.subject) == (1440, "Long day")
    with pytest.raises(ValidationError):
        services.activity_update(activity=activity, kind="nap")
    activity.refresh_from_db()
    assert activity.kind == "call"
    services.activity_delete(activity=activity)
    assert Activity.objects.count() == 0
