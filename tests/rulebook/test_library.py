"""Library books: shared law defined once, imported by decision and ledger rulebooks.

Expectations are worked out by hand from НК РФ ст. 6.1 and the official calendar (the
`holidays` library's RU calendar, checked against the production calendars), not pasted
from the engine's output.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import engine
from engine.language import nodes as n
from engine.ledger.loader import load_ledger_text
from engine.rulebook.errors import RulebookError
from engine.rulebook.library import LibraryBook, load_library_file, load_library_text
from engine.rulebook.loader import load_text
from engine.rulebook.registry import rulebook_kind

ROOT = Path(__file__).resolve().parents[2]

LIBRARY = """\
id: xx.shared
kind: library
jurisdiction: xx
title: {en: Shared test law}
version: "1"
languages: [en]
sources:
  art_1: {citation: Art. 1, text: "Five days."}
  art_2: {citation: Art. 2, text: "The rate."}
parameters:
  rate:
    citations: [art_2]
    values:
      - {from: 2020-01-01, value: 0.10}
      - {from: 2026-01-01, value: 0.12, citations: [art_2]}
functions:
  five_days:
    params: {day: date}
    expr: add_days(day, 5)
    citations: [art_1]
  rate_on:
    params: {day: date}
    expr: value_on("rate", day)
  doubled_rate_on:
    params: {day: date}
    expr: rate_on(day) * 2
  current_rate:
    params: {}
    expr: rate
examples:
  - {name: five days, expr: 'five_days(date("2024-03-11"))', expect: 2024-03-16}
  - {name: rate 2025, expr: 'rate_on(date("2025-12-31"))', expect: 0.10}
  - {name: rate 2026, expr: 'doubled_rate_on(date("2026-01-01"))', expect: 0.24}
  - {name: none before, expr: 'rate_on(date("2019-12-31"))', expect: unknown}
  - {name: as of, expr: 'current_rate()', as_of: 2026-02-01, expect: 0.12}
"""

DECISION = """\
id: xx.user
jurisdiction: xx
title: {en: User}
version: "1"
languages: [en]
imports: {shared: xx.shared}
as_of_fact: day
sources:
  own: {citation: Own art.}
facts:
  day: {type: date}
decisions:
  deadline:
    type: date
    hit_policy: first
    rules:
      - id: five
        expr: shared.five_days(day)
        citations: [own, shared.art_1]
        explanation: {en: "{value}"}
  rate:
    type: decimal
    hit_policy: first
    rules:
      - id: on_day
        expr: shared.rate
        citations: [shared.art_2]
        explanation: {en: "{value}"}
  rate_by_value_on:
    type: decimal
    hit_policy: first
    rules:
      - id: on_day
        expr: value_on("shared.rate", day) + shared.doubled_rate_on(day)
        citations: [shared.art_2]
        explanation: {en: "{value}"}
"""

LEDGER = """\
id: xx.ledger
kind: ledger
jurisdiction: xx
title: {en: Ledger}
version: "1"
languages: [en]
imports: {shared: xx.shared}
sources:
  own: {citation: Own art.}
records:
  doc:
    fields:
      no: {type: string}
      agreed: {type: date}
      issued: {type: date}
      vat: {type: decimal}
      base: {type: decimal}
checks:
  late:
    severity: warning
    title: {en: late}
    match: {d: doc}
    when: d.issued > shared.five_days(d.agreed)
    values:
      deadline: shared.five_days(d.agreed)
    message: {en: "{d.no} after {deadline}"}
    citations: [own, shared.art_1]
  wrong_rate:
    severity: error
    title: {en: rate}
    match: {d: doc}
    when: d.vat != d.base * value_on("shared.rate", d.issued)
    message: {en: "{d.no}"}
    citations: [shared.art_2]
examples:
  - name: late and wrong rate
    records:
      - {record: doc, no: "1", agreed: 2024-03-11, issued: 2024-03-16, vat: 10, base: 100}
      - {record: doc, no: "2", agreed: 2024-03-11, issued: 2024-03-17, vat: 10, base: 100}
      - {record: doc, no: "3", agreed: 2026-03-11, issued: 2026-03-12, vat: 10, base: 100}
    expect:
      - {check: late, records: {d: 2}}
      - {check: wrong_rate, records: {d: 3}}
"""


@pytest.fixture()
def shared_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "books"
    folder.mkdir()
    (folder / "shared.yaml").write_text(LIBRARY, encoding="utf-8")
    monkeypatch.setenv("TAXRULES_PATH", str(folder))
    return folder


def problems_of(fn, *args) -> list[str]:
    with pytest.raises(RulebookError) as info:
        fn(*args)
    return [str(p) for p in info.value.problems]


def calls_in(node: n.Node) -> list[str]:
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        if isinstance(current, n.Call):
            out.append(current.function)
        stack.extend(n.children(current))
    return out


# -- the library itself -----------------------------------------------------------------------


def test_a_library_loads_and_its_examples_pass(shared_path: Path) -> None:
    book = engine.load("xx.shared")
    assert isinstance(book, LibraryBook)
    report = book.run_examples()
    assert (report.passed, report.failed) == (5, 0)
    assert set(book.model.functions) == {"five_days", "rate_on", "doubled_rate_on", "current_rate"}
    # a sibling call is inlined into the caller's body
    assert "rate_on" not in calls_in(book.model.functions["doubled_rate_on"].body)
    assert rulebook_kind(shared_path / "shared.yaml") == "library"


def test_library_problems_are_reported_with_positions() -> None:
    text = LIBRARY.replace("expr: add_days(day, 5)", "expr: add_days(dya, 5)")
    found = problems_of(load_library_text, text.encode(), "lib.yaml")
    assert any("unknown name 'dya'" in p and "did you mean 'day'" in p for p in found)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "add_days(dya" in row)
    assert any(p.startswith(f"lib.yaml:{line}:") for p in found)

    unexercised = LIBRARY.replace("  - {name: five days, expr: 'five_days(date(\"2024-03-11\"))', expect: 2024-03-16}\n", "")
    assert any("'five_days' is called by no example" in p for p in problems_of(load_library_text, unexercised.encode(), "lib.yaml"))

    cyclic = LIBRARY.replace("expr: rate_on(day) * 2", "expr: doubled_rate_on(day) * 2")
    assert any("cycle" in p for p in problems_of(load_library_text, cyclic.encode(), "lib.yaml"))

    no_kind = LIBRARY.replace("kind: library\n", "")
    assert any("kind" in p for p in problems_of(load_library_text, no_kind.encode(), "lib.yaml"))


def test_a_failing_library_example_fails(shared_path: Path) -> None:
    (shared_path / "shared.yaml").write_text(LIBRARY.replace("expect: 2024-03-16", "expect: 2024-03-17"), encoding="utf-8")
    report = LibraryBook(load_library_file(shared_path / "shared.yaml")).run_examples()
    assert report.failed == 1
    assert "expected 2024-03-17, got 2024-03-16" in report.outcomes[0].problems[0]


# -- a decision rulebook importing it ---------------------------------------------------------


def test_a_decision_rulebook_uses_functions_parameters_and_sources(shared_path: Path) -> None:
    model = load_text(DECISION.encode(), "user.yaml")
    assert model.imports == {"shared": "xx.shared"}
    assert "shared.art_1" in model.sources and "shared.rate" in model.parameters
    assert model.parameters["shared.rate"].values[1].citations == ("shared.art_2",)
    book = engine.api.Book(model)
    result = book.decide({"day": "2026-01-01"})
    assert result.decisions["deadline"].value == dt.date(2026, 1, 6)
    assert result.decisions["rate"].value == Decimal("0.12")
    assert result.decisions["rate_by_value_on"].value == Decimal("0.36")  # 0.12 + 2 × 0.12
    earlier = book.decide({"day": "2025-12-31"})
    assert earlier.decisions["rate"].value == Decimal("0.10")
    cited = [c["id"] for c in result.to_dict()["decisions"]["deadline"]["citations"]]
    assert cited == ["own", "shared.art_1"]


def test_the_version_covers_the_imported_library(shared_path: Path) -> None:
    first = load_text(DECISION.encode(), "user.yaml").sha256
    (shared_path / "shared.yaml").write_text(LIBRARY.replace("Five days.", "Five calendar days."), encoding="utf-8")
    second = load_text(DECISION.encode(), "user.yaml").sha256
    assert first != second


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("shared.five_days(day)", None),
        ("shard.five_days(day)", "no imported library 'shard'; did you mean 'shared'?"),
        ("shared.five_dayz(day)", "has no function 'five_dayz'; did you mean 'five_days'?"),
        ("shared.five_days(day, 1)", "five_days(day) takes 1 argument(s), got 2"),
        ("shared.five_days(1)", "argument 1 (day) of shared.five_days() must be date, got decimal"),
        ("shared.rat", "has no parameter 'rat'; did you mean 'rate'?"),
        ("shared", "'shared' is the imported library xx.shared"),
    ],
)
def test_import_mistakes_are_named_at_the_call(shared_path: Path, change: str, message: str | None) -> None:
    text = DECISION.replace("expr: shared.five_days(day)", f"expr: {change}")
    if message is None:
        load_text(text.encode(), "user.yaml")
        return
    found = problems_of(load_text, text.encode(), "user.yaml")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if f"expr: {change}" in row)
    assert any(message in p and p.startswith(f"user.yaml:{line}:") for p in found), found


LOOPING = """\
id: xx.looping
jurisdiction: xx
title: {en: Looping}
version: "1"
languages: [en]
imports: {shared: xx.shared}
as_of_fact: day
sources:
  own: {citation: Own art.}
facts:
  day: {type: date}
  agreements:
    type: list
    items: {type: record, fields: {no: {type: string}, agreed: {type: date}}}
decisions:
  deadlines:
    type: list
    items: {type: date}
    hit_policy: first
    rules:
      - id: each
        expr: for a in agreements return shared.five_days(a.agreed)
        citations: [shared.art_1]
        explanation: {en: "{value}"}
  nested:
    type: list
    items: {type: list, items: {type: date}}
    hit_policy: first
    rules:
      - id: each
        expr: for a in agreements return for d in [a.agreed, day] return shared.five_days(d)
        citations: [shared.art_1]
        explanation: {en: "{value}"}
  overdue:
    type: list
    items: {type: string}
    hit_policy: first
    rules:
      - id: past_deadline
        expr: agreements[shared.five_days(agreed) < day].no
        citations: [shared.art_1]
        explanation: {en: "{value}"}
"""


def test_a_library_function_takes_the_importing_books_loop_variable(shared_path: Path) -> None:
    """A call inside the importer's own `for` or filter reads the loop variable or the
    item's fields; the argument is checked in that scope, not as an unknown name."""
    book = engine.api.Book(load_text(LOOPING.encode(), "looping.yaml"))
    facts = {"day": "2024-03-20", "agreements": [{"no": "1", "agreed": "2024-03-11"}, {"no": "2", "agreed": "2024-03-18"}]}
    decisions = book.decide(facts).decisions
    # five calendar days each (add_days in the test library): 03-16 and 03-23
    assert decisions["deadlines"].value == [dt.date(2024, 3, 16), dt.date(2024, 3, 23)]
    assert decisions["nested"].value == [[dt.date(2024, 3, 16), dt.date(2024, 3, 25)], [dt.date(2024, 3, 23), dt.date(2024, 3, 25)]]
    assert decisions["overdue"].value == ["1"]  # 03-16 < 03-20; 03-23 is not


def test_a_loop_variable_of_the_wrong_type_is_still_named_at_the_call(shared_path: Path) -> None:
    text = LOOPING.replace("for a in agreements return shared.five_days(a.agreed)", "for a in agreements return shared.five_days(a.no)")
    found = problems_of(load_text, text.encode(), "looping.yaml")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "shared.five_days(a.no)" in row)
    assert any("argument 1 (day) of shared.five_days() must be date, got string" in p and p.startswith(f"looping.yaml:{line}:")
               for p in found), found
    # outside its loop the variable is still unknown
    text = LOOPING.replace("return shared.five_days(a.agreed)", "return shared.five_days(day)").replace(
        "agreements[shared.five_days(agreed) < day].no", "'[shared.five_days(a.agreed)]'")
    assert any("unknown name 'a'" in p for p in problems_of(load_text, text.encode(), "looping.yaml"))


def test_importing_something_that_is_not_a_library(shared_path: Path) -> None:
    found = problems_of(load_text, DECISION.replace("xx.shared", "ru.desk_audit").encode(), "user.yaml")
    assert any("not a library book" in p for p in found)
    found = problems_of(load_text, DECISION.replace("xx.shared", "xx.nowhere").encode(), "user.yaml")
    assert any("cannot import 'xx.nowhere'" in p for p in found)


def test_an_alias_may_not_shadow_a_fact(shared_path: Path) -> None:
    text = DECISION.replace("imports: {shared: xx.shared}", "imports: {day: xx.shared}")
    assert any("'day' is both" in p for p in problems_of(load_text, text.encode(), "user.yaml"))


# -- a ledger rulebook importing it -----------------------------------------------------------


def test_a_ledger_sees_plain_expression_trees(shared_path: Path) -> None:
    ledger = load_ledger_text(LEDGER.encode(), "ledger.yaml")
    for check in ledger.checks:
        for conjunct in check.conjuncts:
            assert all("." not in name and name != "value_on" for name in calls_in(conjunct.node)), conjunct.text
    late = ledger.checks[0].conjuncts[0]
    assert late.text == "d.issued > add_days(d.agreed, 5)"
    from engine.ledger.api import LedgerBook
    from engine.ledger.testing import run_ledger_book

    report = run_ledger_book(LedgerBook(ledger))
    assert (report.passed, report.failed) == (1, 0)


def test_a_ledger_may_not_read_a_parameter_without_a_date(shared_path: Path) -> None:
    text = LEDGER.replace('value_on("shared.rate", d.issued)', "shared.rate")
    found = problems_of(load_ledger_text, text.encode(), "ledger.yaml")
    assert any("a ledger check has no as-of date" in p for p in found)
    text = LEDGER.replace("when: d.issued > shared.five_days(d.agreed)", "when: d.issued > shared.current_rate()")
    assert any("no as-of date" in p for p in problems_of(load_ledger_text, text.encode(), "ledger.yaml"))


# -- the Russian books: one five-day rule -----------------------------------------------------


def test_ru_common_passes_its_examples() -> None:
    report = engine.load("ru.common").run_examples()
    assert report.failed == 0 and report.passed >= 20


def test_invoice_adjustment_and_vat_reconciliation_apply_the_same_deadline() -> None:
    """Every agreement day of 2024–2026: the decision book's deadline is the last day the
    ledger accepts (a corrective invoice on it is on time, one a day later is late)."""
    decision = engine.load("ru.invoice_adjustment")
    ledger = engine.load("ru.vat_reconciliation")
    day = dt.date(2024, 1, 1)
    records = []
    expected_late = []
    while day <= dt.date(2026, 12, 26):
        facts = {
            "event": "price_change", "seller_vat_payer": True, "buyer_vat_payer": True, "parties_agreement": True,
            "accepted_for_accounting": True, "error_prevents_identification": False, "return_as_new_sale": False,
            "previous_adjustment": False, "invoice_date": "2023-12-01", "agreement_date": day.isoformat(),
            "event_date": day.isoformat(),
        }
        deadline = decision.decide(facts).decisions["issue_deadline"].value
        assert deadline >= day + dt.timedelta(days=5)
        for offset, late in ((0, False), (1, True)):
            records.append({
                "record": "corrective", "ksf_no": f"{day}+{offset}", "ksf_date": (deadline + dt.timedelta(days=offset)).isoformat(),
                "invoice_no": "1", "invoice_date": "2023-12-01", "seller_inn": "1", "buyer_inn": "2",
                "direction": "increase", "vat_difference": 1, "agreement_date": day.isoformat(),
            })
            if late:
                expected_late.append(f"{day}+{offset}")
        day += dt.timedelta(days=1)
    findings = ledger.reconcile(records).findings
    late = [f.to_dict("en")["records"][0]["key"] for f in findings if f.check.id == "late_corrective_invoice"]
    assert late == expected_late


def test_the_review_case_monday_2024_03_11() -> None:
    facts = {
        "event": "price_change", "seller_vat_payer": True, "buyer_vat_payer": True, "parties_agreement": True,
        "accepted_for_accounting": True, "error_prevents_identification": False, "return_as_new_sale": False,
        "previous_adjustment": False, "invoice_date": "2024-03-01", "agreement_date": "2024-03-11", "event_date": "2024-03-11",
    }
    assert engine.load("ru.invoice_adjustment").decide(facts).decisions["issue_deadline"].value == dt.date(2024, 3, 18)
    record = {"record": "corrective", "ksf_no": "К-1", "ksf_date": "2024-03-18", "invoice_no": "1", "invoice_date": "2024-03-01",
              "seller_inn": "1", "buyer_inn": "2", "direction": "increase", "vat_difference": 1, "agreement_date": "2024-03-11"}
    findings = engine.load("ru.vat_reconciliation").reconcile([record]).findings
    assert not [f for f in findings if f.check.id == "late_corrective_invoice"]


def test_cli_checks_tests_and_lists_libraries() -> None:
    run = subprocess.run([sys.executable, "-m", "engine.cli", "test", "rulebooks/ru/common.yaml"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ru.common:" in run.stdout and " 0 failed" in run.stdout
    run = subprocess.run([sys.executable, "-m", "engine.cli", "check", "rulebooks/ru/common.yaml"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    run = subprocess.run([sys.executable, "-m", "engine.cli", "list", "--format", "json"], cwd=ROOT, capture_output=True, text=True)
    assert '"kind": "library"' in run.stdout.replace('":"', '": "')
