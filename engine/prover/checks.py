"""What is proved about each decision, and the counterexamples that refute it.

Per decision, within a time bound:
- `unique`: no two rules can hold together (in force, condition true, value present);
- `first`/`unique` without a default: every case the fact schema and the constraints allow
  is decided by some rule or left undetermined by a missing fact (never "no rule applies");
- dead rules (never in force with a true condition within the rulebook's period) and,
  under `first`, rules shadowed by earlier ones (reachable only where an earlier rule holds);
- date seams: the day before and the day of every valid_from, valid_to + 1 and parameter
  change the decision depends on, checked on their own for the gaps and overlaps above.
A counterexample is reported as a defect only when the engine confirms it (confirm.py);
otherwise the check is "not proved", with the reasons the formula is not exact.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import z3

from engine.prover.confirm import Observation, condition_holds, observe
from engine.prover.solve import Answer, Session, effort_for
from engine.prover.translate import Outcome, RuleTerms, Translator
from engine.rulebook import model as m
from engine.rulebook.facts import FactChecker

CASE_ATTEMPTS = 3  # counterexamples tried before a check is left "not proved"


@dataclass
class Finding:
    kind: str  # overlap | gap | dead | shadowed
    decision: str
    rules: list[str]
    message: str
    line: int
    column: int
    case: tuple[str, dict[str, Any]] | None = None
    observed: str = ""


@dataclass
class Unproved:
    check: str
    decision: str
    reason: str
    line: int
    column: int
    case: tuple[str, dict[str, Any]] | None = None


@dataclass
class DecisionProof:
    name: str
    policy: str
    has_default: bool
    proved: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    unproved: list[Unproved] = field(default_factory=list)
    seams: list[dt.date] = field(default_factory=list)
    seconds: float = 0.0
    bound: float = 0.0


def parameters_used(book: m.Rulebook, decision: str) -> set[str]:
    """The parameters a decision reads, through its rules, derived values and decisions."""
    seen: set[tuple[str, str]] = set()
    stack: list[tuple[str, str]] = [("decision", decision)]
    out: set[str] = set()
    while stack:
        kind, name = stack.pop()
        if (kind, name) in seen:
            continue
        seen.add((kind, name))
        expressions: list[m.Expression] = []
        if kind == "decision":
            for rule in book.decisions[name].rules:
                expressions.extend(e for e in (rule.when, rule.expr) if e is not None)
        elif kind == "derived" and name in book.derived:
            expressions.append(book.derived[name].expression)
        for expression in expressions:
            for ref_kind, ref in expression.analysis.references:
                if ref_kind == "parameter":
                    out.add(ref)
                elif ref_kind in ("derived", "decision"):
                    stack.append((ref_kind, ref))
    return out


def seam_days(book: m.Rulebook, decision: str) -> list[dt.date]:
    """Each day on which the decision's law changes (a rule starts or ends, a parameter
    it reads changes), within the rulebook's period."""
    days: set[dt.date] = set()
    for rule in book.decisions[decision].rules:
        if rule.valid_from:
            days.add(rule.valid_from)
        if rule.valid_to:
            days.add(rule.valid_to + dt.timedelta(days=1))
    for name in parameters_used(book, decision):
        days.update(entry.since for entry in book.parameters[name].values)
    low = book.valid_from + dt.timedelta(days=1) if book.valid_from else dt.date.min
    high = book.valid_to if book.valid_to else dt.date.max
    return sorted(day for day in days if low <= day <= high)


def _within(lists: set[str]) -> str:
    if not lists:
        return ""
    from engine.prover.space import LIST_ITEMS

    return f" (for lists of facts of up to {LIST_ITEMS} items: {', '.join(sorted(lists))})"


class DecisionProver:
    def __init__(
        self, book: m.Rulebook, checker: FactChecker, session: Session, translator: Translator, bound: float,
        exercised: set[tuple[str, str]] | None = None,
    ) -> None:
        self.book = book
        # (decision, rule) pairs an embedded example makes decide: the engine itself shows they
        # can apply and are reached, so the solver is not asked (the time goes to the rest)
        self.exercised = exercised or set()
        self.checker = checker
        self.session = session
        self.translator = translator
        self.bound = bound

    def _position(self, rule: m.Rule | None, decision: str) -> tuple[int, int]:
        path = rule.path if rule is not None else ("decisions", decision)
        return self.book.source_map.position(path)

    def prove(self, name: str) -> DecisionProof:
        decision = self.book.decisions[name]
        proof = DecisionProof(name, decision.hit_policy, decision.has_default, bound=self.bound)
        started = time.monotonic()
        self._deadline = started + self.bound
        outcome = self.translator.decision(name)
        overlaps = decision.hit_policy == "unique"
        coverage = decision.hit_policy in ("first", "unique") and not decision.has_default
        if overlaps:
            self._overlaps(proof, outcome)
        if coverage:
            self._coverage(proof, outcome, None)
        self._dead_and_shadowed(proof, outcome)
        proof.seams = seam_days(self.book, name)
        # A proof over every as-of date covers the seams too; where it failed or was not
        # proved, each seam (the day before and the day of the change) is checked on its
        # own, to name the dates that go wrong. Seams not proved add no new reason.
        overlaps = overlaps and "no two rules hold together" not in proof.proved
        coverage = coverage and "every case is covered" not in proof.proved
        if overlaps or coverage:
            unproved = list(proof.unproved)
            for day in proof.seams:
                for side in (day - dt.timedelta(days=1), day):
                    if overlaps:
                        self._overlaps(proof, outcome, side)
                    if coverage:
                        self._coverage(proof, outcome, side)
            proof.unproved = unproved
        elif proof.seams and (decision.hit_policy == "unique" or not decision.has_default):
            proof.proved.append(f"{len(proof.seams)} date seam(s) covered on the day before and the day of each change")
        proof.seconds = time.monotonic() - started
        return proof

    # -- asking ---------------------------------------------------------------------------

    def _remaining(self) -> float:
        return self._deadline - time.monotonic()

    def _ask(self, goal: Any, day: dt.date | None, block: list[Any] | None = None) -> Answer:
        if day is not None:
            goal = z3.And(goal, self.translator.asof == day.toordinal())
        remaining = self._remaining()
        if remaining <= 0:
            return Answer("timeout")
        # each question is also held to the effort of the whole bound, so that a question which
        # the solver cannot answer ends the same way however loaded the machine is
        return self.session.ask(goal, remaining, block, effort=effort_for(self.bound))

    def _block(self, answer: Answer) -> Any:
        """A constraint excluding the answer's case, to look for another."""
        assert answer.model is not None
        return z3.Not(z3.And(*self.translator.space.assignment(answer.model)))

    def _not_proved(self, proof: DecisionProof, check: str, answer: Answer, rule: m.Rule | None, detail: str = "") -> None:
        line, column = self._position(rule, proof.name)
        if answer.status == "timeout" or (answer.status == "unknown" and self._remaining() <= 0):
            reason = f"time bound of {self.bound:g} s for this decision reached"
        elif answer.status == "unknown":
            reason = f"the solver could not decide it (nonlinear arithmetic or quantifiers; time bound {self.bound:g} s)"
        else:
            because = "; ".join(answer.free) or "no exact translation"
            reason = f"{detail}; the formula is not exact: {because}" if detail else f"the formula is not exact: {because}"
        proof.unproved.append(Unproved(check, proof.name, reason, line, column, answer.case))

    def _search(self, goal: Any, day: dt.date | None, accept: Any) -> tuple[Answer, Observation | None, str]:
        """Up to CASE_ATTEMPTS cases satisfying the goal, until the engine confirms one."""
        blocks: list[Any] = []
        last = ""
        answer = Answer("unknown")
        for _ in range(CASE_ATTEMPTS):
            answer = self._ask(goal, day, blocks)
            if answer.status != "sat":
                return answer, None, last
            assert answer.case is not None
            verdict = accept(answer.case)
            if verdict[0]:
                return answer, verdict[1], ""
            last = verdict[2]
            blocks.append(self._block(answer))
        return Answer("sat", answer.case, answer.free, model=answer.model), None, last

    # -- the checks ----------------------------------------------------------------------------

    def _overlaps(self, proof: DecisionProof, outcome: Outcome, day: dt.date | None = None) -> None:
        label = "no overlap" if day is None else f"no overlap on {day.isoformat()}"
        clean = True
        bounded: set[str] = set()
        for a, b in itertools.combinations(outcome.rules, 2):
            if day is not None and not (a.view.in_force(day) and b.view.in_force(day)):
                continue
            if any(f.kind == "overlap" and set(f.rules) == {a.view.rule.id, b.view.rule.id} for f in proof.findings):
                continue
            goal = z3.And(a.decides, b.decides)
            ids = {a.view.rule.id, b.view.rule.id}

            def accept(case: tuple[str, dict], ids: set[str] = ids) -> tuple[bool, Observation, str]:
                seen = observe(self.book, self.checker, case[1], case[0], proof.name)
                return seen.status == "overlap" and ids <= set(seen.rules), seen, seen.describe()

            answer, seen, last = self._search(goal, day, accept)
            if answer.status == "unsat":
                bounded.update(answer.bounded)
                continue
            clean = False
            if seen is not None:
                line, column = self._position(b.view.rule, proof.name)
                when = f" on {day.isoformat()}" if day else ""
                proof.findings.append(Finding(
                    "overlap", proof.name, [a.view.rule.id, b.view.rule.id],
                    f"unique decision {proof.name!r}: rules {a.view.rule.id!r} (line {self._position(a.view.rule, proof.name)[0]}) "
                    f"and {b.view.rule.id!r} (line {line}) both hold{when}",
                    line, column, answer.case, seen.describe(),
                ))
            else:
                self._not_proved(proof, f"{label}: {a.view.rule.id} / {b.view.rule.id}", answer, b.view.rule,
                                 f"the engine did not confirm the solver's case (it {last})" if last else "")
        if clean and day is None:
            proof.proved.append("no two rules hold together" + _within(bounded))

    def _coverage(self, proof: DecisionProof, outcome: Outcome, day: dt.date | None) -> None:
        if day is not None and any(f.kind == "gap" for f in proof.findings):
            return

        def accept(case: tuple[str, dict]) -> tuple[bool, Observation, str]:
            seen = observe(self.book, self.checker, case[1], case[0], proof.name)
            return seen.status == "gap", seen, seen.describe()

        answer, seen, last = self._search(outcome.gap, day, accept)
        if answer.status == "unsat":
            if day is None:
                proof.proved.append("every case is covered" + answer.within)
            return
        if seen is not None:
            line, column = self._position(None, proof.name)
            when = f" on {day.isoformat()} (a date seam)" if day else self._seam_note(answer, proof)
            proof.findings.append(Finding(
                "gap", proof.name, [], f"decision {proof.name!r} ({proof.policy}, no default): no rule applies{when}",
                line, column, answer.case, seen.describe(),
            ))
        else:
            label = "coverage" if day is None else f"coverage on {day.isoformat()}"
            self._not_proved(proof, label, answer, None, f"the engine did not confirm the solver's case (it {last})" if last else "")

    def _dead_and_shadowed(self, proof: DecisionProof, outcome: Outcome) -> None:
        dead = shadowed = 0
        for index, rule in enumerate(outcome.rules):
            if (proof.name, rule.view.rule.id) in self.exercised:
                continue
            holds = z3.And(rule.in_force, rule.condition.true, z3.Not(rule.value.missing))
            answer = self._ask(holds, None)
            if answer.status == "unsat" and answer.bounded:
                self._within_bound_only(proof, rule, "can apply", "no case applies it", answer)
                continue
            if answer.status == "unsat":
                dead += 1
                line, column = self._position(rule.view.rule, proof.name)
                never_in_force = self._ask(rule.in_force, None).status == "unsat"
                why = "it is never in force" if never_in_force else "its condition is never true while it is in force"
                proof.findings.append(Finding(
                    "dead", proof.name, [rule.view.rule.id],
                    f"rule {rule.view.rule.id!r} of decision {proof.name!r} can never apply ({why}{self._period()})",
                    line, column,
                ))
                continue
            if answer.status != "sat":
                self._not_proved(proof, f"rule {rule.view.rule.id} can apply", answer, rule.view.rule)
                continue
            if proof.policy != "first":
                continue
            reached = outcome.decided_by[index]
            answer = self._ask(reached, None)
            if answer.status == "sat":
                continue
            if answer.status == "unsat" and answer.bounded:
                self._within_bound_only(proof, rule, "is not shadowed", "no case reaches it past the earlier rules", answer)
                continue
            if answer.status != "unsat":
                self._not_proved(proof, f"rule {rule.view.rule.id} is not shadowed", answer, rule.view.rule)
                continue
            self._shadowed(proof, outcome, index, rule, holds)
            shadowed += 1
        if dead == 0 and shadowed == 0 and not any(u.check.startswith("rule ") for u in proof.unproved):
            proof.proved.append("no dead rule" + (", no shadowed rule" if proof.policy == "first" else ""))

    def _within_bound_only(self, proof: DecisionProof, rule: RuleTerms, check: str, found: str, answer: Answer) -> None:
        """Not a defect: the solver found no case, but only among lists as short as it models;
        a longer list might make the rule apply (or reach it)."""
        line, column = self._position(rule.view.rule, proof.name)
        proof.unproved.append(Unproved(
            f"rule {rule.view.rule.id} {check}", proof.name, f"{found}{answer.within}; longer lists are not modelled", line, column,
        ))

    def _shadowed(self, proof: DecisionProof, outcome: Outcome, index: int, rule: RuleTerms, holds: Any) -> None:
        earlier = [r for r in outcome.rules[:index]]
        blockers = []
        for other in earlier:
            answer = self._ask(z3.And(holds, z3.Not(z3.Or(other.condition.false, z3.Not(other.in_force)))), None)
            if answer.status == "sat":
                blockers.append(other.view.rule.id)

        def accept(case: tuple[str, dict]) -> tuple[bool, Observation, str]:
            seen = observe(self.book, self.checker, case[1], case[0], proof.name)
            ok = condition_holds(self.book, self.checker, case[1], case[0], rule.view.rule) and rule.view.rule.id not in seen.rules
            return ok, seen, seen.describe()

        answer, seen, _ = self._search(holds, None, accept)
        line, column = self._position(rule.view.rule, proof.name)
        proof.findings.append(Finding(
            "shadowed", proof.name, [rule.view.rule.id, *blockers],
            f"rule {rule.view.rule.id!r} of decision {proof.name!r} (first) never decides: wherever it holds, "
            f"an earlier rule ({', '.join(blockers) or 'one of them'}) applies or is unknown first",
            line, column, answer.case if seen is not None else None, seen.describe() if seen is not None else "",
        ))

    def _seam_note(self, answer: Answer, proof: DecisionProof) -> str:
        """' on DAY (a date seam)' when the counterexample falls on a seam or the day before."""
        if answer.case is None:
            return ""
        day = dt.date.fromisoformat(answer.case[0])
        for seam in seam_days(self.book, proof.name):
            if day in (seam, seam - dt.timedelta(days=1)):
                return f" on {day.isoformat()} (a date seam: the law changes on {seam.isoformat()})"
        return ""

    def _period(self) -> str:
        book = self.book
        if book.valid_from or book.valid_to:
            return f" within the rulebook's period {book.valid_from or '…'} to {book.valid_to or '…'}"
        return ""
