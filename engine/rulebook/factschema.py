"""A rulebook's facts as JSON Schema (2020-12), published as schemas/facts/<id>.json.

The engine validates with the compiled checker in facts.py; this schema is for callers
and their tooling. A test keeps both in agreement on valid and invalid cases.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.rulebook import model as m


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _describe(spec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    description = spec.get("description") or {}
    if "en" in description:
        out["description"] = description["en"]
    if description:
        out["x-descriptions"] = dict(description)
    return out


def field_schema(spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec["type"]
    out: dict[str, Any] = _describe(spec)
    if kind == "boolean":
        out["type"] = "boolean"
    elif kind == "decimal":
        # Exact decimals may arrive as JSON numbers or numeric strings.
        out["anyOf"] = [
            {"type": "number"},
            {"type": "string", "pattern": r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"},
        ]
        if "minimum" in spec:
            out["anyOf"][0]["minimum"] = _number(spec["minimum"])
            out["x-minimum"] = str(spec["minimum"])
        if "maximum" in spec:
            out["anyOf"][0]["maximum"] = _number(spec["maximum"])
            out["x-maximum"] = str(spec["maximum"])
    elif kind == "string":
        out["type"] = "string"
    elif kind == "enum":
        out["type"] = "string"
        out["enum"] = list(spec["values"])
    elif kind == "date":
        out["type"] = "string"
        out["format"] = "date"
        out["pattern"] = r"^\s*\d{4}-\d{2}-\d{2}\s*$"
    elif kind == "list":
        out["type"] = "array"
        out["items"] = field_schema(spec["items"])
    elif kind == "record":
        out["type"] = "object"
        out["properties"] = {
            name: {"anyOf": [field_schema(field_spec), {"type": "null"}]} for name, field_spec in spec["fields"].items()
        }
        out["additionalProperties"] = False
    return out


def fact_schema(book: m.Rulebook) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://taxrules.example/schemas/facts/{book.id}.json",
        "title": f"Facts of {book.id}",
        "description": book.title_in("en"),
        "type": "object",
        "properties": {
            name: {"anyOf": [field_schema(spec.declaration), {"type": "null"}]}
            for name, spec in book.facts.items()
        },
        "additionalProperties": False,
    }
