"""The ledger on DuckDB and Spark against a floor: millions of VAT book entries.

    python benchmarks/bench_ledger_sql.py --size 10000000 --skip-batch --skip-spark   # the 10 M + 10 M run
    python benchmarks/bench_ledger_sql.py --size 2000000 --skip-spark                   # DuckDB vs in-memory batch
    python benchmarks/bench_ledger_sql.py --size 1000000 --skip-batch --skip-floor      # Spark local[2]

The book (sales, then purchases, corrective invoices and buyers' restoration entries) is
generated on disk by DuckDB itself, as JSON Lines and as Parquet, in `--dir` (a fresh
folder under /tmp, deleted at the end unless `--keep`). Its trouble is rare, as in real
books: 0.2 % of sales missing from the purchase book, 0.1 % with a VAT difference, 0.05 %
each with a value difference, a date a day off, booked twice; 0.1 % deductions no seller
reported; corrective invoices for 0.5 % of sales, some late, some before the agreement,
some not restored or restored in another amount, some for invoices nobody sold.

Each run is a fresh process, timed from start to the findings written, with the peak
resident memory of the process and its children (wait4):

- duckdb: `taxrules reconcile ru.vat_reconciliation --engine duckdb --memory-limit M -o F`
  — every check, findings as JSON with messages, citations and traces;
- floor: the same eight checks written by hand as one DuckDB SQL script (typed read of the
  JSON Lines, one query per check, the (check, lines) of each finding copied to a CSV file),
  same memory limit, same threads — what a person would write for this one rulebook;
- batch: `taxrules reconcile … --engine batch` (the in-memory executor);
- spark: `taxrules reconcile … --engine spark --master local[2]`.

Every executor must report the same findings: the (check, lines) of the floor, and the
very same JSON lines between batch, DuckDB and Spark (the script exits 1 otherwise).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

GENERATE = """
CREATE TABLE sales AS
SELECT i, lpad(i::VARCHAR, 9, '0') AS invoice_no,
       DATE '2024-01-01' + (hash(i, 'd') % 365)::INTEGER AS invoice_date,
       '77' || lpad((hash(i, 's') % 500)::VARCHAR, 8, '0') AS seller_inn,
       '50' || lpad((hash(i, 'b') % 500)::VARCHAR, 8, '0') AS buyer_inn,
       ((hash(i, 'a') % 99999900) + 100)::DECIMAL(12, 0) * 0.01 AS amount,
       hash(i, 'r') % 10000 AS roll
FROM range({n}) t(i);
COPY (SELECT 'sale' AS record, invoice_no, invoice_date, seller_inn, buyer_inn, amount,
             round(amount * 0.2, 2) AS vat FROM sales ORDER BY i)
  TO '{dir}/1_sales.jsonl' (FORMAT JSON);
CREATE TABLE purchases AS
SELECT i, invoice_no,
       CASE WHEN roll BETWEEN 35 AND 39 THEN invoice_date + 1 ELSE invoice_date END AS invoice_date,
       seller_inn, buyer_inn,
       CASE WHEN roll BETWEEN 30 AND 34 THEN amount - 1 ELSE amount END AS amount,
       CASE WHEN roll BETWEEN 20 AND 29 THEN round(amount * 0.2, 2) + 0.01 ELSE round(amount * 0.2, 2) END AS vat
FROM sales, range(2) copies(k)
WHERE roll >= 20 AND (k = 0 OR roll BETWEEN 40 AND 44)
UNION ALL
SELECT {n} + i, 'U' || lpad(i::VARCHAR, 8, '0'), DATE '2024-03-01', '7700000001', '5000000001', 1000.00, 200.00
FROM range({n} // 1000) t(i);
COPY (SELECT 'purchase' AS record, invoice_no, invoice_date, seller_inn, buyer_inn, amount, vat FROM purchases ORDER BY i)
  TO '{dir}/2_purchases.jsonl' (FORMAT JSON);
CREATE TABLE correctives AS
SELECT s.i, 'K' || lpad(s.i::VARCHAR, 9, '0') AS ksf_no, s.invoice_date + 20 AS ksf_date,
       CASE WHEN hash(s.i, 'x') % 50 = 0 THEN 'X' || s.invoice_no ELSE s.invoice_no END AS invoice_no,
       s.invoice_date, s.seller_inn, s.buyer_inn,
       CASE WHEN hash(s.i, 'dir') % 3 = 0 THEN 'increase' ELSE 'decrease' END AS direction,
       ((hash(s.i, 'v') % 100000) + 1)::DECIMAL(12, 0) * 0.01 AS vat_difference,
       CASE WHEN hash(s.i, 'g') % 10 = 0 THEN s.invoice_date + 30 WHEN hash(s.i, 'g') % 10 = 1 THEN s.invoice_date + 5
            ELSE s.invoice_date + 17 END AS agreement_date,
       hash(s.i, 'h') % 20 AS roll
FROM sales s WHERE s.i % 200 = 7;
COPY (SELECT 'corrective' AS record, ksf_no, ksf_date, invoice_no, invoice_date, seller_inn, buyer_inn, direction,
             vat_difference, agreement_date FROM correctives ORDER BY i)
  TO '{dir}/3_correctives.jsonl' (FORMAT JSON);
COPY (SELECT 'restoration' AS record, ksf_no, ksf_date, seller_inn, buyer_inn,
             CASE WHEN roll = 1 THEN vat_difference - 1 ELSE vat_difference END AS vat
      FROM correctives WHERE direction = 'decrease' AND roll <> 0 ORDER BY i)
  TO '{dir}/4_restorations.jsonl' (FORMAT JSON);
"""

# The floor: the eight checks of ru.vat_reconciliation by hand, for this rulebook only; the
# corrective-invoice deadline (ru.common.corrective_invoice_deadline) through a calendar
# table of Russian working days (from the engine's calendars, i.e. `holidays` and the
# government's transfer decrees) — the table-based alternative to our UDF.
FLOOR = """
SET memory_limit = '{memory}';
SET temp_directory = '{dir}/floor_spill';
SET preserve_insertion_order = true;
CREATE TABLE book AS SELECT * FROM read_json('{book}', format = 'newline_delimited', columns = {{
  'record': 'VARCHAR', 'invoice_no': 'VARCHAR', 'invoice_date': 'DATE', 'seller_inn': 'VARCHAR', 'buyer_inn': 'VARCHAR',
  'amount': 'DECIMAL(38, 18)', 'vat': 'DECIMAL(38, 18)', 'ksf_no': 'VARCHAR', 'ksf_date': 'DATE', 'direction': 'VARCHAR',
  'vat_difference': 'DECIMAL(38, 18)', 'agreement_date': 'DATE', 'accepted_for_accounting': 'BOOLEAN'}});
CREATE TABLE ru_days (day DATE, working BOOLEAN);
INSERT INTO ru_days VALUES {calendar};
CREATE TABLE deadline AS  -- art. 168 item 3: five calendar days, moved off a non-working day (art. 6.1 item 7)
  SELECT a.day AS agreement, min(w.day) AS last_day FROM ru_days a JOIN ru_days w ON w.working AND w.day >= a.day + 5 GROUP BY a.day;
CREATE VIEW s AS SELECT rowid + 1 AS line, * FROM book WHERE record = 'sale';
CREATE VIEW p AS SELECT rowid + 1 AS line, * FROM book WHERE record = 'purchase';
CREATE VIEW k AS SELECT rowid + 1 AS line, * FROM book WHERE record = 'corrective';
CREATE VIEW r AS SELECT rowid + 1 AS line, * FROM book WHERE record = 'restoration';
COPY (
  SELECT 1 AS c, p.line AS a, NULL AS b FROM p ANTI JOIN s USING (invoice_no, invoice_date, seller_inn, buyer_inn)
  UNION ALL SELECT 2, s.line, NULL FROM s ANTI JOIN p USING (invoice_no, invoice_date, seller_inn, buyer_inn)
  UNION ALL SELECT 3, s.line, p.line FROM s JOIN p USING (invoice_no, invoice_date, seller_inn, buyer_inn)
            WHERE p.amount <> s.amount OR p.vat <> s.vat
  UNION ALL SELECT 4, k.line, NULL FROM k ANTI JOIN r USING (ksf_no, ksf_date, seller_inn, buyer_inn)
            WHERE k.direction = 'decrease' AND coalesce(k.accepted_for_accounting, true)
  UNION ALL SELECT 5, k.line, r.line FROM k JOIN r USING (ksf_no, ksf_date, seller_inn, buyer_inn)
            WHERE k.direction = 'decrease' AND r.vat <> k.vat_difference
  UNION ALL SELECT 6, k.line, NULL FROM k JOIN deadline d ON d.agreement = k.agreement_date WHERE k.ksf_date > d.last_day
  UNION ALL SELECT 7, k.line, NULL FROM k WHERE k.ksf_date < k.agreement_date
  UNION ALL SELECT 8, k.line, NULL FROM k ANTI JOIN s USING (invoice_no, invoice_date, seller_inn, buyer_inn)
  ORDER BY 1, 2, 3
) TO '{dir}/floor.csv' (HEADER false);
"""
CHECKS = ["purchase_without_sale", "sale_without_purchase", "amount_mismatch", "decrease_not_restored",
          "restoration_mismatch", "late_corrective_invoice", "corrective_before_agreement", "corrective_without_invoice"]


def timed(command: list[str]) -> tuple[float, float, int]:
    """(seconds, peak resident MB of the process, exit code). Spark's JVM is a child of
    the process: its memory is not in this figure."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    stderr = process.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        print(stderr[-3000:], file=sys.stderr)
    return elapsed, usage.ru_maxrss / 1024, code


def calendar_rows() -> str:
    import datetime as dt

    sys.path.insert(0, str(PROJECT))
    from engine.language.calendars import is_working_day

    day, rows = dt.date(2023, 1, 1), []
    while day <= dt.date(2026, 12, 31):
        rows.append(f"(DATE '{day}', {'TRUE' if is_working_day(day, 'RU') else 'FALSE'})")
        day += dt.timedelta(days=1)
    return ", ".join(rows)


def keys_of_findings(path: Path) -> list[tuple[str, tuple[int, ...]]]:
    out = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            finding = json.loads(line)
            out.append((finding["check"], tuple(r["line"] for r in finding["records"])))
    return out


def keys_of_floor(path: Path) -> list[tuple[str, tuple[int, ...]]]:
    out = []
    with path.open(encoding="utf-8") as handle:
        for c, a, b in csv.reader(handle):
            out.append((CHECKS[int(c) - 1], (int(a),) if b == "" else (int(a), int(b))))
    return out


def generate(args: argparse.Namespace, folder: Path) -> None:
    import duckdb

    start = time.perf_counter()
    con = duckdb.connect(str(folder / "gen.duckdb"))
    con.execute(f"SET memory_limit = '{args.memory_limit}'; SET temp_directory = '{folder}/gen_spill'")
    con.execute(GENERATE.format(n=args.size, dir=folder))
    book = folder / "book.jsonl"
    with book.open("wb") as out:
        for part in sorted(folder.glob("[1-4]_*.jsonl")):
            with part.open("rb") as source:
                shutil.copyfileobj(source, out, 16 << 20)
            part.unlink()
    counts = dict(con.execute(f"SELECT record, count(*) FROM read_json('{book}', columns = {{'record': 'VARCHAR'}}) GROUP BY 1").fetchall())
    if not args.skip_parquet:
        con.execute(
            f"COPY (SELECT * FROM read_json('{book}', format = 'newline_delimited', columns = {{'record': 'VARCHAR', 'invoice_no': 'VARCHAR', "
            "'invoice_date': 'DATE', 'seller_inn': 'VARCHAR', 'buyer_inn': 'VARCHAR', 'amount': 'DECIMAL(15, 2)', 'vat': 'DECIMAL(15, 2)', "
            "'ksf_no': 'VARCHAR', 'ksf_date': 'DATE', 'direction': 'VARCHAR', 'vat_difference': 'DECIMAL(15, 2)', 'agreement_date': 'DATE'})) "
            f"TO '{folder}/book.parquet' (FORMAT PARQUET)"
        )
    con.close()
    (folder / "gen.duckdb").unlink()
    shutil.rmtree(folder / "gen_spill", ignore_errors=True)
    total = sum(counts.values())
    print(f"book: {total:,} records ({', '.join(f'{k} {v:,}' for k, v in sorted(counts.items()))}); "
          f"JSON Lines {book.stat().st_size / 2**30:.2f} GiB, generated in {time.perf_counter() - start:.0f} s", flush=True)
    (folder / "counts.json").write_text(json.dumps(counts))



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=2_000_000, help="sales entries (purchases about as many)")
    parser.add_argument("--memory-limit", default="3GB")
    parser.add_argument("--dir", default=None, help="where to generate the book (default: a new folder in /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the generated book")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--skip-floor", action="store_true")
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument("--skip-parquet", action="store_true")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.generate_only:
        # The book is generated by a child process: Linux keeps a process's peak RSS across
        # fork and exec, so a parent grown by the generation would lend the executors its
        # peak in wait4's figures.
        folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="taxrules-bench-"))
        command = [sys.executable, __file__, "--generate-only", "--dir", str(folder), "--size", str(args.size), "--memory-limit", args.memory_limit]
        if args.skip_parquet:
            command.append("--skip-parquet")
        if subprocess.run(command).returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            return 1
        args.dir = str(folder)

    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="taxrules-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    if args.generate_only:
        generate(args, folder)
        return 0
    try:
        book = folder / "book.jsonl"
        counts = json.loads((folder / "counts.json").read_text())
        rows: list[tuple[str, float, float, int]] = []
        reconcile = [sys.executable, "-m", "engine.cli", "reconcile", "ru.vat_reconciliation"]
        results: dict[str, Path] = {}

        def run(name: str, command: list[str], output: Path | None) -> None:
            seconds, peak, code = timed(command)
            if code != 0:
                raise SystemExit(f"{name} failed with exit code {code}")
            findings = sum(1 for _ in output.open()) if output is not None else 0
            rows.append((name, seconds, peak, findings))
            print(f"  {name}: {seconds:.1f} s, peak {peak:,.0f} MB, {findings:,} findings", flush=True)

        out = folder / "duckdb.jsonl"
        run(f"duckdb (JSON Lines, --memory-limit {args.memory_limit})", reconcile + ["--input", str(book), "--engine", "duckdb", "--memory-limit", args.memory_limit, "-o", str(out)], out)
        results["duckdb"] = out
        if not args.skip_parquet:
            out = folder / "duckdb_parquet.jsonl"
            run(f"duckdb (Parquet, --memory-limit {args.memory_limit})", reconcile + ["--input", str(folder / "book.parquet"), "--engine", "duckdb", "--memory-limit", args.memory_limit, "-o", str(out)], out)
            results["duckdb_parquet"] = out
        if not args.skip_floor:
            script = FLOOR.format(memory=args.memory_limit, dir=folder, book=book, calendar=calendar_rows())
            os.makedirs(folder / "floor_spill", exist_ok=True)
            code = f"import duckdb; con = duckdb.connect({str(folder / 'floor.duckdb')!r}); con.execute({script!r})"
            run("floor: hand-written DuckDB SQL", [sys.executable, "-c", code], folder / "floor.csv")
            results["floor"] = folder / "floor.csv"
        if not args.skip_batch:
            out = folder / "batch.jsonl"
            run("batch (in memory)", reconcile + ["--input", str(book), "--engine", "batch", "-o", str(out)], out)
            results["batch"] = out
        if not args.skip_spark:
            out = folder / "spark.jsonl"
            run("spark local[2]", reconcile + ["--input", str(book), "--engine", "spark", "--master", "local[2]", "-o", str(out)], out)
            results["spark"] = out

        same = True
        reference = keys_of_findings(results["duckdb"])
        if "floor" in results:
            floor_keys = keys_of_floor(results["floor"])
            same &= floor_keys == reference
            print(f"floor (check, lines) == duckdb: {floor_keys == reference}")
        for name in ("duckdb_parquet", "batch", "spark"):
            if name in results:
                if name == "duckdb_parquet":  # Parquet has no blank lines: lines are positions, values the file's decimals
                    equal = keys_of_findings(results[name]) == reference
                else:
                    equal = results[name].read_bytes() == results["duckdb"].read_bytes()
                same &= equal
                print(f"{name} {'(check, lines)' if name == 'duckdb_parquet' else 'bytes'} == duckdb: {equal}")

        print()
        print(f"| executor ({args.size:,} sales + {counts.get('purchase', 0):,} purchases + {counts.get('corrective', 0) + counts.get('restoration', 0):,} corrective/restoration) | wall s | peak RSS MB | findings | vs duckdb |")
        print("|---|---:|---:|---:|---:|")
        ours = rows[0][1]
        for name, seconds, peak, findings in rows:
            print(f"| {name} | {seconds:.1f} | {peak:,.0f} | {findings:,} | {seconds / ours:.2f}x |")
        return 0 if same else 1
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
