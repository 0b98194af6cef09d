"""The Python API: load a rulebook once, decide many cases with it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from engine.evaluate import decide as _decide
from engine.language.errors import BudgetExceeded, ValueOutOfRange
from engine.result import Result
from engine.rulebook import model as m
from engine.rulebook.blame import input_error
from engine.rulebook.facts import FactChecker
from engine.rulebook.loader import load_file
from engine.rulebook.registry import is_ledger_file, is_library_file, load_cached, resolve


class LoadedRulebook:
    """What every loaded rulebook tells about itself: which file and version decided."""

    model: Any

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def version(self) -> str:
        return self.model.version

    @property
    def sha256(self) -> str:
        return self.model.sha256

    @property
    def file(self) -> str:
        return self.model.file



class Book(LoadedRulebook):
    """A compiled rulebook ready to decide cases. Immutable and safe to share."""

    def __init__(self, model: m.Rulebook) -> None:
        self.model = model
        self.facts = FactChecker(model)

    def decide(self, facts: Any, as_of: Any = None, language: str = "en", trace: bool = True) -> Result:
        """Evaluate one case. Raises BadInput for facts that break the fact schema or the
        bounds of engine.limits, or that drive a value out of range or past the budget."""
        try:
            return _decide(self.model, self.facts, facts, as_of=as_of, language=language, trace=trace)
        except (ValueOutOfRange, BudgetExceeded) as exc:
            raise input_error(self.model, exc) from None

    def decide_many(
        self,
        cases: Iterable[Any],
        as_of: Any = None,
        language: str = "en",
        trace: bool = True,
        errors: str = "raise",
    ) -> Iterator[Result | Exception]:
        """Evaluate many cases lazily, one result per case in order (any iterable, any length).

        errors="raise" stops at the first case that fails; errors="return" yields, in that
        case's place, whatever it failed with — BadInput, an EvaluationError of the
        rulebook, or an unexpected exception (RecursionError, MemoryError, ...) — and goes
        on. Many processes: `taxrules batch --jobs N`.
        """
        if errors not in ("raise", "return"):
            raise ValueError("errors must be 'raise' or 'return'")
        for facts in cases:
            try:
                result = self.decide(facts, as_of=as_of, language=language, trace=trace)
            except Exception as exc:
                if errors == "raise":
                    raise
                yield exc
                continue
            yield result

    def normalise(self, facts: Any) -> dict[str, Any]:
        return self.facts.normalise(facts)

    def __repr__(self) -> str:
        return f"<Book {self.id} {self.version} {self.sha256[:12]}>"


def _build(path: Path) -> Book:
    return Book(load_file(path))


def load(reference: str | Path) -> Any:
    """A rulebook by id (`ru.invoice_adjustment`) or by path to its YAML file.

    Decision rulebooks give a Book; ledger rulebooks (`kind: ledger`) give the ledger
    engine's book, with `reconcile()` and `stream()`.
    """
    path = resolve(str(reference))
    if is_library_file(path):  # shared definitions other rulebooks import (kind: library)
        from engine.rulebook.library import LibraryBook, load_library_file

        return LibraryBook(load_cached(path, load_library_file))
    if is_ledger_file(path):
        from engine.ledger.api import load_ledger  # type: ignore[import-not-found]

        return load_ledger(path)
    return load_cached(path, _build)
