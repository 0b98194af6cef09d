"""The facts of a case as solver variables, and a solver model back as a case's facts.

Each fact has a `present` boolean (absent facts are missing, the third state of the
logic) and a value: a decimal is an integer count of its smallest unit (10^-scale, the
scale one above the finest literal of the rulebook, so every counterexample is an exact
decimal), a date an integer day number, an enum one of its values' codes, a boolean a
boolean, free text a code.

A list of facts (of scalars, or of records whose fields are scalars) is a bounded
symbolic list: a length from 0 to LIST_ITEMS and that many slots, each field of each slot
its own variables (present or not, and a value), so filters, `for`, count/min/max and the
rest read it item by item. Within the bound the translation is exact — a counterexample
is a real case with up to LIST_ITEMS items — but a proof (an unsatisfiable question) then
holds for lists of up to LIST_ITEMS items only, which the reports say (see
`bounded_lists` in solve.py). Lists nested in records stay stand-ins (Translator.opaque).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import z3

from engine.language.values import format_decimal
from engine.prover.symbolic import FALSE, Sym, Texts
from engine.rulebook import model as m

# Dates a counterexample may use: wide enough for any law in force, narrow enough to read.
EARLIEST = dt.date(1901, 1, 1)
LATEST = dt.date(2199, 12, 31)
MAX_SCALE = 8
# Items a list of facts may have in a solver case: enough for the list rules rulebooks write
# (count compared with 0 or 1, one item of each kind, the highest of two rates), small
# enough to keep every question quick.
LIST_ITEMS = 3
_SCALAR = ("decimal", "date", "boolean", "enum", "string")


def _places(value: Any) -> int:
    if isinstance(value, Decimal):
        exponent = value.normalize().as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0
    if isinstance(value, list):
        return max((_places(v) for v in value), default=0)
    if isinstance(value, dict):
        return max((_places(v) for v in value.values()), default=0)
    return 0


def _literal_places(node: Any) -> int:
    from engine.language import nodes as n

    return max((_places(current.value) for current in n.walk(node) if isinstance(current, n.Literal)), default=0)


def decimal_scale(book: m.Rulebook) -> int:
    """One decimal place finer than the finest number the rulebook writes (at least cents)."""
    places = 2
    for parameter in book.parameters.values():
        for entry in parameter.values:
            places = max(places, _places(entry.value))
    expressions = [d.expression for d in book.derived.values()] + [c.condition for c in book.constraints]
    for rule in book.rules():
        expressions.extend(e for e in (rule.when, rule.expr) if e is not None)
        places = max(places, _places(rule.value))
    for expression in expressions:
        places = max(places, _literal_places(expression.node))
    for spec in book.facts.values():
        for declaration in [spec.declaration, *_field_declarations(spec.declaration).values()]:
            for bound in ("minimum", "maximum"):
                places = max(places, _places(declaration.get(bound)))
    return min(places + 1, MAX_SCALE)


def _field_declarations(declaration: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields of a list's record items, by name (none for other facts)."""
    items = declaration.get("items") if declaration.get("type") == "list" else None
    if isinstance(items, dict) and items.get("type") == "record":
        return dict(items.get("fields") or {})
    return {}


def list_shape(declaration: dict[str, Any]) -> tuple[str, dict[str, dict[str, Any]]] | None:
    """How a list fact is modelled: ("scalar", {"": item}) or ("record", fields), or None
    when it is not a list the solver models (nested lists and records stay stand-ins)."""
    if declaration.get("type") != "list":
        return None
    items = declaration.get("items")
    if not isinstance(items, dict):
        return None
    if items.get("type") in _SCALAR:
        return "scalar", {"": items}
    if items.get("type") == "record":
        fields = dict(items.get("fields") or {})
        if all(isinstance(f, dict) and f.get("type") in _SCALAR for f in fields.values()):
            return "record", fields
    return None


def _whole_fact(node: Any) -> str | None:
    """The fact `x` a constraint `x == round(x, 0)` (or floor, ceil; either side) makes whole."""
    from engine.language import nodes as n

    if not isinstance(node, n.Binary) or node.op != "==":
        return None
    for name, call in ((node.left, node.right), (node.right, node.left)):
        if not (isinstance(name, n.Name) and isinstance(call, n.Call) and call.function in ("round", "floor", "ceil")):
            continue
        if not call.args or not isinstance(call.args[0], n.Name) or call.args[0].name != name.name:
            continue
        places = call.args[1:]
        if call.function == "round" and not (len(places) == 1 and isinstance(places[0], n.Literal) and places[0].value == 0):
            continue
        if call.function != "round" and places:
            continue
        return name.name
    return None


def whole_facts(book: m.Rulebook) -> frozenset[str]:
    """Decimal facts that a constraint of the rulebook holds to whole numbers (a year, a count):
    modelled as integers, so that what needs whole numbers (make_date) is exact on them."""
    found = {_whole_fact(constraint.condition.node) for constraint in book.constraints}
    return frozenset(name for name in found if name is not None and name in book.facts and book.facts[name].type.kind == "decimal")


class FactSpace:
    """Solver variables for one rulebook's facts and the as-of date, shared by every query."""

    def __init__(self, book: m.Rulebook) -> None:
        self.book = book
        self.texts = Texts()
        for spec in book.facts.values():
            for value in spec.type.values:
                self.texts.code(value)
            shape = list_shape(spec.declaration)
            for declaration in (shape[1].values() if shape else ()):
                for value in declaration.get("values") or ():
                    self.texts.code(str(value))
        for decision in book.decisions.values():
            for value in decision.type.values or (decision.type.item.values if decision.type.item else ()):
                self.texts.code(value)
        self.scale = decimal_scale(book)
        self.whole = whole_facts(book)
        self.asof = z3.Int("as_of")
        self._present: dict[str, z3.BoolRef] = {}
        self._value: dict[str, Any] = {}
        self._lengths: dict[str, z3.ArithRef] = {}  # list facts read so far: their length variables

    def present(self, name: str) -> z3.BoolRef:
        if name not in self._present:
            self._present[name] = z3.Bool(f"present!{name}")
        return self._present[name]

    def _units(self, name: str) -> z3.ArithRef:
        return self._raw(name, z3.Int)

    def _raw(self, name: str, make: Any) -> Any:
        if name not in self._value:
            self._value[name] = make(f"fact!{name}")
        return self._value[name]

    def read(self, name: str) -> Sym | None:
        """The fact as a value, or None for what is not modelled (records, nested lists)."""
        kind = self.book.facts[name].type.kind
        missing = z3.Not(self.present(name))
        if kind == "list":
            return self._read_list(name, missing)
        return self._scalar(name, kind, missing)

    def _scalar(self, name: str, kind: str, missing: Any) -> Sym | None:
        if kind == "decimal" and name in self.whole:  # units are whole numbers times 10^scale
            return Sym("num", missing, FALSE, z3.ToReal(self._raw(name + "!whole", z3.Int)))
        if kind == "decimal":
            return Sym("num", missing, FALSE, z3.ToReal(self._units(name)) / (10**self.scale))
        if kind == "date":
            return Sym("date", missing, FALSE, self._raw(name, z3.Int))
        if kind == "boolean":
            return Sym("bool", missing, FALSE, self._raw(name, z3.Bool))
        if kind in ("enum", "string"):
            return Sym("str", missing, FALSE, self._raw(name, z3.Int))
        return None

    def length(self, name: str) -> z3.ArithRef:
        if name not in self._lengths:
            self._lengths[name] = z3.Int(f"fact!{name}!len")
        return self._lengths[name]

    @property
    def list_lengths(self) -> dict[str, z3.ArithRef]:
        """The length variable of each list fact read so far (solve.py names the bound by them)."""
        return dict(self._lengths)

    @staticmethod
    def _slot(name: str, index: int, field: str) -> str:
        return f"{name}[{index}].{field}" if field else f"{name}[{index}]"

    def _read_list(self, name: str, missing: Any) -> Sym | None:
        shape = list_shape(self.book.facts[name].declaration)
        if shape is None:
            return None
        form, fields = shape
        length = self.length(name)
        items = []
        for index in range(LIST_ITEMS):
            values = {}
            for field, declaration in fields.items():
                slot = self._slot(name, index, field)
                absent = z3.Not(self.present(slot)) if form == "record" else FALSE
                values[field] = self._scalar(slot, declaration["type"], absent)
            item = values[""] if form == "scalar" else Sym("record", FALSE, FALSE, fields=values)
            items.append((index < length, item))
        return Sym("list", missing, FALSE, items=tuple(items))

    def domain(self, asof_from: dt.date | None, asof_to: dt.date | None) -> list[z3.BoolRef]:
        """What the fact schema allows: enum values, number bounds, the date range, and the
        as-of date within the rulebook's period (and equal to the as-of fact when given)."""
        out: list[z3.BoolRef] = []
        low = (asof_from or EARLIEST).toordinal()
        high = (asof_to or LATEST).toordinal()
        out.append(z3.And(self.asof >= low, self.asof <= high))
        for name, spec in self.book.facts.items():
            shape = list_shape(spec.declaration)
            if shape is not None:
                out.append(z3.And(self.length(name) >= 0, self.length(name) <= LIST_ITEMS))
                for index in range(LIST_ITEMS):
                    for field, declaration in shape[1].items():
                        out.extend(self._within(self._slot(name, index, field), declaration))
                continue
            out.extend(self._within(name, spec.declaration, spec.type.values if spec.type.kind == "enum" else None))
            if name in self.whole:
                out.append(self._units(name) == self._raw(name + "!whole", z3.Int) * (10**self.scale))
        as_of_fact = self.book.as_of_fact
        if as_of_fact is not None and as_of_fact in self.book.facts:
            out.append(z3.Implies(self.present(as_of_fact), self._raw(as_of_fact, z3.Int) == self.asof))
        return out

    def _within(self, name: str, declaration: dict[str, Any], enum_values: Any = None) -> list[z3.BoolRef]:
        """What the schema allows one scalar (a fact, or a field of a list's item) to be."""
        out: list[z3.BoolRef] = []
        kind = declaration.get("type")
        if kind == "decimal":
            units = self._units(name)
            for bound, relation in (("minimum", "ge"), ("maximum", "le")):
                limit = declaration.get(bound)
                if limit is not None:
                    scaled = Decimal(str(limit)) * (10**self.scale)
                    target = int(scaled.to_integral_value(rounding="ROUND_CEILING" if relation == "ge" else "ROUND_FLOOR"))
                    out.append(units >= target if relation == "ge" else units <= target)
            out.append(z3.And(units >= -(10 ** (15 + self.scale)), units <= 10 ** (15 + self.scale)))
        elif kind == "date":
            value = self._raw(name, z3.Int)
            out.append(z3.And(value >= EARLIEST.toordinal(), value <= LATEST.toordinal()))
        elif kind == "enum":
            value = self._raw(name, z3.Int)
            values = enum_values if enum_values is not None else declaration.get("values") or ()
            out.append(z3.Or(*[value == self.texts.code(str(v)) for v in values]))
        elif kind == "string":
            value = self._raw(name, z3.Int)
            out.append(z3.Or(*[value == code for code in self.texts.codes.values()], value == self.texts.other))
        return out

    def pin(self, facts: dict[str, Any], day: dt.date) -> list[z3.BoolRef]:
        """Equations fixing the case: these (normalised) facts on this as-of date. A list
        longer than LIST_ITEMS cannot be pinned (Untranslatable)."""
        out = [self.asof == day.toordinal()]
        for name, spec in self.book.facts.items():
            present = self.present(name)
            if name not in facts:
                out.append(z3.Not(present))
                continue
            out.append(present)
            shape = list_shape(spec.declaration)
            if shape is not None:
                out.extend(self._pin_list(name, shape, facts[name]))
                continue
            out.extend(self._pin_scalar(name, spec.type.kind, facts[name]))
        return out

    def _pin_list(self, name: str, shape: tuple[str, dict[str, Any]], items: list[Any]) -> list[z3.BoolRef]:
        from engine.prover.symbolic import Untranslatable

        if len(items) > LIST_ITEMS:
            raise Untranslatable(f"the list {name!r} has {len(items)} items; the solver models up to {LIST_ITEMS}")
        form, fields = shape
        out = [self.length(name) == len(items)]
        for index, item in enumerate(items):
            for field, declaration in fields.items():
                slot = self._slot(name, index, field)
                if form == "scalar":
                    out.extend(self._pin_scalar(slot, declaration["type"], item))
                elif field in item:
                    out.append(self.present(slot))
                    out.extend(self._pin_scalar(slot, declaration["type"], item[field]))
                else:
                    out.append(z3.Not(self.present(slot)))
        return out

    def _pin_scalar(self, name: str, kind: str, value: Any) -> list[z3.BoolRef]:
        out = []
        if kind == "decimal":
            units = Decimal(value) * (10**self.scale)
            if units == units.to_integral_value():
                out.append(self._units(name) == int(units))
            else:  # finer than the scale: the value itself, as a rational
                out.append(z3.ToReal(self._units(name)) / (10**self.scale) == z3.RealVal(str(value)))
        elif kind == "date":
            out.append(self._raw(name, z3.Int) == value.toordinal())
        elif kind == "boolean":
            out.append(self._raw(name, z3.Bool) == z3.BoolVal(value))
        elif kind in ("enum", "string"):
            code = self.texts.codes.get(value, self.texts.other)
            out.append(self._raw(name, z3.Int) == code)
        return out

    def assignment(self, model: z3.ModelRef) -> list[z3.BoolRef]:
        """The model's as-of date, presence of facts and values of the present ones, as equations."""
        out = [self.asof == model.eval(self.asof, model_completion=True)]
        for name, present in self._present.items():
            value = model.eval(present, model_completion=False)
            if not (z3.is_true(value) or z3.is_false(value)):
                continue
            out.append(present == value)
            if z3.is_true(value) and name in self._value:
                out.append(self._value[name] == model.eval(self._value[name], model_completion=True))
        for name, length in self._lengths.items():
            size = model.eval(length, model_completion=True)
            out.append(length == size)
            for index in range(min(size.as_long(), LIST_ITEMS)):
                prefix = self._slot(name, index, "")
                for slot, variable in self._value.items():
                    if slot == prefix or slot.startswith(prefix + "."):
                        out.append(variable == model.eval(variable, model_completion=True))
        return out

    def case(self, model: z3.ModelRef, names: list[str] | None = None) -> tuple[str, dict[str, Any]]:
        """The as-of date and the facts a model gives (absent facts are left out)."""
        asof = dt.date.fromordinal(model.eval(self.asof, model_completion=True).as_long())
        facts: dict[str, Any] = {}
        for name in names if names is not None else list(self.book.facts):
            spec = self.book.facts[name]
            if name not in self._present:
                continue
            if not z3.is_true(model.eval(self._present[name], model_completion=False)):
                continue
            shape = list_shape(spec.declaration)
            if shape is not None:
                if name in self._lengths:
                    facts[name] = self._list_value(model, name, shape)
                continue
            value = self._value_of(model, name, spec.type.kind)
            if value is not None:
                facts[name] = value
        return asof.isoformat(), facts

    def _list_value(self, model: z3.ModelRef, name: str, shape: tuple[str, dict[str, Any]]) -> list[Any]:
        form, fields = shape
        size = model.eval(self._lengths[name], model_completion=True).as_long()
        items: list[Any] = []
        for index in range(max(0, min(size, LIST_ITEMS))):
            if form == "scalar":
                items.append(self._value_of(model, self._slot(name, index, ""), fields[""]["type"], default=True))
                continue
            record = {}
            for field, declaration in fields.items():
                slot = self._slot(name, index, field)
                if slot in self._present and z3.is_true(model.eval(self._present[slot], model_completion=False)):
                    value = self._value_of(model, slot, declaration["type"], default=True)
                    if value is not None:
                        record[field] = value
            items.append(record)
        return items

    def _value_of(self, model: z3.ModelRef, name: str, kind: str, default: bool = False) -> Any:
        """A scalar's value in the model; None if the solver never read it (unless `default`:
        then any value of the kind, the question did not care which)."""
        if kind not in _SCALAR:
            return None
        if name in self._value:
            raw = model.eval(self._value[name], model_completion=True)
        elif default:
            raw = {"decimal": z3.IntVal(0), "date": z3.IntVal(dt.date(2000, 1, 1).toordinal()), "boolean": FALSE}.get(kind, z3.IntVal(0))
        else:
            return None
        if kind == "decimal":
            return Decimal(format_decimal((Decimal(raw.as_long()) / (10**self.scale)).normalize()))
        if kind == "date":
            return dt.date.fromordinal(raw.as_long()).isoformat()
        if kind == "boolean":
            return z3.is_true(raw)
        return self.texts.text(raw.as_long())
