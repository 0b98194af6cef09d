"""`taxrules timeline`: the dates where the law of a book changes, and a case's decisions
on each side (expectations from the law, not from the engine)."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import engine
from engine.timeline import change_dates, timeline

ROOT = Path(__file__).resolve().parents[2]

# A return of goods the buyer had accepted for accounting (examples/ru/return_before_2019.json)
RETURN = json.loads((ROOT / "examples" / "ru" / "return_before_2019.json").read_text(encoding="utf-8"))


def test_the_2019_04_01_change_of_returns():
    data = timeline(engine.load("ru.invoice_adjustment"), RETURN, dt.date(2018, 1, 1), dt.date(2026, 12, 31))
    change = next(c for c in data["changes"] if c["date"] == "2019-04-01")
    # ПП РФ № 15 of 19.01.2019: until 31.03.2019 the buyer invoiced the reverse sale, from
    # 01.04.2019 the seller issues a corrective invoice
    assert change["before"]["document"] == "buyer_invoice"
    assert change["after"]["document"] == "corrective_invoice"
    assert change["before"]["issuer"] == "buyer" and change["after"]["issuer"] == "seller"
    assert "document" in change["decisions_that_change"]
    assert "document.return_before_2019_reverse_sale" in change["rules_out_of_force_from"]
    periods = data["periods"]
    assert periods[0]["from"] == "2018-01-01" and periods[-1]["to"] == "2026-12-31"
    [last_before] = [p for p in periods if p["to"] == "2019-03-31"]
    assert last_before["decisions"] == change["before"]
    assert any(p["from"] == "2019-04-01" for p in periods)
    for earlier, later in zip(periods, periods[1:], strict=False):  # periods tile the range
        assert dt.date.fromisoformat(earlier["to"]) + dt.timedelta(days=1) == dt.date.fromisoformat(later["from"])
    # the 2025 rule for sellers on the simplified system is a change of the book too
    dates = [c["date"] for c in data["changes"]]
    assert "2025-01-01" in dates and dates == sorted(dates)


def test_the_2026_01_01_threshold_of_the_vat_law():
    # A month's sales exactly at CNY 100 000: exempt up to and including 100 000 until
    # 2025-12-31 (财政部 税务总局公告2023年第1号), taxed in full once the 起征点 is reached
    # from 2026-01-01 (增值税法 第二十三条)
    facts = {"taxpayer_type": "small_scale", "entity": "enterprise", "filing_period": "month",
             "period_start": "2024-03-01", "period_sales": 100000, "real_estate_sales": 0}
    data = timeline(engine.load("cn.small_scale_exemption"), facts, dt.date(2025, 6, 1), dt.date(2026, 6, 30))
    [change] = data["changes"]
    assert change["date"] == "2026-01-01"
    assert (change["before"]["exempt"], change["after"]["exempt"]) == ("all", "none")
    assert change["before"]["taxable_sales"] == 0 and change["after"]["taxable_sales"] == 100000
    assert any(p["name"] == "thresholds" for p in change["parameters"])


def test_change_dates_include_the_day_after_a_rule_ends():
    book = engine.load("ru.invoice_adjustment").model
    days = [c.day for c in change_dates(book, dt.date(2012, 1, 1), dt.date(2030, 1, 1))]
    assert dt.date(2019, 4, 1) in days and dt.date(2025, 1, 1) in days
    assert days == sorted(set(days))


def run(*args):
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_command_in_json_and_text():
    path = "examples/ru/return_before_2019.json"
    proc = run("timeline", "ru.invoice_adjustment", "--facts", path, "--from", "2019-01-01", "--to", "2019-12-31")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert "2019-04-01" in [c["date"] for c in data["changes"]]
    text = run("timeline", "ru.invoice_adjustment", "--facts", path, "--from", "2019-01-01", "--to", "2019-12-31", "--format", "text", "--lang", "ru")
    assert "01.04.2019" in text.stdout and "document: buyer_invoice → corrective_invoice" not in text.stdout
    assert "Документ: счёт-фактура покупателя (обратная реализация) → корректировочный счёт-фактура" in text.stdout


def test_bad_dates_are_bad_input():
    proc = run("timeline", "ru.invoice_adjustment", "--facts", "examples/ru/return_before_2019.json", "--from", "2019-13-01")
    assert proc.returncode == 2 and "--from" in proc.stderr and proc.stdout == ""
    proc = run("timeline", "ru.invoice_adjustment", "--facts", "examples/ru/return_before_2019.json", "--from", "2020-01-01", "--to", "2019-01-01")
    assert proc.returncode == 2 and "before --from" in proc.stderr
