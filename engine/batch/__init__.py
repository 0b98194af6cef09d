"""Many cases at once: readers for JSON Lines and CSV, and the (parallel) runner behind
`taxrules batch`. From Python, `Book.decide_many(...)` decides an iterable of cases lazily."""

from engine.batch.reader import Case, InputError, cases_from_path
from engine.batch.runner import Options, Summary, run

__all__ = ["Case", "InputError", "Options", "Summary", "cases_from_path", "run"]
