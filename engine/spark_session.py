"""One SparkSession per process, configured for exact decimals, for the Spark executors
(`reconcile --engine spark`, `batch --engine spark`).

- decimals stay DECIMAL(38, 18): with `allowPrecisionLoss` off, Spark keeps the scale of
  a sum instead of rounding it away, and ANSI mode makes an overflow an error, not a NULL;
- dates are DATE, the session's time zone UTC (nothing here has a time of day);
- the Python workers run this interpreter, with this project on their path, so the UDFs
  and decisions they run are our compiled closures (on a cluster, install taxrules on
  the workers).

The session is made once and shared (starting a JVM costs seconds); `master` only counts
for the first call of the process.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any

from engine.rulebook.facts import BadInput

_lock = threading.Lock()
_session: Any = None
DEFAULT_MASTER = "local[*]"


def project_root() -> str:
    return str(Path(__file__).resolve().parent.parent)


def session(master: str | None = None) -> Any:
    """The process's SparkSession (created on first use)."""
    global _session
    with _lock:
        if _session is not None:
            return _session
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise BadInput("--engine spark needs pyspark (and Java): pip install 'taxrules[spark]'") from None
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        path = os.pathsep.join(p for p in (project_root(), os.environ.get("PYTHONPATH", "")) if p)
        os.environ["PYTHONPATH"] = path  # local workers are forked with the driver's environment
        builder = (
            SparkSession.builder.master(master or DEFAULT_MASTER)
            .appName("taxrules")
            .config("spark.sql.decimalOperations.allowPrecisionLoss", "false")
            .config("spark.sql.ansi.enabled", "true")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", os.environ.get("TAXRULES_SPARK_PARTITIONS", "8"))
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.executorEnv.PYTHONPATH", path)
            .config("spark.driver.memory", os.environ.get("TAXRULES_SPARK_DRIVER_MEMORY", "2g"))
        )
        try:
            _session = builder.getOrCreate()
        except Exception as exc:  # no Java, a master that does not answer
            raise BadInput(f"--engine spark: cannot start Spark ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
        _session.sparkContext.setLogLevel("ERROR")
        return _session


def numbered(frame: Any, column: str = "line") -> Any:
    """The frame with its 1-based row position in `column`, computed without moving the
    rows: ids from monotonically_increasing_id are (partition << 33) + row in partition,
    so a partition's offset is the number of rows in the partitions before it."""
    from pyspark.sql import functions as F

    marked = frame.withColumn("_id", F.monotonically_increasing_id()).withColumn("_part", F.shiftright("_id", 33))
    counts = dict(marked.groupBy("_part").count().collect())
    offsets, total = {}, 0
    for part in sorted(counts):
        offsets[part] = total
        total += counts[part]
    if not offsets:
        return marked.withColumn(column, F.lit(0).cast("long")).drop("_id", "_part")
    offset = F.create_map(*[x for part, off in offsets.items() for x in (F.lit(part), F.lit(off))])
    position = offset[F.col("_part")] + (F.col("_id") - F.shiftleft(F.col("_part"), 33)) + 1
    return marked.withColumn(column, position.cast("long")).drop("_id", "_part")
