"""20 000+ entries per side: where durable-rules' batch assertion loses matches, one-by-one
assertion (as the streaming executor does) must find every one, like the batch executor
and a hand-written dict join."""

from __future__ import annotations

import time

from ledger_books import vat_book, vat_oracle

import engine


def test_twenty_thousand_per_side_agree() -> None:
    book = engine.load("ru.vat_reconciliation")
    records = vat_book(20_000, seed=2026, corrective=2_000)
    sales = sum(1 for r in records if r["record"] == "sale")
    purchases = sum(1 for r in records if r["record"] == "purchase")
    assert sales >= 20_000 and purchases >= 20_000

    started = time.perf_counter()
    batch = book.reconcile(records)
    batch_time = time.perf_counter() - started
    started = time.perf_counter()
    stream = book.reconcile(records, executor="stream")
    stream_time = time.perf_counter() - started

    expected = vat_oracle(records)
    assert batch.keys() == expected
    assert stream.keys() == expected
    assert stream.summary == batch.summary
    counts = batch.counts
    assert counts["purchase_without_sale"] > 500 and counts["amount_mismatch"] > 500 and counts["decrease_not_restored"] > 100
    # the matches themselves (not only the findings) must all have been seen by durable-rules:
    # amount_mismatch fires for every pair with equal keys; each was checked and rejected
    assert stream.stats["rejected_by_residual"] > 18_000
    print(f"\n40k+ records: batch {batch_time:.2f}s, stream {stream_time:.2f}s, {len(expected)} findings")
