"""One condition over 100 000 fact dicts, compiled once, in four engines; prints a table.

    declaration_type == "VAT" and refund_claimed and amount >= 400

- taxrules: our expression language (engine.language: parse → check → compile to closures),
  evaluated over facts as the engine holds them after checking (amounts as Decimal).
- zen-engine: `zen.compile_expression(...)`, evaluated with `.evaluate(dict)` (it takes
  numbers as int/float, not Decimal, so it gets the same amounts as float).
- rule-engine: `rule_engine.Rule(...)`, `.matches(dict)` (amounts as Decimal).
- python: a hand-written lambda over the same Decimal dicts: the floor.

Each engine gets its own copy of the same generated cases, built before timing; each
timing is the best of --repeat runs over all cases. Every engine must find the same
number of matches, or the script says so and exits 1.

    python benchmarks/bench_expressions.py [--cases 100000] [--repeat 5]

Needs the optional extras: pip install -e ".[bench]".
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the engine of this checkout

CONDITION = 'declaration_type == "VAT" and refund_claimed and amount >= 400'


def generate(count: int, seed: int = 20240501) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    types = ["VAT", "VAT", "CIT", "PIT"]
    return [
        {
            "declaration_type": rng.choice(types),
            "refund_claimed": rng.random() < 0.5,
            "amount": Decimal(rng.randrange(0, 100_000)) / 100,  # 0.00 … 999.99, exact
        }
        for _ in range(count)
    ]


# -- the engines -------------------------------------------------------------------------------


def ours(cases: list[dict[str, Any]]) -> Callable[[], int]:
    from engine.language import types as t
    from engine.language.checker import Checker, Symbol
    from engine.language.compiler import compile_expression
    from engine.language.parser import parse

    scope = {
        "declaration_type": Symbol("fact", "declaration_type", t.STRING),
        "refund_claimed": Symbol("fact", "refund_claimed", t.BOOLEAN),
        "amount": Symbol("fact", "amount", t.DECIMAL),
    }
    node = parse(CONDITION)
    analysis = Checker(scope.get, lambda: list(scope)).check(node)
    condition = compile_expression(node, analysis)

    class Context:
        """What the engine's evaluation gives a compiled expression: facts, missing, reads."""

        __slots__ = ("facts", "missing", "reads")

        def __init__(self) -> None:
            self.facts: dict[str, Any] = {}
            self.missing: list[str] = []
            self.reads = None  # no trace

    def run() -> int:
        ctx = Context()
        matches = 0
        for facts in cases:
            ctx.facts = facts
            if condition(ctx, None) is True:
                matches += 1
        return matches

    return run


def zen_engine(cases: list[dict[str, Any]]) -> Callable[[], int]:
    import zen

    expression = zen.compile_expression(CONDITION)
    as_floats = [{**case, "amount": float(case["amount"])} for case in cases]

    def run() -> int:
        evaluate = expression.evaluate
        matches = 0
        for facts in as_floats:
            if evaluate(facts) is True:
                matches += 1
        return matches

    return run


def rule_engine_(cases: list[dict[str, Any]]) -> Callable[[], int]:
    import rule_engine

    rule = rule_engine.Rule(CONDITION)
    copies = [dict(case) for case in cases]

    def run() -> int:
        matches_fn = rule.matches
        matches = 0
        for facts in copies:
            if matches_fn(facts):
                matches += 1
        return matches

    return run


def python_lambda(cases: list[dict[str, Any]]) -> Callable[[], int]:
    condition = lambda f: f["declaration_type"] == "VAT" and f["refund_claimed"] and f["amount"] >= 400  # noqa: E731
    copies = [dict(case) for case in cases]

    def run() -> int:
        matches = 0
        for facts in copies:
            if condition(facts):
                matches += 1
        return matches

    return run


ENGINES: list[tuple[str, Callable[[list[dict[str, Any]]], Callable[[], int]]]] = [
    ("taxrules (ours)", ours),
    ("zen-engine", zen_engine),
    ("rule-engine", rule_engine_),
    ("python lambda (floor)", python_lambda),
]


def measure(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    best = float("inf")
    matches = -1
    for _ in range(repeat):
        start = time.perf_counter()
        matches = run()
        best = min(best, time.perf_counter() - start)
    return best, matches


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    cases = generate(args.cases)
    rows = []
    for name, make in ENGINES:
        try:
            run = make(cases)
        except ImportError as exc:
            rows.append((name, None, None, f"not installed ({exc.name}); pip install -e '.[bench]'"))
            continue
        seconds, matches = measure(run, args.repeat)
        rows.append((name, seconds, matches, ""))

    print(f"condition: {CONDITION}")
    print(f"{args.cases} fact dicts, compiled once, best of {args.repeat}; Python {sys.version.split()[0]}")
    print()
    floor = next((s for n, s, _, _ in rows if n.startswith("python") and s), None)
    zen_seconds = next((s for n, s, _, _ in rows if n == "zen-engine" and s), None)
    print(f"| {'engine':<22} | {'total ms':>9} | {'µs/eval':>8} | {'evals/s':>11} | {'× floor':>7} | {'matches':>7} |")
    print(f"|{'-' * 24}|{'-' * 11}|{'-' * 10}|{'-' * 13}|{'-' * 9}|{'-' * 9}|")
    counts = set()
    for name, seconds, matches, note in rows:
        if seconds is None:
            print(f"| {name:<22} | {note}")
            continue
        counts.add(matches)
        per = seconds / args.cases * 1e6
        ratio = f"{seconds / floor:.1f}" if floor else "-"
        print(f"| {name:<22} | {seconds * 1000:>9.1f} | {per:>8.2f} | {args.cases / seconds:>11,.0f} | {ratio:>7} | {matches:>7} |")
    print()
    ours_seconds = rows[0][1]
    if zen_seconds and ours_seconds:
        verdict = "met" if ours_seconds <= zen_seconds else "MISSED"
        print(f"goal: ours at least as fast as zen-engine — {verdict} (ours/zen = {ours_seconds / zen_seconds:.2f})")
    if len(counts) > 1:
        print(f"the engines disagree on the number of matches: {sorted(counts)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
