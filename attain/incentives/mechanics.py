"""The arithmetic of incentive pay, exact and traced: tiers, accelerators, hurdles, caps and
floors, splits, clawbacks, draws and ramps (`docs/KPIS.md`, "Incentive mechanics").

Pure functions over `Decimal` (no database): the payout runs call them with the credits they
read, and keep the steps they return as each payout line's trace. Every step says what it was
applied to (`basis`), at which rate or factor, and what it came to, in cents; the amount of a
calculation is always the sum of its steps, so a statement adds up exactly as shown.

Percentages of attainment are plain numbers (`Decimal("125")` = 125 %); rates are fractions
(`Decimal("0.08")` = 8 %). Amounts are rounded half-up to cents once per step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f} %"


class Range(Protocol):
    @property
    def floor_pct(self) -> Decimal: ...
    @property
    def ceiling_pct(self) -> Decimal | None: ...


@dataclass(frozen=True)
class Tier:
    """From `floor_pct` (inclusive) to `ceiling_pct` (exclusive; None: no end) of attainment,
    credit earns `rate`."""

    floor_pct: Decimal
    ceiling_pct: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class Band:
    """Between two attainments the tier rates are multiplied by `factor`: above 1 an
    accelerator, below 1 a decelerator."""

    floor_pct: Decimal
    ceiling_pct: Decimal | None
    factor: Decimal


@dataclass(frozen=True)
class Step:
    """One line of a trace: `rule` applied to `basis` at `rate` (a rate, a factor or a share)
    gives `amount` (in cents)."""

    rule: str
    basis: Decimal
    rate: Decimal
    amount: Decimal
    note: str = ""


@dataclass(frozen=True)
class Calculation:
    """An amount and the steps it is the sum of."""

    amount: Decimal
    steps: tuple[Step, ...]
    attainment_pct: Decimal | None = None


def _check_ranges(items: Sequence[Range], *, what: str, rate_field: str) -> list[str]:
    """Ranges from 0 %, each starting where the previous ended, only the last open-ended."""
    errors = []
    for i, item in enumerate(items):
        at = f"{what}[{i}]"
        value = getattr(item, rate_field)
        if value < 0:
            errors.append(
                _("%(at)s: the %(field)s cannot be negative (%(value)s).")
                % {"at": at, "field": rate_field, "value": value}
            )
        if item.ceiling_pct is not None and item.ceiling_pct <= item.floor_pct:
            errors.append(
                _("%(at)s ends at %(end)s, not after its start %(start)s.")
                % {"at": at, "end": _pct(item.ceiling_pct), "start": _pct(item.floor_pct)}
            )
        if i == 0:
            if item.floor_pct != 0:
                errors.append(
                    _("%(at)s must start at 0 %%, not %(start)s.")
                    % {"at": at, "start": _pct(item.floor_pct)}
                )
            continue
        before = items[i - 1].ceiling_pct
        if before is None:
            errors.append(
                _("%(at)s follows a range with no end: only the last one may be open-ended.")
                % {"at": at}
            )
        elif item.floor_pct > before:
            errors.append(
                _(
                    "Gap between %(before)s and %(start)s: %(at)s must start where the one before ends."
                )
                % {"before": _pct(before), "start": _pct(item.floor_pct), "at": at}
            )
        elif item.floor_pct < before:
            errors.append(
                _("%(at)s starts at %(start)s, inside the one before (which ends at %(before)s).")
                % {"at": at, "start": _pct(item.floor_pct), "before": _pct(before)}
            )
    return errors


def tiers_check(tiers: Sequence[Tier]) -> None:
    """A tier table is usable: at least one tier, from 0 %, no gaps, no overlaps, no negative
    rate, the last one open-ended. Raises a ValidationError naming every problem."""
    errors = [] if tiers else [_("A tier table needs at least one tier.")]
    errors += _check_ranges(tiers, what="tiers", rate_field="rate")
    if tiers and tiers[-1].ceiling_pct is not None:
        errors.append(
            _("The last tier must have no end (attainment above %(end)s would earn nothing).")
            % {"end": _pct(tiers[-1].ceiling_pct)}
        )
    if errors:
        raise ValidationError({"tiers": errors})


def bands_check(bands: Sequence[Band]) -> None:
    """Accelerator / decelerator bands: the same rules as tiers (an empty list is allowed)."""
    errors = _check_ranges(bands, what="bands", rate_field="factor") if bands else []
    if bands and bands[-1].ceiling_pct is not None:
        errors.append(
            _("The last band must have no end (%(end)s and above would have no factor).")
            % {"end": _pct(bands[-1].ceiling_pct)}
        )
    if errors:
        raise ValidationError({"bands": errors})


def attainment(*, credit: Decimal, goal: Decimal) -> Decimal:
    """Credit as a percentage of the goal (exact; shown rounded elsewhere)."""
    if goal <= 0:
        raise ValidationError({"goal": _("The goal must be above zero to pay on attainment.")})
    return credit * HUNDRED / goal


def _edges(*tables: Sequence[Range]) -> list[Decimal]:
    points = {ZERO}
    for table in tables:
        for item in table:
            points.add(item.floor_pct)
            if item.ceiling_pct is not None:
                points.add(item.ceiling_pct)
    return sorted(points)


def _at[R: Range](table: Sequence[R], pct: Decimal) -> R | None:
    for item in table:
        if item.floor_pct <= pct and (item.ceiling_pct is None or pct < item.ceiling_pct):
            return item
    return None


def commission_marginal(
    *, credit: Decimal, goal: Decimal, tiers: Sequence[Tier], bands: Sequence[Band] = ()
) -> Calculation:
    """Graduated tiers: each slice of the credit is paid at the rate of the attainment range it
    falls in (times the band factor there). The KPIS.md example: goal 250,000, credit 325,000,
    8 % to 100 %, 12 % to 125 %, 15 % above → 20,000 + 7,500 + 1,875 = 29,375."""
    tiers_check(tiers)
    bands_check(bands)
    reached = attainment(credit=credit, goal=goal)
    steps = []
    edges = _edges(tiers, bands)
    for i, low in enumerate(edges):
        if low >= reached:
            break
        high = min(edges[i + 1], reached) if i + 1 < len(edges) else reached
        tier = _at(tiers, low)
        assert tier is not None  # tiers_check: the tiers cover 0 % and up
        band = _at(bands, low) if bands else None
        factor = band.factor if band is not None else Decimal(1)
        rate = tier.rate * factor
        # the money slice between the two attainments (the last one ends at the credit itself)
        basis = credit - goal * low / HUNDRED if high == reached else goal * (high - low) / HUNDRED
        note = _("%(low)s to %(high)s of the goal") % {"low": _pct(low), "high": _pct(high)}
        if factor != 1:
            note += " · " + _("tier rate %(rate)s × factor %(factor)s") % {
                "rate": tier.rate.normalize(),
                "factor": factor.normalize(),
            }
        steps.append(Step("tier", cents(basis), rate, cents(basis * rate), note))
    return Calculation(sum((s.amount for s in steps), ZERO), tuple(steps), reached)


def commission_retroactive(*, credit: Decimal, goal: Decimal, tiers: Sequence[Tier]) -> Calculation:
    """ "Highest tier reached": the whole credit at the rate of the tier the attainment is in."""
    tiers_check(tiers)
    reached = attainment(credit=credit, goal=goal)
    tier = _at(tiers, max(reached, ZERO))
    assert tier is not None
    note = _("all of the credit at the rate of the tier reached (%(pct)s attainment)") % {
        "pct": _pct(cents(reached))
    }
    step = Step("tier", cents(credit), tier.rate, cents(credit * tier.rate), note)
    return Calculation(step.amount, (step,), reached)


def hurdle_apply(calculation: Calculation, *, hurdle_pct: Decimal) -> Calculation:
    """Nothing is paid below the hurdle: a closing step takes the whole amount back."""
    reached = calculation.attainment_pct
    if reached is None or reached >= hurdle_pct or calculation.amount == 0:
        return calculation
    note = _("attainment %(pct)s is below the hurdle of %(hurdle)s") % {
        "pct": _pct(cents(reached)),
        "hurdle": _pct(hurdle_pct),
    }
    step = Step("hurdle", calculation.amount, ZERO, -calculation.amount, note)
    return Calculation(ZERO, (*calculation.steps, step), reached)


def limits_apply(
    calculation: Calculation, *, floor: Decimal | None = None, cap: Decimal | None = None
) -> Calculation:
    """A floor lifts the amount to a minimum, a cap holds it to a maximum; each as a step."""
    if floor is not None and cap is not None and floor > cap:
        raise ValidationError({"cap": _("The cap cannot be below the floor.")})
    amount = calculation.amount
    if floor is not None and amount < floor:
        note = _("raised to the floor of %(floor)s") % {"floor": floor}
        step = Step("floor", amount, Decimal(1), floor - amount, note)
        return Calculation(floor, (*calculation.steps, step), calculation.attainment_pct)
    if cap is not None and amount > cap:
        note = _("held to the cap of %(cap)s") % {"cap": cap}
        step = Step("cap", amount, Decimal(1), cap - amount, note)
        return Calculation(cap, (*calculation.steps, step), calculation.attainment_pct)
    return calculation


def credit_capped(*, credit: Decimal, cap: Decimal | None) -> Decimal:
    """A deal's credit counted up to the per-deal cap (a windfall limit)."""
    if cap is None:
        return credit
    if cap < 0:
        raise ValidationError({"cap": _("The per-deal cap cannot be negative.")})
    return min(credit, cap)


def splits_check(shares: Sequence[Decimal]) -> None:
    """Shares of one deal (percentages) are each above 0 and add up to exactly 100 %."""
    errors = []
    if not shares:
        errors.append(_("A split needs at least one seller."))
    for i, share in enumerate(shares):
        if share <= 0:
            errors.append(
                _("shares[%(i)s]: each share must be above 0 %%, not %(share)s.")
                % {"i": i, "share": _pct(share)}
            )
    total = sum(shares, ZERO)
    if shares and total != HUNDRED:
        errors.append(
            _("The shares add up to %(total)s; they must add up to 100 %%.")
            % {"total": _pct(total)}
        )
    if errors:
        raise ValidationError({"shares": errors})


def split_amount(amount: Decimal, shares: Sequence[Decimal]) -> list[Decimal]:
    """`amount` divided in cents by `shares` (percentages adding up to 100): each part rounded
    down, the cents left over given one by one to the largest remainders (ties: the earlier
    seller), so the parts always add up to exactly `amount`."""
    splits_check(shares)
    return _largest_remainder(amount, shares)


def clawback(*, returned_credit: Decimal, rate_paid: Decimal) -> Step:
    """A returned or cancelled sale reverses its commission at the rate it was paid at (the
    rate recorded on the payout line), whatever the rate is now."""
    if returned_credit < 0:
        raise ValidationError({"returned_credit": _("The returned credit cannot be negative.")})
    note = _("returned: reversed at the rate originally paid")
    return Step(
        "clawback", cents(returned_credit), rate_paid, -cents(returned_credit * rate_paid), note
    )


@dataclass(frozen=True)
class DrawOutcome:
    """One period of a draw: what is paid, and the balance the seller owes afterwards."""

    paid: Decimal
    balance_after: Decimal
    steps: tuple[Step, ...]


def draw_settle(
    *, earned: Decimal, draw: Decimal, recoverable: bool, balance_before: Decimal = ZERO
) -> DrawOutcome:
    """A draw guarantees `draw` a period. Non-recoverable: the seller gets the larger of the
    earnings and the draw, and nothing is owed. Recoverable: a shortfall is advanced and owed
    (`balance`), and later earnings above the draw repay it before they are paid out."""
    if draw < 0 or earned < 0 or balance_before < 0:
        raise ValidationError({"draw": _("Draws, earnings and balances cannot be negative.")})
    steps = [Step("earned", earned, Decimal(1), earned)]
    if not recoverable:
        if earned >= draw:
            return DrawOutcome(earned, ZERO, tuple(steps))
        top_up = draw - earned
        steps.append(Step("draw", draw, Decimal(1), top_up, _("guaranteed minimum (not repaid)")))
        return DrawOutcome(draw, ZERO, tuple(steps))
    if earned < draw:
        advance = draw - earned
        note = _("advance against later earnings (owed: %(owed)s)") % {
            "owed": balance_before + advance
        }
        steps.append(Step("draw", draw, Decimal(1), advance, note))
        return DrawOutcome(draw, balance_before + advance, tuple(steps))
    repaid = min(balance_before, earned - draw)
    if repaid:
        note = _("repays earlier advances (still owed: %(owed)s)") % {
            "owed": balance_before - repaid
        }
        steps.append(Step("recovery", balance_before, Decimal(1), -repaid, note))
    return DrawOutcome(earned - repaid, balance_before - repaid, tuple(steps))


def ramped_goal(*, goal: Decimal, month: int, ramp: Sequence[Decimal]) -> Decimal:
    """A new hire's goal in their `month`-th month (1 = the first): the full goal times the
    ramp's share for that month (`ramp` = [25, 50, 75] → 25 %, 50 %, 75 %, then 100 %)."""
    if month < 1:
        raise ValidationError({"month": _("Months of a ramp count from 1.")})
    for i, share in enumerate(ramp):
        if not 0 <= share <= HUNDRED:
            raise ValidationError(
                {"ramp": _("ramp[%(i)s]: a share is between 0 and 100 %%.") % {"i": i}}
            )
    share = ramp[month - 1] if month <= len(ramp) else HUNDRED
    return cents(goal * share / HUNDRED)


def allocate(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`amount` shared in cents in proportion to `weights` (an order line's credit in a payout
    line's pay), largest remainder like `split_amount`: the parts add up to exactly `amount`.
    Weights that add up to zero or less get nothing (there is nothing to share by)."""
    total = sum(weights, ZERO)
    if total <= 0:
        return [ZERO for _ in weights]
    if len(weights) == 1:  # what the general case gives, without its sorting
        sign = -1 if amount < 0 else 1
        return [(sign * amount).quantize(CENT, rounding=ROUND_DOWN) * sign]
    return _largest_remainder(amount, [w * HUNDRED / total for w in weights])


def _largest_remainder(amount: Decimal, shares: Sequence[Decimal]) -> list[Decimal]:
    exact = [amount * share / HUNDRED for share in shares]
    sign = -1 if amount < 0 else 1
    parts = [(sign * x).quantize(CENT, rounding=ROUND_DOWN) * sign for x in exact]
    left = int((amount - sum(parts, ZERO)) / CENT)
    order = sorted(range(len(shares)), key=lambda i: (-abs(exact[i] - parts[i]), i))
    for i in order[: abs(left)]:
        parts[i] += CENT * (1 if left > 0 else -1)
    return parts
