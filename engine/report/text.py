"""The audit report as plain text and as Markdown, from the same model as the HTML."""

from __future__ import annotations

from engine.report.model import Citation, DecisionView, Read, Report, RuleLine


def _reads(items: list[Read]) -> str:
    return "; ".join(f"{r.label} ({r.name}) = {r.shown}" if r.label != r.name else f"{r.name} = {r.shown}" for r in items)


def _rule_lines(line: RuleLine, w: dict[str, str], indent: str) -> list[str]:
    head = f"{indent}- {line.id or w['no_rule_applied']}: {line.outcome_text}"
    if line.value_shown is not None:
        head += f" → {line.value_shown}"
    if line.in_force:
        head += f" [{w['in_force']} {line.in_force}]"
    out = [head]
    if line.condition:
        out.append(f"{indent}    {w['condition']}: {line.condition}")
    for part in line.because:
        values = f" ({_reads(part.values)})" if part.values else ""
        out.append(f"{indent}    {w['because']}: {part.expression} {part.verdict}{values}")
    if line.reads and not line.because:
        out.append(f"{indent}    {w['facts_read']}: {_reads(line.reads)}")
    if line.values and not line.because:
        out.append(f"{indent}    {w['values_read']}: {_reads(line.values)}")
    if line.missing:
        out.append(f"{indent}    {w['missing_facts']}: {', '.join(line.missing)}")
    return out


def _citation_lines(c: Citation, w: dict[str, str], indent: str, quote_prefix: str = "") -> list[str]:
    head = f"{indent}{w['see_also'] + ': ' if c.see_also else ''}{c.citation}"
    if w.get(f"kind_{c.kind}"):  # an official letter, a court decision, a guideline: not a statute
        head += f" ({w[f'kind_{c.kind}']})"
    if c.url:
        head += f" <{c.url}>"
    out = [head]
    if c.quote:
        out.append(f"{indent}  {quote_prefix}«{c.quote}»")
    if c.translation:
        out.append(f"{indent}  {quote_prefix}{w['translation']}: «{c.translation}»")
    return out


def _decision_block(d: DecisionView, w: dict[str, str], markdown: bool) -> list[str]:
    out: list[str] = []
    title = f"{w['decision']}: {d.label} = {d.value_shown}"
    out += [f"### {title}" if markdown else title, ""] if markdown else [title]
    rule = f"{w['rule']}: {d.rule}"
    if d.condition:
        rule += f" — {w['condition']}: {d.condition}"
    out.append(rule if not markdown else rule + "  ")
    if d.explanation:
        out.append(f"{w['why']}: {d.explanation}" + ("  " if markdown else ""))
    if d.missing:
        out.append(f"{w['missing_facts']}: {', '.join(d.missing)}")
    if d.citations or d.see_also:
        out.append(f"{w['law']}:")
        for c in [*d.citations, *d.see_also]:
            out += _citation_lines(c, w, "- " if markdown else "  ", "> " if markdown else "")
    for heading, lines in ((w["held"], d.held), (w["not_held"], d.not_held), (w["not_in_force_heading"], d.not_in_force)):
        if lines:
            out.append("")
            out.append(f"**{heading}**" if markdown else f"  {heading}:")
            for line in lines:
                out += _rule_lines(line, w, "" if markdown else "    ")
    out.append("")
    return out


def render_text(report: Report) -> str:
    w = report.words
    out = [
        f"{w['report_title']}: {report.title}",
        f"{report.rulebook} {w['version']} {report.version}, {w['as_of']} {report.as_of} ({w['as_of_source']} {report.as_of_source}): {report.status_text}",
    ]
    if report.warnings:
        out += ["", f"{w['warnings']}:"] + [f"  ! {warning}" for warning in report.warnings]
    out += ["", f"{w['decisions']}:"]
    for d in report.decisions:
        out.append(f"  {d.label} = {d.value_shown}  ({w['rule']}: {d.rule})")
    if report.missing_facts:
        out.append(f"  {w['missing_facts']}: {', '.join(r.name for r in report.missing_facts)}")
    out.append("")
    for d in report.decisions:
        out += _decision_block(d, w, markdown=False)
    out.append(f"{w['facts_of_case']}:")
    out += [f"  {_reads([fact])}" for fact in report.facts]
    if report.derived:
        out.append(f"{w['derived_values']}:")
        for line in report.derived:
            out.append(f"  {_reads([line.value])}")
            if line.facts or line.values:
                out.append(f"      {_reads(line.facts + line.values)}")
    out += ["", f"{w['audit_record']}: {report.rulebook} {report.version}, {w['sha256']} {report.sha256}, {w['engine_version']} {report.engine_version}"]
    return "\n".join(out) + "\n"


def render_markdown(report: Report) -> str:
    w = report.words
    out = [
        f"# {w['report_title']}: {report.title}",
        "",
        f"`{report.rulebook}` {w['version']} {report.version} · {w['as_of']} {report.as_of} ({w['as_of_source']} {report.as_of_source}) · **{report.status_text}**",
        "",
    ]
    if report.warnings:
        out += [f"> **{w['warnings']}**", ">"] + [f"> - {warning}" for warning in report.warnings] + [""]
    out += [f"## {w['decisions']}", "", f"| {w['decision']} | {w['value']} | {w['rule']} | {w['law']} |", "|---|---|---|---|"]
    for d in report.decisions:
        law = "; ".join(c.citation for c in d.citations)
        out.append(f"| {d.label} | {_cell(d.value_shown)} | `{d.rule}` | {_cell(law)} |")
    if report.missing_facts:
        out += ["", f"**{w['missing_facts']}:** {', '.join(r.name for r in report.missing_facts)}"]
    out.append("")
    for d in report.decisions:
        out += _decision_block(d, w, markdown=True)
    out += [f"## {w['facts_of_case']}", "", f"| {w['name']} | {w['value']} |", "|---|---|"]
    out += [f"| {_cell(fact.label)} (`{fact.name}`) | {_cell(fact.shown)} |" for fact in report.facts]
    out += ["", f"## {w['audit_record']}", "", f"- {w['rulebook']}: `{report.rulebook}` {report.version}", f"- {w['sha256']}: `{report.sha256}`", f"- {w['engine_version']}: {report.engine_version}"]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
