"""The case form: controls generated from a rulebook's fact declarations, and back.

Each control's `name` is the path of its fact, as the contract says: `event`, a field of
a record `address.city`, a field of a record in a list `invoices[0].vat_amount`, an item
of a list of plain values `codes[2]`. The same path is what the engine puts in
`BadInput.field`, so an error lands next to the control it concerns.

Reading a submitted form gives the facts as the JSON API takes them: an empty control is
an absent fact (never false or zero: the engine's three-valued logic must see it as
unknown), booleans become true/false, and every other value stays the text typed, so
decimals reach the engine's exact parser untouched and its message names the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine import jsonout
from engine.language.values import format_decimal
from engine.rulebook import model as m

MAX_ROWS = 500  # rows of one list of records a form may carry (the body limit bounds the rest)
_PATH_PART = re.compile(r"\[(\d+)\]|\.([A-Za-z_][A-Za-z0-9_]*)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")  # plain decimals; exponents stay text for the engine
SCALAR_KINDS = ("boolean", "enum", "date", "decimal", "string")


class FormError(ValueError):
    """A control that does not belong to the form (a hand-made request): names it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Control:
    """One control of the form, or a group of them (a record, a list)."""

    name: str  # the fact's path: `event`, `invoices[0].vat_amount`; a list's own name for the group
    kind: str  # boolean, enum, date, decimal, string, record, list
    spec: dict[str, Any]
    label: str  # the fact's (or field's) own name
    help: str | None = None  # its description in the page's language
    title: str | None = None  # its short label in the page's language, when the rulebook gives one
    optional: bool = False
    value: str = ""  # what the control shows (the typed text, ISO date, true/false, enum value)
    options: list[tuple[str, str]] = field(default_factory=list)  # enum: (value, label)
    children: list[Control] = field(default_factory=list)  # record: its fields; list: its rows
    template: Control | None = None  # list: an empty row, named with `__index__` for the script
    minimum: str | None = None
    maximum: str | None = None

    @property
    def dom_id(self) -> str:
        return dom_id(self.name)

    @property
    def is_group(self) -> bool:
        return self.kind in ("record", "list")

    def walk(self) -> Iterable[Control]:
        yield self
        for child in self.children:
            yield from child.walk()


def dom_id(name: str) -> str:
    """An element id for a control path (`invoices[0].vat_amount` -> `f-invoices-0-vat_amount`)."""
    return "f-" + re.sub(r"[^A-Za-z0-9_]+", "-", name).strip("-")


def _localised(texts: Mapping[str, str] | None, language: str) -> str | None:
    if not texts:
        return None
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), None)


def value_labels(spec: Mapping[str, Any], language: str) -> dict[str, str]:
    """Labels of an enum's values in `language`, where the rulebook gives them.

    Accepted shapes (the rulebook's `labels`): {value: {lang: text}} or {lang: {value: text}}.
    A value without a label is shown as itself, so nothing is hidden.
    """
    labels = spec.get("labels") or {}
    out: dict[str, str] = {}
    for value in spec.get("values") or []:
        text = None
        entry = labels.get(value)
        if isinstance(entry, Mapping):
            text = _localised(entry, language)
        elif isinstance(entry, str):
            text = entry
        else:
            per_language = labels.get(language) or labels.get("en")
            if isinstance(per_language, Mapping):
                text = per_language.get(value)
        out[str(value)] = text or str(value)
    return out


def shown(value: Any, kind: str) -> str:
    """A fact's value as the text its control holds."""
    if value is None:
        return ""
    if kind == "boolean":
        return "true" if value is True else "false" if value is False else str(value)
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return jsonout.dumps(jsonout.plain(value), indent=None)
    return str(value)


def build_control(name: str, spec: Mapping[str, Any], value: Any, language: str, optional: bool = False) -> Control:
    kind = spec["type"]
    description = spec.get("description") or {}
    control = Control(
        name=name,
        kind=kind,
        spec=dict(spec),
        label=name.rsplit(".", 1)[-1].split("[", 1)[0],
        help=_localised(description, language),
        title=_localised(spec.get("label") if isinstance(spec.get("label"), Mapping) else None, language),
        optional=optional or bool(spec.get("optional")),
    )
    if kind == "enum":
        control.options = list(value_labels(spec, language).items())
    if kind == "decimal":
        control.minimum = shown(spec.get("minimum"), "decimal") or None
        control.maximum = shown(spec.get("maximum"), "decimal") or None
    if kind == "record":
        record = value if isinstance(value, Mapping) else {}
        control.children = [
            build_control(f"{name}.{field_name}", field_spec, record.get(field_name), language)
            for field_name, field_spec in spec["fields"].items()
        ]
    elif kind == "list":
        items = value if isinstance(value, list) else []
        item_spec = spec["items"]
        control.children = [_row(name, index, item_spec, item, language) for index, item in enumerate(items)]
        control.template = _row(name, "__index__", item_spec, None, language)
    elif isinstance(value, (list, dict)) and kind in SCALAR_KINDS:
        control.value = shown(value, kind)  # a wrong shape typed by hand: shown as the engine saw it
    else:
        control.value = shown(value, kind)
    return control


def _row(list_name: str, index: int | str, item_spec: Mapping[str, Any], item: Any, language: str) -> Control:
    row = build_control(f"{list_name}[{index}]", item_spec, item, language)
    if item_spec["type"] != "record":
        row.label = f"#{index + 1}" if isinstance(index, int) else "#"
    return row


def case_form(book: m.Rulebook, facts: Mapping[str, Any] | None, language: str) -> list[Control]:
    """The controls of a case, in the rulebook's order of facts, filled with `facts`."""
    facts = facts or {}
    return [
        build_control(name, spec.declaration, facts.get(name), language, optional=spec.optional)
        for name, spec in book.facts.items()
    ]


# -- reading a submitted form ---------------------------------------------------------------


def split_path(name: str) -> tuple[str, list[int | str]]:
    """`invoices[0].vat_amount` -> ("invoices", [0, "vat_amount"]); FormError when malformed."""
    head = _NAME.match(name)
    if head is None:
        raise FormError(f"{name!r} is not a fact path", name)
    parts: list[int | str] = []
    position = head.end()
    while position < len(name):
        match = _PATH_PART.match(name, position)
        if match is None:
            raise FormError(f"{name!r} is not a fact path", name)
        parts.append(int(match.group(1)) if match.group(1) is not None else match.group(2))
        position = match.end()
    return head.group(0), parts


def read_case(book: m.Rulebook, form: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The facts of a submitted form, as the JSON API takes them.

    Controls whose names start with `_` are the page's own (as_of, language, ...) and are
    skipped. Rows of a list are taken in the order of their indexes, and a row left
    entirely empty is dropped, so a list is never padded with blank records.
    """
    tree: dict[str, Any] = {}
    for name, raw in form:
        if name.startswith("_"):
            continue
        text = raw.strip() if isinstance(raw, str) else ""
        fact, path = split_path(name)
        spec = book.facts.get(fact)
        if spec is None:
            # Kept: the engine answers with its own message (`not a fact of ...; did you mean`).
            if text:
                tree[fact] = text
            continue
        _place(tree, fact, path, spec.declaration, text, name)
    facts: dict[str, Any] = {}
    for name, value in tree.items():
        spec = book.facts.get(name)
        finished = _finish(value, spec.declaration if spec is not None else None)
        if finished is not None:
            facts[name] = finished
    return facts


def _place(node: dict[Any, Any], key: Any, path: list[int | str], spec: Mapping[str, Any], text: str, name: str) -> None:
    kind = spec["type"]
    if not path:
        if kind in ("list", "record"):
            raise FormError(f"{name}: a group, not a control", name)
        node[key] = _scalar(kind, text)
        return
    step, rest = path[0], path[1:]
    if kind == "list" and isinstance(step, int):
        if step >= MAX_ROWS:
            raise FormError(f"{name}: at most {MAX_ROWS} rows", name)
        rows = node.setdefault(key, {})
        if not isinstance(rows, dict):
            raise FormError(f"{name}: not a list", name)
        _place(rows, step, rest, spec["items"], text, name)
        return
    if kind == "record" and isinstance(step, str):
        fields = spec["fields"]
        if step not in fields:
            raise FormError(f"{name}: unknown field (fields: {', '.join(fields)})", name)
        record = node.setdefault(key, {})
        if not isinstance(record, dict):
            raise FormError(f"{name}: not a record", name)
        _place(record, step, rest, fields[step], text, name)
        return
    raise FormError(f"{name} does not match the declaration of {name.split('[', 1)[0].split('.', 1)[0]}", name)


def _scalar(kind: str, text: str) -> Any:
    if text == "":
        return None
    if kind == "boolean":
        lowered = text.lower()
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
    if kind == "decimal" and _NUMBER.match(text):
        # A number, as a JSON caller would send it (the audit record's `facts` then read
        # the same); anything else stays text for the engine to refuse by name.
        return Decimal(text)
    return text  # the engine parses dates and enum values and names any mistake


def _finish(value: Any, spec: Mapping[str, Any] | None) -> Any:
    """Index maps to lists (in index order, empty rows dropped); empty records to absent."""
    if spec is None or not isinstance(value, dict):
        return value
    kind = spec["type"]
    if kind == "list":
        items = [_finish(value[index], spec["items"]) for index in sorted(value)]
        kept = [item for item in items if item is not None]
        return kept or None
    if kind == "record":
        record = {name: _finish(item, spec["fields"].get(name)) for name, item in value.items()}
        record = {name: item for name, item in record.items() if item is not None}
        return record or None
    return value


def example_facts(book: m.Rulebook, index: int) -> tuple[dict[str, Any], str | None]:
    """The facts and as_of of the rulebook's embedded example number `index` (0-based)."""
    example = book.examples[index]
    return dict(example.facts), example.as_of
