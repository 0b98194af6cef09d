"""Finding rulebooks by id or path, and keeping each compiled once per process.

Searched: every folder in TAXRULES_PATH (os.pathsep-separated), in order, then the
built-in rulebooks (engine.resources: the wheel's copy or the checkout's `rulebooks/`).
The first file found with an id wins, so a folder in TAXRULES_PATH overrides a built-in
rulebook of the same id; `duplicates()` tells every id found twice and which file won.
A compiled rulebook is reused until its file changes.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

from engine.resources import rulebooks_folder
from engine.rulebook.errors import RulebookNotFound

_ID_LINE = re.compile(r"^id:\s*['\"]?([A-Za-z0-9_.]+)['\"]?\s*(#.*)?$", re.MULTILINE)
_cache: dict[tuple[Path, Any], tuple[tuple[int, int], Any]] = {}
_lock = threading.Lock()


def search_paths() -> list[Path]:
    """The folders searched, in order: TAXRULES_PATH's, then the built-in rulebooks."""
    paths = [Path(entry.strip()) for entry in os.environ.get("TAXRULES_PATH", "").split(os.pathsep) if entry.strip()]
    paths.append(rulebooks_folder())
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
    return _kind(path) == "ledger"


def found_by_id() -> dict[str, list[Path]]:
    """Every rulebook id on the search path with all its files, in search order (the first wins)."""
    found: dict[str, list[Path]] = {}
    seen: set[Path] = set()
    for path in rulebook_files():
        real = path.resolve()
        if real in seen:  # the same file reached twice (a folder listed twice, or inside another)
            continue
        seen.add(real)
        rulebook_id = file_id(path)
        if rulebook_id:
            found.setdefault(rulebook_id, []).append(path)
    return found


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
    return {rulebook_id: paths[0] for rulebook_id, paths in found_by_id().items()}


def duplicates() -> dict[str, list[Path]]:
    """The ids found in more than one file: the winning file first, then the ones it hides."""
    return {rulebook_id: paths for rulebook_id, paths in found_by_id().items() if len(paths) > 1}


def duplicate_notes() -> list[str]:
    """One line per duplicate id, saying which file wins (for `list` and `check`)."""
    return [
        f"{paths[0]}: duplicate id {rulebook_id}: this file wins over " + ", ".join(str(p) for p in paths[1:])
        for rulebook_id, paths in sorted(duplicates().items())
    ]


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
    """`loader(path)`, reused until the file changes (one entry per file and loader: a
    library is cached both as a model for imports and as a book for `engine.load`)."""
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size)
    with _lock:
        cached = _cache.get((path, loader))
        if cached is not None and cached[0] == key:
            return cached[1]
    value = loader(path)
    with _lock:
        _cache[(path, loader)] = (key, value)
    return value
