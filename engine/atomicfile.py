"""An output file that is replaced only when the run that writes it succeeds.

`taxrules reconcile -o findings.jsonl` on a book whose last line is corrupt used to open
(and so empty) findings.jsonl first and then fail: the findings of yesterday's run were
gone, and today's were never written. Writing to a temporary file beside the target
and renaming it over the target at the end (atomic on POSIX and Windows) means a failure
leaves the existing file exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def replaced_on_success(path: str | os.PathLike[str], encoding: str = "utf-8") -> Iterator[IO[str]]:
    """A text stream whose content becomes `path` when the block ends without an
    exception; on any exception (SystemExit included) `path` is left untouched."""
    target = Path(path)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below
        "w", encoding=encoding, newline="", dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
    )
    try:
        yield handle
        handle.close()
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(handle.name, target.stat().st_mode & 0o7777)
        else:
            with contextlib.suppress(OSError):
                os.chmod(handle.name, 0o666 & ~_umask())
        os.replace(handle.name, target)
    except BaseException:
        handle.close()
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
