"""Numbers, dates and values as a reader of each language writes them.

Four languages, each with one convention (CLDR's, written out here: a dependency for four
tables would be heavier than the tables): the digit grouping and the decimal mark of
numbers, and the order of day, month and year in dates. Decimals keep every digit the
engine computed; only the marks change: 250000.00 is `250 000,00` in Russian.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from engine.i18n import NUMBER_MARKS
from engine.language.values import MISSING, format_decimal

_NUMBER_MARKS = NUMBER_MARKS  # language -> (group separator, decimal mark), shared with engine.i18n
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
_BOOLEANS = {
    "en": ("yes", "no"),
    "ru": ("да", "нет"),
    "zh": ("是", "否"),
    "de": ("ja", "nein"),
}


def number(value: Decimal, language: str) -> str:
    """A decimal with the reader's grouping and decimal mark; every digit kept."""
    group, mark = _NUMBER_MARKS.get(language, _NUMBER_MARKS["en"])
    text = format_decimal(value)
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    whole, _, fraction = text.partition(".")
    if len(whole) > 3:
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        groups.insert(0, whole)
        whole = group.join(groups)
    return sign + whole + (mark + fraction if fraction else "")


def date(value: dt.date, language: str) -> str:
    if language in ("ru", "de"):
        return value.strftime("%d.%m.%Y")
    if language == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"


def boolean(value: bool, language: str) -> str:
    yes, no = _BOOLEANS.get(language, _BOOLEANS["en"])
    return yes if value else no


def value(raw: Any, language: str) -> str:
    """Any runtime or JSON value as the reader writes it (labels are the caller's)."""
    if raw is MISSING or raw is None:
        return "—"
    if isinstance(raw, bool):
        return boolean(raw, language)
    if isinstance(raw, Decimal):
        return number(raw, language)
    if isinstance(raw, int | float):
        return number(Decimal(str(raw)), language)
    if isinstance(raw, dt.date):
        return date(raw, language)
    if isinstance(raw, str):
        parsed = _iso_date(raw)
        return date(parsed, language) if parsed else raw
    if isinstance(raw, list | tuple):
        return "[" + ", ".join(value(item, language) for item in raw) + "]"
    if isinstance(raw, dict):
        return "{" + ", ".join(f"{key}: {value(item, language)}" for key, item in raw.items()) + "}"
    return str(raw)


def _iso_date(text: str) -> dt.date | None:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
