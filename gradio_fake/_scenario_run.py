"""Driving a scenario's calls to their ends under virtual time (``Scenario.run``)."""

from __future__ import annotations

import inspect
import math
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import NeverEndingWait
from ._scenario_build import CallDecl
from ._scenario_report import CallRecord, RunReport, StatusSnapshot

if TYPE_CHECKING:
    from ._fake import FakeGradio
    from ._scenario import Scenario

__all__ = ["drive"]


def _download_option(directory: str) -> dict[str, Any]:
    from gradio_client import Client

    params = inspect.signature(Client.__init__).parameters
    key = "download_files" if "download_files" in params else "output_dir"
    return {key: directory}


def _first_paragraph(message: str) -> str:
    return message.split("\nTimeline so far:", 1)[0].strip()


class _Live:
    """A call being driven."""

    def __init__(self, call: CallDecl, job: Any, now: float) -> None:
        self.call = call
        self.job = job
        self.submitted_at = now
        self.statuses: list[StatusSnapshot] = []
        self.output_times: list[float] = []
        self.cancelled_at: float | None = None
        #: when the job was first seen done (a call cancelled later ended there)
        self.done_at: float | None = None
        self.record: CallRecord | None = None

    @property
    def pending_cancel_at(self) -> float | None:
        """When the planned cancel is due, until it is made: even a finished job waits
        for it (the client still posts ``/cancel``, and Gradio acts on it)."""
        return self.call.cancel_at if self.cancelled_at is None else None

    @property
    def deadline(self) -> float:
        timeout = self.call.timeout
        return math.inf if timeout is None else self.submitted_at + timeout

    def observe(self, now: float) -> None:
        snap = StatusSnapshot.of(self.job.status(), now)
        if not snap.same_as(self.statuses[-1] if self.statuses else None):
            self.statuses.append(snap)
        seen = len(self.job.outputs())
        self.output_times += [now] * (seen - len(self.output_times))

    def end(self, now: float, outcome: str, result: Any, message: str,
            title: str | None = None) -> None:
        outputs: tuple[Any, ...] = ()
        if self.job is not None:
            outputs = tuple(self.job.outputs())
        times = (self.output_times + [now] * len(outputs))[:len(outputs)]
        self.record = CallRecord(
            id=self.call.id, api_name=self.call.api_name, args=self.call.args,
            kwargs=self.call.kwargs, submitted_at=self.submitted_at,
            statuses=tuple(self.statuses), outputs=outputs, outcome=outcome, result=result,
            message=message, ended_at=now if self.done_at is None else self.done_at,
            cancelled_at=self.cancelled_at, title=title,
            output_times=tuple(times))

    def collect(self, now: float, timeout: float | None = 0) -> None:
        """End the call with what ``job.result(timeout)`` returns or raises."""
        try:
            result = self.job.result(timeout=timeout)
        except NeverEndingWait as exc:
            self.end(now, "NeverEndingWait", None, _first_paragraph(str(exc)))
        except Exception as exc:  # the call's outcome, whatever the client raised
            title = getattr(exc, "title", None)
            self.end(now, type(exc).__name__, None, str(exc),
                     title if isinstance(title, str) else None)
        else:
            self.end(now, "result", result, "")


def drive(scenario: Scenario, fake: FakeGradio) -> RunReport:
    """Implementation of :meth:`Scenario.run`."""
    import gradio_client

    downloads = tempfile.mkdtemp(prefix="gradio-fake-downloads-")
    try:
        records = _drive(scenario, fake, downloads)
    finally:
        shutil.rmtree(downloads, ignore_errors=True)
    return RunReport(scenario=scenario, client_version=gradio_client.__version__,
                     calls=tuple(records), download_dir=str(Path(downloads)))


def _drive(scenario: Scenario, fake: FakeGradio, downloads: str) -> list[CallRecord]:
    space = scenario.apply(fake)
    pending = sorted(scenario.calls, key=lambda c: c.at)
    live: list[_Live] = []
    try:
        client = fake.client(space, **_download_option(downloads))
    except Exception as exc:  # the user's Client() fails: that is every call's outcome
        now = fake.clock.now
        failed = []
        for call in scenario.calls:
            entry = _Live(call, None, now)
            entry.end(now, type(exc).__name__, None, str(exc))
            assert entry.record is not None
            failed.append(entry.record)
        return failed
    while True:
        now = fake.clock.now
        while pending and pending[0].at <= now:
            call = pending.pop(0)
            try:
                job = scenario.submit_call(client, call, space)
            except Exception as exc:  # submit itself refuses (bad arguments...)
                scenario.plan_faults_of(fake, call.id, None)
                entry = _Live(call, None, now)
                entry.end(now, type(exc).__name__, None, str(exc))
                live.append(entry)
                continue
            scenario.plan_faults_of(fake, call.id, job)
            live.append(_Live(call, job, now))
        running = [e for e in live if e.record is None]
        for entry in running:
            cancel_at = entry.pending_cancel_at
            if cancel_at is not None and cancel_at <= now:
                entry.job.cancel()
                entry.cancelled_at = now
        for entry in running:
            entry.observe(now)
            done = entry.job.done()
            if done:
                entry.observe(now)
                entry.done_at = now if entry.done_at is None else entry.done_at
            if (done and entry.pending_cancel_at is None) or entry.deadline <= now:
                entry.collect(now)
        running = [e for e in live if e.record is None]
        if not pending and not running:
            break
        ours = [c.at for c in pending[:1]]
        ours += [t for e in running if (t := e.pending_cancel_at) is not None]
        ours += [e.deadline for e in running if math.isfinite(e.deadline)]
        scheduled = fake.next_event_time()
        target = min([t for t in [*ours, scheduled] if t is not None], default=None)
        if target is None:
            for entry in running:  # nothing can ever end them: let the fake say why
                entry.collect(now, timeout=None)
            break
        fake.clock.run_until(max(target, now))
    by_id = {e.call.id: e.record for e in live}
    return [rec for call in scenario.calls if (rec := by_id.get(call.id)) is not None]
