"""The streaming executor: records in one at a time, durable-rules fires the rules.

The checks are grouped by the planner's plans (streamplan.py): checks that join the same
record types on the same fields are ONE durable-rules ruleset, and a record is ONE fact
of it, carrying a flag per role it can play (the role's filters, evaluated by our
compiled expressions) and the group's join key as one encoded value `k`. Checks that
cannot share a key (self-joins, three aliases, expressions as join sides, absent parts
with residual conditions) keep a ruleset of their own, with one fact per role.

What durable-rules holds. Its C engine stores every fact in a fixed-size message node
(a JSON object of 255 property slots: about 6.9 KB, measured 8.4 KB with its pools,
whatever the fact's size), so facts left in it cost far more than the record. The
executor therefore keeps the records it still needs in Python, indexed by their join
key, and durable-rules holds a working set only while its rules fire: when a record
arrives, the held facts sharing its key (the only ones any rule could combine it
with) and its own fact are asserted, every rule that can fire fires — joins, the
role flags, negations — and all of them are retracted. A combination is reported in
the round of its newest record, so each is reported once. The rule's action then
evaluates every condition of the check with our compiled expressions (durable-rules
only narrows the candidates) and emits the finding.

Absence. A check whose absence durable-rules can decide exactly (one matched record,
only equalities) is a negation (`$not`) armed by an end-of-period fact: when a record's
role can no longer be completed (its period closed, or the stream ended) its key's
working set is asserted with the marker and the rule fires for the records left
without a counterpart. Other absent parts have a second rule recording which
combinations found a counterpart; the end compares.

Periods (a watermark). `book.stream(period="quarter")` treats the book as arriving in
order of tax periods: a record of a later period closes the periods before it, and a
record whose role can no longer be completed is released (streamplan.py says when).
`stream.advance(day)` says the same explicitly. A record dated before the watermark is
*late*: it is not checked (its counterparts may already be gone, so any finding about
it could be wrong) and is listed in `stream.late`.

Traps handled here (see /work/shared/notes/durable-rules.md): facts are asserted one by
one (batch assertion loses matches); a session knows a fact only by the 32-bit hash of
its id, so an id whose hash is taken in the working set is replaced by a stand-in
(`_unique_id`); pattern aliases are `p0`, `p1`, …, `q` (never `s` or `m`); values
travel as JSON, so they are encoded as text, long text as a digest (durable-rules keeps
string lengths in 16 bits); exceptions raised inside an action are swallowed by
durable-rules, so actions catch and keep them and `push` re-raises; `delete_state`
crashes the process and `delete_ruleset` frees almost nothing, so a finished stream
leaves its rulesets empty and returns its engine to a pool for the next stream.
"""

from __future__ import annotations

import contextlib
import decimal
import gc
import hashlib
import heapq
import itertools
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from durable import engine as durable_engine

from engine.evaluate import DECIMAL_CONTEXT
from engine.language import nodes as n
from engine.language.values import MISSING
from engine.ledger import model as lm
from engine.ledger.findings import Finding, Reconciliation, evaluate_flags
from engine.ledger.planner import CheckPlan, Ctx, Join, Role, SideFn, encode
from engine.ledger.records import Normaliser, Rec
from engine.ledger.streamplan import PERIODS, KeyedGroup, period_start, plan_stream

_names = itertools.count(1)
_registry_lock = threading.Lock()
MAX_IDLE_ENGINES = 2
END_ID = 0  # the end-of-period marker's fact id (record lines start at 1)
DECIDE_BATCH = 256  # facts (records to decide and keys of counterparts) per round of negations
SID = "0"  # every working set is asserted in one session, emptied after each round
ROLE_IDS = 16  # fact id = line * ROLE_IDS + role number (p0..p7: 0..7, q: 8)


def _message_hash(fact_id: int) -> int:
    """durable-rules' identity of a fact within a session: the 32-bit FNV-1 hash of its id
    as text (rules/state.c storeMessage: the message index compares hashes only). Two
    ids with the same hash are one message to it: the second is refused as "observed",
    and retracting one may retract the other. 21 of the ids of a 200 000-line book
    collide, so every id is checked against its session's before it is asserted."""
    digest = 0x811C9DC5
    for byte in str(fact_id).encode():
        digest = ((digest ^ byte) * 0x01000193) & 0xFFFFFFFF
    return digest


class _Host(durable_engine.Host):
    """A private host without the dispatch and timer threads a durable Host starts: our
    actions run synchronously inside assert_fact, and nothing may run behind our back."""

    def _run(self) -> None:
        pass


@dataclass
class _RoleSpec:
    flag: str
    alias: str
    filters: list[Any]
    number: int = 0  # p<i>: i; q: 8
    # (attribute, getter, field): `field` names a plain `alias.field` side, whose encoding
    # is shared by every check reading the same field of the record
    required: list[tuple[str, SideFn, str | None]] = field(default_factory=list)
    optional: list[tuple[str, SideFn, str | None]] = field(default_factory=list)

    def attributes(self, ctx: Ctx, values: dict[str, Any], out: dict[str, Any], memo: dict[str, Any]) -> bool:
        if self.filters:
            ctx.facts = {self.alias: values}
            for fn in self.filters:
                if fn(ctx, None) is not True:
                    return False
        for attribute, get, name in self.required:
            value = get(ctx, values)
            if value is MISSING:
                return False  # the equality can never be true for this record in this role
            out[attribute] = _encoded(value, name, memo)
        for attribute, get, name in self.optional:
            value = get(ctx, values)
            if value is MISSING:
                continue
            out[attribute] = _encoded(value, name, memo)
        out[self.flag] = True
        return True


def _encoded(value: Any, name: str | None, memo: dict[str, Any]) -> str | None:
    if name is None:
        return encode(value)
    text = memo.get(name)
    if text is None:
        text = memo[name] = encode(value)
    return text


def _flag(pattern: str) -> str:
    """The fact attribute saying a record can play the role of pattern p<i> (o<i>) or q (oq)."""
    return "oq" if pattern == "q" else "o" + pattern[1:]


def _join_in(conjunct: lm.Conjunct, scope: dict[str, Any]) -> Join | None:
    from engine.ledger.planner import _join_of

    return _join_of(conjunct, scope)


class _CompiledCheck:
    """One check's ruleset: its definition (data) and how records become its facts."""

    def __init__(self, plan: CheckPlan, index: int, name: str, ledger: lm.Ledger) -> None:
        self.plan = plan
        self.index = index
        self.name = name
        self.check = check = plan.check
        roles: list[tuple[str, Role, str]] = [(f"p{i}", role, "match") for i, role in enumerate(plan.roles)]
        if plan.absent is not None:
            roles.append(("q", plan.absent.role, "absent"))
        order = {role.alias: i for i, (_, role, _) in enumerate(roles)}
        pattern_of = {role.alias: pattern for pattern, role, _ in roles}
        specs = {
            role.alias: _RoleSpec(_flag(pattern), role.alias, [c.fn for c in role.filters], 8 if pattern == "q" else int(pattern[1:]))
            for pattern, role, _ in roles
        }
        conditions: dict[str, list[dict[str, Any]]] = {pattern: [] for pattern, _, _ in roles}
        counter = itertools.count()

        def condition(join: Join, required: bool, part: str) -> tuple[str, dict[str, Any]]:
            """Attributes for both sides of a join; the condition, for the later pattern."""
            assert join.pushable  # an equality
            number = next(counter)
            attribute = {join.left.alias: f"a{number}", join.right.alias: f"b{number}"}
            for side in (join.left, join.right):
                spec = specs[side.alias]
                own_part = part == "match" or side.alias == plan.absent.role.alias  # type: ignore[union-attr]
                (spec.required if required and own_part else spec.optional).append((attribute[side.alias], side.get, side.field))
            later, earlier = sorted((join.left.alias, join.right.alias), key=lambda a: order[a], reverse=True)
            own, other = attribute[later], attribute[earlier]
            return pattern_of[later], {own: {pattern_of[earlier]: other}}

        partition: dict[str, str] = {}  # alias -> the attribute whose value picks its session
        joins: list[tuple[Join, str]] = [(j, "match") for j in plan.joins if j.pushable]
        if plan.absent is not None:
            joins += [(j, "absent") for j in plan.absent.joins if j.pushable]
        for join, part in joins:
            target, cond = condition(join, True, part)
            conditions[target].append(cond)
            if len(roles) == 2 and not partition:
                key = next(iter(cond))  # own attribute of the later pattern
                ref_pattern, ref_attr = next(iter(cond[key].items()))
                later_alias = next(a for a, p in pattern_of.items() if p == target)
                earlier_alias = next(a for a, p in pattern_of.items() if p == ref_pattern)
                partition = {later_alias: key, earlier_alias: ref_attr}
        self.partition = partition
        self.mode = "key" if partition else "line" if len(roles) == 1 else "single"

        # A residual `or` of equalities (`a.x == b.x or a.y == b.y`) cannot go into one
        # durable-rules pattern ($or over references fails at assert time, error 311):
        # the match rule is split, one rule per alternative.
        alternatives: list[tuple[str, dict[str, Any]]] = []
        scope = {alias: ledger.records[record].type for alias, record in check.aliases}
        for conjunct in plan.residual:
            node = conjunct.node
            if not (isinstance(node, n.Logical) and node.op == "or" and len(node.operands) <= 4):
                continue
            options = []
            for operand in node.operands:
                part_conjunct = lm.Conjunct(0, "", operand, conjunct.analysis, conjunct.fn, conjunct.aliases, (), conjunct.path, "match")
                join = _join_in(part_conjunct, scope)
                if join is None or not join.pushable:
                    options = []
                    break
                options.append(join)
            if options:
                alternatives = [condition(join, False, "match") for join in options]
                break

        def pattern(name: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
            parts = [{_flag(name): True}] + conditions[name] + ([extra] if extra else [])
            return parts[0] if len(parts) == 1 else {"$and": parts}

        matched = [{p: pattern(p)} for p, _, part in roles if part == "match"]
        self.definition: dict[str, Any] = {}
        # An absent part that durable-rules can decide exactly (one matched record, every
        # absent condition a join it can express or a filter on the absent record) becomes
        # one rule with a negation, `none` in durable-rules' terms, armed by an end-of-stream
        # fact: it fires once per record left without a counterpart, when the stream ends.
        # Otherwise a `counterpart` rule records, as records arrive, which combinations have
        # one (its action checks every absent condition), and the end compares.
        absent = plan.absent
        self.negated = bool(
            absent is not None
            and len(plan.roles) == 1
            and not absent.pre
            and absent.role.record != plan.roles[0].record
            and all(j.pushable for j in absent.joins)
            and all(c in [j.conjunct for j in absent.joins] for c in absent.residual)
        )
        if self.negated:
            self.definition["absent"] = {"all": [{"e": {"end": True}}] + matched + [{"q$not": pattern("q")}]}
        elif alternatives:
            for i, (target, cond) in enumerate(alternatives):
                self.definition[f"match_{i}"] = {"all": [{p: pattern(p, cond if p == target else None)} for p, _, part in roles if part == "match"]}
        else:
            self.definition["match"] = {"all": matched}
        if absent is not None and not self.negated:
            self.definition["counterpart"] = {"all": matched + [{"q": pattern("q")}]}
        self.specs_by_type: dict[str, list[_RoleSpec]] = {}
        for _, role, _ in roles:
            self.specs_by_type.setdefault(role.record, []).append(specs[role.alias])
        self.patterns = [p for p, _, part in roles if part == "match"]

    def rules(self, engine: StreamEngine) -> dict[str, Any]:
        """The definition with the actions bound (durable-rules takes `run` callables)."""
        index, patterns = self.index, self.patterns
        out = {}
        for name, rule in self.definition.items():
            if name == "counterpart":
                out[name] = dict(rule, run=lambda c: engine.sink("_counterpart", index, patterns, c))
            elif name == "absent":
                out[name] = dict(rule, run=lambda c: engine.sink("_absent", index, patterns, c))
            else:
                out[name] = dict(rule, run=lambda c: engine.sink("_matched", index, patterns, c))
        return out

    def facts(self, rec: Rec, ctx: Ctx, memo: dict[str, Any]) -> list[tuple[Any, dict[str, Any]]]:
        """The record as facts of this ruleset, each with the bucket of held facts it can
        combine with (its join value; None: it combines with none held; "": with all).
        One fact per role: a fact playing two roles of one ruleset (a self-join) makes
        durable-rules read freed frame memory when it is retracted (valgrind); id = line
        × 16 + role."""
        specs = self.specs_by_type.get(rec.type)
        if not specs:
            return []
        out: list[tuple[Any, dict[str, Any]]] = []
        for spec in specs:
            attributes: dict[str, Any] = {}
            if not spec.attributes(ctx, rec.values, attributes, memo):
                continue
            bucket: Any
            if self.mode == "key":
                bucket = attributes.get(self.partition[spec.alias])
            elif self.mode == "line":
                bucket = None
            else:
                bucket = ""
            attributes["sid"] = SID
            attributes["id"] = rec.line * ROLE_IDS + spec.number
            out.append((bucket, attributes))
        return out


_LONG_KEY = 200  # a composite key longer than this travels as its digest (16-bit lengths)


def _composite(parts: list[str]) -> str:
    """The key fields of a record as one value: equal exactly when every part is equal
    (each part length-prefixed, so no spelling of one part can imitate two)."""
    text = "".join(f"{len(part)}:{part}" for part in parts)
    if len(text) > _LONG_KEY:
        return "h:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return text


def _action(engine: StreamEngine, kind: str, index: int, patterns: list[str]) -> Any:
    """A rule's action (durable-rules accepts only a one-argument callable)."""
    return lambda c: engine.sink(kind, index, patterns, c)


class _KeyedRuleset:
    """A group of checks sharing one join key (streamplan.KeyedGroup) as one ruleset:
    one fact per record, a flag per role, the key as `k`."""

    def __init__(self, group: KeyedGroup, name: str, periods: dict[str, str | None]) -> None:
        self.group = group
        self.name = name
        self.checks = group.checks
        self.negated = [c.index for c in group.checks if c.negated]
        self.definition: dict[str, Any] = {}
        for compiled in group.checks:
            flags = {p: f"f{compiled.index}{p}" for p, _ in compiled.patterns}
            if compiled.negated:
                # decided only in a round of its own (see _decide): the records whose role
                # retires (x<i>), then their possible counterparts, then the marker
                rule = {"all": [{"e": {"end": True}}, {"p0": {f"x{compiled.index}": True}}, {"q$not": {"$and": [{flags["q"]: True}, {"k": {"p0": "k"}}]}}]}
            elif len(compiled.patterns) == 2:
                rule = {"all": [{"p0": {flags["p0"]: True}}, {"p1": {"$and": [{flags["p1"]: True}, {"k": {"p0": "k"}}]}}]}
            else:
                rule = {"all": [{"p0": {flags["p0"]: True}}]}
            self.definition[f"c{compiled.index}"] = rule
        self.keys = group.keys
        self.roles = group.roles
        self.solo = {f.flag for flags in group.roles.values() for f in flags if f.solo}

    def rules(self, engine: StreamEngine) -> dict[str, Any]:
        out = {}
        for compiled in self.checks:
            index, patterns = compiled.index, compiled.matched_patterns
            kind = "_absent" if compiled.negated else "_matched"
            out[f"c{compiled.index}"] = dict(self.definition[f"c{compiled.index}"], run=_action(engine, kind, index, patterns))
        return out

    def fact(self, rec: Rec, ctx: Ctx, memo: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None, list[tuple[str, Any]], list[tuple[str, Any]]]:
        """(key, fact, the roles it is held for with the date each retires on (None: at
        the end), the counterpart roles whose key is archived with the date it leaves) —
        the fact None when the record plays no role a rule of one round can use."""
        flags = self.roles.get(rec.type)
        if not flags:
            return None, None, [], []
        values = rec.values
        key: str | None = None
        fields = self.keys[rec.type]
        if fields:
            parts = []
            for name in fields:
                text = memo.get(name)
                if text is None:
                    value = values.get(name, MISSING)
                    if value is MISSING:
                        parts = []
                        break
                    text = memo[name] = encode(value)
                parts.append(text)
            if parts:
                key = _composite(parts)
        fact: dict[str, Any] = {"sid": SID, "id": rec.line * ROLE_IDS}
        held: list[tuple[str, Any]] = []
        archived: list[tuple[str, Any]] = []
        filtered: dict[int, bool] = {}
        for role in flags:
            if role.needs_key and key is None:
                continue
            filters = role.role.filters
            if filters:
                ok = filtered.get(id(role.role))
                if ok is None:
                    ctx.facts = {role.role.alias: values}
                    ok = filtered[id(role.role)] = all(c.fn(ctx, None) is True for c in filters)
                if not ok:
                    continue
            retire = values.get(role.retire_field) if role.retire_field is not None else None
            if role.archived:
                archived.append((role.flag, retire))
                continue
            fact[role.flag] = True
            if not role.solo:
                held.append((role.flag, _NOW if key is None else retire))
        if len(fact) == 2:
            return key, None, [], archived
        if key is not None:
            fact["k"] = key
        return key, fact, held, archived


class _Now:
    """The retire date of a role whose record has no key: nothing can complete it."""

    def __repr__(self) -> str:
        return "NOW"


_NOW = _Now()


class StreamEngine:
    """A private Host with the streaming rulesets of one ledger: one per keyed group, one
    per other check. Used by one stream at a time, then, emptied, by the next (see the
    module note on durable-rules memory)."""

    def __init__(self, ledger: lm.Ledger, plans: list[CheckPlan]) -> None:
        self.host = _Host()
        self.stream: LedgerStream | None = None
        serial = next(_names)
        self.plan = plan_stream(ledger, plans)
        self.keyed = [_KeyedRuleset(g, f"taxrules_{serial}_k{i}", self.plan.periods) for i, g in enumerate(self.plan.keyed)]
        self.checks = [_CompiledCheck(plan, plan.check.index, f"taxrules_{serial}_{plan.check.index}_{plan.check.id}", ledger) for plan in self.plan.other]
        self.by_type: dict[str, list[int]] = {}  # record type -> units (keyed first, then checks)
        for u, unit in enumerate(self.units):
            types = unit.roles if isinstance(unit, _KeyedRuleset) else unit.specs_by_type
            for record_type in types:
                self.by_type.setdefault(record_type, []).append(u)

    @property
    def units(self) -> list[_KeyedRuleset | _CompiledCheck]:
        return [*self.keyed, *self.checks]

    def register(self) -> list[tuple[lm.Check, str]]:
        """Register every ruleset; (check, message) for each one durable-rules rejects."""
        problems = []
        for unit in self.units:
            try:
                with _registry_lock:
                    self.host.register_rulesets({unit.name: unit.rules(self)})
            except Exception as exc:  # durable-rules says only "error code: 109"
                check = unit.checks[0].plan.check if isinstance(unit, _KeyedRuleset) else unit.check
                problems.append((check, f"check {check.id!r}: durable-rules rejected its ruleset ({exc}); definition: {unit.definition}"))
        return problems

    def sink(self, kind: str, index: int, patterns: list[str], c: Any) -> None:
        stream = self.stream
        if stream is not None:
            getattr(stream, kind)(index, patterns, c)

    def empty(self) -> bool:
        """No fact left in any ruleset (a working set is retracted after every round)."""
        return all(not self.host.get_facts(unit.name, SID) for unit in self.units)

    def discard(self) -> None:
        import durable_rules_engine

        for unit in self.units:
            with contextlib.suppress(Exception):  # best effort: it frees little anyway
                durable_rules_engine.delete_ruleset(self.host.get_ruleset(unit.name)._handle)


class EnginePool:
    """Idle stream engines of one ledger (by content hash)."""

    def __init__(self, ledger: lm.Ledger, plans: list[CheckPlan]) -> None:
        self.ledger = ledger
        self.plans = plans
        self.idle: list[StreamEngine] = []
        self.lock = threading.Lock()

    def acquire(self) -> StreamEngine:
        with self.lock:
            if self.idle:
                return self.idle.pop()
        engine = StreamEngine(self.ledger, self.plans)
        problems = engine.register()
        if problems:
            raise RuntimeError(problems[0][1])
        return engine

    def release(self, engine: StreamEngine) -> None:
        engine.stream = None
        with self.lock:
            if len(self.idle) < MAX_IDLE_ENGINES:
                self.idle.append(engine)
                return
        engine.discard()


_pools: dict[str, EnginePool] = {}
_pools_lock = threading.Lock()


def pool_for(ledger: lm.Ledger, plans: list[CheckPlan]) -> EnginePool:
    with _pools_lock:
        pool = _pools.get(ledger.sha256)
        if pool is None:
            pool = _pools[ledger.sha256] = EnginePool(ledger, plans)
        return pool


def verify_rulesets(ledger: lm.Ledger, plans: list[CheckPlan]) -> list[tuple[lm.Check, str]]:
    """Build the streaming rulesets once (the engine then serves the first stream)."""
    engine = StreamEngine(ledger, plans)
    problems = engine.register()
    if not problems:
        pool_for(ledger, plans).release(engine)
    return problems


class LedgerStream:
    """Records in one at a time, findings out as soon as they are provable.

        with book.stream(period="quarter") as stream:
            for record in records:
                for finding in stream.push(record):   # incl. absences a closed period proves
                    ...
            for finding in stream.close():           # the remaining findings of absence
                ...
        stream.result                                 # the Reconciliation (summary, counts)
    """

    def __init__(self, ledger: lm.Ledger, plans: list[CheckPlan], normaliser: Normaliser, period: str | None = None) -> None:
        if period is not None and period not in PERIODS:
            raise ValueError(f"unknown period {period!r}: {', '.join(PERIODS)}")
        self.ledger = ledger
        self.plans = plans
        self.by_index = {plan.check.index: plan for plan in plans}
        self.normalise = normaliser
        self.period = period
        self.pool = pool_for(ledger, plans)
        self.engine = self.pool.acquire()
        self.engine.stream = self
        self.units = self.engine.units
        self.periods = self.engine.plan.periods
        self.ctx = Ctx()
        # what is held: the records still needed (line -> record, and how many held facts
        # refer to it) and, per ruleset, the held facts by join key
        self.store: dict[int, Rec] = {}
        self.refs: dict[int, int] = {}
        self.buckets: list[dict[Any, list[dict[str, Any]]]] = [{} for _ in self.units]
        # keys of the records that can be a missing counterpart, per ruleset and role
        self.archive: list[dict[str, set[str]]] = [{} for _ in self.units]
        # roles that retire on a date: date -> [(unit, key, fact or None: archived, flags)]
        self.schedule: dict[Any, list[tuple[int, Any, dict[str, Any] | None, tuple[str, ...]]]] = {}
        self.dates: list[Any] = []
        self.watermark: Any = None
        self.late: list[tuple[int, str, Any]] = []
        # the round in progress: its newest record, the combinations reported in it
        self.newest = 0
        self.round_seen: set[tuple[int, tuple[int, ...]]] = set()
        self.stand_ins: dict[int, int] = {}
        self.next_stand_in = -1
        self.pending: list[Finding] = []
        self.closing: list[Finding] = []
        self.findings: list[Finding] = []
        self.candidates: dict[int, dict[tuple[int, ...], tuple[Rec, ...]]] = {c.index: {} for c in self.engine.checks}
        self.matched: dict[int, set[tuple[int, ...]]] = {c.index: set() for c in self.engine.checks}
        self.counts: Counter[str] = Counter()
        self.errors: list[BaseException] = []
        self.stats: Counter[str] = Counter()
        self.held_peak = 0
        self.last_line = 0
        self.closed = False
        self.result: Reconciliation | None = None

    # -- input ---------------------------------------------------------------------------

    def push(self, raw: Any, line: int | None = None) -> list[Finding]:
        """Check one raw record (BadInput if it breaks its type) and feed it."""
        if line is None:
            line = self.last_line + 1
        return self.push_record(self.normalise(raw, line))

    def push_record(self, rec: Rec) -> list[Finding]:
        with decimal.localcontext(DECIMAL_CONTEXT):
            return self._push(rec)

    def _push(self, rec: Rec) -> list[Finding]:
        if self.closed:
            raise RuntimeError("the stream is closed")
        if rec.line <= self.last_line:
            raise ValueError(f"line {rec.line} comes after line {self.last_line}: lines must increase")
        self.last_line = rec.line
        self.counts[rec.type] += 1
        period_field = self.periods.get(rec.type)
        day = rec.values.get(period_field, MISSING) if period_field is not None else MISSING
        if day is not MISSING:
            if self.watermark is not None and day < self.watermark:
                self.late.append((rec.line, rec.type, day))
                self.stats["late_records"] += 1
                out, self.pending = self.pending, []
                return out
            if self.period is not None:
                start = period_start(day, self.period)
                if self.watermark is None or start > self.watermark:
                    self._advance(start)
        try:
            self._feed(rec)
        except BaseException:
            self.abort()
            raise
        out, self.pending = self.pending, []
        return out

    def _feed(self, rec: Rec) -> None:
        memo: dict[str, Any] = {}
        ctx = self.ctx
        line = rec.line
        self.round_seen.clear()  # a record's rounds (one per ruleset and role) report a combination once
        self.store[line] = rec  # the actions read it; dropped below unless a fact is held
        held_facts = 0
        for u in self.engine.by_type.get(rec.type, ()):
            unit = self.units[u]
            if isinstance(unit, _KeyedRuleset):
                key, fact, held, archived = unit.fact(rec, ctx, memo)
                leaving: list[tuple[Any, str]] = []
                for flag, day in archived:
                    keys = self.archive[u].setdefault(flag, set())
                    if key not in keys:
                        keys.add(key)
                        if day is not None:
                            leaving.append((day, flag))
                self._schedule_all(u, key, None, leaving)
                if fact is None:
                    continue
                bucket = self.buckets[u].get(key) if key is not None else None
                if bucket:
                    self._round(u, [*bucket, fact], line)
                elif unit.solo.intersection(fact):
                    self._round(u, [fact], line)
                # else: alone, with no rule of one record to fire, it can fire nothing
                # before its key gets company (a negation waits for its marker)
                if not held:
                    continue
                for flag in unit.solo:
                    fact.pop(flag, None)
                if key is None:
                    key = ("line", line)  # alone: kept only for its absence to be decided
                self.buckets[u].setdefault(key, []).append(fact)
                held_facts += 1
                self._schedule_all(u, key, fact, [(day, flag) for flag, day in held if day is not None])  # None: at the end
            else:
                for key, fact in unit.facts(rec, ctx, memo):
                    bucket = self.buckets[u].get(key) if key is not None else None
                    self._round(u, [*bucket, fact] if bucket else [fact], line)
                    if key is None:
                        key = ("line", line)
                    self.buckets[u].setdefault(key, []).append(fact)
                    held_facts += 1
        if held_facts:
            self.refs[line] = held_facts
            self.stats["facts"] += held_facts
            held = len(self.refs)
            if held > self.held_peak:
                self.held_peak = held
        else:
            del self.store[line]

    def _schedule_all(self, u: int, key: Any, fact: dict[str, Any] | None, roles: list[tuple[Any, str]]) -> None:
        """Schedule roles to retire (fact None: archived keys to leave), one entry per
        date: a record's roles mostly retire together, and an entry costs ~100 bytes."""
        if not roles:
            return
        if len(roles) == 1:
            day, flag = roles[0]
            self._schedule(day, (u, key, fact, (flag,)))
            return
        by_day: dict[Any, list[str]] = {}
        for day, flag in roles:
            by_day.setdefault(day, []).append(flag)
        for day, flags in by_day.items():
            self._schedule(day, (u, key, fact, tuple(flags)))

    def _schedule(self, day: Any, entry: tuple[int, Any, dict[str, Any] | None, tuple[str, ...]]) -> None:
        slot = self.schedule.get(day)
        if slot is None:
            slot = self.schedule[day] = []
            heapq.heappush(self.dates, (0, day) if day is _NOW else (1, day))
        slot.append(entry)

    def _round(self, u: int, facts: list[dict[str, Any]], newest: int) -> None:
        """Assert a working set (oldest first), let every rule fire, retract it (oldest
        first: in reverse order valgrind sees durable-rules read freed frames)."""
        host = self.engine.host
        name = self.units[u].name
        self.newest = newest
        if newest == END_ID:
            self.round_seen.clear()
        in_use: set[int] = set()
        asserted: list[dict[str, Any]] = []
        try:
            for fact in facts:
                if len(facts) > 1:
                    fact = self._unique_id(fact, in_use)
                try:
                    host.assert_fact(name, fact)
                except durable_engine.MessageNotHandledException:
                    continue  # no rule can use it in this round (a role waiting for its period's end): not stored
                asserted.append(fact)
                self.stats["assertions"] += 1
                if self.errors:
                    raise self.errors[0]
        finally:
            for fact in asserted:
                host.retract_fact(name, {"sid": SID, "id": fact["id"]})  # durable-rules finds it by id
            self.stand_ins.clear()

    def _unique_id(self, fact: dict[str, Any], in_use: set[int]) -> dict[str, Any]:
        """The fact, under a stand-in id if its own collides, in durable-rules' eyes, with
        a fact already in the working set (see _message_hash)."""
        digest = _message_hash(fact["id"])
        if digest in in_use:
            original = fact["id"]
            while digest in in_use:
                stand_in = self.next_stand_in
                self.next_stand_in -= 1
                digest = _message_hash(stand_in)
            self.stand_ins[stand_in] = original
            fact = dict(fact, id=stand_in)
            self.stats["stand_in_ids"] += 1
        in_use.add(digest)
        return fact

    def _line(self, fact: Any) -> int:
        """The line of the record a fact stands for."""
        fact_id = fact["id"]
        return (self.stand_ins[fact_id] if fact_id < 0 else fact_id) // ROLE_IDS

    def feed(self, records: Iterable[tuple[int, Any]]) -> Iterator[Finding]:
        """(line, raw record) pairs in; every finding out, those of absence at the end."""
        for line, raw in records:
            yield from self.push(raw, line)
        yield from self.close()

    @property
    def held(self) -> int:
        """Records held now: those some role of a rule may still need."""
        return len(self.refs)

    @property
    def archived(self) -> int:
        """Keys held now for the counterparts of absent checks (no record behind them)."""
        return sum(len(keys) for roles in self.archive for keys in roles.values())

    # -- the watermark -------------------------------------------------------------------

    def advance(self, day: Any) -> list[Finding]:
        """Every record still to come is dated (its period date) on or after `day`: the
        roles that no such record can complete retire, absences they prove are reported
        (returned), and records left with no role are forgotten."""
        if self.closed:
            raise RuntimeError("the stream is closed")
        with decimal.localcontext(DECIMAL_CONTEXT):
            try:
                if self.watermark is None or day > self.watermark:
                    self._advance(day)
            except BaseException:
                self.abort()
                raise
        out, self.pending = self.pending, []
        return out

    def _advance(self, day: Any) -> None:
        self.watermark = day
        due: dict[tuple[int, Any], list[tuple[dict[str, Any], str]]] = {}
        dropped: list[tuple[int, Any, str]] = []
        dates = self.dates
        while dates and (dates[0][0] == 0 or dates[0][1] < day):
            _, when = heapq.heappop(dates)
            for u, key, fact, flags in self.schedule.pop(when):
                if fact is None:
                    dropped.extend((u, key, flag) for flag in flags)
                else:
                    due.setdefault((u, key), []).extend((fact, flag) for flag in flags)
        self._retire(due)  # before the keys leave the archive: the records they serve first
        for u, key, flag in dropped:
            self.archive[u][flag].discard(key)
        # durable-rules' action contexts form reference cycles that outlive a young-
        # generation collection (the CLI pauses the collector while it streams): a
        # closed period is where the memory it released is taken back, all of it
        gc.collect()

    def _retire(self, due: dict[tuple[int, Any], list[tuple[dict[str, Any], str]]]) -> None:
        """Decide the absences of the retiring roles, then drop the roles (and the facts
        and records left with none). Keys are decided DECIDE_BATCH facts to a round (the
        rules join on `k`, so keys in one round do not meet)."""
        closing: list[Finding] = []
        self.closing = closing
        batch: list[tuple[int, Any, list[tuple[dict[str, Any], str]]]] = []
        deciding: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
        size = 0
        for (u, key), roles in sorted(due.items(), key=lambda item: (item[0][0], str(item[0][1]))):
            unit = self.units[u]
            if key not in self.buckets[u]:
                continue
            marks: dict[int, dict[str, Any]] = {}
            for fact, flag in roles:
                if flag[-2:] == "p0" and int(flag[1:-2]) in unit.negated and flag in fact:
                    mark = marks.setdefault(fact["id"], {"sid": SID, "id": fact["id"] + 1})
                    mark["x" + flag[1:-2]] = True
                    if "k" in fact:
                        mark["k"] = fact["k"]
            batch.append((u, key, roles))
            if marks:
                records, counterparts = deciding.setdefault(u, ([], []))
                records.extend(marks.values())
                counterpart = self._counterparts(u, next(iter(marks.values())))
                if counterpart is not None:
                    counterparts.append(counterpart)
                size += len(marks) + 1
            if size >= DECIDE_BATCH:
                self._decide(deciding, batch)
                batch, deciding, size = [], {}, 0
        self._decide(deciding, batch)
        closing.sort(key=lambda f: f.key)
        self.pending.extend(closing)
        self.findings.extend(closing)

    def _counterparts(self, u: int, mark: dict[str, Any]) -> dict[str, Any] | None:
        """One fact standing for the archived counterparts of the mark's key (its id:
        the mark's, + 1 — unique in the round, never reported)."""
        key = mark.get("k")
        if key is None:
            return None
        roles = {flag: True for flag, keys in self.archive[u].items() if key in keys}
        return {"sid": SID, "id": mark["id"] + 1, "k": key, **roles} if roles else None

    def _decide(self, deciding: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]], batch: list[tuple[int, Any, list[tuple[dict[str, Any], str]]]]) -> None:
        """Absences by negation, in rounds of their own: durable-rules' `$not` is exact
        only when the records it decides come first, then their possible counterparts,
        then the marker (a counterpart asserted before the record, or the marker before
        either, and it fires anyway — measured on 2.0.28). The records are copies (id +
        1: one fact never plays two roles of a rule). Then the retired roles are dropped,
        and the facts and records left with none."""
        for u, (records, counterparts) in deciding.items():
            self._round(u, [*records, *counterparts, {"sid": SID, "id": END_ID, "end": True}], END_ID)
        for u, key, roles in batch:
            bucket = self.buckets[u][key]
            for fact, flag in roles:
                fact.pop(flag, None)
            kept = []
            for fact in bucket:
                if any(name[0] == "f" for name in fact):
                    kept.append(fact)
                else:
                    self._forget(self._line(fact))
            if kept:
                self.buckets[u][key] = kept
            else:
                del self.buckets[u][key]

    def _forget(self, line: int) -> None:
        left = self.refs[line] - 1
        if left:
            self.refs[line] = left
        else:
            del self.refs[line]
            del self.store[line]
            self.stats["released"] += 1

    # -- actions (called by durable-rules inside assert_fact) ---------------------------

    def _accepted(self, index: int, patterns: list[str], c: Any, distinct: bool) -> tuple[Any, tuple[int, ...], tuple[Rec, ...], dict[str, Any]] | None:
        """The combination durable-rules matched, if it is new and our compiled conditions
        (what the Rete network cannot express) hold on it: (check, lines, records, env)."""
        facts = c._m
        lines = tuple(self._line(facts[p]) for p in patterns)
        if self.newest != END_ID and self.newest not in lines:
            return None  # an older combination: reported in the round of its newest record
        seen = (index, lines)
        if seen in self.round_seen:
            self.stats["repeated_activations"] += 1
            return None
        self.round_seen.add(seen)
        if distinct and len(set(lines)) != len(lines):
            return None
        check = self.by_index[index].check
        records = tuple(self.store[line] for line in lines)
        env = {alias: rec.values for alias, rec in zip(check.alias_names, records, strict=True)}
        ctx = self.ctx
        ctx.facts = env
        for conjunct in check.conjuncts:
            if conjunct.fn(ctx, None) is not True:
                self.stats["rejected_by_residual"] += 1
                return None
        return check, lines, records, env

    def _matched(self, index: int, patterns: list[str], c: Any) -> None:
        if self.newest == END_ID:
            return  # a round deciding absences: every match was reported in its own round
        try:
            accepted = self._accepted(index, patterns, c, distinct=True)
            if accepted is None:
                return
            check, lines, records, env = accepted
            if check.absent is not None:
                self.candidates[index][lines] = records
                return
            finding = Finding(self.ledger, check, records, evaluate_flags(check, env, self.ctx))
            self.pending.append(finding)
            self.findings.append(finding)
        except BaseException as exc:  # durable-rules would swallow it
            self.errors.append(exc)

    def _absent(self, index: int, patterns: list[str], c: Any) -> None:
        """durable-rules found no counterpart for this record (fired at an end marker only)."""
        try:
            accepted = self._accepted(index, patterns, c, distinct=False)
            if accepted is None:
                return
            check, _, records, env = accepted
            self.closing.append(Finding(self.ledger, check, records, evaluate_flags(check, env, self.ctx)))
        except BaseException as exc:
            self.errors.append(exc)

    def _counterpart(self, index: int, patterns: list[str], c: Any) -> None:
        try:
            facts = c._m
            lines = tuple(self._line(facts[p]) for p in patterns)
            other = self._line(facts["q"])
            if self.newest == END_ID or (self.newest not in lines and self.newest != other):
                return
            if lines in self.matched[index] or other in lines:
                return
            check = self.by_index[index].check
            absent = check.absent
            assert absent is not None
            env = {alias: self.store[line].values for alias, line in zip(check.alias_names, lines, strict=True)}
            env[absent.alias] = self.store[other].values
            ctx = self.ctx
            ctx.facts = env
            for conjunct in absent.conjuncts:
                if conjunct.fn(ctx, None) is not True:
                    return
            self.matched[index].add(lines)
        except BaseException as exc:
            self.errors.append(exc)

    # -- the end -------------------------------------------------------------------------

    def close(self) -> list[Finding]:
        """End of the stream: report combinations that never found a counterpart, free the engine."""
        if self.closed:
            return []
        with decimal.localcontext(DECIMAL_CONTEXT):
            return self._close()

    def _close(self) -> list[Finding]:
        try:
            # every role retires: keyed rulesets decide their absences by negation ...
            due: dict[tuple[int, Any], list[tuple[dict[str, Any], str]]] = {}
            for u, unit in enumerate(self.units):
                if isinstance(unit, _KeyedRuleset):
                    for key, bucket in self.buckets[u].items():
                        due[(u, key)] = [(fact, name) for fact in bucket for name in list(fact) if name[0] == "f"]
            self.schedule = {}
            self.dates = []
            self._retire(due)
            out, self.pending = self.pending, []
            # ... the others assert each working set with the marker, then compare candidates
            closing: list[Finding] = []
            self.closing = closing
            for u, unit in enumerate(self.units):
                if isinstance(unit, _CompiledCheck):
                    if unit.negated:
                        for bucket in self.buckets[u].values():
                            # the records first, their possible counterparts next (see _decide)
                            ordered = sorted(bucket, key=lambda fact: "oq" in fact)
                            self._round(u, [*ordered, {"sid": SID, "id": END_ID, "end": True}], END_ID)
                    elif unit.check.absent is not None:
                        matched = self.matched[unit.index]
                        check = unit.check
                        for lines, records in self.candidates[unit.index].items():
                            if lines in matched:
                                continue
                            env = {alias: rec.values for alias, rec in zip(check.alias_names, records, strict=True)}
                            closing.append(Finding(self.ledger, check, records, evaluate_flags(check, env, self.ctx)))
            closing.sort(key=lambda f: f.key)
            out.extend(closing)
            self.findings.extend(closing)
            stats = dict(self.stats)
            stats["held_peak"] = self.held_peak
            self.result = Reconciliation.build(self.ledger, "stream", self.findings, dict(self.counts), stats)
        finally:
            self._release()
        out.sort(key=lambda f: f.key)
        return out

    def waiting(self) -> int:
        """Records or combinations still waiting for a counterpart: the absence findings
        only a closed period or the end of the stream could prove (reported when a
        stream stops early)."""
        total = 0
        for u, unit in enumerate(self.units):
            if isinstance(unit, _KeyedRuleset):
                marks = [f"f{i}p0" for i in unit.negated]
                total += sum(1 for bucket in self.buckets[u].values() for fact in bucket for mark in marks if mark in fact)
            elif unit.negated:
                total += sum(1 for bucket in self.buckets[u].values() for fact in bucket if "o0" in fact)
            elif unit.check.absent is not None:
                matched = self.matched.get(unit.index, set())
                total += sum(1 for lines in self.candidates.get(unit.index, {}) if lines not in matched)
        return total

    def abort(self) -> None:
        """Give up on the stream (an error): free the engine, report nothing more."""
        if not self.closed:
            self._release()

    def _release(self) -> None:
        self.closed = True
        engine = self.engine
        try:
            clean = engine.empty()
        except Exception:
            clean = False
        self.store = {}
        self.refs = {}
        self.buckets = []
        self.archive = []
        self.schedule = {}
        self.dates = []
        self.candidates = {}
        self.matched = {}
        if clean:
            self.pool.release(engine)
        else:  # never hand a ruleset with facts left in it to the next stream
            engine.stream = None
            engine.discard()

    def __enter__(self) -> LedgerStream:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def __del__(self) -> None:
        try:
            if not self.closed:
                self.abort()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass
