"""The typed Python API: load overloads, one language argument, docstrings, Result.explain, counts as int."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import typing
from pathlib import Path

import jsonschema
import pytest

import engine
from engine import jsonout

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "policies.yaml"
SALE = {"kind": "sale", "event_date": "2024-01-10", "amount": "0.1", "resident": True, "vip": False}
PRICE_DISCOUNT = json.loads((ROOT / "examples" / "ru" / "price_discount.json").read_text(encoding="utf-8"))


def test_load_has_one_overload_per_kind() -> None:
    overloads = typing.get_overloads(engine.load)
    from engine.rulebook.library import LibraryBook

    names = {**vars(engine.api), "LedgerBook": engine.LedgerBook, "LibraryBook": LibraryBook}
    returns = [typing.get_type_hints(o, globalns=names)["return"] for o in overloads]
    assert returns[:3] == [engine.Book, engine.LedgerBook, LibraryBook]
    assert set(typing.get_args(returns[3])) == {engine.Book, engine.LedgerBook, LibraryBook}
    assert (ROOT / "engine" / "py.typed").exists()


@pytest.mark.parametrize("language", ["fr", "EN", "", "english"])
def test_unknown_languages_are_refused_naming_the_rulebooks_languages(language: str) -> None:
    book = engine.load("ru.invoice_adjustment", kind="decision")
    with pytest.raises(ValueError, match=r"is not available for ru.invoice_adjustment: its texts are in ru, en"):
        book.decide(PRICE_DISCOUNT, lang=language)
    with pytest.raises(ValueError, match="its texts are in ru, en"):
        book.decide(PRICE_DISCOUNT, language=language)  # the older spelling, the same check
    with pytest.raises(ValueError, match="its texts are in ru, en"):
        list(book.decide_many([PRICE_DISCOUNT], lang=language))


def test_every_accepted_language_gives_a_result_the_schema_accepts() -> None:
    schema = json.loads((ROOT / "schemas" / "result.schema.json").read_text(encoding="utf-8"))
    book = engine.load("ru.invoice_adjustment", kind="decision")
    for language in ("en", "ru", "zh", "de"):
        result = book.decide(PRICE_DISCOUNT, lang=language)
        assert result.language == language
        jsonschema.validate(json.loads(result.to_json()), schema)
    assert book.decide(PRICE_DISCOUNT, language="ru").to_json() == book.decide(PRICE_DISCOUNT, lang="ru").to_json()


def test_result_explain_is_what_taxrules_explain_prints(tmp_path: Path) -> None:
    book = engine.load(FIXTURE, kind="decision")
    result = book.decide(SALE, as_of="2024-01-10")
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(SALE), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "engine.cli", "explain", str(FIXTURE), "--facts", str(facts), "--as-of", "2024-01-10", "--lang", "ru"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert result.explain("ru") == proc.stdout
    assert "Продажа резидента" in result.explain("ru")
    assert result.explain() == result.explain("en")  # decided in English
    with pytest.raises(ValueError, match="its texts are in ru, en"):
        result.explain("fr")


def test_a_ledger_count_is_an_int() -> None:
    records = [json.loads(line) for line in (ROOT / "examples" / "ru" / "kudir_book.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    result = engine.load("ru.kudir_checks", kind="ledger").reconcile(records)
    errors = result.summary["errors"]
    # kudir_book.jsonl: 6 findings, of which out_of_order is a warning and 5 are errors
    assert errors == 5 and type(errors) is int
    assert sum(1 for f in result.findings if f.check.severity == "error") == 5
    assert jsonout.dumps(result.summary_dict()["summary"], indent=None).endswith('"errors":5}')


def test_every_public_class_and_method_has_a_docstring() -> None:
    undocumented = []
    for name in engine.__all__:
        value = getattr(engine, name)
        if not inspect.isclass(value):
            if callable(value) and not inspect.getdoc(value):
                undocumented.append(name)
            continue
        if not (value.__doc__ or "").strip():
            undocumented.append(name)
        for attribute, member in vars(value).items():
            if attribute.startswith("_") or not (inspect.isfunction(member) or isinstance(member, property)):
                continue
            if not (member.__doc__ or "").strip():
                undocumented.append(f"{name}.{attribute}")
    assert undocumented == []
