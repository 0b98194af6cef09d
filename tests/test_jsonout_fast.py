"""The fast JSON writer (jsonout.dumps_line / dumps_document: the C encoder with marked
decimals, msgspec's layout) held to the plain one (jsonout.dumps, value by value) on every
result of every decision rulebook's examples with its trace, every finding of every ledger
rulebook's examples, odd values, and generated documents."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import jsonout
from engine.language.values import MISSING
from engine.rulebook.registry import rulebook_files, rulebook_kind
from tests.test_rulebooks import ROOT, book_id

FILES = rulebook_files([ROOT / "rulebooks"])
DECISION_BOOKS = [p for p in FILES if rulebook_kind(p) == "decision"]
LEDGER_BOOKS = [p for p in FILES if rulebook_kind(p) == "ledger"]


def _same(value):
    for indent in (None, 2, 4):
        assert jsonout.dumps_document(value, indent) == jsonout.dumps(value, indent)
    assert jsonout.dumps_line(value) == jsonout.dumps(value, indent=None)


@pytest.mark.parametrize("path", DECISION_BOOKS, ids=book_id)
def test_results_with_their_trace(path):
    book = engine.load(path)
    for example in book.model.examples:
        if example.expect_error:
            continue
        for language in book.model.languages:
            result = book.decide(example.facts, as_of=example.as_of, lang=language)
            _same(result.to_dict())
            assert result.to_json() == jsonout.dumps(result.to_dict())


@pytest.mark.parametrize("path", LEDGER_BOOKS, ids=book_id)
def test_findings(path):
    book = engine.load(path)
    seen = 0
    for example in book.model.examples:
        if example.expect_error:
            continue
        reconciliation = book.reconcile([dict(r) for r in example.records])
        for finding in reconciliation.findings:
            for language in book.model.languages:
                assert finding.to_json(language) == jsonout.dumps(finding.to_dict(language), indent=None)
                seen += 1
        assert reconciliation.to_json() == jsonout.dumps(reconciliation.to_dict())
    assert seen


def test_odd_values():
    _same({
        "decimals": [Decimal("0.1"), Decimal("-0"), Decimal("-0.0"), Decimal("1E+3"), Decimal("-12.500"), Decimal("1E-7"), Decimal("1E+999999"), 3, 2.5, 1e-05, 1e16],
        "text": ["\x00" + "0" * 24 + ':1"', 'quote " backslash \\ tab \t', "НК РФ ст. 168 п. 3 — 增值税", "\u2028", "\x7f\x1f"],
        "other": [None, True, False, MISSING, dt.date(2024, 2, 29), (1, "two"), {}, [], [[]], {"": {}}],
    })
    for value in ([], {}, "plain", Decimal("7.70"), [Decimal("1")], {"a": float("nan")}, {"a": "\ud800"}):
        _same(value)


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(), st.dates(),
    st.decimals(allow_nan=False, allow_infinity=False), st.floats(allow_nan=False, allow_infinity=False),
)
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_generated_documents(value):
    _same(value)
