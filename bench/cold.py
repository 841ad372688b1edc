"""What a user waits for: whole processes, a fresh font cache every time, Pandoc beside us.

    python -m bench.cold ROOT [TIMES]     (ROOT: a project with a .venv/bin, e.g. bench's copy)

Pandoc's floor writes the same Q&A (our EPUB read back as Markdown, outside the timing)
as an EPUB and as a PDF through WeasyPrint, one command after the other as a user would.
"""

from __future__ import annotations

import json
import shlex
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from .measure import Run, busy_cores, run

HANDBOOK = "ct-trafficking"
FOCUS = "es"


def fresh_cache(env: dict[str, str], tmp: Path, n: int) -> dict[str, str]:
    """Fontconfig's and WeasyPrint's caches go under XDG_CACHE_HOME: an empty one each run."""
    cache = tmp / f"cache-{n}"
    cache.mkdir()
    return {**env, "XDG_CACHE_HOME": str(cache)}


def pandoc_source(root: Path, tmp: Path, env: dict[str, str]) -> Path:
    """The edition's Q&A as Markdown, read back from our EPUB (no cover image: Pandoc has none)."""
    epub = root / "dist" / FOCUS / f"{HANDBOOK}.epub"
    text = run(["pandoc", "-f", "epub", "-t", "markdown", str(epub)], root, env).stdout
    md = tmp / "qa.md"
    md.write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("![](")),
        encoding="utf-8",
    )
    return md


def pandoc_cmd(md: Path, out: Path) -> list[str]:
    pandoc = shlex.join(
        ["pandoc", str(md), "--metadata", "title=Q&A", "--metadata", f"lang={FOCUS}", "-s"]
    )
    return [
        "sh",
        "-c",
        f"{pandoc} -o {out / 'qa.epub'} && {pandoc} --pdf-engine=weasyprint -o {out / 'qa.pdf'}",
    ]


def cold(root: Path, env: dict[str, str], times: int = 5) -> dict[str, Any]:
    """Median wall seconds of `make handbook LANG=es` from nothing and of Pandoc's EPUB + PDF,
    alternated round by round so that the machine's other load falls on both alike."""
    env = {
        **env,
        "PATH": f"{root / '.venv' / 'bin'}:{env.get('PATH', '')}",
    }  # Pandoc finds weasyprint
    make = ["make", "--no-print-directory", "handbook", f"LANG={FOCUS}"]
    ours: list[Run] = []
    pandoc: list[Run] = []
    busy: list[float] = []  # cores other work kept busy just before each round
    with tempfile.TemporaryDirectory(prefix="handbook-cold-") as name:
        tmp = Path(name)
        run(make, root, env)  # an EPUB for Pandoc's Markdown
        md = pandoc_source(root, tmp, env)
        for n in range(times):
            shutil.rmtree(root / "dist" / FOCUS, ignore_errors=True)
            busy.append(busy_cores(0.5))
            ours.append(run(make, root, fresh_cache(env, tmp, 2 * n)))
            pandoc.append(run(pandoc_cmd(md, tmp), root, fresh_cache(env, tmp, 2 * n + 1)))
    return {
        name: {
            "wall": statistics.median(r.seconds for r in runs),
            "cpu": statistics.median(r.cpu for r in runs),
            "rounds": [r.seconds for r in runs],
        }
        for name, runs in (("ours", ours), ("pandoc", pandoc))
    } | {"busy": busy}


if __name__ == "__main__":
    import os

    project = Path(sys.argv[1]).resolve()
    json.dump(
        cold(project, dict(os.environ), int(sys.argv[2]) if len(sys.argv) > 2 else 5), sys.stdout
    )
