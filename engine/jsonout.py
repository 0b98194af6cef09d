"""JSON output with exact decimals.

The standard library writes Decimal only through float; tax amounts must appear exactly
as computed (`0.1`, never `0.1000000000000000055`), so values are written by hand here:
Decimal as a plain JSON number, dates as ISO text, everything else as json does.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

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


def loads(text: str) -> Any:
    """Parse JSON keeping numbers exact (as Decimal), within engine.limits: keys given
    twice and nesting too deep are refused as json.JSONDecodeError."""
    return loads_json(text)
