"""Differential test: the fake against real Gradio servers, as the real client sees them.

For each real-Gradio environment and each case of ``cases.py``: launch a small real app
(``real_app.py``) on 127.0.0.1, record the case with the real, paired gradio_client
(``gradio-fake record``'s library), turn the recording into a scenario file, replay it
on the fake with the same client, and compare what the client observed: join status,
every status it built (code, rank, queue_size, ETA presence and value within 0.5 s or
25 %, progress, log), the message kinds, ``job.outputs()``, the outcome, the final
status. Timings are not compared.

Run it (from gradio-fake's own environment; each venv holds gradio + its paired client)::

    python -m pytest tests/differential -p no:xdist -q \\
        --gradio-venvs /tmp/venv-4.32.2,/tmp/venv-4.44.1,/tmp/venv-5.50.0,/tmp/venv-6.31.0

or set ``GRADIO_FAKE_REAL_VENVS`` to the same list. Without either, the current
environment is used when it can import ``gradio``; otherwise every test is skipped.
``GRADIO_FAKE_DIFF_RESULTS=DIR`` keeps each environment's recordings, scenarios and
differences as JSON.
Known fidelity gaps are ``xfail`` with the difference as the reason (see
docs/evidence.md).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

from cases import CASES, known_gap, not_happened  # noqa: E402
from realenv import overlay  # noqa: E402

ENV_VAR = "GRADIO_FAKE_REAL_VENVS"
#: a directory to keep each environment's full results in (JSON: recordings, scenarios,
#: differences), e.g. to read the real messages behind a difference.
RESULTS_VAR = "GRADIO_FAKE_DIFF_RESULTS"
#: set to 1 to store this run's real recordings as tests/differential/recordings/*.json,
#: which test_recordings.py replays on every supported client without real Gradio.
UPDATE_VAR = "GRADIO_FAKE_UPDATE_RECORDINGS"
DRIVER_TIMEOUT = 900

def _python_of(entry: str) -> str:
    path = Path(entry).expanduser()
    if path.is_dir():
        for candidate in (path / "bin" / "python", path / "Scripts" / "python.exe"):
            if candidate.exists():
                return str(candidate)
        raise pytest.UsageError(f"{entry}: no bin/python in this directory")
    return str(path)


def _environments(config: pytest.Config) -> list[str]:
    raw = config.getoption("--gradio-venvs", default=None) or os.environ.get(ENV_VAR, "")
    entries = [e for e in re.split(rf"[,{re.escape(os.pathsep)}]", raw) if e.strip()]
    if entries:
        return [_python_of(e.strip()) for e in entries]
    if importlib.util.find_spec("gradio") is not None:
        return [sys.executable]
    return []


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "real_python" not in metafunc.fixturenames:
        return
    pythons = _environments(metafunc.config)
    if not pythons:
        metafunc.parametrize("real_python", [pytest.param(
            None, marks=pytest.mark.skip(reason=f"no real Gradio: gradio is not importable "
                                                f"here and neither --gradio-venvs nor "
                                                f"${ENV_VAR} is set"))], ids=["no-gradio"])
        return
    metafunc.parametrize("real_python", pythons, ids=[_short(p) for p in pythons],
                         scope="module")


def _short(python: str) -> str:
    parts = Path(python).parts
    return parts[-3] if len(parts) >= 3 else python


_RESULTS: dict[str, dict[str, Any]] = {}


@pytest.fixture(scope="module")
def differential(real_python: str) -> Iterator[dict[str, Any]]:
    """Run the driver once per environment (all cases), cache its JSON results."""
    if real_python not in _RESULTS:
        probe = subprocess.run([real_python, "-c", "import gradio, gradio_client"],
                               capture_output=True, text=True, timeout=120)
        if probe.returncode != 0:
            pytest.skip(f"{real_python} cannot import gradio: {probe.stderr.strip()[-200:]}")
        with tempfile.TemporaryDirectory(prefix="gradio-fake-differential-") as tmp:
            folder = Path(tmp)
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(overlay(folder))])
            out = folder / "results.json"
            done = subprocess.run([real_python, str(HERE / "driver.py"), str(out)], env=env,
                                  capture_output=True, text=True, timeout=DRIVER_TIMEOUT)
            if not out.exists():
                pytest.fail(f"the differential driver failed (exit {done.returncode}):\n"
                            f"{done.stderr[-3000:]}")
            _RESULTS[real_python] = json.loads(out.read_text(encoding="utf-8"))
            if os.environ.get(UPDATE_VAR) == "1":
                _store_recordings(_RESULTS[real_python])
            keep = os.environ.get(RESULTS_VAR)
            if keep:
                Path(keep).mkdir(parents=True, exist_ok=True)
                name = f"differential-{_RESULTS[real_python].get('gradio', 'unknown')}.json"
                (Path(keep) / name).write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
    yield _RESULTS[real_python]


def _store_recordings(results: dict[str, Any]) -> None:
    cases = {c["case"]: c["real"] for c in results["cases"] if "real" in c}
    if len(cases) != len(CASES):
        return  # a case failed to run: keep the previous recordings
    folder = HERE / "recordings"
    folder.mkdir(exist_ok=True)
    data = {"gradio": results["gradio"], "client": results["client"],
            "python": results["python"], "cases": cases}
    (folder / f"gradio-{results['gradio']}.json").write_text(json.dumps(data, indent=1) + "\n",
                                                              encoding="utf-8")


def _render(case: dict[str, Any]) -> str:
    lines = [f"case {case['case']}:"]
    for side in ("real", "fake"):
        lines.append(f"  {side}:")
        for call in case[side]["calls"]:
            lines.append(f"    {call['id']}: {call['outcome']} {call.get('message', '')[:80]}")
            for t, msg in call["messages"]:
                body = {k: v for k, v in msg.items() if k not in ("msg", "event_id", "output")}
                lines.append(f"      {t:8.3f} {msg.get('msg')} {json.dumps(body)[:100]}")
    lines.append("  differences:")
    lines += [f"    {d['call']}: {d['what']}: real {d['real']}, fake {d['fake']}"
              + (f" (known: {d['known']})" if d.get("known") else "")
              for d in case["differences"]]
    return "\n".join(lines)


@pytest.mark.parametrize("case_name", list(CASES))
def test_fake_matches_real_gradio(differential: dict[str, Any], case_name: str) -> None:
    case = next(c for c in differential["cases"] if c["case"] == case_name)
    if "error" in case:
        pytest.fail(f"{case_name} failed to run:\n{case['error']}")
    version = differential["gradio"]
    reason = not_happened(case_name, case["real"])
    assert reason is None, (f"the real app did not do what {case_name!r} is about, in "
                            f"{len(case.get('missed', [])) + 1} recordings: {reason}")
    unexplained = [d for d in case["differences"] if not d.get("known")]
    gap = known_gap(version, case_name)
    if gap is not None:
        if unexplained:
            pytest.xfail(f"known gap on Gradio {version}: {gap}")
        return
    assert not unexplained, (f"the fake differs from real Gradio {version} "
                             f"(gradio_client {differential['client']}):\n{_render(case)}")
