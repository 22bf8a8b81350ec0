"""Keeping in step with the real gradio_client's threads, without changing what they do.

The client runs each job on its own threads, which poll with 50 ms
``time.sleep`` calls (PROTOCOL.md §4). To make an observation at virtual time
``t`` the same on every run, the fake waits until the client has taken in
everything due at ``t``: a barrier built only on what can be observed in the
client — the event ids it registered, the message lists its reader fills and
its pollers drain, the futures of its jobs — never on real-time delays.

What we wrap while a fake is active (restored on exit), each time calling the
client's own method to do the work:

- ``Client.__init__`` and ``Client.submit``: to know the clients and jobs, and to
  return from ``submit`` once the fake has taken that job's join;
- ``Job.status/outputs/done/result/__next__/__aiter__/cancel`` in the test's own
  thread: the barrier, and virtual time moving while the test blocks;
- ``gradio_client.utils.check_for_cancel`` (each job's cancel watcher thread): to
  know when it has seen its job end, which the barrier waits for, so that a
  ``cancel()`` after the result never meets a watcher that would still post
  ``/reset``;
- ``time.sleep``: in the test's thread it advances virtual time; in a job's
  poller threads it is a sleep that ends as soon as there is something to see.
"""

from __future__ import annotations

import asyncio
import concurrent.futures.thread
import functools
import sys
import threading
import types
import warnings
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from ._realtime import REAL

if TYPE_CHECKING:
    from ._app import AppServer
    from ._world import World

__all__ = ["ClientSync", "TrackedJob"]

# Real seconds a parked poller sleeps before looking again of its own accord.
# Wake-ups are notifications; this only bounds the cost of a missed one.
_PARK_SLICE = 0.5
# Real seconds a returning stream reader waits for the client to attach its own
# done-callback (normally attached microseconds after the reader was submitted).
_CALLBACK_WAIT = 2.0
_WORK_ITEM_RUN = concurrent.futures.thread._WorkItem.run.__code__


def _own_future() -> Any:
    """The ``concurrent.futures`` future of the pool task running in this thread, if any."""
    frame: types.FrameType | None = sys._getframe(2)
    for _ in range(10):
        if frame is None:
            return None
        if frame.f_code is _WORK_ITEM_RUN:
            return getattr(frame.f_locals.get("self"), "future", None)
        frame = frame.f_back
    return None


class _Bell:
    """Wakes one parked client thread. A ring that comes before the wait is kept, so the
    thread can check its condition under the world lock and wait outside it."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lock.acquire()

    def ring(self) -> None:
        try:
            self._lock.release()
        except RuntimeError:
            pass  # already rung, not yet heard

    def wait(self, timeout: float) -> None:
        self._lock.acquire(timeout=timeout)


class TrackedJob:
    """A ``gradio_client.Job`` submitted while the fake is active."""

    def __init__(self, job: Any, client: Any, index: int, api: str) -> None:
        self.job = job
        self.client = client
        self.index = index
        self.api = api
        self.future = getattr(job, "future", job)
        self.communicator = getattr(job, "communicator", None)
        self.event_id: str | None = None
        self.app: AppServer | None = None
        self.session: str | None = None
        self.registered = False

    @property
    def name(self) -> str:
        return f"job #{self.index} ({self.api})"

    @property
    def done(self) -> bool:
        return bool(self.future.done())


class ClientSync:
    """The driver-side barrier and the client-side wake-ups of one world."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.driver: threading.Thread | None = None
        self.clients: list[Any] = []
        self.jobs: list[TrackedJob] = []
        self._active: dict[int, TrackedJob] = {}  # jobs not done yet, in submit order
        # Active jobs the barrier must look at: every job until it is seen quiet
        # (joined, registered, nothing left to take), and again whenever something the
        # fake can see may change that (a message filed, a cancel, its reader ending).
        # Jobs with messages to take are found through _unsettled.
        self._watch: dict[int, TrackedJob] = {}
        self._by_job: dict[int, TrackedJob] = {}  # id(Job) -> tracked (jobs are kept alive)
        # Events whose messages the client's reader has filed but whose poller has not yet
        # drained them (kept incrementally: the barrier checks it on every wake-up).
        self._unsettled: set[str] = set()
        self.by_event: dict[str, TrackedJob] = {}
        self._pollers: dict[str, _Bell] = {}  # by event id
        self._cancellers: dict[int, _Bell] = {}  # by id() of the job's communicator
        # The client's cancel watchers (``check_for_cancel``) running now, and those of
        # them whose job has ended: a watcher polls until it sees its job's end, and
        # one that has not yet would post /reset for a cancel() made after the job
        # ended, which it does not once it has (by id() of the communicator).
        self._cancellers_live: set[int] = set()
        self._cancellers_ending: dict[int, str] = {}
        self._saved: list[tuple[Any, str, Any]] = []
        self._codes: dict[Any, str] = {}
        self._reader_tags: set[int] = set()
        # Readers (by id of their future) that returned but whose callbacks have not run.
        self._readers_ending: dict[int, Any] = {}
        # joins that arrived before the submitting thread got to track its job
        self._unclaimed: list[tuple[Any, str, AppServer, str]] = []
        self._registered: set[str] = set()

    # -- installation --------------------------------------------------------------
    def install(self) -> None:
        from gradio_client import client as gc_client
        from gradio_client import utils as gc_utils

        self.driver = threading.current_thread()
        self._codes = {gc_utils.stream_sse_v1plus.__code__: "poller",
                       gc_utils.check_for_cancel.__code__: "canceller"}
        Client, Job = gc_client.Client, gc_client.Job
        self._wrap(Client, "__init__", self._wrap_init)
        self._wrap(Client, "submit", self._wrap_submit)
        if "__del__" in vars(Client):
            self._wrap(Client, "__del__", self._wrap_del)
        if "stream_messages" in vars(Client):
            self._wrap(Client, "stream_messages", self._wrap_stream_messages)
        for name in ("status", "outputs", "done"):
            self._wrap(Job, name, self._wrap_observation)
        self._wrap(Job, "result", self._wrap_result)
        self._wrap(Job, "__next__", self._wrap_next)
        self._wrap(Job, "cancel", self._wrap_cancel)
        self._patch(gc_utils, "check_for_cancel", self._wrap_check_for_cancel)
        if "__aiter__" in vars(Job):
            self._wrap(Job, "__aiter__", self._wrap_aiter)

    def uninstall(self) -> None:
        for cls, name, original in reversed(self._saved):
            if original is None:
                delattr(cls, name)
            else:
                setattr(cls, name, original)
        self._saved.clear()

    def _wrap(self, cls: type, name: str, factory: Callable[[Any], Any]) -> None:
        own = name in vars(cls)
        original = vars(cls)[name] if own else getattr(cls, name)
        wrapper = factory(original)
        wrapper.__name__ = name
        wrapper.__qualname__ = f"{cls.__qualname__}.{name}"
        wrapper.__doc__ = original.__doc__
        wrapper.__wrapped__ = original
        self._saved.append((cls, name, original if own else None))
        setattr(cls, name, wrapper)

    def _patch(self, module: Any, name: str, factory: Callable[[Any], Any]) -> None:
        """Replace a module's function (found by global name lookup by its callers)."""
        original = getattr(module, name)
        wrapper = functools.wraps(original)(factory(original))
        self._saved.append((module, name, original))
        setattr(module, name, wrapper)

    def _in_driver(self) -> bool:
        return threading.current_thread() is self.driver and self.world.active

    # -- tracking ------------------------------------------------------------------
    def track_client(self, client: Any) -> None:
        with self.world.lock:
            if not any(c is client for c in self.clients):
                self.clients.append(client)

    def client_for_session(self, session: str) -> Any:
        for client in self.clients:
            if getattr(client, "session_hash", None) == session:
                return client
        return None

    def track_job(self, job: Any, client: Any, api: str) -> TrackedJob:
        with self.world.lock:
            self.track_client(client)
            tracked = TrackedJob(job, client, len(self.jobs) + 1, api)
            self.jobs.append(tracked)
            self._active[tracked.index] = tracked
            self._watch[tracked.index] = tracked
            self._by_job[id(job)] = tracked
            for entry in self._unclaimed:
                if entry[0] is client:
                    self._unclaimed.remove(entry)
                    self._attribute(tracked, *entry[1:])
                    break
            tracked.future.add_done_callback(lambda _f: self._job_finished(tracked))
            return tracked

    def lookup(self, job: Any) -> TrackedJob | None:
        return self._by_job.get(id(job))

    def on_join(self, app: AppServer, session: str, event_id: str) -> None:
        """Attribute an accepted join to the oldest job of that session still waiting for one."""
        client = self.client_for_session(session)
        if client is None:
            return
        for tracked in self.jobs:
            if tracked.client is client and tracked.event_id is None and not tracked.done:
                self._attribute(tracked, event_id, app, session)
                return
        self._unclaimed.append((client, event_id, app, session))

    def _attribute(self, tracked: TrackedJob, event_id: str, app: AppServer,
                   session: str) -> None:
        tracked.event_id, tracked.app, tracked.session = event_id, app, session
        self.by_event[event_id] = tracked
        if tracked.index in self._active:
            self._watch[tracked.index] = tracked

    def _job_finished(self, tracked: TrackedJob) -> None:
        with self.world.lock:
            if id(tracked.communicator) in self._cancellers_live:
                self._cancellers_ending[id(tracked.communicator)] = tracked.name
            self._active.pop(tracked.index, None)
            self._watch.pop(tracked.index, None)
            if tracked.event_id is not None:
                self._unsettled.discard(tracked.event_id)
            self._wake_job(tracked, forget=True)
            self.world.changed()

    def _wake_job(self, tracked: TrackedJob, forget: bool = False) -> None:
        take: Callable[..., _Bell | None] = dict.pop if forget else dict.get
        bells = []
        if tracked.event_id:
            bells.append(take(self._pollers, tracked.event_id, None))
        if tracked.communicator is not None:
            bells.append(take(self._cancellers, id(tracked.communicator), None))
        for bell in bells:
            if bell is not None:
                bell.ring()

    # -- what the client has taken in -------------------------------------------------
    def is_registered(self, tracked: TrackedJob) -> bool:
        if not tracked.registered and tracked.event_id is not None:
            tracked.registered = self.event_registered(tracked.client, tracked.event_id)
        return tracked.registered

    def event_registered(self, client: Any, event_id: str) -> bool:
        """The client has registered ``event_id`` (so its reader will file messages for it).

        Sticky: once seen, an event stays registered after the client forgets it.
        """
        if event_id in self._registered:
            return True
        if event_id in getattr(client, "pending_messages_per_event", {}):
            self._registered.add(event_id)
            return True
        return False

    def has_unsettled(self) -> bool:
        return bool(self._unsettled)

    def wake_pollers(self, session: str, events: list[str]) -> None:
        """The reader filed messages for ``events``: their pollers have work to take.

        Marked by session, not by job: the join may have been answered (and its first
        messages read) before the submitting thread got to track the job.
        """
        known = self.client_for_session(session) is not None
        for event_id in dict.fromkeys(events):
            tracked = self.by_event.get(event_id)
            if (tracked is None and known) or (tracked is not None
                                               and tracked.index in self._active):
                self._unsettled.add(event_id)
            bell = self._pollers.get(event_id)
            if bell is not None:
                bell.ring()

    def wake_all(self) -> None:
        for bell in list(self._pollers.values()) + list(self._cancellers.values()):
            bell.ring()

    def watch_reader(self, client: Any) -> None:
        """Learn when the client's stream reader has fully ended (its callbacks included).

        Our done-callback must run after the client's own (which appends ``None`` to
        the pending jobs' lists, or marks the stream closed): only then can the
        barrier see the jobs' final state and a new submit safely open a new reader.
        Readers started while the fake is active are watched from their own thread
        (``_wrap_stream_messages``); this is the fallback, when a stream opens, for a
        client without ``stream_messages``.
        """
        future = getattr(client, "streaming_future", None)
        if future is None or id(future) in self._reader_tags or future.done():
            return
        self._reader_tags.add(id(future))
        self._add_reader_callback(client, future)

    def _add_reader_callback(self, client: Any, future: Any) -> None:
        def finished(_f: Any) -> None:
            with self.world.lock:
                self._readers_ending.pop(id(future), None)
                # The client appended None (or "server stopped") to every pending list.
                for tracked in self._active.values():
                    if tracked.client is client and tracked.event_id is not None:
                        self._unsettled.add(tracked.event_id)
                self.wake_all()
                self.world.changed()

        future.add_done_callback(finished)

    def _reader_started(self, future: Any) -> None:
        """In the reader's thread, before it sends its ``GET queue/data``."""
        with self.world.lock:
            self._reader_tags.add(id(future))  # the fallback path must not add a callback

    def _reader_ending(self, client: Any, future: Any) -> None:
        """In the reader's thread, as it returns (its future completes right after).

        The thread that submitted the reader attaches the client's done-callback just
        after ``submit()`` returns; a reader that ends at once (an error answer to its
        GET) can get here first. Wait for it (bounded; no lock held) so ours runs after.
        """
        deadline = REAL.monotonic() + _CALLBACK_WAIT
        while not getattr(future, "_done_callbacks", (None,)):
            if REAL.monotonic() > deadline:
                warnings.warn(
                    f"gradio-fake: gradio_client's stream reader ended but the client did not "
                    f"attach its clean-up to it within {_CALLBACK_WAIT:g}s of real time (is "
                    f"the submitting thread blocked?); observations right after this may "
                    f"come before the client has marked its jobs' streams as ended.",
                    RuntimeWarning, stacklevel=2)
                break
            REAL.sleep(0.0002)
        with self.world.lock:
            self._readers_ending[id(future)] = client
            self._add_reader_callback(client, future)

    def blockers(self) -> list[str]:
        """Why the client has not settled yet (empty when it has taken in everything).

        Called on every wake-up of the barrier, so the common case (a registered job
        with nothing left to take) costs a few attribute and set lookups per job; a
        job's future is consulted only when it would otherwise block.
        """
        candidates = dict(self._watch)
        for event_id in self._unsettled:
            tracked = self.by_event.get(event_id)
            if tracked is not None and tracked.index in self._active:
                candidates[tracked.index] = tracked
        reasons = [f"the client's stream reader (session {getattr(c, 'session_hash', '?')[:8]}) "
                   f"has returned; its clean-up has not run yet"
                   for c in self._readers_ending.values()]
        reasons += [f"{name}: the client's cancel watcher has not seen the job end yet"
                    for name in self._cancellers_ending.values()]
        for index in sorted(candidates):
            tracked = candidates[index]
            reason = self._blocker(tracked)
            if reason and not tracked.done:
                reasons.append(f"{tracked.name}: {reason}")
            else:
                self._watch.pop(index, None)  # quiet (or done) until something changes
        return reasons

    def watch(self, tracked: TrackedJob) -> None:
        """Something about ``tracked`` may have changed: the barrier looks at it again."""
        if tracked.index in self._active:
            self._watch[tracked.index] = tracked

    def _blocker(self, tracked: TrackedJob) -> str:
        event_id = tracked.event_id
        if event_id is None:
            return "the client has not sent its join yet"
        if getattr(tracked.communicator, "should_cancel", False):
            return "the client is cancelling it (/reset, then CancelledError)"
        if not self.is_registered(tracked):
            return f"the client has not registered event {event_id[:8]} yet"
        pending = getattr(tracked.client, "pending_messages_per_event", {})
        if event_id in self._unsettled:
            messages = pending.get(event_id)
            left = len(messages) if messages is not None else 0
            return f"{left} message(s) not yet taken by the client's poller thread"
        if event_id not in pending:
            return "the client is finishing the job"
        return ""

    # -- sleeping ------------------------------------------------------------------
    def sleep(self, seconds: float) -> None:
        """``time.sleep`` while the fake is active."""
        world = self.world
        if not world.active:
            if world.exiting:
                self._sleep_while_exiting(sys._getframe(1), seconds)
            else:
                REAL.sleep(seconds)
            return
        caller = sys._getframe(1)
        role = self._codes.get(caller.f_code)  # a client thread's poll (the frequent case)
        if role == "poller":
            frame_locals = caller.f_locals
            self._park_poller(frame_locals.get("event_id"), frame_locals.get("pending_messages"),
                              frame_locals.get("helper"), seconds)
        elif role == "canceller":
            self._park_canceller(caller.f_locals.get("helper"), seconds)
        elif threading.current_thread() is self.driver:
            world.advance(max(float(seconds), 0.0))
        else:
            REAL.sleep(seconds)

    def _sleep_while_exiting(self, caller: Any, seconds: float) -> None:
        """A client thread's poll while the fake shuts down: wake when the reader has ended.

        A job left running ends once the client's reader callback hands its poller
        ``None`` (our own callback rings the bells right after): a plain sleep would add
        up to the client's poll interval to every exit that leaves a job behind.
        """
        role = self._codes.get(caller.f_code)
        if role == "poller" and isinstance(caller.f_locals.get("event_id"), str):
            with self.world.lock:
                bell = self._pollers.setdefault(caller.f_locals["event_id"], _Bell())
        elif role == "canceller" and caller.f_locals.get("helper") is not None:
            with self.world.lock:
                bell = self._cancellers.setdefault(id(caller.f_locals["helper"]), _Bell())
        else:
            REAL.sleep(seconds)
            return
        bell.wait(seconds)

    def _park_poller(self, event_id: Any, messages: Any, helper: Any, seconds: float) -> None:
        world = self.world
        if messages is None or not isinstance(event_id, str):
            REAL.sleep(seconds)
            return
        with world.lock:
            bell = self._pollers.get(event_id)
            if bell is None:
                bell = self._pollers[event_id] = _Bell()
                # The poller's first sleep comes right after the client registered the
                # event, which nothing else tells the barrier about.
                world.changed()
            if not messages and event_id in self._unsettled:
                self._unsettled.discard(event_id)
                if not self._unsettled:
                    world.changed()
            park = not messages and not getattr(helper, "thread_complete", False) \
                and world.active
        if park:
            bell.wait(_PARK_SLICE)

    def _park_canceller(self, helper: Any, seconds: float) -> None:
        world = self.world
        if helper is None:
            REAL.sleep(min(seconds, _PARK_SLICE))
            return
        with world.lock:
            bell = self._cancellers.get(id(helper))
            if bell is None:
                bell = self._cancellers[id(helper)] = _Bell()
            park = world.active and not helper.should_cancel and not helper.thread_complete
        if park:
            bell.wait(_PARK_SLICE)

    # -- wrappers ------------------------------------------------------------------
    def _wrap_init(self, original: Any) -> Any:
        sync = self

        def __init__(client: Any, *args: Any, **kwargs: Any) -> None:
            # Known before its threads start (its heartbeat stream asks for it by session).
            if sync.world.active:
                sync.track_client(client)
            try:
                original(client, *args, **kwargs)
            except BaseException:
                with sync.world.lock:
                    sync.clients = [c for c in sync.clients if c is not client]
                raise

        return __init__

    def _wrap_submit(self, original: Any) -> Any:
        sync = self

        def submit(client: Any, *args: Any, **kwargs: Any) -> Any:
            job = original(client, *args, **kwargs)
            if sync.world.active:
                api = kwargs.get("api_name") or (f"fn_index={kwargs['fn_index']}"
                                                 if "fn_index" in kwargs else "default")
                sync.track_job(job, client, str(api))
                if sync._in_driver():
                    sync.world.settle()
            return job

        return submit

    def _wrap_del(self, original: Any) -> Any:
        sync = self

        def __del__(client: Any) -> None:
            # gradio_client before 2.x shuts its pool down with wait=True when a Client is
            # garbage collected. Collection can happen in the test's own thread (or with
            # the world lock held), and the pool's jobs can only end when that thread
            # moves virtual time: it would wait forever. Not waiting there is what 2.x does.
            world = sync.world
            if world.active and (threading.current_thread() is sync.driver
                                 or world.lock._is_owned()):  # type: ignore[attr-defined]
                executor = getattr(client, "executor", None)
                if executor is not None:
                    executor.shutdown(wait=False)
                return
            original(client)

        return __del__

    def _wrap_stream_messages(self, original: Any) -> Any:
        sync = self

        def stream_messages(client: Any, *args: Any, **kwargs: Any) -> Any:
            future = _own_future() if sync.world.active else None
            if future is not None:
                sync._reader_started(future)
            try:
                return original(client, *args, **kwargs)
            finally:
                if future is not None:
                    sync._reader_ending(client, future)

        return stream_messages

    def _wrap_observation(self, original: Any) -> Any:
        sync = self

        def observe(job: Any, *args: Any, **kwargs: Any) -> Any:
            if sync._in_driver() and sync.lookup(job) is not None:
                sync.world.settle()
            return original(job, *args, **kwargs)

        return observe

    def _wrap_result(self, original: Any) -> Any:
        sync = self

        def result(job: Any, timeout: float | None = None) -> Any:
            tracked = sync.lookup(job) if sync._in_driver() else None
            if tracked is None:
                return original(job, timeout)
            if timeout is not None and timeout < 0:
                timeout = 0
            sync.world.wait_for(lambda: tracked.done, timeout, tracked, "result()")
            return original(job, timeout=0)

        return result

    def _wrap_next(self, original: Any) -> Any:
        sync = self

        def __next__(job: Any) -> Any:
            tracked = sync.lookup(job) if sync._in_driver() else None
            comm = getattr(job, "communicator", None)
            if tracked is None or comm is None:
                return original(job)

            def ready() -> bool:
                outputs = comm.job.outputs
                if len(outputs) > job._counter:
                    return True
                code = getattr(comm.job.latest_status.code, "name", "")
                return bool(code == "FINISHED" and job._counter >= len(outputs))

            sync.world.wait_for(ready, None, tracked, "iteration")
            return original(job)

        return __next__

    def _wrap_check_for_cancel(self, original: Any) -> Any:
        sync = self

        def check_for_cancel(helper: Any, *args: Any, **kwargs: Any) -> Any:
            with sync.world.lock:
                sync._cancellers_live.add(id(helper))
            try:
                return original(helper, *args, **kwargs)
            finally:
                with sync.world.lock:
                    sync._cancellers_live.discard(id(helper))
                    if sync._cancellers_ending.pop(id(helper), None) is not None:
                        sync.world.changed()

        return check_for_cancel

    def _wrap_cancel(self, original: Any) -> Any:
        sync = self

        def cancel(job: Any) -> Any:
            outcome = original(job)
            watched = sync.lookup(job)
            if watched is not None:
                with sync.world.lock:
                    sync.watch(watched)
            tracked = watched if sync._in_driver() else None
            if tracked is not None:
                with sync.world.lock:
                    sync._wake_job(tracked)
                sync.world.settle()
            return outcome

        return cancel

    def _wrap_aiter(self, original: Any) -> Any:
        sync = self

        async def __aiter__(job: Any) -> AsyncIterator[Any]:
            tracked = sync.lookup(job) if sync._in_driver() else None
            comm = getattr(job, "communicator", None)
            if tracked is None or comm is None:
                async for update in original(job):
                    yield update
                return
            while True:
                sync.world.settle()
                while True:
                    try:
                        update = comm.updates.get_nowait()
                    except asyncio.QueueEmpty:
                        break
                    yield update
                if tracked.done:
                    return
                sync.world.step(tracked, "async iteration")

        return __aiter__
