"""Every string the workbench shows of its own, in en/ru/zh/de.

The engine's shared words (decided, rule, law, applies, ...) come from engine.i18n, so the
page and the command line say the same thing; this table holds the page's own. A test
checks that every key has all four languages and that every key a template uses exists.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.i18n import LANGUAGES
from engine.i18n import word as engine_word

LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "zh": "中文", "de": "Deutsch"}

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"en": "taxrules workbench", "ru": "taxrules — рабочее место", "zh": "taxrules 工作台", "de": "taxrules-Werkbank"},
    "skip": {"en": "Skip to the content", "ru": "Перейти к содержанию", "zh": "跳到正文", "de": "Zum Inhalt springen"},
    "nav_rulebooks": {"en": "Rulebooks", "ru": "Своды правил", "zh": "规则集", "de": "Regelwerke"},
    "nav_api": {"en": "JSON API", "ru": "JSON API", "zh": "JSON 接口", "de": "JSON-API"},
    "language": {"en": "Language", "ru": "Язык", "zh": "语言", "de": "Sprache"},
    "intro": {
        "en": "Find a rulebook, read it as a document, try a case and see why it was decided — no JSON needed.",
        "ru": "Найдите свод правил, прочитайте его как документ, проверьте случай и посмотрите, почему принято решение, — без JSON.",
        "zh": "查找规则集，像阅读文件一样阅读它，试算一个案例并查看判定理由——无需编写 JSON。",
        "de": "Regelwerk finden, als Dokument lesen, einen Fall prüfen und sehen, warum er so entschieden wurde — ganz ohne JSON.",
    },
    "col_id": {"en": "Id", "ru": "Идентификатор", "zh": "标识", "de": "Kennung"},
    "col_jurisdiction": {"en": "Jurisdiction", "ru": "Юрисдикция", "zh": "法域", "de": "Rechtsordnung"},
    "col_title": {"en": "Title", "ru": "Название", "zh": "名称", "de": "Titel"},
    "col_version": {"en": "Version", "ru": "Версия", "zh": "版本", "de": "Version"},
    "col_validity": {"en": "In force", "ru": "Действует", "zh": "有效期", "de": "Gültig"},
    "col_kind": {"en": "Kind", "ru": "Вид", "zh": "类型", "de": "Art"},
    "col_actions": {"en": "Open", "ru": "Открыть", "zh": "打开", "de": "Öffnen"},
    "kind_decision": {"en": "decides a case", "ru": "решение по случаю", "zh": "案例判定", "de": "entscheidet einen Fall"},
    "kind_ledger": {"en": "checks ledger books", "ru": "проверка книг учёта", "zh": "账簿核对", "de": "prüft Bücher"},
    "jurisdiction_ru": {"en": "Russia", "ru": "Россия", "zh": "俄罗斯", "de": "Russland"},
    "jurisdiction_cn": {"en": "China", "ru": "Китай", "zh": "中国", "de": "China"},
    "jurisdiction_at": {"en": "Austria", "ru": "Австрия", "zh": "奥地利", "de": "Österreich"},
    "read": {"en": "Read", "ru": "Читать", "zh": "阅读", "de": "Lesen"},
    "try_case": {"en": "Try a case", "ru": "Проверить случай", "zh": "试算案例", "de": "Fall prüfen"},
    "check_books": {"en": "Check books", "ru": "Проверить книги", "zh": "核对账簿", "de": "Bücher prüfen"},
    "broken": {"en": "does not load", "ru": "не загружается", "zh": "无法加载", "de": "lässt sich nicht laden"},
    "not_found": {"en": "No such rulebook", "ru": "Такого свода правил нет", "zh": "没有这个规则集", "de": "Kein solches Regelwerk"},
    "back_to_list": {"en": "Back to the rulebooks", "ru": "К списку сводов правил", "zh": "返回规则集列表", "de": "Zurück zu den Regelwerken"},
    # -- the case form
    "example": {"en": "Fill from an example", "ru": "Заполнить из примера", "zh": "用示例填写", "de": "Aus einem Beispiel füllen"},
    "example_none": {"en": "— an empty form —", "ru": "— пустая форма —", "zh": "— 空白表单 —", "de": "— leeres Formular —"},
    "fill": {"en": "Fill", "ru": "Заполнить", "zh": "填写", "de": "Füllen"},
    "as_of_label": {"en": "Law as of", "ru": "Право на дату", "zh": "法律适用日期", "de": "Rechtslage am"},
    "as_of_help": {
        "en": "Empty: the case's own date ({0}), else today.",
        "ru": "Пусто: дата из самого случая ({0}), иначе сегодня.",
        "zh": "留空：使用案例自身的日期（{0}），否则为今天。",
        "de": "Leer: das Datum des Falls ({0}), sonst heute.",
    },
    "as_of_help_today": {"en": "Empty: today.", "ru": "Пусто: сегодня.", "zh": "留空：今天。", "de": "Leer: heute."},
    "facts": {"en": "Facts of the case", "ru": "Факты случая", "zh": "案件事实", "de": "Sachverhalt"},
    "not_known": {"en": "— not known —", "ru": "— неизвестно —", "zh": "— 未知 —", "de": "— unbekannt —"},
    "yes": {"en": "Yes", "ru": "Да", "zh": "是", "de": "Ja"},
    "no": {"en": "No", "ru": "Нет", "zh": "否", "de": "Nein"},
    "optional": {"en": "optional", "ru": "необязательно", "zh": "可选", "de": "optional"},
    "decimal_hint": {
        "en": "a number, e.g. 1234.56 (a dot before the fraction)",
        "ru": "число, например 1234.56 (дробная часть через точку)",
        "zh": "数字，例如 1234.56（小数点用“.”）",
        "de": "eine Zahl, z. B. 1234.56 (Punkt vor den Nachkommastellen)",
    },
    "decimal_invalid": {
        "en": "Not a number: digits with an optional dot, e.g. 1234.56",
        "ru": "Это не число: цифры и, если нужно, точка, например 1234.56",
        "zh": "不是数字：请输入数字，可带小数点，例如 1234.56",
        "de": "Keine Zahl: Ziffern, bei Bedarf mit Punkt, z. B. 1234.56",
    },
    "date_hint": {"en": "a date", "ru": "дата", "zh": "日期", "de": "ein Datum"},
    "at_least": {"en": "at least {0}", "ru": "не меньше {0}", "zh": "不小于 {0}", "de": "mindestens {0}"},
    "at_most": {"en": "at most {0}", "ru": "не больше {0}", "zh": "不大于 {0}", "de": "höchstens {0}"},
    "add_row": {"en": "Add a row", "ru": "Добавить строку", "zh": "添加一行", "de": "Zeile hinzufügen"},
    "remove_row": {"en": "Remove this row", "ru": "Удалить строку", "zh": "删除此行", "de": "Zeile entfernen"},
    "row": {"en": "Row {0}", "ru": "Строка {0}", "zh": "第 {0} 行", "de": "Zeile {0}"},
    "no_rows": {"en": "No rows yet.", "ru": "Строк пока нет.", "zh": "还没有行。", "de": "Noch keine Zeilen."},
    "decide": {"en": "Decide", "ru": "Решить", "zh": "判定", "de": "Entscheiden"},
    "clear": {"en": "Clear the form", "ru": "Очистить форму", "zh": "清空表单", "de": "Formular leeren"},
    "errors_heading": {
        "en": "The engine did not accept these facts",
        "ru": "Движок не принял эти факты",
        "zh": "引擎未接受这些事实",
        "de": "Die Engine hat diesen Sachverhalt nicht angenommen",
    },
    # -- results
    "result": {"en": "Result", "ru": "Результат", "zh": "结果", "de": "Ergebnis"},
    "status": {"en": "Status", "ru": "Статус", "zh": "状态", "de": "Status"},
    "version_line": {
        "en": "{0} version {1}, sha256 {2}",
        "ru": "{0}, версия {1}, sha256 {2}",
        "zh": "{0} 版本 {1}，sha256 {2}",
        "de": "{0} Version {1}, sha256 {2}",
    },
    "as_of_source_argument": {"en": "the date given", "ru": "указанная дата", "zh": "指定的日期", "de": "angegebenes Datum"},
    "as_of_source_fact": {"en": "the fact {0}", "ru": "факт {0}", "zh": "事实 {0}", "de": "Tatsache {0}"},
    "as_of_source_today": {"en": "today", "ru": "сегодня", "zh": "今天", "de": "heute"},
    "open": {"en": "not decided yet", "ru": "ещё не решено", "zh": "尚未决定", "de": "noch offen"},
    "waiting_for": {"en": "waiting for", "ru": "не хватает", "zh": "还需要", "de": "es fehlen"},
    "quote": {"en": "The law's words", "ru": "Текст нормы", "zh": "法条原文", "de": "Wortlaut"},
    "condition": {"en": "condition", "ru": "условие", "zh": "条件", "de": "Bedingung"},
    "because": {"en": "because", "ru": "потому что", "zh": "原因", "de": "weil"},
    "otherwise": {"en": "always (no condition)", "ru": "всегда (без условия)", "zh": "总是（无条件）", "de": "immer (ohne Bedingung)"},
    "trace": {"en": "Why and why not", "ru": "Почему да и почему нет", "zh": "为何适用、为何不适用", "de": "Warum und warum nicht"},
    "warnings": {"en": "Warnings", "ru": "Предупреждения", "zh": "警告", "de": "Warnungen"},
    "download_record": {
        "en": "Download the audit record (JSON)",
        "ru": "Скачать запись для аудита (JSON)",
        "zh": "下载审计记录（JSON）",
        "de": "Prüfprotokoll herunterladen (JSON)",
    },
    "download_report": {
        "en": "Download the report (HTML)",
        "ru": "Скачать отчёт (HTML)",
        "zh": "下载报告（HTML）",
        "de": "Bericht herunterladen (HTML)",
    },
    "decisions": {"en": "Decisions", "ru": "Решения", "zh": "决定", "de": "Entscheidungen"},
    # -- the interview
    "interview": {
        "en": "Questions that settle the case",
        "ru": "Вопросы, которые решат случай",
        "zh": "可以确定结果的问题",
        "de": "Fragen, die den Fall entscheiden",
    },
    "interview_intro": {
        "en": "{0} of {1} decisions are still open. One question at a time, the most decisive first.",
        "ru": "Не решено {0} из {1}. Вопросы по одному, сначала самый важный для решения.",
        "zh": "{1} 个决定中仍有 {0} 个未确定。每次一个问题，最关键的先问。",
        "de": "{0} von {1} Entscheidungen sind offen. Eine Frage nach der anderen, die entscheidendste zuerst.",
    },
    "question": {"en": "Question {0}", "ru": "Вопрос {0}", "zh": "问题 {0}", "de": "Frage {0}"},
    "needed_by": {"en": "Settles: {0}", "ru": "Нужно для: {0}", "zh": "用于确定：{0}", "de": "Entscheidet mit: {0}"},
    "answer": {"en": "Answer", "ru": "Ответить", "zh": "回答", "de": "Antworten"},
    "dont_know": {"en": "I don't know", "ru": "Не знаю", "zh": "不知道", "de": "Weiß ich nicht"},
    "interview_done": {
        "en": "Every decision is made.",
        "ru": "Все решения приняты.",
        "zh": "所有决定均已作出。",
        "de": "Alle Entscheidungen sind getroffen.",
    },
    "interview_stuck": {
        "en": "These decisions stay open without the facts you did not know: {0}.",
        "ru": "Без фактов, которые вам неизвестны, остаются нерешёнными: {0}.",
        "zh": "缺少您不知道的事实，以下决定仍无法确定：{0}。",
        "de": "Ohne die Tatsachen, die Sie nicht wussten, bleiben offen: {0}.",
    },
    "ask_again": {
        "en": "Ask the skipped questions again",
        "ru": "Задать пропущенные вопросы снова",
        "zh": "重新询问跳过的问题",
        "de": "Übersprungene Fragen erneut stellen",
    },
    # -- the timeline
    "timeline": {"en": "Timeline", "ru": "Хронология", "zh": "时间线", "de": "Zeitleiste"},
    "timeline_intro": {
        "en": "The same case on each side of every date at which a rule or a value of the law changes.",
        "ru": "Тот же случай по обе стороны каждой даты, когда меняется правило или значение закона.",
        "zh": "在规则或法定参数发生变化的每个日期前后，对同一案例的判定。",
        "de": "Derselbe Fall vor und nach jedem Tag, an dem sich eine Regel oder ein gesetzlicher Wert ändert.",
    },
    "timeline_none": {
        "en": "Nothing in this rulebook changes over the period.",
        "ru": "В этом своде правил за период ничего не меняется.",
        "zh": "在此期间，本规则集没有任何变化。",
        "de": "In diesem Zeitraum ändert sich an diesem Regelwerk nichts.",
    },
    "timeline_from": {"en": "from {0}", "ru": "с {0}", "zh": "自 {0} 起", "de": "ab {0}"},
    "timeline_changes": {"en": "what changes", "ru": "что меняется", "zh": "变化内容", "de": "was sich ändert"},
    "timeline_differs": {"en": "decided differently", "ru": "решено иначе", "zh": "判定不同", "de": "anders entschieden"},
    "timeline_same": {
        "en": "The law changes over the period, but this case is decided the same way throughout.",
        "ru": "За период закон меняется, но этот случай всё время решается одинаково.",
        "zh": "在此期间法律有变化，但本案例的判定始终相同。",
        "de": "Das Recht ändert sich im Zeitraum, dieser Fall wird aber durchgehend gleich entschieden.",
    },
    "period": {"en": "Period", "ru": "Период", "zh": "期间", "de": "Zeitraum"},
    "rule_in_force": {"en": "rule in force", "ru": "правило вступает в силу", "zh": "规则生效", "de": "Regel tritt in Kraft"},
    "rule_out_of_force": {"en": "rule no longer in force", "ru": "правило утрачивает силу", "zh": "规则失效", "de": "Regel tritt außer Kraft"},
    "law_heading": {"en": "Law", "ru": "Норма", "zh": "法律依据", "de": "Rechtsgrundlage"},
    "view_report": {"en": "Open the audit report", "ru": "Открыть отчёт для аудита", "zh": "打开审计报告", "de": "Prüfbericht öffnen"},
    # -- the rulebook as a document
    "document": {"en": "The rulebook as a document", "ru": "Свод правил как документ", "zh": "规则集文本", "de": "Das Regelwerk als Dokument"},
    # -- ledger books
    "ledger": {"en": "Check ledger books", "ru": "Проверка книг учёта", "zh": "核对账簿", "de": "Bücher prüfen"},
    "upload_label": {
        "en": "A book of records: JSON Lines (.jsonl), CSV with a header, or a JSON array (.json); at most {0}",
        "ru": "Книга записей: JSON Lines (.jsonl), CSV с заголовком или массив JSON (.json); не больше {0}",
        "zh": "记录账簿：JSON Lines（.jsonl）、带表头的 CSV 或 JSON 数组（.json）；最大 {0}",
        "de": "Ein Buch mit Datensätzen: JSON Lines (.jsonl), CSV mit Kopfzeile oder ein JSON-Array (.json); höchstens {0}",
    },
    "upload": {"en": "Check the book", "ru": "Проверить книгу", "zh": "核对账簿", "de": "Buch prüfen"},
    "no_file": {"en": "Choose a file first.", "ru": "Сначала выберите файл.", "zh": "请先选择文件。", "de": "Bitte zuerst eine Datei wählen."},
    "book_refused": {"en": "The book was not accepted", "ru": "Книга не принята", "zh": "账簿未被接受", "de": "Das Buch wurde nicht angenommen"},
    "too_large": {
        "en": "The file is larger than the limit of {0}.",
        "ru": "Файл больше допустимых {0}.",
        "zh": "文件超过了 {0} 的上限。",
        "de": "Die Datei ist größer als die Grenze von {0}.",
    },
    "records_read": {"en": "Records read", "ru": "Прочитано записей", "zh": "读取的记录", "de": "Gelesene Datensätze"},
    "findings": {"en": "Findings", "ru": "Выявленные расхождения", "zh": "发现的问题", "de": "Feststellungen"},
    "no_findings": {"en": "No findings.", "ru": "Расхождений нет.", "zh": "未发现问题。", "de": "Keine Feststellungen."},
    "summary": {"en": "Summary", "ru": "Итог", "zh": "汇总", "de": "Zusammenfassung"},
    "filter_check": {"en": "Show the check", "ru": "Показать проверку", "zh": "显示检查项", "de": "Prüfung anzeigen"},
    "all_checks": {"en": "all checks", "ru": "все проверки", "zh": "全部检查项", "de": "alle Prüfungen"},
    "filter": {"en": "Filter", "ru": "Отобрать", "zh": "筛选", "de": "Filtern"},
    "shown_of": {"en": "{0} of {1} shown", "ru": "показано {0} из {1}", "zh": "显示 {1} 条中的 {0} 条", "de": "{0} von {1} angezeigt"},
    "col_check": {"en": "Check", "ru": "Проверка", "zh": "检查项", "de": "Prüfung"},
    "col_severity": {"en": "Severity", "ru": "Важность", "zh": "严重程度", "de": "Schwere"},
    "col_records": {"en": "Records (line)", "ru": "Записи (строка)", "zh": "记录（行）", "de": "Datensätze (Zeile)"},
    "col_message": {"en": "Message", "ru": "Сообщение", "zh": "说明", "de": "Meldung"},
    "col_count": {"en": "Count", "ru": "Количество", "zh": "数量", "de": "Anzahl"},
    "download_findings": {
        "en": "Download the findings (JSON Lines)",
        "ru": "Скачать расхождения (JSON Lines)",
        "zh": "下载发现的问题（JSON Lines）",
        "de": "Feststellungen herunterladen (JSON Lines)",
    },
    "download_table": {
        "en": "Download the table (CSV)",
        "ru": "Скачать таблицу (CSV)",
        "zh": "下载表格（CSV）",
        "de": "Tabelle herunterladen (CSV)",
    },
}


def text(key: str, language: str, *args: object) -> str:
    """The page's string `key` in `language` (English where a language lacks it), formatted."""
    entry = STRINGS.get(key)
    template = engine_word(key, language) if entry is None else entry.get(language) or entry["en"]
    return template.format(*args) if args else template


def translator(language: str) -> Callable[..., str]:
    """`t(key, *args)` for templates, bound to the page's language."""
    if language not in LANGUAGES:
        language = "en"

    def t(key: str, *args: object) -> str:
        return text(key, language, *args)

    return t
