"""taxrules: tax law as YAML rulebooks, decided with citations and an auditable trace.

    import engine
    book = engine.load("ru.invoice_adjustment")      # an id or a path to a YAML file
    result = book.decide({...}, as_of="2024-05-02")
    result.decisions["document"].value
    result.to_json()
"""

from __future__ import annotations

from engine.api import Book, load
from engine.language.errors import EvaluationError
from engine.result import DecisionResult, Result
from engine.rulebook.errors import RulebookError, RulebookNotFound
from engine.rulebook.facts import BadInput
from engine.version import ENGINE_VERSION

__all__ = [
    "BadInput",
    "Book",
    "DecisionResult",
    "EvaluationError",
    "Result",
    "RulebookError",
    "RulebookNotFound",
    "load",
]
__version__ = ENGINE_VERSION
