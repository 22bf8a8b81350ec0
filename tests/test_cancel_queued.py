"""``job.cancel()`` on a call queued behind a running call of the same client and endpoint.

Every version's ``/cancel`` first cancels *every* running task of that session and
endpoint (the running call gets nothing more), then deals with the queued event. What the
queued event gets next differs, as recorded on real servers (docs/evidence.md,
tests/differential/recordings):

- 4.32, 4.44, 5.50: ``{}`` at once; the event stays queued, so the freed worker then
  starts it (``process_starts``) and it completes for real;
- 6.31: the worker freed by ``cancel_tasks`` starts the queued event before
  ``remove_from_queue`` runs, so ``process_starts`` comes first, then ``{}``, then the
  real completion;
- ``quirks=False``: the queued event is removed, gets ``{}`` and nothing else, and the
  running call is left alone.

The client's own view is the same everywhere: ``CANCELLED`` and ``CancelledError``.
"""

from __future__ import annotations

import concurrent.futures
from typing import Any

import pytest
from gradio_client.utils import Status
from support import COMPATIBLE_VERSIONS

from gradio_fake import FakeGradio, NeverEndingWait


def cancel_the_queued_call(gradio: str, *, quirks: bool = True) -> dict[str, Any]:
    """Submit ``running`` then ``queued`` (one client, a 1.5 s endpoint of concurrency 1),
    cancel ``queued`` at 0.3 s, run until idle; return what each call got."""
    with FakeGradio() as fake:
        space = fake.space("acme/long", gradio=gradio, quirks=quirks)
        space.endpoint("/long", inputs=["textbox"], outputs=["textbox"], fn=lambda s: s[::-1],
                       duration=1.5)
        client = fake.client("acme/long")
        running = client.submit("ab", api_name="/long")
        queued = client.submit("cd", api_name="/long")
        assert queued.status().code == Status.IN_QUEUE
        fake.clock.run_until(0.3)
        queued.cancel()
        with pytest.raises(concurrent.futures.CancelledError):
            queued.result()
        code = queued.status().code
        fake.run_until_idle()
        by_event: dict[str, list[tuple[float, str, Any]]] = {}
        for m in fake.messages:
            if m.msg != "heartbeat":
                by_event.setdefault(m.event_id, []).append(
                    (m.time, m.msg, m.payload.get("output")))
        order = list(by_event)  # events in join order
        try:
            running_outcome: Any = running.result()
        except NeverEndingWait:
            running_outcome = "never ends"
        except concurrent.futures.CancelledError:  # clients before 2.x, once the stream ends
            running_outcome = "cancelled"
        return {"running": by_event[order[0]], "queued": by_event[order[1]],
                "queued_code": code, "running_outcome": running_outcome}


def kinds(messages: list[tuple[float, str, Any]]) -> list[str]:
    return [kind if kind != "process_completed" or output else f"{kind} {{}}"
            for _, kind, output in messages]


@pytest.mark.skipif("6.31.0" not in COMPATIBLE_VERSIONS, reason="needs a 6.x-capable client")
def test_gradio_6_31_starts_the_cancelled_queued_call() -> None:
    got = cancel_the_queued_call("6.31.0")
    assert kinds(got["queued"]) == ["estimation", "process_starts", "process_completed {}",
                                    "process_completed"]
    starts, empty, real = got["queued"][1:]
    assert starts[0] == empty[0] == 0.3  # started by the /cancel itself
    assert real[0] == pytest.approx(1.8)  # then it runs its whole duration
    assert real[2]["data"] == ["dc"]
    assert got["queued_code"] == Status.CANCELLED
    assert kinds(got["running"]) == ["estimation", "process_starts"]
    assert got["running_outcome"] in ("never ends", "cancelled")


@pytest.mark.parametrize("gradio", [v for v in COMPATIBLE_VERSIONS if v != "6.31.0"])
def test_earlier_versions_send_the_empty_completion_first(gradio: str) -> None:
    got = cancel_the_queued_call(gradio)
    assert kinds(got["queued"]) == ["estimation", "process_completed {}", "process_starts",
                                    "process_completed"]
    assert got["queued_code"] == Status.CANCELLED


@pytest.mark.parametrize("gradio", COMPATIBLE_VERSIONS)
def test_without_quirks_the_queued_call_never_starts(gradio: str) -> None:
    got = cancel_the_queued_call(gradio, quirks=False)
    assert kinds(got["queued"]) == ["estimation", "process_completed {}"]
    assert got["queued_code"] == Status.CANCELLED
    assert got["running_outcome"] == "ba"
