"""A ledger check's sources are declared and checked as a decision rule's: the legal
basis under `citations`, secondary material only under `see_also`, and every finding
carries both in the reader's language."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from engine.ledger.api import LedgerBook
from engine.ledger.loader import load_ledger_text
from engine.rulebook.errors import RulebookError

ROOT = Path(__file__).resolve().parents[2]

BOOK = """\
id: test.sourced
kind: ledger
jurisdiction: ru
title: {en: Sourced, ru: С источниками}
version: "1"
languages: [ru, en]
sources:
  nk_169:
    citation: {ru: НК РФ ст. 169 п. 2, en: "Tax Code of Russia, Art. 169(2)"}
    quote: Ошибки в счетах-фактурах ...
    url: https://example.org/nk/169
    valid_from: 2001-01-01
    note: checked against the official text
  article:
    kind: secondary
    citation: Статья «Сверка» (журнал)
    quote: Так пишут в статье.
records:
  sale:
    fields:
      no: {type: string}
      amount: {type: decimal}
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
    message: {en: "{sale.no} differs", ru: "{sale.no} расходится"}
    citations: [nk_169]
    see_also: [article]
"""

RECORDS = [
    {"record": "sale", "no": "1", "amount": "100"},
    {"record": "purchase", "no": "1", "amount": "90"},
]


def load(text: str):
    return load_ledger_text(text.encode(), "book.yaml")


def problems(text: str) -> list[str]:
    with pytest.raises(RulebookError) as info:
        load(text)
    return [str(p) for p in info.value.problems]


def line_of(text: str, fragment: str) -> int:
    return next(i for i, row in enumerate(text.splitlines(), 1) if fragment in row)


def test_a_finding_carries_its_basis_and_its_further_reading_in_the_readers_language() -> None:
    finding = LedgerBook(load(BOOK)).reconcile(RECORDS).findings[0]
    english, russian = finding.to_dict("en"), finding.to_dict("ru")
    assert [c["citation"] for c in english["citations"]] == ["Tax Code of Russia, Art. 169(2)"]
    assert english["citations"][0]["quote"] == "Ошибки в счетах-фактурах ..."  # the law's own words
    assert english["citations"][0]["url"] == "https://example.org/nk/169"
    assert [c["citation"] for c in russian["citations"]] == ["НК РФ ст. 169 п. 2"]
    assert [(c["id"], c["citation"]) for c in english["see_also"]] == [("article", "Статья «Сверка» (журнал)")]
    schema = json.loads((ROOT / "schemas" / "reconciliation.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(english, schema["$defs"]["finding"] | {"$defs": schema["$defs"]})


def test_a_check_without_further_reading_has_an_empty_see_also() -> None:
    text = BOOK.replace("    see_also: [article]\n", "")
    assert LedgerBook(load(text)).reconcile(RECORDS).findings[0].to_dict()["see_also"] == []


def test_secondary_material_is_not_a_legal_basis() -> None:
    text = BOOK.replace("    citations: [nk_169]\n    see_also: [article]\n", "    citations: [nk_169, article]\n")
    found = problems(text)
    assert found == [f"book.yaml:{line_of(text, 'citations: [nk_169, article]')}:25: 'article' is secondary material: list it under `see_also`, not as the legal basis"]


def test_see_also_names_a_source() -> None:
    text = BOOK.replace("see_also: [article]", "see_also: [artcle]")
    (found,) = problems(text)
    assert "citation 'artcle' is not in `sources`; did you mean 'article'?" in found
    assert found.startswith(f"book.yaml:{line_of(text, 'see_also: [artcle]')}:")


def test_sources_have_one_definition_for_every_kind_of_book() -> None:
    # the ledger schema takes `sources` from the rulebook schema: the same keys, the same mistakes
    text = BOOK.replace("    note: checked against the official text\n", "    note: checked\n    qoute: x\n")
    (found,) = problems(text)
    assert "unknown key 'qoute' in sources.nk_169; did you mean 'quote'?" in found
    for name in ("ledger.schema.json", "library.schema.json"):
        schema = json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8"))
        assert schema["properties"]["sources"] == {"$ref": "rulebook.schema.json#/$defs/sources"}


def test_a_source_without_a_quote_is_warned_about() -> None:
    text = BOOK.replace("    quote: Так пишут в статье.\n", "")
    warnings = [str(w) for w in load(text).warnings]
    assert any("source 'article' has no quote" in w for w in warnings)
