"""The workbench's pages, mounted into the service's FastAPI app by `mount(app)`.

    GET  /                                   the rulebooks
    GET  /web/rulebooks/{id}                 the rulebook as a document
    GET  /web/rulebooks/{id}/case            the case form (?example=N fills it from an example)
    POST /web/rulebooks/{id}/case            decide: results, the interview, the timeline
    POST /web/rulebooks/{id}/record          the audit record of the case (the API's JSON), as a file
    POST /web/rulebooks/{id}/report          the HTML report of the case, as a file
    GET  /web/rulebooks/{id}/ledger          upload a book (ledger rulebooks)
    POST /web/rulebooks/{id}/ledger          the findings
    GET  /web/static/...                     the stylesheet and the script (package data)

Every page is rendered on the server from Jinja2 templates shipped in the package; the
script only adds conveniences (rows added in place, number hints, table filters), so each
page works without it. The language is `?lang=`, else the last one chosen (a cookie),
else the browser's, else English.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.concurrency import run_in_threadpool

from engine import jsonout
from engine.i18n import LANGUAGES, message
from engine.language.errors import EvaluationError
from engine.rulebook.facts import BadInput
from engine.web import content, forms, views
from engine.web.strings import LANGUAGE_NAMES, translator

HERE = Path(__file__).resolve().parent
LANG_COOKIE = "taxrules_lang"
STATIC_PREFIX = "/web/static"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["dom_id"] = forms.dom_id
    env.globals["LANGUAGES"] = LANGUAGES
    env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    env.globals["STATIC"] = STATIC_PREFIX
    env.filters["b64"] = lambda value: base64.b64encode(str(value).encode("utf-8")).decode("ascii")
    return env


def choose_language(request: Request, submitted: str | None = None) -> str:
    for candidate in (submitted, request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return candidate  # type: ignore[return-value]
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";", 1)[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def human_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.0f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return str(size)  # pragma: no cover


def field_errors(exc: Exception) -> tuple[dict[str, list[str]], list[str]]:
    """The engine's messages by control name, and those that name no control of the form.

    BadInput names one field; an engine that reports every bad fact at once lists them in
    `problems` as (field, message) pairs: each lands next to its own control.
    """
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    problems = getattr(exc, "problems", None)
    pairs = problems if isinstance(problems, list) and problems else [(getattr(exc, "field", None), str(exc))]
    for pair in pairs:
        name, message = pair if isinstance(pair, tuple) else (getattr(pair, "field", None), str(pair))
        if name:
            by_field.setdefault(str(name), []).append(str(message))
        else:
            general.append(str(message))
    return by_field, general


def mount(app: FastAPI) -> None:
    """Add the workbench to the service app (`create_app` calls this)."""
    env = _environment()
    catalogue = app.state.catalogue
    app.mount(STATIC_PREFIX, StaticFiles(directory=str(HERE / "static")), name="web-static")

    def page(request: Request, template: str, language: str, status: int = 200, **context: Any) -> HTMLResponse:
        t = translator(language)

        def switch(lang: str) -> str:
            query = dict(request.query_params)
            query["lang"] = lang
            return f"{request.url.path}?{urlencode(query)}"

        body = env.get_template(template).render(request=request, lang=language, t=t, switch=switch, **context)
        response = HTMLResponse(body, status_code=status)
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(LANG_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
        return response

    def not_found(request: Request, language: str, rulebook_id: str) -> HTMLResponse:
        return page(request, "missing.html", language, status=404, rulebook_id=rulebook_id)

    @app.get("/", include_in_schema=False)
    def index(request: Request) -> Response:
        language = choose_language(request)
        return page(request, "index.html", language, rows=content.rulebook_rows(catalogue, language))

    @app.get("/web/report.css", include_in_schema=False)
    def report_css() -> Response:
        return Response(content.report_stylesheet(), media_type="text/css; charset=utf-8")

    @app.get("/web", include_in_schema=False)
    def web_root() -> Response:
        return RedirectResponse("/")

    @app.get("/web/rulebooks/{rulebook_id}", include_in_schema=False)
    def document(request: Request, rulebook_id: str) -> Response:
        language = choose_language(request)
        book = content.find_book(catalogue, rulebook_id)
        if book is None:
            return not_found(request, language, rulebook_id)
        return page(request, "document.html", language, book=book, model=book.model, doc=content.document_html(book, language))

    # -- try a case -------------------------------------------------------------------

    def case_page(request: Request, book: Any, language: str, facts: dict[str, Any], as_of: str, **extra: Any) -> HTMLResponse:
        model = book.model
        controls = forms.case_form(model, facts, language)
        for control in controls:
            if control.kind == "list" and control.name in extra.get("add_rows", ()):
                control.children.append(forms._row(control.name, len(control.children), control.spec["items"], None, language))  # noqa: SLF001
        context: dict[str, Any] = {
            "book": book,
            "model": model,
            "controls": controls,
            "as_of": as_of,
            "examples": [example.name for example in model.examples],
            "example_index": extra.get("example_index"),
            "errors": extra.get("errors") or {},
            "general_errors": extra.get("general_errors") or [],
            "result": extra.get("result"),
            "decisions": extra.get("decisions") or [],
            "plan": extra.get("plan"),
            "question": extra.get("question"),
            "skipped": extra.get("skipped") or [],
            "asked": extra.get("asked"),
            "timeline": extra.get("timeline"),
            "facts_json": jsonout.dumps(jsonout.plain(facts), indent=None),
            "question_number": extra.get("question_number", 1),
            "as_of_source_text": views.as_of_source(extra["result"]["as_of_source"], language) if extra.get("result") else "",
        }
        return page(request, "case.html", language, status=extra.get("status", 200), **context)

    @app.get("/web/rulebooks/{rulebook_id}/case", include_in_schema=False)
    def case_form(request: Request, rulebook_id: str) -> Response:
        language = choose_language(request)
        book = content.find_book(catalogue, rulebook_id)
        if book is None or getattr(book, "kind", "decision") != "decision":
            if book is not None:
                return RedirectResponse(f"/web/rulebooks/{rulebook_id}/ledger")
            return not_found(request, language, rulebook_id)
        facts: dict[str, Any] = {}
        as_of = ""
        example_index = None
        example = request.query_params.get("example", "")
        if example.isdigit() and int(example) < len(book.model.examples):
            example_index = int(example)
            facts, example_as_of = forms.example_facts(book.model, example_index)
            as_of = example_as_of or ""
        return case_page(request, book, language, facts, as_of, example_index=example_index)

    async def read_case_form(request: Request) -> tuple[Any, str, str, list[tuple[str, str]]]:
        """The form, its language, its as_of and its (name, text) pairs; TooLarge past the limit."""
        form = await content.read_form(request, app.state.max_body_bytes)
        pairs = [(key, value) for key, value in form.multi_items() if isinstance(value, str)]
        submitted = form.get("_lang")
        language = choose_language(request, submitted if isinstance(submitted, str) else None)
        return form, language, str(form.get("_as_of") or "").strip(), pairs

    def too_large(request: Request) -> HTMLResponse:
        language = choose_language(request)
        message = translator(language)("too_large", human_size(app.state.max_body_bytes))
        return page(request, "missing.html", language, status=413, rulebook_id=None, message=message)

    @app.post("/web/rulebooks/{rulebook_id}/case", include_in_schema=False)
    async def case_decide(request: Request, rulebook_id: str) -> Response:
        book = content.find_book(catalogue, rulebook_id)
        try:
            form, language, as_of, pairs = await read_case_form(request)
        except content.TooLarge:
            return too_large(request)
        if book is None or getattr(book, "kind", "decision") != "decision":
            return not_found(request, language, rulebook_id)
        skipped = [name for name in str(form.get("_skipped") or "").split(",") if name]
        if form.get("_skip"):
            skipped.append(str(form.get("_skip")))
        if form.get("_unskip"):
            skipped = []
        removed = str(form.get("_remove") or "")
        if removed:
            pairs = [(k, v) for k, v in pairs if not (k == removed or k.startswith(removed + ".") or k.startswith(removed + "["))]
        try:
            facts = forms.read_case(book.model, pairs)
        except forms.FormError as exc:
            return case_page(request, book, language, {}, as_of, general_errors=[str(exc)], status=422)
        add = str(form.get("_add") or "")
        if add or removed:  # editing rows without the script: show the form again, decide nothing yet
            return case_page(request, book, language, facts, as_of, add_rows=(add,) if add else ())
        outcome = await run_in_threadpool(content.decide_case, book, facts, as_of or None, language, skipped)
        if outcome.error is not None:
            errors, general = field_errors(outcome.error)
            return case_page(request, book, language, facts, as_of, errors=errors, general_errors=general, status=422)
        plan = outcome.plan
        question = plan.next if plan is not None else None
        return case_page(
            request,
            book,
            language,
            facts,
            as_of,
            result=outcome.result,
            decisions=views.decision_views(book.model, outcome.result, language),
            plan=plan,
            question=question,
            skipped=plan.skipped if plan is not None else [],
            asked=question.fact if question is not None else None,
            timeline=views.timeline_view(book.model, outcome.timeline, language) if outcome.timeline else None,
            question_number=int(form.get("_question") or 0) + 1 if form.get("_question") is not None else 1,
        )

    async def case_for_download(request: Request, rulebook_id: str) -> tuple[Any, Any, str, dict[str, Any], str]:
        book = content.find_book(catalogue, rulebook_id)
        form, language, as_of, pairs = await read_case_form(request)
        if book is None or getattr(book, "kind", "decision") != "decision":
            return None, form, language, {}, as_of
        return book, form, language, forms.read_case(book.model, pairs), as_of

    def attachment(body: str, media_type: str, filename: str) -> Response:
        return Response(
            body.encode("utf-8"),
            media_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @app.post("/web/rulebooks/{rulebook_id}/record", include_in_schema=False)
    async def record(request: Request, rulebook_id: str) -> Response:
        try:
            book, _, language, facts, as_of = await case_for_download(request, rulebook_id)
        except forms.FormError as exc:
            return Response(jsonout.dumps({"detail": str(exc), "field": exc.field}, indent=None), status_code=422, media_type="application/json")
        except content.TooLarge:
            return too_large(request)
        if book is None:
            return Response(jsonout.dumps({"detail": f"unknown rulebook {rulebook_id}"}, indent=None), status_code=404, media_type="application/json")
        try:
            result = await run_in_threadpool(content.decide_record, book, facts, as_of or None, language)
        except BadInput as exc:
            detail = message("bad_facts", language, rulebook=book.id, problem=exc)
            return Response(jsonout.dumps({"detail": detail, "field": exc.field}, indent=None), status_code=422, media_type="application/json")
        except EvaluationError as exc:
            detail = message("rulebook_error_deciding", language, error=exc)
            return Response(jsonout.dumps({"detail": detail}, indent=None), status_code=500, media_type="application/json")
        return attachment(jsonout.dumps(result, indent=2) + "\n", "application/json", f"{book.id}-record.json")

    @app.post("/web/rulebooks/{rulebook_id}/report", include_in_schema=False)
    async def report(request: Request, rulebook_id: str) -> Response:
        try:
            book, _, language, facts, as_of = await case_for_download(request, rulebook_id)
        except forms.FormError as exc:
            return HTMLResponse(env.from_string("<p>{{ m }}</p>").render(m=str(exc)), status_code=422)
        except content.TooLarge:
            return too_large(request)
        if book is None:
            return not_found(request, "en", rulebook_id)
        try:
            html = await run_in_threadpool(content.report_html, book, facts, as_of or None, language)
        except BadInput as exc:
            return HTMLResponse(env.from_string("<p>{{ m }}</p>").render(m=message("bad_facts", language, rulebook=book.id, problem=exc)), status_code=422)
        if request.query_params.get("view"):
            return HTMLResponse(html)
        return attachment(html, "text/html; charset=utf-8", f"{book.id}-report.html")

    # -- ledger books -----------------------------------------------------------------

    def ledger_page(request: Request, book: Any, language: str, status: int = 200, **context: Any) -> HTMLResponse:
        limit = app.state.max_body_bytes
        return page(request, "ledger.html", language, status=status, book=book, model=book.model, limit=human_size(limit), run=context.get("run"), error=context.get("error"))

    @app.get("/web/rulebooks/{rulebook_id}/ledger", include_in_schema=False)
    def ledger_form(request: Request, rulebook_id: str) -> Response:
        language = choose_language(request)
        book = content.find_book(catalogue, rulebook_id)
        if book is None:
            return not_found(request, language, rulebook_id)
        if getattr(book, "kind", "decision") != "ledger":
            return RedirectResponse(f"/web/rulebooks/{rulebook_id}/case")
        return ledger_page(request, book, language)

    @app.post("/web/rulebooks/{rulebook_id}/ledger", include_in_schema=False)
    async def ledger_upload(request: Request, rulebook_id: str) -> Response:
        book = content.find_book(catalogue, rulebook_id)
        limit = app.state.max_body_bytes
        try:
            form = await content.read_form(request, limit)
        except content.TooLarge:
            language = choose_language(request)
            if book is None:
                return not_found(request, language, rulebook_id)
            return ledger_page(request, book, language, status=413, error=translator(language)("too_large", human_size(limit)))
        language = choose_language(request, form.get("_lang") if isinstance(form.get("_lang"), str) else None)
        if book is None or getattr(book, "kind", "decision") != "ledger":
            return not_found(request, language, rulebook_id)
        upload = form.get("book")
        if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
            return ledger_page(request, book, language, status=422, error=translator(language)("no_file"))
        data = await upload.read()
        try:
            run = await run_in_threadpool(content.run_ledger, book, data, upload.filename or "upload", language)
        except BadInput as exc:
            return ledger_page(request, book, language, status=422, error=str(exc))
        except EvaluationError as exc:
            return ledger_page(request, book, language, status=500, error=f"rulebook error: {exc}")
        return ledger_page(request, book, language, run=run)


__all__ = ["choose_language", "field_errors", "mount"]
