"""How the streaming executor groups checks and when it may forget a record.

Both come from the planner's plans (`planner.plan_ledger`), never from the rulebook text:

- **Groups.** Checks that join the same record types on the same fields are one
  durable-rules ruleset, and a record is *one* fact of it, whatever roles it plays: the
  fact carries a flag per role (the role's filters, evaluated by our compiled
  expressions) and the group's join key as one value (`k`, the encoded key fields). A
  check is *keyed* when it pairs two records of different types by equalities of plain
  fields (`sale.invoice_no == purchase.invoice_no`, ...) — a match of two, or one record and
  an absent counterpart that durable-rules can decide by negation — and joins a group
  when, for every record type the two share, it reads the same key fields in the same
  pairing. A check on one record only rides along in a group of its type. Every other
  check (self-joins, three aliases, expressions as join sides, absent parts with
  residual conditions) is a group of its own, with one fact per role (see streaming.py).
- **Periods and retirement.** A record type's *period date* is its first required date
  field (`invoice_date` of a sale). A watermark W says: every record still to come has
  its period date on or after W. A role a record plays in a keyed check *retires* when
  no record still to come can complete it: when the check's key pairs the partner's
  period date with a field of this record, and that field's value is before W (a
  purchase of 12 March cannot be matched by a sale still to come once March is closed).
  A role whose partner is not bound that way retires only at the end of the stream.
  A record is released — its fact and its values forgotten — when all its roles have
  retired.
- **Counterparts are keys.** A record that can be the missing counterpart of an absent
  check (a sale, for `purchase_without_sale`) needs no values there, only its key: that
  role keeps the key alone (an *archive* of keys per role), from the moment the record
  arrives. The key leaves the archive when both period dates are paired and closed;
  otherwise it stays to the end — a corrective invoice of June may correct a sale of
  January (`sale.invoice_date == ksf.invoice_date` is not the corrective's period date),
  so January's sales keep their keys (about 100 bytes each), not their records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from engine.ledger import model as lm
from engine.ledger.planner import CheckPlan, Join, Role

PERIODS = ("month", "quarter", "year")


def period_start(day: dt.date, unit: str) -> dt.date:
    """The first day of the tax period (month, quarter or year) that contains `day`."""
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if unit == "year":
        return dt.date(day.year, 1, 1)
    raise ValueError(f"unknown period {unit!r}: {', '.join(PERIODS)}")


def period_fields(ledger: lm.Ledger) -> dict[str, str | None]:
    """Each record type's period date: its first required date field (None: it has none,
    its records never close — a register of participants, say)."""
    out: dict[str, str | None] = {}
    for name, record in ledger.records.items():
        out[name] = next((f for f, spec in record.fields.items() if spec.type.kind == "date" and not spec.optional), None)
    return out


@dataclass
class RoleFlag:
    """One role a record of one type plays in a keyed group: a flag of its fact."""

    flag: str  # the fact attribute, e.g. "f2p0"
    check: int  # the check's index in the ledger
    pattern: str  # p0, p1 or q
    role: Role
    needs_key: bool  # without a complete key the role cannot be played
    retire_field: str | None  # the field whose date retires the role; None: at the end
    solo: bool  # a check on one record: nothing to wait for once it has fired
    negated: bool  # p0 of a check whose absence durable-rules decides by negation
    archived: bool = False  # q of such a check: only its key is kept (see below)


@dataclass
class KeyedCheck:
    index: int
    plan: CheckPlan
    patterns: list[tuple[str, Role]]  # (pattern, role) in match order; q last when absent
    negated: bool

    @property
    def matched_patterns(self) -> list[str]:
        return [p for p, _ in self.patterns if p != "q"]


@dataclass
class KeyedGroup:
    """Checks sharing one join key: a durable-rules ruleset, one fact per record."""

    keys: dict[str, tuple[str, ...]]  # record type -> its key fields, position by position
    checks: list[KeyedCheck] = field(default_factory=list)
    roles: dict[str, list[RoleFlag]] = field(default_factory=dict)  # record type -> its flags


@dataclass
class StreamPlan:
    keyed: list[KeyedGroup]
    other: list[CheckPlan]  # checks that keep a ruleset of their own
    periods: dict[str, str | None]


def _pairs(joins: list[Join], first: str, second: str) -> list[tuple[str, str]] | None:
    """(field of `first`, field of `second`) per equality, or None unless every join is one
    of plain fields between the two."""
    pairs: list[tuple[str, str]] = []
    for join in joins:
        if not join.pushable or join.left.field is None or join.right.field is None:
            return None
        own, other = join.side_of(first), join.other_side(first)
        if other.alias != second or own.field is None or other.field is None:
            return None
        if (own.field, other.field) not in pairs:
            pairs.append((own.field, other.field))
    firsts, seconds = [a for a, _ in pairs], [b for _, b in pairs]
    if not pairs or len(set(firsts)) != len(pairs) or len(set(seconds)) != len(pairs):
        return None
    return pairs


def _keyed_shape(plan: CheckPlan) -> tuple[list[tuple[str, Role]], list[tuple[str, str]], bool] | None:
    """(patterns, key pairs, negated) for a check a keyed group can hold; None otherwise."""
    roles = plan.roles
    absent = plan.absent
    if absent is None and len(roles) == 2 and roles[0].record != roles[1].record:
        # other comparisons (`<`, `!=`) stay residual: our compiled expressions check them
        pairs = _pairs([j for j in plan.joins if j.pushable], roles[0].alias, roles[1].alias)
        if pairs is None:
            return None
        return [("p0", roles[0]), ("p1", roles[1])], pairs, False
    if absent is not None and len(roles) == 1:
        negated = (
            not absent.pre
            and absent.role.record != roles[0].record
            and all(j.pushable for j in absent.joins)
            and all(c in [j.conjunct for j in absent.joins] for c in absent.residual)
        )
        if not negated:
            return None
        pairs = _pairs(absent.joins, roles[0].alias, absent.role.alias)
        if pairs is None:
            return None
        return [("p0", roles[0]), ("q", absent.role)], pairs, True
    return None


def _fit(keys: dict[str, tuple[str, ...]], first: str, second: str, pairs: list[tuple[str, str]]) -> dict[str, tuple[str, ...]] | None:
    """The group's keys with this check's pairing added, or None if it reads other fields."""
    firsts = [a for a, _ in pairs]
    partner = dict(pairs)
    back = {b: a for a, b in pairs}
    seconds = [b for _, b in pairs]
    if first in keys and second in keys:
        if set(keys[first]) != set(firsts) or any(keys[second][keys[first].index(a)] != b for a, b in pairs):
            return None
        return keys
    if first in keys:
        if set(keys[first]) != set(firsts):
            return None
        return dict(keys, **{second: tuple(partner[a] for a in keys[first])})
    if second in keys:
        if set(keys[second]) != set(seconds):
            return None
        return dict(keys, **{first: tuple(back[b] for b in keys[second])})
    return None


def plan_stream(ledger: lm.Ledger, plans: list[CheckPlan]) -> StreamPlan:
    periods = period_fields(ledger)
    keyed: list[KeyedGroup] = []
    other: list[CheckPlan] = []
    solo: list[CheckPlan] = []
    for plan in plans:
        if plan.absent is None and len(plan.roles) == 1:
            solo.append(plan)
            continue
        shape = _keyed_shape(plan)
        if shape is None:
            other.append(plan)
            continue
        patterns, pairs, negated = shape
        first, second = patterns[0][1].record, patterns[1][1].record
        for group in keyed:
            keys = _fit(group.keys, first, second, pairs)
            if keys is not None:
                group.keys = keys
                break
        else:
            group = KeyedGroup({first: tuple(a for a, _ in pairs), second: tuple(b for _, b in pairs)})
            keyed.append(group)
        group.checks.append(KeyedCheck(plan.check.index, plan, patterns, negated))
    for plan in solo:
        record = plan.roles[0].record
        group = next((g for g in keyed if record in g.keys), None)
        if group is None:
            group = KeyedGroup({record: ()})
            keyed.append(group)
        group.checks.append(KeyedCheck(plan.check.index, plan, [("p0", plan.roles[0])], False))
    for group in keyed:
        group.checks.sort(key=lambda c: c.index)
        for compiled in group.checks:
            bound = _bound_fields(group, compiled, periods)
            for pattern, role in compiled.patterns:
                partners = [r for p, r in compiled.patterns if p != pattern]
                negated = compiled.negated and pattern == "p0"
                if negated:
                    # decided once no counterpart still to come can have its key; the
                    # counterparts already seen are kept as keys (archived), so this
                    # needs no pairing of both period dates
                    retire = _partner_bound(group, role.record, partners[0].record, periods)
                else:
                    retire = bound.get(role.record) if bound else None
                group.roles.setdefault(role.record, []).append(
                    RoleFlag(
                        flag=f"f{compiled.index}{pattern}",
                        check=compiled.index,
                        pattern=pattern,
                        role=role,
                        needs_key=bool(partners) and not negated,
                        retire_field=retire,
                        solo=not partners,
                        negated=negated,
                        archived=compiled.negated and pattern == "q",
                    )
                )
    return StreamPlan(keyed, other, periods)


def _bound_fields(group: KeyedGroup, compiled: KeyedCheck, periods: dict[str, str | None]) -> dict[str, str] | None:
    """{record type: its period date} when the check's key pairs the period dates of its
    two records (a sale and a purchase of one invoice date): a record dated before the
    watermark can then meet no partner still to come, on either side, and both roles
    retire on that date. None (both retire at the end) otherwise: a corrective invoice
    names the date of the invoice it corrects, not its own period's."""
    if len(compiled.patterns) != 2:
        return None
    (_, first), (_, second) = compiled.patterns
    a, b = periods.get(first.record), periods.get(second.record)
    keys_a, keys_b = group.keys[first.record], group.keys[second.record]
    if a is None or b is None or a not in keys_a or b not in keys_b or keys_a.index(a) != keys_b.index(b):
        return None
    return {first.record: a, second.record: b}


def _partner_bound(group: KeyedGroup, record: str, partner: str, periods: dict[str, str | None]) -> str | None:
    """The field of `record` that the key pairs with the partner's period date: once its
    value is before the watermark, no partner still to come can match it."""
    partner_period = periods.get(partner)
    if partner_period is None or partner_period not in group.keys[partner]:
        return None
    return group.keys[record][group.keys[partner].index(partner_period)]
