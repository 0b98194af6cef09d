"""The engine's own sentences, with placeholders, in each language of engine.i18n.LANGUAGES.

Grouped by who says them. The English is what the contract, the tests and every log
have always read: change it only with them. The other languages are written for the
reader of that jurisdiction's tax law (the register of a tax authority's letter, not a
word-for-word rendering); field names, option names, JSON literals (`true`, `null`) and
commands stay as the user types them. A placeholder followed by `:,` is a count, grouped
in the reader's way (engine.i18n._Formatter).
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- warnings on a result ----------------------------------------------------------
    "as_of_outside": {
        "en": "as_of {day} is outside the period this rulebook covers ({start} to {end})",
        "ru": "дата {day} вне периода, который охватывает этот свод правил ({start} — {end})",
        "zh": "适用日期 {day} 不在本规则集涵盖的期间内（{start} 至 {end}）",
        "de": "Stichtag {day} liegt außerhalb des Zeitraums dieses Regelwerks ({start} bis {end})",
    },
    "language_fallback": {
        "en": "the rulebook {rulebook} has no {wanted!r} texts (it has {available}); shown in {fallback}",
        "ru": "в своде правил {rulebook} нет текстов на языке {wanted!r} (есть: {available}); его тексты показаны на языке {fallback}",
        "zh": "规则集 {rulebook} 没有 {wanted!r} 文本（现有：{available}）；以 {fallback} 显示",
        "de": "das Regelwerk {rulebook} hat keine Texte in {wanted!r} (vorhanden: {available}); angezeigt in {fallback}",
    },
    "language_unknown": {
        "en": "language {wanted!r} is not available for {rulebook}: its texts are in {spoken}{others}",
        "ru": "язык {wanted!r} недоступен для свода правил {rulebook}: его тексты составлены на языках {spoken}{others}",
        "zh": "规则集 {rulebook} 不支持语言 {wanted!r}：其文本语言为 {spoken}{others}",
        "de": "die Sprache {wanted!r} ist für das Regelwerk {rulebook} nicht verfügbar: seine Texte liegen in {spoken} vor{others}",
    },
    "language_engine_also": {
        "en": " (the engine's own words also in {others})",
        "ru": " (служебные тексты программы — также на языках {others})",
        "zh": "（引擎自身的用语另有 {others}）",
        "de": " (die eigenen Texte der Engine auch in {others})",
    },
    # -- bad facts (engine.rulebook.facts): each names the field first ------------------
    "fact_expected_number": {
        "en": "{where}: expected a number, got {got}",
        "ru": "{where}: ожидалось число, получено {got}",
        "zh": "{where}: 应为数字，实际为 {got}",
        "de": "{where}: erwartet wurde eine Zahl, erhalten: {got}",
    },
    "fact_expected_finite_number": {
        "en": "{where}: expected a finite number, got {got}",
        "ru": "{where}: ожидалось конечное число, получено {got}",
        "zh": "{where}: 应为有限数值，实际为 {got}",
        "de": "{where}: erwartet wurde eine endliche Zahl, erhalten: {got}",
    },
    "fact_number_problem": {
        "en": "{where}: the number {number} {problem}",
        "ru": "{where}: число {number} {problem}",
        "zh": "{where}: 数值 {number} {problem}",
        "de": "{where}: die Zahl {number} {problem}",
    },
    "fact_at_least": {
        "en": "{where}: must be at least {minimum}, got {number}",
        "ru": "{where}: значение должно быть не меньше {minimum}, получено {number}",
        "zh": "{where}: 不得小于 {minimum}，实际为 {number}",
        "de": "{where}: muss mindestens {minimum} betragen, erhalten: {number}",
    },
    "fact_at_most": {
        "en": "{where}: must be at most {maximum}, got {number}",
        "ru": "{where}: значение должно быть не больше {maximum}, получено {number}",
        "zh": "{where}: 不得大于 {maximum}，实际为 {number}",
        "de": "{where}: darf höchstens {maximum} betragen, erhalten: {number}",
    },
    "fact_expected_boolean": {
        "en": "{where}: expected true or false, got {got}",
        "ru": "{where}: ожидалось true или false, получено {got}",
        "zh": "{where}: 应为 true 或 false，实际为 {got}",
        "de": "{where}: erwartet wurde true oder false, erhalten: {got}",
    },
    "fact_text_too_long": {
        "en": "{where}: text of {length:,} characters; the limit is {limit:,}",
        "ru": "{where}: текст из {length:,} символов; допускается не более {limit:,}",
        "zh": "{where}: 文本长 {length:,} 个字符，上限为 {limit:,}",
        "de": "{where}: ein Text mit {length:,} Zeichen; zulässig sind höchstens {limit:,}",
    },
    "fact_expected_text": {
        "en": "{where}: expected text, got {got}",
        "ru": "{where}: ожидался текст, получено {got}",
        "zh": "{where}: 应为文本，实际为 {got}",
        "de": "{where}: erwartet wurde ein Text, erhalten: {got}",
    },
    "fact_expected_date": {
        "en": "{where}: expected a date YYYY-MM-DD, got {got}",
        "ru": "{where}: ожидалась дата в формате ГГГГ-ММ-ДД, получено {got}",
        "zh": "{where}: 应为 YYYY-MM-DD 格式的日期，实际为 {got}",
        "de": "{where}: erwartet wurde ein Datum im Format JJJJ-MM-TT, erhalten: {got}",
    },
    "fact_expected_one_of": {
        "en": "{where}: expected one of {allowed}; got {got}{hint}",
        "ru": "{where}: допустимые значения — {allowed}; получено {got}{hint}",
        "zh": "{where}: 应为以下值之一：{allowed}；实际为 {got}{hint}",
        "de": "{where}: zulässig ist einer der Werte {allowed}; erhalten: {got}{hint}",
    },
    "did_you_mean": {
        "en": "; did you mean {name!r}?",
        "ru": "; возможно, имелось в виду {name!r}?",
        "zh": "；是否指 {name!r}？",
        "de": "; gemeint ist vielleicht {name!r}?",
    },
    "fact_expected_list": {
        "en": "{where}: expected a list, got {got}",
        "ru": "{where}: ожидался список, получено {got}",
        "zh": "{where}: 应为列表，实际为 {got}",
        "de": "{where}: erwartet wurde eine Liste, erhalten: {got}",
    },
    "fact_list_too_long": {
        "en": "{where}: a list of {length:,} items; the limit is {limit:,}",
        "ru": "{where}: список из {length:,} элементов; допускается не более {limit:,}",
        "zh": "{where}: 列表有 {length:,} 项，上限为 {limit:,}",
        "de": "{where}: eine Liste mit {length:,} Einträgen; zulässig sind höchstens {limit:,}",
    },
    "fact_null_item": {
        "en": "{where}: expected a value, got null",
        "ru": "{where}: ожидалось значение, получено null",
        "zh": "{where}: 应为一个值，实际为 null",
        "de": "{where}: erwartet wurde ein Wert, erhalten: null",
    },
    "fact_expected_record": {
        "en": "{where}: expected an object with fields {fields}, got {got}",
        "ru": "{where}: ожидался объект с полями {fields}, получено {got}",
        "zh": "{where}: 应为包含字段 {fields} 的对象，实际为 {got}",
        "de": "{where}: erwartet wurde ein Objekt mit den Feldern {fields}, erhalten: {got}",
    },
    "fact_unknown_field": {
        "en": "{where}: unknown field{hint} (fields: {fields})",
        "ru": "{where}: неизвестное поле{hint} (поля: {fields})",
        "zh": "{where}: 未知字段{hint}（字段：{fields}）",
        "de": "{where}: unbekanntes Feld{hint} (Felder: {fields})",
    },
    "fact_unknown": {
        "en": "{name}: not a fact of {rulebook}{hint}",
        "ru": "{name}: такого факта нет в своде правил {rulebook}{hint}",
        "zh": "{name}: 不是规则集 {rulebook} 的事实{hint}",
        "de": "{name}: keine Tatsache des Regelwerks {rulebook}{hint}",
    },
    "facts_not_an_object": {
        "en": "the facts must be an object (a mapping of fact names to values), got {kind}",
        "ru": "факты передаются объектом (имена фактов и их значения), получено: {kind}",
        "zh": "事实必须是一个对象（事实名称到值的映射），实际为 {kind}",
        "de": "die Tatsachen sind als Objekt anzugeben (Namen der Tatsachen und ihre Werte), erhalten: {kind}",
    },
    "more_problems": {
        "en": "... and {count:,} more problem(s)",
        "ru": "... и другие ошибки (ещё {count:,})",
        "zh": "……另有 {count:,} 个问题",
        "de": "... und weitere Probleme ({count:,})",
    },
    # -- numbers past engine.limits: said of "the number X" ---------------------------------
    "number_not_finite": {
        "en": "is not a finite number",
        "ru": "не является конечным числом",
        "zh": "不是有限数值",
        "de": "ist keine endliche Zahl",
    },
    "number_too_large": {
        "en": "is out of range: the limit is {limit} digits before the decimal point (|x| < 10^{limit})",
        "ru": "вне допустимого диапазона: не более {limit} цифр до десятичного разделителя (|x| < 10^{limit})",
        "zh": "超出范围：小数点前最多 {limit} 位（|x| < 10^{limit}）",
        "de": "liegt außerhalb des zulässigen Bereichs: höchstens {limit} Stellen vor dem Komma (|x| < 10^{limit})",
    },
    "number_zero_places": {
        "en": "is out of range: a zero written with more than {places} decimal places",
        "ru": "вне допустимого диапазона: ноль записан более чем с {places} знаками после запятой",
        "zh": "超出范围：零的小数位超过 {places} 位",
        "de": "liegt außerhalb des zulässigen Bereichs: eine Null mit mehr als {places} Nachkommastellen",
    },
    "number_too_small": {
        "en": "is out of range: the smallest magnitude accepted is 10^{exponent}",
        "ru": "вне допустимого диапазона: наименьшее допустимое значение по модулю — 10^{exponent}",
        "zh": "超出范围：可接受的最小绝对值为 10^{exponent}",
        "de": "liegt außerhalb des zulässigen Bereichs: der kleinste zulässige Betrag ist 10^{exponent}",
    },
    "number_too_many_digits": {
        "en": "has more than {digits} significant digits",
        "ru": "содержит более {digits} значащих цифр",
        "zh": "有效数字超过 {digits} 位",
        "de": "hat mehr als {digits} signifikante Stellen",
    },
    # -- facts that drive a sound rule out of range (engine.rulebook.blame) ----------------
    "facts_lead_to": {
        "en": "{subject}these facts lead to {what}{origin}: {detail}",
        "ru": "{subject}эти факты приводят к {what}{origin}: {detail}",
        "zh": "{subject}这些事实导致{what}{origin}: {detail}",
        "de": "{subject}diese Tatsachen führen zu {what}{origin}: {detail}",
    },
    "lead_to_budget": {
        "en": "more work than a decision may do",
        "ru": "объёму вычислений сверх допустимого для одного решения",
        "zh": "超出单次判定允许的计算量",
        "de": "mehr Rechenaufwand, als eine Entscheidung haben darf",
    },
    "lead_to_range": {
        "en": "a value out of range",
        "ru": "значению вне допустимого диапазона",
        "zh": "数值超出范围",
        "de": "einem Wert außerhalb des zulässigen Bereichs",
    },
    "in_derived": {
        "en": " in derived value {name} ({position})",
        "ru": " в производном значении {name} ({position})",
        "zh": "（派生值 {name}，{position}）",
        "de": " im abgeleiteten Wert {name} ({position})",
    },
    "in_rule": {
        "en": " in rule {rule} of decision {decision} ({position})",
        "ru": " в правиле {rule} решения {decision} ({position})",
        "zh": "（决定 {decision} 的规则 {rule}，{position}）",
        "de": " in der Regel {rule} der Entscheidung {decision} ({position})",
    },
    "in_constraint": {
        "en": " in constraint {constraint}",
        "ru": " в ограничении {constraint}",
        "zh": "（约束 {constraint}）",
        "de": " in der Bedingung {constraint}",
    },
    # -- the command line ------------------------------------------------------------------
    "bad_facts": {
        "en": "bad facts for {rulebook}: {problem}",
        "ru": "недопустимые факты для свода правил {rulebook}: {problem}",
        "zh": "规则集 {rulebook} 的事实有误：{problem}",
        "de": "unzulässige Tatsachen für das Regelwerk {rulebook}: {problem}",
    },
    "bad_facts_many": {
        "en": "bad facts for {rulebook} ({count:,} problems):",
        "ru": "недопустимые факты для свода правил {rulebook} (ошибок: {count:,}):",
        "zh": "规则集 {rulebook} 的事实有误（{count:,} 个问题）：",
        "de": "unzulässige Tatsachen für das Regelwerk {rulebook} ({count:,} Probleme):",
    },
    "no_such_file": {
        "en": "{option}: no such file {path!r}",
        "ru": "{option}: файл {path!r} не найден",
        "zh": "{option}: 文件 {path!r} 不存在",
        "de": "{option}: die Datei {path!r} gibt es nicht",
    },
    "cannot_read": {
        "en": "{option}: cannot read {path!r}: {reason}",
        "ru": "{option}: не удалось прочитать {path!r}: {reason}",
        "zh": "{option}: 无法读取 {path!r}：{reason}",
        "de": "{option}: {path!r} kann nicht gelesen werden: {reason}",
    },
    "cannot_write": {
        "en": "{option}: cannot write {path!r}: {reason}",
        "ru": "{option}: не удалось записать {path!r}: {reason}",
        "zh": "{option}: 无法写入 {path!r}：{reason}",
        "de": "{option}: {path!r} kann nicht geschrieben werden: {reason}",
    },
    "not_json": {
        "en": "{option}: {name} is not valid JSON: {reason} at line {line} column {column}",
        "ru": "{option}: {name} не является корректным JSON: {reason}, строка {line}, столбец {column}",
        "zh": "{option}: {name} 不是有效的 JSON：{reason}（第 {line} 行第 {column} 列）",
        "de": "{option}: {name} ist kein gültiges JSON: {reason} in Zeile {line}, Spalte {column}",
    },
    "standard_input": {
        "en": "standard input",
        "ru": "стандартный ввод",
        "zh": "标准输入",
        "de": "die Standardeingabe",
    },
    "not_a_date": {
        "en": "{option}: {value!r} is not a date (YYYY-MM-DD)",
        "ru": "{option}: {value!r} не является датой (ГГГГ-ММ-ДД)",
        "zh": "{option}: {value!r} 不是日期（YYYY-MM-DD）",
        "de": "{option}: {value!r} ist kein Datum (JJJJ-MM-TT)",
    },
    "range_reversed": {
        "en": "--to {end} is before --from {start}",
        "ru": "--to {end} раньше, чем --from {start}",
        "zh": "--to {end} 早于 --from {start}",
        "de": "--to {end} liegt vor --from {start}",
    },
    "rulebook_error_deciding": {
        "en": "rulebook error while deciding: {error}",
        "ru": "ошибка в своде правил при принятии решения: {error}",
        "zh": "判定时规则集出错：{error}",
        "de": "Fehler im Regelwerk bei der Entscheidung: {error}",
    },
    "unknown_rulebook": {
        "en": "unknown rulebook {reference!r}{hint} (known: {known})",
        "ru": "неизвестный свод правил {reference!r}{hint} (известные: {known})",
        "zh": "未知的规则集 {reference!r}{hint}（已知：{known}）",
        "de": "unbekanntes Regelwerk {reference!r}{hint} (bekannt: {known})",
    },
    "none_found": {
        "en": "none found",
        "ru": "не найдено ни одного",
        "zh": "未找到任何规则集",
        "de": "keines gefunden",
    },
    "wrong_kind": {
        "en": "{rulebook} is a {actual} rulebook, not a {wanted} rulebook: use `{usage}`",
        "ru": "{rulebook} — свод правил вида {actual}, а не {wanted}: используйте `{usage}`",
        "zh": "{rulebook} 是 {actual} 类规则集，而不是 {wanted} 类：请使用 `{usage}`",
        "de": "{rulebook} ist ein Regelwerk der Art {actual}, nicht {wanted}: verwenden Sie `{usage}`",
    },
    # -- taxrules batch --------------------------------------------------------------------
    "batch_summary": {
        "en": "{cases} case(s): {decided} decided, {undetermined} undetermined, {bad} bad input, {errors} rulebook error(s){blank}",
        "ru": "случаев: {cases}; решено: {decided}, не определено: {undetermined}, недопустимые данные: {bad}, ошибки свода правил: {errors}{blank}",
        "zh": "共 {cases} 个案例：已决定 {decided}，无法确定 {undetermined}，输入有误 {bad}，规则集错误 {errors}{blank}",
        "de": "{cases} Fälle: {decided} entschieden, {undetermined} nicht bestimmbar, {bad} unzulässige Eingaben, {errors} Fehler im Regelwerk{blank}",
    },
    "batch_blank_lines": {
        "en": ", {blank} blank line(s)",
        "ru": ", пустых строк: {blank}",
        "zh": "，空行 {blank}",
        "de": ", {blank} Leerzeilen",
    },
    "batch_more_bad_lines": {
        "en": "more bad lines follow; each has an error record in the output",
        "ru": "далее есть и другие строки с ошибками; для каждой в выходном файле есть запись об ошибке",
        "zh": "后面还有出错的行；每一行在输出中都有一条错误记录",
        "de": "es folgen weitere fehlerhafte Zeilen; für jede steht ein Fehlereintrag in der Ausgabe",
    },
    "batch_interrupted": {
        "en": "interrupted ({signal}) at line {line}: the output holds one record for each input line up to it",
        "ru": "прервано ({signal}) на строке {line}: в выходном файле есть по одной записи на каждую входную строку до неё",
        "zh": "在第 {line} 行被中断（{signal}）：输出中含有此前每一输入行各一条记录",
        "de": "unterbrochen ({signal}) in Zeile {line}: die Ausgabe enthält je einen Eintrag für jede Eingabezeile bis dorthin",
    },
    "output_is_input": {
        "en": "--output: must not be the input file",
        "ru": "--output: не может совпадать с входным файлом",
        "zh": "--output: 不能是输入文件本身",
        "de": "--output: darf nicht die Eingabedatei sein",
    },
    "master_needs_spark": {
        "en": "--master applies to --engine spark",
        "ru": "--master применяется только с --engine spark",
        "zh": "--master 仅适用于 --engine spark",
        "de": "--master gilt nur mit --engine spark",
    },
    # -- taxrules reconcile: ledger records -------------------------------------------------
    "at_line": {
        "en": "line {line}: {problem}",
        "ru": "строка {line}: {problem}",
        "zh": "第 {line} 行: {problem}",
        "de": "Zeile {line}: {problem}",
    },
    "record_needs_type": {
        "en": "a record is an object with a {key!r} field, got {kind}",
        "ru": "запись должна быть объектом с полем {key!r}, получено: {kind}",
        "zh": "记录应为包含 {key!r} 字段的对象，实际为 {kind}",
        "de": "ein Datensatz ist ein Objekt mit dem Feld {key!r}, erhalten: {kind}",
    },
    "record_without_type": {
        "en": "the record has no {key!r} field (one of: {types})",
        "ru": "в записи нет поля {key!r} (возможные значения: {types})",
        "zh": "该记录缺少 {key!r} 字段（可选值：{types}）",
        "de": "dem Datensatz fehlt das Feld {key!r} (einer von: {types})",
    },
    "record_unknown_type": {
        "en": "{key}: {kind!r} is not a record type of {ledger}{hint} (one of: {types})",
        "ru": "{key}: {kind!r} не является видом записи свода правил {ledger}{hint} (возможные значения: {types})",
        "zh": "{key}: {kind!r} 不是规则集 {ledger} 的记录类型{hint}（可选值：{types}）",
        "de": "{key}: {kind!r} ist keine Datensatzart des Regelwerks {ledger}{hint} (einer von: {types})",
    },
    "record_field_missing": {
        "en": "{where}: missing (required fields: {fields})",
        "ru": "{where}: не заполнено (обязательные поля: {fields})",
        "zh": "{where}: 缺失（必填字段：{fields}）",
        "de": "{where}: fehlt (Pflichtfelder: {fields})",
    },
    "input_required": {
        "en": "--input FILE is required (or --stream to read JSONL from standard input)",
        "ru": "нужно указать --input FILE (или --stream, чтобы читать JSONL со стандартного ввода)",
        "zh": "必须指定 --input FILE（或用 --stream 从标准输入读取 JSONL）",
        "de": "--input FILE ist anzugeben (oder --stream, um JSONL von der Standardeingabe zu lesen)",
    },
    "rulebook_error_reconciling": {
        "en": "rulebook error while reconciling: {error}",
        "ru": "ошибка в своде правил при сверке: {error}",
        "zh": "核对时规则集出错：{error}",
        "de": "Fehler im Regelwerk beim Abgleich: {error}",
    },
    "more_findings": {
        "en": "... and {hidden:,} more finding(s); give -o FILE to keep them all",
        "ru": "... и другие находки (ещё {hidden:,}); укажите -o FILE, чтобы сохранить все",
        "zh": "……另有 {hidden:,} 条发现；用 -o FILE 保存全部",
        "de": "... und {hidden:,} weitere Feststellungen; mit -o FILE bleiben alle erhalten",
    },
    # -- the HTTP service: the request body (?lang= is read first) -------------------------
    "body_not_json_type": {
        "en": "the request body must be JSON (Content-Type: application/json), not {kind!r}",
        "ru": "тело запроса должно быть в формате JSON (Content-Type: application/json), а не {kind!r}",
        "zh": "请求体必须是 JSON（Content-Type: application/json），而不是 {kind!r}",
        "de": "der Anfragetext muss JSON sein (Content-Type: application/json), nicht {kind!r}",
    },
    "body_not_json": {
        "en": "the request body is not valid JSON: {reason} at line {line} column {column}",
        "ru": "тело запроса не является корректным JSON: {reason}, строка {line}, столбец {column}",
        "zh": "请求体不是有效的 JSON：{reason}（第 {line} 行第 {column} 列）",
        "de": "der Anfragetext ist kein gültiges JSON: {reason} in Zeile {line}, Spalte {column}",
    },
    "body_too_slow": {
        "en": "the request body took longer than {seconds} s to arrive",
        "ru": "тело запроса передавалось дольше {seconds} с",
        "zh": "请求体传输超过 {seconds} 秒",
        "de": "die Übertragung des Anfragetexts dauerte länger als {seconds} s",
    },
    "body_not_utf8": {
        "en": "the request body is not UTF-8 text",
        "ru": "тело запроса не является текстом в кодировке UTF-8",
        "zh": "请求体不是 UTF-8 文本",
        "de": "der Anfragetext ist kein UTF-8-Text",
    },
    "body_empty": {
        "en": "the request body is empty; {expected}",
        "ru": "тело запроса пусто; {expected}",
        "zh": "请求体为空；{expected}",
        "de": "der Anfragetext ist leer; {expected}",
    },
    "send_facts": {
        "en": "send the facts as a JSON object",
        "ru": "передайте факты объектом JSON",
        "zh": "请以 JSON 对象发送事实",
        "de": "senden Sie die Tatsachen als JSON-Objekt",
    },
    "send_records": {
        "en": "send the records as JSON Lines or a JSON array",
        "ru": "передайте записи в формате JSON Lines или массивом JSON",
        "zh": "请以 JSON Lines 或 JSON 数组发送记录",
        "de": "senden Sie die Datensätze als JSON Lines oder JSON-Array",
    },
    "body_too_large": {
        "en": "the request body is larger than the limit of {limit} bytes",
        "ru": "тело запроса больше допустимого размера ({limit} байт)",
        "zh": "请求体超过 {limit} 字节的上限",
        "de": "der Anfragetext ist größer als die Grenze von {limit} Bytes",
    },
    "body_not_array": {
        "en": "the request body must be a JSON array of fact objects",
        "ru": "тело запроса должно быть массивом JSON из объектов с фактами",
        "zh": "请求体必须是由事实对象组成的 JSON 数组",
        "de": "der Anfragetext muss ein JSON-Array von Tatsachen-Objekten sein",
    },
    "bad_records": {
        "en": "bad records for {rulebook}: {problem}",
        "ru": "недопустимые записи для свода правил {rulebook}: {problem}",
        "zh": "规则集 {rulebook} 的记录有误：{problem}",
        "de": "unzulässige Datensätze für das Regelwerk {rulebook}: {problem}",
    },
    # -- taxrules verify ---------------------------------------------------------------------
    "record_not_an_object": {
        "en": "the record is not a JSON object (expected a result of `taxrules decide --format json`)",
        "ru": "запись не является объектом JSON (ожидается результат `taxrules decide --format json`)",
        "zh": "该记录不是 JSON 对象（应为 `taxrules decide --format json` 的结果）",
        "de": "der Datensatz ist kein JSON-Objekt (erwartet wird ein Ergebnis von `taxrules decide --format json`)",
    },
    "record_incomplete": {
        "en": "the record has no {absent} (expected a result of `taxrules decide --format json` with its facts)",
        "ru": "в записи нет полей {absent} (ожидается результат `taxrules decide --format json` вместе с фактами)",
        "zh": "该记录缺少 {absent}（应为包含事实的 `taxrules decide --format json` 结果）",
        "de": "dem Datensatz fehlt {absent} (erwartet wird ein Ergebnis von `taxrules decide --format json` mit seinen Tatsachen)",
    },
    "record_facts_not_an_object": {
        "en": "the record's `facts` is not an object",
        "ru": "поле `facts` записи не является объектом",
        "zh": "该记录的 `facts` 不是对象",
        "de": "das Feld `facts` des Datensatzes ist kein Objekt",
    },
    "record_other_rulebook": {
        "en": "the rulebook {rulebook} at {file} has sha256 {actual}, but the record was decided by sha256 {recorded}: give the recorded file with --rulebook",
        "ru": "свод правил {rulebook} ({file}) имеет sha256 {actual}, а решение в записи принято по своду с sha256 {recorded}: укажите тот файл с помощью --rulebook",
        "zh": "规则集 {rulebook}（{file}）的 sha256 为 {actual}，而记录中的判定依据的 sha256 为 {recorded}：请用 --rulebook 指定所记录的文件",
        "de": "das Regelwerk {rulebook} ({file}) hat sha256 {actual}, der Datensatz wurde aber nach sha256 {recorded} entschieden: geben Sie die aufgezeichnete Datei mit --rulebook an",
    },
    "record_in_file": {
        "en": "{file}: {problem}",
        "ru": "{file}: {problem}",
        "zh": "{file}: {problem}",
        "de": "{file}: {problem}",
    },
    "record_bad_facts": {
        "en": "{file}: the recorded facts are bad input for {rulebook}: {problem}",
        "ru": "{file}: записанные факты недопустимы для свода правил {rulebook}: {problem}",
        "zh": "{file}: 记录中的事实不符合规则集 {rulebook} 的要求：{problem}",
        "de": "{file}: die aufgezeichneten Tatsachen sind für das Regelwerk {rulebook} unzulässig: {problem}",
    },
    "verify_differs": {
        "en": "{name}: recorded {before}, now {after}",
        "ru": "{name}: в записи {before}, сейчас {after}",
        "zh": "{name}: 记录为 {before}，现为 {after}",
        "de": "{name}: aufgezeichnet {before}, jetzt {after}",
    },
    "verify_absent": {
        "en": "absent",
        "ru": "отсутствует",
        "zh": "无",
        "de": "fehlt",
    },
    "verify_other_engine": {
        "en": "decided by engine {recorded}, re-decided by engine {now}",
        "ru": "решение принято движком версии {recorded}, повторно — версии {now}",
        "zh": "原判定引擎版本为 {recorded}，重新判定引擎版本为 {now}",
        "de": "entschieden mit Engine {recorded}, erneut entschieden mit Engine {now}",
    },
    "verify_note": {
        "en": "note: {note}",
        "ru": "примечание: {note}",
        "zh": "注：{note}",
        "de": "Hinweis: {note}",
    },
    "verify_same": {
        "en": "same outcome: {rulebook} sha256 {sha}, as of {as_of}",
        "ru": "результат тот же: {rulebook} sha256 {sha}, на дату {as_of}",
        "zh": "结果相同：{rulebook} sha256 {sha}，适用日期 {as_of}",
        "de": "gleiches Ergebnis: {rulebook} sha256 {sha}, Stichtag {as_of}",
    },
    "verify_different": {
        "en": "DIFFERENT outcome: {rulebook} sha256 {sha}, as of {as_of}",
        "ru": "ДРУГОЙ результат: {rulebook} sha256 {sha}, на дату {as_of}",
        "zh": "结果不同：{rulebook} sha256 {sha}，适用日期 {as_of}",
        "de": "ABWEICHENDES Ergebnis: {rulebook} sha256 {sha}, Stichtag {as_of}",
    },
    # -- taxrules diff -----------------------------------------------------------------------
    "diff_no_change": {
        "en": "no change to facts, parameters, derived values, decisions, rules or sources",
        "ru": "факты, параметры, производные значения, решения, правила и источники не изменились",
        "zh": "事实、参数、派生值、决定、规则和法律渊源均无变化",
        "de": "keine Änderung an Tatsachen, Parametern, abgeleiteten Werten, Entscheidungen, Regeln oder Quellen",
    },
    "diff_cases": {
        "en": "{count:,} example case(s) decide differently",
        "ru": "примеров с иным решением: {count:,}",
        "zh": "判定结果不同的示例：{count:,} 个",
        "de": "Beispielfälle mit abweichender Entscheidung: {count:,}",
    },
}
