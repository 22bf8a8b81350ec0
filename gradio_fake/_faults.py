"""The fault catalogue: what can go wrong on the server, placed at a virtual time."""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FAULT_KINDS", "ROUTES", "Fault", "make_fault", "route_of"]

#: kind -> {parameter: (type, default)}
FAULT_KINDS: dict[str, dict[str, tuple[type, Any]]] = {
    # The data stream ends: a clean EOF, or (abrupt) a connection reset mid-body.
    "stream_dropped": {"abrupt": (bool, False)},
    # The app stops: "Server stopped unexpectedly." on every stream, later joins get 503.
    "server_stopped": {},
    # /heartbeat streams go silent (the client notices nothing until it closes).
    "heartbeat_stall": {},
    # Requests to a route get an HTTP error for a number of times.
    "http_error": {"route": (str, "join"), "status": (int, 500), "times": (int, 1),
                   "detail": (str, "")},
}

ROUTES = ("config", "info", "join", "data", "heartbeat", "cancel", "reset", "upload", "file")


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


@dataclass
class Fault:
    """One planned fault; ``at`` is the virtual time it strikes (None: from the start)."""

    kind: str
    at: float | None
    space: str | None
    params: Mapping[str, Any] = field(default_factory=dict)
    used: int = 0

    def __repr__(self) -> str:
        where = f" on {self.space}" if self.space else ""
        when = f" at t={self.at:g}s" if self.at is not None else ""
        extra = "".join(f" {k}={v!r}" for k, v in self.params.items())
        return f"<Fault {self.kind}{when}{where}{extra}>"


def make_fault(kind: str, *, at: float | None = None, space: str | None = None,
               **params: Any) -> Fault:
    """Validate a fault description; ValueError/TypeError naming what is wrong."""
    if kind not in FAULT_KINDS:
        close = difflib.get_close_matches(str(kind), list(FAULT_KINDS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(FAULT_KINDS)}{hint}")
    if at is not None:
        if isinstance(at, bool) or not isinstance(at, (int, float)) or not math.isfinite(at) \
                or at < 0:
            raise ValueError(f"fault at= must be a virtual time >= 0, not {at!r}")
        at = float(at)
    spec = FAULT_KINDS[kind]
    unknown = set(params) - set(spec)
    if unknown:
        allowed = ", ".join(spec) or "none"
        raise TypeError(f"fault {kind!r} got unknown parameters {sorted(unknown)}; "
                        f"allowed: {allowed}")
    values: dict[str, Any] = {}
    for name, (typ, default) in spec.items():
        value = params.get(name, default)
        if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
            raise TypeError(f"fault {kind!r} parameter {name}= must be {typ.__name__}, "
                            f"not {value!r}")
        values[name] = value
    if kind == "http_error":
        if values["route"] not in ROUTES:
            raise ValueError(f"http_error route= must be one of {', '.join(ROUTES)}, "
                             f"not {values['route']!r}")
        if not 400 <= values["status"] <= 599:
            raise ValueError(f"http_error status= must be an HTTP error code (400-599), "
                             f"not {values['status']!r}")
        if values["times"] < 1:
            raise ValueError(f"http_error times= must be >= 1, not {values['times']!r}")
    return Fault(kind, at, space, values)
