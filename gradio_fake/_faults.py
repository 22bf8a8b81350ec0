"""The fault catalogue: what can go wrong on the server, when, and how the world does it.

A *fault kind* (:class:`FaultKind`) declares its parameters and how it acts, through
three seams of the world and nothing else:

- ``strike(ctx)``: once, when the fault arms (at virtual time ``at=``, or right after
  a job's step ``after=("progress", 3)`` reached the client);
- ``request(ctx, request)``: while armed, every HTTP request to the Space; a reply
  answers it instead of the Space (``None``: the Space answers as usual);
- ``message(ctx, message)``: while armed, every SSE message the Space produces; it
  may withhold or repeat it.

``stalls_heartbeat`` silences the heartbeat streams while armed. What a fault may do
inside those callbacks is the :class:`FaultContext` API. Every built-in kind is
written against exactly this surface and registered through the ``gradio_fake_faults``
hook like any plugin (``gradio_fake._hooks``), so the hooks are enough to write new
ones. :data:`FAULT_KINDS` is the live catalogue (built-ins and plugins), the single
source of truth for scenario files, ``strategies`` and docs.

:class:`FaultPlan` is the world's side: it arms, strikes and filters, with the world
lock held, and journals what each fault did. What the real clients then do, per
version, is in docs/faults.md.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ._http import HttpReply, HttpRequest, json_reply
from ._realtime import REAL
from ._scheduler import Priority
from ._simulator import SimMessage
from ._sse import Outgoing, SessionChannel, SseConnection, StreamAborted

if TYPE_CHECKING:
    from ._app import AppServer
    from ._versions import GradioVersion
    from ._world import World

__all__ = [
    "BUILTIN_FAULTS",
    "CLIENT_MESSAGES",
    "FAULT_HEADER",
    "FAULT_KINDS",
    "HEARTBEAT_LOOP_CAP",
    "ROUTES",
    "STEP_KINDS",
    "Fault",
    "FaultContext",
    "FaultKind",
    "FaultMessage",
    "FaultParam",
    "FaultPlan",
    "FaultRequest",
    "make_fault",
    "route_of",
    "step_kinds",
]

#: Route names a request fault can aim at (``FaultRequest.route``).
ROUTES = ("config", "info", "join", "data", "heartbeat", "cancel", "reset", "upload", "file")

#: Message kinds the simulator sends for a job, which ``after=(kind, n)`` can count.
#: Plugin message kinds (``gradio_fake_message_kinds``) count too: see :func:`step_kinds`.
STEP_KINDS = ("estimation", "process_starts", "progress", "log", "process_generating",
              "process_completed")

#: ``msg`` values every supported gradio_client knows (``Status.msg_to_status`` plus
#: the two its stream reader handles itself). Any other ``msg`` tied to a job fails
#: that job with ``KeyError`` (PROTOCOL.md §6 trap 16).
CLIENT_MESSAGES = frozenset({
    "send_hash", "queue_full", "estimation", "send_data", "process_starts",
    "process_generating", "process_completed", "progress", "log",
    "Server stopped unexpectedly.", "heartbeat", "close_stream",
})

#: Header on every reply a fault made, so the journal (and a curious user) can tell.
FAULT_HEADER = "x-gradio-fake-fault"

#: Clients 0.17-1.14 reopen a heartbeat that ended at once, with no pause (PROTOCOL.md
#: §1.5: 52-69 GETs in 2 s against a real server). In-process that loop would spin as
#: fast as the CPU allows, so after this many error answers to one session's heartbeat
#: the fake holds its next heartbeat GETs open silently (a stalled heartbeat): the
#: loop ends.
HEARTBEAT_LOOP_CAP = 25

# A served (loopback) client's read timeout is real: hold a slow answer this long.
_REMOTE_HOLD = 6.0
_RESERVED = frozenset({"kind", "at", "after", "job", "space"})
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def route_of(rel_path: str, prefix: str) -> str | None:
    """The route name of a request path relative to a Space root (None: not a Gradio route)."""
    if rel_path.rstrip("/") == "/config":
        return "config"
    if prefix and rel_path.startswith(prefix + "/"):
        rel_path = rel_path[len(prefix):]
    for name, start in (("info", "/info"), ("join", "/queue/join"), ("data", "/queue/data"),
                        ("heartbeat", "/heartbeat/"), ("cancel", "/cancel"),
                        ("reset", "/reset"), ("upload", "/upload"), ("file", "/file=")):
        if rel_path.startswith(start):
            return name
    return None


def _hint(value: object, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(str(value), list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


# ----------------------------------------------------------------------------- declarations

@dataclass(frozen=True)
class FaultParam:
    """One parameter of a fault kind: its type, default and the values it accepts.

    ``type`` is ``bool``, ``int``, ``float`` or ``str`` (an ``int`` is accepted for a
    ``float``). ``optional`` lets ``None`` through (it then means "no limit" or
    "unset", as the description says). ``choices``, ``minimum`` and ``maximum``
    restrict the value; the default must satisfy them. Scenario files, the
    Hypothesis strategies and the docs read these, so keep them truthful.
    """

    name: str
    type: type
    default: Any
    description: str
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    optional: bool = False

    def __post_init__(self) -> None:
        if self.type not in (bool, int, float, str):
            raise TypeError(f"fault parameter {self.name!r}: type must be bool, int, float "
                            f"or str, not {self.type!r}")
        object.__setattr__(self, "choices", tuple(self.choices))

    def check(self, kind: str, value: Any) -> Any:
        """``value`` validated (and an int made a float where a float is wanted)."""
        if value is None and self.optional:
            return None
        typ = self.type
        if typ is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, typ) or (typ is not bool and isinstance(value, bool)):
            allowed = f"{typ.__name__} or None" if self.optional else typ.__name__
            raise TypeError(f"fault {kind!r} parameter {self.name}= must be {allowed}, "
                            f"not {value!r}")
        number: Any = value
        if typ is float and not math.isfinite(number):
            raise ValueError(f"fault {kind!r} parameter {self.name}= must be finite, "
                             f"not {value!r}")
        if self.choices and value not in self.choices:
            raise ValueError(f"fault {kind!r} parameter {self.name}= must be one of "
                             f"{', '.join(map(str, self.choices))}, not {value!r}"
                             f"{_hint(value, [str(c) for c in self.choices])}")
        if self.minimum is not None and number < self.minimum:
            raise ValueError(f"fault {kind!r} parameter {self.name}= must be >= "
                             f"{self.minimum:g}, not {value!r}")
        if self.maximum is not None and number > self.maximum:
            raise ValueError(f"fault {kind!r} parameter {self.name}= must be <= "
                             f"{self.maximum:g}, not {value!r}")
        return value


@dataclass(frozen=True)
class FaultKind:
    """A kind of fault: its name, parameters, and how it acts (see the module docstring).

    At least one of ``strike``, ``request``, ``message`` or ``stalls_heartbeat`` must
    be given. ``check(params)`` validates parameters together (``ValueError``) after
    each was checked alone. A parameter named ``times`` (``int``, or ``None`` for no
    limit) bounds how often the fault acts: each non-``None`` reply of ``request``
    and each ``True`` of ``message`` counts once.

    - ``strike(ctx) -> None``
    - ``request(ctx, request: FaultRequest) -> HttpReply | None`` (build replies with
      :meth:`FaultContext.reply`, :meth:`~FaultContext.read_timeout`, ...)
    - ``message(ctx, message: FaultMessage) -> bool`` (True: it acted)
    """

    name: str
    description: str
    params: tuple[FaultParam, ...] = ()
    strike: Callable[[FaultContext], None] | None = None
    request: Callable[[FaultContext, FaultRequest], HttpReply | None] | None = None
    message: Callable[[FaultContext, FaultMessage], bool] | None = None
    stalls_heartbeat: bool = False
    check: Callable[[Mapping[str, Any]], None] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ValueError(f"a fault kind name must be lower_snake_case, not {self.name!r}")
        params = tuple(self.params)
        object.__setattr__(self, "params", params)
        names = [p.name for p in params]
        for p in params:
            if not isinstance(p, FaultParam):
                raise TypeError(f"fault {self.name!r}: params must be FaultParam, not {p!r}")
            if p.name in _RESERVED or not _NAME.match(p.name):
                raise ValueError(f"fault {self.name!r}: {p.name!r} cannot be a parameter "
                                 f"name (reserved: {', '.join(sorted(_RESERVED))})")
            if names.count(p.name) > 1:
                raise ValueError(f"fault {self.name!r}: parameter {p.name!r} declared twice")
            p.check(self.name, p.default)
        if not (self.strike or self.request or self.message or self.stalls_heartbeat):
            raise ValueError(f"fault {self.name!r} does nothing: give strike, request, "
                             f"message or stalls_heartbeat")

    @property
    def param_names(self) -> tuple[str, ...]:
        """The parameter names, in declaration order."""
        return tuple(p.name for p in self.params)

    def param(self, name: str) -> FaultParam:
        """The declaration of parameter ``name`` (``KeyError`` if it has none)."""
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict[str, Any]:
        """Every parameter at its default."""
        return {p.name: p.default for p in self.params}


@dataclass(frozen=True)
class FaultRequest:
    """An HTTP request to a Space, as a request fault sees it."""

    method: str
    url: str
    #: the path relative to the Space root, api prefix removed (``"/queue/join"``).
    path: str
    #: one of :data:`ROUTES`, or None for anything else (``/``, ``/login``...).
    route: str | None
    session: str | None
    json: Any
    headers: Mapping[str, str]


class FaultMessage:
    """An SSE message the Space just produced, as a message fault sees it."""

    def __init__(self, kind: str, event_id: str, session: str | None,
                 payload: Mapping[str, Any]) -> None:
        #: ``msg`` (``"process_completed"``, ``"progress"``...).
        self.kind = kind
        self.event_id = event_id
        self.session = session
        #: the exact JSON payload (read-only).
        self.payload: Mapping[str, Any] = MappingProxyType(payload)
        self.withheld = False
        self.repeats = 0

    def withhold(self) -> None:
        """The message is never sent (the journal keeps it, marked ``withheld``)."""
        self.withheld = True

    def repeat(self, times: int = 1) -> None:
        """Send the message ``times`` more times, right after itself."""
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"repeat(times=) must be an int >= 1, not {times!r}")
        self.repeats += times


class FaultContext:
    """What a fault sees and may do when it acts: handed to its ``strike``, ``request``
    and ``message`` callbacks, one per Space it acts on, with the world lock held.

    A fault tied to a job (``after=`` or ``job=``) has its event id in ``event_id``;
    stream-level actions then touch only that job's session.
    """

    def __init__(self, plan: FaultPlan, fault: Fault, app: AppServer) -> None:
        self._plan = plan
        self._app = app
        self.fault = fault

    # -- what it sees ---------------------------------------------------------------
    @property
    def params(self) -> Mapping[str, Any]:
        """The fault's parameters, defaults filled in."""
        return self.fault.params

    @property
    def now(self) -> float:
        """Virtual time, in seconds."""
        return self._plan.world.clock.now

    @property
    def space(self) -> str:
        """The name of the Space it acts on (Space id, or URL)."""
        return self._app.space.name

    @property
    def version(self) -> GradioVersion:
        """The emulated Gradio version of that Space."""
        return self._app.version

    @property
    def event_id(self) -> str | None:
        """The job it is tied to (``after=``/``job=``), or None."""
        return self.fault.target

    def pending_jobs(self) -> list[str]:
        """Event ids of the Space's user jobs that have not been sent their completion."""
        return [j.event_id for j in self._app.sim.jobs.values()
                if j.session is not None and j.pending and j.alive]

    def targets(self) -> list[str]:
        """The job it is tied to, else every pending job of the Space."""
        return [self.event_id] if self.event_id is not None else self.pending_jobs()

    def _channels(self) -> list[SessionChannel]:
        channels = self._app.channels
        if self.event_id is None:
            return list(channels.values())
        job = self._app.sim.jobs.get(self.event_id)
        channel = channels.get(job.session or "") if job is not None else None
        return [channel] if channel is not None else []

    def open_streams(self) -> list[str]:
        """Sessions with an open data stream (only the tied job's session, if tied)."""
        return [c.session for c in self._channels() if _open(c)]

    # -- what it may do -------------------------------------------------------------
    def end_streams(self, *, abrupt: bool = False) -> int:
        """End the open data streams: a clean EOF, or (``abrupt``) a connection reset.

        As for a real disconnect, the server then drops those sessions' queued jobs
        and sends nothing more for their running ones. Returns how many ended.
        """
        ended = 0
        for channel in self._channels():
            conn = channel.connection
            if conn is None or not _open(channel):
                continue
            abort = StreamAborted(f"peer closed connection without sending complete message "
                                  f"body (gradio-fake fault: {self.fault.kind})")
            conn.end(abort if abrupt else None)
            channel.outbox.clear()
            self._app.sim.disconnect(channel.session)
            ended += 1
        self.note(f"ended {ended} data stream(s){' abruptly' if abrupt else ''}")
        return ended

    def stop_server(self) -> None:
        """The app stops: "Server stopped unexpectedly." on every stream, later joins 503."""
        self._app.stop_server()
        self.note("the server stopped")

    def write_raw(self, data: bytes) -> int:
        """Write ``data`` as-is on the open data streams (after what they already got).

        A client whose reader then fails closes its stream; the server takes that as
        a disconnect of the session (as Gradio does). Returns how many streams.
        """
        written = 0
        for channel in self._channels():
            conn = channel.connection
            if conn is None or not _open(channel):
                continue
            conn.push(bytes(data), [])
            self._plan.taint(self._app, channel.session)
            written += 1
        self.note(f"wrote {bytes(data)[:60]!r} on {written} data stream(s)")
        return written

    def send(self, kind: str, fields: Mapping[str, Any] | None = None, *,
             event_id: str | None = None) -> None:
        """Send a message of ``kind`` for a job (default: the tied job), in order after
        what the job was already sent. Gradio's kinds take the simulator's fields;
        other kinds are shaped by their ``MessageKind`` (or sent bare)."""
        target = event_id or self.event_id
        job = self._app.sim.jobs.get(target or "")
        if job is None or job.session is None:
            raise ValueError(f"fault {self.fault.kind!r}: no user job {target!r} on "
                             f"{self.space} to send {kind!r} to")
        self._app._on_message(SimMessage(self.now, job.session, job.event_id, kind,
                                         dict(fields or {})))

    def explain(self, note: str, event_id: str | None = None) -> None:
        """Say why a job will never finish; shown when a wait on it would never end."""
        job = self._app.sim.jobs.get(event_id or self.event_id or "")
        if job is not None:
            job.note = note

    def reply(self, status: int, body: Any = None, *, content_type: str | None = None,
              headers: Mapping[str, str] | None = None) -> HttpReply:
        """A reply: JSON for a dict or list (``{"detail": ...}`` for None), else text."""
        extra = {FAULT_HEADER: self.fault.kind, **(headers or {})}
        if body is None:
            body = {"detail": f"gradio-fake fault {self.fault.kind}: HTTP {status}"}
        if isinstance(body, (dict, list)) and content_type is None:
            return json_reply(status, body, extra)
        data = body if isinstance(body, bytes) else str(body).encode()
        return HttpReply(status, {"content-type": content_type or "text/plain; charset=utf-8",
                                  "content-length": str(len(data)), **extra}, data)

    def read_timeout(self) -> HttpReply:
        """A reply that never comes in time: in-process the client's ``httpx.ReadTimeout``
        is raised at once (nothing waits, neither real nor virtual time); a served
        (loopback) client waits for real until its own timeout fires."""
        world = self._plan.world
        return HttpReply(200, {"content-type": "application/json",
                               FAULT_HEADER: self.fault.kind},
                         stream=_ReadTimeoutBody(self.fault.kind, lambda: world.exiting))

    def silent_heartbeat(self, session: str) -> HttpReply:
        """A heartbeat stream that stays open and says nothing (until the client closes)."""
        return HttpReply(200, {"content-type": "text/event-stream", "cache-control": "no-cache",
                               FAULT_HEADER: self.fault.kind},
                         stream=_SilentHeartbeat(self._plan.world, session))

    def note(self, text: str) -> None:
        """Record what the fault did in the journal (shown in ``fake.timeline()``)."""
        self._plan.world.journal.fault(self.fault.kind, self.space, self.event_id, text)


def _open(channel: SessionChannel) -> bool:
    conn = channel.connection
    return conn is not None and not conn.client_closed and not conn.ending


class _ReadTimeoutBody:
    """A body that never arrives before the client's read timeout."""

    def __init__(self, kind: str, exiting: Callable[[], bool]) -> None:
        self.kind = kind
        self.remote = False  # set by the loopback server: there, time is real
        self._exiting = exiting
        #: what the journal records instead of a status.
        self.journal_error = (f"httpx.ReadTimeout: the answer took longer than the client's "
                              f"timeout (gradio-fake fault {kind})")

    def __iter__(self) -> Iterator[bytes]:
        if self.remote:
            deadline = REAL.monotonic() + _REMOTE_HOLD
            while REAL.monotonic() < deadline and not self._exiting():
                REAL.sleep(0.05)
            raise StreamAborted(f"gradio-fake fault {self.kind}: no answer in time")
        import httpx

        raise httpx.ReadTimeout(f"The read operation timed out (gradio-fake fault {self.kind}: "
                                f"the answer took longer than the client's timeout)")
        yield b""  # pragma: no cover - makes this a generator

    def close(self) -> None:
        pass


class _SilentHeartbeat:
    """An open heartbeat that says nothing, except a last line once the client closes.

    Clients 0.17-1.14 check their kill flag only when a line arrives, so the last
    line lets ``Client.close()`` end the heartbeat thread at once.
    """

    def __init__(self, world: World, session: str) -> None:
        self._world = world
        self._session = session

    def __iter__(self) -> Iterator[bytes]:
        world = self._world
        while not world.exiting:
            client = world.sync.client_for_session(self._session)
            kill = getattr(client, "_kill_heartbeat", None)
            if kill is None:
                REAL.sleep(0.05)
            elif kill.wait(0.05):
                break
        yield b"data: ALIVE\n\n"

    def close(self) -> None:
        pass


# ----------------------------------------------------------------------------- a planned fault

@dataclass(eq=False)
class Fault:
    """One planned fault, as :meth:`FakeGradio.fault` returns it.

    ``at`` is the virtual time it arms (None: when planned); ``after=(msg, n)``
    arms it instead right after a job's n-th ``msg`` message reached the client;
    ``target`` is then (or with ``job=``) the event id of that job. ``used`` counts
    how often it acted.
    """

    kind: str
    at: float | None
    space: str | None
    params: Mapping[str, Any] = field(default_factory=dict)
    used: int = 0
    after: tuple[str, int] | None = None
    job: Any = field(default=None, repr=False)
    target: str | None = None
    armed_at: float | None = None
    definition: FaultKind | None = field(default=None, repr=False)

    @property
    def spent(self) -> bool:
        """It acted as many ``times`` as it may."""
        times = self.params.get("times")
        return isinstance(times, int) and self.used >= times

    def __repr__(self) -> str:
        where = f" on {self.space}" if self.space else ""
        when = f" at t={self.at:g}s" if self.at is not None else ""
        if self.after is not None:
            when = f" after {self.after[0]} #{self.after[1]}"
        job = f" of job {self.target[:8]}" if self.target else ""
        extra = "".join(f" {k}={v!r}" for k, v in self.params.items())
        return f"<Fault {self.kind}{when}{job}{where}{extra}>"


class _Catalogue(Mapping[str, FaultKind]):
    """Every fault kind known in this process: the built-ins and the plugins' (live)."""

    def _kinds(self) -> Mapping[str, FaultKind]:
        from ._hooks import fault_kinds

        return fault_kinds()

    def __getitem__(self, name: str) -> FaultKind:
        return self._kinds()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds())

    def __len__(self) -> int:
        return len(self._kinds())

    def __repr__(self) -> str:
        return f"FAULT_KINDS({', '.join(self)})"


#: name -> :class:`FaultKind`, for every fault kind known (built-ins, then plugins).
FAULT_KINDS: Mapping[str, FaultKind] = _Catalogue()


def step_kinds() -> tuple[str, ...]:
    """The message kinds ``after=(kind, n)`` may count: Gradio's, then plugins'."""
    from ._hooks import message_kinds

    return STEP_KINDS + tuple(k for k in message_kinds() if k not in STEP_KINDS)


def _after(value: Any) -> tuple[str, int]:
    if isinstance(value, str):
        kind, n = value, 1
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        kind, n = value
    else:
        raise TypeError(f"after= must be a message kind or (kind, n) such as "
                        f"('progress', 3), not {value!r}")
    known = step_kinds()
    if kind not in known:
        raise ValueError(f"after= counts messages of a job; {kind!r} is not one of "
                         f"{', '.join(known)}{_hint(kind, known)}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"after=({kind!r}, n): n must be a whole number >= 1 (the n-th "
                         f"{kind} message of the job), not {n!r}")
    return kind, n


def make_fault(kind: str, *, at: float | None = None, after: Any = None, job: Any = None,
               space: str | None = None, **params: Any) -> Fault:
    """Validate a fault description; ``ValueError``/``TypeError`` naming what is wrong.

    ``at``: the virtual time it arms (None: when planned). ``after``: instead, right
    after a job's n-th message of a kind, ``("progress", 3)`` (a bare kind means
    n=1). ``job``: a ``gradio_client.Job`` or event id to tie it to. ``space``: the
    Space (id or URL) it hits (None: every Space). ``params``: the kind's own.
    """
    kinds = FAULT_KINDS
    if not isinstance(kind, str) or kind not in kinds:
        names = list(kinds)
        raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(names)}"
                         f"{_hint(kind, names)}")
    definition = kinds[kind]
    if at is not None and after is not None:
        raise ValueError("a fault is placed at a virtual time (at=) or at a step of a job "
                         "(after=), not both")
    if at is not None:
        if isinstance(at, bool) or not isinstance(at, (int, float)) or not math.isfinite(at) \
                or at < 0:
            raise ValueError(f"fault at= must be a virtual time >= 0, not {at!r}")
        at = float(at)
    steps = _after(after) if after is not None else None
    if space is not None and not isinstance(space, str):
        raise TypeError(f"fault space= must be a Space id or URL, not {space!r}")
    if isinstance(job, str) and not job:
        raise ValueError("fault job= must be a gradio_client Job or an event id, not ''")
    unknown = set(params) - set(definition.param_names)
    if unknown:
        allowed = ", ".join(definition.param_names) or "none"
        raise TypeError(f"fault {kind!r} got unknown parameters {sorted(unknown)}; "
                        f"allowed: {allowed}")
    values = {p.name: p.check(kind, params.get(p.name, p.default)) for p in definition.params}
    if definition.check is not None:
        definition.check(MappingProxyType(values))
    return Fault(kind, at, space, MappingProxyType(values), after=steps, job=job,
                 definition=definition)


# ----------------------------------------------------------------------------- the world's side

@dataclass
class _Deferred:
    """A strike waiting for its trigger message to reach the client."""

    fault: Fault
    app: AppServer
    channel: SessionChannel
    trigger: Outgoing
    held: list[Outgoing] = field(default_factory=list)


class FaultPlan:
    """The faults planned in one world: arming, striking, filtering, journaling.

    The world calls in with its lock held: :meth:`add`, :meth:`intercept` (each
    request), :meth:`on_message` (each message, just posted to its outbox),
    :meth:`after_pump` (after each delivery round) and :meth:`heartbeat_stalled`.
    """

    def __init__(self, world: World) -> None:
        from ._hooks import fault_kinds

        self.world = world
        self.faults: list[Fault] = []
        self._counts: dict[str, dict[str, int]] = {}
        self._deferred: list[_Deferred] = []
        self._tainted: list[tuple[AppServer, str]] = []
        self._heartbeat_errors: dict[str, int] = {}
        fault_kinds()  # load the plugins now: their Gradio versions become known

    # -- planning -------------------------------------------------------------------
    def add(self, fault: Fault) -> None:
        """Plan ``fault``; ``ValueError`` if it names an undeclared Space or unknown job."""
        world = self.world
        with world.lock:
            if fault.space is not None and not any(
                    self._names(fault.space, app) for app in world.apps.values()):
                raise ValueError(f"fault names space {fault.space!r}, which is not declared")
            if fault.definition is None:
                fault.definition = FAULT_KINDS[fault.kind]
            if fault.job is not None:
                fault.target = self._event_of(fault.job)
            if not self.faults:  # steps are counted only while a fault is planned
                self._counts = self._recount()
            self.faults.append(fault)
            if fault.after is not None and not self._step_passed(fault):
                return
            fault.armed_at = world.clock.now if fault.at is None else fault.at
            if fault.definition.strike is not None:
                world.scheduler.at(fault.armed_at, Priority.FAULT,
                                   lambda: self._strike_all(fault), repr(fault))

    def _recount(self) -> dict[str, dict[str, int]]:
        """Each job's messages so far, by kind, as ``on_message`` counts them: from the
        journal, the Space's own messages (not a fault's copies, not withheld ones)."""
        counts: dict[str, dict[str, int]] = {}
        for record in list(self.world.journal.messages):
            if record.event_id and record.fault is None and not record.withheld:
                per_kind = counts.setdefault(record.event_id, {})
                per_kind[record.msg] = per_kind.get(record.msg, 0) + 1
        return counts

    def _step_passed(self, fault: Fault) -> bool:
        """A fault tied to a job ``after=`` a step that job already got: it arms at once.

        (A ``Job`` exists only once its join was taken, so ``job=j, after="estimation"``
        is often planned after the step; waiting for it would wait forever.)
        """
        if fault.after is None or fault.target is None:
            return False
        kind, n = fault.after
        if self._counts.get(fault.target, {}).get(kind, 0) < n:
            return False
        space = next((app.space.name for app in self.world.apps.values()
                      if fault.target in app.sim.jobs), None)
        self.world.journal.fault(fault.kind, space, fault.target,
                                 f"armed at once: the job already got {kind} #{n}")
        return True

    def _event_of(self, job: Any) -> str:
        if isinstance(job, str):
            return job
        tracked = self.world.sync.lookup(job)
        if tracked is None:
            raise ValueError(f"fault job= {job!r} is not a job submitted while this fake is "
                             f"active")
        if tracked.event_id is None:
            raise ValueError(f"fault job= {tracked.name} has no event id: its join was not "
                             f"accepted")
        return tracked.event_id

    @staticmethod
    def _names(name: str, app: AppServer) -> bool:
        space = app.space
        return name in (space.space_id, space.root, space.root.rstrip("/"))

    def _applies(self, fault: Fault, app: AppServer) -> bool:
        if fault.space is not None and not self._names(fault.space, app):
            return False
        return fault.target is None or fault.target in app.sim.jobs

    def _active(self, fault: Fault, app: AppServer) -> bool:
        return (fault.armed_at is not None and self.world.clock.now >= fault.armed_at
                and not fault.spent and self._applies(fault, app))

    @staticmethod
    def _kind(fault: Fault) -> FaultKind:
        assert fault.definition is not None
        return fault.definition

    # -- striking -------------------------------------------------------------------
    def _strike_all(self, fault: Fault) -> None:
        for app in list(self.world.apps.values()):
            if self._applies(fault, app):
                self._strike(fault, app)

    def _strike(self, fault: Fault, app: AppServer) -> None:
        strike = self._kind(fault).strike
        fault.used += 1
        if strike is not None:
            strike(FaultContext(self, fault, app))

    def taint(self, app: AppServer, session: str) -> None:
        """The client may drop this session's stream: treat its close as a disconnect."""
        if not any(a is app and s == session for a, s in self._tainted):
            self._tainted.append((app, session))

    def after_pump(self) -> bool:
        """Strikes whose trigger was delivered; disconnects of tainted sessions. True if any."""
        acted = False
        for deferred in list(self._deferred):
            channel = deferred.channel
            if any(out is deferred.trigger for out in channel.outbox):
                continue
            self._deferred.remove(deferred)
            self._strike(deferred.fault, deferred.app)
            conn = channel.connection
            if conn is None or not conn.ending:  # a stream the strike ended loses them
                channel.outbox.extend(deferred.held)
            acted = True
        for app, session in list(self._tainted):
            tainted = app.channels.get(session)
            conn = tainted.connection if tainted is not None else None
            if tainted is None or conn is None or not conn.client_closed:
                continue
            self._tainted.remove((app, session))
            pending = app.sim.pending_events(session)
            if pending:
                app.sim.disconnect(session)
                tainted.outbox.clear()
                self.world.journal.fault(
                    "disconnect", app.space.name, None,
                    f"the client closed the data stream of session {session[:8]} with "
                    f"{len(pending)} job(s) pending: the server drops them (Gradio's "
                    f"clean_events)")
                acted = True
        return acted

    # -- requests -------------------------------------------------------------------
    def intercept(self, app: AppServer, req: HttpRequest, rel: str) -> HttpReply | None:
        """A fault's answer to ``req`` (to ``app``, at ``rel``), or None: the Space answers."""
        route = route_of(rel, app.prefix)
        with self.world.lock:
            view: FaultRequest | None = None
            for fault in self.faults:
                handler = self._kind(fault).request
                if handler is None or not self._active(fault, app):
                    continue
                if view is None:
                    view = self._request_view(app, req, rel, route)
                reply = handler(FaultContext(self, fault, app), view)
                if reply is None:
                    continue
                if route == "heartbeat" and reply.status >= 400:
                    reply = self._bound_heartbeat_loop(fault, app, view.session or "", reply)
                fault.used += 1
                break
            else:
                return None
            if route == "data" and reply.stream is None and view.session:
                reply = self._as_data_stream(app, view.session, reply)
        return reply

    def _as_data_stream(self, app: AppServer, session: str, reply: HttpReply) -> HttpReply:
        """A fault's whole-body answer to ``GET queue/data``, served as the session's
        stream: the client's reader reads it as one (it does not look at the status), so
        the fake's barrier must see it through as it does a stream, until the reader
        has taken it and ended."""
        channel = app.channels.get(session)
        if channel is None:
            return reply
        world = self.world
        conn = SseConnection(world.lock, world.changed,
                             lambda events: world.on_taken(app, session, events),
                             world.driver_blocked)
        channel.connection = conn
        world.on_stream_open(app, session, conn)
        conn.push(reply.body, [])
        conn.end()
        headers = {k: v for k, v in reply.headers.items() if k != "content-length"}
        return HttpReply(reply.status, headers, stream=conn)

    @staticmethod
    def _request_view(app: AppServer, req: HttpRequest, rel: str,
                      route: str | None) -> FaultRequest:
        body: Any = None
        if "json" in req.headers.get("content-type", ""):
            try:
                body = req.json()
            except (ValueError, UnicodeDecodeError):
                body = None
        session = body.get("session_hash") if isinstance(body, dict) else None
        if route == "heartbeat":
            session = rel.rsplit("/", 1)[-1]
        session = session or req.query.get("session_hash")
        path = rel
        if app.prefix and path.startswith(app.prefix + "/"):
            path = path[len(app.prefix):]
        return FaultRequest(req.method.upper(), req.url, path, route,
                            session if isinstance(session, str) else None, body,
                            MappingProxyType(dict(req.headers)))

    def _bound_heartbeat_loop(self, fault: Fault, app: AppServer, session: str,
                              reply: HttpReply) -> HttpReply:
        count = self._heartbeat_errors.get(session, 0)
        if count < HEARTBEAT_LOOP_CAP:
            self._heartbeat_errors[session] = count + 1
            return reply
        if count == HEARTBEAT_LOOP_CAP:
            self._heartbeat_errors[session] = count + 1
            self.world.journal.fault(
                fault.kind, app.space.name, None,
                f"session {session[:8]} reopened its heartbeat {count} times in a row after "
                f"error answers (gradio_client before 2.x does, with no pause); the fake now "
                f"holds it open silently so the loop ends")
        fault.used -= 1  # not an answer of the fault: the loop guard's
        return FaultContext(self, fault, app).silent_heartbeat(session)

    def heartbeat_stalled(self, app: AppServer | None) -> bool:
        """A fault keeps the heartbeat streams (of ``app``, or of any Space) silent."""
        return any(self._kind(f).stalls_heartbeat and (
            self._active(f, app) if app is not None
            else f.armed_at is not None and self.world.clock.now >= f.armed_at)
            for f in self.faults)

    # -- messages -------------------------------------------------------------------
    def on_message(self, app: AppServer, msg: SimMessage, payload: dict[str, Any]) -> None:
        """``msg`` was just shaped into ``payload`` and posted to its session's outbox."""
        if not self.faults:
            return
        channel = app.channels.get(msg.session or "")
        if channel is None or not channel.outbox or channel.outbox[-1].payload is not payload:
            return
        out = channel.outbox[-1]
        posted = [out]
        for fault in self.faults:
            handler = self._kind(fault).message
            if handler is None or not self._active(fault, app) \
                    or fault.target not in (None, msg.event_id):
                continue
            view = FaultMessage(msg.kind, msg.event_id, msg.session, payload)
            if not handler(FaultContext(self, fault, app), view):
                continue
            fault.used += 1
            if view.withheld:
                channel.outbox.remove(out)
                self.world.journal.withhold(payload, fault.kind)
                return
            for _ in range(view.repeats):
                again = Outgoing(out.time, out.event_id, copy.deepcopy(payload), out.terminal,
                                 out.gate)
                channel.post(again)
                posted.append(again)
                self.world.journal.message(app, msg, again.payload, fault=fault.kind)
                self.taint(app, channel.session)
        for deferred in self._deferred:
            if deferred.channel is channel:  # behind a strike still to come: wait for it
                for item in posted:
                    channel.outbox.remove(item)
                deferred.held.extend(posted)
                break
        counts = self._counts.setdefault(msg.event_id, {})
        counts[msg.kind] = n = counts.get(msg.kind, 0) + 1
        for fault in self.faults:
            if fault.armed_at is not None or fault.after != (msg.kind, n) \
                    or fault.target not in (None, msg.event_id) \
                    or (fault.space is not None and not self._names(fault.space, app)):
                continue
            fault.target = msg.event_id
            fault.armed_at = self.world.clock.now
            self.world.journal.fault(fault.kind, app.space.name, msg.event_id,
                                     f"armed after {msg.kind} #{n}")
            if self._kind(fault).strike is not None:
                self._deferred.append(_Deferred(fault, app, channel, posted[-1]))


# ----------------------------------------------------------------------------- built-in kinds

def _stream_dropped(ctx: FaultContext) -> None:
    ctx.end_streams(abrupt=bool(ctx.params["abrupt"]))


def _server_stopped(ctx: FaultContext) -> None:
    ctx.stop_server()


def _http_error(ctx: FaultContext, request: FaultRequest) -> HttpReply | None:
    if request.route != ctx.params["route"]:
        return None
    status = ctx.params["status"]
    detail = ctx.params["detail"] or f"gradio-fake fault: HTTP {status}"
    return ctx.reply(status, {"detail": detail})


def _heartbeat_404(ctx: FaultContext, request: FaultRequest) -> HttpReply | None:
    if request.route != "heartbeat":
        return None
    return ctx.reply(404, {"detail": "Not Found"})


def _slow_join(ctx: FaultContext, request: FaultRequest) -> HttpReply | None:
    return ctx.read_timeout() if request.route == "join" else None


def _malformed(ctx: FaultContext) -> None:
    ctx.write_raw(ctx.params["line"].encode() + b"\n\n")


def _check_line(params: Mapping[str, Any]) -> None:
    line: str = params["line"]
    if not line.strip() or "\n" in line or "\r" in line:
        raise ValueError(f"malformed_message line= must be one non-empty line, not {line!r}")
    if line.startswith("data:"):
        try:
            json.loads(line[5:])
        except ValueError:
            return
        raise ValueError(f"malformed_message line= {line!r} is a well-formed data line; give "
                         f"invalid JSON after 'data:', or a line that does not start with it")


def _unknown(ctx: FaultContext) -> None:
    targets = ctx.targets()
    for event_id in targets:
        fields: dict[str, Any] = {}
        if ctx.params["message"]:
            fields["message"] = ctx.params["message"]
        ctx.send(ctx.params["msg"], fields, event_id=event_id)
    ctx.note(f"sent {ctx.params['msg']!r} to {len(targets)} job(s)")


def _check_unknown(params: Mapping[str, Any]) -> None:
    if params["msg"] in CLIENT_MESSAGES:
        raise ValueError(f"unknown_message msg= must be a msg gradio_client does not know; "
                         f"{params['msg']!r} is one it handles")


def _is_completion(message: FaultMessage) -> bool:
    return message.kind == "process_completed"


def _duplicate(ctx: FaultContext, message: FaultMessage) -> bool:
    if not _is_completion(message):
        return False
    message.repeat()
    return True


def _missing(ctx: FaultContext, message: FaultMessage) -> bool:
    if not _is_completion(message):
        return False
    message.withhold()
    ctx.explain(f"the server never sent its process_completed (fault missing_completion at "
                f"t={ctx.now:g}s)", message.event_id)
    return True


def _times(default: int | None, what: str) -> FaultParam:
    return FaultParam("times", int, default, what, minimum=1, optional=True)


#: The built-in catalogue, registered through the ``gradio_fake_faults`` hook.
BUILTIN_FAULTS: tuple[FaultKind, ...] = (
    FaultKind(
        "stream_dropped",
        "The SSE data stream ends while jobs are pending: the client's pending jobs end "
        "with CancelledError.",
        params=(FaultParam("abrupt", bool, False, "A connection reset mid-body instead of a "
                                                  "clean end of stream."),),
        strike=_stream_dropped),
    FaultKind(
        "server_stopped",
        "The app stops: 'Server stopped unexpectedly.' on every stream; later joins get 503.",
        strike=_server_stopped),
    FaultKind(
        "heartbeat_stall",
        "The heartbeat streams go silent (gradio_client does not watch them).",
        stalls_heartbeat=True),
    FaultKind(
        "http_error",
        "Requests to one route get an HTTP error, a number of times.",
        params=(FaultParam("route", str, "join", "Which requests fail.", choices=ROUTES),
                FaultParam("status", int, 500, "The HTTP status code.", minimum=400,
                           maximum=599),
                _times(1, "How many requests fail (None: every one; a heartbeat loop is "
                          "bounded)."),
                FaultParam("detail", str, "", "The 'detail' of the JSON error body.")),
        request=_http_error),
    FaultKind(
        "malformed_message",
        "A line that is not 'data: <json>' on the data stream: the client's stream reader "
        "fails, so every pending job of that client ends with CancelledError.",
        params=(FaultParam("line", str, ": keep-alive", "The line, without its blank-line "
                           "terminator (default: an SSE comment, as proxies send)."),),
        strike=_malformed, check=_check_line),
    FaultKind(
        "unknown_message",
        "A message with a msg gradio_client does not know, for a job: that job fails with "
        "KeyError.",
        params=(FaultParam("msg", str, "process_streaming", "The msg value."),
                FaultParam("message", str, "", "A 'message' field to add (e.g. for "
                                               "unexpected_error).")),
        strike=_unknown, check=_check_unknown),
    FaultKind(
        "slow_join",
        "The join's answer takes longer than the client's timeout (httpx's 5 s): "
        "httpx.ReadTimeout. The join never reaches the queue.",
        params=(_times(1, "How many joins are slow (None: every one)."),),
        request=_slow_join),
    FaultKind(
        "duplicate_completion",
        "A job's process_completed is sent twice: clients before 2.x crash their stream "
        "reader (KeyError), so their other pending jobs end with CancelledError.",
        params=(_times(1, "How many completions are doubled (None: every one)."),),
        message=_duplicate),
    FaultKind(
        "missing_completion",
        "A job's process_completed is never sent: the job never finishes (result() would "
        "wait forever; the fake says so instead).",
        params=(_times(1, "How many completions are withheld (None: every one)."),),
        message=_missing),
    FaultKind(
        "heartbeat_404",
        "The heartbeat route answers 404 (http_error on route heartbeat): clients before "
        "2.x reopen it in a tight loop (bounded by the fake), 2.x stops its heartbeat.",
        params=(_times(None, "How many heartbeat requests get 404 (None: every one; the "
                             "reconnect loop is bounded)."),),
        request=_heartbeat_404),
)
