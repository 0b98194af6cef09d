"""Every rulebook in rulebooks/: loads cleanly, passes its embedded examples with every
rule exercised, agrees with the shared example cases and the published fact schemas, and
produces results that validate against schemas/result.schema.json."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

import engine
from engine.rulebook.factschema import fact_schema
from engine.rulebook.registry import rulebook_files, rulebook_kind
from engine.testing import compare, run_examples

ROOT = Path(__file__).resolve().parents[1]
SHARED_EXAMPLES = ROOT.parent / "shared" / "examples"
BOOKS = [p for p in rulebook_files([ROOT / "rulebooks"]) if rulebook_kind(p) == "decision"]
RESULT_SCHEMA = json.loads((ROOT / "schemas" / "result.schema.json").read_text(encoding="utf-8"))


def book_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", BOOKS, ids=book_id)
def test_embedded_examples_pass_and_exercise_every_rule(path):
    book = engine.load(path)
    report = run_examples(book)
    failures = [f"{o.name}: {'; '.join(o.problems)}" for o in report.outcomes if o.problems]
    assert not failures, "\n".join(failures)
    assert not report.unexercised, "\n".join(map(str, report.unexercised))
    assert report.outcomes, "a rulebook needs examples"


@pytest.mark.parametrize("path", BOOKS, ids=book_id)
def test_published_fact_schema_agrees(path):
    book = engine.load(path)
    published = ROOT / "schemas" / "facts" / f"{book.id}.json"
    assert published.exists(), f"run: taxrules schema {book.id} -o {published.relative_to(ROOT)}"
    assert json.loads(published.read_text(encoding="utf-8")) == fact_schema(book.model)


@pytest.mark.parametrize("path", BOOKS, ids=book_id)
def test_example_facts_satisfy_the_fact_schema_and_results_the_result_schema(path):
    book = engine.load(path)
    facts_validator = jsonschema.Draft202012Validator(fact_schema(book.model))
    for example in book.model.examples:
        if example.expect_error:
            continue
        plain_facts = json.loads(engine.jsonout.dumps(engine.jsonout.plain(example.facts)))
        assert not list(facts_validator.iter_errors(plain_facts)), example.name
        result = book.decide(example.facts, as_of=example.as_of)
        jsonschema.validate(json.loads(result.to_json()), RESULT_SCHEMA)


def shared_cases():
    if not SHARED_EXAMPLES.is_dir():
        return []
    cases = []
    for path in sorted(SHARED_EXAMPLES.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in doc.get("cases", []):
            cases.append(pytest.param(doc["rulebook"], case, id=f"{path.stem}: {case['name'][:50]}"))
    return cases


def _plain(value):
    import datetime as dt

    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@pytest.mark.parametrize(("rulebook", "case"), shared_cases())
def test_shared_example_cases(rulebook, case):
    book = engine.load(rulebook)
    facts = _plain(case.get("facts", {}))
    if case.get("expect_error"):
        with pytest.raises(engine.BadInput):
            book.decide(facts, as_of=_plain(case.get("as_of")))
        return
    result = book.decide(facts, as_of=_plain(case.get("as_of")))
    problems = compare(result.decisions, {k: _plain(v) for k, v in (case.get("expect") or {}).items()})
    assert not problems, problems
    if "expect_status" in case:
        assert result.status == case["expect_status"]
    for fact in case.get("expect_missing", []):
        assert fact in result.missing_facts


def test_example_fact_files_decide():
    """The README's example files are valid cases for their rulebooks."""
    for path in sorted((ROOT / "examples").glob("*/*.json")):
        facts = engine.jsonout.loads(path.read_text(encoding="utf-8"))
        matches = [b for b in BOOKS if set(facts) <= set(engine.load(b).model.facts)]
        assert matches, f"{path}: no rulebook has all of these facts"
        for match in matches:
            engine.load(match).decide(facts)  # raises BadInput if the file is not a valid case


def _mutations(book):
    """Invalid variants of a valid case: each must be refused by both validators."""
    example = next(e for e in book.model.examples if not e.expect_error)
    base = json.loads(engine.jsonout.dumps(engine.jsonout.plain(example.facts)))
    yield {**base, "no_such_fact": 1}
    wrong = {"enum": "not_a_value", "decimal": "abc", "boolean": "yes", "date": "31.12.2024", "string": 5, "list": "x"}
    for name, spec in book.model.facts.items():
        kind = spec.declaration["type"]
        if kind in wrong:
            yield {**base, name: wrong[kind]}


@pytest.mark.parametrize("path", BOOKS, ids=book_id)
def test_fact_checker_and_fact_schema_refuse_the_same_bad_input(path):
    book = engine.load(path)
    validator = jsonschema.Draft202012Validator(fact_schema(book.model))
    for facts in _mutations(book):
        assert list(validator.iter_errors(facts)), facts
        with pytest.raises(engine.BadInput):
            book.decide(facts)
