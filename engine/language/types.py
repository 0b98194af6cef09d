"""Static types of the expression language, as far as a rulebook's declarations reveal them.

The checker uses these to reject, at load time, what would otherwise surface only when
some unlucky case arrives: a date compared with a number, an enum compared with a value
it can never take, a field that no record of that kind has.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Type:
    kind: str  # boolean | decimal | string | enum | date | list | record | null | any
    values: tuple[str, ...] = ()  # enum values
    item: Type | None = None  # list item type
    fields: tuple[tuple[str, Type], ...] | None = None  # record fields; None = unknown
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        if self.kind == "enum":
            return "enum(" + ", ".join(self.values) + ")"
        if self.kind == "list":
            return f"list of {self.item}" if self.item and self.item.kind != "any" else "list"
        if self.kind == "record" and self.fields is not None:
            return "record{" + ", ".join(name for name, _ in self.fields) + "}"
        return self.kind

    def field_type(self, name: str) -> Type | None:
        if self.fields is None:
            return ANY
        for key, value in self.fields:
            if key == name:
                return value
        return None

    @property
    def field_names(self) -> list[str]:
        return [name for name, _ in self.fields or ()]


BOOLEAN = Type("boolean")
DECIMAL = Type("decimal")
STRING = Type("string")
DATE = Type("date")
NULL = Type("null")
ANY = Type("any")


def enum(values: list[str] | tuple[str, ...]) -> Type:
    return Type("enum", values=tuple(values))


def list_of(item: Type) -> Type:
    return Type("list", item=item)


def record(fields: dict[str, Type] | None) -> Type:
    return Type("record", fields=None if fields is None else tuple(fields.items()))


ANY_LIST = list_of(ANY)


def is_stringy(t: Type) -> bool:
    return t.kind in ("string", "enum")


def base_kind(t: Type) -> str:
    """Enums are strings for every operation but value checks."""
    return "string" if t.kind == "enum" else t.kind


def compatible(a: Type, b: Type) -> bool:
    """Can values of these types be compared for equality or mixed in one list?"""
    if a.kind in ("any", "null") or b.kind in ("any", "null"):
        return True
    if base_kind(a) != base_kind(b):
        return False
    if a.kind == "list" and b.kind == "list":
        return compatible(a.item or ANY, b.item or ANY)
    return True


def join(a: Type, b: Type) -> Type:
    """The type of a value that is either an `a` or a `b` (if-branches, list items)."""
    if a.kind == "null":
        return b
    if b.kind == "null":
        return a
    if a.kind == "any" or b.kind == "any":
        return ANY
    if a == b:
        return a
    if a.kind == "enum" and b.kind == "enum":
        return enum(tuple(dict.fromkeys(a.values + b.values)))
    if is_stringy(a) and is_stringy(b):
        return STRING
    if a.kind == "list" and b.kind == "list":
        return list_of(join(a.item or ANY, b.item or ANY))
    if a.kind == "record" and b.kind == "record":
        return record(None)
    return ANY


def from_declaration(decl: dict) -> Type:
    """The type of a fact, record field or decision as a rulebook declares it."""
    kind = decl.get("type", "any")
    if kind == "enum":
        return enum(tuple(str(v) for v in decl.get("values", ())))
    if kind == "list":
        items = decl.get("items")
        if items is not None:
            return list_of(from_declaration(items))
        if decl.get("values"):
            return list_of(enum(tuple(str(v) for v in decl["values"])))
        return ANY_LIST
    if kind == "record":
        fields = decl.get("fields")
        if fields is None:
            return record(None)
        return record({name: from_declaration(spec) for name, spec in fields.items()})
    return {
        "boolean": BOOLEAN,
        "decimal": DECIMAL,
        "string": STRING,
        "date": DATE,
    }.get(kind, ANY)
