"""Live preview: any handbook in any locale as HTML, reloaded when a file is saved.

A ThreadingHTTPServer on 127.0.0.1 renders the print edition's own layouts
(`prepare` + `print_html`, no PDF) for the browser, with a bar on top: a
language switcher in each language's own name and the diagnostics of `check`.
A watchfiles thread moves a version stamp on whenever a source, catalog or
layout changes; every page keeps an EventSource on /_events, which tells it to
reload as soon as the stamp differs from the one it was rendered with (so a
save between rendering and connecting is not missed). Nothing is written; a
broken file shows its located errors in the page and the server keeps going.

    /                       the first handbook in its source language
    /<handbook>/<tag>/      one handbook in one locale
    /_events?v=<stamp>      server-sent events: `reload` when the files changed
    /_layouts/<file>        the layouts folder (print.css, preview/*)
"""

from __future__ import annotations

import logging
import mimetypes
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from markupsafe import Markup, escape

from .build import Project, check, prepare, resolve_locale
from .diagnostics import Diagnostic, PipelineError, Place, Severity, UsageError, error
from .html import print_html, render_plain
from .locales import available, locale_info, normalize

log = logging.getLogger(__name__)

KEEPALIVE = 15.0  # seconds between SSE comments: finds closed tabs, keeps proxies from timing out


@dataclass(frozen=True)
class Language:
    tag: str
    name: str  # in the language itself
    dir: str
    current: bool


@dataclass(frozen=True)
class Rendered:
    status: HTTPStatus
    html: str


class Changes:
    """A version stamp that moves on when the project's files change; readers wait on it."""

    def __init__(self) -> None:
        self._started = time.time_ns()  # a restarted server never reuses an old stamp
        self._count = 0
        self._cond = threading.Condition()

    @property
    def stamp(self) -> str:
        with self._cond:
            return f"{self._started}-{self._count}"

    def bump(self) -> None:
        with self._cond:
            self._count += 1
            self._cond.notify_all()

    def wait(self, seen: str, timeout: float) -> str:
        with self._cond:
            self._cond.wait_for(lambda: f"{self._started}-{self._count}" != seen, timeout)
            return f"{self._started}-{self._count}"


def watched(project: Project) -> list[Path]:
    return [p for p in (project.source, project.locales, project.layouts) if p.is_dir()]


def watch(project: Project, changes: Changes, stop: threading.Event) -> None:
    """Bump `changes` on every save below source/, locales/ and layouts/ until `stop` is set."""
    import watchfiles

    for batch in watchfiles.watch(*watched(project), stop_event=stop, raise_interrupt=False):
        log.info("changed: %s", ", ".join(sorted(path for _, path in batch)))
        locale_info.cache_clear()  # a locale.yaml may have changed
        changes.bump()


def languages(project: Project, current: str, codes: list[str]) -> list[Language]:
    out = []
    for code in codes:
        try:
            info = locale_info(code, project.locales)
        except PipelineError:  # an unknown code in the URL, a bad locale.yaml: `check` says why
            continue
        out.append(Language(info.tag, info.name, info.dir, info.tag == current))
    return out


def _located(exc: Exception) -> list[Diagnostic]:
    if isinstance(exc, PipelineError):
        return exc.diagnostics
    log.exception("preview failed")  # a bug, not bad input: keep the server up and say so
    return [error("preview-internal", f"{type(exc).__name__}: {exc}", Place("pipeline"))]


class Preview:
    """Renders pages; one at a time, since the Jinja environment and the caches are shared."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.changes = Changes()
        self._lock = threading.Lock()
        self._checked: tuple[str, list[Diagnostic]] = ("", [])
        self._codes: dict[str, list[str]] = {}  # each handbook's locales when it last loaded: the switcher stays while it is broken

    def home(self, handbook_id: str | None = None) -> str:
        """A handbook (the first by default) in its source language."""
        handbook_id = handbook_id or next(iter(self.project.handbooks()), "none")
        try:
            return f"/{handbook_id}/{self.project.load(handbook_id).language}/"
        except PipelineError:  # the page will say what is wrong
            return f"/{handbook_id}/en/"

    def diagnostics(self, stamp: str) -> list[Diagnostic]:
        """`check` of every handbook, once per version of the files."""
        if self._checked[0] != stamp:
            try:
                found = check(self.project, self.project.handbooks())
            except Exception as exc:  # shown in the page, see _located
                found = _located(exc)
            self._checked = (stamp, found)
        return self._checked[1]

    def page(self, handbook_id: str, tag: str) -> Rendered:
        with self._lock:
            stamp = self.changes.stamp
            found = self.diagnostics(stamp)
            codes = self._codes.get(handbook_id) or [normalize(tag), *available(self.project.locales, handbook_id)]
            try:
                handbook = self.project.load(handbook_id)
                codes = self._codes[handbook_id] = self.project.locales_of(handbook)
                loc = resolve_locale(self.project, handbook, tag)
                # Unfinished translations show, their English passages marked: that is what translators work on.
                prepared = prepare(self.project, handbook, loc, allow_partial=True)
                html = print_html(self.project.layouts, prepared.view, prepared.gettext)
                chrome = self._chrome(stamp, handbook_id, loc.tag, codes, found, [])
                return Rendered(HTTPStatus.OK, inject(html, chrome))
            except Exception as exc:  # every failure becomes a page, see _located
                status = HTTPStatus.NOT_FOUND if isinstance(exc, UsageError) else HTTPStatus.INTERNAL_SERVER_ERROR
                return Rendered(status, self._failure(stamp, handbook_id, tag, codes, found, _located(exc)))

    def _chrome(self, stamp: str, handbook_id: str, tag: str, codes: list[str], found: list[Diagnostic], failure: list[Diagnostic]) -> str:
        shown = list(dict.fromkeys([*failure, *found]))  # the page's own errors first, each once
        return render_plain(
            self.project.layouts, "preview/bar.html.j2", stamp=stamp, handbook_id=handbook_id, handbooks=self.project.handbooks(),
            languages=languages(self.project, tag, codes), diagnostics=shown, failed=bool(failure),
            errors=sum(d.severity is Severity.ERROR for d in shown), warnings=sum(d.severity is Severity.WARNING for d in shown),
        )

    def _failure(self, stamp: str, handbook_id: str, tag: str, codes: list[str], found: list[Diagnostic], failure: list[Diagnostic]) -> str:
        try:
            chrome = self._chrome(stamp, handbook_id, tag, codes, found, failure)
            return render_plain(self.project.layouts, "preview/failure.html.j2", chrome=Markup(chrome))
        except PipelineError as exc:  # the preview's own templates are broken: plain text, still reloading
            lines = escape("\n".join(map(str, [*exc.diagnostics, *failure])))
            return f"<!DOCTYPE html><title>preview</title><pre>{lines}</pre>{reload_script(stamp)}"


def reload_script(stamp: str) -> Markup:
    """Used where the preview templates themselves cannot render."""
    return Markup('<script>new EventSource("/_events?v={}").addEventListener("reload", () => location.reload());</script>').format(stamp)


def inject(html: str, chrome: str) -> str:
    """The print HTML plus, for the screen, print.css (WeasyPrint gets it separately) and the preview bar."""
    head = '<link rel="stylesheet" href="/_layouts/print.css"/><link rel="stylesheet" href="/_layouts/preview/preview.css"/>'
    html = html.replace("</head>", head + "</head>", 1)
    start = html.index(">", html.index("<body")) + 1
    return html[:start] + chrome + html[start:]


def _static(layouts: Path, name: str) -> Path | None:
    """A file below layouts/, never outside it."""
    root = layouts.resolve()
    path = (root / name).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def handler(preview: Preview, stop: threading.Event) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "handbook-preview"

        def log_message(self, format: str, *args: object) -> None:
            log.debug(format, *args)

        def send(self, status: HTTPStatus, body: bytes = b"", content_type: str = "text/plain", location: str = "") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")  # every view shows the files as they are now
            if location:
                self.send_header("Location", location)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            parts = [p for p in url.path.split("/") if p]  # not unquoted: ids and tags are plain ASCII
            if not parts:
                self.send(HTTPStatus.FOUND, location=preview.home())
            elif parts[0] == "_events":
                self.events(parse_qs(url.query).get("v", [""])[0])
            elif parts[0] == "_layouts":
                path = _static(preview.project.layouts, "/".join(parts[1:]))
                if path is None:
                    self.send(HTTPStatus.NOT_FOUND, b"not found")
                else:
                    self.send(HTTPStatus.OK, path.read_bytes(), mimetypes.guess_type(path.name)[0] or "application/octet-stream")
            elif len(parts) == 1 and parts[0] in preview.project.handbooks():
                self.send(HTTPStatus.FOUND, location=preview.home(parts[0]))
            elif len(parts) == 1:  # /favicon.ico and the like
                self.send(HTTPStatus.NOT_FOUND, b"not found")
            else:
                page = preview.page(parts[0], parts[1])
                self.send(page.status, page.html.encode(), "text/html; charset=utf-8")

        def events(self, seen: str) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            try:
                while not stop.is_set():
                    stamp = preview.changes.wait(seen, KEEPALIVE)
                    if stamp != seen:
                        self.wfile.write(f"event: reload\ndata: {stamp}\n\n".encode())
                        self.wfile.flush()
                        return
                    self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return  # the tab was closed or reloaded

    return Handler


@contextmanager
def running(project: Project, port: int) -> Iterator[str]:
    """Serve the preview on 127.0.0.1:`port` (0: any free port) while the block runs; yields the URL."""
    preview = Preview(project)
    stop = threading.Event()
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler(preview, stop))
    except OSError as exc:
        raise UsageError([error("serve-port", f"cannot listen on 127.0.0.1:{port}: {exc.strerror}", Place("--port"))]) from None
    server.daemon_threads = True  # open event streams must not keep the process alive
    threads = [threading.Thread(target=server.serve_forever, name="preview-http", daemon=True),
               threading.Thread(target=watch, args=(project, preview.changes, stop), name="preview-watch", daemon=True)]
    for t in threads:
        t.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        stop.set()
        preview.changes.bump()  # wakes the event streams so they see `stop`
        server.shutdown()
        server.server_close()


def serve(project: Project, port: int, on_ready: Callable[[str], None]) -> None:
    """Run the preview until interrupted."""
    with running(project, port) as url:
        on_ready(url)
        threading.Event().wait()
