"""What the real client observed during a scenario run: per-call records and the report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._scenario_build import FileArg, thaw

if TYPE_CHECKING:
    from ._scenario import Scenario

__all__ = ["CallRecord", "RunReport", "StatusSnapshot"]

_TIME_TOLERANCE = 1e-6


@dataclass(frozen=True)
class StatusSnapshot:
    """What ``job.status()`` returned at virtual ``time`` (the fields a user reads)."""

    time: float
    code: str
    rank: int | None = None
    queue_size: int | None = None
    eta: float | None = None
    progress: tuple[Mapping[str, Any], ...] | None = None
    log: tuple[str, str] | None = None

    @classmethod
    def of(cls, status: Any, time: float) -> StatusSnapshot:
        units = getattr(status, "progress_data", None)
        progress = None if units is None else tuple(
            {k: getattr(u, k, None) for k in ("index", "length", "unit", "progress", "desc")}
            for u in units)
        log = getattr(status, "log", None)
        return cls(time=time, code=status.code.name, rank=status.rank,
                   queue_size=status.queue_size, eta=status.eta, progress=progress,
                   log=None if log is None else (str(log[0]), str(log[1])))

    def same_as(self, other: StatusSnapshot | None) -> bool:
        """Equal in everything but the time."""
        return other is not None and (self.code, self.rank, self.queue_size, self.eta,
                                      self.progress, self.log) == (
            other.code, other.rank, other.queue_size, other.eta, other.progress, other.log)

    def describe(self) -> str:
        parts = [f"{self.code:<11}"]
        if self.rank is not None:
            parts.append(f"rank={self.rank}")
        if self.queue_size is not None:
            parts.append(f"queue_size={self.queue_size}")
        if self.eta is not None:
            parts.append(f"eta={self.eta:.4g}s")
        for unit in self.progress or ():
            if unit.get("index") is not None:
                step = f"{unit['index']}/{unit['length']} {unit.get('unit') or ''}".rstrip()
            elif unit.get("progress") is not None:
                step = f"{unit['progress']:.0%}"
            else:
                step = "?"
            desc = f" {unit['desc']!r}" if unit.get("desc") else ""
            parts.append(f"progress {step}{desc}")
        if self.log is not None:
            parts.append(f"log {self.log[1]}: {self.log[0]!r}")
        return " ".join(parts).rstrip()

    def to_dict(self) -> dict[str, Any]:
        return {"time": self.time, "code": self.code, "rank": self.rank,
                "queue_size": self.queue_size, "eta": self.eta,
                "progress": None if self.progress is None else [dict(u) for u in self.progress],
                "log": None if self.log is None else list(self.log)}


@dataclass(frozen=True)
class CallRecord:
    """One call of a run: what was submitted, what the client showed, how it ended."""

    id: str
    api_name: str
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]
    submitted_at: float
    statuses: tuple[StatusSnapshot, ...]
    outputs: tuple[Any, ...]
    #: ``"result"``, or the class name of the exception the call ended with.
    outcome: str
    result: Any
    #: the exception's message ("" for a result).
    message: str
    #: virtual time of the result, error or timeout.
    ended_at: float
    cancelled_at: float | None = None
    #: an ``AppError``'s title (gradio_client 1.14+, from Gradio 5+), else None.
    title: str | None = None
    #: the virtual time each of ``outputs`` was first seen in ``job.outputs()``.
    output_times: tuple[float, ...] = ()

    @property
    def codes(self) -> list[str]:
        """The status codes shown, in order, without repeats."""
        codes: list[str] = []
        for snap in self.statuses:
            if not codes or codes[-1] != snap.code:
                codes.append(snap.code)
        return codes

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "api_name": self.api_name, "args": _plain(self.args),
                "kwargs": _plain(self.kwargs), "submitted_at": self.submitted_at,
                "cancelled_at": self.cancelled_at,
                "statuses": [s.to_dict() for s in self.statuses],
                "outputs": _plain(self.outputs), "outcome": self.outcome,
                "result": _plain(self.result), "message": self.message,
                "title": self.title, "ended_at": self.ended_at,
                "output_times": list(self.output_times)}


def _plain(value: Any) -> Any:
    """JSON-like form: tuples are lists, uploads are their path, other objects their repr."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, FileArg):
        return {"file": str(value.path)}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def _hide_downloads(value: Any, folder: str) -> Any:
    """A downloaded file's path as ``<downloads>/name``: the folder is temporary."""
    if isinstance(value, str) and value.startswith(folder):
        return "<downloads>/" + Path(value).name
    if isinstance(value, (list, tuple)):
        return type(value)(_hide_downloads(v, folder) for v in value)
    return value


def _seconds(t: float | None) -> str:
    if t is None:
        return "-"
    return f"{t:.3f}".rstrip("0").rstrip(".") + "s"


def _short(value: Any, limit: int = 70) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


@dataclass(frozen=True)
class RunReport:
    """What the real client observed while a scenario ran (see :meth:`Scenario.run`)."""

    scenario: Scenario
    client_version: str
    calls: tuple[CallRecord, ...]
    #: where downloaded files were (removed since); shown as ``<downloads>`` in renders.
    download_dir: str = field(default="", repr=False)

    def _show_value(self, value: Any) -> str:
        if self.download_dir:
            value = _hide_downloads(value, self.download_dir)
        return _short(value)

    def _show_arg(self, value: Any) -> str:
        if isinstance(value, FileArg):
            try:
                shown = value.path.relative_to(self.scenario.path.parent.resolve())
            except ValueError:
                shown = value.path
            return f"handle_file({str(shown)!r})"
        return _short(_plain(value), 40)

    def _outcome(self, call: CallRecord) -> str:
        if call.outcome == "result":
            return f"result {self._show_value(call.result)}"
        first = " ".join(call.message.split())
        title = f" (title {call.title!r})" if call.title else ""
        return (f"{call.outcome}: {first}" if first else call.outcome) + title

    def render(self) -> str:
        """The timeline as the client saw it, by virtual time, then each call's outcome."""
        sc = self.scenario
        lines = [f"{sc.name}: {sc.description}",
                 f"Space {sc.space.target}, Gradio {sc.space.gradio}, gradio_client "
                 f"{self.client_version}, seed {sc.seed}", ""]
        # (time, call order, kind, call id, text): at one instant a call's submit and
        # cancel come before what the client then showed, and its outcome last.
        events: list[tuple[float, int, int, str, str]] = []
        streams = {ep.api_name: ep.streams for ep in sc.endpoints}
        for order, call in enumerate(self.calls):
            args = [self._show_arg(a) for a in call.args]
            args += [f"{k}={self._show_arg(v)}" for k, v in call.kwargs.items()]
            events.append((call.submitted_at, order, 0, call.id,
                           f"submit {call.api_name}({', '.join(args)})"))
            if call.cancelled_at is not None:
                events.append((call.cancelled_at, order, 1, call.id, "job.cancel()"))
            for snap in call.statuses:
                events.append((snap.time, order, 2, call.id, snap.describe()))
            if streams.get(call.api_name):
                for n, (value, t) in enumerate(zip(call.outputs, call.output_times,
                                                   strict=False), 1):
                    events.append((t, order, 2, call.id,
                                   f"output {n}: {self._show_value(value)}"))
            events.append((call.ended_at, order, 3, call.id, "-> " + self._outcome(call)))
        events.sort(key=lambda e: e[:3])
        width = max([4, *(len(c.id) for c in self.calls)])
        lines.append(f"{'time':>10}  {'call':<{width}}  observed")
        lines += [f"{_seconds(t):>10}  {cid:<{width}}  {text}" for t, _, _, cid, text in events]
        if not self.calls:
            lines.append("(this scenario has no calls)")
        lines += ["", "Outcome:"]
        mismatches = self.matches_expectations()
        for call in self.calls:
            verdict = ""
            if call.id in sc.expect:
                bad = [m for m in mismatches if m.startswith(f"{call.id}: ")]
                verdict = "  (as expected)" if not bad else "  (NOT as expected)"
            lines.append(f"  {call.id:<{width}}  {self._outcome(call)} at "
                         f"t={_seconds(call.ended_at)}{verdict}")
        lines += [f"  mismatch: {m}" for m in mismatches]
        return "\n".join(lines)

    def matches_expectations(self) -> list[str]:
        """How the run differs from the scenario's ``[expect]`` (empty: as documented)."""
        problems: list[str] = []
        records = {c.id: c for c in self.calls}
        for call_id, exp in self.scenario.expect.items():
            got = records[call_id]
            if got.outcome != exp.outcome:
                detail = f" ({_short(' '.join(got.message.split()))})" if got.message.strip() \
                    else ""
                problems.append(f"{call_id}: outcome: expected {exp.outcome}, got "
                                f"{got.outcome}{detail}")
            if exp.has_result and _plain(got.result) != _plain(thaw(exp.result)):
                problems.append(f"{call_id}: result: expected {_short(_plain(thaw(exp.result)))},"
                                f" got {self._show_value(_plain(got.result))}")
            if exp.title is not None and exp.title != got.title:
                problems.append(f"{call_id}: title: expected {exp.title!r}, got {got.title!r}")
            if exp.message is not None and exp.message not in got.message:
                problems.append(f"{call_id}: message: expected it to contain {exp.message!r}, "
                                f"got {_short(got.message)}")
            if exp.finished_at is not None and \
                    abs(got.ended_at - exp.finished_at) > _TIME_TOLERANCE:
                problems.append(f"{call_id}: finished_at: expected t={_seconds(exp.finished_at)}"
                                f", got t={_seconds(got.ended_at)}")
            if exp.outputs is not None and _plain(got.outputs) != _plain(thaw(exp.outputs)):
                problems.append(f"{call_id}: outputs: expected {_short(_plain(exp.outputs))}, "
                                f"got {self._show_value(_plain(got.outputs))}")
            if exp.codes is not None and list(exp.codes) != got.codes:
                problems.append(f"{call_id}: codes: expected {list(exp.codes)}, got {got.codes}")
        return problems

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-compatible data (``gradio-fake run --json``)."""
        sc = self.scenario
        return {"scenario": sc.name, "description": sc.description, "path": str(sc.path),
                "space": sc.space.target, "gradio": sc.space.gradio,
                "client_version": self.client_version, "seed": sc.seed,
                "calls": [c.to_dict() for c in self.calls],
                "mismatches": self.matches_expectations()}
