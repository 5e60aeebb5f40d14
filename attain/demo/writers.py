"""Writers book the generator's plans: through the services, or in bulk for large scales.

`BulkWriter` builds the very rows the services would build: the same organisation stamp
(`person_placement_at` on the booking day, looked up once per change of placement), the same
conversion (`exchange_rate_get` on the booking day, `quantize_money(amount × rate)`), the same
line and header arithmetic (the orders services' own helpers) and the same final states.
A test books one plan both ways and compares every row.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from attain.catalog.models import ProductPrice
from attain.core.money import quantize_money
from attain.core.selectors import RateIndex
from attain.customers.models import Account, Contact
from attain.customers.services import account_create, contact_create
from attain.demo.plans import (
    AccountPlan,
    ActivityPlan,
    DealPlan,
    GoalBook,
    LeadPlan,
    OrderPlan,
)
from attain.goals.models import Goal, GoalAcknowledgement, GoalRevision
from attain.goals.services import goal_acknowledge, goal_create, goal_revise
from attain.orders.models import (
    Order,
    OrderCancellation,
    OrderLine,
    OrderReturn,
    OrderStatus,
)
from attain.orders.services import (
    HUNDRED,
    NUMBER_DIGITS,
    NUMBER_PREFIX,
    OrderLineInput,
    order_advance,
    order_cancel,
    order_create,
    order_create_from_deal,
    order_return_record,
)
from attain.organization.selectors import Placement, PlacementIndex
from attain.pipeline.models import (
    Activity,
    Deal,
    DealStageChange,
    DealStatus,
    Lead,
    LeadStatus,
    Stage,
)
from attain.pipeline.services import (
    activity_log,
    deal_close_lost,
    deal_close_won,
    deal_create,
    deal_move_stage,
    lead_create,
    lead_qualify,
)

BATCH = 2000


class Writer:
    """Books plans. Subclasses: ServiceWriter, BulkWriter."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def accounts(self, plans: list[AccountPlan], *, on: dt.date) -> None:
        raise NotImplementedError

    def month(
        self,
        *,
        leads: list[LeadPlan],
        deals: list[DealPlan],
        orders: list[OrderPlan],
        activities: list[ActivityPlan],
    ) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Write anything still buffered."""

    def goals(self, book: GoalBook) -> None:
        raise NotImplementedError

    def _goal_times(
        self,
        book: GoalBook,
        revisions: list[GoalRevision],
        acknowledgements: list[GoalAcknowledgement],
    ) -> None:
        """Stamp the planned times over the `auto_now_add` ones, so goals, revisions and
        acknowledgements carry times that follow from dates: one UPDATE per distinct time (a
        few dozen per month of history), whichever writer booked the rows."""
        _stamp_times(Goal, "created_at", [(p.set_at, p.obj.pk) for p in book.goals])
        _stamp_times(
            GoalRevision,
            "revised_at",
            [(p.revised_at, r.pk) for p, r in zip(book.revisions, revisions, strict=True)],
        )
        _stamp_times(
            GoalAcknowledgement,
            "acknowledged_at",
            [
                (p.acknowledged_at, a.pk)
                for p, a in zip(book.acknowledgements, acknowledgements, strict=True)
            ],
        )
        self.counts["goals"] += len(book.goals)
        self.counts["goal_revisions"] += len(revisions)
        self.counts["goal_acknowledgements"] += len(acknowledgements)


def _stamp_times(model: Any, field_name: str, items: list[tuple[dt.datetime, int]]) -> None:
    by_time: dict[dt.datetime, list[int]] = {}
    for when, pk in items:
        by_time.setdefault(when, []).append(pk)
    for when, pks in by_time.items():
        for first in range(0, len(pks), BATCH):
            model.objects.filter(pk__in=pks[first : first + BATCH]).update(**{field_name: when})


# --- through the services ----------------------------------------------------------------------


class ServiceWriter(Writer):
    """One service call per business event, exactly as a user would book it."""

    def accounts(self, plans: list[AccountPlan], *, on: dt.date) -> None:
        for plan in plans:
            plan.obj = account_create(
                name=plan.name,
                segment=plan.segment,
                owner=plan.owner,
                industry=plan.industry,
                size_band=plan.size_band,
                employees=plan.employees,
                annual_revenue=plan.annual_revenue,
                country=plan.country,
                region=plan.region,
                city=plan.city,
                website=plan.website,
                parent=plan.parent.obj if plan.parent else None,
                external_ref=plan.ref,
                on=on,
            )
            for contact in plan.contacts:
                contact.obj = contact_create(
                    account=plan.obj,
                    first_name=contact.first_name,
                    last_name=contact.last_name,
                    email=contact.email,
                    phone=contact.phone,
                    job_title=contact.job_title,
                    is_primary=contact.is_primary,
                    external_ref=contact.ref,
                )
            self.counts["accounts"] += 1
            self.counts["contacts"] += len(plan.contacts)

    def month(
        self,
        *,
        leads: list[LeadPlan],
        deals: list[DealPlan],
        orders: list[OrderPlan],
        activities: list[ActivityPlan],
    ) -> None:
        for lead in leads:
            self.lead(lead)
        for deal in deals:
            self.deal(deal)
        for order in orders:
            self.order(order, deal=None)
        for activity in activities:
            self.activity(activity)

    def lead(self, plan: LeadPlan) -> None:
        plan.obj = lead_create(
            company=plan.company,
            source=plan.source,
            channel=plan.channel,
            received_on=plan.received_on,
            owner=plan.owner,
            contact_name=plan.contact_name,
            email=plan.email,
            account=plan.account.obj if plan.account else None,
            external_ref=plan.ref,
        )
        if plan.qualify:
            lead_qualify(lead=plan.obj)
        for activity in plan.activities:
            self.activity(activity, lead=plan.obj)
        self.counts["leads"] += 1

    def activity(self, plan: ActivityPlan, *, deal: Any = None, lead: Any = None) -> None:
        activity_log(
            owner=plan.owner,
            kind=plan.kind,
            occurred_at=plan.occurred_at,
            minutes=plan.minutes,
            outcome=plan.outcome,
            subject=plan.subject,
            deal=deal,
            account=plan.account.obj if plan.account else None,
            lead=lead,
            external_ref=plan.ref,
        )
        self.counts["activities"] += 1

    def deal(self, plan: DealPlan) -> None:
        if plan.lead is not None:
            self.lead(plan.lead)
        deal = deal_create(
            name=plan.name,
            account=plan.account.obj,
            owner=plan.owner,
            amount=plan.amount,
            currency=plan.currency,
            expected_close_on=plan.expected_close_on,
            stage=plan.first_stage,
            created_on=plan.created_on,
            product_lines=plan.product_lines,
            contact=plan.contact.obj if plan.contact else None,
            lead=plan.lead.obj if plan.lead else None,
            by=plan.owner,
            at=plan.created_at,
            external_ref=plan.ref,
        )
        for stage, moved_at in plan.moves:
            deal = deal_move_stage(deal=deal, stage=stage, by=plan.owner, at=moved_at)
        if plan.outcome == "won":
            assert plan.closed_on is not None
            deal = deal_close_won(
                deal=deal, closed_on=plan.closed_on, by=plan.owner, at=plan.closed_at
            )
        elif plan.outcome == "lost":
            assert plan.closed_on is not None
            deal = deal_close_lost(
                deal=deal,
                reason=plan.lost_reason,
                closed_on=plan.closed_on,
                note=plan.lost_note,
                by=plan.owner,
                at=plan.closed_at,
            )
        for activity in plan.activities:
            self.activity(activity, deal=deal)
        self.counts["deals"] += 1
        if plan.order is not None:
            self.order(plan.order, deal=deal)

    def order(self, plan: OrderPlan, *, deal: Any) -> None:
        lines = [
            OrderLineInput(
                product=line.product,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_pct=line.discount_pct,
            )
            for line in plan.lines
        ]
        if deal is not None:
            order = order_create_from_deal(
                deal=deal,
                ordered_on=plan.ordered_on,
                lines=lines,
                by=plan.owner,
                external_ref=plan.ref,
                confirm_promised_on=plan.confirm_promised_on,
                ship_promised_on=plan.ship_promised_on,
                delivery_promised_on=plan.delivery_promised_on,
                follow_up_promised_on=plan.follow_up_promised_on,
            )
        else:
            order = order_create(
                account=plan.account.obj,
                owner=plan.owner,
                currency=plan.currency,
                ordered_on=plan.ordered_on,
                lines=lines,
                external_ref=plan.ref,
                confirm_promised_on=plan.confirm_promised_on,
                ship_promised_on=plan.ship_promised_on,
                delivery_promised_on=plan.delivery_promised_on,
                follow_up_promised_on=plan.follow_up_promised_on,
            )
        for status, on, by in plan.steps:
            order = order_advance(order=order, to_status=status, on=on, by=by)
        if plan.cancel is not None:
            on, reason, by = plan.cancel
            order_cancel(order=order, on=on, reason=reason, by=by)
        if plan.returns:
            booked = list(order.lines.order_by("pk"))
            for ret in plan.returns:
                order_return_record(
                    line=booked[ret.line_index],
                    quantity=ret.quantity,
                    returned_on=ret.returned_on,
                    reason=ret.reason,
                    by=ret.by,
                    note=ret.note,
                )
                self.counts["returns"] += 1
        self.counts["orders"] += 1
        self.counts["order_lines"] += len(plan.lines)
        self.counts["cancellations"] += plan.cancel is not None

    def goals(self, book: GoalBook) -> None:
        """Goals through `goal_create` (parents first), then `goal_revise` and
        `goal_acknowledge`. Historical goals are set as their leaders set them, without today's
        permission check (the people may have left since); revisions are recorded by sales
        operations, who may revise any goal."""
        for plan in book.goals:
            plan.obj = goal_create(
                scope_kind=plan.scope_kind,
                metric=plan.metric,
                period_kind=plan.period_kind,
                start=plan.start,
                target=plan.target,
                set_by=plan.set_by,
                person=plan.person,
                unit=plan.unit,
                notes=plan.notes,
                parent=plan.parent.obj if plan.parent else None,
                check_permission=False,
            )
        revisions = [
            goal_revise(
                goal=item.goal.obj,
                new_target=item.new_target,
                reason_kind=item.reason_kind,
                reason=item.reason,
                revised_by=item.revised_by,
                effective_from=item.effective_from,
            )
            for item in book.revisions
        ]
        acknowledgements = [
            goal_acknowledge(goal=item.goal.obj, person=item.person, comment=item.comment)
            for item in book.acknowledgements
        ]
        self._goal_times(book, revisions, acknowledgements)


# --- in bulk ---------------------------------------------------------------------------------------


def _stamp(record: Any, placement: Placement, owner: Any) -> None:
    record.owner = owner
    record.unit_id = placement.unit_id
    record.unit_path = placement.unit_path
    record.territory_id = placement.territory_id


class BulkWriter(Writer):
    """Buffers plans and writes them with `bulk_create`, batch by batch."""

    def __init__(self, *, end: dt.date, batch: int = BATCH) -> None:
        super().__init__()
        self.end = end
        self.batch = batch
        self.places = PlacementIndex()
        self.rates = RateIndex()
        self.stages = {s.pk: s for s in Stage.objects.all()}
        self.won_stage = Stage.objects.filter(is_won=True, is_lost=False, is_active=True).first()
        self.lost_stage = Stage.objects.filter(is_won=False, is_lost=True, is_active=True).first()
        self._leads: list[LeadPlan] = []
        self._deals: list[DealPlan] = []
        self._orders: list[tuple[OrderPlan, DealPlan | None]] = []
        self._numbers: dict[int, int] = {}
        self._costs: dict[tuple[int, str], list[tuple[dt.date, Decimal]]] = {}
        self._activities: list[ActivityPlan] = []

    # customers
    def accounts(self, plans: list[AccountPlan], *, on: dt.date) -> None:
        for parents_first in (True, False):
            rows = []
            todo = [p for p in plans if (p.parent is None) == parents_first]
            for plan in todo:
                account = Account(
                    name=plan.name,
                    segment=plan.segment,
                    industry=plan.industry,
                    size_band=plan.size_band,
                    employees=plan.employees,
                    annual_revenue=quantize_money(plan.annual_revenue),
                    country=plan.country.upper(),
                    region=plan.region,
                    city=plan.city,
                    website=plan.website,
                    parent=plan.parent.obj if plan.parent else None,
                    external_ref=plan.ref,
                )
                _stamp(account, self.places.at(plan.owner.pk, on), plan.owner)
                rows.append(account)
            Account.objects.bulk_create(rows, batch_size=self.batch)
            for plan, account in zip(todo, rows, strict=True):
                plan.obj = account
        contacts = []
        for plan in plans:
            for c in plan.contacts:
                c.obj = Contact(
                    account=plan.obj,
                    first_name=c.first_name,
                    last_name=c.last_name,
                    email=c.email,
                    phone=c.phone,
                    job_title=c.job_title,
                    is_primary=c.is_primary,
                    external_ref=c.ref,
                )
                contacts.append(c.obj)
        Contact.objects.bulk_create(contacts, batch_size=self.batch)
        self.counts["accounts"] += len(plans)
        self.counts["contacts"] += len(contacts)

    def month(
        self,
        *,
        leads: list[LeadPlan],
        deals: list[DealPlan],
        orders: list[OrderPlan],
        activities: list[ActivityPlan],
    ) -> None:
        self._leads.extend(leads)
        self._deals.extend(deals)
        # the same sequence as ServiceWriter, so order numbers come out the same
        self._orders.extend((d.order, d) for d in deals if d.order is not None)
        self._orders.extend((o, None) for o in orders)
        self._activities.extend(activities)
        if len(self._deals) + len(self._orders) >= self.batch:
            self.flush()

    def flush(self) -> None:
        leads = list(self._leads) + [d.lead for d in self._deals if d.lead is not None]
        self._write_leads(leads)
        self._write_deals(self._deals)
        self._write_orders(self._orders)
        self._write_activities(
            [(a, None, None) for a in self._activities]
            + [(a, None, lead) for lead in leads for a in lead.activities]
            + [(a, d, None) for d in self._deals for a in d.activities]
        )
        self._leads, self._deals, self._orders, self._activities = [], [], [], []

    def _write_leads(self, plans: list[LeadPlan]) -> None:
        rows = []
        for plan in plans:
            lead = Lead(
                company=plan.company.strip(),
                source=plan.source,
                channel=plan.channel,
                received_on=plan.received_on,
                contact_name=plan.contact_name.strip(),
                email=plan.email.strip().lower(),
                phone="",
                account=plan.account.obj if plan.account else None,
                notes="",
                external_ref=plan.ref,
                status=LeadStatus.QUALIFIED if plan.qualify else LeadStatus.NEW,
            )
            _stamp(lead, self.places.at(plan.owner.pk, plan.received_on), plan.owner)
            rows.append(lead)
            plan.obj = lead
        Lead.objects.bulk_create(rows, batch_size=self.batch)
        self.counts["leads"] += len(rows)

    def _write_deals(self, plans: list[DealPlan]) -> None:
        rows = []
        for plan in plans:
            amount = quantize_money(plan.amount)
            amount_reporting, rate = self.rates.to_reporting(amount, plan.currency, plan.created_on)
            stage = plan.moves[-1][0] if plan.moves else plan.first_stage
            status, probability, closed_on = DealStatus.OPEN, stage.probability, None
            lost_reason, lost_note = None, ""
            if plan.outcome == "won":
                stage, status, probability = self.won_stage, DealStatus.WON, 100
                closed_on = plan.closed_on
            elif plan.outcome == "lost":
                stage, status, probability = self.lost_stage, DealStatus.LOST, 0
                closed_on, lost_reason, lost_note = plan.closed_on, plan.lost_reason, plan.lost_note
            deal = Deal(
                name=plan.name.strip(),
                account=plan.account.obj,
                contact=plan.contact.obj if plan.contact else None,
                lead=plan.lead.obj if plan.lead else None,
                currency=plan.currency,
                amount=amount,
                fx_rate=rate,
                amount_reporting=amount_reporting,
                stage=stage,
                probability=probability,
                status=status,
                created_on=plan.created_on,
                expected_close_on=plan.expected_close_on,
                closed_on=closed_on,
                lost_reason=lost_reason,
                lost_note=lost_note.strip(),
                external_ref=plan.ref,
            )
            _stamp(deal, self.places.at(plan.owner.pk, plan.created_on), plan.owner)
            rows.append(deal)
        Deal.objects.bulk_create(rows, batch_size=self.batch)
        changes, links = [], []
        through = Deal.product_lines.through
        for plan, deal in zip(plans, rows, strict=True):
            plan.obj = deal
            history = [(None, plan.first_stage, plan.created_at)]
            previous = plan.first_stage
            for stage, moved_at in plan.moves:
                history.append((previous, stage, moved_at))
                previous = stage
            if plan.outcome:
                assert plan.closed_at is not None
                history.append((previous, deal.stage, plan.closed_at))
            for from_stage, to_stage, changed_at in history:
                changes.append(
                    DealStageChange(
                        deal=deal,
                        from_stage=from_stage,
                        to_stage=to_stage,
                        changed_at=changed_at,
                        changed_by=plan.owner,
                        amount_reporting=deal.amount_reporting,
                    )
                )
            for line in plan.product_lines:
                links.append(through(deal_id=deal.pk, productline_id=line.pk))
        DealStageChange.objects.bulk_create(changes, batch_size=self.batch)
        through.objects.bulk_create(links, batch_size=self.batch)
        self.counts["deals"] += len(rows)

    def _write_activities(self, items: list[tuple[ActivityPlan, Any, Any]]) -> None:
        rows = []
        for plan, deal_plan, lead_plan in items:
            deal = deal_plan.obj if deal_plan is not None else None
            account = plan.account.obj if plan.account else (deal.account if deal else None)
            activity = Activity(
                kind=plan.kind,
                occurred_at=plan.occurred_at,
                minutes=plan.minutes,
                outcome=plan.outcome,
                subject=plan.subject.strip(),
                notes="",
                deal=deal,
                account=account,
                lead=lead_plan.obj if lead_plan is not None else None,
                external_ref=plan.ref,
            )
            on = timezone.localdate(plan.occurred_at)
            _stamp(activity, self.places.at(plan.owner.pk, on), plan.owner)
            rows.append(activity)
        Activity.objects.bulk_create(rows, batch_size=self.batch)
        self.counts["activities"] += len(rows)

    def _next_number(self, year: int) -> str:
        """The orders service's numbering (SO-<year>-<6 digits>, one sequence per year)."""
        if year not in self._numbers:
            prefix = f"{NUMBER_PREFIX}-{year:04d}-"
            last = (
                Order.objects.filter(
                    number__regex=rf"^{NUMBER_PREFIX}-{year:04d}-[0-9]{{{NUMBER_DIGITS}}}$"
                )
                .order_by("-number")
                .values_list("number", flat=True)
                .first()
            )
            self._numbers[year] = int(last[len(prefix) :]) if last else 0
        self._numbers[year] += 1
        return f"{NUMBER_PREFIX}-{year:04d}-{self._numbers[year]:0{NUMBER_DIGITS}d}"

    def _write_orders(self, items: list[tuple[OrderPlan, DealPlan | None]]) -> None:
        orders, lines_by_order = [], []
        for plan, deal_plan in items:
            rate = self.rates.rate(plan.currency, plan.ordered_on)
            order = Order(
                number=self._next_number(plan.ordered_on.year),
                account=plan.account.obj,
                deal=deal_plan.obj if deal_plan is not None else None,
                currency=plan.currency,
                fx_rate=rate,
                ordered_on=plan.ordered_on,
                confirm_promised_on=plan.confirm_promised_on,
                ship_promised_on=plan.ship_promised_on,
                delivery_promised_on=plan.delivery_promised_on,
                follow_up_promised_on=plan.follow_up_promised_on,
                notes="",
                external_ref=plan.ref,
                status=OrderStatus.TAKEN,
            )
            _stamp(order, self.places.at(plan.owner.pk, plan.ordered_on), plan.owner)
            lines = [
                order_line_build(
                    product=line.product,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    discount_pct=line.discount_pct,
                    unit_cost=self.unit_cost(line.product, plan.currency, plan.ordered_on),
                    rate=rate,
                )
                for line in plan.lines
            ]
            order.net_total = sum((line.net_amount for line in lines), Decimal("0.00"))
            order.net_total_reporting = sum(
                (line.net_amount_reporting for line in lines), Decimal("0.00")
            )
            for status, on, _by in plan.steps:
                order.status = status
                setattr(order, _ACTUAL[status], on)
            orders.append(order)
            lines_by_order.append(lines)
        Order.objects.bulk_create(orders, batch_size=self.batch)
        all_lines = []
        for order, lines in zip(orders, lines_by_order, strict=True):
            for line in lines:
                line.order = order
                all_lines.append(line)
        OrderLine.objects.bulk_create(all_lines, batch_size=self.batch)
        cancellations, returns, cancelled = [], [], []
        for (plan, _deal), order, lines in zip(items, orders, lines_by_order, strict=True):
            if plan.cancel is not None:
                on, reason, by = plan.cancel
                cancellations.append(
                    OrderCancellation(
                        order=order,
                        cancelled_on=on,
                        reason=reason.strip(),
                        cancelled_by=by,
                        previous_status=order.status,
                    )
                )
                order.status = OrderStatus.CANCELLED
                cancelled.append(order)
            returned: dict[int, tuple[Decimal, Decimal, Decimal]] = {}
            for ret in plan.returns:
                line = lines[ret.line_index]
                before = returned.get(ret.line_index, (Decimal(0), Decimal(0), Decimal(0)))
                amount, amount_reporting = return_refund(
                    line=line,
                    quantity=ret.quantity,
                    returned_quantity=before[0],
                    returned_amount=before[1],
                    returned_reporting=before[2],
                )
                returned[ret.line_index] = (
                    before[0] + ret.quantity,
                    before[1] + amount,
                    before[2] + amount_reporting,
                )
                returns.append(
                    OrderReturn(
                        line=line,
                        returned_on=ret.returned_on,
                        quantity=ret.quantity,
                        reason=ret.reason,
                        note=ret.note,
                        amount=amount,
                        amount_reporting=amount_reporting,
                        recorded_by=ret.by,
                    )
                )
        Order.objects.bulk_update(cancelled, ["status"], batch_size=self.batch)
        OrderCancellation.objects.bulk_create(cancellations, batch_size=self.batch)
        OrderReturn.objects.bulk_create(returns, batch_size=self.batch)
        self.counts["orders"] += len(orders)
        self.counts["order_lines"] += len(all_lines)
        self.counts["cancellations"] += len(cancellations)
        self.counts["returns"] += len(returns)

    def goals(self, book: GoalBook) -> None:
        """The rows `goal_create`, `goal_revise` and `goal_acknowledge` write, in bulk (with
        their history rows): goals level by level so each knows its parent's id."""
        depth: dict[int, int] = {}
        for plan in book.goals:
            depth[id(plan)] = depth[id(plan.parent)] + 1 if plan.parent is not None else 0
        for level in sorted(set(depth.values())):
            todo = [p for p in book.goals if depth[id(p)] == level]
            for plan in todo:
                plan.obj = Goal(
                    scope_kind=plan.scope_kind,
                    person=plan.person,
                    unit=plan.unit,
                    metric=plan.metric,
                    period_kind=plan.period_kind,
                    start=plan.start,
                    end=plan.end,
                    target=quantize_money(plan.target),
                    segment="",
                    parent=plan.parent.obj if plan.parent else None,
                    set_by=plan.set_by,
                    notes=plan.notes,
                )
            bulk_create_with_history([p.obj for p in todo], Goal, batch_size=self.batch)
        revisions = [
            GoalRevision(
                goal=item.goal.obj,
                old_target=quantize_money(item.old_target),
                new_target=quantize_money(item.new_target),
                reason_kind=item.reason_kind,
                reason=item.reason.strip(),
                revised_by=item.revised_by,
                effective_from=item.effective_from,
            )
            for item in book.revisions
        ]
        GoalRevision.objects.bulk_create(revisions, batch_size=self.batch)
        revised: dict[int, Goal] = {}
        for item in book.revisions:  # the last revision of a goal leaves its target
            item.goal.obj.target = quantize_money(item.new_target)
            revised[id(item.goal)] = item.goal.obj
        bulk_update_with_history(list(revised.values()), Goal, ["target"], batch_size=self.batch)
        acknowledgements = [
            GoalAcknowledgement(goal=item.goal.obj, person=item.person, comment=item.comment)
            for item in book.acknowledgements
        ]
        GoalAcknowledgement.objects.bulk_create(acknowledgements, batch_size=self.batch)
        self._goal_times(book, revisions, acknowledgements)

    def unit_cost(self, product: Any, currency: str, on: dt.date) -> Decimal:
        """The unit cost the orders service prices with: the order currency's row on `on`."""
        key = (product.pk, currency)
        if key not in self._costs:
            self._costs[key] = list(
                ProductPrice.objects.filter(product_id=product.pk, currency=currency)
                .order_by("valid_from", "pk")
                .values_list("valid_from", "unit_cost")
            )
        found = None
        for valid_from, unit_cost in self._costs[key]:
            if valid_from <= on:
                found = unit_cost
        if found is None:
            raise ValueError(f"{product} has no unit cost in {currency} on {on}")
        return found


_ACTUAL: dict[str, str] = {
    OrderStatus.CONFIRMED: "confirmed_on",
    OrderStatus.SHIPPED: "shipped_on",
    OrderStatus.DELIVERED: "delivered_on",
    OrderStatus.FOLLOWED_UP: "followed_up_on",
}


def order_line_build(
    *,
    product: Any,
    quantity: Decimal,
    unit_price: Decimal,
    discount_pct: Decimal,
    unit_cost: Decimal,
    rate: Decimal,
) -> OrderLine:
    """An unsaved order line with the orders service's arithmetic (cost in the order currency)."""
    net = quantize_money(quantity * unit_price * (HUNDRED - discount_pct) / HUNDRED)
    return OrderLine(
        product=product,
        product_line_id=product.line_id,
        quantity=quantity,
        unit_price=unit_price,
        discount_pct=discount_pct,
        net_amount=net,
        net_amount_reporting=quantize_money(net * rate),
        cost_reporting=quantize_money(quantity * unit_cost * rate),
    )


def return_refund(
    *,
    line: OrderLine,
    quantity: Decimal,
    returned_quantity: Decimal,
    returned_amount: Decimal,
    returned_reporting: Decimal,
) -> tuple[Decimal, Decimal]:
    """The refund of a return, as `order_return_record` computes it (the last return takes
    exactly what is left of the line)."""
    if returned_quantity + quantity == line.quantity:
        return line.net_amount - returned_amount, line.net_amount_reporting - returned_reporting
    return (
        quantize_money(line.net_amount * quantity / line.quantity),
        quantize_money(line.net_amount_reporting * quantity / line.quantity),
    )
