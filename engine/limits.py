"""Every bound on outside input and on the work of one decision, in one place.

A few bytes of input must not buy unbounded work: `1e99999999` is ten characters that
print as a hundred million digits, a 481-byte YAML file can expand to gigabytes, a JSON
array nested 100 000 deep overflows the parser's stack. Each reader of outside input
(facts files, HTTP bodies, JSON Lines and CSV cases, ledger records, rulebooks) checks
what it reads against the bounds below and answers with a message naming the field or
line; the evaluator holds each decision to a budget of work. docs/limits.md lists them
for users; the service, the batch runner and the ledger readers import them from here.

Numbers: every amount, rate and count a tax rule meets fits with room to spare — the
largest budgets are below 10^16 and rates have a handful of decimals — while anything
past the bounds is either a typo or an attack.

The evaluation budget (steps, list length, text length) may be raised for trusted
rulebooks through the environment (TAXRULES_MAX_STEPS, TAXRULES_MAX_LIST_LENGTH,
TAXRULES_MAX_TEXT_LENGTH) or from Python with `set_budget(...)`.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from engine.i18n import Phrase

# -- numbers -------------------------------------------------------------------------------

MAX_DIGITS = 34  # significant digits of a number read (the precision decisions compute with)
MAX_MAGNITUDE = 30  # |x| < 10**30
MIN_EXPONENT = -30  # a non-zero |x| is at least 10**-30, and at most 30 decimal places of zeros
_QUICK_TEXT = MAX_DIGITS + 1  # a shorter str() cannot hold more digits than the bound

# -- text and structure of input -----------------------------------------------------------

MAX_JSON_DEPTH = 64  # nesting of arrays and objects in any JSON read
MAX_NAME_LENGTH = 200  # a fact, field or column name
MAX_INPUT_TEXT = 100_000  # characters of one text value of a fact or record
MAX_INPUT_LIST = 100_000  # items of one list of a fact
MAX_LINE_BYTES = 16 * 1024 * 1024  # one JSON Lines / CSV line (batch and ledger)
MAX_YAML_ALIASES = 100  # alias uses (*name) in one YAML document
MAX_YAML_NODES = 1_000_000  # nodes of a YAML document once its aliases are expanded
MAX_SHOWN = 60  # characters of a value quoted in an error message

BOM = "\ufeff"


class LimitError(ValueError):
    """Input past one of the bounds above; `field` names where, when known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """Text as quoted in a message: at most `limit` characters, the cut shown."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def number_problem(value: Decimal) -> Phrase | None:
    """Why `value` is outside the bounds on numbers read, or None if it is within them.

    Cheap for ordinary numbers (two C calls and a short str()); the exact digit count
    is taken only when the text is long. The answer is said of "the number X" (an
    engine.i18n.Phrase: English text that the caller may say in the reader's language)."""
    if not value.is_finite():
        return Phrase("number_not_finite")
    adjusted = value.adjusted()
    if adjusted >= MAX_MAGNITUDE:
        return Phrase("number_too_large", limit=MAX_MAGNITUDE)
    if adjusted < MIN_EXPONENT:
        if value.is_zero():
            return Phrase("number_zero_places", places=-MIN_EXPONENT)
        return Phrase("number_too_small", exponent=MIN_EXPONENT)
    if len(str(value)) > _QUICK_TEXT and len(value.as_tuple().digits) > MAX_DIGITS:
        return Phrase("number_too_many_digits", digits=MAX_DIGITS)
    return None


def check_number(value: Decimal, where: str, shown: Any = None) -> Decimal:
    """`value` if within the bounds on numbers, else LimitError naming `where`."""
    problem = number_problem(value)
    if problem is not None:
        text = shorten(str(shown if shown is not None else value))
        raise LimitError(Phrase("fact_number_problem", where=where, number=text, problem=problem), where)
    return value


def check_text(value: str, where: str) -> str:
    if len(value) > MAX_INPUT_TEXT:
        raise LimitError(Phrase("fact_text_too_long", where=where, length=len(value), limit=MAX_INPUT_TEXT), where)
    return value


def check_list(value: list[Any] | tuple[Any, ...], where: str) -> None:
    if len(value) > MAX_INPUT_LIST:
        raise LimitError(Phrase("fact_list_too_long", where=where, length=len(value), limit=MAX_INPUT_LIST), where)


def strip_bom(text: str) -> str:
    """The BOM policy of every reader: one UTF-8 byte-order mark at the very start of a
    file, stream or body is ignored; anywhere else it is an ordinary (invalid) character."""
    return text[1:] if text.startswith(BOM) else text


# -- JSON ----------------------------------------------------------------------------------

_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


def json_depth_error(text: str) -> json.JSONDecodeError | None:
    """A decode error at the first bracket nested deeper than MAX_JSON_DEPTH, or None.

    Free for ordinary input (fewer brackets than the limit cannot nest past it); else one
    regular-expression pass that skips strings, before any recursive parser sees it."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return None
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return json.JSONDecodeError(f"nested deeper than {MAX_JSON_DEPTH} levels", text, match.start())
        elif token in "]}":
            depth -= 1
    return None


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


def json_reader(parse_int: Any = Decimal) -> Any:
    """A `loads(text)` for JSON with exact numbers (fractions and exponents as Decimal,
    integers as `parse_int`, Decimal unless None), refusing keys given twice in one
    object and nesting past MAX_JSON_DEPTH; every refusal is a json.JSONDecodeError
    with a position, as the standard library's own errors are."""
    decoder = json.JSONDecoder(parse_float=Decimal, parse_int=parse_int, object_pairs_hook=_pairs)

    def loads(text: str) -> Any:
        deep = json_depth_error(text)
        if deep is not None:
            raise deep
        try:
            return decoder.decode(text)
        except _DuplicateKey as exc:
            raise duplicate_key_error(text, exc.key) from None
        except RecursionError:  # pragma: no cover - the depth check comes first
            raise json.JSONDecodeError(f"nested deeper than {MAX_JSON_DEPTH} levels", text, 0) from None
        except ValueError as exc:
            if isinstance(exc, json.JSONDecodeError):
                raise
            # an integer with more digits than Python converts (sys.get_int_max_str_digits)
            raise json.JSONDecodeError(f"a number is too long ({exc})", text, 0) from None

    return loads


loads_json = json_reader()


def duplicate_key_error(text: str, key: str) -> json.JSONDecodeError:
    quoted = json.dumps(key, ensure_ascii=False)
    first = text.find(quoted)
    second = text.find(quoted, first + 1) if first >= 0 else -1
    return json.JSONDecodeError(f"the key {shorten(quoted)} appears twice in one object", text, max(second, 0))


# -- the evaluation budget -----------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    """The work one decision may do. `steps` counts items visited by `for`, filters,
    quantifiers, membership tests and list functions (a rulebook without loops does work
    proportional to its own size and barely touches it); `list_length` bounds any list
    built, `text_length` any text built."""

    steps: int = 1_000_000
    list_length: int = 100_000
    text_length: int = 1_000_000


def _from_environment() -> Budget:
    default = Budget()
    values = {}
    for field, variable in (("steps", "TAXRULES_MAX_STEPS"), ("list_length", "TAXRULES_MAX_LIST_LENGTH"), ("text_length", "TAXRULES_MAX_TEXT_LENGTH")):
        raw = os.environ.get(variable)
        if raw:
            try:
                values[field] = max(int(raw), 1)
            except ValueError:
                raise SystemExit(f"taxrules: {variable}: expected a whole number, got {raw!r}") from None
    return replace(default, **values)


BUDGET = _from_environment()


def set_budget(**changes: int) -> Budget:
    """Raise (or lower) the evaluation budget of this process, e.g. for a trusted rulebook:
    `set_budget(steps=10_000_000)`. Returns the budget before the change."""
    global BUDGET
    before = BUDGET
    BUDGET = replace(BUDGET, **changes)
    return before


def budget() -> Budget:
    return BUDGET


__all__ = [
    "BOM",
    "BUDGET",
    "MAX_DIGITS",
    "MAX_INPUT_LIST",
    "MAX_INPUT_TEXT",
    "MAX_JSON_DEPTH",
    "MAX_LINE_BYTES",
    "MAX_MAGNITUDE",
    "MAX_NAME_LENGTH",
    "MAX_YAML_ALIASES",
    "MAX_YAML_NODES",
    "MIN_EXPONENT",
    "Budget",
    "LimitError",
    "budget",
    "check_list",
    "check_number",
    "check_text",
    "json_depth_error",
    "json_reader",
    "loads_json",
    "number_problem",
    "set_budget",
    "shorten",
    "strip_bom",
]
