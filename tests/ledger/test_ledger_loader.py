"""Loading ledger rulebooks: every mistake reported at file:line:col, plans and warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

import engine
from engine.ledger.loader import load_ledger_text
from engine.ledger.testing import run_ledger_book
from engine.rulebook.errors import RulebookError
from engine.rulebook.registry import is_ledger_file, rulebook_files

ROOT = Path(__file__).resolve().parents[2]

BASE = """\
id: test.small
kind: ledger
jurisdiction: ru
title: {en: Small, ru: Малый}
version: "1"
languages: [ru, en]
sources:
  s: {citation: НК РФ ст. 1, quote: Слова закона.}
records:
  sale:
    key: "no"
    fields:
      no: {type: string}
      amount: {type: decimal}
      day: {type: date, optional: true}
  purchase:
    fields:
      no: {type: string}
      amount: {type: decimal}
checks:
  mismatch:
    severity: error
    title: {en: Mismatch, ru: Расхождение}
    match: {sale: sale, purchase: purchase}
    when:
      - purchase.no == sale.no
      - purchase.amount != sale.amount
    message: {en: "{sale.no}: {sale.amount} vs {purchase.amount}", ru: "{sale.no}"}
    citations: [s]
"""


def problems(text: str) -> list[str]:
    with pytest.raises(RulebookError) as info:
        load_ledger_text(text.encode(), "book.yaml")
    return [str(p) for p in info.value.problems]


def line_of(text: str, fragment: str) -> int:
    return next(i for i, row in enumerate(text.splitlines(), 1) if fragment in row)


def test_the_base_loads_and_plans() -> None:
    ledger = load_ledger_text(BASE.encode(), "book.yaml")
    plan = ledger.plans[0]
    assert [j.conjunct.text for j in plan.joins] == ["purchase.no == sale.no", "purchase.amount != sale.amount"]
    assert [j.hashable for j in plan.joins] == [True, False]
    assert [c.text for c in plan.residual] == ["purchase.amount != sale.amount"]
    assert ledger.warnings == []


def test_an_unknown_field_is_reported_inside_the_expression() -> None:
    text = BASE.replace("- purchase.amount != sale.amount", "- purchase.amount != sale.amunt")
    [problem] = problems(text)
    line = line_of(text, "sale.amunt")
    column = text.splitlines()[line - 1].index("sale.amunt") + len("sale.") + 1
    assert problem.startswith(f"book.yaml:{line}:")
    assert "no field 'amunt'" in problem and "did you mean 'amount'" in problem
    assert int(problem.split(":")[2]) in (column - len("sale."), column - len("sale.") + 1, column)


def test_names_types_and_texts_are_checked() -> None:
    text = BASE.replace("match: {sale: sale, purchase: purchase}", "match: {sale: sael, purchase: purchase}")
    assert any("no record type 'sael'" in p and "did you mean 'sale'" in p for p in problems(text))
    text = BASE.replace("- purchase.no == sale.no", "- purchase.no == sale.amount")
    assert any("cannot compare string with decimal" in p for p in problems(text))
    text = BASE.replace('ru: "{sale.no}"', 'ru: "{sale.nope}"')
    assert any("placeholder {sale.nope}" in p for p in problems(text))
    text = BASE.replace('message: {en: "{sale.no}: {sale.amount} vs {purchase.amount}", ru: "{sale.no}"}', 'message: {en: "x"}')
    assert any("no 'ru' text" in p for p in problems(text))
    text = BASE.replace("citations: [s]", "citations: [t]")
    assert any("citation 't' is not in `sources`" in p for p in problems(text))
    text = BASE.replace("match: {sale: sale, purchase: purchase}", "match: {sale: sale, not: purchase}")
    assert any("reserved word" in p for p in problems(text))
    text = BASE.replace('    key: "no"\n', "    key: nope\n")
    assert any("key 'nope' is not a field" in p for p in problems(text))
    text = BASE.replace('    key: "no"\n', "    key: no\n")  # YAML 1.1: no is false
    assert any("records.sale.key: YAML read this as false; quote it" in p for p in problems(text))


def test_schema_errors_name_the_key() -> None:
    text = BASE.replace("severity: error", "severity: fatal")
    assert any("checks.mismatch.severity" in p for p in problems(text))
    text = BASE.replace("    match:", "    matches: {}\n    match:")
    assert any("unknown key 'matches'" in p and "did you mean 'match'" in p for p in problems(text))


def test_absent_part_and_examples_are_checked() -> None:
    text = BASE + """\
  lonely:
    severity: info
    title: {en: L, ru: L}
    match: {sale: sale}
    absent: {as: other, record: purchase, when: "sale.amount > 0"}
    message: {en: x, ru: x}
    citations: [s]
examples:
  - name: bad
    records: [{record: sale, no: "1", amount: 1}]
    expect:
      - {check: mismatch, records: {sale: 1}}
      - {check: nope, records: {sale: 1}}
"""
    found = problems(text)
    assert any("the absent record 'other' is never compared" in p for p in found)
    assert any("matches sale, purchase: give the line of each" in p for p in found)
    assert any("no check 'nope'" in p for p in found)


def test_a_join_without_equality_is_warned_about() -> None:
    text = BASE.replace("      - purchase.no == sale.no\n", "")
    ledger = load_ledger_text(text.encode(), "book.yaml")
    assert any("without an equality" in str(w) for w in ledger.warnings)


def test_dispatch_and_registry() -> None:
    files = [p for p in rulebook_files() if is_ledger_file(p)]
    assert {p.name for p in files} >= {"vat_reconciliation.yaml", "kudir_checks.yaml"}
    book = engine.load("ru.vat_reconciliation")
    assert book.kind == "ledger" and len(book.sha256) == 64 and book.id == "ru.vat_reconciliation"
    assert engine.load(str(ROOT / "rulebooks" / "ru" / "vat_reconciliation.yaml")) is book  # compiled once


@pytest.mark.parametrize("name", ["vat_reconciliation", "kudir_checks"])
def test_embedded_examples_pass_on_both_executors(name: str) -> None:
    report = run_ledger_book(engine.load(f"ru.{name}"))
    assert report.failed == 0, [o for o in report.outcomes if o.problems]
    assert report.unexercised == []
    assert report.passed == len(report.outcomes) >= 5
