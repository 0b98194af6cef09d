"""Dependencies between derived values (and decisions), walked without recursion.

A rulebook may chain derived values thousands deep (`d2: d1 + 1`, `d3: d2 + 1`, ...);
walking such a chain with Python recursion overflows the interpreter's stack (about 330
levels of evaluation, 1 000 of checking). Everything here uses an explicit stack, so the
depth of a chain is bounded only by the evaluation budget:

- `topological_order`: names in an order where each comes after what it depends on
  (the loader type-checks derived values in this order, each finding its dependencies
  already checked);
- `find_cycles`: every cycle, as the loader reports them;
- `chain_depths` and `dependencies_first`: for a derived value deeper than DEEP, its
  dependencies in evaluation order (the evaluator computes those first, each one level
  deep).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TypeVar

N = TypeVar("N", bound=Hashable)

DEEP = 32  # chains deeper than this are evaluated dependencies-first


def topological_order(nodes: Iterable[N], edges: Callable[[N], Iterable[N]]) -> list[N]:
    """Every node reachable from `nodes`, each after the nodes it depends on (`edges`);
    on a cycle, the node first met is placed first (cycles are reported elsewhere)."""
    order: list[N] = []
    state: dict[N, int] = {}  # 1 in progress, 2 done
    for root in nodes:
        if root in state:
            continue
        state[root] = 1
        stack: list[tuple[N, Iterable[N]]] = [(root, iter(sorted(edges(root), key=str)))]
        while stack:
            node, pending = stack[-1]
            for nxt in pending:
                if nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(sorted(edges(nxt), key=str))))
                    break
            else:
                stack.pop()
                state[node] = 2
                order.append(node)
    return order


def find_cycles(graph: Mapping[N, Iterable[N]]) -> list[list[N]]:
    """Each cycle met by a depth-first walk of `graph` (sorted, so reports are stable),
    as the path from its first node back to it."""
    cycles: list[list[N]] = []
    state: dict[N, int] = {}
    for root in sorted(graph, key=str):
        if root in state:
            continue
        state[root] = 1
        path: list[N] = [root]
        stack = [iter(sorted(graph.get(root, ()), key=str))]
        while stack:
            for nxt in stack[-1]:
                seen = state.get(nxt)
                if seen == 1:
                    cycles.append(path[path.index(nxt):] + [nxt])
                elif seen is None:
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append(iter(sorted(graph.get(nxt, ()), key=str)))
                    break
            else:
                stack.pop()
                state[path.pop()] = 2
    return cycles


def chain_depths(graph: Mapping[N, Iterable[N]]) -> dict[N, int]:
    """The length of the longest chain of dependencies below each node (1: none)."""
    depth: dict[N, int] = {}
    for name in topological_order(sorted(graph, key=str), lambda node: graph.get(node, ())):
        depth[name] = 1 + max((depth.get(dep, 0) for dep in graph.get(name, ()) if dep != name), default=0)
    return depth


def dependencies_first(root: N, graph: Mapping[N, Iterable[N]], done: Callable[[N], bool]) -> list[N]:
    """What `root` depends on and is not `done` yet, each after its own dependencies
    (root itself not included): the order in which to compute a deep chain one level
    at a time."""
    return [node for node in topological_order([root], lambda node: () if done(node) and node != root else graph.get(node, ())) if node != root and not done(node)]
