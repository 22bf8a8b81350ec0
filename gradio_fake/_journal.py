"""The journal: every request, every emitted message and every fault, by virtual time.

It is also the assertion API (as respx's ``calls`` or pytest-httpx's
``get_requests``): ``fake.journal.requests`` and ``fake.journal.messages`` are lists
you can call to filter, and the journal answers the common questions directly::

    join = fake.journal.requests(route="join", space="acme/echo").last
    assert fake.journal.sent(job)["data"] == ["hi"]
    assert fake.journal.messages(msg="progress", job=job, until=10.0)
    assert fake.journal.was_cancelled(job)
    assert fake.journal.joins(space="acme/echo") == 3

Filters are keyword-only and combine with *and*; ``since``/``until`` are inclusive
virtual times. ``job=`` takes a ``gradio_client.Job`` submitted while the fake was
active, or an event id. See docs/journal.md.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from ._faults import FAULT_HEADER, route_of
from ._http import HttpReply, HttpRequest

if TYPE_CHECKING:
    from ._app import AppServer
    from ._clientsync import ClientSync, TrackedJob
    from ._simulator import SimMessage

__all__ = ["FaultRecord", "Journal", "MessageList", "MessageRecord", "RequestList",
           "RequestRecord"]


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP request the fake answered (or refused).

    ``status`` is None when nothing answered it: no fake serves the URL (``error``
    None: *unserved*), the fake failed (``error`` says how), or a fault made the
    client give up (``error`` names the exception and ``fault`` the fault).
    """

    time: float
    method: str
    url: str
    path: str
    space: str | None
    status: int | None
    json: Any
    response: Any
    session: str | None
    event_id: str | None
    error: str | None = None
    seq: int = 0
    #: the Gradio route (``"join"``, ``"data"``, ``"cancel"``... see ``ROUTES``), or None.
    route: str | None = None
    #: the endpoint a join called (``"/predict"``), when the Space knows its ``fn_index``.
    api_name: str | None = None
    #: the fault that answered this request instead of the Space, if one did.
    fault: str | None = None

    @property
    def unserved(self) -> bool:
        """No fake served it (the network was off, or passed it through)."""
        return self.status is None and self.error is None


@dataclass(frozen=True)
class MessageRecord:
    """One SSE message the server produced for an event (before delivery)."""

    time: float
    space: str
    session: str | None
    event_id: str
    msg: str
    payload: dict[str, Any]
    seq: int = 0
    #: the fault that added this message (a repeat, an injected message), or withheld it.
    fault: str | None = None
    #: a fault kept it from being sent (``missing_completion``).
    withheld: bool = False


@dataclass(frozen=True)
class FaultRecord:
    """Something a fault did (armed, ended streams, wrote a bad line...)."""

    time: float
    kind: str
    space: str | None
    event_id: str | None
    detail: str
    seq: int = 0


def _try_json(data: bytes) -> Any:
    if not data:
        return None
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None


_R = TypeVar("_R", bound="RequestRecord | MessageRecord | FaultRecord")


def _space_name(space: Any) -> str | None:
    return None if space is None else str(getattr(space, "name", space))


def _in_time(record: RequestRecord | MessageRecord | FaultRecord, since: float | None,
             until: float | None) -> bool:
    return (since is None or record.time >= since) and (until is None or record.time <= until)


class _Records(list[_R]):
    """A list of records that can be called to filter it; ``.last``, ``.first``, ``.one()``."""

    def __init__(self, journal: Journal, items: Iterable[_R] = ()) -> None:
        super().__init__(items)
        self._journal = journal

    @property
    def first(self) -> _R:
        """The earliest record (``AssertionError`` with the timeline if there is none)."""
        if not self:
            raise AssertionError(f"no such record in the journal:\n{self._journal.render()}")
        return self[0]

    @property
    def last(self) -> _R:
        """The latest record (``AssertionError`` with the timeline if there is none)."""
        if not self:
            raise AssertionError(f"no such record in the journal:\n{self._journal.render()}")
        return self[-1]

    def one(self) -> _R:
        """The only record (``AssertionError`` with the records or the timeline otherwise)."""
        if len(self) != 1:
            found = "\n".join(f"  {r!r}" for r in self) or self._journal.render()
            raise AssertionError(f"expected exactly one record, found {len(self)}:\n{found}")
        return self[0]


class RequestList(_Records[RequestRecord]):
    """Requests, in order; call it to filter: ``journal.requests(route="join")``."""

    def __call__(self, *, path: str | None = None, method: str | None = None,
                 route: str | None = None, api_name: str | None = None, space: Any = None,
                 session: str | None = None, event_id: str | None = None, job: Any = None,
                 status: int | None = None, fault: str | None = None,
                 since: float | None = None, until: float | None = None) -> RequestList:
        """The requests matching every filter given.

        ``path`` matches the URL path, or the path under the Space root with the api
        prefix removed (``"/queue/join"`` matches ``/gradio_api/queue/join`` too); it
        may hold ``*`` wildcards. ``method`` is case-insensitive. ``job`` selects the
        requests carrying its event id (its join, ``/cancel``, ``/reset``).
        """
        wanted = self._journal.event_id(job) if job is not None else event_id
        api = None if api_name is None else "/" + api_name.lstrip("/")
        name = _space_name(space)
        verb = method.upper() if method is not None else None
        return RequestList(self._journal, [
            r for r in list(self)
            if (path is None or _path_matches(r, path)) and (verb is None or r.method == verb)
            and (route is None or r.route == route) and (api is None or r.api_name == api)
            and (name is None or r.space == name) and (session is None or r.session == session)
            and (wanted is None or r.event_id == wanted)
            and (status is None or r.status == status) and (fault is None or r.fault == fault)
            and _in_time(r, since, until)])


class MessageList(_Records[MessageRecord]):
    """Messages, in order; call it to filter: ``journal.messages(msg="progress", job=job)``."""

    def __call__(self, *, msg: str | None = None, job: Any = None, event_id: str | None = None,
                 space: Any = None, session: str | None = None, fault: str | None = None,
                 withheld: bool = False, since: float | None = None,
                 until: float | None = None) -> MessageList:
        """The messages matching every filter given; withheld ones only with ``withheld=True``."""
        wanted = self._journal.event_id(job) if job is not None else event_id
        name = _space_name(space)
        return MessageList(self._journal, [
            m for m in list(self)
            if (msg is None or m.msg == msg) and (wanted is None or m.event_id == wanted)
            and (name is None or m.space == name) and (session is None or m.session == session)
            and (fault is None or m.fault == fault) and (withheld or not m.withheld)
            and _in_time(m, since, until)])


class FaultList(_Records[FaultRecord]):
    """What faults did, in order; call it to filter: ``journal.faults(kind="slow_join")``."""

    def __call__(self, *, kind: str | None = None, job: Any = None,
                 event_id: str | None = None, space: Any = None, since: float | None = None,
                 until: float | None = None) -> FaultList:
        """The fault records matching every filter given."""
        wanted = self._journal.event_id(job) if job is not None else event_id
        name = _space_name(space)
        return FaultList(self._journal, [
            f for f in list(self)
            if (kind is None or f.kind == kind) and (wanted is None or f.event_id == wanted)
            and (name is None or f.space == name) and _in_time(f, since, until)])


def _path_matches(record: RequestRecord, pattern: str) -> bool:
    candidates = [record.path]
    if record.route is not None:
        marker = {"heartbeat": "/heartbeat/", "file": "/file="}.get(record.route)
        tail = _ROUTE_PATHS.get(record.route)
        if marker is not None and marker in record.path:
            candidates.append(record.path[record.path.index(marker):])
        elif tail is not None:
            candidates.append(tail)
    wild = any(ch in pattern for ch in "*?[")
    return any(fnmatch.fnmatchcase(c, pattern) if wild else c == pattern for c in candidates)


_ROUTE_PATHS = {"config": "/config", "info": "/info", "join": "/queue/join",
                "data": "/queue/data", "cancel": "/cancel", "reset": "/reset",
                "upload": "/upload"}


class Journal:
    """Append-only record of a fake's traffic, by virtual time, and the questions about it.

    ``requests``, ``messages`` and ``faults`` are lists (oldest first) that filter
    when called. The world appends; tests read.
    """

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self.requests: RequestList = RequestList(self)
        self.messages: MessageList = MessageList(self)
        self.faults: FaultList = FaultList(self)
        self._seq = 0
        self._sync: ClientSync | None = None

    def attach(self, sync: ClientSync) -> None:
        """Let ``job=`` filters find a ``gradio_client.Job``'s event id through ``sync``."""
        self._sync = sync

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    # -- recording (the world's side) ---------------------------------------------------
    def request(self, req: HttpRequest, reply: HttpReply | None, *, app: AppServer | None = None,
                error: BaseException | None = None) -> None:
        """Record one request and what answered it."""
        body = _try_json(req.body) if "json" in req.headers.get("content-type", "") else None
        response = _try_json(reply.body) if reply is not None and reply.stream is None else None
        session = None
        if isinstance(body, dict):
            session = body.get("session_hash")
        session = session or req.query.get("session_hash")
        event_id = response.get("event_id") if isinstance(response, dict) else None
        if event_id is None and isinstance(body, dict):
            event_id = body.get("event_id")
        status = reply.status if reply is not None else None
        problem = repr(error) if error is not None else None
        fault = reply.headers.get(FAULT_HEADER) if reply is not None else None
        timed_out = getattr(reply.stream, "journal_error", None) if reply is not None else None
        if isinstance(timed_out, str):
            status, problem = None, timed_out
        route = api_name = None
        if app is not None:
            root = urlsplit(app.space.root).path.rstrip("/")
            rel = req.path[len(root):] if req.path.startswith(root) else req.path
            route = route_of(rel or "/", app.prefix)
            if route == "heartbeat" and session is None:
                session = rel.rsplit("/", 1)[-1] or None
            if route == "join" and isinstance(body, dict) and isinstance(body.get("fn_index"),
                                                                         int):
                ep = app.endpoint_for(body["fn_index"])
                api_name = ep.route if ep is not None and ep.api_name else None
        self.requests.append(RequestRecord(
            self._now(), req.method.upper(), req.url, req.path,
            app.space.name if app is not None else None, status, body, response,
            session if isinstance(session, str) else None, event_id, problem, self._next(),
            route, api_name, fault))

    def message(self, app: AppServer, msg: SimMessage, payload: dict[str, Any], *,
                fault: str | None = None) -> None:
        """Record one message the Space produced (``fault``: the fault that added it)."""
        self.messages.append(MessageRecord(msg.time, app.space.name, msg.session,
                                           msg.event_id, msg.kind, payload, self._next(),
                                           fault))

    def withhold(self, payload: dict[str, Any], fault: str) -> None:
        """The message recorded with ``payload`` was withheld by ``fault``: never sent."""
        for i in range(len(self.messages) - 1, -1, -1):
            if self.messages[i].payload is payload:
                self.messages[i] = replace(self.messages[i], fault=fault, withheld=True)
                return

    def fault(self, kind: str, space: str | None, event_id: str | None, detail: str) -> None:
        """Record something a fault did."""
        self.faults.append(FaultRecord(self._now(), kind, space, event_id, detail,
                                       self._next()))

    # -- questions ---------------------------------------------------------------------
    def _tracked(self, job: Any) -> TrackedJob:
        tracked = self._sync.lookup(job) if self._sync is not None else None
        if tracked is None:
            raise LookupError(f"{job!r} is not a gradio_client Job submitted while this fake "
                              f"was active (pass its event id instead)")
        return tracked

    def event_id(self, job: Any) -> str:
        """The event id the server gave ``job`` (a ``gradio_client.Job``; a str is returned
        as is). ``LookupError`` if it is not a job of this fake, or its join failed."""
        if isinstance(job, str):
            return job
        tracked = self._tracked(job)
        if tracked.event_id is None:
            raise LookupError(f"{tracked.name} has no event id: the server did not accept its "
                              f"join (see journal.join(job))")
        return tracked.event_id

    def join(self, job: Any) -> RequestRecord:
        """The ``queue/join`` request of ``job`` (accepted or not)."""
        if isinstance(job, str):
            return self.requests(route="join", method="POST", event_id=job).one()
        tracked = self._tracked(job)
        if tracked.event_id is not None:
            return self.requests(route="join", method="POST", event_id=tracked.event_id).one()
        # A refused join has no event id: the client's joins go out in the order of its
        # submits (the fake makes sure), so the job's place among its client's jobs is
        # its join's place among that session's joins.
        assert self._sync is not None
        mine = [t for t in self._sync.jobs if t.client is tracked.client]
        session = getattr(tracked.client, "session_hash", None)
        joins = self.requests(route="join", method="POST", session=session)
        index = next(i for i, t in enumerate(mine) if t is tracked)
        if index >= len(joins):
            raise LookupError(f"{tracked.name} never sent its join:\n{self.render()}")
        return joins[index]

    def sent(self, job: Any) -> Any:
        """The JSON body ``job``'s join carried (``{"data": [...], "fn_index": ...}``)."""
        return self.join(job).json

    def was_cancelled(self, job: Any) -> bool:
        """Whether the server got a ``/cancel`` for ``job``."""
        return bool(self.requests(route="cancel", event_id=self.event_id(job)))

    def joins(self, space: Any = None, *, accepted: bool = False) -> int:
        """How many ``queue/join`` requests the server got (``accepted``: answered 200)."""
        found = self.requests(route="join", method="POST", space=space)
        return sum(1 for r in found if not accepted or r.status == 200)

    def timeline(self, job: Any = None) -> str:
        """A readable rendering by virtual time (of one job's requests and messages)."""
        return self.render(event_id=self.event_id(job) if job is not None else None)

    def unserved(self) -> RequestList:
        """Requests no fake served (they failed with a connection error, or went out)."""
        return RequestList(self, [r for r in list(self.requests) if r.unserved])

    def strict_problems(self, scripted_calls: Iterable[tuple[Any, str]] = ()) -> list[str]:
        """What strict mode fails a test for; empty when all is well.

        - a scripted call never made: each ``(space, api_name)`` of ``scripted_calls``
          (``space`` a Space, its name, or None for any) needs at least one join;
        - a request no fake served, or one the fake failed on.
        """
        problems = []
        for space, api_name in scripted_calls:
            api = "/" + str(api_name).lstrip("/")
            if not self.requests(route="join", space=space, api_name=api):
                where = f" of {_space_name(space)}" if space is not None else ""
                problems.append(f"scripted call {api}{where} was never made")
        for r in list(self.requests):
            if r.unserved:
                problems.append(f"t={r.time:g}s {r.method} {r.url} matched no fake Space or "
                                f"Hub route (unserved)")
            elif r.status is None and r.fault is None:
                problems.append(f"t={r.time:g}s {r.method} {r.url}: the fake failed: {r.error}")
        return problems

    # -- rendering ---------------------------------------------------------------------
    def render(self, event_id: str | None = None) -> str:
        """A readable timeline: requests, messages and faults by virtual time."""
        rows: list[tuple[float, int, str]] = []
        for r in list(self.requests):
            if event_id is not None and r.event_id not in (None, event_id):
                continue
            if "/heartbeat/" in r.path:
                continue  # opened by a client thread whenever it gets to it: not part of the story
            status: object = r.status if r.status is not None else (
                "error" if r.error is not None else "unserved")
            mark = f" [fault: {r.fault}]" if r.fault else ""
            rows.append((r.time, r.seq, f"{r.method:<5} {r.path} -> {status}{mark}"))
        for m in list(self.messages):
            if event_id is not None and m.event_id != event_id:
                continue
            detail = {k: v for k, v in m.payload.items() if k not in ("msg", "event_id")}
            text = json.dumps(detail, separators=(",", ":"), default=str)
            if len(text) > 100:
                text = text[:97] + "..."
            mark = ""
            if m.withheld:
                mark = f" [withheld: {m.fault}]"
            elif m.fault:
                mark = f" [fault: {m.fault}]"
            rows.append((m.time, m.seq, f"  {m.event_id[:8]} {m.msg} {text}{mark}"))
        for f in list(self.faults):
            if event_id is not None and f.event_id not in (None, event_id):
                continue
            rows.append((f.time, f.seq, f"!! fault {f.kind}: {f.detail}"))
        rows.sort()
        if not rows:
            return "  (nothing happened)"
        return "\n".join(f"  t={t:>9.3f}s {line}" for t, _, line in rows)

    def tail(self, n: int = 12) -> str:
        """The last ``n`` lines of :meth:`render`."""
        lines = self.render().splitlines()
        return "Last events:\n" + "\n".join(lines[-n:])
