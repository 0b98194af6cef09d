"""Why a condition came out false (or unknown): the smallest part of it that decided.

An auditor asks of a rule that did not apply "which part failed, on which values?". The
compiled closure answers only true/false/unknown, so here the condition's tree is walked
once more, only when a trace is wanted: `a and b` is false because of its first false
operand, `a or b` because of every operand, `not a` because of `a`; a comparison, a name
or a call is a leaf, shown with the values it read. Sub-expressions are compiled by the
same compiler on first use and kept, so the walk costs a few closure calls per rule
traced and nothing at all when the trace is off.
"""

from __future__ import annotations

from typing import Any

from engine.i18n import word
from engine.jsonout import plain
from engine.language import nodes as n
from engine.language.checker import Analysis
from engine.language.compiler import Compiled, Compiler
from engine.language.unparse import unparse
from engine.language.values import MISSING, to_text

MAX_PARTS = 16  # an `or` of many operands is summarised by its first sixteen
_UNKNOWN_YET = object()  # Why.because: the condition's value was not given


class Part:
    """One deciding leaf: its text, its outcome and the values it read."""

    __slots__ = ("expression", "outcome", "values", "shown")

    def __init__(self, expression: str, outcome: str, values: dict[str, Any], shown: str) -> None:
        self.expression = expression
        self.outcome = outcome  # "true" | "false" | "unknown"
        self.values = values  # operand or name -> the value read (MISSING when absent)
        self.shown = shown  # the expression with its values: `a (1) > b (2)`

    def to_dict(self) -> dict[str, Any]:
        return {"expression": self.expression, "outcome": self.outcome, "values": plain(self.values)}


def _outcome(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "unknown"


class Why:
    """The explainer of one condition; built once per expression, on first use.

    What does not depend on the case is worked out once per node and kept (its text, its
    compiled closure, which operands of a comparison are constants), so that explaining
    a rule in a case costs the few closure calls that read the case's values.
    """

    def __init__(self, node: n.Node, analysis: Analysis) -> None:
        self.root = node
        self._compiler = Compiler(analysis)
        self._compiled: dict[int, Compiled] = {}
        self._texts: dict[int, str] = {}
        # id(binary node) -> (its text, its op, [(operand text, operand closure or None for a constant)])
        self._comparisons: dict[int, tuple[str, str, list[tuple[str, Compiled | None]]]] = {}

    def _text(self, node: n.Node) -> str:
        text = self._texts.get(id(node))
        if text is None:
            text = self._texts[id(node)] = unparse(node)
        return text

    def _fn(self, node: n.Node) -> Compiled:
        fn = self._compiled.get(id(node))
        if fn is None:
            fn = self._compiled[id(node)] = self._compiler.compile(node)
        return fn

    def _eval(self, ctx: Any, node: n.Node) -> tuple[Any, dict[Any, Any]]:
        """The node's value and what it read, leaving the case's bookkeeping as it was."""
        saved_missing, saved_reads = ctx.missing, ctx.reads
        ctx.missing, ctx.reads = [], {}
        try:
            return self._fn(node)(ctx, None), ctx.reads
        finally:
            ctx.missing, ctx.reads = saved_missing, saved_reads

    def because(self, ctx: Any, value: Any = _UNKNOWN_YET) -> list[Part]:
        """The deciding parts of the root condition, evaluated in case `ctx`; `value` is the
        condition's value when the caller already knows it (it is computed otherwise)."""
        if value is _UNKNOWN_YET:
            value, _ = self._eval(ctx, self.root)
        parts: list[Part] = []
        self._walk(ctx, self.root, value, parts)
        return parts

    def _walk(self, ctx: Any, node: n.Node, value: Any, parts: list[Part]) -> None:
        if len(parts) >= MAX_PARTS:
            return
        if isinstance(node, n.Unary) and node.op == "not":
            inner, _ = self._eval(ctx, node.operand)
            self._walk(ctx, node.operand, inner, parts)
            return
        if isinstance(node, n.Logical):
            settles = node.op == "or"  # a true operand settles `or`, a false one `and`
            values = []
            for operand in node.operands:
                operand_value, _ = self._eval(ctx, operand)
                if operand_value is settles and value is settles:  # the first settling operand decided alone
                    self._walk(ctx, operand, operand_value, parts)
                    return
                values.append((operand, operand_value))
            for operand, operand_value in values:
                # not settled: every operand counts (all neutral), or the unknown ones do
                if value is MISSING and operand_value is not MISSING:
                    continue
                self._walk(ctx, operand, operand_value, parts)
            return
        parts.append(self._leaf(ctx, node, value))

    def _comparison(self, node: n.Binary) -> tuple[str, str, list[tuple[str, Compiled | None]]]:
        plan = self._comparisons.get(id(node))
        if plan is None:
            operands = [(self._text(o), None if _constant(o) else self._fn(o)) for o in (node.left, node.right)]
            plan = self._comparisons[id(node)] = (self._text(node), node.op, operands)
        return plan

    def _leaf(self, ctx: Any, node: n.Node, value: Any) -> Part:
        if isinstance(node, n.Binary):
            text, op, operands = self._comparison(node)
            shown = []
            values: dict[str, Any] = {}
            saved_missing, saved_reads = ctx.missing, ctx.reads
            try:
                for operand_text, fn in operands:
                    if fn is None:  # a constant shows as written
                        shown.append(operand_text)
                        continue
                    ctx.missing, ctx.reads = [], {}
                    operand_value = fn(ctx, None)
                    values[operand_text] = operand_value
                    shown.append(f"{operand_text} ({_short(operand_value)})")
            finally:
                ctx.missing, ctx.reads = saved_missing, saved_reads
            return Part(text, _outcome(value), values, f"{shown[0]} {op} {shown[1]}")
        text = self._text(node)
        _, reads = self._eval(ctx, node)
        values = {_read_name(key): read for key, read in reads.items()}
        if isinstance(node, n.Name | n.Field) and not (value is True or value is False):
            return Part(text, _outcome(value), values, f"{text} ({_short(value)})")
        if isinstance(node, n.Name | n.Field) or not values:
            return Part(text, _outcome(value), values, text)
        listed = ", ".join(f"{name} = {_short(read)}" for name, read in values.items())
        return Part(text, _outcome(value), values, f"{text} [{listed}]")


def _constant(node: n.Node) -> bool:
    if isinstance(node, n.Literal):
        return True
    return isinstance(node, n.ListLiteral) and all(_constant(item) for item in node.items)


def _read_name(key: Any) -> str:
    if isinstance(key, tuple):  # value_on("parameter", day)
        return f"{key[0]}@{key[1].isoformat()}"
    return str(key)


def _short(value: Any) -> str:
    text = to_text(value)
    return text if len(text) <= 80 else text[:77] + "..."


def because(parts: list[Part], language: str) -> dict[str, Any]:
    """The trace's `because` (text in `language`) and `because_parts` (the same, as data)."""
    text = "; ".join(f"{part.shown} {word('is_' + part.outcome, language)}" for part in parts)
    return {"because": text, "because_parts": [part.to_dict() for part in parts]}
