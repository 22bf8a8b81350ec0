"""A discrete-event schedule on virtual time.

Entries are ordered by ``(time, priority, sequence)`` as in SimPy, so that events
at the same instant run in a deterministic order without anyone thinking about it.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Priority", "Scheduler"]


class Priority:
    """Order of events scheduled for the same virtual instant (lower runs first)."""

    FAULT = 0
    STEP = 10  # progress, logs, yields of a running call
    COMPLETE = 20  # a call ends and frees its worker
    ARRIVAL = 30  # background load joins
    GATED = 40  # messages waiting on a client request (e.g. /reset before a cancel completion)


@dataclass
class _Entry:
    time: float
    priority: int
    seq: int
    action: Callable[[], None]
    label: str = ""
    cancelled: bool = False


class Scheduler:
    """Pure event queue: no I/O, no threads, no real time."""

    def __init__(self) -> None:
        # (time, priority, seq, entry): tuples compare in C, much faster than a dataclass.
        self._heap: list[tuple[float, int, int, _Entry]] = []
        self._seq = 0
        self.now = 0.0

    def at(self, time: float, priority: int, action: Callable[[], None], label: str = "") -> _Entry:
        """Schedule ``action`` at virtual ``time`` (never in the past); returns a handle."""
        if math.isnan(time):
            raise ValueError("cannot schedule at NaN")
        self._seq += 1
        entry = _Entry(max(time, self.now), priority, self._seq, action, label)
        if not math.isinf(entry.time):
            heapq.heappush(self._heap, (entry.time, priority, self._seq, entry))
        return entry

    @staticmethod
    def cancel(entry: _Entry) -> None:
        entry.cancelled = True

    def next_time(self) -> float | None:
        """The time of the next live entry, or None when nothing is scheduled."""
        heap = self._heap
        while heap and heap[0][3].cancelled:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def run_due(self, until: float) -> int:
        """Run every entry due at or before ``until``, in order; return how many ran.

        Entries scheduled while running (at the same instant) run in the same call.
        """
        ran = 0
        while True:
            nxt = self.next_time()
            if nxt is None or nxt > until:
                break
            entry = heapq.heappop(self._heap)[3]
            self.now = max(self.now, entry.time)
            entry.action()
            ran += 1
        return ran

    def pending_labels(self, limit: int = 5) -> list[str]:
        """Labels of the next live entries, for diagnostics."""
        live = sorted(item for item in self._heap if not item[3].cancelled)[:limit]
        return [f"t={e.time:g}s {e.label}" for *_, e in live]
