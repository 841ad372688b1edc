"""The live preview in a real browser: headless Chromium (Debian's) driven over WebDriver.

Every test works on a copy of the project in a temporary folder; the real
source, catalogs and layouts are never touched.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from pipeline.build import Project
from pipeline.diagnostics import SourceError, UsageError
from pipeline.serve import _static, running
from pipeline.source import load

from .conftest import HANDBOOK, ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--window-size=1200,1600")
RELOAD_SECONDS = 5  # "within a few seconds" of saving


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    for name in ("source", "layouts", "locales"):
        shutil.copytree(ROOT / name, tmp_path / "project" / name)
    return tmp_path / "project"


@pytest.fixture
def preview(project_copy: Path) -> Iterator[str]:
    """`handbook serve` on a free port, as an editor would start it (from the project folder)."""
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--port", "0"], cwd=project_copy,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stderr is not None
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert url, f"the preview did not start: {line}{proc.stderr.read() if proc.poll() is not None else ''}"
        yield url.group(0)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert "Traceback" not in err, err


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    assert not missing, f"{', '.join(missing)} missing: install chromium and chromium-driver (.ci/system-packages test)"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))  # Debian's driver: nothing downloaded
    try:
        yield driver
    finally:
        driver.quit()


def page_text(driver: WebDriver) -> str:
    return str(driver.find_element(By.TAG_NAME, "body").text)


def wait_until(driver: WebDriver, what: str, ok: Callable[[str], bool]) -> float:
    """Seconds until the page (reloaded by itself, never by the test) satisfies `ok`."""
    start = time.monotonic()
    WebDriverWait(driver, RELOAD_SECONDS, poll_frequency=0.1).until(lambda d: ok(page_text(d)), f"page never showed {what}")
    return time.monotonic() - start


def test_preview_follows_edits_and_errors(preview: str, browser: WebDriver, project_copy: Path) -> None:
    source = project_copy / "source" / HANDBOOK / "handbook.yaml"
    original = source.read_text(encoding="utf-8")
    question = load(source).sections[0].entries[0].question.value
    assert f"question: {question}\n" in original  # on one line, so a plain replace edits just that sentence

    browser.get(preview)
    wait_until(browser, "the handbook", lambda text: question in text)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    summary = browser.find_element(By.CSS_SELECTOR, ".preview-summary").text
    assert re.fullmatch(r"0 errors, \d+ warnings?", summary), summary

    # The language switcher names each language in itself, with its direction.
    links = {a.get_attribute("hreflang"): a for a in browser.find_elements(By.CSS_SELECTOR, ".preview-languages a")}
    assert links["en"].get_attribute("aria-current") == "page"
    assert (links["ar"].text, links["ar"].get_attribute("lang"), links["ar"].get_attribute("dir")) == ("العربية", "ar", "rtl")
    assert links["zh-Hans"].text == "中文 (简体)"

    edited = "Which methods do traffickers use against migrants in Connecticut (edited in the preview test)?"
    source.write_text(original.replace(question, edited, 1), encoding="utf-8")
    wait_until(browser, "the edited sentence", lambda text: edited in text and question not in text)

    source.write_text(original.replace(f"question: {question}\n", f"question: '{question}\n", 1), encoding="utf-8")
    with pytest.raises(SourceError) as broken:
        load(source)
    expected = broken.value.diagnostics[0]
    located = f"handbook.yaml:{expected.place.line}:{expected.place.col}: error: {expected.message} [{expected.code}]"
    wait_until(browser, located, lambda text: located in text)
    assert browser.find_elements(By.CSS_SELECTOR, ".preview-bar.preview-errors")
    assert {a.get_attribute("hreflang") for a in browser.find_elements(By.CSS_SELECTOR, ".preview-languages a")} >= {"en", "ar"}

    source.write_text(original, encoding="utf-8")
    wait_until(browser, "the handbook again", lambda text: question in text and "error:" not in text)


def test_preview_switches_to_a_right_to_left_language(preview: str, browser: WebDriver) -> None:
    browser.get(preview)
    browser.find_element(By.CSS_SELECTOR, '.preview-languages a[hreflang="ar"]').click()
    WebDriverWait(browser, RELOAD_SECONDS).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl")
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
    assert str(busy.value.diagnostics[0]).startswith(f"--port: error: cannot listen on 127.0.0.1:{port}")
