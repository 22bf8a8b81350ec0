"""Properties of the fake itself, checked with the real client on random Spaces and calls.

Each property is a ``@given`` function that makes its own ``FakeGradio`` per
example (a function-scoped fixture would be shared by every example). A test
function runs it, then prints and records (``record_property``, for junit XML) how
many examples ran, how long that took, and how often each kind of case came up
(the ``tally`` events), so a property that stopped meeting its cases shows it;
``pytest -rP`` shows those lines.
"""

from __future__ import annotations

import concurrent.futures
import functools
import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from gradio_client.utils import Status
from hypothesis import event, given, note, settings
from hypothesis import strategies as st

from gradio_fake import FakeGradio
from gradio_fake import strategies as gs
from gradio_fake._faults import FAULT_KINDS
from gradio_fake._realtime import REAL

VERSIONS = gs.compatible_versions()

#: Examples per property: enough to meet the queue's corners (load, limits, cancels,
#: every emulated version) while the whole file stays well under a minute per client
#: version on two cores.
EXAMPLES = {
    "every_job_ends_exactly_once": 40,
    "every_job_ends_under_faults": 30,
    "rank_never_grows": 30,
    "outputs_arrive_in_order": 30,
    "cancel_never_yields_a_result": 30,
    "result_timeout_is_exact": 25,
    "same_seed_same_trace": 15,
}

RUNS: Counter[str] = Counter()
TALLIES: dict[str, Counter[str]] = {}
_current: list[str] = []


def prop_settings(name: str) -> settings:
    # deadline=None: an example's real time includes the client's threads. No database:
    # every run explores afresh, and nothing is written into the working tree.
    return settings(max_examples=EXAMPLES[name], deadline=None, database=None)


def counted(fn: Callable[..., None]) -> Callable[..., None]:
    """Count the examples a property runs (under ``@given``, so each one counts)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        RUNS[fn.__name__] += 1
        _current[:] = [fn.__name__]
        fn(*args, **kwargs)
    return wrapper


def tally(label: str) -> None:
    """``hypothesis.event(label)``, also counted for the summary line of the property."""
    event(label)
    if _current:
        TALLIES.setdefault(_current[0], Counter())[label] += 1


def run_property(prop: Callable[[], None], record_property: Callable[[str, object], None],
                 ) -> None:
    name = prop.__name__
    before, started = RUNS[name], REAL.monotonic()
    TALLIES.pop(name, None)
    prop()
    ran, took = RUNS[name] - before, REAL.monotonic() - started
    seen = TALLIES.get(name, Counter())
    record_property("hypothesis_examples", ran)
    record_property("hypothesis_seconds", round(took, 2))
    record_property("hypothesis_events", dict(seen))
    print(f"{name}: {ran} examples in {took:.1f}s")
    for label, count in sorted(seen.items()):
        print(f"    {count:4d} x {label}")
    assert ran >= 1


# ---------------------------------------------------------------------------- driving

@dataclass
class Call:
    """One submission as driven: its client, job, and whether a cancel hit it pending."""

    sub: gs.Submission
    client: Any = None
    job: Any = None
    cancelled_pending: bool | None = None  # None: never cancelled
    outcome_before_cancel: tuple[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def outcome(job: Any) -> tuple[str, Any]:
    """``("value", v)`` or ``(exception type name, message)``: what ``result()`` gives."""
    try:
        return ("value", job.result())
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def drive(fake: FakeGradio, plan: gs.SpacePlan, subs: Sequence[gs.Submission], *,
          faults: Sequence[tuple[str, float | None, dict[str, Any]]] = (),
          shared_client: bool = False) -> list[Call]:
    """Declare ``plan``, make the clients, plan ``faults``, then submit (and cancel) each
    call at its virtual time, and run until nothing more is scheduled.

    One client (session) per call unless ``shared_client``: Gradio 6.31's /cancel also
    kills the running job of the same session and endpoint, which is a different story.
    """
    space = plan.apply(fake)
    calls = [Call(s) for s in subs]
    shared = fake.client(space) if shared_client else None
    for call in calls:
        call.client = shared if shared is not None else fake.client(space)
    for kind, at, params in faults:  # after the clients: config/info faults hit no one
        fake.fault(kind, at=at, **params)
    if faults:
        # Let the faults planned for "now" strike before the first submit. (Engine: a
        # server_stopped still pending when a job joins at the same instant strikes
        # between the join and the client's stream, in real-thread order, and the job
        # then never ends: nondeterministic.)
        fake.clock.advance(0)
    steps = []
    for i, sub in enumerate(subs):
        steps.append((sub.at, 0, i))
        if sub.cancel_after is not None:
            steps.append((sub.at + sub.cancel_after, 1, i))
    for t, what, i in sorted(steps):
        if t > fake.clock.now:
            fake.clock.run_until(t)
        call = calls[i]
        if what == 0:
            call.job = call.sub.submit(call.client)
        else:
            call.cancelled_pending = not call.job.done()
            if not call.cancelled_pending:
                call.outcome_before_cancel = outcome(call.job)
            call.job.cancel()
    fake.run_until_idle()
    return calls


def join_of(fake: FakeGradio, client: Any, nth: int = 0) -> Any:
    joins = [r for r in fake.requests
             if r.path.endswith("/queue/join") and r.session == client.session_hash]
    return joins[nth] if len(joins) > nth else None


def completions(fake: FakeGradio, event_id: str) -> int:
    return sum(1 for m in fake.messages
               if m.event_id == event_id and m.msg == "process_completed")


def final_step(kwargs: Mapping[str, Any]) -> tuple[str, Any]:
    """The expected outcome of a call to an endpoint drawn by ``gs.endpoints``."""
    outputs = kwargs["outputs"]
    if "script" in kwargs:
        last = kwargs["script"][-1]
        fields = last[2]
        if isinstance(fields, dict) and "error" in fields:
            return ("AppError", fields["error"])
        return ("value", gs.client_value(fields, outputs))
    if "error" in kwargs:
        return ("AppError", kwargs["error"])
    final = kwargs["yields"][-1] if "yields" in kwargs else kwargs["result"]
    return ("value", gs.client_value(final, outputs))


def expected_outputs(kwargs: Mapping[str, Any]) -> list[Any]:
    """What ``job.outputs()`` holds at the end: every intermediate output, or else the
    final one (``gradio_client`` appends the completion's output only to an empty list)."""
    outputs = kwargs["outputs"]
    if "script" in kwargs:
        generated = [s[2] for s in kwargs["script"] if s[1] == "process_generating"]
    else:
        generated = list(kwargs.get("yields", ()))
    if generated:
        return [gs.client_value(v, outputs) for v in generated]
    kind, value = final_step(kwargs)
    return [value] if kind == "value" else []


def same_outcome(got: tuple[str, Any], want: tuple[str, Any]) -> bool:
    if got[0] != want[0]:
        return False
    if got[0] == "AppError":  # Gradio 4 quotes the message: "'boom'"
        return want[1] in got[1]
    return bool(got[1] == want[1])


# ---------------------------------------------------------------------------- strategies

SMALL_ENDPOINTS = st.one_of(
    gs.endpoints(max_duration=30, max_yields=2, max_progress=2, max_logs=1),
    gs.endpoints(scripted=True, max_duration=30),
)
NO_LIMIT = st.none()
SMALL_LOAD = st.none() | gs.loads(max_ahead=3, max_arrival_rate=0.05, max_until=60,
                                  max_duration=20)


@st.composite
def spaces_and_calls(draw: st.DrawFn, *, endpoints: st.SearchStrategy[Any] = SMALL_ENDPOINTS,
                     max_calls: int = 3, max_at: float = 30, cancel: bool = True,
                     max_sizes: Any = NO_LIMIT, load: Any = SMALL_LOAD,
                     quirks: bool | None = True,
                     ) -> tuple[gs.SpacePlan, list[gs.Submission]]:
    plan = draw(gs.spaces(gradio=VERSIONS, endpoints=endpoints, max_endpoints=2,
                          max_sizes=max_sizes, load=load, quirks=quirks))
    subs = draw(st.lists(gs.submissions(plan, max_at=max_at, cancel=cancel, timeout=False,
                                        max_wait=30), min_size=1, max_size=max_calls))
    return plan, subs


# ---------------------------------------------------------------------------- every job ends once

SOME_ENDLESS = st.one_of(
    gs.endpoints(max_duration=30, max_yields=2, max_progress=2, max_logs=1,
                 allow_infinite=True),
    gs.endpoints(scripted=True, max_duration=30),
)


@prop_settings("every_job_ends_exactly_once")
@given(case=spaces_and_calls(endpoints=SOME_ENDLESS, max_sizes=st.none() | st.integers(0, 2),
                             quirks=None))
@counted
def every_job_ends_exactly_once(case: tuple[gs.SpacePlan, list[gs.Submission]]) -> None:
    plan, subs = case
    with FakeGradio() as fake:
        calls = drive(fake, plan, subs)
        for call in calls:
            job, kwargs = call.job, plan.endpoint(call.sub.endpoint)
            join = join_of(fake, call.client)
            if join is not None and join.status == 503:
                assert job.done() and plan.max_size is not None
                assert outcome(job)[0] == "QueueError"
                tally("outcome: QueueError")
                continue
            assert join is not None and join.status == 200, fake.timeline()
            if math.isinf(kwargs.get("duration", 0.0)) and not call.cancelled_pending:
                # Its endpoint never completes (running, or queued behind one that runs
                # forever): not done, and waiting for it says so instead of hanging.
                assert not job.done(), fake.timeline()
                assert outcome(job)[0] == "NeverEndingWait"
                tally("outcome: never ends")
                continue
            assert job.done(), f"{call.sub} not done after run_until_idle\n{fake.timeline()}"
            got = outcome(job)
            assert outcome(job)[0] == got[0], "result() changed its mind"
            tally(f"outcome: {got[0]}")
            n = completions(fake, join.event_id)
            if call.cancelled_pending:
                assert got[0] == "CancelledError", (call.sub, got, fake.timeline())
                assert job.status().code == Status.CANCELLED
                # Before 6.31 (with its quirks) a cancelled queued event still runs later.
                assert 1 <= n <= 2, fake.timeline()
                if not plan.quirks:
                    assert n == 1, fake.timeline()
                continue
            want = call.outcome_before_cancel or final_step(kwargs)
            assert same_outcome(got, want), (call.sub, got, want, fake.timeline())
            if call.cancelled_pending is False:
                # A cancel after the end: the result stands (though the client's status
                # says CANCELLED), and 4.32 still sends a second, empty completion.
                assert 1 <= n <= 2, fake.timeline()
            else:
                assert job.status().code == Status.FINISHED
                assert n == 1, f"{n} completions for {call.sub}\n{fake.timeline()}"


def test_every_job_ends_exactly_once(record_property: Any) -> None:
    run_property(every_job_ends_exactly_once, record_property)


#: Faults a job can end under. missing_completion is left out: by design that job
#: never ends (the fake says so, see test_timeline).
ENDING_FAULTS = [k for k in FAULT_KINDS if k != "missing_completion"]


@prop_settings("every_job_ends_under_faults")
@given(case=spaces_and_calls(load=st.none(), cancel=False),
       faults=gs.fault_plans(kinds=ENDING_FAULTS, routes=("join", "data", "heartbeat",
                                                           "cancel", "reset"),
                             min_faults=1, max_faults=2, max_at=20, steps=True))
@counted
def every_job_ends_under_faults(case: tuple[gs.SpacePlan, list[gs.Submission]],
                                faults: list[tuple[str, float | None, dict[str, Any]]],
                                ) -> None:
    plan, subs = case
    with FakeGradio() as fake:
        calls = drive(fake, plan, subs, faults=faults)
        for call in calls:
            assert call.job.done(), f"{call.sub} never ended\n{fake.timeline()}"
            first, second = outcome(call.job), outcome(call.job)
            assert first[0] == second[0], "result() changed its mind"
            tally(f"outcome: {first[0]}")


def test_every_job_ends_under_faults(record_property: Any) -> None:
    run_property(every_job_ends_under_faults, record_property)


# ---------------------------------------------------------------------------- ranks

QUEUED_ENDPOINTS = gs.endpoints(min_duration=1, max_duration=20, max_yields=1, max_progress=1,
                                max_logs=0, allow_error=False, max_concurrency=2,
                                allow_unlimited=False)


@st.composite
def crowded_queue(draw: st.DrawFn) -> tuple[gs.SpacePlan, list[gs.Submission]]:
    """One endpoint, 2 to 5 calls within a few seconds, often other users ahead."""
    plan = draw(gs.spaces(gradio=VERSIONS, endpoints=QUEUED_ENDPOINTS, max_endpoints=1,
                          max_sizes=NO_LIMIT, quirks=None,
                          load=st.none() | gs.loads(max_ahead=4, max_arrival_rate=0.2,
                                                    max_until=60, max_duration=20)))
    subs = draw(st.lists(gs.submissions(plan, max_at=5, timeout=False, max_wait=30),
                         min_size=2, max_size=5))
    return plan, subs


@prop_settings("rank_never_grows")
@given(case=crowded_queue())
@counted
def rank_never_grows(case: tuple[gs.SpacePlan, list[gs.Submission]]) -> None:
    """In Gradio's FIFO queues a new arrival always joins behind: so a waiting job's
    rank never grows (it shrinks as jobs ahead start, leave or are cancelled)."""
    plan, subs = case
    with FakeGradio() as fake:
        drive(fake, plan, subs, shared_client=True)
        by_event: dict[str, list[tuple[float, int, int]]] = {}
        for m in fake.messages:
            if m.msg == "estimation":
                by_event.setdefault(m.event_id, []).append(
                    (m.time, m.payload["rank"], m.payload["queue_size"]))
        most = max(map(len, by_event.values()), default=0)
        tally(f"most estimations for one job: {min(most, 5)}{'+' if most >= 5 else ''}")
        for event_id, seen in by_event.items():
            for _t, rank, size in seen:
                assert 0 <= rank < size, (event_id, seen)
            for (t1, r1, _), (t2, r2, _) in itertools.pairwise(seen):
                assert t2 >= t1
                assert r2 <= r1, (f"rank of {event_id[:8]} grew from {r1} (t={t1}) to {r2} "
                                  f"(t={t2}) with no arrival ahead\n{fake.timeline()}")


def test_rank_never_grows_without_an_arrival_ahead(record_property: Any) -> None:
    run_property(rank_never_grows, record_property)


# ---------------------------------------------------------------------------- outputs

STREAMING = st.one_of(
    gs.endpoints(max_duration=20, max_yields=4, max_progress=1, max_logs=0).filter(
        lambda kw: "yields" in kw),
    gs.endpoints(scripted=True),
)


@prop_settings("outputs_arrive_in_order")
@given(kwargs=STREAMING, gradio=st.sampled_from(VERSIONS),
       step=st.integers(1, 50).map(lambda n: n / 10))
@counted
def outputs_arrive_in_order(kwargs: dict[str, Any], gradio: str, step: float) -> None:
    with FakeGradio() as fake:
        gs.SpacePlan(endpoints=(kwargs,), gradio=gradio).apply(fake)
        sub = gs.Submission("/predict", tuple(_inputs(kwargs)))
        job = sub.submit(fake.client("acme/app"))
        seen: list[list[Any]] = []
        while not job.done():
            seen.append(list(job.outputs()))
            fake.clock.advance(step)
        final = list(job.outputs())
        seen.append(final)
        note(f"observed every {step}s: {seen}")
        for earlier, later in itertools.pairwise(seen):
            assert later[:len(earlier)] == earlier, f"outputs went back: {earlier} -> {later}"
        assert final == expected_outputs(kwargs)
        tally(f"outputs: {len(final)}")


def _inputs(kwargs: Mapping[str, Any]) -> Iterator[Any]:
    """Simple placeholder arguments: the fake ignores them for result=/yields=/script=."""
    for name in kwargs["inputs"]:
        yield {"textbox": "x", "number": 1, "checkbox": True, "json": {}}.get(name, "x")


def test_outputs_arrive_in_order(record_property: Any) -> None:
    run_property(outputs_arrive_in_order, record_property)


def test_the_last_yield_is_not_lost_to_rounding() -> None:
    """Found by outputs_arrive_in_order: ``0.1 * 3 / 3 > 0.1``, so the last yield used to
    land after the completion. tests/test_generator_yields.py has the property."""
    kwargs = {"api_name": "/predict", "inputs": [], "outputs": ["textbox"],
              "yields": ["a", "b", "c"], "duration": 0.1}
    with FakeGradio() as fake:
        gs.SpacePlan(endpoints=(kwargs,)).apply(fake)
        job = fake.client("acme/app").submit(api_name="/predict")
        assert job.result() == "c"
        assert job.outputs() == ["a", "b", "c"]


# ---------------------------------------------------------------------------- cancel

@st.composite
def cancelling_case(draw: st.DrawFn) -> tuple[gs.SpacePlan, list[gs.Submission]]:
    plan, subs = draw(spaces_and_calls(
        endpoints=gs.endpoints(max_duration=30, max_yields=2, max_logs=0, allow_infinite=True),
        quirks=None))
    # At least one call is cancelled.
    first = subs[0]
    if first.cancel_after is None:
        wait = draw(st.integers(0, 30).map(float))
        subs[0] = gs.Submission(first.endpoint, first.args, first.at, wait)
    return plan, subs


@prop_settings("cancel_never_yields_a_result")
@given(case=cancelling_case())
@counted
def cancel_never_yields_a_result(case: tuple[gs.SpacePlan, list[gs.Submission]]) -> None:
    plan, subs = case
    with FakeGradio() as fake:
        # One shared session: 6.31's cancel then also hits its running neighbours,
        # which may never end; only the cancelled calls are looked at.
        calls = drive(fake, plan, subs, shared_client=True)
        for call in calls:
            if call.cancelled_pending is None:
                continue
            if call.cancelled_pending:
                tally("cancelled while pending")
                with pytest.raises(concurrent.futures.CancelledError):
                    call.job.result()
                with pytest.raises(concurrent.futures.CancelledError):
                    call.job.result(timeout=1)
                assert call.job.status().code == Status.CANCELLED
            else:
                tally("cancelled after the end")
                assert outcome(call.job) == call.outcome_before_cancel


def test_cancel_never_yields_a_result(record_property: Any) -> None:
    run_property(cancel_never_yields_a_result, record_property)


# ---------------------------------------------------------------------------- timeouts

@prop_settings("result_timeout_is_exact")
@given(case=spaces_and_calls(endpoints=gs.endpoints(max_duration=60, allow_error=False,
                                                    max_progress=0, max_logs=0,
                                                    allow_infinite=True),
                             max_calls=1, cancel=False),
       timeout=st.integers(0, 120).map(float))
@counted
def result_timeout_is_exact(case: tuple[gs.SpacePlan, list[gs.Submission]],
                            timeout: float) -> None:
    """``result(timeout=T)`` raises TimeoutError exactly when the job is not done T
    virtual seconds later, and returns as soon as it is done otherwise."""
    plan, subs = case
    with FakeGradio() as fake:
        space = plan.apply(fake)
        sub = subs[0]
        fake.clock.run_until(sub.at)
        job = sub.submit(fake.client(space))
        t0 = fake.clock.now
        try:
            job.result(timeout=timeout)
        except TimeoutError:
            tally("timed out")
            assert fake.clock.now == t0 + timeout
            assert not job.done()
        else:
            tally("done in time")
            assert fake.clock.now <= t0 + timeout
            assert job.done()
            if plan.load is None:  # nobody ahead: it ends exactly after its duration
                assert fake.clock.now == t0 + plan.endpoint(sub.endpoint)["duration"]


def test_result_timeout_is_exact(record_property: Any) -> None:
    run_property(result_timeout_is_exact, record_property)


# ---------------------------------------------------------------------------- determinism

def trace(fake: FakeGradio, calls: Sequence[Call]) -> list[Any]:
    """What happened, without what the client draws at random (session hashes)."""
    sessions: dict[str, str] = {}

    def alias(session: str | None) -> str | None:
        if session is None:
            return None
        return sessions.setdefault(session, f"session{len(sessions)}")

    for call in calls:
        alias(call.client.session_hash)
    messages = [(m.time, m.event_id, alias(m.session), m.msg, m.payload)
                for m in fake.messages]
    joins = [(r.time, alias(r.session), r.status, r.event_id) for r in fake.requests
             if r.path.endswith("/queue/join")]
    outcomes = [(call.sub, outcome(call.job), list(call.job.outputs())) for call in calls]
    text = repr(outcomes)  # error messages may quote URLs with a session hash
    for session, name in sessions.items():
        text = text.replace(session, name)
    return [messages, joins, text, fake.clock.now]


@prop_settings("same_seed_same_trace")
@given(case=spaces_and_calls(max_calls=3, quirks=None), seed=st.integers(0, 2**32),
       faults=gs.fault_plans(kinds=ENDING_FAULTS, routes=("join", "data", "cancel", "reset"),
                             max_faults=1, max_at=20))
@counted
def same_seed_same_trace(case: tuple[gs.SpacePlan, list[gs.Submission]], seed: int,
                         faults: list[tuple[str, float | None, dict[str, Any]]]) -> None:
    plan, subs = case
    traces = []
    for _ in range(2):
        with FakeGradio(seed=seed) as fake:
            calls = drive(fake, plan, subs, faults=faults)
            traces.append(trace(fake, calls))
    tally(f"faults: {len(faults)}")
    assert traces[0] == traces[1]


def test_same_seed_same_trace(record_property: Any) -> None:
    run_property(same_seed_same_trace, record_property)


def test_different_seeds_give_different_event_ids() -> None:
    """The determinism property is not vacuous: the seed does reach the trace."""
    plan = gs.SpacePlan(endpoints=({"api_name": "/predict", "inputs": [],
                                    "outputs": ["textbox"], "result": "x"},))
    ids = []
    for seed in (1, 2):
        with FakeGradio(seed=seed) as fake:
            calls = drive(fake, plan, [gs.Submission("/predict")])
            ids.append(join_of(fake, calls[0].client).event_id)
    assert ids[0] != ids[1]

