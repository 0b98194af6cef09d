"""The static type of every sub-expression, from the language's own checker.

The checker keeps only the type of a whole expression; where the solver back end has to
stand in a free value for a sub-expression it cannot express, it needs that
sub-expression's type. The checker is run again over the already parsed tree (no
parsing) with a hook that remembers each node's type.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from engine.language import nodes as n
from engine.language import types as t
from engine.language.checker import Analysis, Checker, Symbol
from engine.rulebook import model as m


class _RecordingChecker(Checker):
    def __init__(self, book: m.Rulebook, types: dict[int, t.Type]) -> None:
        def lookup(name: str) -> Symbol | None:
            if name in book.facts:
                return Symbol("fact", name, book.facts[name].type)
            if name in book.parameters:
                return Symbol("parameter", name, book.parameters[name].type)
            if name in book.derived:
                return Symbol("derived", name, book.derived[name].expression.type)
            if name in book.decisions:
                decision = book.decisions[name]
                kind = decision.type
                if decision.hit_policy == "collect" and kind.kind != "list":
                    kind = t.list_of(kind)
                return Symbol("decision", name, kind)
            return None

        super().__init__(lookup, lambda: [*book.facts, *book.parameters, *book.derived, *book.decisions], lambda: list(book.parameters))
        self.types = types

    def _check(self, node: n.Node, local: Mapping[str, Symbol], a: Analysis) -> t.Type:
        result = super()._check(node, local, a)
        self.types[id(node)] = result
        return result


class NodeTypes:
    """Types of the nodes of every expression handed to `learn`, by node identity."""

    def __init__(self, book: m.Rulebook) -> None:
        self.book = book
        self.types: dict[int, t.Type] = {}
        self._keep: list[Any] = []  # the trees whose ids are keys here stay alive

    def learn(self, node: n.Node) -> None:
        if id(node) in self.types:
            return
        self._keep.append(node)
        # a mutated tree may not check; its nodes stay untyped (stand-ins of unknown kind)
        with contextlib.suppress(Exception):
            _RecordingChecker(self.book, self.types).check(node)

    def of(self, node: n.Node) -> t.Type:
        return self.types.get(id(node), t.ANY)
