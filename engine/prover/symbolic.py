"""Values of the expression language as solver terms, with the engine's three-valued logic.

A runtime value is missing (MISSING), null (None) or present; `Sym` keeps the two flags
as solver booleans beside the present value, so every operation can follow the compiler
(engine/language/compiler.py) case by case: arithmetic on a missing operand is missing,
`false and unknown` is false, an ordering with null is unknown, null equals only null.

Kinds and their solver sorts: `bool` (Bool), `num` (Real: decimals are exact rationals),
`date` (Int: the proleptic ordinal of datetime.date), `str` (Int: a code from the
rulebook's table of texts, see `Texts`), `list` (a fixed number of items, each with a
solver boolean saying whether it is in the list), `record` (named fields), `null` (only
ever null). A value the translation cannot express raises `Untranslatable`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import z3

from engine.prover.civil import QUARTER_LABEL_BASE

_QUARTER_LABEL = re.compile(r"^(\d{4})-Q([1-4])$")

TRUE = z3.BoolVal(True)
FALSE = z3.BoolVal(False)


class Untranslatable(Exception):
    """An expression the solver back end cannot express exactly; the message says why."""


@dataclass(frozen=True)
class Sym:
    kind: str  # bool | num | date | str | list | record | null
    missing: z3.BoolRef
    null: z3.BoolRef
    val: Any = None  # the solver term of a present scalar
    items: tuple[tuple[z3.BoolRef, Sym], ...] | None = None  # list: (is in the list, item)
    fields: dict[str, Sym] | None = None  # record
    why: str = ""  # for a stand-in of unknown kind: why it could not be translated
    origin: str = ""  # for a stand-in: its solver name (the same stand-in is the same value)

    @property
    def present(self) -> z3.BoolRef:
        """Neither missing nor null: the value can be computed with."""
        return z3.And(z3.Not(self.missing), z3.Not(self.null))

    # -- three-valued truth of a boolean ---------------------------------------------------

    @property
    def true(self) -> z3.BoolRef:
        if self.kind == "null":
            return FALSE
        self.expect("bool")
        return z3.And(self.present, self.val)

    @property
    def false(self) -> z3.BoolRef:
        if self.kind == "null":
            return FALSE
        self.expect("bool")
        return z3.And(self.present, z3.Not(self.val))

    @property
    def unknown(self) -> z3.BoolRef:
        return z3.Not(z3.Or(self.true, self.false))

    def expect(self, *kinds: str) -> None:
        if self.kind == "opaque" and self.why:
            raise Untranslatable(self.why)
        if self.kind not in kinds:
            raise Untranslatable(f"a {self.kind} value where {' or '.join(kinds)} was expected")


def const_num(value: Decimal | int) -> z3.ArithRef:
    return z3.RealVal(str(value))


def missing(kind: str = "null") -> Sym:
    return Sym(kind, TRUE, FALSE, _default_val(kind), () if kind == "list" else None, {} if kind == "record" else None)


def null() -> Sym:
    return Sym("null", FALSE, TRUE)


def present(kind: str, val: Any) -> Sym:
    return Sym(kind, FALSE, FALSE, val)


def boolean(condition: z3.BoolRef) -> Sym:
    return Sym("bool", FALSE, FALSE, condition)


def _default_val(kind: str) -> Any:
    return {"bool": FALSE, "num": z3.RealVal(0), "date": z3.IntVal(0), "str": z3.IntVal(-1)}.get(kind)


def ite(condition: z3.BoolRef, a: Sym, b: Sym) -> Sym:
    """The value that is `a` where `condition` holds and `b` elsewhere."""
    if z3.is_true(condition):
        return a
    if z3.is_false(condition):
        return b
    kind = a.kind if a.kind != "null" else b.kind
    if a.kind != "null" and b.kind != "null" and a.kind != b.kind:
        raise Untranslatable(f"a value that is {a.kind} or {b.kind}")
    missing_ = z3.If(condition, a.missing, b.missing)
    null_ = z3.If(condition, a.null, b.null)
    if kind == "list":
        return Sym("list", missing_, null_, items=_ite_items(condition, a.items or (), b.items or ()))
    if kind == "record":
        fa, fb = a.fields or {}, b.fields or {}
        fields = {name: ite(condition, fa.get(name, missing()), fb.get(name, missing())) for name in {**fa, **fb}}
        return Sym("record", missing_, null_, fields=fields)
    if kind == "null":
        return Sym("null", missing_, null_)
    if kind == "opaque" and a.kind == b.kind and a.origin and a.origin == b.origin:
        return Sym("opaque", missing_, null_, why=a.why, origin=a.origin)  # one stand-in either way
    if kind not in ("bool", "num", "date", "str"):
        raise Untranslatable(f"a choice between {kind} values")
    va = a.val if a.val is not None else _default_val(kind)
    vb = b.val if b.val is not None else _default_val(kind)
    return Sym(kind, missing_, null_, z3.If(condition, va, vb))


def _ite_items(
    condition: z3.BoolRef, a: tuple[tuple[z3.BoolRef, Sym], ...], b: tuple[tuple[z3.BoolRef, Sym], ...]
) -> tuple[tuple[z3.BoolRef, Sym], ...]:
    out = []
    for i in range(max(len(a), len(b))):
        ia, sa = a[i] if i < len(a) else (FALSE, missing())
        ib, sb = b[i] if i < len(b) else (FALSE, missing())
        out.append((z3.If(condition, ia, ib), ite(condition, sa, sb)))
    return tuple(out)


def holds_missing(value: Sym) -> z3.BoolRef:
    """A list or record with a missing value somewhere inside (in an item in the list, or
    a field): the engine's `contains_missing`, which leaves a decision undetermined."""
    if value.kind == "list":
        parts = [z3.And(included, z3.Or(item.missing, holds_missing(item))) for included, item in value.items or ()]
        return z3.Or(*parts) if parts else FALSE
    if value.kind == "record":
        parts = [z3.Or(field.missing, holds_missing(field)) for field in (value.fields or {}).values()]
        return z3.Or(*parts) if parts else FALSE
    return FALSE


def settled(value: Sym) -> Sym:
    """A rule's value as the engine takes it: missing also when a list or record holds a
    missing value (the rule then leaves the decision undetermined)."""
    if value.kind not in ("list", "record"):
        return value
    inner = holds_missing(value)
    if z3.is_false(z3.simplify(inner)):
        return value
    gone = z3.Or(value.missing, value.null)
    return Sym(value.kind, z3.Or(value.missing, z3.And(z3.Not(gone), inner)), value.null, value.val, value.items, value.fields,
               value.why, value.origin)


def merge_missing(*values: Sym) -> z3.BoolRef:
    return z3.Or(*[v.missing for v in values]) if values else FALSE


def strict_flags(values: list[Sym]) -> tuple[z3.BoolRef, z3.BoolRef]:
    """(missing, null) of a function call: the first argument that is missing or null decides."""
    missing_: z3.BoolRef = FALSE
    null_: z3.BoolRef = FALSE
    settled: z3.BoolRef = FALSE
    for value in values:
        missing_ = z3.Or(missing_, z3.And(z3.Not(settled), value.missing))
        null_ = z3.Or(null_, z3.And(z3.Not(settled), z3.Not(value.missing), value.null))
        settled = z3.Or(settled, value.missing, value.null)
    return missing_, null_


def equal(a: Sym, b: Sym) -> z3.BoolRef:
    """`_eq(a, b)` of two values neither of which is missing: null equals only null."""
    both_null = z3.And(a.null, b.null)
    one_null = z3.Xor(a.null, b.null)
    if a.kind == "null" or b.kind == "null":
        return z3.Or(both_null, z3.And(z3.Not(one_null), FALSE))
    if a.kind != b.kind:
        # a boolean never equals a number; a date never equals text
        return both_null
    if a.kind == "record" or a.kind == "list":
        raise Untranslatable(f"equality of {a.kind}s")
    return z3.Or(both_null, z3.And(z3.Not(a.null), z3.Not(b.null), a.val == b.val))


def kleene(op: str, operands: list[Sym]) -> Sym:
    """`and` / `or` over two or more operands, settled by the first false / true one."""
    if op == "and":
        settled = z3.Or(*[o.false for o in operands])
        neutral = z3.And(*[o.true for o in operands])
        return Sym("bool", z3.And(z3.Not(settled), z3.Not(neutral)), FALSE, neutral)
    settled = z3.Or(*[o.true for o in operands])
    neutral = z3.And(*[o.false for o in operands])
    return Sym("bool", z3.And(z3.Not(settled), z3.Not(neutral)), FALSE, settled)


def negate(a: Sym) -> Sym:
    return Sym("bool", z3.Not(z3.Or(a.true, a.false)), FALSE, a.false)


@dataclass
class Texts:
    """Every text a rulebook can compare: enum values and string literals, each a code.

    Free text facts range over these codes and one more, `other`, which stands for any
    text the rulebook never names (written into counterexamples as a placeholder).
    """

    codes: dict[str, int] = field(default_factory=dict)

    def code(self, text: str) -> int:
        if text not in self.codes:
            label = _QUARTER_LABEL.match(text)
            if label:  # the code quarter_label() computes (engine/prover/civil.py)
                self.codes[text] = QUARTER_LABEL_BASE + 10 * int(label.group(1)) + int(label.group(2))
            else:
                self.codes[text] = len(self.codes)
        return self.codes[text]

    @property
    def other(self) -> int:
        return 1_000_000

    def text(self, code: int) -> str:
        for text, value in self.codes.items():
            if value == code:
                return text
        if code > QUARTER_LABEL_BASE:
            year, quarter = divmod(code - QUARTER_LABEL_BASE, 10)
            return f"{year:04d}-Q{quarter}"
        return "any other text"


def from_python(value: Any, texts: Texts) -> Sym:
    """A literal value of the rulebook (a parameter's value, a rule's literal value)."""
    import datetime as dt

    if value is None:
        return null()
    if isinstance(value, bool):
        return present("bool", z3.BoolVal(value))
    if isinstance(value, Decimal | int):
        return present("num", const_num(value))
    if isinstance(value, dt.date):
        return present("date", z3.IntVal(value.toordinal()))
    if isinstance(value, str):
        return present("str", z3.IntVal(texts.code(value)))
    if isinstance(value, list):
        return Sym("list", FALSE, FALSE, items=tuple((TRUE, from_python(v, texts)) for v in value))
    if isinstance(value, dict):
        return Sym("record", FALSE, FALSE, fields={k: from_python(v, texts) for k, v in value.items()})
    raise Untranslatable(f"a value of type {type(value).__name__}")
