"""Compile and run single expressions against a small declared scope, for language tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from engine.evaluate import DECIMAL_CONTEXT
from engine.language import types as t
from engine.language.checker import Checker, Symbol
from engine.language.compiler import compile_expression
from engine.language.parser import parse
from engine.language.values import MISSING

INVOICE = t.record({"id": t.STRING, "vat": t.DECIMAL, "kind": t.enum(["general", "fuel"]), "date": t.DATE})

SCOPE: dict[str, t.Type] = {
    "a": t.DECIMAL,
    "b": t.DECIMAL,
    "c": t.DECIMAL,
    "p": t.BOOLEAN,
    "q": t.BOOLEAN,
    "r": t.BOOLEAN,
    "d": t.DATE,
    "e": t.DATE,
    "s": t.STRING,
    "kind": t.enum(["general", "fuel", "exempt"]),
    "xs": t.list_of(t.DECIMAL),
    "flags": t.list_of(t.BOOLEAN),
    "invoices": t.list_of(INVOICE),
    "inv": INVOICE,
}


class FakeContext:
    """The evaluation context the compiled closures expect, with facts only."""

    def __init__(self, facts: dict[str, Any]) -> None:
        self.facts = facts
        self.missing: list[str] = []
        self.reads: dict[str, Any] | None = None

    def derived(self, name: str) -> Any:  # pragma: no cover - no derived values here
        raise AssertionError(name)

    decision = parameter = derived

    def parameter_on(self, name: str, day: dt.date) -> Any:  # pragma: no cover
        raise AssertionError(name)

    def charge(self, steps: int, where: str) -> None:
        """No budget in expression tests (tests/test_hardening_budget.py holds the real one)."""


def checker(scope: dict[str, t.Type] | None = None) -> Checker:
    scope = SCOPE if scope is None else scope

    def lookup(name: str) -> Symbol | None:
        return Symbol("fact", name, scope[name]) if name in scope else None

    return Checker(lookup, lambda: list(scope))


def compile_text(text: str, scope: dict[str, t.Type] | None = None) -> Any:
    node = parse(text)
    analysis = checker(scope).check(node)
    return compile_expression(node, analysis), analysis


def run(text: str, return_missing: bool = False, **facts: Any) -> Any:
    """Evaluate `text` with the given facts (plain Python values are made exact)."""
    fn, _ = compile_text(text)
    ctx = FakeContext({k: _exact(v) for k, v in facts.items()})
    import decimal

    with decimal.localcontext(DECIMAL_CONTEXT):
        value = fn(ctx, None)
    if return_missing:
        return value, sorted(set(ctx.missing))
    return value


def _exact(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return dt.date.fromisoformat(value)
    if isinstance(value, list):
        return [_exact(v) for v in value]
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    return value


__all__ = ["MISSING", "run", "compile_text", "checker", "D"]


def D(text: str | int) -> Decimal:  # noqa: N802 - reads like a literal in tests
    return Decimal(str(text))
