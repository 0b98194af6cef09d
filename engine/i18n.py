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
    "report_title": {"en": "Audit report", "ru": "Аудиторский отчёт", "zh": "审计报告", "de": "Prüfbericht"},
    "decisions": {"en": "Decisions", "ru": "Решения", "zh": "决定", "de": "Entscheidungen"},
    "held": {"en": "Conditions that held", "ru": "Выполненные условия", "zh": "成立的条件", "de": "Erfüllte Bedingungen"},
    "not_held": {"en": "Conditions that did not hold", "ru": "Невыполненные условия", "zh": "不成立的条件", "de": "Nicht erfüllte Bedingungen"},
    "not_in_force_heading": {"en": "Rules not in force on that date", "ru": "Правила, не действовавшие на эту дату", "zh": "该日期不适用的规则", "de": "An diesem Tag nicht geltende Regeln"},
    "condition": {"en": "condition", "ru": "условие", "zh": "条件", "de": "Bedingung"},
    "because": {"en": "because", "ru": "потому что", "zh": "原因", "de": "weil"},
    "quote": {"en": "the law's words", "ru": "текст нормы", "zh": "法律原文", "de": "Wortlaut"},
    "translation": {"en": "translation", "ru": "перевод", "zh": "译文", "de": "Übersetzung"},
    "see_also": {"en": "see also", "ru": "см. также", "zh": "另见", "de": "siehe auch"},
    "facts_of_case": {"en": "Facts of the case", "ru": "Факты дела", "zh": "案件事实", "de": "Sachverhalt"},
    "audit_record": {"en": "Audit record", "ru": "Сведения для проверки", "zh": "审计记录", "de": "Prüfvermerk"},
    "engine_version": {"en": "engine version", "ru": "версия движка", "zh": "引擎版本", "de": "Engine-Version"},
    "sha256": {"en": "rulebook sha256", "ru": "sha256 свода правил", "zh": "规则集 sha256", "de": "sha256 des Regelwerks"},
    "warnings": {"en": "Warnings", "ru": "Предупреждения", "zh": "警告", "de": "Warnungen"},
    "open_source": {"en": "open the source", "ru": "открыть источник", "zh": "查看原文", "de": "Quelle öffnen"},
    "derived_values": {"en": "Computed values", "ru": "Вычисленные значения", "zh": "计算值", "de": "Berechnete Werte"},
    "no_rule_applied": {"en": "no rule applied", "ru": "ни одно правило не применилось", "zh": "没有规则适用", "de": "keine Regel traf zu"},
    "status": {"en": "status", "ru": "статус", "zh": "状态", "de": "Status"},
    "as_of_source": {"en": "date taken from", "ru": "дата взята из", "zh": "日期来源", "de": "Stichtag aus"},
    "hit_policy": {"en": "hit policy", "ru": "порядок применения", "zh": "命中策略", "de": "Trefferregel"},
    "always": {"en": "always", "ru": "всегда", "zh": "总是", "de": "immer"},
    "from_fact": {"en": "the fact", "ru": "факта", "zh": "事实", "de": "der Tatsache"},
    "as_of_argument": {"en": "the date given", "ru": "указанной даты", "zh": "指定日期", "de": "dem angegebenen Datum"},
    "as_of_today": {"en": "today's date", "ru": "сегодняшней даты", "zh": "今天的日期", "de": "dem heutigen Datum"},
    "policy_first": {"en": "first: the first rule that applies decides", "ru": "первое: решает первое применимое правило", "zh": "首条：第一条适用的规则决定", "de": "erste: die erste zutreffende Regel entscheidet"},
    "policy_unique": {"en": "unique: at most one rule applies", "ru": "единственное: применимо не более одного правила", "zh": "唯一：至多一条规则适用", "de": "eindeutig: höchstens eine Regel trifft zu"},
    "policy_collect": {"en": "collect: every rule that applies adds its value", "ru": "все: каждое применимое правило добавляет значение", "zh": "汇总：每条适用规则都加入其值", "de": "sammeln: jede zutreffende Regel fügt ihren Wert hinzu"},
    "document_title": {"en": "Rulebook", "ru": "Свод правил", "zh": "规则集", "de": "Regelwerk"},
    "facts": {"en": "Facts", "ru": "Факты", "zh": "事实", "de": "Tatsachen"},
    "meaning": {"en": "meaning", "ru": "значение", "zh": "含义", "de": "Bedeutung"},
    "type": {"en": "type", "ru": "тип", "zh": "类型", "de": "Typ"},
    "parameters": {"en": "Parameters (dated values)", "ru": "Параметры (значения по датам)", "zh": "参数（按日期）", "de": "Parameter (datierte Werte)"},
    "from": {"en": "from", "ru": "с", "zh": "自", "de": "ab"},
    "examples": {"en": "Examples", "ru": "Примеры", "zh": "示例", "de": "Beispiele"},
    "expected": {"en": "expected", "ru": "ожидается", "zh": "预期", "de": "erwartet"},
    "validity": {"en": "in force", "ru": "действует", "zh": "有效期", "de": "gültig"},
    "citations": {"en": "citations", "ru": "нормы", "zh": "法律依据", "de": "Rechtsgrundlagen"},
    "sources": {"en": "Sources", "ru": "Источники", "zh": "法律渊源", "de": "Quellen"},
    "version": {"en": "version", "ru": "версия", "zh": "版本", "de": "Version"},
    "values_allowed": {"en": "values", "ru": "значения", "zh": "取值", "de": "Werte"},
    "optional": {"en": "optional", "ru": "необязательный", "zh": "可选", "de": "optional"},
    "default_value": {"en": "default", "ru": "по умолчанию", "zh": "默认", "de": "Vorgabe"},
    "derived_heading": {"en": "Derived values", "ru": "Производные значения", "zh": "派生值", "de": "Abgeleitete Werte"},
    "expression": {"en": "expression", "ru": "выражение", "zh": "表达式", "de": "Ausdruck"},
    "timeline": {"en": "Timeline", "ru": "Хронология", "zh": "时间线", "de": "Zeitleiste"},
    "changes": {"en": "changes", "ru": "изменения", "zh": "变化", "de": "Änderungen"},
    "before": {"en": "before", "ru": "до", "zh": "之前", "de": "vorher"},
    "after": {"en": "after", "ru": "после", "zh": "之后", "de": "nachher"},
    "name": {"en": "name", "ru": "имя", "zh": "名称", "de": "Name"},
    "language": {"en": "language", "ru": "язык", "zh": "语言", "de": "Sprache"},
    "is_true": {"en": "is true", "ru": "— истинно", "zh": "成立", "de": "ist wahr"},
    "is_false": {"en": "is false", "ru": "— ложно", "zh": "不成立", "de": "ist falsch"},
    "is_unknown": {"en": "is unknown", "ru": "— неизвестно", "zh": "未知", "de": "ist unbekannt"},
}


_MESSAGES: dict[str, dict[str, str]] = {
    "as_of_outside": {
        "en": "as_of {day} is outside the period this rulebook covers ({start} to {end})",
        "ru": "дата {day} вне периода, который охватывает этот свод правил ({start} — {end})",
        "zh": "适用日期 {day} 不在本规则集涵盖的期间内（{start} 至 {end}）",
        "de": "Stichtag {day} liegt außerhalb des Zeitraums dieses Regelwerks ({start} bis {end})",
    },
    "language_fallback": {
        "en": "the rulebook {rulebook} has no {wanted!r} texts (it has {available}); shown in {fallback}",
        "ru": "в своде правил {rulebook} нет текстов на языке {wanted!r} (есть: {available}); показано на {fallback}",
        "zh": "规则集 {rulebook} 没有 {wanted!r} 文本（现有：{available}）；以 {fallback} 显示",
        "de": "das Regelwerk {rulebook} hat keine Texte in {wanted!r} (vorhanden: {available}); angezeigt in {fallback}",
    },
}


def word(key: str, language: str) -> str:
    entry = _WORDS[key]
    return entry.get(language) or entry["en"]


def message(key: str, language: str, **values: object) -> str:
    """A sentence of the engine's own, in `language` (English when it has none)."""
    entry = _MESSAGES[key]
    return (entry.get(language) or entry["en"]).format(**values)


def words(language: str) -> dict[str, str]:
    """Every word above in `language`, for templates."""
    return {key: word(key, language) for key in _WORDS}
