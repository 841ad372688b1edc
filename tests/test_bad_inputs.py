"""The corpus of bad inputs: every case in tests/roots/ is a tiny project that is
wrong in one way (or several), and its `expected.txt` holds what the real
command line must print and the exit status it must give:

    # what is wrong (comment lines start with '# ')
    $ handbook check
    source/tiny/handbook.yaml:16:1: error: a tab character here: ... [yaml-syntax]
    checked 1 handbook(s): 1 error(s), 0 warning(s)
    exit 1

A line `...` in the expected output stands for any lines (argparse's usage text).
A case's `layouts/` holds only the templates it breaks; the others are the
project's own. Each case runs on a copy, with the copy as working folder so
paths print as a translator sees them. Beyond the golden text, every case must:
exit 1 (2 for wrong usage), print no traceback, print each problem as
`path[:line[:col]]: error: message [code]` with a summary that counts them all,
and leave every file as it was, dist/ included.

UPDATE_EXPECTED=1 rewrites the expected outputs from the actual ones (then
read the diff: it is the review).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.cli import main

from .conftest import ROOT

ROOTS = Path(__file__).parent / "roots"
CASES = sorted(p.name for p in ROOTS.iterdir() if (p / "expected.txt").is_file())
DIAGNOSTIC = re.compile(
    r"^(?P<path>[^:\s][^:]*)(?::(?P<line>\d+))?(?::(?P<col>\d+))?: error: "
    r"(?P<message>.+) \[(?P<code>[a-z0-9-]+)\]$"
)
SUMMARY = re.compile(
    r"^(?:checked \d+ handbook\(s\): (?P<checked>\d+) error\(s\), \d+ warning\(s\)"
    r"|failed: (?P<failed>\d+) error\(s\))$"
)
LOCKS = "dist/.locks/"  # build's per-job lock files: bookkeeping, not output


@dataclass(frozen=True)
class Expected:
    argv: list[str]
    output: list[str]
    status: int


def read_expected(path: Path) -> Expected:
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("# ")
    ]
    assert lines[0].startswith("$ handbook "), f"{path}: the command comes first"
    assert lines[-1].startswith("exit "), f"{path}: the exit status comes last"
    status = lines[-1].removeprefix("exit ")
    return Expected(
        shlex.split(lines[0].removeprefix("$ handbook ")),
        lines[1:-1],
        int(status) if status.isdigit() else -1,
    )


def write_expected(path: Path, output: list[str], status: int) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("# ")] + [
        next(line for line in lines if line.startswith("$ "))
    ]
    path.write_text("\n".join([*header, *output, f"exit {status}"]) + "\n", encoding="utf-8")


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line; `...` matches any run of lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


def pad_to_10_mb(root: Path) -> None:
    with (root / "source" / "tiny" / "handbook.yaml").open("a", encoding="utf-8") as f:
        f.write("# padding\n" * 1_000_000)


def link_out(inside: str, content: str) -> Callable[[Path], None]:
    """Replace a project file by a link to a file outside the project holding
    `content`, a secret no message may quote (made here: a checkout has no outside)."""

    def setup(root: Path) -> None:
        outside = root.parent / "outside" / Path(inside).name
        outside.parent.mkdir(exist_ok=True)
        outside.write_text(content, encoding="utf-8")
        (root / inside).unlink(missing_ok=True)
        (root / inside).parent.mkdir(parents=True, exist_ok=True)
        (root / inside).symlink_to(outside)

    return setup


SECRET = "SECRET-hunter2"
SETUP = {  # inputs too big to check in, or links out of the project
    "source-10mb": pad_to_10_mb,
    "layout-link-outside": link_out(
        "layouts/_meta.j2", f"<meta>{{{{ {SECRET.replace('-', '_')} }}}}</meta>\n"
    ),
    "layout-stylesheet-link": link_out(
        "layouts/print.css", f"body {{ {SECRET}: red; colour: {SECRET} }}\n"
    ),
    "source-link-outside": link_out(
        "source/tiny/handbook.yaml", f"id: tiny\nlanguage: {SECRET}\n{SECRET}: x\n"
    ),
    "po-link-outside": link_out(
        "locales/es/LC_MESSAGES/tiny.po", f'msgid ""\nmsgstr "Language: {SECRET}\\n"\n'
    ),
}


def make_project(case: str, tmp_path: Path) -> Path:
    root = tmp_path / case
    shutil.copytree(ROOT / "layouts", root / "layouts")
    shutil.copytree(
        ROOTS / case, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected.txt")
    )
    SETUP.get(case, lambda _root: None)(root)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def run_cli(
    root: Path, argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.chdir(root)
    monkeypatch.setenv("COLUMNS", "80")  # argparse wraps its usage text to the terminal
    sigterm = signal.getsignal(signal.SIGTERM)
    try:
        status = main(["--root", str(root), *argv])
    except SystemExit as exc:  # argparse refuses wrong usage before main() runs a command
        status = int(exc.code or 0)
    finally:
        signal.signal(signal.SIGTERM, sigterm)
    out, err = capsys.readouterr()
    return status, out, err


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES)
def test_bad_input(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    expected_path = ROOTS / case / "expected.txt"
    expected = read_expected(expected_path)
    root = make_project(case, tmp_path)
    before = snapshot(root)

    status, out, err = run_cli(root, expected.argv, monkeypatch, capsys)
    lines = err.splitlines()
    if os.environ.get("UPDATE_EXPECTED") and (
        not matches(expected.output, lines) or status != expected.status
    ):
        write_expected(expected_path, lines, status)

    assert "Traceback" not in err + out
    assert SECRET not in err + out  # nothing of a file outside the project is ever quoted
    assert out == ""  # nothing claims to be written
    assert matches(expected.output, lines), "\n".join(
        ["expected:", *expected.output, "actual:", *lines]
    )
    assert status == expected.status
    assert status in (1, 2)

    after = snapshot(root)
    assert {k: v for k, v in after.items() if not k.startswith(LOCKS)} == before, (
        "a failed run changed or wrote files"
    )
    assert all(k.endswith(".lock") for k in after if k.startswith(LOCKS))

    if status == 1:  # bad input: located diagnostics, and a summary that counts every one of them
        diagnostics = [m for m in map(DIAGNOSTIC.match, lines[:-1]) if m]
        assert len(diagnostics) == len(lines) - 1, (
            f"not a diagnostic: {[x for x in lines[:-1] if not DIAGNOSTIC.match(x)]}"
        )
        summary = SUMMARY.match(lines[-1])
        assert summary, lines[-1]
        assert int(summary.group("checked") or summary.group("failed")) == len(diagnostics)
        for d in diagnostics:
            if (root / d.group("path")).is_file():
                assert d.group("line"), f"no line number: {d.group(0)}"


def test_shipped_project_is_clean() -> None:
    """`handbook check --strict` over every handbook and locale of the real project: no error,
    no warning."""
    run = subprocess.run(
        [sys.executable, "-m", "pipeline", "check", "--strict"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr.endswith(" 0 error(s), 0 warning(s)\n")
