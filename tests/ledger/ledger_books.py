"""Books for the ledger tests: generators, a plain-Python VAT oracle, and a naive
reference executor that knows nothing of planning, hash joins or durable-rules."""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import random
from decimal import Decimal
from typing import Any

from engine.evaluate import DECIMAL_CONTEXT
from engine.ledger.planner import Ctx

# -- VAT books ----------------------------------------------------------------------------


def vat_book(n: int, seed: int, corrective: int = 0) -> list[dict[str, Any]]:
    """`n` sales and about `n` purchases with the usual trouble: missing entries on either
    side, VAT and value mismatches (up and down), invoice dates a day off, duplicates,
    amounts equal but spelled differently (100 / 100.00); plus `corrective` corrective
    invoices with and without the buyer's restoration entry."""
    rnd = random.Random(seed)
    base = dt.date(2024, 1, 1)
    sales: list[dict[str, Any]] = []
    purchases: list[dict[str, Any]] = []
    sellers = [f"77{rnd.randrange(10**8):08d}" for _ in range(20)]
    buyers = [f"50{rnd.randrange(10**8):08d}" for _ in range(20)]
    for _ in range(n):
        sale = {
            "record": "sale",
            "invoice_no": f"{rnd.randrange(n * 2):06d}",  # numbers repeat across parties
            "invoice_date": (base + dt.timedelta(days=rnd.randrange(90))).isoformat(),
            "seller_inn": rnd.choice(sellers),
            "buyer_inn": rnd.choice(buyers),
            "amount": Decimal(rnd.randrange(100, 10**6)) / 100,
        }
        sale["vat"] = (sale["amount"] * Decimal("0.2")).quantize(Decimal("0.01"))
        sales.append(sale)
        purchase = dict(sale, record="purchase")
        roll = rnd.random()
        if roll < 0.03:
            continue  # not booked by the buyer
        if roll < 0.05:
            purchase["vat"] = sale["vat"] + rnd.choice([Decimal("0.01"), Decimal("-10"), Decimal("100")])
        elif roll < 0.06:
            purchase["amount"] = sale["amount"] - 1
        elif roll < 0.07:
            purchase["invoice_date"] = (dt.date.fromisoformat(sale["invoice_date"]) + dt.timedelta(days=1)).isoformat()
        elif roll < 0.08:
            purchase["amount"] = sale["amount"].quantize(Decimal("0.0001"))  # same value, other spelling
        elif roll < 0.09:
            purchases.append(dict(purchase))  # booked twice
        elif roll < 0.10:
            sales.append(dict(sale))  # reported twice
        purchases.append(purchase)
    while len(purchases) < n:  # deductions the sellers never reported
        purchases.append(
            {
                "record": "purchase",
                "invoice_no": f"X{rnd.randrange(n):06d}",
                "invoice_date": (base + dt.timedelta(days=rnd.randrange(90))).isoformat(),
                "seller_inn": rnd.choice(sellers),
                "buyer_inn": rnd.choice(buyers),
                "amount": Decimal(1000),
                "vat": Decimal(200),
            }
        )
    extra: list[dict[str, Any]] = []
    for _ in range(corrective):
        sale = rnd.choice(sales)
        ksf_date = dt.date.fromisoformat(sale["invoice_date"]) + dt.timedelta(days=rnd.randrange(1, 40))
        ksf = {
            "record": "corrective",
            "ksf_no": f"K{rnd.randrange(corrective * 2 + 1)}",
            "ksf_date": ksf_date.isoformat(),
            "invoice_no": sale["invoice_no"] if rnd.random() < 0.9 else "nope",
            "invoice_date": sale["invoice_date"],
            "seller_inn": sale["seller_inn"],
            "buyer_inn": sale["buyer_inn"],
            "direction": rnd.choice(["increase", "decrease", "decrease"]),
            "vat_difference": Decimal(rnd.randrange(0, 500)),
        }
        if rnd.random() < 0.9:
            ksf["agreement_date"] = (ksf_date - dt.timedelta(days=rnd.randrange(-2, 9))).isoformat()
        if rnd.random() < 0.2:
            ksf["accepted_for_accounting"] = rnd.random() < 0.5
        extra.append(ksf)
        if ksf["direction"] == "decrease" and rnd.random() < 0.7:
            vat = ksf["vat_difference"] if rnd.random() < 0.8 else ksf["vat_difference"] - 1
            extra.append(
                {"record": "restoration", "ksf_no": ksf["ksf_no"], "ksf_date": ksf["ksf_date"], "seller_inn": ksf["seller_inn"], "buyer_inn": ksf["buyer_inn"], "vat": vat}
            )
    records = sales + purchases + extra
    rnd.shuffle(records)
    return records


def _ru_last_day(day: dt.date) -> dt.date:
    """НК РФ ст. 6.1 п. 7 by hand: a last day on a weekend (not a working Saturday) or an
    official holiday moves to the next working day."""
    import holidays

    while True:
        calendar = holidays.RU(years=day.year)
        off = day in calendar or (day.weekday() >= 5 and day not in calendar.weekend_workdays)
        if not off:
            return day
        day += dt.timedelta(days=1)


def vat_oracle(records: list[dict[str, Any]]) -> list[tuple[str, tuple[int, ...]]]:
    """ru.vat_reconciliation written out by hand, as dict look-ups."""
    order = [
        "purchase_without_sale", "sale_without_purchase", "amount_mismatch", "decrease_not_restored",
        "restoration_mismatch", "late_corrective_invoice", "corrective_before_agreement", "corrective_without_invoice",
    ]
    found: list[tuple[str, tuple[int, ...]]] = []
    by_type: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for line, rec in enumerate(records, 1):
        by_type.setdefault(rec["record"], []).append((line, rec))

    def key(rec: dict[str, Any], no: str = "invoice_no", day: str = "invoice_date") -> tuple[Any, ...]:
        return rec[no], dt.date.fromisoformat(str(rec[day])), rec["seller_inn"], rec["buyer_inn"]

    sales: dict[tuple[Any, ...], list[tuple[int, dict[str, Any]]]] = {}
    for line, rec in by_type.get("sale", []):
        sales.setdefault(key(rec), []).append((line, rec))
    purchases: dict[tuple[Any, ...], list[tuple[int, dict[str, Any]]]] = {}
    for line, rec in by_type.get("purchase", []):
        purchases.setdefault(key(rec), []).append((line, rec))
    for line, rec in by_type.get("purchase", []):
        if key(rec) not in sales:
            found.append(("purchase_without_sale", (line,)))
    for line, rec in by_type.get("sale", []):
        if key(rec) not in purchases:
            found.append(("sale_without_purchase", (line,)))
        for p_line, p in purchases.get(key(rec), []):
            if Decimal(p["amount"]) != Decimal(rec["amount"]) or Decimal(p["vat"]) != Decimal(rec["vat"]):
                found.append(("amount_mismatch", (line, p_line)))
    restorations: dict[tuple[Any, ...], list[tuple[int, dict[str, Any]]]] = {}
    for line, rec in by_type.get("restoration", []):
        restorations.setdefault(key(rec, "ksf_no", "ksf_date"), []).append((line, rec))
    for line, ksf in by_type.get("corrective", []):
        ksf_key = key(ksf, "ksf_no", "ksf_date")
        decrease = ksf["direction"] == "decrease"
        if decrease and ksf.get("accepted_for_accounting", True) is not False and ksf_key not in restorations:
            found.append(("decrease_not_restored", (line,)))
        if decrease:
            for r_line, r in restorations.get(ksf_key, []):
                if Decimal(r["vat"]) != Decimal(ksf["vat_difference"]):
                    found.append(("restoration_mismatch", (line, r_line)))
        ksf_date = dt.date.fromisoformat(str(ksf["ksf_date"]))
        if "agreement_date" in ksf:
            agreed = dt.date.fromisoformat(str(ksf["agreement_date"]))
            if ksf_date > _ru_last_day(agreed + dt.timedelta(days=5)):
                found.append(("late_corrective_invoice", (line,)))
            if ksf_date < agreed:
                found.append(("corrective_before_agreement", (line,)))
        if key(ksf) not in sales:
            found.append(("corrective_without_invoice", (line,)))
    return sorted(found, key=lambda f: (order.index(f[0]), f[1]))


# -- KUDiR books --------------------------------------------------------------------------


def kudir_book(n: int, seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    base = dt.date(2024, 1, 1)
    records: list[dict[str, Any]] = []
    day = base
    founders = [f"5001{i:08d}" for i in range(6)]
    for no in range(1, n + 1):
        day = day + dt.timedelta(days=rnd.choice([0, 0, 1, 1, 2, -1 if rnd.random() < 0.05 else 0]))
        kind = rnd.random()
        entry: dict[str, Any] = {"record": "entry", "no": no, "date": day.isoformat(), "document": f"D{no}"}
        amount = Decimal(rnd.choice([500, 1000, 1250, 2000, 3000])) + Decimal(rnd.choice([0, 0, 0, "0.5"]))
        if kind < 0.3:
            entry.update(document_kind="cash_register_report", income=amount, operation="sale", payment=rnd.choice(["cash", "card", "card"]))
        elif kind < 0.5:
            entry.update(document_kind="bank_statement", income=amount, operation="card_settlement")
        elif kind < 0.6:
            entry.update(document_kind="bank_statement", income=amount, operation=rnd.choice(["loan", "tax_refund", "sale", "founder_contribution", "founder_property_contribution", "subsidy", "payables_written_off"]), counterparty_inn=rnd.choice(founders))
        elif kind < 0.65:
            entry.update(document_kind="payment_order", expense=amount, operation="prepayment_refund")
        elif kind < 0.7:
            # spending of a subsidy on the same day (sometimes of the same amount as a subsidy entry)
            entry.update(document_kind="payment_order", expense=amount, operation=rnd.choice(["subsidy_spending", "input_vat"]), document=f"D{no - rnd.choice([0, 1])}")
        else:
            entry.update(document_kind="payment_order", expense=amount, operation="purchase")
            if rnd.random() < 0.3:
                entry["input_vat"] = amount / 5
            if rnd.random() < 0.1:
                del entry["document"]
        records.append(entry)
    for inn in founders:
        records.append({"record": "participant", "inn": inn, "share": Decimal(rnd.choice(["0.2", "0.5", "0.51", "0.9"]))})
        for _ in range(2):
            amount = Decimal(rnd.choice([500, 1000, 1250, 2000, 3000]))
            records.append({"record": "payable_writeoff", "date": (base + dt.timedelta(days=rnd.randrange(300))).isoformat(), "counterparty_inn": inn, "amount": amount})
    return records


# -- a naive reference executor -----------------------------------------------------------


def reference_keys(book: Any, raw_records: list[Any]) -> list[tuple[str, tuple[int, ...]]]:
    """Every combination of distinct records, every condition evaluated by the compiled
    expression: the meaning of a ledger rulebook with no planning at all (small books)."""
    records = list(book.records(enumerate(raw_records, 1)))
    ctx = Ctx()
    found: list[tuple[int, tuple[int, ...], str]] = []
    with decimal.localcontext(DECIMAL_CONTEXT):
        for check in book.model.checks:
            pools = [[r for r in records if r.type == record] for _, record in check.aliases]
            for combination in itertools.product(*pools):
                if len({id(r) for r in combination}) != len(combination):
                    continue
                env = {alias: rec.values for (alias, _), rec in zip(check.aliases, combination, strict=True)}
                ctx.facts = env
                if not all(c.fn(ctx, None) is True for c in check.conjuncts):
                    continue
                absent = check.absent
                if absent is not None:
                    blocked = False
                    for other in records:
                        if other.type != absent.record or any(other is r for r in combination):
                            continue
                        ctx.facts = dict(env, **{absent.alias: other.values})
                        if all(c.fn(ctx, None) is True for c in absent.conjuncts):
                            blocked = True
                            break
                    if blocked:
                        continue
                found.append((check.index, tuple(r.line for r in combination), check.id))
    return [(check_id, lines) for _, lines, check_id in sorted(found)]
