"""Writing files: always atomically (temp file in the same folder, then rename), and the
files of one edition together: all of them change, or none does.

An operating-system failure (disk full, read-only folder, no permission) ends as one
located diagnostic, never a traceback.
"""

from __future__ import annotations

import fnmatch
import os
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from .diagnostics import OutputError, Place, error, relative

STALE_SECONDS = 600  # a temporary file this old was left by a killed build


@contextmanager
def located(path: Path) -> Iterator[None]:
    """An OSError while writing `path` becomes one diagnostic that names it."""
    try:
        yield
    except OSError as exc:
        folder = Path(exc.filename) if isinstance(exc.filename, (str, Path)) else None
        where = (
            folder if folder is not None and path.is_relative_to(folder) else path
        )  # a folder in the way
        why = exc.strerror or str(exc)
        raise OutputError(
            [error("output-write", f"cannot write here: {why}", Place(relative(where)))]
        ) from None


def _stage(path: Path, data: bytes) -> Path:
    """`data` in a temporary file beside `path`, on disk (fsync) and readable by all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        if time.time() - stale.stat().st_mtime > STALE_SECONDS:
            stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_atomic(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never a half-written one."""
    write_together({path: data})


def write_together(files: Mapping[Path, bytes]) -> None:
    """Write every file or none: all are staged first (a full disk fails here, before any
    file changes); then each is renamed over the old one, and if a rename fails, the ones
    already replaced get their old contents back."""
    staged: dict[Path, Path] = {}
    kept: dict[Path, Path | None] = {}  # the old file, hard-linked aside (None: there was none)
    replaced: list[Path] = []
    try:
        for path, data in files.items():
            with located(path):
                staged[path] = _stage(path, data)
        for path, tmp in staged.items():
            with located(path):
                kept[path] = _keep(path)
                os.replace(tmp, path)
            replaced.append(path)
    except BaseException:
        for path in replaced:
            old = kept.pop(path)
            if old is None:
                path.unlink(missing_ok=True)
            else:
                os.replace(old, path)
        for leftover in [*staged.values(), *kept.values()]:
            if leftover is not None:
                leftover.unlink(missing_ok=True)
        raise
    for old in kept.values():
        if old is not None:
            old.unlink(missing_ok=True)


def write_folder(folder: Path, files: Mapping[str, bytes], owned: Sequence[str]) -> None:
    """Make `folder` hold `files` (by path relative to it, written in that order) and no other
    file matching `owned` (the patterns of what the build writes there, as 'fonts/*.woff2'):
    all of `files` are written together first, and only then are the others removed, so the
    page in place never loses a file it loads. Only regular files inside `folder` are removed;
    a symbolic link is never followed nor removed, and a file of any other name stays."""
    write_together({folder / name: data for name, data in files.items()})
    for path in _owned(folder, owned):
        if path.relative_to(folder).as_posix() not in files:
            with located(path):
                path.unlink()


def _owned(folder: Path, patterns: Sequence[str]) -> list[Path]:
    found = []
    for top, dirs, names in os.walk(folder):  # never into a linked folder
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(top, d))]
        for name in names:
            path = Path(top, name)
            shown = path.relative_to(folder).as_posix()
            if (
                not name.startswith(".")  # a file being staged by another build
                and not path.is_symlink()
                and path.is_file()
                and any(fnmatch.fnmatchcase(shown, p) for p in patterns)
            ):
                found.append(path)
    return sorted(found)


def _keep(path: Path) -> Path | None:
    """A second name for the file about to be replaced, to put it back if need be."""
    if not path.is_file():
        return None  # nothing to keep (or a folder in the way, which the rename reports)
    old = path.with_name(f".{path.name}.{os.getpid()}.old.tmp")
    old.unlink(missing_ok=True)
    os.link(path, old)
    return old
