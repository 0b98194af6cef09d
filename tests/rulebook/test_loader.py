"""Loading rulebooks: every problem reported at file:line:col, with a useful message."""

from pathlib import Path

import pytest

from engine.rulebook.errors import RulebookError
from engine.rulebook.loader import load_file

FIXTURE = (Path(__file__).parents[1] / "fixtures" / "policies.yaml").read_text(encoding="utf-8")


def problems_of(tmp_path, text):
    path = tmp_path / "book.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError) as info:
        load_file(path)
    return [str(p).split(":", 1)[1] for p in info.value.problems]  # "line:col: message"


def line_of(text, fragment):
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def replaced(old, new):
    assert old in FIXTURE
    return FIXTURE.replace(old, new, 1)


def test_the_fixture_loads():
    book = load_file(Path(__file__).parents[1] / "fixtures" / "policies.yaml")
    assert book.id == "test.policies" and len(book.rules()) == 11


def test_yaml_syntax_error(tmp_path):
    text = replaced("version: \"1.0\"", "version: [1.0")
    [problem] = problems_of(tmp_path, text)
    assert "YAML syntax" in problem


def test_duplicate_key(tmp_path):
    text = replaced("  resident: {type: boolean}", "  resident: {type: boolean}\n  resident: {type: boolean}")
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"{line_of(text, 'resident') + 1}:3: duplicate key 'resident'")


def test_schema_error_points_at_the_key(tmp_path):
    text = replaced("    hit_policy: collect", "    hit_policy: collect\n    hitpolicy: first")
    [problem] = problems_of(tmp_path, text)
    assert "unknown key 'hitpolicy'" in problem and "did you mean 'hit_policy'" in problem


def test_bad_hit_policy(tmp_path):
    text = replaced("hit_policy: collect", "hit_policy: any")
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"{line_of(text, 'hit_policy: any')}:17:")
    assert "'any' is not one of" in problem


def test_unknown_name_in_a_condition_points_inside_the_expression(tmp_path):
    text = replaced('when: kind == "sale" and resident', 'when: kind == "sale" and residnt')
    [problem] = problems_of(tmp_path, text)
    line = line_of(text, "residnt")
    column = text.splitlines()[line - 1].index("residnt") + 1
    assert problem == f"{line}:{column}: unknown name 'residnt'; did you mean 'resident'?"


def test_enum_typo_in_a_condition(tmp_path):
    text = replaced('when: kind == "refund"', 'when: kind == "refnd"')
    [problem] = problems_of(tmp_path, text)
    line = line_of(text, '"refnd"')
    column = text.splitlines()[line - 1].index('"refnd"') + 1
    assert problem.startswith(f"{line}:{column}: 'refnd' is not a value of kind")


def test_date_compared_with_a_number(tmp_path):
    text = replaced("expr: amount >= 1000", "expr: event_date >= 1000")
    [problem] = problems_of(tmp_path, text)
    assert "cannot compare date with decimal" in problem


def test_literal_value_not_in_the_enum(tmp_path):
    text = replaced("value: taxable", "value: taxabel")
    [problem] = problems_of(tmp_path, text)
    assert "'taxabel' is not one of the decision's values" in problem and "did you mean 'taxable'" in problem


def test_unknown_citation(tmp_path):
    text = replaced("citations: [art_1]", "citations: [art_9]")
    [problem] = problems_of(tmp_path, text)
    assert "citation 'art_9' is not in `sources`" in problem


def test_missing_language(tmp_path):
    text = replaced("explanation: {ru: Возврат, en: A refund}", "explanation: {en: A refund}")
    [problem] = problems_of(tmp_path, text)
    assert "no 'ru' text" in problem


def test_unknown_placeholder(tmp_path):
    text = replaced('en: "A resident\'s sale of {amount}"', 'en: "A resident\'s sale of {amont}"')
    [problem] = problems_of(tmp_path, text)
    assert "placeholder {amont} names nothing" in problem


def test_cycle_between_derived_values(tmp_path):
    text = replaced("  tax: round(amount * rate, 2)", "  tax: round(amount * rate, 2) + loop_b\n  loop_b: tax * 2")
    problems = problems_of(tmp_path, text)
    assert any("cycle: loop_b → tax → loop_b" in p or "cycle: tax → loop_b → tax" in p for p in problems)


def test_undeclared_fact(tmp_path):
    text = replaced("expr: tax\n", "expr: tax + surcharge\n")
    [problem] = problems_of(tmp_path, text)
    assert "unknown name 'surcharge'" in problem


def test_outcome_type_mismatch(tmp_path):
    text = replaced("expr: tax\n", "expr: event_date\n")
    [problem] = problems_of(tmp_path, text)
    assert "this gives date, but the decision is decimal" in problem


def test_condition_must_be_boolean(tmp_path):
    text = replaced("when: large\n", "when: amount\n")
    [problem] = problems_of(tmp_path, text)
    assert "`when` is a condition" in problem


def test_rule_needs_value_or_expr(tmp_path):
    text = replaced("        value: refund\n", "")
    problems = problems_of(tmp_path, text)
    assert any("exactly one of `value`" in p for p in problems)


def test_several_problems_are_reported_together_in_file_order(tmp_path):
    text = replaced("citations: [art_1]", "citations: [art_9]").replace("value: taxable", "value: taxabel")
    problems = problems_of(tmp_path, text)
    assert len(problems) == 2
    lines = [int(p.split(":")[0]) for p in problems]
    assert lines == sorted(lines)


def test_unique_overlap_is_proved_by_check(tmp_path):
    text = replaced(
        '''      - id: taxable_sale
        when: treatment == "taxable"''',
        '''      - id: taxable_sale
        when: resident
        expr: tax
        citations: [art_2]
        explanation: {ru: "Налог {value}", en: "Tax {value}"}
      - id: vip_sale
        when: vip and kind == "sale"''',
    )
    [problem] = problems_of(tmp_path, text)
    assert "unique decision 'tax_due': rules 'taxable_sale' and 'vip_sale' both match when kind = sale, resident = true, vip = true" in problem


def test_gap_without_default_is_proved_by_check(tmp_path):
    text = replaced(
        '''      - id: otherwise
        value: not_taxable
        citations: [art_1]
        explanation: {ru: Иначе не облагается, en: Otherwise not taxable}
''',
        "",
    )
    [problem] = problems_of(tmp_path, text)
    assert "decision 'treatment': no rule decides when kind = sale, resident = false" in problem


def test_gap_at_a_change_of_law_is_proved(tmp_path):
    text = replaced("        valid_from: 2019-01-01\n", "        valid_from: 2019-02-01\n").replace(
        '''      - id: otherwise
        value: not_taxable
        citations: [art_1]
        explanation: {ru: Иначе не облагается, en: Otherwise not taxable}
''',
        '''      - id: otherwise
        when: kind == "sale" and not resident
        value: not_taxable
        citations: [art_1]
        explanation: {ru: Иначе не облагается, en: Otherwise not taxable}
''',
    )
    [problem] = problems_of(tmp_path, text)
    assert "no rule decides when kind = gift, resident = false on 2019-01-01" in problem


def test_hostile_rulebook_is_rejected_at_load(tmp_path):
    for hostile in ['__import__("os").system("true")', "tax.__class__", "(" * 3000 + "1" + ")" * 3000]:
        text = replaced("expr: tax\n", f"expr: '{hostile}'\n")
        problems = problems_of(tmp_path, text)
        assert problems


def test_gaps_are_looked_for_only_within_the_rulebooks_period(tmp_path):
    text = """id: test.period
jurisdiction: cn
title: {en: period}
version: "1"
valid_from: 2019-01-01
languages: [en]
sources: {s: {citation: x}}
facts: {flag: {type: boolean}}
decisions:
  d:
    type: boolean
    hit_policy: first
    rules:
      - {id: flag_set, when: flag, value: true, citations: [s], explanation: {en: x}}
      - {id: flag_unset, when: not flag, valid_from: 2019-01-01, value: false, citations: [s], explanation: {en: x}}
"""
    path = tmp_path / "period.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_file(path).id == "test.period"
    path.write_text(text.replace("valid_from: 2019-01-01\nlanguages", "valid_from: 2018-01-01\nlanguages"), encoding="utf-8")
    with pytest.raises(RulebookError, match="no rule decides when flag = false on 2018-01-01"):
        load_file(path)
