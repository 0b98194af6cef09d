"""The case form: controls named by fact paths, and a submitted form read back into facts."""

from __future__ import annotations

from decimal import Decimal

import pytest

import engine
from engine.web import forms


def _book(rulebook_id: str):
    return engine.load(rulebook_id)


def test_controls_follow_the_fact_declarations() -> None:
    model = _book("ru.invoice_adjustment").model
    controls = {c.name: c for c in forms.case_form(model, {}, "en")}
    assert list(controls) == list(model.facts)  # the rulebook's order
    assert controls["event"].kind == "enum"
    assert [value for value, _ in controls["event"].options][:2] == ["price_change", "provisional_price_finalized"]
    assert controls["seller_vat_payer"].kind == "boolean"
    assert controls["invoice_date"].kind == "date"
    assert controls["value_before"].kind == "decimal"
    assert controls["value_before"].minimum == "0" and controls["value_before"].maximum is None
    assert controls["vat_rate"].maximum == "1"
    assert controls["agreement_date"].optional and not controls["event_date"].optional


def test_a_list_of_records_is_named_with_indexes_and_has_an_empty_row_template() -> None:
    model = _book("at.vat_refund").model
    facts = {"invoices": [{"id": "R-1", "vat_amount": "120.50", "kind": "fuel"}, {"id": "R-2", "vat_amount": 7}]}
    invoices = next(c for c in forms.case_form(model, facts, "de") if c.name == "invoices")
    names = [c.name for row in invoices.children for c in row.children]
    assert names[:4] == ["invoices[0].id", "invoices[0].vat_amount", "invoices[0].kind", "invoices[0].date"]
    assert "invoices[1].vat_amount" in names
    values = {c.name: c.value for row in invoices.children for c in row.children}
    assert values["invoices[0].vat_amount"] == "120.50" and values["invoices[1].vat_amount"] == "7"
    assert invoices.template is not None
    assert [c.name for c in invoices.template.children][0] == "invoices[__index__].id"
    assert forms.dom_id("invoices[0].vat_amount") == "f-invoices-0-vat_amount"


def test_enum_labels_in_the_language_asked_when_the_rulebook_gives_them() -> None:
    spec = {"type": "enum", "values": ["a", "b"], "labels": {"a": {"ru": "первый", "en": "first"}}}
    assert forms.value_labels(spec, "ru") == {"a": "первый", "b": "b"}
    assert forms.value_labels(spec, "zh") == {"a": "first", "b": "b"}  # English before the raw value


def test_reading_a_form_keeps_absent_facts_absent_and_text_exact() -> None:
    model = _book("ru.invoice_adjustment").model
    facts = forms.read_case(
        model,
        [
            ("_lang", "ru"),
            ("_as_of", "2024-05-02"),
            ("event", "price_change"),
            ("seller_vat_payer", "true"),
            ("buyer_vat_payer", "false"),
            ("parties_agreement", ""),  # not known: absent, never false
            ("value_before", " 250000.10 "),
            ("value_after", ""),
            ("invoice_date", "2024-04-15"),
        ],
    )
    assert facts == {
        "event": "price_change",
        "seller_vat_payer": True,
        "buyer_vat_payer": False,
        "value_before": Decimal("250000.10"),
        "invoice_date": "2024-04-15",
    }
    normalised = engine.load("ru.invoice_adjustment").normalise(facts)
    assert normalised["value_before"] == Decimal("250000.10")


def test_rows_come_back_in_index_order_and_empty_rows_are_dropped() -> None:
    model = _book("at.vat_refund").model
    facts = forms.read_case(
        model,
        [
            ("invoices[2].id", "C"),
            ("invoices[2].vat_amount", "3"),
            ("invoices[0].id", "A"),
            ("invoices[0].vat_amount", "1.10"),
            ("invoices[0].kind", "general"),
            ("invoices[1].id", ""),
            ("invoices[1].vat_amount", ""),
            ("invoices[1].kind", ""),
        ],
    )
    assert facts == {"invoices": [{"id": "A", "vat_amount": Decimal("1.10"), "kind": "general"}, {"id": "C", "vat_amount": Decimal("3")}]}
    assert forms.read_case(model, [("invoices[0].id", ""), ("invoices[0].kind", "")]) == {}


@pytest.mark.parametrize(
    "name",
    ["invoices.id", "invoices[x].id", "invoices[0].nope", "invoices[0]", "residence[0]", "residence.x", "9bad", "invoices[999999].id"],
)
def test_a_control_that_is_not_a_fact_path_is_refused_with_its_name(name: str) -> None:
    model = _book("at.vat_refund").model
    with pytest.raises(forms.FormError) as refused:
        forms.read_case(model, [(name, "1")])
    assert name.split("[")[0].split(".")[0] in str(refused.value) or name in str(refused.value)


def test_an_unknown_fact_reaches_the_engine_which_names_it() -> None:
    book = _book("ru.invoice_adjustment")
    facts = forms.read_case(book.model, [("evnt", "price_change")])
    with pytest.raises(engine.rulebook.facts.BadInput) as refused:
        book.decide(facts)
    assert refused.value.field == "evnt" and "event" in str(refused.value)


def test_the_engine_names_a_bad_field_with_the_control_name() -> None:
    book = _book("at.vat_refund")
    example = book.model.examples[0]
    facts = dict(example.facts)
    rows = forms.read_case(book.model, [("invoices[0].id", "A"), ("invoices[0].vat_amount", "12,50"), ("invoices[0].kind", "general")])
    facts["invoices"] = rows["invoices"]
    with pytest.raises(engine.rulebook.facts.BadInput) as refused:
        book.decide(facts)
    assert refused.value.field == "invoices[0].vat_amount"
    controls = {c.name for c in forms.case_form(book.model, facts, "en")[0].walk()} | {
        c.name for top in forms.case_form(book.model, facts, "en") for c in top.walk()
    }
    assert refused.value.field in controls
