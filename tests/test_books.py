"""Both kinds of rulebook in every command: the wrong command says which one to use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import engine
from engine.books import WrongKind

ROOT = Path(__file__).resolve().parents[1]
PRICE_DISCOUNT = ROOT / "examples" / "ru" / "price_discount.json"
KUDIR_BOOK = ROOT / "examples" / "ru" / "kudir_book.jsonl"


def taxrules(*args: object, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "engine.cli", *map(str, args)], input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.mark.parametrize(
    "command",
    [
        ["decide", "ru.kudir_checks", "--facts", PRICE_DISCOUNT],
        ["explain", "ru.vat_reconciliation", "--facts", PRICE_DISCOUNT],
        ["schema", "ru.kudir_checks"],
    ],
    ids=["decide", "explain", "schema"],
)
def test_decision_commands_on_a_ledger_book_exit_2_naming_reconcile(command: list[object]) -> None:
    proc = taxrules(*command)
    assert proc.returncode == 2
    assert proc.stdout == ""
    rulebook = command[1]
    assert f"{rulebook} is a ledger rulebook" in proc.stderr
    assert f"taxrules reconcile {rulebook} --input FILE" in proc.stderr


def test_reconcile_on_a_decision_book_exits_2_naming_decide() -> None:
    proc = taxrules("reconcile", "ru.invoice_adjustment", "--input", KUDIR_BOOK)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "ru.invoice_adjustment is a decision rulebook" in proc.stderr
    assert "taxrules decide ru.invoice_adjustment --facts FILE" in proc.stderr


def test_list_shows_the_kind_of_every_book() -> None:
    rows = {row["id"]: row for row in json.loads(taxrules("list", "--format", "json").stdout)}
    assert rows["ru.kudir_checks"]["kind"] == "ledger"
    assert rows["ru.vat_reconciliation"]["kind"] == "ledger"
    assert rows["ru.invoice_adjustment"]["kind"] == "decision"
    text = taxrules("list").stdout
    line = next(line for line in text.splitlines() if line.startswith("ru.kudir_checks "))
    assert line.split()[1] == "ledger"
    line = next(line for line in text.splitlines() if line.startswith("ru.invoice_adjustment "))
    assert line.split()[1] == "decision"


def test_load_with_a_kind_gives_that_type_or_wrong_kind() -> None:
    ledger = engine.load("ru.kudir_checks", kind="ledger")
    assert isinstance(ledger, engine.LedgerBook) and ledger.kind == "ledger"
    book = engine.load("ru.invoice_adjustment", kind="decision")
    assert isinstance(book, engine.Book) and book.kind == "decision"
    with pytest.raises(WrongKind, match="use `taxrules decide ru.invoice_adjustment --facts FILE`"):
        engine.load("ru.invoice_adjustment", kind="ledger")
    with pytest.raises(WrongKind) as caught:
        engine.load("ru.kudir_checks", kind="decision")
    assert (caught.value.actual, caught.value.wanted) == ("ledger", "decision")


def test_the_api_modules_do_not_import_each_other() -> None:
    """engine.api and engine.ledger.api meet only in engine.books (a registry of kinds)."""
    for module in ("engine/api.py", "engine/ledger/api.py", "engine/books.py"):
        source = (ROOT / module).read_text(encoding="utf-8")
        imports = [line.strip() for line in source.splitlines() if line.strip().startswith(("import ", "from "))]
        if module == "engine/api.py":
            assert not any("engine.ledger" in line for line in imports if "TYPE_CHECKING" not in line and not line.startswith("from engine.ledger.api import LedgerBook")), imports
        if module == "engine/ledger/api.py":
            assert not any(line.startswith("from engine.api") or line == "import engine.api" for line in imports), imports
        if module == "engine/books.py":
            assert not any("engine.api" in line or "engine.ledger" in line for line in imports), imports
    proc = subprocess.run(
        [sys.executable, "-c", "import engine.ledger.api, engine.api, engine.books as b; print(sorted(b._KINDS))"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert proc.stdout.strip() == "['decision', 'ledger']", proc.stderr
