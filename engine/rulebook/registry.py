"""Finding rulebooks by id or path, and keeping each compiled once per process.

Searched: the project's `rulebooks/` folder and every folder in TAXRULES_PATH
(os.pathsep-separated). A compiled rulebook is reused until its file changes.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

from engine.rulebook.errors import RulebookNotFound

PROJECT_RULEBOOKS = Path(__file__).resolve().parents[2] / "rulebooks"
_ID_LINE = re.compile(r"^id:\s*['\"]?([A-Za-z0-9_.]+)['\"]?\s*(#.*)?$", re.MULTILINE)
_cache: dict[Path, tuple[tuple[int, int], Any]] = {}
_lock = threading.Lock()


def search_paths() -> list[Path]:
    paths = [PROJECT_RULEBOOKS]
    for entry in os.environ.get("TAXRULES_PATH", "").split(os.pathsep):
        if entry.strip():
            paths.append(Path(entry.strip()))
    return paths


def rulebook_files(paths: list[Path] | None = None) -> list[Path]:
    files: list[Path] = []
    for folder in paths or search_paths():
        if folder.is_file():
            files.append(folder)
        elif folder.is_dir():
            files.extend(sorted(p for p in folder.rglob("*.y*ml") if p.suffix in (".yaml", ".yml")))
    return files


def file_id(path: Path) -> str | None:
    try:
        head = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    match = _ID_LINE.search(head)
    return match.group(1) if match else None


def is_ledger_file(path: Path) -> bool:
    """Ledger rulebooks (checks across many records) declare `kind: ledger` at the top level."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return False
    return any(line.startswith("kind: ledger") for line in head.splitlines())


def is_library_file(path: Path) -> bool:
    """Library books (shared definitions other rulebooks import) declare `kind: library`."""
    return _kind(path) == "library"


def rulebook_kind(path: Path) -> str:
    """`decision`, `ledger` or `library`, from the top-level `kind:` line."""
    return _kind(path) or "decision"


def _kind(path: Path) -> str | None:
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return None
    for line in head.splitlines():
        if line.startswith("kind:"):
            return line.split(":", 1)[1].split("#", 1)[0].strip().strip("'\"") or None
    return None


def discover() -> dict[str, Path]:
    """Every rulebook id found on the search path; the first one found wins."""
    found: dict[str, Path] = {}
    for path in rulebook_files():
        rulebook_id = file_id(path)
        if rulebook_id and rulebook_id not in found:
            found[rulebook_id] = path
    return found


def resolve(reference: str) -> Path:
    candidate = Path(reference)
    if candidate.suffix in (".yaml", ".yml") or os.sep in reference or "/" in reference:
        if candidate.is_file():
            return candidate.resolve()
        raise RulebookNotFound(reference, [])
    known = discover()
    if reference in known:
        return known[reference]
    raise RulebookNotFound(reference, list(known))


def load_cached(path: Path, loader: Any) -> Any:
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size)
    with _lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
    value = loader(path)
    with _lock:
        _cache[path] = (key, value)
    return value
