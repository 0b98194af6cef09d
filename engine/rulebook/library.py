"""Library books (`kind: library`): law that several rulebooks share, defined once.

A library has sources, dated parameters and functions — named expressions with typed
parameters, e.g. `corrective_invoice_deadline(agreement_date)` — and examples that call
them. It is checked like any rulebook (schema, every expression type-checked, citations
and texts linted, every function exercised by an example) and imported by decision and
ledger rulebooks under an alias; engine/rulebook/imports.py inlines what they use.

Libraries import nothing themselves: a shared definition lives in exactly one book, and
the chain from a rule to the law it applies stays one step long.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from engine.books import Kind, LoadedRulebook, register
from engine.language import nodes as n
from engine.language import types as t
from engine.language.checker import Analysis, Checker, Symbol, suggest
from engine.language.compiler import compile_expression
from engine.language.dates import parse_iso_date
from engine.language.errors import EvaluationError, ExpressionError
from engine.language.parser import parse
from engine.language.values import MISSING
from engine.resources import schema_file
from engine.rulebook.errors import Problem, RulebookError
from engine.rulebook.imports import Imports
from engine.rulebook.loader import (
    _Builder,
    _infer_literal,
    _schema_message,
    parse_rulebook,
    read_rulebook,
    schema_validator,
)
from engine.rulebook.model import Parameter, Source
from engine.rulebook.yamlsource import Path, SourceMap

SCHEMA_FILE = schema_file("library.schema.json")
TYPE_NAMES = {"boolean": t.BOOLEAN, "decimal": t.DECIMAL, "string": t.STRING, "date": t.DATE}


@dataclass
class Function:
    name: str
    params: tuple[tuple[str, t.Type], ...]
    text: str
    body: n.Node  # sibling calls already inlined
    analysis: Analysis  # of `body`: which names are parameters of the function, of the library
    citations: tuple[str, ...]
    description: dict[str, str]
    path: Path

    @property
    def type(self) -> t.Type:
        return self.analysis.type


@dataclass
class LibraryExample:
    name: str
    expr: str
    as_of: dt.date | None
    expect: Any
    path: Path
    node: n.Node | None = None
    analysis: Analysis | None = None


@dataclass
class Library:
    id: str
    jurisdiction: str
    title: dict[str, str]
    description: dict[str, str]
    version: str
    languages: list[str]
    sources: dict[str, Source]
    parameters: dict[str, Parameter]
    functions: dict[str, Function]
    examples: list[LibraryExample]
    file: str
    sha256: str
    source_map: SourceMap
    raw: dict[str, Any]
    warnings: list[Any] = field(default_factory=list)
    kind: str = "library"
    valid_from: dt.date | None = None  # a library speaks through its dated parameters
    valid_to: dt.date | None = None

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title.get("en") or next(iter(self.title.values()))


def load_library_file(path: str | FsPath) -> Library:
    return load_library_text(read_rulebook(path), str(path))


def load_library_text(data: bytes, file: str) -> Library:
    raw, source_map = parse_rulebook(data, file)
    return _LibraryBuilder(file, raw, source_map, hashlib.sha256(data).hexdigest()).build_library()


class _LibraryBuilder(_Builder):
    """Reuses the decision loader's parameter, citation and date handling."""

    def build_library(self) -> Library:
        raw = self.raw
        if not isinstance(raw, dict):
            raise RulebookError([Problem(self.file, 1, 1, "a library is a YAML mapping (id, kind: library, functions, ...)")])
        for error in schema_validator(SCHEMA_FILE).iter_errors(raw):
            self.problem(tuple(error.absolute_path), _schema_message(error))
        self.fail_if_problems()
        self.languages = list(raw["languages"])
        self.sources = {key: Source.from_spec(key, spec, self.languages) for key, spec in raw["sources"].items()}
        self.check_sources(self.sources)
        self._parameters(raw.get("parameters") or {})
        self.library = Library(
            id=raw["id"], jurisdiction=raw["jurisdiction"], title=dict(raw["title"]),
            description=dict(raw.get("description") or {}), version=str(raw["version"]),
            languages=self.languages, sources=self.sources, parameters=self.parameters, functions={},
            examples=[], file=self.file, sha256=self.sha256, source_map=self.map, raw=raw,
        )
        self.own = Imports({}, "library", local=self.library)
        self.functions_raw: dict[str, Any] = raw.get("functions") or {}
        self._in_progress: list[str] = []
        for name in self.functions_raw:
            if name in self.parameters:
                self.key_problem(("functions", name), f"{name!r} is both a parameter and a function")
            from engine.language.builtins import BUILTINS

            if name in BUILTINS:
                self.key_problem(("functions", name), f"{name!r} is the name of a built-in function")
        for name in self.functions_raw:
            self._function(name)
        self.library.examples = self._library_examples(raw.get("examples") or [])
        self._lint_texts(raw)
        self.fail_if_problems()
        self.library.warnings = [p for p in self.problems if p.severity == "warning"]
        return self.library

    def _function(self, name: str) -> Function | None:
        """Check one function (and, first, the siblings it calls: they are inlined)."""
        if name in self.library.functions:
            return self.library.functions[name]
        if name in self._in_progress:
            cycle = self._in_progress[self._in_progress.index(name):] + [name]
            self.key_problem(("functions", name), "functions call each other in a cycle: " + " → ".join(cycle))
            return None
        spec = self.functions_raw[name]
        path: Path = ("functions", name)
        params: list[tuple[str, t.Type]] = []
        for pname, decl in (spec.get("params") or {}).items():
            declared = TYPE_NAMES[decl] if isinstance(decl, str) else t.from_declaration(decl)
            if pname in self.parameters:
                self.key_problem(path + ("params", pname), f"{pname!r} is a parameter of the library; name the argument otherwise")
            params.append((pname, declared))
        self._in_progress.append(name)
        try:
            for called in _called_siblings(spec["expr"], self.functions_raw):
                self._function(called)
            checked = self._checked(spec["expr"], path + ("expr",), dict(params))
        finally:
            self._in_progress.pop()
        self.check_cited(spec.get("citations", []), spec.get("see_also", []), self.sources, path)
        if checked is None:
            return None
        node, analysis = checked
        fn = Function(name, tuple(params), spec["expr"], node, analysis, tuple(spec.get("citations", [])),
                      dict(spec.get("description") or {}), path)
        self.library.functions[name] = fn
        return fn

    def _checked(self, text: str, path: Path, params: dict[str, t.Type]) -> tuple[n.Node, Analysis] | None:
        def lookup(name: str) -> Symbol | None:
            if name in params:
                return Symbol("fact", name, params[name])
            if name in self.parameters:
                return Symbol("parameter", name, self.parameters[name].type)
            return None

        checker = Checker(lookup, lambda: [*params, *self.parameters], lambda: list(self.parameters))
        try:
            node = self.own.expand(parse(text), None)
            return node, checker.check(node)
        except ExpressionError as exc:
            line, column = self.map.position_in_scalar(path, exc.line, exc.column)
            self.problems.append(Problem(self.file, line, column, exc.message))
            return None

    def _library_examples(self, raw: list[dict[str, Any]]) -> list[LibraryExample]:
        out = []
        called: set[str] = set()
        for i, spec in enumerate(raw):
            path: Path = ("examples", i)
            as_of = self.date(spec.get("as_of"), path + ("as_of",))
            example = LibraryExample(spec["name"], spec["expr"], as_of, spec.get("expect"), path)
            called |= _called_siblings(spec["expr"], self.functions_raw)
            checked = self._checked(spec["expr"], path + ("expr",), {})
            if checked is not None:
                example.node, example.analysis = checked
            out.append(example)
        for name in self.functions_raw:
            if name not in called:
                self.key_problem(("functions", name), f"function {name!r} is called by no example: add one on its boundaries")
        return out


def _called_siblings(text: Any, functions: dict[str, Any]) -> set[str]:
    if not isinstance(text, str):
        return set()
    try:
        node = parse(text)
    except ExpressionError:
        return set()  # reported when the expression itself is checked
    return {current.function for current in n.walk(node) if isinstance(current, n.Call) and current.function in functions}


# -- examples ---------------------------------------------------------------------------------


class _Context:
    """What a compiled library expression reads: parameters only (no facts)."""

    def __init__(self, library: Library, as_of: dt.date | None) -> None:
        self.library = library
        self.as_of = as_of
        self.facts: dict[str, Any] = {}
        self.missing: list[str] = []
        self.reads = None

    def parameter(self, name: str) -> Any:
        if self.as_of is None:
            raise EvaluationError(f"{name} is read on the as-of date: give the example an `as_of`")
        return self.parameter_on(name, self.as_of)

    def parameter_on(self, name: str, day: dt.date) -> Any:
        entry = self.library.parameters[name].at(day)
        return MISSING if entry is None else entry.value

    def derived(self, name: str) -> Any:  # pragma: no cover - a library has none
        raise EvaluationError(f"no derived value {name!r} in a library")

    def decision(self, name: str) -> Any:  # pragma: no cover - a library has none
        raise EvaluationError(f"no decision {name!r} in a library")


def _same(got: Any, want: Any) -> bool:
    if got is MISSING:
        return want == "unknown"
    want = _infer_literal(want)
    if isinstance(got, dt.date) and isinstance(want, str):
        try:
            want = parse_iso_date(want)
        except ValueError:
            return False
    return got == want and isinstance(got, bool) == isinstance(want, bool)


def run_library_example(library: Library, example: LibraryExample) -> tuple[bool, Any]:
    """(passed, value) of one example: its expression evaluated on its as-of date."""
    assert example.node is not None and example.analysis is not None
    fn = compile_expression(example.node, example.analysis)
    try:
        value = fn(_Context(library, example.as_of), None)
    except EvaluationError as exc:
        return False, f"error: {exc}"
    return _same(value, example.expect), value


class LibraryBook(LoadedRulebook):
    """What `engine.load` gives for a library: its model and its examples' report."""

    kind = "library"

    def __init__(self, model: Library) -> None:
        self.model = model

    def run_examples(self) -> Any:
        """Run the library's examples (each calls its functions): an ExampleReport."""
        from engine.testing import ExampleOutcome, ExampleReport

        report = ExampleReport(self.model.file, self.model.id)
        for example in self.model.examples:
            passed, value = run_library_example(self.model, example)
            line = self.model.source_map.position(example.path)[0]
            problems = [] if passed else [f"{example.expr}: expected {describe(_infer_literal(example.expect))}, got {describe(value)}"]
            report.outcomes.append(ExampleOutcome(example.name, line, problems))
        return report

    def __repr__(self) -> str:
        return f"<LibraryBook {self.id} {self.version} {self.sha256[:12]}>"


def _build(path: FsPath) -> LibraryBook:
    return LibraryBook(load_library_file(path))


register(Kind("library", _build, "test", "taxrules test {id}"))


def describe(value: Any) -> str:
    if value is MISSING:
        return "unknown"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


__all__ = ["Function", "Library", "LibraryBook", "LibraryExample", "load_library_file", "load_library_text", "run_library_example", "suggest"]
