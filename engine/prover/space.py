"""The facts of a case as solver variables, and a solver model back as a case's facts.

Each fact has a `present` boolean (absent facts are missing, the third state of the
logic) and a value: a decimal is an integer count of its smallest unit (10^-scale, the
scale one above the finest literal of the rulebook, so every counterexample is an exact
decimal), a date an integer day number, an enum one of its values' codes, a boolean a
boolean, free text a code. Lists and records of facts are not modelled: they stand in
as values the solver may choose freely (see Translator.opaque).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import z3

from engine.language.values import format_decimal
from engine.prover.symbolic import FALSE, Sym, Texts
from engine.rulebook import model as m

# Dates a counterexample may use: wide enough for any law in force, narrow enough to read.
EARLIEST = dt.date(1901, 1, 1)
LATEST = dt.date(2199, 12, 31)
MAX_SCALE = 8


def _places(value: Any) -> int:
    if isinstance(value, Decimal):
        exponent = value.normalize().as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0
    if isinstance(value, list):
        return max((_places(v) for v in value), default=0)
    if isinstance(value, dict):
        return max((_places(v) for v in value.values()), default=0)
    return 0


def _literal_places(node: Any) -> int:
    from engine.language import nodes as n

    best = 0
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, n.Literal):
            best = max(best, _places(current.value))
        stack.extend(n.children(current))
    return best


def decimal_scale(book: m.Rulebook) -> int:
    """One decimal place finer than the finest number the rulebook writes (at least cents)."""
    places = 2
    for parameter in book.parameters.values():
        for entry in parameter.values:
            places = max(places, _places(entry.value))
    expressions = [d.expression for d in book.derived.values()] + [c.condition for c in book.constraints]
    for rule in book.rules():
        expressions.extend(e for e in (rule.when, rule.expr) if e is not None)
        places = max(places, _places(rule.value))
    for expression in expressions:
        places = max(places, _literal_places(expression.node))
    for spec in book.facts.values():
        for bound in ("minimum", "maximum"):
            places = max(places, _places(spec.declaration.get(bound)))
    return min(places + 1, MAX_SCALE)


class FactSpace:
    """Solver variables for one rulebook's facts and the as-of date, shared by every query."""

    def __init__(self, book: m.Rulebook) -> None:
        self.book = book
        self.texts = Texts()
        for spec in book.facts.values():
            for value in spec.type.values:
                self.texts.code(value)
        for decision in book.decisions.values():
            for value in decision.type.values or (decision.type.item.values if decision.type.item else ()):
                self.texts.code(value)
        self.scale = decimal_scale(book)
        self.asof = z3.Int("as_of")
        self._present: dict[str, z3.BoolRef] = {}
        self._value: dict[str, Any] = {}

    def present(self, name: str) -> z3.BoolRef:
        if name not in self._present:
            self._present[name] = z3.Bool(f"present!{name}")
        return self._present[name]

    def _units(self, name: str) -> z3.ArithRef:
        return self._raw(name, z3.Int)

    def _raw(self, name: str, make: Any) -> Any:
        if name not in self._value:
            self._value[name] = make(f"fact!{name}")
        return self._value[name]

    def read(self, name: str) -> Sym | None:
        """The fact as a value, or None for lists and records (not modelled)."""
        kind = self.book.facts[name].type.kind
        missing = z3.Not(self.present(name))
        if kind == "decimal":
            return Sym("num", missing, FALSE, z3.ToReal(self._units(name)) / (10**self.scale))
        if kind == "date":
            return Sym("date", missing, FALSE, self._raw(name, z3.Int))
        if kind == "boolean":
            return Sym("bool", missing, FALSE, self._raw(name, z3.Bool))
        if kind in ("enum", "string"):
            return Sym("str", missing, FALSE, self._raw(name, z3.Int))
        return None

    def domain(self, asof_from: dt.date | None, asof_to: dt.date | None) -> list[z3.BoolRef]:
        """What the fact schema allows: enum values, number bounds, the date range, and the
        as-of date within the rulebook's period (and equal to the as-of fact when given)."""
        out: list[z3.BoolRef] = []
        low = (asof_from or EARLIEST).toordinal()
        high = (asof_to or LATEST).toordinal()
        out.append(z3.And(self.asof >= low, self.asof <= high))
        for name, spec in self.book.facts.items():
            kind = spec.type.kind
            if kind == "decimal":
                units = self._units(name)
                for bound, relation in (("minimum", "ge"), ("maximum", "le")):
                    limit = spec.declaration.get(bound)
                    if limit is not None:
                        scaled = Decimal(limit) * (10**self.scale)
                        target = int(scaled.to_integral_value(rounding="ROUND_CEILING" if relation == "ge" else "ROUND_FLOOR"))
                        out.append(units >= target if relation == "ge" else units <= target)
                out.append(z3.And(units >= -(10 ** (15 + self.scale)), units <= 10 ** (15 + self.scale)))
            elif kind == "date":
                value = self._raw(name, z3.Int)
                out.append(z3.And(value >= EARLIEST.toordinal(), value <= LATEST.toordinal()))
            elif kind == "enum":
                value = self._raw(name, z3.Int)
                out.append(z3.Or(*[value == self.texts.code(v) for v in spec.type.values]))
            elif kind == "string":
                value = self._raw(name, z3.Int)
                out.append(z3.Or(*[value == code for code in self.texts.codes.values()], value == self.texts.other))
        as_of_fact = self.book.as_of_fact
        if as_of_fact is not None and as_of_fact in self.book.facts:
            out.append(z3.Implies(self.present(as_of_fact), self._raw(as_of_fact, z3.Int) == self.asof))
        return out

    def pin(self, facts: dict[str, Any], day: dt.date) -> list[z3.BoolRef]:
        """Equations fixing the case: these (normalised) facts on this as-of date."""
        out = [self.asof == day.toordinal()]
        for name, spec in self.book.facts.items():
            present = self.present(name)
            if name not in facts:
                out.append(z3.Not(present))
                continue
            out.append(present)
            value = facts[name]
            kind = spec.type.kind
            if kind == "decimal":
                units = Decimal(value) * (10**self.scale)
                if units == units.to_integral_value():
                    out.append(self._units(name) == int(units))
                else:  # finer than the scale: the value itself, as a rational
                    out.append(z3.ToReal(self._units(name)) / (10**self.scale) == z3.RealVal(str(value)))
            elif kind == "date":
                out.append(self._raw(name, z3.Int) == value.toordinal())
            elif kind == "boolean":
                out.append(self._raw(name, z3.Bool) == z3.BoolVal(value))
            elif kind in ("enum", "string"):
                code = self.texts.codes.get(value, self.texts.other)
                out.append(self._raw(name, z3.Int) == code)
        return out

    def assignment(self, model: z3.ModelRef) -> list[z3.BoolRef]:
        """The model's as-of date, presence of facts and values of the present ones, as equations."""
        out = [self.asof == model.eval(self.asof, model_completion=True)]
        for name, present in self._present.items():
            value = model.eval(present, model_completion=False)
            if not (z3.is_true(value) or z3.is_false(value)):
                continue
            out.append(present == value)
            if z3.is_true(value) and name in self._value:
                out.append(self._value[name] == model.eval(self._value[name], model_completion=True))
        return out

    def case(self, model: z3.ModelRef, names: list[str] | None = None) -> tuple[str, dict[str, Any]]:
        """The as-of date and the facts a model gives (absent facts are left out)."""
        asof = dt.date.fromordinal(model.eval(self.asof, model_completion=True).as_long())
        facts: dict[str, Any] = {}
        for name in names if names is not None else list(self.book.facts):
            spec = self.book.facts[name]
            if name not in self._present:
                continue
            if not z3.is_true(model.eval(self._present[name], model_completion=False)):
                continue
            kind = spec.type.kind
            if kind not in ("decimal", "date", "boolean", "enum", "string"):
                continue
            raw = model.eval(self._value[name], model_completion=True) if name in self._value else None
            if raw is None:
                continue
            if kind == "decimal":
                facts[name] = Decimal(format_decimal((Decimal(raw.as_long()) / (10**self.scale)).normalize()))
            elif kind == "date":
                facts[name] = dt.date.fromordinal(raw.as_long()).isoformat()
            elif kind == "boolean":
                facts[name] = z3.is_true(raw)
            else:
                facts[name] = self.texts.text(raw.as_long())
        return asof.isoformat(), facts
