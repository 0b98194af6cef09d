"""JSON output with exact decimals.

The standard library writes Decimal only through float; tax amounts must appear exactly
as computed (`0.1`, never `0.1000000000000000055`), so values are written by hand here:
Decimal as a plain JSON number, dates as ISO text, everything else as json does.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from decimal import Decimal
from typing import Any

import msgspec

from engine.language.values import MISSING, format_decimal
from engine.limits import loads_json

_encode_string = json.JSONEncoder(ensure_ascii=False).encode


def plain(value: Any) -> Any:
    """A runtime value as JSON-ready data (Decimal kept for the writer below)."""
    if value is MISSING:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def dumps(value: Any, indent: int | None = 2) -> str:
    parts: list[str] = []
    _write(value, parts, indent, 0)
    return "".join(parts)


def _write(value: Any, out: list[str], indent: int | None, level: int) -> None:
    if value is None or value is MISSING:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, Decimal):
        out.append(format_decimal(value))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(repr(value))
    elif isinstance(value, str):
        out.append(_encode_string(value))
    elif isinstance(value, dt.date):
        out.append('"' + value.isoformat() + '"')
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        out.append("{")
        first = True
        for key, item in value.items():
            if not first:
                out.append(",")
            first = False
            if indent is not None:
                out.append("\n" + " " * (indent * (level + 1)))
            out.append(_encode_string(str(key)))
            out.append(": " if indent is not None else ":")
            _write(item, out, indent, level + 1)
        if indent is not None:
            out.append("\n" + " " * (indent * level))
        out.append("}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            if indent is not None:
                out.append("\n" + " " * (indent * (level + 1)))
            _write(item, out, indent, level + 1)
        if indent is not None:
            out.append("\n" + " " * (indent * level))
        out.append("]")
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")


# -- the fast writer of documents with text keys ------------------------------------------
#
# `_write` writes every value from Python, which is most of the cost of a long document
# (a result with its trace, a finding). Here the standard library's C encoder writes the
# structure and the strings; each Decimal goes through it as a marker string carrying its
# exact text (a random per-process nonce, so no string of a document can pose as one), and
# the markers are then replaced by the numbers. Dates and MISSING are written as `_write`
# writes them. For what our documents hold (text keys, Decimal, str, int, bool, None, date,
# list, tuple, dict) the output is byte for byte `dumps`'s; anything else (NaN, a type
# the encoder does not know) falls back to `dumps`. Keys are not checked (the C encoder
# writes a key True as "true", `_write` as "True"): callers pass documents whose keys are
# text, as `plain` and the result/finding builders make them. Indented text is the one-line
# text laid out by msgspec's formatter, which copies numbers and strings as they are.
# Held to `dumps` by tests/batch/test_batch.py and tests/test_jsonout_fast.py.

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
    """`dumps(value, indent=None)` of a document with text keys, faster."""
    try:
        text = _encode(value)
    except (TypeError, ValueError):
        return dumps(value, indent=None)  # NaN, an unknown type, ...: the plain writer's way
    if _ENCODED_PREFIX in text:
        text = _MARKER.sub(r"\1", text)
    return text


def dumps_document(value: Any, indent: int | None = 2) -> str:
    """`dumps(value, indent)` of a document with text keys, faster."""
    text = dumps_line(value)
    if indent is None or text[:1] not in ("{", "["):
        return text
    try:
        return msgspec.json.format(text, indent=indent)
    except (msgspec.DecodeError, UnicodeEncodeError):  # e.g. a lone surrogate in a text
        return dumps(value, indent=indent)


def loads(text: str) -> Any:
    """Parse JSON keeping numbers exact (as Decimal), within engine.limits: keys given
    twice and nesting too deep are refused as json.JSONDecodeError."""
    return loads_json(text)
