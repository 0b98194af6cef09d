"""Streaming within bounds: a closed tax period releases its records, late records are
listed and not checked, and a book in period order gives the batch executor's findings."""

from __future__ import annotations

import datetime as dt
import gc
import tracemalloc
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_books import kudir_book, vat_book

import engine
from engine.ledger.streamplan import period_start, plan_stream

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def vat() -> Any:
    return engine.load("ru.vat_reconciliation")


@pytest.fixture(scope="module")
def kudir() -> Any:
    return engine.load("ru.kudir_checks")


def sale(no: str, day: str, vat: str = "20", **extra: Any) -> dict[str, Any]:
    return {"record": "sale", "invoice_no": no, "invoice_date": day, "seller_inn": "7701", "buyer_inn": "5001", "amount": Decimal("100"), "vat": Decimal(vat), **extra}


def purchase(no: str, day: str, vat: str = "20") -> dict[str, Any]:
    return dict(sale(no, day, vat), record="purchase")


def period_date(record: dict[str, Any]) -> str:
    """The period date streamplan takes for each VAT record type (its first required date)."""
    return record.get("invoice_date") if record["record"] in ("sale", "purchase") else record["ksf_date"]


def test_period_starts() -> None:
    day = dt.date(2024, 8, 31)
    assert period_start(day, "month") == dt.date(2024, 8, 1)
    assert period_start(day, "quarter") == dt.date(2024, 7, 1)
    assert period_start(day, "year") == dt.date(2024, 1, 1)
    assert period_start(dt.date(2024, 3, 31), "quarter") == dt.date(2024, 1, 1)


def test_checks_on_the_same_keys_share_one_ruleset(vat: Any) -> None:
    """The four checks pairing an invoice's sale, purchase and corrective invoice by
    (number, date, seller, buyer) are one ruleset (the two one-record checks of a
    corrective invoice ride along); the two on the corrective invoice's own key another."""
    plan = plan_stream(vat.model, vat.plans)
    groups = [sorted(c.plan.check.id for c in group.checks) for group in plan.keyed]
    assert groups == [
        sorted(["purchase_without_sale", "sale_without_purchase", "amount_mismatch", "late_corrective_invoice", "corrective_before_agreement", "corrective_without_invoice"]),
        sorted(["decrease_not_restored", "restoration_mismatch"]),
    ]
    assert plan.other == []
    assert plan.periods == {"sale": "invoice_date", "purchase": "invoice_date", "corrective": "ksf_date", "restoration": "ksf_date"}


def test_one_fact_per_record(vat: Any) -> None:
    records = [sale(str(i), "2024-01-10") for i in range(50)] + [purchase(str(i), "2024-01-10") for i in range(50)]
    with vat.stream() as stream:
        for record in records:
            stream.push(record)
        assert stream.held == 100
        assert stream.stats["facts"] == 100  # not one per check a record can play in
        assert stream.archived == 150  # keys of counterparts: sales for two absent checks, purchases for one


def test_a_closed_quarter_releases_its_records(vat: Any) -> None:
    """300 invoices of the first quarter, every tenth without its purchase; the first
    record of April closes the quarter: the 30 sales without a purchase are reported
    then, and the quarter's records are forgotten — only the sales' keys stay (a
    corrective invoice still to come may correct any of them)."""
    first_quarter = []
    for i in range(300):
        day = (dt.date(2024, 1, 1) + dt.timedelta(days=i % 90)).isoformat()
        first_quarter.append(sale(f"{i:04d}", day))
        if i % 10:
            first_quarter.append(purchase(f"{i:04d}", day))
    tracemalloc.start()
    try:
        with vat.stream(period="quarter") as stream:
            empty = _traced()
            for record in first_quarter:
                assert stream.push(record) == []  # nothing is provably missing before April
            assert stream.held == len(first_quarter)
            full = _traced()
            found = stream.push(sale("9999", "2024-04-02"))
            after = _traced()
            assert sorted(f.lines["sale"] for f in found) == [2 * i - i // 10 + 1 for i in range(0, 300, 10)]
            assert {f.check.id for f in found} == {"sale_without_purchase"}
            assert stream.held == 1  # April's sale
            assert stream.archived == 300 + 2  # the quarter's sale keys for corrective invoices, and April's (two roles)
    finally:
        tracemalloc.stop()
    held_per_record = (full - empty) / len(first_quarter)
    left_per_sale = (after - empty) / 300
    assert held_per_record < 4096
    # left: the sale keys (about 90 bytes each, and their set) and the tables Python's
    # dicts keep for the next quarter's records (they never shrink, and are reused)
    assert left_per_sale < 512, (held_per_record, left_per_sale)
    assert stream.result.counts["sale_without_purchase"] == 30 + 1  # and April's, at the end
    assert stream.result.stats["released"] == len(first_quarter) + 1


def _traced() -> int:
    """Python memory in use (durable-rules' action contexts form reference cycles: collected first)."""
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def test_advance_closes_periods_explicitly(vat: Any) -> None:
    with vat.stream() as stream:
        stream.push(sale("1", "2024-03-30"))
        stream.push(purchase("2", "2024-03-31"))
        stream.push(sale("3", "2024-04-01"))
        found = stream.advance(dt.date(2024, 4, 1))
        assert [(f.check.id, f.lines) for f in found] == [("purchase_without_sale", {"purchase": 2}), ("sale_without_purchase", {"sale": 1})]
        assert stream.held == 1
        assert stream.advance(dt.date(2024, 3, 1)) == []  # a watermark never goes back
        assert [(f.check.id, f.lines) for f in stream.close()] == [("sale_without_purchase", {"sale": 3})]


def test_late_records_are_listed_and_not_checked(vat: Any) -> None:
    """A purchase of March arriving after April's first record: March is closed, its sale
    already reported without a purchase; the late purchase is not checked (its sale is
    forgotten, so 'purchase without sale' would be wrong) and is listed."""
    with vat.stream(period="quarter") as stream:
        assert stream.push(sale("1", "2024-03-30")) == []
        found = stream.push(sale("2", "2024-04-01"))
        assert [(f.check.id, f.lines) for f in found] == [("sale_without_purchase", {"sale": 1})]
        assert stream.push(purchase("1", "2024-03-30")) == []
        assert stream.late == [(3, "purchase", dt.date(2024, 3, 30))]
    result = stream.result
    assert result.stats["late_records"] == 1
    assert result.keys() == [("sale_without_purchase", (1,)), ("sale_without_purchase", (2,))]


def test_a_corrective_invoice_finds_the_sale_of_a_closed_quarter(vat: Any) -> None:
    corrective = {
        "record": "corrective", "ksf_no": "K1", "ksf_date": "2024-05-06", "invoice_no": "1", "invoice_date": "2024-03-30",
        "seller_inn": "7701", "buyer_inn": "5001", "direction": "increase", "vat_difference": Decimal("5"),
    }
    orphan = dict(corrective, ksf_no="K2", invoice_no="404")
    records = [sale("1", "2024-03-30"), purchase("1", "2024-03-30"), sale("2", "2024-04-10"), purchase("2", "2024-04-10"), corrective, orphan]
    result = vat.reconcile(records, executor="stream")
    with vat.stream(period="quarter") as stream:
        for record in records:
            stream.push(record)
    assert stream.result.keys() == result.keys() == vat.reconcile(records).keys() == [("corrective_without_invoice", (6,))]
    assert stream.result.stats["released"] >= 4


def _in_period_order(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=period_date)  # stable: equal dates keep their order


@pytest.mark.parametrize("period", ["month", "quarter"])
def test_a_book_in_period_order_gives_the_batch_findings(vat: Any, period: str) -> None:
    records = _in_period_order(vat_book(2500, seed=11, corrective=500))
    batch = vat.reconcile(records)
    with vat.stream(period=period) as stream:
        early = [f for record in records for f in stream.push(record)]
        stream.close()
    streamed = stream.result
    assert streamed.keys() == batch.keys()
    assert [f.to_dict("en") for f in streamed.findings] == [f.to_dict("en") for f in batch.findings]
    assert streamed.stats["released"] > 1000 and not stream.late
    if period == "month":
        assert any(f.check.absent is not None for f in early)  # absences proved by a closed month, before the end
        assert streamed.stats["held_peak"] < len(records) * 0.6


def test_kudir_in_date_order_gives_the_batch_findings(kudir: Any) -> None:
    records = sorted(kudir_book(1500, seed=4), key=lambda r: r.get("date", "0000"))
    batch = kudir.reconcile(records)
    with kudir.stream(period="month") as stream:
        for record in records:
            stream.push(record)
    assert stream.result.keys() == batch.keys()
    assert not stream.late


days = st.sampled_from(["2024-01-30", "2024-01-31", "2024-02-01", "2024-02-02", "2024-04-01"])
invoice = st.fixed_dictionaries(
    {
        "record": st.sampled_from(["sale", "purchase"]),
        "invoice_no": st.sampled_from(["1", "2", "01"]),
        "invoice_date": days,
        "seller_inn": st.sampled_from(["7701", "7702"]),
        "buyer_inn": st.just("5001"),
        "amount": st.sampled_from([Decimal("100"), Decimal("100.00"), Decimal("101")]),
        "vat": st.sampled_from([Decimal("20"), Decimal("21")]),
    }
)
corrective = st.fixed_dictionaries(
    {
        "record": st.just("corrective"),
        "ksf_no": st.sampled_from(["K1", "K2"]),
        "ksf_date": days,
        "invoice_no": st.sampled_from(["1", "2"]),
        "invoice_date": days,
        "seller_inn": st.just("7701"),
        "buyer_inn": st.just("5001"),
        "direction": st.sampled_from(["increase", "decrease"]),
        "vat_difference": st.sampled_from([Decimal("5"), Decimal("0")]),
        "agreement_date": days,
    }
)
restoration = st.fixed_dictionaries(
    {"record": st.just("restoration"), "ksf_no": st.sampled_from(["K1", "K2"]), "ksf_date": days, "seller_inn": st.just("7701"), "buyer_inn": st.just("5001"), "vat": st.sampled_from([Decimal("5"), Decimal("4")])}
)


@SETTINGS
@given(records=st.lists(st.one_of(invoice, invoice, corrective, restoration), max_size=25), period=st.sampled_from(["month", "quarter", "year"]))
def test_small_books_in_period_order_agree_with_batch(vat: Any, records: list[dict[str, Any]], period: str) -> None:
    records = _in_period_order(records)
    with vat.stream(period=period) as stream:
        for record in records:
            stream.push(record)
    assert stream.result.keys() == vat.reconcile(records).keys()
    assert not stream.late


def test_the_command_line_closes_periods_and_names_late_records(tmp_path: Any) -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    book = tmp_path / "books.jsonl"
    records = [sale("1", "2024-03-30"), sale("2", "2024-04-01"), purchase("1", "2024-03-30")]
    book.write_text("".join(json.dumps(r, default=str) + "\n" for r in records), encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run(
        [sys.executable, "-m", "engine.cli", "reconcile", "ru.vat_reconciliation", "--input", str(book), "--stream", "--period", "quarter"],
        capture_output=True, text=True, cwd=root,
    )
    assert run.returncode == 0, run.stderr
    found = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(f["check"], [r["line"] for r in f["records"]]) for f in found] == [("sale_without_purchase", [1]), ("sale_without_purchase", [2])]
    assert "line 3: a purchase of 2024-03-30 arrived after its period was closed" in run.stderr
    wrong = subprocess.run(
        [sys.executable, "-m", "engine.cli", "reconcile", "ru.vat_reconciliation", "--input", str(book), "--period", "quarter"],
        capture_output=True, text=True, cwd=root,
    )
    assert wrong.returncode == 2 and "--period needs the streaming executor" in wrong.stderr
