"""Errors about rulebooks, always with the place in the file they concern."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.file}:{self.line}:{self.column}: {prefix}{self.message}"


class RulebookError(Exception):
    """A rulebook that cannot be loaded; carries every problem found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class RulebookNotFound(LookupError):
    def __init__(self, reference: str, known: list[str]) -> None:
        from engine.language.checker import suggest

        self.reference = reference
        hint = suggest(reference, known)
        listing = ", ".join(sorted(known)) or "none found"
        super().__init__(f"unknown rulebook {reference!r}{hint} (known: {listing})")
