"""Runtime values: Decimal, str, bool, None, date, list, dict (records), and MISSING.

MISSING is the value of a fact that the case does not give. It is not None (null is a
value a rule may return); operations on it yield MISSING, which three-valued logic then
resolves where it can (`false and unknown` is false).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        raise TypeError("MISSING has no truth value; test `is MISSING`")

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def contains_missing(value: Any) -> bool:
    if value is MISSING:
        return True
    if isinstance(value, list):
        return any(contains_missing(v) for v in value)
    if isinstance(value, dict):
        return any(contains_missing(v) for v in value.values())
    return False


def type_name(value: Any) -> str:
    if value is MISSING:
        return "missing"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Decimal):
        return "decimal"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "record"
    return type(value).__name__


_PLAIN_EXPONENT = 64  # beyond 10^±64 a number is written with an exponent, not in full


def format_decimal(value: Decimal) -> str:
    """Plain positional notation (1E+1 is written 10) for every number a rule can
    meet; a number further than 10^±64 from one, which input bounds keep out but a
    rulebook may still compute, keeps its exponent (1E+999999, a valid JSON number)
    instead of being expanded into a million digits."""
    if not value.is_finite():
        raise ValueError(f"not a finite number: {value}")
    if not -_PLAIN_EXPONENT <= value.adjusted() <= _PLAIN_EXPONENT:
        return "0" if value.is_zero() else str(value).replace("e", "E")
    text = format(value, "f")
    return "0" if text in ("-0", "-0.0") else text


def to_text(value: Any) -> str:
    """A value as a person reads it (explanations, the text output)."""
    if value is MISSING:
        return "—"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(to_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {to_text(v)}" for k, v in value.items()) + "}"
    return str(value)
