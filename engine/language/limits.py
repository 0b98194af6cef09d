"""Bounds that keep a hostile rulebook from exhausting the process at load or run time."""

MAX_EXPRESSION_LENGTH = 4000
MAX_DEPTH = 64
MAX_LIST_LENGTH = 100_000  # longest list `range` may build
