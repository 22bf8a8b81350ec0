"""The journal: every request and every emitted message, stamped with virtual time."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._http import HttpReply, HttpRequest

if TYPE_CHECKING:
    from ._app import AppServer
    from ._simulator import SimMessage

__all__ = ["Journal", "MessageRecord", "RequestRecord"]


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP request the fake answered (or refused)."""

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


def _try_json(data: bytes) -> Any:
    if not data:
        return None
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None


class Journal:
    """Append-only record of a fake's traffic, by virtual time."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self.requests: list[RequestRecord] = []
        self.messages: list[MessageRecord] = []
        self._seq = 0

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def request(self, req: HttpRequest, reply: HttpReply | None, *, app: AppServer | None = None,
                error: BaseException | None = None) -> None:
        body = _try_json(req.body) if "json" in req.headers.get("content-type", "") else None
        response = _try_json(reply.body) if reply is not None and reply.stream is None else None
        session = None
        if isinstance(body, dict):
            session = body.get("session_hash")
        session = session or req.query.get("session_hash")
        event_id = response.get("event_id") if isinstance(response, dict) else None
        if event_id is None and isinstance(body, dict):
            event_id = body.get("event_id")
        self.requests.append(RequestRecord(
            self._now(), req.method.upper(), req.url, req.path,
            app.space.name if app is not None else None,
            reply.status if reply is not None else None, body, response, session, event_id,
            repr(error) if error is not None else None, self._next()))

    def message(self, app: AppServer, msg: SimMessage, payload: dict[str, Any]) -> None:
        self.messages.append(MessageRecord(msg.time, app.space.name, msg.session,
                                           msg.event_id, msg.kind, payload, self._next()))

    def render(self, event_id: str | None = None) -> str:
        """A readable timeline: requests and messages by virtual time."""
        rows: list[tuple[float, int, str]] = []
        for r in self.requests:
            if event_id is not None and r.event_id not in (None, event_id):
                continue
            if "/heartbeat/" in r.path:
                continue  # opened by a client thread whenever it gets to it: not part of the story
            status = r.status if r.status is not None else "unserved"
            rows.append((r.time, r.seq, f"{r.method:<5} {r.path} -> {status}"))
        for m in self.messages:
            if event_id is not None and m.event_id != event_id:
                continue
            detail = {k: v for k, v in m.payload.items() if k not in ("msg", "event_id")}
            text = json.dumps(detail, separators=(",", ":"), default=str)
            if len(text) > 100:
                text = text[:97] + "..."
            rows.append((m.time, m.seq, f"  {m.event_id[:8]} {m.msg} {text}"))
        rows.sort()
        if not rows:
            return "  (nothing happened)"
        return "\n".join(f"  t={t:>9.3f}s {line}" for t, _, line in rows)

    def tail(self, n: int = 12) -> str:
        lines = self.render().splitlines()
        return "Last events:\n" + "\n".join(lines[-n:])
