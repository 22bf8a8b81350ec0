"""Simulated time: queue order, ETAs, progress, cancellation and waits, as the client sees them."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import math
import sys
import threading
import time
from typing import Any

import pytest
from gradio_client.utils import QueueError, Status
from packaging.version import Version
from support import CLIENT_VERSION, COMPATIBLE_VERSIONS

from gradio_fake import ClientStuck, FakeGradio, Load, NeverEndingWait


def estimations(fake: FakeGradio) -> list[tuple[float, str, int, int, float | None]]:
    return [(m.time, m.event_id, m.payload["rank"], m.payload["queue_size"],
             m.payload["rank_eta"]) for m in fake.messages if m.msg == "estimation"]


def four_jobs(fake: FakeGradio, gradio: str, limit: int) -> list:
    space = fake.space("acme/q", gradio=gradio)
    space.endpoint("/run", inputs=["number"], outputs=["number"], fn=lambda x: x,
                   duration=1.0, concurrency_limit=limit)
    client = fake.client("acme/q")
    return [client.submit(i, api_name="/run") for i in range(4)]


def test_estimations_at_concurrency_1(fake: FakeGradio, gradio: str) -> None:
    """Four 1 s jobs at once: the numbers real Gradio sends (docs/research, example a)."""
    jobs = four_jobs(fake, gradio, limit=1)
    ranks = [(j.status().rank, j.status().queue_size) for j in jobs]
    assert ranks == [(None, None), (0, 1), (1, 2), (2, 3)]  # job 1 already processing
    fake.run_until_idle()
    ids = [m.event_id for m in fake.messages if m.msg == "process_starts"]
    by_event = {e: i + 1 for i, e in enumerate(ids)}
    seen = [(t, by_event[e], r, q, eta) for t, e, r, q, eta in estimations(fake)]
    assert seen == [
        (0.0, 1, 0, 1, None), (0.0, 2, 0, 1, None), (0.0, 3, 1, 2, None),
        (0.0, 4, 2, 3, None),
        (1.0, 3, 0, 2, 2.0), (1.0, 4, 1, 2, 3.0),
        (2.0, 4, 0, 1, 2.0),
    ]
    starts = [m.payload["eta"] for m in fake.messages if m.msg == "process_starts"]
    assert starts == [None, 1.0, 1.0, 1.0]
    assert [j.result() for j in jobs] == [0, 1, 2, 3]
    assert fake.clock.now == 4.0


def test_estimations_at_concurrency_2(fake: FakeGradio, gradio: str) -> None:
    jobs = four_jobs(fake, gradio, limit=2)
    fake.run_until_idle()
    ids = [m.event_id for m in fake.messages if m.msg == "process_starts"]
    by_event = {e: i + 1 for i, e in enumerate(ids)}
    seen = [(t, by_event[e], r, q, eta) for t, e, r, q, eta in estimations(fake)]
    assert seen == [
        (0.0, 1, 0, 1, None), (0.0, 2, 0, 1, None), (0.0, 3, 0, 1, None),
        (0.0, 4, 1, 2, None),
        (1.0, 4, 0, 1, 1.0),
    ]
    assert [m.payload["eta"] for m in fake.messages if m.msg == "process_starts"] == [
        None, None, 1.0, 1.0]
    assert fake.clock.now == 2.0 and all(j.done() for j in jobs)


def test_a_long_queue_behind_other_users(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/busy", gradio=gradio, load=Load(ahead=7, duration=60))
    space.endpoint("/gen", inputs=["textbox"], outputs=["textbox"], fn=str.upper, duration=60)
    job = fake.client("acme/busy").submit("cat", api_name="/gen")
    observed = []
    for _ in range(4):
        status = job.status()
        observed.append((fake.clock.now, status.code, status.rank, status.queue_size,
                         status.eta))
        fake.clock.advance(60)
    assert observed == [
        (0.0, Status.IN_QUEUE, 6, 7, 480.0),
        (60.0, Status.IN_QUEUE, 5, 6, 420.0),
        (120.0, Status.IN_QUEUE, 4, 5, 360.0),
        (180.0, Status.IN_QUEUE, 3, 4, 300.0),
    ]
    assert job.result() == "CAT"
    assert fake.clock.now == 480.0


def test_cold_space_has_no_eta_until_a_run_finished(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/cold", gradio=gradio, load=Load(ahead=2, duration=30, warm=False))
    space.endpoint("/gen", inputs=["textbox"], outputs=["textbox"], result="x", duration=30)
    job = fake.client("acme/cold").submit("a", api_name="/gen")
    assert job.status().eta is None
    fake.clock.advance(30)
    assert job.status().eta == 60.0  # avg 30 + one to wait for (running one ends at 60)


def test_progress_is_spread_and_throttled(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/p", gradio=gradio)
    space.endpoint("/work", inputs=["textbox"], outputs=["textbox"], result="ok",
                   duration=100, progress=[(1, 4), (2, 4), (3, 4)])
    job = fake.client("acme/p").submit("a", api_name="/work")
    fake.clock.advance(50)
    status = job.status()
    assert status.code == Status.PROGRESS
    assert (status.progress_data[0].index, status.progress_data[0].length) == (2, 4)
    assert status.time == datetime.datetime(2026, 1, 1, 0, 0, 50)
    assert job.result() == "ok"
    progress_times = [m.time for m in fake.messages if m.msg == "progress"]
    assert progress_times == [25.0, 50.0, 75.0]


def test_progress_closer_than_the_update_loop_is_overwritten(fake: FakeGradio) -> None:
    space = fake.space("acme/p", gradio="4.44.1")
    space.endpoint("/fast", inputs=["textbox"], outputs=["textbox"], result="ok",
                   duration=0.2, progress=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    fake.client("acme/p").predict("a", api_name="/fast")
    sent = [m.payload["progress_data"][0]["progress"] for m in fake.messages
            if m.msg == "progress"]
    # One update per 0.1 s tick, the latest one wins; the tick at 0.2 s is the end.
    assert sent == [0.5]


def test_sleep_in_the_test_thread_moves_virtual_time(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/s", gradio=gradio)
    space.endpoint("/s", inputs=["textbox"], outputs=["textbox"], result="r", duration=600,
                   logs=[(300, "info", "half way")])
    job = fake.client("acme/s").submit("a", api_name="/s")
    started = time.time()
    time.sleep(300)
    assert time.time() - started == pytest.approx(300)
    assert job.status().log == ("half way", "info")
    while not job.done():
        time.sleep(60)
    assert fake.clock.now == 600


def test_result_timeout_is_virtual_and_the_job_survives(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/slow", gradio=gradio)
    space.endpoint("/slow", inputs=["textbox"], outputs=["textbox"], result="late", duration=600)
    job = fake.client("acme/slow").submit("a", api_name="/slow")
    with pytest.raises(TimeoutError):
        job.result(timeout=5)
    assert fake.clock.now == 5
    with pytest.raises(concurrent.futures.TimeoutError):
        job.result(timeout=590)
    assert fake.clock.now == 595
    assert job.result(timeout=5) == "late"  # done exactly at the deadline counts as done
    assert fake.clock.now == 600


def test_a_job_that_never_ends(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/forever", gradio=gradio)
    space.endpoint("/hang", inputs=["textbox"], outputs=["textbox"], result="x",
                   duration=math.inf)
    job = fake.client("acme/forever").submit("a", api_name="/hang")
    with pytest.raises(TimeoutError):
        job.result(timeout=3600)
    with pytest.raises(NeverEndingWait, match=r"job #1 \(/hang\).*nothing is scheduled"):
        job.result()


def test_cancel_a_running_job(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/c", gradio=gradio)
    space.endpoint("/run", inputs=["textbox"], outputs=["textbox"], result="x", duration=60)
    job = fake.client("acme/c").submit("a", api_name="/run")
    fake.clock.advance(10)
    assert job.cancel() is True
    assert job.status().code == Status.CANCELLED
    with pytest.raises(concurrent.futures.CancelledError):
        job.result()
    paths = [r.path.rsplit("/", 1)[-1] for r in fake.requests if r.method == "POST"]
    assert paths[-2:] == ["cancel", "reset"]
    completions = [m for m in fake.messages if m.msg == "process_completed"]
    assert [c.payload["output"] for c in completions] == [{}]
    assert fake.clock.now == 10


def test_cancel_a_queued_job_of_another_session(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/c", gradio=gradio)
    space.endpoint("/run", inputs=["textbox"], outputs=["textbox"], fn=str.upper, duration=60)
    running = fake.client("acme/c").submit("a", api_name="/run")
    queued = fake.client("acme/c").submit("b", api_name="/run")
    assert queued.status().rank == 0
    queued.cancel()
    with pytest.raises(concurrent.futures.CancelledError):
        queued.result()
    assert running.result() == "A"
    fake.run_until_idle()
    runs = [m for m in fake.messages if m.msg == "process_starts"]
    # Before 6.31 the cancelled event stays queued and still runs on the server.
    assert len(runs) == (1 if gradio == "6.31.0" else 2)


def test_cancel_a_running_generator(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/g", gradio=gradio)
    space.endpoint("/gen", inputs=["textbox"], outputs=["textbox"],
                   yields=["a", "ab", "abc", "abcd"], duration=40)
    job = fake.client("acme/g").submit("x", api_name="/gen")
    fake.clock.advance(25)
    assert job.outputs() == ["a", "ab"]
    job.cancel()
    with pytest.raises(concurrent.futures.CancelledError):
        job.result()
    fake.run_until_idle()
    assert job.outputs() == ["a", "ab"]


@pytest.mark.parametrize("quirks", [True, False])
def test_cancel_a_finished_job(gradio: str, quirks: bool) -> None:
    """``Job.cancel()`` on a finished job still posts ``/cancel`` (the client only sets its
    own flag, so ``status()`` turns CANCELLED while ``result()`` stays). Gradio then cancels
    every running task of that endpoint in the session: the next job of the same client,
    started by the finished one's end, is cut off with no message. On 4.32 the finished
    event also gets a second, ``{}`` completion, which kills the stream reader of clients
    before 2.x, so their other jobs end with ``CancelledError``."""
    with FakeGradio() as fake:
        space = fake.space("acme/c", gradio=gradio, quirks=quirks)
        space.endpoint("/run", inputs=["textbox"], outputs=["textbox"], fn=str.upper,
                       duration=60)
        client = fake.client("acme/c")
        finished = client.submit("a", api_name="/run")
        assert finished.result() == "A"
        following = client.submit("b", api_name="/run")
        fake.clock.advance(10)
        assert following.status().code == Status.PROCESSING
        assert finished.cancel() is True
        assert finished.status().code == Status.CANCELLED
        assert finished.result() == "A"
        posts = [r.path.rsplit("/", 1)[-1] for r in fake.requests if r.method == "POST"]
        assert posts == ["join", "join", "cancel"]  # no /reset: the job's thread has ended
        second_completion = gradio == "4.32.2" and quirks
        assert [m.time for m in fake.messages if m.msg == "process_completed"] == (
            [60, 70] if second_completion else [60])
        if not quirks:
            assert following.result() == "B"
            assert fake.clock.now == 120
        elif second_completion and CLIENT_VERSION < Version("2"):
            with pytest.raises(concurrent.futures.CancelledError):
                following.result()
        else:
            with pytest.raises(NeverEndingWait, match="cancels every running task"):
                following.result()


class _SlowAfterTheEnd:
    """A job's communicator lock that keeps the client's cancel watcher waiting before it
    looks, once the job has ended (that thread scheduled late), and notes what it sees."""

    def __init__(self, helper: Any) -> None:
        self._helper, self._lock = helper, helper.lock
        self.looked = threading.Event()
        self.saw_a_cancel: bool | None = None

    def __enter__(self) -> Any:
        if self._helper.thread_complete and \
                sys._getframe(1).f_code.co_name == "check_for_cancel":
            time.sleep(0.2)  # real: a client thread's sleep outside its polls is not virtual
            self.saw_a_cancel = self._helper.should_cancel  # True: it posts /reset
            self.looked.set()
        return self._lock.__enter__()

    def __exit__(self, *exc: Any) -> Any:
        return self._lock.__exit__(*exc)


def test_cancel_right_after_the_result_sends_no_reset() -> None:
    """The client's cancel watcher thread polls until it sees its job end; had it not yet
    when ``cancel()`` comes, it would post ``/reset`` (a race of the real client). Here a
    job's end is observed only once its watcher has seen it, however late that thread
    runs, so a cancel after the result never sends ``/reset``."""
    with FakeGradio() as fake:
        space = fake.space("acme/c", gradio=COMPATIBLE_VERSIONS[0])
        space.endpoint("/run", inputs=["textbox"], outputs=["textbox"], fn=str.upper,
                       duration=60)
        job = fake.client("acme/c").submit("a", api_name="/run")
        watcher = _SlowAfterTheEnd(job.communicator)
        job.communicator.lock = watcher
        assert job.result() == "A"
        assert watcher.looked.is_set()
        assert job.cancel() is True
        assert watcher.looked.wait(5)
        assert watcher.saw_a_cancel is False
        fake.run_until_idle()
        posts = [r.path.rsplit("/", 1)[-1] for r in fake.requests if r.method == "POST"]
        assert posts == ["join", "cancel"]


@pytest.mark.skipif("6.31.0" not in COMPATIBLE_VERSIONS, reason="needs a 6.x-capable client")
def test_gradio_6_cancel_quirk_leaves_the_running_job_without_end() -> None:
    """/cancel for a queued job also cancels the running job of the same session and
    endpoint; on 6.31 that job never gets a completion. The fake says so instead of hanging.

    The freed worker starts the cancelled queued job (tests/test_cancel_queued.py), whose
    real completion at 60 s is its second: clients before 2.x then fail in their stream
    reader (``pending_event_ids.remove``), which ends every job of the client with
    ``CancelledError``, as against a real 6.31 server."""
    with FakeGradio() as fake:
        space = fake.space("acme/q", gradio="6.31.0")
        space.endpoint("/run", inputs=["textbox"], outputs=["textbox"], result="x", duration=60)
        client = fake.client("acme/q")
        running, queued = client.submit("a", api_name="/run"), client.submit("b", api_name="/run")
        queued.cancel()
        if CLIENT_VERSION < Version("2"):
            with pytest.raises(concurrent.futures.CancelledError):
                running.result()
        else:
            with pytest.raises(NeverEndingWait, match="cancels every running task"):
                running.result()


def test_without_quirks_cancel_only_hits_its_event() -> None:
    version = COMPATIBLE_VERSIONS[-1]
    with FakeGradio() as fake:
        space = fake.space("acme/q", gradio=version, quirks=False)
        space.endpoint("/run", inputs=["textbox"], outputs=["textbox"], fn=str.upper,
                       duration=60)
        client = fake.client("acme/q")
        running, queued = client.submit("a", api_name="/run"), client.submit("b", api_name="/run")
        queued.cancel()
        assert running.result() == "A"
        with pytest.raises(concurrent.futures.CancelledError):
            queued.result()
        assert len([m for m in fake.messages if m.msg == "process_starts"]) == 1


def test_iterating_a_job_that_failed_without_completion(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/full", gradio=gradio, max_size=0)
    space.endpoint("/x", inputs=["textbox"], outputs=["textbox"], result="x", duration=5)
    job = fake.client("acme/full").submit("a", api_name="/x")
    with pytest.raises(QueueError):
        job.result()
    with pytest.raises(NeverEndingWait, match="iterator"):
        next(iter(job))


def test_scripted_timeline(fake: FakeGradio, gradio: str) -> None:
    space = fake.space("acme/script", gradio=gradio)
    space.endpoint("/x", inputs=["textbox"], outputs=["textbox"], script=[
        (0, "estimation", {"rank": 7, "queue_size": 8, "eta": 600.0}),
        (600, "process_starts"),
        (630, "progress", (1, 2)),
        (640, "log", ("warning", "careful")),
        (660, "process_completed", {"error": "boom"}),
    ])
    job = fake.client("acme/script").submit("a", api_name="/x")
    status = job.status()
    assert (status.code, status.rank, status.queue_size, status.eta) == (
        Status.IN_QUEUE, 7, 8, 600.0)
    fake.clock.advance(635)
    assert job.status().progress_data[0].index == 1
    with pytest.raises(Exception, match="boom"):
        job.result()
    assert fake.clock.now == 660


@pytest.mark.skipif(CLIENT_VERSION >= Version("2"), reason="2.x clients have separate pools")
def test_a_thread_pool_too_small_is_diagnosed() -> None:
    with FakeGradio() as fake:
        space = fake.space("acme/pool", gradio="4.44.1")
        space.endpoint("/x", inputs=["textbox"], outputs=["textbox"], result="x", duration=5,
                       concurrency_limit=None)
        client = fake.client("acme/pool", max_workers=4)
        client.submit("a", api_name="/x")
        with pytest.raises(ClientStuck, match="thread pool is exhausted: max_workers=4"):
            client.submit("b", api_name="/x")


@pytest.mark.skipif(CLIENT_VERSION < Version("1.14"), reason="async iteration is new in 1.14")
def test_async_iteration_follows_virtual_time(fake: FakeGradio) -> None:
    space = fake.space("acme/a", gradio=COMPATIBLE_VERSIONS[-1])
    space.endpoint("/gen", inputs=["textbox"], outputs=["textbox"], yields=["a", "ab"],
                   duration=20)
    job = fake.client("acme/a").submit("x", api_name="/gen")

    async def collect() -> list[tuple[float, str]]:
        seen = []
        async for update in job:
            seen.append((fake.clock.now, type(update).__name__))
        return seen

    seen = asyncio.run(collect())
    assert seen[-1][0] == 20.0
    assert ("OutputUpdate" in {kind for _, kind in seen})
    assert job.result() == "ab"
