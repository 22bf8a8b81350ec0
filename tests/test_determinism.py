"""The same scenario gives the same observations on every run (also under pytest -n 2)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest


def _load() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "determinism.py"
    spec = importlib.util.spec_from_file_location("gradio_fake_determinism", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


determinism = _load()


@pytest.mark.parametrize("name", sorted(determinism.SCENARIOS))
def test_reruns_give_identical_traces(name: str) -> None:
    scenario = determinism.SCENARIOS[name]
    reference = scenario()
    for _ in range(10):
        assert scenario() == reference


def test_traces_are_not_trivially_equal() -> None:
    """The trace really records the timeline (so the test above can fail)."""
    trace = determinism.SCENARIOS["cancel queued and running generator, timeout"]()
    codes = {row[0] for snapshot in trace[:-2] for row in snapshot[1:]}
    assert {"IN_QUEUE", "PROCESSING", "CANCELLED", "FINISHED"} <= codes
    assert trace[-1] == ["timeout at 35.0"]
