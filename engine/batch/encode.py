"""One-line JSON of results, fast: the bytes of `engine.jsonout.dumps(value, indent=None)`.

The writer lives in engine/jsonout.py (`dumps_line`), shared with the ledger's findings
and the result's `to_json`; this name stays for the batch runner.
"""

from __future__ import annotations

from engine.jsonout import dumps_line

__all__ = ["dumps_line"]
