"""Checked syntax trees → solver terms, following the compiler's semantics node by node.

One `Translator` reads one view of a rulebook (engine/prover/view.py) on one as-of date
(a solver term): derived values, parameters at their dated versions and decisions
referenced by name are inlined there. What cannot be expressed exactly (a filter, a
`for`, text functions, a calendar whose holidays the solver does not know) becomes a
value the solver may choose freely, named after the sub-expression so that the same
sub-expression is the same value everywhere: a proof that holds whatever those values
are holds for the rulebook (the abstraction only adds cases), while a counterexample
that leans on them is handed to the engine to confirm. Calendar functions of one date
are uninterpreted functions with the bounds that hold for them (a month end is within
30 days after the date), so two calls on the same date agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import z3

from engine.language import nodes as n
from engine.language import types as t
from engine.language.dates import parse_iso_date
from engine.language.unparse import unparse
from engine.prover import civil
from engine.prover import symbolic as s
from engine.prover.nodetypes import NodeTypes
from engine.prover.space import FactSpace
from engine.prover.symbolic import FALSE, TRUE, Sym, Untranslatable
from engine.prover.view import BookView, RuleView

_KIND = {"boolean": "bool", "decimal": "num", "date": "date", "string": "str", "enum": "str", "null": "null"}


@dataclass
class Shared:
    """What every translator of one rulebook shares: the facts, the texts, the node types,
    the stand-in values and calendar functions, and the bounds those obey."""

    space: FactSpace
    types: NodeTypes
    opaque: dict[tuple, Sym] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)  # stand-in variable -> why
    functions: dict[str, z3.FuncDeclRef] = field(default_factory=dict)
    side: list[z3.BoolRef] = field(default_factory=list)  # bounds of calendar functions
    applications: list[tuple[str, Callable[..., Any], tuple, Any]] = field(default_factory=list)
    applied: set[int] = field(default_factory=set)
    _seen_side: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.calendar = civil.Calendar(self.add_side)

    def add_side(self, condition: z3.BoolRef) -> None:
        key = condition.sexpr()
        if key not in self._seen_side:
            self._seen_side.add(key)
            self.side.append(condition)


@dataclass
class RuleTerms:
    """A rule on the translator's as-of date: in force, its condition, its value."""

    view: RuleView
    in_force: z3.BoolRef
    condition: Sym
    value: Sym

    @property
    def decides(self) -> z3.BoolRef:
        """In force, condition true and value present: the rule matches (engine's `matched`)."""
        return z3.And(self.in_force, self.condition.true, z3.Not(self.value.missing))

    @property
    def unsettled(self) -> z3.BoolRef:
        """In force and either its condition unknown or its value missing: undetermined."""
        return z3.And(self.in_force, z3.Or(self.condition.unknown, z3.And(self.condition.true, self.value.missing)))


@dataclass
class Outcome:
    """A decision's result: value (missing = undetermined), and the two rulebook errors."""

    value: Sym
    overlap: z3.BoolRef  # unique: two rules matched
    gap: z3.BoolRef  # no rule applied and no default
    rules: list[RuleTerms]
    decided_by: list[z3.BoolRef]  # per rule: this rule made the decision


class Translator:
    def __init__(self, shared: Shared, view: BookView, asof: Any | None = None) -> None:
        self.shared = shared
        self.space = shared.space
        self.view = view
        self.book = view.book
        self.asof = asof if asof is not None else shared.space.asof
        self._derived: dict[str, Sym] = {}
        self._decisions: dict[str, Outcome] = {}
        self._in_progress: set[str] = set()
        self._tag = f"{view.tag}@{self.asof}"
        # local names of the filters and `for`s being translated, innermost last
        self._scopes: list[dict[str, Sym]] = []

    # -- entry points ----------------------------------------------------------------------

    def expression(self, node: n.Node | None, default: Sym | None = None) -> Sym:
        if node is None:
            return default if default is not None else s.present("bool", TRUE)
        self.shared.types.learn(node)
        return self.tr(node)

    def in_force(self, rule: RuleView) -> z3.BoolRef:
        parts = []
        if rule.valid_from is not None:
            parts.append(self.asof >= rule.valid_from.toordinal())
        if rule.valid_to is not None:
            parts.append(self.asof <= rule.valid_to.toordinal())
        return z3.And(*parts) if parts else TRUE

    def rule_terms(self, rule: RuleView) -> RuleTerms:
        condition = self.expression(rule.when)
        if rule.expr is not None:
            value = s.settled(self.expression(rule.expr))
        else:
            try:
                value = s.from_python(rule.value, self.space.texts)
            except Untranslatable as exc:
                value = self._free("literal", f"{rule.rule.decision}.{rule.rule.id}", self._kind_of(rule.rule.decision), str(exc),
                                   shared=rule.rule.decision not in self.view.affected)
        kind = self._kind_of(rule.rule.decision)
        collect = self.book.decisions[rule.rule.decision].hit_policy == "collect"
        if (value.kind == "opaque" or not collect) and value.kind not in (kind, "null") and kind != "opaque":
            value = self._free("value", f"{rule.rule.decision}.{rule.rule.id}", kind, f"the value of rule {rule.rule.id!r}: a {value.kind} value",
                               shared=rule.rule.decision not in self.view.affected)
        return RuleTerms(rule, self.in_force(rule), condition, value)

    def decision(self, name: str) -> Outcome:
        if name in self._decisions:
            return self._decisions[name]
        if name in self._in_progress:
            raise Untranslatable(f"decision {name!r} depends on itself")
        self._in_progress.add(name)
        try:
            outcome = self._decision(name)
        finally:
            self._in_progress.discard(name)
        self._decisions[name] = outcome
        return outcome

    def constraints(self) -> list[z3.BoolRef]:
        """The rulebook's constraints: a case is bad input where one is false."""
        out = []
        for constraint in self.book.constraints:
            value = self.expression(constraint.condition.node)
            out.append(z3.Not(value.false))
        return out

    # -- decisions -------------------------------------------------------------------------

    def _kind_of(self, decision_name: str) -> str:
        decision = self.book.decisions[decision_name]
        kind = decision.type.kind
        if decision.hit_policy == "collect" or kind == "list":
            return "list"
        return _KIND.get(kind, "opaque")

    def _decision(self, name: str) -> Outcome:
        decision = self.book.decisions[name]
        rules = [self.rule_terms(rule) for rule in self.view.rules(name)]
        policy = decision.hit_policy
        kind = self._kind_of(name)
        if decision.has_default and policy != "collect":
            try:
                fallback = s.from_python(decision.default, self.space.texts)
            except Untranslatable as exc:
                fallback = self._free("default", name, kind, str(exc), shared=True)
            no_default = FALSE
        else:
            fallback = s.missing(kind)
            no_default = TRUE
        if policy == "first":
            decided_by: list[z3.BoolRef] = []
            reached: z3.BoolRef = TRUE
            for rule in rules:
                decided_by.append(z3.And(reached, rule.decides))
                reached = z3.And(reached, z3.Or(z3.Not(rule.in_force), rule.condition.false))
            try:
                value = fallback
                for rule in reversed(rules):
                    undetermined = s.missing(kind)
                    value = s.ite(
                        z3.Not(rule.in_force),
                        value,
                        s.ite(rule.condition.true, rule.value, s.ite(rule.condition.false, value, undetermined)),
                    )
            except Untranslatable as exc:
                value = self._decision_value(name, kind, rules, decided_by, str(exc))
            return Outcome(value, FALSE, z3.And(no_default, reached), rules, decided_by)
        matched = [rule.decides for rule in rules]
        count = z3.Sum(*[z3.If(m_, 1, 0) for m_ in matched]) if matched else z3.IntVal(0)
        unsettled = z3.Or(*[rule.unsettled for rule in rules]) if rules else FALSE
        if policy == "unique":
            exactly_one = count == 1
            decided_by = [z3.And(m_, exactly_one) for m_ in matched]
            try:
                value = s.ite(unsettled, s.missing(kind), fallback)
                for rule, m_ in zip(rules, matched, strict=True):
                    value = s.ite(m_, rule.value, value)
            except Untranslatable as exc:
                value = self._decision_value(name, kind, rules, decided_by, str(exc))
            gap = z3.And(no_default, count == 0, z3.Not(unsettled))
            return Outcome(value, count >= 2, gap, rules, decided_by)
        # collect: every matching rule's value (a list value contributes its items), in order
        items: list[tuple[z3.BoolRef, Sym]] = []
        for rule, m_ in zip(rules, matched, strict=True):
            value_sym = rule.value
            if value_sym.kind == "list":
                items.extend((z3.And(m_, included), item) for included, item in value_sym.items or ())
            elif value_sym.kind == "null":
                continue
            else:
                items.append((z3.And(m_, z3.Not(value_sym.null)), value_sym))
        value = Sym("list", unsettled, FALSE, items=tuple(items))
        return Outcome(value, FALSE, FALSE, rules, list(matched))

    def _decision_value(self, name: str, kind: str, rules: list[RuleTerms], decided_by: list[z3.BoolRef], reason: str) -> Sym:
        """A decision whose values cannot be merged into one term: a free value, but missing
        exactly where the decision is undetermined."""
        free = self._free("decision", name, kind, f"the value of decision {name!r}: {reason}", shared=name not in self.view.affected)
        decided = z3.Or(*decided_by) if decided_by else FALSE
        unsettled = z3.Or(*[rule.unsettled for rule in rules]) if rules else FALSE
        return Sym(free.kind, z3.And(z3.Not(decided), z3.Or(unsettled, free.missing)), free.null, free.val, free.items, free.fields,
                   free.why, free.origin)

    # -- expressions -------------------------------------------------------------------------

    def tr(self, node: n.Node) -> Sym:
        try:
            return self._tr(node)
        except Untranslatable as exc:
            if self._scopes:
                raise  # a stand-in named by its text would be one value for every item: the whole filter or `for` stands in
            return self.opaque(node, str(exc))
        except z3.Z3Exception as exc:  # sorts that do not fit: a value of an unexpected kind
            if self._scopes:
                raise Untranslatable(f"not expressible ({exc})") from None
            return self.opaque(node, f"not expressible ({exc})")

    def opaque(self, node: n.Node, reason: str) -> Sym:
        """A free value standing for `node`: the same text on the same day is the same value."""
        text = unparse(node)
        node_type = self.shared.types.of(node)
        kind = _KIND.get(node_type.kind, "opaque")
        return self._free("expr", text, kind, f"`{text}`: {reason}", shared=not self._reads_changeable(node))

    def _reads_changeable(self, node: n.Node) -> bool:
        """Does the sub-expression read something the view changes (directly or through a
        decision or derived value)? If not, its stand-in is shared by every view of the
        rulebook on the same day, so that a rulebook and its mutant agree on it."""
        affected = self.view.affected
        if not affected:
            return False
        for current in n.walk(node):
            if isinstance(current, n.Name) and current.name in affected:
                return True
            if isinstance(current, n.Call) and current.function == "value_on" and current.args:
                first = current.args[0]
                if isinstance(first, n.Literal) and first.value in affected:
                    return True
        return False

    def _free(self, what: str, text: str, kind: str, reason: str, shared: bool = False) -> Sym:
        key = (what, text, f"@{self.asof}" if shared else self._tag, kind)
        cached = self.shared.opaque.get(key)
        if cached is not None:
            return cached
        index = len(self.shared.opaque)
        prefix = f"free!{index}"
        missing = z3.Bool(prefix + "!missing")
        null = z3.Bool(prefix + "!null")
        sort = {"bool": z3.Bool, "num": z3.Real, "date": z3.Int, "str": z3.Int}.get(kind)
        val = sort(prefix) if sort is not None else None
        self.shared.reasons[prefix + "!missing"] = reason
        sym = Sym(kind if sort is not None else "opaque", missing, null, val, why=reason.split(": ", 1)[-1] if what == "expr" else reason,
                  origin=prefix)
        self.shared.opaque[key] = sym
        return sym

    def _tr(self, node: n.Node) -> Sym:
        match node:
            case n.Literal(value=value):
                return s.from_python(value, self.space.texts)
            case n.Name(name=name):
                return self._name(name)
            case n.ListLiteral(items=items):
                return Sym("list", FALSE, FALSE, items=tuple((TRUE, self.tr(item)) for item in items))
            case n.RecordLiteral(fields=fields):
                return Sym("record", FALSE, FALSE, fields={key: self.tr(value) for key, value in fields})
            case n.Unary(op="not", operand=operand):
                return s.negate(self._boolean(self.tr(operand)))
            case n.Unary(op="-", operand=operand):
                value = self.tr(operand)
                if value.kind == "null":
                    return value
                value.expect("num")
                return Sym("num", value.missing, value.null, -value.val)
            case n.Logical(op=op, operands=operands):
                return s.kleene(op, [self._boolean(self.tr(o)) for o in operands])
            case n.Binary():
                return self._binary(node)
            case n.If(condition=c, then=then, otherwise=otherwise):
                test = self._boolean(self.tr(c))
                a, b = self.tr(then), self.tr(otherwise)
                return s.ite(test.true, a, s.ite(test.false, b, s.missing(a.kind if a.kind != "null" else b.kind)))
            case n.Field(target=target, name=name):
                return self._field(self.tr(target), name)
            case n.Subscript(target=target, index=index):
                return self._subscript(target, index)
            case n.Call():
                return self._call(node)
            case n.For(variable=variable, iterable=iterable, body=body):
                return self._for(variable, iterable, body)
        raise Untranslatable(f"{type(node).__name__} expressions")

    @staticmethod
    def _boolean(value: Sym) -> Sym:
        if value.kind == "null":
            return Sym("bool", FALSE, TRUE, FALSE)
        value.expect("bool")
        return value

    def _name(self, name: str) -> Sym:
        for scope in reversed(self._scopes):
            if name in scope:
                return scope[name]
        if self._scopes and (name in self.book.derived or name in self.book.decisions):
            saved, self._scopes = self._scopes, []  # a derived value or decision reads no local name
            try:
                return self._name(name)
            finally:
                self._scopes = saved
        book = self.book
        if name in book.facts:
            value = self.space.read(name)
            if value is None:
                kind = book.facts[name].type.kind
                return Sym("opaque", z3.Not(self.space.present(name)), FALSE,
                           why=f"the {kind} fact {name!r} (records and lists of lists of facts are not modelled)")
            return value
        if name in book.parameters:
            return self.parameter(name, self.asof)
        if name in book.derived:
            if name not in self._derived:
                if name in self._in_progress:
                    raise Untranslatable(f"derived value {name!r} depends on itself")
                self._in_progress.add(name)
                try:
                    self._derived[name] = self.expression(self.view.derived_node(name))
                finally:
                    self._in_progress.discard(name)
            return self._derived[name]
        if name in book.decisions:
            return self.decision(name).value
        raise Untranslatable(f"the local name {name!r} (inside a filter or `for`)")

    def parameter(self, name: str, day: Any) -> Sym:
        value = s.missing()
        for entry in self.view.parameter_values(name):
            value = s.ite(day >= entry.since.toordinal(), s.from_python(entry.value, self.space.texts), value)
        return value

    def _field(self, target: Sym, name: str) -> Sym:
        if target.kind == "record":
            inner = (target.fields or {}).get(name, s.missing())
            return self._guarded(target, inner)
        if target.kind == "list":
            items = tuple((included, self._field(item, name)) for included, item in target.items or ())
            return Sym("list", target.missing, FALSE, items=items)
        if target.kind == "null":
            return s.missing()
        target.expect("record", "list")
        raise Untranslatable(f"a field of a {target.kind} value")

    @staticmethod
    def _guarded(container: Sym, inner: Sym) -> Sym:
        """`inner` where the container is present; missing where it is missing or null."""
        gone = z3.Or(container.missing, container.null)
        return Sym(inner.kind, z3.Or(gone, inner.missing), z3.And(z3.Not(gone), inner.null), inner.val, inner.items, inner.fields)

    def _scoped(self, scope: dict[str, Sym], node: n.Node) -> Sym:
        self._scopes.append(scope)
        try:
            return self.tr(node)
        finally:
            self._scopes.pop()

    def _for(self, variable: str, iterable: n.Node, body: n.Node) -> Sym:
        """`for x in xs return body`: the body once per item, in the item's place."""
        items = self.tr(iterable)
        if items.kind == "null":
            return s.missing("list")
        items.expect("list")
        out = tuple((included, self._scoped({variable: item}, body)) for included, item in items.items or ())
        return Sym("list", z3.Or(items.missing, items.null), FALSE, items=out)

    def _filter(self, target_node: n.Node, condition: n.Node) -> Sym:
        """`xs[condition]`: the items whose condition is true; unknown for any item makes the
        whole list unknown (the compiler's `filtering`). Inside, the item's fields are names
        of their own and `item` is the item."""
        target = self.tr(target_node)
        if target.kind == "null":
            return s.missing("list")
        target.expect("list")
        static = self.shared.types.of(target_node)
        names = [key for key, _ in static.item.fields] if static.item is not None and static.item.fields else None
        kept, unknown = [], []
        for included, item in target.items or ():
            scope: dict[str, Sym] = {}
            if item.kind == "record":
                for key in names if names is not None else list(item.fields or {}):
                    scope[key] = self._field(item, key)
            elif names:
                raise Untranslatable("a filter over items that are not records")
            scope["item"] = item
            keep = self._boolean(self._scoped(scope, condition))
            kept.append((z3.And(included, keep.true), item))
            unknown.append(z3.And(included, keep.unknown))
        missing = z3.Or(target.missing, target.null, *unknown)
        return Sym("list", missing, FALSE, items=tuple(kept))

    def _subscript(self, target_node: n.Node, index_node: n.Node) -> Sym:
        if not (isinstance(index_node, n.Literal) and isinstance(index_node.value, Decimal)):
            if self.shared.types.of(index_node).kind in ("decimal",):
                raise Untranslatable("an index computed into a list")
            return self._filter(target_node, index_node)
        target = self.tr(target_node)
        target.expect("list")
        position = int(index_node.value)
        items = target.items or ()
        if not all(z3.is_true(z3.simplify(included)) for included, _ in items) or not 0 <= position < len(items):
            raise Untranslatable("an index into a list of varying length")
        return self._guarded(target, items[position][1])

    # -- operators ---------------------------------------------------------------------------

    def _binary(self, node: n.Binary) -> Sym:
        op = node.op
        a, b = self.tr(node.left), self.tr(node.right)
        if op in ("+", "-", "*", "/"):
            if a.kind == "str" or b.kind == "str":
                raise Untranslatable("text joined with +")
            for side in (a, b):
                if side.kind != "null":
                    side.expect("num")
            missing = z3.Or(a.missing, b.missing)
            null = z3.And(z3.Not(missing), z3.Or(a.null, b.null))
            if a.kind == "null" or b.kind == "null":
                return Sym("num", missing, z3.Not(missing), z3.RealVal(0))
            val = {"+": lambda: a.val + b.val, "-": lambda: a.val - b.val, "*": lambda: a.val * b.val, "/": lambda: a.val / b.val}[op]()
            return Sym("num", missing, null, val)
        if op in ("==", "!="):
            missing = z3.Or(a.missing, b.missing)
            same = s.equal(a, b)
            return Sym("bool", missing, FALSE, same if op == "==" else z3.Not(same))
        if op in ("<", "<=", ">", ">="):
            if a.kind == "str" or b.kind == "str":
                raise Untranslatable("texts ordered with < or >")
            unknown = z3.Or(a.missing, b.missing, a.null, b.null)
            if a.kind == "null" or b.kind == "null":
                return Sym("bool", TRUE, FALSE, FALSE)
            a.expect("num", "date")
            b.expect(a.kind)
            val = {"<": lambda: a.val < b.val, "<=": lambda: a.val <= b.val, ">": lambda: a.val > b.val, ">=": lambda: a.val >= b.val}[op]()
            return Sym("bool", unknown, FALSE, val)
        # in / not in
        if b.kind == "null":
            return Sym("bool", TRUE, FALSE, FALSE)
        b.expect("list")
        found_parts = []
        unknown_parts = []
        for included, item in b.items or ():
            found_parts.append(z3.And(included, z3.Not(item.missing), s.equal(item, a)))
            unknown_parts.append(z3.And(included, item.missing))
        found = z3.Or(*found_parts) if found_parts else FALSE
        some_unknown = z3.Or(*unknown_parts) if unknown_parts else FALSE
        missing = z3.Or(a.missing, b.missing, b.null, z3.And(z3.Not(found), some_unknown))
        return Sym("bool", missing, FALSE, found if op == "in" else z3.Not(found))

    # -- functions ---------------------------------------------------------------------------

    def _call(self, node: n.Call) -> Sym:
        name = node.function
        special = getattr(self, "_fn_" + name, None)
        if special is None:
            raise Untranslatable(f"the function {name}()")
        return special(node)

    def _args(self, node: n.Call) -> list[Sym]:
        return [self.tr(arg) for arg in node.args]

    def _strict(self, args: list[Sym], kind: str, val: Any) -> Sym:
        missing, null = s.strict_flags(args)
        return Sym(kind, missing, null, val)

    @staticmethod
    def _constant_int(node: n.Node) -> int | None:
        if isinstance(node, n.Literal) and isinstance(node.value, Decimal) and node.value == node.value.to_integral_value():
            return int(node.value)
        if isinstance(node, n.Unary) and node.op == "-":
            inner = Translator._constant_int(node.operand)
            return -inner if inner is not None else None
        return None

    @staticmethod
    def _text_literal(node: n.Node) -> str | None:
        return node.value if isinstance(node, n.Literal) and isinstance(node.value, str) else None

    def _fn_exists(self, node: n.Call) -> Sym:
        value = self.tr(node.args[0])
        return s.present("bool", z3.And(z3.Not(value.missing), z3.Not(value.null)))

    def _fn_coalesce(self, node: n.Call) -> Sym:
        args = self._args(node)
        value = args[-1]
        for arg in reversed(args[:-1]):
            value = s.ite(arg.present, arg, value)
        return value

    def _fn_value_on(self, node: n.Call) -> Sym:
        parameter = str(node.args[0].value)  # type: ignore[attr-defined]
        day = self.tr(node.args[1])
        day.expect("date")
        value = self.parameter(parameter, day.val)
        gone = z3.Or(day.missing, day.null)
        return Sym(value.kind, z3.Or(gone, value.missing), z3.And(z3.Not(gone), value.null), value.val, value.items, value.fields)

    def _fn_date(self, node: n.Call) -> Sym:
        text = self._text_literal(node.args[0])
        if text is None:
            raise Untranslatable("date() of a computed text")
        return s.present("date", z3.IntVal(parse_iso_date(text).toordinal()))

    def _quantifier(self, node: n.Call, settles: bool) -> Sym:
        items = self.tr(node.args[0])
        items.expect("list")
        hits, open_ = [], []
        for included, item in items.items or ():
            item = self._boolean(item)
            hits.append(z3.And(included, item.true if settles else item.false))
            open_.append(z3.And(included, item.unknown))
        hit = z3.Or(*hits) if hits else FALSE
        unknown = z3.And(z3.Not(hit), z3.Or(*open_) if open_ else FALSE)
        gone = z3.Or(items.missing, items.null)
        return Sym("bool", z3.Or(gone, unknown), FALSE, hit if settles else z3.Not(hit))

    def _fn_any(self, node: n.Call) -> Sym:
        return self._quantifier(node, True)

    def _fn_all(self, node: n.Call) -> Sym:
        return self._quantifier(node, False)

    def _list(self, node: n.Call) -> Sym:
        items = self.tr(node.args[0])
        items.expect("list")
        return items

    def _fn_count(self, node: n.Call) -> Sym:
        items = self._list(node)
        total = z3.Sum(*[z3.If(included, 1, 0) for included, _ in items.items or ()]) if items.items else z3.IntVal(0)
        return Sym("num", items.missing, items.null, z3.ToReal(total))

    def _fn_sum(self, node: n.Call) -> Sym:
        items = self._list(node)
        parts, missing = [], []
        for included, item in items.items or ():
            item.expect("num")
            parts.append(z3.If(included, item.val, 0))
            missing.append(z3.And(included, z3.Or(item.missing, item.null)))
        total = z3.Sum(*parts) if parts else z3.RealVal(0)
        return Sym("num", z3.Or(items.missing, *missing), items.null, total)

    def _pick(self, node: n.Node, smaller: bool) -> Sym:
        if len(node.args) == 1:
            items = self._list(node)
            if not items.items or not all(z3.is_true(z3.simplify(inc)) for inc, _ in items.items):
                return self._pick_varying(node.function, items, smaller)
            args = [item for _, item in items.items]
        else:
            args = self._args(node)
        for arg in args:
            arg.expect("num", "date")
        best = args[0].val
        for arg in args[1:]:
            best = z3.If(arg.val < best if smaller else arg.val > best, arg.val, best)
        missing, null = s.strict_flags(args)
        return Sym(args[0].kind, missing, null, best)

    @staticmethod
    def _pick_varying(function: str, items: Sym, smaller: bool) -> Sym:
        """min/max of a list whose items may or may not be in it: missing when it is empty or
        an item in it is missing (the builtin's rule), the best of the items in it otherwise."""
        kinds = {item.kind for _, item in items.items or ()} - {"null"}
        if len(kinds) != 1 or not kinds <= {"num", "date"}:
            raise Untranslatable(f"{function}() of a list of {' and '.join(sorted(kinds)) or 'no'} values")
        kind = kinds.pop()
        best: Any = None
        seen: z3.BoolRef = FALSE
        empty_parts, missing_parts, null_parts = [], [], []
        for included, item in items.items or ():
            missing_parts.append(z3.And(included, item.missing))
            null_parts.append(z3.And(included, item.null))
            if item.kind == "null":
                continue
            if best is None:
                best = item.val
            else:
                better = item.val < best if smaller else item.val > best
                best = z3.If(z3.And(included, z3.Or(z3.Not(seen), better)), item.val, best)
            seen = z3.Or(seen, included)
        empty_parts.append(z3.Not(z3.Or(*[included for included, _ in items.items or ()])))
        gone = z3.Or(items.missing, items.null)
        missing = z3.Or(items.missing, z3.And(z3.Not(gone), z3.Or(*empty_parts, *missing_parts)))
        null = z3.And(z3.Not(missing), z3.Or(items.null, *null_parts))
        return Sym(kind, missing, null, best)

    def _fn_min(self, node: n.Call) -> Sym:
        return self._pick(node, True)

    def _fn_max(self, node: n.Call) -> Sym:
        return self._pick(node, False)

    def _fn_first(self, node: n.Call) -> Sym:
        items = self._list(node)
        value = s.missing()
        for included, item in reversed(items.items or ()):
            value = s.ite(included, item, value)
        return self._guarded(items, value)

    def _fn_last(self, node: n.Call) -> Sym:
        items = self._list(node)
        value = s.missing()
        for included, item in items.items or ():
            value = s.ite(included, item, value)
        return self._guarded(items, value)

    def _fn_get(self, node: n.Call) -> Sym:
        record, key = self._args(node)
        record.expect("record")
        key.expect("str")
        value = s.missing()
        for name, field_value in (record.fields or {}).items():
            value = s.ite(key.val == self.space.texts.code(name), field_value, value)
        missing, null = s.strict_flags([record, key])
        return Sym(value.kind, z3.Or(missing, z3.And(z3.Not(null), value.missing)), z3.Or(null, value.null), value.val, value.items, value.fields)

    def _fn_abs(self, node: n.Call) -> Sym:
        (x,) = self._args(node)
        x.expect("num")
        return self._strict([x], "num", z3.If(x.val >= 0, x.val, -x.val))

    def _fn_floor(self, node: n.Call) -> Sym:
        (x,) = self._args(node)
        x.expect("num")
        return self._strict([x], "num", z3.ToReal(z3.ToInt(x.val)))

    def _fn_ceil(self, node: n.Call) -> Sym:
        (x,) = self._args(node)
        x.expect("num")
        return self._strict([x], "num", -z3.ToReal(z3.ToInt(-x.val)))

    def _fn_round(self, node: n.Call) -> Sym:
        places = self._constant_int(node.args[1])
        mode = self._text_literal(node.args[2]) if len(node.args) > 2 else "half_up"
        if places is None or mode is None:
            raise Untranslatable("round() with computed places or mode")
        args = self._args(node)
        x = args[0]
        x.expect("num")
        factor = z3.RealVal(10) ** places if places >= 0 else z3.RealVal(1) / (z3.RealVal(10) ** -places)
        scaled = x.val * factor

        def toward_zero(v: Any) -> Any:
            return z3.If(v >= 0, z3.ToReal(z3.ToInt(v)), -z3.ToReal(z3.ToInt(-v)))

        if mode == "half_up":
            rounded = z3.If(scaled >= 0, z3.ToReal(z3.ToInt(scaled + z3.RealVal("1/2"))), -z3.ToReal(z3.ToInt(-scaled + z3.RealVal("1/2"))))
        elif mode == "down":
            rounded = toward_zero(scaled)
        elif mode == "up":
            rounded = z3.If(scaled >= 0, -z3.ToReal(z3.ToInt(-scaled)), z3.ToReal(z3.ToInt(scaled)))
        elif mode == "floor":
            rounded = z3.ToReal(z3.ToInt(scaled))
        elif mode == "ceiling":
            rounded = -z3.ToReal(z3.ToInt(-scaled))
        else:
            raise Untranslatable(f"rounding mode {mode!r}")
        return self._strict(args, "num", rounded / factor)

    def _fn_days_between(self, node: n.Call) -> Sym:
        a, b = self._args(node)
        a.expect("date")
        b.expect("date")
        return self._strict([a, b], "num", z3.ToReal(b.val - a.val))

    def _fn_add_days(self, node: n.Call) -> Sym:
        d, k = self._args(node)
        d.expect("date")
        k.expect("num")
        count = self._constant_int(node.args[1])
        shift = z3.IntVal(count) if count is not None else z3.ToInt(k.val)
        return self._strict([d, k], "date", d.val + shift)

    def _civil(self, node: n.Call, kind: str, compute: Callable[[Any], Any]) -> Sym:
        """A calendar function of one date, exact (engine/prover/civil.py)."""
        args = self._args(node)
        args[0].expect("date")
        value = compute(args[0].val)
        return self._strict(args, kind, z3.ToReal(value) if kind == "num" else value)

    def _fn_year(self, node: n.Call) -> Sym:
        return self._civil(node, "num", lambda d: self.shared.calendar.split(d)[0])

    def _fn_month(self, node: n.Call) -> Sym:
        return self._civil(node, "num", lambda d: self.shared.calendar.split(d)[1])

    def _fn_day(self, node: n.Call) -> Sym:
        return self._civil(node, "num", lambda d: self.shared.calendar.split(d)[2])

    def _fn_quarter(self, node: n.Call) -> Sym:
        return self._civil(node, "num", self.shared.calendar.quarter)

    def _fn_quarter_label(self, node: n.Call) -> Sym:
        return self._civil(node, "str", self.shared.calendar.quarter_label_code)

    def _fn_start_of_month(self, node: n.Call) -> Sym:
        return self._civil(node, "date", lambda d: self.shared.calendar.edge("start_of_month", d))

    def _fn_end_of_month(self, node: n.Call) -> Sym:
        return self._civil(node, "date", lambda d: self.shared.calendar.edge("end_of_month", d))

    def _fn_start_of_quarter(self, node: n.Call) -> Sym:
        return self._civil(node, "date", lambda d: self.shared.calendar.edge("start_of_quarter", d))

    def _fn_end_of_quarter(self, node: n.Call) -> Sym:
        return self._civil(node, "date", lambda d: self.shared.calendar.edge("end_of_quarter", d))

    def _fn_start_of_year(self, node: n.Call) -> Sym:
        return self._civil(node, "date", lambda d: self.shared.calendar.edge("start_of_year", d))

    def _fn_end_of_year(self, node: n.Call) -> Sym:
        return self._civil(node, "date", lambda d: self.shared.calendar.edge("end_of_year", d))

    def _shifted(self, node: n.Call, months_per_step: int) -> Sym:
        count = self._constant_int(node.args[1])
        if count is None:
            raise Untranslatable(f"{node.function}() by a computed count")
        return self._civil(node, "date", lambda d: self.shared.calendar.add_months(d, count * months_per_step))

    def _fn_add_months(self, node: n.Call) -> Sym:
        return self._shifted(node, 1)

    def _fn_add_years(self, node: n.Call) -> Sym:
        return self._shifted(node, 12)

    def _fn_make_date(self, node: n.Call) -> Sym:
        args = self._args(node)
        for arg in args:
            arg.expect("num")
        parts = [z3.ToInt(arg.val) for arg in args]
        year, month, day = parts
        valid = z3.And(*[z3.IsInt(arg.val) for arg in args], month >= 1, month <= 12, day >= 1, day <= civil.days_in_month(year, month))
        for arg in args:  # facts a constraint holds whole are integers (space.whole_facts)
            if not z3.is_true(z3.simplify(z3.IsInt(arg.val))):
                raise Untranslatable("make_date() of numbers that may not be whole")
        value = civil.ordinal_of(year, month, day)
        # an impossible date is an evaluation error in the engine: model it as missing
        result = self._strict(args, "date", value)
        return Sym("date", z3.Or(result.missing, z3.And(z3.Not(result.null), z3.Not(valid))), result.null, value)

    # Working days depend on each year's holidays: uninterpreted, bounded, checked on answers.

    def _calendar(self, node: n.Call, name: str, kind: str, bounds: Callable[[Any, Any], list[Any]], impl: Callable[[dt.date], Any]) -> Sym:
        args = self._args(node)
        day = args[0]
        day.expect("date")
        function = self.shared.functions.get(name)
        if function is None:
            sort = {"date": z3.IntSort(), "bool": z3.BoolSort()}[kind]
            function = self.shared.functions[name] = z3.Function(f"fn!{name}", z3.IntSort(), sort)
        result = function(day.val)
        for bound in bounds(day.val, result):
            self.shared.add_side(bound)
        if result.get_id() not in self.shared.applied:
            self.shared.applied.add(result.get_id())
            self.shared.applications.append((name, impl, (day.val,), result))
        return self._strict(args, kind, result)

    def _fn_next_working_day(self, node: n.Call) -> Sym:
        from engine.language import calendars

        calendar = self._text_literal(node.args[1])
        if calendar is None:
            raise Untranslatable("a computed calendar name")
        return self._calendar(
            node, f"next_working_day_{calendar}", "date", lambda d, r: [r >= d, r <= d + 15],
            lambda d: calendars.next_working_day(d, calendar),
        )

    def _fn_add_working_days(self, node: n.Call) -> Sym:
        from engine.language import calendars

        calendar = self._text_literal(node.args[2])
        count = self._constant_int(node.args[1])
        if calendar is None or count is None or count < 0:
            raise Untranslatable("add_working_days() with a computed count or calendar")
        return self._calendar(
            node, f"add_working_days_{count}_{calendar}", "date", lambda d, r: [r >= d + count, r <= d + 2 * count + 15],
            lambda d: calendars.add_working_days(d, count, calendar),
        )

    def _fn_is_working_day(self, node: n.Call) -> Sym:
        from engine.language import calendars

        calendar = self._text_literal(node.args[1])
        if calendar is None:
            raise Untranslatable("a computed calendar name")
        return self._calendar(node, f"is_working_day_{calendar}", "bool", lambda d, r: [], lambda d: calendars.is_working_day(d, calendar))


def kind_of_type(type_: t.Type) -> str:
    return _KIND.get(type_.kind, "opaque")
