"""The differential cases: what the test records on each real Gradio app.

Plain data, imported by ``driver.py`` (inside a real-gradio venv) and by the test.
Order matters: the first case absorbs Gradio 4's one-off first-run delay (a
``matplotlib`` import of about 0.8 s inside the first job of a process), which would
otherwise inflate every ETA of the next case; the fake does not emulate that delay
(docs/research/gradio-server-semantics.md §0).
"""

from __future__ import annotations

from typing import Any

#: name -> (app, call specs as ``gradio_fake._record.parse_call_spec`` takes them, what it shows)
CASES: dict[str, tuple[str, list[dict[str, Any]], str]] = {
    "instant": ("main", [{"api_name": "/instant", "args": ["hi"]}],
                "an instant call"),
    "queue-of-4": ("main", [{"api_name": "/slow", "args": ["x"], "count": 4}],
                   "four calls at once on a concurrency-1 endpoint (0.5 s each)"),
    "progress": ("main", [{"api_name": "/progress", "args": ["p"]}],
                 "gr.Progress steps (index/length) during a 0.75 s call"),
    "generator": ("main", [{"api_name": "/generate", "args": ["g"]}],
                  "a generator yielding three values"),
    "error": ("main", [{"api_name": "/fail", "args": ["e"]}],
              "gr.Error('boom')"),
    "queue-full": ("tight", [{"api_name": "/long", "args": ["ab"], "id": "running"},
                             {"api_name": "/long", "args": ["cd"], "at": 0.3, "id": "queued"},
                             {"api_name": "/long", "args": ["ef"], "at": 0.6, "id": "refused"}],
                   "max_size=1: a running job, a queued one, a third refused with 503"),
    "cancel-queued": ("main", [{"api_name": "/long", "args": ["ab"], "id": "running",
                                "timeout": 5},
                               {"api_name": "/long", "args": ["cd"], "id": "queued",
                                "cancel_after": 1, "timeout": 5}],
                      "job.cancel() on a call queued behind a running one (same client)"),
    "cancel-finished": ("main", [{"api_name": "/long", "args": ["ab"], "id": "finished",
                                  "cancel_at": 2.25, "timeout": 5},
                                 {"api_name": "/long", "args": ["cd"], "id": "following",
                                  "at": 0.3, "timeout": 4.2}],
                        "job.cancel() on a finished call while the next call of the same "
                        "client and endpoint runs"),
}


#: (Gradio version prefix, case) -> how the fake differs from that real server there (the
#: tests mark these xfail; docs/evidence.md shows the real messages).
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def known_gap(version: str, case: str) -> str | None:
    return next((why for (prefix, name), why in KNOWN_GAPS.items()
                 if name == case and version.startswith(prefix)), None)


def not_happened(name: str, real: dict[str, Any]) -> str | None:
    """Why the real app did not do what case ``name`` is about (None: it did).

    Real timings vary with the machine's load; a recording in which, say, the cancel
    came after the queued call had started proves nothing about "cancel while queued".
    The driver records such a case again (a few times) before giving up.
    """
    calls = {c["id"]: c for c in real["calls"]}
    if name == "queue-full":
        refused = calls["refused"]
        if refused["join_status"] != 503 or refused["outcome"] != "QueueError":
            return f"the third join was not refused: {refused['join_status']} {refused['outcome']}"
    elif name == "cancel-queued":
        queued = calls["queued"]
        if queued["cancelled_at"] is None:
            return "the queued call was never cancelled"
        before = [m["msg"] for t, m in queued["messages"] if t < queued["cancelled_at"]]
        if not before or "process_starts" in before:
            return f"the cancel did not reach a queued call: {before}"
    elif name == "cancel-finished":
        finished, following = calls["finished"], calls["following"]
        cancelled_at = finished["cancelled_at"]
        if cancelled_at is None:
            return "the finished call was never cancelled"
        ended = [t for t, m in finished["messages"] if m["msg"] == "process_completed"]
        if not ended or ended[0] >= cancelled_at:
            return "the cancel came before the call had finished"
        before = [m["msg"] for t, m in following["messages"] if t < cancelled_at]
        if "process_starts" not in before or "process_completed" in before:
            return f"the next call was not running when the cancel came: {before}"
    elif name == "queue-of-4":
        ranks = [m["rank"] for c in real["calls"] for _, m in c["messages"]
                 if m["msg"] == "estimation"]
        if max(ranks, default=0) < 1:
            return "no call ever waited behind another"
    return None
