"""gradio_fake.strategies: every draw is valid for the API it feeds, and shrinks to something
small and readable; the Hypothesis entry-point hook; the state machine's own rules."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from typing import Any, cast

import gradio_client
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import invariant
from packaging.version import Version

from gradio_fake import SUPPORTED_VERSIONS, EndpointSpec, Error, FakeGradio, Fault, Load, Space
from gradio_fake import strategies as gs
from gradio_fake._faults import FAULT_KINDS, make_fault, step_kinds
from gradio_fake._hypothesis import _hypothesis_setup_hook
from gradio_fake._model import normalize_script
from gradio_fake._versions import DEFAULT_VERSION

#: No fake is made in most tests here, so many examples are cheap.
MANY = settings(max_examples=100, deadline=None, database=None)
#: ``find`` without a database (the minimal example, not a remembered one) and without
#: the costly explain phase.
FIND = settings(database=None, max_examples=500, phases=[Phase.generate, Phase.shrink])


def declare(kwargs: dict[str, Any], gradio: str = "4.44.1") -> EndpointSpec:
    return Space("acme/app", gradio=gradio).endpoint(**kwargs)


# ---------------------------------------------------------------------------- validity

@MANY
@given(kwargs=gs.endpoints())
def test_endpoints_are_accepted_by_space_endpoint(kwargs: dict[str, Any]) -> None:
    spec = declare(kwargs)
    assert len(spec.inputs) <= 2 and 1 <= len(spec.outputs) <= 2
    assert ("result" in kwargs) != ("yields" in kwargs)
    assert 0 <= spec.duration <= 120
    assert all(log.at <= spec.duration for log in spec.logs)
    assert kwargs.get("concurrency_limit", 2) in (2, 3, None)  # 1 is left out


@MANY
@given(kwargs=gs.endpoints(components=gs.COMPONENTS, max_inputs=4, max_outputs=3,
                           min_duration=5, max_duration=6, allow_infinite=True))
def test_every_supported_component_and_infinite_durations(kwargs: dict[str, Any]) -> None:
    spec = declare(kwargs)
    assert spec.duration == math.inf or 5 <= spec.duration <= 6


@MANY
@given(kwargs=gs.endpoints(scripted=True))
def test_scripted_endpoints(kwargs: dict[str, Any]) -> None:
    assert declare(kwargs).script
    assert not {"duration", "result", "yields", "progress", "logs", "error"} & set(kwargs)


@MANY
@given(script=gs.timelines(outputs=["textbox", "number"], allow_unfinished=True))
def test_timelines_follow_the_order_of_a_real_call(script: list[tuple[Any, ...]]) -> None:
    steps = normalize_script(script)
    kinds = [s.kind for s in steps]
    starts = kinds.index("process_starts")
    assert set(kinds[:starts]) <= {"estimation"} and kinds.count("process_starts") == 1
    assert "process_completed" not in kinds[:-1]
    assert all(a.at <= b.at for a, b in itertools.pairwise(steps))
    ranks = [s.fields["rank"] for s in steps if s.kind == "estimation"]
    assert ranks == sorted(ranks, reverse=True)
    assert all(s.fields["rank"] < s.fields["queue_size"] for s in steps
               if s.kind == "estimation")
    for s in steps:
        if s.kind in ("process_generating", "process_completed") and not isinstance(
                s.fields, Error):
            assert isinstance(s.fields, tuple) and len(s.fields) == 2


@MANY
@given(load=gs.loads(max_ahead=3, max_arrival_rate=0.5, endpoints=["/a", "/b"]))
def test_loads_are_valid_and_bounded(load: Load) -> None:
    assert 0 <= load.ahead <= 3 and 0 <= load.arrival_rate <= 0.5
    assert load.endpoint in (None, "/a", "/b")
    assert Load(**vars(load)) == load


@settings(max_examples=60, deadline=None, database=None)
@given(plan=gs.spaces())
def test_spaces_apply_to_a_fake(plan: gs.SpacePlan) -> None:
    assert plan.gradio in gs.compatible_versions()
    names = [e["api_name"] for e in plan.endpoints]
    assert len(set(names)) == len(names) and 1 <= len(names) <= 2
    fake = FakeGradio()  # declaring needs no active fake
    space = plan.apply(fake)
    assert [ep.route for ep in space.endpoints] == names
    assert space.load == plan.load
    if plan.load is not None and plan.load.endpoint is not None:
        assert math.isfinite(plan.endpoint(plan.load.endpoint)["duration"])


@MANY
@given(plan=gs.fault_plans(max_faults=3))
def test_fault_plans_are_accepted_by_fake_fault(plan: list[tuple[Any, ...]]) -> None:
    fake = FakeGradio()
    fake.space("acme/app", gradio="4.44.1")
    for kind, at, params in plan:
        fault = fake.fault(kind, at=at, **params)
        assert fault.kind in FAULT_KINDS
        assert at is None or 0 <= at <= 60
        defaults = FAULT_KINDS[kind].defaults()
        assert all(params[k] != defaults[k] or k == "route" for k in params)


@MANY
@given(plan=gs.fault_plans(max_faults=3, steps=True))
def test_step_placed_fault_plans_are_accepted_by_fake_fault(
        plan: list[tuple[Any, ...]]) -> None:
    fake = FakeGradio()
    fake.space("acme/app", gradio="4.44.1")
    for kind, at, params in plan:
        fault = fake.fault(kind, at=at, **params)
        if "after" in params:
            assert at is None and fault.after == params["after"]
            assert params["after"][0] in step_kinds() and 1 <= params["after"][1] <= 3


def test_a_step_placed_plan_shrinks_to_the_first_step() -> None:
    # (the kind shrinks toward the first too, but Hypothesis does not promise how far)
    plan = find(gs.fault_plans(steps=True), lambda p: any("after" in f[2] for f in p),
                settings=FIND)
    assert [(at, params["after"]) for _, at, params in plan] == [(None, ("estimation", 1))]
    plan = find(gs.fault_plans(steps=["progress"]), lambda p: any("after" in f[2] for f in p),
                settings=FIND)
    assert [(at, params["after"]) for _, at, params in plan] == [(None, ("progress", 1))]
    assert find(gs.fault_plans(steps=True), lambda p: len(p) > 0, settings=FIND) == [
        ("stream_dropped", None, {})]


def test_steps_must_be_message_kinds() -> None:
    with pytest.raises(InvalidArgument, match="steps: unknown \\['progres'\\]"):
        gs.fault_plans(steps=["progres"]).example()


@pytest.mark.parametrize("kind", list(FAULT_KINDS))
def test_every_fault_kind_can_be_drawn(kind: str) -> None:
    plan = find(gs.fault_plans(kinds=[kind]), lambda p: len(p) > 0, settings=FIND)
    assert plan[0][0] == kind
    make_fault(kind, at=plan[0][1], **plan[0][2])


@MANY
@given(data=st.data(), plan=gs.spaces(gradio="4.44.1"))
def test_submissions_match_their_space(data: st.DataObject, plan: gs.SpacePlan) -> None:
    sub = data.draw(gs.submissions(plan, max_at=10, max_wait=5))
    kwargs = plan.endpoint(sub.endpoint)
    assert len(sub.args) == len(kwargs["inputs"])
    assert 0 <= sub.at <= 10
    assert sub.cancel_after is None or 0 <= sub.cancel_after <= 5
    assert sub.timeout is None or 0 <= sub.timeout <= 5
    quiet = data.draw(gs.submissions(plan, max_at=0, cancel=False, timeout=False))
    assert (quiet.at, quiet.cancel_after, quiet.timeout) == (0.0, None, None)


def test_submissions_skip_state_inputs_as_the_client_does() -> None:
    kwargs = {"api_name": "/chat", "inputs": ["textbox", "state"], "outputs": ["textbox"]}
    sub = find(gs.submissions(kwargs), lambda s: True, settings=FIND)
    assert sub == gs.Submission("/chat", ("",))


# ---------------------------------------------------------------------------- shrinking

MINIMAL_ENDPOINT = {"api_name": "/predict", "inputs": [], "outputs": ["textbox"],
                    "result": "", "duration": 0.0}


@pytest.mark.parametrize(("strategy", "condition", "minimal"), [
    (gs.endpoints(), lambda kw: True, MINIMAL_ENDPOINT),
    (gs.endpoints(), lambda kw: kw["duration"] > 0, {**MINIMAL_ENDPOINT, "duration": 1.0}),
    (gs.endpoints(), lambda kw: "yields" in kw,
     {"api_name": "/predict", "inputs": [], "outputs": ["textbox"], "yields": [""],
      "duration": 0.0}),
    (gs.endpoints(), lambda kw: "error" in kw, {**MINIMAL_ENDPOINT, "error": "a"}),
    (gs.endpoints(), lambda kw: len(kw.get("progress", ())) >= 2,
     {**MINIMAL_ENDPOINT, "progress": [0.0, 0.0]}),
    (gs.timelines(), lambda s: True,
     [(0.0, "process_starts"), (0.0, "process_completed", "")]),
    (gs.timelines(), lambda s: s[0][1] == "estimation",
     [(0.0, "estimation", {"rank": 0, "queue_size": 1, "eta": None}),
      (0.0, "process_starts"), (0.0, "process_completed", "")]),
    (gs.loads(), lambda load: True, Load()),
    (gs.loads(), lambda load: load.ahead > 0, Load(ahead=1)),
    (gs.fault_plans(), lambda p: len(p) > 0, [("stream_dropped", None, {})]),
    (gs.fault_plans(kinds=["http_error"]), lambda p: len(p) > 0,
     [("http_error", None, {"route": "join"})]),
    (gs.spaces(gradio=["4.44.1", "4.32.2"]), lambda p: True,
     gs.SpacePlan(endpoints=(MINIMAL_ENDPOINT,))),
    (gs.spaces(gradio="4.44.1"), lambda p: len(p.endpoints) > 1,
     gs.SpacePlan(endpoints=(MINIMAL_ENDPOINT, {**MINIMAL_ENDPOINT, "api_name": "/predict_1"}))),
    (st.lists(gs.submissions(gs.SpacePlan(endpoints=(MINIMAL_ENDPOINT,)))),
     lambda subs: len(subs) > 1, [gs.Submission("/predict")] * 2),
])
def test_shrinks_to_a_readable_minimal_example(strategy: st.SearchStrategy[Any],
                                              condition: Any, minimal: Any) -> None:
    assert find(strategy, condition, settings=FIND) == minimal


def test_reprs_leave_defaults_out() -> None:
    plan = gs.SpacePlan(endpoints=(MINIMAL_ENDPOINT,), max_size=2)
    assert repr(plan) == f"SpacePlan(endpoints=({MINIMAL_ENDPOINT!r},), max_size=2)"
    assert repr(gs.Submission("/predict", ("a",), cancel_after=3.0)) == \
        "Submission(endpoint='/predict', args=('a',), cancel_after=3.0)"


def test_client_value_is_what_the_client_returns() -> None:
    assert gs.client_value(("a", {"k": (1, 2)}), ["textbox", "json"]) == ("a", {"k": [1, 2]})
    assert gs.client_value({"k": (1,)}, ["json"]) == {"k": [1]}


# ---------------------------------------------------------------------------- bad arguments

@pytest.mark.parametrize("make", [
    lambda: gs.endpoints(components=["image"]),
    lambda: gs.endpoints(max_outputs=0),
    lambda: gs.endpoints(min_duration=10, max_duration=5),
    lambda: gs.endpoints(api_name="/"),
    lambda: gs.timelines(outputs=[]),
    lambda: gs.loads(max_arrival_rate=-1),
    lambda: gs.spaces(gradio=["9.9.9"]),
    lambda: gs.spaces(min_endpoints=3, max_endpoints=2),
    lambda: gs.fault_plans(kinds=["stream_droped"]),
    lambda: gs.fault_plans(routes=["nowhere"]),
    lambda: gs.submissions({"api_name": None, "inputs": [], "outputs": ["textbox"]}),
    lambda: gs.submissions({"api_name": "/f", "inputs": ["file"], "outputs": ["textbox"]}),
])
def test_bad_arguments_are_invalid_argument_at_once(make: Any) -> None:
    with pytest.raises(InvalidArgument):
        make()


def test_the_default_versions_follow_the_installed_client() -> None:
    client = Version(gradio_client.__version__)
    reachable = [v for v in SUPPORTED_VERSIONS
                 if client >= Version("1.14") or Version(v) < Version("5")]
    assert sorted(gs.compatible_versions()) == sorted(reachable)
    assert gs.compatible_versions()[0] in (DEFAULT_VERSION, "4.44.1", "4.32.2")


# ---------------------------------------------------------------------------- st.from_type

def test_the_setup_hook_registers_from_type() -> None:
    _hypothesis_setup_hook()
    _hypothesis_setup_hook()  # idempotent

    @settings(max_examples=30, deadline=None, database=None)
    @given(load=st.from_type(Load), fault=st.from_type(Fault),
           spec=st.from_type(EndpointSpec), error=st.from_type(Error),
           plan=st.from_type(gs.SpacePlan))
    def check(load: Load, fault: Fault, spec: EndpointSpec, error: Error,
              plan: gs.SpacePlan) -> None:
        assert load.ahead <= 5  # not inferred from the type hints: bounded, valid
        assert fault.kind in FAULT_KINDS
        assert isinstance(spec, EndpointSpec) and spec.outputs
        assert error.message
        plan.apply(FakeGradio())

    check()

    def needs_a_load(load: Load) -> Load:
        return load

    assert isinstance(find(st.builds(needs_a_load), lambda _: True, settings=FIND), Load)


FROM_TYPE_CHECK = """
from hypothesis import given, settings, strategies as st
from gradio_fake import Load
@settings(max_examples=5, database=None)
@given(st.from_type(Load))
def check(load):
    assert 0 <= load.ahead <= 5
check()
"""


@pytest.mark.parametrize("first", ["import gradio_fake.strategies",
                                   "import hypothesis; import gradio_fake.strategies",
                                   "import gradio_fake"])
def test_any_import_order_works_and_registers_from_type(first: str) -> None:
    """``import gradio_fake.strategies`` before Hypothesis imports Hypothesis, whose
    entry-point hook then meets the half-imported module: it must neither fail nor miss
    the registration. A fresh interpreter, since this one has imported both already."""
    done = subprocess.run([sys.executable, "-c", first + "\n" + FROM_TYPE_CHECK],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


# ---------------------------------------------------------------------------- the machine

class QueueWatcher(gs.GradioQueueMachine):
    """The base rules alone, with faults: whatever happened, virtual time never goes back
    and, once the world is idle, every job of the other user has ended."""

    space_plan = gs.SpacePlan(
        endpoints=({"api_name": "/predict", "inputs": ["textbox"], "outputs": ["textbox"],
                    "yields": ["a", "ab"], "duration": 20.0},),
        # Without quirks: with them, the other user's cancel of a queued job also kills
        # their running one, which then never ends (as on real Gradio).
        gradio="4.44.1", load=Load(ahead=1, duration=10), quirks=False)
    fault_kinds = ("stream_dropped", "http_error", "heartbeat_stall")
    fault_routes = ("join", "cancel")

    def __init__(self) -> None:
        super().__init__()
        self.last_now = 0.0

    @invariant()
    def time_only_moves_forward(self) -> None:
        assert self.fake.clock.now >= self.last_now
        self.last_now = self.fake.clock.now

    @invariant()
    def joins_are_counted(self) -> None:
        assert self.accepted_joins(self.other_client) <= len(self.other_submitted)
        assert self.accepted_joins(self.client) == 0  # nobody used the user's client

    def teardown(self) -> None:
        try:
            self.fake.run_until_idle()
            for job in self.other_submitted:
                assert job.done(), self.fake.timeline()
        finally:
            super().teardown()


QueueWatcher.TestCase.settings = settings(max_examples=20, stateful_step_count=10,
                                          deadline=None, database=None,
                                          suppress_health_check=list(HealthCheck))
TestQueueWatcher = QueueWatcher.TestCase


def test_the_machine_owns_one_active_fake_per_run() -> None:
    machine = gs.GradioQueueMachine()
    try:
        assert machine.fake.active and machine.space.name == "acme/app"
        job = cast(Any, machine.other_user_submits(gs.Submission("/predict", ("x",))))
        machine.advance(10.0)
        assert job.result() == "done"
        assert machine.accepted_joins() == 1 and machine.accepted_joins(machine.client) == 0
    finally:
        machine.teardown()
    assert not machine.fake.active
