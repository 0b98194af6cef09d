"""The batch executor: every check as hash joins on its equality keys, then the rest.

For each check, in match order: the records of each alias are filtered by the
conditions that read that alias only; each next alias is joined to the combinations
built so far through a hash index on its equality keys (a nested loop when it has
none); conditions whose aliases are all bound are evaluated as soon as they can be.
An `absent` part is a hash look-up of the would-be counterparts: a combination is a
finding when none of them satisfies every absent condition. Filtered lists and indexes
are shared between checks that ask for the same ones.
"""

from __future__ import annotations

import decimal
import gc
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from engine.evaluate import DECIMAL_CONTEXT
from engine.language.unparse import unparse
from engine.language.values import MISSING
from engine.ledger import model as lm
from engine.ledger.fastpath import all_true, key_function, pair_predicate
from engine.ledger.findings import Finding, Reconciliation, evaluate_flags
from engine.ledger.planner import CheckPlan, Ctx, Join, Role
from engine.ledger.records import Normaliser, Rec


class _Caches:
    def __init__(self, ledger: lm.Ledger, by_type: dict[str, list[Rec]]) -> None:
        self.by_type = by_type
        self.required = {name: record.required for name, record in ledger.records.items()}
        self.filtered: dict[tuple[Any, ...], list[Rec]] = {}
        self.indexes: dict[tuple[Any, ...], dict[Any, list[Rec]]] = {}
        self.cogroups: dict[tuple[int, int], list[tuple[list[Rec], list[Rec] | None]]] = {}

    def cogroup(self, ours: dict[Any, list[Rec]], theirs: dict[Any, list[Rec]]) -> list[tuple[list[Rec], list[Rec] | None]]:
        """Each bucket of `ours` with the bucket of `theirs` under the same key (None when
        there is none, or the key is missing). Checks that join the same two indexes
        (a mismatch check and a missing-counterpart check, typically) share one pass."""
        key = (id(ours), id(theirs))
        pairs = self.cogroups.get(key)
        if pairs is None:
            get = theirs.get
            pairs = self.cogroups[key] = [(bucket, None if k is MISSING else get(k)) for k, bucket in ours.items()]
        return pairs


def _filter_key(role: Role) -> tuple[Any, ...]:
    return (role.record, role.alias, tuple(c.text for c in role.filters))


def _candidates(role: Role, caches: _Caches, ctx: Ctx) -> list[Rec]:
    """The records of the role's type for which every condition on that alias alone holds."""
    key = _filter_key(role)
    cached = caches.filtered.get(key)
    if cached is not None:
        return cached
    records = caches.by_type.get(role.record, [])
    keep = all_true(role.filters, [role.alias], ctx)
    if keep is not None:
        records = [rec for rec in records if keep((rec,))]
    caches.filtered[key] = records
    return records


def _index(role: Role, keys: list[Join], caches: _Caches, ctx: Ctx) -> dict[Any, list[Rec]]:
    """Records of `role` (filtered) by the values of their sides of `keys`. Records with a
    missing key value are kept under the key MISSING (never looked up, but they are still
    combinations without a counterpart)."""
    sides = [k.side_of(role.alias) for k in keys]
    cache_key = _filter_key(role) + (tuple(unparse(s.node) for s in sides),)
    cached = caches.indexes.get(cache_key)
    if cached is not None:
        return cached
    index: dict[Any, list[Rec]] = defaultdict(list)
    key_of = key_function(sides, ctx, caches.required.get(role.record, ()))
    for rec in _candidates(role, caches, ctx):
        index[key_of(rec.values)].append(rec)
    caches.indexes[cache_key] = index
    return index


def _probe(keys: list[Join], own: str, aliases: list[str], ctx: Ctx) -> Callable[[tuple[Rec, ...]], Any]:
    """The hash key a combination offers to the record joining it as `own`."""
    others = [k.other_side(own) for k in keys]
    by_alias: dict[str, list[int]] = {}
    for i, side in enumerate(others):
        by_alias.setdefault(side.alias, []).append(i)
    if len(by_alias) == 1:  # every side from one record (the usual case): one look-up
        position = aliases.index(others[0].alias)
        key_of = key_function(others, ctx)
        return lambda combination: key_of(combination[position].values)
    parts = [(aliases.index(side.alias), key_function([side], ctx)) for side in others]

    def mixed(combination: tuple[Rec, ...]) -> Any:
        key = tuple(key_of(combination[position].values) for position, key_of in parts)
        for value in key:
            if value is MISSING:
                return MISSING
        return key

    return mixed


def run_check(plan: CheckPlan, ledger: lm.Ledger, caches: _Caches, ctx: Ctx) -> list[Finding]:
    check = plan.check
    aliases = [role.alias for role in plan.roles]
    stages = plan.residual_stages()

    tuples: list[tuple[Rec, ...]] = []
    absent_by_index = (
        plan.absent is not None and len(plan.roles) == 1 and not plan.absent.pre and not plan.absent.residual and bool(plan.absent.keys)
    )
    # role 0 is read from its index by the first join step (or by the absent look-up)
    lazy_first = (len(plan.roles) > 1 and bool(plan.keys_for(1)) and not stages[0]) or absent_by_index
    for i, role in enumerate(plan.roles):
        candidates = _candidates(role, caches, ctx)
        if i == 0:
            if not lazy_first:  # else the first join step reads role 0 from its index
                tuples = [(rec,) for rec in candidates]
        else:
            keys = plan.keys_for(i)
            grown: list[tuple[Rec, ...]] = []
            if keys and i == 1:  # two indexes on the same key: walk one, look up in the other
                index = _index(role, keys, caches, ctx)
                first = _index(plan.roles[0], keys, caches, ctx)
                keep_pair = pair_predicate(stages[1], aliases[:2], ctx)
                for bucket, partners in caches.cogroup(first, index):
                    if partners:
                        for left in bucket:
                            for rec in partners:
                                if rec is not left and (keep_pair is None or keep_pair(left, rec)):
                                    grown.append((left, rec))
                tuples = grown
                continue
            elif keys:
                index = _index(role, keys, caches, ctx)
                probe = _probe(keys, role.alias, aliases, ctx)
                for combination in tuples:
                    key = probe(combination)
                    if key is MISSING:
                        continue
                    for rec in index.get(key, ()):
                        if rec not in combination:
                            grown.append(combination + (rec,))
            else:
                for combination in tuples:
                    for rec in candidates:
                        if rec not in combination:
                            grown.append(combination + (rec,))
            tuples = grown
        keep = all_true(stages[i], aliases[: i + 1], ctx)
        if keep is not None:
            tuples = [combination for combination in tuples if keep(combination)]

    findings: list[Finding] = []
    absent = plan.absent
    if absent is not None:
        if absent_by_index:
            tuples = _unmatched_by_index(plan, caches, ctx)
        else:
            tuples = _unmatched(plan, tuples, aliases, caches, ctx)
    for combination in tuples:
        env = {alias: rec.values for alias, rec in zip(aliases, combination, strict=True)}
        findings.append(Finding(ledger, check, combination, evaluate_flags(check, env, ctx)))
    return findings


def _unmatched_by_index(plan: CheckPlan, caches: _Caches, ctx: Ctx) -> list[tuple[Rec, ...]]:
    """One alias, an absent part made only of hash keys: two indexes, compared key by key."""
    absent = plan.absent
    assert absent is not None
    theirs = _index(absent.role, absent.keys, caches, ctx)
    ours = _index(plan.roles[0], absent.keys, caches, ctx)
    out: list[tuple[Rec, ...]] = []
    same_type = plan.roles[0].record == absent.role.record  # only then can a record be its own counterpart
    for bucket, partners in caches.cogroup(ours, theirs):
        if not partners:
            out += [(rec,) for rec in bucket]
        elif same_type and len(partners) == 1:
            only = partners[0]
            out += [(rec,) for rec in bucket if rec is only]
    return out


def _unmatched(plan: CheckPlan, tuples: list[tuple[Rec, ...]], aliases: list[str], caches: _Caches, ctx: Ctx) -> list[tuple[Rec, ...]]:
    """The combinations for which no record satisfies every absent condition."""
    absent = plan.absent
    assert absent is not None
    pre = all_true(absent.pre, aliases, ctx)
    residual = all_true(absent.residual, aliases + [absent.role.alias], ctx)
    keys = absent.keys
    if keys:
        index = _index(absent.role, keys, caches, ctx)
        probe = _probe(keys, absent.role.alias, aliases, ctx)
    else:
        everyone = _candidates(absent.role, caches, ctx)
    out = []
    for combination in tuples:
        if pre is not None and not pre(combination):
            out.append(combination)  # nothing can be its counterpart
            continue
        if keys:
            key = probe(combination)
            bucket = () if key is MISSING else index.get(key, ())
        else:
            bucket = everyone
        for rec in bucket:
            if rec in combination:
                continue
            if residual is None or residual(combination + (rec,)):
                break
        else:
            out.append(combination)
    return out


def _index_needs(plan: CheckPlan) -> list[tuple[Role, list[Join]]]:
    """The (role, hash keys) indexes run_check will ask for."""
    needs: list[tuple[Role, list[Join]]] = []
    for i in range(1, len(plan.roles)):
        keys = plan.keys_for(i)
        if keys:
            needs.append((plan.roles[i], keys))
            if i == 1:
                needs.append((plan.roles[0], keys))
    absent = plan.absent
    if absent is not None and absent.keys:
        needs.append((absent.role, absent.keys))
        if len(plan.roles) == 1 and not absent.pre and not absent.residual:
            needs.append((plan.roles[0], absent.keys))
    return needs


class _Arrival:
    """Where a record of one type goes as it is read: its type's list, the indexes of the
    type's records as they are, and the filtered lists (each with its own indexes) of
    roles that only some records of the type can play. Filling them while the record is
    still in the processor's cache, not in a second pass over the whole book, matters:
    on 100 000-entry books that second pass costs as much as the joins."""

    __slots__ = ("records", "indexes", "filtered")

    def __init__(self, records: list[Rec]) -> None:
        self.records = records
        self.indexes: list[tuple[dict[Any, list[Rec]], Callable[[dict[str, Any]], Any]]] = []
        self.filtered: list[tuple[list[Rec], Callable[[tuple[Rec, ...]], bool], list[Any]]] = []


def _on_arrival(ledger: lm.Ledger, plans: list[CheckPlan], caches: _Caches, ctx: Ctx) -> dict[str, _Arrival]:
    """Each record type's _Arrival, for the indexes the checks will ask for."""
    arrivals = {name: _Arrival(caches.by_type[name]) for name in ledger.records}
    destinations: dict[tuple[Any, ...], list[Any]] = {}  # filter key -> the indexes it feeds
    for plan in plans:
        for role, keys in _index_needs(plan):
            filter_key = _filter_key(role)
            indexes = destinations.get(filter_key)
            if indexes is None:
                keep = all_true(role.filters, [role.alias], ctx)
                arrival = arrivals[role.record]
                if keep is None:
                    indexes = destinations[filter_key] = arrival.indexes
                else:
                    filtered = caches.filtered[filter_key] = []
                    indexes = destinations[filter_key] = []
                    arrival.filtered.append((filtered, keep, indexes))
            sides = [k.side_of(role.alias) for k in keys]
            index_key = filter_key + (tuple(unparse(s.node) for s in sides),)
            if index_key not in caches.indexes:
                index = caches.indexes[index_key] = defaultdict(list)
                indexes.append((index, key_function(sides, ctx, caches.required.get(role.record, ()))))
    return arrivals


def reconcile(ledger: lm.Ledger, plans: list[CheckPlan], numbered_records: Iterable[tuple[int, Any]], normalise: Normaliser, owned: bool = False) -> Reconciliation:
    """Run every check over the (line, raw record) pairs. Each record is checked and put
    into the lists and indexes it belongs to as it is read; `owned`: the raw records were
    decoded for this run, so they are checked in place (see Normaliser)."""
    by_type: dict[str, list[Rec]] = {name: [] for name in ledger.records}
    caches = _Caches(ledger, by_type)
    ctx = Ctx()
    findings: list[Finding] = []
    # Reading and joining a book allocate millions of small objects that stay alive or
    # make no reference cycles; the cyclic collector would only rescan them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with decimal.localcontext(DECIMAL_CONTEXT):
            arrivals = _on_arrival(ledger, plans, caches, ctx)
            for line, raw in numbered_records:
                rec = normalise(raw, line, owned)
                arrival = arrivals[rec.type]
                arrival.records.append(rec)
                values = rec.values
                for index, key_of in arrival.indexes:
                    index[key_of(values)].append(rec)
                for filtered, keep, indexes in arrival.filtered:
                    if keep((rec,)):
                        filtered.append(rec)
                        for index, key_of in indexes:
                            index[key_of(values)].append(rec)
            for plan in plans:
                findings.extend(run_check(plan, ledger, caches, ctx))
    finally:
        if collecting:
            gc.enable()
    counts = {name: len(recs) for name, recs in by_type.items() if recs}
    return Reconciliation.build(ledger, "batch", findings, counts)
