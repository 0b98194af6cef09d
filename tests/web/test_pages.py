"""The workbench's pages in-process: what they show, that they agree with the JSON API,
that they are valid HTML with no outside resource, and that every string is translated."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import html5lib
import pytest

from engine import jsonout
from engine.service import create_app
from engine.web.strings import STRINGS

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "engine" / "web" / "templates"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def _form(facts: dict) -> dict[str, str]:
    return {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in facts.items()}


def _values(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-decision="([^"]+)" data-value="([^"]*)"', html))


def _strict(html: str) -> None:
    """Parsed by the HTML5 algorithm with every parse error an exception."""
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)


def test_the_list_shows_every_rulebook_with_its_kind(client: TestClient) -> None:
    page = client.get("/?lang=ru")
    assert page.status_code == 200
    _strict(page.text)
    for rulebook_id, kind in (("ru.invoice_adjustment", "decision"), ("cn.vat_rate", "decision"), ("ru.vat_reconciliation", "ledger")):
        assert f'data-rulebook="{rulebook_id}" data-kind="{kind}"' in page.text
    assert "Корректировочный или исправленный счёт-фактура" in page.text
    assert page.cookies.get("taxrules_lang") == "ru"


def test_pages_load_nothing_from_outside(client: TestClient) -> None:
    for path in ("/", "/web/rulebooks/ru.invoice_adjustment", "/web/rulebooks/cn.vat_rate/case?example=0", "/web/rulebooks/ru.vat_reconciliation/ledger"):
        html = client.get(path).text
        _strict(html)
        tree = html5lib.parse(html, namespaceHTMLElements=False)
        for element in tree.iter():
            for attribute in ("src", "href"):
                value = element.get(attribute) or ""
                if element.tag in ("script", "link", "img", "iframe"):
                    assert not re.match(r"^(https?:)?//", value), f"{path}: {element.tag} {value}"
    assert client.get("/web/static/workbench.css").status_code == 200
    assert client.get("/web/static/workbench.js").status_code == 200


def test_a_case_on_the_page_is_the_case_of_the_api(client: TestClient) -> None:
    facts = json.loads((ROOT / "examples" / "ru" / "price_discount.json").read_text(encoding="utf-8"))
    page = client.post("/web/rulebooks/ru.invoice_adjustment/case", data={**_form(facts), "_lang": "en"})
    assert page.status_code == 200
    _strict(page.text)
    answer = client.post("/rulebooks/ru.invoice_adjustment/decide", content=json.dumps(facts))
    api = jsonout.loads(answer.text)  # exact decimals, as the API wrote them
    shown = _values(page.text)
    for name, decision in api["decisions"].items():
        value = decision["value"]
        expected = value if isinstance(value, str) else jsonout.dumps(value, indent=None)
        assert shown[name] == expected, name
    assert shown["document"] == "corrective_invoice"
    record = client.post("/web/rulebooks/ru.invoice_adjustment/record", data={**_form(facts), "_lang": "en"})
    assert record.headers["content-disposition"] == 'attachment; filename="ru.invoice_adjustment-record.json"'
    # the form sends numbers as numbers, so even `facts` (the case as received) agrees
    assert jsonout.loads(record.text) == api


def test_the_example_fills_the_form(client: TestClient) -> None:
    page = client.get("/web/rulebooks/at.vat_refund/case?example=0&lang=de")
    assert page.status_code == 200
    assert 'name="invoices[0].vat_amount"' in page.text
    assert re.search(r'<option value="0" selected>', page.text)


def test_bad_input_is_shown_under_its_field_with_the_engines_message(client: TestClient) -> None:
    facts = json.loads((ROOT / "examples" / "ru" / "price_discount.json").read_text(encoding="utf-8"))
    for language in ("en", "de"):  # the page's language is the message's (an earlier test left a cookie)
        page = client.post("/web/rulebooks/ru.invoice_adjustment/case", data={**_form(facts), "value_after": "12,5", "_lang": language})
        assert page.status_code == 422
        api = client.post("/rulebooks/ru.invoice_adjustment/decide", params={"lang": language}, content=json.dumps({**facts, "value_after": "12,5"})).json()
        message = api["detail"].split(": ", 1)[1]  # the API prefixes `bad facts for <id>: `
        field = re.search(r'<div class="field field-decimal has-error" data-field="value_after">.*?</div>', page.text, re.S)
        assert field is not None and message.replace("'", "&#39;").replace('"', "&#34;") in field.group(0)
        assert 'aria-invalid="true"' in field.group(0)
        assert "data-decision" not in page.text
    assert "value_after: erwartet wurde eine Zahl" in field.group(0)


def test_rows_can_be_added_and_removed_without_the_script(client: TestClient) -> None:
    added = client.post("/web/rulebooks/at.vat_refund/case", data={"invoices[0].id": "A", "invoices[0].vat_amount": "1", "_add": "invoices"})
    assert 'name="invoices[1].vat_amount"' in added.text and "data-decision" not in added.text
    removed = client.post(
        "/web/rulebooks/at.vat_refund/case",
        data={"invoices[0].id": "A", "invoices[1].id": "B", "_remove": "invoices[0]"},
    )
    assert re.search(r'name="invoices\[0\]\.id"[^>]*value="B"', removed.text)
    assert 'name="invoices[1].id"' not in removed.text


def test_the_interview_asks_one_question_inside_the_case_form(client: TestClient) -> None:
    page = client.post("/web/rulebooks/ru.desk_audit/case", data={"return_type": "vat", "filed_on": "2024-04-20"})
    assert page.status_code == 200
    _strict(page.text)
    assert page.text.count("data-question=") == 1
    assert 'data-question="vat_refund_claimed"' in page.text
    assert page.text.count('name="vat_refund_claimed"') == 1  # asked in place of its field, not twice
    skipped = client.post(
        "/web/rulebooks/ru.desk_audit/case", data={"return_type": "vat", "filed_on": "2024-04-20", "_skip": "vat_refund_claimed"}
    )
    assert 'data-question="vat_refund_claimed"' not in skipped.text
    assert 'name="_skipped" value="vat_refund_claimed"' in skipped.text


def test_a_ledger_book_as_csv_and_refusals(client: TestClient) -> None:
    lines = [json.loads(line) for line in (ROOT / "examples" / "ru" / "books.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    columns = sorted({key for line in lines for key in line})
    csv_text = ",".join(columns) + "\n" + "".join(",".join(str(line.get(c, "")) for c in columns) + "\n" for line in lines)
    page = client.post("/web/rulebooks/ru.vat_reconciliation/ledger", files={"book": ("books.csv", csv_text.encode(), "text/csv")})
    assert page.status_code == 200
    _strict(page.text)
    assert 'data-findings="7"' in page.text
    array = "[" + ",".join(json.dumps(line) for line in lines) + "]"
    as_array = client.post("/web/rulebooks/ru.vat_reconciliation/ledger", files={"book": ("books.json", array.encode(), "application/json")})
    assert 'data-findings="7"' in as_array.text
    bad = client.post("/web/rulebooks/ru.vat_reconciliation/ledger", files={"book": ("b.jsonl", b'{"record": "sale"\n', "application/x-ndjson")})
    assert bad.status_code == 422 and "line 1" in bad.text
    latin = client.post("/web/rulebooks/ru.vat_reconciliation/ledger", files={"book": ("b.jsonl", "é".encode("latin-1"), "application/x-ndjson")})
    assert latin.status_code == 422 and "not UTF-8" in latin.text
    none = client.post("/web/rulebooks/ru.vat_reconciliation/ledger", data={"_lang": "de"})
    assert none.status_code == 422 and "Bitte zuerst eine Datei wählen." in none.text


def test_uploads_over_the_limit_are_refused_before_parsing() -> None:
    small = TestClient(create_app(max_body_bytes=2000))
    page = small.post("/web/rulebooks/ru.vat_reconciliation/ledger", files={"book": ("big.jsonl", b"{}\n" * 2000, "application/x-ndjson")})
    assert page.status_code == 413
    case = small.post("/web/rulebooks/ru.invoice_adjustment/case", data={"event": "x" * 5000})
    assert case.status_code == 413


def test_unknown_rulebooks_are_404_pages(client: TestClient) -> None:
    for path in ("/web/rulebooks/xx.nothing", "/web/rulebooks/xx.nothing/case", "/web/rulebooks/xx.nothing/ledger"):
        page = client.get(path)
        assert page.status_code == 404 and "xx.nothing" in page.text


def test_every_string_is_in_four_languages_and_every_key_used_exists() -> None:
    for key, texts in STRINGS.items():
        assert set(texts) == {"en", "ru", "zh", "de"}, key
        assert all(texts.values()), key
        placeholders = {lang: sorted(re.findall(r"\{\d\}", text)) for lang, text in texts.items()}
        assert len({tuple(p) for p in placeholders.values()}) == 1, key
    from engine.i18n import _WORDS  # the engine's shared words

    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"\bt\('([a-z_]+)'\s*[,)]", template.read_text(encoding="utf-8")))
    missing = sorted(key for key in used if key not in STRINGS and key not in _WORDS)
    assert missing == []


def test_the_json_api_is_unchanged_beside_the_pages(client: TestClient) -> None:
    assert client.get("/rulebooks").headers["content-type"].startswith("application/json")
    assert client.get("/health").json()["status"] == "ok"
    paths = client.get("/openapi.json").json()["paths"]
    assert not any(path == "/" or path.startswith("/web") for path in paths)


def test_the_rulebook_document_is_the_doc_view(client: TestClient) -> None:
    from engine.api import load
    from engine.report import document_fragment

    page = client.get("/web/rulebooks/ru.invoice_adjustment?lang=ru")
    assert page.status_code == 200
    _strict(page.text)
    assert document_fragment(load("ru.invoice_adjustment").model, "ru") in page.text
    assert client.get("/web/report.css").text.strip()


def test_every_bad_fact_lands_under_its_own_control() -> None:
    from engine.rulebook.facts import BadInput
    from engine.web.pages import field_errors

    one = BadInput("value_after: expected a number", "value_after")
    assert field_errors(one) == ({"value_after": ["value_after: expected a number"]}, [])
    many = BadInput("a; b", "event_date")
    many.problems = [("event_date", "event_date: bad"), ("invoices[0].vat_amount", "invoices[0].vat_amount: bad"), (None, "the facts must be an object")]
    assert field_errors(many) == (
        {"event_date": ["event_date: bad"], "invoices[0].vat_amount": ["invoices[0].vat_amount: bad"]},
        ["the facts must be an object"],
    )


def test_the_findings_on_the_page_are_the_apis(client: TestClient) -> None:
    import base64

    book = (ROOT / "examples" / "ru" / "books.jsonl").read_bytes()
    page = client.post("/web/rulebooks/ru.vat_reconciliation/ledger", files={"book": ("books.jsonl", book, "application/x-ndjson")}, data={"_lang": "ru"})
    api = jsonout.loads(
        client.post("/rulebooks/ru.vat_reconciliation/reconcile?lang=ru", content=book, headers={"content-type": "application/x-ndjson"}).text
    )
    encoded = re.search(r'href="data:application/x-ndjson;charset=utf-8;base64,([^"]+)"', page.text)
    assert encoded is not None
    downloaded = [jsonout.loads(line) for line in base64.b64decode(encoded.group(1)).decode("utf-8").splitlines()]
    assert downloaded == api["findings"] and len(downloaded) == 7
    rows = re.findall(r'<tr class="finding severity-\w+" data-check="(\w+)">', page.text)
    assert rows == [finding["check"] for finding in api["findings"]]


def test_a_ledger_finding_shows_its_further_reading_apart_from_its_legal_basis(client: TestClient) -> None:
    book = (ROOT / "examples" / "ru" / "books.jsonl").read_bytes()
    api = jsonout.loads(client.post("/rulebooks/ru.vat_reconciliation/reconcile?lang=ru", content=book, headers={"content-type": "application/x-ndjson"}).text)
    with_reading = [f for f in api["findings"] if f["see_also"]]
    assert with_reading and all(c["id"].startswith("source_") for f in with_reading for c in f["see_also"])
    assert not any(c["id"].startswith("source_") for f in api["findings"] for c in f["citations"])
    page = client.post("/web/rulebooks/ru.vat_reconciliation/ledger", files={"book": ("books.jsonl", book, "application/x-ndjson")}, data={"_lang": "ru"})
    assert page.text.count('<small class="see-also">см. также: ') == len(with_reading)
    assert with_reading[0]["see_also"][0]["citation"] in page.text
