"""The recorder's taps: what the real client sent and received, and what it built.

:class:`WireTap` tees every HTTP request and SSE message at the httpx transport;
:class:`StatusTap` sees every ``StatusUpdate`` the client builds. Both are
pass-through: the client is unmodified and nothing is delayed. Used by
:func:`gradio_fake._record.record` (against a real app) and
:func:`gradio_fake._record.replay` (against the fake), so both sides are observed the
same way.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx

from ._realtime import REAL

__all__ = ["StatusTap", "WireMessage", "WireRequest", "WireTap"]

_Clock = Callable[[], float]


# -- the wire tap ------------------------------------------------------------------------
@dataclass(frozen=True)
class WireRequest:
    """One HTTP exchange seen at the transport: times are the tap's clock."""

    t: float
    method: str
    url: str
    status: int | None
    body: Any
    response: Any = None
    t_done: float | None = None
    error: str | None = None

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    def route(self, prefix: str = "") -> str:
        """The path without the app root's path and api prefix, e.g. ``queue/join``."""
        path = self.path
        if prefix and prefix in path:
            path = path.split(prefix, 1)[1]
        return path.strip("/")


@dataclass(frozen=True)
class WireMessage:
    """One SSE message as it came out of the transport."""

    t: float
    session: str | None
    msg: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.msg.get("msg"))

    @property
    def event_id(self) -> str | None:
        value = self.msg.get("event_id")
        return value if isinstance(value, str) else None


class _TeeStream(httpx.SyncByteStream):
    """Passes a response body through unchanged, showing each chunk to the tap."""

    def __init__(self, inner: Any, on_chunk: Callable[[bytes], None],
                 on_close: Callable[[], None]) -> None:
        self._inner = inner
        self._on_chunk = on_chunk
        self._on_close = on_close
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._on_chunk(chunk)
            yield chunk
        self._finish()

    def close(self) -> None:
        try:
            close = getattr(self._inner, "close", None)
            if close is not None:
                close()
        finally:
            self._finish()

    def _finish(self) -> None:
        if not self._closed:
            self._closed = True
            self._on_close()


_T = TypeVar("_T", bound="_Tap")


class _Tap:
    """Something installed into gradio_client/httpx while recording; a context manager."""

    def install(self) -> None:
        raise NotImplementedError

    def uninstall(self) -> None:
        raise NotImplementedError

    def __enter__(self: _T) -> _T:
        self.install()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.uninstall()


class WireTap(_Tap):
    """Tees every httpx request, response body and SSE message, while installed.

    A pass-through wrapper around ``httpx.HTTPTransport.handle_request``: requests go
    where they were going (a real server, or a :class:`~gradio_fake.FakeGradio` that is
    already active, whose interception it wraps), bodies reach the client unchanged.
    ``clock`` stamps every record (real ``time.monotonic`` by default; a fake's
    ``clock.now`` for virtual time). Use as a context manager; install it *inside* an
    active fake's context so they are undone in reverse order.
    """

    def __init__(self, clock: _Clock | None = None, *, body_limit: int = 1 << 20) -> None:
        self.clock: _Clock = clock or REAL.monotonic
        self.body_limit = body_limit
        self.requests: list[WireRequest] = []
        self.messages: list[WireMessage] = []
        self._listeners: list[Callable[[WireMessage], None]] = []
        self._lock = threading.Lock()
        self._saved: Any = None
        self._heartbeats: list[httpx.Response] = []

    def on_message(self, listener: Callable[[WireMessage], None]) -> None:
        """Call ``listener(message)`` for each SSE message, from the client's reader thread."""
        self._listeners.append(listener)

    def install(self) -> None:
        if self._saved is not None:
            raise RuntimeError("this WireTap is already installed")
        original = httpx.HTTPTransport.handle_request
        tap = self

        def handle_request(transport: Any, request: httpx.Request) -> httpx.Response:
            return tap._exchange(original, transport, request)

        self._saved = original
        setattr(httpx.HTTPTransport, "handle_request", handle_request)  # noqa: B010

    def uninstall(self) -> None:
        if self._saved is not None:
            setattr(httpx.HTTPTransport, "handle_request", self._saved)  # noqa: B010
            self._saved = None

    # -- recording --------------------------------------------------------------------
    def _exchange(self, original: Any, transport: Any, request: httpx.Request) -> httpx.Response:
        t = self.clock()
        body = _json_or_none(request.content) if request.content else None
        url = str(request.url)
        try:
            response: httpx.Response = original(transport, request)
        except Exception as exc:
            self._add_request(WireRequest(t, request.method, url, None, body, None, self.clock(),
                                          f"{type(exc).__name__}: {exc}"))
            raise
        content_type = response.headers.get("content-type", "")
        status = response.status_code
        if "event-stream" in content_type:
            if "/heartbeat/" in url:
                self._add_request(WireRequest(t, request.method, url, status, body))
                with self._lock:
                    self._heartbeats.append(response)
                return response
            session = parse_qs(urlsplit(url).query).get("session_hash", [None])[0]
            buffer = bytearray()

            def on_chunk(chunk: bytes) -> None:
                buffer.extend(chunk)
                while b"\n" in buffer:
                    line, _, rest = bytes(buffer).partition(b"\n")
                    buffer[:] = rest
                    line = line.rstrip(b"\r")
                    if line.startswith(b"data:"):
                        msg = _json_or_none(line[5:])
                        if isinstance(msg, dict):
                            self._add_message(WireMessage(self.clock(), session, msg))

            self._add_request(WireRequest(t, request.method, url, status, body))
            stream = _TeeStream(response.stream, on_chunk, lambda: None)
        else:
            chunks: list[bytes] = []
            size = [0]

            def keep(chunk: bytes) -> None:
                if size[0] < self.body_limit:
                    chunks.append(chunk)
                    size[0] += len(chunk)

            def done() -> None:
                self._add_request(WireRequest(t, request.method, url, status, body,
                                              _json_or_none(b"".join(chunks)), self.clock()))

            stream = _TeeStream(response.stream, keep, done)
        return httpx.Response(status, headers=response.headers, stream=stream,
                              extensions=response.extensions, request=request)

    def _add_request(self, entry: WireRequest) -> None:
        with self._lock:
            self.requests.append(entry)

    def _add_message(self, entry: WireMessage) -> None:
        with self._lock:
            self.messages.append(entry)
        for listener in list(self._listeners):
            listener(entry)

    def end_heartbeats(self) -> None:
        """Shut down the connections of the heartbeat streams that went through the tap.

        gradio_client's heartbeat thread checks ``close()``'s kill flag only when the
        next line arrives: every 15 s on a real server. Shutting the socket down ends its
        read at once with a transport error, on which the thread returns. Streams with
        no socket (an in-process fake) are left alone: they end when told.
        """
        with self._lock:
            responses = list(self._heartbeats)
        for response in responses:
            stream = response.extensions.get("network_stream")
            get_extra_info = getattr(stream, "get_extra_info", None)
            sock = get_extra_info("socket") if get_extra_info is not None else None
            if isinstance(sock, socket.socket):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def messages_for(self, event_id: str) -> list[WireMessage]:
        with self._lock:
            return [m for m in self.messages if m.event_id == event_id]


def _json_or_none(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None


# -- the status tap ------------------------------------------------------------------------
class StatusTap(_Tap):
    """Sees every ``StatusUpdate`` the client builds for every job, in order.

    gradio_client keeps a job's state in a ``JobStatus`` (``job.communicator.job``); its
    reader assigns ``latest_status`` once per message, and ``Job.status()`` returns it.
    While installed, each assignment is also recorded with the tap's clock. The client
    creates one ``JobStatus`` per ``submit``, in the submitting thread, so
    :attr:`created` is in submit order.
    """

    def __init__(self, clock: _Clock | None = None) -> None:
        self.clock: _Clock = clock or REAL.monotonic
        self.created: list[Any] = []
        self._seen: dict[int, list[tuple[float, Any]]] = {}
        self._lock = threading.Lock()
        self._cls: Any = None
        self._had_own: bool = False
        self._saved: Any = None

    def install(self) -> None:
        from gradio_client import utils

        cls = utils.JobStatus
        tap = self
        base_setattr = cls.__setattr__

        def __setattr__(status: Any, name: str, value: Any) -> None:
            base_setattr(status, name, value)
            if name == "latest_status":
                tap._note(status, value)

        self._cls = cls
        self._had_own = "__setattr__" in cls.__dict__
        self._saved = cls.__dict__.get("__setattr__")
        cls.__setattr__ = __setattr__

    def uninstall(self) -> None:
        if self._cls is None:
            return
        if self._had_own:
            self._cls.__setattr__ = self._saved
        else:
            del self._cls.__setattr__
        self._cls = None

    def _note(self, status: Any, update: Any) -> None:
        with self._lock:
            key = id(status)
            if key not in self._seen:
                self._seen[key] = []
                self.created.append(status)
            self._seen[key].append((self.clock(), update))

    def updates(self, job_status: Any) -> list[tuple[float, Any]]:
        """Every ``(time, StatusUpdate)`` of one ``JobStatus``, the initial STARTING first."""
        with self._lock:
            return list(self._seen.get(id(job_status), []))
