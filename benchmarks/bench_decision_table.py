"""A 50-row decision table, first hit, as a rulebook and as a zen-engine JDM decision table.

    python benchmarks/bench_decision_table.py [--cases 100000] [--seed 3]

The table has five inputs: two enums (`kind`: five values, `channel`: three), two decimals
with thresholds (`amount` in a half-open band, `rate` at least a threshold) and a date
range (`day` between two dates); 49 generated rows and a last catch-all row. It is written
once as a taxrules rulebook (one decision, `hit_policy: first`, a rule per row) and once as
a zen-engine JDM graph (input → decisionTable with hitPolicy "first" → output), and the
same cases go through both in one run:

- taxrules, trace off / on: `Book.decide(facts, trace=…)` — the whole decision: facts
  checked (enums, exact decimals, ISO dates), the first rule that holds, citations,
  explanation, the result object;
- zen-engine, trace off / on: `ZenDecision.evaluate(facts[, {"trace": True}])` (amounts
  as float: its Python binding takes JSON numbers);
- floor: the single condition `kind == "a" and channel == "web" and amount >= 400` as a
  Python lambda over the same dicts — the figure the others are divided by, so that the
  ratios survive a noisy, shared machine; the existing whole-decision rulebook
  (ru.invoice_adjustment, its examples) is reported on the same scale.

Both engines must pick the same row for every case (the script exits 1 otherwise).
Goals: ours at least as fast as zen-engine with the trace off; ours with the trace on
within 2x of ours with it off.

The trace's entries (each failed condition's deciding part, `because`) are built when the
result's trace is first read (engine/evaluate.py), so the rows above time deciding. What
a caller pays who also writes the result JSON is shown separately over `--json-cases`
cases (`Book.decide(...).to_json()`, trace on and off): the 50-row table writes an entry
per rule considered, ~45 a case here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

import engine  # noqa: E402

KINDS = ["goods", "services", "works", "rights", "advance"]
CHANNELS = ["web", "shop", "phone"]
ROWS = 50


def rows(seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    out = []
    for r in range(ROWS - 1):
        low = Decimal(rnd.randrange(0, 9000))
        start = dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(300))
        out.append(
            {
                "id": f"row_{r + 1:02d}",
                "kinds": sorted(rnd.sample(KINDS, rnd.randint(1, 3))),
                "channels": sorted(rnd.sample(CHANNELS, rnd.randint(1, 2))),
                "amount": (low, low + Decimal(rnd.randrange(500, 5000))),
                "rate": Decimal(rnd.randrange(0, 25)) / 100,
                "days": (start, start + dt.timedelta(days=rnd.randrange(20, 120))),
            }
        )
    return out


def rulebook_text(table: list[dict[str, Any]]) -> str:
    lines = [
        "id: bench.decision_table", "jurisdiction: at", "title: {en: A 50-row decision table}", 'version: "1"', "languages: [en]",
        "sources:", "  s1: {citation: bench}", "facts:",
        f"  kind: {{type: enum, values: [{', '.join(KINDS)}]}}", f"  channel: {{type: enum, values: [{', '.join(CHANNELS)}]}}",
        "  amount: {type: decimal}", "  rate: {type: decimal}", "  day: {type: date}",
        "decisions:", "  band:", "    type: enum", f"    values: [{', '.join([r['id'] for r in table] + ['other'])}]",
        "    hit_policy: first", "    rules:",
    ]
    for row in table:
        kinds = ", ".join(f'"{k}"' for k in row["kinds"])
        channels = ", ".join(f'"{c}"' for c in row["channels"])
        low, high = row["amount"]
        start, end = row["days"]
        condition = (
            f'kind in [{kinds}] and channel in [{channels}] and amount >= {low} and amount < {high} and rate >= {row["rate"]} '
            f'and day >= date("{start}") and day <= date("{end}")'
        )
        lines += [f"      - id: {row['id']}", f"        when: '{condition}'", f"        value: {row['id']}", "        citations: [s1]",
                  f"        explanation: {{en: \"Row {row['id']}.\"}}"]
    lines += ["      - id: other", "        value: other", "        citations: [s1]", "        explanation: {en: No row applies.}"]
    return "\n".join(lines) + "\n"


def jdm(table: list[dict[str, Any]]) -> str:
    inputs = [{"id": name, "name": name, "field": name} for name in ("kind", "channel", "amount", "rate", "day")]
    rules = []
    for row in table:
        low, high = row["amount"]
        start, end = row["days"]
        rules.append(
            {
                "_id": row["id"],
                "kind": ", ".join(f'"{k}"' for k in row["kinds"]),
                "channel": ", ".join(f'"{c}"' for c in row["channels"]),
                "amount": f"[{low}..{high})",
                "rate": f">= {row['rate']}",
                "day": f'date($) >= date("{start}") and date($) <= date("{end}")',
                "band": f'"{row["id"]}"',
            }
        )
    rules.append({"_id": "other", "kind": "", "channel": "", "amount": "", "rate": "", "day": "", "band": '"other"'})
    graph = {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "in", "position": {"x": 0, "y": 0}},
            {"id": "table", "type": "decisionTableNode", "name": "table", "position": {"x": 0, "y": 0},
             "content": {"hitPolicy": "first", "inputs": inputs, "outputs": [{"id": "band", "name": "band", "field": "band"}], "rules": rules}},
            {"id": "out", "type": "outputNode", "name": "out", "position": {"x": 0, "y": 0}},
        ],
        "edges": [{"id": "e1", "sourceId": "in", "targetId": "table", "type": "edge"}, {"id": "e2", "sourceId": "table", "targetId": "out", "type": "edge"}],
    }
    return json.dumps(graph)


def cases(n: int, seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed + 1)
    out = []
    for _ in range(n):
        out.append(
            {
                "kind": rnd.choice(KINDS), "channel": rnd.choice(CHANNELS),
                "amount": Decimal(rnd.randrange(0, 1_400_000)) / 100, "rate": Decimal(rnd.randrange(0, 30)) / 100,
                "day": (dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(366))).isoformat(),
            }
        )
    return out


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json-cases", type=int, default=10_000, help="cases decided and written as JSON (0: skip)")
    args = parser.parse_args()

    import zen

    table = rows(args.seed)
    facts = cases(args.cases, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "decision_table.yaml"
        path.write_text(rulebook_text(table), encoding="utf-8")
        book = engine.load(str(path))
    decision = zen.ZenEngine().create_decision(jdm(table))
    zen_facts = [dict(f, amount=float(f["amount"]), rate=float(f["rate"])) for f in facts]
    as_of = "2024-06-30"

    def ours(trace: bool) -> Callable[[], list[Any]]:
        return lambda: [book.decide(f, as_of=as_of, trace=trace).decisions["band"].value for f in facts]

    def theirs(trace: bool) -> Callable[[], list[Any]]:
        options = {"trace": True} if trace else None
        return lambda: [decision.evaluate(f, options)["result"]["band"] for f in zen_facts]

    def floor() -> int:
        condition = lambda f: f["kind"] == "goods" and f["channel"] == "web" and f["amount"] >= 400  # noqa: E731
        return sum(1 for f in facts if condition(f))

    floor_seconds, _ = best_of(args.repeat + 2, floor)
    results: list[tuple[str, float]] = []
    answers = {}
    for name, fn in (("taxrules, trace off", ours(False)), ("taxrules, trace on", ours(True)),
                     ("zen-engine, trace off", theirs(False)), ("zen-engine, trace on", theirs(True))):
        seconds, answers[name] = best_of(args.repeat, fn)
        results.append((name, seconds))
        print(f"  {name}: {seconds:.2f} s", flush=True)
    same = len({tuple(v) for v in answers.values()}) == 1
    hits = {row: answers["taxrules, trace off"].count(row) for row in set(answers["taxrules, trace off"])}

    whole = engine.load("ru.invoice_adjustment")
    examples = [e.facts for e in whole.model.examples if not getattr(e, "expect_error", False)]
    whole_cases = (examples * (20_000 // max(len(examples), 1) + 1))[:20_000]

    def whole_run(trace: bool) -> Callable[[], int]:
        return lambda: sum(1 for f in whole_cases if whole.decide(f, trace=trace))

    print()
    print(f"{args.cases:,} cases; rows hit: {len(hits)} of {ROWS} (catch-all {hits.get('other', 0):,}); same row for every case: {same}")
    print()
    print("| engine | seconds | cases/s | µs/case | × single-condition floor |")
    print("|---|---:|---:|---:|---:|")
    floor_per_case = floor_seconds / args.cases
    print(f"| floor: one condition as a Python lambda | {floor_seconds:.3f} | {args.cases / floor_seconds:,.0f} | {floor_per_case * 1e6:.2f} | 1 |")
    for name, seconds in results:
        print(f"| 50-row table, {name} | {seconds:.2f} | {args.cases / seconds:,.0f} | {seconds / args.cases * 1e6:.1f} | {seconds / args.cases / floor_per_case:,.0f} |")
    for trace in (False, True):
        seconds, _ = best_of(args.repeat, whole_run(trace))
        per_case = seconds / len(whole_cases)
        print(f"| ru.invoice_adjustment (whole decision, its examples), trace {'on' if trace else 'off'} | {seconds:.2f} | {1 / per_case:,.0f} | {per_case * 1e6:.1f} | {per_case / floor_per_case:,.0f} |")
    json_cases = facts[: args.json_cases]
    for trace in (False, True) if json_cases else ():
        seconds, _ = best_of(1, lambda trace=trace: [book.decide(f, as_of=as_of, trace=trace).to_json() for f in json_cases])
        per_case = seconds / len(json_cases)
        print(f"| 50-row table, taxrules, trace {'on' if trace else 'off'}, result JSON written ({len(json_cases):,} cases) | {seconds:.2f} | {1 / per_case:,.0f} | {per_case * 1e6:.1f} | {per_case / floor_per_case:,.0f} |")
    timings = dict(results)
    print()
    zen_ratio = timings["taxrules, trace off"] / timings["zen-engine, trace off"]
    trace_ratio = timings["taxrules, trace on"] / timings["taxrules, trace off"]
    print(f"goal: ours (trace off) at least as fast as zen-engine (trace off) — {'met' if zen_ratio <= 1 else 'MISSED'} (ours/zen = {zen_ratio:.2f})")
    print(f"goal: ours with the trace on within 2x of off — {'met' if trace_ratio <= 2 else 'MISSED'} (on/off = {trace_ratio:.2f})")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
