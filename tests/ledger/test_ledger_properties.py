"""Both executors, one meaning: generated books through batch and stream must give the
same findings — and the same as a naive reference (every combination, every condition)
and, for VAT books, as a hand-written dict-join oracle."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_books import kudir_book, reference_keys, vat_book, vat_oracle

import engine

TRICKY = Path(__file__).parent / "fixtures" / "tricky.yaml"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def vat() -> Any:
    return engine.load("ru.vat_reconciliation")


@pytest.fixture(scope="module")
def kudir() -> Any:
    return engine.load("ru.kudir_checks")


@pytest.fixture(scope="module")
def tricky() -> Any:
    return engine.load(str(TRICKY))


def both(book: Any, records: list[Any]) -> tuple[Any, Any]:
    batch = book.reconcile(records)
    stream = book.reconcile(records, executor="stream")
    assert stream.keys() == batch.keys()
    assert [f.to_dict("en") for f in stream.findings] == [f.to_dict("en") for f in batch.findings]
    assert stream.summary == batch.summary
    return batch, stream


# -- small books from tiny domains: collisions, near misses, duplicates --------------------

amounts = st.sampled_from([Decimal("100"), Decimal("100.00"), Decimal("100.01"), Decimal("20"), Decimal("0"), Decimal("-5")])
days = st.sampled_from(["2024-01-01", "2024-01-02", "2024-01-07", "2024-01-08"])
numbers = st.sampled_from(["1", "2", "01", "К-1"])
inns = st.sampled_from(["7701", "7702"])


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _drop_none(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v is not None}


invoice_entry = st.fixed_dictionaries(
    {"record": st.sampled_from(["sale", "purchase"]), "invoice_no": numbers, "invoice_date": days, "seller_inn": inns, "buyer_inn": inns, "amount": amounts, "vat": amounts}
)
corrective = st.builds(
    _drop_none,
    st.fixed_dictionaries(
        {
            "record": st.just("corrective"), "ksf_no": numbers, "ksf_date": days, "invoice_no": numbers, "invoice_date": days,
            "seller_inn": inns, "buyer_inn": inns, "direction": st.sampled_from(["increase", "decrease"]),
            "vat_difference": st.sampled_from([Decimal("0"), Decimal("20"), Decimal("20.0"), Decimal("100")]),
            "agreement_date": optional(days), "accepted_for_accounting": optional(st.booleans()),
        }
    ),
)
restoration = st.fixed_dictionaries(
    {"record": st.just("restoration"), "ksf_no": numbers, "ksf_date": days, "seller_inn": inns, "buyer_inn": inns, "vat": st.sampled_from([Decimal("20"), Decimal("100"), Decimal("0")])}
)
vat_records = st.lists(st.one_of(invoice_entry, invoice_entry, corrective, restoration), max_size=30)


@SETTINGS
@given(records=vat_records)
def test_vat_small_books(vat: Any, records: list[dict[str, Any]]) -> None:
    batch, _ = both(vat, records)
    assert batch.keys() == vat_oracle(records) == reference_keys(vat, records)


entry = st.builds(
    _drop_none,
    st.fixed_dictionaries(
        {
            "record": st.just("entry"), "no": st.integers(1, 6), "date": days, "document": optional(st.sampled_from(["Z-1", "п/п 2"])),
            "document_kind": optional(st.sampled_from(["cash_register_report", "bank_statement", "payment_order"])),
            "income": optional(amounts), "expense": optional(amounts),
            "operation": optional(st.sampled_from(["sale", "card_settlement", "prepayment_refund", "loan", "tax_refund", "founder_contribution", "other_regime_income"])),
            "payment": optional(st.sampled_from(["cash", "card"])), "counterparty_inn": optional(inns),
        }
    ),
)
participant = st.fixed_dictionaries({"record": st.just("participant"), "inn": inns, "share": st.sampled_from([Decimal("0.5"), Decimal("0.50"), Decimal("0.5001"), Decimal("1")])})


@SETTINGS
@given(records=st.lists(st.one_of(entry, entry, entry, participant), max_size=25))
def test_kudir_small_books(kudir: Any, records: list[dict[str, Any]]) -> None:
    batch, _ = both(kudir, records)
    assert batch.keys() == reference_keys(kudir, records)


item = st.builds(
    _drop_none,
    st.fixed_dictionaries(
        {
            "record": st.just("item"), "code": st.sampled_from(["a", "b", "c", "é", 'q"\\']), "group": optional(st.sampled_from(["g", "h"])),
            "amount": optional(amounts), "day": optional(days), "flag": optional(st.booleans()), "kind": optional(st.sampled_from(["a", "b", "c"])),
        }
    ),
)
tag = st.builds(
    _drop_none,
    st.fixed_dictionaries({"record": st.just("tag"), "code": st.sampled_from(["a", "b", "z", "é"]), "amount": optional(amounts), "day": optional(days)}),
)


@SETTINGS
@given(records=st.lists(st.one_of(item, tag), max_size=18))
def test_tricky_joins(tricky: Any, records: list[dict[str, Any]]) -> None:
    """Self-joins, three aliases, no equality at all, absent parts with residuals, of the
    same type, with pre-conditions, null keys, `or` of equalities."""
    batch, _ = both(tricky, records)
    assert batch.keys() == reference_keys(tricky, records)


# -- thousands of records ------------------------------------------------------------------


@settings(max_examples=3, deadline=None)
@given(seed=st.integers(0, 2**32), size=st.integers(1000, 2500))
def test_vat_books_of_thousands(vat: Any, seed: int, size: int) -> None:
    records = vat_book(size, seed, corrective=size // 5)
    batch, _ = both(vat, records)
    assert batch.keys() == vat_oracle(records)
    assert batch.counts["amount_mismatch"] > 0 and batch.counts["purchase_without_sale"] > 0


@settings(max_examples=2, deadline=None)
@given(seed=st.integers(0, 2**32))
def test_kudir_books_of_thousands(kudir: Any, seed: int) -> None:
    records = kudir_book(1500, seed)
    batch, _ = both(kudir, records)
    assert batch.counts["income_recorded_twice"] > 0
