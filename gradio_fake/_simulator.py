"""A discrete-event model of one Gradio app's queue, on virtual time.

Pure and single-threaded from its own point of view (callers hold the world
lock), seeded, and free of I/O: it turns joins, cancels and the passage of time
into version-neutral :class:`SimMessage` records. The protocol layer turns
those into the exact SSE messages of the emulated Gradio version.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ._estimation import estimate, estimates
from ._model import EndpointSpec, Error, Load, ScriptStep
from ._scheduler import Priority, Scheduler
from ._versions import GradioVersion

__all__ = ["CallPlan", "QueueFull", "QueueSim", "SimJob", "SimMessage", "ValidationFailed"]


class QueueFull(Exception):
    """The join is refused because the queue holds ``max_size`` events (HTTP 503)."""

    def __init__(self, max_size: int, size: int) -> None:
        super().__init__(f"Queue is full. Max size is {max_size} and size is {size}.")
        self.max_size, self.size = max_size, size


class ValidationFailed(Exception):
    """A validator rejected the join (HTTP 422 on Gradio 5+)."""

    def __init__(self, details: list[dict[str, Any]]) -> None:
        super().__init__("validation failed")
        self.details = details


@dataclass
class SimMessage:
    """One message the server sends for an event, before version-specific shaping."""

    time: float
    session: str | None
    event_id: str
    kind: str
    fields: dict[str, Any]
    #: delivery waits until the client has sent this request for the event (e.g. "reset").
    gate: str | None = None

    @property
    def terminal(self) -> bool:
        return self.kind == "process_completed"


@dataclass
class CallPlan:
    """What one call does once it starts: computed at start, played out over its duration."""

    yields: list[list[Any]]
    outputs: list[Any] | None
    error: Error | None
    plain_error: str | None = None
    error_is_plain: bool = False


@dataclass
class SimJob:
    """One event in the queue (a user's job or background load)."""

    event_id: str
    session: str | None
    endpoint: EndpointSpec
    data: list[Any]
    joined_at: float
    state: str = "queued"  # queued, running, done, cancelled
    started_at: float | None = None
    ended_at: float | None = None
    alive: bool = True  # False once its messages must stop (disconnect, reset on 4.32)
    pending: bool = True  # in its session's pending set: no completion sent yet
    completions: int = 0
    note: str = ""  # why the server will never finish it (a quirk of the emulated version)
    duration: float | None = None  # background jobs: their own service time
    script: tuple[ScriptStep, ...] = ()  # an exact timeline played instead of the queue model
    handles: list[Any] = field(default_factory=list)

    @property
    def cid(self) -> str:
        return self.endpoint.concurrency_id or str(self.endpoint.fn_index)


class QueueSim:
    """The queue of one fake Space.

    ``emit`` receives every message; ``run_fn`` computes a call's outputs (it is
    where user code runs, and where uploaded files are turned into paths).
    """

    def __init__(
        self,
        *,
        scheduler: Scheduler,
        version: GradioVersion,
        endpoints: Callable[[], Sequence[EndpointSpec]],
        emit: Callable[[SimMessage], None],
        plan_call: Callable[[EndpointSpec, list[Any]], CallPlan],
        postprocess: Callable[[EndpointSpec, Any], list[Any]],
        new_id: Callable[[], str],
        seed: int = 0,
        name: str = "",
        max_size: int | None = None,
        quirks: bool = True,
        status_update_rate: float | str = "auto",
    ) -> None:
        self.scheduler = scheduler
        self.version = version
        self._endpoints = endpoints
        self._emit = emit
        self._plan_call = plan_call
        self._postprocess = postprocess
        self._new_id = new_id
        # Other users' jobs draw from streams of their own, so that adding load does not
        # change the event ids (or anything else) of the test's own jobs.
        self._bg_rng = random.Random(f"{seed}-{name}-background")
        self._arrival_rng = random.Random(f"{seed}-{name}-arrivals")
        self.max_size = max_size
        self.quirks = quirks
        self.status_update_rate = status_update_rate
        self.jobs: dict[str, SimJob] = {}
        self.waiting: dict[str, list[SimJob]] = {}
        self.running: dict[str, list[SimJob]] = {}
        # Gradio's ProcessTime per function: the mean of successful run times.
        self._run_totals: dict[int, tuple[float, int]] = {}
        self.stopped = False

    # -- helpers ----------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.scheduler.now

    def _send(self, job: SimJob, kind: str, fields: dict[str, Any],
              gate: str | None = None) -> None:
        if job.session is None or not job.alive:
            return
        if kind == "process_completed":
            job.pending = False
            job.completions += 1
        self._emit(SimMessage(self.now, job.session, job.event_id, kind, fields, gate))

    def avg_time(self, fn_index: int) -> float | None:
        total, count = self._run_totals.get(fn_index, (0.0, 0))
        return total / count if count else None

    def record_run(self, fn_index: int, seconds: float) -> None:
        total, count = self._run_totals.get(fn_index, (0.0, 0))
        self._run_totals[fn_index] = (total + seconds, count + 1)

    def limit(self, cid: str) -> int | None:
        for ep in self._endpoints():
            if (ep.concurrency_id or str(ep.fn_index)) == cid:
                return ep.concurrency_limit
        return 1

    def queue_len(self) -> int:
        return sum(len(q) for q in self.waiting.values())

    # -- joining ----------------------------------------------------------------
    def join(self, session: str | None, endpoint: EndpointSpec, data: list[Any],
             event_id: str | None = None,
             script: tuple[ScriptStep, ...] | None = None) -> SimJob:
        """Add an event to its concurrency queue; raises QueueFull when at max_size.

        A scripted event plays its exact timeline instead of the queue model: ``script``
        if given, else the next one queued for the endpoint (``Space.script_next_call``,
        taken by this join even when the queue refuses it), else the endpoint's own.
        """
        if script is None and session is not None:
            script = endpoint.call_scripts.take()
        if self.max_size is not None and self.queue_len() >= self.max_size:
            raise QueueFull(self.max_size, self.queue_len())
        job = SimJob(event_id or self._new_id(), session, endpoint, list(data), self.now,
                     script=script if script is not None else endpoint.script)
        self.jobs[job.event_id] = job
        if job.script:
            self._play_script(job)
            return job
        queue = self.waiting.setdefault(job.cid, [])
        queue.append(job)
        self._send_estimation(job, rank=len(queue) - 1)
        self._dequeue(job.cid)
        return job

    def _send_estimation(self, job: SimJob, rank: int) -> None:
        queue = self.waiting.get(job.cid, [])
        eta = estimate(self, job, rank)
        self._send(job, "estimation", {"rank": rank, "queue_size": len(queue), "rank_eta": eta})

    def _broadcast_estimations(self, cid: str) -> None:
        """A fresh estimation to every waiting event of ``cid``, in one pass over the queue."""
        queue = self.waiting.get(cid, [])
        for rank, (job, eta) in enumerate(zip(queue, estimates(self, cid, queue), strict=True)):
            if job.session is not None:
                self._send(job, "estimation",
                           {"rank": rank, "queue_size": len(queue), "rank_eta": eta})

    def _dequeue(self, cid: str) -> None:
        """Start waiting events while workers are free. With status_update_rate "auto",
        every dequeue first sends a fresh estimation to everyone still waiting (Gradio's
        ``start_processing``), then the dequeued event's ``process_starts``."""
        queue = self.waiting.setdefault(cid, [])
        running = self.running.setdefault(cid, [])
        limit = self.limit(cid)
        while queue and (limit is None or len(running) < limit):
            job = queue.pop(0)
            job.state = "running"
            job.started_at = self.now
            running.append(job)
            if self.status_update_rate == "auto":
                self._broadcast_estimations(cid)
            self._start(job)

    # -- running ----------------------------------------------------------------
    def _start(self, job: SimJob) -> None:
        ep = job.endpoint
        if job.session is None:  # another user's job: it only occupies a worker
            duration = job.duration if job.duration is not None else ep.duration
            if math.isfinite(duration):
                job.handles.append(self.scheduler.at(
                    self.now + duration, Priority.COMPLETE,
                    partial(self._finish, job, success=True), "background job ends"))
            return
        self._send(job, "process_starts", {"eta": self.avg_time(ep.fn_index)})
        plan = self._plan_call(ep, job.data)
        t0, dur = self.now, ep.duration
        spacing = dur if math.isfinite(dur) else 1.0

        def at(offset: float, action: Callable[[], None], label: str,
               priority: int = Priority.STEP) -> None:
            job.handles.append(self.scheduler.at(t0 + offset, priority, action,
                                                 f"{label} of {job.event_id[:8]}"))

        for log in ep.logs:
            at(log.at, partial(self._send, job, "log",
                               {"log": log.message, "level": log.level}), "log")
        if ep.progress:
            self._schedule_progress(job, t0, spacing, at)
        n = len(plan.yields)
        for i, values in enumerate(plan.yields):
            if not math.isfinite(dur):
                offset = float(i + 1)
            elif i == n - 1:
                # Exactly the completion's offset: ``dur * n / n`` can round one ulp above
                # ``dur`` (0.1 * 3 / 3 > 0.1), which would put the last yield after the
                # completion, where it is lost. At the same instant, STEP runs first.
                offset = dur
            else:
                offset = spacing * (i + 1) / n
            at(offset, partial(self._send, job, "process_generating", {"data": values}),
               "yield")
        if math.isfinite(dur):
            at(dur, lambda: self._complete(job, plan), "completion", Priority.COMPLETE)

    def _play_script(self, job: SimJob) -> None:
        """A scripted call: its messages at the given times, outside the queue model."""
        job.state = "running"
        job.started_at = self.now
        for step in job.script:
            fields: dict[str, Any]
            kind = step.kind
            if kind == "estimation":
                f = step.fields
                fields = {"rank": f.get("rank"), "queue_size": f.get("queue_size"),
                          "rank_eta": f.get("eta")}
            elif kind == "process_starts":
                fields = {"eta": (step.fields or {}).get("eta")}
            elif kind == "progress":
                fields = {"progress_data": [dict(step.fields)]}
            elif kind == "log":
                fields = {"level": step.fields[0], "log": step.fields[1]}
            elif kind == "process_generating":
                fields = {"data": self._postprocess(job.endpoint, step.fields)}
            elif isinstance(step.fields, Error):
                fields = {"success": False, "error": step.fields}
            else:
                fields = {"success": True, "data": self._postprocess(job.endpoint, step.fields)}
            action = (partial(self._script_done, job, fields) if kind == "process_completed"
                      else partial(self._send, job, kind, fields))
            job.handles.append(self.scheduler.at(
                job.joined_at + step.at,
                Priority.COMPLETE if kind == "process_completed" else Priority.STEP,
                action, f"scripted {kind} of {job.event_id[:8]}"))

    def _script_done(self, job: SimJob, fields: dict[str, Any]) -> None:
        self._send(job, "process_completed", fields)
        job.state = "done"
        job.ended_at = self.now
        job.handles.clear()

    def _schedule_progress(self, job: SimJob, t0: float, spacing: float,
                           at: Callable[..., None]) -> None:
        """Progress updates are stored and sent by a loop every ``progress_interval``:
        each step goes out at the next tick after it happens; a step overtaken by a
        later one before that tick is never sent (Gradio overwrites, it does not queue),
        and neither is one whose tick comes at or after the end of the call."""
        steps = job.endpoint.progress
        n = len(steps)
        interval = self.version.progress_interval
        by_tick: dict[int, dict[str, Any]] = {}
        for i, unit in enumerate(steps):
            offset = spacing * (i + 1) / (n + 1) if math.isfinite(job.endpoint.duration) \
                else float(i + 1)
            tick = math.ceil(round(offset / interval, 9))
            if math.isfinite(job.endpoint.duration) and tick * interval >= job.endpoint.duration:
                continue  # the call ends before the loop's next tick: the update is lost
            by_tick[tick] = unit
        for tick, unit in sorted(by_tick.items()):
            at(tick * interval, partial(self._send, job, "progress",
                                        {"progress_data": [dict(unit)]}), "progress")

    def _complete(self, job: SimJob, plan: CallPlan) -> None:
        if job.state != "running":
            return
        success = plan.error is None and not plan.error_is_plain
        fields: dict[str, Any] = {"success": success}
        if plan.error is not None:
            fields["error"] = plan.error
        elif plan.error_is_plain:
            fields["plain_error"] = plan.plain_error
        else:
            fields["data"] = plan.outputs
        self._send(job, "process_completed", fields)
        self._finish(job, success=success)

    def _finish(self, job: SimJob, *, success: bool) -> None:
        job.state = "done" if job.state == "running" else job.state
        if self._release(job):
            if success and job.started_at is not None:
                self.record_run(job.endpoint.fn_index, self.now - job.started_at)
            self._dequeue(job.cid)

    def _release(self, job: SimJob) -> bool:
        """End ``job`` now: drop its scheduled steps, free its worker if it held one."""
        job.ended_at = self.now
        for handle in job.handles:
            Scheduler.cancel(handle)
        job.handles.clear()
        running = self.running.get(job.cid, [])
        if job not in running:
            return False
        running.remove(job)
        return True

    # -- cancelling -------------------------------------------------------------
    def cancel(self, session: str, fn_index: int, event_id: str) -> None:
        """``POST /cancel``: the emulated version's semantics, quirks included unless off.

        Gradio cancels every running task of ``session_fn``, not just the event; the
        others get no message at all. The ``{}`` completion goes to ``event_id``: on 4.32
        whenever the session exists, later only while the event is pending. Before 6.31 a
        queued event stays queued and still runs later (a second completion); 6.31
        removes it from the queue, but only after ``cancel_tasks`` has returned: a worker
        it freed has already started the head of that queue (6.x's dequeue loop polls
        every 1 ms), so a queued event cancelled while another event of its session and
        endpoint runs gets ``process_starts``, then ``{}``, then its real completion
        (recorded on real 6.31.0, docs/evidence.md). With ``quirks=False`` the event is
        simply removed.
        """
        target = self.jobs.get(event_id)
        if self.quirks:
            victims = [j for js in self.running.values() for j in js
                       if j.session == session and j.endpoint.fn_index == fn_index]
        else:
            victims = [target] if target is not None and target.state == "running" else []
        for victim in victims:
            if victim is not target:
                victim.note = (f"its task was cancelled by /cancel for event {event_id[:8]}: "
                               f"Gradio {self.version.version} cancels every running task of "
                               f"the same endpoint in a session, and sends it nothing")
            self._cancel_running(victim)
        if target is None or target.session != session:
            return
        pending = target.state in ("queued", "running") or target in victims
        if target.state == "queued" and self.version.cancel_removes_queued and self.quirks:
            for cid in dict.fromkeys(v.cid for v in victims):
                self._dequeue(cid)  # the freed worker starts before remove_from_queue
        if target.state == "queued" and (self.version.cancel_removes_queued or not self.quirks):
            self.waiting[target.cid].remove(target)
            target.state = "cancelled"
        if pending or (self.version.cancel_always_completes and self.quirks):
            self._send_cancel_completion(target)

    def _cancel_running(self, job: SimJob) -> None:
        job.state = "cancelled"
        if self._release(job):
            self.scheduler.at(self.now, Priority.COMPLETE, partial(self._dequeue, job.cid),
                              "dequeue after cancel")

    def _send_cancel_completion(self, job: SimJob) -> None:
        # Delivered once the client's /reset for this event arrived: sooner, the client
        # would raise KeyError instead of CancelledError (a race inside the client).
        self._send(job, "process_completed", {"success": True, "cancelled": True},
                   gate="reset")

    def reset(self, event_id: str) -> bool:
        """``POST /reset``: 4.32 drops a live generator's event; later versions do nothing."""
        job = self.jobs.get(event_id)
        if job is None or not (self.version.reset_cleans_generators and self.quirks):
            return not self.version.reset_cleans_generators
        if job.endpoint.is_generator and job.state == "running":
            self._cancel_running(job)
            job.alive = False
            return True
        return False

    # -- load and faults --------------------------------------------------------
    def start_load(self, load: Load, endpoint: EndpointSpec) -> None:
        """Put ``load.ahead`` jobs of other users in the queue now, and schedule arrivals."""
        duration = load.duration if load.duration is not None else endpoint.duration
        if load.warm and math.isfinite(duration) and self.avg_time(endpoint.fn_index) is None:
            self.record_run(endpoint.fn_index, duration)
        for _ in range(load.ahead):
            self._background_join(endpoint, duration)
        if load.arrival_rate > 0:
            self._schedule_arrival(self._arrival_rng, load, endpoint, duration)

    def _background_join(self, endpoint: EndpointSpec, duration: float) -> None:
        if self.max_size is not None and self.queue_len() >= self.max_size:
            return  # a full queue turns other users away too
        event_id = uuid.UUID(int=self._bg_rng.getrandbits(128), version=4).hex
        job = SimJob(event_id, None, endpoint, [], self.now, duration=duration)
        self.jobs[job.event_id] = job
        self.waiting.setdefault(job.cid, []).append(job)
        self._dequeue(job.cid)

    def _schedule_arrival(self, rng: random.Random, load: Load, endpoint: EndpointSpec,
                          duration: float) -> None:
        at = self.now + rng.expovariate(load.arrival_rate)
        if at > load.until:
            return

        def arrive() -> None:
            self._background_join(endpoint, duration)
            self._schedule_arrival(rng, load, endpoint, duration)

        self.scheduler.at(at, Priority.ARRIVAL, arrive, "another user's job arrives")

    def disconnect(self, session: str) -> None:
        """A client stream went away: drop its queued events, silence its running ones."""
        for queue in self.waiting.values():
            for job in [j for j in queue if j.session == session]:
                queue.remove(job)
                job.state = "cancelled"
        for jobs in self.running.values():
            for job in jobs:
                if job.session == session:
                    job.alive = False

    def stop(self) -> None:
        """The server stops: nothing runs or completes any more; joins get 503."""
        self.stopped = True
        for job in self.jobs.values():
            job.alive = False
            for handle in job.handles:
                Scheduler.cancel(handle)
            job.handles.clear()
            if job.state in ("queued", "running"):
                job.note = "the server was stopped (fault server_stopped)"
        self.waiting.clear()
        self.running.clear()

    def pending_events(self, session: str) -> list[str]:
        """Events of ``session`` that have not been sent their completion."""
        return [j.event_id for j in self.jobs.values() if j.session == session and j.pending]
