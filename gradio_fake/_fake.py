"""``FakeGradio``: the world a test talks to."""

from __future__ import annotations

import datetime
import threading
import warnings
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._clock import VirtualClock, parse_start
from ._errors import GradioFakeError, StrictModeError
from ._faults import Fault, make_fault
from ._journal import Journal, MessageRecord, RequestRecord
from ._realtime import REAL
from ._space import Space
from ._timeproj import projection
from ._transport import Interceptor
from ._versions import DEFAULT_VERSION
from ._world import World

if TYPE_CHECKING:
    from ._serve import Server

__all__ = ["FakeGradio"]


class FakeGradio:
    """A fake Gradio (and Hugging Face Hub) world on a virtual clock.

    Use it as a context manager. Entering turns on in-process interception of
    HTTP (httpx, httpx2, requests) and, with ``freeze_time`` (the default),
    virtual time in ``time.time()``, ``time.monotonic()`` and ``datetime.now()``.
    Leaving closes every client made while it was active, joins their threads,
    and restores everything, leaving no thread, socket, patch or file behind.

    ``seed`` fixes every random choice (event ids, background load), so two runs
    with the same seed see the same ids and timeline. ``start`` is the instant
    virtual time 0 stands for. ``watchdog`` bounds, in real seconds, every wait
    for the real client to take in what the fake sent; when it trips, the
    error says what the client did not take and why.

    ``strict``: leaving the fake raises :class:`~gradio_fake.StrictModeError` (an
    ``AssertionError``) listing :meth:`strict_problems` when there are any: an
    endpoint declared with ``script=`` that was never called, a timeline queued by
    ``Space.script_next_call`` that no call took, a request no fake
    served, a request the fake failed on. When the ``with`` body already raised, the
    list is added to that exception as a note instead. ``fake.strict`` may be
    changed until then.

    Example::

        with FakeGradio() as fake:
            space = fake.space("acme/echo", gradio="4.44.1")
            space.endpoint("/predict", inputs=["textbox"], outputs=["textbox"],
                           fn=lambda s: s[::-1], duration=30)
            job = fake.client("acme/echo").submit("abc", api_name="/predict")
            assert job.result() == "cba"          # returns at once; 30 virtual seconds pass
            assert fake.clock.now == 30
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        start: str | datetime.datetime = "2026-01-01T00:00:00Z",
        freeze_time: bool = True,
        allow_network: bool = False,
        watchdog: float = 10.0,
        strict: bool = False,
    ) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, not {seed!r}")
        if not isinstance(strict, bool):
            raise TypeError(f"strict must be True or False, not {strict!r}")
        #: Fail on leaving when :meth:`strict_problems` lists any (see the class docstring).
        self.strict = strict
        if not isinstance(watchdog, (int, float)) or watchdog <= 0:
            raise ValueError(f"watchdog must be a positive number of real seconds, "
                             f"not {watchdog!r}")
        self._world = World(seed=seed, start=parse_start(start), watchdog=float(watchdog))
        self._freeze_time = bool(freeze_time)
        self._interceptor = Interceptor(self._world.handle, allow_network=allow_network)
        self._threads_before: set[threading.Thread] = set()
        self._entered = False
        self._saved_constants: list[tuple[Any, str, Any]] = []
        self._servers: list[Server] = []

    # -- the world -----------------------------------------------------------------
    @property
    def clock(self) -> VirtualClock:
        """The virtual clock (``.now``, ``.advance(s)``, ``.run_until(t)``)."""
        return self._world.clock

    @property
    def active(self) -> bool:
        return self._world.active

    def space(self, space_id_or_url: str, *, gradio: str = DEFAULT_VERSION,
              **queue_settings: Any) -> Space:
        """Declare a fake Space, reached by Space id (``"owner/name"``) or URL.

        ``gradio`` picks the emulated server version ("4.32.2", "4.44.1", "5.50.0",
        "6.31.0"): config shape, api prefix, messages and cancel semantics.
        Queue settings: ``max_size`` (joins past it get HTTP 503, a ``QueueError``),
        ``max_file_size``, ``show_error``, ``quirks`` (False for an idealised server
        without the emulated version's known bugs), ``stage`` (the Hub runtime stage),
        ``private``.
        """
        space = Space(space_id_or_url, gradio=gradio, **queue_settings)
        self._world.add_space(space)
        return space

    def client(self, space_id_or_url: str | Space, **client_kwargs: Any) -> Any:
        """A real ``gradio_client.Client`` bound to this fake (``verbose`` defaults to False)."""
        self._require_active("client()")
        from gradio_client import Client

        if isinstance(space_id_or_url, Space):
            src = space_id_or_url.space_id or space_id_or_url.root
        else:
            src = space_id_or_url
        client_kwargs.setdefault("verbose", False)
        return Client(src, **client_kwargs)

    def fault(self, kind: str, *, at: float | None = None, after: Any = None, job: Any = None,
              space: str | None = None, **params: Any) -> Fault:
        """Plan a fault at virtual time ``at`` (default: from now on), on one Space or all.

        ``after=("progress", 3)`` places it instead right after a job's 3rd progress
        message reached the client (any message kind; a bare kind means the 1st);
        ``job=`` (a ``Job`` or event id) ties it to one job. Kinds (``FAULT_KINDS``):
        stream_dropped, server_stopped, heartbeat_stall, http_error, malformed_message,
        unknown_message, slow_join, duplicate_completion, missing_completion,
        heartbeat_404, and any a plugin adds. Their parameters, and what each real
        client version then does, are in docs/faults.md.
        """
        planned = make_fault(kind, at=at, after=after, job=job, space=space, **params)
        self._world.add_fault(planned)
        return planned

    @property
    def seed(self) -> int:
        """The seed of every random choice in this world (event ids, background load)."""
        return self._world.seed

    def next_event_time(self) -> float | None:
        """The virtual time of the next scheduled event, without moving to it (None: idle)."""
        with self._world.lock:
            return self._world.scheduler.next_time()

    def step(self) -> float | None:
        """Advance virtual time to the next scheduled instant; its time, or None if idle."""
        self._require_active("step()")
        return self._world.step_once()

    def load(self, path_or_name: str, **overrides: Any) -> Space:
        """Declare the Space of a scenario file, or of a bundled scenario by bare name."""
        from ._scenario import load_scenario

        space: Space = load_scenario(path_or_name, **overrides).apply(self)
        return space

    def serve(self, host: str = "127.0.0.1", port: int = 0, *, rate: float = 1.0,
              allow_non_loopback: bool = False) -> Server:
        """Serve this world on a real HTTP server, for clients in other processes.

        Its virtual clock then runs against real time, ``rate`` virtual seconds per real
        second (remote clients cannot be stepped). Returns the running server (``.url``,
        ``.close()``); it stops when the fake's context ends. Only loopback addresses
        unless ``allow_non_loopback``.
        """
        self._require_active("serve()")
        from ._serve import Server, is_loopback

        if not is_loopback(host) and not allow_non_loopback:
            raise ValueError(f"refusing to serve on {host!r}, not a loopback address; pass "
                             f"allow_non_loopback=True to do it anyway")
        if not isinstance(rate, (int, float)) or rate <= 0:
            raise ValueError(f"rate must be > 0 virtual seconds per real second, not {rate!r}")
        if not self._world.spaces:
            raise GradioFakeError("serve() needs at least one Space: declare it first")
        server = Server(self, host, port, rate=float(rate))
        self._servers.append(server)
        return server

    def run_until_idle(self) -> None:
        """Advance virtual time until nothing more is scheduled."""
        self._require_active("run_until_idle()")
        self._world.run_until_idle()

    # -- the journal ---------------------------------------------------------------
    @property
    def journal(self) -> Journal:
        """The journal, with its query API: ``fake.journal.requests(route="join")``,
        ``.messages(msg="progress", job=job)``, ``.sent(job)``, ``.was_cancelled(job)``,
        ``.joins()``, ``.timeline()`` (docs/journal.md)."""
        return self._world.journal

    @property
    def requests(self) -> list[RequestRecord]:
        """Every HTTP request the fake answered, in order, with its virtual time."""
        return list(self._world.journal.requests)

    @property
    def messages(self) -> list[MessageRecord]:
        """Every SSE message the fake produced, in order, with its virtual time."""
        return list(self._world.journal.messages)

    def timeline(self) -> str:
        """A readable rendering of what happened, by virtual time."""
        return self._world.journal.render()

    def strict_problems(self) -> list[str]:
        """What strict mode fails for, so far: one sentence per problem (empty: none).

        Every endpoint declared with ``script=`` must have been called (joined) at
        least once, and every timeline queued by ``Space.script_next_call`` taken by a
        call; no request may have gone unserved or failed inside the fake
        (``Journal.strict_problems``, docs/journal.md).
        """
        scripted = [(space, f"/{ep.api_name}") for space in self._world.spaces
                    for ep in space.endpoints if ep.script and ep.api_name]
        unused = [f"{len(ep.call_scripts)} timeline(s) queued by script_next_call for "
                  f"{space.name} {ep.route} were never taken by a call"
                  for space in self._world.spaces for ep in space.endpoints
                  if len(ep.call_scripts)]
        return unused + self._world.journal.strict_problems(scripted)

    # -- context -------------------------------------------------------------------
    def __enter__(self) -> FakeGradio:
        if self._entered:
            raise GradioFakeError("this FakeGradio was already entered; make a new one")
        self._entered = True
        self._threads_before = set(threading.enumerate())
        world = self._world
        world.active = True
        now = (lambda: world.clock.datetime) if self._freeze_time else None
        try:
            projection.activate(now, world.sync.sleep)
        except BaseException:
            world.active = False
            raise
        try:
            self._quiet_hub_telemetry()
            world.sync.install()
            self._interceptor.install()
        except BaseException:
            self._restore()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        problems = self._world.shutdown()
        for server in self._servers:  # after the streams ended, so its handlers can finish
            server.close()
        self._servers.clear()
        self._restore()
        leaked = self._join_new_threads()
        if problems or leaked:
            message = "gradio-fake could not stop everything it started: " + "; ".join(
                problems + [f"thread {t.name!r} still running" for t in leaked])
            warnings.warn(message, ResourceWarning, stacklevel=2)
        if self.strict:
            self._check_strict(exc)

    def _check_strict(self, exc: BaseException | None) -> None:
        found = self.strict_problems()
        if not found:
            return
        listing = "\n".join(f"  - {problem}" for problem in found)
        message = (f"gradio-fake strict mode: {len(found)} problem(s):\n{listing}\n"
                   f"{self._world.journal.tail()}")
        if exc is None:
            raise StrictModeError(message)
        if hasattr(exc, "add_note"):  # Python 3.11+
            exc.add_note(message)

    def _restore(self) -> None:
        self._interceptor.uninstall()
        self._world.sync.uninstall()
        for target, name, value in reversed(self._saved_constants):
            setattr(target, name, value)
        self._saved_constants.clear()
        projection.deactivate()
        self._world.active = False

    def _quiet_hub_telemetry(self) -> None:
        """huggingface_hub sends telemetry from a thread of its own; keep it in-process."""
        try:
            from huggingface_hub import constants
        except ImportError:
            return
        self._saved_constants.append(
            (constants, "HF_HUB_DISABLE_TELEMETRY", constants.HF_HUB_DISABLE_TELEMETRY))
        constants.HF_HUB_DISABLE_TELEMETRY = True

    def _join_new_threads(self, timeout: float = 5.0) -> list[threading.Thread]:
        deadline = REAL.monotonic() + timeout
        leaked = []
        for thread in threading.enumerate():
            if thread in self._threads_before or thread is threading.current_thread():
                continue
            thread.join(max(deadline - REAL.monotonic(), 0.0))
            if thread.is_alive():
                leaked.append(thread)
        return leaked

    def _require_active(self, what: str) -> None:
        if not self._world.active:
            raise GradioFakeError(f"{what} needs an active fake: use `with FakeGradio() as fake:`")

    def __repr__(self) -> str:
        state = "active" if self._world.active else "inactive"
        return (f"<FakeGradio {state} t={self.clock.now:g}s "
                f"spaces={[s.name for s in self._world.spaces]}>")
