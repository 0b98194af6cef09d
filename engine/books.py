"""The kinds of rulebook and the one loader that dispatches on them.

A rulebook file declares its kind at the top level (`kind: ledger`; none means a decision
rulebook). Each kind lives in its own module, which registers how to build its book when
imported; `load_path` imports the module of the kind a file declares, by name. So the
decision API (engine.api) and the ledger API (engine.ledger.api) both depend on this
module and never on each other, and commands can say which command a book needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.i18n import Phrase
from engine.rulebook.registry import load_cached, rulebook_kind

# Where each kind registers itself (imported on first use, so `import engine` stays light).
KIND_MODULES: dict[str, str] = {"decision": "engine.api", "ledger": "engine.ledger.api", "library": "engine.rulebook.library"}


class LoadedRulebook:
    """What every loaded rulebook tells about itself: its id, which file and which version."""

    model: Any
    kind: str = "decision"

    @property
    def id(self) -> str:
        """The rulebook's id, e.g. `ru.invoice_adjustment`."""
        return self.model.id

    @property
    def version(self) -> str:
        """The version the rulebook declares."""
        return self.model.version

    @property
    def sha256(self) -> str:
        """The sha256 of the rulebook's source: which text decided."""
        return self.model.sha256

    @property
    def file(self) -> str:
        """The file the rulebook was read from."""
        return self.model.file

    @property
    def languages(self) -> list[str]:
        """The languages the rulebook's texts are written in (the first is its own)."""
        return list(self.model.languages)

    def check_language(self, language: str) -> str:
        """`language` if the rulebook speaks it; ValueError naming the ones it does otherwise."""
        if language in self.model.languages:
            return language
        raise ValueError(f"language {language!r} is not one of {self.id}'s languages: {', '.join(self.model.languages)}")


@dataclass(frozen=True)
class Kind:
    """A kind of rulebook: how to build its book and which command runs it."""

    name: str
    build: Callable[[Path], LoadedRulebook]
    command: str  # the command that runs a book of this kind
    usage: str  # how to call it, with {id} for the rulebook


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    """Called by each kind's module when it is imported."""
    _KINDS[kind.name] = kind


def kind(name: str) -> Kind:
    """The registered kind `name`, importing its module on first use."""
    if name not in _KINDS and name in KIND_MODULES:
        importlib.import_module(KIND_MODULES[name])
    try:
        return _KINDS[name]
    except KeyError:
        raise ValueError(f"unknown kind of rulebook {name!r} (known: {', '.join(KIND_MODULES)})") from None


class WrongKind(ValueError):
    """A rulebook used by a command (or API) of the other kind: the message names the right one."""

    def __init__(self, rulebook_id: str, actual: str, wanted: str) -> None:
        self.rulebook_id = rulebook_id
        self.actual = actual
        self.wanted = wanted
        usage = kind(actual).usage.format(id=rulebook_id)
        super().__init__(Phrase("wrong_kind", rulebook=rulebook_id, actual=actual, wanted=wanted, usage=usage))


def load_path(path: Path, wanted: str | None = None) -> LoadedRulebook:
    """The compiled book of the file at `path` (compiled once per file version).

    With `wanted`, a book of another kind raises WrongKind before anything is compiled.
    """
    declared = rulebook_kind(path)
    if wanted is not None and declared != wanted:
        from engine.rulebook.registry import file_id

        raise WrongKind(file_id(path) or str(path), declared, wanted)
    # An unknown kind is built as a decision rulebook, whose schema then reports the `kind` key.
    return load_cached(path, kind(declared if declared in KIND_MODULES else "decision").build)
