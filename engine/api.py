"""The Python API: load a rulebook once, decide many cases with it.

    import engine
    book = engine.load("ru.invoice_adjustment", kind="decision")   # typed: Book
    result = book.decide(facts, as_of="2024-05-02", lang="en")
    result.decisions["document"].value, result.to_json(), result.explain("ru")

`engine.load` gives a Book for a decision rulebook and a LedgerBook (engine.ledger.api)
for a ledger rulebook (`kind: ledger`); pass `kind=` to get the one type you expect, and
a WrongKind error naming the right command when the file is of the other kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from engine.books import Kind, LoadedRulebook, WrongKind, load_path, register
from engine.evaluate import decide as _decide
from engine.i18n import UnknownLanguage, choose_language
from engine.language.errors import BudgetExceeded, ValueOutOfRange
from engine.result import Result
from engine.rulebook import model as m
from engine.rulebook.blame import input_error
from engine.rulebook.facts import BadInput, FactChecker, coerce_date
from engine.rulebook.loader import load_file
from engine.rulebook.registry import resolve

if TYPE_CHECKING:
    import datetime as dt

    from engine.ledger.api import LedgerBook
    from engine.rulebook.library import LibraryBook

__all__ = ["BadAsOf", "Book", "LoadedRulebook", "UnknownLanguage", "WrongKind", "load"]


class BadAsOf(BadInput):
    """An `as_of` that is not a date: bad input, but about the date argument, not the facts."""


def _as_of(value: Any, language: str = "en") -> dt.date | None:
    if value is None:
        return None
    try:
        return coerce_date(value, "as_of")
    except BadInput as exc:
        raise BadAsOf(exc.args[0], "as_of").in_language(language) from None


def _language(book: LoadedRulebook, lang: str | None, language: str | None) -> str:
    """The one language argument (`lang`; `language` is its older spelling), checked by
    engine.i18n.choose_language, the policy every entry point shares: a language of the
    rulebook, or one of the engine's own (the book's texts then fall back, and the
    result carries a warning in the language asked); UnknownLanguage (a ValueError
    naming the book's languages) for any other."""
    chosen = lang if lang is not None else language if language is not None else "en"
    return choose_language(chosen, book.model.languages, book.id)[0]


class Book(LoadedRulebook):
    """A compiled decision rulebook, ready to decide cases. Immutable and safe to share
    between threads; `engine.load` compiles each file once per version."""

    kind = "decision"

    def __init__(self, model: m.Rulebook) -> None:
        self.model = model
        self.facts = FactChecker(model)

    def decide(
        self,
        facts: Any,
        as_of: Any = None,
        lang: str | None = None,
        trace: bool = True,
        *,
        language: str | None = None,
    ) -> Result:
        """Evaluate one case.

        `facts`: a mapping of fact names to values (decimals as int, Decimal, numeric text
        or float; dates as datetime.date or ISO text). `as_of`: the date whose law applies
        (default: the rulebook's date fact, else today). `lang`: the language of the
        explanations (`language` is accepted as an alias). Raises BadInput listing every
        bad fact (also facts past the bounds of engine.limits, or that drive a value out
        of range or past the budget), BadAsOf for a bad date, UnknownLanguage (a
        ValueError) for a language neither the book nor the engine speaks. The messages
        of BadInput are in `lang`; their fields are the same in every language.

        A language the engine speaks (en, ru, zh, de) but the book does not is not
        refused: the engine's own words are in it, the book's texts in English (else
        its first language), and `result.warnings` says so in that language.
        """
        chosen = _language(self, lang, language)
        day = _as_of(as_of, chosen)
        try:
            result = _decide(self.model, self.facts, facts, as_of=day, language=chosen, trace=trace)
        except (ValueOutOfRange, BudgetExceeded) as exc:
            raise input_error(self.model, exc).in_language(chosen) from None
        except BadInput as exc:
            if chosen == "en":
                raise
            raise exc.in_language(chosen) from None
        result._decided_by = (self, facts)  # type: ignore[attr-defined]  # for Result.explain; not in the JSON
        return result

    def decide_many(
        self,
        cases: Iterable[Any],
        as_of: Any = None,
        lang: str | None = None,
        trace: bool = True,
        errors: Literal["raise", "return"] = "raise",
        *,
        language: str | None = None,
    ) -> Iterator[Result | Exception]:
        """Evaluate many cases lazily, one result per case in order (any iterable, any length).

        errors="raise" stops at the first case that fails; errors="return" yields, in that
        case's place, whatever it failed with — BadInput, an EvaluationError of the
        rulebook, or an unexpected exception (RecursionError, MemoryError, ...) — and goes
        on. Many processes: `taxrules batch --jobs N`.
        """
        if errors not in ("raise", "return"):
            raise ValueError("errors must be 'raise' or 'return'")
        chosen = _language(self, lang, language)
        day = _as_of(as_of, chosen)
        for facts in cases:
            try:
                result = self.decide(facts, as_of=day, lang=chosen, trace=trace)
            except Exception as exc:
                if errors == "raise":
                    raise
                yield exc
                continue
            yield result

    def normalise(self, facts: Any) -> dict[str, Any]:
        """The facts as the engine reads them (types coerced, nulls dropped); BadInput otherwise."""
        return self.facts.normalise(facts)

    def __repr__(self) -> str:
        return f"<Book {self.id} {self.version} {self.sha256[:12]}>"


def _build(path: Path) -> Book:
    return Book(load_file(path))


register(Kind("decision", _build, "decide", "taxrules decide {id} --facts FILE"))


@overload
def load(reference: str | Path, kind: Literal["decision"]) -> Book: ...
@overload
def load(reference: str | Path, kind: Literal["ledger"]) -> LedgerBook: ...
@overload
def load(reference: str | Path, kind: Literal["library"]) -> LibraryBook: ...
@overload
def load(reference: str | Path, kind: None = None) -> Book | LedgerBook | LibraryBook: ...


def load(reference: str | Path, kind: Literal["decision", "ledger", "library"] | None = None) -> Book | LedgerBook | LibraryBook:
    """A rulebook by id (`ru.invoice_adjustment`) or by path to its YAML file.

    Decision rulebooks give a Book (`decide`); ledger rulebooks (`kind: ledger`) give a
    LedgerBook (`reconcile`, `stream`); libraries (`kind: library`, shared definitions
    other rulebooks import) a LibraryBook. With `kind`, a book of the other kind raises
    WrongKind, whose message names the command to use. Raises RulebookNotFound for an
    unknown id or file, RulebookError (every problem, with its line) for a broken book.
    """
    return load_path(resolve(str(reference)), kind)  # type: ignore[return-value]
