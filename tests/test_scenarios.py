"""Scenario files: bundled ones run to their documented outcome; bad ones get one clear error."""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from support import CLIENT_VERSION, compatible

import gradio_fake
from gradio_fake import SUPPORTED_VERSIONS, FakeGradio, ScenarioError
from gradio_fake._faults import (
    BUILTIN_FAULTS,
    FAULT_KINDS,
    ROUTES,
    STEP_KINDS,
    FaultParam,
    make_fault,
)
from gradio_fake._scenario import (
    OVERRIDES,
    bundled_dir,
    find_scenario,
    load_scenario,
    scenario_names,
)
from gradio_fake._scenario_faults import PLACEMENT, fault_branch, schema_kinds
from gradio_fake._scenario_lines import scan_lines
from gradio_fake._scenario_schema import schema
from gradio_fake._versions import DEFAULT_VERSION

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BUNDLED = scenario_names()


# -- the bundled scenarios -----------------------------------------------------------------
def test_there_are_bundled_scenarios_with_one_line_descriptions() -> None:
    assert len(BUNDLED) >= 13
    assert "busy-public-space" in BUNDLED  # the README's demo
    for name in BUNDLED:
        scenario = load_scenario(name)
        assert scenario.name == name
        assert scenario.description and "\n" not in scenario.description
        assert scenario.calls and set(scenario.expect) == {c.id for c in scenario.calls}, \
            f"{name}: every call has a documented outcome"


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_scenario_runs_to_its_documented_outcome(name: str) -> None:
    scenario = load_scenario(name)
    if not compatible(scenario.gradio):
        pytest.skip(f"gradio_client {CLIENT_VERSION} cannot talk to Gradio {scenario.gradio} "
                    f"(clients before 1.14 ignore the /gradio_api prefix, as with real servers)")
    with FakeGradio(seed=scenario.seed) as fake:
        report = scenario.run(fake)
    assert report.matches_expectations() == [], report.render()
    assert [c.id for c in report.calls] == [c.id for c in scenario.calls]


def test_busy_public_space_shows_a_falling_rank_in_a_growing_queue() -> None:
    scenario = load_scenario("busy-public-space")
    with FakeGradio(seed=scenario.seed) as fake:
        report = scenario.run(fake)
    (mine,) = report.calls
    queued = [s for s in mine.statuses if s.code == "IN_QUEUE"]
    assert queued[0].rank == 11 and queued[0].queue_size == 12
    ranks = [s.rank for s in queued]
    assert ranks == sorted(ranks, reverse=True) and ranks[-1] == 0
    assert all(s.eta is not None for s in queued)
    assert max(s.queue_size or 0 for s in queued) > queued[0].queue_size  # others arrive
    assert mine.codes == ["IN_QUEUE", "PROCESSING", "FINISHED"]


def test_streaming_scenario_records_when_each_output_arrived() -> None:
    scenario = load_scenario("streaming-generator")
    with FakeGradio() as fake:
        report = scenario.run(fake)
    (ask,) = report.calls
    assert ask.output_times == (0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
    assert "output 3: 'Hello! How'" in report.render()


def test_same_seed_same_report() -> None:
    scenario = load_scenario("busy-public-space")
    renders = []
    for _ in range(2):
        with FakeGradio(seed=7) as fake:
            renders.append(scenario.run(fake).render())
    assert renders[0] == renders[1]


def test_render_is_a_readable_timeline() -> None:
    scenario = load_scenario("queue-full")
    with FakeGradio() as fake:
        text = scenario.run(fake).render()
    assert text.splitlines()[0] == f"queue-full: {scenario.description}"
    assert re.search(r"^\s+10s\s+rejected\s+submit /predict\('hello'\)$", text, re.M)
    assert re.search(r"^\s+10s\s+rejected\s+-> QueueError: Queue is full", text, re.M)
    assert "(as expected)" in text


def test_to_dict_is_json() -> None:
    scenario = load_scenario("multi-endpoint-files")
    with FakeGradio() as fake:
        data = scenario.run(fake).to_dict()
    json.dumps(data)
    assert data["scenario"] == "multi-endpoint-files" and data["mismatches"] == []
    summary = next(c for c in data["calls"] if c["id"] == "summary")
    assert summary["result"] == ["Revenue grew.", 2]
    assert summary["kwargs"] == {"max_words": 5}


def test_mismatches_name_the_call_and_what_differs(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + """
        [[calls]]
        id = "one"
        api_name = "/shout"
        args = ["hi"]

        [expect.one]
        outcome = "AppError"
        finished_at = 9
        """)
    with FakeGradio() as fake:
        report = load_scenario(path).run(fake)
    assert report.matches_expectations() == [
        "one: outcome: expected AppError, got result",
        "one: finished_at: expected t=9s, got t=2s",
    ]
    assert "(NOT as expected)" in report.render()


def test_apply_and_submit_hand_back_real_jobs() -> None:
    scenario = load_scenario("multi-endpoint-files")
    with FakeGradio() as fake:
        space = scenario.apply(fake)
        assert space.name == "acme/doc-tools"
        assert [ep.route for ep in space.endpoints] == ["/convert", "/summarise", "/metadata"]
        jobs = scenario.submit(fake)
        assert len(jobs) == 3 and fake.clock.now == 1  # the last call is submitted at t=1
        assert jobs[1].result() == ("Revenue grew.", 2)
        assert jobs[2].result() == {"pages": 1, "language": "en"}
        assert Path(jobs[0].result()).read_text() == "Quarterly report\nrevenue: 12\n"


def test_fake_load_declares_the_space_of_a_scenario() -> None:
    with FakeGradio() as fake:
        space = fake.load("queue-full", max_size=5)
        assert space.name == "acme/tiny-queue" and space.max_size == 5
        assert fake.client("acme/tiny-queue").predict("hi", api_name="/predict") == "hi"
        assert fake.clock.now == 240  # after the three jobs of its background load


def test_the_package_lists_the_bundled_scenarios() -> None:
    assert gradio_fake.scenario_names() == BUNDLED


def test_overrides_replace_space_settings_and_seed() -> None:
    scenario = load_scenario("busy-public-space", gradio="6", max_size=3, seed=9)
    assert scenario.gradio == "6.31.0"
    assert scenario.space.max_size == 3 and scenario.seed == 9
    assert load_scenario("queue-full", max_size=None).space.max_size is None


def test_unknown_override_is_a_type_error_listing_the_allowed_ones() -> None:
    with pytest.raises(TypeError) as info:
        load_scenario("busy-public-space", gradoi="6")
    assert str(info.value) == (
        f"load_scenario() got unknown override(s) gradoi; allowed: {', '.join(OVERRIDES)}")


def test_bad_override_names_the_override() -> None:
    with pytest.raises(ScenarioError, match=re.escape(
            "space.max_size (override max_size=-1): expected an integer >= 0, got -1")):
        load_scenario("busy-public-space", max_size=-1)


def test_scenario_is_immutable() -> None:
    scenario = load_scenario("multi-endpoint-files")
    with pytest.raises(AttributeError):
        scenario.name = "other"  # type: ignore[misc]
    meta = next(ep for ep in scenario.endpoints if ep.api_name == "/metadata")
    with pytest.raises(TypeError):
        meta.result["pages"] = 2
    first, second = meta.arguments()["result"], meta.arguments()["result"]
    first["pages"] = 99
    assert second["pages"] == 1  # each use gets a fresh copy


# -- finding scenarios ------------------------------------------------------------------------
def test_scenario_names_are_the_bundled_files_sorted() -> None:
    folder = bundled_dir()
    assert folder is not None
    assert BUNDLED == sorted(p.stem for p in folder.glob("*.toml"))


def test_find_by_name_searches_dirs_first(tmp_path: Path) -> None:
    mine = write(tmp_path, BASE, name="busy-public-space.toml")
    assert find_scenario("busy-public-space", [tmp_path]) == mine
    assert find_scenario("busy-public-space").parent == bundled_dir()
    assert find_scenario(str(mine)) == mine
    assert find_scenario("busy-public-space.toml", [tmp_path]) == mine


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(ScenarioError, match=r"unknown scenario 'busy-public-spac'; did you mean "
                                            r"'busy-public-space'\?"):
        find_scenario("busy-public-spac")


def test_missing_path_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "nothing" / "here.toml")


# -- bad files ----------------------------------------------------------------------------------
BASE = """\
description = "A test Space."

[space]
id = "acme/test"
gradio = "4.44.1"

[[endpoints]]
api_name = "/shout"
inputs = ["textbox"]
outputs = ["textbox"]
handler = "upper"
duration = 2
"""


def write(folder: Path, text: str, name: str = "case.toml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


BAD_FILES: list[tuple[str, str, str]] = [
    ("bad TOML syntax, with line and column",
     'description = "x"\n[space\nid = "a/b"\n',
     "case.toml:2:7: invalid TOML: Expected ']' at the end of a table declaration"),
    ("unknown key, with a suggestion",
     BASE.replace("duration = 2", "durration = 2"),
     "case.toml:12: endpoints[0].durration: unknown key; did you mean 'duration'? (allowed "
     "here: api_name, inputs, outputs, result, handler, validator, duration, progress, yields, "
     "logs, error, concurrency_limit, concurrency_id, show_api, script)"),
    ("wrong type, with the key path",
     BASE + '\n[[endpoints]]\napi_name = "/b"\ninputs = []\noutputs = []\nduration = "ten"\n',
     "case.toml:18: endpoints[1].duration: expected a number >= 0, got 'ten' (a string)"),
    ("negative duration",
     BASE.replace("duration = 2", "duration = -3"),
     "case.toml:12: endpoints[0].duration: expected a number >= 0, got -3"),
    ("unknown component type",
     BASE.replace('inputs = ["textbox"]', 'inputs = ["textbox", "textboxx"]'),
     "case.toml:9: endpoints[0].inputs[1]: unknown component type 'textboxx'; "
     "did you mean 'textbox'?"),
    ("unknown component type in a table",
     BASE.replace('outputs = ["textbox"]', 'outputs = [{type = "imagee", label = "x"}]'),
     "case.toml:10: endpoints[0].outputs[0].type: unknown component type 'imagee'; "
     "did you mean 'image'?"),
    ("unknown gradio version",
     BASE.replace('"4.44.1"', '"4.45"'),
     "case.toml:5: space.gradio: '4.45' is not an emulated Gradio version; supported: "
     f"{', '.join(SUPPORTED_VERSIONS)}; did you mean '4.44.1'?"),
    ("missing required key",
     BASE.replace('inputs = ["textbox"]\n', ""),
     "case.toml:7: endpoints[0].inputs: required key is missing"),
    ("missing top-level key has no line",
     BASE.replace('description = "A test Space."\n', ""),
     "case.toml: description: required key is missing"),
    ("neither id nor url",
     BASE.replace('id = "acme/test"\n', ""),
     "case.toml:3: space: expected a table with exactly one of 'id' or 'url'"),
    ("a description of two lines",
     BASE.replace('"A test Space."', '"""A test\nSpace."""'),
     "case.toml:1: description: expected one line of text, got 'A test\\nSpace.'"),
    ("unknown fault kind",
     BASE + '\n[[faults]]\nkind = "strem_dropped"\nat = 3\n',
     "case.toml:15: faults[0].kind: expected one of 'stream_dropped', 'server_stopped', "
     "'heartbeat_stall', 'http_error', 'malformed_message', 'unknown_message', 'slow_join', "
     "'duplicate_completion', 'missing_completion', 'heartbeat_404', got 'strem_dropped'; "
     "did you mean 'stream_dropped'?"),
    ("a parameter of another fault kind",
     BASE + '\n[[faults]]\nkind = "server_stopped"\nabrupt = true\n',
     "case.toml:16: faults[0].abrupt: unknown key (allowed here: kind, at, after, job)"),
    ("a fault both at a time and after a step",
     BASE + '\n[[faults]]\nkind = "stream_dropped"\nat = 3\nafter = "progress"\n',
     "case.toml:17: faults[0].after: give at (a virtual time) or after (a step of a job), "
     "not both"),
    ("a fault after a step that is no message kind",
     BASE + '\n[[faults]]\nkind = "stream_dropped"\nafter = ["progres", 2]\n',
     "case.toml:16: faults[0].after: after= counts messages of a job; 'progres' is not one "
     "of estimation, process_starts, progress, log, process_generating, process_completed, "
     "process_streaming, unexpected_error; did you mean 'progress'?"),
    ("a fault after the 0th step",
     BASE + '\n[[faults]]\nkind = "server_stopped"\nafter = ["progress", 0]\n',
     "case.toml:16: faults[0].after[1]: expected an integer >= 1, got 0"),
    ("a fault after something that is not a step",
     BASE + '\n[[faults]]\nkind = "server_stopped"\nafter = 3\n',
     "case.toml:16: faults[0].after: expected a message kind such as 'process_starts', or a "
     "[kind, n] pair such as ['progress', 3], got 3 (an integer)"),
    ("a fault tied to no call",
     BASE + '\n[[calls]]\nid = "mine"\napi_name = "/shout"\n\n'
            '[[faults]]\nkind = "missing_completion"\njob = "mien"\n',
     "case.toml:20: faults[0].job: no call with id 'mien'; did you mean 'mine'? "
     "(calls: mine)"),
    ("a fault tied to a call before it is made",
     BASE + '\n[[calls]]\nid = "mine"\napi_name = "/shout"\nat = 5\n\n'
            '[[faults]]\nkind = "stream_dropped"\njob = "mine"\nat = 2\n',
     "case.toml:22: faults[0].at: at=2 is before call 'mine' is submitted (at=5); a fault "
     "tied to a call is planned when the call is submitted"),
    ("a fault acting a number of times that is no number",
     BASE + '\n[[faults]]\nkind = "slow_join"\ntimes = "never"\n',
     "case.toml:16: faults[0].times: expected an integer >= 1 or 'none' (no limit), got "
     "'never' (a string)"),
    ("a malformed message that is well formed",
     BASE + '\n[[faults]]\nkind = "malformed_message"\nline = \'data: {"a": 1}\'\n',
     "case.toml:16: faults[0].line: malformed_message line= 'data: {\"a\": 1}' is a "
     "well-formed data line; give invalid JSON after 'data:', or a line that does not start "
     "with it"),
    ("an unknown message the client knows",
     BASE + '\n[[faults]]\nkind = "unknown_message"\nmsg = "progress"\n',
     "case.toml:16: faults[0].msg: unknown_message msg= must be a msg gradio_client does "
     "not know; 'progress' is one it handles"),
    ("an http error route",
     BASE + '\n[[faults]]\nkind = "http_error"\nroute = "joint"\n',
     "case.toml:16: faults[0].route: expected one of 'config', 'info', 'join', 'data', "
     "'heartbeat', 'cancel', 'reset', 'upload', 'file', got 'joint'; did you mean 'join'?"),
    ("handler and result together",
     BASE.replace("duration = 2", 'result = "x"'),
     "case.toml:12: endpoints[0].result: give either handler or result, not both"),
    ("a handler that does not fit the endpoint",
     BASE.replace('outputs = ["textbox"]', 'outputs = ["textbox", "number"]'),
     "case.toml:11: endpoints[0].handler: 'upper' maps the first input to one output (this "
     "endpoint has 1 input(s) and 2 output(s))"),
    ("a handler that does not import",
     BASE.replace('"upper"', '"no_such_module_here:fn"'),
     "case.toml:11: endpoints[0].handler: cannot import module 'no_such_module_here' "
     "(No module named 'no_such_module_here')"),
    ("a validator on Gradio 4",
     BASE + 'validator = "non_empty"\n',
     "case.toml:13: endpoints[0].validator: validators need Gradio 5 or later; this Space "
     "emulates 4.44.1"),
    ("concurrency limit zero",
     BASE + "concurrency_limit = 0\n",
     "case.toml:13: endpoints[0].concurrency_limit: expected an integer >= 1 or 'none' "
     "(unlimited), got 0 (an integer)"),
    ("a progress fraction above 1",
     BASE + "progress = [0.5, 1.5]\n",
     "case.toml:13: endpoints[0].progress[1]: expected a fraction in [0, 1], an [index, "
     "length] pair or a table with progress, index, length, unit, desc, got 1.5 (a float)"),
    ("a log after the end of the call",
     BASE + 'logs = [{at = 5, level = "info", message = "late"}]\n',
     "case.toml:13: endpoints[0].logs[0]: at=5.0 is after the end of the call "
     "(duration=2.0)"),
    ("a misspelt key inside an inline table",
     BASE.replace('handler = "upper"\n', "") + 'error = {mesage = "boom"}\n',
     "case.toml:12: endpoints[0].error.mesage: unknown key; did you mean 'message'? (allowed "
     "here: message, title, duration, visible)"),
    ("two endpoints with one api name",
     BASE + '\n[[endpoints]]\napi_name = "shout"\ninputs = []\noutputs = []\n',
     "case.toml:15: endpoints[1].api_name: api_name '/shout' is already used by another "
     "endpoint of acme/test"),
    ("a call to an unknown endpoint",
     BASE + '\n[[calls]]\nid = "a"\napi_name = "/shuot"\n',
     "case.toml:16: calls[0].api_name: no endpoint '/shuot' in this scenario; did you mean "
     "'/shout'? (endpoints: /shout)"),
    ("cancel before submit",
     BASE + '\n[[calls]]\nid = "a"\napi_name = "/shout"\nat = 5\ncancel_at = 2\n',
     "case.toml:18: calls[0].cancel_at: cancel_at=2 is before the call is submitted (at=5)"),
    ("a file argument that does not exist",
     BASE + '\n[[calls]]\nid = "a"\napi_name = "/shout"\nargs = [{file = "nope.txt"}]\n',
     "case.toml:17: calls[0].args[0].file: no such file 'nope.txt' (looked for {dir}"
     "/nope.txt)"),
    ("an expectation for no call",
     BASE + '\n[[calls]]\nid = "a"\napi_name = "/shout"\n\n[expect.b]\noutcome = "result"\n',
     "case.toml:18: expect.b: no call with id 'b' (calls: a)"),
    ("an unknown outcome",
     BASE + '\n[[calls]]\nid = "a"\napi_name = "/shout"\n\n[expect.a]\noutcome = "Result"\n',
     "case.toml:19: expect.a.outcome: expected one of 'result', 'AppError', 'QueueError', "
     "'ValidationError', 'CancelledError', 'TimeoutError', 'KeyError', 'ValueError', "
     "'HTTPStatusError', 'ReadTimeout', 'NeverEndingWait', got 'Result'; did you mean "
     "'result'?"),
    ("several outputs need an array result",
     BASE.replace('handler = "upper"', 'result = "x"').replace(
         'outputs = ["textbox"]', 'outputs = ["textbox", "number"]'),
     "case.toml:11: endpoints[0].result: this endpoint has 2 outputs, so this must be an "
     "array of 2 values, got 'x'"),
    ("no endpoints",
     'description = "x"\nendpoints = []\n\n[space]\nid = "acme/test"\n',
     "case.toml:2: endpoints: expected at least 1 entry, got 0"),
]


@pytest.mark.parametrize(("text", "expected"), [(t, e) for _, t, e in BAD_FILES],
                         ids=[label for label, _, _ in BAD_FILES])
def test_bad_file_gets_one_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == f"{tmp_path}/" + expected.replace("{dir}", str(tmp_path))
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_the_base_of_the_bad_files_is_good(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, BASE))
    assert scenario.name == "case" and scenario.gradio == "4.44.1"


# -- the schema and the file format agree -------------------------------------------------------
def test_schema_is_draft_2020_12_and_describes_every_key() -> None:
    root = schema()
    assert root["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    defs = root["$defs"]
    tables = [("", root)] + [(f"{name}.", defs[name])
                             for name in ("space", "endpoint", "load", "call", "expectation")]
    for prefix, table in tables:
        for key, prop in table["properties"].items():
            target = defs[prop["$ref"].rsplit("/", 1)[1]] if "$ref" in prop else {}
            assert "description" in prop or "description" in target, f"{prefix}{key}"


def _semantics(node: Any, defs: dict[str, Any]) -> Any:
    """A schema node with its $refs resolved and its prose (descriptions, messages) left out."""
    if isinstance(node, list):
        return [_semantics(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    while "$ref" in node:
        target = defs[node["$ref"].rsplit("/", 1)[1]]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    prose = {"description", "errorMessage", "examples", "minLength"}
    return {k: _semantics(v, defs) for k, v in node.items() if k not in prose}


def test_schema_fault_kinds_are_the_engines_with_every_parameter() -> None:
    """The shipped schema spells out every built-in fault kind, each with the placement keys
    and every engine parameter, typed, bounded and defaulted as the engine declares it."""
    root = schema()
    defs = root["$defs"]
    assert schema_kinds(root) == [kind.name for kind in BUILTIN_FAULTS]
    assert set(FAULT_KINDS) >= set(schema_kinds(root))
    for shipped in defs["fault"]["anyOf"]:
        name = shipped["properties"]["kind"]["const"]
        kind = FAULT_KINDS[name]
        assert set(shipped["properties"]) == {*PLACEMENT, *kind.param_names}, name
        assert _semantics(shipped, defs) == _semantics(fault_branch(kind), defs), name
        for param in kind.params:
            assert shipped["properties"][param.name]["description"], (name, param.name)
    http = next(b for b in defs["fault"]["anyOf"]
                if b["properties"]["kind"]["const"] == "http_error")
    assert tuple(http["properties"]["route"]["enum"]) == ROUTES
    assert defs["fault_after"]["examples"][0] in STEP_KINDS


def _other_value(param: FaultParam) -> Any:
    """A valid value of ``param`` other than its default, as a scenario file writes it."""
    if param.choices:
        return next(c for c in reversed(param.choices) if c != param.default)
    if param.type is bool:
        return not param.default
    if param.type is str:
        return {"line": "event: ping", "msg": "unexpected_error"}.get(param.name, "oops")
    low = param.minimum if param.minimum is not None else 0
    value = (param.default if param.default is not None else low) + 1
    return param.type(min(value, param.maximum) if param.maximum is not None else value)


def _toml(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, bool) else str(value).lower()


@pytest.mark.parametrize("kind", [k.name for k in BUILTIN_FAULTS])
def test_every_engine_fault_parameter_is_reachable_from_a_file(tmp_path: Path, kind: str) -> None:
    """Each parameter of each kind, set in a file, is the value the engine plans with; so
    are the placements (at, after, job) and "none" for an optional parameter."""
    definition = FAULT_KINDS[kind]
    calls = '\n[[calls]]\nid = "mine"\napi_name = "/shout"\nat = 1\n'
    entries = [('at = 2', {}), ('after = ["progress", 2]', {}),
               ('after = "process_starts"\njob = "mine"', {})]
    for param in definition.params:
        value = _other_value(param)
        entries.append((f"{param.name} = {_toml(value)}", {param.name: value}))
        if param.optional:
            entries.append((f'{param.name} = "none"', {param.name: None}))
    text = BASE + calls + "".join(f'\n[[faults]]\nkind = "{kind}"\n{body}\n'
                                  for body, _ in entries)
    scenario = load_scenario(write(tmp_path, text))
    assert len(scenario.faults) == len(entries)
    placed = scenario.faults[:3]
    assert [(f.at, f.after, f.job) for f in placed] == [
        (2.0, None, None), (None, ("progress", 2), None), (None, ("process_starts", 1), "mine")]
    for decl, (_, given) in zip(scenario.faults, entries, strict=True):
        planned = make_fault(decl.kind, at=decl.at, after=decl.after, **decl.params)
        assert planned.kind == kind
        for name, value in given.items():
            assert planned.params[name] == value, (kind, name)


def test_schema_default_gradio_is_the_engine_default() -> None:
    assert schema()["$defs"]["space"]["properties"]["gradio"]["default"] == DEFAULT_VERSION


def test_docs_list_every_bundled_scenario_and_every_key() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "scenarios.md").read_text()
    for name in BUNDLED:
        assert f"`{name}`" in docs, f"docs/scenarios.md does not list {name}"
    for section in ("space", "endpoint", "load", "call", "expectation"):
        for key in schema()["$defs"][section]["properties"]:
            assert f"`{key}`" in docs, f"docs/scenarios.md does not document {section}.{key}"
    faults = docs.split("### `[[faults]]`", 1)[1].split("\n### ", 1)[0]
    for key in PLACEMENT:
        assert f"| `{key}` |" in faults, f"docs/scenarios.md does not document faults.{key}"
    for kind in BUILTIN_FAULTS:
        row = next((line for line in faults.splitlines() if line.startswith(f"| `{kind.name}`")),
                   None)
        assert row is not None, f"docs/scenarios.md does not list fault kind {kind.name}"
        for param in kind.param_names:
            assert f"`{param}`" in row, f"docs/scenarios.md: {kind.name} lacks {param}"


# -- line numbers ------------------------------------------------------------------------------
def test_line_scanner_follows_tables_arrays_and_strings() -> None:
    text = textwrap.dedent('''\
        # comment with = sign
        a = "x # not a comment"
        b = """multi
        line = 3"""
        [[t]]
        k = [
          1,  # one
          {x = 1, "y" = 2},
        ]
        [[t]]
        s.d = 'lit'
        [t.sub]
        z = 1
        ''')
    lines = scan_lines(text)
    assert lines[("a",)] == 2 and lines[("b",)] == 3
    assert lines[("t", 0)] == 5 and lines[("t", 0, "k", 1, "y")] == 8
    assert lines[("t", 1, "s", "d")] == 11 and lines[("t", 1, "sub", "z")] == 13
    assert ("line",) not in lines


def test_line_scanner_finds_every_key_of_the_bundled_files() -> None:
    def key_paths(value: object, path: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
        if isinstance(value, dict):
            return [p for k, v in value.items() for p in [(*path, k), *key_paths(v, (*path, k))]]
        if isinstance(value, list):
            return [p for i, v in enumerate(value) for p in key_paths(v, (*path, i))]
        return []

    for name in BUNDLED:
        text = find_scenario(name).read_text()
        lines = scan_lines(text)
        missing = [p for p in key_paths(tomllib.loads(text), ()) if p not in lines]
        assert not missing, f"{name}: {missing}"
