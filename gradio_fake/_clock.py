"""The virtual clock of a fake Gradio world."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable

__all__ = ["VirtualClock", "parse_start"]


def parse_start(start: str | datetime.datetime) -> datetime.datetime:
    """Parse the world's start instant into a naive UTC datetime (what freezegun expects)."""
    if isinstance(start, str):
        text = start.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"start={start!r} is not an ISO 8601 instant such as '2026-01-01T00:00:00Z'"
            ) from None
    elif isinstance(start, datetime.datetime):
        moment = start
    else:
        raise TypeError(f"start must be an ISO 8601 string or a datetime, "
                        f"not {type(start).__name__}")
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


class VirtualClock:
    """Simulated time of one :class:`~gradio_fake.FakeGradio`, in seconds since its start.

    Time moves only when the test's own thread lets it: explicitly through
    :meth:`advance` and :meth:`run_until`, or implicitly when that thread blocks on
    a job (``Job.result()``, iteration, ``time.sleep``), when the clock jumps
    straight to the next scheduled event (autojump, as in trio's ``MockClock``).
    Every move processes the scheduled events in order and waits until the real
    client has taken in what each of them sent, so an observation made at
    virtual time ``t`` is the same on every run.

    While the fake is active (and ``freeze_time`` is on), ``time.time()``,
    ``time.monotonic()`` and ``datetime.now()`` show :attr:`datetime`.
    """

    def __init__(self, start: datetime.datetime, run_until: Callable[[float], None]) -> None:
        self._start = start
        self._now = 0.0
        self._datetime: tuple[float, datetime.datetime] = (0.0, start)
        self._run_until = run_until

    @property
    def start(self) -> datetime.datetime:
        """The instant virtual time 0 stands for (naive UTC)."""
        return self._start

    @property
    def now(self) -> float:
        """Virtual seconds since the start of the world."""
        return self._now

    @property
    def datetime(self) -> datetime.datetime:
        """The current virtual instant (naive UTC), what ``datetime.utcnow()`` shows."""
        now = self._now
        cached = self._datetime
        if cached[0] != now:  # asked for on every client status update: computed once per instant
            cached = self._datetime = (now, self._start + datetime.timedelta(seconds=now))
        return cached[1]

    def advance(self, seconds: float) -> None:
        """Move virtual time forward by ``seconds`` (>= 0), running everything due on the way."""
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
            raise TypeError(f"seconds must be a number, not {type(seconds).__name__}")
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"seconds must be finite and >= 0, got {seconds!r}")
        self._run_until(self._now + float(seconds))

    def run_until(self, t: float) -> None:
        """Move virtual time forward to ``t`` (>= :attr:`now`), running everything due."""
        if not isinstance(t, (int, float)) or isinstance(t, bool):
            raise TypeError(f"t must be a number, not {type(t).__name__}")
        if not math.isfinite(t) or t < self._now:
            raise ValueError(f"t must be finite and >= clock.now ({self._now}), got {t!r}")
        self._run_until(float(t))

    def _set(self, t: float) -> None:
        """Internal: the world sets the time as it processes events (never backwards)."""
        if t > self._now:
            self._now = t

    def __repr__(self) -> str:
        return f"<VirtualClock now={self._now:g}s ({self.datetime.isoformat()}Z)>"
