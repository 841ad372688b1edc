"""The live preview in a real browser: headless Chromium (Debian's) driven over WebDriver,
and over plain HTTP where a browser would hide what the server does (Host headers, bursts).

Every test works on a copy of the project in a temporary folder; the real
source, catalogs and layouts are never touched.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from pipeline.build import Project, prepare, resolve_locale
from pipeline.diagnostics import SourceError, UsageError
from pipeline.html import print_html
from pipeline.serve import STREAMS, WORKERS, Once, _static, running
from pipeline.source import load

from .conftest import HANDBOOK, ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,1600",
)
RELOAD_SECONDS = 5  # "within a few seconds" of saving
TINY = Path(__file__).parent / "roots" / "tiny"


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    for name in ("source", "layouts", "locales"):
        shutil.copytree(ROOT / name, tmp_path / "project" / name)
    return tmp_path / "project"


@pytest.fixture
def tiny_copy(tmp_path: Path) -> Project:
    """The tiny project: quick to check and render, for tests of the server itself."""
    root = tmp_path / "tiny"
    shutil.copytree(TINY, root, ignore=shutil.ignore_patterns("README.md"))
    shutil.copytree(ROOT / "layouts", root / "layouts")
    return Project(root)


@pytest.fixture
def preview(served: tuple[str, subprocess.Popen[str]]) -> str:
    return served[0]


@pytest.fixture
def served(project_copy: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`handbook serve` on a free port, as an editor would start it (from the project folder)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "serve", "--port", "0"],
        cwd=project_copy,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stderr is not None
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert url, (
            f"the preview did not start: {line}"
            f"{proc.stderr.read() if proc.poll() is not None else ''}"
        )
        yield url.group(0), proc
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert "Traceback" not in err, err


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    assert not missing, (
        f"{', '.join(missing)} missing: install chromium and chromium-driver "
        "(.ci/system-packages test)"
    )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(
        options=options, service=Service(str(CHROMEDRIVER))
    )  # Debian's driver: nothing downloaded
    try:
        yield driver
    finally:
        driver.quit()


def page_text(driver: WebDriver) -> str:
    return str(driver.find_element(By.TAG_NAME, "body").text)


def wait_until(driver: WebDriver, what: str, ok: Callable[[str], bool]) -> float:
    """Seconds until the page (reloaded by itself, never by the test) satisfies `ok`."""
    start = time.monotonic()
    WebDriverWait(driver, RELOAD_SECONDS, poll_frequency=0.1).until(
        lambda d: ok(page_text(d)), f"page never showed {what}"
    )
    return time.monotonic() - start


def test_preview_follows_edits_and_errors(
    preview: str, browser: WebDriver, project_copy: Path
) -> None:
    source = project_copy / "source" / HANDBOOK / "handbook.yaml"
    original = source.read_text(encoding="utf-8")
    question = load(source).sections[0].entries[0].question.value
    assert (
        f"question: {question}\n" in original
    )  # on one line, so a plain replace edits just that sentence

    browser.get(preview)
    wait_until(browser, "the handbook", lambda text: question in text)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    summary = browser.find_element(By.CSS_SELECTOR, ".preview-summary").text
    assert re.fullmatch(r"0 errors, \d+ warnings?", summary), summary

    # The language switcher names each language in itself, with its direction.
    links = {
        a.get_attribute("hreflang"): a
        for a in browser.find_elements(By.CSS_SELECTOR, ".preview-languages a")
    }
    assert links["en"].get_attribute("aria-current") == "page"
    assert (
        links["ar"].text,
        links["ar"].get_attribute("lang"),
        links["ar"].get_attribute("dir"),
    ) == ("العربية", "ar", "rtl")
    assert links["zh-Hans"].text == "中文 (简体)"

    edited = (
        "Which methods do traffickers use against migrants in Connecticut "
        "(edited in the preview test)?"
    )
    source.write_text(original.replace(question, edited, 1), encoding="utf-8")
    wait_until(browser, "the edited sentence", lambda text: edited in text and question not in text)

    source.write_text(
        original.replace(f"question: {question}\n", f"question: '{question}\n", 1), encoding="utf-8"
    )
    with pytest.raises(SourceError) as broken:
        load(source)
    expected = broken.value.diagnostics[0]
    located = (
        f"handbook.yaml:{expected.place.line}:{expected.place.col}: error: "
        f"{expected.message} [{expected.code}]"
    )
    wait_until(browser, located, lambda text: located in text)
    assert browser.find_elements(By.CSS_SELECTOR, ".preview-bar.preview-errors")
    assert {
        a.get_attribute("hreflang")
        for a in browser.find_elements(By.CSS_SELECTOR, ".preview-languages a")
    } >= {"en", "ar"}

    source.write_text(original, encoding="utf-8")
    wait_until(
        browser, "the handbook again", lambda text: question in text and "error:" not in text
    )


def test_preview_switches_to_a_right_to_left_language(preview: str, browser: WebDriver) -> None:
    browser.get(preview)
    browser.find_element(By.CSS_SELECTOR, '.preview-languages a[hreflang="ar"]').click()
    WebDriverWait(browser, RELOAD_SECONDS).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
    )
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ar"
    assert "الاتجار" in page_text(browser)


def test_preview_serves_only_the_layouts_folder(project_copy: Path) -> None:
    layouts = project_copy / "layouts"
    assert _static(layouts, "print.css") == (layouts / "print.css").resolve()
    assert _static(layouts, f"../source/{HANDBOOK}/handbook.yaml") is None
    assert _static(layouts, "/etc/passwd") is None


def test_a_busy_port_is_a_located_usage_error(project_copy: Path) -> None:
    project = Project(project_copy)
    with running(project, 0) as url:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        with pytest.raises(UsageError) as busy, running(project, port):
            pass
    assert str(busy.value.diagnostics[0]).startswith(
        f"--port: error: cannot listen on 127.0.0.1:{port}"
    )


def get(url: str, path: str, host: str | None = "", timeout: float = 30) -> tuple[int, bytes]:
    """One GET over http.client, with `host` as the Host header (None: no Host at all, "": the
    URL's)."""
    where = urlsplit(url)
    conn = http.client.HTTPConnection(where.hostname or "", where.port, timeout=timeout)
    try:
        conn.putrequest("GET", path, skip_host=True)
        if host is not None:
            conn.putheader("Host", host or where.netloc)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_preview_answers_only_its_own_host(tiny_copy: Project) -> None:
    """DNS rebinding: a page of another site that resolves its name to 127.0.0.1
    sends that name as Host. Only loopback names, with or without our port, are answered."""
    with running(tiny_copy, 0) as url:
        port = urlsplit(url).port
        for host in (
            f"127.0.0.1:{port}",
            f"localhost:{port}",
            f"LocalHost:{port}",
            "127.0.0.1",
            "localhost",
            f"[::1]:{port}",
            "[::1]",
        ):
            assert get(url, "/_layouts/print.css", host)[0] == 200, host
            assert get(url, "/tiny/es/", host)[0] == 200, host
        for host in (
            f"evil.example:{port}",
            "evil.example",
            f"127.0.0.1.evil.example:{port}",
            f"localhost:{port + 1}",
            f"127.0.0.1:{port}.evil.example",
            f"evil.example:{port}#127.0.0.1",
        ):
            for path in ("/", "/tiny/es/", "/_layouts/print.css", "/_events?v=x"):
                status, body = get(url, path, host)
                assert status == 421, (host, path)
                assert str(tiny_copy.root).encode() not in body
                assert b"tiny" not in body  # nothing of the project
                assert b"@page" not in body
        assert get(url, "/tiny/es/", None)[0] == 400  # no Host at all


def test_reload_streams_are_capped_and_pages_still_answered(tiny_copy: Project) -> None:
    """Each open tab holds a reload stream, and a stream holds a worker: beyond
    STREAMS they are refused (503), so pages keep their workers."""
    assert STREAMS < WORKERS
    with running(tiny_copy, 0) as url:
        status, page = get(url, "/tiny/es/")
        assert status == 200
        stamp = re.search(rb"/_events\?v=([0-9-]+)", page)
        assert stamp, "the page opens no reload stream"
        where = urlsplit(url)
        streams = []
        try:
            for _ in range(STREAMS):
                conn = http.client.HTTPConnection(where.hostname or "", where.port, timeout=30)
                conn.request("GET", f"/_events?v={stamp.group(1).decode()}")
                response = conn.getresponse()
                assert (response.status, response.getheader("Content-Type")) == (
                    200,
                    "text/event-stream",
                )
                streams.append(conn)
            assert get(url, f"/_events?v={stamp.group(1).decode()}")[0] == 503
            start = time.monotonic()
            assert get(url, "/tiny/es/")[0] == 200
            assert get(url, "/_layouts/print.css")[0] == 200
            assert time.monotonic() - start < 5
        finally:
            for conn in streams:
                conn.close()


def process_status(pid: int, key: str) -> int:
    """A number from /proc/<pid>/status: Threads, VmRSS (kB)."""
    line = next(
        x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith(f"{key}:")
    )
    return int(line.split()[1])


def test_preview_answers_200_parallel_requests_from_a_bounded_pool(
    served: tuple[str, subprocess.Popen[str]],
) -> None:
    """200 tabs asking at once: every one answered within seconds, by at most
    WORKERS threads, and the server's memory stays where it was."""
    url, proc = served
    path = f"/{HANDBOOK}/es/"
    assert (
        get(url, path, timeout=120)[0] == 200
    )  # the first render checks the whole project: not part of the burst
    rss_before = process_status(proc.pid, "VmRSS")
    threads_before = process_status(proc.pid, "Threads")

    results: list[tuple[int, float]] = []
    failures: list[BaseException] = []
    ready = threading.Barrier(200)
    done = threading.Event()
    peak = [threads_before]

    def ask() -> None:
        ready.wait()
        start = time.monotonic()
        try:
            status, _ = get(url, path)
            results.append((status, time.monotonic() - start))
        except Exception as exc:
            failures.append(exc)

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], process_status(proc.pid, "Threads"))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    clients = [threading.Thread(target=ask) for _ in range(200)]
    for t in clients:
        t.start()
    for t in clients:
        t.join()
    done.set()
    sampler.join()

    assert failures == []
    assert sorted({status for status, _ in results}) == [200]
    slowest = max(seconds for _, seconds in results)
    assert slowest < 10, f"the slowest of 200 answers took {slowest:.1f} s"
    # The main thread, the accept loop and the watcher, then at most WORKERS.
    assert peak[0] <= threads_before + WORKERS, f"{peak[0]} threads (before: {threads_before})"
    grown = process_status(proc.pid, "VmRSS") - rss_before
    assert grown < 32 * 1024, f"memory grew by {grown} kB"


def test_locales_render_at_the_same_time_without_mixing() -> None:
    """No render lock: each locale renders in its own environment, so two pages rendered
    side by side in threads come out as each does alone (right-to-left Arabic, Spanish)."""
    project = Project(ROOT)
    handbook = project.load(HANDBOOK)
    prepared = [
        prepare(project, handbook, resolve_locale(project, handbook, code), allow_partial=False)
        for code in ("es", "ar")
    ]
    alone = [print_html(project.layouts, p.view, p.gettext) for p in prepared]
    with ThreadPoolExecutor(4) as pool:
        together = list(
            pool.map(lambda p: print_html(project.layouts, p.view, p.gettext), prepared * 4)
        )
    assert together == alone * 4


def test_each_page_is_made_once_and_different_pages_at_once() -> None:
    once: Once[str, str] = Once()
    both_inside = threading.Barrier(2, timeout=10)  # times out if one waits for the other
    made: list[str] = []

    def make(key: str) -> Callable[[], str]:
        def run() -> str:
            made.append(key)
            if key in "ab":
                both_inside.wait()
            else:
                time.sleep(0.2)  # the other requests for it come while it is made
            return key.upper()

        return run

    with ThreadPoolExecutor(8) as pool:
        pages = list(pool.map(lambda k: once.get("v1", k, make(k)), ["a", "b", *"cccccc"]))
    assert pages == ["A", "B", *"CCCCCC"]
    assert sorted(made) == ["a", "b", "c"]
    assert once.get("v1", "c", make("c")) == "C"
    assert made.count("c") == 1
    assert once.get("v2", "c", make("c")) == "C"  # the files changed: made again
    assert made.count("c") == 2
