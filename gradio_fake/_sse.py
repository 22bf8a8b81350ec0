"""Server-sent-event streams of the fake: per-session outboxes and open connections.

Gradio buffers each session's messages and writes them to the session's open
``GET queue/data`` response. We do the same, with one difference that the real
client needs: a message is handed to the connection only once the client can
take it (its event is registered, see PROTOCOL.md trap 8; a cancelled job's
completion waits for its ``/reset``, trap 10). The world decides that through
``can_deliver``; this module only frames, buffers and blocks.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["Outgoing", "SessionChannel", "SseConnection", "StreamAborted", "frame"]

# How long a blocked reader sleeps between checks of its own accord (real seconds).
# Wake-ups come from notifications; this only bounds a missed one.
_WAIT_SLICE = 0.25
# Bytes per chunk handed to the reader when many frames go out at once. gradio_client 2.x
# splits its read buffer once per frame (quadratic in a chunk's size) and httpx costs a
# little per chunk; a few KB, like one socket read, keeps both small.
_CHUNK = 4096


class StreamAborted(Exception):
    """The server dropped the connection mid-stream (transports turn it into their own error)."""


_COMPACT = json.JSONEncoder(separators=(",", ":"))  # json.dumps(..., separators=...) per call


def frame(payload: dict[str, Any]) -> bytes:
    """One SSE event exactly as Gradio writes it: ``data: <compact json>\\n\\n``."""
    return b"data: " + _COMPACT.encode(payload).encode() + b"\n\n"


@dataclass
class Outgoing:
    """A shaped message waiting in a session's outbox."""

    time: float
    event_id: str | None
    payload: dict[str, Any]
    terminal: bool = False
    gate: str | None = None


class SseConnection:
    """One open ``GET queue/data`` response; iterated by the client's reader thread."""

    def __init__(self, lock: threading.RLock, on_change: Callable[[], None],
                 on_taken: Callable[[list[str]], None],
                 on_block: Callable[[], bool] | None = None) -> None:
        self._cv = threading.Condition(lock)
        # Called when the reader would block; True if it moved time (the test's own
        # thread reading a stream directly must not wait for a clock only it can move).
        self._on_block = on_block
        self._on_change = on_change
        self._on_taken = on_taken
        self._chunks: list[bytes] = []
        self._chunk_events: list[str] = []
        self._in_flight: list[str] = []
        self.ending = False
        self.abort: StreamAborted | None = None
        self.parked = False
        self.client_closed = False
        self.reader: threading.Thread | None = None
        self.remote = False  # read by a serve-mode handler for a client in another process

    # -- server side (world lock held) -------------------------------------------
    def push(self, data: bytes | list[bytes], events: list[str]) -> None:
        """Queue bytes for the reader (a list: one chunk each) and the events they carry."""
        if isinstance(data, bytes):
            self._chunks.append(data)
        else:
            self._chunks.extend(data)
        self._chunk_events.extend(events)
        self._cv.notify_all()

    def end(self, abort: StreamAborted | None = None) -> None:
        self.ending = True
        if abort is not None:
            self.abort = abort
        self._cv.notify_all()

    @property
    def idle(self) -> bool:
        """The reader has taken every byte pushed so far (or the client closed the stream).

        A stream the server is ending is idle only once the client closed it: the
        reader has to see the end (EOF or the abort) before anything else happens.
        """
        return self.client_closed or (self.parked and not self._chunks and not self.ending)

    @property
    def finished(self) -> bool:
        return self.client_closed

    # -- client side ------------------------------------------------------------
    def __iter__(self) -> Iterator[bytes]:
        # Everything pushed so far is handed over in one go, chunk by chunk (see _CHUNK).
        while True:
            with self._cv:
                self.reader = threading.current_thread()
                self._taken()
                while not self._chunks and not self.ending and not self.client_closed:
                    self.parked = True
                    self._on_change()
                    if self._on_block is not None and self._on_block():
                        continue
                    self._cv.wait(_WAIT_SLICE)
                self.parked = False
                if self._chunks:
                    chunks, self._chunks = self._chunks, []
                    self._in_flight, self._chunk_events = self._chunk_events, []
                elif self.abort is not None:
                    self.parked = True
                    raise self.abort
                else:
                    self.parked = True
                    return
            yield from chunks

    def close(self) -> None:
        with self._cv:
            self._taken()
            self.client_closed = True
            self.parked = False
            self._cv.notify_all()
            self._on_change()

    def _taken(self) -> None:
        if self._in_flight:
            events, self._in_flight = self._in_flight, []
            self._on_taken(events)


def _chunked(frames: list[bytes], size: int = _CHUNK) -> list[bytes]:
    """Frames joined into chunks of about ``size`` bytes, as a socket read would give them."""
    chunks: list[bytes] = []
    current: list[bytes] = []
    filled = 0
    for data in frames:
        current.append(data)
        filled += len(data)
        if filled >= size:
            chunks.append(b"".join(current))
            current, filled = [], 0
    if current:
        chunks.append(b"".join(current))
    return chunks


class SessionChannel:
    """The outbox of one session of one Space, and its open connection if any."""

    def __init__(self, session: str) -> None:
        self.session = session
        self.outbox: list[Outgoing] = []
        self.connection: SseConnection | None = None
        self.resets: set[str] = set()
        self.history: list[Outgoing] = []

    def post(self, out: Outgoing) -> None:
        self.outbox.append(out)

    def pump(self, can_deliver: Callable[[Outgoing], bool], session_idle: Callable[[], bool],
             close_payload: dict[str, Any]) -> bool:
        """Move every deliverable message to the open connection; True if anything moved.

        Per event, order is kept: once one message of an event waits, so do its later ones.
        After a completion leaves the session with nothing pending, ``close_stream``
        goes out in the same write and the response ends (sse_v3).
        """
        conn = self.connection
        if conn is None or conn.ending or conn.client_closed or not self.outbox:
            return False
        blocked: set[str | None] = set()
        ready: list[Outgoing] = []
        remaining: list[Outgoing] = []
        for out in self.outbox:
            if out.event_id in blocked or not can_deliver(out):
                blocked.add(out.event_id)
                remaining.append(out)
            else:
                ready.append(out)
        if not ready:
            return False
        self.outbox = remaining
        data = _chunked([frame(out.payload) for out in ready])
        events = [out.event_id for out in ready if out.event_id is not None]
        self.history.extend(ready)
        closing = any(out.terminal for out in ready) and not remaining and session_idle()
        if closing:
            data.append(frame(close_payload))
        conn.push(data, events)
        if closing:
            conn.end()
        return True
