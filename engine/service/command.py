"""`taxrules serve`: the HTTP API on uvicorn."""

from __future__ import annotations

import click

from engine.service import DEFAULT_MAX_BODY
from engine.service.pool import MAX_BATCH_CASES, guarded_protocol


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="port to listen on")
@click.option(
    "--rulebook",
    "-r",
    "rulebooks",
    multiple=True,
    metavar="ID|PATH",
    help="serve only these rulebooks (repeatable; default: every rulebook found)",
)
@click.option("--max-body", type=click.IntRange(min=1), default=DEFAULT_MAX_BODY, show_default=True, help="largest request body, in bytes (413 beyond)")
@click.option("--max-batch", type=click.IntRange(min=1), default=MAX_BATCH_CASES, show_default=True, help="most cases in one POST /batch (413 beyond)")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info", show_default=True)
def serve(host: str, port: int, rulebooks: tuple[str, ...], max_body: int, max_batch: int, log_level: str) -> None:
    """Serve the HTTP JSON API (GET /rulebooks, POST /rulebooks/{id}/decide|batch|reconcile; /docs).

    Exit codes: 2 bad input (an unknown rulebook given with -r), 3 the address cannot be
    bound (e.g. the port is in use), 130/143 interrupted; HTTP statuses are in /openapi.json.
    """
    import uvicorn

    from engine.cli import fail
    from engine.rulebook.errors import RulebookNotFound
    from engine.service.app import create_app

    try:
        app = create_app(list(rulebooks) or None, max_body_bytes=max_body, max_batch_cases=max_batch)
    except RulebookNotFound as exc:
        fail(str(exc))
    _check_address(host, port)
    catalogue = app.state.catalogue
    for key, message in sorted(catalogue.broken.items()):
        click.echo(f"taxrules: not serving {key}: {message}", err=True)
    click.echo(f"taxrules: serving {len(catalogue.books)} rulebook(s) on http://{host}:{port}", err=True)
    # the header deadline for new connections, a short keep-alive, headers bounded in size
    uvicorn.run(app, host=host, port=port, log_level=log_level, http=guarded_protocol(), timeout_keep_alive=5, h11_max_incomplete_event_size=64 * 1024)


CANNOT_BIND = 3  # uvicorn's own code for a server that cannot start, said plainly here


def _check_address(host: str, port: int) -> None:
    """Exit 3 with one clear line when the address cannot be bound (a port in use)."""
    import socket
    import sys

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        click.echo(f"taxrules: cannot serve on {host}:{port}: {reason} (another server there? choose another --port)", err=True)
        sys.exit(CANNOT_BIND)
