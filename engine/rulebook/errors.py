"""Errors about rulebooks, always with the place in the file they concern."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any


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


class ProblemCollector:
    """Gathers a loader's problems at their YAML positions, to report them all at once.

    Shared by the decision and the ledger rulebook loaders; a subclass sets `file` and
    `map` (the SourceMap of the document) before reporting.
    """

    file: str
    map: Any
    problems: list[Problem]

    def problem(self, path: tuple, message: str, severity: str = "error") -> None:
        line, column = self.map.position(path)
        self.problems.append(Problem(self.file, line, column, message, severity))

    def key_problem(self, path: tuple, message: str) -> None:
        line, column = self.map.key_position(path)
        self.problems.append(Problem(self.file, line, column, message))

    def fail_if_problems(self) -> None:
        errors = [p for p in self.problems if p.severity == "error"]
        if errors:
            raise RulebookError(errors)

    def check_declaration(self, decl: dict[str, Any], path: tuple, noun: str, enum_value: str) -> None:
        """Keys that do not belong to the declared type, and enum values not of the form
        `enum_value` (a regular expression), in a fact or record field declaration."""
        kind = decl["type"]
        if "values" in decl and kind != "enum":
            self.problem(path, f"`values` belongs to enum {noun}")
        if ("minimum" in decl or "maximum" in decl) and kind != "decimal":
            self.problem(path, f"`minimum`/`maximum` belong to decimal {noun}")
        for value in decl.get("values", []):
            if not re.fullmatch(enum_value, value):
                self.problem(path + ("values",), f"enum value {value!r} should be lower_snake_case")
        if kind == "list":
            self.check_declaration(decl["items"], path + ("items",), noun, enum_value)
        if kind == "record":
            for key, sub in decl["fields"].items():
                self.check_declaration(sub, path + ("fields", key), noun, enum_value)

    def date(self, value: Any, path: tuple) -> dt.date | None:
        """An ISO date from the YAML text, or None with a problem reported at `path`."""
        if value is None:
            return None
        from engine.language.dates import parse_iso_date

        try:
            return parse_iso_date(str(value))
        except ValueError as exc:
            self.problem(path, str(exc))
            return None


class RulebookNotFound(LookupError):
    def __init__(self, reference: str, known: list[str]) -> None:
        from engine.language.checker import suggest

        self.reference = reference
        hint = suggest(reference, known)
        listing = ", ".join(sorted(known)) or "none found"
        super().__init__(f"unknown rulebook {reference!r}{hint} (known: {listing})")
