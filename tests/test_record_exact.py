"""``Recording.to_scenario(exact=True)``: stored recordings of real Gradio servers
(tests/differential/recordings) replayed call by call from their own recorded messages.

Each recording names the gradio_client it was made with; only the installed client's
recordings are replayed (as in tests/differential/test_recordings.py). With exact
scripts the client observes on the fake the same statuses as on the real server, at the
same times within :data:`LAG`: what remains is the real client's own latency between a
message reaching the wire tap and the ``StatusUpdate`` it builds from it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import gradio_client
import pytest

from gradio_fake import load_scenario
from gradio_fake._record import Recording, compare, replay

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

RECORDINGS = sorted((Path(__file__).parent / "differential" / "recordings").glob("gradio-*.json"))
MINE = [p for p in RECORDINGS
        if json.loads(p.read_text(encoding="utf-8"))["client"] == gradio_client.__version__]
#: seconds between a message on the wire and the client's status for it (real client).
LAG = 0.1
#: cases whose every call replays exactly; the others keep some calls on the queue model.
ALL_EXACT = ("instant", "queue-of-4", "progress", "generator", "error")


def _cases(path: Path) -> dict[str, Any]:
    cases: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["cases"]
    return cases


def _scripted(text: str) -> set[str]:
    return {c["id"] for c in tomllib.loads(text).get("calls", []) if "script" in c}


def _timing_problems(real: Sequence[Sequence[Any]], fake: Sequence[Sequence[Any]]) -> list[str]:
    """Each real status at the time of the fake's next status with the same code and rank
    (a real client before 2.x may drop an event's first message: compare() knows)."""
    problems = []
    j = 0
    for t, status in real:
        while j < len(fake) and not _same(fake[j][1], status):
            j += 1
        if j == len(fake):
            problems.append(f"real status {status['code']} at {t:.3f}s: none on the fake")
            break
        if abs(float(fake[j][0]) - float(t)) > LAG:
            problems.append(f"{status['code']}: real at {t:.3f}s, fake at {fake[j][0]:.3f}s")
        j += 1
    return problems


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return all(a.get(k) == b.get(k) for k in ("code", "rank", "queue_size"))


@pytest.mark.skipif(not MINE, reason=f"no stored recording made with gradio_client "
                                     f"{gradio_client.__version__}")
@pytest.mark.parametrize("path", MINE, ids=[p.stem for p in MINE])
def test_an_exact_scenario_replays_recorded_statuses_with_their_timings(path: Path,
                                                                       tmp_path: Path) -> None:
    for case, data in _cases(path).items():
        real = Recording.from_dict(data)
        text = real.to_scenario(name=case, exact=True)
        scripted = _scripted(text)
        if case in ALL_EXACT:
            assert scripted == {c.id for c in real.calls}, case
        scenario = tmp_path / f"{case}.toml"
        scenario.write_text(text, encoding="utf-8")
        fake = replay(scenario)
        unexplained = [str(d) for d in compare(real, fake) if not d.known]
        assert not unexplained, f"{case}: " + "\n".join(unexplained)
        fakes = {c.id: c for c in fake.calls}
        for call in real.calls:
            if call.id in scripted:
                problems = _timing_problems(call.statuses, fakes[call.id].statuses)
                assert not problems, f"{path.stem} {case} {call.id}: " + "; ".join(problems)


def test_exact_scripts_stay_off_calls_that_share_the_queue_with_an_unscriptable_one() -> None:
    path = next(p for p in RECORDINGS if p.name == "gradio-6.31.0.json")
    cases = _cases(path)
    cancelled = Recording.from_dict(cases["cancel-queued"])
    assert _scripted(cancelled.to_scenario(exact=True)) == set()  # the {} completion
    full = Recording.from_dict(cases["queue-full"])
    assert _scripted(full.to_scenario(exact=True)) == set()  # the refused join needs the queue
    instant = Recording.from_dict(cases["instant"])
    text = instant.to_scenario(exact=True)
    assert "replay their recorded messages exactly" in text
    assert "script = [" in text and "script = [" not in instant.to_scenario()


def test_an_exact_scenario_loads_and_keeps_the_recorded_steps(tmp_path: Path) -> None:
    path = next(p for p in RECORDINGS if p.name == "gradio-6.31.0.json")
    rec = Recording.from_dict(_cases(path)["progress"])
    scenario = tmp_path / "progress.toml"
    scenario.write_text(rec.to_scenario(exact=True), encoding="utf-8")
    call = load_scenario(scenario).calls[0]
    assert call.script is not None
    kinds = [kind for _, kind, _ in call.script]
    assert kinds == [m["msg"] for _, m in rec.calls[0].messages]
    assert kinds[-1] == "process_completed" and "progress" in kinds
