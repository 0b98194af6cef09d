"""The rulebook format's citation and label additions: per-language citations, quotes,
see-also material that is never the legal basis, labels of enum values."""

from pathlib import Path

import pytest

from engine.api import Book
from engine.rulebook.errors import RulebookError
from engine.rulebook.loader import load_file

FIXTURE = (Path(__file__).parents[1] / "fixtures" / "policies.yaml").read_text(encoding="utf-8")
SALE = {"kind": "sale", "event_date": "2024-05-02", "amount": 100, "resident": True, "vip": False}


def book_from(tmp_path, text):
    path = tmp_path / "book.yaml"
    path.write_text(text, encoding="utf-8")
    return load_file(path)


def edited(*pairs):
    text = FIXTURE
    for old, new in pairs:
        assert old in text
        text = text.replace(old, new, 1)
    return text


SOURCES = (
    "  art_1: {citation: НК РФ ст. 1 п. 1, url: \"https://example.org/nk/1\"}",
    "  art_1:\n"
    "    citation: {ru: НК РФ ст. 1 п. 1, en: 'Tax Code of Russia, Art. 1(1)'}\n"
    "    quote: {ru: Налог есть обязательный платёж., en: A tax is a mandatory payment.}\n"
    "    url: https://example.org/nk/1\n"
    "  textbook: {citation: Учебник налогового права, quote: Так пишут в учебнике., kind: secondary}",
)


def test_citation_quote_and_url_in_the_result_in_the_readers_language(tmp_path):
    book = Book(book_from(tmp_path, edited(SOURCES)))
    english = book.decide(SALE, language="en").decisions["treatment"].citations[0]
    assert english["citation"] == "Tax Code of Russia, Art. 1(1)"
    assert english["quote"] == "Налог есть обязательный платёж."  # the law's own words, always
    assert english["quote_translation"] == "A tax is a mandatory payment."
    assert english["url"] == "https://example.org/nk/1"
    russian = book.decide(SALE, language="ru").decisions["treatment"].citations[0]
    assert russian["citation"] == "НК РФ ст. 1 п. 1" and "quote_translation" not in russian
    assert russian["text"] == russian["citation"]  # the deprecated first-wave name


def test_the_older_text_key_is_the_quote(tmp_path):
    model = book_from(tmp_path, edited(("{citation: НК РФ ст. 2 п. 2}", "{citation: НК РФ ст. 2 п. 2, text: Слова закона.}")))
    assert model.sources["art_2"].quote == "Слова закона."


def test_secondary_material_is_not_a_legal_basis(tmp_path):
    text = edited(SOURCES, ("        citations: [art_1]\n        explanation: {ru: Продажа резидента", "        citations: [textbook]\n        explanation: {ru: Продажа резидента"))
    with pytest.raises(RulebookError) as info:
        book_from(tmp_path, text)
    assert "'textbook' is secondary material: list it under `see_also`" in str(info.value.problems[0])


def test_secondary_material_as_see_also(tmp_path):
    text = edited(SOURCES, ("        citations: [art_1]\n        explanation: {ru: Продажа резидента", "        citations: [art_1]\n        see_also: [textbook]\n        explanation: {ru: Продажа резидента"))
    model = book_from(tmp_path, text)
    assert model.decisions["treatment"].rules[0].see_also == ("textbook",)


def test_see_also_must_name_a_source(tmp_path):
    text = edited(("        citations: [art_1]\n        explanation: {ru: Продажа резидента", "        citations: [art_1]\n        see_also: [texbook]\n        explanation: {ru: Продажа резидента"))
    with pytest.raises(RulebookError) as info:
        book_from(tmp_path, text)
    assert "citation 'texbook' is not in `sources`" in str(info.value.problems[0])


def test_check_warns_about_a_source_without_a_quote(tmp_path):
    model = book_from(tmp_path, FIXTURE)
    warnings = [str(w) for w in model.warnings]
    assert any("source 'art_2' has no quote" in w for w in warnings)


def test_official_letter_needs_number_and_date(tmp_path):
    model = book_from(tmp_path, edited(("  art_2: {citation: НК РФ ст. 2 п. 2}", "  art_2: {citation: Письмо Минфина, quote: Слова., kind: official_letter}")))
    assert any("official letter 'art_2' needs its `number` and `date`" in str(w) for w in model.warnings)


def test_enum_value_labels(tmp_path):
    text = edited(
        (
            "  kind: {type: enum, values: [sale, refund, gift]}",
            "  kind:\n    type: enum\n    values: [sale, refund, gift]\n    label: {en: Kind of event, ru: Вид события}\n"
            "    labels: {sale: {en: a sale, ru: продажа}}",
        )
    )
    model = book_from(tmp_path, text)
    assert model.value_label("kind", "sale", "ru") == "продажа"
    assert model.value_label("kind", "sale", "zh") == "a sale"  # English before the bare value
    assert model.value_label("kind", "gift", "ru") is None
    assert model.label("kind", "ru") == "Вид события" and model.label("amount", "ru") == "amount"


def test_a_label_for_a_value_that_does_not_exist(tmp_path):
    text = edited(("  kind: {type: enum, values: [sale, refund, gift]}", "  kind: {type: enum, values: [sale, refund, gift], labels: {sail: {en: a sale}}}"))
    with pytest.raises(RulebookError) as info:
        book_from(tmp_path, text)
    assert "label for 'sail', which is not one of the values; did you mean 'sale'?" in str(info.value.problems[0])


def test_a_value_without_a_label_in_one_of_the_books_languages_is_warned_about(tmp_path):
    text = edited(
        (
            "  kind: {type: enum, values: [sale, refund, gift]}",
            "  kind:\n    type: enum\n    values: [sale, refund, gift]\n"
            "    labels: {sale: {en: a sale, ru: продажа}, refund: {en: a refund}}",
        )
    )
    warnings = [str(w) for w in book_from(tmp_path, text).warnings]
    assert any("enum value 'refund' has no label in 'ru'" in w for w in warnings)
    assert any("enum value 'gift' has no label in 'ru', 'en'" in w for w in warnings)
    assert not any("'sale' has no label" in w for w in warnings)


def test_a_list_of_an_enum_labels_its_items(tmp_path):
    # a collect decision's values are labelled on its `items`, and the report labels each item
    text = edited(
        (
            "  kind: {type: enum, values: [sale, refund, gift]}",
            "  kind: {type: enum, values: [sale, refund, gift]}\n"
            "  tags:\n    type: list\n    optional: true\n    items:\n      type: enum\n      values: [red, blue]\n"
            "      labels: {red: {en: red, ru: красный}, blue: {en: blue, ru: синий}}",
        )
    )
    model = book_from(tmp_path, text)
    assert model.value_label("tags", "blue", "ru") == "синий"
    assert not any("has no label" in str(w) and "red" in str(w) for w in model.warnings)


def test_labels_belong_to_an_enum(tmp_path):
    text = edited(("  kind: {type: enum, values: [sale, refund, gift]}", "  kind: {type: enum, values: [sale, refund, gift]}\n  note: {type: string, optional: true, labels: {x: {en: x}}}"))
    with pytest.raises(RulebookError) as info:
        book_from(tmp_path, text)
    assert "`labels` belong to an enum" in str(info.value.problems[0])


def test_an_administrative_guideline_alone_is_not_a_legal_basis(tmp_path):
    guideline = ("  art_2: {citation: НК РФ ст. 2 п. 2}", "  art_2: {citation: UStR 2000 Rz 2836, quote: Die Richtlinie liest das Gesetz., kind: guideline}")
    alone = edited(guideline, ("        citations: [art_1]\n        explanation: {ru: Продажа резидента", "        citations: [art_2]\n        explanation: {ru: Продажа резидента"))
    beside = edited(guideline, ("        citations: [art_1]\n        explanation: {ru: Продажа резидента", "        citations: [art_1, art_2]\n        explanation: {ru: Продажа резидента"))

    def complaints(text):
        return [str(w) for w in book_from(tmp_path, text).warnings if "an administrative guideline reads the law but is not the law" in str(w)]

    # the fixture's other rules cite art_2 alone too; the edited rule adds one complaint, or none beside the law
    assert len(complaints(alone)) == len(complaints(beside)) + 1
    line = next(i for i, row in enumerate(alone.splitlines(), 1) if "citations: [art_2]\n" in row + "\n" and "Продажа резидента" in alone.splitlines()[i])
    assert any(f":{line}:" in c for c in complaints(alone))
