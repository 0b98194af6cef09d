"""The law's timeline for one case: where in a range of dates the rulebook's rules or
parameters change, and what the case's decisions are on each side of each change.

A tax expert asks "was this return treated the same way before the 2019 amendment?".
The answer is the case decided with the law of every period: the dates where anything
of the book changes are known from the rulebook alone (a rule's `valid_from`, the day
after its `valid_to`, each dated parameter value), so the case is decided once per period
rather than once per day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from engine import jsonout
from engine.result import Result
from engine.rulebook import model as m

ONE_DAY = dt.timedelta(days=1)


@dataclass
class Change:
    """What changes on one date: rules coming into or leaving force, parameter values."""

    day: dt.date
    rules_in: list[m.Rule] = field(default_factory=list)
    rules_out: list[m.Rule] = field(default_factory=list)  # in force until the day before
    parameters: list[tuple[str, Any, Any]] = field(default_factory=list)  # name, before, after


def change_dates(book: m.Rulebook, start: dt.date, end: dt.date) -> list[Change]:
    """Every date in (start, end] at which a rule or a parameter of `book` changes."""
    changes: dict[dt.date, Change] = {}

    def at(day: dt.date) -> Change | None:
        if not (start < day <= end):
            return None
        return changes.setdefault(day, Change(day))

    for rule in book.rules():
        if rule.valid_from is not None and (change := at(rule.valid_from)):
            change.rules_in.append(rule)
        if rule.valid_to is not None and rule.valid_to < dt.date.max and (change := at(rule.valid_to + ONE_DAY)):
            change.rules_out.append(rule)
    for name, parameter in book.parameters.items():
        previous: Any = None
        for entry in parameter.values:
            if (change := at(entry.since)) and entry.value != previous:
                change.parameters.append((name, previous, entry.value))
            previous = entry.value
    return [changes[day] for day in sorted(changes)]


def _decisions(result: Result) -> dict[str, Any]:
    return {name: (d.value if d.determined else "?") for name, d in result.decisions.items()}


def timeline(book: Any, facts: Any, start: dt.date, end: dt.date, language: str = "en") -> dict[str, Any]:
    """The case decided with the law of each period between `start` and `end`.

    `book` is an engine Book; facts that are bad input raise BadInput as `decide` does.
    """
    if end < start:
        raise ValueError(f"--to {end.isoformat()} is before --from {start.isoformat()}")
    model: m.Rulebook = book.model
    decide = book.decide
    first = decide(facts, as_of=start, trace=False)
    periods = [{"from": start, "decisions": _decisions(first)}]
    entries = []
    previous = first
    for change in change_dates(model, start, end):
        after = decide(facts, as_of=change.day, trace=False)
        before_values, after_values = _decisions(previous), _decisions(after)
        entries.append(
            {
                "date": change.day,
                "rules_in_force_from": [f"{rule.decision}.{rule.id}" for rule in change.rules_in],
                "rules_out_of_force_from": [f"{rule.decision}.{rule.id}" for rule in change.rules_out],
                "parameters": [{"name": name, "before": before, "after": value} for name, before, value in change.parameters],
                "before": before_values,
                "after": after_values,
                "decisions_that_change": [name for name in after_values if before_values.get(name) != after_values[name]],
            }
        )
        periods[-1]["to"] = change.day - ONE_DAY
        periods.append({"from": change.day, "decisions": after_values})
        previous = after
    periods[-1]["to"] = end
    return jsonout.plain(
        {
            "rulebook": model.id,
            "version": model.version,
            "sha256": model.sha256,
            "from": start,
            "to": end,
            "changes": entries,
            "periods": periods,
        }
    )


def timeline_text(data: dict[str, Any], book: m.Rulebook, language: str) -> str:
    from engine.i18n import word
    from engine.report.locale import date as show_date
    from engine.report.model import shown

    def day(text: str) -> str:
        return show_date(dt.date.fromisoformat(text), language)

    lines = [f"{word('timeline', language)}: {book.id} {word('version', language)} {book.version}, {day(data['from'])} – {day(data['to'])}"]
    for change in data["changes"]:
        lines += ["", f"{day(change['date'])}:"]
        for rule in change["rules_in_force_from"]:
            lines.append(f"  + {rule}")
        for rule in change["rules_out_of_force_from"]:
            lines.append(f"  - {rule}")
        for parameter in change["parameters"]:
            lines.append(f"  ~ {parameter['name']}: {shown(book, parameter['name'], parameter['before'], language)} → {shown(book, parameter['name'], parameter['after'], language)}")
        for name in change["decisions_that_change"]:
            before = shown(book, name, change["before"][name], language)
            after = shown(book, name, change["after"][name], language)
            lines.append(f"  {book.label(name, language)}: {before} → {after}")
        if not change["decisions_that_change"]:
            lines.append(f"  ({word('none', language)})")
    lines += ["", f"{word('decisions', language)}:"]
    for period in data["periods"]:
        lines.append(f"  {day(period['from'])} – {day(period['to'])}: " + ", ".join(
            f"{name} = {shown(book, name, value, language)}" for name, value in period["decisions"].items()
        ))
    return "\n".join(lines) + "\n"


def earliest_date(book: m.Rulebook) -> dt.date:
    """Where a timeline starts by default: the book's own start, else its earliest dated item."""
    if book.valid_from is not None:
        return book.valid_from
    days = [rule.valid_from for rule in book.rules() if rule.valid_from]
    days += [entry.since for parameter in book.parameters.values() for entry in parameter.values]
    return min(days) if days else dt.date.today()
