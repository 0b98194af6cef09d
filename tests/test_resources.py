"""Built-in rulebooks and schemas found through engine.resources; TAXRULES_PATH comes first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from engine import resources
from engine.rulebook import registry

ROOT = Path(__file__).resolve().parents[1]
BUILT_IN = ROOT / "rulebooks" / "ru" / "invoice_adjustment.yaml"
PRICE_DISCOUNT = ROOT / "examples" / "ru" / "price_discount.json"


def taxrules(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "engine.cli", *map(str, args)],
        capture_output=True, text=True, cwd=ROOT, timeout=120, env={**os.environ, **(env or {})},
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _copy_with_version(folder: Path, version: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = BUILT_IN.read_text(encoding="utf-8")
    assert '\nversion: "2026.1"\n' in text
    copy = folder / "invoice_adjustment.yaml"
    copy.write_text(text.replace('\nversion: "2026.1"\n', f'\nversion: "{version}"\n'), encoding="utf-8")
    return copy


def test_a_checkout_reads_the_top_level_folders() -> None:
    assert resources.rulebooks_folder() == ROOT / "rulebooks"
    assert resources.schema_file("rulebook.schema.json") == ROOT / "schemas" / "rulebook.schema.json"
    assert resources.schema_file("result.schema.json").is_file()


def test_taxrules_path_comes_first_and_overrides_a_built_in(tmp_path: Path, monkeypatch) -> None:
    copy = _copy_with_version(tmp_path / "mine", "9.9")
    monkeypatch.setenv("TAXRULES_PATH", str(tmp_path / "mine"))
    assert registry.search_paths()[0] == tmp_path / "mine"
    assert registry.discover()["ru.invoice_adjustment"] == copy
    assert registry.duplicates() == {"ru.invoice_adjustment": [copy, BUILT_IN]}


def test_list_and_check_report_every_duplicate_and_the_winner(tmp_path: Path) -> None:
    first = _copy_with_version(tmp_path / "a", "9.1")
    second = _copy_with_version(tmp_path / "b", "9.2")
    env = {"TAXRULES_PATH": os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")])}

    rows = {row["id"]: row for row in json.loads(taxrules("list", "--format", "json", env=env).stdout)}
    assert rows["ru.invoice_adjustment"]["version"] == "9.1"
    assert rows["ru.invoice_adjustment"]["file"] == str(first)
    assert rows["ru.invoice_adjustment"]["overrides"] == [str(second), str(BUILT_IN)]

    text = taxrules("list", env=env).stdout
    assert f"{first}: duplicate id ru.invoice_adjustment: this file wins over {second}, {BUILT_IN}" in text

    check = taxrules("check", env=env)
    assert f"warning: {first}: duplicate id ru.invoice_adjustment: this file wins over {second}, {BUILT_IN}" in check.stdout
    assert check.returncode == 0, check.stdout  # an override is allowed; it is only reported

    decided = json.loads(taxrules("decide", "ru.invoice_adjustment", "--facts", PRICE_DISCOUNT, env=env).stdout)
    assert decided["version"] == "9.1"


def test_no_duplicates_without_taxrules_path(monkeypatch) -> None:
    monkeypatch.delenv("TAXRULES_PATH", raising=False)
    assert registry.duplicates() == {}
    # a folder listed twice (or the built-in folder listed again) is not a duplicate
    monkeypatch.setenv("TAXRULES_PATH", os.pathsep.join([str(ROOT / "rulebooks"), str(ROOT / "rulebooks" / "ru")]))
    assert registry.duplicates() == {}
