"""Rulebook file → checked, compiled Rulebook, or every problem at `file:line:col`.

Order of work: YAML (with positions) → JSON Schema → model → expressions parsed and
checked in dependency order (derived values on demand, cycles reported) → lint of
citations, languages, placeholders and literal values → closures compiled.
All problems found are reported together, so an author fixes a file in one pass.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path as FsPath
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.validators import extend
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from engine.language import types as t
from engine.language.checker import Checker, Symbol, suggest
from engine.language.compiler import compile_expression
from engine.language.dates import parse_iso_date
from engine.language.errors import ExpressionError
from engine.language.parser import names_in, parse
from engine.resources import schema_file
from engine.rulebook import model as m
from engine.rulebook.depgraph import DEEP, chain_depths, find_cycles, topological_order
from engine.rulebook.errors import Problem, ProblemCollector, RulebookError
from engine.rulebook.imports import Imports, combined_sha256, imported_libraries, imported_parameters
from engine.rulebook.yamlsource import Path, SourceMap, YamlError, load

SCHEMA_FILE = schema_file("rulebook.schema.json")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _is_number(checker: Any, instance: Any) -> bool:
    return isinstance(instance, (int, Decimal)) and not isinstance(instance, bool)


def _is_integer(checker: Any, instance: Any) -> bool:
    if isinstance(instance, bool):
        return False
    if isinstance(instance, Decimal):
        return instance == instance.to_integral_value()
    return isinstance(instance, int)


@functools.cache
def schema_validator(schema_file: FsPath) -> Draft202012Validator:
    """A JSON Schema validator for YAML data whose numbers are Decimal (never float).

    The schemas beside it are registered by their `$id`, so one schema may refer to
    another's definitions (the ledger and library schemas take `sources` from the
    rulebook schema: one definition of a legal source for every kind of book)."""
    type_checker = Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"number": _is_number, "integer": _is_integer}
    )
    validator_class = extend(Draft202012Validator, type_checker=type_checker)
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    return validator_class(schema, registry=_schema_registry(schema_file.parent))


@functools.cache
def _schema_registry(folder: FsPath) -> Registry:
    """Every top-level schema of `folder`, by its `$id`."""
    resources = []
    for path in sorted(folder.glob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        if "$id" in contents:
            resources.append((contents["$id"], Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


def read_rulebook(path: str | FsPath) -> bytes:
    """A rulebook file's bytes (decision or ledger); RulebookError if it cannot be read."""
    try:
        return FsPath(path).read_bytes()
    except OSError as exc:
        raise RulebookError([Problem(str(path), 1, 1, f"cannot read the rulebook: {exc.strerror}")]) from None


def parse_rulebook(data: bytes, file: str) -> tuple[Any, SourceMap]:
    """A rulebook's YAML (decision or ledger) with the position of every node;
    RulebookError naming the line if it is not UTF-8 or not YAML."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RulebookError([Problem(file, 1, 1, f"the rulebook is not UTF-8 text: {exc.reason}")]) from None
    try:
        return load(text)
    except YamlError as exc:
        raise RulebookError([Problem(file, exc.line, exc.column, exc.message)]) from None


def load_file(path: str | FsPath) -> m.Rulebook:
    return load_text(read_rulebook(path), str(path))


def load_text(data: bytes, file: str) -> m.Rulebook:
    raw, source_map = parse_rulebook(data, file)
    return _Builder(file, raw, source_map, hashlib.sha256(data).hexdigest()).build()


def _schema_message(error: Any) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    validator = error.validator
    if validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        known = list(error.schema.get("properties", {}))
        hints = "".join(suggest(key, known) for key in extra[:1])
        return f"unknown key {', '.join(map(repr, extra))} in {where or 'the rulebook'}{hints}"
    if validator == "required":
        return f"{where or 'the rulebook'}: {error.message}"
    if validator == "oneOf" and error.schema.get("oneOf") and "required" in str(error.schema["oneOf"]):
        return f"{where}: a rule needs exactly one of `value` (a literal) or `expr` (an expression)"
    if validator == "pattern":
        return f"{where}: {error.instance!r} does not have the expected form ({error.schema['pattern']})"
    return f"{where}: {error.message}" if where else error.message


class _Builder(ProblemCollector):
    def __init__(self, file: str, raw: Any, source_map: SourceMap, sha256: str) -> None:
        self.file = file
        self.raw = raw
        self.map = source_map
        self.sha256 = sha256
        self.problems: list[Problem] = []
        self.facts: dict[str, m.FactSpec] = {}
        self.parameters: dict[str, m.Parameter] = {}
        self.derived_raw: dict[str, Any] = {}
        self.derived: dict[str, m.Derived] = {}
        self.decision_types: dict[str, t.Type] = {}
        self._derived_types: dict[str, t.Type] = {}
        self._checking: list[str] = []
        self.references: dict[tuple[str, str], set[tuple[str, str]]] = {}
        self.imports = Imports({}, "decision")

    # -- the whole build ---------------------------------------------------------------

    def build(self) -> m.Rulebook:
        raw = self.raw
        if not isinstance(raw, dict):
            raise RulebookError([Problem(self.file, 1, 1, "a rulebook is a YAML mapping (id, facts, decisions, ...)")])
        for error in schema_validator(SCHEMA_FILE).iter_errors(raw):
            self.problem(tuple(error.absolute_path), _schema_message(error))
        self.fail_if_problems()

        languages = list(raw["languages"])
        sources = {key: m.Source.from_spec(key, spec, languages) for key, spec in raw["sources"].items()}
        self.sources = sources
        self.languages = languages
        self.check_sources(sources)
        self.imports = imported_libraries(self, raw.get("imports") or {}, "decision")
        self._facts(raw["facts"])
        self._parameters(raw.get("parameters") or {})
        self.parameters.update(imported_parameters(self.imports))
        self.derived_raw = raw.get("derived") or {}
        decisions_raw = raw["decisions"]
        for name, spec in decisions_raw.items():
            self.decision_types[name] = self._decision_type(spec)
        self._name_clashes()
        self.fail_if_problems()

        # dependencies first, so that checking one finds the ones it reads checked already
        # (a chain thousands deep would otherwise recurse through _lookup)
        for name in topological_order(list(self.derived_raw), self._derived_reads):
            self._derived_type(name)
        constraints = self._constraints(raw.get("constraints") or [])
        decisions = {name: self._decision(name, spec) for name, spec in decisions_raw.items()}
        self._cycles()
        as_of_fact = raw.get("as_of_fact")
        if as_of_fact is not None:
            spec = self.facts.get(as_of_fact)
            if spec is None:
                self.problem(("as_of_fact",), f"as_of_fact {as_of_fact!r} is not a declared fact{suggest(as_of_fact, list(self.facts))}")
            elif spec.type.kind != "date":
                self.problem(("as_of_fact",), f"as_of_fact {as_of_fact!r} must be a date fact, it is {spec.type}")
        examples = self._examples(raw.get("examples") or [], decisions)
        self._lint_texts(raw)
        self.fail_if_problems()

        book = m.Rulebook(
            id=raw["id"],
            jurisdiction=raw["jurisdiction"],
            title=dict(raw["title"]),
            description=dict(raw.get("description") or {}),
            version=str(raw["version"]),
            valid_from=self.date(raw.get("valid_from"), ("valid_from",)),
            valid_to=self.date(raw.get("valid_to"), ("valid_to",)),
            languages=languages,
            as_of_fact=as_of_fact,
            sources=sources,
            facts=self.facts,
            constraints=constraints,
            parameters=self.parameters,
            derived=self.derived,
            decisions=decisions,
            examples=examples,
            derived_graph=(graph := self._derived_graph()),
            deep_derived=frozenset(name for name, depth in chain_depths(graph).items() if depth > DEEP),
            file=self.file,
            sha256=combined_sha256(self.sha256, self.imports),
            source_map=self.map,
            raw=raw,
            imports={alias: lib.id for alias, lib in self.imports.libraries.items()},
        )
        from engine.rulebook.lint import static_problems

        self.problems.extend(static_problems(book))
        self.fail_if_problems()
        book.warnings = [p for p in self.problems if p.severity == "warning"]
        return book

    # -- declarations ------------------------------------------------------------------

    def _facts(self, facts_raw: dict[str, Any]) -> None:
        for name, spec in facts_raw.items():
            # Upper-case values are allowed for names the law writes so (section numerals I, II).
            self.check_declaration(spec, ("facts", name), "facts", r"[a-z0-9][a-z0-9_]*|[A-Z][A-Za-z0-9_]*")
            self.facts[name] = m.FactSpec(
                name=name,
                declaration=spec,
                type=t.from_declaration(spec),
                optional=bool(spec.get("optional", False)),
                description=dict(spec.get("description") or {}),
                label=dict(spec.get("label") or {}),
                value_labels=self._value_labels(spec, ("facts", name)),
            )

    def _value_labels(self, spec: dict[str, Any], path: Path) -> dict[str, dict[str, str]]:
        """The labels of a fact's or decision's values: its own `labels` when it is an enum,
        its items' when it is a list of an enum (the report labels each item). Checked, for
        every enum it declares, by `check_value_labels`."""
        self.check_value_labels(spec, path, self.languages)
        items = spec.get("items")
        if spec.get("type") == "list" and isinstance(items, dict) and items.get("type") == "enum":
            spec = items
        labels = spec.get("labels") or {}
        values = spec.get("values") or []
        return {value: dict(texts) for value, texts in labels.items() if value in values}

    def _decision_type(self, spec: dict[str, Any]) -> t.Type:
        declared = t.from_declaration(spec)
        if spec.get("hit_policy") == "collect" and declared.kind != "list":
            return t.list_of(declared)
        return declared

    def _parameters(self, params_raw: dict[str, Any]) -> None:
        for name, spec in params_raw.items():
            values: list[m.ParameterValue] = []
            value_type = t.NULL
            for i, entry in enumerate(spec["values"]):
                since = self.date(entry["from"], ("parameters", name, "values", i, "from"))
                converted = _infer_literal(entry["value"])
                current = _literal_type(converted)
                if not t.compatible(value_type, current):
                    self.problem(("parameters", name, "values", i, "value"), f"parameter {name!r} changes type from {value_type} to {current}")
                value_type = t.join(value_type, current)
                self._check_citations(entry.get("citations", []), ("parameters", name, "values", i, "citations"))
                if since is not None:
                    values.append(m.ParameterValue(since, converted, tuple(entry.get("citations", []))))
            starts = [v.since for v in values]
            if starts != sorted(starts) or len(set(starts)) != len(starts):
                self.problem(("parameters", name, "values"), f"the values of parameter {name!r} must be in date order, one per date")
            self._check_citations(spec.get("citations", []), ("parameters", name, "citations"))
            self.parameters[name] = m.Parameter(
                name=name,
                values=sorted(values, key=lambda v: v.since),
                type=value_type if value_type.kind != "null" else t.ANY,
                citations=tuple(spec.get("citations", [])),
                description=dict(spec.get("description") or {}),
            )

    def _name_clashes(self) -> None:
        seen: dict[str, str] = {}
        groups = [
            ("imported library", {alias: None for alias in self.imports.aliases}, "imports"),
            ("fact", self.facts, "facts"),
            ("parameter", self.parameters, "parameters"),
            ("derived value", self.derived_raw, "derived"),
            ("decision", self.decision_types, "decisions"),
        ]
        from engine.language.builtins import BUILTINS

        reserved = {"and", "or", "not", "in", "if", "then", "else", "for", "return", "true", "false", "null", "item"}
        for kind, names, section in groups:
            for name in names:
                if name in reserved:
                    self.key_problem((section, name), f"{name!r} is a reserved word of the expression language")
                if name in seen:
                    self.key_problem((section, name), f"{name!r} is both a {seen[name]} and a {kind}")
                seen[name] = kind
                if name in BUILTINS and kind != "fact":
                    self.key_problem((section, name), f"{name!r} is the name of a function")

    # -- expressions -------------------------------------------------------------------

    def _lookup(self, name: str) -> Symbol | None:
        if name in self.facts:
            return Symbol("fact", name, self.facts[name].type)
        if name in self.parameters:
            return Symbol("parameter", name, self.parameters[name].type)
        if name in self.derived_raw:
            return Symbol("derived", name, self._derived_type(name))
        if name in self.decision_types:
            return Symbol("decision", name, self.decision_types[name])
        return None

    def _global_names(self) -> list[str]:
        return [*self.facts, *self.parameters, *self.derived_raw, *self.decision_types]

    def _checker(self) -> Checker:
        return Checker(self._lookup, self._global_names, lambda: list(self.parameters))

    def expression(self, text: Any, path: Path, owner: tuple[str, str] | None) -> m.Expression | None:
        if not isinstance(text, str):
            self.problem(path, "expected an expression (text)")
            return None
        try:
            checker = self._checker()
            node = self.imports.expand(parse(text), lambda arg, binders: checker.check_within(arg, binders).type)
            analysis = checker.check(node)
        except ExpressionError as exc:
            line, column = self.map.position_in_scalar(path, exc.line, exc.column)
            self.problems.append(Problem(self.file, line, column, exc.message))
            return None
        if owner is not None:
            self.references.setdefault(owner, set()).update(analysis.references)
        expression = m.Expression(text, node, analysis, path)
        expression.fn = compile_expression(node, analysis)
        return expression

    def _derived_type(self, name: str) -> t.Type:
        if name in self._derived_types:
            return self._derived_types[name]
        if name in self._checking:
            # The cycle itself is reported by _cycles with the whole path; type as any here.
            return t.ANY
        self._checking.append(name)
        try:
            spec = self.derived_raw[name]
            is_mapping = isinstance(spec, dict)
            text = spec["expr"] if is_mapping else spec
            path: Path = ("derived", name, "expr") if is_mapping else ("derived", name)
            expression = self.expression(text, path, ("derived", name))
            value_type = expression.type if expression else t.ANY
            if expression is not None:
                self.derived[name] = m.Derived(
                    name=name,
                    expression=expression,
                    description=dict(spec.get("description") or {}) if is_mapping else {},
                    citations=tuple(spec.get("citations", [])) if is_mapping else (),
                )
                if is_mapping:
                    self._check_citations(spec.get("citations", []), ("derived", name, "citations"))
        finally:
            self._checking.pop()
        self._derived_types[name] = value_type
        return value_type

    def _constraints(self, constraints_raw: list[dict[str, Any]]) -> list[m.Constraint]:
        out = []
        for i, spec in enumerate(constraints_raw):
            expression = self.expression(spec["when"], ("constraints", i, "when"), None)
            if expression is None:
                continue
            if expression.type.kind not in ("boolean", "any"):
                self.problem(("constraints", i, "when"), f"a constraint is a condition, this gives {expression.type}")
            for ref_kind, ref in expression.analysis.references:
                if ref_kind == "decision":
                    self.problem(("constraints", i, "when"), f"a constraint checks input facts; it cannot use the decision {ref!r}")
            out.append(m.Constraint(spec["id"], expression, dict(spec["message"])))
        return out

    def _decision(self, name: str, spec: dict[str, Any]) -> m.Decision:
        declared = self.decision_types[name]
        policy = spec["hit_policy"]
        item_type = declared.item or t.ANY if policy == "collect" else declared
        if spec["type"] == "enum" and not spec.get("values"):
            self.problem(("decisions", name), f"decision {name!r} is an enum: list its `values`")
        rules = []
        seen_ids: set[str] = set()
        for i, rule_spec in enumerate(spec["rules"]):
            path: Path = ("decisions", name, "rules", i)
            rule_id = rule_spec["id"]
            if rule_id in seen_ids:
                self.problem(path + ("id",), f"rule id {rule_id!r} is used twice in decision {name!r}")
            seen_ids.add(rule_id)
            when = None
            if "when" in rule_spec:
                when = self.expression(rule_spec["when"], path + ("when",), ("decision", name))
                if when is not None and when.type.kind not in ("boolean", "any", "null"):
                    self.problem(path + ("when",), f"`when` is a condition (true/false), this gives {when.type}")
            expr = None
            value = None
            if "expr" in rule_spec:
                expr = self.expression(rule_spec["expr"], path + ("expr",), ("decision", name))
                if expr is not None:
                    self._check_outcome_type(expr.type, declared, item_type, policy, path + ("expr",))
            else:
                value = self._literal(rule_spec["value"], declared, item_type, policy, path + ("value",))
            valid_from = self.date(rule_spec.get("valid_from"), path + ("valid_from",))
            valid_to = self.date(rule_spec.get("valid_to"), path + ("valid_to",))
            if valid_from and valid_to and valid_to < valid_from:
                self.problem(path + ("valid_to",), "valid_to is before valid_from")
            self.check_cited(rule_spec["citations"], rule_spec.get("see_also", []), self.sources, path)
            self._check_explanation(rule_spec["explanation"], path + ("explanation",))
            rules.append(
                m.Rule(
                    id=rule_id,
                    decision=name,
                    when=when,
                    value=value,
                    expr=expr,
                    citations=tuple(rule_spec["citations"]),
                    valid_from=valid_from,
                    valid_to=valid_to,
                    explanation=dict(rule_spec["explanation"]),
                    note=rule_spec.get("note"),
                    path=path,
                    see_also=tuple(rule_spec.get("see_also", [])),
                )
            )
        has_default = "default" in spec
        default = None
        if has_default and spec["default"] is not None:
            default = self._literal(spec["default"], declared, declared, "first", ("decisions", name, "default"))
        if policy == "collect" and not has_default:
            has_default, default = True, []
        return m.Decision(
            name=name,
            type=declared,
            hit_policy=policy,
            rules=rules,
            has_default=has_default,
            default=default,
            description=dict(spec.get("description") or {}),
            declaration=spec,
            label=dict(spec.get("label") or {}),
            value_labels=self._value_labels(spec, ("decisions", name)),
        )

    def _check_outcome_type(self, got: t.Type, declared: t.Type, item: t.Type, policy: str, path: Path) -> None:
        if policy == "collect":
            ok = t.compatible(got, item) or (got.kind == "list" and t.compatible(got.item or t.ANY, item))
        else:
            ok = t.compatible(got, declared)
        if not ok:
            self.problem(path, f"this gives {got}, but the decision is {declared}")

    def _literal(self, value: Any, declared: t.Type, item: t.Type, policy: str, path: Path) -> Any:
        if policy == "collect" and not isinstance(value, list):
            return self._convert(value, item, path)
        return self._convert(value, declared, path)

    def _convert(self, value: Any, expected: t.Type, path: Path) -> Any:
        """A YAML literal as the runtime value of the declared type, or a problem."""
        if value is None:
            return None
        kind = expected.kind
        if kind == "any":
            return _infer_literal(value)
        if kind == "date":
            return self.date(value, path)
        if kind == "decimal" and isinstance(value, Decimal):
            return value
        if kind == "boolean" and isinstance(value, bool):
            return value
        if kind == "string" and isinstance(value, str):
            return value
        if kind == "enum" and isinstance(value, str):
            if value not in expected.values:
                self.problem(path, f"{value!r} is not one of the decision's values ({', '.join(expected.values)}){suggest(value, list(expected.values))}")
            return value
        if kind == "list" and isinstance(value, list):
            return [self._convert(v, expected.item or t.ANY, path + (i,)) for i, v in enumerate(value)]
        if kind == "record" and isinstance(value, dict):
            out = {}
            for key, v in value.items():
                field_type = expected.field_type(key)
                if field_type is None:
                    self.problem(path + (key,), f"no field {key!r} in {expected}")
                    continue
                out[key] = self._convert(v, field_type, path + (key,))
            return out
        self.problem(path, f"expected {expected}, got {value!r}")
        return None

    # -- lint --------------------------------------------------------------------------

    def _check_citations(self, citations: list[str], path: Path) -> None:
        """The citations of a parameter, a dated value or a derived value: the same rules
        as a rule's (`check_cited`), which has no `see_also` here."""
        self.check_cited(citations, [], self.sources, path[:-1])

    def _check_explanation(self, texts: dict[str, str], path: Path) -> None:
        for language in self.languages:
            if language not in texts:
                self.problem(path, f"the explanation has no {language!r} text (languages: {', '.join(self.languages)})")
        names = set(self._global_names()) | {"value"}
        for language, text in texts.items():
            for match in PLACEHOLDER.finditer(text):
                if match.group(1) not in names:
                    self.problem(path + (language,), f"placeholder {{{match.group(1)}}} names nothing{suggest(match.group(1), names)}")

    def _lint_texts(self, raw: dict[str, Any]) -> None:
        for language in self.languages:
            if language not in raw["title"]:
                self.problem(("title",), f"the title has no {language!r} text")
        if "en" not in raw["title"]:
            self.problem(("title",), "the title needs an English ('en') text")

    def _cycles(self) -> None:
        graph = {
            owner: {ref for ref in refs if ref[0] in ("derived", "decision")}
            for owner, refs in self.references.items()
        }
        for cycle in find_cycles(graph):
            first = cycle[-1]
            section = "derived" if first[0] == "derived" else "decisions"
            self.key_problem((section, first[1]), "cycle: " + " → ".join(name for _, name in cycle))

    def _derived_reads(self, name: str) -> list[str]:
        """The derived values a derived value's text names (parsed only, not checked)."""
        spec = self.derived_raw.get(name)
        text = spec.get("expr") if isinstance(spec, dict) else spec
        if not isinstance(text, str):
            return []
        try:
            node = parse(text)
        except ExpressionError:
            return []  # reported when the value is checked
        return [found for found in names_in(node) if found in self.derived_raw and found != name]

    def _derived_graph(self) -> dict[str, tuple[str, ...]]:
        return {
            name: tuple(sorted(ref for kind, ref in self.references.get(("derived", name), ()) if kind == "derived"))
            for name in self.derived
        }

    def _examples(self, examples_raw: list[dict[str, Any]], decisions: dict[str, m.Decision]) -> list[m.Example]:
        out = []
        for i, spec in enumerate(examples_raw):
            path: Path = ("examples", i)
            for name in spec.get("expect", {}) or {}:
                if name not in self.decision_types:
                    self.problem(path + ("expect", name), f"example expects {name!r}, which is not a decision{suggest(name, list(self.decision_types))}")
            expect_rule = self._expected_rules(spec.get("expect_rule") or {}, decisions, path + ("expect_rule",))
            out.append(
                m.Example(
                    name=spec["name"],
                    facts=spec["facts"],
                    as_of=spec.get("as_of"),
                    expect=spec.get("expect") or {},
                    expect_status=spec.get("expect_status"),
                    expect_missing=list(spec.get("expect_missing") or []),
                    expect_error=bool(spec.get("expect_error", False)),
                    path=path,
                    expect_rule=expect_rule,
                )
            )
        return out

    def _expected_rules(self, raw: dict[str, Any], decisions: dict[str, m.Decision], path: Path) -> dict[str, list[str] | None]:
        """An example's `expect_rule`: each decision named must exist and each rule be one of its
        own (a list only for `collect`, whose value several rules may make together); null: none
        decides, the decision is undetermined."""
        out: dict[str, list[str] | None] = {}
        for name, wanted in raw.items():
            decision = decisions.get(name)
            if decision is None:
                self.problem(path + (name,), f"example expects the rule of {name!r}, which is not a decision{suggest(name, list(decisions))}")
                continue
            if wanted is None:  # no rule can decide it: undetermined by a missing fact
                out[name] = None
                continue
            ids = [wanted] if isinstance(wanted, str) else list(wanted)
            if isinstance(wanted, list) and decision.hit_policy != "collect":
                self.problem(path + (name,), f"decision {name!r} is decided by one rule ({decision.hit_policy}): name it, not a list")
                continue
            known = [rule.id for rule in decision.rules] + ([DEFAULT_RULE] if decision.has_default and decision.hit_policy != "collect" else [])
            unknown = [rule_id for rule_id in ids if rule_id not in known]
            for rule_id in unknown:
                self.problem(path + (name,), f"{rule_id!r} is not a rule of decision {name!r}{suggest(rule_id, known)}")
            if not unknown:
                out[name] = ids
        return out


DEFAULT_RULE = "default"  # what `expect_rule` names when a decision's `default` decides it


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _infer_literal(value: Any) -> Any:
    """A parameter's YAML value as a runtime value: ISO strings become dates."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return parse_iso_date(value)
        except ValueError:
            return value
    if isinstance(value, list):
        return [_infer_literal(v) for v in value]
    if isinstance(value, dict):
        return {k: _infer_literal(v) for k, v in value.items()}
    return value


def _literal_type(value: Any) -> t.Type:
    if value is None:
        return t.NULL
    if isinstance(value, bool):
        return t.BOOLEAN
    if isinstance(value, Decimal):
        return t.DECIMAL
    if isinstance(value, dt.date):
        return t.DATE
    if isinstance(value, str):
        return t.STRING
    if isinstance(value, list):
        item = t.NULL
        for v in value:
            item = t.join(item, _literal_type(v))
        return t.list_of(item if item.kind != "null" else t.ANY)
    if isinstance(value, dict):
        return t.record({k: _literal_type(v) for k, v in value.items()})
    return t.ANY
