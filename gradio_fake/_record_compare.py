"""Comparing two recordings of the same calls: what the real client observed against a
real app and against the fake (:func:`compare`), timings aside.

Differences that real-server races explain (a client before 2.x dropping an event's
first message, the client's cancel race, a join landing between a completion and the
next dequeue, or before the dequeue of the call ahead) are reported as ``known``;
docs/evidence.md describes each.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._record import CallRecording, Recording

__all__ = ["Difference", "compare", "lost_messages"]

#: messages of the stream itself, not of an event.
_STREAM_LEVEL = ("heartbeat", "close_stream")


@dataclass(frozen=True)
class Difference:
    """One way the fake's recording differs from the real one, for one call."""

    call: str
    what: str
    real: Any
    fake: Any
    #: a known, explained difference (a client race, a documented quirk): not a failure.
    known: str | None = None

    def __str__(self) -> str:
        text = f"{self.call}: {self.what}: real {_show(self.real)}, fake {_show(self.fake)}"
        return text + (f" (known: {self.known})" if self.known else "")


def _show(value: Any) -> str:
    text = json.dumps(value, default=repr) if not isinstance(value, str) else value
    return text if len(text) <= 300 else text[:297] + "..."


def _status_text(s: Mapping[str, Any]) -> str:
    parts = [str(s.get("code"))]
    for key in ("rank", "queue_size"):
        if s.get(key) is not None:
            parts.append(f"{key}={s[key]}")
    if s.get("eta") is not None:
        parts.append(f"eta={s['eta']:.3g}")
    if s.get("progress"):
        parts.append("progress=" + json.dumps(s["progress"]))
    if s.get("log"):
        parts.append(f"log={s['log']}")
    return " ".join(parts)


def compare(real: Recording, fake: Recording, *, eta_tolerance: float = 0.5,
            eta_relative: float = 0.25) -> list[Difference]:
    """How the client's observations differ between two recordings, call by call.

    Compared: the join's HTTP status; the sequence of statuses the client built (code,
    rank, queue_size, whether there is an ETA and — within ``eta_tolerance`` seconds or
    ``eta_relative`` of the real value — its number, progress units, log); the event's
    message kinds; ``job.outputs()``; the outcome (result, or exception type and
    message); the final ``job.status().code``. Timings are not compared. For a
    cancelled call, only what the client observed before the cancel must match, and
    ``KeyError`` vs ``CancelledError`` is the client's own race (PROTOCOL.md §4.3).
    """
    diffs: list[Difference] = []
    fakes = {c.id: c for c in fake.calls}
    completions = [(c.api_name, float(t)) for c in real.calls for t, m in c.messages
                   if m.get("msg") == "process_completed" and m.get("output")]
    starts = [(c.api_name, float(t)) for c in real.calls for t, m in c.messages
              if m.get("msg") == "process_starts"]
    for r in real.calls:
        f = fakes.get(r.id)
        if f is None:
            diffs.append(Difference(r.id, "call", "recorded", "missing"))
            continue
        diffs += _compare_call(r, f, eta_tolerance, eta_relative, completions, real.client,
                               starts)
    return diffs


def _before_cancel(call: CallRecording, items: list[list[Any]]) -> list[list[Any]]:
    if call.cancelled_at is None:
        return items
    return [item for item in items if item[0] < call.cancelled_at]


_CODE_OF = {"estimation": "IN_QUEUE", "process_starts": "PROCESSING", "progress": "PROGRESS",
            "log": "LOG", "process_generating": "ITERATING", "process_completed": "FINISHED"}


def lost_messages(call: CallRecording, client: str = "") -> int:
    """How many of the event's first messages the client never took in.

    gradio_client before 2.x registers an event only once it has read the join's
    response; a message the server puts on an already open stream before that is
    dropped (PROTOCOL.md §6.8). Real Gradio queues the join's ``estimation`` before it
    answers the join, so this happens with real servers; the fake never does it.
    """
    def shape(code: Any, rank: Any, size: Any) -> tuple[Any, Any, Any]:
        return (code, rank, size)

    events = [m for m in call.messages if m[1].get("msg") not in _STREAM_LEVEL]
    sent = [shape(_CODE_OF.get(str(m[1].get("msg")), "?"), m[1].get("rank"),
                  m[1].get("queue_size")) for m in events]
    shown = [shape(s[1].get("code"), s[1].get("rank"), s[1].get("queue_size"))
             for s in call.statuses]
    if not shown and call.joined_at is not None and client[:2] in ("0.", "1."):
        # Nothing shown at all (a cancel came first): what arrived before the join's
        # response cannot have been registered by these clients.
        return sum(1 for t, _ in events if t < call.joined_at)
    if not shown or not sent or shown[0] == sent[0]:
        return 0
    for k in range(1, len(sent)):
        if sent[k:k + len(shown)] == shown[:len(sent) - k]:
            return k
    return 0


def _near_a_completion(call: CallRecording, completions: Sequence[tuple[str, float]],
                       within: float = 0.1) -> bool:
    """A run of the call's endpoint ended (on the wire) just around its join."""
    if not call.messages:
        return False
    joined = float(call.messages[0][0])
    return any(api == call.api_name and abs(t - joined) <= within for api, t in completions)


def _joined_before_a_dequeue(r: CallRecording, f: CallRecording,
                             starts: Sequence[tuple[str, float]],
                             within: float = 0.1) -> int | None:
    """The index in ``r.messages`` of an estimation sent while the call ahead, already
    joined, had not been started yet (None: there is none).

    Such a join's ``estimation`` counted that call (rank and queue size one more), and
    the next one, at that call's ``process_starts``, did not. Gradio 4.x/5.x start a
    call when their dequeue loop next wakes (every 50 ms when idle); the fake starts it
    at its join, so its first estimation is the real second one."""
    events = [i for i, m in enumerate(r.messages) if m[1].get("msg") not in _STREAM_LEVEL]
    fake = next((m[1] for m in f.messages if m[1].get("msg") not in _STREAM_LEVEL), None)
    if len(events) < 2 or fake is None:
        return None
    (t0, first), (t1, second) = r.messages[events[0]], r.messages[events[1]]
    if first.get("msg") != "estimation" or second.get("msg") != "estimation" \
            or fake.get("msg") != "estimation":
        return None
    rank, size = second.get("rank"), second.get("queue_size")
    if not isinstance(rank, int) or not isinstance(size, int):
        return None
    early = (first.get("rank") == rank + 1 and first.get("queue_size") == size + 1
             and (fake.get("rank"), fake.get("queue_size")) == (rank, size)
             and 0 <= float(t1) - float(t0) <= within
             and any(api == r.api_name and abs(t - float(t1)) <= 0.01 for api, t in starts))
    return events[0] if early else None


def _compare_call(r: CallRecording, f: CallRecording, tol: float, rel: float,
                  completions: Sequence[tuple[str, float]] = (),
                  client: str = "", starts: Sequence[tuple[str, float]] = ()
                  ) -> list[Difference]:
    out: list[Difference] = []
    cid = r.id
    index = _joined_before_a_dequeue(r, f, starts)
    if index is not None:
        early = r.messages[index][1]
        shape = ("IN_QUEUE", early.get("rank"), early.get("queue_size"))
        statuses = list(r.statuses)
        if statuses and (statuses[0][1].get("code"), statuses[0][1].get("rank"),
                         statuses[0][1].get("queue_size")) == shape:
            statuses = statuses[1:]
        out.append(Difference(
            cid, "first estimation", f"rank={shape[1]} queue_size={shape[2]}", None,
            known="the join reached the server before its dequeue loop had started the call "
                  "ahead (Gradio 4.x/5.x poll every 50 ms when idle), so it still counted "
                  "that call; the fake starts a call at its join"))
        r = replace(r, messages=r.messages[:index] + r.messages[index + 1:],
                    statuses=statuses)
    if (r.join_status or 200) != (f.join_status or 200):
        out.append(Difference(cid, "join HTTP status", r.join_status, f.join_status))
    cancelled = r.cancelled_at is not None
    rs = [s for _, s in (_before_cancel(r, r.statuses) if cancelled else r.statuses)]
    fs = [s for _, s in (_before_cancel(f, f.statuses) if cancelled else f.statuses)]
    lost = lost_messages(r, client)
    if lost and lost_messages(f, client) == 0:
        dropped = [m[1].get("msg") for m in r.messages[:lost]]
        out.append(Difference(cid, "messages the client never took in", dropped, [],
                              known="gradio_client before 2.x drops an event's message that "
                                    "arrives before it has read the join response "
                                    "(PROTOCOL.md §6.8); real Gradio can send one that early, "
                                    "the fake never does"))
        fs = fs[lost:]
    for i in range(max(len(rs), len(fs))):
        a = rs[i] if i < len(rs) else None
        b = fs[i] if i < len(fs) else None
        if a is None or b is None:
            out.append(Difference(cid, f"status[{i}]", None if a is None else _status_text(a),
                                  None if b is None else _status_text(b)))
            continue
        problem = _status_problem(a, b, tol, rel)
        if problem:
            race = None
            if problem == "eta presence" and b.get("eta") is None and i == 0 \
                    and _near_a_completion(r, completions):
                race = ("the join landed between a completion and the server's next dequeue "
                        "(its dequeue loop polls every 1 ms on 6.x, 50 ms before): the ETA "
                        "already counts the finished run while the rank still counts the "
                        "next one; the fake dequeues at the completion")
            out.append(Difference(cid, f"status[{i}] {problem}", _status_text(a),
                                  _status_text(b), known=race))
    rk = [m[1].get("msg") for m in (_before_cancel(r, r.messages) if cancelled else r.messages)]
    fk = [m[1].get("msg") for m in (_before_cancel(f, f.messages) if cancelled else f.messages)]
    if rk != fk:
        out.append(Difference(cid, "message kinds", rk, fk))
    if cancelled:
        r_tail = [m[1].get("msg") for m in r.messages if m[0] >= (r.cancelled_at or 0)]
        f_tail = [m[1].get("msg") for m in f.messages if m[0] >= (f.cancelled_at or 0)]
        if r_tail != f_tail:
            race = None
            if sorted(r_tail) == sorted(f_tail):
                race = ("after a cancel, the order of the empty completion and the next "
                        "process_starts is a race inside the real server (/cancel's task "
                        "cancellation against the dequeue loop)")
            out.append(Difference(cid, "messages after the cancel", r_tail, f_tail,
                                  known=race))
    if r.outputs != f.outputs:
        out.append(Difference(cid, "outputs()", r.outputs, f.outputs))
    r_out, f_out = r.outcome, f.outcome
    if {r_out, f_out} == {"KeyError", "CancelledError"} and cancelled:
        out.append(Difference(cid, "outcome", r_out, f_out,
                              known="the client's cancel race: the empty completion reached the "
                                    "job before its cancel check (PROTOCOL.md 4.3)"))
    elif r_out != f_out:
        out.append(Difference(cid, "outcome", f"{r_out}: {r.message}".rstrip(": "),
                              f"{f_out}: {f.message}".rstrip(": ")))
    elif r_out == "result" and r.result != f.result:
        out.append(Difference(cid, "result", r.result, f.result))
    elif r_out not in ("result", "TimeoutError") and _message_core(r) != _message_core(f):
        out.append(Difference(cid, "error message", r.message, f.message))
    if r.title != f.title and r_out == "AppError":
        out.append(Difference(cid, "AppError title", r.title, f.title))
    if r.final_code != f.final_code:
        out.append(Difference(cid, "final status code", r.final_code, f.final_code))
    return out


def _message_core(call: CallRecording) -> str:
    text = re.sub(r"\s+", " ", call.message).strip()
    return text.split("Response received:", 1)[0]


def _status_problem(a: Mapping[str, Any], b: Mapping[str, Any], tol: float,
                    rel: float) -> str | None:
    for key in ("code", "rank", "queue_size", "progress", "log"):
        if a.get(key) != b.get(key):
            return key
    ea, eb = a.get("eta"), b.get("eta")
    if (ea is None) != (eb is None):
        return "eta presence"
    if ea is not None and eb is not None and abs(ea - eb) > max(tol, rel * abs(ea)):
        return "eta value"
    return None
