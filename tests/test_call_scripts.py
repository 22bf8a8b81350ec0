"""Exact timelines: an endpoint's ``script`` in scenario files, and a call's own timeline
(``Space.script_next_call``, ``[[calls]] script``), with the real client."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from gradio_client.exceptions import AppError
from gradio_client.utils import QueueError

from gradio_fake import FakeGradio, ScenarioError, Space, StrictModeError, load_scenario
from gradio_fake._model import _LOG_LEVELS, _SCRIPT_KINDS, normalize_progress
from gradio_fake._scenario_schema import schema

EXACT = [(0, "estimation", {"rank": 3, "queue_size": 4, "eta": 9.0}),
         (5, "process_starts"), (6, "progress", (1, 4)), (6.5, "log", ("info", "nearly")),
         (7, "process_completed", "exact")]


def modelled(fake: FakeGradio, gradio: str, **settings: Any) -> Space:
    space = fake.space("acme/exact", gradio=gradio, **settings)
    space.endpoint("/predict", inputs=["textbox"], outputs=["textbox"], fn=str.upper,
                   duration=1.0)
    return space


def status_at(fake: FakeGradio, job: Any, t: float) -> tuple[Any, ...]:
    fake.clock.run_until(t)
    s = job.status()
    return (s.code.name, s.rank, s.queue_size, s.eta)


# -- the Python API -----------------------------------------------------------------------
def test_the_next_call_plays_its_own_timeline(fake: FakeGradio, gradio: str) -> None:
    space = modelled(fake, gradio)
    steps = space.script_next_call("/predict", EXACT)
    assert [s.kind for s in steps] == [kind for _, kind, *_ in EXACT]
    client = fake.client(space)
    scripted = client.submit("a", api_name="/predict")
    modelled_job = client.submit("b", api_name="/predict")
    assert status_at(fake, scripted, 0) == ("IN_QUEUE", 3, 4, 9.0)
    assert modelled_job.result() == "B" and fake.clock.now == 1.0  # no queue behind it
    assert status_at(fake, scripted, 4.9)[0] == "IN_QUEUE"
    assert status_at(fake, scripted, 5)[0] == "PROCESSING"
    assert scripted.result() == "exact" and fake.clock.now == 7.0
    kinds = [m.msg for m in fake.journal.messages(job=scripted)]
    assert kinds[-4:] == ["process_starts", "progress", "log", "process_completed"]
    assert [m.time for m in fake.journal.messages(job=scripted)][-4:] == [5.0, 6.0, 6.5, 7.0]
    # the next call is back on the queue model
    assert client.submit("c", api_name="/predict").result() == "C"


def test_queued_timelines_go_to_the_next_calls_one_each(fake: FakeGradio, gradio: str) -> None:
    space = modelled(fake, gradio)
    space.script_next_call("predict", [(2, "process_completed", "one")])
    space.script_next_call("/predict", [(1, "process_starts"),
                                        (3, "process_completed", {"error": "two failed"})])
    client = fake.client(space)
    jobs = [client.submit(x, api_name="/predict") for x in "abc"]
    assert jobs[0].result() == "one" and fake.clock.now == 2.0
    with pytest.raises(AppError, match="two failed"):
        jobs[1].result()
    assert fake.clock.now == 3.0
    assert jobs[2].result() == "C"


def test_a_call_script_overrides_the_endpoint_script(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/exact", gradio=gradio)
    space.endpoint("/s", inputs=["textbox"], outputs=["textbox"],
                   script=[(1, "process_completed", "endpoint's")])
    space.script_next_call("/s", [(4, "process_completed", "call's")])
    client = fake.client(space)
    first, second = (client.submit("x", api_name="/s") for _ in range(2))
    assert first.result() == "call's" and second.result() == "endpoint's"
    assert [m.time for m in fake.journal.messages(msg="process_completed")] == [1.0, 4.0]


@pytest.mark.parametrize("quirks", [True, False])
def test_cancelling_a_scripted_call(gradio: str, quirks: bool) -> None:
    with FakeGradio() as fake:
        space = modelled(fake, gradio, quirks=quirks)
        space.script_next_call("/predict", EXACT)
        job = fake.client(space).submit("a", api_name="/predict")
        fake.clock.run_until(2)
        job.cancel()
        with pytest.raises(Exception) as info:  # its module depends on the client
            job.result()
        assert type(info.value).__name__ == "CancelledError"
        fake.run_until_idle()
        assert job.status().code.name == "CANCELLED"
        # with quirks, the rest of the timeline still plays, as endpoint scripts do
        played = [m.msg for m in fake.journal.messages(job=job) if m.time > 2]
        assert played == (["process_starts", "progress", "log", "process_completed"]
                          if quirks else [])


def test_scripted_calls_are_deterministic(gradio: str) -> None:
    def run() -> list[Any]:
        with FakeGradio(seed=7) as fake:
            space = modelled(fake, gradio)
            space.script_next_call("/predict", EXACT)
            client = fake.client(space)
            jobs = [client.submit(x, api_name="/predict") for x in "ab"]
            seen: list[Any] = []
            for t in (0, 0.5, 1, 5, 6, 6.5):
                fake.clock.run_until(t)
                seen += [(t, job.status().code.name, job.status().rank) for job in jobs]
            seen += [job.result() for job in jobs]
            sent = [(m.time, m.event_id, m.msg, json.dumps(m.payload, default=repr))
                    for m in fake.messages]
            return [*seen, *sent]

    assert run() == run()


def test_a_join_the_queue_refuses_takes_its_timeline(fake: FakeGradio, gradio: str) -> None:
    space = modelled(fake, gradio, max_size=0)
    space.script_next_call("/predict", [(1, "process_completed", "never")])
    client = fake.client(space)
    with pytest.raises(QueueError):
        client.submit("a", api_name="/predict").result()
    assert fake.strict_problems() == []


def test_bad_call_scripts_are_refused_at_the_users_line(fake: FakeGradio) -> None:
    space = modelled(fake, "5.50.0")
    with pytest.raises(ValueError, match=r"no endpoint '/nope' \(endpoints: /predict\)"):
        space.script_next_call("/nope", EXACT)
    with pytest.raises(ValueError, match="at least one step"):
        space.script_next_call("/predict", [])
    with pytest.raises(ValueError, match=r"script\[1\] at=1.0 is before the previous step"):
        space.script_next_call("/predict", [(2, "process_starts"),
                                            (1, "process_completed", "x")])
    with pytest.raises(ValueError, match=r"script\[1\] comes after process_completed"):
        space.script_next_call("/predict", [(1, "process_completed", "x"), (2, "log",
                                                                           ("info", "late"))])
    with pytest.raises(ValueError, match=r"script\[0\] kind must be one of"):
        space.script_next_call("/predict", [(1, "finish", "x")])
    assert len(space.endpoints[0].call_scripts) == 0


def test_strict_mode_lists_a_timeline_no_call_took() -> None:
    with pytest.raises(StrictModeError, match=r"1 timeline\(s\) queued by script_next_call "
                                              r"for acme/exact /predict were never taken"):
        with FakeGradio(strict=True) as fake:
            modelled(fake, "5.50.0").script_next_call("/predict", EXACT)


# -- scenario files ---------------------------------------------------------------------------
SCENARIO = textwrap.dedent('''\
    description = "Exact timelines."

    [space]
    id = "acme/scripted"
    gradio = "{gradio}"

    [[endpoints]]
    api_name = "/exact"
    inputs = ["textbox"]
    outputs = ["textbox", "number"]
    script = [
      {{at = 0.0, kind = "estimation", rank = 2, queue_size = 3, eta = 4.5}},
      {{at = 1.0, kind = "process_starts"}},
      {{at = 1.5, kind = "progress", index = 1, length = 10, unit = "steps", desc = "warm"}},
      {{at = 1.75, kind = "log", level = "warning", message = "half way"}},
      {{at = 2.0, kind = "process_completed", value = ["done", 2]}},
    ]

    [[endpoints]]
    api_name = "/model"
    inputs = ["textbox"]
    outputs = ["textbox"]
    handler = "upper"
    duration = 3

    [[calls]]
    id = "first"
    api_name = "/model"
    args = ["a"]
    script = [
      {{at = 0.0, kind = "estimation", rank = 5, queue_size = 6}},
      {{at = 4.0, kind = "process_starts", eta = 2.0}},
      {{at = 5.0, kind = "process_completed", error = "boom", title = "Oops"}},
    ]

    [[calls]]
    id = "second"
    api_name = "/model"
    args = ["b"]

    [[calls]]
    id = "streamed"
    api_name = "/model"
    args = ["c"]
    at = 10
    script = [
      {{at = 0.0, kind = "process_starts"}},
      {{at = 0.5, kind = "process_generating", value = "C"}},
      {{at = 1.0, kind = "process_generating", value = "CC"}},
      {{at = 1.0, kind = "process_completed", value = "CC"}},
    ]

    [[calls]]
    id = "third"
    api_name = "/exact"
    args = ["y"]
    at = 1

    [expect.first]
    outcome = "AppError"
    message = "boom"
    {title}finished_at = 5

    [expect.second]
    outcome = "result"
    result = "B"
    finished_at = 3

    [expect.third]
    outcome = "result"
    result = ["done", 2]
    finished_at = 3
    ''')


def write(tmp_path: Path, text: str, name: str = "case.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_scenario_with_endpoint_and_call_scripts_runs_exactly(tmp_path: Path,
                                                                gradio: str) -> None:
    title = 'title = "Oops"\n' if gradio >= "5" else ""  # 4.x sends no title
    scenario = load_scenario(write(tmp_path, SCENARIO.format(gradio=gradio, title=title)))
    assert scenario.endpoints[0].script is not None and scenario.calls[0].script is not None
    with FakeGradio(seed=scenario.seed) as fake:
        report = scenario.run(fake)
    assert not report.matches_expectations(), report.render()
    calls = {c.id: c for c in report.calls}
    third = [(s.time, s.code, s.rank, s.queue_size, s.eta) for s in calls["third"].statuses]
    assert third[0] == (1.0, "IN_QUEUE", 2, 3, 4.5)
    assert next(s.time for s in calls["third"].statuses if s.code == "PROCESSING") == 2.0
    progress = [s.progress for s in calls["third"].statuses if s.progress]
    assert progress[0] is not None and progress[0][0]["desc"] == "warm"
    logs = [s.log for s in calls["third"].statuses if s.log]
    assert logs == [("half way", "warning")]  # (message, level)
    first = calls["first"].statuses
    assert (first[0].code, first[0].rank, first[0].queue_size) == ("IN_QUEUE", 5, 6)
    assert next(s.time for s in first if s.code == "PROCESSING") == 4.0
    streamed = calls["streamed"]
    assert streamed.result == "CC" and streamed.ended_at == 11.0
    assert list(streamed.outputs) == ["C", "CC"]


def test_submit_queues_each_calls_script_before_its_submit(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, SCENARIO.format(gradio="4.44.1", title="")))
    with FakeGradio() as fake:
        scenario.apply(fake)
        first, second, streamed, third = scenario.submit(fake)
        with pytest.raises(AppError, match="boom"):
            first.result()
        assert second.result() == "B" and third.result() == ("done", 2)
        assert streamed.result() == "CC" and fake.clock.now == 11.0
        assert fake.strict_problems() == []


BASE = textwrap.dedent('''\
    description = "x"

    [space]
    id = "acme/test"

    [[endpoints]]
    api_name = "/predict"
    inputs = ["textbox"]
    outputs = ["textbox"]
    script = [
      {at = 0.0, kind = "estimation", rank = 0, queue_size = 1},
      STEP,
    ]
    ''')

BAD_STEPS = [
    ('{at = 0.0, kind = "process_starts"}, {at = -1.0, kind = "process_completed"}',
     "12: endpoints[0].script[2].at: expected a number >= 0, got -1.0"),
    ('{at = 2.0, kind = "process_starts"}, {at = 1.0, kind = "process_completed", value = "x"}',
     "12: endpoints[0].script[2].at: at=1 is before the previous step's (at=2); steps must "
     "be in time order"),
    ('{at = 1, kind = "finish"}',
     "12: endpoints[0].script[1].kind: expected one of 'estimation', 'process_starts', "
     "'progress', 'log', 'process_generating', 'process_completed', got 'finish'"),
    ('{at = 1, kind = "process_completed"}, {at = 2, kind = "log", level = "info", '
     'message = "m"}',
     "12: endpoints[0].script[2].kind: a log step after process_completed (step 1), which "
     "ends the call"),
    ('{at = 1, kind = "log", level = "loud", message = "m"}',
     "12: endpoints[0].script[1].level: expected one of 'info', 'warning', 'success', "
     "'error', got 'loud'"),
    ('{at = 1, kind = "process_generating"}',
     "12: endpoints[0].script[1].value: required key is missing"),
    ('{kind = "process_starts"}', "12: endpoints[0].script[1].at: required key is missing"),
    ('{at = 1, kind = "estimation", rnk = 1}',
     "12: endpoints[0].script[1].rnk: unknown key; did you mean 'rank'? (allowed here: at, "
     "kind, rank, queue_size, eta)"),
    ('{at = 1, kind = "progress", progress = 2}',
     "12: endpoints[0].script[1].progress: expected a number from 0 to 1, got 2"),
    ('{at = 1, kind = "process_completed", value = "x", error = "e"}',
     "12: endpoints[0].script[1].error: give either value (the output) or error (a failure), "
     "not both"),
    ('{at = 1, kind = "process_completed", title = "T"}',
     "12: endpoints[0].script[1].title: title goes with error"),
    ('"done"',
     "12: endpoints[0].script[1]: expected a table with at, kind ('estimation', "
     "'process_starts', 'progress', 'log', 'process_generating' or 'process_completed') and "
     "that kind's fields, got 'done' (a string)"),
]


@pytest.mark.parametrize(("step", "expected"), BAD_STEPS)
def test_a_bad_script_step_gets_one_clear_error(tmp_path: Path, step: str,
                                                expected: str) -> None:
    path = write(tmp_path, BASE.replace("STEP", step))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}:{expected}"


def test_script_clashing_with_the_queue_model_names_both(tmp_path: Path) -> None:
    text = BASE.replace("STEP", '{at = 1, kind = "process_completed"}').replace(
        'outputs = ["textbox"]', 'outputs = ["textbox"]\nduration = 3')
    with pytest.raises(ScenarioError, match=r"case.toml:\d+: endpoints\[0\].script: script= "
                                            r"gives the whole timeline of a call; drop "
                                            r"duration="):
        load_scenario(write(tmp_path, text))


def test_a_bad_call_script_names_the_call(tmp_path: Path) -> None:
    text = BASE.replace("STEP", '{at = 1, kind = "process_completed"}') + textwrap.dedent('''
        [[calls]]
        id = "c"
        api_name = "/predict"
        script = [{at = 1, kind = "process_completed"}, {at = 0.5, kind = "log", level = "info", message = "m"}]
        ''')  # noqa: E501
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, text))
    assert str(info.value).endswith("case.toml:18: calls[0].script[1].kind: a log step after "
                                    "process_completed (step 0), which ends the call")


def test_a_call_scripts_value_has_one_entry_per_output(tmp_path: Path) -> None:
    text = SCENARIO.format(gradio="5.50.0", title="").replace(
        'id = "third"\napi_name = "/exact"\nargs = ["y"]\nat = 1',
        'id = "third"\napi_name = "/exact"\nargs = ["y"]\nat = 1\n'
        'script = [{at = 1, kind = "process_completed", value = "one"}]')
    with pytest.raises(ScenarioError, match=r"calls\[3\].script\[0\].value: this endpoint has 2 "
                                            r"outputs, so this must be an array of 2 values"):
        load_scenario(write(tmp_path, text))


# -- the schema and the engine agree ----------------------------------------------------------
def _branches() -> dict[str, dict[str, Any]]:
    step = schema()["$defs"]["script_step"]
    return {b["properties"]["kind"]["const"]: b for b in step["anyOf"]}


def test_schema_script_kinds_are_the_engines() -> None:
    branches = _branches()
    assert list(branches) == list(_SCRIPT_KINDS)
    props = {kind: set(b["properties"]) - {"at", "kind"} for kind, b in branches.items()}
    assert props["estimation"] == {"rank", "queue_size", "eta"}
    assert props["process_starts"] == {"eta"}
    assert props["progress"] == set(normalize_progress(0.5)) - {"progress"} | {"progress"}
    assert branches["log"]["properties"]["level"]["enum"] == list(_LOG_LEVELS)
    assert props["process_generating"] == {"value"}
    assert props["process_completed"] == {"value", "error", "title"}
    schema_root = schema()["$defs"]
    assert schema_root["endpoint"]["properties"]["script"]["$ref"] == "#/$defs/script"
    assert schema_root["call"]["properties"]["script"]["$ref"] == "#/$defs/script"


def test_every_schema_script_key_reaches_the_engine(tmp_path: Path) -> None:
    """Each key of each kind, set in a file, is in the step the engine plays."""
    step_lines = []
    expected: list[tuple[str, Any]] = []
    samples = {"rank": 1, "queue_size": 2, "eta": 3.5, "progress": 0.25, "index": 1,
               "length": 4, "unit": "files", "desc": "d", "level": "success", "message": "m",
               "value": "v"}
    at = 0.0
    for kind, branch in _branches().items():
        keys = [k for k in branch["properties"] if k not in ("at", "kind", "error", "title")]
        values = {k: samples[k] for k in keys}
        step_lines.append("{" + ", ".join([f"at = {at}", f'kind = "{kind}"'] + [
            f"{k} = {json.dumps(v)}" for k, v in values.items()]) + "}")
        expected.append((kind, values))
        at += 1
    text = BASE.replace('  {at = 0.0, kind = "estimation", rank = 0, queue_size = 1},\n  STEP,',
                        ",\n".join(step_lines))
    endpoint = load_scenario(write(tmp_path, text)).endpoints[0]
    with FakeGradio() as fake:
        space = fake.space("acme/test")
        spec = space.endpoint(endpoint.api_name, **endpoint.arguments())
    for step, (kind, values) in zip(spec.script, expected, strict=True):
        assert step.kind == kind
        if kind == "log":
            assert step.fields == (values["level"], values["message"])
        elif kind in ("process_generating", "process_completed"):
            assert step.fields == values["value"]
        else:
            assert {k: step.fields[k] for k in values} == values
