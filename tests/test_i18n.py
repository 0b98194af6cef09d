"""The engine's own text in en/ru/zh/de: the catalogues are complete, bad input is said in
the language asked (naming the same fields), the command line's error lines and `verify`'s
and `diff`'s lines follow --lang, and one language policy holds for the API, the command
line and HTTP."""

from __future__ import annotations

import json
import pickle
import string
import subprocess
import sys
from pathlib import Path

import pytest

import engine
from engine.i18n import LANGUAGES, MESSAGES, WORDS, Phrase, choose_language, message, say

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "policies.yaml"  # languages: ru, en
PRICE_DISCOUNT = ROOT / "examples" / "ru" / "price_discount.json"
SALE = {"kind": "sale", "event_date": "2024-01-10", "amount": "0.1", "resident": True, "vip": False}


def taxrules(*args: object, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "engine.cli", *map(str, args)], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=180)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


# -- the catalogues -----------------------------------------------------------------------


@pytest.mark.parametrize("catalogue", [WORDS, MESSAGES], ids=["words", "messages"])
def test_every_catalogue_key_has_all_four_languages(catalogue: dict[str, dict[str, str]]) -> None:
    incomplete = {key: sorted(set(LANGUAGES) - {lang for lang, text in entry.items() if text.strip()}) for key, entry in catalogue.items()}
    assert {key: missing for key, missing in incomplete.items() if missing} == {}
    assert all(set(entry) == set(LANGUAGES) for entry in catalogue.values())  # and no fifth language


def _placeholders(template: str) -> list[tuple[str, str, str]]:
    return sorted((name, conversion or "", spec or "") for _, name, spec, conversion in string.Formatter().parse(template) if name is not None)


def test_every_translation_fills_the_same_placeholders_as_the_english() -> None:
    differing = {
        (key, language): (_placeholders(entry["en"]), _placeholders(text))
        for key, entry in MESSAGES.items()
        for language, text in entry.items()
        if _placeholders(text) != _placeholders(entry["en"])
    }
    assert differing == {}


def test_every_bad_fact_message_names_its_field_first_in_every_language() -> None:
    # "field: ..." in every language (ASCII colon, also in Chinese), so a reader or a tool finds the field
    for key, entry in MESSAGES.items():
        if key.startswith("fact_"):
            head = "{name}: " if key == "fact_unknown" else "{where}: "
            assert all(text.startswith(head) for text in entry.values()), key


def test_counts_are_grouped_the_readers_way() -> None:
    values = {"where": "note", "length": 123456, "limit": 100000}
    assert message("fact_text_too_long", "en", **values) == "note: text of 123,456 characters; the limit is 100,000"
    assert message("fact_text_too_long", "ru", **values) == "note: текст из 123\u00a0456 символов; допускается не более 100\u00a0000"
    assert message("fact_text_too_long", "de", **values) == "note: ein Text mit 123.456 Zeichen; zulässig sind höchstens 100.000"


def test_a_phrase_is_its_english_text_and_says_itself_again_in_any_language() -> None:
    hint = Phrase("did_you_mean", name="amount")
    phrase = Phrase("fact_unknown", name="amout", rulebook="test.policies", hint=hint)
    assert phrase == "amout: not a fact of test.policies; did you mean 'amount'?"
    assert say(phrase, "ru") == "amout: такого факта нет в своде правил test.policies; возможно, имелось в виду 'amount'?"
    assert say(phrase, "de") == "amout: keine Tatsache des Regelwerks test.policies; gemeint ist vielleicht 'amount'?"
    again = pickle.loads(pickle.dumps(phrase))  # taxrules batch --jobs sends errors between processes
    assert isinstance(again, Phrase) and again.in_language("zh") == phrase.in_language("zh")
    assert say("a rulebook's own message", "zh") == "a rulebook's own message"


# -- bad input through the API ------------------------------------------------------------


def test_a_russian_bad_input_message_names_the_field() -> None:
    book = engine.load(FIXTURE, kind="decision")
    with pytest.raises(engine.BadInput) as caught:
        book.decide({**SALE, "amount": True}, lang="ru")
    assert caught.value.field == "amount"
    assert str(caught.value) == "amount: ожидалось число, получено true"
    assert caught.value.problems == [("amount", "amount: ожидалось число, получено true")]


def test_every_bad_fact_in_each_language_with_the_same_fields_in_the_same_order() -> None:
    book = engine.load(FIXTURE, kind="decision")
    bad = {**SALE, "kind": "sael", "amount": "1e99", "event_date": 20240502, "amout": 1}
    said = {}
    for language in LANGUAGES:
        with pytest.raises(engine.BadInput) as caught:
            book.decide(bad, lang=language)
        said[language] = caught.value
    fields = [field for field, _ in said["en"].problems]
    assert fields == ["kind", "event_date", "amount", "amout"]
    for language in LANGUAGES:
        assert [field for field, _ in said[language].problems] == fields
        assert all(text.startswith(f"{field}: ") for field, text in said[language].problems)
    ru = dict(said["ru"].problems)
    assert ru["kind"] == 'kind: допустимые значения — sale, refund, gift; получено "sael"; возможно, имелось в виду \'sale\'?'
    assert ru["event_date"] == "event_date: ожидалась дата в формате ГГГГ-ММ-ДД, получено 20240502"
    assert ru["amount"] == "amount: число 1e99 вне допустимого диапазона: не более 30 цифр до десятичного разделителя (|x| < 10^30)"
    assert ru["amout"] == "amout: такого факта нет в своде правил test.policies; возможно, имелось в виду 'amount'?"
    assert dict(said["zh"].problems)["event_date"] == "event_date: 应为 YYYY-MM-DD 格式的日期，实际为 20240502"
    assert dict(said["de"].problems)["amount"].startswith("amount: die Zahl 1e99 liegt außerhalb des zulässigen Bereichs")
    # the English is what it always was; a translated error translates again from it
    assert dict(said["en"].problems)["event_date"] == "event_date: expected a date YYYY-MM-DD, got 20240502"
    assert str(said["ru"].in_language("en")) == str(said["en"])


def test_a_bad_as_of_is_said_in_the_language_asked() -> None:
    book = engine.load(FIXTURE, kind="decision")
    with pytest.raises(engine.BadAsOf, match=r"^as_of: erwartet wurde ein Datum im Format JJJJ-MM-TT, erhalten: \"2024-13-01\"$"):
        book.decide(SALE, as_of="2024-13-01", lang="de")


# -- one language policy --------------------------------------------------------------------


def test_a_language_only_the_engine_speaks_falls_back_with_a_warning_in_that_language() -> None:
    book = engine.load(FIXTURE, kind="decision")
    result = book.decide(SALE, lang="zh")
    assert result.language == "zh"
    assert result.warnings == ["规则集 test.policies 没有 'zh' 文本（现有：ru, en）；以 en 显示"]
    assert result.decisions["tax_due"].explanation == book.decide(SALE, lang="en").decisions["tax_due"].explanation
    assert choose_language("zh", ["ru", "en"], "test.policies") == ("zh", result.warnings[0])
    assert choose_language("ru", ["ru", "en"], "test.policies") == ("ru", None)
    assert book.decide(SALE, lang="ru").warnings == []


@pytest.mark.parametrize("language", ["fr", "EN", "", None])
def test_a_language_nobody_speaks_is_refused_everywhere(language: object) -> None:
    book = engine.load(FIXTURE, kind="decision")
    if language is not None:
        with pytest.raises(engine.UnknownLanguage, match="is not available for test.policies: its texts are in ru, en"):
            book.decide(SALE, lang=language)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"\(the engine's own words also in zh, de\)"):
        choose_language(language, ["ru", "en"], "test.policies")


def test_http_follows_the_same_policy_and_says_bad_input_in_the_language_asked() -> None:
    from fastapi.testclient import TestClient

    from engine.service.app import create_app

    client = TestClient(create_app([str(FIXTURE)]))
    ok = client.post("/rulebooks/test.policies/decide", params={"lang": "de"}, content=json.dumps(SALE))
    assert ok.status_code == 200
    assert ok.json()["warnings"] == ["das Regelwerk test.policies hat keine Texte in 'de' (vorhanden: ru, en); angezeigt in en"]
    assert client.post("/rulebooks/test.policies/decide", params={"lang": "fr"}, content=json.dumps(SALE)).status_code == 422
    bad = {**SALE, "amount": True, "kind": "sael"}
    english = client.post("/rulebooks/test.policies/decide", content=json.dumps(bad)).json()
    russian = client.post("/rulebooks/test.policies/decide", params={"lang": "ru"}, content=json.dumps(bad)).json()
    assert russian["field"] == english["field"] == "kind"
    assert [p["field"] for p in russian["problems"]] == [p["field"] for p in english["problems"]] == ["kind", "amount"]
    assert russian["detail"].startswith("недопустимые факты для свода правил test.policies: kind: допустимые значения")
    assert russian["problems"][1]["message"] == "amount: ожидалось число, получено true"
    missing = client.post("/rulebooks/no.such/decide", params={"lang": "zh"}, content=json.dumps(SALE))
    assert missing.status_code == 404 and missing.json()["detail"].startswith("未知的规则集 'no.such'")


# -- the command line -----------------------------------------------------------------------


def test_the_command_lines_error_lines_follow_lang(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    expected = {
        "en": f"taxrules: --facts: no such file {str(missing)!r}",
        "ru": f"taxrules: --facts: файл {str(missing)!r} не найден",
        "zh": f"taxrules: --facts: 文件 {str(missing)!r} 不存在",
        "de": f"taxrules: --facts: die Datei {str(missing)!r} gibt es nicht",
    }
    for language, line in expected.items():
        proc = taxrules("decide", FIXTURE, "--facts", missing, "--lang", language)
        assert (proc.returncode, proc.stdout, proc.stderr.strip()) == (2, "", line)
    broken = tmp_path / "broken.json"
    broken.write_text('{"kind": "sale",}', encoding="utf-8")
    proc = taxrules("decide", FIXTURE, "--facts", broken, "--lang", "ru")
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"taxrules: --facts: {broken} не является корректным JSON: ")
    assert proc.stderr.strip().endswith("строка 1, столбец 17")
    proc = taxrules("decide", "ru.no_such_book", "--facts", PRICE_DISCOUNT, "--lang", "de")
    assert proc.returncode == 2 and proc.stderr.startswith("taxrules: unbekanntes Regelwerk 'ru.no_such_book'")
    proc = taxrules("explain", "ru.kudir_checks", "--facts", PRICE_DISCOUNT, "--lang", "ru")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "taxrules: ru.kudir_checks — свод правил вида ledger, а не decision: используйте `taxrules reconcile ru.kudir_checks --input FILE`"


def test_bad_facts_on_the_command_line_in_russian_name_each_field() -> None:
    bad = {**SALE, "kind": "sael", "amount": True}
    proc = taxrules("decide", FIXTURE, "--facts", "-", "--lang", "ru", stdin=json.dumps(bad))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "taxrules: недопустимые факты для свода правил test.policies (ошибок: 2):",
        '  kind: допустимые значения — sale, refund, gift; получено "sael"; возможно, имелось в виду \'sale\'?',
        "  amount: ожидалось число, получено true",
    ]
    proc = taxrules("decide", FIXTURE, "--facts", "-", "--as-of", "someday", "--lang", "zh", stdin=json.dumps(SALE))
    assert proc.returncode == 2 and proc.stderr.strip() == 'taxrules: --as-of: 应为 YYYY-MM-DD 格式的日期，实际为 "someday"'
    proc = taxrules("timeline", FIXTURE, "--facts", "-", "--from", "2024-02-01", "--to", "2024-01-01", "--lang", "de", stdin=json.dumps(SALE))
    assert proc.returncode == 2 and proc.stderr.strip() == "taxrules: --to 2024-01-01 liegt vor --from 2024-02-01"


def _record(tmp_path: Path) -> tuple[Path, dict]:
    proc = taxrules("decide", "ru.invoice_adjustment", "--facts", PRICE_DISCOUNT, "--lang", "ru")
    assert proc.returncode == 0, proc.stderr
    path = tmp_path / "record.json"
    path.write_text(proc.stdout, encoding="utf-8")
    return path, json.loads(proc.stdout)


def test_verify_speaks_the_language_asked(tmp_path: Path) -> None:
    path, record = _record(tmp_path)
    proc = taxrules("verify", path, "--lang", "ru")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"результат тот же: ru.invoice_adjustment sha256 {record['sha256'][:12]}, на дату {record['as_of']}\n"
    record["decisions"]["document"]["value"] = "corrected_invoice"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    proc = taxrules("verify", path, "--lang", "de")
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].startswith("ABWEICHENDES Ergebnis: ru.invoice_adjustment")
    assert '  document: aufgezeichnet {"value":"corrected_invoice"' in proc.stdout
    path.write_text("[1, 2]", encoding="utf-8")
    proc = taxrules("verify", path, "--lang", "zh")
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"taxrules: {path}: 该记录不是 JSON 对象（应为 `taxrules decide --format json` 的结果）"


def test_diff_speaks_the_language_asked(tmp_path: Path) -> None:
    book = ROOT / "rulebooks" / "ru" / "invoice_adjustment.yaml"
    proc = taxrules("diff", book, book, "--lang", "ru")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[2:] == [
        "факты, параметры, производные значения, решения, правила и источники не изменились",
        "",
        "примеров с иным решением: 0",
    ]
    edited = tmp_path / "b.yaml"
    edited.write_text(book.read_text(encoding="utf-8").replace('version: "2026.1"', 'version: "2026.2"', 1), encoding="utf-8")
    proc = taxrules("diff", book, edited, "--lang", "zh")
    assert "~ 规则集 rulebook (version)" in proc.stdout
    assert json.loads(taxrules("diff", book, edited, "--format", "json", "--lang", "zh").stdout)["changes"][0]["kind"] == "rulebook"


def test_batch_error_records_in_the_language_asked(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(SALE) + "\n" + json.dumps({**SALE, "amount": True}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = taxrules("batch", FIXTURE, "--input", cases, "--output", out, "--lang", "ru", "--no-progress")
    assert proc.returncode == 2, proc.stderr
    second = json.loads(out.read_text(encoding="utf-8").splitlines()[1])
    assert second["error"] == {
        "kind": "bad_input",
        "message": "недопустимые факты для свода правил test.policies: amount: ожидалось число, получено true",
        "field": "amount",
    }


def test_reconcile_says_a_bad_record_in_the_language_asked(tmp_path: Path) -> None:
    books = ROOT / "examples" / "ru" / "books.jsonl"
    lines = books.read_text(encoding="utf-8").splitlines()
    assert '"amount": 42500.00' in lines[2]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([*lines[:2], lines[2].replace('"amount": 42500.00', '"amount": "сорок"'), *lines[3:]]) + "\n", encoding="utf-8")
    proc = taxrules("reconcile", "ru.vat_reconciliation", "--input", path, "--lang", "ru")
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.strip() == 'taxrules: строка 3: sale.amount: ожидалось число, получено "сорок"'
    path.write_text('{"record": "sael", "invoice_no": "1"}\n', encoding="utf-8")
    proc = taxrules("reconcile", "ru.vat_reconciliation", "--input", path, "--lang", "de")
    assert proc.returncode == 2
    assert proc.stderr.startswith("taxrules: Zeile 1: record: 'sael' ist keine Datensatzart des Regelwerks ru.vat_reconciliation; gemeint ist vielleicht 'sale'?")
    proc = taxrules("reconcile", "ru.vat_reconciliation", "--input", tmp_path / "none.jsonl", "--lang", "zh")
    assert proc.returncode == 2 and proc.stderr.strip() == f"taxrules: --input: 文件 {str(tmp_path / 'none.jsonl')!r} 不存在"


def test_batch_summary_in_the_language_asked(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(SALE) + "\n\n" + json.dumps({**SALE, "amount": True}) + "\n", encoding="utf-8")
    proc = taxrules("batch", FIXTURE, "--input", cases, "--output", tmp_path / "out.jsonl", "--lang", "de", "--no-progress")
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == "2 Fälle: 1 entschieden, 0 nicht bestimmbar, 1 unzulässige Eingaben, 0 Fehler im Regelwerk, 1 Leerzeilen"
    proc = taxrules("batch", FIXTURE, "--input", cases, "--output", cases, "--lang", "ru")
    assert proc.returncode == 2 and proc.stderr.strip() == "taxrules: --output: не может совпадать с входным файлом"


def test_http_body_errors_in_the_language_asked() -> None:
    from fastapi.testclient import TestClient

    from engine.service.app import create_app

    client = TestClient(create_app([str(FIXTURE), "ru.vat_reconciliation"]))
    broken = client.post("/rulebooks/test.policies/decide", params={"lang": "ru"}, content='{"kind": ')
    assert broken.status_code == 422
    assert broken.json()["detail"].startswith("тело запроса не является корректным JSON: ")
    empty = client.post("/rulebooks/test.policies/batch", params={"lang": "de"}, content=" ")
    assert (empty.status_code, empty.json()["detail"]) == (422, "der Anfragetext ist leer; senden Sie die Tatsachen als JSON-Objekt")
    not_array = client.post("/rulebooks/test.policies/batch", params={"lang": "zh"}, content="{}")
    assert (not_array.status_code, not_array.json()["detail"]) == (422, "请求体必须是由事实对象组成的 JSON 数组")
    english = client.post("/rulebooks/test.policies/decide", content='{"kind": ')
    assert english.json()["detail"].startswith("the request body is not valid JSON: ")
    records = client.post("/rulebooks/ru.vat_reconciliation/reconcile", params={"lang": "ru"}, content='{"record": "sael", "invoice_no": "1"}\n')
    assert records.status_code == 422
    assert records.json()["detail"].startswith("недопустимые записи для свода правил ru.vat_reconciliation: ")


def test_the_english_fast_path_says_what_the_formatter_says() -> None:
    from decimal import Decimal

    from engine.i18n import _Formatter

    samples: dict[str, object] = {"count": 12345, "length": 123456, "limit": 100000, "hidden": 1234, "line": 7, "cases": 3}
    plain = _Formatter("en")
    for key, entry in MESSAGES.items():
        names = {name for _, name, _, _ in string.Formatter().parse(entry["en"]) if name}
        values = {name: samples.get(name, Phrase("did_you_mean", name=name) if name == "hint" else f"<{name}>") for name in names}
        values.setdefault("minimum", Decimal("0.50"))
        assert message(key, "en", **values) == plain.vformat(entry["en"], (), values), key
