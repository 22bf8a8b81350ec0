"""Recording a real Gradio app, to replay it on the fake (``gradio-fake record``).

:func:`record` connects the real ``gradio_client`` (whatever version is installed) to
a running Gradio app, captures its config and API info, runs the calls you name
(:class:`CallSpec`: arguments, how many at once, cancel after N messages or after a
delay, a timeout) and observes, with timestamps, two things at once:

- the wire: every HTTP request and every SSE message, teed at the httpx transport
  (:class:`WireTap`: a pass-through wrapper around ``httpx.HTTPTransport.handle_request``,
  so the client is unmodified and nothing is delayed);
- the client: every ``StatusUpdate`` the client built, in order (:class:`StatusTap`:
  a hook on assignments to ``JobStatus.latest_status``, which is what ``Job.status()``
  returns), then each job's outputs and how it ended.

Both taps live in ``_record_taps.py``; :func:`compare` in ``_record_compare.py``. This
module re-exports them.

The :class:`Recording` it returns turns into a scenario file that replays the same
client-observed behaviour on the fake (:meth:`Recording.to_scenario`: the queue model,
with the observed durations, progress steps, yields, logs and errors), or into a
Python replay module (:meth:`Recording.to_python`) that can also use the endpoint
``script=`` feature for exact per-message timelines. :func:`replay` runs a scenario on
the fake with the same taps, and :func:`compare` lists how two recordings differ in
what the client observed (codes, rank, queue_size, eta, progress, logs, outputs,
outcome), timings aside.

Volatile values are normalised everywhere: event ids become ``E1``, ``E2``… in order
of appearance, session hashes ``S1``…, the app's URL ``<root>``, server temp paths
``<tmp>/...``; wall-clock timestamps are dropped.

This module never imports ``gradio``: only ``gradio_client`` and ``httpx``.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import json
import math
import re
import statistics
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._realtime import REAL
from ._record_compare import _STREAM_LEVEL, Difference, compare, lost_messages
from ._record_taps import StatusTap, WireMessage, WireRequest, WireTap
from ._versions import SUPPORTED_VERSIONS

if TYPE_CHECKING:
    from ._scenario import Scenario

__all__ = [
    "CallRecording",
    "CallSpec",
    "Difference",
    "Recording",
    "StatusTap",
    "WireMessage",
    "WireRequest",
    "WireTap",
    "compare",
    "lost_messages",
    "parse_call_spec",
    "raise_plain_error",
    "record",
    "replay",
]


# -- what to run --------------------------------------------------------------------------
@dataclass(frozen=True)
class CallSpec:
    """Calls to make while recording: ``client.submit(*args, api_name=..., **kwargs)``.

    - ``count``: how many identical calls to submit at once (joined one after the
      other, in order, as fast as the server takes them);
    - ``at``: seconds after the start of the recording;
    - ``cancel_after``: call ``job.cancel()`` once the job's N-th SSE message arrived
      (1: after the first ``estimation``, i.e. while it is queued);
    - ``cancel_at``: or this many seconds after the submit (a call that finished
      before its cancel is watched until then, and cancelled too: the client posts
      ``/cancel`` for a finished job, and Gradio acts on it);
    - ``timeout``: stop waiting after this many seconds (``result(timeout=...)``
      raises ``TimeoutError``; the job is left to the server).
    """

    api_name: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    count: int = 1
    at: float = 0.0
    cancel_after: int | None = None
    cancel_at: float | None = None
    timeout: float | None = None
    id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.api_name, str) or not self.api_name.strip("/"):
            raise ValueError(f"api_name must be a name such as '/predict', not "
                             f"{self.api_name!r}")
        object.__setattr__(self, "api_name", "/" + self.api_name.strip("/"))
        object.__setattr__(self, "args", tuple(self.args))
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise ValueError(f"count must be an int >= 1, not {self.count!r}")
        for name in ("at", "cancel_at", "timeout"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool)
                                      or not isinstance(value, (int, float)) or value < 0):
                raise ValueError(f"{name} must be a number of seconds >= 0, not {value!r}")
        if self.cancel_after is not None and (
                isinstance(self.cancel_after, bool) or not isinstance(self.cancel_after, int)
                or self.cancel_after < 1):
            raise ValueError(f"cancel_after must be an int >= 1 (messages), not "
                             f"{self.cancel_after!r}")
        if self.id is not None and not re.fullmatch(r"[A-Za-z0-9_-]+", self.id):
            raise ValueError(f"id must be letters, digits, '_' and '-', not {self.id!r}")


_SPEC_KEYS = {"api_name", "args", "kwargs", "count", "at", "cancel_after", "cancel_at",
              "timeout", "id"}


def parse_call_spec(text: str | Mapping[str, Any]) -> CallSpec:
    """A :class:`CallSpec` from the command line or a calls file.

    Forms: ``/predict`` (no arguments), ``/predict=["hi", 3]`` (a JSON array of
    positional arguments), or a JSON object with the fields of :class:`CallSpec`,
    e.g. ``{"api_name": "/slow", "args": ["x"], "count": 4, "cancel_after": 1}``.
    """
    if isinstance(text, Mapping):
        data: Any = dict(text)
    else:
        stripped = text.strip()
        if stripped.startswith("{"):
            try:
                data = json.loads(stripped)
            except ValueError as exc:
                raise ValueError(f"call {text!r}: invalid JSON ({exc})") from None
        else:
            name, sep, rest = stripped.partition("=")
            data = {"api_name": name}
            if sep:
                try:
                    args = json.loads(rest)
                except ValueError as exc:
                    raise ValueError(f"call {text!r}: the arguments after '=' must be a JSON "
                                     f"array ({exc})") from None
                if not isinstance(args, list):
                    raise ValueError(f"call {text!r}: the arguments after '=' must be a JSON "
                                     f"array, not {type(args).__name__}")
                data["args"] = args
    if not isinstance(data, dict):
        raise ValueError(f"call {text!r}: expected a JSON object")
    unknown = set(data) - _SPEC_KEYS
    if unknown:
        raise ValueError(f"call {text!r}: unknown key(s) {', '.join(sorted(unknown))}; "
                         f"allowed: {', '.join(sorted(_SPEC_KEYS))}")
    if "api_name" not in data:
        raise ValueError(f"call {text!r}: api_name is required")
    if not isinstance(data.get("args", []), list):
        raise ValueError(f"call {text!r}: args must be an array")
    if not isinstance(data.get("kwargs", {}), dict):
        raise ValueError(f"call {text!r}: kwargs must be an object")
    return CallSpec(**data)


# -- normalising volatile values -------------------------------------------------------------
_HEX_ID = re.compile(r"\b[0-9a-f]{32}\b")
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_TMP_PATH = re.compile(r"(?:/[^\s\"'/]+)*/gradio/[0-9a-f]{16,}/")


class Normalizer:
    """Replaces volatile values by stable names, consistently within one recording."""

    def __init__(self, root: str = "") -> None:
        self.root = root.rstrip("/")
        self.events: dict[str, str] = {}
        self.sessions: dict[str, str] = {}

    def event(self, event_id: str | None) -> str | None:
        if event_id is None:
            return None
        if event_id not in self.events:
            self.events[event_id] = f"E{len(self.events) + 1}"
        return self.events[event_id]

    def session(self, session: str | None) -> str | None:
        if session is None:
            return None
        if session not in self.sessions:
            self.sessions[session] = f"S{len(self.sessions) + 1}"
        return self.sessions[session]

    def text(self, value: str) -> str:
        if self.root and self.root in value:
            value = value.replace(self.root, "<root>")
        value = _HEX_ID.sub(lambda m: self.event(m.group(0)) or "", value)
        value = _UUID.sub(lambda m: self.session(m.group(0)) or "", value)
        return _TMP_PATH.sub("<tmp>/", value)

    def value(self, value: Any) -> Any:
        """A JSON-like value with every string normalised (dict keys too)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(v) for v in value]
        if value is None or isinstance(value, (bool, int, float)):
            return value
        return self.text(repr(value))


def _status_dict(update: Any, normalizer: Normalizer) -> dict[str, Any]:
    units = getattr(update, "progress_data", None)
    progress = None if units is None else [
        {k: getattr(u, k, None) for k in ("index", "length", "unit", "progress", "desc")}
        for u in units]
    log = getattr(update, "log", None)
    return {"code": update.code.name, "rank": update.rank, "queue_size": update.queue_size,
            "eta": update.eta, "success": update.success,
            "progress": normalizer.value(progress),
            "log": None if log is None else [str(log[0]), str(log[1])]}


# -- recordings ---------------------------------------------------------------------------
@dataclass
class CallRecording:
    """One call as the client observed it (times in seconds from the recording's start)."""

    id: str
    api_name: str
    args: list[Any]
    kwargs: dict[str, Any]
    submitted_at: float
    event: str | None = None
    joined_at: float | None = None
    join_status: int | None = None
    join_detail: Any = None
    #: the event's SSE messages, normalised: ``[t, message]``.
    messages: list[list[Any]] = field(default_factory=list)
    #: every StatusUpdate the client built: ``[t, {code, rank, queue_size, eta, ...}]``.
    statuses: list[list[Any]] = field(default_factory=list)
    outputs: list[Any] = field(default_factory=list)
    #: ``"result"`` or the exception's class name.
    outcome: str = ""
    result: Any = None
    message: str = ""
    title: str | None = None
    ended_at: float | None = None
    final_code: str | None = None
    cancelled_at: float | None = None
    #: what was asked: ``cancel_after`` messages, ``timeout`` seconds.
    cancel_after: int | None = None
    timeout: float | None = None

    def kinds(self) -> list[str]:
        return [m[1].get("msg") for m in self.messages]

    def first(self, kind: str) -> float | None:
        for t, msg in self.messages:
            if msg.get("msg") == kind:
                return float(t)
        return None


@dataclass
class Recording:
    """What one real (or fake) app did for a set of calls, as the client observed it."""

    url: str
    gradio: str
    client: str
    config: dict[str, Any]
    info: dict[str, Any]
    calls: list[CallRecording]
    #: every HTTP request, normalised: ``[t, method, route, status]``.
    requests: list[list[Any]] = field(default_factory=list)
    #: stream-level messages (heartbeat, close_stream, unexpected_error without an event).
    stream: list[list[Any]] = field(default_factory=list)
    source: str = "real"
    warnings: list[str] = field(default_factory=list)

    # -- (de)serialising -------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, default=repr)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Recording:
        values = dict(data)
        values["calls"] = [CallRecording(**c) for c in values.get("calls", [])]
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> Recording:
        return cls.from_dict(json.loads(text))

    # -- what it means ---------------------------------------------------------------
    @property
    def emulated_version(self) -> str:
        """The fake's closest emulated Gradio version."""
        return closest_version(self.gradio)

    def endpoints(self) -> list[EndpointModel]:
        """The named endpoints with what the recorded calls showed of each."""
        return _endpoint_models(self)

    def to_scenario(self, *, name: str | None = None, description: str | None = None,
                    concurrency: Mapping[str, int | None] | None = None,
                    exact: bool = False) -> str:
        """A scenario file (TOML) that replays these calls on the fake's queue model.

        With ``exact``, each call that can be replayed message for message gets its own
        ``script`` (its recorded messages at their recorded times, from its join); the
        others stay on the queue model: a refused join, a cancelled call (its ``{}``
        completion is the server's answer to the cancel, not a step of a timeline), a
        value TOML cannot write (null). Scripted calls are outside the fake's queue, so
        a call left on the queue model does not see them waiting.
        """
        return _scenario_toml(self, name=name, description=description,
                              concurrency=concurrency or {}, exact=exact)

    def to_python(self, *, exact: bool = True,
                  concurrency: Mapping[str, int | None] | None = None) -> str:
        """A Python replay module: ``declare(fake)`` and ``run(fake)``.

        With ``exact``, an endpoint whose recorded calls all had the same message
        timeline is declared with ``script=`` (its exact messages and timings);
        the others use the queue model, as in :meth:`to_scenario`.
        """
        return _python_replay(self, exact=exact, concurrency=concurrency or {})


def closest_version(version: str) -> str:
    """The emulated Gradio version closest to a real one (same major when possible)."""
    if version in SUPPORTED_VERSIONS:
        return version

    def key(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", v)[:3])

    wanted = key(version) or (5,)
    same_major = [v for v in SUPPORTED_VERSIONS if key(v)[:1] == wanted[:1]]
    pool = same_major or list(SUPPORTED_VERSIONS)

    def distance(v: str) -> tuple[int, ...]:
        return tuple(abs(a - b) for a, b in zip(key(v), wanted, strict=False))

    return min(pool, key=distance)


# -- recording a real app -------------------------------------------------------------------
def raise_plain_error(*args: Any) -> Any:
    """A scenario handler that fails like a plain exception in the app's function.

    ``gradio-fake record`` uses it for calls that failed with ``{"error": null}`` (an
    exception other than ``gr.Error`` while ``show_error`` is off).
    """
    raise RuntimeError("the recorded app raised an exception (gradio-fake record)")


def _trim_config(config: Mapping[str, Any]) -> dict[str, Any]:
    components = [{"id": c.get("id"), "type": c.get("type"),
                   "label": (c.get("props") or {}).get("label"),
                   "skip_api": c.get("skip_api", False)}
                  for c in config.get("components", [])]
    deps = []
    for i, d in enumerate(config.get("dependencies", [])):
        deps.append({"id": d.get("id", i), "api_name": d.get("api_name"),
                     "inputs": d.get("inputs", []), "outputs": d.get("outputs", []),
                     "backend_fn": d.get("backend_fn"), "show_api": d.get("show_api"),
                     "api_visibility": d.get("api_visibility"),
                     "generator": (d.get("types") or {}).get("generator")})
    return {"version": config.get("version"), "protocol": config.get("protocol"),
            "api_prefix": config.get("api_prefix"), "show_error": config.get("show_error"),
            "max_file_size": config.get("max_file_size"),
            "connect_heartbeat": config.get("connect_heartbeat"),
            "components": components, "dependencies": deps}


def _trim_info(info: Any) -> dict[str, Any]:
    if not isinstance(info, Mapping):
        return {}
    named = {}
    for name, ep in (info.get("named_endpoints") or {}).items():
        named[name] = {
            "parameters": [{k: p.get(k) for k in ("label", "parameter_name", "component",
                                                   "parameter_has_default")}
                           for p in ep.get("parameters", [])],
            "returns": [{k: r.get(k) for k in ("label", "component")}
                        for r in ep.get("returns", [])]}
    return {"named_endpoints": named}


class _Live:
    def __init__(self, spec: CallSpec, call_id: str, job: Any, submitted_at: float) -> None:
        self.spec = spec
        self.id = call_id
        self.job = job
        self.submitted_at = submitted_at
        self.cancelled_at: float | None = None
        #: when the job was first seen done (a call cancelled later ended there)
        self.done_at: float | None = None
        self.ended_at: float | None = None
        self.outcome = ""
        self.result: Any = None
        self.message = ""
        self.title: str | None = None
        self.failed_submit = False

    @property
    def cancel_pending(self) -> bool:
        """A cancel is planned at a time and not made yet: even a finished job waits for
        it. (A ``cancel_after`` not reached when the job finished never will be.)"""
        return self.cancelled_at is None and self.spec.cancel_at is not None

    @property
    def event_id(self) -> str | None:
        communicator = getattr(self.job, "communicator", None)
        value = getattr(communicator, "event_id", None)
        return value if isinstance(value, str) else None

    def end(self, now: float, timeout: float | None = 0) -> None:
        try:
            self.result = self.job.result(timeout=timeout)
            self.outcome = "result"
        except Exception as exc:  # the call's outcome, whatever the client raised
            self.outcome = type(exc).__name__
            self.message = str(exc)
            title = getattr(exc, "title", None)
            self.title = title if isinstance(title, str) else None
        self.ended_at = now if self.done_at is None else self.done_at


def _expand(calls: Iterable[CallSpec]) -> list[tuple[CallSpec, str]]:
    plan: list[tuple[CallSpec, str]] = []
    used: set[str] = set()
    n = 0
    for spec in calls:
        for k in range(spec.count):
            n += 1
            call_id = f"c{n}" if spec.id is None else (
                spec.id if spec.count == 1 else f"{spec.id}-{k + 1}")
            while call_id in used:
                call_id += "x"
            used.add(call_id)
            plan.append((spec, call_id))
    return sorted(plan, key=lambda item: item[0].at)


def record(url: str, calls: Iterable[CallSpec] = (), *, timeout: float = 60.0,
           join_timeout: float = 10.0, settle: float = 0.3,
           client_kwargs: Mapping[str, Any] | None = None) -> Recording:
    """Record a running Gradio app at ``url`` while making ``calls`` with the real client.

    Calls are submitted at their ``at`` (seconds after the client is ready); the calls
    of one spec are joined one after the other, in order, each once the previous join
    has answered (so the recording's order is the server's). Each call is watched until
    it ends, until its ``timeout`` (default ``timeout``), whichever comes first; then
    ``settle`` more seconds of traffic are kept. Jobs still running at the end are
    cancelled (after the recording) so that the client can shut down.
    """
    from gradio_client import Client
    from gradio_client import __version__ as client_version

    specs = _expand(calls)
    wire = WireTap()
    status_tap = StatusTap()
    live: list[_Live] = []
    with wire, status_tap, _no_telemetry():
        kwargs: dict[str, Any] = {"verbose": False}
        if "analytics_enabled" in inspect.signature(Client.__init__).parameters:
            kwargs["analytics_enabled"] = False
        client = Client(url, **{**kwargs, **(client_kwargs or {})})
        try:
            t0: float = REAL.monotonic()

            def now() -> float:
                return float(REAL.monotonic()) - t0

            pending = list(specs)
            while True:
                while pending and pending[0][0].at <= now():
                    spec, call_id = pending.pop(0)
                    live.append(_submit(client, spec, call_id, now, join_timeout))
                for entry in live:
                    if entry.ended_at is not None:
                        continue
                    _maybe_cancel(entry, wire, status_tap, now())
                    limit = entry.spec.timeout if entry.spec.timeout is not None else timeout
                    done = entry.job.done()
                    if done and entry.done_at is None:
                        entry.done_at = now()
                    if done and not entry.cancel_pending:
                        entry.end(now())
                    elif now() - entry.submitted_at >= limit:
                        entry.end(now(), timeout=0)
                if not pending and all(e.ended_at is not None for e in live):
                    break
                REAL.sleep(0.002)
            end = REAL.monotonic() + settle
            while REAL.monotonic() < end:
                REAL.sleep(0.01)
            config = getattr(client, "config", None) or _wire_config(wire)
            recording = _build(url, config, _client_info(client, wire), client_version, wire,
                               status_tap, live, t0, source="real")
        finally:
            _release(client, live, wire)
    return recording


@contextlib.contextmanager
def _no_telemetry() -> Iterator[None]:
    """huggingface_hub would send gradio_client's telemetry to huggingface.co from a thread
    of its own: switch it off while recording (as ``HF_HUB_DISABLE_TELEMETRY=1`` does)."""
    try:
        from huggingface_hub import constants
    except ImportError:
        yield
        return
    saved = constants.HF_HUB_DISABLE_TELEMETRY
    constants.HF_HUB_DISABLE_TELEMETRY = True
    try:
        yield
    finally:
        constants.HF_HUB_DISABLE_TELEMETRY = saved


def _submit(client: Any, spec: CallSpec, call_id: str, now: Callable[[], float],
            join_timeout: float) -> _Live:
    submitted = now()
    try:
        job = client.submit(*spec.args, api_name=spec.api_name, **dict(spec.kwargs))
    except Exception as exc:  # submit itself refuses (unknown endpoint, bad arguments)
        entry = _Live(spec, call_id, None, submitted)
        entry.outcome, entry.message, entry.ended_at = type(exc).__name__, str(exc), submitted
        entry.failed_submit = True
        return entry
    entry = _Live(spec, call_id, job, submitted)
    deadline = REAL.monotonic() + join_timeout
    while entry.event_id is None and not job.done() and REAL.monotonic() < deadline:
        REAL.sleep(0.001)
    return entry


def _maybe_cancel(entry: _Live, wire: WireTap, status_tap: StatusTap, now: float) -> None:
    """Cancel when due: ``cancel_at`` after the submit, or once the client has taken in
    ``cancel_after`` messages of the job (what ``job.status()`` showed). A message the
    client never takes in (gradio_client before 2.x can lose an event's first message,
    PROTOCOL.md §6.8) counts 0.1 s after it arrived: the client polls every 0.05 s."""
    if entry.cancelled_at is not None or entry.job is None:
        return
    spec = entry.spec
    due = spec.cancel_at is not None and now - entry.submitted_at >= spec.cancel_at
    if spec.cancel_after is not None:
        job_status = getattr(getattr(entry.job, "communicator", None), "job", None)
        taken = len(status_tap.updates(job_status)) - 1  # the initial STARTING is not one
        due = due or taken >= spec.cancel_after
        if not due and entry.event_id is not None:
            seen = [m for m in wire.messages_for(entry.event_id) if m.kind not in _STREAM_LEVEL]
            due = len(seen) >= spec.cancel_after and \
                wire.clock() - seen[spec.cancel_after - 1].t >= 0.1
    if due:
        entry.cancelled_at = now
        entry.job.cancel()


def _release(client: Any, live: Sequence[_Live], wire: WireTap) -> None:
    """After the recording: cancel what still runs, so that the client's threads can end."""
    for entry in live:
        if entry.job is not None and not entry.job.done():
            try:
                entry.job.cancel()
            except Exception:
                pass
    deadline = REAL.monotonic() + 3.0
    while REAL.monotonic() < deadline and any(
            e.job is not None and not e.job.done() for e in live):
        REAL.sleep(0.02)
    try:
        client.close()
    except Exception:
        pass
    heartbeat = getattr(client, "heartbeat", None)
    if isinstance(heartbeat, threading.Thread) and heartbeat.is_alive():
        wire.end_heartbeats()
        heartbeat.join(max(deadline + 2.0 - REAL.monotonic(), 0.5))
    _shutdown_executors(client, deadline)


def _shutdown_executors(client: Any, deadline: float) -> None:
    """gradio_client's ``close()`` leaves its thread pools alive; stop them (bounded)."""
    from concurrent.futures import ThreadPoolExecutor

    pools = [v for v in vars(client).values() if isinstance(v, ThreadPoolExecutor)]
    for pool in pools:
        pool.shutdown(wait=False, cancel_futures=True)
    for pool in pools:
        for thread in list(getattr(pool, "_threads", ())):
            thread.join(max(deadline + 2.0 - REAL.monotonic(), 0.0))


def _client_info(client: Any, wire: WireTap) -> Any:
    info = getattr(client, "_info", None)
    if isinstance(info, Mapping):
        return info
    for req in wire.requests:
        if req.route().endswith("info") and isinstance(req.response, Mapping):
            return req.response
    return {}


def _wire_config(wire: WireTap) -> dict[str, Any]:
    for req in wire.requests:
        if req.route() == "config" and isinstance(req.response, Mapping):
            return dict(req.response)
    return {}


def _build(url: str, config: Mapping[str, Any], info: Any, client_version: str, wire: WireTap,
           status_tap: StatusTap, live: Sequence[_Live], t0: float, *,
           source: str) -> Recording:
    prefix = str(config.get("api_prefix") or "")
    normalizer = Normalizer(url)
    joins = [r for r in wire.requests if r.route(prefix) == "queue/join" and r.method == "POST"]
    # Event ids get their names in join order.
    for req in sorted(joins, key=lambda r: r.t):
        if isinstance(req.response, Mapping) and isinstance(req.response.get("event_id"), str):
            normalizer.event(req.response["event_id"])
    for req in wire.requests:
        if isinstance(req.body, Mapping):
            normalizer.session(req.body.get("session_hash"))
    calls = []
    statuses_in_order = list(status_tap.created)
    for index, entry in enumerate(live):
        event_id = entry.event_id
        join = next((r for r in joins if isinstance(r.response, Mapping)
                     and r.response.get("event_id") == event_id), None) if event_id else None
        if join is None and not entry.failed_submit:
            join = _nth_join(joins, live, index)
        messages = wire.messages_for(event_id) if event_id else []
        job_status = getattr(getattr(entry.job, "communicator", None), "job", None)
        if job_status is None and index < len(statuses_in_order):
            job_status = statuses_in_order[index]
        updates = status_tap.updates(job_status) if job_status is not None else []
        outputs = list(entry.job.outputs()) if entry.job is not None else []
        final = entry.job.status() if entry.job is not None else None
        calls.append(CallRecording(
            id=entry.id, api_name=entry.spec.api_name, args=normalizer.value(entry.spec.args),
            kwargs=normalizer.value(dict(entry.spec.kwargs)),
            submitted_at=_r(entry.submitted_at), event=normalizer.event(event_id),
            joined_at=None if join is None or join.t_done is None else _r(join.t_done - t0),
            join_status=None if join is None else join.status,
            join_detail=None if join is None or join.status == 200 else
            normalizer.value(join.response),
            messages=[[_r(m.t - t0), normalizer.value(m.msg)] for m in messages],
            statuses=[[_r(t - t0), _status_dict(u, normalizer)] for t, u in updates[1:]],
            outputs=normalizer.value(outputs), outcome=entry.outcome,
            result=normalizer.value(entry.result), message=normalizer.text(entry.message),
            title=entry.title,
            ended_at=None if entry.ended_at is None else _r(entry.ended_at),
            final_code=None if final is None else final.code.name,
            cancelled_at=_cancel_time(entry, event_id, wire, prefix, t0),
            cancel_after=entry.spec.cancel_after, timeout=entry.spec.timeout))
    requests = [[_r(r.t - t0), r.method, r.route(prefix), r.status] for r in wire.requests
                if r.t >= t0]
    stream = [[_r(m.t - t0), normalizer.value(m.msg)] for m in wire.messages
              if m.event_id is None and m.t >= t0]
    return Recording(
        url=url, gradio=str(config.get("version", "")), client=client_version,
        config=normalizer.value(_trim_config(config)),
        info=normalizer.value(_trim_info(info)),
        calls=calls, requests=requests, stream=stream, source=source)


def _cancel_time(entry: _Live, event_id: str | None, wire: WireTap, prefix: str,
                 t0: float) -> float | None:
    """When the call's cancel reached the wire (``job.cancel()`` may wait for the job's lock
    and a new connection): the instant that matters to the server."""
    if entry.cancelled_at is None:
        return None
    for req in wire.requests:
        if req.method == "POST" and req.route(prefix) in ("cancel", "api/predict") \
                and req.t - t0 >= entry.cancelled_at - 1e-6 and (
                    not isinstance(req.body, Mapping) or req.body.get("event_id") in (
                        None, event_id)):
            return _r(req.t - t0)
    return _r(entry.cancelled_at)


def _nth_join(joins: Sequence[WireRequest], live: Sequence[_Live],
              index: int) -> WireRequest | None:
    """The join request of the ``index``-th call, when the client never learnt its event id
    (a refused join): joins are made in submit order."""
    position = sum(1 for e in live[:index] if not e.failed_submit)
    ordered = sorted(joins, key=lambda r: r.t)
    return ordered[position] if position < len(ordered) else None


def _r(t: float) -> float:
    return round(t, 4)


# -- what the calls tell about each endpoint ----------------------------------------------------
@dataclass
class EndpointModel:
    """An endpoint of the recorded app and what its recorded calls showed."""

    api_name: str
    inputs: list[Any]
    outputs: list[Any]
    show_api: bool
    generator: bool
    calls: list[CallRecording]
    duration: float | None = None
    progress: list[dict[str, Any]] = field(default_factory=list)
    yields: list[Any] = field(default_factory=list)
    logs: list[tuple[float, str, str]] = field(default_factory=list)
    error: dict[str, Any] | None = None
    plain_error: bool = False
    result: Any = None
    has_result: bool = False
    handler: str | None = None
    concurrency_limit: int | None = 1
    warm_eta: float | None = None
    notes: list[str] = field(default_factory=list)


def _component(raw: Mapping[str, Any], notes: list[str]) -> Any:
    from ._components import known_component_types

    kind = str(raw.get("type") or "json").lower()
    if kind not in known_component_types():
        notes.append(f"component type {kind!r} is not emulated; replayed as 'json'")
        kind = "json"
    label = raw.get("label")
    return {"type": kind, "label": label} if isinstance(label, str) and label else kind


def _completed(call: CallRecording) -> dict[str, Any] | None:
    """The call's real ``process_completed`` (not a cancel's empty one)."""
    for _, msg in call.messages:
        if msg.get("msg") == "process_completed" and msg.get("output"):
            return dict(msg)
    return None


def _run_span(call: CallRecording) -> tuple[float, float | None]:
    """When the call's (last) run started and when its real completion arrived."""
    start = 0.0
    for t, msg in call.messages:
        kind = msg.get("msg")
        if kind == "process_starts":
            start = float(t)
        elif kind == "process_completed" and msg.get("output"):
            return start, float(t)
    return start, None


def _full_yields(call: CallRecording, protocol: str = "sse_v3") -> list[list[Any]]:
    """The full output values of each ``process_generating`` (diffs applied, as the client
    does for sse_v2 and later)."""
    from gradio_client.utils import apply_diff

    full = protocol in ("sse", "sse_v1", "ws")

    values: list[list[Any]] | None = None
    out: list[list[Any]] = []
    for _, msg in call.messages:
        if msg.get("msg") != "process_generating":
            continue
        data = list((msg.get("output") or {}).get("data") or [])
        if values is None or full:
            values = data
        else:
            values = [apply_diff(old, edits) for old, edits in zip(values, data, strict=False)]
        out.append(list(values))
    return out


def _unquote(message: str, gradio: str) -> str:
    """Gradio 4 sends a ``gr.Error``'s message repr-quoted (``'boom'``); the fake re-quotes."""
    if gradio.startswith("4.") and len(message) >= 2 and message[0] == message[-1] in "'\"":
        try:
            value = ast.literal_eval(message)
        except (ValueError, SyntaxError):
            return message
        if isinstance(value, str):
            return value
    return message


_BUILTIN_HANDLERS: dict[str, Callable[[list[Any]], Any]] = {
    "echo": lambda args: args[0] if len(args) == 1 else list(args),
    "upper": lambda args: args[0].upper() if args and isinstance(args[0], str) else None,
    "reverse": lambda args: args[0][::-1] if args and isinstance(args[0], str) else None,
}


def _endpoint_models(rec: Recording) -> list[EndpointModel]:
    comps = {c["id"]: c for c in rec.config.get("components", [])}
    models = []
    for dep in rec.config.get("dependencies", []):
        name = dep.get("api_name")
        if not isinstance(name, str) or not name or not dep.get("backend_fn", True):
            continue
        route = "/" + name.strip("/")
        notes: list[str] = []
        inputs = [_component(comps.get(i, {}), notes) for i in dep.get("inputs", [])]
        outputs = [_component(comps.get(i, {}), notes) for i in dep.get("outputs", [])
                   if not comps.get(i, {}).get("skip_api")]
        visibility = dep.get("api_visibility")
        show = dep.get("show_api") if visibility is None else visibility == "public"
        model = EndpointModel(route, inputs, outputs, show_api=show is not False,
                              generator=bool(dep.get("generator")),
                              calls=[c for c in rec.calls if c.api_name == route], notes=notes)
        _fit(model, rec)
        models.append(model)
    return models


def _fit(model: EndpointModel, rec: Recording) -> None:
    """Fill the queue-model fields of an endpoint from its recorded calls."""
    ran = [c for c in model.calls if c.first("process_starts") is not None]
    # A call that ran to a real completion (a cancelled call's empty one does not count).
    done = [c for c in ran if _completed(c) is not None]
    durations = []
    for c in done:
        start, end = _run_span(c)
        if end is not None:
            durations.append(max(end - start, 0.0))
    if durations:
        model.duration = round(statistics.median(durations), 3)
    elif ran and all(c.cancelled_at is None for c in ran):
        model.duration = math.inf  # started and never ended while we watched
    several = len(model.outputs) > 1
    example = next((c for c in done if c.cancelled_at is None), done[0] if done else None)
    if example is not None:
        start = _run_span(example)[0]
        for t, msg in example.messages:
            kind = msg.get("msg")
            if kind == "progress":
                units = msg.get("progress_data") or []
                if len(units) > 1:
                    model.notes.append("nested progress bars replayed as their innermost bar")
                if units:
                    unit = {k: v for k, v in units[-1].items() if v is not None}
                    model.progress.append(unit)
            elif kind == "log" and msg.get("log"):
                at = min(max(t - start, 0.0), model.duration or 0.0)
                model.logs.append((round(at, 3), str(msg.get("level") or "info"),
                                   str(msg["log"])))
        yields = _full_yields(example, str(rec.config.get("protocol") or "sse_v3"))
        model.yields = [y if several else (y[0] if y else None) for y in yields]
    # The outcome: an error, a fixed result, or a built-in handler that explains them all.
    completions = [(c, _completed(c)) for c in done]
    errors = [(c, m) for c, m in completions if m is not None and not m.get("success", True)]
    successes = [(c, m) for c, m in completions if m is not None and m.get("success", True)]
    if errors:
        output = errors[0][1].get("output") or {}
        if output.get("error") is None:
            model.plain_error = True
        else:
            err: dict[str, Any] = {"message": _unquote(str(output["error"]), rec.gradio)}
            title = output.get("title") or errors[0][1].get("title")
            if isinstance(title, str) and title != "Error":
                err["title"] = title
            if output.get("visible") is False:
                err["visible"] = False
            if "duration" in output and output["duration"] != 10:
                if output["duration"] is not None:
                    err["duration"] = output["duration"]
            model.error = err
        if successes:
            model.notes.append(f"{len(successes)} call(s) succeeded and {len(errors)} failed: "
                               f"replayed as failing (a data-dependent outcome needs a handler)")
    results = [list((m.get("output") or {}).get("data") or []) for _, m in successes]
    if results and not errors:
        shaped = [r if several else (r[0] if r else None) for r in results]
        for name, fn in _BUILTIN_HANDLERS.items():
            if len(model.inputs) >= 1 and all(
                    _safe(fn, c.args) == value for (c, _), value in zip(successes, shaped,
                                                                         strict=True)) \
                    and len({json.dumps(c.args) for c, _ in successes}) > 1:
                model.handler = name
                break
        if model.handler is None:
            model.result = shaped[0]
            model.has_result = True
            if any(s != shaped[0] for s in shaped):
                model.notes.append("calls returned different results; replayed with the first "
                                   "(a data-dependent result needs a handler)")
    if model.yields and model.has_result and model.result == model.yields[-1]:
        model.has_result = False  # the last yield is the final output
    model.concurrency_limit = _concurrency(ran)
    first = ran[0] if ran else None
    if first is not None:
        starts: dict[str, Any] = next(
            (m for _, m in first.messages if m.get("msg") == "process_starts"), {})
        eta = starts.get("eta")
        if isinstance(eta, (int, float)):
            model.warm_eta = round(float(eta), 3)


def _safe(fn: Callable[[list[Any]], Any], args: list[Any]) -> Any:
    try:
        return fn(args)
    except Exception:
        return object()


def _concurrency(ran: Sequence[CallRecording]) -> int:
    """The most calls seen running at once (at least 1, Gradio's default limit).

    Only runs that reached a real completion count: a cancel frees a worker while the
    function may go on, which would look like more concurrency than there is.
    """
    spans = []
    for c in ran:
        start, end = _run_span(c)
        if end is not None:
            spans.append((start, end))
    best = 1
    for s, _ in spans:
        best = max(best, sum(1 for a, b in spans if a <= s < b))
    return best


# -- writing a scenario ---------------------------------------------------------------------
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _has_none(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, Mapping):
        return any(_has_none(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_none(v) for v in value)
    return False


def toml_value(value: Any) -> str:
    """A TOML literal for a JSON-like value (no ``None``: TOML has no null)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        items = [f"{_toml_key(str(k))} = {toml_value(v)}" for k, v in value.items()]
        return "{" + ", ".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise ValueError(f"cannot write {value!r} in TOML")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def _scenario_toml(rec: Recording, *, name: str | None, description: str | None,
                   concurrency: Mapping[str, int | None], exact: bool = False) -> str:
    models = rec.endpoints()
    how = ("the calls with a script replay their recorded messages exactly, the others\n"
           "# use the fake's queue model" if exact else "the fake's queue model")
    lines = [f"# Recorded by `gradio-fake record` from {rec.url} (Gradio {rec.gradio}, "
             f"gradio_client {rec.client}).",
             f"# Replays what the client observed: {how}; timings are the",
             "# observed ones. Check it: gradio-fake record ... --check, or gradio-fake run.",
             ""]
    if name:
        lines.append(f"name = {toml_value(name)}")
    lines.append(f"description = {toml_value(description or _describe(rec))}")
    lines += ["", "[space]", f"url = {toml_value(rec.url)}",
              f"gradio = {toml_value(rec.emulated_version)}"]
    if rec.emulated_version != rec.gradio:
        lines.append(f"# the app runs Gradio {rec.gradio}; the closest emulated version is used")
    max_size = _max_size(rec)
    if max_size is not None:
        lines.append(f"max_size = {max_size}")
    if rec.config.get("show_error"):
        lines.append("show_error = true")
    warm = None
    for model in models:
        lines += ["", "[[endpoints]]", *_endpoint_lines(model, concurrency)]
        if warm is None and model.warm_eta is not None:
            warm = model
    if warm is not None:
        lines += ["", "# The app had run this endpoint before the recording: its ETA was known.",
                  "[load]", "ahead = 0", f"endpoint = {toml_value(warm.api_name)}",
                  f"duration = {toml_value(warm.warm_eta)}", "warm = true"]
    times = call_times(rec, models)
    scripts = _exact_scripts(rec, models, times) if exact else {}
    for call in sorted(rec.calls, key=lambda c: times[c.id].at):
        lines += ["", "[[calls]]", *_call_lines(call, times[call.id]),
                  *scripts.get(call.id, [])]
    for call in rec.calls:
        exp = _expect_lines(call, rec)
        if exp:
            lines += ["", f"[expect.{call.id}]", *exp]
    for model in models:
        for note in model.notes:
            lines.append(f"# note ({model.api_name}): {note}")
    for warning in rec.warnings:
        lines.append(f"# warning: {warning}")
    return "\n".join(lines) + "\n"


def _describe(rec: Recording) -> str:
    names = sorted({c.api_name for c in rec.calls})
    what = f"{len(rec.calls)} call(s) to {', '.join(names)}" if names else "its endpoints"
    return f"Recorded from a real Gradio {rec.gradio} app: {what}."


def _max_size(rec: Recording) -> int | None:
    for call in rec.calls:
        if call.join_status == 503 and isinstance(call.join_detail, Mapping):
            match = re.search(r"Max size is (\d+)", str(call.join_detail.get("detail", "")))
            if match:
                return int(match.group(1))
    return None


def _endpoint_lines(model: EndpointModel, concurrency: Mapping[str, int | None]) -> list[str]:
    lines = [f"api_name = {toml_value(model.api_name)}",
             f"inputs = {toml_value(model.inputs)}",
             f"outputs = {toml_value(model.outputs)}"]
    if model.plain_error:
        lines.append(f"handler = {toml_value('gradio_fake._record:raise_plain_error')}")
    elif model.handler is not None:
        lines.append(f"handler = {toml_value(model.handler)}")
    elif model.has_result and not _has_none(model.result):
        lines.append(f"result = {toml_value(model.result)}")
    elif model.has_result:
        lines.append("# result: the recorded value holds null, which TOML cannot write; the "
                     "components' defaults are used")
    if model.duration:
        lines.append(f"duration = {toml_value(model.duration)}")
    if model.progress:
        lines.append(f"progress = {toml_value(model.progress)}")
    if model.yields and not model.plain_error and model.handler is None:
        if _has_none(model.yields):
            lines.append("# yields: a recorded value holds null, which TOML cannot write")
        else:
            lines.append(f"yields = {toml_value(model.yields)}")
    if model.logs:
        lines.append(f"logs = {toml_value([list(entry) for entry in model.logs])}")
    if model.error is not None:
        lines.append(f"error = {toml_value(model.error)}")
    limit = concurrency.get(model.api_name, model.concurrency_limit)
    if model.api_name in concurrency or limit != 1:
        lines.append(f"concurrency_limit = {toml_value('none' if limit is None else limit)}")
    if not model.show_api:
        lines.append("show_api = false")
    return lines


@dataclass(frozen=True)
class CallTimes:
    """When a recorded call happens on the fake's clock: its join, cancel and deadline."""

    at: float
    cancel_at: float | None
    timeout: float | None


def call_times(rec: Recording, models: Sequence[EndpointModel] | None = None) -> dict[str,
                                                                                   CallTimes]:
    """The virtual times of the recorded calls, so the fake sees joins, cancels and
    completions in the order the server did.

    What the client saw lags the server: a join was taken somewhere between the submit
    and the first sign of it (its response, or its first message; messages may wait for
    the server's next 50 ms poll), and a run may start tens of ms after its join. So:

    - a call that started at once (``process_starts`` with its first ``estimation``) is
      placed where its run must have begun: its completion minus the endpoint's duration;
    - a queued call is placed in its window (from the submit to the first sign of the
      join) where the fake's queue, replayed with the endpoint durations and concurrency
      limits, has the ``queue_size`` its first ``estimation`` reported (a refused join:
      where the queue is full), preferring the latest such instant;
    - joins keep their recorded order; a cancel is when ``/cancel`` left the client; a
      deadline stays at the recorded instant.
    """
    by_name = {m.api_name: m for m in (models or rec.endpoints())}
    max_size = _max_size(rec)
    placed: list[tuple[str, float, float, float]] = []  # (endpoint, at, start, end)
    out: dict[str, CallTimes] = {}
    last = 0.0
    for call in sorted(rec.calls, key=lambda c: c.submitted_at):
        model = by_name.get(call.api_name)
        duration = model.duration if model is not None and model.duration is not None else 0.0
        limit = model.concurrency_limit if model is not None else 1
        seen = [t for t in (call.joined_at, call.messages[0][0] if call.messages else None)
                if t is not None]
        lo = max(call.submitted_at, last)
        hi = max(min(seen) if seen else call.submitted_at, lo)
        end = _run_span(call)[1]
        if end is not None and math.isfinite(duration) and _started_at_once(call):
            at = max(end - duration, lo)
        else:
            at = _fit_join(call, lo, hi, placed, max_size)
        at = round(max(at, 0.0), 3)
        last = at
        if call.join_status in (None, 200):
            start = _start_time(call.api_name, at, placed, limit)
            placed.append((call.api_name, at, start, start + duration))
        cancel_at = None if call.cancelled_at is None else round(max(call.cancelled_at, at), 3)
        timeout = None
        if call.outcome == "TimeoutError" and call.ended_at is not None:
            timeout = round(max(call.ended_at - at, 0.001), 3)
        elif call.timeout is not None:
            timeout = round(max(call.submitted_at + call.timeout - at, 0.001), 3)
        out[call.id] = CallTimes(at, cancel_at, timeout)
    return out


def _start_time(endpoint: str, at: float, placed: Sequence[tuple[str, float, float, float]],
                limit: int | None) -> float:
    """When a call joining ``endpoint`` at ``at`` starts, first in, first out."""
    same = [(s, e) for name, _, s, e in placed if name == endpoint]
    start = max([at] + [s for s, _ in same])
    if limit is not None and len(same) >= limit:
        ends = sorted(e for _, e in same)
        start = max(start, ends[len(same) - limit])
    return start


def _waiting(at: float, placed: Sequence[tuple[str, float, float, float]],
             endpoint: str | None = None) -> int:
    """Calls joined by ``at`` and not started yet (on ``endpoint``, or on any)."""
    return sum(1 for name, joined, start, _ in placed
               if (endpoint is None or name == endpoint) and joined <= at < start)


def _fit_join(call: CallRecording, lo: float, hi: float,
              placed: Sequence[tuple[str, float, float, float]], max_size: int | None) -> float:
    """An instant at which the replayed queue agrees with what the server said at this
    join: the latest such in ``[lo, hi]``; else the earliest a little after ``hi`` (a
    completion the server had made may have reached the client after the join's
    response), before anything else happened to the call; else ``hi``."""
    first = call.messages[0][1] if call.messages else {}
    want_size = first.get("queue_size") if first.get("msg") == "estimation" else None
    refused = call.join_status == 503 and max_size is not None
    if want_size is None and not refused:
        return hi
    later = [t for t, _ in call.messages[1:2]]
    upper = min([hi + 0.25, *later]) if later else hi + 0.25

    def agrees(t: float) -> bool:
        if refused and max_size is not None:
            return _waiting(t, placed) >= max_size
        return _waiting(t, placed, call.api_name) + 1 == want_size

    edges = {lo, hi}
    for _, _, start, end in placed:
        for t in (start, end):
            edges.update((t - 0.001, t + 0.001))
    inside = sorted((round(t, 3) for t in edges if lo <= t <= hi), reverse=True)
    after = sorted(round(t, 3) for t in edges if hi < t < upper)
    for t in [*inside, *after]:
        if agrees(t):
            return t
    return hi


def _started_at_once(call: CallRecording, within: float = 0.05) -> bool:
    """The call's run began with its join: ``process_starts`` right after its first
    ``estimation``, which put it at rank 0. A start that came after the call's cancel
    was the cancel's doing (Gradio 6.31 starts a cancelled queued call), not the join's."""
    kinds = call.messages[:2]
    return (len(kinds) == 2 and kinds[0][1].get("msg") == "estimation"
            and kinds[0][1].get("rank") == 0 and kinds[1][1].get("msg") == "process_starts"
            and kinds[1][0] - kinds[0][0] <= within
            and (call.cancelled_at is None or kinds[1][0] < call.cancelled_at))


def _call_lines(call: CallRecording, times: CallTimes) -> list[str]:
    lines = [f"id = {toml_value(call.id)}", f"api_name = {toml_value(call.api_name)}"]
    if call.args and not _has_none(call.args):
        lines.append(f"args = {toml_value(call.args)}")
    if call.kwargs and not _has_none(call.kwargs):
        lines.append(f"kwargs = {toml_value(call.kwargs)}")
    lines.append(f"at = {toml_value(times.at)}")
    if times.cancel_at is not None:
        lines.append(f"cancel_at = {toml_value(times.cancel_at)}")
    if times.timeout is not None:
        lines.append(f"timeout = {toml_value(times.timeout)}")
    return lines


def _expect_lines(call: CallRecording, rec: Recording) -> list[str]:
    if not call.outcome:
        return []
    outcome = call.outcome
    if outcome == "KeyError" and call.cancelled_at is not None:
        outcome = "CancelledError"  # the client's cancel race (PROTOCOL.md 4.3)
    known = ("result", "AppError", "QueueError", "ValidationError", "CancelledError",
             "TimeoutError", "KeyError", "ValueError", "HTTPStatusError")
    if outcome not in known:
        return [f"# outcome {outcome!r} cannot be written as an expectation"]
    lines = [f"outcome = {toml_value(outcome)}"]
    if outcome == "result" and not _has_none(call.result):
        lines.append(f"result = {toml_value(call.result)}")
    if outcome == "AppError" and call.message:
        error = _unquote(call.message.split("exception: ", 1)[-1], rec.gradio)
        lines.append(f"message = {toml_value(error)}")
    if call.title and outcome == "AppError" and call.title != "Error":
        lines.append(f"title = {toml_value(call.title)}")
    gen = [m for m in call.kinds() if m == "process_generating"]
    if gen and call.outputs and not _has_none(call.outputs):
        lines.append(f"outputs = {toml_value(call.outputs)}")
    return lines


def _exact_scripts(rec: Recording, models: Sequence[EndpointModel],
                   times: Mapping[str, CallTimes]) -> dict[str, list[str]]:
    """The ``script = [...]`` lines of each call that can replay exactly.

    A call left on the queue model (a refused join, a cancel, a null value) sees the
    fake's queue, where scripted calls are not: so a call whose life overlaps such a
    call's stays on the queue model too, and so on, until none overlaps."""
    by_name = {m.api_name: m for m in models}
    scripts: dict[str, list[str]] = {}
    for call in rec.calls:
        model = by_name.get(call.api_name)
        if model is not None and call.join_status in (None, 200):
            lines = _script_lines(_script_of(call, model, rec, times[call.id].at))
            if lines:
                scripts[call.id] = lines

    def span(call: CallRecording) -> tuple[float, float]:
        ends = [float(t) for t, _ in call.messages] + [float(t) for t, _ in call.statuses]
        ends += [t for t in (call.ended_at, call.cancelled_at) if t is not None]
        return times[call.id].at, max(ends, default=math.inf)

    changed = True
    while changed:
        changed = False
        modelled = [span(c) for c in rec.calls if c.id not in scripts]
        for call in rec.calls:
            if call.id not in scripts:
                continue
            lo, hi = span(call)
            if any(a <= hi and lo <= b for a, b in modelled):
                del scripts[call.id]
                changed = True
    return scripts


_STEP_KEYS = {"estimation": ("rank", "queue_size", "eta"), "process_starts": ("eta",),
              "progress": ("progress", "index", "length", "unit", "desc")}


def _script_lines(script: Sequence[tuple[float, str, Any]] | None) -> list[str]:
    """``script = [...]`` for a call's scenario table: one inline table per message; nothing
    when there is no exact script or TOML cannot write it (a null value)."""
    if script is None:
        return []
    tables: list[dict[str, Any]] = []
    for at, kind, fields in script:
        table: dict[str, Any] = {"at": at, "kind": kind}
        if kind in _STEP_KEYS:
            given = dict(fields or {})
            if set(given) - set(_STEP_KEYS[kind]):
                return []
            table.update({k: v for k, v in given.items() if v is not None})
        elif kind == "log":
            table.update(level=fields[0], message=fields[1])
        elif kind == "process_completed" and isinstance(fields, Mapping) and "error" in fields:
            table["error"] = fields["error"]
        else:
            if _has_none(fields):
                return []
            table["value"] = fields
        if any(isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0
               for v in table.values()):
            return []  # the schema wants times and counts >= 0
        tables.append(table)
    return ["script = ["] + [f"  {toml_value(t)}," for t in tables] + ["]"]


# -- a Python replay ----------------------------------------------------------------------------
def _script_of(call: CallRecording, model: EndpointModel, rec: Recording,
               t0: float) -> list[tuple[float, str, Any]] | None:
    """The exact timeline of a recorded call as ``script=`` steps, from its join at ``t0``."""
    steps: list[tuple[float, str, Any]] = []
    several = len(model.outputs) > 1
    yields = iter(_full_yields(call, str(rec.config.get("protocol") or "sse_v3")))
    gradio = rec.gradio
    for t, msg in call.messages:
        at = round(max(t - t0, steps[-1][0] if steps else 0.0, 0.0), 4)
        kind = msg.get("msg")
        if kind == "estimation":
            steps.append((at, kind, {"rank": msg.get("rank"), "queue_size": msg.get("queue_size"),
                                     "eta": msg.get("rank_eta")}))
        elif kind == "process_starts":
            steps.append((at, kind, {"eta": msg.get("eta")}))
        elif kind == "progress":
            units = msg.get("progress_data") or [{}]
            steps.append((at, kind, dict(units[-1])))
        elif kind == "log":
            steps.append((at, kind, (msg.get("level") or "info", str(msg.get("log")))))
        elif kind == "process_generating":
            values = next(yields, [])
            steps.append((at, kind, values if several else (values[0] if values else None)))
        elif kind == "process_completed":
            output = msg.get("output") or {}
            if not output:
                return None  # a cancel's empty completion: not scriptable
            if "error" in output:
                text = output.get("error")
                steps.append((at, kind, {"error": _unquote(str(text), gradio)
                                         if text is not None else "error"}))
            else:
                data = list(output.get("data") or [])
                steps.append((at, kind, data if several else (data[0] if data else None)))
        else:
            return None
    return steps if steps and steps[-1][1] == "process_completed" else None


def _python_replay(rec: Recording, *, exact: bool,
                   concurrency: Mapping[str, int | None]) -> str:
    models = rec.endpoints()
    times = call_times(rec, models)
    out = [f'"""Replay of {rec.url} (Gradio {rec.gradio}, gradio_client {rec.client}).',
           "",
           "Written by `gradio-fake record --python`. Use::",
           "",
           "    from gradio_fake import FakeGradio",
           "    with FakeGradio() as fake:",
           "        space = declare(fake)",
           "        outcomes = run(fake)",
           '"""', "", "from __future__ import annotations", "", "import math",
           "from typing import Any", "",
           "from gradio_fake import Error, FakeGradio, Space", "",
           "GRADIO = " + repr(rec.emulated_version), "URL = " + repr(rec.url), "",
           "", "def declare(fake: FakeGradio) -> Space:",
           '    """Declare the recorded app on ``fake``."""',
           f"    space = fake.space(URL, gradio=GRADIO, max_size={_max_size(rec)!r}, "
           f"show_error={bool(rec.config.get('show_error'))!r})"]
    for model in models:
        script = None
        if exact and model.calls:
            scripts = [_script_of(c, model, rec, times[c.id].at) for c in model.calls]
            if scripts[0] is not None and all(s == scripts[0] for s in scripts):
                script = scripts[0]
        args = [f"inputs={model.inputs!r}", f"outputs={model.outputs!r}"]
        if script is not None:
            args.append("script=[\n" + "".join(
                f"            ({at!r}, {kind!r}, {_py_fields(kind, fields)}),\n"
                for at, kind, fields in script) + "        ]")
        else:
            if model.plain_error:
                args.append("fn=_plain_error")
            elif model.handler is not None:
                args.append(f"fn={_PY_HANDLERS[model.handler]}")
            elif model.has_result:
                args.append(f"result={model.result!r}")
            if model.duration:
                args.append("duration=math.inf" if math.isinf(model.duration)
                            else f"duration={model.duration!r}")
            if model.progress:
                args.append(f"progress={model.progress!r}")
            if model.yields and model.handler is None and not model.plain_error:
                args.append(f"yields={model.yields!r}")
            if model.logs:
                args.append(f"logs={model.logs!r}")
            if model.error is not None:
                args.append(f"error=Error({model.error['message']!r}, "
                            f"title={model.error.get('title', 'Error')!r})")
            limit = concurrency.get(model.api_name, model.concurrency_limit)
            if limit != 1:
                args.append(f"concurrency_limit={limit!r}")
        if not model.show_api:
            args.append("show_api=False")
        out.append(f"    space.endpoint({model.api_name!r},\n        "
                   + ",\n        ".join(args) + ")")
    out += ["    return space", "", "",
            "#: The recorded calls: (id, api_name, args, kwargs, at, cancel_at, timeout).",
            "CALLS: list[tuple[str, str, list[Any], dict[str, Any], float, float | None, "
            "float | None]] = ["]
    for call in sorted(rec.calls, key=lambda c: times[c.id].at):
        when = times[call.id]
        out.append(f"    ({call.id!r}, {call.api_name!r}, {call.args!r}, {call.kwargs!r}, "
                   f"{when.at!r}, {when.cancel_at!r}, {when.timeout!r}),")
    out += ["]", "", "", "def _plain_error(*args: Any) -> Any:",
            '    raise RuntimeError("the recorded app raised an exception")', "", "",
            "def run(fake: FakeGradio) -> dict[str, Any]:",
            '    """Make the recorded calls on ``fake`` (after ``declare``), each submit and '
            'cancel at its',
            '    virtual time; the result or the exception of each call."""',
            "    client = fake.client(URL)",
            "    jobs: dict[str, Any] = {}",
            "    actions = sorted([(at, n, 'submit', c) for n, c in enumerate(CALLS) for at in "
            "[c[4]]]",
            "                     + [(c[5], n, 'cancel', c) for n, c in enumerate(CALLS) "
            "if c[5] is not None])",
            "    for when, _, action, (call_id, api_name, args, kwargs, *_) in actions:",
            "        fake.clock.run_until(max(when, fake.clock.now))",
            "        if action == 'submit':",
            "            jobs[call_id] = client.submit(*args, api_name=api_name, **kwargs)",
            "        else:",
            "            jobs[call_id].cancel()",
            "    outcomes: dict[str, Any] = {}",
            "    for call_id, _, _, _, at, _, timeout in CALLS:",
            "        try:",
            "            left = None if timeout is None else max(at + timeout - fake.clock.now, "
            "0.0)",
            "            outcomes[call_id] = jobs[call_id].result(timeout=left)",
            "        except Exception as exc:  # the recorded outcome may be an exception",
            "            outcomes[call_id] = exc",
            "    return outcomes", ""]
    text = "\n".join(out)
    body = text.split("from gradio_fake import", 1)[1]
    if "math.inf" not in body:
        text = text.replace("import math\n", "", 1)
    if not re.search(r"\bError\(", body):
        text = text.replace("from gradio_fake import Error, FakeGradio", "from gradio_fake import "
                            "FakeGradio", 1)
    return text


_PY_HANDLERS = {"echo": "lambda *a: a[0] if len(a) == 1 else a",
                "upper": "lambda x, *_: x.upper()", "reverse": "lambda x, *_: x[::-1]"}


def _py_fields(kind: str, fields: Any) -> str:
    if kind == "process_completed" and isinstance(fields, Mapping) and "error" in fields:
        return f"Error({fields['error']!r})"
    if kind == "progress" and isinstance(fields, Mapping):
        return repr({k: v for k, v in fields.items() if v is not None})
    return repr(fields)


# -- replaying on the fake ----------------------------------------------------------------------
def replay(scenario: str | Path | Scenario, *, seed: int | None = None) -> Recording:
    """Run a scenario on a fresh :class:`~gradio_fake.FakeGradio` with the real client, and
    record it exactly as :func:`record` records a real app (times are virtual)."""
    from gradio_client import __version__ as client_version

    from ._fake import FakeGradio
    from ._scenario import Scenario as ScenarioClass
    from ._scenario import load_scenario

    sc = scenario if isinstance(scenario, ScenarioClass) else load_scenario(scenario)
    with FakeGradio(seed=sc.seed if seed is None else seed) as fake:
        def clock() -> float:
            return fake.clock.now

        wire = WireTap(clock)
        status_tap = StatusTap(clock)
        with wire, status_tap:
            report = sc.run(fake)
    config = _wire_config(wire)
    records = {r.id: r for r in report.calls}
    live: list[_Live] = []
    for call in sorted(sc.calls, key=lambda c: c.at):
        rec = records[call.id]
        spec = CallSpec(call.api_name, tuple(_plain_arg(a) for a in call.args),
                        {k: _plain_arg(v) for k, v in call.kwargs.items()},
                        timeout=call.timeout, id=call.id)
        entry = _Live(spec, call.id, _ReplayedJob(rec), rec.submitted_at)
        entry.cancelled_at = rec.cancelled_at
        entry.ended_at = rec.ended_at
        entry.outcome, entry.result, entry.message = rec.outcome, rec.result, rec.message
        entry.title = rec.title
        live.append(entry)
    _attach(live, status_tap, wire, config)
    return _build(sc.space.target, config, _client_info(None, wire), client_version, wire,
                  status_tap, live, 0.0, source="fake")


def _plain_arg(value: Any) -> Any:
    from ._scenario_build import thaw

    return thaw(value)


class _ReplayedJob:
    """Stands in for a finished Job of a scenario run (its outputs and final status)."""

    def __init__(self, rec: Any) -> None:
        self._rec = rec
        self.communicator: Any = None
        self._final: Any = None
        #: what ``job.status()`` showed last while the scenario ran
        self.final_code: str | None = rec.statuses[-1].code if rec.statuses else None

    def outputs(self) -> list[Any]:
        return list(self._rec.outputs)

    def status(self) -> Any:
        return self._final

    def done(self) -> bool:
        return True


class _FinalStatus:
    def __init__(self, code: Any) -> None:
        self.code = code


def _attach(live: Sequence[_Live], status_tap: StatusTap, wire: WireTap,
            config: Mapping[str, Any]) -> None:
    """Give each replayed call its JobStatus (submit order) and event id (join order)."""
    from gradio_client.utils import Status

    prefix = str(config.get("api_prefix") or "")
    joins = sorted((r for r in wire.requests
                    if r.route(prefix) == "queue/join" and r.method == "POST"),
                   key=lambda r: r.t)
    for index, entry in enumerate(live):
        job: Any = entry.job
        status = status_tap.created[index] if index < len(status_tap.created) else None
        event_id = None
        if index < len(joins) and isinstance(joins[index].response, Mapping):
            value = joins[index].response.get("event_id")
            event_id = value if isinstance(value, str) else None

        class _Communicator:
            pass

        communicator = _Communicator()
        communicator.job = status  # type: ignore[attr-defined]
        communicator.event_id = event_id  # type: ignore[attr-defined]
        job.communicator = communicator
        shown = job.final_code
        if shown is None:
            shown = "CANCELLED" if entry.cancelled_at is not None else "FINISHED"
        job._final = _FinalStatus(Status[shown])
