"""Fidelity without real Gradio: replay stored recordings of real servers on the fake.

``recordings/gradio-<version>.json`` hold what the paired gradio_client observed against
real Gradio 4.32.2, 4.44.1, 5.50.0 and 6.31.0 for each case of ``cases.py`` (recorded by
the live differential test with ``GRADIO_FAKE_UPDATE_RECORDINGS=1``). Each recording is
turned into a scenario file exactly as ``gradio-fake record`` does, replayed on the fake
with the installed client, and compared. A recording made with another client version is
skipped: each supported client replays the recordings of its own real server.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import gradio_client
import pytest

from gradio_fake._record import Recording, compare, replay

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases import CASES, known_gap  # noqa: E402

RECORDINGS = sorted((HERE / "recordings").glob("gradio-*.json"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("path", RECORDINGS, ids=[p.stem for p in RECORDINGS])
def test_stored_real_recording_replays_on_the_fake(path: Path, case: str,
                                                   tmp_path: Path) -> None:
    data = _load(path)
    if data["client"] != gradio_client.__version__:
        pytest.skip(f"recorded with gradio_client {data['client']}, "
                    f"this is {gradio_client.__version__}")
    real = Recording.from_dict(data["cases"][case])
    scenario = tmp_path / f"{case}.toml"
    scenario.write_text(real.to_scenario(name=case), encoding="utf-8")
    fake = replay(scenario)
    unexplained = [str(d) for d in compare(real, fake) if not d.known]
    gap = known_gap(data["gradio"], case)
    if gap is not None and unexplained:
        pytest.xfail(f"known gap on Gradio {data['gradio']}: {gap}")
    assert not unexplained, "\n".join(unexplained)
