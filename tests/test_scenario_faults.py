"""Faults from scenario files: every kind, placed at a time, after a step of a job, or tied
to one call, driven with the real client to the outcome docs/faults.md documents."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest
from packaging.version import Version
from support import CLIENT_VERSION

from gradio_fake import FakeGradio, ScenarioError
from gradio_fake._faults import HEARTBEAT_LOOP_CAP
from gradio_fake._realtime import REAL
from gradio_fake._scenario import load_scenario
from gradio_fake._scenario_report import RunReport
from gradio_fake.hookspecs import register_plugin, unregister_plugin

PLUGIN_DIR = Path(__file__).parent / "thirdparty_plugin"

#: Clients before 2.x crash their stream reader on a second process_completed.
READER_CRASHES_ON_DUPLICATE = CLIENT_VERSION < Version("2")

SPACE = """\
description = "A slow Space: 10 s jobs reporting progress at 2, 4, 6 and 8 s."

[space]
id = "acme/slow"
gradio = "4.44.1"

[[endpoints]]
api_name = "/predict"
inputs = ["textbox"]
outputs = ["textbox"]
handler = "upper"
duration = 10
progress = [0.2, 0.4, 0.6, 0.8]

[[calls]]
id = "mine"
api_name = "/predict"
args = ["a"]
"""

OTHER = """
[[calls]]
id = "other"
api_name = "/predict"
args = ["b"]
"""


@contextmanager
def running(tmp_path: Path, text: str) -> Iterator[tuple[FakeGradio, RunReport]]:
    """Load the scenario written to ``tmp_path``, run it on a fresh fake, check its [expect];
    the fake stays active in the ``with`` block."""
    path = tmp_path / "case.toml"
    path.write_text(textwrap.dedent(text))
    scenario = load_scenario(path)
    with FakeGradio(seed=scenario.seed) as fake:
        report = scenario.run(fake)
        assert report.matches_expectations() == [], report.render()
        yield fake, report


def run(tmp_path: Path, text: str) -> RunReport:
    """:func:`running`, for a test that only looks at the report."""
    with running(tmp_path, text) as (_, report):
        return report


def test_stream_dropped_after_the_third_progress(tmp_path: Path) -> None:
    run(tmp_path, SPACE + """
        [[faults]]
        kind = "stream_dropped"
        after = ["progress", 3]

        [expect.mine]
        outcome = "CancelledError"
        finished_at = 6
        """)


def test_malformed_message_at_a_time(tmp_path: Path) -> None:
    run(tmp_path, SPACE + OTHER + """
        [[faults]]
        kind = "malformed_message"
        at = 3
        line = "data: {oops"

        [expect.mine]
        outcome = "CancelledError"
        finished_at = 3

        [expect.other]
        outcome = "CancelledError"
        finished_at = 3
        """)


def test_unknown_message_tied_to_one_call(tmp_path: Path) -> None:
    run(tmp_path, SPACE + OTHER + """
        [[faults]]
        kind = "unknown_message"
        job = "other"
        after = "process_starts"

        [expect.mine]
        outcome = "result"
        result = "A"
        finished_at = 10

        [expect.other]
        outcome = "KeyError"
        message = "process_streaming"
        finished_at = 10
        """)


def test_slow_join_then_a_retry(tmp_path: Path) -> None:
    run(tmp_path, SPACE + """
        [[calls]]
        id = "retry"
        api_name = "/predict"
        args = ["b"]
        at = 60

        [[faults]]
        kind = "slow_join"

        [expect.mine]
        outcome = "ReadTimeout"
        finished_at = 0

        [expect.retry]
        outcome = "result"
        result = "B"
        finished_at = 70
        """)


def test_duplicate_completion_of_one_call(tmp_path: Path) -> None:
    report = run(tmp_path, SPACE + OTHER + """
        [[faults]]
        kind = "duplicate_completion"
        job = "mine"

        [expect.mine]
        outcome = "result"
        result = "A"
        finished_at = 10
        """)
    other = report.calls[1]
    if READER_CRASHES_ON_DUPLICATE:  # the reader dies: the other pending job with it
        assert (other.outcome, other.ended_at) == ("CancelledError", 10.0)
    else:
        assert (other.outcome, other.result, other.ended_at) == ("result", "B", 20.0)


def test_missing_completion_every_time(tmp_path: Path) -> None:
    report = run(tmp_path, SPACE.replace('args = ["a"]', 'args = ["a"]\ntimeout = 30') + """
        [[faults]]
        kind = "missing_completion"
        times = "none"

        [expect.mine]
        outcome = "TimeoutError"
        finished_at = 30
        codes = ["PROCESSING", "PROGRESS"]
        """)
    assert report.calls[0].statuses[-1].code == "PROGRESS"


def test_heartbeat_404_leaves_the_jobs_alone(tmp_path: Path) -> None:
    # A session-state app: gradio_client 2.x opens a heartbeat only for one.
    text = SPACE.replace('inputs = ["textbox"]', 'inputs = ["textbox", "state"]') \
        .replace('handler = "upper"', 'result = "done"')
    with running(tmp_path, text + """
[[faults]]
kind = "heartbeat_404"
times = 3

[expect.mine]
outcome = "result"
result = "done"
finished_at = 10
""") as (fake, _):
        deadline = REAL.monotonic() + 10  # the client's heartbeat thread goes at its pace
        while not fake.journal.requests(route="heartbeat", status=404) \
                and REAL.monotonic() < deadline:
            REAL.sleep(0.02)
        refused = fake.journal.requests(route="heartbeat", status=404)
    assert refused and {r.fault for r in refused} == {"heartbeat_404"}
    assert len(refused) <= min(3, HEARTBEAT_LOOP_CAP)


def test_http_error_with_no_limit(tmp_path: Path) -> None:
    run(tmp_path, SPACE + OTHER + """
        [[faults]]
        kind = "http_error"
        route = "join"
        status = 503
        times = "none"

        [expect.mine]
        outcome = "QueueError"

        [expect.other]
        outcome = "QueueError"
        """)


def test_a_fault_tied_to_a_refused_call_is_not_planned(tmp_path: Path) -> None:
    with running(tmp_path, SPACE + """
[[faults]]
kind = "http_error"
status = 503

[[faults]]
kind = "missing_completion"
job = "mine"

[expect.mine]
outcome = "QueueError"
""") as (fake, _):
        note = fake.journal.faults(kind="missing_completion").one()
    assert note.detail.startswith("not planned: tied to call 'mine': ")


# -- a plugin's fault kind ----------------------------------------------------------------------
@pytest.fixture
def acme(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """tests/thirdparty_plugin, registered for one test."""
    monkeypatch.syspath_prepend(str(PLUGIN_DIR))
    import gradio_fake_acme

    register_plugin(gradio_fake_acme, "acme")
    yield gradio_fake_acme
    unregister_plugin(gradio_fake_acme)


def test_a_plugin_fault_kind_in_a_file(tmp_path: Path, acme: ModuleType) -> None:
    report = run(tmp_path, SPACE + OTHER + """
        [[faults]]
        kind = "acme_gateway_timeout"
        route = "join"
        times = 1

        [expect.mine]
        outcome = "HTTPStatusError"
        message = "504"

        [expect.other]
        outcome = "result"
        result = "B"
        """)
    assert report.calls[0].ended_at == 0.0


def test_a_plugin_fault_kind_is_checked_like_a_built_in(tmp_path: Path,
                                                        acme: ModuleType) -> None:
    path = tmp_path / "case.toml"
    path.write_text(SPACE + '\n[[faults]]\nkind = "acme_gateway_timeout"\nroute = "cancel"\n')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == (
        f"{path}:22: faults[0].route: expected one of 'join', 'data', 'info', got 'cancel'")


def test_without_the_plugin_its_kind_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "case.toml"
    path.write_text(SPACE + '\n[[faults]]\nkind = "acme_gateway_timeout"\n')
    with pytest.raises(ScenarioError, match=r"faults\[0\]\.kind: expected one of "):
        load_scenario(path)


def test_a_fault_tied_to_a_call_after_a_step_it_already_got_arms_at_once(
        tmp_path: Path) -> None:
    # The job exists once its join was taken, when its estimation may already be out.
    with running(tmp_path, SPACE + """
[[faults]]
kind = "unknown_message"
job = "mine"
after = "estimation"

[expect.mine]
outcome = "KeyError"
finished_at = 0
""") as (fake, _):
        details = [f.detail for f in fake.journal.faults(kind="unknown_message")]
    assert details[0] == "armed at once: the job already got estimation #1"


def test_a_fault_tied_to_a_call_whose_submit_fails_is_not_planned(tmp_path: Path) -> None:
    path = tmp_path / "case.toml"
    path.write_text(SPACE + '\n[[faults]]\nkind = "stream_dropped"\njob = "mine"\n')
    scenario = load_scenario(path)
    with FakeGradio(seed=scenario.seed) as fake:
        scenario.apply(fake)
        assert scenario.plan_faults_of(fake, "mine", None) == []  # what run() does then
        note = fake.journal.faults(kind="stream_dropped").one()
    assert note.detail == "not planned: tied to call 'mine', whose submit failed"
