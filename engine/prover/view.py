"""What the solver reads of a rulebook: its rules, parameters and derived values.

The prover reads a loaded rulebook as it is; the mutation tester reads the same rulebook
with one change (a rule's condition, value or dates, a derived value, a parameter). A
`BookView` is the rulebook seen through such a change, so one translation serves both.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from engine.language import nodes as n
from engine.rulebook import model as m


@dataclass(frozen=True)
class RuleView:
    rule: m.Rule  # the rule as loaded: id, decision, citations, position
    when: n.Node | None
    expr: n.Node | None
    value: Any
    valid_from: dt.date | None
    valid_to: dt.date | None

    @classmethod
    def of(cls, rule: m.Rule) -> RuleView:
        return cls(
            rule,
            rule.when.node if rule.when is not None else None,
            rule.expr.node if rule.expr is not None else None,
            rule.value,
            rule.valid_from,
            rule.valid_to,
        )

    def in_force(self, day: dt.date) -> bool:
        if self.valid_from is not None and day < self.valid_from:
            return False
        return not (self.valid_to is not None and day > self.valid_to)


@dataclass(frozen=True)
class Change:
    """One change to a rulebook: a rule replaced, a parameter's values or a derived value."""

    rules: tuple[tuple[tuple[str, int], RuleView], ...] = ()  # ((decision, index), rule)
    parameters: tuple[tuple[str, tuple[m.ParameterValue, ...]], ...] = ()
    derived: tuple[tuple[str, n.Node], ...] = ()
    tag: str = ""  # names the change in solver variables that must not be shared


class BookView:
    def __init__(self, book: m.Rulebook, change: Change | None = None) -> None:
        self.book = book
        self.change = change or Change()
        self._rules = dict(self.change.rules)
        self._parameters = dict(self.change.parameters)
        self._derived = dict(self.change.derived)
        self.tag = self.change.tag

    def rules(self, decision: str) -> list[RuleView]:
        return [
            self._rules.get((decision, i)) or RuleView.of(rule)
            for i, rule in enumerate(self.book.decisions[decision].rules)
        ]

    def parameter_values(self, name: str) -> list[m.ParameterValue]:
        if name in self._parameters:
            return list(self._parameters[name])
        return list(self.book.parameters[name].values)

    def derived_node(self, name: str) -> n.Node:
        return self._derived.get(name) or self.book.derived[name].expression.node

    @property
    def changed_parameters(self) -> set[str]:
        return set(self._parameters)

    @functools.cached_property
    def affected(self) -> set[str]:
        """The names whose value the change can alter: changed parameters and derived
        values, decisions with a changed rule, and whatever reads one of them."""
        book = self.book
        out = set(self._parameters) | set(self._derived) | {decision for decision, _ in self._rules}
        readers: dict[str, set[str]] = {}
        for name, derived in book.derived.items():
            readers[name] = {ref for _, ref in derived.expression.analysis.references}
        for name, decision in book.decisions.items():
            refs: set[str] = set()
            for rule in decision.rules:
                for expression in (rule.when, rule.expr):
                    if expression is not None:
                        refs.update(ref for _, ref in expression.analysis.references)
            readers[name] = refs
        grew = True
        while grew:
            grew = False
            for name, refs in readers.items():
                if name not in out and refs & out:
                    out.add(name)
                    grew = True
        return out
