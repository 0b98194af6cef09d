"""The few words of the command line's own text, in each language a rulebook speaks."""

from __future__ import annotations

LANGUAGES = ("en", "ru", "zh", "de")

_WORDS: dict[str, dict[str, str]] = {
    "as_of": {"en": "as of", "ru": "на дату", "zh": "适用日期", "de": "Stichtag"},
    "decided": {"en": "decided", "ru": "решено", "zh": "已决定", "de": "entschieden"},
    "undetermined": {"en": "undetermined", "ru": "не определено", "zh": "无法确定", "de": "nicht bestimmbar"},
    "decision": {"en": "Decision", "ru": "Решение", "zh": "决定", "de": "Entscheidung"},
    "value": {"en": "value", "ru": "значение", "zh": "结果", "de": "Wert"},
    "rule": {"en": "rule", "ru": "правило", "zh": "规则", "de": "Regel"},
    "law": {"en": "law", "ru": "норма", "zh": "法律依据", "de": "Rechtsgrundlage"},
    "why": {"en": "why", "ru": "почему", "zh": "理由", "de": "Begründung"},
    "missing_facts": {"en": "missing facts", "ru": "недостающие факты", "zh": "缺少的事实", "de": "fehlende Tatsachen"},
    "rules_considered": {"en": "Rules considered", "ru": "Рассмотренные правила", "zh": "考虑的规则", "de": "Geprüfte Regeln"},
    "derived": {"en": "computed", "ru": "вычислено", "zh": "计算", "de": "berechnet"},
    "true": {"en": "applies", "ru": "применяется", "zh": "适用", "de": "trifft zu"},
    "false": {"en": "does not apply", "ru": "не применяется", "zh": "不适用", "de": "trifft nicht zu"},
    "unknown": {"en": "unknown (facts missing)", "ru": "неизвестно (не хватает фактов)", "zh": "未知（缺少事实）", "de": "unbekannt (Tatsachen fehlen)"},
    "not_in_force": {"en": "not in force on that date", "ru": "не действует на эту дату", "zh": "该日期不适用", "de": "an diesem Tag nicht in Kraft"},
    "default": {"en": "no rule applied: the default", "ru": "ни одно правило не применилось: значение по умолчанию", "zh": "无规则适用：默认值", "de": "keine Regel trifft zu: Vorgabewert"},
    "computed": {"en": "computed", "ru": "вычислено", "zh": "已计算", "de": "berechnet"},
    "facts_read": {"en": "facts", "ru": "факты", "zh": "事实", "de": "Tatsachen"},
    "values_read": {"en": "values", "ru": "значения", "zh": "中间值", "de": "Zwischenwerte"},
    "parameters_read": {"en": "law's values", "ru": "установленные законом значения", "zh": "法定参数", "de": "gesetzliche Werte"},
    "in_force": {"en": "in force", "ru": "действует", "zh": "有效期", "de": "in Kraft"},
    "since": {"en": "since", "ru": "с", "zh": "自", "de": "seit"},
    "rulebook": {"en": "Rulebook", "ru": "Свод правил", "zh": "规则集", "de": "Regelwerk"},
    "none": {"en": "none", "ru": "нет", "zh": "无", "de": "keine"},
}


def word(key: str, language: str) -> str:
    entry = _WORDS[key]
    return entry.get(language) or entry["en"]
