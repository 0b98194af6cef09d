"""The HTML audit report, parsed as a browser would (html5lib): decisions first, the law's
words beside each decision, the conditions that held and did not (with the deciding part
and its values), warnings at the top, localised values, no external resource."""

import json
import subprocess
import sys
from pathlib import Path

import html5lib
import pytest

import engine
from engine import jsonout
from engine.report import audit_report, report_fragment, report_page, stylesheet

ROOT = Path(__file__).resolve().parents[2]


def facts(name: str):
    return jsonout.loads((ROOT / "examples" / "ru" / name).read_text(encoding="utf-8"))


def parse(html: str):
    return html5lib.parse(html, namespaceHTMLElements=False)


def text_of(element) -> str:
    return "".join(element.itertext())


@pytest.fixture(scope="module")
def book():
    return engine.load("ru.invoice_adjustment")


@pytest.fixture(scope="module")
def before_2019(book):
    result = book.decide(facts("return_before_2019.json"), language="ru")
    return result, parse(report_page(result, book.model, "ru"))


def test_one_standalone_file_without_external_resources(before_2019):
    _, doc = before_2019
    assert doc.findall(".//script") == [] and doc.findall(".//link") == [] and doc.findall(".//img") == []
    assert doc.findall(".//iframe") == [] and doc.findall(".//object") == []
    [style] = doc.findall(".//style")
    css = style.text
    assert "@media print" in css  # a print stylesheet
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    for element in doc.iter():
        assert "style" not in element.attrib or "url(" not in element.attrib["style"]
        assert "src" not in element.attrib


def test_decisions_come_first_with_raw_values_for_machines(before_2019):
    _, doc = before_2019
    sections = [s.get("class") for s in doc.findall(".//article/section")]
    assert sections[0] == "summary"
    cell = doc.find(".//td[@data-decision='document']")
    assert cell.get("data-value") == "buyer_invoice"
    assert text_of(cell) == "счёт-фактура покупателя (обратная реализация)"  # the value's Russian label


def test_the_laws_words_beside_the_decision(before_2019):
    _, doc = before_2019
    section = doc.find(".//section[@id='decision-document']")
    law = section.find(".//aside[@class='law']")
    quotes = [text_of(q) for q in law.findall(".//blockquote")]
    # ПП РФ № 1137, Приложение № 5 (ред. до 01.04.2019): the buyer registers its own invoice
    assert any("обратная реализация" in quote for quote in quotes)
    assert "ПП РФ № 1137, Приложение № 5" in text_of(law)


def test_conditions_that_held_and_did_not_with_the_deciding_values(before_2019):
    _, doc = before_2019
    section = doc.find(".//section[@id='decision-document']")
    held = section.find(".//ul[@class='rules held']")
    assert held.find("li[@data-rule='return_before_2019_reverse_sale']") is not None
    not_held = section.find(".//ul[@class='rules not-held']")
    line = not_held.find("li[@data-rule='return_as_new_sale_invoice']")
    assert 'event == "return" and return_as_new_sale and buyer_vat_payer' in text_of(line.find("div[@class='condition']"))
    because = text_of(line.find("div[@class='because']"))
    assert "return_as_new_sale" in because and "ложно" in because and "нет" in because  # false; its value is "no"


def test_localised_numbers_and_dates(book, before_2019):
    _, doc = before_2019
    # 56000.00 - 70000.00 = -14000.00, written the Russian way
    assert text_of(doc.find(".//td[@data-decision='value_difference']")) == "-14\u00a0000,00"
    assert text_of(doc.find(".//td[@data-decision='seller_deduction_deadline']")) == "15.03.2022"
    english = parse(report_page(book.decide(facts("return_before_2019.json")), book.model, "en"))
    assert text_of(english.find(".//td[@data-decision='value_difference']")) == "-14,000.00"
    assert text_of(english.find(".//td[@data-decision='seller_deduction_deadline']")) == "15 March 2022"


def test_warnings_are_at_the_top_in_the_readers_language(book):
    result = book.decide(facts("return_before_2019.json"), as_of="2011-06-01", language="ru")
    doc = parse(report_page(result, book.model, "ru"))
    first = doc.find(".//article/section")
    assert first.get("class") == "warnings"
    assert "вне периода" in text_of(first)  # as_of before the rulebook's valid_from 2012-01-01


def test_a_language_the_rulebook_lacks_is_a_warning_in_that_language(book):
    result = book.decide(facts("return_before_2019.json"), language="de")
    assert any("keine Texte in 'de'" in warning for warning in result.warnings)


def test_the_fragment_is_embeddable(book):
    result = book.decide(facts("price_discount.json"))
    fragment = report_fragment(result, book.model, "en")
    assert fragment.lstrip().startswith("<article") and "<html" not in fragment and "<style" not in fragment
    assert ".taxrules" in stylesheet()


def test_an_undetermined_decision_names_what_is_missing(book):
    case = facts("price_discount.json")
    del case["agreement_date"]
    result = book.decide(case)
    doc = parse(report_page(result, book.model, "en"))
    assert doc.find(".//td[@data-decision='issue_deadline']").get("data-value") == ""
    assert "agreement_date" in text_of(doc.find(".//section[@id='decision-issue_deadline']"))


def test_text_and_markdown_carry_the_same_facts(book):
    result = book.decide(facts("return_before_2019.json"), language="en")
    for fmt in ("text", "markdown"):
        out = audit_report(result, book.model, fmt, "en")
        assert "buyer's invoice (reverse sale)" in out
        assert "return_as_new_sale is false" in out
        assert "-14,000.00" in out


def test_every_rulebook_in_each_language_through_the_cli(tmp_path):
    cases = {
        "ru.invoice_adjustment": "examples/ru/price_discount.json",
        "cn.vat_rate": "examples/cn/vat_rate_aircon_retailer.json",
        "at.vat_refund": "examples/at/eu_quarterly_claim.json",
    }
    for rulebook, path in cases.items():
        for lang in engine.load(rulebook).model.languages:
            out = tmp_path / f"{rulebook}.{lang}.html"
            proc = subprocess.run(
                [sys.executable, "-m", "engine.cli", "explain", rulebook, "--facts", path, "--format", "html", "--lang", lang, "-o", str(out)],
                cwd=ROOT, capture_output=True, text=True, timeout=120,
            )
            assert proc.returncode == 0, proc.stderr
            assert proc.stderr == ""  # a language the rulebook has: no warning
            doc = parse(out.read_text(encoding="utf-8"))
            assert doc.find(".//td[@data-decision]") is not None
            assert doc.get("lang") == lang


def test_result_json_is_a_self_contained_record(book):
    case = facts("price_discount.json")
    record = json.loads(book.decide(case).to_json())
    assert record["engine_version"] == engine.__version__
    assert record["facts"]["event"] == "price_change" and record["normalised_facts"]["event_date"] == case["event_date"]
    entry = next(e for e in record["trace"] if e.get("rule") == "return_as_new_sale_invoice")
    assert entry["condition"] == 'event == "return" and return_as_new_sale and buyer_vat_payer'
    assert entry["because"] == 'event (price_change) == "return" is false'
