"""The trace is built lazily (engine/evaluate.py: records while deciding, entries when
read). Held here to the plain path, which builds each entry at the moment it is recorded:
the same result JSON, byte for byte, for every example of every decision rulebook in
each of its languages, and for the hand-written conditions of tests/language/test_why.py."""

import pickle

import pytest

import engine
from engine.evaluate import Evaluation, decide
from engine.rulebook.registry import rulebook_files, rulebook_kind
from tests.language.test_why import FACTS, _book
from tests.test_rulebooks import ROOT, book_id

BOOKS = [p for p in rulebook_files([ROOT / "rulebooks"]) if rulebook_kind(p) == "decision"]


def _both(book, facts, **options):
    lazy = book.decide(facts, **options)
    try:
        Evaluation.lazy_trace = False
        eager = book.decide(facts, **options)
    finally:
        Evaluation.lazy_trace = True
    return lazy, eager


@pytest.mark.parametrize("path", BOOKS, ids=book_id)
def test_lazy_trace_is_the_eager_one_for_every_example(path):
    book = engine.load(path)
    compared = 0
    for example in book.model.examples:
        if example.expect_error:
            continue
        for language in book.model.languages:
            lazy, eager = _both(book, example.facts, as_of=example.as_of, lang=language)
            assert isinstance(eager.__dict__["_trace"], list)  # the plain path really was taken
            assert not isinstance(lazy.__dict__["_trace"], list)  # and the lazy one too
            assert lazy.to_json() == eager.to_json(), f"{example.name} ({language})"
            compared += 1
    assert compared


def test_lazy_trace_on_conditions_with_unknowns_and_derived_values():
    book = _book()
    for facts in (FACTS, dict(FACTS, value_before="250000.00", value_after="240000.00"), dict(FACTS, missing_flag=True)):
        lazy, eager = _both(book, facts)
        assert lazy.to_json() == eager.to_json()
        assert any("because" in entry for entry in lazy.trace)


def test_a_trace_is_built_once_and_survives_pickling():
    book = _book()
    result = decide(book.model, book.facts, FACTS)
    assert result.trace is result.trace
    copy = pickle.loads(pickle.dumps(decide(book.model, book.facts, FACTS)))  # built when pickled
    assert copy.trace == result.trace
    assert book.decide(FACTS, trace=False).trace == []
