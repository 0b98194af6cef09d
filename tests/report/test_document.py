"""`taxrules doc`: every rulebook as a document in each of its languages, with one
decision-table row per rule, dated parameter tables, the law's quotes and the examples."""

import subprocess
import sys
from pathlib import Path

import html5lib
import pytest

import engine
from engine.report.document import document_markdown, document_page
from engine.rulebook.registry import discover, is_ledger_file

ROOT = Path(__file__).resolve().parents[2]


def decision_books():
    out = []
    for rulebook_id, path in sorted(discover().items()):
        if is_ledger_file(path):
            continue
        book = engine.load(str(path))
        if hasattr(book, "decide"):
            out.append(rulebook_id)
    return out


@pytest.mark.parametrize("rulebook_id", decision_books())
def test_every_rulebook_as_a_document(rulebook_id):
    model = engine.load(rulebook_id).model
    for language in model.languages:
        doc = html5lib.parse(document_page(model, language), namespaceHTMLElements=False)
        assert doc.get("lang") == language
        assert doc.findall(".//script") == [] and doc.findall(".//link") == []
        for name, decision in model.decisions.items():
            table = doc.find(f".//div[@id='decision-{name}']")
            assert table.get("data-hit-policy") == decision.hit_policy
            rows = table.findall(".//table[@class='decision-table']/tbody/tr")
            assert [row.get("data-rule") for row in rows] == [rule.id for rule in decision.rules]
        for name, parameter in model.parameters.items():  # one dated row (or column, for tables) per value
            table = doc.find(f".//section[@class='parameters']/table[@data-parameter='{name}']")
            if table.get("class") == "parameter":
                assert len(table.findall("tbody/tr")) == len(parameter.values)
            else:
                assert len(table.findall("thead/tr/th")) == 1 + len(parameter.values)
        quotes = {"".join(q.itertext()) for q in doc.iter("blockquote")}
        for source in model.sources.values():
            if source.quote:
                assert source.quote in quotes
        examples = doc.find(".//section[@class='examples']")
        if model.examples:
            assert len(examples.findall(".//tbody/tr")) == len(model.examples)
        markdown = document_markdown(model, language)
        assert markdown.startswith("# " + model.title_in(language))


def test_labels_and_dated_parameters_in_the_document():
    model = engine.load("ru.invoice_adjustment").model
    markdown = document_markdown(model, "ru")
    assert "`corrective_invoice` (корректировочный счёт-фактура)" not in markdown  # decisions are not facts
    assert "| корректировочный счёт-фактура (corrective_invoice) |" in markdown
    assert "`return` (возврат товаров)" in markdown  # an enum fact's values with their labels
    assert "| `return_before_2019_reverse_sale` |" in markdown
    assert "… – 31.03.2019" in markdown  # the rule's validity, Russian dates


def test_the_command(tmp_path):
    out = tmp_path / "doc.html"
    proc = subprocess.run([sys.executable, "-m", "engine.cli", "doc", "cn.vat_rate", "--lang", "zh", "-o", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == ""
    assert "增值税" in out.read_text(encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "engine.cli", "doc", "cn.vat_rate", "--lang", "ru", "--format", "markdown"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "cn.vat_rate" in proc.stderr  # a language it lacks: a warning
