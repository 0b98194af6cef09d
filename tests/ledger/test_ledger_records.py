"""Reading and checking input records: the per-shape fast path of the Normaliser must give exactly
what the general, field-by-field path gives — the same values, or the same message."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.ledger.records import Normaliser, read_jsonl
from engine.rulebook.facts import BadInput

KUDIR = engine.load("ru.kudir_checks")
ENTRY_FIELDS = list(KUDIR.model.records["entry"].fields)

# values of every JSON type and then some: the right type for some field, the wrong one
# for another, text that is or is not a date or a number, non-finite decimals
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.5, float("nan")]),
    st.sampled_from([Decimal("0"), Decimal("0.5"), Decimal("1"), Decimal("250.10"), Decimal("-1"), Decimal("NaN"), Decimal("Infinity")]),
    st.sampled_from(["", "x", "2024-02-29", "2023-02-29", "2024-13-01", "12.5", "sale", "card", "cash_register_report", "7701234567"]),
    st.sampled_from([[], ["a"], {"k": 1}]),
)
FIELD_NAMES = st.sampled_from(ENTRY_FIELDS + ["record", "extra", "Date"])
# a sound entry (optional fields present or not, in any order) ...
SOUND = {
    "no": st.sampled_from([Decimal(1), Decimal(17), 3]), "date": st.sampled_from(["2024-03-01", "2024-02-29"]),
    "document": st.sampled_from(["Z-12", "ПКО 1"]), "document_kind": st.sampled_from(["cash_register_report", "act"]),
    "content": st.just("выручка"), "income": st.sampled_from([Decimal("100.00"), Decimal("0.01"), 5]),
    "expense": st.sampled_from([Decimal("1"), Decimal("-3.5")]), "operation": st.sampled_from(["sale", "card_settlement"]),
    "payment": st.sampled_from(["card", "cash"]), "counterparty_inn": st.just("7701234567"),
}
OPTIONAL = [name for name in SOUND if name not in ("no", "date")]
SOUND_ENTRIES = (
    st.fixed_dictionaries({name: SOUND[name] for name in ("no", "date")}, optional={name: SOUND[name] for name in OPTIONAL})
    .flatmap(lambda entry: st.permutations(list(entry.items())))
    .map(lambda items: dict([("record", "entry"), *items]))
)
# ... then, often, something wrong with it: a value of any type, an unknown field, a
# missing required field
RECORDS = st.tuples(SOUND_ENTRIES, st.dictionaries(FIELD_NAMES, VALUES, max_size=2), st.sets(st.sampled_from(["no", "date", "record"]), max_size=1)).map(
    lambda parts: {k: v for k, v in {**parts[0], **parts[1]}.items() if k not in parts[2]}
)
TYPE_NAMES = st.sampled_from(["entry", "participant", "entri", 5, None])


def _outcome(normalise: Any, *args: Any) -> Any:
    try:
        rec = normalise(*args)
    except BadInput as exc:
        return ("bad input", str(exc), exc.field)
    return (rec.line, rec.type, {k: (type(v), v) for k, v in rec.values.items()})


@settings(max_examples=600, deadline=None)
@given(raws=st.lists(RECORDS, min_size=1, max_size=6), names=st.lists(TYPE_NAMES, max_size=6))
def test_the_fast_path_means_the_general_path(raws: list[dict[str, Any]], names: list[Any]) -> None:
    for raw, name in zip(raws, names + [None] * len(raws), strict=False):
        if name is not None:
            raw["record"] = name
    normaliser = Normaliser(KUDIR.model)  # one normaliser: shapes and dates planned once, reused
    for line, raw in enumerate(raws * 2, 1):  # every shape seen twice: planned, then known
        kept = copy.deepcopy(raw)
        general = _outcome(normaliser._general, raw, line)
        assert raw == kept, "the general path leaves the caller's record alone"
        fast = _outcome(normaliser, raw, line)
        assert raw == kept, "the fast path copies a record it does not own"
        assert fast == general, raw
        owned = _outcome(normaliser, copy.deepcopy(raw), line, True)
        assert owned == general, raw


def test_a_known_shape_is_checked_without_the_general_path(monkeypatch: pytest.MonkeyPatch) -> None:
    normaliser = Normaliser(KUDIR.model)
    raw = {"record": "entry", "no": Decimal(1), "date": "2024-03-01", "document": "Z-12", "document_kind": "cash_register_report",
           "content": "выручка", "income": Decimal("100.00"), "operation": "sale", "payment": "card"}
    first = normaliser(dict(raw), 1)

    def no_general(*_: Any) -> Any:
        raise AssertionError("a known shape went through the general path")

    monkeypatch.setattr(normaliser, "_general", no_general)
    again = normaliser(dict(raw), 2)
    assert again.values == first.values
    assert isinstance(again.values["date"], dt.date) and again.values["date"] == dt.date(2024, 3, 1)
    assert "record" not in again.values
    # a bad value in a known shape is still named, with its line
    with pytest.raises(BadInput, match=r"^line 3: entry\.date: "):
        normaliser(dict(raw, date="2024-02-30"), 3)


def test_json_lines_are_read_exactly_and_bad_lines_named() -> None:
    text = '{"a": 1}\r\n  {"b": 2.50}  \n\n   \n{"c": [1e2, -0.0]}\n{"d": NaN, "e": "\\ud800"}\n{"f": 123456789012345678901234567890}'
    got = list(read_jsonl(io.StringIO(text)))
    assert [line for line, _ in got] == [1, 2, 5, 6, 7]
    # fractions and exponents as Decimals of their own digits; integers as int
    assert [(k, type(v).__name__, str(v)) for _, value in got for k, v in value.items() if k != "c"] == [
        ("a", "int", "1"), ("b", "Decimal", "2.50"), ("d", "float", "nan"), ("e", "str", "\ud800"), ("f", "int", "123456789012345678901234567890"),
    ]
    assert [str(v) for v in got[2][1]["c"]] == ["1E+2", "-0.0"]
    for bad, message in [
        ('{"a": 1}\n{"a": 1} x\n', "line 2: not valid JSON: Extra data at column 10"),
        ('{"a": "\x01"}\n', "line 1: not valid JSON: Invalid control character at column 8"),
        ('{"a": 1}{"b": 2}\n', "line 1: not valid JSON: Extra data at column 9"),
        ('{"a": 1', "line 1: not valid JSON: Expecting ',' delimiter at column 8"),
        ("[" * 100_000 + "\n", "line 1: not valid JSON: nested deeper than 64 levels at column 65"),
    ]:
        with pytest.raises(BadInput) as caught:
            list(read_jsonl(io.StringIO(bad), "book.jsonl"))
        assert str(caught.value) == f"book.jsonl: {message}"


JSON_PIECES = st.sampled_from(
    list('{}[]",:0123456789-+.eE tfnrulasNIy\\/\t\x01\x7fé') + ["true", "false", "null", '"a"', "1.5", "-0", '"\\u00e9"', '"\\ud800"', "NaN", "1e999"]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(JSON_PIECES, max_size=14).map("".join))
def test_the_fast_decoder_reads_what_the_standard_library_reads(text: str) -> None:
    """msgspec first, the standard library for what it refuses: together they accept
    exactly the lines the standard library accepts, with the same values."""
    def read(reader: Any) -> Any:
        try:
            return ("value", repr(reader(text)))
        except (ValueError, RecursionError, BadInput):
            return ("refused",)

    exact = json.JSONDecoder(parse_float=Decimal)
    ours = read(lambda t: [value for _, value in read_jsonl(io.StringIO(t))])
    if not text.strip() or "\n" in text:
        return
    assert ours == (("value", repr([exact.decode(text)])) if read(exact.decode)[0] == "value" else ("refused",))
