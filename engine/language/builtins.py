"""The functions a rulebook may call, with their static signatures and implementations.

This table is the whole surface the language can reach: a name that is not here, not a
fact, parameter, derived value or decision does not exist for a rulebook.
Implementations receive present values only; MISSING arguments are handled by the
compiler (the call yields MISSING) except for the special forms, which the compiler
implements itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

from engine import limits
from engine.language import calendars, dates
from engine.language import types as t
from engine.language.errors import BudgetExceeded, EvaluationError, ValueOutOfRange
from engine.language.values import MISSING, format_decimal, to_text

ROUNDING_MODES = {
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
    "floor": ROUND_FLOOR,
    "ceiling": ROUND_CEILING,
}

# Names the compiler implements itself because they must see MISSING or the context.
SPECIAL_FORMS = frozenset({"exists", "coalesce", "value_on", "any", "all"})


@dataclass(frozen=True)
class Builtin:
    name: str
    params: tuple[str, ...]  # kinds: number date string list bool any calendar rounding
    result: Callable[[list[t.Type]], t.Type] | t.Type
    impl: Callable[..., Any] | None
    variadic: bool = False  # the last param repeats
    optional: int = 0  # how many trailing params may be left out
    doc: str = ""

    def result_type(self, arg_types: list[t.Type]) -> t.Type:
        return self.result(arg_types) if callable(self.result) else self.result


_LARGEST_COUNT = 10**15  # no count of days, months, places or shares is larger


def _int(value: Decimal, what: str) -> int:
    # Bounded before int(): int(Decimal("1e99999999")) alone burns a minute of CPU.
    if value.adjusted() > 15 or abs(value) > _LARGEST_COUNT:
        raise ValueOutOfRange(f"{what} {format_decimal(value)} is too large (the limit is 10^15)")
    if value != value.to_integral_value():
        raise EvaluationError(f"{what} must be a whole number, got {format_decimal(value)}")
    return int(value)


def _list_limit(length: int, what: str) -> None:
    limit = limits.BUDGET.list_length
    if length > limit:
        raise BudgetExceeded(f"{what} of {length:,} items exceeds the list limit of {limit:,} (engine.limits)")


def _round(x: Decimal, places: Decimal, mode: str = "half_up") -> Decimal:
    if mode not in ROUNDING_MODES:
        raise EvaluationError(f"unknown rounding mode {mode!r}; use one of {sorted(ROUNDING_MODES)}")
    exponent = Decimal(1).scaleb(-_int(places, "places"))
    return x.quantize(exponent, rounding=ROUNDING_MODES[mode])


def _split_evenly(total: Decimal, count: Decimal, places: Decimal) -> list[Decimal]:
    n = _int(count, "the number of shares")
    if n <= 0:
        raise EvaluationError(f"cannot split into {n} shares")
    _list_limit(n, "split_evenly()")
    share = _round(total / n, places)
    shares = [share] * (n - 1)
    shares.append(total - share * (n - 1))
    return shares


def _min_max(pick: Callable[..., Any]) -> Callable[..., Any]:
    def impl(*args: Any) -> Any:
        items = args[0] if len(args) == 1 and isinstance(args[0], list) else list(args)
        if any(v is MISSING for v in items):
            return MISSING
        if not items:
            return MISSING
        return pick(items)

    return impl


def _sum(items: list[Any]) -> Any:
    if any(v is MISSING for v in items):
        return MISSING
    total = Decimal(0)
    for value in items:
        total += value
    return total


def _first(items: list[Any]) -> Any:
    return items[0] if items else MISSING


def _last(items: list[Any]) -> Any:
    return items[-1] if items else MISSING


def _range(start: Decimal, stop: Decimal) -> list[Decimal]:
    a, b = _int(start, "range start"), _int(stop, "range end")
    _list_limit(b - a, "range()")
    return [Decimal(i) for i in range(a, b)]


def _get(record: dict, key: str) -> Any:
    if not isinstance(record, dict):
        raise EvaluationError("get() needs a record")
    return record.get(key, MISSING)


def _calendar(name: str) -> str:
    if name not in calendars.CALENDARS:
        raise EvaluationError(f"unknown calendar {name!r}; use one of {', '.join(calendars.CALENDARS)}")
    return name


def _date_from_text(text: str) -> dt.date:
    try:
        return dates.parse_iso_date(text)
    except ValueError as exc:
        raise EvaluationError(str(exc)) from None


def _make_date(y: Decimal, m: Decimal, d: Decimal) -> dt.date:
    try:
        return dates.make_date(_int(y, "year"), _int(m, "month"), _int(d, "day"))
    except ValueError as exc:
        raise EvaluationError(str(exc)) from None


def _numeric(f: Callable[[Any], int]) -> Callable[[Any], Decimal]:
    return lambda d: Decimal(f(d))


def _same_as_first(arg_types: list[t.Type]) -> t.Type:
    return arg_types[0] if arg_types else t.ANY


def _item_of_first(arg_types: list[t.Type]) -> t.Type:
    first = arg_types[0] if arg_types else t.ANY
    if first.kind == "list":
        return first.item or t.ANY
    return first


def _min_max_type(arg_types: list[t.Type]) -> t.Type:
    if len(arg_types) == 1:
        return _item_of_first(arg_types)
    result = arg_types[0]
    for other in arg_types[1:]:
        result = t.join(result, other)
    return result


def _coalesce_type(arg_types: list[t.Type]) -> t.Type:
    result = t.NULL
    for other in arg_types:
        result = t.join(result, other)
    return result


def _split_type(arg_types: list[t.Type]) -> t.Type:
    return t.list_of(t.DECIMAL)


BUILTINS: dict[str, Builtin] = {
    b.name: b
    for b in [
        Builtin("round", ("number", "number", "rounding"), t.DECIMAL, _round, optional=1,
                doc="round(x, places[, mode]): half-up unless a mode is given"),
        Builtin("abs", ("number",), t.DECIMAL, abs),
        Builtin("floor", ("number",), t.DECIMAL, lambda x: x.to_integral_value(ROUND_FLOOR)),
        Builtin("ceil", ("number",), t.DECIMAL, lambda x: x.to_integral_value(ROUND_CEILING)),
        Builtin("min", ("any",), _min_max_type, _min_max(min), variadic=True),
        Builtin("max", ("any",), _min_max_type, _min_max(max), variadic=True),
        Builtin("sum", ("list",), t.DECIMAL, _sum),
        Builtin("count", ("list",), t.DECIMAL, lambda xs: Decimal(len(xs))),
        Builtin("any", ("list",), t.BOOLEAN, None),
        Builtin("all", ("list",), t.BOOLEAN, None),
        Builtin("exists", ("any",), t.BOOLEAN, None),
        Builtin("coalesce", ("any",), _coalesce_type, None, variadic=True),
        Builtin("value_on", ("string", "date"), t.ANY, None),
        Builtin("first", ("list",), _item_of_first, _first),
        Builtin("last", ("list",), _item_of_first, _last),
        Builtin("range", ("number", "number"), t.list_of(t.DECIMAL), _range),
        Builtin("split_evenly", ("number", "number", "number"), _split_type, _split_evenly),
        Builtin("get", ("record", "string"), t.ANY, _get),
        Builtin("text", ("any",), t.STRING, to_text),
        Builtin("date", ("string",), t.DATE, _date_from_text),
        Builtin("make_date", ("number", "number", "number"), t.DATE, _make_date),
        Builtin("year", ("date",), t.DECIMAL, lambda d: Decimal(d.year)),
        Builtin("month", ("date",), t.DECIMAL, lambda d: Decimal(d.month)),
        Builtin("day", ("date",), t.DECIMAL, lambda d: Decimal(d.day)),
        Builtin("quarter", ("date",), t.DECIMAL, _numeric(dates.quarter)),
        Builtin("quarter_label", ("date",), t.STRING, dates.quarter_label),
        Builtin("start_of_quarter", ("date",), t.DATE, dates.start_of_quarter),
        Builtin("end_of_quarter", ("date",), t.DATE, dates.end_of_quarter),
        Builtin("start_of_month", ("date",), t.DATE, dates.start_of_month),
        Builtin("end_of_month", ("date",), t.DATE, dates.end_of_month),
        Builtin("start_of_year", ("date",), t.DATE, dates.start_of_year),
        Builtin("end_of_year", ("date",), t.DATE, dates.end_of_year),
        Builtin("add_days", ("date", "number"), t.DATE,
                lambda d, n: dates.add_days(d, _int(n, "days"))),
        Builtin("add_months", ("date", "number"), t.DATE,
                lambda d, n: dates.add_months(d, _int(n, "months"))),
        Builtin("add_years", ("date", "number"), t.DATE,
                lambda d, n: dates.add_years(d, _int(n, "years"))),
        Builtin("days_between", ("date", "date"), t.DECIMAL,
                lambda a, b: Decimal(dates.days_between(a, b))),
        Builtin("is_working_day", ("date", "calendar"), t.BOOLEAN,
                lambda d, c: calendars.is_working_day(d, _calendar(c))),
        Builtin("next_working_day", ("date", "calendar"), t.DATE,
                lambda d, c: calendars.next_working_day(d, _calendar(c))),
        Builtin("add_working_days", ("date", "number", "calendar"), t.DATE,
                lambda d, n, c: calendars.add_working_days(d, _int(n, "days"), _calendar(c))),
    ]
}

_KIND_OF_PARAM = {
    "number": ("decimal",),
    "date": ("date",),
    "string": ("string", "enum"),
    "calendar": ("string", "enum"),
    "rounding": ("string", "enum"),
    "list": ("list",),
    "record": ("record",),
    "bool": ("boolean",),
}


def param_accepts(param: str, arg: t.Type) -> bool:
    if param == "any" or arg.kind in ("any", "null"):
        return True
    return arg.kind in _KIND_OF_PARAM[param]


def describe_param(param: str) -> str:
    return {
        "number": "a number",
        "date": "a date",
        "string": "text",
        "calendar": f"a calendar name ({', '.join(calendars.CALENDARS)})",
        "rounding": f"a rounding mode ({', '.join(ROUNDING_MODES)})",
        "list": "a list",
        "record": "a record",
        "bool": "a boolean",
        "any": "a value",
    }[param]


def signature(b: Builtin) -> str:
    params = list(b.params)
    shown = [p if i < len(params) - b.optional else f"[{p}]" for i, p in enumerate(params)]
    if b.variadic:
        shown[-1] += ", ..."
    return f"{b.name}({', '.join(shown)})"
