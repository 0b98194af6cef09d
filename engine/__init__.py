"""taxrules: tax law as YAML rulebooks, decided with citations and an auditable trace.

    import engine
    book = engine.load("ru.invoice_adjustment")      # an id or a path to a YAML file
    result = book.decide({...}, as_of="2024-05-02", lang="en")
    result.decisions["document"].value
    result.to_json(), result.explain("ru")

    ledger = engine.load("ru.vat_reconciliation", kind="ledger")   # a LedgerBook
    ledger.reconcile(records).findings
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.api import BadAsOf, Book, UnknownLanguage, load
from engine.books import LoadedRulebook, WrongKind
from engine.language.errors import EvaluationError
from engine.result import DecisionResult, Result
from engine.rulebook.errors import RulebookError, RulebookNotFound
from engine.rulebook.facts import BadInput
from engine.version import ENGINE_VERSION

if TYPE_CHECKING:
    from engine.ledger.api import LedgerBook
    from engine.ledger.extras import StreamingUnavailable
    from engine.ledger.findings import Finding, Reconciliation

__all__ = [
    "BadAsOf",
    "BadInput",
    "Book",
    "DecisionResult",
    "EvaluationError",
    "Finding",
    "LedgerBook",
    "LoadedRulebook",
    "Reconciliation",
    "Result",
    "RulebookError",
    "RulebookNotFound",
    "StreamingUnavailable",
    "UnknownLanguage",
    "WrongKind",
    "load",
]
__version__ = ENGINE_VERSION

# The ledger engine is imported on first use, so `import engine` stays light.
_LAZY = {
    "LedgerBook": "engine.ledger.api",
    "Finding": "engine.ledger.findings",
    "Reconciliation": "engine.ledger.findings",
    "StreamingUnavailable": "engine.ledger.extras",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
