"""pipeline/fork.py: work of one edition in a forked child comes back as if run in place."""

from __future__ import annotations

import os

import pytest

from pipeline import fork
from pipeline.diagnostics import Place, RenderError, error
from pipeline.fork import ChildFailed, Forked


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})  # on any machine: two cores
    assert fork.parallel()


@pytest.mark.usefixtures("forking")
def test_the_value_comes_from_another_process() -> None:
    assert Forked(os.getpid).result() != os.getpid()
    assert Forked(lambda: b"%PDF" * 100_000).result() == b"%PDF" * 100_000  # more than a pipe holds


def fails() -> bytes:
    raise RenderError([error("pdf-render", "a glyph is missing", Place("layouts/print.css", 3))])


@pytest.mark.usefixtures("forking")
@pytest.mark.parametrize("serial", [False, True])
def test_a_pipeline_error_keeps_its_class_and_diagnostics(
    monkeypatch: pytest.MonkeyPatch, serial: bool
) -> None:
    monkeypatch.setattr(fork, "SERIAL", serial)
    with pytest.raises(RenderError) as raised:
        Forked(fails).result()
    assert [str(d) for d in raised.value.diagnostics] == [
        "layouts/print.css:3: error: a glyph is missing [pdf-render]"
    ]


@pytest.mark.usefixtures("forking")
def test_a_bug_in_the_child_is_raised_with_its_traceback() -> None:
    with pytest.raises(ChildFailed, match=r"(?s)a build process failed:.*ZeroDivisionError"):
        Forked(lambda: 1 // 0).result()


@pytest.mark.usefixtures("forking")
def test_a_child_never_waited_for_is_reaped() -> None:
    child = Forked(lambda: b"x" * 1_000_000)  # blocks on a full pipe until it is let go
    pid = child._pid
    del child
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def parallel_on_two_cores() -> bool:
    os.sched_getaffinity = lambda _pid: {0, 1}  # in a worker of its own, thrown away after
    return fork.parallel()


def test_a_worker_of_build_all_runs_in_place() -> None:
    """Its sibling workers have the other cores already (pipeline/jobs.py)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(1, mp_context=get_context("forkserver")) as pool:
        assert pool.submit(parallel_on_two_cores).result() is False
