"""GradioQueueMachine against a user's retry wrapper: it finds the naive one's bugs.

The machine runs the wrapper (tests/naive_retry.py) through the user's own client
while other users submit and cancel, virtual time moves and joins get refused.
Two invariants:

- one server job per call: the server never accepted more joins from the user's
  session than the user made calls (a retry may only replace a refused join);
- a cancel stands: a call cancelled while still pending never returns a result.
"""

from __future__ import annotations

import concurrent.futures
import re
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, invariant, precondition, rule
from naive_retry import NaiveRetryClient, RetryClient

from gradio_fake import FakeGradio
from gradio_fake.strategies import GradioQueueMachine, SpacePlan


def _timeouts(machine: RetryWrapperMachine) -> st.SearchStrategy[float | None]:
    if not machine.timeouts:
        return st.none()
    return st.integers(0, 30).map(float) | st.none()


class RetryWrapperMachine(GradioQueueMachine):
    """Drives a retry wrapper (``wrapper_class``) through ``self.client``."""

    space_plan = SpacePlan(
        endpoints=({"api_name": "/predict", "inputs": ["textbox"], "outputs": ["textbox"],
                    "fn": str.upper, "duration": 60.0},),
        gradio="4.44.1")
    fault_kinds = ()  # instead of any fault, the one worth a retry: refuse_joins
    max_advance = 30.0
    max_other_jobs = 2
    client_kwargs: ClassVar[dict[str, Any]] = {"max_workers": 64}  # threads for retries

    wrapper_class: ClassVar[type[Any]] = RetryClient
    #: ``wait`` may give result() a timeout.
    timeouts: ClassVar[bool] = True
    max_calls: ClassVar[int] = 3

    calls: Bundle[Any] = Bundle("calls")

    def __init__(self) -> None:
        super().__init__()
        self.wrapper = self.wrapper_class(self.client, retries=2)
        self.made: list[Any] = []
        self.cancelled_pending: list[Any] = []

    @precondition(lambda self: len(self.made) < self.max_calls)
    @rule(target=calls, text=st.text("ab", max_size=2))
    def call(self, text: str) -> Any:
        handle = self.wrapper.submit(text, api_name="/predict")
        self.made.append((handle, text))
        return handle

    @rule(times=st.integers(1, 3), status=st.sampled_from((503, 500, 429)))
    def refuse_joins(self, times: int, status: int) -> None:
        """The next ``times`` joins are refused (503 is a full queue: QueueError)."""
        self.fake.fault("http_error", route="join", status=status, times=times)

    @rule(call=calls, timeout=st.runner().flatmap(_timeouts))
    def wait(self, call: Any, timeout: float | None) -> None:
        text = next(t for h, t in self.made if h is call)
        try:
            value = call.result(timeout=timeout)
        except (TimeoutError, concurrent.futures.TimeoutError,
                concurrent.futures.CancelledError):
            return
        except Exception:  # retries used up on refused joins: the wrapper may give up
            return
        assert not any(call is c for c in self.cancelled_pending), \
            "a call cancelled while pending returned a result"
        assert value == text.upper()

    @rule(call=calls)
    def cancel(self, call: Any) -> None:
        if not call.done():
            self.cancelled_pending.append(call)
        call.cancel()

    @invariant()
    def one_server_job_per_call(self) -> None:
        accepted = self.accepted_joins(self.client)
        assert accepted <= len(self.made), (
            f"the server accepted {accepted} jobs for {len(self.made)} call(s): a retry "
            f"duplicated (or revived) a job")


FAST = settings(max_examples=25, stateful_step_count=8, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


class FixedWrapperMachine(RetryWrapperMachine):
    wrapper_class = RetryClient


FixedWrapperMachine.TestCase.settings = settings(FAST, max_examples=50,
                                                 stateful_step_count=10)
TestFixedWrapper = FixedWrapperMachine.TestCase


class NaiveWrapperMachine(RetryWrapperMachine):
    wrapper_class = NaiveRetryClient


class NaiveWrapperWithoutTimeouts(RetryWrapperMachine):
    """Without timeouts the duplicate-after-timeout bug is out of reach: the machine
    has to find the cancel one."""

    wrapper_class = NaiveRetryClient
    timeouts = False

    def refuse_joins(self, times: int, status: int) -> None:
        """Switched off (a plain method, no @rule): a refused join ends a call at once,
        so a cancel would rarely find it pending."""


def failing_steps(machine: type[GradioQueueMachine], capsys: pytest.CaptureFixture[str],
                  ) -> tuple[AssertionError, list[str]]:
    """Run ``machine`` (expected to fail); the error and Hypothesis's minimal steps."""
    # derandomize: the same search, the same minimal example on every run.
    machine.TestCase.settings = settings(FAST, max_examples=300, derandomize=True,
                                         report_multiple_bugs=False)
    with pytest.raises(AssertionError) as info:
        machine.TestCase("runTest").runTest()
    printed = capsys.readouterr().out
    notes = "\n".join(getattr(info.value, "__notes__", ()))
    report = notes if "state." in notes else printed  # where this Hypothesis puts them
    steps = [line.strip() for line in report.splitlines()
             if re.match(r"\s*(\w+ = )?state\.(?!one_server_job_per_call|teardown)", line)]
    print(f"{machine.__name__} fails with {info.value}:\n  " + "\n  ".join(steps))
    return info.value, steps


def rules(steps: list[str]) -> list[str]:
    """The rule of each step: ``calls_0 = state.call(text='')`` -> ``call``."""
    return [re.findall(r"state\.(\w+)\(", step)[0] for step in steps]


def test_the_machine_finds_duplicate_jobs_after_a_timeout(
        capsys: pytest.CaptureFixture[str]) -> None:
    error, steps = failing_steps(NaiveWrapperMachine, capsys)
    shown = "\n".join(steps)
    assert "a retry duplicated" in str(error), shown
    # Minimal: make a call, wait on it with a timeout, and it is already duplicated.
    # (Hypothesis's shrinker may leave a harmless step in: allow one.)
    done = rules(steps)
    assert done[0] == "call" and done[-1] == "wait" and len(done) <= 3, \
        f"not shrunk to a minimal example:\n{shown}"
    assert "timeout=None" not in steps[-1], shown


def test_the_machine_finds_a_revived_cancelled_call(capsys: pytest.CaptureFixture[str]) -> None:
    error, steps = failing_steps(NaiveWrapperWithoutTimeouts, capsys)
    shown = "\n".join(steps)
    assert "duplicated (or revived)" in str(error) or "cancelled while pending" in str(error), \
        shown
    done = rules(steps)
    assert "call" in done and "cancel" in done and done[-1] == "wait", shown
    assert done.index("call") < done.index("cancel") and len(done) <= 4, \
        f"not shrunk to a minimal example:\n{shown}"


# ---------------------------------------------------------------------------- the same, by hand

def _echo(fake: FakeGradio) -> Any:
    RetryWrapperMachine.space_plan.apply(fake)
    return fake.client("acme/app")


def _accepted(fake: FakeGradio) -> int:
    return sum(1 for r in fake.requests if r.path.endswith("/queue/join") and r.status == 200)


@pytest.mark.parametrize("wrapper", [NaiveRetryClient, RetryClient])
def test_both_wrappers_retry_a_refused_join(wrapper: type[Any]) -> None:
    with FakeGradio() as fake:
        client = _echo(fake)
        fake.fault("http_error", route="join", status=503, times=2)
        assert wrapper(client, retries=2).submit("ab", api_name="/predict").result() == "AB"
        assert _accepted(fake) == 1
        assert len([r for r in fake.requests if r.path.endswith("/queue/join")]) == 3


def test_a_timeout_keeps_the_job() -> None:
    with FakeGradio() as fake:
        call = RetryClient(_echo(fake)).submit("ab", api_name="/predict")
        with pytest.raises(TimeoutError):
            call.result(timeout=5)
        assert call.result() == "AB"
        assert _accepted(fake) == 1 and fake.clock.now == 60


def test_the_naive_wrapper_duplicates_on_timeout() -> None:
    with FakeGradio() as fake:
        call = NaiveRetryClient(_echo(fake), retries=2).submit("ab", api_name="/predict")
        with pytest.raises(TimeoutError):
            call.result(timeout=5)
        assert _accepted(fake) == 3  # three jobs on the server for one call


@pytest.mark.parametrize(("wrapper", "revived"), [(NaiveRetryClient, True),
                                                  (RetryClient, False)])
def test_a_cancel_stands_only_with_the_fixed_wrapper(wrapper: type[Any], revived: bool) -> None:
    with FakeGradio() as fake:
        call = wrapper(_echo(fake)).submit("ab", api_name="/predict")
        fake.clock.advance(1)
        call.cancel()
        if revived:
            assert call.result() == "AB"
            assert _accepted(fake) == 2
        else:
            with pytest.raises(concurrent.futures.CancelledError):
                call.result()
            assert _accepted(fake) == 1
