"""Ledger rulebook file → checked, compiled `model.Ledger`, or every problem at file:line:col.

Order of work, as for decision rulebooks: YAML with positions → JSON Schema
(schemas/ledger.schema.json) → record types → every expression parsed, type-checked
against the record types of the aliases it may read, and compiled → texts, citations and
placeholders linted → examples checked against the checks → each check planned (hash
joins) and compiled to its durable-rules ruleset, so `taxrules check` reports a check the
streaming executor could not run. All problems are reported together.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path as FsPath
from typing import Any

from engine.language import nodes as n
from engine.language import types as t
from engine.language.builtins import BUILTINS
from engine.language.checker import Checker, Symbol, suggest
from engine.language.compiler import compile_expression
from engine.language.errors import ExpressionError
from engine.language.parser import parse
from engine.language.unparse import conjuncts as split_conjuncts
from engine.language.unparse import unparse
from engine.ledger import model as lm
from engine.ledger.planner import alias_reads
from engine.resources import schema_file
from engine.rulebook.errors import Problem, ProblemCollector, RulebookError
from engine.rulebook.imports import Imports, combined_sha256, imported_libraries
from engine.rulebook.loader import _schema_message, parse_rulebook, read_rulebook, schema_validator
from engine.rulebook.model import FactSpec, Source
from engine.rulebook.yamlsource import Path, SourceMap

SCHEMA_FILE = schema_file("ledger.schema.json")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\}")
RESERVED = {"and", "or", "not", "in", "if", "then", "else", "for", "return", "true", "false", "null", "item"}
SUMMARY_NAMES = ("findings", "records")


def load_ledger_file(path: str | FsPath, verify_streaming: bool = True) -> lm.Ledger:
    """Load and check a ledger rulebook; raise RulebookError with every problem found."""
    return load_ledger_text(read_rulebook(path), str(path), verify_streaming=verify_streaming)


def load_ledger_text(data: bytes, file: str, verify_streaming: bool = True) -> lm.Ledger:
    raw, source_map = parse_rulebook(data, file)
    ledger = _Builder(file, raw, source_map, hashlib.sha256(data).hexdigest()).build()
    _plan_and_verify(ledger, verify_streaming)
    return ledger


def _plan_and_verify(ledger: lm.Ledger, verify_streaming: bool) -> None:
    """Plan every check (warnings for joins without an equality) and, optionally, build its
    durable-rules ruleset once so that a check the streaming executor rejects is a load error."""
    from engine.ledger.planner import plan_ledger

    plans = plan_ledger(ledger)
    ledger.plans = plans
    for plan in plans:
        for message in plan.warnings:
            line, column = ledger.source_map.position(plan.check.path)
            ledger.warnings.append(Problem(ledger.file, line, column, message, "warning"))
    from engine.ledger.extras import streaming_available

    if verify_streaming and streaming_available():  # without the `stream` extra there is nothing to verify against
        from engine.ledger.streaming import verify_rulesets

        problems = []
        for check, message in verify_rulesets(ledger, plans):
            line, column = ledger.source_map.key_position(check.path)
            problems.append(Problem(ledger.file, line, column, message))
        if problems:
            raise RulebookError(problems)


class _Builder(ProblemCollector):
    def __init__(self, file: str, raw: Any, source_map: SourceMap, sha256: str) -> None:
        self.file = file
        self.raw = raw
        self.map = source_map
        self.sha256 = sha256
        self.problems: list[Problem] = []
        self.records: dict[str, lm.RecordType] = {}
        self.sources: dict[str, Source] = {}
        self.languages: list[str] = []
        self.imports = Imports({}, "ledger")

    # -- the whole build ---------------------------------------------------------------

    def build(self) -> lm.Ledger:
        raw = self.raw
        if not isinstance(raw, dict):
            raise RulebookError([Problem(self.file, 1, 1, "a ledger rulebook is a YAML mapping (id, kind: ledger, records, checks, ...)")])
        for error in schema_validator(SCHEMA_FILE).iter_errors(raw):
            path = tuple(error.absolute_path)
            if isinstance(error.instance, bool) and error.validator == "type" and "string" in str(error.validator_value):
                # YAML 1.1 reads no/yes/off/on as booleans: `key: no` is false, not "no"
                self.problem(path, f"{'.'.join(map(str, path))}: YAML read this as {str(error.instance).lower()}; quote it (e.g. \"no\") to mean the text")
                continue
            self.problem(path, _schema_message(error))
        self.fail_if_problems()

        self.languages = list(raw["languages"])
        self.sources = {key: Source.from_spec(key, spec, self.languages) for key, spec in raw["sources"].items()}
        self.check_sources(self.sources)
        # Imported libraries: their functions and dated parameters are inlined into the
        # checks' expression trees here, so the planner and every executor see plain nodes.
        self.imports = imported_libraries(self, raw.get("imports") or {}, "ledger")
        for language in self.languages:
            if language not in raw["title"]:
                self.problem(("title",), f"the title has no {language!r} text")
        if "en" not in raw["title"]:
            self.problem(("title",), "the title needs an English ('en') text")
        for name, spec in raw["records"].items():
            self.records[name] = self._record_type(name, spec)
        self.fail_if_problems()

        checks = [self._check(check_id, spec, i) for i, (check_id, spec) in enumerate(raw["checks"].items())]
        flag_names: list[str] = []
        for check in checks:
            for flag in check.flags:
                if flag not in flag_names:
                    flag_names.append(flag)
        summary = self._summary(raw.get("summary") or {}, checks, flag_names)
        examples = self._examples(raw.get("examples") or [], checks, summary)
        self.fail_if_problems()
        return lm.Ledger(
            id=raw["id"],
            jurisdiction=raw["jurisdiction"],
            title=dict(raw["title"]),
            description=dict(raw.get("description") or {}),
            version=str(raw["version"]),
            valid_from=self.date(raw.get("valid_from"), ("valid_from",)),
            valid_to=self.date(raw.get("valid_to"), ("valid_to",)),
            languages=self.languages,
            sources=self.sources,
            records=self.records,
            checks=checks,
            summary=summary,
            flag_names=flag_names,
            examples=examples,
            file=self.file,
            sha256=combined_sha256(self.sha256, self.imports),
            source_map=self.map,
            raw=raw,
            warnings=[p for p in self.problems if p.severity == "warning"],
            imports={alias: lib.id for alias, lib in self.imports.libraries.items()},
        )

    def _name(self, name: str, path: Path, what: str) -> None:
        if name in RESERVED:
            self.key_problem(path, f"{name!r} is a reserved word of the expression language; choose another {what} name")
        elif name in BUILTINS:
            self.key_problem(path, f"{name!r} is the name of a function; choose another {what} name")

    # -- record types ------------------------------------------------------------------

    def _record_type(self, name: str, spec: dict[str, Any]) -> lm.RecordType:
        path: Path = ("records", name)  # record type names never appear in expressions
        fields: dict[str, FactSpec] = {}
        for field_name, decl in spec["fields"].items():
            field_path = path + ("fields", field_name)
            if field_name == lm.RECORD_KEY:
                self.key_problem(field_path, f"{lm.RECORD_KEY!r} names the record type of an input record; it cannot be a field")
            self.check_declaration(decl, field_path, "fields", r"[a-z0-9][a-z0-9_]*")
            fields[field_name] = FactSpec(
                name=field_name,
                declaration=decl,
                type=t.from_declaration(decl),
                optional=bool(decl.get("optional", False)),
                description=dict(decl.get("description") or {}),
            )
        key = spec.get("key")
        if key is not None and key not in fields:
            self.problem(path + ("key",), f"key {key!r} is not a field of {name!r}{suggest(key, list(fields))}")
        return lm.RecordType(name, fields, key, dict(spec.get("description") or {}), path)

    # -- expressions -------------------------------------------------------------------

    def _checker(self, aliases: dict[str, str]) -> Checker:
        def lookup(name: str) -> Symbol | None:
            record = aliases.get(name)
            if record is None or record not in self.records:
                return None
            return Symbol("fact", name, self.records[record].type)

        return Checker(lookup, lambda: list(aliases))

    def _parse_checked(self, text: Any, path: Path, checker: Checker) -> tuple[n.Node, Any] | None:
        if not isinstance(text, str):
            self.problem(path, "expected an expression (text)")
            return None
        try:
            node = self.imports.expand(parse(text), lambda arg, binders: checker.check_within(arg, binders).type)
            analysis = checker.check(node)
        except ExpressionError as exc:
            line, column = self.map.position_in_scalar(path, exc.line, exc.column)
            self.problems.append(Problem(self.file, line, column, exc.message))
            return None
        return node, analysis

    def expression(self, text: Any, path: Path, aliases: dict[str, str]) -> lm.Expr | None:
        checked = self._parse_checked(text, path, self._checker(aliases))
        if checked is None:
            return None
        node, analysis = checked
        _, used = alias_reads(node, analysis)
        return lm.Expr(text, node, analysis, compile_expression(node, analysis), path, frozenset(used))

    def _conditions(self, when: Any, path: Path, aliases: dict[str, str], part: str, first_index: int) -> list[lm.Conjunct]:
        """A `when` (text, or a list of texts that must all hold) split into conjuncts."""
        if when is None:
            return []
        items = [(when, path)] if isinstance(when, str) else [(text, path + (i,)) for i, text in enumerate(when)]
        checker = self._checker(aliases)
        out: list[lm.Conjunct] = []
        for text, item_path in items:
            checked = self._parse_checked(text, item_path, checker)
            if checked is None:
                continue
            node, analysis = checked
            if analysis.type.kind not in ("boolean", "any", "null"):
                self.problem(item_path, f"`when` is a condition (true/false), this gives {analysis.type}")
                continue
            for part_node in split_conjuncts(node):
                reads, used = alias_reads(part_node, analysis)
                out.append(
                    lm.Conjunct(
                        index=first_index + len(out),
                        text=unparse(part_node),
                        node=part_node,
                        analysis=analysis,
                        fn=compile_expression(part_node, analysis),
                        aliases=frozenset(used),
                        reads=tuple(reads),
                        path=item_path,
                        part=part,
                    )
                )
        return out

    # -- checks ------------------------------------------------------------------------

    def _check(self, check_id: str, spec: dict[str, Any], index: int) -> lm.Check:
        path: Path = ("checks", check_id)
        aliases: dict[str, str] = {}
        for alias, record in spec["match"].items():
            alias_path = path + ("match", alias)
            self._name(alias, alias_path, "alias")
            if alias in self.imports.libraries:
                self.key_problem(alias_path, f"{alias!r} is the alias of an imported library; choose another alias")
            if alias in SUMMARY_NAMES:
                self.key_problem(alias_path, f"{alias!r} is reserved for the summary; choose another alias")
            if record not in self.records:
                self.problem(alias_path, f"no record type {record!r}{suggest(record, list(self.records))}")
            aliases[alias] = record
        conjuncts = self._conditions(spec.get("when"), path + ("when",), aliases, "match", 0)

        absent = None
        if "absent" in spec:
            absent_spec = spec["absent"]
            absent_path = path + ("absent",)
            alias, record = absent_spec["as"], absent_spec["record"]
            self._name(alias, absent_path + ("as",), "alias")
            if alias in aliases:
                self.problem(absent_path + ("as",), f"alias {alias!r} is already used in `match`")
            if record not in self.records:
                self.problem(absent_path + ("record",), f"no record type {record!r}{suggest(record, list(self.records))}")
            scope = dict(aliases)
            scope[alias] = record
            absent_conjuncts = self._conditions(absent_spec.get("when"), absent_path + ("when",), scope, "absent", len(conjuncts))
            if not any(alias in c.aliases for c in absent_conjuncts):
                self.problem(absent_path, f"the absent record {alias!r} is never compared with anything: say which record would be the counterpart")
            absent = lm.Absent(alias, record, absent_conjuncts, absent_path)

        flags: dict[str, lm.Expr] = {}
        for name, text in (spec.get("flags") or {}).items():
            self._name(name, path + ("flags", name), "flag")
            if name in ("check", "severity"):
                self.key_problem(path + ("flags", name), f"{name!r} is a field of every finding; choose another flag name")
            expr = self.expression(text, path + ("flags", name), aliases)
            if expr is not None:
                if expr.type.kind not in ("boolean", "any", "null"):
                    self.problem(path + ("flags", name), f"a flag is a condition (true/false), this gives {expr.type}")
                flags[name] = expr
        values: dict[str, lm.Expr] = {}
        for name, text in (spec.get("values") or {}).items():
            if name in aliases:
                self.key_problem(path + ("values", name), f"{name!r} is an alias of this check; choose another value name")
            expr = self.expression(text, path + ("values", name), aliases)
            if expr is not None:
                values[name] = expr
        citations = tuple(spec["citations"])
        see_also = tuple(spec.get("see_also", []))
        self.check_cited(list(citations), list(see_also), self.sources, path)
        for language in self.languages:
            if language not in spec["message"]:
                self.problem(path + ("message",), f"the message has no {language!r} text (languages: {', '.join(self.languages)})")
            if language not in spec["title"]:
                self.problem(path + ("title",), f"the title has no {language!r} text (languages: {', '.join(self.languages)})")
        self._placeholders(spec["message"], path + ("message",), aliases, set(values) | set(flags))
        return lm.Check(
            id=check_id,
            index=index,
            severity=spec["severity"],
            title=dict(spec["title"]),
            aliases=list(aliases.items()),
            conjuncts=conjuncts,
            absent=absent,
            flags=flags,
            values=values,
            message=dict(spec["message"]),
            citations=citations,
            see_also=see_also,
            note=spec.get("note"),
            path=path,
        )

    def _placeholders(self, texts: dict[str, str], path: Path, aliases: dict[str, str], names: set[str]) -> None:
        for language, text in texts.items():
            for match in PLACEHOLDER.finditer(text):
                name = match.group(1)
                if "." in name:
                    alias, field_name = name.split(".", 1)
                    record = self.records.get(aliases.get(alias, ""))
                    if record is None:
                        self.problem(path + (language,), f"placeholder {{{name}}}: {alias!r} is not an alias of this check{suggest(alias, list(aliases))}")
                    elif field_name not in record.fields:
                        self.problem(path + (language,), f"placeholder {{{name}}}: no field {field_name!r} in {record.name!r}{suggest(field_name, list(record.fields))}")
                elif name not in names:
                    self.problem(path + (language,), f"placeholder {{{name}}} names no value or flag of this check{suggest(name, names)}")

    # -- summary -----------------------------------------------------------------------

    def _summary(self, raw: dict[str, Any], checks: list[lm.Check], flag_names: list[str]) -> dict[str, lm.SummaryItem]:
        finding_fields: dict[str, t.Type] = {
            "check": t.enum([c.id for c in checks]) if checks else t.STRING,
            "severity": t.enum(lm.SEVERITIES),
        }
        for flag in flag_names:
            finding_fields[flag] = t.BOOLEAN
        symbols = {
            "findings": Symbol("fact", "findings", t.list_of(t.record(finding_fields))),
            "records": Symbol("fact", "records", t.record({name: t.DECIMAL for name in self.records})),
        }
        checker = Checker(symbols.get, lambda: list(symbols))
        out: dict[str, lm.SummaryItem] = {}
        for name, spec in raw.items():
            path: Path = ("summary", name)
            self._name(name, path, "summary")
            checked = self._parse_checked(spec["expr"], path + ("expr",), checker)
            if checked is None:
                continue
            node, analysis = checked
            declared = t.from_declaration(spec)
            if not t.compatible(analysis.type, declared):
                self.problem(path + ("expr",), f"this gives {analysis.type}, but the summary value is {declared}")
            expr = lm.Expr(spec["expr"], node, analysis, compile_expression(node, analysis), path + ("expr",), frozenset())
            out[name] = lm.SummaryItem(name, declared, expr, dict(spec.get("description") or {}))
        return out

    # -- examples ----------------------------------------------------------------------

    def _examples(self, raw: list[dict[str, Any]], checks: list[lm.Check], summary: dict[str, lm.SummaryItem]) -> list[lm.Example]:
        by_id = {c.id: c for c in checks}
        out = []
        for i, spec in enumerate(raw):
            path: Path = ("examples", i)
            records = spec["records"]
            expected = []
            for j, want in enumerate(spec.get("expect") or []):
                want_path = path + ("expect", j)
                check = by_id.get(want["check"])
                if check is None:
                    self.problem(want_path + ("check",), f"no check {want['check']!r}{suggest(want['check'], list(by_id))}")
                    continue
                lines = {str(k): int(v) for k, v in want["records"].items()}
                if set(lines) != set(check.alias_names):
                    self.problem(want_path + ("records",), f"check {check.id!r} matches {', '.join(check.alias_names)}: give the line of each")
                for alias, line in lines.items():
                    if not 1 <= line <= len(records):
                        self.problem(want_path + ("records", alias), f"line {line} is not among the example's {len(records)} record(s)")
                for flag in want.get("flags") or {}:
                    if flag not in check.flags:
                        self.problem(want_path + ("flags", flag), f"check {check.id!r} has no flag {flag!r}{suggest(flag, list(check.flags))}")
                expected.append(lm.ExpectedFinding(check.id, lines, dict(want.get("flags") or {}), want_path))
            for name in spec.get("expect_summary") or {}:
                if name not in summary:
                    self.problem(path + ("expect_summary", name), f"no summary value {name!r}{suggest(name, list(summary))}")
            out.append(
                lm.Example(
                    name=spec["name"],
                    records=list(records),
                    expect=expected,
                    expect_summary=dict(spec.get("expect_summary") or {}),
                    expect_error=bool(spec.get("expect_error", False)),
                    path=path,
                )
            )
        return out
