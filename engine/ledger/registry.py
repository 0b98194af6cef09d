"""Ledger rulebooks for `taxrules list` (the decision rulebooks' rows have the same keys)."""

from __future__ import annotations

from typing import Any

from engine.rulebook.errors import RulebookError
from engine.rulebook.registry import discover, is_ledger_file


def ledger_rows() -> list[dict[str, Any]]:
    from engine.ledger.api import load_ledger

    rows: list[dict[str, Any]] = []
    for rulebook_id, path in sorted(discover().items()):
        if not is_ledger_file(path):
            continue
        try:
            model = load_ledger(path).model
        except RulebookError as exc:
            rows.append({"id": rulebook_id, "file": str(path), "kind": "ledger", "error": f"{len(exc.problems)} problem(s); run taxrules check"})
            continue
        rows.append(
            {
                "id": model.id,
                "jurisdiction": model.jurisdiction,
                "title": model.title_in("en"),
                "titles": model.title,
                "version": model.version,
                "valid_from": model.valid_from.isoformat() if model.valid_from else None,
                "valid_to": model.valid_to.isoformat() if model.valid_to else None,
                "file": str(path),
                "kind": "ledger",
            }
        )
    return rows
