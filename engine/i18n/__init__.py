"""The engine's own words and sentences in each language it speaks, and the one way to say them.

Two catalogues, one mechanism. `WORDS` (engine/i18n/words.py) holds the headings and short
labels of reports and documents; `MESSAGES` (engine/i18n/messages.py) the sentences with
placeholders: warnings, bad input, the command line's errors, `verify`'s and `diff`'s lines.
Every entry has every language of LANGUAGES (tests/test_i18n.py holds that, and that each
translation uses the same placeholders as the English).

Code that finds a problem deep inside (the fact checker does not know who asked) cannot
know the reader's language, so it builds a `Phrase`: the English text, which is what every
test and log sees, that also remembers its key and values. The edge that knows the
language (`Book.decide(lang=)`, `--lang`, `?lang=`) says it in that language with `say`.
Error codes, field names, JSON keys and exit codes never change with the language.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine.i18n.messages import MESSAGES
from engine.i18n.words import WORDS

LANGUAGES = ("en", "ru", "zh", "de")

# language -> (group separator, decimal mark), CLDR's conventions; engine.report.locale
# writes decided values with the same marks.
NUMBER_MARKS = {
    "en": (",", "."),
    "ru": ("\u00a0", ","),  # a no-break space, so a number never wraps
    "zh": (",", "."),
    "de": (".", ","),
}

_WORDS = WORDS  # the older name, read by tests/web


class UnknownLanguage(ValueError):
    """A language neither the engine nor the rulebook speaks: refused wherever it is asked for."""


def word(key: str, language: str) -> str:
    entry = WORDS[key]
    return entry.get(language) or entry["en"]


def words(language: str) -> dict[str, str]:
    """Every word of WORDS in `language`, for templates."""
    return {key: word(key, language) for key in WORDS}


class _Formatter(string.Formatter):
    """str.format with two additions for one language: a Phrase among the values is said
    in that language too, and `{n:,}` groups digits with the language's own separator
    (`100 000` in Russian, where `100,000` would read as a hundred)."""

    def __init__(self, language: str) -> None:
        self.language = language

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Phrase):
            value = value.in_language(self.language)
        text = super().format_field(value, format_spec)
        if "," in format_spec and isinstance(value, int | Decimal) and not isinstance(value, bool):
            group, mark = NUMBER_MARKS.get(self.language, NUMBER_MARKS["en"])
            text = text.replace(",", "\0").replace(".", mark).replace("\0", group)
        return text


_FORMATTERS = {language: _Formatter(language) for language in LANGUAGES}


def message(key: str, language: str, /, **values: object) -> str:
    """The sentence `key` of MESSAGES in `language` (English when it has none), its
    placeholders filled with `values`; a Phrase among them is said in `language` too."""
    entry = MESSAGES[key]
    template = entry.get(language) or entry["en"]
    if language == "en" or language not in _FORMATTERS:
        # Fast path (every Phrase is said in English when raised, a batch of bad lines
        # raises thousands): str.format is C, and needs no help in English, where a
        # Phrase value is already its English text and `{n:,}` groups with commas.
        # tests/test_i18n.py holds it to the Formatter's answer for every message.
        return template.format_map(values)
    return _FORMATTERS[language].vformat(template, (), values)


def _phrase(key: str, values: Mapping[str, object]) -> Phrase:
    return Phrase(key, **values)


class Phrase(str):
    """A sentence of MESSAGES, said in English, that can be said again in any language.

    It is a `str` (the English text), so code and tests that read messages as text see
    exactly what they saw before; `say(phrase, "ru")` or `phrase.in_language("ru")` gives
    the Russian. Values may be Phrases themselves (a number's problem inside a fact's)."""

    key: str
    values: dict[str, object]

    def __new__(cls, key: str, /, **values: object) -> Phrase:
        self = super().__new__(cls, message(key, "en", **values))
        self.key = key
        self.values = values
        return self

    def in_language(self, language: str) -> str:
        if language == "en":
            return str.__str__(self)
        return message(self.key, language, **self.values)

    def __reduce__(self) -> Any:  # across processes (taxrules batch --jobs) with its key
        return (_phrase, (self.key, self.values))


def say(text: object, language: str) -> str:
    """`text` for a reader of `language`: a Phrase (or an exception whose message is one)
    in that language; any other text as it is (a rulebook's own message is already in
    the language it was asked in)."""
    if isinstance(text, BaseException) and len(text.args) == 1 and isinstance(text.args[0], Phrase):
        text = text.args[0]
    if isinstance(text, Phrase):
        return text.in_language(language)
    return str(text)


def choose_language(requested: object, spoken: list[str] | tuple[str, ...], rulebook: str) -> tuple[str, str | None]:
    """The language to decide and report in, and the warning to give with it, if any.

    The one policy of the API, the command line, the HTTP service and the reports:
    - a language the rulebook speaks: used, no warning;
    - a language only the engine speaks (en/ru/zh/de): used for the engine's own words,
      the rulebook's texts fall back to English (else its first language), with a
      warning in the requested language (`fallback_warning`);
    - any other: refused with UnknownLanguage, naming the rulebook's languages.
    """
    if isinstance(requested, str) and requested in spoken:
        return requested, None
    if isinstance(requested, str) and requested in LANGUAGES:
        return requested, fallback_warning(requested, spoken, rulebook)
    others = [code for code in LANGUAGES if code not in spoken]
    raise UnknownLanguage(
        Phrase(
            "language_unknown",
            wanted=requested,
            rulebook=rulebook,
            spoken=", ".join(spoken),
            others=Phrase("language_engine_also", others=", ".join(others)) if others else "",
        )
    )


def fallback_language(spoken: list[str] | tuple[str, ...]) -> str:
    """The language a rulebook's texts are shown in when the reader's is not among them."""
    return "en" if "en" in spoken else spoken[0]


def fallback_warning(language: str, spoken: list[str] | tuple[str, ...], rulebook: str) -> str | None:
    """The warning, in `language`, that the rulebook's texts are shown in another one."""
    if language in spoken:
        return None
    return message("language_fallback", language, rulebook=rulebook, wanted=language, available=", ".join(spoken), fallback=fallback_language(spoken))


__all__ = [
    "LANGUAGES",
    "MESSAGES",
    "NUMBER_MARKS",
    "WORDS",
    "Phrase",
    "UnknownLanguage",
    "choose_language",
    "fallback_language",
    "fallback_warning",
    "message",
    "say",
    "word",
    "words",
]
