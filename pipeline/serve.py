"""Live preview: any handbook in any locale as HTML, reloaded when a file is saved.

An HTTP server on 127.0.0.1 renders the print edition's own layouts
(the edition's views and print HTML, no PDF) for the browser, with a bar on top: a
language switcher in each language's own name and the diagnostics of `check`.
A watchfiles thread moves a version stamp on whenever a source, catalog or
layout changes; every page keeps an EventSource on /_events, which tells it to
reload as soon as the stamp differs from the one it was rendered with (so a
save between rendering and connecting is not missed). Nothing is written; a
broken file shows its located errors in the page and the server keeps going.

Only this machine's pages may ask: a request whose Host is not 127.0.0.1,
localhost or [::1] (DNS rebinding: another site's name resolved to 127.0.0.1)
is refused. Requests run on a fixed pool of threads behind a bounded queue, and
reload streams, which hold a thread each for as long as the tab is open, are
capped below the pool's size, so pages are still answered when many tabs are open.

    /                       the first handbook in its source language
    /<handbook>/<tag>/      one handbook in one locale
    /_events?v=<stamp>      server-sent events: `reload` when the files changed
    /_layouts/<file>        the layouts folder (print.css, preview/*)
"""

from __future__ import annotations

import logging
import mimetypes
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

from markupsafe import Markup, escape

from .build import views
from .checks import check
from .diagnostics import Diagnostic, PipelineError, Place, Severity, UsageError, error
from .html import render_plain
from .locales import available, locale_info, normalize
from .printing import html as print_html
from .project import Project

log = logging.getLogger(__name__)

KEEPALIVE = 15.0  # seconds between SSE comments: finds closed tabs, keeps proxies from timing out
WORKERS = 16  # requests served at once
QUEUED = (
    256  # accepted requests waiting for a worker; beyond it, connections wait in the listen backlog
)
BACKLOG = 256  # the listen backlog: a burst of connections is not dropped while the queue drains
# open reload streams (one per tab); beyond it 503, so pages always keep WORKERS - STREAMS threads
STREAMS = 8
IDLE = 10.0  # seconds a client may stay silent before its connection (and thread) is given back
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


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


K = TypeVar("K")
V = TypeVar("V")


class Once(Generic[K, V]):
    """Values for one version of the files (its stamp), each made once: a request for one that
    is being made waits for it instead of making it again, and different ones are made at the
    same time (the lock guards the table, never a render). A value that `keep` refuses is made
    again when asked for again: a failure, for a URL may name anything."""

    def __init__(self, keep: Callable[[V], bool] = lambda _: True) -> None:
        self._keep = keep
        self._guard = threading.Lock()
        self._stamp = ""
        self._made: dict[K, Future[V]] = {}

    def get(self, stamp: str, key: K, make: Callable[[], V]) -> V:
        with self._guard:
            if self._stamp != stamp:
                self._stamp, self._made = stamp, {}
            future, mine = self._made.get(key), False
            if future is None:
                future, mine = Future(), True
                self._made[key] = future
        if mine:
            try:
                value = make()
            except BaseException as exc:
                self._forget(stamp, key, future)
                future.set_exception(exc)
                raise
            if not self._keep(value):
                self._forget(stamp, key, future)
            future.set_result(value)
        return future.result()

    def _forget(self, stamp: str, key: K, future: Future[V]) -> None:
        with self._guard:
            if self._stamp == stamp and self._made.get(key) is future:
                del self._made[key]


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
    """Renders pages, several at once: each locale renders in its own Jinja environment
    (pipeline/html.py), and nothing here is held while a page renders."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.changes = Changes()
        self._checked: Once[str, list[Diagnostic]] = Once()
        # Rendered pages of the current files, by handbook and locale code: many tabs
        # or a burst of requests render once. Only successes, so only known names.
        self._pages: Once[tuple[str, str], Rendered] = Once(
            keep=lambda page: page.status is HTTPStatus.OK
        )
        self._codes: dict[
            str, list[str]
        ] = {}  # each handbook's locales when it last loaded: the switcher stays while it is broken

    def home(self, handbook_id: str | None = None) -> str:
        """A handbook (the first by default) in its source language."""
        handbook_id = handbook_id or next(iter(self.project.handbooks()), "none")
        try:
            return f"/{handbook_id}/{self.project.load(handbook_id).language}/"
        except PipelineError:  # the page will say what is wrong
            return f"/{handbook_id}/en/"

    def diagnostics(self, stamp: str) -> list[Diagnostic]:
        """`check` of every handbook, once per version of the files."""
        return self._checked.get(stamp, "check", self._check)

    def _check(self) -> list[Diagnostic]:
        try:
            return check(self.project, self.project.handbooks())
        except Exception as exc:  # shown in the page, see _located
            return _located(exc)

    def page(self, handbook_id: str, tag: str) -> Rendered:
        stamp = self.changes.stamp
        key = (handbook_id, normalize(tag))
        return self._pages.get(stamp, key, lambda: self._render(stamp, handbook_id, tag))

    def _render(self, stamp: str, handbook_id: str, tag: str) -> Rendered:
        found = self.diagnostics(stamp)
        codes = self._codes.get(handbook_id) or [
            normalize(tag),
            *available(self.project.locales, handbook_id),
        ]
        try:
            handbook = self.project.load(handbook_id)
            codes = self._codes[handbook_id] = self.project.locales_of(handbook)
            # Unfinished translations show, their English passages marked: that is what
            # translators work on. es+en shows the bilingual edition.
            edition = views(self.project, handbook, tag, allow_partial=True)
            html = print_html(edition)
            chrome = self._chrome(stamp, handbook_id, edition.tag, codes, found, [])
            return Rendered(HTTPStatus.OK, inject(html, chrome))
        except Exception as exc:  # every failure becomes a page, see _located
            status = (
                HTTPStatus.NOT_FOUND
                if isinstance(exc, UsageError)
                else HTTPStatus.INTERNAL_SERVER_ERROR
            )
            return Rendered(
                status, self._failure(stamp, handbook_id, tag, codes, found, _located(exc))
            )

    def _chrome(
        self,
        stamp: str,
        handbook_id: str,
        tag: str,
        codes: list[str],
        found: list[Diagnostic],
        failure: list[Diagnostic],
    ) -> str:
        shown = list(dict.fromkeys([*failure, *found]))  # the page's own errors first, each once
        return render_plain(
            self.project.layouts,
            "preview/bar.html.j2",
            stamp=stamp,
            handbook_id=handbook_id,
            handbooks=self.project.handbooks(),
            languages=languages(self.project, tag, codes),
            diagnostics=shown,
            failed=bool(failure),
            errors=sum(d.severity is Severity.ERROR for d in shown),
            warnings=sum(d.severity is Severity.WARNING for d in shown),
        )

    def _failure(
        self,
        stamp: str,
        handbook_id: str,
        tag: str,
        codes: list[str],
        found: list[Diagnostic],
        failure: list[Diagnostic],
    ) -> str:
        try:
            chrome = self._chrome(stamp, handbook_id, tag, codes, found, failure)
            return render_plain(
                self.project.layouts, "preview/failure.html.j2", chrome=Markup(chrome)
            )
        except (
            PipelineError
        ) as exc:  # the preview's own templates are broken: plain text, still reloading
            lines = escape("\n".join(map(str, [*exc.diagnostics, *failure])))
            return f"<!DOCTYPE html><title>preview</title><pre>{lines}</pre>{reload_script(stamp)}"


def reload_script(stamp: str) -> Markup:
    """Used where the preview templates themselves cannot render."""
    return Markup(
        '<script>new EventSource("/_events?v={}")'
        '.addEventListener("reload", () => location.reload());</script>'
    ).format(stamp)


def inject(html: str, chrome: str) -> str:
    """The print HTML plus, for the screen, print.css (WeasyPrint gets it separately) and the
    preview bar."""
    head = (
        '<link rel="stylesheet" href="/_layouts/print.css"/>'
        '<link rel="stylesheet" href="/_layouts/preview/preview.css"/>'
    )
    html = html.replace("</head>", head + "</head>", 1)
    start = html.index(">", html.index("<body")) + 1
    return html[:start] + chrome + html[start:]


def _static(layouts: Path, name: str) -> Path | None:
    """A file below layouts/, never outside it."""
    root = layouts.resolve()
    path = (root / name).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def loopback_host(host: str | None, port: int) -> bool:
    """Whether a request's Host names this machine (with or without our port).
    A DNS-rebinding page sends its own site's name, however it resolves."""
    return host is not None and host.lower() in {
        *LOOPBACK,
        *(f"{name}:{port}" for name in LOOPBACK),
    }


class PooledHTTPServer(HTTPServer):
    """An HTTPServer whose requests run on WORKERS threads, where ThreadingHTTPServer
    starts one per request: memory stays flat however many arrive. With every
    worker busy and QUEUED requests waiting, accepting pauses: new connections
    wait in the listen backlog, and are answered as the queue drains."""

    request_queue_size = BACKLOG

    def __init__(
        self, address: tuple[str, int], handler_class: type[BaseHTTPRequestHandler]
    ) -> None:
        self.pool = ThreadPoolExecutor(
            WORKERS, thread_name_prefix="preview-worker"
        )  # first: a failed bind closes the server
        self.slots = threading.Semaphore(WORKERS + QUEUED)
        super().__init__(address, handler_class)

    def process_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        self.slots.acquire()
        self.pool.submit(self._work, request, client_address)

    def _work(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:  # socketserver's way: logged, the server goes on
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self.slots.release()

    def server_close(self) -> None:
        super().server_close()
        self.pool.shutdown()  # the streams have been told to stop; idle clients time out after IDLE


def handler(preview: Preview, stop: threading.Event) -> type[BaseHTTPRequestHandler]:
    streams = threading.BoundedSemaphore(STREAMS)

    class Handler(BaseHTTPRequestHandler):
        server_version = "handbook-preview"
        timeout = IDLE

        def log_message(self, format: str, *args: object) -> None:
            log.debug(format, *args)

        def send(
            self,
            status: HTTPStatus,
            body: bytes = b"",
            content_type: str = "text/plain",
            location: str = "",
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header(
                "Cache-Control", "no-store"
            )  # every view shows the files as they are now
            if location:
                self.send_header("Location", location)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            host = self.headers.get("Host")
            if not loopback_host(host, self.connection.getsockname()[1]):
                status = HTTPStatus.MISDIRECTED_REQUEST if host else HTTPStatus.BAD_REQUEST
                self.send(
                    status,
                    b"the preview answers only http://127.0.0.1 and http://localhost "
                    b"on this machine",
                )
                return
            url = urlsplit(self.path)
            parts = [
                p for p in url.path.split("/") if p
            ]  # not unquoted: ids and tags are plain ASCII
            if not parts:
                self.send(HTTPStatus.FOUND, location=preview.home())
            elif parts[0] == "_events":
                self.events(parse_qs(url.query).get("v", [""])[0])
            elif parts[0] == "_layouts":
                path = _static(preview.project.layouts, "/".join(parts[1:]))
                if path is None:
                    self.send(HTTPStatus.NOT_FOUND, b"not found")
                else:
                    self.send(
                        HTTPStatus.OK,
                        path.read_bytes(),
                        mimetypes.guess_type(path.name)[0] or "application/octet-stream",
                    )
            elif len(parts) == 1 and parts[0] in preview.project.handbooks():
                self.send(HTTPStatus.FOUND, location=preview.home(parts[0]))
            elif len(parts) == 1:  # /favicon.ico and the like
                self.send(HTTPStatus.NOT_FOUND, b"not found")
            else:
                page = preview.page(parts[0], parts[1])
                self.send(page.status, page.html.encode(), "text/html; charset=utf-8")

        def events(self, seen: str) -> None:
            if not streams.acquire(blocking=False):
                self.send(
                    HTTPStatus.SERVICE_UNAVAILABLE,
                    b"too many open preview tabs: close some and reload",
                )
                return
            try:
                self.stream(seen)
            finally:
                streams.release()

        def stream(self, seen: str) -> None:
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
    """Serve the preview on 127.0.0.1:`port` (0: any free port) while the block runs; yields the
    URL."""
    preview = Preview(project)
    stop = threading.Event()
    try:
        server = PooledHTTPServer(("127.0.0.1", port), handler(preview, stop))
    except OSError as exc:
        raise UsageError(
            [
                error(
                    "serve-port",
                    f"cannot listen on 127.0.0.1:{port}: {exc.strerror}",
                    Place("--port"),
                )
            ]
        ) from None
    threads = [
        threading.Thread(target=server.serve_forever, name="preview-http", daemon=True),
        threading.Thread(
            target=watch, args=(project, preview.changes, stop), name="preview-watch", daemon=True
        ),
    ]
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
