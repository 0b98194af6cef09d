"""Evaluating a rulebook against the facts of one case.

Hit policies, effective dating of rules and parameters, three-valued handling of
missing facts, and the trace an auditor reads. The compiled closures do the arithmetic;
this module decides which rules run, in what order, and what is recorded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import decimal
import re
from typing import Any

from engine import jsonout, limits
from engine.i18n import fallback_warning, message
from engine.language.errors import BudgetExceeded, EvaluationError
from engine.language.values import MISSING, contains_missing, format_decimal, to_text
from engine.language.why import because
from engine.result import DecisionResult, Result
from engine.rulebook import model as m
from engine.rulebook.depgraph import dependencies_first
from engine.rulebook.facts import FactChecker, coerce_date

DECIMAL_CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CONTAINERS = (list, dict)  # what may hold a missing value inside
_FIELDS = ("name", "value", "rule", "citations", "explanation", "determined", "missing_facts", "rules")
if tuple(f.name for f in dataclasses.fields(DecisionResult))[: len(_FIELDS)] != _FIELDS:  # pragma: no cover
    raise ImportError("engine.result.DecisionResult changed its fields; update decide() in engine.evaluate")
# Trace records (see Evaluation): (_RULE, decision, rule, outcome, reads, missing, value)
# and (_DERIVED, name, value, reads, missing); a ready entry is a dict.
_RULE, _DERIVED = "rule", "derived"
_NO_READS: dict[Any, Any] = {}
_TEMPLATES: dict[str, list[str]] = {}  # explanation template -> its parts, split once
# (id(rule), language) -> (the rule, its citations as result dicts); the rule is kept, so its id stays its own
_RULE_CITATIONS: dict[tuple[int, str], tuple[m.Rule, tuple[dict[str, str], ...]]] = {}


class _Outcome:
    __slots__ = ("value", "rules", "missing", "determined")

    def __init__(self, value: Any, rules: list[m.Rule], missing: list[str], determined: bool) -> None:
        self.value = value
        self.rules = rules  # the rule that decided, or every matching rule of `collect`
        self.missing = missing
        self.determined = determined


class Evaluation:
    """One case in progress: the `ctx` the compiled expressions receive.

    The trace is recorded cheaply while deciding: per rule considered, a tuple of the rule,
    its outcome and the values it read (`_RULE`), per derived value the same (`_DERIVED`).
    The entries of the contract (condition, facts/values/parameters, `because`, citations)
    are built from those records only when the trace is read (`trace_entries`, called by
    `Result.trace`): a reader who never looks at it, or a result never serialised, pays
    nothing for `because`, which walks each failed condition again. `lazy_trace = False`
    builds every entry at the moment it is recorded (the plain path; a test holds the
    two to the same JSON for every example of every rulebook).
    """

    language = "en"  # of the trace's `because` texts
    lazy_trace = True

    def __init__(self, book: m.Rulebook, facts: dict[str, Any], as_of: dt.date, tracing: bool) -> None:
        self.book = book
        self.facts = facts
        self.as_of = as_of
        self.tracing = tracing
        self.missing: list[str] = []
        self.reads: dict[Any, Any] | None = None
        self.trace: list[dict[str, Any]] = []
        self._derived: dict[str, tuple[Any, list[str]]] = {}
        self._decisions: dict[str, _Outcome] = {}
        self.steps = limits.BUDGET.steps  # what is left of this decision's budget
        self._chaining = False  # computing a deep chain of derived values, dependencies first

    def charge(self, steps: int, where: str) -> None:
        self.steps -= steps
        if self.steps < 0:
            raise BudgetExceeded(
                f"the evaluation budget of {limits.BUDGET.steps:,} steps is spent {where} "
                "(a trusted rulebook may be given more: TAXRULES_MAX_STEPS)"
            )

    # -- what expressions reach ------------------------------------------------------

    def derived(self, name: str) -> Any:
        cached = self._derived.get(name)
        if cached is None and name in self.book.deep_derived and not self._chaining:
            self._chain(name)
            cached = self._derived.get(name)
        if cached is None:
            outer_missing, outer_reads = self.missing, self.reads
            self.missing = []
            self.reads = {} if self.tracing else None
            try:
                value = self.book.derived[name].expression.fn(self, None)  # type: ignore[misc]
                cached = (value, self.missing)
                if self.tracing:
                    self._record((_DERIVED, name, value, self.reads or {}, self.missing))
            finally:
                self.missing, self.reads = outer_missing, outer_reads
            self._derived[name] = cached
        value, missing = cached
        if missing and contains_missing(value):
            self.missing.extend(missing)
        if self.reads is not None:
            self.reads[name] = value
        return value

    def _chain(self, name: str) -> None:
        """Compute what a deep chain of derived values depends on, deepest first, so that
        each value finds the ones it reads computed and Python's stack stays one level
        deep, however long the chain (engine/rulebook/depgraph.py). A value that fails
        here is left uncomputed: it fails again, in its place, if it is really read."""
        self._chaining = True
        saved = self.missing, self.reads
        try:
            for dependency in dependencies_first(name, self.book.derived_graph, self._derived.__contains__):
                with contextlib.suppress(EvaluationError):
                    self.derived(dependency)
        finally:
            self._chaining = False
            self.missing, self.reads = saved

    def decision(self, name: str) -> Any:
        outcome = self._decisions.get(name)
        if outcome is None:
            outer_missing, outer_reads = self.missing, self.reads
            try:
                outcome = self.evaluate_decision(self.book.decisions[name])
            finally:
                self.missing, self.reads = outer_missing, outer_reads
        if not outcome.determined:
            self.missing.extend(outcome.missing)
        value = outcome.value if outcome.determined else MISSING
        if self.reads is not None:
            self.reads[name] = value
        return value

    def parameter(self, name: str) -> Any:
        entry = self.book.parameters[name].at(self.as_of)
        value = MISSING if entry is None else entry.value
        if self.reads is not None:
            self.reads[name] = value
        return value

    def parameter_on(self, name: str, day: dt.date) -> Any:
        entry = self.book.parameters[name].at(day)
        value = MISSING if entry is None else entry.value
        if self.reads is not None:
            self.reads[(name, day)] = value
        return value

    # -- decisions -------------------------------------------------------------------

    def evaluate_decision(self, decision: m.Decision) -> _Outcome:
        existing = self._decisions.get(decision.name)
        if existing is not None:
            return existing
        policy = decision.hit_policy
        collected: list[Any] = []
        matched: list[tuple[m.Rule, Any]] = []
        unknown_missing: list[str] = []
        undetermined = False
        chosen: _Outcome | None = None
        day, tracing = self.as_of, self.tracing
        for rule in decision.rules:
            # rule.in_force(day), inline: this loop is the hot path of every decision
            since, until = rule.valid_from, rule.valid_to
            if (since is not None and day < since) or (until is not None and day > until):
                if tracing:
                    self._record((_RULE, decision, rule, "not_in_force", _NO_READS, (), None))
                continue
            self.missing = []
            self.reads = {} if tracing else None
            when = rule.when
            condition = when.fn(self, None) if when is not None else True  # type: ignore[misc]
            if condition is True:
                expr = rule.expr
                value = expr.fn(self, None) if expr is not None else rule.value  # type: ignore[misc]
                if value is MISSING or (isinstance(value, _CONTAINERS) and contains_missing(value)):
                    if self.tracing:
                        self._record((_RULE, decision, rule, "true", self.reads or {}, self.missing, MISSING))
                    unknown_missing.extend(self.missing)
                    undetermined = True
                    if policy == "first":
                        break
                    continue
                if self.tracing:
                    self._record((_RULE, decision, rule, "true", self.reads or {}, (), value))
                if policy == "first":
                    chosen = _Outcome(value, [rule], [], True)
                    break
                matched.append((rule, value))
                if policy == "collect":
                    if isinstance(value, list):
                        collected.extend(value)
                    elif value is not None:
                        collected.append(value)
            elif condition is False:
                if self.tracing:
                    self._record((_RULE, decision, rule, "false", self.reads or {}, (), None))
            else:
                if self.tracing:
                    self._record((_RULE, decision, rule, "unknown", self.reads or {}, self.missing, condition))
                unknown_missing.extend(self.missing)
                undetermined = True
                if policy == "first":
                    break
        self.missing, self.reads = [], None
        if chosen is None:
            chosen = self._settle(decision, policy, matched, collected, undetermined, unknown_missing)
        self._decisions[decision.name] = chosen
        return chosen

    def _settle(
        self,
        decision: m.Decision,
        policy: str,
        matched: list[tuple[m.Rule, Any]],
        collected: list[Any],
        undetermined: bool,
        unknown_missing: list[str],
    ) -> _Outcome:
        if policy == "unique" and len(matched) > 1:
            ids = ", ".join(rule.id for rule, _ in matched)
            raise EvaluationError(
                f"{self.book.file}: decision {decision.name!r} has hit policy unique, "
                f"but rules {ids} all apply to this case"
            )
        if policy == "unique" and len(matched) == 1:
            # The rulebook promises at most one rule applies, so unknown others are moot.
            rule, value = matched[0]
            return _Outcome(value, [rule], [], True)
        if undetermined:
            return _Outcome(None, [], sorted(set(unknown_missing)), False)
        if policy == "collect":
            return _Outcome(collected, [rule for rule, _ in matched], [], True)
        if decision.has_default:
            if self.tracing:
                self.trace.append({"decision": decision.name, "rule": None, "outcome": "default", "value": jsonout.plain(decision.default)})
            return _Outcome(decision.default, [], [], True)
        raise EvaluationError(
            f"{self.book.file}: no rule of decision {decision.name!r} applies to this case "
            f"(as of {self.as_of.isoformat()}) and the decision declares no default"
        )

    # -- trace -----------------------------------------------------------------------

    def _reads_for_trace(self, reads: dict[Any, Any]) -> dict[str, Any]:
        book = self.book
        facts: dict[str, Any] = {}
        values: dict[str, Any] = {}
        parameters: dict[str, Any] = {}
        for key, value in reads.items():
            if isinstance(key, tuple):
                name, day = key
                entry = book.parameters[name].at(day)
                parameters[f"{name}@{day.isoformat()}"] = {
                    "value": jsonout.plain(value),
                    "on": day.isoformat(),
                    "from": entry.since.isoformat() if entry else None,
                    "citations": list(entry.citations) if entry else [],
                }
            elif key in book.facts:
                facts[key] = jsonout.plain(value)
            elif key in book.parameters:
                entry = book.parameters[key].at(self.as_of)
                parameters[key] = {
                    "value": jsonout.plain(value),
                    "on": self.as_of.isoformat(),
                    "from": entry.since.isoformat() if entry else None,
                    "citations": list(entry.citations or book.parameters[key].citations) if entry else [],
                }
            else:
                values[key] = jsonout.plain(value)
        out: dict[str, Any] = {"facts": facts}
        if values:
            out["values"] = values
        if parameters:
            out["parameters"] = parameters
        return out

    def _record(self, record: tuple[Any, ...]) -> None:
        if self.lazy_trace:
            self.trace.append(record)
        else:
            self.trace.append(self._entry(record))

    def trace_entries(self) -> list[dict[str, Any]]:
        """The trace as the contract shows it, built from the records (once per result).

        A condition is looked at again here, after the case is decided: every value it
        can read (facts, parameters, derived values, decisions) is final by then and was
        computed by the decision itself, so the deciding parts are the ones the decision
        saw. That second look gets a budget of its own (the decision's was for deciding).
        """
        saved = self.steps, self.missing, self.reads
        self.steps = limits.BUDGET.steps
        try:
            with decimal.localcontext(DECIMAL_CONTEXT):
                return [record if type(record) is dict else self._entry(record) for record in self.trace]
        finally:
            self.steps, self.missing, self.reads = saved

    def _entry(self, record: tuple[Any, ...]) -> dict[str, Any]:
        if record[0] is _RULE:
            return self._rule_entry(*record[1:])
        _, name, value, reads, missing = record
        unknown = contains_missing(value)
        entry = {"derived": name, "outcome": "unknown" if unknown else "computed"}
        entry.update(self._reads_for_trace(reads))
        if unknown:
            entry["missing"] = sorted(set(missing))
        entry["value"] = jsonout.plain(value)
        return entry

    def _rule_entry(
        self,
        decision: m.Decision,
        rule: m.Rule,
        outcome: str,
        reads: dict[Any, Any],
        missing: list[str],
        value: Any,
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {"decision": decision.name, "rule": rule.id, "outcome": outcome}
        if rule.valid_from or rule.valid_to:
            entry["in_force"] = {
                "from": rule.valid_from.isoformat() if rule.valid_from else None,
                "to": rule.valid_to.isoformat() if rule.valid_to else None,
            }
        when = rule.when
        entry["condition"] = when.text if when is not None else None  # the rulebook's own text, kept at load
        if outcome != "not_in_force":
            entry.update(self._reads_for_trace(reads))
            if when is not None and outcome in ("false", "unknown"):
                # `value` of an unknown record is the condition's own value (MISSING or null)
                condition = value if outcome == "unknown" else False
                entry.update(because(when.why().because(self, condition), self.language))
        if missing:
            entry["missing"] = sorted(set(missing))
        if outcome == "true":
            entry["value"] = jsonout.plain(value)
        entry["citations"] = list(rule.citations)
        return entry


def parse_as_of(value: Any) -> dt.date:
    return coerce_date(value, "as_of")


def explain_text(book: m.Rulebook, rule: m.Rule, language: str, ev: Evaluation, value: Any) -> str | None:
    template = rule.explanation.get(language) or rule.explanation.get("en")
    if template is None:
        return None
    parts = _TEMPLATES.get(template)
    if parts is None:
        if len(_TEMPLATES) > 50_000:
            _TEMPLATES.clear()
        # [text, name, text, name, ..., text]: split once, not scanned again per case
        parts = _TEMPLATES[template] = _PLACEHOLDER.split(template)
    if len(parts) == 1:
        return template
    if len(parts) == 3:
        return parts[0] + _substitute(parts[1], book, ev, value) + parts[2]
    text = parts[0]
    for i in range(1, len(parts), 2):
        text += _substitute(parts[i], book, ev, value) + parts[i + 1]
    return text


def _text(value: Any) -> str:
    """to_text(value), with the two usual kinds of value first."""
    kind = type(value)
    if kind is str:
        return value
    if kind is decimal.Decimal:
        return format_decimal(value)
    return to_text(value)


def _substitute(name: str, book: m.Rulebook, ev: Evaluation, value: Any) -> str:
    """The text of one `{name}` of an explanation."""
    if name == "value":
        return _text(value)
    if name in ev.facts:
        return _text(ev.facts[name])
    if name in book.parameters:
        entry = book.parameters[name].at(ev.as_of)
        return to_text(entry.value) if entry else "—"
    if name in book.derived:
        saved = ev.missing, ev.reads
        ev.missing, ev.reads = [], None
        try:
            return to_text(ev.derived(name))
        finally:
            ev.missing, ev.reads = saved
    if name in book.decisions:
        outcome = ev._decisions.get(name)  # noqa: SLF001
        return to_text(outcome.value) if outcome and outcome.determined else "—"
    return "{" + name + "}"


def decide(
    book: m.Rulebook,
    checker: FactChecker,
    facts: Any,
    as_of: Any = None,
    language: str = "en",
    trace: bool = True,
) -> Result:
    normalised = checker.normalise(facts, language)
    if as_of is not None:
        day, source = parse_as_of(as_of), "argument"
    elif book.as_of_fact and book.as_of_fact in normalised:
        day, source = normalised[book.as_of_fact], f"fact:{book.as_of_fact}"
    else:
        day, source = dt.date.today(), "today"
    with decimal.localcontext(DECIMAL_CONTEXT):
        ev = Evaluation(book, normalised, day, trace)
        ev.language = language
        tracing_lazily = trace and ev.lazy_trace
        if book.constraints:

            def holds(constraint: m.Constraint) -> Any:
                ev.missing, ev.reads = [], None
                return constraint.condition.fn(ev, None)  # type: ignore[misc]

            checker.check_constraints(normalised, holds, language)
        results: dict[str, DecisionResult] = {}
        missing: set[str] = set()
        outcomes: list[tuple[DecisionResult, _Outcome]] = []
        for name, decision in book.decisions.items():
            outcome = ev.evaluate_decision(decision)
            if not outcome.determined:
                missing.update(outcome.missing)
            collect = decision.hit_policy == "collect"
            # positional (a keyword call costs twice as much); the order is checked in _FIELDS
            results[name] = result = DecisionResult(
                name,  # name
                outcome.value if outcome.determined else None,  # value
                outcome.rules[0].id if outcome.rules and not collect else None,  # rule
                _citations(book, outcome, language),  # citations
                None,  # explanation
                outcome.determined,  # determined
                outcome.missing,  # missing_facts
                [rule.id for rule in outcome.rules] if collect else None,  # rules
            )
            outcomes.append((result, outcome))
        # Explanations last: their placeholders may show values computed by later decisions.
        for result, outcome in outcomes:
            result.explanation = _explanation(book, outcome, language, ev)
    warnings = []
    fallback = fallback_warning(language, book.languages, book.id)  # engine.i18n.choose_language's policy
    if fallback is not None:
        warnings.append(fallback)
    if (book.valid_from and day < book.valid_from) or (book.valid_to and day > book.valid_to):
        warnings.append(
            message("as_of_outside", language, day=day.isoformat(), start=book.valid_from or "…", end=book.valid_to or "…")
        )
    return Result(
        rulebook=book.id,
        version=book.version,
        sha256=book.sha256,
        as_of=day,
        as_of_source=source,
        language=language,
        decisions=results,
        missing_facts=sorted(missing),
        trace=ev.trace_entries if tracing_lazily else ev.trace,
        warnings=warnings,
        facts=dict(facts) if isinstance(facts, dict) else facts,
        normalised_facts=normalised,
    )


def _citations(book: m.Rulebook, outcome: _Outcome, language: str) -> list[dict[str, str]]:
    rules = outcome.rules
    if len(rules) == 1:
        # One rule decided: its citations, built once per rule and language, copied for each result.
        rule = rules[0]
        cached = _RULE_CITATIONS.get((id(rule), language))
        if cached is None or cached[0] is not rule:
            if len(_RULE_CITATIONS) > 100_000:
                _RULE_CITATIONS.clear()
            seen: dict[str, dict[str, str]] = {}
            for citation in rule.citations:
                seen.setdefault(citation, book.sources[citation].as_citation(language))
            cached = _RULE_CITATIONS[(id(rule), language)] = (rule, tuple(seen.values()))
        return [dict(citation) for citation in cached[1]]
    seen = {}
    for rule in rules:
        for citation in rule.citations:
            seen.setdefault(citation, book.sources[citation].as_citation(language))
    return list(seen.values())


def _explanation(book: m.Rulebook, outcome: _Outcome, language: str, ev: Evaluation) -> str | None:
    if not outcome.determined or not outcome.rules:
        return None
    if len(outcome.rules) == 1:
        return explain_text(book, outcome.rules[0], language, ev, outcome.value) or None
    texts = [explain_text(book, rule, language, ev, outcome.value) for rule in outcome.rules]
    return " ".join(text for text in texts if text) or None
