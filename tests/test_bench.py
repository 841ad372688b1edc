"""The benchmark times build() through the functions it calls: a renamed one must stop it."""

from __future__ import annotations

import pytest

from bench.inprocess import STAGES, MissingStage, resolve


def test_every_stage_function_exists() -> None:
    for module_name, name in STAGES:
        owner, attr = resolve(module_name, name)
        assert callable(getattr(owner, attr))


@pytest.mark.parametrize("name", ["render_documents", "Rendered.writes", "Missing.write"])
def test_a_missing_stage_is_named(name: str) -> None:
    with pytest.raises(MissingStage, match=rf"pipeline\.pdf\.{name} is gone"):
        resolve("pipeline.pdf", name)
