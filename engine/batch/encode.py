"""One-line JSON of results, fast: the bytes of `engine.jsonout.dumps(value, indent=None)`.

jsonout writes every value from Python, which is half the cost of a batch line. Here
the standard library's C encoder writes the structure and the strings; each Decimal goes
through it as a marker string carrying its exact text (a random per-process nonce, so no
string of a case can pose as one), and the markers are then replaced by the numbers.
Dates and MISSING are written as jsonout writes them. For what a result holds (text
keys, Decimal, str, bool, None, date, list, dict) the output is byte for byte jsonout's;
tests/batch/test_batch.py checks that on real results.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from decimal import Decimal
from typing import Any

from engine import jsonout
from engine.language.values import MISSING, format_decimal

_NONCE = secrets.token_hex(12)
_PREFIX = "\x00" + _NONCE + ":"
_ENCODED_PREFIX = '"\\u0000' + _NONCE + ":"
_MARKER = re.compile(re.escape(_ENCODED_PREFIX) + r'(-?[0-9]+(?:\.[0-9]+)?(?:E[+-][0-9]+)?)"')


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _PREFIX + format_decimal(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is MISSING:
        return None
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


_encode = json.JSONEncoder(
    ensure_ascii=False,
    separators=(",", ":"),
    default=_default,
    check_circular=False,
    allow_nan=False,
).encode


def dumps_line(value: Any) -> str:
    """`jsonout.dumps(value, indent=None)`, faster; falls back to it for anything unusual."""
    try:
        text = _encode(value)
    except (TypeError, ValueError):
        return jsonout.dumps(value, indent=None)  # non-text keys, NaN, ...: jsonout's own way
    if _ENCODED_PREFIX in text:
        text = _MARKER.sub(r"\1", text)
    return text
