"""Issue 13, "labels" and "citations that stand up", for every rulebook in each of its
languages: a reader of a report sees «корректировочный счёт-фактура», never
`corrective_invoice`; every source a rule or check stands on is quoted, and secondary
material is never the legal basis."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.api import load
from engine.rulebook.registry import rulebook_files, rulebook_kind

ROOT = Path(__file__).resolve().parents[2]
FILES = rulebook_files([ROOT / "rulebooks"])
DECISION_BOOKS = [p for p in FILES if rulebook_kind(p) == "decision"]


def enum_declarations(declaration: dict[str, Any], where: str):
    """Every enum declared in a fact or decision: itself, a list's items, a record's fields."""
    if declaration.get("type") == "enum":
        yield where, declaration
    if isinstance(declaration.get("items"), dict):
        yield from enum_declarations(declaration["items"], where + "[]")
    for name, field in (declaration.get("fields") or {}).items():
        yield from enum_declarations(field, f"{where}.{name}")


@pytest.mark.parametrize("path", DECISION_BOOKS, ids=lambda p: f"{p.parent.name}.{p.stem}")
def test_every_enum_value_has_a_label_in_each_of_the_books_languages(path: Path) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    missing = []
    for section in ("facts", "decisions"):
        for name, declaration in (raw.get(section) or {}).items():
            for where, enum in enum_declarations(declaration, f"{section}.{name}"):
                labels = enum.get("labels") or {}
                for value in enum["values"]:
                    for language in raw["languages"]:
                        text = (labels.get(value) or {}).get(language)
                        if not text or not text.strip():
                            missing.append(f"{where}: {value} [{language}]")
    assert not missing, "\n".join(missing)


def test_check_prints_no_missing_label_no_unquoted_source_and_no_internal_id() -> None:
    run = subprocess.run([sys.executable, "-m", "engine.cli", "check", "rulebooks"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    for complaint in ("has no label", "has no quote", "looks like an internal id", "needs its `number` and `date`"):
        assert complaint not in run.stdout, run.stdout


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}.{p.stem}")
def test_secondary_material_is_never_the_legal_basis(path: Path) -> None:
    """The shared source documents are articles and a textbook: each book marks them
    `secondary`, and they appear only as `see_also` (the loader refuses them as citations);
    every source whose citation names one of them is marked so."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, source in raw["sources"].items():
        citation = str(source["citation"])
        if any(word in citation for word in ("Статья", "Бератор", "Источник 0", "教材", "Quelle 004")):
            assert source.get("kind") == "secondary", f"{path.name}: {key}: {citation}"
    book = load(str(path))
    model = book.model
    secondary = {key for key, source in model.sources.items() if source.secondary}
    cited: list[tuple[str, tuple[str, ...]]] = []
    if hasattr(model, "checks"):
        cited = [(check.id, check.citations) for check in model.checks]
    elif hasattr(model, "rules"):
        cited = [(rule.id, rule.citations) for rule in model.rules()]
    for owner, citations in cited:
        assert not secondary & set(citations), f"{path.name}: {owner} stands on {secondary & set(citations)}"
        assert citations, f"{path.name}: {owner} has no legal basis"


def test_a_report_names_enum_values_in_the_readers_language(tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text('{"taxpayer": "entrepreneur", "regime": "usn", "usn_object": "income", "book_year": 2024}', encoding="utf-8")
    for language, shown, raw in (("ru", "раздел IV (расходы, уменьшающие налог)", "= I, IV, V"), ("en", "section IV (expenses reducing the tax)", "= I, IV, V")):
        run = subprocess.run(
            [sys.executable, "-m", "engine.cli", "explain", "ru.kudir", "--facts", str(facts), "--as-of", "2024-06-30", "--lang", language, "--format", "text"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )
        assert shown in run.stdout, run.stdout + run.stderr
        assert raw not in run.stdout


def test_the_document_says_which_sources_are_not_statutes() -> None:
    def doc(rulebook_id: str, language: str) -> str:
        run = subprocess.run([sys.executable, "-m", "engine.cli", "doc", rulebook_id, "--format", "markdown", "--lang", language], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        return run.stdout

    assert "- **UStR 2000 Rz 2836** (Verwaltungsrichtlinie)" in doc("at.vat_refund", "de")
    russian = doc("ru.invoice_adjustment", "ru")
    assert "- **Письмо Минфина от 12.05.2012 № 03-07-09/48** (письмо ведомства)" in russian
    assert "(см. также)" in russian and "- **НК РФ ст. 168 п. 3** `nk_168_3`" in russian


def test_english_readers_get_english_references_and_the_laws_own_words() -> None:
    """The Russian and Chinese books give an English reference beside the original one; the
    quote stays the law's own words."""
    kudir = load("ru.kudir").model.sources["nk_346_24"]
    assert kudir.citation_in("en") == "Tax Code of the Russian Federation, art. 346.24"
    assert kudir.citation_in("ru") == kudir.citation == "НК РФ ст. 346.24"
    vat_law = load("cn.vat_rate").model.sources["cs_2016_36_a1_40"]
    assert vat_law.citation_in("en") == "Caishui [2016] No. 36, Annex 1, Art. 40"
    assert vat_law.citation_in("zh") == "财税〔2016〕36号 附件1 第四十条"
    assert vat_law.as_citation("en")["quote"].startswith("一项销售行为如果既涉及服务又涉及货物")
