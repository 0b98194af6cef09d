"""Where the built-in rulebooks and schemas are, in a checkout and in an installed wheel.

The top-level `rulebooks/` and `schemas/` folders of the repository are what the contract
names, so they stay where they are. A wheel carries copies of them as package data under
`engine/_data/` (setup.py's build step writes them); a checkout (or an editable install)
has no `_data` and reads the folders beside the package. Both are found through
`importlib.resources`, so the engine works from any directory.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

BUNDLED = "_data"  # engine/_data/{rulebooks,schemas} inside an installed wheel
DATA_FOLDERS = ("rulebooks", "schemas")


@cache
def data_folder(name: str) -> Path:
    """The folder `name` (rulebooks or schemas): the wheel's copy, else the checkout's."""
    if name not in DATA_FOLDERS:
        raise ValueError(f"unknown data folder {name!r}: one of {', '.join(DATA_FOLDERS)}")
    package = files("engine")
    bundled = package / BUNDLED / name
    # An unpacked install is a real folder; a zipped one (not supported by setuptools
    # wheels) would need extracting, which nothing here does.
    if isinstance(bundled, Path) and bundled.is_dir():
        return bundled
    checkout = Path(str(package)).resolve().parent / name
    return checkout


def rulebooks_folder() -> Path:
    """The built-in rulebooks (searched after the folders of TAXRULES_PATH)."""
    return data_folder("rulebooks")


def schema_file(name: str) -> Path:
    """A JSON Schema shipped with the engine, e.g. `result.schema.json` or `facts/ru.kudir.json`."""
    return data_folder("schemas") / name
