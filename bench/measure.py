"""Running a command and measuring it: wall time and the peak RSS of that one process tree."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu: float  # user + system seconds of the process tree (its waited-for children included)
    rss_mb: float  # peak resident set of the largest process of the tree (ru_maxrss)
    returncode: int
    stdout: str
    stderr: str


def run(cmd: Sequence[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> Run:
    """Run `cmd`; os.wait4 gives this child's own rusage (RUSAGE_CHILDREN would be the
    maximum over every child the benchmark ever ran)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd), cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = Run(
            seconds,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024,
            proc.returncode,
            out.read().decode(),
            err.read().decode(),
        )
    if result.returncode not in ok:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return result


def median_seconds(
    cmd: Sequence[str], cwd: Path, env: dict[str, str], times: int, ok: tuple[int, ...] = (0,)
) -> float:
    return statistics.median(run(cmd, cwd, env, ok).seconds for _ in range(times))


def busy_cores(seconds: float = 1.0) -> float:
    """How many cores the machine kept busy over `seconds` while the benchmark waited:
    the load of other processes, which shared machines add to every wall time."""

    def sample() -> tuple[int, int]:
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = ticks[3] + ticks[4]  # idle, iowait
        return sum(ticks) - idle, sum(ticks)

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(1, total1 - total0) * len(os.sched_getaffinity(0))
