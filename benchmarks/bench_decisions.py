"""Whole decisions per second for every rulebook, and `taxrules batch` over many cases.

1. For every decision rulebook found (rulebooks/ and TAXRULES_PATH): decisions per
   second on one core, trace on and trace off, over the example cases that exist for it —
   the rulebook's embedded examples, the JSON files of examples/<jurisdiction>/ that its
   fact schema accepts, and the YAML case files (`rulebook: <id>`, `cases: [...]`) of
   every --cases-from folder (default: examples/, and /work/shared/examples when present).
   Each figure is a whole `Book.decide(facts)`: fact checking, constraints, every
   decision, explanations, the result object (and the trace when on).
2. `taxrules batch` as a user runs it (a fresh process) over generated JSON Lines cases
   (the cases of --batch-rulebook, repeated): wall time, cases per second, and the peak
   resident memory of the largest process; a run over a tenth of the cases shows that
   memory stays flat as the input grows.

    python benchmarks/bench_decisions.py [--seconds 1.0] [--batch-cases 100000] [--skip-batch]

Goal: at least 20 000 decisions/s with the trace off on ru.invoice_adjustment.
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

import engine  # noqa: E402
from engine import jsonout  # noqa: E402
from engine.rulebook.registry import discover, rulebook_kind  # noqa: E402

GOAL_RULEBOOK = "ru.invoice_adjustment"
GOAL = 20_000


# -- cases ----------------------------------------------------------------------------------------


def case_files(folders: list[Path]) -> dict[str, list[Any]]:
    """YAML case files by rulebook id; JSON fact files by jurisdiction folder name."""
    import yaml

    by_rulebook: dict[str, list[Any]] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.y*ml")):
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError):
                continue
            if isinstance(data, dict) and isinstance(data.get("cases"), list) and data.get("rulebook"):
                for case in data["cases"]:
                    if isinstance(case, dict) and isinstance(case.get("facts"), dict) and not case.get("expect_error"):
                        by_rulebook.setdefault(str(data["rulebook"]), []).append(case["facts"])
        for path in sorted(folder.rglob("*.json")):
            try:
                facts = jsonout.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(facts, dict):
                by_rulebook.setdefault("json:" + path.parent.name, []).append(facts)
    return by_rulebook


def cases_for(book: Any, files: dict[str, list[Any]]) -> list[Any]:
    """The candidate cases that this rulebook decides without an error."""
    candidates = [example.facts for example in book.model.examples if not example.expect_error]
    candidates += files.get(book.id, [])
    candidates += files.get("json:" + book.model.jurisdiction, [])
    usable = []
    for facts in candidates:
        try:
            book.decide(facts, trace=True)
        except (engine.BadInput, engine.EvaluationError):
            continue
        usable.append(facts)
    return usable


# -- 1. decisions per second ------------------------------------------------------------------------


def rate(book: Any, cases: list[Any], trace: bool, seconds: float, windows: int = 40) -> float:
    """Decisions per second: the best of `windows` runs of seconds/windows each (as timeit
    takes the best of its repeats: on a shared machine the slow runs measure the neighbours)."""
    decide = book.decide
    for facts in cases:  # warm up
        decide(facts, trace=trace)
    cycle = itertools.cycle(cases)
    best = 0.0
    for _ in range(windows):
        count = 0
        start = time.perf_counter()
        deadline = start + seconds / windows
        while True:
            for _ in range(50):
                decide(next(cycle), trace=trace)
            count += 50
            now = time.perf_counter()
            if now >= deadline:
                break
        best = max(best, count / (now - start))
    return best


def decision_table(seconds: float, files: dict[str, list[Any]], only: list[str] | None) -> dict[str, tuple[float, float]]:
    print("## Whole decisions per second, one core (Book.decide, cases cycled)")
    print()
    print(f"| {'rulebook':<30} | {'cases':>5} | {'decisions':>9} | {'trace on /s':>11} | {'trace off /s':>12} | {'µs/case off':>11} |")
    print(f"|{'-' * 32}|{'-' * 7}|{'-' * 11}|{'-' * 13}|{'-' * 14}|{'-' * 13}|")
    figures: dict[str, tuple[float, float]] = {}
    for rulebook_id, path in sorted(discover().items()):
        if only and rulebook_id not in only:
            continue
        if rulebook_kind(path) != "decision":
            continue
        try:
            book = engine.load(path)
        except engine.RulebookError as exc:
            print(f"| {rulebook_id:<30} | does not load: {len(exc.problems)} problem(s)")
            continue
        cases = cases_for(book, files)
        if not cases:
            print(f"| {rulebook_id:<30} | no usable example cases")
            continue
        on = rate(book, cases, True, seconds)
        off = rate(book, cases, False, seconds)
        figures[rulebook_id] = (on, off)
        print(
            f"| {rulebook_id:<30} | {len(cases):>5} | {len(book.model.decisions):>9} | {on:>11,.0f} | {off:>12,.0f} | {1e6 / off:>11.1f} |"
        )
    print()
    if GOAL_RULEBOOK in figures:
        off = figures[GOAL_RULEBOOK][1]
        print(f"goal: ≥ {GOAL:,} decisions/s with the trace off on {GOAL_RULEBOOK} — {'met' if off >= GOAL else 'MISSED'} ({off:,.0f}/s)")
        print()
    return figures


# -- 2. taxrules batch ----------------------------------------------------------------------------


def write_cases(path: Path, cases: list[Any], count: int) -> None:
    lines = [jsonout.dumps(facts, indent=None) + "\n" for facts in cases]
    with open(path, "w", encoding="utf-8") as out:
        for line in itertools.islice(itertools.cycle(lines), count):
            out.write(line)


def run_batch(rulebook: str, source: Path, target: Path, jobs: int, trace: bool) -> tuple[float, float, int]:
    """(seconds, peak RSS in MiB of the largest process, exit code) of one `taxrules batch`."""
    command = [sys.executable, "-m", "engine.cli", "batch", rulebook, "-i", str(source), "-o", str(target), "--jobs", str(jobs), "--no-progress"]
    if not trace:
        command.append("--no-trace")
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    # Linux reports ru_maxrss in KiB; wait4 covers the process and the workers it waited for.
    peak = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
    return seconds, peak, process.returncode


def batch_table(rulebook: str, cases: list[Any], total: int, trace_cases: int) -> None:
    print(f"## `taxrules batch {rulebook}` over generated JSON Lines (a fresh process each, start-up included)")
    print()
    print(f"| {'cases':>7} | {'jobs':>4} | {'trace':>5} | {'seconds':>7} | {'cases/s':>8} | {'peak RSS MiB':>12} | {'input MiB':>9} | {'output MiB':>10} | exit |")
    print(f"|{'-' * 9}|{'-' * 6}|{'-' * 7}|{'-' * 9}|{'-' * 10}|{'-' * 14}|{'-' * 11}|{'-' * 12}|------|")
    runs = [(total // 10, 1, False), (total, 1, False), (total, 2, False), (trace_cases, 2, True)]
    with tempfile.TemporaryDirectory(prefix="taxrules-bench-") as folder:
        for count, jobs, trace in runs:
            if count <= 0:
                continue
            source = Path(folder) / f"cases-{count}.jsonl"
            if not source.exists():
                write_cases(source, cases, count)
            target = Path(folder) / "out.jsonl"
            seconds, peak, code = run_batch(rulebook, source, target, jobs, trace)
            with open(target, "rb") as written:
                lines = sum(1 for _ in written)
            ok = "" if lines == count else f" (wrote {lines} lines!)"
            print(
                f"| {count:>7} | {jobs:>4} | {'on' if trace else 'off':>5} | {seconds:>7.2f} | {count / seconds:>8,.0f} | "
                f"{peak:>12.1f} | {source.stat().st_size / 2**20:>9.1f} | {target.stat().st_size / 2**20:>10.1f} | {code:>4} |{ok}"
            )
            target.unlink()
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per figure of the decisions table (best of 40 windows)")
    parser.add_argument("--rulebook", action="append", help="only these rulebooks in the decisions table")
    parser.add_argument("--cases-from", action="append", type=Path, help="folders of YAML case files and JSON fact files")
    parser.add_argument("--batch-rulebook", default=GOAL_RULEBOOK)
    parser.add_argument("--batch-cases", type=int, default=100_000)
    parser.add_argument("--batch-trace-cases", type=int, default=20_000, help="cases of the batch run with the trace on")
    parser.add_argument("--skip-batch", action="store_true")
    args = parser.parse_args(argv)

    folders = args.cases_from or [PROJECT / "examples", Path("/work/shared/examples")]
    files = case_files(folders)
    print(f"Python {sys.version.split()[0]} on {os.cpu_count()} core(s); cases from {', '.join(str(f) for f in folders if f.is_dir())}")
    print()
    decision_table(args.seconds, files, args.rulebook)
    if not args.skip_batch:
        try:
            book = engine.load(args.batch_rulebook)
        except (engine.RulebookError, engine.RulebookNotFound) as exc:
            print(f"batch: {args.batch_rulebook} is not available: {exc}")
            return 0
        cases = cases_for(book, files)
        if not cases:
            print(f"batch: no usable cases for {args.batch_rulebook}")
            return 0
        batch_table(book.file, cases, args.batch_cases, args.batch_trace_cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
