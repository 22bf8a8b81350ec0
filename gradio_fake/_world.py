"""The engine of a fake: one lock, one schedule, the apps, the client barrier, the journal.

Data flows one way: the simulator (per app) emits messages into session
outboxes; ``pump`` hands each to its open stream once the client can take it;
``settle`` waits until the client has. Virtual time moves only in
``run_until``/``advance``/``wait_for``, called from the test's own thread.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._app import AppServer
from ._clientsync import ClientSync, TrackedJob
from ._clock import VirtualClock
from ._errors import ClientStuck, GradioFakeError, NeverEndingWait
from ._faults import Fault, FaultPlan
from ._http import ByteSource, HttpReply, HttpRequest, json_reply
from ._hub import HUB_ORIGINS, HubApi
from ._journal import Journal
from ._model import EndpointSpec
from ._realtime import REAL
from ._scheduler import Scheduler
from ._simulator import SimMessage
from ._sse import Outgoing, SessionChannel, SseConnection

if TYPE_CHECKING:
    import datetime

    from ._space import Space

__all__ = ["World"]

_HEARTBEAT_SLICE = 0.05
# Real seconds a settle waits before it starts looking for a diagnosis (a starved pool).
_PATIENCE = 0.05


class World:
    """Everything behind one :class:`~gradio_fake.FakeGradio`."""

    def __init__(self, *, seed: int, start: datetime.datetime, watchdog: float) -> None:
        self.seed = seed
        self.lock = threading.RLock()
        self._cv = threading.Condition(self.lock)
        self.scheduler = Scheduler()
        self.clock = VirtualClock(start, self.run_until)
        self.journal = Journal(lambda: self.clock.now)
        self.sync = ClientSync(self)
        self.journal.attach(self.sync)
        self.hub = HubApi(self._hub_spaces, lambda: self.clock.now)
        self.apps: dict[str, AppServer] = {}
        self.spaces: list[Space] = []
        self.active = False
        self.exiting = False
        self.watchdog = watchdog
        self.inflight = 0
        self._tmp: Path | None = None
        self.user_errors: list[tuple[EndpointSpec, BaseException]] = []
        self.fault_plan = FaultPlan(self)
        self.serving_delay: float | None = None  # set by serve mode
        self.join_times: dict[str, float] = {}
        # Event ids for every Space of the world from one seeded stream: unique and stable.
        self._ids = random.Random(seed)

    def new_event_id(self) -> str:
        return uuid.UUID(int=self._ids.getrandbits(128), version=4).hex

    # -- spaces ------------------------------------------------------------------
    def add_space(self, space: Space) -> AppServer:
        with self.lock:
            if space.root in self.apps:
                raise ValueError(f"a Space is already served at {space.root}")
            if space.space_id and any(s.space_id == space.space_id for s in self.spaces):
                raise ValueError(f"Space {space.space_id!r} is already declared")
            app = AppServer(space, self)
            self.apps[space.root] = app
            self.spaces.append(space)
            space._on_change = lambda: self._space_changed(app)
            self._space_changed(app)
            return app

    def _space_changed(self, app: AppServer) -> None:
        """Start a Space's background load once the endpoint it calls is declared."""
        load = app.space.load
        if load is None or app.load_started:
            return
        for ep in app.space.endpoints:
            if load.endpoint is None or ep.api_name == load.endpoint.strip("/"):
                with self.lock:
                    app.load_started = True
                    app.sim.start_load(load, ep)
                return

    def _hub_spaces(self) -> dict[str, Space]:
        return {s.space_id: s for s in self.spaces if s.space_id}

    def app_for(self, url: str) -> tuple[AppServer, str] | None:
        lowered = url.split("?", 1)[0]
        best: tuple[AppServer, str] | None = None
        for root, app in self.apps.items():
            base = root.rstrip("/")
            if lowered.lower().startswith(base.lower()) and (
                    len(lowered) == len(base) or lowered[len(base)] in "/?"):
                if best is None or len(root) > len(best[0].space.root):
                    rel = lowered[len(base):] or "/"
                    best = (app, rel)
        return best

    # -- HTTP ----------------------------------------------------------------------
    def handle(self, req: HttpRequest) -> HttpReply | None:
        """The transport's handler: route to a Space or the Hub; None when nothing serves it."""
        with self.lock:
            self.inflight += 1
        try:
            target = self.app_for(req.url)
            reply: HttpReply | None
            if target is not None:
                app, rel = target
                reply = self.fault_plan.intercept(app, req, rel) or app.handle(req, rel)
            elif req.origin in HUB_ORIGINS or req.origin == self._hub_endpoint():
                reply = self.hub.handle(req)
            else:
                reply = None
            self.journal.request(req, reply, app=target[0] if target else None)
            return reply
        except GradioFakeError:
            raise  # our own diagnosis (e.g. a wait that can never end): the user must see it
        except Exception as exc:
            self.journal.request(req, None, error=exc)
            return json_reply(500, {"detail": f"gradio-fake internal error: {exc!r}"})
        finally:
            with self.lock:
                self.inflight -= 1
                self.changed()

    # -- faults --------------------------------------------------------------------
    def add_fault(self, fault: Fault) -> None:
        self.fault_plan.add(fault)

    def heartbeat_stalled(self, app: AppServer | None) -> bool:
        return self.fault_plan.heartbeat_stalled(app)

    @staticmethod
    def _hub_endpoint() -> str:
        try:
            from huggingface_hub import constants
        except ImportError:
            return HUB_ORIGINS[0]
        return str(getattr(constants, "ENDPOINT", HUB_ORIGINS[0])).rstrip("/").lower()

    # -- callbacks from the apps ----------------------------------------------------
    def changed(self) -> None:
        """Something the barrier may be waiting on has changed (world lock held)."""
        with self.lock:
            self._cv.notify_all()

    def reader_parked(self) -> None:
        """A stream reader waits for more: worth a look for the barrier unless pollers still
        have messages to take (then their parking is what it waits for)."""
        if not self.sync.has_unsettled():
            self.changed()

    def on_join(self, app: AppServer, session: str, event_id: str, ep: EndpointSpec) -> None:
        self.sync.on_join(app, session, event_id)
        if self.serving_delay is not None:
            self.join_times[event_id] = REAL.monotonic()

    def on_message(self, app: AppServer, msg: SimMessage, payload: dict[str, Any]) -> None:
        self.journal.message(app, msg, payload)
        self.fault_plan.on_message(app, msg, payload)

    def on_taken(self, app: AppServer, session: str, events: list[str]) -> None:
        # No wake-up for the barrier here: the reader goes on to park (reader_parked) or
        # to take more, and the pollers it woke report when they park.
        self.sync.wake_pollers(session, events)

    def on_stream_open(self, app: AppServer, session: str, conn: SseConnection) -> None:
        client = self.sync.client_for_session(session)
        if client is not None:
            self.sync.watch_reader(client)

    def can_deliver(self, app: AppServer, channel: SessionChannel, out: Outgoing) -> bool:
        tracked = self.sync.by_event.get(out.event_id or "")
        if out.gate == "reset":
            # A cancelled job's completion waits until the client has fully cancelled the
            # job (its /reset sent, its future done): earlier, the client's poller would
            # race its cancel checker (KeyError, or "Did not expect 2 tasks to be done").
            if tracked is not None:
                if not tracked.done:
                    return False
            elif out.event_id not in channel.resets:
                return False
        client = self.sync.client_for_session(channel.session)
        if client is None or out.event_id is None:
            # Not a client of ours: in serve mode (another process) we cannot see its
            # registration, so an event's messages wait a little after its join answer.
            joined = self.join_times.get(out.event_id or "")
            return (self.serving_delay is None or joined is None
                    or REAL.monotonic() - joined >= self.serving_delay)
        return self.sync.event_registered(client, out.event_id)

    def record_user_error(self, ep: EndpointSpec, exc: BaseException) -> None:
        self.user_errors.append((ep, exc))

    def store_upload(self, name: str, content: bytes) -> Path:
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix=f"gradio-fake-{os.getpid()}-"))
        folder = self._tmp / hashlib.sha1(content).hexdigest()[:16]
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_bytes(content)
        return path

    def heartbeat_stream(self, app: AppServer, session: str) -> ByteSource:
        """``GET heartbeat/<session>``: ALIVE now, then a line whenever the client must look."""
        world = self

        class _Heartbeat:
            def __iter__(self) -> Iterator[bytes]:
                if not world.heartbeat_stalled(app):
                    yield b"data: ALIVE\n\n"
                waited = 0.0
                while not world.exiting:
                    client = world.sync.client_for_session(session)
                    kill = getattr(client, "_kill_heartbeat", None)
                    refresh = getattr(client, "_refresh_heartbeat", None)
                    if kill is not None and kill.wait(_HEARTBEAT_SLICE):
                        yield b"data: ALIVE\n\n"
                        return
                    if kill is None:  # a remote client: ALIVE every 15 s, as Gradio does
                        REAL.sleep(_HEARTBEAT_SLICE)
                        waited += _HEARTBEAT_SLICE
                        if waited >= 15 and not world.heartbeat_stalled(app):
                            waited = 0.0
                            yield b"data: ALIVE\n\n"
                    if refresh is not None and refresh.is_set() \
                            and not world.heartbeat_stalled(app):
                        yield b"data: ALIVE\n\n"

            def close(self) -> None:
                pass

        return _Heartbeat()

    # -- delivery and the barrier -----------------------------------------------------
    def pump(self) -> bool:
        moved = False
        for app in self.apps.values():
            for channel in app.channels.values():
                if channel.outbox and app.pump(channel):
                    moved = True
        if self.fault_plan.after_pump():  # strikes waiting for a message to go out
            moved = True
        return moved

    def _stream_blockers(self) -> list[str]:
        reasons = []
        for app in self.apps.values():
            for channel in app.channels.values():
                conn = channel.connection
                client = self.sync.client_for_session(channel.session)
                if (conn is None or conn.client_closed) and channel.outbox:
                    if client is not None and getattr(client, "stream_open", False):
                        reasons.append(f"session {channel.session[:8]} of {app.space.name}: "
                                       f"{len(channel.outbox)} message(s) wait for the "
                                       f"client's stream reader to connect")
                    continue
                if conn is None or conn.reader is self.sync.driver or conn.remote:
                    continue  # read by the test's own thread, or by a remote client
                if not conn.idle:
                    reasons.append(f"session {channel.session[:8]} of {app.space.name}: the "
                                   f"client's stream reader has not taken the last write")
                elif conn.client_closed and client is not None:
                    future = getattr(client, "streaming_future", None)
                    if future is not None and not future.done():
                        reasons.append(f"session {channel.session[:8]}: the client's stream "
                                       f"reader is still ending")
        return reasons

    def blockers(self) -> list[str]:
        reasons = []
        if self.inflight:
            reasons.append(f"{self.inflight} request(s) in flight")
        reasons.extend(self._stream_blockers())
        reasons.extend(self.sync.blockers())
        return reasons

    def settle(self) -> None:
        """Wait (in real time, bounded) until the client has taken in everything due now."""
        start = REAL.monotonic()
        deadline = start + self.watchdog
        stuck_since: float | None = None
        with self.lock:
            while True:
                # Whatever was scheduled for this very instant (by a join, a cancel…) is due.
                self.scheduler.run_due(self.clock.now)
                self.pump()
                if not self.blockers():
                    return
                now = REAL.monotonic()
                if now - start > _PATIENCE:  # diagnoses only for a wait that lasts
                    starved = self._starved_pool()
                    if starved:
                        stuck_since = stuck_since or now
                        if now - stuck_since > 0.5:
                            raise ClientStuck(starved + "\n" + "\n".join(self.blockers()))
                    else:
                        stuck_since = None
                    if now > deadline:
                        raise ClientStuck(
                            f"the client did not take in what the fake sent at virtual "
                            f"t={self.clock.now:g}s within {self.watchdog:g}s of real time:"
                            f"\n  - " + "\n  - ".join(self.blockers()) + "\n"
                            + self.journal.tail())
                self._cv.wait(0.05)

    def _starved_pool(self) -> str:
        """Diagnose gradio_client's shared thread pool being too small (PROTOCOL.md §4.1)."""
        for client in self.sync.clients:
            executor = getattr(client, "executor", None)
            if executor is None or getattr(client, "helper_executor", None) is not None:
                continue
            queued = executor._work_queue.qsize()
            if queued and len(executor._threads) >= executor._max_workers:
                return (f"gradio_client's thread pool is exhausted: max_workers="
                        f"{executor._max_workers}, {queued} task(s) waiting for a thread. "
                        f"Clients before 2.x run each job on 3 threads from one shared pool "
                        f"plus one for the stream reader, so they deadlock with fewer than "
                        f"about 3 x (jobs at once) + 1 workers; pass a larger max_workers to "
                        f"Client().")
        return ""

    # -- moving time ---------------------------------------------------------------
    def run_until(self, t: float, *, settled: bool = False) -> None:
        """Run every event due up to virtual ``t``, settling the client at each instant.

        ``settled``: the caller has just settled the client at the current instant.
        """
        if not settled:
            self.settle()
        while True:
            with self.lock:
                nxt = self.scheduler.next_time()
                if nxt is None or nxt > t:
                    break
                self.clock._set(nxt)
                self.scheduler.run_due(nxt)
            self.settle()
        with self.lock:
            moved = t > self.clock.now
            self.clock._set(t)
            self.scheduler.now = max(self.scheduler.now, t)
        if moved:
            self.settle()

    def advance(self, seconds: float) -> None:
        self.run_until(self.clock.now + seconds)

    def run_until_idle(self) -> None:
        """Run until nothing is scheduled (raises if that would never happen)."""
        self.settle()
        while True:
            with self.lock:
                nxt = self.scheduler.next_time()
            if nxt is None:
                return
            self.run_until(nxt)

    def driver_blocked(self) -> bool:
        """The test's own thread is about to block on a stream: move time instead."""
        if threading.current_thread() is not self.sync.driver or not self.active:
            return False
        self.scheduler.run_due(self.clock.now)
        if self.pump():
            return True
        if self.step_once() is None:
            raise NeverEndingWait("reading a stream of the fake from the test's own thread "
                                  "would wait forever: nothing is scheduled.\n"
                                  + self.journal.render())
        return True

    def step_once(self) -> float | None:
        """Run the next scheduled instant; its time, or None when nothing is scheduled."""
        self.settle()
        with self.lock:
            nxt = self.scheduler.next_time()
        if nxt is None:
            return None
        self.run_until(nxt)
        return nxt

    def step(self, tracked: TrackedJob | None, what: str) -> None:
        """Jump to the next scheduled instant; NeverEndingWait if there is none."""
        with self.lock:
            nxt = self.scheduler.next_time()
        if nxt is None:
            raise NeverEndingWait(self.describe_endless(tracked, what))
        self.run_until(nxt)

    def wait_for(self, ready: Callable[[], bool], timeout: float | None,
                 tracked: TrackedJob | None, what: str) -> bool:
        """Block the driver in virtual time until ``ready()`` or ``timeout`` virtual seconds."""
        self.settle()
        deadline = None if timeout is None else self.clock.now + timeout
        while not ready():
            with self.lock:
                nxt = self.scheduler.next_time()
            if deadline is not None and (nxt is None or nxt > deadline):
                self.run_until(deadline, settled=True)
                return ready()
            if nxt is None:
                raise NeverEndingWait(self.describe_endless(tracked, what))
            self.run_until(nxt, settled=True)
        return True

    def describe_endless(self, tracked: TrackedJob | None, what: str) -> str:
        lines = []
        if tracked is None:
            lines.append(f"{what} would wait forever: nothing is scheduled.")
        else:
            state = "unknown"
            note = ""
            if tracked.app is not None and tracked.event_id is not None:
                job = tracked.app.sim.jobs.get(tracked.event_id)
                if job is not None:
                    state = job.state
                    note = job.note
            if tracked.done and what == "iteration":
                note = note or (
                    "gradio_client's Job iterator only stops on a FINISHED status that comes "
                    "with a process_completed message; a job that failed without one (join "
                    "error, stream lost, cancel) never stops iterating with the real client. "
                    "Check job.done() or job.exception() instead.")
            lines.append(
                f"{what} on {tracked.name} would wait forever at virtual "
                f"t={self.clock.now:g}s: nothing is scheduled and the job is not done "
                f"(server state: {state}).")
            if note:
                lines.append(f"Cause: {note}")
        lines.append("Timeline so far:")
        lines.append(self.journal.render(event_id=tracked.event_id if tracked else None))
        return "\n".join(lines)

    # -- shutdown ------------------------------------------------------------------
    def shutdown(self, join_timeout: float = 5.0) -> list[str]:
        """End every stream and client thread; return what could not be stopped."""
        problems: list[str] = []
        with self.lock:
            self.exiting = True
        for client in list(self.sync.clients):
            try:
                client.close()
            except Exception as exc:
                problems.append(f"closing {client!r}: {exc!r}")
        with self.lock:
            for app in self.apps.values():
                for channel in app.channels.values():
                    if channel.connection is not None and not channel.connection.client_closed:
                        channel.connection.end()
            self.active = False
            self.sync.wake_all()
            self._cv.notify_all()
        for client in list(self.sync.clients):
            for name in ("executor", "helper_executor", "stream_executor"):
                executor = getattr(client, name, None)
                if executor is None:
                    continue
                executor.shutdown(wait=False, cancel_futures=True)
                deadline = REAL.monotonic() + join_timeout
                for thread in list(getattr(executor, "_threads", ())):
                    thread.join(max(deadline - REAL.monotonic(), 0.0))
                    if thread.is_alive():
                        problems.append(f"{thread.name} of {name} did not stop")
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        return problems

