"""Reports people read and keep: the audit report of one case, the rulebook as a document.

    from engine.report import audit_report, report_fragment, report_page
    audit_report(result, book.model, "html", "ru")   # one standalone HTML file
    report_fragment(result, book.model, "ru")        # an <article> for another page
    document_page(book.model, "ru"), document_fragment(book.model, "ru")
    stylesheet()                                     # the CSS the fragments expect

One model per view (engine.report.model, engine.report.document) feeds every renderer:
text, markdown and HTML (Jinja2 templates in engine/report/templates/).
"""

from __future__ import annotations

from engine.report.html import stylesheet
from engine.report.model import Report, build
from engine.result import Result
from engine.rulebook import model as m

FORMATS = ("text", "markdown", "html")


def report_model(result: Result, book: m.Rulebook, language: str) -> Report:
    return build(result, book, language)


def report_fragment(result: Result, book: m.Rulebook, language: str) -> str:
    """The audit report as an HTML <article> (no <html>, no styles: see `stylesheet()`)."""
    from engine.report.html import fragment

    return fragment("report.html.j2", report=build(result, book, language))


def report_page(result: Result, book: m.Rulebook, language: str) -> str:
    """The audit report as one standalone HTML file."""
    from engine.report.html import page

    report = build(result, book, language)
    return page(report_fragment(result, book, language), f"{report.words['report_title']}: {report.title}", language)


def audit_report(result: Result, book: m.Rulebook, fmt: str, language: str) -> str:
    if fmt == "html":
        return report_page(result, book, language)
    from engine.report.text import render_markdown, render_text

    report = build(result, book, language)
    return render_markdown(report) if fmt == "markdown" else render_text(report)


def document_fragment(book: m.Rulebook, language: str) -> str:
    from engine.report.document import document_html

    return document_html(book, language)


def document_page(book: m.Rulebook, language: str) -> str:
    from engine.report.document import document_page as page

    return page(book, language)


__all__ = [
    "FORMATS",
    "Report",
    "audit_report",
    "document_fragment",
    "document_page",
    "report_fragment",
    "report_model",
    "report_page",
    "stylesheet",
]
