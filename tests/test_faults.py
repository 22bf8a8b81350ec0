"""Each fault of the catalogue, and what the real client then does, per client version.

Every end-to-end test runs against each emulated Gradio version the installed
gradio_client can talk to (the ``gradio`` fixture); docs/faults.md states the same
outcomes in its table. Where the client versions differ, the test says which.
"""

from __future__ import annotations

import concurrent.futures
import re
from pathlib import Path
from typing import Any

import gradio_client
import httpx
import pytest
from gradio_client.utils import QueueError, Status
from packaging.version import Version

from gradio_fake import FakeGradio, NeverEndingWait
from gradio_fake._faults import (
    BUILTIN_FAULTS,
    CLIENT_MESSAGES,
    FAULT_KINDS,
    HEARTBEAT_LOOP_CAP,
    STEP_KINDS,
    make_fault,
)
from gradio_fake._realtime import REAL

CLIENT_VERSION = Version(gradio_client.__version__)
#: Clients before 2.x remove a completed event with set.remove: a second completion
#: crashes their stream reader (PROTOCOL.md §6 trap 9); 2.x uses discard.
READER_CRASHES_ON_DUPLICATE = CLIENT_VERSION < Version("2")
#: Clients before 2.x reopen an ended heartbeat at once, in a loop (PROTOCOL.md §1.5).
HEARTBEAT_RECONNECTS_AT_ONCE = CLIENT_VERSION < Version("2")

DOCS = Path(__file__).parent.parent / "docs" / "faults.md"


def slow_space(fake: FakeGradio, gradio: str, *, state: bool = False) -> None:
    """One endpoint: 10 s, progress at t=2, 4, 6 and 8, concurrency 1."""
    space = fake.space("acme/slow", gradio=gradio)
    inputs: list[Any] = ["textbox", "state"] if state else ["textbox"]
    outputs: list[Any] = ["textbox", "state"] if state else ["textbox"]
    space.endpoint("/predict", inputs=inputs, outputs=outputs, duration=10.0,
                   progress=[0.2, 0.4, 0.6, 0.8],
                   fn=(lambda s, st: (s.upper(), st)) if state else (lambda s: s.upper()))


def outcome(job: Any, timeout: float | None = None) -> tuple[str, Any]:
    try:
        return "result", job.result(timeout=timeout)
    except BaseException as exc:  # the outcome is what we test
        return type(exc).__name__, exc


# ----------------------------------------------------------------------------- the catalogue

def test_the_catalogue_is_the_built_in_plugin() -> None:
    assert tuple(FAULT_KINDS) == tuple(kind.name for kind in BUILTIN_FAULTS)
    assert set(FAULT_KINDS) == {
        "stream_dropped", "server_stopped", "heartbeat_stall", "http_error",
        "malformed_message", "unknown_message", "slow_join", "duplicate_completion",
        "missing_completion", "heartbeat_404"}
    for kind in FAULT_KINDS.values():
        assert kind.description.endswith("."), kind.name
        for param in kind.params:
            assert param.description, (kind.name, param.name)
            assert param.check(kind.name, param.default) == param.default


def test_docs_describe_every_kind_and_parameter() -> None:
    text = DOCS.read_text()
    for name, kind in FAULT_KINDS.items():
        assert f"### `{name}`" in text, f"docs/faults.md has no section for {name}"
        section = text.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
        for param in kind.param_names:
            assert f"`{param}`" in section, f"docs/faults.md: {name} does not describe {param}"
        for client in ("0.17.0", "1.3.0", "1.14.0", "2.7.2"):
            assert client in section, f"docs/faults.md: {name} says nothing of {client}"


@pytest.mark.parametrize(("call", "error", "message"), [
    (dict(kind="stream_droped"), ValueError, "did you mean 'stream_dropped'"),
    (dict(kind="http_error", route="joint"), ValueError, "did you mean 'join'"),
    (dict(kind="http_error", status=302), ValueError, "status= must be >= 400"),
    (dict(kind="http_error", status="500"), TypeError, "status= must be int, not '500'"),
    (dict(kind="http_error", times=0), ValueError, "times= must be >= 1"),
    (dict(kind="http_error", times=True), TypeError, "times= must be int or None"),
    (dict(kind="stream_dropped", abrupt=1), TypeError, "abrupt= must be bool"),
    (dict(kind="server_stopped", abrupt=True), TypeError, "unknown parameters ['abrupt']"),
    (dict(kind="stream_dropped", at=-1), ValueError, "at= must be a virtual time >= 0"),
    (dict(kind="stream_dropped", at=float("inf")), ValueError, "at= must be a virtual time"),
    (dict(kind="stream_dropped", at=1, after="progress"), ValueError, "not both"),
    (dict(kind="stream_dropped", after=("progres", 3)), ValueError, "did you mean 'progress'"),
    (dict(kind="stream_dropped", after=("progress", 0)), ValueError, "n must be a whole number"),
    (dict(kind="stream_dropped", after=("progress", 1.5)), ValueError, "whole number >= 1"),
    (dict(kind="stream_dropped", after=3), TypeError, "after= must be a message kind or"),
    (dict(kind="stream_dropped", after=("progress", 3, 4)), TypeError, "(kind, n)"),
    (dict(kind="malformed_message", line=""), ValueError, "one non-empty line"),
    (dict(kind="malformed_message", line="a\nb"), ValueError, "one non-empty line"),
    (dict(kind="malformed_message", line='data: {"msg": "log"}'), ValueError,
     "well-formed data line"),
    (dict(kind="unknown_message", msg="progress"), ValueError, "does not know"),
    (dict(kind="unknown_message", msg="close_stream"), ValueError, "does not know"),
    (dict(kind="stream_dropped", space=3), TypeError, "space= must be a Space id"),
])
def test_bad_faults_are_refused_with_the_rule(call: dict[str, Any], error: type[Exception],
                                              message: str) -> None:
    kind = call.pop("kind")
    with pytest.raises(error, match=re.escape(message)):
        make_fault(kind, **call)


def test_good_fault_descriptions() -> None:
    fault = make_fault("http_error", at=2, route="info", status=503, times=None)
    assert fault.params == {"route": "info", "status": 503, "times": None, "detail": ""}
    assert fault.at == 2.0 and fault.after is None
    # TOML gives lists; a bare kind means its first message
    assert make_fault("stream_dropped", after=["progress", 3]).after == ("progress", 3)
    assert make_fault("stream_dropped", after="process_starts").after == ("process_starts", 1)
    assert FAULT_KINDS["unknown_message"].param("msg").default not in CLIENT_MESSAGES
    assert not set(STEP_KINDS) - CLIENT_MESSAGES  # after= counts what the client knows
    assert repr(make_fault("stream_dropped", after=("progress", 3), abrupt=True)) == \
        "<Fault stream_dropped after progress #3 abrupt=True>"


def test_a_fault_on_an_undeclared_space_or_job_is_refused(fake: FakeGradio) -> None:
    slow_space(fake, "4.44.1")
    with pytest.raises(ValueError, match="'acme/other', which is not declared"):
        fake.fault("stream_dropped", space="acme/other")
    with pytest.raises(ValueError, match="not a job submitted while this fake is active"):
        fake.fault("stream_dropped", job=object())


# ----------------------------------------------------------------------------- stream faults

@pytest.mark.parametrize("abrupt", [False, True])
def test_stream_dropped_after_the_third_progress(fake: FakeGradio, gradio: str,
                                                 abrupt: bool) -> None:
    slow_space(fake, gradio)
    client = fake.client("acme/slow")
    fake.fault("stream_dropped", after=("progress", 3), abrupt=abrupt)
    running = client.submit("a", api_name="/predict")
    queued = client.submit("b", api_name="/predict")
    assert outcome(running)[0] == "CancelledError"
    assert fake.clock.now == 6.0  # the 3rd progress step of 10 s with 4 steps
    assert outcome(queued)[0] == "CancelledError"
    got = [m.payload["progress_data"][0]["progress"]
           for m in fake.journal.messages(msg="progress", job=running)]
    assert got == [0.2, 0.4, 0.6]  # the server sent nothing more once the stream was gone
    assert fake.journal.faults(kind="stream_dropped").last.detail.startswith("ended 1 data")
    status = running.status()
    assert status.code == Status.FINISHED and status.success is False


def test_a_step_fault_waits_until_its_message_reached_the_client(fake: FakeGradio,
                                                                 gradio: str) -> None:
    # The first estimation goes out with the join, before the client registered the
    # event (PROTOCOL.md trap 8): the drop must come after the client took it.
    slow_space(fake, gradio)
    fake.fault("stream_dropped", after="estimation")
    job = fake.client("acme/slow").submit("a", api_name="/predict")
    assert outcome(job)[0] == "CancelledError"
    assert fake.clock.now == 0.0


def test_a_step_fault_planned_mid_run_counts_the_steps_already_sent(fake: FakeGradio,
                                                                   gradio: str) -> None:
    slow_space(fake, gradio)
    job = fake.client("acme/slow").submit("a", api_name="/predict")
    fake.clock.run_until(5.0)  # two progress updates out, and no fault planned yet
    fake.fault("stream_dropped", after=("progress", 3))
    assert outcome(job)[0] == "CancelledError"
    assert fake.clock.now == 6.0


def test_a_fault_tied_to_a_job_after_a_step_it_already_got_arms_at_once(
        fake: FakeGradio, gradio: str) -> None:
    slow_space(fake, gradio)
    job = fake.client("acme/slow").submit("a", api_name="/predict")
    fake.clock.run_until(5.0)
    fake.fault("unknown_message", job=job, after=("progress", 2))
    kind, error = outcome(job)
    assert (kind, str(error), fake.clock.now) == ("KeyError", "'process_streaming'", 5.0)
    assert fake.journal.faults(kind="unknown_message").first.detail == \
        "armed at once: the job already got progress #2"


def test_a_fault_tied_to_one_job_spares_the_other_sessions(fake: FakeGradio,
                                                          gradio: str) -> None:
    space = fake.space("acme/wide", gradio=gradio)
    space.endpoint("/predict", inputs=["textbox"], outputs=["textbox"], duration=10.0,
                   fn=str.upper, concurrency_limit=None)
    mine, theirs = fake.client("acme/wide"), fake.client("acme/wide")
    spared = theirs.submit("b", api_name="/predict")
    victim = mine.submit("a", api_name="/predict")
    fake.fault("stream_dropped", job=victim, at=4)
    assert outcome(victim)[0] == "CancelledError" and fake.clock.now == 4.0
    assert spared.result() == "B" and fake.clock.now == 10.0


def test_stream_dropped_at_a_time(fake: FakeGradio, gradio: str) -> None:
    slow_space(fake, gradio)
    fake.fault("stream_dropped", at=3)
    job = fake.client("acme/slow").submit("a", api_name="/predict")
    assert outcome(job)[0] == "CancelledError" and fake.clock.now == 3.0


@pytest.mark.parametrize("line", [": keep-alive", "event: ping", "data: {not json"])
def test_malformed_message_kills_the_reader_of_every_pending_job(fake: FakeGradio,
                                                                 gradio: str, line: str) -> None:
    slow_space(fake, gradio)
    client = fake.client("acme/slow")
    fake.fault("malformed_message", after=("progress", 2), line=line)
    running = client.submit("a", api_name="/predict")
    queued = client.submit("b", api_name="/predict")
    assert outcome(running)[0] == "CancelledError" and fake.clock.now == 4.0
    assert outcome(queued)[0] == "CancelledError"
    # The client closed its stream with jobs pending: like Gradio, the server drops them.
    assert "the server drops them" in fake.journal.faults(kind="disconnect").one().detail
    fake.run_until_idle()
    assert not fake.journal.messages(msg="process_completed")
    assert len(fake.journal.messages(msg="progress", job=running)) == 2


def test_unknown_message_fails_only_its_job(fake: FakeGradio, gradio: str) -> None:
    slow_space(fake, gradio)
    client = fake.client("acme/slow")
    fake.fault("unknown_message", after=("progress", 1))
    failed = client.submit("a", api_name="/predict")
    fine = client.submit("b", api_name="/predict")
    kind, error = outcome(failed)
    assert kind == "KeyError" and error.args == ("process_streaming",)
    assert fake.clock.now == 2.0
    assert fine.result() == "B" and fake.clock.now == 20.0
    assert failed.status().code == Status.FINISHED and failed.status().success is False
    sent = fake.journal.messages(msg="process_streaming").one()
    assert sent.event_id == fake.journal.event_id(failed)
    assert sent.payload["output"]["is_generating"] is True  # shaped by its MessageKind


def test_unknown_message_at_a_time_hits_every_pending_job(fake: FakeGradio,
                                                          gradio: str) -> None:
    slow_space(fake, gradio)
    client = fake.client("acme/slow")
    fake.fault("unknown_message", at=3, msg="unexpected_error", message="boom")
    jobs = [client.submit(x, api_name="/predict") for x in "ab"]
    for job in jobs:
        kind, error = outcome(job)
        assert kind == "KeyError" and error.args == ("unexpected_error",)
    assert fake.clock.now == 3.0
    payloads = [m.payload for m in fake.journal.messages(msg="unexpected_error")]
    assert len(payloads) == 2 and all(p["message"] == "boom" for p in payloads)


# ----------------------------------------------------------------------------- completions

def test_duplicate_completion(fake: FakeGradio, gradio: str) -> None:
    slow_space(fake, gradio)
    client = fake.client("acme/slow")
    fake.fault("duplicate_completion")
    first = client.submit("a", api_name="/predict")
    second = client.submit("b", api_name="/predict")
    assert first.result() == "A"  # its own completion arrived first
    completions = fake.journal.messages(msg="process_completed", job=first)
    assert [m.fault for m in completions] == [None, "duplicate_completion"]
    if READER_CRASHES_ON_DUPLICATE:
        # set.remove of the second completion: KeyError in the shared reader.
        assert outcome(second)[0] == "CancelledError" and fake.clock.now == 10.0
    else:
        assert second.result() == "B" and fake.clock.now == 20.0


def test_missing_completion_never_ends_and_the_fake_says_why(fake: FakeGradio,
                                                             gradio: str) -> None:
    slow_space(fake, gradio)
    job = fake.client("acme/slow").submit("a", api_name="/predict")
    fake.fault("missing_completion", job=job)
    assert outcome(job, timeout=60)[0] == "TimeoutError"
    assert fake.clock.now == 60.0
    assert job.status().code == Status.PROGRESS  # the last thing it heard
    with pytest.raises(NeverEndingWait, match="never sent its process_completed"):
        job.result()
    assert not fake.journal.messages(msg="process_completed", job=job)
    withheld = fake.journal.messages(msg="process_completed", job=job, withheld=True).one()
    assert withheld.withheld and withheld.fault == "missing_completion"
    assert "[withheld: missing_completion]" in fake.timeline()


def test_missing_completion_times_counts_completions(fake: FakeGradio, gradio: str) -> None:
    slow_space(fake, gradio)
    client = fake.client("acme/slow")
    fault = fake.fault("missing_completion", times=1)
    lost = client.submit("a", api_name="/predict")
    kept = client.submit("b", api_name="/predict")
    # The server thinks the first is done: it runs the second, and closes the stream
    # after it (nothing pending), which ends the first with CancelledError.
    assert kept.result() == "B" and fake.clock.now == 20.0
    assert outcome(lost)[0] == "CancelledError"
    assert fault.used == 1 and fault.spent


# ----------------------------------------------------------------------------- requests

def test_slow_join_raises_the_clients_read_timeout(fake: FakeGradio, gradio: str) -> None:
    slow_space(fake, gradio)
    client = fake.client("acme/slow")
    fake.fault("slow_join")
    slow = client.submit("a", api_name="/predict")
    kind, error = outcome(slow)
    assert kind == "ReadTimeout" and isinstance(error, httpx.ReadTimeout)
    assert fake.clock.now == 0.0  # nothing waited: neither real nor virtual time
    assert client.submit("b", api_name="/predict").result() == "B"  # times=1
    refused = fake.journal.join(slow)
    assert refused.status is None and refused.fault == "slow_join"
    assert "ReadTimeout" in str(refused.error)
    assert fake.journal.joins() == 2 and fake.journal.joins(accepted=True) == 1


@pytest.mark.parametrize(("status", "expected"), [(500, "HTTPStatusError"),
                                                  (503, "QueueError")])
def test_http_error_on_join(fake: FakeGradio, gradio: str, status: int,
                            expected: str) -> None:
    slow_space(fake, gradio)
    client = fake.client("acme/slow")
    fake.fault("http_error", route="join", status=status, times=2)
    kinds = [outcome(client.submit(x, api_name="/predict"))[0] for x in "abc"]
    assert kinds == [expected, expected, "result"]
    assert [r.status for r in fake.journal.requests(route="join")] == [status, status, 200]


def test_http_error_on_the_data_stream(fake: FakeGradio, gradio: str) -> None:
    slow_space(fake, gradio)
    fake.fault("http_error", route="data", status=502)
    job = fake.client("acme/slow").submit("a", api_name="/predict")
    # The client does not look at the status: the JSON body is no SSE, the reader ends.
    assert outcome(job)[0] == "CancelledError" and fake.clock.now == 0.0


def test_a_reader_that_ends_at_once_is_seen_through(fake: FakeGradio, gradio: str) -> None:
    """Each new reader's GET fails at once, often before the submitting thread has
    attached the client's clean-up to it: the barrier still waits for that clean-up,
    so the very first observation after submit sees the job ended, every time."""
    slow_space(fake, gradio)
    fake.fault("http_error", route="data", status=502, times=15)
    client = fake.client("acme/slow")
    for i in range(15):
        job = client.submit(str(i), api_name="/predict")
        assert job.done(), f"submit {i}: the observation came before the reader's clean-up"
        assert outcome(job)[0] == "CancelledError" and fake.clock.now == 0.0
    assert len(fake.journal.requests(route="data", status=502)) == 15


def _heartbeats_settled(fake: FakeGradio) -> list[int | None]:
    """The heartbeat requests' statuses, once the client's heartbeat thread is quiet."""
    deadline = REAL.monotonic() + 10
    while REAL.monotonic() < deadline:
        statuses = [r.status for r in fake.journal.requests(route="heartbeat")]
        if 200 in statuses or (statuses and not HEARTBEAT_RECONNECTS_AT_ONCE):
            REAL.sleep(0.1)  # anything more would come now
            return [r.status for r in fake.journal.requests(route="heartbeat")]
        REAL.sleep(0.02)
    raise AssertionError(f"the heartbeat did not settle: {statuses}")


def test_heartbeat_404(fake: FakeGradio, gradio: str) -> None:
    slow_space(fake, gradio, state=True)  # a session-state app: 2.x opens a heartbeat too
    fake.fault("heartbeat_404")
    job = fake.client("acme/slow").submit("a", api_name="/predict")
    assert job.result() == "A"  # the heartbeat never matters to a job
    statuses = _heartbeats_settled(fake)
    if HEARTBEAT_RECONNECTS_AT_ONCE:
        # reopened at once after every 404, until the fake holds it open silently
        assert statuses == [404] * HEARTBEAT_LOOP_CAP + [200]
        assert "loop ends" in fake.journal.faults(kind="heartbeat_404").one().detail
        assert fake.journal.requests(route="heartbeat", status=200).one().fault == \
            "heartbeat_404"
    else:
        assert statuses == [404]  # 2.x stops its heartbeat on a 4xx


def test_http_error_on_heartbeat_is_bounded_the_same(fake: FakeGradio, gradio: str) -> None:
    slow_space(fake, gradio, state=True)
    fault = fake.fault("http_error", route="heartbeat", status=404, times=None)
    fake.client("acme/slow")
    statuses = _heartbeats_settled(fake)
    errors = HEARTBEAT_LOOP_CAP if HEARTBEAT_RECONNECTS_AT_ONCE else 1
    assert statuses[:errors] == [404] * errors and fault.used == errors


def test_heartbeat_stall_is_not_noticed(fake: FakeGradio, gradio: str) -> None:
    slow_space(fake, gradio)
    fake.fault("heartbeat_stall", at=1)
    assert fake.client("acme/slow").predict("a", api_name="/predict") == "A"
    assert fake.clock.now == 10.0


def test_server_stopped(fake: FakeGradio, gradio: str) -> None:
    slow_space(fake, gradio)
    client = fake.client("acme/slow")
    fake.fault("server_stopped", after=("progress", 2))
    job = client.submit("a", api_name="/predict")
    kind, error = outcome(job)
    # "Server stopped unexpectedly." goes to every job: not in the client's table.
    assert kind == "KeyError" and error.args == ("unexpected_error",)
    assert fake.clock.now == 4.0
    assert isinstance(outcome(client.submit("b", api_name="/predict"))[1], QueueError)


def test_every_kind_with_its_defaults_ends_or_is_explained(gradio: str) -> None:
    """No fault of the catalogue, at its defaults, leaves a wait that hangs."""
    for name in FAULT_KINDS:
        with FakeGradio() as fake:
            slow_space(fake, gradio)
            fake.fault(name, at=3)
            job = fake.client("acme/slow").submit("a", api_name="/predict")
            try:
                job.result()
            except NeverEndingWait:
                assert name == "missing_completion"
            except (concurrent.futures.CancelledError, KeyError, httpx.HTTPError,
                    QueueError):
                pass
            assert job.done() or name == "missing_completion", name
