"""The recorder (``gradio-fake record``) without real Gradio: parsing, TOML, comparison,
and a whole record -> scenario -> replay -> compare round trip against the fake itself,
served on a loopback port by ``gradio-fake serve`` in another process (so the recorder
sees a server in real time, exactly as it sees a real app)."""

from __future__ import annotations

import math
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gradio_fake import load_scenario
from gradio_fake._record import (
    CallRecording,
    CallSpec,
    Normalizer,
    Recording,
    _started_at_once,
    closest_version,
    compare,
    lost_messages,
    parse_call_spec,
    record,
    replay,
    toml_value,
)
from gradio_fake.cli import main

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def test_call_specs_from_the_command_line() -> None:
    assert parse_call_spec("/predict") == CallSpec("/predict")
    assert parse_call_spec('predict=["hi", 3]') == CallSpec("/predict", ("hi", 3))
    spec = parse_call_spec('{"api_name": "/slow", "args": ["x"], "count": 4, "cancel_after": 1}')
    assert (spec.count, spec.cancel_after, spec.args) == (4, 1, ("x",))
    for bad, message in [('/p=["x"', "JSON array"), ('/p={"a": 1}', "JSON array"),
                         ('{"args": []}', "api_name is required"),
                         ('{"api_name": "/p", "cuont": 2}', "unknown key"),
                         ('{"api_name": "/p", "count": 0}', "count must be"),
                         ('{"api_name": "/p", "cancel_after": 0}', "cancel_after must be")]:
        with pytest.raises(ValueError, match=message):
            parse_call_spec(bad)


def test_toml_values_read_back_the_same() -> None:
    value = {"a b": [1, 2.5, "x\"y\n", True, {"k": [math.inf]}], "plain": "é"}
    text = f"v = {toml_value(value)}\n"
    assert tomllib.loads(text)["v"] == value
    with pytest.raises(ValueError, match="TOML"):
        toml_value(None)


def test_closest_emulated_version() -> None:
    assert closest_version("4.44.1") == "4.44.1"
    assert closest_version("4.40.0") == "4.44.1"
    assert closest_version("4.31.5") == "4.32.2"
    assert closest_version("5.9.1") == "5.50.0"
    assert closest_version("6.0.0") == "6.31.0"


def test_volatile_values_are_normalised() -> None:
    norm = Normalizer("http://127.0.0.1:7860/")
    event = "f728b4fa42484e3a8a5d2f346baa9455"
    session = "0b3f1c2e-1d2a-4e5f-8a9b-0c1d2e3f4a5b"
    assert norm.value({"event_id": event, "path": "/tmp/gradio/" + "ab" * 20 + "/cat.png",
                       "url": "http://127.0.0.1:7860/file=x", "s": session}) == {
        "event_id": "E1", "path": "<tmp>/cat.png", "url": "<root>/file=x", "s": "S1"}
    assert norm.text(f"Response for {event}") == "Response for E1"


def _call(statuses: list[tuple[str, int | None]], **fields: object) -> CallRecording:
    messages = [[0.0, {"msg": "estimation", "rank": rank, "queue_size": 1}] if code == "IN_QUEUE"
                else [0.1, {"msg": "process_completed", "output": {"data": ["x"]},
                            "success": True}] for code, rank in statuses]
    return CallRecording(
        id="c1", api_name="/p", args=[], kwargs={}, submitted_at=0.0, messages=messages,
        statuses=[[0.0, {"code": c, "rank": r, "queue_size": 1 if r is not None else None,
                         "eta": None, "progress": None, "log": None}] for c, r in statuses],
        outcome="result", result="x", final_code="FINISHED", **fields)  # type: ignore[arg-type]


def _recording(*calls: CallRecording) -> Recording:
    return Recording(url="http://x/", gradio="4.44.1", client="1.3.0", config={}, info={},
                     calls=list(calls))


def test_compare_names_each_difference() -> None:
    real = _recording(_call([("IN_QUEUE", 1), ("FINISHED", None)]))
    same = _recording(_call([("IN_QUEUE", 1), ("FINISHED", None)]))
    other = _recording(_call([("IN_QUEUE", 0), ("FINISHED", None)], outputs=["y"]))
    assert compare(real, same) == []
    found = [(d.call, d.what) for d in compare(real, other)]
    assert found == [("c1", "status[0] rank"), ("c1", "outputs()")]


def test_a_message_the_client_dropped_is_a_known_difference() -> None:
    real = _call([("FINISHED", None)])
    real.messages.insert(0, [0.0, {"msg": "estimation", "rank": 0, "queue_size": 1}])
    assert lost_messages(real) == 1
    fake = _call([("IN_QUEUE", 0), ("FINISHED", None)])
    diffs = compare(_recording(real), _recording(fake))
    assert [d.what for d in diffs] == ["messages the client never took in"]
    assert diffs[0].known


def _two_calls(ahead_start: float, shown: list[tuple[int, int]]) -> Recording:
    """Two calls of /slow; the second joins at 0.106 s (real, Gradio 4.44.1 queue-of-4
    in a live run), the first starts at ``ahead_start``; ``shown``: the second's
    IN_QUEUE statuses."""
    first = CallRecording(id="c1", api_name="/slow", args=[], kwargs={}, submitted_at=0.0,
                          messages=[[0.054, {"msg": "estimation", "rank": 0, "queue_size": 1}],
                                    [ahead_start, {"msg": "process_starts"}]],
                          statuses=[[0.054, {"code": "IN_QUEUE", "rank": 0, "queue_size": 1}],
                                    [ahead_start, {"code": "PROCESSING"}]])
    second = CallRecording(
        id="c2", api_name="/slow", args=[], kwargs={}, submitted_at=0.06,
        messages=[[0.106, {"msg": "estimation", "rank": 1, "queue_size": 2}],
                  [0.106, {"msg": "estimation", "rank": 0, "queue_size": 1}]],
        statuses=[[0.107, {"code": "IN_QUEUE", "rank": rank, "queue_size": size}]
                  for rank, size in shown])
    return _recording(first, second)


def test_a_join_before_the_call_ahead_started_is_a_known_difference() -> None:
    """Gradio 4.x/5.x start a joined call when their dequeue loop next wakes (every
    50 ms when idle): a join in that window counts the call ahead as queued, then gets
    a second estimation at its start. The fake starts a call at its join (seen in live
    differential runs of queue-of-4 and cancel-queued on 4.32, 4.44 and 5.50)."""
    fake = CallRecording(id="c2", api_name="/slow", args=[], kwargs={}, submitted_at=0.06,
                         messages=[[0.059, {"msg": "estimation", "rank": 0, "queue_size": 1}]],
                         statuses=[[0.059, {"code": "IN_QUEUE", "rank": 0, "queue_size": 1}]])
    fakes = _recording(_two_calls(0.054, []).calls[0], fake)
    for shown in ([(1, 2), (0, 1)],  # the client showed both estimations
                  [(0, 1)]):  # a client before 2.x dropped the early one (PROTOCOL §6.8)
        diffs = compare(_two_calls(0.106, shown), fakes)
        assert [(d.call, d.what) for d in diffs] == [("c2", "first estimation")], diffs
        assert diffs[0].known and "dequeue loop" in diffs[0].known
    # The call ahead had started long before (no dequeue at that estimation): a real
    # difference in rank, not this race.
    unexplained = [d for d in compare(_two_calls(0.054, [(1, 2), (0, 1)]), fakes)
                   if not d.known]
    assert [d.what for d in unexplained][:1] == ["status[0] rank"]


def test_a_start_caused_by_a_cancel_is_not_a_start_at_join() -> None:
    """Real 6.31 starts a queued call that is cancelled while its session runs the same
    endpoint; when the cancel came within 50 ms of the join, the recorder took that
    start for one at the join, placed the call's join after its cancel, and the replay
    never showed the queued status (seen in a live differential run)."""
    messages = [[0.085, {"msg": "estimation", "rank": 0, "queue_size": 1}],
                [0.127, {"msg": "process_starts", "eta": None}],
                [0.128, {"msg": "process_completed", "output": {}, "success": True}]]
    queued = CallRecording(id="queued", api_name="/long", args=[], kwargs={},
                           submitted_at=0.08, joined_at=0.085, messages=messages,
                           cancelled_at=0.12)
    assert not _started_at_once(queued)
    queued.cancelled_at = None  # the same messages without a cancel: started at its join
    assert _started_at_once(queued)


SERVED = """
description = "A small app served by gradio-fake serve, recorded by gradio-fake record."
[space]
url = "http://127.0.0.1:7860/"
gradio = "4.44.1"

[[endpoints]]
api_name = "/slow"
inputs = [{type = "textbox", label = "text"}]
outputs = [{type = "textbox", label = "result"}]
handler = "reverse"
duration = 1.0

[[endpoints]]
api_name = "/steps"
inputs = [{type = "textbox", label = "text"}]
outputs = [{type = "textbox", label = "result"}]
yields = ["a", "ab", "abc"]
duration = 0.6

[[endpoints]]
api_name = "/fail"
inputs = ["textbox"]
outputs = ["textbox"]
error = "boom"
duration = 0.1
"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The fake, served on a free loopback port by ``gradio-fake serve`` in a subprocess."""
    path = tmp_path / "served.toml"
    path.write_text(SERVED, encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-c", "import sys; from gradio_fake.cli import main; "
                               "sys.exit(main(sys.argv[1:]))",
         "serve", str(path), "--seconds", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert "serving" in line, server.stderr.read() if server.stderr else line
        yield line.split(" at ", 1)[1].split()[0]
    finally:
        server.terminate()
        server.wait(20)


def test_record_a_served_app_then_replay_it_on_the_fake(served: str, tmp_path: Path) -> None:
    started = time.monotonic()
    recording = record(served, [CallSpec("/slow", ("ab",), count=3),
                                CallSpec("/steps", ("x",), at=0.1),
                                CallSpec("/fail", ("x",), at=0.2)], timeout=20)
    assert time.monotonic() - started < 20
    calls = {c.id: c for c in recording.calls}
    assert [calls[c].outcome for c in ("c1", "c2", "c3", "c4", "c5")] == [
        "result", "result", "result", "result", "AppError"]
    ranks = [m["rank"] for c in recording.calls for _, m in c.messages
             if m["msg"] == "estimation"]
    assert max(ranks) >= 1  # the three /slow calls queued behind each other
    assert calls["c4"].outputs == ["a", "ab", "abc"]
    assert all(c.event and c.event.startswith("E") for c in recording.calls)
    text = recording.to_scenario(name="served")
    scenario_file = tmp_path / "served.toml"
    scenario_file.write_text(text, encoding="utf-8")
    scenario = load_scenario(scenario_file)  # a valid scenario file
    assert {e.api_name for e in scenario.endpoints} == {"/slow", "/steps", "/fail"}
    assert 'result = "ba"' in text and 'error = {message = "boom"}' in text
    fake = replay(scenario_file)
    assert [d for d in compare(recording, fake) if not d.known] == []
    again = Recording.from_json(recording.to_json())
    assert again.to_scenario(name="served") == text


def test_cli_record_check(served: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rec.toml"
    status = main(["record", served, "--call", '/slow=["ab"]', "--call",
                   '{"api_name": "/steps", "args": ["x"]}', "-o", str(out),
                   "--python", str(tmp_path / "rec.py"), "--check"])
    err = capsys.readouterr().err
    assert status == 0, err
    assert "0 unexplained difference(s)" in err
    assert load_scenario(out).calls[0].api_name == "/slow"
    assert "def declare(fake: FakeGradio)" in (tmp_path / "rec.py").read_text(encoding="utf-8")


def test_cli_record_exact_check(served: str, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "exact.toml"
    status = main(["record", served, "--call", '/slow=["ab"]', "--exact", "-o", str(out),
                   "--check"])
    err = capsys.readouterr().err
    assert status == 0, err
    assert "0 unexplained difference(s)" in err
    call = load_scenario(out).calls[0]
    assert call.script is not None and call.script[-1][1] == "process_completed"


def test_cli_record_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["record", "http://127.0.0.1:9/", "--call", "/p=[1"]) == 2
    assert "JSON array" in capsys.readouterr().err
    assert main(["record", "http://127.0.0.1:9/", "--concurrency", "/p=0"]) == 2
    assert main(["record", "http://127.0.0.1:9/", "--call", "/p"]) == 1
    assert "cannot record http://127.0.0.1:9/" in capsys.readouterr().err
