"""The same scenario gives the same observations on every run, also under ``pytest -n 2``.

The reruns are split into chunks so that pytest-xdist spreads them over its workers, and
every worker's reference trace is checked against the first worker's (through a file in
the run's shared temporary folder), so a trace that differed from one process to the
other would fail too. ``GRADIO_FAKE_DETERMINISM_RUNS`` sets the number of runs per
scenario (10 by default; the closing evidence of issue #3 used 1000)::

    GRADIO_FAKE_DETERMINISM_RUNS=1000 pytest tests/test_determinism.py -n 2
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


def _load() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "determinism.py"
    spec = importlib.util.spec_from_file_location("gradio_fake_determinism", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


determinism = _load()

RUNS = int(os.environ.get("GRADIO_FAKE_DETERMINISM_RUNS", "10"))
CHUNKS = 2 if RUNS < 100 else 20
_references: dict[str, list[Any]] = {}


def _reference(name: str, request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """This worker's reference trace, checked against every other worker's."""
    if name not in _references:
        trace = determinism.SCENARIOS[name]()
        digest = determinism.digest(trace)
        if hasattr(request.config, "workerinput"):  # an xdist worker: share the digest
            shared = tmp_path_factory.getbasetemp().parent  # one folder per test run
            record = shared / f"determinism-{determinism.digest([name])[:16]}.sha256"
            mine = record.with_name(f"{record.name}.{os.getpid()}")
            mine.write_text(digest)
            try:
                os.link(mine, record)  # atomic: the first worker's complete digest wins
            except FileExistsError:
                assert record.read_text() == digest, (
                    f"{name!r}: this worker's trace differs from another worker's:\n{trace}")
            finally:
                mine.unlink()
        _references[name] = trace
    return _references[name]


@pytest.mark.parametrize("chunk", range(CHUNKS))
@pytest.mark.parametrize("name", sorted(determinism.SCENARIOS))
def test_reruns_give_identical_traces(name: str, chunk: int, request: pytest.FixtureRequest,
                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    reference = _reference(name, request, tmp_path_factory)
    expected = determinism.digest(reference)
    runs = RUNS // CHUNKS + (1 if chunk < RUNS % CHUNKS else 0)
    divergent = [trace for trace in (determinism.SCENARIOS[name]() for _ in range(runs))
                 if determinism.digest(trace) != expected]
    assert not divergent, (f"{len(divergent)} of {runs} reruns diverged; first:\n"
                           f"  expected {reference}\n  got      {divergent[0]}")


def test_traces_are_not_trivially_equal() -> None:
    """The trace really records the timeline (so the test above can fail)."""
    trace = determinism.SCENARIOS["cancel queued and running generator, timeout"]()
    codes = {row[0] for snapshot in trace[:-2] for row in snapshot[1:]}
    assert {"IN_QUEUE", "PROCESSING", "CANCELLED", "FINISHED"} <= codes
    assert trace[-1] == ["timeout at 35.0"]
