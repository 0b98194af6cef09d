"""Errors about rulebooks, always with the place in the file they concern."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from engine.i18n import Phrase

_INTERNAL_ID = re.compile(r"\b[0-9a-f]{12,}\b|\b\d{3}_[0-9a-f]{8,}")


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


_INTERNAL_ID = re.compile(r"\b[0-9a-f]{12,}\b|\b\d{3}_[0-9a-f]{8,}")


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

    def check_value_labels(self, decl: dict[str, Any], path: tuple, languages: list[str]) -> None:
        """Labels of enum values wherever an enum is declared (a fact, a decision, a list's
        items, a record's fields): each label names one of the values (an error), and every
        value has one in each of the book's languages (a warning: the reader of a report would
        see `corrective_invoice` rather than «корректировочный счёт-фактура»)."""
        from engine.language.checker import suggest

        values = decl.get("values") or []
        labels = decl.get("labels") or {}
        if decl.get("type") == "enum":
            for value in labels:
                if value not in values:
                    self.problem(path + ("labels", value), f"label for {value!r}, which is not one of the values{suggest(value, list(values))}")
            for value in values:
                lacking = [language for language in languages if not (labels.get(value) or {}).get(language)]
                if lacking:
                    where = path + ("labels", value) if value in labels else path + ("values",)
                    self.problem(where, f"enum value {value!r} has no label in {', '.join(map(repr, lacking))}: add it under `labels` (readers see the raw value)", "warning")
        elif labels:
            self.problem(path + ("labels",), "`labels` belong to an enum (label a list's values on its `items`)")
        if isinstance(decl.get("items"), dict):
            self.check_value_labels(decl["items"], path + ("items",), languages)
        for key, sub in (decl.get("fields") or {}).items():
            if isinstance(sub, dict):
                self.check_value_labels(sub, path + ("fields", key), languages)

    def check_sources(self, sources: dict[str, Any]) -> None:
        """What makes a citation stand up: the law's words quoted, an official letter's
        number and date, no internal ids for a reference (warnings: `taxrules check`)."""
        for key, source in sources.items():
            if not source.quote:
                self.problem(("sources", key), f"source {key!r} has no quote: add the law's own words (`quote`)", "warning")
            if source.kind == "official_letter" and not (source.number and source.date):
                self.problem(("sources", key), f"official letter {key!r} needs its `number` and `date`", "warning")
            if _INTERNAL_ID.search(source.citation):
                self.problem(("sources", key, "citation"), f"the citation of {key!r} looks like an internal id, not a reference a reader can find", "warning")

    def check_cited(self, citations: list[str], see_also: list[str], sources: dict[str, Any], path: tuple) -> None:
        """A rule's legal basis is primary law or an official letter; secondary material
        (a textbook, an article) may only be listed under `see_also`."""
        from engine.language.checker import suggest

        for key, ids in (("citations", citations), ("see_also", see_also)):
            for i, citation in enumerate(ids):
                source = sources.get(citation)
                if source is None:
                    self.problem(path + (key, i), f"citation {citation!r} is not in `sources`{suggest(citation, list(sources))}")
                elif key == "citations" and source.secondary:
                    self.problem(path + (key, i), f"{citation!r} is secondary material: list it under `see_also`, not as the legal basis")
        cited = [sources[c] for c in citations if c in sources]
        if cited and all(getattr(source, "guideline", False) for source in cited):
            self.problem(path + ("citations",), "an administrative guideline reads the law but is not the law: cite the provision it reads too", "warning")

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
    """No rulebook with that id on the search path (or no such file): exit 2, HTTP 404."""

    def __init__(self, reference: str, known: list[str]) -> None:
        from engine.language.checker import suggest

        self.reference = reference
        hint = suggest(reference, known)
        listing = ", ".join(sorted(known)) or Phrase("none_found")
        super().__init__(Phrase("unknown_rulebook", reference=reference, hint=hint, known=listing))
