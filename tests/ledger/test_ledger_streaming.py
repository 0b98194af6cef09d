"""The streaming executor and the durable-rules traps it works around."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger_books import vat_book

import engine
from engine.language.errors import EvaluationError
from engine.ledger import streaming
from engine.ledger.loader import load_ledger_text
from engine.ledger.planner import encode
from engine.rulebook.facts import BadInput

SALE = {"record": "sale", "invoice_no": "1", "invoice_date": "2024-02-01", "seller_inn": "77", "buyer_inn": "50", "amount": 100, "vat": 20}


@pytest.fixture(scope="module")
def vat():
    return engine.load("ru.vat_reconciliation")


def test_a_finding_comes_with_the_record_that_proves_it(vat) -> None:
    with vat.stream() as stream:
        assert stream.push(SALE) == []
        found = stream.push(dict(SALE, record="purchase", vat=22))
        assert [f.check.id for f in found] == ["amount_mismatch"]
        assert stream.push(dict(SALE, record="purchase", invoice_no="2")) == []
        assert [(f.check.id, f.lines) for f in stream.close()] == [("purchase_without_sale", {"purchase": 3})]
    assert stream.result.counts["amount_mismatch"] == 1


def test_identical_records_are_two_facts(vat) -> None:
    """durable-rules takes two facts of equal content for one ('already observed'): every
    fact carries its line as id, so a sale reported twice is two sales."""
    records = [SALE, dict(SALE), dict(SALE, record="purchase", vat=21)]
    result = vat.reconcile(records, executor="stream")
    assert result.keys() == vat.reconcile(records).keys() == [("amount_mismatch", (1, 3)), ("amount_mismatch", (2, 3))]


def _fnv1(text: str) -> int:
    """FNV-1, 32 bits, written out from its definition (offset basis 2166136261, prime
    16777619) — what durable-rules identifies a fact by."""
    digest = 2166136261
    for byte in text.encode():
        digest = ((digest ^ byte) * 16777619) % 2**32
    return digest


def test_ids_that_collide_in_durable_rules_are_still_two_facts(vat) -> None:
    """durable-rules knows a fact in a session only by the 32-bit hash of its id: the ids
    of lines 59209 and 66356 (role 0: 947344 and 1061696) hash alike, and a second sale
    of the same invoice (same session) on line 66356 was refused as already observed."""
    assert _fnv1("947344") == _fnv1("1061696") == streaming._message_hash(947344) == streaming._message_hash(1061696)
    lines = [(59209, SALE), (66356, dict(SALE)), (66357, dict(SALE, vat=21)), (70000, dict(SALE, record="purchase", vat=21))]
    streamed = vat.reconcile_lines(lines, executor="stream")
    assert streamed.stats["stand_in_ids"] >= 1
    assert streamed.keys() == vat.reconcile_lines(lines).keys() == [
        ("amount_mismatch", (59209, 70000)), ("amount_mismatch", (66356, 70000)),
    ]


def test_no_state_is_left_behind(vat) -> None:
    records = vat_book(300, seed=7, corrective=40)
    stream = vat.stream()
    engine_used = stream.engine
    for record in records:
        stream.push(record)
        assert engine_used.empty()  # durable-rules holds a working set only while rules fire
    assert stream.held and stream.stats["facts"] >= len(records)
    stream.close()
    assert engine_used.empty()  # the end markers too
    assert engine_used.stream is None and stream.store == {} and stream.refs == {}
    again = vat.stream()
    assert again.engine is engine_used  # emptied, pooled, reused (delete_ruleset frees nothing)
    again.close()


def test_an_engine_that_is_not_empty_is_discarded(vat, monkeypatch) -> None:
    stream = vat.stream()
    stream.push(SALE)
    engine_used = stream.engine
    monkeypatch.setattr(streaming.StreamEngine, "empty", lambda self: False)
    stream.close()
    assert engine_used not in streaming.pool_for(vat.model, vat.plans).idle
    monkeypatch.undo()
    assert vat.reconcile([SALE], executor="stream").keys() == [("sale_without_purchase", (1,))]


def test_memory_does_not_grow_from_stream_to_stream(vat) -> None:
    records = vat_book(1500, seed=3)

    def rss_mb() -> float:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * 4096 / 2**20

    vat.reconcile(records, executor="stream")
    vat.reconcile(records, executor="stream")
    before = rss_mb()
    for _ in range(4):
        vat.reconcile(records, executor="stream")
    grown = rss_mb() - before
    # ~7.5 KB per fact: four streams without reuse would add > 100 MB
    assert grown < 40, f"{grown:.0f} MB more after four streams"


def test_an_error_inside_an_action_is_not_swallowed() -> None:
    """durable-rules catches exceptions raised in an action and only notes them in its
    state; the stream keeps them and raises them from push()."""
    text = """\
id: test.divide
kind: ledger
jurisdiction: xx
title: {en: Divide}
version: "1"
languages: [en]
sources: {s: {citation: S}}
records:
  a: {fields: {k: {type: string}, n: {type: decimal}}}
  b: {fields: {k: {type: string}, n: {type: decimal}}}
checks:
  ratio:
    severity: info
    title: {en: Ratio}
    match: {x: a, y: b}
    when: [x.k == y.k, x.n / y.n > 1]
    message: {en: ratio}
    citations: [s]
"""
    from engine.ledger.api import LedgerBook

    book = LedgerBook(load_ledger_text(text.encode(), "divide.yaml"))
    stream = book.stream()
    stream.push({"record": "a", "k": "1", "n": 5})
    with pytest.raises(EvaluationError, match="division by zero"):
        stream.push({"record": "b", "k": "1", "n": 0})
    assert stream.closed
    with pytest.raises(EvaluationError):
        book.reconcile([{"record": "a", "k": "1", "n": 5}, {"record": "b", "k": "1", "n": 0}])


def test_bad_input_and_line_order(vat) -> None:
    stream = vat.stream()
    with pytest.raises(BadInput, match="line 1: sale.vat"):
        stream.push(dict(SALE, vat="двадцать"))
    stream.push(SALE, line=5)
    with pytest.raises(ValueError, match="lines must increase"):
        stream.push(SALE, line=5)
    stream.abort()
    with pytest.raises(RuntimeError):
        stream.push(SALE)


decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None, min_value=-(10**30), max_value=10**30)


@settings(max_examples=300)
@given(a=decimals, b=decimals)
def test_encoding_is_exact_for_decimals(a: Decimal, b: Decimal) -> None:
    assert (encode(a) == encode(b)) == (a == b)
    sign, digits, exponent = a.as_tuple()
    padded = Decimal((sign, digits + (0, 0, 0), exponent - 3))  # same value, more trailing zeros
    assert padded == a and encode(padded) == encode(a)


@settings(max_examples=200)
@given(a=st.text(max_size=300), b=st.text(max_size=300))
def test_encoding_is_exact_for_text(a: str, b: str) -> None:
    assert (encode(a) == encode(b)) == (a == b)
    assert len(encode(a)) <= 202  # long text travels as a digest: durable-rules keeps 16-bit lengths


def test_encoding_keeps_types_apart() -> None:
    values = [True, False, None, "1", Decimal(1), dt.date(2024, 1, 1), "2024-01-01", "b:1", "d:1e0"]
    texts = [encode(v) for v in values]
    assert len(set(texts)) == len(texts)
    assert encode(Decimal("1.0")) == encode(Decimal("1")) == encode(Decimal("1E0"))
    assert encode(Decimal("-0.00")) == encode(Decimal(0))
