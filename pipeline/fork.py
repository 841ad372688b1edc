"""Work of one edition on the machine's second core: a forked child, started after
WeasyPrint is imported and set up, so it inherits fonts, stylesheet and laid-out pages
instead of paying for them again (a cold build spends about a second on those).

The child sends back its value, or the PipelineError it raised, through a pipe; a bug in
the child is raised in the parent with the child's traceback. With one core, without
fork, with another thread running, inside a worker of `build --all` (its siblings have
the other cores already), or when `SERIAL` is set (the in-process benchmark times the
work itself), the call simply runs in place: the output is the same either way.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Generic, TypeVar

from .diagnostics import PipelineError

T = TypeVar("T")

SERIAL = False


class ChildFailed(RuntimeError):
    """A forked child died or raised something that is not a PipelineError: a bug."""


def parallel() -> bool:
    """Whether to fork: a second core that no sibling worker is using, and no other thread,
    whose locks (logging's, a pool's) the child would inherit held and never released
    (the preview server is threaded)."""
    return (
        not SERIAL
        and hasattr(os, "fork")
        and len(os.sched_getaffinity(0)) > 1
        and threading.active_count() == 1
        and not _pool_worker()
    )


def _pool_worker() -> bool:
    """Whether this process is a worker of a pool (which has imported multiprocessing:
    looked up, not imported, so that a lone build does not pay for it)."""
    mp = sys.modules.get("multiprocessing")
    return mp is not None and mp.parent_process() is not None


class Forked(Generic[T]):
    """`fn()` running in a child process (or already run, in place); `result()` waits for it."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self._value: T | None = None
        self._pid = 0
        self._read = -1
        if not parallel():
            self._value = fn()
            return
        sys.stdout.flush()
        sys.stderr.flush()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never return into the caller's code
            os.close(read)
            _child(fn, write)
        os.close(write)
        self._pid, self._read = pid, read

    def __del__(self) -> None:
        if self._pid:  # never waited for (the build failed elsewhere): reap the child, no zombie
            os.close(self._read)  # a child still writing gets a broken pipe and exits
            os.waitpid(self._pid, 0)

    def result(self) -> T:
        if not self._pid:
            return self._value  # type: ignore[return-value]  # run in place: fn's own value
        with os.fdopen(self._read, "rb") as pipe:
            data = pipe.read()  # all of it before waiting: a full pipe would block the child
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        if not data:
            code = os.waitstatus_to_exitcode(status)
            raise ChildFailed(f"a build process died (status {code})")
        kind, value = pickle.loads(data)
        if kind == "error":
            cls, diagnostics = value
            raise cls(diagnostics)
        if kind == "bug":
            raise ChildFailed(f"a build process failed:\n{value}")
        self._value = value
        return value  # type: ignore[no-any-return]


def _child(fn: Callable[[], object], write: int) -> None:
    code = 0
    try:
        try:
            message: tuple[str, object] = ("value", fn())
        except PipelineError as exc:
            message = ("error", (type(exc), exc.diagnostics))  # its args are the joined text
        except BaseException:  # handed to the parent, which raises it
            message = ("bug", traceback.format_exc())
        with os.fdopen(write, "wb") as pipe:
            pipe.write(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))
    except BaseException:  # nowhere to report: the parent sees no data
        code = 1
    # No atexit handlers, no finalizers of the parent's objects (WeasyPrint's temporary fonts).
    os._exit(code)
