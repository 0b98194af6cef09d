"""The streaming executor: each check as a durable-rules ruleset, fed one record at a time.

Each check compiles to a ruleset defined as data and registered on a private
`durable.engine.Host` (one per stream engine; no dispatch threads: every action runs
inside the `assert_fact` call that triggered it, so a finding is known before the next
record is read). A record is asserted, once per ruleset of a check that can use it, as a
fact holding:

- `id`: its line (durable-rules treats two facts with equal content as one, so every
  fact carries its own id — or a twice-booked sale would be "already observed");
- `o0`, `o1`, …, `oq`: true for each alias (role) the record can play — its type, the
  conditions that read that alias only (evaluated by our compiled expressions: Decimal
  arithmetic, dates, functions), and the presence of its join values;
- `a<j>`/`b<j>`: its sides of the check's joins, encoded losslessly as typed text
  (`planner.encode`): equalities are the ruleset's conditions.

A rule fires when the last record of a combination arrives; its action then evaluates
every condition of the check with our compiled expressions (durable-rules only narrows
the candidates) and emits the finding. A check with an `absent` part has a second rule
matching the combination together with a counterpart; combinations never matched by it
are reported when the stream ends.

Traps handled here (see /work/shared/notes/durable-rules.md): facts are asserted one by
one (batch assertion loses matches); a session knows a fact only by the 32-bit hash of
its id, so an id whose hash is taken is replaced by a stand-in (`_unique_id`); pattern
aliases are `p0`, `p1`, …, `q` (never `s` or `m`); values travel as JSON, so they are encoded as text, long text as a digest
(durable-rules keeps string lengths in 16 bits); exceptions raised inside an action are
swallowed by durable-rules, so actions catch and keep them and `push` re-raises;
`delete_state` crashes the process and `delete_ruleset` frees almost nothing, so a
finished stream retracts every fact it asserted, checks the rulesets are empty and
returns its engine to a pool for the next stream.
"""

from __future__ import annotations

import contextlib
import decimal
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

_names = itertools.count(1)
_registry_lock = threading.Lock()
MAX_IDLE_ENGINES = 2
# Facts are spread over this many durable-rules sessions (sids) by the hash of their join
# key: records that can join share a key, hence a session. durable-rules' indexes have a
# fixed number of buckets, so one session with 100 000 facts makes every assertion walk
# long chains (throughput falls with the size of the book); many small sessions do not.
SESSIONS = 256
END_ID = 0  # the end-of-stream marker's fact id (record lines start at 1)
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
        index = self.index
        out = {}
        for name, rule in self.definition.items():
            if name == "counterpart":
                out[name] = dict(rule, run=lambda c: engine.sink_counterpart(index, c))
            elif name == "absent":
                out[name] = dict(rule, run=lambda c: engine.sink_absent(index, c))
            else:
                out[name] = dict(rule, run=lambda c: engine.sink_matched(index, c))
        return out

    def facts(self, rec: Rec, ctx: Ctx, memo: dict[str, Any]) -> list[dict[str, Any]]:
        """The record as facts of this ruleset: one per role it can play. A fact playing two
        roles of one ruleset (a self-join) makes durable-rules read freed frame memory when
        it is retracted (valgrind), so each role gets its own fact, id = line × 16 + role."""
        specs = self.specs_by_type.get(rec.type)
        if not specs:
            return []
        out: list[dict[str, Any]] = []
        for spec in specs:
            attributes: dict[str, Any] = {}
            if not spec.attributes(ctx, rec.values, attributes, memo):
                continue
            if self.mode == "key":
                value = attributes.get(self.partition[spec.alias])
                session = str((hash(value) if value is not None else rec.line) % SESSIONS)
            elif self.mode == "line":
                session = str(rec.line % SESSIONS)
            else:
                session = "0"
            attributes["sid"] = session
            attributes["id"] = rec.line * ROLE_IDS + spec.number
            attributes["t"] = rec.type
            out.append(attributes)
        return out


class StreamEngine:
    """A private Host with one ruleset per check. Used by one stream at a time, then,
    emptied, by the next (see the module note on durable-rules memory)."""

    def __init__(self, ledger: lm.Ledger, plans: list[CheckPlan]) -> None:
        self.host = _Host()
        self.sink: LedgerStream | None = None
        self.checks: list[_CompiledCheck] = []
        serial = next(_names)
        for i, plan in enumerate(plans):
            self.checks.append(_CompiledCheck(plan, i, f"taxrules_{serial}_{i}_{plan.check.id}", ledger))
        self.by_type: dict[str, list[_CompiledCheck]] = {}
        for compiled in self.checks:
            for record_type in compiled.specs_by_type:
                self.by_type.setdefault(record_type, []).append(compiled)

    def register(self) -> list[tuple[lm.Check, str]]:
        """Register every ruleset; (check, message) for each one durable-rules rejects."""
        problems = []
        for compiled in self.checks:
            try:
                with _registry_lock:
                    self.host.register_rulesets({compiled.name: compiled.rules(self)})
            except Exception as exc:  # durable-rules says only "error code: 109"
                problems.append((compiled.check, f"check {compiled.check.id!r}: durable-rules rejected its ruleset ({exc}); definition: {compiled.definition}"))
        return problems

    def sink_matched(self, index: int, c: Any) -> None:
        sink = self.sink
        if sink is not None:
            sink._matched(index, c)

    def sink_absent(self, index: int, c: Any) -> None:
        sink = self.sink
        if sink is not None:
            sink._absent(index, c)

    def sink_counterpart(self, index: int, c: Any) -> None:
        sink = self.sink
        if sink is not None:
            sink._counterpart(index, c)

    def empty(self, sessions: set[tuple[str, str]]) -> bool:
        """No fact left in any session a stream used."""
        return all(not self.host.get_facts(name, session) for name, session in sessions)

    def discard(self) -> None:
        import durable_rules_engine

        for compiled in self.checks:
            with contextlib.suppress(Exception):  # best effort: it frees little anyway
                durable_rules_engine.delete_ruleset(self.host.get_ruleset(compiled.name)._handle)


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
        engine.sink = None
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

        with book.stream() as stream:
            for record in records:
                for finding in stream.push(record):
                    ...
            for finding in stream.close():      # findings of absence, at the end
                ...
        stream.result                            # the Reconciliation (summary, counts)
    """

    def __init__(self, ledger: lm.Ledger, plans: list[CheckPlan], normaliser: Normaliser) -> None:
        self.ledger = ledger
        self.plans = plans
        self.normalise = normaliser
        self.pool = pool_for(ledger, plans)
        self.engine = self.pool.acquire()
        self.engine.sink = self
        self.ctx = Ctx()
        self.store: dict[int, Rec] = {}
        self.asserted: list[tuple[str, dict[str, Any]]] = []
        # message hashes in use per (ruleset, session) — its keys are the sessions used —
        # and the stand-in ids (negative) of facts whose own id would collide
        self.message_hashes: dict[tuple[str, str], set[int]] = {}
        self.stand_ins: dict[int, int] = {}
        self.next_stand_in = -1
        self.pending: list[Finding] = []
        self.findings: list[Finding] = []
        self.candidates: list[dict[tuple[int, ...], tuple[Rec, ...]]] = [{} for _ in plans]
        self.matched: list[set[tuple[int, ...]]] = [set() for _ in plans]
        self.seen: list[set[tuple[int, ...]]] = [set() for _ in plans]
        self.closing: list[Finding] = []
        self.counts: Counter[str] = Counter()
        self.errors: list[BaseException] = []
        self.stats: Counter[str] = Counter()
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
        host = self.engine.host
        stored = False
        memo: dict[str, Any] = {}
        for compiled in self.engine.by_type.get(rec.type, ()):
            for fact in compiled.facts(rec, self.ctx, memo):
                if not stored:
                    self.store[rec.line] = rec
                    stored = True
                self._unique_id(compiled.name, fact)
                try:
                    host.assert_fact(compiled.name, fact)
                except durable_engine.MessageNotHandledException:  # pragma: no cover - every fact has a role
                    continue
                self.asserted.append((compiled.name, fact))
                self.stats["facts"] += 1
                if self.errors:
                    error = self.errors[0]
                    self.abort()
                    raise error
        out, self.pending = self.pending, []
        return out

    @property
    def sessions(self) -> set[tuple[str, str]]:
        """The (ruleset, session) pairs this stream has asserted facts in."""
        return set(self.message_hashes)

    def _unique_id(self, ruleset: str, fact: dict[str, Any]) -> None:
        """Give the fact a stand-in id if its own collides, in durable-rules' eyes, with
        a fact already in its session (see _message_hash)."""
        in_use = self.message_hashes.setdefault((ruleset, fact["sid"]), set())
        digest = _message_hash(fact["id"])
        if digest in in_use:
            original = fact["id"]
            while digest in in_use:
                stand_in = self.next_stand_in
                self.next_stand_in -= 1
                digest = _message_hash(stand_in)
            self.stand_ins[stand_in] = original
            fact["id"] = stand_in
            self.stats["stand_in_ids"] += 1
        in_use.add(digest)

    def _line(self, fact: dict[str, Any]) -> int:
        """The line of the record a fact stands for."""
        fact_id = fact["id"]
        return (self.stand_ins[fact_id] if fact_id < 0 else fact_id) // ROLE_IDS

    def feed(self, records: Iterable[tuple[int, Any]]) -> Iterator[Finding]:
        """(line, raw record) pairs in; every finding out, those of absence at the end."""
        for line, raw in records:
            yield from self.push(raw, line)
        yield from self.close()

    # -- actions (called by durable-rules inside assert_fact) ---------------------------

    def _accepted(self, index: int, c: Any, distinct: bool) -> tuple[Any, tuple[int, ...], tuple[Rec, ...], dict[str, Any]] | None:
        """The combination durable-rules matched, if it is new and our compiled conditions
        (what the Rete network cannot express) hold on it: (check, lines, records, env)."""
        compiled = self.engine.checks[index]
        facts = c._m
        lines = tuple(self._line(facts[p]) for p in compiled.patterns)
        if lines in self.seen[index]:
            self.stats["repeated_activations"] += 1
            return None
        if distinct and len(set(lines)) != len(lines):
            return None
        check = self.plans[index].check
        records = tuple(self.store[line] for line in lines)
        env = {alias: rec.values for alias, rec in zip(check.alias_names, records, strict=True)}
        ctx = self.ctx
        ctx.facts = env
        for conjunct in check.conjuncts:
            if conjunct.fn(ctx, None) is not True:
                self.stats["rejected_by_residual"] += 1
                return None
        self.seen[index].add(lines)
        return check, lines, records, env

    def _matched(self, index: int, c: Any) -> None:
        try:
            accepted = self._accepted(index, c, distinct=True)
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

    def _absent(self, index: int, c: Any) -> None:
        """durable-rules found no counterpart for this record (fired at the end only)."""
        try:
            accepted = self._accepted(index, c, distinct=False)
            if accepted is None:
                return
            check, _, records, env = accepted
            self.closing.append(Finding(self.ledger, check, records, evaluate_flags(check, env, self.ctx)))
        except BaseException as exc:
            self.errors.append(exc)

    def _counterpart(self, index: int, c: Any) -> None:
        try:
            compiled = self.engine.checks[index]
            facts = c._m
            lines = tuple(self._line(facts[p]) for p in compiled.patterns)
            if lines in self.matched[index]:
                return
            other = self._line(facts["q"])
            if other in lines:
                return
            check = self.plans[index].check
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
        out: list[Finding] = []
        try:
            host = self.engine.host
            self.closing = []
            for compiled in self.engine.checks:
                if not compiled.negated:
                    continue
                for name, session in sorted(self.sessions):
                    if name != compiled.name:
                        continue
                    marker = {"sid": session, "id": END_ID, "end": True}
                    self._unique_id(name, marker)
                    host.assert_fact(name, marker)
                    self.asserted.append((name, marker))
                    if self.errors:
                        raise self.errors[0]
            out.extend(self.closing)
            for index, plan in enumerate(self.plans):
                check = plan.check
                if check.absent is None or self.engine.checks[index].negated:
                    continue
                matched = self.matched[index]
                for lines, records in self.candidates[index].items():
                    if lines in matched:
                        continue
                    env = {alias: rec.values for alias, rec in zip(check.alias_names, records, strict=True)}
                    out.append(Finding(self.ledger, check, records, evaluate_flags(check, env, self.ctx)))
            out.sort(key=lambda f: f.key)
            self.findings.extend(out)
            self.result = Reconciliation.build(self.ledger, "stream", self.findings, dict(self.counts), dict(self.stats))
        finally:
            self._release()
        return out

    def waiting(self) -> int:
        """Record combinations still waiting for a counterpart: the absence findings that
        only the end of the stream could prove (reported when a stream stops early)."""
        total = 0
        for plan, candidates, matched in zip(self.plans, self.candidates, self.matched, strict=False):
            if plan.check.absent is not None:
                total += sum(1 for lines in candidates if lines not in matched)
        return total

    def abort(self) -> None:
        """Give up on the stream (an error): free the engine, report nothing more."""
        if not self.closed:
            self._release()

    def _release(self) -> None:
        self.closed = True
        engine = self.engine
        host = engine.host
        try:
            for name, fact in self.asserted:  # oldest first: in reverse order valgrind sees durable-rules read freed frames
                host.retract_fact(name, fact)
            clean = engine.empty(self.sessions)
        except Exception:
            clean = False
        self.asserted = []
        self.message_hashes = {}
        self.stand_ins = {}
        self.store = {}
        self.candidates = []
        self.matched = []
        self.seen = []
        if clean:
            self.pool.release(engine)
        else:  # never hand a ruleset with facts left in it to the next stream
            engine.sink = None
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
