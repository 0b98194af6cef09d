"""Calendar-date arithmetic for rule expressions.

Every function here is pure and works on :class:`datetime.date` only. Tax deadlines are
counted in whole days, months and years, never in fractions, so counts are plain ``int``
(the expression layer converts its ``Decimal`` values before calling in) and no ``float``
ever appears.

Months and years are counted the way НК РФ ст. 6.1 п. 3 counts them: a period of *n*
months ends on the same-numbered day of the *n*-th month after the start, or on that
month's last day when it has no such day (30 November + 3 months = 28 February). This is
also what ``dateutil.relativedelta`` does, and the rule is shared by the other
jurisdictions we model, so one implementation serves all of them.

All failures are reported as :class:`ValueError` (or :class:`TypeError` for a wrong
argument type) with a message a rulebook author can act on; in particular an overflow past
year 9999 is a ``ValueError`` rather than the ``OverflowError`` the standard library raises,
so callers need to handle a single exception family.
"""

import calendar
import re
from datetime import date, timedelta
from typing import Final

from dateutil.relativedelta import relativedelta

__all__ = [
    "DateOutOfRange",
    "add_days",
    "add_months",
    "add_years",
    "days_between",
    "end_of_month",
    "end_of_quarter",
    "end_of_year",
    "make_date",
    "parse_iso_date",
    "quarter",
    "quarter_label",
    "start_of_month",
    "start_of_quarter",
    "start_of_year",
]

# Strict ISO 8601 calendar date. ``date.fromisoformat`` alone is too lenient since Python
# 3.11 (it accepts ``20240502`` and week dates such as ``2024-W18-4``), and a rulebook that
# writes those is almost certainly a typo. ``re.ASCII`` keeps ``\d`` from matching
# non-ASCII digits; ``fullmatch`` rejects a trailing newline that ``$`` would allow.
_ISO_DATE: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


def _require_int(name: str, value: object) -> int:
    """Return *value* if it is a genuine ``int``, else raise :class:`TypeError`.

    ``bool`` is an ``int`` subclass but ``add_days(d, True)`` is always a bug, and a
    ``Decimal`` or ``float`` slipping through from the expression layer would otherwise
    produce confusing errors deep inside ``timedelta`` or ``relativedelta``.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    return value


class DateOutOfRange(ValueError):
    """A date computed past the calendar's ends (years 1..9999): the facts drove a sound
    rule there, so callers report it as bad input rather than as a rulebook error."""


def _out_of_range(d: date, n: int, unit: str) -> ValueError:
    """Build the error for a result that falls outside years 1..9999."""
    sign = "+" if n >= 0 else "-"
    return DateOutOfRange(
        f"{d.isoformat()} {sign} {abs(n)} {unit} is outside the supported date range "
        "0001-01-01..9999-12-31"
    )


def add_days(d: date, n: int) -> date:
    """Return the date *n* calendar days after *d* (before it when *n* is negative)."""
    _require_int("n", n)
    try:
        return d + timedelta(days=n)
    except OverflowError:
        raise _out_of_range(d, n, "days") from None


def add_months(d: date, n: int) -> date:
    """Return the date *n* months after *d*, clamped to the end of a shorter month.

    Clamping is what НК РФ ст. 6.1 п. 3 prescribes: ``2024-11-30 + 3`` is ``2025-02-28``
    and ``2024-01-31 + 1`` is ``2024-02-29``. Note that the result depends only on the
    start date, not on intermediate steps: ``add_months(add_months(d, 1), 1)`` may differ
    from ``add_months(d, 2)`` (31 Jan -> 29 Feb -> 29 Mar versus 31 Jan -> 31 Mar), and the
    law counts from the start date, so callers should add the total in one call.
    """
    _require_int("n", n)
    try:
        return d + relativedelta(months=n)
    except (ValueError, OverflowError):
        raise _out_of_range(d, n, "months") from None


def add_years(d: date, n: int) -> date:
    """Return the date *n* years after *d*; 29 February becomes 28 February if needed.

    A year is twelve months under НК РФ ст. 6.1 п. 3, so this is exactly
    ``add_months(d, 12 * n)``: ``2024-02-29 + 1 year`` is ``2025-02-28``.
    """
    _require_int("n", n)
    try:
        return d + relativedelta(years=n)
    except (ValueError, OverflowError):
        raise _out_of_range(d, n, "years") from None


def days_between(a: date, b: date) -> int:
    """Return ``b - a`` in days: positive when *b* is later, zero for the same day."""
    return (b - a).days


def quarter(d: date) -> int:
    """Return the calendar quarter (1..4) containing *d*."""
    return (d.month - 1) // 3 + 1


def quarter_label(d: date) -> str:
    """Return the quarter as ``"YYYY-Qn"`` (e.g. ``"2024-Q2"``).

    Tax periods are commonly keyed by quarter, and a string label lets rulebooks compare
    and group them without building records; the year is zero-padded like ISO dates so
    labels sort chronologically as strings.
    """
    return f"{d.year:04d}-Q{quarter(d)}"


def start_of_quarter(d: date) -> date:
    """Return the first day of the quarter containing *d*."""
    return date(d.year, 3 * quarter(d) - 2, 1)


def end_of_quarter(d: date) -> date:
    """Return the last day of the quarter containing *d* (31 Mar, 30 Jun, 30 Sep, 31 Dec)."""
    return end_of_month(date(d.year, 3 * quarter(d), 1))


def start_of_month(d: date) -> date:
    """Return the first day of the month containing *d*."""
    return d.replace(day=1)


def end_of_month(d: date) -> date:
    """Return the last day of the month containing *d*, honouring leap years."""
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def start_of_year(d: date) -> date:
    """Return 1 January of the year containing *d*."""
    return date(d.year, 1, 1)


def end_of_year(d: date) -> date:
    """Return 31 December of the year containing *d*."""
    return date(d.year, 12, 31)


def make_date(y: int, m: int, d: int) -> date:
    """Build a date, raising :class:`ValueError` that names the impossible part.

    The standard library's message (``day is out of range for month``) does not say which
    date was asked for; rulebook authors and case authors need to see it, and to learn how
    long the month actually is.
    """
    _require_int("year", y)
    _require_int("month", m)
    _require_int("day", d)
    if not 1 <= y <= 9999:
        raise DateOutOfRange(f"impossible date: year {y} is outside 1..9999")
    if not 1 <= m <= 12:
        raise ValueError(f"impossible date {y:04d}-{m:02d}-{d:02d}: month {m} is outside 1..12")
    last_day = calendar.monthrange(y, m)[1]
    if not 1 <= d <= last_day:
        raise ValueError(
            f"impossible date {y:04d}-{m:02d}-{d:02d}: "
            f"{calendar.month_name[m]} {y} has days 1..{last_day}"
        )
    return date(y, m, d)


def parse_iso_date(text: str) -> date:
    """Parse a strict ``YYYY-MM-DD`` string.

    Only the extended ISO 8601 calendar form is accepted: no surrounding whitespace, no
    time part, no basic form (``20240502``) and no week or ordinal dates. Case files and
    rulebooks are reviewed by people, and a single accepted spelling keeps them uniform.
    """
    if not isinstance(text, str):
        raise TypeError(f"date text must be a str, got {type(text).__name__}")
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        raise ValueError(f"invalid date {text!r}: expected YYYY-MM-DD, e.g. 2024-05-02")
    year, month, day = (int(part) for part in match.groups())
    try:
        return make_date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"invalid date {text!r}: {exc}") from None
