"""Pictures of a fake's timeline: one row per job, by virtual time, as text or SVG.

The input is the journal (``fake.requests`` and ``fake.messages``), nothing else,
so a chart can be drawn after the fake is closed, in another process, or from
records a test built by hand. Each job is a row that starts at its
``/queue/join``; every message the server sent for it becomes a mark named after
the status the real ``gradio_client`` turns it into (``IN_QUEUE``,
``PROCESSING``, ``PROGRESS``, ``ITERATING``, ``FINISHED``, as in
``gradio_client.utils.Status.msg_to_status``), and the stretches between marks
show whether the job was waiting or being processed.

:func:`render_text` gives a compact fixed-width chart followed by every job's
marks; :func:`render_svg` the same picture as a standalone SVG document (hover a
mark for its detail). Both are pure functions of their arguments.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ._journal import MessageRecord, RequestRecord

__all__ = ["Mark", "Track", "render_svg", "render_text", "tracks"]

# What gradio_client reports for each server message (gradio_client.utils.Status.msg_to_status,
# the same table in every supported client).
_STATUS_OF_MESSAGE = {
    "send_hash": "JOINING_QUEUE",
    "queue_full": "QUEUE_FULL",
    "estimation": "IN_QUEUE",
    "send_data": "SENDING_DATA",
    "process_starts": "PROCESSING",
    "process_generating": "ITERATING",
    "process_completed": "FINISHED",
    "progress": "PROGRESS",
    "log": "LOG",
    "server_stopped": "FINISHED",
}

# Job states between marks, and how a row shows them.
_WAITING, _RUNNING, _DONE = "waiting", "running", "done"
_FILL = {_WAITING: ".", _RUNNING: "=", _DONE: " "}


@dataclass(frozen=True)
class _Kind:
    char: str
    priority: int  # the mark shown when several fall in one column
    state: str | None  # the job's state after the mark (None: unchanged)
    color: str
    legend: str


_KINDS: dict[str, _Kind] = {
    "join": _Kind(".", 0, _WAITING, "#888888", "joined"),
    "queued": _Kind("Q", 3, _WAITING, "#888888", "in queue"),
    "started": _Kind(">", 4, _RUNNING, "#1f77b4", "processing starts"),
    "progress": _Kind("p", 2, None, "#17becf", "progress"),
    "output": _Kind("o", 2, None, "#9467bd", "intermediate output"),
    "log": _Kind("l", 1, None, "#bcbd22", "log"),
    "cancel": _Kind("c", 1, None, "#e377c2", "cancel requested"),
    "other": _Kind("*", 1, None, "#7f7f7f", "other message"),
    "finished": _Kind("F", 5, _DONE, "#2ca02c", "finished"),
    "error": _Kind("X", 5, _DONE, "#d62728", "error"),
    "cancelled": _Kind("C", 5, _DONE, "#ff7f0e", "cancelled"),
    "rejected": _Kind("!", 5, _DONE, "#d62728", "join refused / stream failed"),
}

_LEGEND_ORDER = ("queued", "started", "progress", "output", "log", "cancel",
                 "finished", "error", "cancelled", "rejected")


@dataclass(frozen=True)
class Mark:
    """One thing that happened to a job: a message the client received, or a request."""

    time: float
    seq: int
    kind: str
    """``join``, ``queued``, ``started``, ``progress``, ``output``, ``log``, ``cancel``,
    ``finished``, ``error``, ``cancelled``, ``rejected`` or ``other``."""
    status: str
    """The status the client reports for it (``IN_QUEUE``…), or the request line."""
    detail: str = ""


@dataclass(frozen=True)
class Track:
    """One job's row: where it was submitted and what happened to it, in order."""

    number: int
    space: str | None
    endpoint: str
    event_id: str | None
    marks: tuple[Mark, ...]

    @property
    def label(self) -> str:
        """Short row label: ``#1 /predict e3e70682``."""
        event = f" {self.event_id[:8]}" if self.event_id else ""
        return f"#{self.number} {self.endpoint}{event}"

    @property
    def end_state(self) -> str:
        """``waiting``, ``running`` or ``done`` after the last mark."""
        state = _WAITING
        for mark in self.marks:
            state = _KINDS[mark.kind].state or state
        return state


# -- building tracks from the journal ------------------------------------------------------
def _short(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(
        value, separators=(",", ":"), default=str, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _seconds(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "s"


def _endpoint_names(requests: Iterable[RequestRecord]) -> dict[tuple[str | None, int], str]:
    """``(space, fn_index) -> "/api_name"`` from the configs the fake served."""
    names: dict[tuple[str | None, int], str] = {}
    for r in requests:
        if not r.path.endswith("/config") or not isinstance(r.response, dict):
            continue
        deps = r.response.get("dependencies")
        if not isinstance(deps, list):
            continue
        for index, dep in enumerate(deps):
            if not isinstance(dep, dict):
                continue
            api = dep.get("api_name")
            label = f"/{api}" if isinstance(api, str) and api else f"fn_index {index}"
            names[(r.space, index)] = label
            dep_id = dep.get("id")
            if isinstance(dep_id, int):
                names.setdefault((r.space, dep_id), label)
    return names


def _progress_text(units: Any) -> str:
    if not isinstance(units, list):
        return ""
    parts = []
    for unit in units:
        if not isinstance(unit, dict):
            continue
        index, length, fraction = unit.get("index"), unit.get("length"), unit.get("progress")
        if index is not None and length is not None:
            text = f"{index}/{length} {unit.get('unit') or 'steps'}"
        elif isinstance(fraction, (int, float)):
            text = f"{fraction:.0%}"
        elif index is not None:
            text = f"{index} {unit.get('unit') or 'steps'}"
        else:
            text = "?"
        if unit.get("desc"):
            text += f" {unit['desc']!s}"
        parts.append(text)
    return ", ".join(parts)


def _message_mark(m: MessageRecord, *, cancel_requested: bool, outputs: int) -> Mark:
    p = m.payload
    status = _STATUS_OF_MESSAGE.get(m.msg, m.msg)
    if m.msg == "estimation":
        detail = f"rank {p.get('rank')}, queue size {p.get('queue_size')}"
        if isinstance(p.get("rank_eta"), (int, float)):
            detail += f", eta {_seconds(p['rank_eta'])}"
        return Mark(m.time, m.seq, "queued", status, detail)
    if m.msg == "process_starts":
        eta = p.get("eta")
        return Mark(m.time, m.seq, "started", status,
                    f"eta {_seconds(eta)}" if isinstance(eta, (int, float)) else "")
    if m.msg == "progress":
        return Mark(m.time, m.seq, "progress", status, _progress_text(p.get("progress_data")))
    if m.msg == "process_generating":
        return Mark(m.time, m.seq, "output", status, f"output #{outputs + 1}")
    if m.msg == "log":
        return Mark(m.time, m.seq, "log", status, f"{p.get('level', 'info')}: {p.get('log')}")
    if m.msg == "process_completed":
        output = p.get("output")
        if p.get("success") is False:
            error = output.get("error") if isinstance(output, dict) else None
            return Mark(m.time, m.seq, "error", status,
                        f"error: {_short(error, 60)}" if error is not None else "error")
        if cancel_requested and not output:
            return Mark(m.time, m.seq, "cancelled", "CANCELLED", "completed after a cancel")
        data = output.get("data") if isinstance(output, dict) else None
        return Mark(m.time, m.seq, "finished", status, f"success: {_short(data)}")
    if m.msg in ("unexpected_error", "server_stopped"):
        return Mark(m.time, m.seq, "rejected", status, _short(p.get("message", m.msg), 60))
    rest = {k: v for k, v in p.items() if k not in ("msg", "event_id")}
    return Mark(m.time, m.seq, "other", status, _short(rest) if rest else "")


def _is_join(r: RequestRecord) -> bool:
    return r.path.endswith("/queue/join")


def _request_line(r: RequestRecord) -> str:
    outcome = r.status if r.status is not None else "not served"
    return f"{r.method} {r.path} -> {outcome}"


@dataclass
class _Row:
    space: str | None
    endpoint: str
    event_id: str | None
    marks: list[Mark] = field(default_factory=list)
    cancel_at: float | None = None  # when the client first asked to cancel


def tracks(requests: Sequence[RequestRecord], messages: Sequence[MessageRecord]) -> list[Track]:
    """One :class:`Track` per job, in the order they were submitted.

    A job is a ``/queue/join`` (a refused join is a one-mark track) or, for
    messages whose join is not in the journal, their event id.
    """
    names = _endpoint_names(requests)
    rows: list[_Row] = []
    by_event: dict[str, _Row] = {}
    for r in sorted(requests, key=lambda r: r.seq):
        if _is_join(r):
            body = r.json if isinstance(r.json, dict) else {}
            fn_index = body.get("fn_index")
            endpoint = (names.get((r.space, fn_index), f"fn_index {fn_index}")
                        if isinstance(fn_index, int) else "?")
            event_id = r.event_id if r.status == 200 and r.error is None else None
            row = _Row(r.space, endpoint, event_id)
            if event_id is not None:
                row.marks.append(Mark(r.time, r.seq, "join", "JOINED", _request_line(r)))
                by_event[event_id] = row
            else:
                status = "QUEUE_FULL" if r.status == 503 else "JOIN_FAILED"
                why = r.error or (_short(r.response, 60) if r.response is not None else "")
                detail = _request_line(r) + (f" {why}" if why else "")
                row.marks.append(Mark(r.time, r.seq, "rejected", status, detail))
            rows.append(row)
        elif r.event_id in by_event and r.path.endswith(("/cancel", "/reset")):
            row = by_event[r.event_id]
            if row.cancel_at is None:
                row.cancel_at = r.time
            status = "CANCEL" if r.path.endswith("/cancel") else "RESET"
            row.marks.append(Mark(r.time, r.seq, "cancel", status, _request_line(r)))
    for m in sorted(messages, key=lambda m: (m.time, m.seq)):
        if m.msg == "heartbeat":
            continue
        found = by_event.get(m.event_id)
        if found is None:
            found = by_event[m.event_id] = _Row(m.space, "?", m.event_id)
            rows.append(found)
        outputs = sum(1 for k in found.marks if k.kind == "output")
        cancelled = found.cancel_at is not None and found.cancel_at <= m.time
        found.marks.append(_message_mark(m, cancel_requested=cancelled, outputs=outputs))
    return [Track(i, row.space, row.endpoint, row.event_id,
                  tuple(sorted(row.marks, key=_mark_order)))
            for i, row in enumerate(rows, start=1)]


def _mark_order(mark: Mark) -> tuple[float, int, int]:
    # The journal records a request once it is answered, so the messages it caused
    # (a join's estimation, a cancel's completion) carry smaller sequence numbers:
    # at equal virtual times, requests go first.
    return (mark.time, 0 if mark.kind in _REQUEST_KINDS else 1, mark.seq)


_REQUEST_KINDS = frozenset({"join", "cancel", "rejected"})


def _used_kinds(all_tracks: Sequence[Track]) -> list[str]:
    """The kinds of mark in the picture, in legend order: the legend explains only those."""
    used = {mark.kind for track in all_tracks for mark in track.marks}
    return [kind for kind in _LEGEND_ORDER if kind in used]


# -- text ----------------------------------------------------------------------------------
def _nice_step(span: float, columns: int) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k seconds per column that fits ``span``."""
    if span <= 0:
        return 1.0
    raw = span / max(columns - 1, 1)
    base = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if factor * base >= raw * (1 - 1e-9):
            return factor * base
    return 10.0 * base  # pragma: no cover - the loop always returns


def _axis_label(t: float) -> str:
    if t >= 3600 and t % 3600 == 0:
        return f"{t / 3600:g}h"
    if t >= 600 and t % 60 == 0:
        return f"{t / 60:g}m"
    return f"{t:g}s"


def _span(all_tracks: Sequence[Track], now: float | None) -> float:
    times = [k.time for t in all_tracks for k in t.marks if math.isfinite(k.time)]
    return max([*times, now if now is not None and math.isfinite(now) else 0.0, 0.0])


def _row(track: Track, step: float, columns: int, end: float) -> str:
    def col(t: float) -> int:
        return min(int(t / step + 1e-9), columns - 1)

    cells = [" "] * columns
    state = _WAITING
    marks = track.marks
    for i, mark in enumerate(marks):
        state = _KINDS[mark.kind].state or state
        stop = col(marks[i + 1].time) if i + 1 < len(marks) else col(end) + 1
        for c in range(col(mark.time) + 1, stop):
            cells[c] = _FILL[state]
    best: dict[int, int] = {}
    for mark in marks:
        kind = _KINDS[mark.kind]
        c = col(mark.time)
        if kind.priority >= best.get(c, -1):
            best[c] = kind.priority
            cells[c] = kind.char
    return "".join(cells).rstrip()


def render_text(requests: Sequence[RequestRecord], messages: Sequence[MessageRecord], *,
                now: float | None = None, width: int = 60) -> str:
    """A fixed-width chart of every job by virtual time, then each job's marks.

    ``now`` (the clock's time) extends the axis so a job still waiting or running
    at the end shows as such; ``width`` is the number of time columns (>= 10).
    """
    if width < 10:
        raise ValueError(f"width must be at least 10 columns, not {width!r}")
    all_tracks = tracks(requests, messages)
    if not all_tracks:
        return "no jobs were submitted"
    end = _span(all_tracks, now)
    step = _nice_step(end, width)
    columns = min(int(end / step + 1e-9) + 1, width)
    label_width = min(max(len(t.label) for t in all_tracks), 40)
    pad = " " * (label_width + 2)

    labels = [" "] * (columns + 12)
    ruler = []
    last = -1
    for c in range(columns):
        tick = c % 10 == 0
        ruler.append("+" if tick else "-")
        text = _axis_label(c * step)
        if tick and c > last:
            labels[c:c + len(text)] = text
            last = c + len(text)
    jobs = f"{len(all_tracks)} job" + ("s" if len(all_tracks) != 1 else "")
    lines = [f"{jobs}, virtual time 0s to {_axis_label(end)}, one column = {_axis_label(step)}",
             pad + "".join(labels).rstrip(),
             pad + "".join(ruler)]
    for track in all_tracks:
        lines.append(f"{track.label[:label_width]:<{label_width}}  "
                     f"{_row(track, step, columns, end)}")
    legend = [f"{_FILL[_WAITING]} waiting", f"{_FILL[_RUNNING]} processing"]
    legend += [f"{_KINDS[k].char} {_KINDS[k].legend}" for k in _used_kinds(all_tracks)]
    line = ""
    for entry in legend:  # wrapped at 80 characters after the labels
        if line and len(line) + 2 + len(entry) > 80:
            lines.append(pad + line)
            line = ""
        line = f"{line}  {entry}" if line else entry
    lines.append(pad + line)
    for track in all_tracks:
        where = ", ".join(x for x in (track.space or "",
                                      f"event {track.event_id}" if track.event_id else "") if x)
        lines.append("")
        lines.append(f"{track.label}" + (f" ({where})" if where else ""))
        for mark in track.marks:
            lines.append(f"  {mark.time:>10.3f}s  {mark.status:<13} {mark.detail}".rstrip())
        if track.end_state != _DONE:
            lines.append(f"  {'':>10}   still {track.end_state} at {_seconds(end)}")
    return "\n".join(lines)


# -- SVG -----------------------------------------------------------------------------------
def render_svg(requests: Sequence[RequestRecord], messages: Sequence[MessageRecord], *,
               now: float | None = None, title: str = "") -> str:
    """The same chart as a standalone SVG document; hover a mark for its detail."""
    all_tracks = tracks(requests, messages)
    end = _span(all_tracks, now)
    step = _nice_step(end, 11) if end > 0 else 1.0
    axis_end = max(math.ceil(end / step - 1e-9), 1) * step
    longest = max((len(t.label) for t in all_tracks), default=0)
    left, plot_w, row_h, top = max(150, 30 + 7 * longest), 640, 26, 56
    height = top + row_h * max(len(all_tracks), 1) + 60
    width = left + plot_w + 40

    def x(t: float) -> float:
        return round(left + plot_w * (t / axis_end), 2)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="monospace" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="10" y="20" font-size="14">'
        f'{escape(("gradio-fake timeline: " + title) if title else "gradio-fake timeline")}'
        f'</text>',
    ]
    ticks = round(axis_end / step)
    for i in range(ticks + 1):
        t = i * step
        out.append(f'<line x1="{x(t)}" y1="{top - 8}" x2="{x(t)}" '
                   f'y2="{top + row_h * max(len(all_tracks), 1)}" stroke="#e0e0e0"/>')
        out.append(f'<text x="{x(t)}" y="{top - 12}" text-anchor="middle">'
                   f'{escape(_axis_label(t))}</text>')
    if not all_tracks:
        out.append(f'<text x="{left}" y="{top + 16}">no jobs were submitted</text>')
    for row, track in enumerate(all_tracks):
        y = top + row * row_h + row_h / 2
        out.append(f'<text x="10" y="{y + 4}">{escape(track.label)}</text>')
        state, since = _WAITING, track.marks[0].time if track.marks else 0.0
        segments: list[tuple[str, float, float]] = []
        for mark in track.marks:
            new = _KINDS[mark.kind].state
            if new is not None and new != state:
                segments.append((state, since, mark.time))
                state, since = new, mark.time
        segments.append((state, since, end))
        for seg_state, start, stop in segments:
            if seg_state == _WAITING:
                out.append(f'<line x1="{x(start)}" y1="{y}" x2="{x(stop)}" y2="{y}" '
                           f'stroke="#999999" stroke-width="2" stroke-dasharray="4 3"/>')
            elif seg_state == _RUNNING:
                out.append(f'<rect x="{x(start)}" y="{y - 6}" '
                           f'width="{max(x(stop) - x(start), 1)}" height="12" '
                           f'fill="#1f77b4" fill-opacity="0.35"/>')
        # Marks at (nearly) the same place: draw the most important one last, and only
        # its letter, so a job that starts the instant it joins reads ">" rather than a blot.
        shown = sorted((k for k in track.marks if k.kind != "join"),
                       key=lambda k: (round(x(k.time) / 8), _KINDS[k.kind].priority))
        for i, mark in enumerate(shown):
            kind = _KINDS[mark.kind]
            covered = i + 1 < len(shown) and round(x(shown[i + 1].time) / 8) == round(
                x(mark.time) / 8)
            tip = f"t={_seconds(mark.time)} {mark.status} {mark.detail}".rstrip()
            letter = "" if covered else (
                f'<text x="{x(mark.time)}" y="{y - 8}" text-anchor="middle" '
                f'font-size="10">{escape(kind.char)}</text>')
            out.append(f'<g><title>{escape(tip)}</title>'
                       f'<circle cx="{x(mark.time)}" cy="{y}" r="5" fill={quoteattr(kind.color)}/>'
                       f'{letter}</g>')
    lx, legend_y = 10.0, height - 36
    for key in _used_kinds(all_tracks):
        kind = _KINDS[key]
        item_w = 24 + 7 * len(kind.legend)
        if lx + item_w > width:
            lx, legend_y = 10.0, legend_y + 18
        out.append(f'<circle cx="{lx + 5}" cy="{legend_y - 4}" r="5" '
                   f'fill={quoteattr(kind.color)}/>')
        out.append(f'<text x="{lx + 14}" y="{legend_y}">{escape(kind.legend)}</text>')
        lx += item_w
    out.append("</svg>")
    return "\n".join(out) + "\n"
